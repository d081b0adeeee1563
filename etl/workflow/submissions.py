"""The app's writes and review queries: check an upload, submit it, accept or return it.

Same checks as `etl load` (etl.loader.check_file); nothing is written until submit_checked, and
each write is one transaction with its audit_log row (who, what, when, from which file). A ward
account may only send its own unit's reports, whatever the file says (DOMAIN.md §6).
"""
import hashlib
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from etl.domain.findings import ERROR, WARNING, Finding
from etl.intake.loader import check_file
from etl.intake.reader import read_report
from etl.warehouse import db, store
from etl.workflow.accounts import SubmitRefused, User, can, writer

ACCEPT, RETURN = "accept", "return"
UNIT_RULE = "unit_not_allowed"


@dataclass
class Preview:
    """What an upload would do, before anything is written."""
    file_name: str
    sub: store.NewSubmission | None
    findings: list[Finding]
    unit_code: str | None = None
    unit_name: str | None = None
    period_key: str | None = None
    period_label: str | None = None
    previous: dict | None = None           # current version of that unit and period, if any
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)   # against previous
    same_file: tuple | None = None         # (submission_id, unit, period, version) already loaded

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return self.sub is not None and not self.errors


def _unit_label(con, code: str | None) -> str | None:
    rows = con.execute("SELECT full_name FROM units WHERE code = ?",
                       [code]).fetchall() if code else []
    return rows[0][0] if rows else None


def unit_refusal(con, user: User, unit_code: str | None) -> str | None:
    """Why this account may not send this unit's report (None when it may)."""
    if can(user, "upload", unit_code):
        return None
    if user is not None and user.role == "ward":
        own = _unit_label(con, user.unit_code) or user.unit_code
        theirs = _unit_label(con, unit_code) or (f"đơn vị mã {unit_code}" if unit_code
                                                 else "một đơn vị không xác định")
        return (f"Tài khoản của {own} chỉ được gửi báo cáo của {own}; tệp này là của {theirs}. "
                "Không có gì được ghi.")
    return "Tài khoản này không có quyền gửi báo cáo. Không có gì được ghi."


def preview_upload(db_path, data: bytes, file_name: str, user: User, today=None) -> Preview:
    """Check an uploaded file (read-only): findings, and the changes against the previous version."""
    report = read_report(data, file_name)
    with db.connect(db_path, read_only=True) as con:
        # The unit rule first: a ward never sees another unit's history through a preview.
        if report.ok and (why := unit_refusal(con, user, report.unit_code)):
            return Preview(file_name, None, [Finding(file_name, "", "", report.unit_code or "",
                                                     UNIT_RULE, ERROR, why)],
                           unit_code=report.unit_code, unit_name=_unit_label(con, report.unit_code))
        sub, findings = check_file(con, data, file_name, sent_by=user.username, today=today)
        p = Preview(file_name, sub, list(findings), unit_code=report.unit_code,
                    unit_name=_unit_label(con, report.unit_code), period_key=report.period_key)
        if sub is None:
            return p
        p.unit_code, p.period_key, p.period_label = sub.unit_code, sub.period.key, sub.period.label
        p.same_file = store.find_same_file(con, sub.sha256) if sub.sha256 else None
        prev = con.execute(
            "SELECT submission_id, version, status, loaded_at, sent_by, file_name FROM submissions "
            "WHERE unit_code = ? AND period_key = ? AND is_current",
            [sub.unit_code, sub.period.key]).fetchall()
        if prev:
            p.previous = dict(zip(("submission_id", "version", "status", "loaded_at", "sent_by",
                                   "file_name"), prev[0]))
            db.stage(con, "new_values", pa.table({
                "code": pa.array([v.indicator_code for v in sub.values], pa.string()),
                "value": pa.array([float(v.value) for v in sub.values], pa.float64())}))
            p.changes = con.execute("""
                WITH a AS (SELECT indicator_code AS code, value FROM submission_values
                           WHERE submission_id = ?)
                SELECT i.code, i.group_name, i.label, i.unit, a.value AS old_value,
                       b.value AS new_value
                FROM indicators i LEFT JOIN a USING (code) LEFT JOIN new_values b USING (code)
                WHERE a.value IS DISTINCT FROM b.value
                ORDER BY i.sort_order""", [p.previous["submission_id"]]).df()
            db.unstage(con, "new_values")
        return p


