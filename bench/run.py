"""Performance at national scale, measured side by side (not part of `make test`).

    .venv/bin/python bench/run.py            # full: 3,321 units × 10 years (~16 M values), 1,000 files
    .venv/bin/python bench/run.py --smoke    # 20 units × 2 years, 20 files: the harness works (< 60 s)

1. ETL: N filled report templates (etl.template.build_workbook, values that pass the error rules)
   for the real 114-unit registry in a fresh DB; `python -m etl --db X load <N files>` as one
   subprocess (files/s) against a naive loader on the same files in the same run
   (pandas.read_excel(engine="openpyxl") + one INSERT per value, into a copy of the fresh DB).
2. Queries: every query the pages call through pages/_data.load, on the national DB
   (etl/synthetic/national.py: the real national registry, 3,321 current units and 10,052 old
   ones with their lineage, synthetic reports of the current units), each timed as load() runs it
   on a cache miss (open read-only, query, close): p50/p95 over repeated runs, in the sidebar's
   default Scope (today's boundaries), in a separate process whose peak RSS (VmHWM) is reported;
   the queries that read boundary_values once more on both boundaries side by side (Scope
   boundaries "current": old units' values attributed to today's units by lineage; "reported":
   as reported); pandas doing city_totals, ranking and trend on an in-memory DataFrame of the
   same values.
3. Pages: `streamlit run serve.py` on the national DB (DANVAN_ANONYMOUS_READ=1), each page opened in
   headless Chromium until fully rendered (heading, charts, no running script or spinner), right
   after the data changed (no query cached): from the app's menu, and by opening its link (a full
   page load), then again; the server's peak RSS.
Writes bench/results/latest.json (smoke: bench/results/smoke.json) and prints a table.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from etl.domain import layout  # noqa: E402
from etl.warehouse import db  # noqa: E402
from etl.warehouse.reference import init_db  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TARGETS = {"etl_files_per_s": 200, "etl_vs_naive": 10, "query_p95_ms": 100, "rss_mb": 500,
           "page_s": 2.0}
# url_path of each dashboard page (app.py; "" = default page) and its heading's start.
PAGES = {"tong-quan": "Tổng quan", "so-sanh": "So sánh đơn vị", "xu-huong": "Xu hướng",
         "ho-so-don-vi": "Hồ sơ đơn vị", "dan-van-kheo": "Dân vận khéo",
         "cham-diem": "Chấm điểm dân vận", "xuat-bao-cao": "Xuất báo cáo"}
# Page queries measured again on both boundaries (Scope.boundaries), side by side.
BOUNDARY_QUERIES = ("city.totals", "city.coverage", "compare.ranking", "compare.ranking (per 10,000)",
                    "compare.matrix", "trends.trend", "trends.trend (monthly)", "profile.unit_ranks",
                    "profile.unit_history", "assessment.assessment", "multi_year_periods")
# Pages whose first view has no chart (the profile opens on its rank table).
NO_CHART = {"xuat-bao-cao", "ho-so-don-vi"}
PY = sys.executable


def vm_hwm_mb(pid="self") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_probe_s() -> float:
    """Seconds of a fixed pure-Python loop (best of 3): the interpreter's speed on this machine,
    beside the figures of a run (machines of the same CPU model name ran this bench at very
    different speeds here)."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i
        best = min(best, time.perf_counter() - t)
    return round(best, 3)


