"""The dashboards' in-memory copy (etl.warehouse.replica) against today's read path, side by side.

    .venv/bin/python bench/replica_bench.py           # national: 3,321 units × 10 years (~16 M values)
    .venv/bin/python bench/replica_bench.py --smoke   # 20 units × 2 years (30 s of CPU: < 1 min idle)

One run, on the data bench/run.py builds (etl.synthetic.national, in a file of its own here so that
a bench/run.py running at the same time keeps its file):
1. Every page query of bench/run.py's page_queries, each run alternately through today's path
   (db.connect(read_only): ATTACH the file, query, DETACH, as pages/_data.load on a cache miss)
   and through the copy (a cursor of the copy, query, close): p50/p95 of both, whether they
   give the same result, and how much of a run on the copy DuckDB spends planning (profiler).
   Then the copy's build time, and a refresh of 100 pairs just written as new accepted versions
   (store.save_submissions, one transaction), after which every query is compared with the file
   again and the copy timed again (replaced rows sit at the end of shown_facts, outside its
   sorted order).
2. pandas on an in-memory DataFrame of the same values (bench/run.py's pandas_equivalents):
   city_totals, ranking, trend.
3. Memory, each in a fresh process: RSS before and after building the copy (compressed by its
   CHECKPOINTs, the default, and without them: DuckDB's uncompressed in-memory tables), after
   every page query ran on it, some seconds later, the peak (VmHWM), and what DuckDB accounts
   for; each query's p50 on both.
Writes bench/results/replica.json (smoke: bench/results/replica_smoke.json) and prints a table.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from bench import run  # noqa: E402
from etl.warehouse import db, migrations  # noqa: E402
from etl.warehouse.replica import DuckDBFile, Replica  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"
PY = sys.executable
TARGETS = {"query_p95_ms": 30, "replica_rss_mb": 600, "refresh_visible_s": 2.0}
# Page queries bench/run.py also does with pandas, and the name pandas_equivalents gives them.
PANDAS = {"city.totals": "city_totals", "compare.ranking (per 10,000)": "ranking (per 10,000)",
          "trends.trend": "trend"}
N_PAIRS = 100
SETTLE_S = 15


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def same(a, b) -> bool | None:
    """Whether two results are equal (DataFrames as assert_frame_equal sees them)."""
    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
            return True
        except AssertionError:
            return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return None


def figures(times: list[float], cpu: list[float]) -> dict:
    """Wall-clock p50/p95 of the warm runs, and the CPU time they took (every thread of the
    process), which other processes' load changes less than the wall clock."""
    warm, warm_cpu = times[1:] or times, cpu[1:] or cpu
    return {"cold_ms": round(times[0], 1), "runs": len(warm), "p50_ms": round(run.pct(warm, 50), 1),
            "p95_ms": round(run.pct(warm, 95), 1), "cpu_p50_ms": round(run.pct(warm_cpu, 50), 1)}


def plan(path) -> list[tuple[str, str, object, tuple]]:
    with db.connect(path, read_only=True) as con:
        queries = run.page_queries(con)
    return [("(every cache miss)", "connect only (SELECT 1)",
             lambda con: con.execute("SELECT 1").fetchall(), ())] + queries


def side_by_side(path, replica: Replica, fn, args, runs: int, cap_s: float) -> dict:
    """One query through the file and through the copy, alternately (so that another process's
    load falls on both), runs + 1 times each (run 0 = cold) or until cap_s after at least 6."""
    times = {"file": [], "replica": []}
    cpu = {"file": [], "replica": []}
    got, missing = {}, None
    started = time.perf_counter()
    for i in range(runs + 1):
        order = ("file", "replica") if i % 2 == 0 else ("replica", "file")
        for way in order:
            if way == "replica" and missing:
                continue
            t, c = time.perf_counter(), time.process_time()
            try:
                if way == "file":
                    with db.connect(path, read_only=True) as con:
                        got[way] = fn(con, *args)
                else:
                    with replica.connect() as cur:
                        got[way] = fn(cur, *args)
            except duckdb.CatalogException as exc:      # not in the copy (accounts, files)
                missing = str(exc).splitlines()[0]
                continue
            times[way].append((time.perf_counter() - t) * 1000)
            cpu[way].append((time.process_time() - c) * 1000)
        if i >= 5 and time.perf_counter() - started > cap_s:
            break
    row = {"rows": len(got["file"]) if hasattr(got["file"], "__len__") else None,
           "file": figures(times["file"], cpu["file"])}
    if missing:
        row.update(replica=None, not_in_copy=missing)
    else:
        copy = figures(times["replica"], cpu["replica"])
        row.update(replica=copy, same_result=same(got["file"], got["replica"]),
                   file_vs_replica_p50=round(row["file"]["p50_ms"] / max(copy["p50_ms"], 0.01), 1))
    return row


