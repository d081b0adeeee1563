"""The one module that opens DuckDB: path resolution, lock-aware connections, schema and `init`.

DuckDB lets one process write a file, and refuses every other process (readers included) while a
writer holds it; a writer is refused while any other process has the file open. So nothing here
keeps a connection open: every use opens, works and closes, and an open that meets a lock waits
and retries. Readers (the dashboard) open read-only so several can share; writers (CLI, uploads)
keep transactions short so readers get in between.
"""
import csv
import hashlib
import os
import random
import threading
import time
import warnings
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from etl import config
from etl.domain import vn

# fetch_df() takes Arrow from an execute() result. DuckDB suggests con.sql() to save a copy, but a
# relation refuses to run while an earlier result is not fully fetched; the copy costs ~1 ms.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
DEFAULT_DB = DATA_DIR / "danvan.duckdb"
SCHEMA_VERSION = 3


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


def db_path(path: str | os.PathLike | None = None) -> Path:
    return Path(path or config.get("DANVAN_DB") or DEFAULT_DB)


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
def connect(path=None, read_only: bool = False, timeout: float | None = None):
    """Open the database, waiting while another process holds a conflicting lock."""
    target = db_path(path)
    if read_only and not target.exists():
        raise FileNotFoundError(
            f"Chưa có cơ sở dữ liệu {target}. Chạy 'python -m etl init' (hoặc 'make run') trước."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + (config.get("DANVAN_LOCK_TIMEOUT") if timeout is None else timeout)
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
def transaction(con):
    """BEGIN ... COMMIT, or ROLLBACK when the block raises (and the exception goes on)."""
    con.execute("BEGIN")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def audit(con, actor: str | None, action: str, detail: str, file_name: str | None = None,
          submission_id: int | None = None, at=None) -> None:
    """One row of audit_log: who did what, when, from which file. Every write calls it inside
    its own transaction, so the log and the change land together or not at all."""
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?)",
                [at or datetime.now(), actor, action, detail, file_name, submission_id])


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
    """Changes whenever a writer commits: used to key cached query results."""
    target = db_path(path)
    parts = []
    for p in (target, Path(str(target) + ".wal")):
        try:
            st = p.stat()
            parts.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            parts.append(None)
    return tuple(parts)


SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS provinces (
    code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, valid_from DATE, valid_to DATE);

-- Commune-level units (phường, xã, đặc khu). Old (pre-2025) units can live here too, with valid_to.
CREATE TABLE IF NOT EXISTS units (
    code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, unit_type VARCHAR NOT NULL,
    type_label VARCHAR NOT NULL, province_code VARCHAR NOT NULL,
    valid_from DATE, valid_to DATE, former_district VARCHAR, source_note VARCHAR,
    name_folded VARCHAR NOT NULL, name_sort VARCHAR NOT NULL);

-- Merger lineage: which old units (and which share of them) a current unit was formed from.
CREATE TABLE IF NOT EXISTS unit_predecessors (
    new_code VARCHAR NOT NULL, seq INTEGER NOT NULL, old_code VARCHAR, old_type VARCHAR,
    old_name VARCHAR NOT NULL, old_district VARCHAR, share_note VARCHAR NOT NULL,
    population_share DOUBLE, valid_to DATE, PRIMARY KEY (new_code, seq));

CREATE TABLE IF NOT EXISTS indicators (
    code VARCHAR PRIMARY KEY, group_name VARCHAR NOT NULL, label VARCHAR NOT NULL,
    unit VARCHAR NOT NULL, kind VARCHAR NOT NULL CHECK (kind IN ('flow', 'stock', 'score')),
    value_type VARCHAR NOT NULL CHECK (value_type IN ('integer', 'decimal')),
    min_value DOUBLE, max_value DOUBLE, sort_order INTEGER NOT NULL, note VARCHAR);

CREATE TABLE IF NOT EXISTS rules (
    rule_id VARCHAR PRIMARY KEY, left_expr VARCHAR NOT NULL, op VARCHAR NOT NULL,
    right_expr VARCHAR NOT NULL, severity VARCHAR NOT NULL, message VARCHAR NOT NULL);

CREATE TABLE IF NOT EXISTS derived_measures (
    code VARCHAR PRIMARY KEY, label VARCHAR NOT NULL, numerator VARCHAR NOT NULL,
    denominator VARCHAR NOT NULL, unit VARCHAR NOT NULL);

