"""The one module that opens DuckDB: path resolution, lock-aware connections, transactions, audit.

DuckDB lets one process write a file, and refuses every other process (readers included) while a
writer holds it; a writer is refused while any other process has the file open. So nothing here
keeps a connection open: every use opens, works and closes, and an open that meets a lock waits
and retries. Readers (the dashboard) open read-only so several can share; writers (CLI, uploads)
keep transactions short so readers get in between.

The schema lives in etl.warehouse.migrations, `etl init` in etl.warehouse.reference, the shown
versions in etl.warehouse.shown, and every write of submissions in etl.warehouse.store.
"""
import hashlib
import os
import random
import threading
import time
import warnings
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from etl import config
from etl.domain import actions
from etl.warehouse import postgres

# fetch_df() takes Arrow from an execute() result. DuckDB suggests con.sql() to save a copy, but a
# relation refuses to run while an earlier result is not fully fetched; the copy costs ~1 ms.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
DEFAULT_DB = DATA_DIR / "danvan.duckdb"


class _ReadWriteLock:
    """Many readers or one writer. Inside one process DuckDB refuses a read-write open while a
    read-only connection to the same file is open (and the reverse), so the app's threads take
    turns here; other processes are kept apart by DuckDB's file lock, handled by retrying."""

    def __init__(self):
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    def acquire(self, write: bool, timeout: float) -> bool:
        with self._cond:
            free = (lambda: not self._writer and self._readers == 0) if write else (lambda: not self._writer)
            if not self._cond.wait_for(free, timeout):
                return False
            if write:
                self._writer = True
            else:
                self._readers += 1
            return True

    def release(self, write: bool) -> None:
        with self._cond:
            if write:
                self._writer = False
            else:
                self._readers -= 1
            self._cond.notify_all()


