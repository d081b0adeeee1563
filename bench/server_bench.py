"""Server mode (PostgreSQL 15, several app processes) at national scale, measured in one run.

    .venv/bin/python bench/server_bench.py            # national: 3,321 units × 10 years (~16 M values)
    .venv/bin/python bench/server_bench.py --smoke    # 20 units × 2 years: the harness works (< 2 min)

Everything runs on this machine, over loopback, in a throwaway PostgreSQL cluster (Debian's
postgresql 15 as the `postgres` user) started with deploy/postgresql/danvan.conf (only the port,
socket and listen address differ; the bulk copy of step 1 runs under wal_level=minimal, then the
cluster restarts with the deployment's settings before anything is measured).

1. Setup (not a target): the national DuckDB file of bench/run.py's builder (etl.synthetic.national;
   bench/data/server_national.duckdb, kept and reused while its schema is current, --fresh
   rebuilds it), `etl init` on a fresh PostgreSQL database (the real migrations, the national
   registry), every table's rows bulk-copied from the file through ADBC (shown_facts in its stored,
   sorted order; the migrations' secondary indexes dropped for the copy and made again from their
   own definitions after it), the sequences moved past the ids, VACUUM ANALYZE.
2. Replica build: a separate process builds follower.follower(url), the dashboards' in-memory
   copy read from PostgreSQL through ADBC: seconds, RSS before/after/settled/peak, what DuckDB
   accounts for (Replica.memory_bytes), PostgreSQL's statements over 1 s meanwhile (its log).
3. Page queries on that copy: every query of bench/run.py's page_queries through
   db.connect(url, read_only=True) (the follower's catch-up check, a cursor of the copy, the
   query, as pages/_data.load on a cache miss; accounts.* through db.records(url): PostgreSQL
   itself), p50/p95; pandas on an in-memory DataFrame of the same values (bench/run.py's
   pandas_equivalents, its own process) side by side.
4. Change visibility across processes: the process of 2 (B, its own copy) polls
   compare.ranking every 10 ms; this process (A) commits a new version of one report through the
   app's upload write path (etl.workflow.submissions.submit_checked, a department account); the
   latency is B's monotonic clock when it first sees the value minus A's when the commit returned
   (one clock for every process on Linux). A keeps no copy of its own: a copy in the writer
   changes nothing of what B reads. PostgreSQL's statements over 1 s meanwhile (its log).
5. Pages right after a change while a batch load runs: two `streamlit run serve.py` replicas on
   the database (DANVAN_ANONYMOUS_READ=1), the warm-up building each one's copy before it takes
   visitors (start time reported); report files loading all along (batches of 100, each file a
   new version, by a loader process that keeps its copy: see LoaderLoop); for every dashboard
   page, on the two replicas in turn: commit a new report (a new unit and period, so the sidebar's
   count of reports changes), then open the page in Chromium by its link (full page load) and from
   the menu of a page already open, timed until fully rendered (bench/run.py's _render: heading,
   chart, no running script or spinner); whether the page showed the new report (the sidebar's
   count) is recorded beside the time.
6. Load test: 30 dashboard sessions over the 2 replicas for 60 s while report files load. A
   session is either Chromium (2 of the 30, one per replica: its first page opened before the
   window, then pages from the menu, timed until rendered as in 5) or a simulated session (the 28
   others): a websocket client speaking Streamlit's own protocol to /_stcore/stream, as the
   browser does: it opens a session, asks for a page (BackMsg rerun_script with the page's
   address) and reads every ForwardMsg until script_finished: the server runs the whole page
   (sidebar, queries, charts, tables, download files) exactly as for a browser; nothing is drawn.
   Page time = request sent to script_finished received. Each session opens the default page,
   then the other dashboard pages in turn, waiting THINK_S between pages (a person reading).
   Errors: a page that did not finish (timeout, closed socket, script error), an exception or
   error box on the page, the "database busy" warning. Runs side by side: loading by a loader
   process that keeps its copy; loading by `python -m etl load` runs as shipped (in server mode
   each run first builds a copy of its own: most of a batch's time); no load; embedded mode (the
   DuckDB file, one process, `etl load` writing the file).
Writes bench/results/server.json (smoke: bench/results/server_smoke.json) and prints a table.
"""
import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402
from etl.warehouse import db, migrations  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"
PY = sys.executable
PG_BIN = Path(os.environ.get("DANVAN_PG_BINDIR", "/usr/lib/postgresql/15/bin"))
PG_CONF = ROOT / "deploy" / "postgresql" / "danvan.conf"
TARGETS = {"query_p95_ms": 30, "replica_rss_mb": 600, "visible_s": 2.0, "page_s": 1.5}
# Page queries bench/run.py also does with pandas, and the name pandas_equivalents gives them.
PANDAS = {"city.totals": "city_totals", "compare.ranking (per 10,000)": "ranking (per 10,000)",
          "trends.trend": "trend"}
INDICATOR = "propaganda_sessions"
# Seconds a simulated or browser session waits between two pages (a person reading), uniform.
THINK_S = (2.0, 8.0)
BUSY_TEXT = "Cơ sở dữ liệu đang cập nhật"
# Rows go from the DuckDB file to PostgreSQL in two parallel lanes (the two 16 M-row tables apart).
BIG_TABLES = ("shown_facts", "submission_values")
# Not copied: meta keeps what `etl init` wrote on the server (schema and views versions) plus the
# file's other keys (demo); change_log is this server's own history.
NOT_COPIED = {"meta", "change_log"}
SEQUENCES = (("submission_ids", "submissions", "submission_id"), ("dvk_model_ids", "dvk_models", "model_id"))
SETTINGS = {
    "full": {"units": None, "years": None, "runs": 20, "cap_s": 6.0, "settle_s": 15.0,
             "trials": 10, "visible_cap_s": 120.0, "visible_timeout_s": 120.0,
             "page_ways": ("link", "nav"), "pages": 7, "render_timeout_s": 60.0, "load_s": 60.0,
             "sessions": 30, "browser_sessions": 2, "batch_files": 100, "server_start_s": 900.0},
    "smoke": {"units": 20, "years": 2, "runs": 4, "cap_s": 1.0, "settle_s": 2.0,
              "trials": 3, "visible_cap_s": 30.0, "visible_timeout_s": 30.0,
              "page_ways": ("link",), "pages": 4, "render_timeout_s": 30.0, "load_s": 8.0,
              "sessions": 6, "browser_sessions": 1, "batch_files": 20, "server_start_s": 120.0},
}


def say(text: str) -> None:
    print(text, flush=True)