def submit_checked(db_path, sub: store.NewSubmission, user: User,
                   warnings_confirmed: bool = False, document: bytes | None = None) -> dict:
    """Store a checked submission as a new version (one transaction, audited).

    Returns {"submission_id", "version", "superseded_id", "unchanged"}; a file already loaded
    writes nothing (unchanged=True). Raises SubmitRefused, writing nothing, when the account
    (as the database holds it now) may not send this unit's report or warnings were not
    confirmed.
    """
    if sub is None:
        raise SubmitRefused("Tệp có lỗi nên không được gửi. Hãy sửa tệp rồi tải lên lại.")
    if any(f.severity == WARNING for f in sub.findings) and not warnings_confirmed:
        raise SubmitRefused("Tệp có cảnh báo: cần xác nhận đã xem các cảnh báo trước khi gửi.")
    with db.connect(db_path) as con:
        # Checked again inside the writer: the account may have gone, the preview be stale.
        user = writer(con, user, "upload")
        if why := unit_refusal(con, user, sub.unit_code):
            raise SubmitRefused(why)
        sub.sent_by = user.username
        same = store.find_same_file(con, sub.sha256) if sub.sha256 else None
        if same:
            return {"submission_id": same[0], "version": same[3], "superseded_id": None,
                    "unchanged": True}
        with db.transaction(con):
            sid, version, superseded = store.save_submission(con, sub)
            if document is not None:       # the narrative report the draft was made from
                store.save_document(con, hashlib.sha256(document).hexdigest(), document)
            label = _unit_label(con, sub.unit_code) or sub.unit_code
            db.audit(con, user.username, "upload",
                     f"{label} — {sub.period.label}: phiên bản {version}, {len(sub.values)} giá trị"
                     + (", đã xác nhận cảnh báo" if warnings_confirmed and sub.findings else ""),
                     sub.file_name, sid)
    return {"submission_id": sid, "version": version, "superseded_id": superseded,
            "unchanged": False}


def submit_upload(db_path, data: bytes, file_name: str, user: User,
                  warnings_confirmed: bool = False, document: bytes | None = None) -> dict:
    """Check the uploaded bytes again and store them: what is stored is exactly what was
    checked, and the page keeps no copy of the file between preview and sending. document: the
    narrative report a draft form was made from, kept with it."""
    p = preview_upload(db_path, data, file_name, user)
    if p.errors or p.sub is None:
        raise SubmitRefused("Tệp có lỗi nên không được gửi. Hãy sửa tệp rồi tải lên lại.")
    return submit_checked(db_path, p.sub, user, warnings_confirmed, document)


def draft_from_document(db_path, data: bytes, file_name: str, progress=None):
    """A narrative report (Word, PDF, scan, text) read and turned into a draft
    (etl.intake.narrative.Draft). Raises etl.intake.documents.DocumentRefused for a bad file."""
    from etl.intake import documents
    from etl.intake.narrative import extract, indicator_labels
    from etl.intake.units import load_units
    doc = documents.read_document(data, file_name, progress=progress)
    with db.connect(db_path, read_only=True) as con:
        units = load_units(con)
        catalogue = indicator_labels(con)
    return extract(doc.text, units, file_name, doc.sha256, catalogue=catalogue)


def draft_workbook(db_path, draft, with_models: bool = True) -> bytes:
    """The draft as the ordinary form (etl.intake.narrative.draft), .xlsx bytes."""
    import io

    from etl.intake.narrative.draft import build_draft
    with db.connect(db_path, read_only=True) as con:
        wb = build_draft(con, draft, with_models)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def review(db_path, submission_id: int, decision: str, comment: str, actor: User) -> str:
    """Accept a submission, or return it with a comment the ward sees (audited). Returns the
    new status."""
    if decision not in (ACCEPT, RETURN):
        raise SubmitRefused(f"Quyết định không hợp lệ: {decision}.")
    comment = (comment or "").strip()
    if decision == RETURN and not comment:
        raise SubmitRefused("Khi trả lại báo cáo cần ghi rõ lý do để đơn vị sửa.")
    with db.connect(db_path) as con:
        actor = writer(con, actor, "review")
        rows = con.execute(
            "SELECT s.status, s.is_current, s.file_name, s.version, s.period_key, "
            "u.full_name, s.unit_code FROM submissions s "
            "JOIN units u ON u.code = s.unit_code WHERE s.submission_id = ?",
            [submission_id]).fetchall()
        if not rows:
            raise SubmitRefused(f"Không có báo cáo mã {submission_id}.")
        status, current, file_name, version, period_key, unit, unit_code = rows[0]
        if not current:
            raise SubmitRefused("Báo cáo này đã có phiên bản mới hơn; hãy duyệt phiên bản mới.")
        if status != "submitted":
            raise SubmitRefused("Báo cáo này đã được duyệt rồi.")
        new_status = "accepted" if decision == ACCEPT else "returned"
        with db.transaction(con):
            store.record_review(con, submission_id, unit_code, period_key, new_status,
                                comment or None, actor.username)
            db.audit(con, actor.username, decision,
                     f"{unit} — {period_key}, phiên bản {version}"
                     + (f": {comment}" if comment else ""), file_name, submission_id)
    return new_status


def template_bytes(db_path, unit_id: str, period) -> bytes:
    """The blank report form (etl.intake.template) for one unit, named by its id (a current unit
    for an earlier period reports its present territory), and one period, as .xlsx bytes."""
    import io

    from etl.intake.template import build_workbook
    from etl.intake.units import CURRENT
    with db.connect(db_path, read_only=True) as con:
        wb = build_workbook(con, unit_id, period, None if "@" in unit_id else CURRENT)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


