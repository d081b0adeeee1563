"""Server mode's system of record: PostgreSQL through psycopg 3 and a connection pool per URL.

The warehouse's writers were written against DuckDB's connection (`con.execute(sql, params)` with
`?` placeholders, results fetched from the connection, Arrow tables read by name). Connection
gives a PostgreSQL connection that API, so one body of SQL serves both backends: statements are
written in the SQL both accept (ON CONFLICT, DISTINCT ON, generate_series...), and an Arrow
table a statement reads is staged first (db.stage: a temp table filled by COPY here, a registered
view in DuckDB). What cannot be shared (DuckDB's macros and views) lives only in the dashboards'
in-memory copy (etl.warehouse.replica), never here.
"""
import re
import threading
from contextlib import contextmanager

import pyarrow as pa

# DuckDB type names PostgreSQL does not know, in the migrations' DDL and in casts.
_TYPES = [(re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.I), "DOUBLE PRECISION"),
          (re.compile(r"\bBLOB\b", re.I), "BYTEA")]
_ARROW_TYPES = [(pa.types.is_string, "TEXT"), (pa.types.is_large_string, "TEXT"),
                (pa.types.is_integer, "BIGINT"), (pa.types.is_floating, "DOUBLE PRECISION"),
                (pa.types.is_boolean, "BOOLEAN"), (pa.types.is_binary, "BYTEA"),
                (pa.types.is_large_binary, "BYTEA"), (pa.types.is_date, "DATE"),
                (pa.types.is_timestamp, "TIMESTAMP"), (pa.types.is_null, "TEXT")]

_pools: dict[str, object] = {}
_pools_guard = threading.Lock()


class ServerError(RuntimeError):
    """PostgreSQL refused the connection or is not reachable."""


def is_url(target) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def translate(sql: str, with_params: bool) -> str:
    """DuckDB-style SQL as psycopg takes it: PostgreSQL's type names; with parameters, `?` becomes
    `%s` and a literal `%` is doubled (psycopg reads `%` as a placeholder then)."""
    for pattern, name in _TYPES:
        sql = pattern.sub(name, sql)
    if with_params:
        sql = sql.replace("%", "%%").replace("?", "%s")
    return sql


def _pool(url: str, size: int):
    import psycopg
    from psycopg_pool import ConnectionPool
    with _pools_guard:
        pool = _pools.get(url)
        if pool is None:
            # Once by hand first: a pool retries an unreachable server until getconn's timeout.
            psycopg.connect(url, connect_timeout=10).close()
            # autocommit: the warehouse's transactions are explicit (db.transaction), as in
            # DuckDB; a connection handed back forgets its temp tables (not DISCARD ALL: it
            # drops the statements psycopg has prepared and still counts on).
            pool = ConnectionPool(url, min_size=1, max_size=size, open=True,
                                  kwargs={"autocommit": True},
                                  reset=lambda c: c.execute("DISCARD TEMP"), name="danvan")
            _pools[url] = pool
        return pool


def close_pool(url: str) -> None:
    """Close the pool of one server (a database about to be copied or dropped)."""
    with _pools_guard:
        pool = _pools.pop(url, None)
    if pool is not None:
        pool.close()


def close_pools() -> None:
    """Close every pool (tests that drop their database, a process that forks)."""
    with _pools_guard:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


@contextmanager
def connect(url: str, timeout: float, pool_size: int):
    """A pooled connection for the block, as a Connection; ServerError when none comes in time."""
    import psycopg
    from psycopg_pool import PoolTimeout
    try:
        pool = _pool(url, pool_size)
        raw = pool.getconn(timeout=max(timeout, 0.1))
    except (PoolTimeout, psycopg.OperationalError) as exc:
        raise ServerError("Không kết nối được máy chủ cơ sở dữ liệu PostgreSQL") from exc
    try:
        yield Connection(raw, url)
    finally:
        pool.putconn(raw)


