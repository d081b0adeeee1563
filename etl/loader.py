"""Load report files: read, check, then store each accepted file as a new version in one transaction.

A running dashboard (another process) can only open the database between our writes, so the
write connection is never held across a long batch: each file commits on its own, and the
connection is closed and reopened once held for HOLD_S, leaving a PAUSE_S gap. A waiting reader
retries every 0.2–0.4 s (etl.db.connect), so shorter gaps are mostly missed: with 0.3 s / 0.15 s
a polling reader measured waits of 0.25 s median, 0.56 s max during a 114-file batch, at the
cost of ~60 ms per file instead of ~35 ms.
"""
import json
import sys
import os
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

from etl import db, store
from etl.findings import ERROR, NOTICE, WARNING, Finding
from etl.periods import Period
from etl.reader import ParsedReport, read_report
from etl.validate import Catalogue, History, Stats, Unit, load_reference, report_period, validate

# A batch lets go of the file regularly so a running dashboard can read in between
# (db.connect retries every 30–60 ms, so a 0.1 s gap is enough).
HOLD_S = float(os.environ.get("DANVAN_WRITE_HOLD_S", "1.0"))
PAUSE_S = 0.1

LOADED, UNCHANGED, REFUSED, CHECKED = "loaded", "unchanged", "refused", "checked"
ALREADY_LOADED = "Tệp này đã được nạp trước đó"


class NotInitialised(RuntimeError):
    pass


@dataclass
class FileResult:
    file: str
    status: str                      # loaded | unchanged | refused | checked
    unit_code: str | None = None
    unit_name: str | None = None
    period_key: str | None = None
    period_label: str | None = None
    submission_id: int | None = None
    version: int | None = None
    superseded_id: int | None = None
    n_values: int = 0
    n_models: int = 0                # rows of the «Mô hình Dân vận khéo» sheet stored or checked
    message: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Accepted: stored now, stored before, or valid in a dry run."""
        return self.status != REFUSED

    def as_dict(self) -> dict:
        d = asdict(self)
        d["findings"] = [f.as_dict() for f in self.findings]
        return d


# --- history for the outlier checks -----------------------------------------------------------

_RATE = ("CASE WHEN i.kind = 'flow' THEN v.value / (date_diff('day', v.start_date, v.end_date) + 1) "
         "ELSE v.value END")

OWN_SQL = f"""
SELECT indicator_code, count(*), quantile_cont(r, 0.25), median(r), quantile_cont(r, 0.75)
FROM (SELECT v.indicator_code, {_RATE} AS r
      FROM current_values v JOIN indicators i ON i.code = v.indicator_code
      WHERE v.unit_code = ? AND v.period_key <> ? AND v.start_date < ?)
GROUP BY 1
"""

# One point per other unit: its latest flow rate up to this period's end, per 10,000 residents.
PEERS_SQL = """
WITH pop AS (
    SELECT unit_code, arg_max(value, end_date) AS population
    FROM current_values WHERE indicator_code = 'population' AND value > 0 GROUP BY 1),
latest AS (
    SELECT v.unit_code, v.indicator_code,
           arg_max(v.value / (date_diff('day', v.start_date, v.end_date) + 1), v.end_date) AS rate
    FROM current_values v JOIN indicators i ON i.code = v.indicator_code AND i.kind = 'flow'
    WHERE v.unit_code <> ? AND v.end_date <= ?
    GROUP BY 1, 2)
SELECT indicator_code, count(*), quantile_cont(q, 0.25), median(q), quantile_cont(q, 0.75)
FROM (SELECT l.indicator_code, l.rate * 10000 / p.population AS q
      FROM latest l JOIN pop p USING (unit_code))
