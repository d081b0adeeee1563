"""An in-memory copy of what the read queries use (issue 15): a process keeps it and queries it
with the functions of etl.read unchanged, instead of attaching the database file for every query.

What is copied (TABLES): submissions, the rows keyed by a report's submission (shown_facts,
submission_values, findings, dvk_model_reports) and the small reference tables (rules too: the
forms and the upload checks read them); then the views and macros of
etl.warehouse.migrations.VIEWS are created over them, as `etl init` does on the file. Every
function of etl.read works on Replica.cursor() except versions.original_file (the uploaded files
stay in the source, blobs of every version) and etl.read.accounts (accounts, sessions and the
audit log: read from the system of record, an account removed must be gone at once).

Memory: DuckDB keeps what is written to an in-memory table uncompressed until a CHECKPOINT, and
never checkpoints an in-memory database by itself: the national shown_facts and submissions
alone held 1.9 GB that way. A CHECKPOINT compresses them as a file's tables are (173 MB for the
whole copy). So the copy is filled a batch at a time with a CHECKPOINT every few row groups (the
uncompressed part never exceeds those), and once more after each refresh. (The ATTACH option
COMPRESS made no difference in DuckDB 2.0, measured; it stays, as it states the intent.)

Refresh: Replica.refresh(pairs) takes the (unit_code, period_key) pairs whose reports changed (a
new version, a review), reads those pairs' rows and the small tables from the source, then
replaces them in one transaction: a reader's query sees the copy before or after, never between.
Replaced rows go at the end of their table; shown_facts keeps its sorted order otherwise, which
is what lets a query skip row groups (see its comment in etl.warehouse.migrations).

Today's boundaries (the values current units get from their old units, and from the halves of a
period straddling the merger) are precomputed in the copy (boundary_extra, see FAST_MACRO), the
populations, scores and models listed of every scope too (SCOPED), and a refresh recomputes the
pairs its changes feed (_affected), all of them when the registry, the lineage, the periods that
straddle the merger, the indicators' kinds or the models' options changed (_REFERENCE_PRINT). Small views most reads use are tables of the copy (KEPT_VIEWS).

Where the data come from is a Source: DuckDBFile, the embedded mode's file, or PostgreSQL, the
server mode's system of record (etl.warehouse.postgres.Source). A Snapshot makes the same three
reads of either (a whole table as Arrow batches, the rows of some pairs, the rows of those pairs'
submissions) and gives the columns the types DuckDB gives them here (VARCHAR, DATE, TIMESTAMP,
DOUBLE, BIGINT, INTEGER, BOOLEAN), so the queries' results have the same types too. DuckDBFile's
reads see one state of the file, held read-only throughout; a source that cannot hold one must
replay what was committed while it was read (etl.warehouse.follower notes the change log's end
before a build).
"""
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import duckdb
import pyarrow as pa

from etl.warehouse import db, migrations

CATALOG = "replica"
# How a table's rows are found for a refresh: all of them, those of the changed pairs (columns
# unit_code and period_key), or those of the changed pairs' submissions (column submission_id).
WHOLE, PAIR, SUBMISSION = "whole", "pair", "submission"
ROW_GROUP = 122_880             # DuckDB's rows per row group
BATCH_ROWS = ROW_GROUP
# Rows appended uncompressed before a CHECKPOINT compresses them: ~100 MB of shown_facts.
CHECKPOINT_ROWS = 8 * ROW_GROUP


@dataclass(frozen=True)
class Table:
    name: str
    key: str