class Connection:
    """A psycopg connection behind DuckDB's connection API, as far as the warehouse uses it."""

    backend = "postgresql"

    def __init__(self, raw, url: str):
        self.raw, self.url = raw, url
        self._cur = raw.cursor()

    def execute(self, sql: str, params=None):
        self._cur = self.raw.cursor()
        self._cur.execute(translate(sql, params is not None), params)
        return self

    def executemany(self, sql: str, rows):
        self._cur = self.raw.cursor()
        self._cur.executemany(translate(sql, True), rows)
        return self

    def fetchall(self) -> list[tuple]:
        if self._cur.description is None:       # DuckDB answers a DML statement with its count
            return [(self._cur.rowcount,)]
        return self._cur.fetchall()

    def fetchone(self):
        if self._cur.description is None:
            return (self._cur.rowcount,)
        return self._cur.fetchone()

    def to_arrow_table(self) -> pa.Table:
        return _arrow(self._cur)

    def stage(self, name: str, table: pa.Table) -> None:
        """The Arrow table as temp table `name` for the statements of this connection."""
        columns = ", ".join(f'"{f.name}" {_pg_type(f.type)}' for f in table.schema)
        self.raw.execute(f'DROP TABLE IF EXISTS pg_temp."{name}"')
        self.raw.execute(f'CREATE TEMP TABLE "{name}" ({columns})')
        if not table.num_rows:
            return
        cur = self.raw.cursor()
        with cur.copy(f'COPY "{name}" FROM STDIN') as copy:
            for row in zip(*(c.to_pylist() for c in table.columns)):
                copy.write_row(row)

    def lock(self, keys: list[str]) -> None:
        """Row locks of the transaction for keys that may have no row yet (a unit and period's
        first version): advisory, in sorted order so two writers never wait on each other."""
        for key in sorted(set(keys)):
            self.raw.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])

    def close(self) -> None:
        pass


def _pg_type(kind: pa.DataType) -> str:
    for test, name in _ARROW_TYPES:
        if test(kind):
            return name
    raise TypeError(f"no PostgreSQL type for {kind}")



# PostgreSQL type oids -> the Arrow types DuckDB gives the same columns, so the dashboards' copy
# has the types of a DuckDB file's tables and the read functions' results do not depend on the
# backend.
_OID_TYPES = {16: pa.bool_(), 17: pa.binary(), 20: pa.int64(), 21: pa.int16(), 23: pa.int32(),
              25: pa.string(), 1043: pa.string(), 701: pa.float64(), 700: pa.float32(),
              1082: pa.date32(), 1114: pa.timestamp("us")}


def _arrow(cursor) -> pa.Table:
    names = [d.name for d in cursor.description]
    kinds = [_OID_TYPES.get(d.type_code, pa.string()) for d in cursor.description]
    rows = cursor.fetchall()
    return pa.table({n: pa.array([r[i] for r in rows], k) for i, (n, k) in enumerate(zip(names, kinds))})


# Scans keep the order a DuckDB file stores: shown_facts is written sorted so that a query skips
# the row groups it does not need (etl.warehouse.migrations), a heap table has no such order.
_SCAN_ORDER = {"shown_facts": "ORDER BY period_kind, CASE WHEN period_kind = 'month' THEN left(period_key, 4) END, "
                              "CASE WHEN period_kind = 'month' THEN indicator_code END, period_key, indicator_code"}


class Source:
    """Server mode's source of the dashboards' copy (etl.warehouse.replica): whole tables through
    ADBC (Arrow, at C speed: the national 16 M values), a few pairs' rows through psycopg. Not one
    snapshot: the copy notes the change log's end before it reads and replays every later change
    (follow()), which heals a write that landed between two tables' reads."""

    def __init__(self, url: str, timeout: float, pool_size: int):
        self.url, self.timeout, self.pool_size = url, timeout, pool_size

    @contextmanager
    def snapshot(self):
        with connect(self.url, self.timeout, self.pool_size) as con:
            snap = _Snapshot(self.url, con)
            try:
                yield snap
            finally:
                snap.close()


class _Snapshot:
    def __init__(self, url: str, con: Connection):
        self.url, self.con, self._adbc, self._cursors = url, con, None, []

    def scan(self, table: str, ordered: bool = True) -> pa.RecordBatchReader:
        import adbc_driver_postgresql.dbapi as adbc
        if self._adbc is None:
            self._adbc = adbc.connect(self.url, autocommit=True)
        cur = self._adbc.cursor()
        self._cursors.append(cur)           # its reader is read after this returns
        cur.execute(f"SELECT * FROM {table} {_SCAN_ORDER.get(table, '') if ordered else ''}")
        return cur.fetch_record_batch()

    def rows(self, table, pairs: pa.Table) -> pa.Table:
        self.con.stage("changed_pairs_copy", pairs)
        if table.key == "pair":
            sql = (f"SELECT t.* FROM {table.name} t JOIN changed_pairs_copy c "
                   "ON c.unit_code = t.unit_code AND c.period_key = t.period_key")
        else:
            sql = (f"SELECT t.* FROM {table.name} t WHERE t.submission_id IN (SELECT s.submission_id "
                   "FROM submissions s JOIN changed_pairs_copy c "
                   "ON c.unit_code = s.unit_code AND c.period_key = s.period_key)")
        cur = self.con.raw.cursor()
        cur.execute(sql)
        return _arrow(cur)

    def close(self) -> None:
        for cur in self._cursors:
            cur.close()
        if self._adbc is not None:
            self._adbc.close()
