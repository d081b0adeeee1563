"""Every write of submissions: versions of units' reports with their values, findings and models.

The loader and the app (save_submissions), the demo and the national bench data (save_batch,
straight from Arrow tables or SQL) all write through save_batch, so versions, supersession,
models and the shown versions follow one set of rules. Callers own the transaction.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyarrow as pa

from etl.domain.findings import Finding
from etl.domain.periods import Period, enclosing_year
from etl.warehouse import db
from etl.warehouse.migrations import set_meta
from etl.warehouse.shown import refresh_shown


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
    models: list = field(default_factory=list)          # etl.domain.dvk.ModelRow, checked


def ensure_periods(con, periods, deadline_days: int | None = None) -> None:
    """Add the periods not stored yet; with deadline_days, a period without a deadline gets one
    that many days after its end (a deadline the department set stays)."""
    periods = list({p.key: p for p in periods}.values())
    if not periods:
        return
    # A half year's year too (no deadline of its own): on today's boundaries 2025 is added up
    # from January–June by the old units and July–December by the new ones (period_halves).
    years = [enclosing_year(p) for p in periods if p.kind == "half"]
    if years:
        con.executemany(
            "INSERT INTO periods (period_key, kind, convention, start_date, end_date, label) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [[p.key, p.kind, p.convention, p.start, p.end, p.label] for p in years])
    con.executemany(
        "INSERT INTO periods (period_key, kind, convention, start_date, end_date, label) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [[p.key, p.kind, p.convention, p.start, p.end, p.label] for p in periods])
    if deadline_days is not None:
        con.executemany("UPDATE periods SET deadline = ? WHERE period_key = ? AND deadline IS NULL",
                        [[p.end + timedelta(days=deadline_days), p.key] for p in periods])


def find_same_file(con, sha256: str) -> tuple | None:
    """(submission_id, unit_code, period_key, version) of a submission already made from this file."""
    return find_same_files(con, [sha256]).get(sha256)


def find_same_files(con, hashes: list[str]) -> dict[str, tuple]:
    """sha256 -> (submission_id, unit_code, period_key, version), the newest submission from it."""
    db.stage(con, "wanted_files", pa.table({"sha256": pa.array(sorted(set(hashes)), pa.string())}))
    rows = con.execute(
        "SELECT DISTINCT ON (sha256) sha256, submission_id, unit_code, period_key, version "
        "FROM submissions JOIN wanted_files USING (sha256) "
        "ORDER BY sha256, submission_id DESC").fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def current_versions(con, pairs) -> dict[tuple, tuple]:
    """(unit_code, period_key) -> (submission_id, version) of its current version."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    db.stage(con, "wanted_pairs", pa.table({"unit_code": pa.array([u for u, _ in pairs], pa.string()),
                                            "period_key": pa.array([k for _, k in pairs], pa.string())}))
    rows = con.execute(
        "SELECT s.unit_code, s.period_key, s.submission_id, s.version FROM submissions s "
        "JOIN wanted_pairs w USING (unit_code, period_key) WHERE s.is_current").fetchall()
    return {(u, k): (sid, version) for u, k, sid, version in rows}


def save_submission(con, sub: NewSubmission) -> tuple[int, int, int | None]:
    """Insert a new version; the previous current version (if any) is kept and marked superseded.

    Returns (submission_id, version, superseded_submission_id).
    """
    return save_submissions(con, [sub])[0]


