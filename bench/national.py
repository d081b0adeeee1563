"""A synthetic NATIONAL data set for the performance bench (not part of `make test`).

34 synthetic provinces ("Tỉnh/Thành phố Mẫu NN", codes M01–M34: clearly not real ones), 3,321
synthetic commune-level units spread over them, and 10 years of reports of every unit: monthly
and quarterly (flows and stocks, no assessment scores) and yearly (every indicator, scores
included) — about 16 million values, plus a few "Dân vận khéo" models per unit and year.
Everything is generated set-based in DuckDB SQL (range(), random()) and marked source='demo',
status 'accepted', meta demo=true, so the dashboard shows its "Dữ liệu mẫu" banner.

Usage: .venv/bin/python bench/national.py [DB] [--units N] [--years N]
       (default bench/data/national.duckdb, 3,321 units, 10 years ending 2025)
The schema comes from etl.db.init_db with a temp data_dir holding the synthetic registry.
"""
import argparse
import csv
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.domain import dvk, layout  # noqa: E402
from etl.domain.periods import parse_period  # noqa: E402
from etl.warehouse import db

DEFAULT_DB = ROOT / "bench" / "data" / "national.duckdb"
N_PROVINCES, N_UNITS, N_YEARS, LAST_YEAR = 34, 3321, 10, 2025
SYNTHETIC_NOTE = "DỮ LIỆU MẪU tổng hợp cho đo hiệu năng (không phải đơn vị thật)"
FILE_NAME = "DỮ LIỆU MẪU QUỐC GIA (tổng hợp, không phải số liệu thật)"
TYPES = (("phuong", "Phường"), ("xa", "Xã"), ("dac_khu", "Đặc khu"))


def registry(data_dir: Path, n_units: int, seed: int = 34) -> None:
    """Write provinces.csv, units.csv, unit_predecessors.csv (synthetic) and copy the rest."""
    for f in db.DATA_DIR.glob("*.csv"):
        shutil.copy(f, data_dir / f.name)
    rng = np.random.default_rng(seed)
    n_prov = min(N_PROVINCES, n_units)
    # Uneven provinces (as in life), every one with at least one unit, summing to n_units.
    weights = rng.uniform(0.4, 1.6, n_prov)
    sizes = np.maximum(1, np.floor(weights / weights.sum() * n_units)).astype(int)
    sizes[np.argmax(sizes)] += n_units - sizes.sum()
    with open(data_dir / "provinces.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "valid_from", "valid_to"])
        for p in range(1, n_prov + 1):
            w.writerow([f"M{p:02d}", f"Tỉnh/Thành phố Mẫu {p:02d}", "2025-07-01", ""])
    units, preds = [], []
    code = 20000
    for p, size in enumerate(sizes, start=1):
        for k in range(1, size + 1):
            code += 1
            t = 2 if k == size and p % 5 == 0 else (0 if rng.random() < 0.3 else 1)
            unit_type, label = TYPES[t]
            units.append([str(code), f"Mẫu {p:02d}-{k:03d}", unit_type, label, f"M{p:02d}",
                          "2025-07-01", "", f"Tỉnh/Thành phố Mẫu {p:02d}", SYNTHETIC_NOTE])
            preds.append([str(code), 1, "Xã", f"Cũ Mẫu {p:02d}-{k:03d}",
                          f"Huyện Mẫu {p:02d}", "toàn bộ", "2025-06-30"])
    with open(data_dir / "units.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "unit_type", "type_label", "province_code", "valid_from",
                    "valid_to", "former_district", "source_note"])
        w.writerows(units)
    with open(data_dir / "unit_predecessors.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["new_code", "seq", "old_type", "old_name", "old_district", "share_note",
                    "valid_to"])
        w.writerows(preds)


def period_specs(n_years: int, last_year: int = LAST_YEAR) -> list[str]:
    years = range(last_year - n_years + 1, last_year + 1)
    return ([str(y) for y in years] + [f"{y}-Q{q}" for y in years for q in range(1, 5)]
            + [f"{y}-{m:02d}" for y in years for m in range(1, 13)])