CREATE TABLE IF NOT EXISTS rating_thresholds (
    rating VARCHAR PRIMARY KEY, min_total DOUBLE NOT NULL, sort_order INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS periods (
    period_key VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, convention VARCHAR NOT NULL,
    start_date DATE NOT NULL, end_date DATE NOT NULL, label VARCHAR NOT NULL, deadline DATE);

-- Raw uploaded files, content-addressed, kept forever.
CREATE TABLE IF NOT EXISTS files (
    sha256 VARCHAR PRIMARY KEY, size_bytes BIGINT NOT NULL, content BLOB NOT NULL);

-- One row per version of a unit's report for a period. status: draft | submitted | accepted | returned.
-- is_current marks the newest version; older ones stay, pointing at the version that replaced them.
CREATE SEQUENCE IF NOT EXISTS submission_ids;
CREATE TABLE IF NOT EXISTS submissions (
    submission_id BIGINT PRIMARY KEY, unit_code VARCHAR NOT NULL, period_key VARCHAR NOT NULL,
    version INTEGER NOT NULL, status VARCHAR NOT NULL, is_current BOOLEAN NOT NULL,
    superseded_by BIGINT, source VARCHAR NOT NULL CHECK (source IN ('file', 'demo')),
    file_name VARCHAR, sha256 VARCHAR, template_version VARCHAR, sent_by VARCHAR,
    loaded_at TIMESTAMP NOT NULL, review_comment VARCHAR, reviewed_by VARCHAR,
    reviewed_at TIMESTAMP,
    -- Kept by refresh_shown(): the version the dashboards show for its unit and period, by default
    -- (newest accepted) and with «Gồm số liệu chưa duyệt» (newest accepted or awaiting review).
    shown_accepted BOOLEAN DEFAULT false, shown_unreviewed BOOLEAN DEFAULT false);

-- Reported values only: an indicator left blank has no row ("chưa báo cáo" is never 0).
-- No index on purpose: bulk loads of millions of rows stay fast; the loader keeps pairs unique.
CREATE TABLE IF NOT EXISTS submission_values (
    submission_id BIGINT NOT NULL, indicator_code VARCHAR NOT NULL, value DOUBLE NOT NULL,
    sheet VARCHAR, cell VARCHAR, raw_text VARCHAR);

-- The values the dashboards read, kept by refresh_shown(): shown versions only, with their unit
-- and period, so a query filters one table instead of choosing versions among millions of values.
-- Written in period kind order, then months by (indicator, period) and other kinds by (period,
-- indicator), so a query skips the row groups it does not need (min/max per row group): one
-- indicator's 120 months, one year or quarter of every indicator, one unit's yearly history
-- each read a small part of the table.
CREATE TABLE IF NOT EXISTS shown_facts (
    unit_code VARCHAR NOT NULL, period_key VARCHAR NOT NULL, period_kind VARCHAR NOT NULL,
    start_date DATE NOT NULL, end_date DATE NOT NULL, indicator_code VARCHAR NOT NULL,
    value DOUBLE NOT NULL, submission_id BIGINT NOT NULL, status VARCHAR NOT NULL,
    source VARCHAR NOT NULL, in_accepted BOOLEAN NOT NULL, in_unreviewed BOOLEAN NOT NULL);

-- Warnings and notices recorded with an accepted submission (errors refuse the file instead).
CREATE TABLE IF NOT EXISTS findings (
    submission_id BIGINT NOT NULL, file_name VARCHAR, sheet VARCHAR, cell VARCHAR,
    value VARCHAR, rule VARCHAR NOT NULL, severity VARCHAR NOT NULL, message VARCHAR NOT NULL);

-- "Dân vận khéo" models: one row per model of a unit, one status row per reporting year.
CREATE SEQUENCE IF NOT EXISTS dvk_model_ids;
CREATE TABLE IF NOT EXISTS dvk_models (
    model_id BIGINT PRIMARY KEY, unit_code VARCHAR NOT NULL, name VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL, field VARCHAR, lead_org VARCHAR, year_started INTEGER);
CREATE TABLE IF NOT EXISTS dvk_model_reports (
    model_id BIGINT NOT NULL, submission_id BIGINT NOT NULL, recognition VARCHAR,
    status VARCHAR, sheet VARCHAR, row_number INTEGER);
-- The dropdown lists of the models sheet (list = field | recognition | status), from data/.
CREATE TABLE IF NOT EXISTS dvk_options (
    list VARCHAR NOT NULL, value VARCHAR NOT NULL, sort_order INTEGER NOT NULL, note VARCHAR,
    PRIMARY KEY (list, value));
-- Short names of the 10 assessment criteria for charts (full names: indicators.label).
CREATE TABLE IF NOT EXISTS assessment_criteria (code VARCHAR PRIMARY KEY, short_name VARCHAR NOT NULL);

-- Local accounts; passwords only as argon2 hashes (etl/accounts.py).
CREATE TABLE IF NOT EXISTS users (
    username VARCHAR PRIMARY KEY, full_name VARCHAR, role VARCHAR NOT NULL,
    unit_code VARCHAR, password_hash VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL);

-- Signed-in sessions (etl/sessions.py): only the SHA-256 of the cookie's random token is kept, so
-- a copy of the database opens no session. Signing out, removing the account or changing its
-- password deletes the rows.
CREATE TABLE IF NOT EXISTS sessions (
    token_hash VARCHAR PRIMARY KEY, username VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL, client VARCHAR);

CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP NOT NULL, actor VARCHAR, action VARCHAR NOT NULL, detail VARCHAR,
    file_name VARCHAR, submission_id BIGINT);

