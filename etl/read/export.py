"""CSV export of what the dashboards show, for other tools: machine-readable, not vi-VN formatted.

For each unit and period of the Scope's province (all when None) the newest accepted version
(or, with include_unreviewed, the newest accepted or awaiting review; a returned version never
counts), read from the same materialised flags the pages filter (warehouse shown versions).
A blank (not reported) has no row here either, so it can never be mistaken for 0. Text cells
are guarded against spreadsheet formulas like every other export (tables.sql_csv_text);
numbers stay numbers.
"""
import codecs
from pathlib import Path

import pyarrow.csv as pa_csv

from etl.present.tables import sql_csv_text as _text
from etl.read._sql import in_province, with_halves
from etl.read.scope import Scope
from etl.warehouse import db

COLUMNS = ["unit_code", "unit_name", "period_start", "period_end", "indicator_code", "value",
           "estimated", "from_units"]

_UNIT_NAME = "coalesce(u.full_name, '')"   # never drop a value for a missing name

# Integers print without '.0'; other doubles in their shortest exact form with a '.' mark.
_QUERY = f"""
SELECT {_text('c.unit_code')} AS unit_code, {_text(_UNIT_NAME)} AS unit_name,
       strftime(c.start_date, '%Y-%m-%d') AS period_start,
       strftime(c.end_date, '%Y-%m-%d') AS period_end,
       {_text('c.indicator_code')} AS indicator_code,
       -- An estimate is a sum of weighted parts whose order varies run to run: 9 decimals keep
       -- every reported digit and make two exports of the same data the same bytes.
       CASE WHEN c.value = trunc(c.value) AND abs(c.value) < 1e15
            THEN CAST(CAST(c.value AS BIGINT) AS VARCHAR)
            ELSE CAST(round(c.value, 9) AS VARCHAR) END AS value,
       CASE WHEN c.estimated THEN 'true' ELSE 'false' END AS estimated,
       {_text("coalesce(c.from_units, '')")} AS from_units
FROM boundary_values($unrev, $today, $halves) c
LEFT JOIN units u ON u.code = c.unit_code
LEFT JOIN indicators i ON i.code = c.indicator_code
WHERE {in_province("c.unit_code")}
ORDER BY c.unit_code, c.start_date, c.end_date, c.period_key, i.sort_order, c.indicator_code
"""


MODEL_COLUMNS = ["unit_code", "unit_name", "model_name", "field", "lead_org", "year_started",
                 "recognition", "status", "last_reported_period"]

# One row per model that a shown report lists; recognition and status as of its latest one.
_MODELS_QUERY = f"""
WITH r AS (
    SELECT r.model_id, r.recognition, r.status, s.period_key, p.end_date, p.start_date
    FROM dvk_model_reports r
    JOIN shown_submissions($unrev) s ON s.submission_id = r.submission_id
    JOIN periods p ON p.period_key = s.period_key),
latest AS (
    SELECT model_id, arg_max(recognition, (end_date, start_date)) AS recognition,
           arg_max(status, (end_date, start_date)) AS status,
           arg_max(period_key, (end_date, start_date)) AS last_reported_period
    FROM r GROUP BY model_id)
SELECT {_text('m.unit_code')} AS unit_code, {_text(_UNIT_NAME)} AS unit_name,
       {_text('m.name')} AS model_name, {_text('m.field')} AS field,
       {_text('m.lead_org')} AS lead_org, m.year_started,
       {_text('l.recognition')} AS recognition, {_text('l.status')} AS status,
       {_text('l.last_reported_period')} AS last_reported_period
FROM dvk_models m JOIN latest l USING (model_id)
LEFT JOIN units u ON u.code = m.unit_code
WHERE {in_province("m.unit_code")}
ORDER BY m.unit_code, m.name_key, m.model_id
"""


def demo_count(con, kind: str, scope: Scope) -> int:
    """Demo values (or models) among those export_csv writes for the same scope."""
    sql = ("SELECT count(DISTINCT r.model_id) FROM dvk_model_reports r "
           "JOIN shown_submissions($unrev) s USING (submission_id) WHERE s.source = 'demo' AND "
           + in_province("s.unit_code") if kind == "models" else
           "SELECT count(*) FROM boundary_values($unrev, $today, $halves) WHERE source = 'demo' AND "
           + in_province("unit_code"))
    return con.execute(sql, with_halves(con, sql, scope.params())).fetchone()[0]


def export_csv(db_path, out_path, kind: str = "values", scope: Scope = Scope()) -> int:
    """Write the CSV (UTF-8 with BOM so Excel shows Vietnamese names, header row); return data rows.

    kind: "values" (shown values) or "models" ("Dân vận khéo" models of shown reports); scope:
    the province (None: all) and whether reports awaiting review count, as on the dashboards
    (its period is not used: every period is exported)."""
    query = _MODELS_QUERY if kind == "models" else _QUERY
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with db.connect(db_path, read_only=True) as con, open(out, "wb") as f:
        f.write(codecs.BOM_UTF8)
        # Streamed in record batches: the national export (16 M values) never sits in memory.
        batches = con.sql(query, params=with_halves(con, query, scope.params())).to_arrow_reader()
        with pa_csv.CSVWriter(f, batches.schema,
                              write_options=pa_csv.WriteOptions(quoting_style="needed")) as writer:
            for batch in batches:
                writer.write_batch(batch)
                rows += batch.num_rows
    return rows