def memory_probe_s() -> float:
    """Seconds to fill 400 MB of fresh memory (best of 3): the page faults behind large
    allocations, which a loop does not meet (perf showed the slow queries of one session
    spending much of their time in malloc and in the kernel zeroing new pages)."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        a = np.ones(50_000_000)
        best = min(best, time.perf_counter() - t)
        del a
    return round(best, 3)


def machine() -> dict:
    mem = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        k, v = line.split(":", 1)
        mem[k] = int(v.split()[0])
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "")
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem["MemTotal"] / 2**20, 1),
            "memory_available_gb": round(mem.get("MemAvailable", 0) / 2**20, 1),
            "loadavg_start": list(os.getloadavg()), "cpu_probe_s": cpu_probe_s(),
            "memory_probe_s": memory_probe_s(), "python": sys.version.split()[0],
            "duckdb": __import__("duckdb").__version__, "pandas": __import__("pandas").__version__}


def pct(xs, q) -> float:
    return float(np.percentile(np.asarray(xs), q))


# ----------------------------------------------------------------------------------- 1. ETL

def _file_values(rng, indicators) -> dict:
    """One unit-month of values that pass every error rule (kind 'score' left blank)."""
    v = {}
    for code, kind, value_type in indicators:
        if kind == "score":
            continue
        v[code] = int(rng.integers(0, 60))
    v.update(population=int(rng.integers(8_000, 60_000)), area_km2=round(float(rng.uniform(5, 120)), 2),
             party_cells=int(rng.integers(20, 70)), residential_groups=int(rng.integers(20, 90)))
    v["party_members"] = int(v["population"] * 0.06)
    v["petitions_received"] = (v["petitions_feedback"] + v["petitions_complaint"]
                               + v["petitions_denunciation"])
    v["petitions_resolved"] = int(v["petitions_received"] * 0.9)
    v["reception_people"] = v["reception_visits"] + int(rng.integers(0, 10))
    v["mediation_successful"] = min(v["mediation_successful"], v["mediation_cases"])
    v["dialogue_opinions_resolved"] = min(v["dialogue_opinions_resolved"], v["dialogue_opinions"])
    return v


def _write_files(args) -> list[str]:
    """Worker: build and save filled templates for (unit, period) jobs."""
    db_path, out_dir, jobs, seed = args
    from etl.domain.periods import parse_period
    from etl.intake.template import build_workbook
    rng = np.random.default_rng(seed)
    out = []
    with db.connect(db_path, read_only=True) as con:
        indicators = con.execute(
            "SELECT code, kind, value_type FROM indicators ORDER BY sort_order").fetchall()
        for unit, spec in jobs:
            wb = build_workbook(con, unit, parse_period(spec))
            ws = wb[layout.SHEET_VALUES]
            hdr = {ws.cell(layout.VALUES_HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
            code_col, value_col = hdr[layout.HEADER_CODE], hdr[layout.HEADER_VALUE]
            rows = {ws.cell(r, code_col).value: r
                    for r in range(layout.VALUES_HEADER_ROW + 1, ws.max_row + 1)}
            for code, value in _file_values(rng, indicators).items():
                ws.cell(rows[code], value_col).value = value
            path = Path(out_dir) / f"{unit}_{spec}.xlsx"
            wb.save(path)
            out.append(str(path))
    return out


def make_files(db_path: Path, out_dir: Path, n: int) -> list[str]:
    from multiprocessing import Pool
    with db.connect(db_path, read_only=True) as con:
        units = [u for (u,) in con.execute(
            "SELECT code FROM units WHERE valid_to IS NULL ORDER BY code").fetchall()]
    months = [f"{y}-{m:02d}" for y in (2025, 2024, 2023) for m in range(1, 13)
              if (y, m) < (2025, 10)]
    months.sort(reverse=True)
    jobs = [(u, m) for m in months for u in units][:n]
    workers = max(1, os.cpu_count() or 1)
    chunks = [(str(db_path), str(out_dir), jobs[i::workers], i) for i in range(workers)]
    with Pool(workers) as pool:
        return sorted(p for part in pool.map(_write_files, chunks) for p in part)


def naive_load(db_path: Path, files: list[str], time_cap_s: float) -> dict:
    """pandas.read_excel (openpyxl) of «Thông tin chung» and «Chỉ tiêu», one INSERT per value,
    one transaction per file. No checks at all. Stops after time_cap_s (rate over files done)."""
    import duckdb
    import pandas as pd

    from etl.domain.periods import from_key
    con = duckdb.connect(str(db_path))
    t0 = time.perf_counter()
    done = values = 0
    for path in files:
        info = pd.read_excel(path, sheet_name=layout.SHEET_INFO, header=None, engine="openpyxl")
        fields = dict(zip(info[0], info[1]))
        unit, key = str(fields["Mã đơn vị"]), str(fields["Mã kỳ báo cáo"])
        df = pd.read_excel(path, sheet_name=layout.SHEET_VALUES, engine="openpyxl",
                           header=layout.VALUES_HEADER_ROW - 1)
        df = df[df[layout.HEADER_CODE].notna() & df[layout.HEADER_VALUE].notna()]
        p = from_key(key)
        con.execute("BEGIN")
        con.execute("INSERT INTO periods (period_key, kind, convention, start_date, end_date, label) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [p.key, p.kind, p.convention, p.start, p.end, p.label])
        sid = con.execute("SELECT nextval('submission_ids')").fetchone()[0]
        con.execute("INSERT INTO submissions (submission_id, unit_code, period_key, version, status, "
                    "is_current, source, file_name, loaded_at) VALUES (?, ?, ?, 1, 'submitted', "
                    "true, 'file', ?, now())", [sid, unit, key, Path(path).name])
        for code, value in zip(df[layout.HEADER_CODE], df[layout.HEADER_VALUE]):
            con.execute("INSERT INTO submission_values VALUES (?, ?, ?, ?, NULL, NULL)",
                        [sid, str(code), float(value), layout.SHEET_VALUES])
            values += 1
        con.execute("COMMIT")
        done += 1
        if time.perf_counter() - t0 > time_cap_s:
            break
    seconds = time.perf_counter() - t0
    con.close()
    return {"files": done, "values": values, "seconds": round(seconds, 2),
            "files_per_s": round(done / seconds, 1), "capped": done < len(files)}


def bench_etl(n_files: int, work: Path, naive_cap_s: float) -> dict:
    fresh = work / "etl.duckdb"
    t0 = time.perf_counter()
    init_db(fresh)                       # the real 114-unit registry, no reports
    naive_db = work / "naive.duckdb"
    shutil.copy(fresh, naive_db)
    files_dir = work / "files"
    files_dir.mkdir()
    files = make_files(fresh, files_dir, n_files)
    gen_s = time.perf_counter() - t0
    print(f"  {len(files)} tệp mẫu đã điền trong {gen_s:.1f} s", flush=True)
    t1 = time.perf_counter()
    proc = subprocess.run([PY, "-m", "etl", "--db", str(fresh), "load", "--json", *files],
                          cwd=ROOT, capture_output=True, text=True)
    load_s = time.perf_counter() - t1
    try:
        summary = json.loads(proc.stdout)["summary"]
    except (ValueError, KeyError):
        summary = {"error": (proc.stdout + proc.stderr)[-2000:]}
    etl = {"files": len(files), "seconds": round(load_s, 2),
           "files_per_s": round(len(files) / load_s, 1), "summary": summary,
           "exit_code": proc.returncode, "files_make_s": round(gen_s, 1),
           "note": "subprocess `python -m etl --db X load --json <files>` incl. interpreter start; "
                   "fresh DB with the real 114-unit registry, months 2023-01..2025-09"}
    print(f"  etl load: {etl['files_per_s']} tệp/s ({load_s:.1f} s), {summary}", flush=True)
    naive = naive_load(naive_db, files, naive_cap_s)
    print(f"  naive: {naive['files_per_s']} tệp/s ({naive['files']} tệp, {naive['seconds']} s)",
          flush=True)
    ratio = etl["files_per_s"] / naive["files_per_s"] if naive["files_per_s"] else None
    return {"etl_load": etl, "naive": naive,
            "speedup_vs_naive": round(ratio, 2) if ratio else None,
            "targets": {"files_per_s": TARGETS["etl_files_per_s"],
                        "speedup_vs_naive": TARGETS["etl_vs_naive"]},
            "pass": {"files_per_s": etl["files_per_s"] >= TARGETS["etl_files_per_s"]
                     and not summary.get("refused"),
                     "speedup_vs_naive": bool(ratio and ratio >= TARGETS["etl_vs_naive"])}}


# ------------------------------------------------------------------------------- 2. queries

def page_queries(con) -> list[tuple[str, str, object, tuple]]:
    """(pages, name, function, args) for every read the pages make through pages/_data.load, with
    the arguments a first visit uses (latest year, default indicator propaganda_sessions, the
    first two current units followed), in the Scope the sidebar gives by default (today's
    boundaries)."""
    from etl.read import (
        accounts,
        assessment,
        city,
        compare,
        completeness,
        models,
        profile,
        reference,
        trends,
        versions,
    )
    from etl.read.scope import Scope
    periods = reference.periods(con)
    year = periods.loc[periods["kind"] == "year", "period_key"].iloc[0]
    scope = Scope(year)
    ind = "propaganda_sessions"
    group = con.execute("SELECT group_name FROM indicators WHERE code = ?", [ind]).fetchone()[0]
    units = _first_units(con)
    unit = units[0]
    sub = con.execute("SELECT submission_id, sha256 FROM submissions WHERE unit_code = ? "
                      "AND period_key = ?", [unit, year]).fetchone()
    year_keys = tuple(periods.loc[periods["kind"] == "year", "period_key"].head(6))
    return [
        ("app (every page)", "dataset_info", reference.dataset_info, ()),
        ("app (every page)", "periods", reference.periods, ()),
        ("app (every page)", "periods (today's boundaries)", reference.periods, (True,)),
        ("app (every page)", "provinces", reference.provinces, ()),
        ("app (every page)", "catalogue", reference.catalogue, ()),
        ("app (every page)", "units", reference.units, ()),
        ("overview", "city.totals", city.totals, (scope,)),
        ("overview", "city.missing_units", city.missing_units, (scope,)),
        ("overview", "city.coverage", city.coverage, (scope,)),
        ("overview, compare", "compare.ranking", compare.ranking, (scope, ind, False)),
        ("overview, compare", "compare.ranking (per 10,000)", compare.ranking, (scope, ind, True)),
        ("compare", "compare.matrix", compare.matrix, (scope, group, False)),
        ("trends", "period_kinds", reference.period_kinds, ()),
        ("trends", "trends.trend", trends.trend, (scope, ind, "year", tuple(units))),
        ("trends", "trends.trend (monthly)", trends.trend, (scope, ind, "month", tuple(units))),
        ("trends, unit_profile", "merger_date", reference.merger_date, ()),
        ("trends", "straddling_periods", reference.straddling_periods, ()),
        ("trends", "multi_year_periods", reference.multi_year_periods, (scope,)),
        ("unit_profile", "unit_info", reference.unit_info, (unit,)),
        ("unit_profile", "lineage", reference.lineage, (scope, unit)),
        ("unit_profile", "profile.unit_latest_stocks", profile.unit_latest_stocks, (scope, unit)),
        ("unit_profile", "profile.unit_ranks", profile.unit_ranks, (scope, unit, False)),
        ("unit_profile", "profile.unit_period_kinds", profile.unit_period_kinds, (scope, unit)),
        ("unit_profile", "profile.unit_history", profile.unit_history, (scope, unit, "year")),
        ("unit_profile", "trends.trend (one unit)", trends.trend, (scope, ind, "year", (unit,))),
        ("dvk_models", "models.dvk_years", models.dvk_years, (scope,)),
        ("dvk_models", "models.dvk_by_unit", models.dvk_by_unit, (scope,)),
        ("dvk_models", "models.dvk_by_year", models.dvk_by_year, (scope,)),
        ("dvk_models", "models.dvk_by_field", models.dvk_by_field, (scope,)),
        ("dvk_models", "models.dvk_models_of_year", models.dvk_models_of_year, (scope,)),
        ("assessment", "assessment.assessment_years", assessment.assessment_years, (scope,)),
        ("assessment", "ratings", reference.ratings, ()),
        ("assessment", "assessment.assessment", assessment.assessment, (scope,)),
        ("assessment", "assessment.rating_distribution", assessment.rating_distribution,
         (scope,)),
        ("assessment", "assessment.assessment_scores", assessment.assessment_scores, (scope,)),
        ("completeness", "completeness.grid", completeness.grid, (year_keys, date.today())),
        ("review", "versions.pending", versions.pending, ()),
        ("review, upload", "versions.unit_submissions", versions.unit_submissions, (unit,)),
        ("review, _subs", "versions.versions", versions.versions, (unit, year)),
        ("review", "versions.submission_findings", versions.submission_findings, (sub[0],)),
        ("review", "versions.submission_values", versions.submission_values, (sub[0],)),
        ("_subs", "versions.value_versions", versions.value_versions, (scope, unit, year, ind)),
        ("_subs", "versions.compare_versions", versions.compare_versions, (sub[0], sub[0])),
        ("_subs", "versions.attribution", versions.attribution, (scope, unit, year, ind)),
        ("accounts", "accounts.users", accounts.users, ()),
        ("accounts", "accounts.audit_log", accounts.audit_log, (500,)),
    ]


def _first_units(con, n: int = 2) -> list[str]:
    """The first current units in code order (an old unit's id is its code + '@2025-06-30')."""
    return [u for (u,) in con.execute("SELECT code FROM units WHERE valid_to IS NULL ORDER BY code "
                                      "LIMIT ?", [n]).fetchall()]


def _timed(db_path: str, fn, args: tuple, runs: int, cap_s: float) -> tuple[dict, object]:
    """One query as load() runs it on a cache miss, runs + 1 times (run 0 = cold, the first on
    this process) or until cap_s after at least 6: its figures and its last result."""
    times, res = [], None
    t_q = time.perf_counter()
    for i in range(runs + 1):
        t = time.perf_counter()
        with db.connect(db_path, read_only=True) as con:
            res = fn(con, *args)
        times.append((time.perf_counter() - t) * 1000)
        if i >= 5 and time.perf_counter() - t_q > cap_s:
            break
    warm = times[1:] or times
    return ({"rows": len(res) if hasattr(res, "__len__") else None, "cold_ms": round(times[0], 1),
             "runs": len(warm), "p50_ms": round(pct(warm, 50), 1), "p95_ms": round(pct(warm, 95), 1)},
            res)


def _same(a, b) -> bool | None:
    """Whether two results are equal (DataFrames compared by value); None if not comparable."""
    try:
        if hasattr(a, "equals"):
            return bool(a.reset_index(drop=True).equals(b.reset_index(drop=True)))
        return bool(a == b)
    except (TypeError, ValueError):
        return None


def query_worker(db_path: str, out: str, runs: int, cap_s: float) -> None:
    """Separate process: time every page query as pages/_data.load runs it on a cache miss, then
    the queries of BOUNDARY_QUERIES on both boundaries, one after the other."""
    from dataclasses import replace

    from etl.read.scope import CURRENT, REPORTED, Scope
    t_start = time.perf_counter()
    with db.connect(db_path, read_only=True) as con:
        plan = page_queries(con)
    results = []
    plan = [("(every cache miss)", "connect only (SELECT 1)",
             lambda con: con.execute("SELECT 1").fetchall(), ())] + plan
    for pages, name, fn, args in plan:
        figures, _res = _timed(db_path, fn, args, runs, cap_s)
        results.append({"query": name, "pages": pages, "args": [str(a) for a in args], **figures})
        print(f"    {name:<34} p50 {figures['p50_ms']:>9.1f} ms  p95 "
              f"{figures['p95_ms']:>9.1f} ms  ({figures['runs']} lần)", flush=True)
    boundaries = []
    print("    địa giới: hiện nay (current) / như đã báo cáo (reported), p50", flush=True)
    for pages, name, fn, args in plan:
        if name not in BOUNDARY_QUERIES:
            continue
        row, got = {"query": name, "pages": pages}, {}
        for b in (CURRENT, REPORTED):
            on = tuple(replace(a, boundaries=b) if isinstance(a, Scope) else a for a in args)
            row[b], got[b] = _timed(db_path, fn, on, runs, cap_s)
        row["args"] = [str(a) for a in args]
        row["current_vs_reported_p50"] = (round(row[CURRENT]["p50_ms"] / row[REPORTED]["p50_ms"], 2)
                                          if row[REPORTED]["p50_ms"] else None)
        row["same_result"] = _same(got[CURRENT], got[REPORTED])
        boundaries.append(row)
        print(f"    {name:<34} {row[CURRENT]['p50_ms']:>9.1f} / {row[REPORTED]['p50_ms']:>9.1f} ms  "
              f"(× {row['current_vs_reported_p50']}; {row[CURRENT]['rows']} / "
              f"{row[REPORTED]['rows']} dòng)", flush=True)
    Path(out).write_text(json.dumps({"queries": results, "boundaries": boundaries,
                                     "vm_hwm_mb": round(vm_hwm_mb(), 1),
                                     "seconds": round(time.perf_counter() - t_start, 1)}))


def pandas_equivalents(db_path: Path, runs: int, cap_s: float) -> dict:
    """city_totals, ranking and trend done by pandas on an in-memory DataFrame of shown values."""
    from etl.domain.periods import from_key, same_period_last_year
    t0 = time.perf_counter()
    with db.connect(db_path, read_only=True) as con:
        df = con.execute("""
            SELECT unit_code, period_key, period_kind, end_date, indicator_code, value
            FROM shown_values(false)""").df()
        ind = con.execute("SELECT code, kind FROM indicators").df()
        year = con.execute("SELECT period_key FROM periods WHERE kind = 'year' "
                           "ORDER BY end_date DESC LIMIT 1").fetchone()[0]
        units = _first_units(con)
    for c in ("unit_code", "period_key", "period_kind", "indicator_code"):
        df[c] = df[c].astype("category")
    load_s = time.perf_counter() - t0
    mem_mb = df.memory_usage(deep=True).sum() / 2**20
    kinds = dict(zip(ind["code"], ind["kind"]))
    prev = same_period_last_year(from_key(year)).key
    code = "propaganda_sessions"

    def city_totals():
        sel = df[df["period_key"].isin([year, prev])]
        g = sel.groupby(["indicator_code", "period_key"], observed=True)["value"]
        tot = g.sum().to_frame("sum").join(g.median().rename("median")).join(g.size().rename("n"))
        tot = tot.reset_index()
        tot["value"] = np.where(tot["indicator_code"].map(kinds) == "score", tot["median"], tot["sum"])
        wide = tot.pivot(index="indicator_code", columns="period_key", values="value")
        return wide

    def ranking():
        sel = df[(df["period_key"] == year) & (df["indicator_code"].isin([code, "population"]))]
        w = sel.pivot_table(index="unit_code", columns="indicator_code", values="value",
                            observed=True)
        w["metric"] = w[code] * 10000 / w["population"]
        w["rank"] = w["metric"].rank(ascending=False, method="min")
        return w.sort_values("metric", ascending=False)

    def trend():
        sel = df[(df["indicator_code"] == code) & (df["period_kind"] == "year")]
        med = sel.groupby("period_key", observed=True)["value"].median()
        chosen = sel[sel["unit_code"].isin(units)][["unit_code", "period_key", "value"]]
        return med, chosen

    out = {"dataframe_load_s": round(load_s, 1), "dataframe_mb": round(mem_mb, 1),
           "rows": len(df), "queries": {}}
    for name, fn in (("city_totals", city_totals), ("ranking (per 10,000)", ranking),
                     ("trend", trend)):
        times = []
        t_q = time.perf_counter()
        for i in range(runs):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
            if i >= 4 and time.perf_counter() - t_q > cap_s:
                break
        out["queries"][name] = {"p50_ms": round(pct(times, 50), 1), "p95_ms": round(pct(times, 95), 1),
                                "runs": len(times)}
    out["vm_hwm_mb"] = round(vm_hwm_mb(), 1)
    return out


def bench_queries(db_path: Path, runs: int, cap_s: float, work: Path) -> dict:
    out = work / "queries.json"
    subprocess.run([PY, __file__, "--query-worker", str(db_path), str(out), str(runs), str(cap_s)],
                   cwd=ROOT, check=True)
    res = json.loads(out.read_text())
    for r in res["queries"]:
        r["target_p95_ms"] = TARGETS["query_p95_ms"]
        r["pass"] = r["p95_ms"] <= TARGETS["query_p95_ms"]
    for r in res["boundaries"]:
        for b in ("current", "reported"):
            r[b]["pass"] = r[b]["p95_ms"] <= TARGETS["query_p95_ms"]
    out_pd = work / "pandas.json"
    subprocess.run([PY, __file__, "--pandas-worker", str(db_path), str(out_pd), str(runs),
                    str(cap_s)], cwd=ROOT, check=True)
    res["pandas"] = json.loads(out_pd.read_text())
    res["rss_target_mb"] = TARGETS["rss_mb"]
    res["note"] = ("each run = db.connect(read_only) + query + close, as load() on a cache miss; "
                   "cold_ms = first run in the process; include_unreviewed=False; queries: "
                   "Scope(boundaries='current'), the sidebar's default; boundaries: the same "
                   "queries on Scope(boundaries='current') and ('reported'), current_vs_reported_p50 "
                   "= p50 ratio, same_result = equal results (the bench has no old-unit reports; "
                   "as reported, current units show no period ending before 2025-07-01)")
    return res


# --------------------------------------------------------------------------------- 3. pages

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    """`streamlit run serve.py` on the DB, like `make run` (anonymous read-only), on a free port."""

    def __init__(self, db_path: Path, log_path: Path):
        self.port = _free_port()
        env = {**os.environ, "DANVAN_DB": str(db_path), "DANVAN_ANONYMOUS_READ": "1"}
        self.log = open(log_path, "ab")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [PY, "-m", "streamlit", "run", "serve.py", "--server.headless", "true", "--server.port",
             str(self.port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if self.proc.poll() is not None or time.perf_counter() - t0 > 60:
                    self.stop()
                    raise RuntimeError("streamlit did not start: " + log_path.read_text()[-2000:])
                time.sleep(0.2)
        self.start_s = time.perf_counter() - t0

    def stop(self) -> float:
        """Stop the server; its peak RSS in MB."""
        hwm = vm_hwm_mb(self.proc.pid) or 0.0
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        return hwm


def _render(page, go, heading: str, chart: bool, timeout_s: float) -> tuple[float, str | None]:
    """Seconds from go() (open a URL, click a menu entry) until the page has fully rendered:
    its heading, a drawn chart where it has one, no script running; an error text or None."""
    ms = int(timeout_s * 1000)
    t = time.perf_counter()
    try:
        go()
        page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{heading}")', timeout=ms)
        if chart:
            page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=ms)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') "
            "&& !document.querySelector('[data-testid=\"stSpinner\"]')",
            timeout=ms, polling=50)
        if page.query_selector('[data-testid="stException"]'):
            return time.perf_counter() - t, page.inner_text('[data-testid="stException"]')[:300]
    except Exception as exc:  # a timeout is a result too
        return time.perf_counter() - t, f"{type(exc).__name__}: {str(exc)[:300]}"
    return time.perf_counter() - t, None


def bench_pages(db_path: Path, work: Path, timeout_s: float) -> dict:
    """Each page on one server, right after the data changed (the DB file's mtime is bumped, which
    the query cache is keyed on, as after a load: every query of the page and the sidebar runs
    again), reached two ways: by its link (a full page load: the browser starts Streamlit's
    scripts and plotly.js again) and from the menu of a page already open, as users move around.
    A first visit before (the default page) downloads the scripts and imports the app's modules."""
    from playwright.sync_api import sync_playwright
    results = {"pages": []}
    rows = {path: {"page": path, "heading": heading, "target_s": TARGETS["page_s"]}
            for path, heading in PAGES.items()}
    server = _Server(db_path, work / "streamlit.log")
    results["server_start_s"] = round(server.start_s, 1)

    def record(row, what, seconds, error):
        row[f"{what}_s"] = round(seconds, 2)
        if error:
            row[f"{what}_error"] = error
        print(f"    {what:<10} /{row['page']:<14} {seconds:6.2f} s"
              + (f"  LỖI {error[:80]}" if error else ""), flush=True)

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
            page = context.new_page()
            home = lambda: page.goto(server.url + "/", wait_until="commit", timeout=60000)  # noqa: E731
            seconds, error = _render(page, home, PAGES["tong-quan"], True, timeout_s)
            results["first_visit_s"] = round(seconds, 2)
            print(f"    first visit (browser cache empty, modules not imported) {seconds:6.2f} s",
                  flush=True)
            # From the menu: every page but the one open, then the default page from the last.
            for path in list(PAGES)[1:] + ["tong-quan"]:
                os.utime(db_path)                 # "the data changed": every cached query misses
                link = (f'[data-testid="stSidebarNav"] a[href$="/{path}"]' if path != "tong-quan"
                        else '[data-testid="stSidebarNav"] a >> nth=0')
                record(rows[path], "nav", *_render(page, lambda: page.click(link), PAGES[path],
                                                   path not in NO_CHART, timeout_s))
            for path, heading in PAGES.items():
                os.utime(db_path)
                url = f"{server.url}/{path}"
                for what in ("cold", "warm"):
                    go = lambda: page.goto(url, wait_until="commit", timeout=60000)  # noqa: E731
                    record(rows[path], what, *_render(page, go, heading, path not in NO_CHART,
                                                      timeout_s))
            browser.close()
    finally:
        results["server_vm_hwm_mb"] = round(server.stop(), 1)
    for row in rows.values():
        row["pass"] = "nav_error" not in row and row.get("nav_s", 99) <= TARGETS["page_s"]
        row["link_pass"] = "cold_error" not in row and row.get("cold_s", 99) <= TARGETS["page_s"]
        results["pages"].append(row)
    results["rss_target_mb"] = TARGETS["rss_mb"]
    results["rss_pass"] = results["server_vm_hwm_mb"] <= TARGETS["rss_mb"]
    results["note"] = ("heading, plotly .main-svg (chart pages), no stStatusWidget and no "
                       "stSpinner. Every time right after the DB file's mtime was bumped (the "
                       "query cache is keyed on it: every query runs again). nav = from the menu "
                       "of a page already open; cold = opening the page's link (full page load), "
                       "warm = opening it again. first_visit_s: the server's first page")
    return results


# ---------------------------------------------------------------------------------- report

def table(res: dict) -> str:
    ok = lambda b: "đạt" if b else "KHÔNG ĐẠT"  # noqa: E731
    m = res["machine"]
    lines = [f"Máy: {m['cores']} lõi ({m['cpu']}), {m['memory_gb']} GB RAM; tải lúc bắt đầu "
             f"{m['loadavg_start'][0]:.2f}; vòng lặp đo CPU {m.get('cpu_probe_s')} s, "
             f"ghi 400 MB bộ nhớ mới {m.get('memory_probe_s')} s; "
             f"chế độ {res['mode']}",
             f"Dữ liệu: {res['dataset'].get('units')} đơn vị báo cáo (danh mục thật: "
             f"{res['dataset'].get('current_units')} đơn vị hiện nay, {res['dataset'].get('old_units')} "
             f"đơn vị cũ), "
             f"{res['dataset'].get('submission_values', 0):,} giá trị, sinh trong "
             f"{res['dataset'].get('seconds_total')} s"]
    e = res.get("etl")
    if e:
        lines += ["", "ETL", f"  etl load   {e['etl_load']['files_per_s']:>8} tệp/s  "
                  f"({e['etl_load']['files']} tệp, {e['etl_load']['seconds']} s)  mục tiêu ≥ "
                  f"{TARGETS['etl_files_per_s']}: {ok(e['pass']['files_per_s'])}",
                  f"  naive      {e['naive']['files_per_s']:>8} tệp/s  ({e['naive']['files']} tệp, "
                  f"{e['naive']['seconds']} s)",
                  f"  gấp        {e['speedup_vs_naive']:>8} lần   mục tiêu ≥ {TARGETS['etl_vs_naive']}: "
                  f"{ok(e['pass']['speedup_vs_naive'])}"]
    qy = res.get("queries")
    if qy:
        pd_q = qy["pandas"]["queries"]
        lines += ["", f"Truy vấn (ms; mục tiêu p95 ≤ {TARGETS['query_p95_ms']})",
                  f"  {'truy vấn':<34}{'p50':>9}{'p95':>9}{'lần đầu':>9}  {'pandas p50/p95':>16}  kết quả"]
        for r in qy["queries"]:
            pdr = pd_q.get(r["query"])
            pds = f"{pdr['p50_ms']:.0f}/{pdr['p95_ms']:.0f}" if pdr else ""
            lines.append(f"  {r['query']:<34}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
                         f"{r['cold_ms']:>9.1f}  {pds:>16}  {ok(r['pass'])}")
        if qy.get("boundaries"):
            lines += ["", "  Theo địa giới (ms): hiện nay (boundary_values, current) và như đã báo cáo (reported)",
                      f"  {'truy vấn':<34}{'hiện nay p50/p95':>18}{'đã báo cáo p50/p95':>20}{'gấp':>7}"
                      f"{'dòng':>13}  kết quả"]
            for r in qy["boundaries"]:
                c, rp = r["current"], r["reported"]
                lines.append(f"  {r['query']:<34}{c['p50_ms']:>9.1f}/{c['p95_ms']:<8.1f}"
                             f"{rp['p50_ms']:>11.1f}/{rp['p95_ms']:<8.1f}"
                             f"{r['current_vs_reported_p50'] or float('nan'):>7.2f}"
                             f"{str(c['rows']) + '/' + str(rp['rows']):>13}"
                             f"  {ok(c['pass'] and rp['pass'])}")
        lines.append(f"  RSS đỉnh tiến trình chạy mọi truy vấn: {qy['vm_hwm_mb']} MB "
                     f"(mục tiêu ≤ {TARGETS['rss_mb']}: {ok(qy['vm_hwm_mb'] <= TARGETS['rss_mb'])}); "
                     f"pandas: DataFrame {qy['pandas']['dataframe_mb']} MB, RSS "
                     f"{qy['pandas']['vm_hwm_mb']} MB, nạp {qy['pandas']['dataframe_load_s']} s")
    pg = res.get("pages")
    if pg:
        lines += ["", f"Trang (s; mục tiêu ≤ {TARGETS['page_s']}; ngay sau khi số liệu thay đổi)",
                  f"  {'trang':<15}{'từ menu':>9}{'mở liên kết':>13}{'mở lại':>8}  kết quả"]
        for r in pg["pages"]:
            lines.append(f"  /{r['page']:<14}{r.get('nav_s', float('nan')):9.2f}"
                         f"{r.get('cold_s', float('nan')):13.2f}{r.get('warm_s', float('nan')):8.2f}"
                         f"  từ menu {ok(r['pass'])}, liên kết {ok(r['link_pass'])}"
                         + (f"  ({(r.get('nav_error') or r.get('cold_error'))[:60]})"
                            if r.get("nav_error") or r.get("cold_error") else ""))
        lines.append(f"  (trang đầu tiên sau khi máy chủ khởi động: {pg.get('first_visit_s')} s)")
        lines.append(f"  RSS đỉnh máy chủ Streamlit: {pg['server_vm_hwm_mb']} MB "
                     f"(mục tiêu ≤ {TARGETS['rss_mb']}: {ok(pg['rss_pass'])})")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="20 đơn vị × 2 năm, 20 tệp (< 60 s)")
    ap.add_argument("--db", default=None, help="national DB (default bench/data/national.duckdb)")
    ap.add_argument("--reuse", action="store_true", help="reuse an existing national DB")
    ap.add_argument("--skip", default="", help="comma list of parts to skip: etl,queries,pages")
    ap.add_argument("--query-worker", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--pandas-worker", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.query_worker:
        d, out, runs, cap = args.query_worker
        query_worker(d, out, int(runs), float(cap))
        return 0
    if args.pandas_worker:
        d, out, runs, cap = args.pandas_worker
        Path(out).write_text(json.dumps(pandas_equivalents(Path(d), int(runs), float(cap))))
        return 0

    from etl.synthetic import national
    smoke = args.smoke
    skip = set(filter(None, args.skip.split(",")))
    n_units, n_years = (20, 2) if smoke else (national.N_UNITS, national.N_YEARS)
    n_files, runs, cap_s = (20, 5, 2.0) if smoke else (1000, 20, 8.0)
    db_path = Path(args.db) if args.db else (
        ROOT / "bench" / "data" / ("smoke.duckdb" if smoke else "national.duckdb"))
    res = {"generated_at": datetime.now().isoformat(timespec="seconds"),
           "mode": "smoke" if smoke else "full", "machine": machine(), "targets": TARGETS}
    t0 = time.perf_counter()
    print(f"[1/4] Dữ liệu quốc gia tổng hợp, danh mục đơn vị thật ({n_units} đơn vị × {n_years} năm)…",
          flush=True)
    if args.reuse and db_path.exists():
        with db.connect(db_path, read_only=True) as con:
            res["dataset"] = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                              for t in ("submissions", "submission_values", "unit_lineage")}
            res["dataset"].update(zip(("units", "current_units", "old_units"), con.execute(
                "SELECT (SELECT count(DISTINCT unit_code) FROM submissions), "
                "count(*) FILTER (WHERE valid_to IS NULL), count(*) FILTER (WHERE valid_to IS NOT NULL) "
                "FROM units").fetchone()))
        res["dataset"].update(reused=True, seconds_total=None)
    else:
        res["dataset"] = national.generate(db_path, n_units, n_years,
                                           say=lambda m: print("  " + m, flush=True))
    with tempfile.TemporaryDirectory(prefix="danvan-bench-") as tmp:
        work = Path(tmp)
        if "etl" not in skip:
            print(f"[2/4] ETL: {n_files} tệp…", flush=True)
            (work / "etl").mkdir()
            res["etl"] = bench_etl(n_files, work / "etl", naive_cap_s=20 if smoke else 300)
        if "queries" not in skip:
            print(f"[3/4] Truy vấn của các trang (tối đa {runs} lần mỗi truy vấn)…", flush=True)
            res["queries"] = bench_queries(db_path, runs, cap_s, work)
        if "pages" not in skip:
            print("[4/4] Trang trong Chromium…", flush=True)
            res["pages"] = bench_pages(db_path, work, timeout_s=60 if smoke else 120)
    res["machine"]["loadavg_end"] = list(os.getloadavg())
    res["seconds_total"] = round(time.perf_counter() - t0, 1)
    fails = []
    if res.get("etl"):
        fails += [f"etl.{k}" for k, v in res["etl"]["pass"].items() if not v]
    if res.get("queries"):
        fails += [f"query.{r['query']}" for r in res["queries"]["queries"] if not r["pass"]]
        # (today's boundaries: the same queries as above, counted there)
        fails += [f"query.{r['query']} (reported)" for r in res["queries"]["boundaries"]
                  if not r["reported"]["pass"]]
        if res["queries"]["vm_hwm_mb"] > TARGETS["rss_mb"]:
            fails.append("rss.queries")
    if res.get("pages"):
        fails += [f"page./{r['page']}" for r in res["pages"]["pages"] if not r["pass"]]
        fails += [f"page_link./{r['page']}" for r in res["pages"]["pages"] if not r["link_pass"]]
        if not res["pages"]["rss_pass"]:
            fails.append("rss.server")
    res["failed_targets"] = fails
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("smoke.json" if smoke else "latest.json")
    tmp_out = out.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    tmp_out.replace(out)
    print()
    print(table(res))
    print(f"\n{len(fails)} mục tiêu không đạt. Kết quả: {out.relative_to(ROOT)} "
          f"({res['seconds_total']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