def rss_mb(pid="self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stats(xs: list[float], scale: float = 1.0, digits: int = 2) -> dict:
    """n, p50, p95, max of xs (times scale), or n=0."""
    if not xs:
        return {"n": 0}
    return {"n": len(xs), "p50": round(run.pct(xs, 50) * scale, digits),
            "p95": round(run.pct(xs, 95) * scale, digits), "max": round(max(xs) * scale, digits)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------- PostgreSQL

class Cluster:
    """A throwaway PostgreSQL 15 cluster with the deployment's settings (deploy/postgresql/
    danvan.conf included by postgresql.conf), run as `postgres` (initdb refuses root)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="danvan-server-bench-"))
        self.data, self.log = self.dir / "data", self.dir / "server.log"
        self.port = _free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        self._pg(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync",
                 "-E", "UTF8", "--locale", "C.UTF-8")
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(f"\ninclude '{PG_CONF}'\n")
        self.running = False

    @staticmethod
    def _pg(*args):
        runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*runner, *map(str, args)], check=True, capture_output=True, text=True)

    def start(self, bulk: bool = False) -> None:
        # bulk: wal_level=minimal lets COPY into a table truncated in the same transaction skip
        # the WAL (setup only; measurements run on the deployment's wal_level=replica).
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c log_timezone=UTC -c log_line_prefix='%m [%p] '")
        if bulk:
            options += " -c wal_level=minimal -c max_wal_senders=0"
        self._pg(PG_BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.log, "-w", "-t", "120", "start")
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._pg(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "120", "stop")
            self.running = False

    def settings(self, url: str) -> dict:
        import psycopg
        names = ("shared_buffers", "work_mem", "maintenance_work_mem", "wal_level", "synchronous_commit",
                 "fsync", "max_connections", "max_parallel_workers_per_gather", "server_version")
        with psycopg.connect(url) as con:
            return {n: con.execute(f"SHOW {n}").fetchone()[0] for n in names}

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def log_offset(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def slow_statements(self, since: int, limit: int = 40) -> list[dict]:
        """Statements the server logged as lasting over 1 s (the deployment's
        log_min_duration_statement) since a log offset: duration and the statement's start."""
        with open(self.log, "rb") as f:
            f.seek(since)
            text = f.read().decode("utf-8", "replace")
        out = []
        for m in re.finditer(r"duration: ([\d.]+) ms\s+(?:statement|execute [^:]*):\s*(.*?)(?=\n\S|\Z)", text, re.S):
            sql = " ".join(m.group(2).split())[:110]
            out.append({"ms": round(float(m.group(1))), "sql": sql})
        return out[-limit:]

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def load_into_postgres(cluster: Cluster, src: Path) -> tuple[str, dict]:
    """A fresh database: `etl init` (migrations, national registry), then every table's rows
    from the DuckDB file, sequences past the ids, VACUUM ANALYZE. Returns its URL and timings."""
    import adbc_driver_postgresql.dbapi as adbc
    import duckdb
    import psycopg

    from etl.warehouse.reference import REGISTRIES, init_db
    with psycopg.connect(cluster.url(), autocommit=True) as con:
        con.execute("CREATE DATABASE danvan")
    url = cluster.url("danvan")
    out = {}
    t = time.perf_counter()
    out["init_counts"] = init_db(url, registry_dir=REGISTRIES["national"])
    out["init_s"] = round(time.perf_counter() - t, 1)
    from etl.warehouse import postgres
    postgres.close_pools()
    source = duckdb.connect(str(src), read_only=True)
    tables = [r[0] for r in source.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall() if r[0] not in NOT_COPIED]
    # The migrations' indexes (server mode's, migration 8) are dropped for the copy and made again
    # after it: cheaper than keeping them up to date row by row.
    indexes = _secondary_indexes(url, tables)
    with psycopg.connect(url, autocommit=True) as con:
        for _, name, _ in indexes:
            con.execute(f'DROP INDEX "{name}"')
    lanes = [[t for t in tables if t == BIG_TABLES[0]], [t for t in tables if t != BIG_TABLES[0]]]
    copied, errors = {}, []

    def lane(names: list[str]) -> None:
        cur_src = source.cursor()
        try:
            with adbc.connect(url) as conn, conn.cursor() as cur:
                for name in names:
                    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                "'public' AND table_name = $1 ORDER BY ordinal_position", parameters=(name,))
                    columns = ", ".join(f'"{c}"' for (c,) in cur.fetchall())
                    cur.execute(f"TRUNCATE {name}")
                    started = time.perf_counter()
                    # A relation's reader streams in the stored order (shown_facts is stored sorted).
                    reader = cur_src.sql(f"SELECT {columns} FROM {name}").to_arrow_reader(122_880)
                    rows = cur.adbc_ingest(name, reader, mode="append")
                    copied[name] = {"rows": rows, "s": round(time.perf_counter() - started, 1)}
                conn.commit()
        except Exception as exc:  # noqa: BLE001 — reported by the caller
            errors.append(exc)
        finally:
            cur_src.close()

    t = time.perf_counter()
    threads = [threading.Thread(target=lane, args=(names,)) for names in lanes if names]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    out["copy_s"] = round(time.perf_counter() - t, 1)
    out["tables"] = copied
    t = time.perf_counter()
    out["indexes_s"] = _create_indexes(url, indexes)
    out["index_build_s"] = round(time.perf_counter() - t, 1)
    with psycopg.connect(url, autocommit=True) as con:
        have = {k for (k,) in con.execute("SELECT key FROM meta").fetchall()}
        for key, value in source.execute("SELECT key, value FROM meta").fetchall():
            if key not in have:
                con.execute("INSERT INTO meta VALUES (%s, %s)", [key, value])
        for seq, table, column in SEQUENCES:
            con.execute(f"SELECT setval('{seq}', (SELECT coalesce(max({column}), 0) + 1 FROM {table}), false)")
        t = time.perf_counter()
        con.execute("VACUUM (ANALYZE)")
        out["vacuum_analyze_s"] = round(time.perf_counter() - t, 1)
        out["database_mb"] = round(con.execute("SELECT pg_database_size('danvan')").fetchone()[0] / 2**20)
    source.close()
    return url, out


def _secondary_indexes(url: str, tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, index, definition) of the indexes the migrations made on these tables, those not
    backing a constraint (primary keys stay during the copy)."""
    import psycopg
    with psycopg.connect(url) as con:
        return con.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                           "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint) "
                           "ORDER BY tablename, indexname", [tables]).fetchall()


def _create_indexes(url: str, indexes: list[tuple[str, str, str]]) -> dict:
    """The migrations' own index definitions again, two at a time (the largest tables apart)."""
    import psycopg
    made, errors = {}, []

    def lane(items):
        try:
            with psycopg.connect(url, autocommit=True) as con:
                for _, name, definition in items:
                    started = time.perf_counter()
                    con.execute(definition)
                    made[name] = round(time.perf_counter() - started, 1)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    ordered = sorted(indexes, key=lambda x: (x[0] not in BIG_TABLES, x[0]))
    threads = [threading.Thread(target=lane, args=(ordered[i::2],)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    return made


# ------------------------------------------------------------- 2–4. the copy's process (B)

def _emit(**kw) -> None:
    print(json.dumps(kw, default=str), flush=True)


class _WithDf:
    """WORKAROUND (bug: etl.read.accounts calls DuckDB's .df(), which postgres.Connection lacks,
    so db.records(url) cannot run them): the same statement, its result through db.fetch_df's
    Arrow path."""

    def __init__(self, con):
        self.con = con

    def execute(self, sql, params=None):
        self.con.execute(sql, params)
        return self

    def df(self):
        return self.con.to_arrow_table().to_pandas()


def replica_worker(url: str, runs: int, cap_s: float, settle_s: float) -> None:
    """Process B: build the copy, time every page query on it, then watch for values on
    command (stdin: one JSON command a line; stdout: one JSON event a line)."""
    from etl.read import compare
    from etl.read.scope import Scope
    from etl.warehouse import follower
    rss0, hwm0 = rss_mb(), run.vm_hwm_mb() or 0.0
    wall0 = time.time()
    t = time.perf_counter()
    f = follower.follower(url)
    build_s = time.perf_counter() - t
    built = rss_mb()
    _emit(event="built", build_s=round(build_s, 1), wall_start=wall0, rss_before_mb=round(rss0, 1),
          rss_built_mb=round(built, 1), build_growth_mb=round(built - rss0, 1),
          build_peak_growth_mb=round((run.vm_hwm_mb() or 0) - hwm0, 1),
          duckdb_mb=round(f.copy.memory_bytes() / 2**20, 1))
    with f.copy.connect() as con:
        plan = run.page_queries(con)
    plan = [("(every cache miss)", "connect only (SELECT 1)", lambda con: con.execute("SELECT 1").fetchall(),
             ())] + plan
    results = []
    for pages, name, fn, args in plan:
        on_server = fn.__module__ == "etl.read.accounts"    # not in the copy: PostgreSQL itself
        times, error, rows, shim = [], None, None, False
        started = time.perf_counter()
        for i in range(runs + 1):
            t = time.perf_counter()
            try:
                with (db.records(url) if on_server else db.connect(url, read_only=True)) as con:
                    res = fn(_WithDf(con) if shim else con, *args)
            except AttributeError as exc:
                if not on_server or shim or "df" not in str(exc):
                    raise
                error, shim = f"{type(exc).__name__}: {exc}", True       # once more, through the shim
                continue
            except Exception as exc:  # noqa: BLE001 — a failing query is a result too
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                break
            times.append((time.perf_counter() - t) * 1000)
            rows = len(res) if hasattr(res, "__len__") else None
            if i >= 5 and time.perf_counter() - started > cap_s:
                break
        warm = times[1:] or times
        row = {"query": name, "pages": pages, "source": "postgresql" if on_server else "copy", "rows": rows}
        if error:
            row["bug" if shim else "error"] = error
        if shim:
            row["note"] = "timed through the bench's .df() shim (_WithDf): the function fails as is"
        if times:
            row.update(cold_ms=round(times[0], 1), runs=len(warm), p50_ms=round(run.pct(warm, 50), 1),
                       p95_ms=round(run.pct(warm, 95), 1))
        results.append(row)
        print(f"    {name:<34} p50 {row.get('p50_ms', float('nan')):>8.1f} ms  p95 "
              f"{row.get('p95_ms', float('nan')):>8.1f} ms" + (f"  LỖI {error[:60]}" if error else "")
              + (" (qua lớp .df() của bench)" if shim else ""),
              file=sys.stderr, flush=True)
    _emit(event="queries", queries=results, growth_after_queries_mb=round(rss_mb() - rss0, 1))
    # What stays once DuckDB's allocator has given back what the build and the queries freed.
    time.sleep(settle_s)
    _emit(event="memory", settle_s=settle_s, settled_growth_mb=round(rss_mb() - rss0, 1),
          peak_growth_mb=round((run.vm_hwm_mb() or 0) - hwm0, 1),
          duckdb_settled_mb=round(f.copy.memory_bytes() / 2**20, 1))
    while line := sys.stdin.readline():
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            _emit(event="bye", rss_growth_mb=round(rss_mb() - rss0, 1),
                  peak_growth_mb=round((run.vm_hwm_mb() or 0) - hwm0, 1))
            return
        scope = Scope(cmd["period"], include_unreviewed=True)

        def seen() -> bool:
            with db.connect(url, read_only=True) as con:
                r = compare.ranking(con, scope, INDICATOR)
            return bool((r.loc[r["code"] == cmd["unit"], "value"] == cmd["value"]).any())

        if seen():
            _emit(event="error", error="value there before the commit")
            continue
        _emit(event="ready")
        deadline, polls = time.monotonic() + cmd["timeout"], 0
        while True:
            polls += 1
            if seen():
                _emit(event="seen", t=time.monotonic(), polls=polls, change_id=f.change_id,
                      refresh={k: round(v, 3) for k, v in f.copy.last_refresh.items()})
                break
            if time.monotonic() > deadline:
                _emit(event="timeout", polls=polls)
                break
            time.sleep(0.01)


class Worker:
    """The replica worker as a subprocess, spoken to through its pipes."""

    def __init__(self, url: str, s: dict):
        self.proc = subprocess.Popen([PY, __file__, "--replica-worker", url, str(s["runs"]), str(s["cap_s"]),
                                      str(s["settle_s"])], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def read(self, event: str | None = None) -> dict:
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"replica worker ended (exit {self.proc.poll()})")
            ev = json.loads(line)
            if event is None or ev["event"] in (event, "error"):
                return ev

    def send(self, **cmd) -> None:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def close(self) -> dict | None:
        if self.proc.poll() is not None:
            return None
        try:
            self.send(cmd="quit")
            bye = self.read("bye")
            self.proc.wait(30)
            return bye
        except Exception:  # noqa: BLE001
            self.proc.kill()
            self.proc.wait(10)
            return None


def bench_user(url: str):
    """A department account (it may send any unit's report) for the bench's own uploads."""
    from etl.workflow import accounts
    user = accounts.User("bench.server", "Đo hiệu năng máy chủ", "department", None)
    with db.connect(url) as con:
        if not any(u.username == user.username for u in accounts.list_users(con)):
            accounts.add_user(con, user.username, user.role, None, None, user.full_name, actor="server bench")
    return user


def current_reports(url: str, period: str, n: int, offset: int = 0) -> list[tuple[str, str, list]]:
    """(unit, period, values of its current version) of n units' reports of a period."""
    with db.records(url) as con:
        units = [u for (u,) in con.execute(
            "SELECT unit_code FROM submissions WHERE period_key = ? AND is_current ORDER BY unit_code "
            "LIMIT ? OFFSET ?", [period, n, offset]).fetchall()]
        out = []
        for unit in units:
            values = con.execute("SELECT v.indicator_code, v.value FROM submissions s JOIN submission_values v "
                                 "USING (submission_id) WHERE s.is_current AND s.unit_code = ? AND "
                                 "s.period_key = ? ORDER BY 1", [unit, period]).fetchall()
            out.append((unit, period, values))
    return out


def submit(url: str, user, unit: str, period: str, values: list, marker: float, name: str) -> float:
    """A new version through the app's upload write path (account checked again in the database,
    one transaction, audited); the seconds it took."""
    from etl.domain.periods import from_key
    from etl.warehouse import store
    from etl.workflow.submissions import submit_checked
    rows = [store.ValueRow(code, marker if code == INDICATOR else value) for code, value in values]
    if not any(code == INDICATOR for code, _ in values):
        rows.append(store.ValueRow(INDICATOR, marker))
    sub = store.NewSubmission(unit, from_key(period), rows, status="submitted", file_name=name + ".xlsx")
    t = time.perf_counter()
    submit_checked(url, sub, user)
    return time.perf_counter() - t


def visibility(worker: Worker, url: str, user, reports: list, n: int, cap_s: float, timeout_s: float,
               marker_base: int) -> dict:
    """n trials: B ready, A commits, B's first sight of the value."""
    trials = []
    started = time.perf_counter()
    for i, (unit, period, values) in enumerate(reports[:n]):
        marker = marker_base + i
        worker.send(cmd="watch", unit=unit, period=period, value=marker, timeout=timeout_s)
        ev = worker.read("ready")
        if ev["event"] == "error":
            trials.append({"unit": unit, "error": ev["error"]})
            continue
        submit_s = submit(url, user, unit, period, values, marker, f"server-bench-{marker}")
        committed = time.monotonic()
        ev = worker.read()
        row = {"unit": unit, "period": period, "submit_s": round(submit_s, 3)}
        if ev["event"] == "seen":
            row.update(visible_s=round(ev["t"] - committed, 3), polls=ev["polls"], refresh=ev["refresh"])
        else:
            row["error"] = f"not seen within {timeout_s} s"
        trials.append(row)
        say(f"    {unit} {period}: gửi {submit_s:.2f} s, thấy ở tiến trình khác sau "
            + (f"{row['visible_s']:.3f} s" if "visible_s" in row else "— KHÔNG THẤY"))
        if time.perf_counter() - started > cap_s:
            break
        time.sleep(random.uniform(0.2, 0.6))         # not in step with the copy's 0,25 s checks
    seen = [t["visible_s"] for t in trials if "visible_s" in t]
    return {"trials": trials, "visible_s": stats(seen, digits=3), "submit_s": stats([t["submit_s"] for t in trials
                                                                                   if "submit_s" in t]),
            "not_seen": sum("visible_s" not in t for t in trials),
            "pass": bool(seen) and len(seen) == len(trials) and max(seen) <= TARGETS["visible_s"]}


# ------------------------------------------------------------------- 5–6. servers, loads

class Server:
    """`streamlit run serve.py` as `make run` starts it, on a free port (anonymous read-only)."""

    def __init__(self, target: str, log_path: Path, timeout_s: float):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.timeout_s = timeout_s
        env = {**os.environ, "DANVAN_DB": str(target), "DANVAN_ANONYMOUS_READ": "1"}
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [PY, "-m", "streamlit", "run", "serve.py", "--server.headless", "true", "--server.port",
             str(self.port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.start_s = None

    def wait(self) -> float:
        """Until /_stcore/health answers (after the warm-up: the copy is built by then)."""
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if self.proc.poll() is not None or time.perf_counter() - self.started > self.timeout_s:
                    self.stop()
                    raise RuntimeError("streamlit did not start: " + self.log_path.read_text()[-2000:])
                time.sleep(0.5)
        self.start_s = round(time.perf_counter() - self.started, 1)
        return self.start_s

    def memory(self) -> dict:
        return {"rss_mb": round(rss_mb(self.proc.pid), 1), "vm_hwm_mb": round(run.vm_hwm_mb(self.proc.pid) or 0, 1)}

    def stop(self) -> dict:
        try:
            mem = self.memory() if self.proc.poll() is None else {}
        except OSError:
            mem = {}
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()
        return mem


def make_report_files(src: Path, out_dir: Path, n: int) -> list[str]:
    """n filled report templates (bench/run.py's make_files: the latest month of the first n
    current units, values that pass the error rules)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return run.make_files(src, out_dir, n)


def batch_files(base: list[str], work: Path, k: int) -> list[str]:
    """Batch k of the base files: each differs from every other batch's by a zip comment (another
    file to the loader, so each one is stored as a new version)."""
    d = work / f"batch{k:04d}"
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for src in base:
        dst = d / Path(src).name
        shutil.copy(src, dst)
        with zipfile.ZipFile(dst, "a") as z:
            z.comment = f"server bench lô {k}".encode()
        out.append(str(dst))
    return out


def loader_worker(config_path: str) -> None:
    """A loader that stays: its copy built once (the loader's history checks read the copy in
    server mode), then etl.intake.loader.load_files on batch after batch until told to stop."""
    from collections import Counter

    from etl.intake import loader
    cfg = json.loads(Path(config_path).read_text())
    target, work, out = cfg["target"], Path(cfg["work"]), Path(cfg["out"])
    res = {"copy_build_s": None, "batches": []}
    from etl.warehouse import postgres
    if postgres.is_url(target):
        from etl.warehouse import follower
        t = time.perf_counter()
        follower.follower(target)
        res["copy_build_s"] = round(time.perf_counter() - t, 1)
    Path(cfg["ready"]).write_text("ready")
    k = cfg["start_batch"]
    while not Path(cfg["stop"]).exists():
        files = batch_files(cfg["base"], work, k)
        t = time.perf_counter()
        try:
            summary = dict(Counter(r.status for r in loader.load_files(target, files)))
        except Exception as exc:  # noqa: BLE001 — reported, the loop goes on
            summary = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        res["batches"].append({"batch": k, "files": len(files), "s": round(time.perf_counter() - t, 2),
                               "summary": summary})
        out.write_text(json.dumps(res))
        shutil.rmtree(work / f"batch{k:04d}", ignore_errors=True)
        k += 1
    out.write_text(json.dumps(res))


class LoaderLoop:
    """Batches of the base files loaded back to back. mode "cli": one `python -m etl --db TARGET
    load --json <files>` per batch, as an operator or deploy/danvan-etl.sh runs it (in server mode
    each run builds the loader's own copy first); mode "process": one process that keeps its copy
    between batches (loader_worker, built before the window starts)."""

    def __init__(self, target: str, base_files: list[str], work: Path, start_batch: int = 0, mode: str = "cli"):
        self.target, self.base, self.work, self.mode = target, base_files, work, mode
        self.batch = start_batch
        self.batches = []
        self.copy_build_s = None
        self._stop = threading.Event()
        self.proc = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            files = batch_files(self.base, self.work, self.batch)
            t0 = time.perf_counter()
            self.proc = subprocess.Popen([PY, "-m", "etl", "--db", self.target, "load", "--json", *files],
                                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            out, err = self.proc.communicate()
            seconds = time.perf_counter() - t0
            try:
                summary = json.loads(out)["summary"]
            except (ValueError, KeyError):
                summary = {"error": (out + err)[-500:]}
            self.batches.append({"batch": self.batch, "files": len(files), "s": round(seconds, 2),
                                 "summary": summary, "exit_code": self.proc.returncode})
            shutil.rmtree(self.work / f"batch{self.batch:04d}", ignore_errors=True)
            self.batch += 1

    def start(self) -> "LoaderLoop":
        if self.mode == "cli":
            self.thread.start()
            return self
        self.work.mkdir(parents=True, exist_ok=True)
        tag = f"loader{self.batch:04d}"
        self.cfg = {"target": self.target, "base": self.base, "work": str(self.work), "start_batch": self.batch,
                    "out": str(self.work / f"{tag}.json"), "ready": str(self.work / f"{tag}.ready"),
                    "stop": str(self.work / f"{tag}.stop")}
        cfg = self.work / f"{tag}.cfg"
        cfg.write_text(json.dumps(self.cfg))
        self.proc = subprocess.Popen([PY, __file__, "--loader-worker", str(cfg)], cwd=ROOT)
        waited = time.perf_counter()
        while not Path(self.cfg["ready"]).exists():
            if self.proc.poll() is not None or time.perf_counter() - waited > 900:
                raise RuntimeError("the loader process did not get ready")
            time.sleep(0.2)
        return self

    def _worker_out(self) -> dict:
        out = Path(self.cfg["out"])
        for _ in range(5):                  # written by the worker after each batch
            try:
                return json.loads(out.read_text()) if out.exists() else {}
            except ValueError:
                time.sleep(0.1)
        return {}

    def mark(self) -> int:
        """Batches finished so far: summary(mark) then covers the batches finished after."""
        return len(self.batches if self.mode == "cli" else self._worker_out().get("batches", []))

    def summary(self, since: int = 0) -> dict:
        if self.mode == "process":
            got = self._worker_out()
            self.batches, self.copy_build_s = got.get("batches", []), got.get("copy_build_s")
        batches = self.batches[since:]
        loaded = sum(b["summary"].get("loaded", 0) for b in batches)
        seconds = sum(b["s"] for b in batches)
        note = ("each batch: one `python -m etl --db X load --json <files>` (interpreter start and, in server "
                "mode, the loader's own copy built included)" if self.mode == "cli" else
                "one process keeping its copy (built before it loads: copy_build_s), "
                "etl.intake.loader.load_files per batch; the batches finished in the window")
        return {"mode": self.mode, "batches": len(batches), "files_loaded": loaded,
                "files_refused": sum(b["summary"].get("refused", 0) for b in batches),
                "batch_errors": [b["summary"]["error"] for b in batches if "error" in b["summary"]][:3],
                "seconds": round(seconds, 1), "files_per_s": round(loaded / seconds, 1) if seconds else None,
                "first_batch_s": batches[0]["s"] if batches else None,
                "batch_s": stats([b["s"] for b in batches]), "copy_build_s": self.copy_build_s, "note": note}

    def stop(self) -> dict:
        """Let the running batch finish (it is the load the pages ran beside), then report."""
        self._stop.set()
        if self.mode == "cli":
            self.thread.join(600)
            if self.thread.is_alive() and self.proc is not None:
                self.proc.kill()
                self.thread.join(30)
            return self.summary()
        Path(self.cfg["stop"]).write_text("stop")
        try:
            self.proc.wait(600)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(30)
        res = self.summary()
        self.batch += len(self.batches)
        return res


def count_reports(target: str) -> int:
    """What the sidebar's caption counts: current reports (reference.dataset_info)."""
    with db.records(target) as con:
        return con.execute("SELECT count(*) FROM submissions WHERE is_current").fetchone()[0]


def sidebar_count(page) -> int | None:
    text = page.inner_text('[data-testid="stSidebar"]')
    m = re.search(r"([\d.]+) báo cáo của", text)
    return int(m.group(1).replace(".", "")) if m else None


def nav_link(path: str) -> str:
    return (f'[data-testid="stSidebarNav"] a[href$="/{path}"]' if path != "tong-quan"
            else '[data-testid="stSidebarNav"] a >> nth=0')


def pages_after_change(servers: list[Server], url: str, user, s: dict) -> dict:
    """Step 5: commit a new report, then open a page at once (link or menu), on the replicas in
    turn, timed until rendered; whether it shows the new report."""
    from playwright.sync_api import sync_playwright
    with db.records(url) as con:
        units = [u for (u,) in con.execute("SELECT code FROM units WHERE valid_to IS NULL ORDER BY code "
                                           "LIMIT 40 OFFSET 500").fetchall()]
    new_period = "2015-01"           # before the data: every commit is a new report (unit, period)
    values = [(INDICATOR, 1.0), ("population", 20000.0)]
    rows, firsts = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=run.CHROMIUM, args=run.CHROMIUM_ARGS)
        tabs = []
        for server in servers:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
            tab = context.new_page()
            seconds, error = run._render(tab, lambda: tab.goto(server.url + "/", wait_until="commit", timeout=60000),
                                         run.PAGES["tong-quan"], True, s["render_timeout_s"])
            firsts.append({"replica": server.port, "s": round(seconds, 2), "error": error})
            tabs.append({"server": server, "tab": tab, "at": "tong-quan"})
        order = list(run.PAGES)[:s["pages"]]
        k = 0
        for way in s["page_ways"]:
            for i, path in enumerate(order if way == "link" else order[1:] + order[:1]):
                slot = tabs[k % len(tabs)]
                tab, server = slot["tab"], slot["server"]
                if way == "nav" and slot["at"] == path:       # the menu needs another page open
                    path = order[(order.index(path) + 1) % len(order)]
                submit_s = submit(url, user, units[k], new_period, values, 1000 + k, f"server-bench-page-{k}")
                expected = count_reports(url)
                if way == "link":
                    go = lambda: tab.goto(f"{server.url}/{path}", wait_until="commit", timeout=60000)  # noqa: E731
                else:
                    go = lambda: tab.click(nav_link(path))  # noqa: E731
                seconds, error = run._render(tab, go, run.PAGES[path], path not in run.NO_CHART,
                                             s["render_timeout_s"])
                slot["at"] = path
                shown = sidebar_count(tab) if not error else None
                row = {"page": path, "way": way, "replica": server.port, "s": round(seconds, 2),
                       "submit_s": round(submit_s, 2), "expected_reports": expected, "shown_reports": shown,
                       "fresh": shown is not None and shown >= expected}
                if error:
                    row["error"] = error
                rows.append(row)
                say(f"    {way:<4} /{path:<14} bản chạy {server.port}: {seconds:5.2f} s "
                    f"({'có' if row['fresh'] else 'CHƯA có'} báo cáo vừa gửi; gửi {submit_s:.2f} s)"
                    + (f"  LỖI {error[:70]}" if error else ""))
                k += 1
        browser.close()
    out = {"first_visits": firsts, "pages": rows, "target_s": TARGETS["page_s"]}
    for way in s["page_ways"]:
        mine = [r for r in rows if r["way"] == way]
        ok = [r["s"] for r in mine if "error" not in r]
        out[way] = {"s": stats(ok), "errors": sum("error" in r for r in mine),
                    "stale": sum(not r["fresh"] for r in mine if "error" not in r),
                    "fresh_s": stats([r["s"] for r in mine if r["fresh"]]),
                    "pass": bool(ok) and len(ok) == len(mine) and max(ok) <= TARGETS["page_s"]
                    and all(r["fresh"] for r in mine)}
    return out


# ---- simulated sessions: Streamlit's websocket protocol

async def _ws_session(i: int, base: str, pages: list[str], started: float, deadline: float, think,
                      seed: int, out: list, timeout_s: float) -> None:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    rng = random.Random(seed)
    host = base.split("//", 1)[1]
    await asyncio.sleep(rng.uniform(0, min(5.0, think[1])))        # visitors do not arrive at once
    k, first = rng.randrange(len(pages)), True
    try:
        ws = await websockets.connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], origin=base,
                                      max_size=None, open_timeout=timeout_s, ping_interval=None)
    except Exception as exc:  # noqa: BLE001
        out.append({"session": i, "replica": base, "page": "", "s": None, "error": f"connect: {exc}"})
        return
    async with ws:
        while time.monotonic() < deadline:
            page = "" if first else pages[k % len(pages)]
            msg = BackMsg()
            cs = msg.rerun_script
            cs.page_name = page
            cs.context_info.timezone = "Asia/Ho_Chi_Minh"
            cs.context_info.locale = "vi-VN"
            cs.context_info.url = f"{base}/{page}"
            row = {"session": i, "replica": base, "page": page or "tong-quan", "first": first,
                   "at_s": round(time.monotonic() - started, 2)}
            t = time.perf_counter()
            errors = []
            try:
                await ws.send(msg.SerializeToString())
                while True:
                    data = await asyncio.wait_for(ws.recv(), timeout_s)
                    fm = ForwardMsg()
                    fm.ParseFromString(data)
                    kind = fm.WhichOneof("type")
                    if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                        el = fm.delta.new_element
                        what = el.WhichOneof("type")
                        if what == "exception":
                            errors.append("exception: " + el.exception.message[:150])
                        elif what == "alert" and (el.alert.format == 1 or BUSY_TEXT in el.alert.body):
                            errors.append("alert: " + el.alert.body[:150])
                    elif kind == "page_not_found":
                        errors.append(f"page not found: {page}")
                    elif kind == "script_finished" and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        if fm.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                            errors.append("script compile error")
                        break
                row["s"] = round(time.perf_counter() - t, 3)
            except asyncio.TimeoutError:
                row["s"], errors = None, errors + [f"no script_finished within {timeout_s} s"]
            except Exception as exc:  # noqa: BLE001 — a closed socket ends the session
                row["s"], errors = None, errors + [f"{type(exc).__name__}: {str(exc)[:150]}"]
            if errors:
                row["error"] = "; ".join(errors)[:300]
            out.append(row)
            if row["s"] is None:
                return
            first = False
            k += 1
            await asyncio.sleep(min(rng.uniform(*think), max(0.0, deadline - time.monotonic())))


def ws_worker(config_path: str, out_path: str) -> None:
    cfg = json.loads(Path(config_path).read_text())
    started = time.monotonic()
    deadline = started + cfg["seconds"]
    rows: list = []

    async def main():
        await asyncio.gather(*(_ws_session(i, cfg["urls"][i % len(cfg["urls"])], cfg["pages"], started, deadline,
                                           cfg["think"], cfg["seed"] + i, rows, cfg["timeout_s"])
                               for i in range(cfg["sessions"])))
    asyncio.run(main())
    Path(out_path).write_text(json.dumps(rows))


# ---- browser sessions

async def _render_async(page, go, heading: str, chart: bool, timeout_s: float) -> tuple[float, str | None]:
    """bench/run.py's _render for the async API."""
    ms = int(timeout_s * 1000)
    t = time.perf_counter()
    try:
        await go()
        await page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{heading}")', timeout=ms)
        if chart:
            await page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=ms)
        await page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') "
            "&& !document.querySelector('[data-testid=\"stSpinner\"]')", timeout=ms, polling=50)
        if await page.query_selector('[data-testid="stException"]'):
            return time.perf_counter() - t, (await page.inner_text('[data-testid="stException"]'))[:300]
    except Exception as exc:  # noqa: BLE001 — a timeout is a result too
        return time.perf_counter() - t, f"{type(exc).__name__}: {str(exc)[:300]}"
    return time.perf_counter() - t, None