_process_locks: dict[str, _ReadWriteLock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(target: Path) -> _ReadWriteLock:
    with _process_locks_guard:
        return _process_locks.setdefault(str(target.resolve()), _ReadWriteLock())


class DatabaseBusy(RuntimeError):
    """The file stayed locked by another process for longer than the timeout."""


def db_path(path: str | os.PathLike | None = None) -> Path | str:
    """The database: a DuckDB file's path, or a PostgreSQL URL (server mode) as given."""
    target = path or config.get("DANVAN_DB") or DEFAULT_DB
    return str(target) if postgres.is_url(str(target)) else Path(target)


def exists(path=None) -> bool:
    """Whether there is a database to open (a server is taken to exist: connecting tells)."""
    target = db_path(path)
    return isinstance(target, str) or target.exists()


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() or "Conflicting" in text


def _retry_locked(open_once, deadline: float, busy: str):
    """open_once() until it stops meeting another process's lock, or DatabaseBusy at deadline."""
    delay = 0.01
    while True:
        try:
            return open_once()
        except (duckdb.IOException, duckdb.ConnectionException, duckdb.BinderException) as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    raise DatabaseBusy(busy) from exc
                raise
            time.sleep(delay * (1 + random.random()))
            # Short steps: writers leave gaps of ~0.1 s between batches of files.
            delay = min(delay * 2, 0.03)


# Readers of this process share one in-memory DuckDB and ATTACH the file read-only while at least
# one of them reads: starting a DuckDB instance costs ~18 ms, an ATTACH ~5 ms, and every page
# query that misses the cache pays it. The file is detached as soon as the last reader is done,
# so a writer in another process gets in between, as before.
_reader_db = None
_attached: dict[str, int] = {}
_attach_guard = threading.Lock()


def _reader():
    # DuckDB takes up to 80 % of RAM by default; the readers' shared instance gets a cap so the
    # dashboard's process stays small (a page's queries need ~100 MB at 16 M values).
    global _reader_db
    if _reader_db is None:
        _reader_db = duckdb.connect(":memory:", config={"memory_limit": config.get("DANVAN_READ_MEMORY")})
    return _reader_db


def _alias(target: Path) -> str:
    return "db_" + hashlib.sha1(str(target.resolve()).encode()).hexdigest()[:12]


def _attach(target: Path, deadline: float, busy: str) -> str:
    alias = _alias(target)
    with _attach_guard:
        if not _attached.get(alias):
            literal = "'" + str(target).replace("'", "''") + "'"
            cur = _reader().cursor()
            try:
                _retry_locked(lambda: cur.execute(f"ATTACH {literal} AS {alias} (READ_ONLY)"),
                              deadline, busy)
            finally:
                cur.close()
        _attached[alias] = _attached.get(alias, 0) + 1
    return alias


def _detach(alias: str) -> None:
    with _attach_guard:
        _attached[alias] -= 1
        if not _attached[alias]:
            cur = _reader().cursor()
            try:
                cur.execute(f"DETACH {alias}")
            finally:
                cur.close()


@contextmanager
def connect(path=None, read_only: bool = False, timeout: float | None = None, fresh: bool = False):
    """Open the database, waiting while another process holds a conflicting lock. In server mode
    read_only gives this process's copy of what the dashboards read, caught up with the change
    log (fresh: now, not up to follower.CHECK_S ago)."""
    target = db_path(path)
    deadline_s = config.get("DANVAN_LOCK_TIMEOUT") if timeout is None else timeout
    if isinstance(target, str):
        if read_only:               # what the dashboards read: this process's copy, caught up
            from etl.warehouse import follower
            f = follower.follower(target)
            f.catch_up(force=fresh)
            with f.copy.connect() as con:
                yield con
            return
        with postgres.connect(target, deadline_s, config.get("DANVAN_PG_POOL")) as con:
            yield con
        return
    if read_only and not target.exists():
        raise FileNotFoundError(
            f"Chưa có cơ sở dữ liệu {target}. Chạy 'python -m etl init' (hoặc 'make run') trước."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + deadline_s
    busy = "Cơ sở dữ liệu đang được một tiến trình khác ghi; vui lòng thử lại sau ít phút."
    in_process = _process_lock(target)
    if not in_process.acquire(write=not read_only, timeout=max(0.0, deadline - time.monotonic())):
        raise DatabaseBusy(busy)
    try:
        if read_only:
            alias = _attach(target, deadline, busy)
            try:
                con = _reader().cursor()
                try:
                    con.execute(f"USE {alias}")
                    yield con
                finally:
                    con.close()
            finally:
                _detach(alias)
        else:
            con = _retry_locked(lambda: duckdb.connect(str(target)), deadline, busy)
            try:
                yield con
            finally:
                con.close()
    finally:
        in_process.release(write=not read_only)


@contextmanager
def history_copy(path=None):
    """Server mode: the copy a load's history checks read (etl.warehouse.follower.history_follower),
    caught up now, so it holds this process's last commit."""
    from etl.warehouse import follower
    f = follower.history_follower(db_path(path))
    f.catch_up(force=True)
    with f.copy.connect() as con:
        yield con


@contextmanager
def records(path=None, timeout: float | None = None):
    """Read the system of record itself: accounts, sessions, the audit log, original files, which
    the dashboards' copy of server mode does not hold (and an account removed must be refused at
    once everywhere). The file read-only in embedded mode, PostgreSQL in server mode."""
    target = db_path(path)
    if isinstance(target, str):
        with connect(target, timeout=timeout) as con:
            yield con
    else:
        with connect(target, read_only=True, timeout=timeout) as con:
            yield con


@contextmanager
def transaction(con):
    """BEGIN ... COMMIT, or ROLLBACK when the block raises (and the exception goes on)."""
    con.execute("BEGIN")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    if on_server(con):          # this process reads its own write at its next read
        from etl.warehouse import follower
        follower.committed(con.url)


def stage(con, name: str, table: pa.Table) -> str:
    """The Arrow table readable as `name` by this connection's next statements (a temp table on
    PostgreSQL, a registered view in DuckDB). Returns the name."""
    if on_server(con):
        con.stage(name, table)
    else:
        # DuckDB refuses register() while the previous statement's result is unfetched; a
        # registration (not a replacement scan) also works where those are off (the copy).
        try:
            con.fetchall()
        except duckdb.Error:            # no result open
            pass
        con.register(name, table)
    return name


def unstage(con, *names: str) -> None:
    """Forget what stage() made (a long-held connection would keep the tables otherwise)."""
    for name in names:
        if on_server(con):
            con.execute(f'DROP TABLE IF EXISTS pg_temp."{name}"')
        else:
            con.unregister(name)


def on_server(con) -> bool:
    """Whether the connection is PostgreSQL's (server mode) rather than a DuckDB file's."""
    return getattr(con, "backend", None) == "postgresql"


def lock(con, keys) -> None:
    """Keep other writers off these keys until the transaction ends: PostgreSQL takes row-level
    (advisory) locks; DuckDB has one writer per file already."""
    if on_server(con):
        con.lock([str(k) for k in keys])


def record_change(con, what: str, pairs: pa.Table | None = None) -> None:
    """Tell the dashboards' copies what this transaction changed (change_log, read by
    etl.warehouse.replica): 'pairs' with the (unit_code, period_key) pairs whose reports changed,
    'reference' for the catalogue, registry, periods and lineage. On PostgreSQL the log is
    locked to the end of the transaction, so change ids follow commit order and a copy that has
    read up to id N has missed nothing below it."""
    if on_server(con):
        con.execute("LOCK TABLE change_log IN SHARE ROW EXCLUSIVE MODE")
    _prune_change_log(con)
    if pairs is None:
        con.execute("INSERT INTO change_log (change_id, committed_at, what) "
                    "VALUES (nextval('change_ids'), ?, ?)", [datetime.now(), what])
        return
    stage(con, "changed_pairs_log", pairs.select(["unit_code", "period_key"]))
    con.execute("INSERT INTO change_log (change_id, committed_at, what, unit_code, period_key) "
                "SELECT nextval('change_ids'), ?, ?, unit_code, period_key FROM changed_pairs_log",
                [datetime.now(), what])


# How often one process prunes the change log (a write transaction of its own does it).
PRUNE_EVERY_S = 3600.0
_pruned_at: dict[str, float] = {}


def _prune_change_log(con) -> None:
    """Entries older than DANVAN_CHANGE_LOG_DAYS go, at most every PRUNE_EVERY_S per process;
    meta's change_log_pruned_to says up to which id, so a copy that had not applied them knows
    it must read everything again (etl.warehouse.follower) instead of missing them."""
    key = str(getattr(con, "url", "file"))
    if time.monotonic() - _pruned_at.get(key, -PRUNE_EVERY_S) < PRUNE_EVERY_S:
        return
    _pruned_at[key] = time.monotonic()
    cutoff = datetime.now() - timedelta(days=config.get("DANVAN_CHANGE_LOG_DAYS"))
    cut = con.execute("SELECT max(change_id) FROM change_log WHERE committed_at < ?", [cutoff]).fetchall()[0][0]
    if cut is not None:
        con.execute("DELETE FROM change_log WHERE change_id <= ?", [cut])
        con.execute("INSERT INTO meta VALUES ('change_log_pruned_to', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [str(cut)])


def audit(con, actor: str | None, action: actions.Action, detail: str, file_name: str | None = None,
          submission_id: int | None = None, at=None) -> None:
    """One row of audit_log: who did what, when, from which file. Every write calls it (or
    audit_many for a batch) inside its own transaction, so the log and the change land together
    or not at all."""
    audit_many(con, action, [(actor, detail, file_name, submission_id)], at)


def audit_many(con, action: actions.Action, rows: list[tuple], at=None) -> None:
    """The one writer of audit_log: rows of (actor, detail, file_name, submission_id), one
    INSERT, so a chunk of 100 files logs as fast as it stores."""
    if not rows:
        return
    stage(con, "audit_entries", pa.table({
        "actor": pa.array([r[0] for r in rows], pa.string()),
        "detail": pa.array([r[1] for r in rows], pa.string()),
        "file_name": pa.array([r[2] for r in rows], pa.string()),
        "submission_id": pa.array([r[3] for r in rows], pa.int64())}))
    con.execute("INSERT INTO audit_log SELECT ?, actor, ?, detail, file_name, submission_id "
                "FROM audit_entries", [at or datetime.now(), actions.check(action)])


def fetch_df(con, sql: str, params=None):
    """The result as a pandas DataFrame, through Arrow: DuckDB's own .df() takes twice as long
    for text columns (33.000 rows: 90 ms against 40). Columns keep the types .df() gives:
    nullable integers and booleans where there are NULLs, dates as datetime64[us]."""
    table = con.execute(sql, params or {}).to_arrow_table()
    df = table.to_pandas(date_as_object=False)
    for name, column in zip(table.column_names, table.columns):
        kind = column.type
        if column.null_count and pa.types.is_integer(kind):
            df[name] = df[name].astype("Int64")
        elif column.null_count and pa.types.is_boolean(kind):
            df[name] = df[name].astype("boolean")
        elif pa.types.is_date(kind) or pa.types.is_timestamp(kind):
            df[name] = df[name].astype("datetime64[us]")
    return df


def data_version(path=None) -> tuple:
    """Changes whenever a writer commits: used to key cached query results. In server mode the
    last change this process's copy applied (it catches up first)."""
    target = db_path(path)
    if isinstance(target, str):
        from etl.warehouse import follower
        return (follower.follower(target).catch_up(),)
    parts = []
    for p in (target, Path(str(target) + ".wal")):
        try:
            st = p.stat()
            parts.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            parts.append(None)
    return tuple(parts)