class _Recorder:
    """A cursor that notes the statements a read function runs."""

    def __init__(self, cur):
        self.cur, self.statements = cur, []

    def execute(self, sql, params=None):
        self.statements.append((sql, params))
        return self.cur.execute(sql, params or {})

    def __getattr__(self, name):
        return getattr(self.cur, name)


def planning_ms(replica: Replica, fn, args, work: Path) -> float | None:
    """What DuckDB's profiler counts as planning (binder, optimizer, physical planner) in the
    statements of one call on the copy: the part of a query no copy of the data removes."""
    out = work / "profile.json"
    with replica.connect() as cur:
        rec = _Recorder(cur)
        fn(rec, *args)
        cur.execute("SET enable_profiling = 'json'")
        cur.execute(f"SET profiling_output = '{out}'")
        total = 0.0
        for sql, params in rec.statements:
            cur.execute(sql, params or {}).fetchall()
            prof = json.loads(out.read_text())
            total += sum(prof.get(k, {}).get("total_time", 0) for k in
                         ("planner", "optimizer", "physical_planner"))
        cur.execute("RESET enable_profiling")
    return round(total * 1000, 1)


def changed_pairs(path, n: int, seed: int = 15) -> list[tuple[str, str]]:
    """n (unit, period) pairs with a shown report, of every kind of period, drawn at random."""
    with db.connect(path, read_only=True) as con:
        pairs = con.execute("SELECT unit_code, period_key FROM submissions WHERE shown_accepted "
                            "ORDER BY unit_code, period_key").fetchall()
    return sorted(random.Random(seed).sample(pairs, min(n, len(pairs))))


def write_new_versions(path, pairs) -> float:
    """A new accepted version of each pair (its values, propaganda_sessions + 1), in one
    transaction as the loader writes a chunk of files; the seconds it took."""
    from etl.domain.periods import from_key
    from etl.warehouse import store
    t = time.perf_counter()
    with db.connect(path) as con:
        wanted = pd.DataFrame(pairs, columns=["unit_code", "period_key"])  # noqa: F841 (DuckDB scan)
        values = con.execute("""
            SELECT s.unit_code, s.period_key, v.indicator_code, v.value
            FROM submissions s JOIN wanted w USING (unit_code, period_key)
            JOIN submission_values v USING (submission_id)
            WHERE s.is_current ORDER BY ALL""").fetchall()
        by_pair: dict[tuple, list] = {}
        for unit, key, code, value in values:
            by_pair.setdefault((unit, key), []).append(
                store.ValueRow(code, value + 1 if code == "propaganda_sessions" else value))
        subs = [store.NewSubmission(u, from_key(k), rows, status="accepted", file_name="replica-bench",
                                    sent_by="replica bench") for (u, k), rows in by_pair.items()]
        with db.transaction(con):
            store.save_submissions(con, subs)
    return time.perf_counter() - t