# meta first: whether the source is of this software's schema is known before the rest is read.
TABLES = (
    Table("meta", WHOLE),
    # By submission, not by pair: matching 100 pairs among the national 16 M values took 300–550 ms
    # in the file, their submissions' ids 65–95 ms.
    Table("shown_facts", SUBMISSION),
    Table("submissions", PAIR),
    Table("submission_values", SUBMISSION),
    Table("findings", SUBMISSION),
    Table("dvk_model_reports", SUBMISSION),
    Table("dvk_models", WHOLE),
    Table("units", WHOLE),
    Table("unit_lineage", WHOLE),
    Table("lineage_weights", WHOLE),
    Table("periods", WHOLE),
    Table("provinces", WHOLE),
    Table("indicators", WHOLE),
    Table("derived_measures", WHOLE),
    Table("rating_thresholds", WHOLE),
    Table("assessment_criteria", WHOLE),
    Table("dvk_options", WHOLE),
    Table("rules", WHOLE),              # the forms' instructions and the checks of uploads
)
# What the history checks of a load read (etl.intake.history_query), for a loader that draws no
# dashboard (`etl load` on a server): no views, and shown_facts as stored, not sorted (the sort
# took 40 of the national copy's 58 s on PostgreSQL). submissions: the refresh finds a changed
# pair's rows through it.
HISTORY_TABLES = tuple(t for t in TABLES if t.name in ("meta", "shown_facts", "submissions", "indicators"))

# Today's boundaries, precomputed. migrations.VIEWS' boundary_values computes, in every query,
# the values a current unit gets from its old units (by lineage weight) and from the two halves
# of a period straddling the merger: most of a page query's time on the national copy, and a
# plan DuckDB took ~29 ms to make. In the copy those rows (the ones without a submission of their
# own) are computed once into boundary_extra, for both review scopes, and kept by refresh();
# boundary_values there becomes a plain union of shown_values and that table.
_LIVE = migrations.VIEWS[migrations.VIEWS.index("CREATE OR REPLACE MACRO boundary_values("):]
LIVE_MACRO = _LIVE.replace("MACRO boundary_values(", "MACRO boundary_values_live(", 1)
# Small views that most reads use, kept in the copy as tables the refresh recomputes whole: as
# views, every read paid for them (nationally ~4 ms for period_halves, in etl.read._sql.straddles
# and again inside boundary_values; ~6 ms for reported_periods, which groups every report).
KEPT_VIEWS = ("period_halves", "reported_periods")


def _statement(head: str) -> str:
    """The statement of migrations.VIEWS that starts with head, to its semicolon."""
    at = migrations.VIEWS.index(head)
    return migrations.VIEWS[at:migrations.VIEWS.index(";", at) + 1]


KEPT_LIVE = "\n".join(_statement(f"CREATE OR REPLACE VIEW {n} AS").replace(f"VIEW {n} AS", f"VIEW {n}_live AS", 1)
                      for n in KEPT_VIEWS)
KEPT_TABLES = "".join(f"DROP VIEW {n}; CREATE TABLE {n} AS SELECT * FROM {n}_live;" for n in KEPT_VIEWS)
KEPT_REFRESH = "".join(f"DELETE FROM {n}; INSERT INTO {n} SELECT * FROM {n}_live;" for n in KEPT_VIEWS)
_EXTRA_COLUMNS = ("unit_code, period_key, period_kind, start_date, end_date, indicator_code, value, "
                  "submission_id, status, source, estimated, from_units, combined")
EXTRA_TABLE = f"""
CREATE TABLE boundary_extra AS
SELECT true AS unreviewed, {_EXTRA_COLUMNS} FROM boundary_values_live(true, true, true) WHERE false;
"""
FAST_MACRO = f"""
CREATE OR REPLACE MACRO boundary_values(unrev, today, halves) AS TABLE
SELECT unit_code, period_key, period_kind, start_date, end_date, indicator_code, value,
       submission_id, status, source, false AS estimated, NULL::VARCHAR AS from_units, false AS combined
FROM shown_values(unrev)
WHERE today AND unit_code IN (SELECT code FROM units WHERE valid_to IS NULL)
UNION ALL
SELECT {_EXTRA_COLUMNS} FROM boundary_extra WHERE today AND unreviewed = unrev
UNION ALL
""" + _LIVE[_LIVE.index("SELECT v.unit_code, v.period_key"):]      # as reported: the live macro's own branch