GROUP BY 1
"""


def _stats(rows) -> dict[str, Stats]:
    return {code: Stats(n, q1, med, q3) for code, n, q1, med, q3 in rows}


def fetch_history(con, unit_code: str, period: Period, peer_cache: dict | None = None) -> History:
    own = _stats(con.execute(OWN_SQL, [unit_code, period.key, period.start]).fetchall())
    key = (unit_code, period.end)
    if peer_cache is not None and key in peer_cache:
        peers = peer_cache[key]
    else:
        peers = _stats(con.execute(PEERS_SQL, [unit_code, period.end]).fetchall())
        if peer_cache is not None:
            peer_cache[key] = peers
    pop = con.execute("SELECT arg_max(value, end_date) FROM current_values "
                      "WHERE unit_code = ? AND indicator_code = 'population'", [unit_code]).fetchall()
    return History(own, peers, pop[0][0] if pop else None)


# --- checking ---------------------------------------------------------------------------------

def _check_report(con, report: ParsedReport, catalogue: Catalogue, units: dict[str, Unit],
                  sent_by=None, peer_cache=None, today=None):
    """(NewSubmission or None, ValidationResult) for a report already read."""
    history = None
    period = report_period(report)
    if report.ok and period and report.unit_code in units:
        history = fetch_history(con, report.unit_code, period, peer_cache)
    result = validate(report, catalogue, units, history, today=today)
    if not result.ok:
        return None, result
    sub = store.NewSubmission(
        unit_code=result.unit.code, period=result.period, values=result.values, source="file",
        file_name=report.file_name, sha256=report.sha256, content=report.content,
        template_version=report.template_version, sent_by=sent_by,
        findings=[f for f in result.findings if f.severity in (WARNING, NOTICE)],
        models=result.models)
    return sub, result


def check_file(con, source, file_name: str | None = None, sent_by=None, reference=None, today=None):
    """Read and check one file without writing: (NewSubmission or None, findings).

    `source` is a path or the uploaded bytes; `con` may be read-only. A None submission means
    the file has errors; warnings in the findings still need a person's confirmation.
    """
    report = read_report(source, file_name)
    catalogue, units = reference or load_reference(con)
    sub, result = _check_report(con, report, catalogue, units, sent_by, today=today)
    return sub, result.findings


# --- loading ----------------------------------------------------------------------------------

class _Connection:
    """The batch's connection, given back to other processes once held for HOLD_S."""

    def __init__(self, path, read_only: bool):
        self.path, self.read_only = path, read_only
        self.stack, self.con, self.opened = ExitStack(), None, 0.0

    def get(self):
        if self.con is not None and time.monotonic() - self.opened > HOLD_S:
            self.close()
            time.sleep(PAUSE_S)
        if self.con is None:
            self.con = self.stack.enter_context(db.connect(self.path, read_only=self.read_only))
            self.opened = time.monotonic()
        return self.con

    def close(self):
        self.stack.close()
        self.con = None


def ensure_initialised(path) -> None:
    target = db.db_path(path)
    hint = f"Chạy 'python -m etl init' (với --db {target} nếu cần) trước khi nạp báo cáo."
    if not target.exists():
        raise NotInitialised(f"Chưa có cơ sở dữ liệu {target}. {hint}")
    with db.connect(target, read_only=True) as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        if not {"meta", "submissions", "indicators", "units"} <= tables or not con.execute(
                "SELECT count(*) FROM indicators").fetchone()[0]:
            raise NotInitialised(f"Cơ sở dữ liệu {target} chưa được khởi tạo. {hint}")


def _refused(name: str, findings: list[Finding], report=None, message="") -> FileResult:
    r = FileResult(name, REFUSED, findings=findings, message=message)
    if report is not None:
        r.unit_code, r.period_key = report.unit_code, report.period_key
    return r


def load_files(db_path, paths, dry_run: bool = False, sent_by: str | None = None,
               confirm_warnings: bool = True, today=None) -> list[FileResult]:
    """Check and load each file. dry_run writes nothing; with confirm_warnings=False a file
    with warnings is checked but not stored (status 'checked'), awaiting a person's confirmation."""
    ensure_initialised(db_path)
    with db.connect(db_path, read_only=True) as con:
        catalogue, units = load_reference(con)
    conn = _Connection(db_path, read_only=dry_run)
    peer_cache: dict = {}
    results = []
    try:
        for source in paths:
            name = Path(source).name
            report = read_report(source)          # outside the connection: parsing can be slow
            if not report.ok:
                results.append(_refused(name, report.findings, report))
                continue
            try:
                con = conn.get()
                results.append(_load_one(con, report, catalogue, units, dry_run, sent_by,
                                         confirm_warnings, peer_cache, today))
            except db.DatabaseBusy as exc:
                results.append(_refused(name, report.findings + [Finding(
                    name, "", "", "", "database_busy", ERROR, f"Chưa nạp: {exc}")], report))
    finally:
        conn.close()
    return results


