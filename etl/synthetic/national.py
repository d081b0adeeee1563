"""A synthetic NATIONAL data set for the performance bench (bench/run.py; not part of `make test`).

The real national registry (data/national, as `etl init --registry national` loads it): 34
provinces, 3,321 current commune-level units and 10,052 old ones (before the 2025-07-01
merger) with 10,604 lineage rows. Only the names and codes are real; the reports are made up:
10 years of every current unit (valid_to NULL; the old units report nothing, even before the
merger), monthly and quarterly (flows and stocks, no assessment scores) and yearly (every
indicator, scores included) — about 16 million values, plus a few "Dân vận khéo" models per unit
and year. No half years, so no period straddles the merger. On today's boundaries every value is
a unit's own; as reported (Scope.boundaries), a current unit's reports of periods ending before
2025-07-01 are not shown.
The reports are generated set-based in DuckDB SQL (range(), random()) and written through
etl.warehouse.store.save_batch like any other; marked source='demo', status 'accepted', meta
demo=true, file name and sender «Dữ liệu mẫu», so the dashboard shows its "Dữ liệu mẫu" banner.

Usage: .venv/bin/python -m etl.synthetic.national [DB] [--units N] [--years N]
       (default bench/data/national.duckdb, 3,321 units, 10 years ending 2025)
--units N: the reporting units are the first current unit (in code order) of every province,
then the next ones in code order up to N (fewer than 34: the first units of N provinces); the
whole registry is loaded whatever N.
"""
import argparse
import sys
import time
from pathlib import Path

from etl.domain import dvk, layout, vn
from etl.domain.periods import parse_period
from etl.warehouse import db, store
from etl.warehouse.reference import REGISTRIES, init_db

DEFAULT_DB = db.ROOT / "bench" / "data" / "national.duckdb"
N_UNITS, N_YEARS, LAST_YEAR = 3321, 10, 2025
DEADLINE_DAYS = 15
FILE_NAME = "DỮ LIỆU MẪU QUỐC GIA (tổng hợp, không phải số liệu thật)"
SENT_BY = "Dữ liệu mẫu"


def period_specs(n_years: int, last_year: int = LAST_YEAR) -> list[str]:
    years = range(last_year - n_years + 1, last_year + 1)
    return ([str(y) for y in years] + [f"{y}-Q{q}" for y in years for q in range(1, 5)]
            + [f"{y}-{m:02d}" for y in years for m in range(1, 13)])


# The reporting units: current ones only, every province's first unit first.
_REPORTING = """
CREATE TEMP TABLE reporting AS
SELECT code FROM (
    SELECT code, row_number() OVER (PARTITION BY province_code ORDER BY code) AS k
    FROM units WHERE valid_to IS NULL)
ORDER BY k > 1, code
LIMIT $n
"""

# Per-unit profile (population, activity level, a score level) and per-indicator daily rate per
# 10,000 residents with its cell on the template.
_PROFILES = """
SELECT setseed(0.34);
CREATE TEMP TABLE prof AS
SELECT code AS unit_code, exp(ln(8000) + random() * (ln(60000) - ln(8000))) AS pop,
       0.6 + random() * 0.8 AS activity, 5.5 + random() * 3.5 AS score_level
FROM (SELECT code FROM reporting ORDER BY code);
CREATE TEMP TABLE ind AS
SELECT code, kind,
       {value_col} || ({header_row} + row_number() OVER (ORDER BY sort_order)) AS cell,
       (0.5 + random() * 20) / 365.25 AS rate
FROM indicators;
"""

