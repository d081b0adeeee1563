"""Writing submissions: one version of one unit's report for one period, with its values.

Callers own the transaction (the loader wraps each file in one; the demo wraps a whole batch).
"""
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from etl import db
from etl.findings import Finding
from etl.periods import Period


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
    rows = con.execute(
        "SELECT submission_id, unit_code, period_key, version FROM submissions "
        "WHERE sha256 = ? ORDER BY submission_id DESC LIMIT 1", [sha256]).fetchall()
    return rows[0] if rows else None


def current_version(con, unit_code: str, period_key: str) -> tuple | None:
    rows = con.execute(
        "SELECT submission_id, version FROM submissions "
        "WHERE unit_code = ? AND period_key = ? AND is_current", [unit_code, period_key]).fetchall()
    return rows[0] if rows else None


def save_submission(con, sub: NewSubmission, refresh: bool = True) -> tuple[int, int, int | None]:
    """Insert a new version; the previous current version (if any) is kept and marked superseded.

    refresh=False leaves db.refresh_shown() to the caller, once for a whole batch.

    Returns (submission_id, version, superseded_submission_id).
    """
    ensure_period(con, sub.period)
    previous = current_version(con, sub.unit_code, sub.period.key)
    version = previous[1] + 1 if previous else 1
    new_id = con.execute("SELECT nextval('submission_ids')").fetchone()[0]
    if sub.content is not None and sub.sha256:
        con.execute("INSERT INTO files VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [sub.sha256, len(sub.content), sub.content])
    if previous:
        con.execute("UPDATE submissions SET is_current = false, superseded_by = ? "
                    "WHERE submission_id = ?", [new_id, previous[0]])
    con.execute(
        "INSERT INTO submissions (submission_id, unit_code, period_key, version, status, is_current, "
        "source, file_name, sha256, template_version, sent_by, loaded_at) "
        "VALUES (?, ?, ?, ?, ?, true, ?, ?, ?, ?, ?, ?)",
        [new_id, sub.unit_code, sub.period.key, version, sub.status, sub.source, sub.file_name,
         sub.sha256, sub.template_version, sub.sent_by, sub.loaded_at or datetime.now()])
    if sub.values:
        values_table = pa.table({  # noqa: F841 (read by DuckDB's replacement scan)
            "submission_id": pa.array([new_id] * len(sub.values), pa.int64()),
            "indicator_code": [v.indicator_code for v in sub.values],
            "value": pa.array([float(v.value) for v in sub.values], pa.float64()),
            "sheet": [v.sheet for v in sub.values],
            "cell": [v.cell for v in sub.values],
            "raw_text": pa.array([v.raw_text for v in sub.values], pa.string()),
        })
        con.execute("INSERT INTO submission_values SELECT * FROM values_table")
    if sub.findings:
        con.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [[new_id, f.file, f.sheet, f.cell, f.value, f.rule, f.severity, f.message]
             for f in sub.findings])
    if sub.models:
        save_models(con, new_id, sub.unit_code, sub.period, sub.models)
    if refresh:
        db.refresh_shown(con, [(sub.unit_code, sub.period.key)])
    return new_id, version, previous[0] if previous else None


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