def browser_worker(config_path: str, out_path: str) -> None:
    from playwright.async_api import async_playwright
    cfg = json.loads(Path(config_path).read_text())
    rows: list = []

    async def record(page, i: int, base: str, path: str, go, first: bool) -> None:
        seconds, error = await _render_async(page, go, run.PAGES[path], path not in run.NO_CHART, cfg["timeout_s"])
        row = {"session": f"browser{i}", "replica": base, "page": path, "first": first, "s": round(seconds, 3)}
        if error:
            row["error"] = error
        rows.append(row)

    async def open_first(browser, i: int, base: str):
        # Before the window: a visitor already on the dashboard (the browser has Streamlit's
        # scripts), as bench/run.py's first visit.
        context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
        page = await context.new_page()
        await record(page, i, base, "tong-quan", lambda: page.goto(base + "/", wait_until="commit", timeout=60000),
                     True)
        return context, page

    async def session(page, i: int, base: str, deadline: float):
        rng = random.Random(cfg["seed"] + 1000 + i)
        order = list(run.PAGES)
        at, k = "tong-quan", rng.randrange(len(order))
        await asyncio.sleep(rng.uniform(0, min(5.0, cfg["think"][1])))
        while time.monotonic() < deadline:
            path = order[k % len(order)]
            if path == at:
                k += 1
                path = order[k % len(order)]
            await record(page, i, base, path, lambda: page.click(nav_link(path)), False)
            at = path
            k += 1
            await asyncio.sleep(min(rng.uniform(*cfg["think"]), max(0.0, deadline - time.monotonic())))

    async def main():
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=run.CHROMIUM, args=run.CHROMIUM_ARGS)
            urls = [cfg["urls"][i % len(cfg["urls"])] for i in range(cfg["sessions"])]
            opened = await asyncio.gather(*(open_first(browser, i, u) for i, u in enumerate(urls)))
            Path(cfg["ready"]).write_text("ready")
            deadline = time.monotonic() + cfg["seconds"]
            await asyncio.gather(*(session(page, i, u, deadline) for i, (u, (_, page)) in enumerate(zip(urls, opened))))
            await browser.close()
    asyncio.run(main())
    Path(out_path).write_text(json.dumps(rows))