# Every unit reports every period, accepted by the department a few days later.
_SUBMISSIONS = """
CREATE TEMP TABLE national_subs AS
SELECT row_number() OVER (ORDER BY p.end_date, p.kind, u.unit_code) AS ref, u.unit_code,
       p.period_key, 'accepted' AS status, 'demo' AS source, $file_name AS file_name,
       NULL::VARCHAR AS sha256, $template AS template_version, $sent_by AS sent_by,
       p.end_date + INTERVAL 3 DAY + to_minutes((random() * 600)::BIGINT + 420) AS loaded_at,
       NULL::VARCHAR AS review_comment, $sent_by AS reviewed_by,
       p.end_date + INTERVAL 6 DAY AS reviewed_at
FROM prof u CROSS JOIN periods p
"""

# Values: flows ~ population × rate × days × noise; stocks read at the period end; scores (0–10)
# only in yearly reports; ~1 % blanks (no row = not reported). A view: save_batch reads it once,
# so the 16 M values are never staged.
_VALUES = """
CREATE TEMP VIEW national_values AS
SELECT s.ref, i.code AS indicator_code,
       CASE WHEN i.kind = 'score'
                THEN least(10, greatest(0, round(u.score_level + (random() - 0.5) * 3, 1)))
            WHEN i.code = 'population' THEN round(u.pop * (1 + 0.01 * (year(p.end_date) - 2016)))
            WHEN i.code = 'area_km2' THEN round(5 + (u.pop % 97), 2)
            WHEN i.code = 'party_members' THEN round(u.pop * 0.06)
            WHEN i.kind = 'stock' THEN round(u.activity * i.rate * 3000)
            ELSE round(u.pop / 1e4 * u.activity * i.rate
                       * (datediff('day', p.start_date, p.end_date) + 1)
                       * (0.7 + random() * 0.6)) END AS value,
       {sheet} AS sheet, i.cell, NULL::VARCHAR AS raw_text
FROM national_subs s
JOIN periods p USING (period_key)
JOIN prof u USING (unit_code)
CROSS JOIN ind i
WHERE (i.kind <> 'score' OR p.kind = 'year') AND random() >= 0.01
"""

# Yearly "Dân vận khéo" lists: 2–4 models per unit, started over the years, each listed from
# its start year on.
_MODELS = """
CREATE TEMP VIEW national_models AS
WITH m AS (
    SELECT u.unit_code, k.k, 'Mô hình mẫu ' || k.k || ' của ' || u.unit_code AS name,
           'mo hinh mau ' || k.k || ' cua ' || u.unit_code AS name_key,
           f.fields[1 + (hash(u.unit_code, k.k) % len(f.fields))::INTEGER] AS field,
           {last_year} - (hash(u.unit_code, k.k, 'y') % {n_years})::INTEGER AS year_started
    FROM prof u, range(1, 5) k(k),
         (SELECT list(value ORDER BY sort_order) AS fields FROM dvk_options WHERE list = 'field') f
    WHERE k.k <= 2 + hash(u.unit_code) % 3)
SELECT s.ref, m.name, m.name_key, m.field, 'Ủy ban nhân dân' AS lead_org, m.year_started,
       'Cấp xã' AS recognition,
       CASE WHEN hash(m.name_key, s.period_key) % 20 = 0 THEN {stopped} ELSE {active} END AS status,
       {sheet} AS sheet, {header_row} + row_number() OVER (PARTITION BY s.ref ORDER BY m.k) AS row_number
FROM national_subs s
JOIN periods p ON p.period_key = s.period_key AND p.kind = 'year'
JOIN m ON m.unit_code = s.unit_code AND year(p.end_date) >= m.year_started
"""


def _text(value: str) -> str:
    """A SQL string literal: views take no parameters."""
    return "'" + value.replace("'", "''") + "'"