def generate(path, n_units: int = N_UNITS, n_years: int = N_YEARS, say=print) -> dict:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for p in (path, Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        registry(Path(tmp), n_units)
        db.init_db(path, Path(tmp))
    t_init = time.perf_counter() - t0
    value_col = chr(ord("A") + layout.VALUE_HEADERS.index(layout.HEADER_VALUE))
    with db.connect(path) as con:
        con.execute("BEGIN")
        for spec in period_specs(n_years):
            p = parse_period(spec)
            con.execute("INSERT INTO periods VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [p.key, p.kind, p.convention, p.start, p.end, p.label,
                         p.end + timedelta(days=15)])
        con.execute("SELECT setseed(0.34)")
        # Per-unit profile: population, activity level, a score level.
        con.execute("""
            CREATE TEMP TABLE prof AS
            SELECT code AS unit_code, row_number() OVER (ORDER BY code) AS u,
                   exp(ln(8000) + random() * (ln(60000) - ln(8000))) AS pop,
                   0.6 + random() * 0.8 AS activity, 5.5 + random() * 3.5 AS score_level
            FROM units""")
        # Per-indicator daily rate per 10,000 residents (flows) and cell row on the template.
        con.execute(f"""
            CREATE TEMP TABLE ind AS
            SELECT code, kind, row_number() OVER (ORDER BY sort_order) AS pos,
                   '{value_col}' || ({layout.VALUES_HEADER_ROW} + row_number() OVER (ORDER BY sort_order)) AS cell,
                   (0.5 + random() * 20) / 365.25 AS rate
            FROM indicators""")
        con.execute("""
            INSERT INTO submissions (submission_id, unit_code, period_key, version, status,
                is_current, source, file_name, template_version, sent_by, loaded_at,
                reviewed_by, reviewed_at)
            SELECT nextval('submission_ids'), u.unit_code, p.period_key, 1, 'accepted', true,
                   'demo', ?, ?, 'Dữ liệu mẫu',
                   p.end_date + INTERVAL 3 DAY + to_minutes((random() * 600)::BIGINT + 420),
                   'Dữ liệu mẫu', p.end_date + INTERVAL 6 DAY
            FROM prof u CROSS JOIN periods p
            ORDER BY p.end_date, p.kind, u.unit_code""", [FILE_NAME, layout.TEMPLATE_VERSION])
        t1 = time.perf_counter()
        # Values: flows ~ population × rate × days × noise; stocks read at the period end;
        # scores (0–10) only in yearly reports; ~1 % blanks (no row = not reported).
        con.execute(f"""
            INSERT INTO submission_values
            SELECT s.submission_id, i.code,
                   CASE WHEN i.kind = 'score'
                            THEN least(10, greatest(0, round(u.score_level + (random() - 0.5) * 3, 1)))
                        WHEN i.code = 'population'
                            THEN round(u.pop * (1 + 0.01 * (year(p.end_date) - 2016)))
                        WHEN i.code = 'area_km2' THEN round(5 + (u.pop % 97), 2)
                        WHEN i.code = 'party_members' THEN round(u.pop * 0.06)
                        WHEN i.kind = 'stock' THEN round(u.activity * i.rate * 3000)
                        ELSE round(u.pop / 1e4 * u.activity * i.rate
                                   * (datediff('day', p.start_date, p.end_date) + 1)
                                   * (0.7 + random() * 0.6)) END,
                   '{layout.SHEET_VALUES}', i.cell, NULL
            FROM submissions s
            JOIN periods p USING (period_key)
            JOIN prof u USING (unit_code)
            CROSS JOIN ind i
            WHERE (i.kind <> 'score' OR p.kind = 'year') AND random() >= 0.01""")
        t2 = time.perf_counter()
        # Yearly "Dân vận khéo" lists: 2–4 models per unit, started over the years.
        con.execute("""
            INSERT INTO dvk_models
            SELECT nextval('dvk_model_ids'), u.unit_code,
                   'Mô hình mẫu ' || m.k || ' của ' || u.unit_code,
                   'mo hinh mau ' || m.k || ' cua ' || u.unit_code,
                   f.fields[1 + (hash(u.unit_code, m.k) % len(f.fields))::INTEGER],
                   'Ủy ban nhân dân', ? - (hash(u.unit_code, m.k, 'y') % ?)::INTEGER
            FROM prof u, range(1, 5) m(k),
                 (SELECT list(value ORDER BY sort_order) AS fields FROM dvk_options
                  WHERE list = 'field') f
            WHERE m.k <= 2 + hash(u.unit_code) % 3""", [LAST_YEAR, n_years])
        con.execute("""
            INSERT INTO dvk_model_reports
            SELECT m.model_id, s.submission_id, 'Cấp xã',
                   CASE WHEN hash(m.model_id, s.period_key) % 20 = 0 THEN ? ELSE ? END,
                   ?, 5 + row_number() OVER (PARTITION BY s.submission_id ORDER BY m.model_id)
            FROM dvk_models m
            JOIN submissions s ON s.unit_code = m.unit_code
            JOIN periods p ON p.period_key = s.period_key AND p.kind = 'year'
            WHERE year(p.end_date) >= m.year_started""", [dvk.STOPPED, dvk.ACTIVE, layout.SHEET_MODELS])
        con.execute("INSERT OR REPLACE INTO meta VALUES ('demo', 'true')")
        db.refresh_shown(con)
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("provinces", "units", "periods", "submissions", "submission_values",
                            "dvk_models", "dvk_model_reports")}
    t3 = time.perf_counter()
    counts.update(seconds_total=round(t3 - t0, 1), seconds_registry=round(t_init, 1),
                  seconds_values=round(t2 - t1, 1), db_bytes=path.stat().st_size)
    say(f"Dữ liệu mẫu quốc gia (tổng hợp) → {path}: {counts['provinces']} tỉnh/thành, "
        f"{counts['units']:,} đơn vị, {counts['periods']} kỳ, {counts['submissions']:,} báo cáo, "
        f"{counts['submission_values']:,} giá trị, {counts['dvk_models']:,} mô hình; "
        f"{counts['seconds_total']} s (đăng ký {counts['seconds_registry']} s, giá trị "
        f"{counts['seconds_values']} s), {counts['db_bytes'] / 1e6:.0f} MB")
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