@dataclass(frozen=True)
class Scoped:
    """A macro of migrations.VIEWS taking (unrev, today[, halves]) that the copy keeps as a table
    of its four scopes (columns unreviewed, on_today, then the macro's, unit_code and period_key
    among them), whose rows refresh() recomputes for the pairs its changes feed (_affected)."""
    macro: str
    table: str
    order: str            # the table's row order within a scope: what its readers filter on

    @property
    def head(self) -> str:
        return f"CREATE OR REPLACE MACRO {self.macro}("

    @property
    def params(self) -> str:
        """The macro's parameters: (unrev, today) or (unrev, today, halves). halves is then the
        data's own (etl.read._sql passes it so), which the table was computed with."""
        return _statement(self.head)[len(self.head):].split(")", 1)[0]

    def live(self) -> str:
        return _statement(self.head).replace(f"MACRO {self.macro}(", f"MACRO {self.macro}_live(", 1)

    def call(self, unrev: str, today: str, halves: str) -> str:
        return f"{self.macro}_live({unrev}, {today}{', ' + halves if 'halves' in self.params else ''})"

    def create(self) -> str:
        return f"""
CREATE TABLE {self.table} AS
SELECT true AS unreviewed, true AS on_today, * FROM {self.call('true', 'true', 'true')} WHERE false;
CREATE OR REPLACE MACRO {self.macro}({self.params}) AS TABLE
SELECT * EXCLUDE (unreviewed, on_today) FROM {self.table} WHERE unreviewed = unrev AND on_today = today;
"""


# Read by many page queries, each of them a small part of what it is computed from:
# - the populations (what a value per 10.000 divides by): a query looking for each unit's latest
#   population scanned every period's values for them (the national ranking per 10.000: p50
#   104 → 72 ms);
# - the assessment's scores: yearly values of ten indicators among every value;
# - the models listed: a join of every model report with every report.
SCOPED = (
    Scoped("population_values", "population_rows", order="unit_code, end_date"),
    Scoped("score_values", "score_rows", order="period_key, unit_code"),
    Scoped("listed_models", "listed_model_rows", order="period_key, unit_code"),
)
# What boundary_extra and the SCOPED tables are computed from besides the reports: a change here
# recomputes all of them.
_REFERENCE_PRINT = """
SELECT (SELECT coalesce(string_agg(concat_ws('|', code, kind), ',' ORDER BY code), '') FROM indicators)
    || '/' || (SELECT coalesce(string_agg(concat_ws('|', list, value, meaning), ',' ORDER BY list, value), '')
               FROM dvk_options)
    || '/' || (SELECT coalesce(string_agg(concat_ws('|', period_key, before_key, after_key, split_date), ','
                                   ORDER BY period_key), '') FROM period_halves)
    || '/' || (SELECT coalesce(string_agg(concat_ws('|', code, valid_from, valid_to), ',' ORDER BY code), '')
               FROM units)
    || '/' || (SELECT coalesce(string_agg(concat_ws('|', new_code, old_code, share), ','
                                          ORDER BY new_code, old_code), '') FROM unit_lineage)
"""
_WEIGHTS = "SELECT unreviewed, new_code, old_code, weight FROM lineage_weights"


class SourceOutdated(RuntimeError):
    """The source's schema is not this software's (etl init has not upgraded it)."""


class Snapshot(Protocol):
    """The source's reads for one build or one refresh."""

    def scan(self, table: str, ordered: bool = True) -> pa.RecordBatchReader:
        """Every row of the table, in the order it is stored (ordered: in the order the dashboards'
        queries need, where the source does not store it so)."""

    def rows(self, table: Table, pairs: pa.Table) -> pa.Table:
        """The table's rows of these (unit_code, period_key) pairs: by the pair itself (PAIR) or
        through the pairs' submissions (SUBMISSION)."""


class Source(Protocol):
    def snapshot(self):
        """A context manager giving a Snapshot, held only while the replica reads."""


class DuckDBFile:
    """The embedded mode's source: the DuckDB file, opened read-only like any reader (so a writer
    in another process waits at most one build or one refresh)."""

    def __init__(self, path=None, timeout: float | None = None):
        self.path = db.db_path(path)
        self.timeout = timeout

    @contextmanager
    def snapshot(self) -> Iterator["_FileSnapshot"]:
        with db.connect(self.path, read_only=True, timeout=self.timeout) as con:
            yield _FileSnapshot(con)