def save_document(con, sha256: str, content: bytes) -> None:
    """Keep an original document as received (a narrative report a draft was made from), content-
    addressed like every uploaded file; the caller owns the transaction and its audit row."""
    con.execute("INSERT INTO files VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [sha256, len(content), content])


def save_submissions(con, subs: list[NewSubmission]) -> list[tuple]:
    """save_submission for many at once, in order: a unit+period given twice gets versions n and
    n+1 (the loader writes a chunk of files in one transaction this way)."""
    if not subs:
        return []
    ensure_periods(con, [s.period for s in subs])
    files = {s.sha256: s.content for s in subs if s.content is not None and s.sha256}
    if files:
        db.stage(con, "new_files", pa.table({
            "sha256": pa.array(list(files), pa.string()),
            "size_bytes": pa.array([len(c) for c in files.values()], pa.int64()),
            "content": pa.array(list(files.values()), pa.binary())}))
        con.execute("INSERT INTO files SELECT * FROM new_files ON CONFLICT DO NOTHING")
    saved = save_batch(con, *_staged(subs))
    return [(r["submission_id"], r["version"], r["replaced_id"]) for r in saved.to_pylist()]


def _texts(rows, attr) -> pa.Array:
    return pa.array([getattr(r, attr) for r in rows], pa.string())


def _refs(subs: list[NewSubmission], attr: str) -> pa.Array:
    """The ref (place in subs) of every value, finding or model of the batch, in order."""
    return pa.array([i for i, s in enumerate(subs) for _ in getattr(s, attr)], pa.int64())


def _staged(subs: list[NewSubmission]) -> tuple[pa.Table, pa.Table, pa.Table, pa.Table]:
    """The submissions as save_batch's four tables; `ref` is each one's place in the list."""
    now, n = datetime.now(), len(subs)
    values = [v for s in subs for v in s.values]
    found = [f for s in subs for f in s.findings]
    models = [m for s in subs for m in s.models]
    submissions = pa.table({
        "ref": pa.array(range(n), pa.int64()),
        **{c: _texts(subs, c) for c in ("unit_code", "status", "source", "file_name", "sha256",
                                        "template_version", "sent_by")},
        "period_key": pa.array([s.period.key for s in subs], pa.string()),
        "loaded_at": pa.array([s.loaded_at or now for s in subs], pa.timestamp("us")),
        **{c: pa.nulls(n, pa.string()) for c in ("review_comment", "reviewed_by")},
        "reviewed_at": pa.nulls(n, pa.timestamp("us"))})
    value_rows = pa.table({
        "ref": _refs(subs, "values"),
        "indicator_code": _texts(values, "indicator_code"),
        "value": pa.array([float(v.value) for v in values], pa.float64()),
        **{c: _texts(values, c) for c in ("sheet", "cell", "raw_text")}})
    finding_rows = pa.table({
        "ref": _refs(subs, "findings"),
        **{name: _texts(found, attr) for name, attr in (
            ("file_name", "file"), ("sheet", "sheet"), ("cell", "cell"), ("value", "value"),
            ("rule", "rule"), ("severity", "severity"), ("message", "message"))}})
    model_rows = pa.table({
        "ref": _refs(subs, "models"),
        **{c: _texts(models, c) for c in ("name", "name_key", "field", "lead_org", "recognition",
                                          "status", "sheet")},
        "year_started": pa.array([m.year_started for m in models], pa.int32()),
        "row_number": pa.array([m.row_number for m in models], pa.int32())})
    return submissions, value_rows, finding_rows, model_rows


# save_batch's inputs, by column name (a `ref` ties rows to their submission):
#   submissions: ref, unit_code, period_key, status, source, file_name, sha256, template_version,
#                sent_by, loaded_at, review_comment, reviewed_by, reviewed_at
#   values:      ref, indicator_code, value, sheet, cell, raw_text
#   findings:    ref, file_name, sheet, cell, value, rule, severity, message
#   models:      ref, name, name_key, field, lead_org, year_started, recognition, status, sheet,
#                row_number

# New ids in ref order (find_same_files takes the highest id as the newest), versions after the
# current one of each unit+period, each new version superseded by the next of the same pair.
_NEW_VERSIONS = """
CREATE TEMP TABLE batch_ids AS
WITH refs AS (SELECT row_number() OVER (ORDER BY ref) AS k, ref, unit_code, period_key FROM {subs}),
ids AS (SELECT row_number() OVER (ORDER BY id) AS k, id FROM batch_new_ids),
cur AS (SELECT s.unit_code, s.period_key, s.submission_id, s.version FROM submissions s
        WHERE s.is_current AND EXISTS (SELECT 1 FROM refs r WHERE r.unit_code = s.unit_code
                                       AND r.period_key = s.period_key))
SELECT r.ref, r.unit_code, r.period_key, i.id AS submission_id,
       coalesce(c.version, 0) + row_number() OVER w AS version,
       lead(i.id) OVER w AS superseded_by,
       coalesce(lag(i.id) OVER w, c.submission_id) AS replaced_id
FROM refs r JOIN ids i USING (k) LEFT JOIN cur c USING (unit_code, period_key)
WINDOW w AS (PARTITION BY r.unit_code, r.period_key ORDER BY r.ref)
"""

_INSERT_SUBMISSIONS = """
INSERT INTO submissions (submission_id, unit_code, period_key, version, status, is_current,
    superseded_by, source, file_name, sha256, template_version, sent_by, loaded_at,
    review_comment, reviewed_by, reviewed_at)
SELECT b.submission_id, b.unit_code, b.period_key, b.version, s.status, b.superseded_by IS NULL,
       b.superseded_by, s.source, s.file_name, s.sha256, s.template_version, s.sent_by,
       s.loaded_at, s.review_comment, s.reviewed_by, s.reviewed_at
FROM {subs} s JOIN batch_ids b USING (ref)
ORDER BY b.submission_id
"""


# Each reported model is linked to its unit's model with the same name key, created if new. A
# model's description (name as written, field, lead organisation, start year) follows its report
# with the latest period end, so loading an old year late does not undo a correction: a model
# takes the batch's latest description unless a stored report is newer still.
_MODEL_STEPS = """
DROP TABLE IF EXISTS batch_models;
CREATE TEMP TABLE batch_models AS
SELECT b.submission_id, b.unit_code, p.end_date, m.name, m.name_key, m.field, m.lead_org,
       m.year_started, m.recognition, m.status, m.sheet, m.row_number,
       row_number() OVER (PARTITION BY b.unit_code, m.name_key
                          ORDER BY p.end_date DESC, b.submission_id DESC, m.row_number DESC) = 1
           AS latest
FROM {models} m JOIN batch_ids b USING (ref) JOIN periods p ON p.period_key = b.period_key;

UPDATE dvk_models d SET name = m.name, field = m.field, lead_org = m.lead_org,
       year_started = m.year_started
FROM batch_models m
WHERE m.latest AND d.unit_code = m.unit_code AND d.name_key = m.name_key
  AND NOT EXISTS (SELECT 1 FROM dvk_model_reports r JOIN submissions s USING (submission_id)
                  JOIN periods p USING (period_key)
                  WHERE r.model_id = d.model_id AND p.end_date > m.end_date);

INSERT INTO dvk_models
SELECT nextval('dvk_model_ids'), m.unit_code, m.name, m.name_key, m.field, m.lead_org,
       m.year_started
FROM batch_models m
WHERE m.latest AND NOT EXISTS (SELECT 1 FROM dvk_models d WHERE d.unit_code = m.unit_code
                               AND d.name_key = m.name_key);

INSERT INTO dvk_model_reports
SELECT d.model_id, m.submission_id, m.recognition, m.status, m.sheet, m.row_number
FROM batch_models m JOIN dvk_models d USING (unit_code, name_key);
"""


def _name(con, name: str, data) -> str | None:
    """How SQL names an input: a table or view name as given, an Arrow table staged as `name`,
    nothing for an empty one."""
    if data is None or isinstance(data, str):
        return data
    return db.stage(con, name, data) if data.num_rows else None


def save_batch(con, submissions, values=None, findings=None, models=None) -> pa.Table:
    """Store new versions set-based: each input is an Arrow table or the name of a table or view
    of this connection (columns above). Periods must exist. Returns (ref, submission_id,
    version, replaced_id) in ref order; replaced_id is the version each one superseded.

    A failure leaves its temp tables to the caller's rollback."""
    inputs = [("stage_submissions", submissions), ("stage_values", values),
              ("stage_findings", findings), ("stage_models", models)]
    subs = (submissions if isinstance(submissions, str)
            else db.stage(con, "stage_submissions", submissions))
    vals, finds = _name(con, "stage_values", values), _name(con, "stage_findings", findings)
    mods = _name(con, "stage_models", models)
    if db.on_server(con):           # versions are numbered per unit and period: one writer each
        db.lock(con, [f"{u}|{p}" for u, p in con.execute(
            f"SELECT DISTINCT unit_code, period_key FROM {subs}").fetchall()])
    n = con.execute(f"SELECT count(*) FROM {subs}").fetchone()[0]
    con.execute("DROP TABLE IF EXISTS batch_new_ids; DROP TABLE IF EXISTS batch_ids")
    con.execute("CREATE TEMP TABLE batch_new_ids AS "
                "SELECT nextval('submission_ids') AS id FROM generate_series(1, ?)", [n])
    con.execute(_NEW_VERSIONS.format(subs=subs))
    con.execute("UPDATE submissions SET is_current = false, superseded_by = b.submission_id "
                "FROM batch_ids b WHERE submissions.submission_id = b.replaced_id")
    con.execute(_INSERT_SUBMISSIONS.format(subs=subs))
    if vals:
        con.execute("INSERT INTO submission_values SELECT b.submission_id, v.indicator_code, "
                    f"v.value, v.sheet, v.cell, v.raw_text FROM {vals} v JOIN batch_ids b USING (ref)")
    if finds:
        con.execute("INSERT INTO findings SELECT b.submission_id, f.file_name, f.sheet, f.cell, "
                    f"f.value, f.rule, f.severity, f.message FROM {finds} f JOIN batch_ids b USING (ref)")
    if mods:
        con.execute(_MODEL_STEPS.format(models=mods))
    refresh_shown(con, con.execute(
        "SELECT DISTINCT unit_code, period_key FROM batch_ids").to_arrow_table())
    saved = con.execute("SELECT ref, submission_id, version, replaced_id FROM batch_ids "
                        "ORDER BY ref").to_arrow_table()
    con.execute("DROP TABLE batch_new_ids; DROP TABLE batch_ids; DROP TABLE IF EXISTS batch_models")
    db.unstage(con, *(name for name, data in inputs if not isinstance(data, str) and data is not None))
    return saved


def record_review(con, submission_id: int, unit_code: str, period_key: str, status: str,
                  comment: str | None, reviewed_by: str) -> None:
    """The department's decision on a version ('accepted' or 'returned')."""
    con.execute("UPDATE submissions SET status = ?, review_comment = ?, reviewed_by = ?, "
                "reviewed_at = ? WHERE submission_id = ?",
                [status, comment, reviewed_by, datetime.now(), submission_id])
    refresh_shown(con, [(unit_code, period_key)])


def delete_submissions(con, source: str) -> int:
    """Remove every submission of one source ('demo') with all that hangs on it, and the models
    left without a report. Returns how many submissions went."""
    pairs = con.execute("SELECT DISTINCT unit_code, period_key FROM submissions WHERE source = ?",
                        [source]).to_arrow_table()
    for table in ("submission_values", "findings", "dvk_model_reports", "shown_facts"):
        con.execute(f"DELETE FROM {table} WHERE submission_id IN "
                    "(SELECT submission_id FROM submissions WHERE source = ?)", [source])
    n = con.execute("DELETE FROM submissions WHERE source = ?", [source]).fetchone()[0]
    con.execute("DELETE FROM dvk_models WHERE model_id NOT IN (SELECT model_id FROM dvk_model_reports)")
    refresh_shown(con, pairs)          # a version of another source may show again
    return n


def mark_demo(con) -> None:
    """The database holds made-up figures: every page says so (meta 'demo')."""
    set_meta(con, "demo", "true")
    db.record_change(con, "reference")
