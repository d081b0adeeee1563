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


def _demo_count(con) -> int:
    return con.execute("SELECT count(*) FROM current_values WHERE source = 'demo'").fetchone()[0]


def export_csv(db_path, out_path) -> int:
    """Write the CSV (UTF-8 with BOM so Excel shows Vietnamese names, header row); return data rows."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with db.connect(db_path, read_only=True) as con, open(out, "wb") as f:
        f.write(codecs.BOM_UTF8)
        batches = con.sql(_QUERY).to_arrow_reader()
        with pa_csv.CSVWriter(f, batches.schema,
                              write_options=pa_csv.WriteOptions(quoting_style="needed")) as writer:
            for batch in batches:
                writer.write_batch(batch)
                rows += batch.num_rows
    return rows


def export_cli(db_path, out_path) -> int:
    with db.connect(db_path, read_only=True) as con:
        demo_values = _demo_count(con)
    rows = export_csv(db_path, out_path)
    print(f"Đã xuất {vn.format_number(rows)} giá trị hiện hành ra {out_path}.")
    if demo_values:
        print(f"Cảnh báo: tệp xuất có {vn.format_number(demo_values)} giá trị là DỮ LIỆU MẪU tổng hợp, "
              "không phải số liệu thật (nguồn «demo»).", file=sys.stderr)
    return 0