-- What the dashboard reads: the newest version of every report, with its period.
CREATE OR REPLACE VIEW current_values AS
SELECT s.unit_code, s.period_key, p.kind AS period_kind, p.start_date, p.end_date,
       v.indicator_code, v.value, s.submission_id, s.status, s.source, v.sheet, v.cell
FROM submission_values v
JOIN submissions s USING (submission_id)
JOIN periods p USING (period_key)
WHERE s.is_current;

-- What the dashboards show for a unit and period: its newest accepted version, so an accepted
-- report stays visible while a newer version awaits review. With include_unreviewed, the newest
-- version awaiting review ('submitted') counts too. A returned version never counts.
CREATE OR REPLACE MACRO shown_submissions(include_unreviewed) AS TABLE
SELECT * FROM submissions
WHERE CASE WHEN include_unreviewed THEN shown_unreviewed ELSE shown_accepted END;

-- current_values' columns (without sheet and cell), over shown_submissions.
CREATE OR REPLACE MACRO shown_values(include_unreviewed) AS TABLE
SELECT unit_code, period_key, period_kind, start_date, end_date, indicator_code, value,
       submission_id, status, source
FROM shown_facts
WHERE CASE WHEN include_unreviewed THEN in_unreviewed ELSE in_accepted END;
"""

_DATA_FILES = {
    # table: (csv file, columns in table order)
    "provinces": ("provinces.csv", ["code", "name", "valid_from", "valid_to"]),
    "indicators": ("indicators.csv", ["code", "group", "label", "unit", "kind", "value_type",
                                      "min_value", "max_value", "sort_order", "note"]),
    "rules": ("rules.csv", ["rule_id", "left", "op", "right", "severity", "message"]),
    "derived_measures": ("derived_measures.csv", ["code", "label", "numerator", "denominator", "unit"]),
    "rating_thresholds": ("ratings.csv", ["rating", "min_total", "sort_order"]),
    "dvk_options": ("dvk_options.csv", ["list", "value", "sort_order", "note"]),
    "assessment_criteria": ("assessment_criteria.csv", ["code", "short_name"]),
}


def refresh_shown(con, pairs=None) -> None:
    """Recompute which versions the dashboards show, and their values in shown_facts.

    pairs: (unit_code, period_key) tuples whose submissions changed (new version, review), or None
    for everything. Every writer of submissions calls it inside its own transaction.
    """
    if pairs is None:
        scope = "true"
    else:
        pairs = sorted(set(pairs))
        if not pairs:
            return
        changed_pairs = pa.table({  # noqa: F841 (read by DuckDB's replacement scan)
            "unit_code": [u for u, _ in pairs], "period_key": [p for _, p in pairs]})
        scope = ("EXISTS (SELECT 1 FROM changed_pairs c WHERE c.unit_code = s.unit_code "
                 "AND c.period_key = s.period_key)")
    con.execute(f"""
        UPDATE submissions t SET shown_accepted = f.acc, shown_unreviewed = f.unrev
        FROM (SELECT submission_id,
                     status = 'accepted' AND row_number() OVER (
                         PARTITION BY unit_code, period_key, status = 'accepted'
                         ORDER BY version DESC) = 1 AS acc,
                     status IN ('accepted', 'submitted') AND row_number() OVER (
                         PARTITION BY unit_code, period_key, status IN ('accepted', 'submitted')
                         ORDER BY version DESC) = 1 AS unrev
              FROM submissions s WHERE {scope}) f
        WHERE t.submission_id = f.submission_id
          AND (t.shown_accepted IS DISTINCT FROM f.acc OR t.shown_unreviewed IS DISTINCT FROM f.unrev)""")
    con.execute(f"DELETE FROM shown_facts WHERE submission_id IN "
                f"(SELECT submission_id FROM submissions s WHERE {scope})")
    con.execute(f"""
        INSERT INTO shown_facts
        SELECT s.unit_code, s.period_key, p.kind, p.start_date, p.end_date, v.indicator_code,
               v.value, s.submission_id, s.status, s.source, s.shown_accepted, s.shown_unreviewed
        FROM submission_values v
        JOIN submissions s USING (submission_id)
        JOIN periods p USING (period_key)
        WHERE (s.shown_accepted OR s.shown_unreviewed) AND {scope}
        ORDER BY p.kind, CASE WHEN p.kind = 'month' THEN v.indicator_code END, s.period_key,
                 v.indicator_code""")


def read_data_file(name: str, data_dir: Path = DATA_DIR) -> list[dict]:
    with open(data_dir / name, encoding="utf-8", newline="") as f:
        return [{k: (vn.nfc(v) if v is not None else v) for k, v in row.items()}
                for row in csv.DictReader(f)]


def _blank_to_none(value):
    return None if value in ("", None) else value


def _replace_table(con, table: str, columns: list[str], rows: list[dict]) -> None:
    con.execute(f"DELETE FROM {table}")
    if rows:
        marks = ", ".join("?" for _ in columns)
        con.executemany(f"INSERT INTO {table} VALUES ({marks})",
                        [[_blank_to_none(r[c]) for c in columns] for r in rows])


def init_db(path=None, data_dir: Path = DATA_DIR) -> dict:
    """Create or upgrade the schema and (re)load catalogue, rules and unit registry. Idempotent."""
    with connect(path) as con:
        con.execute("BEGIN")
        con.execute(SCHEMA)
        # Version 2 keeps the shown versions materialised (refresh_shown); older files catch up.
        for column in ("shown_accepted", "shown_unreviewed"):
            con.execute(f"ALTER TABLE submissions ADD COLUMN IF NOT EXISTS {column} "
                        "BOOLEAN DEFAULT false")
        stored = con.execute("SELECT max(value::INTEGER) FROM meta "
                             "WHERE key = 'schema_version'").fetchone()[0]
        for table, (file_name, columns) in _DATA_FILES.items():
            _replace_table(con, table, columns, read_data_file(file_name, data_dir))
        units = read_data_file("units.csv", data_dir)
        for u in units:
            u["name_folded"], u["name_sort"] = vn.fold(u["name"]), vn.sort_key(u["name"])
        # Upsert rather than replace: submissions refer to unit codes.
        con.execute("CREATE TEMP TABLE new_units AS SELECT * FROM units LIMIT 0")
        cols = ["code", "name", "unit_type", "type_label", "province_code", "valid_from",
                "valid_to", "former_district", "source_note", "name_folded", "name_sort"]
        con.executemany(f"INSERT INTO new_units VALUES ({', '.join('?' for _ in cols)})",
                        [[_blank_to_none(u[c]) for c in cols] for u in units])
        con.execute("INSERT OR REPLACE INTO units SELECT * FROM new_units")
        con.execute("DROP TABLE new_units")
        preds = read_data_file("unit_predecessors.csv", data_dir)
        con.execute("DELETE FROM unit_predecessors")
        con.executemany(
            "INSERT INTO unit_predecessors VALUES (?, ?, NULL, ?, ?, ?, ?, NULL, ?)",
            [[p["new_code"], int(p["seq"]), p["old_type"], p["old_name"], p["old_district"],
              p["share_note"], _blank_to_none(p["valid_to"])] for p in preds])
        if stored is not None and stored < 2:
            refresh_shown(con)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("units", "unit_predecessors", "indicators", "rules", "periods", "submissions")}
        con.execute("COMMIT")
    return counts