class _FileSnapshot:
    def __init__(self, con):
        self.con = con

    def scan(self, table: str, ordered: bool = True) -> pa.RecordBatchReader:
        # The file stores shown_facts in its order. A relation, not execute(): execute() would
        # hold the whole result before the first batch.
        return self.con.sql(f"SELECT * FROM {table}").to_arrow_reader(BATCH_ROWS)

    def rows(self, table: Table, pairs: pa.Table) -> pa.Table:
        changed = pairs  # noqa: F841 (read by DuckDB's replacement scan)
        if table.key == PAIR:
            sql = f"SELECT t.* FROM {table.name} t SEMI JOIN changed USING (unit_code, period_key)"
        else:
            sql = (f"SELECT t.* FROM {table.name} t WHERE t.submission_id IN (SELECT submission_id "
                   "FROM submissions SEMI JOIN changed USING (unit_code, period_key))")
        return self.con.sql(sql).to_arrow_table()


def _run(con, sql: str) -> list:
    # Fetched to the end: DuckDB refuses register() on a connection with an unfinished result.
    return con.execute(sql).fetchall()


def pairs_table(pairs) -> pa.Table:
    """(unit_code, period_key) pairs as an Arrow table of those two columns, each pair once."""
    if isinstance(pairs, pa.Table):
        return pairs.select(["unit_code", "period_key"])
    unique = sorted(set((str(u), str(p)) for u, p in pairs))
    return pa.table({"unit_code": pa.array([u for u, _ in unique], pa.string()),
                     "period_key": pa.array([p for _, p in unique], pa.string())})


def _replace_sql(table: Table) -> str:
    """Deletes the rows a refresh replaces: the table's rows of the pairs (registered as
    `changed`), or all of them."""
    if table.key == WHOLE:
        return f"DELETE FROM {table.name}"
    if table.key == PAIR:
        return (f"DELETE FROM {table.name} t USING changed c "
                "WHERE t.unit_code = c.unit_code AND t.period_key = c.period_key")
    return (f"DELETE FROM {table.name} WHERE submission_id IN (SELECT submission_id "
            "FROM submissions SEMI JOIN changed USING (unit_code, period_key))")


