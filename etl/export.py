"""CSV export of the current values, for other tools: machine-readable, not vi-VN formatted.

A blank (not reported) has no row here either, so it can never be mistaken for 0.
"""
import codecs
import sys
from pathlib import Path

import pyarrow.csv as pa_csv

from etl import db, vn

COLUMNS = ["unit_code", "unit_name", "period_start", "period_end", "indicator_code", "value"]

# Integers print without '.0'; other doubles in their shortest exact form with a '.' mark.
_QUERY = """
SELECT c.unit_code, coalesce(u.type_label || ' ' || u.name, '') AS unit_name,
       strftime(c.start_date, '%Y-%m-%d') AS period_start,
       strftime(c.end_date, '%Y-%m-%d') AS period_end,
       c.indicator_code,
       CASE WHEN c.value = trunc(c.value) AND abs(c.value) < 1e15
            THEN CAST(CAST(c.value AS BIGINT) AS VARCHAR) ELSE CAST(c.value AS VARCHAR) END AS value
FROM current_values c
LEFT JOIN units u ON u.code = c.unit_code  -- never drop a value for a missing name
LEFT JOIN indicators i ON i.code = c.indicator_code
ORDER BY c.unit_code, c.start_date, c.end_date, c.period_key, i.sort_order, c.indicator_code
"""


MODEL_COLUMNS = ["unit_code", "unit_name", "model_name", "field", "lead_org", "year_started",
                 "recognition", "status", "last_reported_period"]

# One row per model that a current report lists; recognition and status as of its latest report.
_MODELS_QUERY = """
WITH r AS (
    SELECT r.model_id, r.recognition, r.status, s.period_key, p.end_date, p.start_date
    FROM dvk_model_reports r
    JOIN submissions s ON s.submission_id = r.submission_id AND s.is_current
    JOIN periods p ON p.period_key = s.period_key),
latest AS (
    SELECT model_id, arg_max(recognition, (end_date, start_date)) AS recognition,
           arg_max(status, (end_date, start_date)) AS status,
           arg_max(period_key, (end_date, start_date)) AS last_reported_period
    FROM r GROUP BY model_id)
SELECT m.unit_code, coalesce(u.type_label || ' ' || u.name, '') AS unit_name, m.name AS model_name,
       m.field, m.lead_org, m.year_started, l.recognition, l.status, l.last_reported_period
FROM dvk_models m JOIN latest l USING (model_id)
LEFT JOIN units u ON u.code = m.unit_code
ORDER BY m.unit_code, m.name_key, m.model_id
"""


def _demo_count(con) -> int:
    return con.execute("SELECT count(*) FROM current_values WHERE source = 'demo'").fetchone()[0]


def export_csv(db_path, out_path, kind: str = "values") -> int:
    """Write the CSV (UTF-8 with BOM so Excel shows Vietnamese names, header row); return data rows.

    kind: "values" (current values) or "models" ("Dân vận khéo" models of current reports)."""
    query = _MODELS_QUERY if kind == "models" else _QUERY
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with db.connect(db_path, read_only=True) as con, open(out, "wb") as f:
        f.write(codecs.BOM_UTF8)
        batches = con.sql(query).to_arrow_reader()
        with pa_csv.CSVWriter(f, batches.schema,
                              write_options=pa_csv.WriteOptions(quoting_style="needed")) as writer:
            for batch in batches:
                writer.write_batch(batch)
                rows += batch.num_rows
    return rows


def export_cli(db_path, out_path, kind: str = "values") -> int:
    what = "mô hình «Dân vận khéo»" if kind == "models" else "giá trị"
    with db.connect(db_path, read_only=True) as con:
        demo_values = (con.execute(
            "SELECT count(DISTINCT r.model_id) FROM dvk_model_reports r JOIN submissions s "
            "USING (submission_id) WHERE s.is_current AND s.source = 'demo'").fetchone()[0]
            if kind == "models" else _demo_count(con))
    rows = export_csv(db_path, out_path, kind)
    print(f"Đã xuất {vn.format_number(rows)} {what}{'' if kind == 'models' else ' hiện hành'} "
          f"ra {out_path}.")
    if demo_values:
        print(f"Cảnh báo: tệp xuất có {vn.format_number(demo_values)} {what} là DỮ LIỆU MẪU tổng hợp, "
              "không phải số liệu thật (nguồn «demo»).", file=sys.stderr)
    return 0