def _stage(con, n_years: int) -> None:
    """The reports as save_batch's inputs: a table of submissions, views of values and models."""
    value_col = chr(ord("A") + layout.VALUE_HEADERS.index(layout.HEADER_VALUE))
    con.execute(_PROFILES.format(value_col=_text(value_col), header_row=layout.VALUES_HEADER_ROW))
    con.execute(_SUBMISSIONS, {"file_name": FILE_NAME, "template": layout.TEMPLATE_VERSION,
                               "sent_by": SENT_BY})
    con.execute(_VALUES.format(sheet=_text(layout.SHEET_VALUES)))
    statuses = dvk.load_statuses(con)
    con.execute(_MODELS.format(last_year=LAST_YEAR, n_years=n_years, stopped=_text(statuses[dvk.STOPPED]),
                               active=_text(statuses[dvk.ACTIVE]), sheet=_text(layout.SHEET_MODELS),
                               header_row=layout.MODELS_HEADER_ROW))


def _fresh(path: Path) -> None:
    """A new database with the real national registry (all of it, old units and lineage too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for p in (path, Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)
    init_db(path, registry_dir=REGISTRIES["national"])


def _write(path: Path, n_units: int, n_years: int) -> dict:
    with db.connect(path) as con:
        with db.transaction(con):
            store.ensure_periods(con, [parse_period(s) for s in period_specs(n_years)],
                                 DEADLINE_DAYS)
            con.execute(_REPORTING, {"n": n_units})
            _stage(con, n_years)
            saved = store.save_batch(con, "national_subs", "national_values",
                                     models="national_models")
            store.mark_demo(con)
            db.audit(con, "etl.synthetic.national", "demo",
                     f"Dữ liệu mẫu quốc gia (tổng hợp): {vn.format_number(saved.num_rows)} báo cáo")
        con.execute("CHECKPOINT")
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("provinces", "periods", "submissions", "submission_values",
                            "dvk_models", "dvk_model_reports", "unit_lineage")}
        counts.update(zip(("units", "reporting_provinces", "current_units", "old_units"), con.execute(
            "SELECT count(DISTINCT s.unit_code), count(DISTINCT u.province_code), "
            "(SELECT count(*) FROM units WHERE valid_to IS NULL), "
            "(SELECT count(*) FROM units WHERE valid_to IS NOT NULL) "
            "FROM submissions s JOIN units u ON u.code = s.unit_code").fetchone()))
        return counts


def generate(path, n_units: int = N_UNITS, n_years: int = N_YEARS, say=print) -> dict:
    """Write the data set to path (replaced). Returns row counts — units: the units that report,
    reporting_provinces their provinces; current_units, old_units, unit_lineage: the registry —
    and the seconds taken (seconds_registry: init_db with the national registry)."""
    path = Path(path)
    t0 = time.perf_counter()
    _fresh(path)
    t1 = time.perf_counter()
    counts = _write(path, n_units, n_years)
    t2 = time.perf_counter()
    counts.update(seconds_total=round(t2 - t0, 1), seconds_registry=round(t1 - t0, 1),
                  seconds_write=round(t2 - t1, 1), db_bytes=path.stat().st_size)
    say(f"Dữ liệu mẫu quốc gia (tổng hợp, tên và mã đơn vị thật) → {path}: "
        f"{counts['units']:,} đơn vị báo cáo ở {counts['reporting_provinces']}/{counts['provinces']} "
        f"tỉnh/thành (danh mục: {counts['current_units']:,} đơn vị hiện nay, {counts['old_units']:,} "
        f"đơn vị cũ, {counts['unit_lineage']:,} dòng kế thừa), {counts['periods']} kỳ, "
        f"{counts['submissions']:,} báo cáo, {counts['submission_values']:,} giá trị, "
        f"{counts['dvk_models']:,} mô hình; {counts['seconds_total']} s (khởi tạo "
        f"{counts['seconds_registry']} s, ghi {counts['seconds_write']} s), "
        f"{counts['db_bytes'] / 1e6:.0f} MB")
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", nargs="?", default=str(DEFAULT_DB))
    ap.add_argument("--units", type=int, default=N_UNITS)
    ap.add_argument("--years", type=int, default=N_YEARS)
    args = ap.parse_args()
    generate(args.db, args.units, args.years)
    return 0


if __name__ == "__main__":
    sys.exit(main())