class Replica:
    """The copy, built from the source at once. cursor() for each thread that reads; refresh()
    after the source changed. memory_limit: DuckDB's cap for this copy and its queries (the
    national copy holds ~200 MB). compress=False never checkpoints: DuckDB's uncompressed
    in-memory tables (~10 times the memory; bench/replica_bench.py compares them).
    tables=HISTORY_TABLES: only what a load's history checks read, without views."""

    def __init__(self, source: Source, memory_limit: str = "1GB", compress: bool = True,
                 tables: tuple[Table, ...] = TABLES):
        self.source = source
        self.compress = compress
        self.tables = tables
        self.dashboards = tables == TABLES
        # Submissions' rows are deleted through the replica's submissions, so before those change.
        self._refresh_order = sorted(tables, key=lambda t: (t.key != SUBMISSION, t.key != PAIR))
        self.version = 0                 # +1 at every refresh: a key for cached results
        # Seconds the last refresh spent reading the source, replacing rows, compressing them.
        self.last_refresh: dict[str, float] = {}
        self._refresh_lock = threading.Lock()
        self._cursor_lock = threading.Lock()
        # No replacement scans: a table the copy lacks (users, files) must be an error, not a
        # Python variable of that name; the copy's own Arrow inputs are registered by name.
        # Background threads let DuckDB's allocator give back to the system what a build or a
        # query freed (national build: RSS +590 MB, +280 MB some seconds later; without them it
        # stayed at +520 MB). The setting is the process's, for every DuckDB in it.
        self._db = duckdb.connect(":memory:", config={"memory_limit": memory_limit,
                                                      "python_enable_replacements": False,
                                                      "allocator_background_threads": True})
        try:
            _run(self._db, f"ATTACH ':memory:' AS {CATALOG}" + (" (COMPRESS)" if compress else ""))
            _run(self._db, f"USE {CATALOG}")
            self._build()
        except BaseException:
            self._db.close()
            raise

    def _build(self) -> None:
        with self.source.snapshot() as snap:
            for table in self.tables:
                self._copy(table.name, snap.scan(table.name, ordered=self.dashboards))
                if table.name == "meta":
                    self._check_schema()
        if self.dashboards:
            _run(self._db, migrations.VIEWS)
            _run(self._db, KEPT_LIVE)
            _run(self._db, KEPT_TABLES)
            _run(self._db, LIVE_MACRO)
            _run(self._db, EXTRA_TABLE)
            _run(self._db, FAST_MACRO)
            for scoped in SCOPED:
                _run(self._db, scoped.live())
                _run(self._db, scoped.create())
            self._recompute_extra(self._db, None)
            self._reference = _run(self._db, _REFERENCE_PRINT)[0][0]
        self._checkpoint(self._db)

    def _recompute_extra(self, con, affected: pa.Table | None) -> None:
        """The rows of boundary_extra and of the SCOPED tables of these (unit_code, period_key)
        pairs computed again from the copy's tables; all of them when affected is None."""
        halves = "true" if _run(con, "SELECT count(*) > 0 FROM period_halves")[0][0] else "false"
        tables = ("boundary_extra", *(t.table for t in SCOPED))
        if affected is None:
            for table in tables:
                con.execute(f"DELETE FROM {table}")
            where, params = "", []
        else:
            if not affected.num_rows:
                return
            con.register("affected_pairs", affected)
            for table in tables:
                con.execute(f"DELETE FROM {table} e USING affected_pairs a "
                            "WHERE e.unit_code = a.unit_code AND e.period_key = a.period_key")
            # The periods as constants: DuckDB pushes them into the scans of the macro (the
            # values are sorted by period), which a join with the pairs alone would not.
            params = sorted(set(affected.column("period_key").to_pylist()))
            where = (" SEMI JOIN affected_pairs a USING (unit_code, period_key) "
                     f"WHERE b.period_key IN ({', '.join('?' * len(params))}) AND")
        for unrev in ("false", "true"):
            con.execute(f"INSERT INTO boundary_extra SELECT {unrev}, {_EXTRA_COLUMNS} "
                        f"FROM boundary_values_live({unrev}, true, {halves}) b"
                        f"{where or ' WHERE'} b.submission_id IS NULL", params)
        # After boundary_extra: the copy's boundary_values reads it. One scope after the other,
        # so a query reads its scope's row groups only.
        for scoped in SCOPED:
            for unrev in ("false", "true"):
                for today in ("false", "true"):
                    con.execute(f"INSERT INTO {scoped.table} SELECT {unrev}, {today}, b.* "
                                f"FROM {scoped.call(unrev, today, halves)} b{where.removesuffix(' AND')} "
                                f"ORDER BY {scoped.order}", params)
        if affected is not None:
            con.unregister("affected_pairs")

    def _affected(self, con, old_weights: pa.Table) -> pa.Table:
        """The pairs of boundary_extra a refresh of the pairs registered as `changed` may change:
        those pairs, the same periods of the current units their units went to, the periods
        straddling the merger whose halves they are, and every period of a current unit whose
        lineage weights changed (they follow populations)."""
        con.register("old_weights", old_weights)
        try:
            return con.execute(f"""
                WITH moved AS (
                    SELECT new_code FROM (SELECT * FROM old_weights EXCEPT {_WEIGHTS})
                    UNION SELECT new_code FROM ({_WEIGHTS} EXCEPT SELECT * FROM old_weights)),
                direct AS (
                    SELECT unit_code, period_key FROM changed
                    UNION SELECT w.new_code, c.period_key FROM changed c
                    JOIN lineage_weights w ON w.old_code = c.unit_code
                    UNION SELECT w.new_code, s.period_key FROM lineage_weights w
                    JOIN submissions s ON s.unit_code = w.old_code
                    WHERE w.new_code IN (SELECT new_code FROM moved))
                SELECT unit_code, period_key FROM direct
                UNION SELECT d.unit_code, h.period_key FROM direct d
                JOIN period_halves h ON d.period_key IN (h.before_key, h.after_key)""").to_arrow_table()
        finally:
            con.unregister("old_weights")

    def _check_schema(self) -> None:
        with self.connect() as cur:
            if not migrations.up_to_date(cur):
                raise SourceOutdated(
                    "Cơ sở dữ liệu nguồn cần được nâng cấp lên phiên bản mới của phần mềm "
                    "(chạy 'python -m etl init') trước khi tạo bản sao đọc.")

    def _copy(self, name: str, reader: pa.RecordBatchReader) -> None:
        self._db.register("incoming", reader.schema.empty_table())
        _run(self._db, f"CREATE TABLE {name} AS SELECT * FROM incoming")
        pending = 0
        for batch in reader:
            self._db.register("incoming", batch)
            _run(self._db, f"INSERT INTO {name} SELECT * FROM incoming")
            pending += batch.num_rows
            if pending >= CHECKPOINT_ROWS:
                self._checkpoint(self._db)
                pending = 0
        self._db.unregister("incoming")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection to the copy for one thread (DuckDB connections are not shared between
        threads); each query sees the copy as of its start."""
        with self._cursor_lock:
            cur = self._db.cursor()
        _run(cur, f"USE {CATALOG}")
        return cur

    @contextmanager
    def connect(self):
        """cursor() as a context manager, closed after the block, like db.connect."""
        cur = self.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def refresh(self, pairs: Iterable[tuple[str, str]] | pa.Table, whole: bool = False) -> int:
        """Replace the rows of these (unit_code, period_key) pairs and every small table with the
        source's, in one transaction; returns the new version. Pairs the source no longer holds
        are removed. whole: the small tables changed (catalogue, registry, a deadline), even
        without pairs."""
        changed = pairs_table(pairs)
        if not changed.num_rows and not whole:
            return self.version
        with self._refresh_lock:
            started = time.perf_counter()
            # Read first, then write: the source is held only while it is read, and the
            # replica's transaction holds no wait on the source.
            with self.source.snapshot() as snap:
                fresh = {t.name: snap.scan(t.name).read_all() if t.key == WHOLE else snap.rows(t, changed)
                         for t in self.tables}
            read = time.perf_counter()
            # A cursor of its own: its registrations go with it.
            cur = self.cursor()
            try:
                cur.register("changed", changed)
                for name, rows in fresh.items():
                    cur.register(f"incoming_{name}", rows)
                with db.transaction(cur):
                    if self.dashboards:
                        old_weights = cur.execute(_WEIGHTS).to_arrow_table()
                    for table in self._refresh_order:
                        cur.execute(_replace_sql(table))
                        cur.execute(f"INSERT INTO {table.name} BY NAME SELECT * FROM incoming_{table.name}")
                    if self.dashboards:
                        cur.execute(KEPT_REFRESH)
                        reference = _run(cur, _REFERENCE_PRINT)[0][0]
                        if reference != self._reference:
                            self._recompute_extra(cur, None)
                        else:
                            self._recompute_extra(cur, self._affected(cur, old_weights))
                applied = time.perf_counter()
                self.version += 1
                if self.dashboards:
                    self._reference = reference
                # Readers' transactions do not stop it (measured); the rows are few.
                self._checkpoint(cur)
            finally:
                cur.close()
            done = time.perf_counter()
            self.last_refresh = {"read_s": read - started, "apply_s": applied - read,
                                 "compress_s": done - applied}
            return self.version

    def _checkpoint(self, con) -> None:
        """Compress what was written since the last checkpoint."""
        if self.compress:
            _run(con, f"CHECKPOINT {CATALOG}")

    def memory_bytes(self) -> int:
        """What DuckDB holds for this copy and its running queries."""
        return int(self._db.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Replica":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