def load_test(name: str, servers: list[Server], loader: LoaderLoop | None, s: dict, work: Path) -> dict:
    """Step 6: the sessions for s['load_s'] seconds (beside the loader, if any)."""
    urls = [sv.url for sv in servers]
    n_browser = s["browser_sessions"]
    n_ws = s["sessions"] - n_browser
    base = {"urls": urls, "seconds": s["load_s"], "think": list(THINK_S), "seed": 15,
            "timeout_s": s["render_timeout_s"], "pages": [p for p in run.PAGES if p != "tong-quan"] + [""]}
    procs = []
    ready = work / f"{name}_browser_ready"
    # The browsers first (their first page before the window), then the simulated sessions and the
    # loader: the three start their window together.
    for kind, n in (("browser", n_browser), ("ws", n_ws)):
        if not n:
            continue
        cfg, out = work / f"{name}_{kind}.json", work / f"{name}_{kind}_out.json"
        cfg.write_text(json.dumps({**base, "sessions": n, "ready": str(ready)}))
        procs.append((kind, out, subprocess.Popen([PY, __file__, f"--{kind}-worker", str(cfg), str(out)], cwd=ROOT)))
        if kind == "browser":
            waited = time.perf_counter()
            while not ready.exists() and procs[-1][2].poll() is None and time.perf_counter() - waited < 300:
                time.sleep(0.2)
    # A loader process that stays is already running (its copy built before): the batches it
    # finishes in the window count. A CLI loader starts with the window.
    mark = loader.mark() if loader is not None and loader.mode == "process" else 0
    if loader is not None and loader.mode == "cli":
        loader.start()
    sampled = {sv.port: [] for sv in servers}
    t0 = time.perf_counter()
    while any(p.poll() is None for _, _, p in procs):
        for sv in servers:
            try:
                sampled[sv.port].append(rss_mb(sv.proc.pid))
            except OSError:
                pass
        time.sleep(1.0)
        if time.perf_counter() - t0 > s["load_s"] + 300:
            for _, _, p in procs:
                p.kill()
    window_s = time.perf_counter() - t0
    load = None if loader is None else loader.stop() if loader.mode == "cli" else loader.summary(mark)
    rows = {}
    for kind, out, p in procs:
        p.wait()
        rows[kind] = (json.loads(out.read_text()) if out.exists()
                      else [{"s": None, "error": f"worker exit {p.returncode}"}])
    res = {"name": name, "replicas": len(servers), "sessions": {"simulated": n_ws, "browser": n_browser},
           "window_s": round(window_s, 1), "load": load,
           "server_rss_max_mb": {str(k): round(max(v), 1) for k, v in sampled.items() if v}}
    for kind, views in rows.items():
        done = [v["s"] for v in views if v.get("s") is not None and "error" not in v]
        later = [v["s"] for v in views if v.get("s") is not None and "error" not in v and not v.get("first")]
        if kind == "browser":            # the first page came before the window
            res["browser_first_visit_s"] = [v["s"] for v in views if v.get("first")]
            views = [v for v in views if not v.get("first")]
            done = [v["s"] for v in views if v.get("s") is not None and "error" not in v]
        res[kind] = {"views": len(views), "ok": len(done), "errors": sum("error" in v for v in views),
                     "error_samples": sorted({v["error"][:160] for v in views if "error" in v})[:5],
                     "page_s": stats(done), "page_s_after_first": stats(later),
                     "views_per_s": round(len(views) / s["load_s"], 2)}
    ws, br = res.get("ws", {}), res.get("browser", {})
    say(f"    {name}: mô phỏng {ws.get('views', 0)} lượt trang, p50/p95 "
        f"{ws.get('page_s', {}).get('p50', '—')}/{ws.get('page_s', {}).get('p95', '—')} s, lỗi {ws.get('errors', 0)}; "
        f"Chromium {br.get('views', 0)} lượt, p50/p95 {br.get('page_s', {}).get('p50', '—')}/"
        f"{br.get('page_s', {}).get('p95', '—')} s, lỗi {br.get('errors', 0)}"
        + (f"; nạp {load['files_loaded']} tệp, {load['files_per_s']} tệp/s" if load else ""))
    return res