def main_worker(path: str, out: str, runs: int, cap_s: float) -> None:
    """Separate process: build the copy, time every page query both ways, refresh 100 pairs."""
    res = {}
    rss0 = rss_mb()
    t = time.perf_counter()
    replica = Replica(DuckDBFile(path))
    res["build_s"] = round(time.perf_counter() - t, 2)
    res["build_rss_growth_mb"] = round(rss_mb() - rss0, 1)
    queries = []
    for pages, name, fn, args in plan(path):
        row = {"query": name, "pages": pages, **side_by_side(path, replica, fn, args, runs, cap_s)}
        if row["replica"]:
            row["replica"]["planning_ms"] = planning_ms(replica, fn, args, Path(out).parent)
        queries.append(row)
        r = row["replica"]
        print(f"    {name:<34} tệp p50 {row['file']['p50_ms']:>7.1f} p95 {row['file']['p95_ms']:>7.1f}  "
              + (f"bản sao p50 {r['p50_ms']:>6.1f} p95 {r['p95_ms']:>6.1f}  giống: {row['same_result']}"
                 if r else "bản sao: không giữ (đọc từ hệ thống gốc)"), flush=True)
    res["queries"] = queries
    # A refresh as a loader's chunk of 100 files would cause.
    pairs = changed_pairs(path, N_PAIRS)
    res["write_100_s"] = round(write_new_versions(path, pairs), 2)
    refresh_s, parts = [], []
    for _ in range(5):                  # the first applies the change, the others the same rows
        t = time.perf_counter()
        replica.refresh(pairs)
        refresh_s.append(time.perf_counter() - t)
        parts.append({k: round(v, 3) for k, v in replica.last_refresh.items()})
    res["refresh"] = {"pairs": len(pairs), "first_s": round(refresh_s[0], 3),
                      "p50_s": round(run.pct(refresh_s, 50), 3), "max_s": round(max(refresh_s), 3),
                      "parts": parts}
    print(f"    ghi {len(pairs)} báo cáo mới: {res['write_100_s']} s; làm mới bản sao: "
          f"{res['refresh']['first_s']} s (trung vị {res['refresh']['p50_s']} s)", flush=True)
    after, differ = [], []
    for pages, name, fn, args in plan(path):
        row = side_by_side(path, replica, fn, args, max(1, runs // 4), cap_s / 4)
        if row["replica"]:
            after.append({"query": name, "replica_p50_ms": row["replica"]["p50_ms"],
                          "replica_p95_ms": row["replica"]["p95_ms"], "same_result": row["same_result"]})
            if row["same_result"] is False:
                differ.append(name)
    res["after_refresh"] = {"queries": after, "differ": differ}
    res["vm_hwm_mb"] = round(run.vm_hwm_mb() or 0, 1)
    res["replica_duckdb_mb"] = round(replica.memory_bytes() / 2**20, 1)
    replica.close()
    Path(out).write_text(json.dumps(res, default=str))


def memory_worker(path: str, out: str, mode: str, runs: int, settle_s: float) -> None:
    """Separate process holding only the copy: RSS before and after the build, after every page
    query ran on it runs times, the peak; p50 of each query."""
    rss0 = rss_mb()
    t = time.perf_counter()
    # Uncompressed, the national copy needs ~2 GB before its queries run.
    replica = Replica(DuckDBFile(path), compress=mode == "compress",
                      memory_limit="1GB" if mode == "compress" else "4GB")
    build_s = time.perf_counter() - t
    rss_built, hwm_built = rss_mb(), run.vm_hwm_mb() or 0
    duckdb_mb = replica.memory_bytes() / 2**20
    p50 = {}
    for _, name, fn, args in plan(path):
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            try:
                with replica.connect() as cur:
                    fn(cur, *args)
            except duckdb.CatalogException:
                break
            times.append((time.perf_counter() - t) * 1000)
        if times:
            p50[name] = round(run.pct(times, 50), 1)
    after_queries = rss_mb()
    # What stays once the allocator has given back what it freed (its background threads).
    time.sleep(settle_s)
    res = {"mode": mode, "build_s": round(build_s, 2), "rss_before_mb": round(rss0, 1),
           "rss_built_mb": round(rss_built, 1), "build_growth_mb": round(rss_built - rss0, 1),
           "build_peak_growth_mb": round(hwm_built - rss0, 1), "duckdb_mb": round(duckdb_mb, 1),
           "growth_after_queries_mb": round(after_queries - rss0, 1),
           "settle_s": settle_s, "settled_growth_mb": round(rss_mb() - rss0, 1),
           "peak_growth_mb": round((run.vm_hwm_mb() or 0) - rss0, 1), "query_p50_ms": p50}
    replica.close()
    Path(out).write_text(json.dumps(res))


def subprocess_json(args: list[str], out: Path) -> dict:
    subprocess.run([PY, __file__, *args, str(out)], cwd=ROOT, check=True)
    return json.loads(out.read_text())


def dataset(path: Path, smoke: bool, reuse: bool) -> dict:
    from etl.synthetic import national
    if reuse and path.exists():
        with db.connect(path, read_only=True) as con:
            if migrations.up_to_date(con):
                return {"reused": True, **{t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                                           for t in ("submissions", "shown_facts", "units")}}
    n_units, n_years = (20, 2) if smoke else (national.N_UNITS, national.N_YEARS)
    return national.generate(path, n_units, n_years, say=lambda m: print("  " + m, flush=True))


def table(res: dict) -> str:
    ok = lambda b: "đạt" if b else "KHÔNG ĐẠT"  # noqa: E731
    m, q = res["machine"], res["queries"]
    pd_q = res["pandas"]["queries"]
    lines = [f"Máy: {m['cores']} lõi, {m['memory_gb']} GB; tải {m['loadavg_start'][0]:.2f} → "
             f"{m['loadavg_end'][0]:.2f}; chế độ {res['mode']}",
             "", f"Truy vấn (ms; mục tiêu bản sao p95 ≤ {TARGETS['query_p95_ms']} và nhanh hơn pandas; CPU: "
             "thời gian CPU trung vị của mọi luồng; lập kế hoạch: phần DuckDB lập kế hoạch trên bản sao)",
             f"  {'truy vấn':<34}{'tệp p50/p95':>15}{'bản sao p50/p95':>18}{'gấp':>7}"
             f"{'CPU tệp/bản sao':>17}{'lập kế hoạch':>13}{'pandas p50/p95':>17}  giống  kết quả"]
    for r in q["queries"]:
        f, c = r["file"], r["replica"]
        pdr = pd_q.get(PANDAS.get(r["query"], ""))
        pds = f"{pdr['p50_ms']:.1f}/{pdr['p95_ms']:.1f}" if pdr else ""
        if c is None:
            lines.append(f"  {r['query']:<34}{f['p50_ms']:>7.1f}/{f['p95_ms']:<7.1f}"
                         f"{'(hệ thống gốc)':>18}")
            continue
        lines.append(f"  {r['query']:<34}{f['p50_ms']:>7.1f}/{f['p95_ms']:<7.1f}{c['p50_ms']:>9.1f}/"
                     f"{c['p95_ms']:<8.1f}{r['file_vs_replica_p50']:>7.1f}"
                     f"{f['cpu_p50_ms']:>9.1f}/{c['cpu_p50_ms']:<7.1f}{c['planning_ms']:>13.1f}{pds:>17}  "
                     f"{'có' if r['same_result'] else 'KHÔNG':<6} {ok(r['pass'])}")
    rf = q["refresh"]
    lines += ["", f"Bản sao: dựng {q['build_s']} s; làm mới {rf['pairs']} cặp (đơn vị, kỳ) vừa ghi: "
                  f"{rf['first_s']} s (trung vị {rf['p50_s']} s; ghi chúng: {q['write_100_s']} s); "
                  f"sau khi làm mới: {len(q['after_refresh']['differ'])} truy vấn khác tệp, p95 lớn nhất "
                  f"{max(a['replica_p95_ms'] for a in q['after_refresh']['queries']):.1f} ms"]
    lines.append("  Bộ nhớ (tiến trình riêng, MB, tăng so với trước khi dựng): dựng xong / sau mọi truy "
                 f"vấn / {res['memory'][0]['settle_s']:.0f} s sau / đỉnh; DuckDB tính; thời gian dựng")
    for mem in res["memory"]:
        lines.append(f"  {mem['mode']:<10}{mem['build_growth_mb']:>8.0f} /{mem['growth_after_queries_mb']:>7.0f}"
                     f" /{mem['settled_growth_mb']:>7.0f} /{mem['peak_growth_mb']:>7.0f}   "
                     f"DuckDB {mem['duckdb_mb']:>7.0f}   "
                     f"{mem['build_s']:>6.1f} s"
                     + (f"   mục tiêu ≤ {TARGETS['replica_rss_mb']}: {ok(mem['pass'])} (đỉnh: "
                        f"{ok(mem['peak_pass'])})"
                        if mem["mode"] == "compress" else ""))
    lines.append(f"  pandas: DataFrame {res['pandas']['dataframe_mb']} MB, nạp {res['pandas']['dataframe_load_s']} s, "
                 f"RSS đỉnh {res['pandas']['vm_hwm_mb']} MB")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="20 đơn vị × 2 năm (< 1 phút)")
    ap.add_argument("--reuse", action="store_true", help="dùng lại tệp dữ liệu đã sinh nếu còn hợp lệ")
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--memory-worker", nargs=5, help=argparse.SUPPRESS)
    ap.add_argument("--pandas-worker", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        path, runs, cap, out = args.worker
        main_worker(path, out, int(runs), float(cap))
        return 0
    if args.memory_worker:
        path, mode, runs, settle, out = args.memory_worker
        memory_worker(path, out, mode, int(runs), float(settle))
        return 0
    if args.pandas_worker:
        path, runs, cap, out = args.pandas_worker
        Path(out).write_text(json.dumps(run.pandas_equivalents(Path(path), int(runs), float(cap))))
        return 0

    smoke = args.smoke
    runs, cap_s, settle_s = (4, 1.0, 3.0) if smoke else (20, 8.0, SETTLE_S)
    data = DATA / ("replica_smoke.duckdb" if smoke else "replica_national.duckdb")
    res = {"generated_at": datetime.now().isoformat(timespec="seconds"),
           "mode": "smoke" if smoke else "full", "machine": run.machine(), "targets": TARGETS}
    t0 = time.perf_counter()
    print(f"[1/4] Dữ liệu tổng hợp ({'20 đơn vị × 2 năm' if smoke else '3.321 đơn vị × 10 năm'})…", flush=True)
    res["dataset"] = dataset(data, smoke, args.reuse)
    with tempfile.TemporaryDirectory(prefix="danvan-replica-") as tmp:
        work = Path(tmp)
        # The timing worker writes 100 reports: into a copy, so the data stay as generated.
        live = work / "live.duckdb"
        shutil.copy(data, live)
        print(f"[2/4] Truy vấn của các trang: tệp và bản sao xen kẽ (tối đa {runs} lần)…", flush=True)
        res["queries"] = subprocess_json(["--worker", str(live), str(runs), str(cap_s)], work / "q.json")
        print("[3/4] pandas trên DataFrame trong bộ nhớ…", flush=True)
        res["pandas"] = subprocess_json(["--pandas-worker", str(data), str(runs), str(cap_s)],
                                        work / "pd.json")
        print("[4/4] Bộ nhớ của bản sao (nén / không nén), mỗi loại một tiến trình…", flush=True)
        res["memory"] = [subprocess_json(["--memory-worker", str(data), mode, "1" if smoke else "3",
                                          str(settle_s)], work / f"m_{mode}.json")
                         for mode in ("compress", "plain")]
    pd_q = res["pandas"]["queries"]
    for r in res["queries"]["queries"]:
        if r["replica"] is None:
            continue
        pdr = pd_q.get(PANDAS.get(r["query"], ""))
        r["pass"] = (r["replica"]["p95_ms"] <= TARGETS["query_p95_ms"] and r["same_result"] is not False
                     and (pdr is None or r["replica"]["p50_ms"] < pdr["p50_ms"]))
    for mem in res["memory"]:
        # The copy's memory: what it holds once built and queried; the build's peak is reported.
        mem["pass"] = mem["settled_growth_mb"] <= TARGETS["replica_rss_mb"]
        mem["peak_pass"] = mem["peak_growth_mb"] <= TARGETS["replica_rss_mb"]
    res["machine"]["loadavg_end"] = list(os.getloadavg())
    res["seconds_total"] = round(time.perf_counter() - t0, 1)
    res["failed_targets"] = ([r["query"] for r in res["queries"]["queries"] if r.get("pass") is False]
                             + [f"rss.{m['mode']}" for m in res["memory"][:1] if not m["pass"]])
    res["note"] = ("file = db.connect(read_only) + query + close, as pages/_data.load on a cache miss; "
                   "replica = Replica.connect() + query + close; alternated run by run in one process; "
                   "cold_ms = first run; Scope: today's boundaries, accepted reports (bench/run.py's "
                   "page_queries). Memory: separate processes, growth over the RSS before the build; "
                   "peak = VmHWM. pandas: bench/run.py's pandas_equivalents in its own process.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("replica_smoke.json" if smoke else "replica.json")
    tmp_out = out.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    tmp_out.replace(out)
    print()
    print(table(res))
    print(f"\n{len(res['failed_targets'])} mục tiêu không đạt. Kết quả: {out.relative_to(ROOT)} "
          f"({res['seconds_total']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
