"""Writing submissions: one version of one unit's report for one period, with its values.

Callers own the transaction (the loader wraps each file in one; the demo wraps a whole batch).
"""
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from etl.domain.findings import Finding
from etl.domain.periods import Period
from etl.warehouse import db


@dataclass
class ValueRow:
    indicator_code: str
    value: float
    sheet: str | None = None
    cell: str | None = None
    raw_text: str | None = None


@dataclass
class NewSubmission:
    unit_code: str
    period: Period
    values: list[ValueRow]
    source: str = "file"                  # 'file' or 'demo'
    status: str = "submitted"
    file_name: str | None = None
    sha256: str | None = None
    content: bytes | None = None
    template_version: str | None = None
    sent_by: str | None = None
    findings: list[Finding] = field(default_factory=list)
    loaded_at: datetime | None = None
    models: list = field(default_factory=list)          # etl.dvk.ModelRow, checked


def ensure_period(con, p: Period) -> None:
    con.execute(
        "INSERT INTO periods (period_key, kind, convention, start_date, end_date, label) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [p.key, p.kind, p.convention, p.start, p.end, p.label])


def find_same_file(con, sha256: str) -> tuple | None:
    """(submission_id, unit_code, period_key, version) of a submission already made from this file."""
    return find_same_files(con, [sha256]).get(sha256)


def find_same_files(con, hashes: list[str]) -> dict[str, tuple]:
    """sha256 -> (submission_id, unit_code, period_key, version), the newest submission from it."""
    wanted = pa.table({"sha256": pa.array(sorted(set(hashes)), pa.string())})  # noqa: F841
    rows = con.execute(
        "SELECT sha256, arg_max(submission_id, submission_id), arg_max(unit_code, submission_id), "
        "arg_max(period_key, submission_id), arg_max(version, submission_id) "
        "FROM submissions JOIN wanted USING (sha256) GROUP BY 1").fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def current_version(con, unit_code: str, period_key: str) -> tuple | None:
    return current_versions(con, [(unit_code, period_key)]).get((unit_code, period_key))


def current_versions(con, pairs) -> dict[tuple, tuple]:
    """(unit_code, period_key) -> (submission_id, version) of its current version."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    wanted = pa.table({"unit_code": [u for u, _ in pairs],  # noqa: F841 (DuckDB replacement scan)
                       "period_key": [k for _, k in pairs]})
    rows = con.execute(
        "SELECT s.unit_code, s.period_key, s.submission_id, s.version FROM submissions s "
        "JOIN wanted w USING (unit_code, period_key) WHERE s.is_current").fetchall()
    return {(u, k): (sid, version) for u, k, sid, version in rows}


def save_submission(con, sub: NewSubmission, refresh: bool = True) -> tuple[int, int, int | None]:
    """Insert a new version; the previous current version (if any) is kept and marked superseded.

    refresh=False leaves db.refresh_shown() to the caller, once for a whole batch.

    Returns (submission_id, version, superseded_submission_id).
    """
    return save_submissions(con, [sub], refresh)[0]


_SUBMISSION_COLUMNS = ("submission_id", "unit_code", "period_key", "version", "status", "is_current",
                       "superseded_by", "source", "file_name", "sha256", "template_version",
                       "sent_by", "loaded_at")


def save_submissions(con, subs: list[NewSubmission], refresh: bool = True) -> list[tuple]:
    """save_submission for many at once, in order: a unit+period given twice gets versions n and
    n+1. One INSERT per table instead of several statements per submission (the loader writes
    a batch of files in one transaction this way)."""
    if not subs:
        return []
    periods = {s.period.key: s.period for s in subs}
    con.executemany(
        "INSERT INTO periods (period_key, kind, convention, start_date, end_date, label) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [[p.key, p.kind, p.convention, p.start, p.end, p.label] for p in periods.values()])
    pairs = [(s.unit_code, s.period.key) for s in subs]
    current = current_versions(con, pairs)
    ids = sorted(r[0] for r in con.execute(
        "SELECT nextval('submission_ids') FROM range(?)", [len(subs)]).fetchall())
    out, replaced, index = [], [], {}
    superseded_by: list = [None] * len(subs)
    for i, (sub, pair, new_id) in enumerate(zip(subs, pairs, ids)):
        previous = current.get(pair)
        if previous and previous[0] in index:        # an earlier submission of this same batch
            superseded_by[index[previous[0]]] = new_id
        elif previous:
            replaced.append((previous[0], new_id))
        version = previous[1] + 1 if previous else 1
        current[pair], index[new_id] = (new_id, version), i
        out.append((new_id, version, previous[0] if previous else None))
    if replaced:
        old = pa.table({"old_id": pa.array([o for o, _ in replaced], pa.int64()),  # noqa: F841
                        "new_id": pa.array([n for _, n in replaced], pa.int64())})
        con.execute("UPDATE submissions SET is_current = false, superseded_by = old.new_id "
                    "FROM old WHERE submissions.submission_id = old.old_id")
    files = {s.sha256: s.content for s in subs if s.content is not None and s.sha256}
    if files:
        new_files = pa.table({"sha256": list(files),  # noqa: F841
                              "size_bytes": pa.array([len(c) for c in files.values()], pa.int64()),
                              "content": pa.array(list(files.values()), pa.binary())})
        con.execute("INSERT INTO files SELECT * FROM new_files ON CONFLICT DO NOTHING")
    now = datetime.now()
    new_subs = pa.table({  # noqa: F841
        "submission_id": pa.array(ids, pa.int64()),
        "unit_code": [s.unit_code for s in subs],
        "period_key": [s.period.key for s in subs],
        "version": pa.array([v for _, v, _ in out], pa.int32()),
        "status": [s.status for s in subs],
        "is_current": [b is None for b in superseded_by],
        "superseded_by": pa.array(superseded_by, pa.int64()),
        "source": [s.source for s in subs],
        "file_name": pa.array([s.file_name for s in subs], pa.string()),
        "sha256": pa.array([s.sha256 for s in subs], pa.string()),
        "template_version": pa.array([s.template_version for s in subs], pa.string()),
        "sent_by": pa.array([s.sent_by for s in subs], pa.string()),
        "loaded_at": pa.array([s.loaded_at or now for s in subs], pa.timestamp("us")),
    })
    columns = ", ".join(_SUBMISSION_COLUMNS)
    con.execute(f"INSERT INTO submissions ({columns}) SELECT {columns} FROM new_subs")
    values = [(new_id, v) for new_id, s in zip(ids, subs) for v in s.values]
    if values:
        new_values = pa.table({  # noqa: F841
            "submission_id": pa.array([i for i, _ in values], pa.int64()),
            "indicator_code": [v.indicator_code for _, v in values],
            "value": pa.array([float(v.value) for _, v in values], pa.float64()),
            "sheet": pa.array([v.sheet for _, v in values], pa.string()),
            "cell": pa.array([v.cell for _, v in values], pa.string()),
            "raw_text": pa.array([v.raw_text for _, v in values], pa.string()),
        })
        con.execute("INSERT INTO submission_values (submission_id, indicator_code, value, sheet, "
                    "cell, raw_text) SELECT * FROM new_values")
    found = [(new_id, f) for new_id, s in zip(ids, subs) for f in s.findings]
    if found:
        new_findings = pa.table({  # noqa: F841
            "submission_id": pa.array([i for i, _ in found], pa.int64()),
            **{name: pa.array([getattr(f, attr) for _, f in found], pa.string()) for name, attr in (
                ("file_name", "file"), ("sheet", "sheet"), ("cell", "cell"), ("value", "value"),
                ("rule", "rule"), ("severity", "severity"), ("message", "message"))}})
        con.execute("INSERT INTO findings SELECT * FROM new_findings")
    for new_id, s in zip(ids, subs):
        if s.models:
            save_models(con, new_id, s.unit_code, s.period, s.models)
    if refresh:
        db.refresh_shown(con, pairs)
    return out


def save_models(con, submission_id: int, unit_code: str, period: Period, models: list) -> None:
    """Link each reported model to the unit's model with the same name key, creating it if new.

    A model's description (name as written, field, lead organisation, start year) follows its
    report with the latest period end, so loading an old year late does not undo a correction.
    """
    for m in models:
        found = con.execute("SELECT model_id FROM dvk_models WHERE unit_code = ? AND name_key = ?",
                            [unit_code, m.name_key]).fetchall()
        if found:
            model_id = found[0][0]
            newer = con.execute(
                "SELECT count(*) FROM dvk_model_reports r JOIN submissions s USING (submission_id) "
                "JOIN periods p USING (period_key) WHERE r.model_id = ? AND p.end_date > ?",
                [model_id, period.end]).fetchone()[0]
            if not newer:
                con.execute("UPDATE dvk_models SET name = ?, field = ?, lead_org = ?, year_started = ? "
                            "WHERE model_id = ?",
                            [m.name, m.field, m.lead_org, m.year_started, model_id])
        else:
            model_id = con.execute("SELECT nextval('dvk_model_ids')").fetchone()[0]
            con.execute("INSERT INTO dvk_models VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [model_id, unit_code, m.name, m.name_key, m.field, m.lead_org, m.year_started])
        con.execute("INSERT INTO dvk_model_reports VALUES (?, ?, ?, ?, ?, ?)",
                    [model_id, submission_id, m.recognition, m.status, m.sheet, m.row_number])