# -------------------------------------------------------------------------------- report

def dataset(path: Path, smoke: bool, fresh: bool) -> dict:
    from etl.synthetic import national
    if not fresh and path.exists():
        try:
            with db.connect(path, read_only=True) as con:
                if migrations.up_to_date(con):
                    return {"reused": True, "path": str(path), **{
                        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                        for t in ("submissions", "shown_facts", "units")}}
        except Exception as exc:  # noqa: BLE001 — an unreadable file is built again
            say(f"  {path} không dùng lại được ({exc}); sinh lại")
    s = SETTINGS["smoke" if smoke else "full"]
    n_units, n_years = (s["units"], s["years"]) if smoke else (national.N_UNITS, national.N_YEARS)
    return {"reused": False, "path": str(path),
            **national.generate(path, n_units, n_years, say=lambda m: say("  " + m))}


def table(res: dict) -> str:
    ok = lambda b: "đạt" if b else "KHÔNG ĐẠT"  # noqa: E731
    fmt = lambda st, k="p50": f"{st[k]:.2f}" if st.get("n") else "—"  # noqa: E731
    m, pgs = res["machine"], res["postgres"]["settings"]
    lines = [f"Máy: {m['cores']} lõi ({m['cpu']}), {m['memory_gb']} GB; tải {m['loadavg_start'][0]:.2f} → "
             f"{m.get('loadavg_end', [0])[0]:.2f}; vòng lặp đo CPU {m.get('cpu_probe_s')} s, ghi 400 MB bộ nhớ mới "
             f"{m.get('memory_probe_s')} s; chế độ {res['mode']}; "
             f"PostgreSQL {pgs.get('server_version')}"
             f" (deploy/postgresql/danvan.conf: shared_buffers {pgs.get('shared_buffers')}, "
             f"work_mem {pgs.get('work_mem')})"]
    su = res["postgres"]["setup"]
    rows = sum(t["rows"] for t in su["tables"].values())
    lines.append(f"Chuẩn bị (không phải mục tiêu): etl init {su['init_s']} s, chép {rows:,} dòng từ tệp DuckDB "
                 f"{su['copy_s']} s, chỉ mục {su['index_build_s']} s, VACUUM ANALYZE {su['vacuum_analyze_s']} s; "
                 f"CSDL {su['database_mb']} MB")
    rp = res.get("replica")
    if rp:
        lines += ["", f"Bản sao từ PostgreSQL (follower.follower, tiến trình riêng): dựng {rp['build_s']} s; RSS tăng "
                      f"{rp['build_growth_mb']:.0f} MB khi dựng xong, {rp['settled_growth_mb']:.0f} MB sau "
                      f"{rp['settle_s']:.0f} s, đỉnh {rp['peak_growth_mb']:.0f} MB; DuckDB tính "
                      f"{rp['duckdb_mb']:.0f} MB — mục tiêu ≤ {TARGETS['replica_rss_mb']} MB: {ok(rp['pass'])} "
                      f"(đỉnh: {ok(rp['peak_pass'])})"]
        for st in rp.get("pg_statements", [])[:6]:
            lines.append(f"    PostgreSQL {st['ms'] / 1000:7.1f} s  {st['sql'][:90]}")
    qy = res.get("queries")
    if qy:
        pd_q = qy["pandas"]["queries"]
        lines += ["", "Truy vấn của trang trên bản sao dựng từ PostgreSQL (ms; mục tiêu p95 ≤ "
                      f"{TARGETS['query_p95_ms']} và nhanh hơn pandas)",
                  f"  {'truy vấn':<45}{'p50':>8}{'p95':>8}{'lần đầu':>9}{'pandas p50/p95':>17}  kết quả"]
        for r in qy["queries"]:
            pdr = pd_q.get(PANDAS.get(r["query"], ""))
            pds = f"{pdr['p50_ms']:.1f}/{pdr['p95_ms']:.1f}" if pdr else ""
            where = (" (PostgreSQL" + (", lỗi .df()" if r.get("bug") else "") + ")"
                     if r["source"] == "postgresql" else "")
            if "p50_ms" not in r:
                lines.append(f"  {r['query'] + where:<45}  LỖI {r.get('error', '')[:70]}")
                continue
            lines.append(f"  {(r['query'] + where)[:44]:<45}{r['p50_ms']:>8.1f}{r['p95_ms']:>8.1f}{r['cold_ms']:>9.1f}"
                         f"{pds:>17}  {ok(r['pass'])}")
        lines.append(f"  pandas: DataFrame {qy['pandas']['dataframe_mb']} MB nạp {qy['pandas']['dataframe_load_s']} s, "
                     f"RSS đỉnh {qy['pandas']['vm_hwm_mb']} MB")
    vis = res.get("visibility")
    if vis:
        lines += ["", f"Thay đổi thấy ở tiến trình khác (s sau khi ghi xong; mục tiêu ≤ {TARGETS['visible_s']})"]
        v = vis
        lines.append(f"  thấy p50 {fmt(v['visible_s'])} / p95 {fmt(v['visible_s'], 'p95')} / max "
                     f"{fmt(v['visible_s'], 'max')} s ({v['visible_s'].get('n', 0)} lần, {v['not_seen']} không thấy); "
                     f"gửi báo cáo p50 {fmt(v['submit_s'])} s: {ok(v['pass'])}")
        for st in vis.get("pg_statements", [])[:8]:
            lines.append(f"    PostgreSQL {st['ms'] / 1000:7.1f} s  {st['sql'][:90]}")
    sv = res.get("servers")
    if sv:
        starts = ", ".join(f"{x['start_s']} s" for x in sv["replicas"])
        lines += ["", "Bản chạy Streamlit: khởi động (gồm dựng bản sao) " + starts
                  + (f"; chế độ nhúng {sv['embedded']['start_s']} s" if sv.get("embedded") else "")
                  + "; RSS cuối / đỉnh (cả tiến trình, mục tiêu ≤ " + f"{TARGETS['replica_rss_mb']} MB) "
                  + ", ".join(f"{x.get('rss_mb', '?')}/{x.get('vm_hwm_mb', '?')} MB" for x in sv["replicas"])
                  + f": {ok(sv['replicas'] and all(x.get('pass') for x in sv['replicas']))}"]
    pg = res.get("pages_after_change")
    if pg:
        lines += ["", f"Trang ngay sau khi gửi một báo cáo, trong lúc nạp lô tệp (s; mục tiêu ≤ {TARGETS['page_s']})"]
        for way, label in (("link", "mở liên kết"), ("nav", "từ menu")):
            w = pg.get(way)
            if w:
                lines.append(f"  {label:<12} p50 {fmt(w['s'])} / p95 {fmt(w['s'], 'p95')} / max "
                             f"{fmt(w['s'], 'max')} s; chưa thấy báo cáo vừa gửi {w['stale']}, lỗi {w['errors']}: "
                             f"{ok(w['pass'])}")
        if pg.get("load"):
            ld = pg["load"]
            lines.append(f"  nạp trong lúc đó: {ld['files_loaded']} tệp, {ld['files_per_s']} tệp/s (tiến trình nạp giữ "
                         f"bản sao, dựng trong {ld['copy_build_s']} s trước khi đo)")
    lt = res.get("load_tests")
    if lt:
        ms = SETTINGS[res["mode"]]
        lines += ["", f"Thử tải: {ms['sessions']} phiên, {ms['load_s']:.0f} s, nghỉ "
                      f"{THINK_S[0]:.0f}–{THINK_S[1]:.0f} s giữa hai trang (mô phỏng = websocket của Streamlit, "
                      "chạy trọn trang, không vẽ)",
                  f"  {'lần chạy':<48}{'mô phỏng p50/p95':>18}{'lượt':>6}{'lỗi':>5}{'Chromium p50/p95*':>18}"
                  f"{'lượt':>6}{'lỗi':>5}{'tệp đã nạp':>11}{'tệp/s':>7}"]
        for r in lt:
            ws, br = r.get("ws", {"page_s": {}}), r.get("browser", {"page_s": {}})
            load = r.get("load") or {}
            lines.append(f"  {r['label']:<48}{fmt(ws['page_s']) + '/' + fmt(ws['page_s'], 'p95'):>18}"
                         f"{ws.get('views', 0):>6}{ws.get('errors', 0):>5}"
                         f"{fmt(br['page_s']) + '/' + fmt(br['page_s'], 'p95'):>18}"
                         f"{br.get('views', 0):>6}{br.get('errors', 0):>5}"
                         f"{(str(load.get('files_loaded')) if load else '—'):>11}"
                         f"{(str(load.get('files_per_s')) if load else '—'):>7}")
        lines.append("  * Chromium: từ menu, sau trang đầu tiên (mở trước khi bắt đầu đo)")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="20 đơn vị × 2 năm (< 2 phút)")
    ap.add_argument("--db", default=None, help="the DuckDB data set (default bench/data/server_national.duckdb)")
    ap.add_argument("--fresh", action="store_true", help="build the data set again even if it is current")
    ap.add_argument("--skip", default="", help="comma list of parts to skip: pages,load,embedded")
    ap.add_argument("--replica-worker", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--ws-worker", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--browser-worker", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--loader-worker", nargs=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.replica_worker:
        url, runs, cap, settle = args.replica_worker
        replica_worker(url, int(runs), float(cap), float(settle))
        return 0
    if args.ws_worker:
        ws_worker(*args.ws_worker)
        return 0
    if args.browser_worker:
        browser_worker(*args.browser_worker)
        return 0
    if args.loader_worker:
        loader_worker(*args.loader_worker)
        return 0
    mode = "smoke" if args.smoke else "full"
    s = SETTINGS[mode]
    skip = set(filter(None, args.skip.split(",")))
    src = Path(args.db) if args.db else DATA / ("server_smoke.duckdb" if args.smoke else "server_national.duckdb")
    res = {"generated_at": datetime.now().isoformat(timespec="seconds"), "mode": mode, "machine": run.machine(),
           "targets": TARGETS, "settings": s, "think_s": THINK_S}
    t_all = time.perf_counter()
    phases = res["phase_end_s"] = {}

    def phase(name: str) -> None:
        phases[name] = round(time.perf_counter() - t_all, 1)
    say(f"[1/6] Dữ liệu ({'20 đơn vị × 2 năm' if args.smoke else '3.321 đơn vị × 10 năm'}) và PostgreSQL…")
    res["dataset"] = dataset(src, args.smoke, args.fresh)
    phase("dataset")
    cluster = Cluster()
    worker, servers, loader = None, [], None
    work = Path(tempfile.mkdtemp(prefix="danvan-server-bench-work-"))
    try:
        cluster.start(bulk=True)
        url, setup = load_into_postgres(cluster, src)
        cluster.stop()
        cluster.start()                      # the deployment's settings from here on
        res["postgres"] = {"settings": cluster.settings(url), "setup": setup}
        say(f"  etl init {setup['init_s']} s, chép {setup['copy_s']} s, chỉ mục {setup['index_build_s']} s, "
            f"VACUUM ANALYZE {setup['vacuum_analyze_s']} s "
            f"({setup['database_mb']} MB)")
        user = bench_user(url)
        phase("postgres_setup")

        say("[2/6] Bản sao trong bộ nhớ, dựng từ PostgreSQL, trong một tiến trình riêng…")
        offset = cluster.log_offset()
        worker = Worker(url, s)
        built = worker.read("built")
        say(f"  dựng {built['build_s']} s, RSS +{built['build_growth_mb']:.0f} MB (DuckDB {built['duckdb_mb']:.0f} MB)")
        built["pg_statements"] = cluster.slow_statements(offset)
        say(f"[3/6] Truy vấn của các trang trên bản sao (tối đa {s['runs']} lần mỗi truy vấn)…")
        q = worker.read("queries")
        out_pd = work / "pandas.json"
        subprocess.run([PY, str(ROOT / "bench" / "run.py"), "--pandas-worker", str(src), str(out_pd), str(s["runs"]),
                        str(s["cap_s"])], cwd=ROOT, check=True)
        pandas = json.loads(out_pd.read_text())
        mem = worker.read("memory")
        rp = {**built, **mem, "growth_after_queries_mb": q["growth_after_queries_mb"]}
        rp.pop("event")
        rp["pass"] = rp["settled_growth_mb"] <= TARGETS["replica_rss_mb"]
        rp["peak_pass"] = rp["peak_growth_mb"] <= TARGETS["replica_rss_mb"]
        res["replica"] = rp
        for r in q["queries"]:
            pdr = pandas["queries"].get(PANDAS.get(r["query"], ""))
            r["pass"] = ("p95_ms" in r and r["p95_ms"] <= TARGETS["query_p95_ms"]
                         and (pdr is None or r["p50_ms"] < pdr["p50_ms"]))
        res["queries"] = {"queries": q["queries"], "pandas": pandas,
                          "note": "copy: db.connect(url, read_only=True) + query + close (the follower's catch-up "
                                  "check included), as pages/_data.load on a cache miss; (PostgreSQL): "
                                  "db.records(url); cold_ms = first run; pandas: bench/run.py's pandas_equivalents"}
        phase("replica_queries")

        say("[4/6] Thay đổi thấy ở tiến trình khác…")
        reports = current_reports(url, "2025", s["trials"])
        offset = cluster.log_offset()
        vis = visibility(worker, url, user, reports, s["trials"], s["visible_cap_s"], s["visible_timeout_s"], 900_000)
        vis["pg_statements"] = cluster.slow_statements(offset)
        res["visibility"] = vis
        phase("visibility")
        res["replica"]["end"] = worker.close()
        worker = None

        base_files = make_report_files(src, work / "files", s["batch_files"])
        res["servers"] = {"replicas": []}
        if "pages" not in skip or "load" not in skip:
            say("[5/6] Hai bản chạy Streamlit trên PostgreSQL (khởi động gồm dựng bản sao)…")
            servers = [Server(url, work / f"replica{i}.log", s["server_start_s"]) for i in range(2)]
            for sv in servers:
                sv.wait()
            say("  khởi động: " + ", ".join(f"{sv.start_s} s" for sv in servers))
            phase("servers_start")
        next_batch = 0
        if "pages" not in skip or "load" not in skip:
            # One loader process for steps 5 and 6 (its copy takes a minute or two to build).
            loader = LoaderLoop(url, base_files, work / "load", 0, mode="process").start()
            phase("loader_start")
        if "pages" not in skip:
            mark = loader.mark()
            res["pages_after_change"] = pages_after_change(servers, url, user, s)
            res["pages_after_change"]["load"] = loader.summary(mark)
            phase("pages")
        tests = []
        if "load" not in skip:
            say(f"[6/6] Thử tải: {s['sessions']} phiên trên 2 bản chạy, {s['load_s']:.0f} s, trong lúc nạp tệp…")
            tests.append({"label": "máy chủ, đang nạp (tiến trình nạp giữ bản sao)",
                          **load_test("server_load", servers, loader, s, work)})
        if loader is not None:
            res["loader_process"] = loader.stop()
            next_batch = loader.batch
            loader = None
        if "load" not in skip:
            if not args.smoke:          # the smoke runs each code path once: the CLI loader below
                loader = LoaderLoop(url, base_files, work / "load", next_batch, mode="cli")
                tests.append({"label": "máy chủ, đang nạp (etl load, như hiện có)",
                              **load_test("server_load_cli", servers, loader, s, work)})
                loader = None
                tests.append({"label": "máy chủ, 2 bản chạy, không nạp",
                              **load_test("server_idle", servers, None, s, work)})
            phase("load_tests_server")
        for sv in servers:
            res["servers"]["replicas"].append({"port": sv.port, "start_s": sv.start_s, **sv.stop()})
        servers = []
        if "load" not in skip and "embedded" not in skip:
            say("  chế độ nhúng: một tiến trình, tệp DuckDB, cùng số phiên, đang nạp…")
            embedded_db = work / "embedded.duckdb"
            shutil.copy(src, embedded_db)
            servers = [Server(str(embedded_db), work / "embedded.log", s["server_start_s"])]
            servers[0].wait()
            loader = LoaderLoop(str(embedded_db), base_files, work / "load_embedded", 0)
            tests.append({"label": "nhúng, 1 tiến trình, đang nạp (etl load)",
                          **load_test("embedded_load", servers, loader, s, work)})
            loader = None
            res["servers"]["embedded"] = {"start_s": servers[0].start_s, **servers[0].stop()}
            servers = []
            phase("load_test_embedded")
        res["load_tests"] = tests
    finally:
        if loader is not None:
            loader.stop()
        if worker is not None:
            worker.close()
        for sv in servers:
            sv.stop()
        try:
            cluster.remove()
        except Exception as exc:  # noqa: BLE001
            say(f"  PostgreSQL không dừng được: {exc}")
        shutil.rmtree(work, ignore_errors=True)
    res["machine"]["loadavg_end"] = list(os.getloadavg())
    res["seconds_total"] = round(time.perf_counter() - t_all, 1)
    fails = [f"query.{r['query']}" for r in res["queries"]["queries"] if not r["pass"]]
    if not res["replica"]["pass"]:
        fails.append("replica_rss")
    if not res["visibility"]["pass"]:
        fails.append("visible")
    for sv in res.get("servers", {}).get("replicas", []):
        # A replica as deployed is one app process: its whole RSS, the copy included.
        sv["pass"] = max(sv.get("rss_mb", 0), sv.get("vm_hwm_mb", 0)) <= TARGETS["replica_rss_mb"]
        if not sv["pass"]:
            fails.append(f"replica_process_rss.{sv['port']}")
    if res.get("pages_after_change"):
        fails += [f"page_after_change.{w}" for w in s["page_ways"] if not res["pages_after_change"][w]["pass"]]
    for r in res.get("load_tests", []):
        for kind in ("ws", "browser"):
            if r.get(kind, {}).get("errors"):
                fails.append(f"load.{r['name']}.{kind}.errors")
    res["failed_targets"] = fails
    res["notes"] = {
        "simulated_session": "a websocket client of Streamlit's protocol (/_stcore/stream): BackMsg rerun_script "
                             "with the page's address, every ForwardMsg read until script_finished; the server runs "
                             "the page as for a browser, nothing is drawn; page time = request sent to "
                             "script_finished received",
        "browser_session": "Chromium: pages from the menu, timed until heading, chart and no running script",
        "think_s": "uniform wait between two pages of one session",
        "writer": "process A (this one) keeps no copy of its own; process B is the copy of step 2",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("server_smoke.json" if args.smoke else "server.json")
    tmp_out = out.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    tmp_out.replace(out)
    say("")
    say(table(res))
    say(f"\n{len(fails)} mục tiêu không đạt. Kết quả: {out.relative_to(ROOT)} ({res['seconds_total']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