def _load_one(con, report, catalogue, units, dry_run, sent_by, confirm_warnings, peer_cache,
              today) -> FileResult:
    name = report.file_name
    same = store.find_same_file(con, report.sha256)
    if same:
        sid, unit_code, period_key, version = same
        current = store.current_version(con, unit_code, period_key)
        note = f" (phiên bản hiện hành là {current[1]})" if current and current[0] != sid else ""
        return FileResult(name, UNCHANGED, unit_code, _unit_name(units, unit_code), period_key,
                          _period_label(con, period_key), sid, version,
                          message=f"{ALREADY_LOADED}: phiên bản {version}{note}; không ghi gì thêm.")
    sub, result = _check_report(con, report, catalogue, units, sent_by, peer_cache, today)
    base = dict(unit_code=report.unit_code, unit_name=result.unit.name if result.unit else None,
                period_key=result.period.key if result.period else report.period_key,
                period_label=result.period.label if result.period else None,
                findings=result.findings)
    if sub is None:
        return FileResult(name, REFUSED, **base)
    base["n_values"] = len(sub.values)
    base["n_models"] = len(sub.models)
    if dry_run:
        return FileResult(name, CHECKED, message="Chạy thử: hợp lệ, chưa ghi vào cơ sở dữ liệu.", **base)
    if result.warnings and not confirm_warnings:
        return FileResult(name, CHECKED, message="Có cảnh báo: chờ xác nhận, chưa ghi.", **base)
    con.execute("BEGIN")
    try:
        sid, version, superseded = store.save_submission(con, sub)
        detail = (f"{base['unit_name']} — {base['period_label']}: phiên bản {version}, "
                  f"{len(sub.values)} giá trị")
        con.execute("INSERT INTO audit_log VALUES (current_timestamp, ?, 'load', ?, ?, ?)",
                    [sent_by, detail, name, sid])
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        failure = Finding(name, "", "", "", "load_failed", ERROR,
                          f"Không ghi được vào cơ sở dữ liệu, không có gì được lưu ({exc}).")
        return FileResult(name, REFUSED, **{**base, "findings": result.findings + [failure]})
    return FileResult(name, LOADED, submission_id=sid, version=version, superseded_id=superseded,
                      **base)


def _unit_name(units, code) -> str | None:
    return units[code].name if code in units else None


def _period_label(con, key) -> str | None:
    rows = con.execute("SELECT label FROM periods WHERE period_key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


# --- command line -----------------------------------------------------------------------------

MARKS = {LOADED: "✓ đã nạp", UNCHANGED: "= không đổi", REFUSED: "✗ bị từ chối", CHECKED: "✓ hợp lệ"}


def _summary_line(r: FileResult) -> str:
    what = ", ".join(x for x in (
        f"{r.unit_name} ({r.unit_code})" if r.unit_name else (f"đơn vị {r.unit_code}" if r.unit_code else ""),
        f"kỳ {r.period_label}" if r.period_label else (f"kỳ {r.period_key}" if r.period_key else ""),
        f"phiên bản {r.version}" if r.version else "",
        f"{r.n_values} giá trị" if r.status in (LOADED, CHECKED) else "",
        f"{r.n_models} mô hình «Dân vận khéo»" if r.n_models and r.status in (LOADED, CHECKED) else "",
    ) if x)
    if r.superseded_id and r.status == LOADED:
        what += f" (thay phiên bản trước, mã {r.superseded_id}; bản cũ vẫn được lưu)"
    if r.status == REFUSED:
        n = sum(f.severity == ERROR for f in r.findings)
        what = ", ".join(x for x in (what, f"{n} lỗi") if x)
    tail = f" — {r.message}" if r.message else ""
    return f"{MARKS[r.status]}: {r.file}" + (f" — {what}" if what else "") + tail


def load_cli(db_path, paths, dry_run: bool = False, as_json: bool = False, sent_by=None) -> int:
    try:
        results = load_files(db_path, paths, dry_run=dry_run, sent_by=sent_by)
    except NotInitialised as exc:
        if as_json:
            print(json.dumps({"error": str(exc), "results": []}, ensure_ascii=False))
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    code = 1 if any(r.status == REFUSED for r in results) else 0
    counts = {s: sum(r.status == s for r in results) for s in (LOADED, UNCHANGED, REFUSED, CHECKED)}
    if as_json:
        print(json.dumps({"db": str(db.db_path(db_path)), "dry_run": dry_run, "exit_code": code,
                          "summary": counts, "results": [r.as_dict() for r in results]},
                         ensure_ascii=False, indent=2, default=str))
        return code
    for r in results:
        print(_summary_line(r))
        for f in r.findings:
            print(f"    {f.describe()}")
    parts = [f"{counts[LOADED]} đã nạp", f"{counts[UNCHANGED]} không đổi",
             f"{counts[REFUSED]} bị từ chối"]
    if counts[CHECKED]:
        parts.append(f"{counts[CHECKED]} hợp lệ (chưa ghi)")
    print(f"Tổng cộng {len(results)} tệp: {', '.join(parts)}."
          + (" Chạy thử: không ghi gì vào cơ sở dữ liệu." if dry_run else ""))
    return code
