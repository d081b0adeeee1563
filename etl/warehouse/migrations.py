"""The warehouse schema as numbered migrations, applied in order by `etl init`.

A database records the number of the last migration applied in meta.schema_version; init
(etl.warehouse.reference.init_db) applies every later one inside its transaction, then
(re)creates the views and macros, which hold no data. A fresh database runs them all, so it ends
with the same tables as an upgraded one. Add a change as a new migration at the end; never edit
one that has shipped, databases out there have run it.
"""
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from etl.warehouse import db
from etl.warehouse.shown import refresh_shown

ORIGINAL_SCHEMA = """
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
    reviewed_at TIMESTAMP);

-- Reported values only: an indicator left blank has no row ("chưa báo cáo" is never 0).
-- No index on purpose: bulk loads of millions of rows stay fast; the loader keeps pairs unique.
CREATE TABLE IF NOT EXISTS submission_values (
    submission_id BIGINT NOT NULL, indicator_code VARCHAR NOT NULL, value DOUBLE NOT NULL,
    sheet VARCHAR, cell VARCHAR, raw_text VARCHAR);

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

-- Local accounts; passwords only as argon2 hashes (etl/workflow/accounts.py).
CREATE TABLE IF NOT EXISTS users (
    username VARCHAR PRIMARY KEY, full_name VARCHAR, role VARCHAR NOT NULL,
    unit_code VARCHAR, password_hash VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL);

CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP NOT NULL, actor VARCHAR, action VARCHAR NOT NULL, detail VARCHAR,
    file_name VARCHAR, submission_id BIGINT);
"""

SHOWN_FACTS = """
-- Kept by etl.warehouse.shown.refresh_shown(): the version the dashboards show for its unit and
-- period, by default (newest accepted) and with «Gồm số liệu chưa duyệt» (newest accepted or
-- awaiting review).
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS shown_accepted BOOLEAN DEFAULT false;
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS shown_unreviewed BOOLEAN DEFAULT false;

-- The values the dashboards read, kept by refresh_shown(): shown versions only, with their unit
-- and period, so a query filters one table instead of choosing versions among millions of values.
-- Written in period kind order, then months by (year, indicator, period) and other kinds by
-- (period, indicator), so a query skips the row groups it does not need (min/max per row group):
-- one indicator's 120 months, one year or quarter of every indicator, one unit's yearly history
-- each read a small part of the table. (Months by indicator alone spanned years in a row group,
-- '2022-02'..'2025-03', which holds the key '2025' between its bounds: a year's query read a
-- third of the months.)
CREATE TABLE IF NOT EXISTS shown_facts (
    unit_code VARCHAR NOT NULL, period_key VARCHAR NOT NULL, period_kind VARCHAR NOT NULL,
    start_date DATE NOT NULL, end_date DATE NOT NULL, indicator_code VARCHAR NOT NULL,
    value DOUBLE NOT NULL, submission_id BIGINT NOT NULL, status VARCHAR NOT NULL,
    source VARCHAR NOT NULL, in_accepted BOOLEAN NOT NULL, in_unreviewed BOOLEAN NOT NULL);
"""

SESSIONS = """
-- Signed-in sessions (etl/workflow/sessions.py): only the SHA-256 of the cookie's random token is
-- kept, so a copy of the database opens no session. Signing out, removing the account or
-- changing its password deletes the rows.
CREATE TABLE IF NOT EXISTS sessions (
    token_hash VARCHAR PRIMARY KEY, username VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL, client VARCHAR);
"""

# Domain facts the code used to hard-code, now columns of the catalogue files of data/: whether
# a higher value of an indicator is the better one, whether it is compared per 10,000 residents,
# what a models list value means to the counts, a rating's colour.
CATALOGUE_PRESENTATION = """
ALTER TABLE indicators ADD COLUMN IF NOT EXISTS better VARCHAR;
ALTER TABLE indicators ADD COLUMN IF NOT EXISTS per_capita BOOLEAN;
ALTER TABLE dvk_options ADD COLUMN IF NOT EXISTS meaning VARCHAR;
ALTER TABLE rating_thresholds ADD COLUMN IF NOT EXISTS colour VARCHAR;
"""

# A unit's display name ("Phường Việt Hòa"), built once when the registry is loaded
# (etl.domain.vn.unit_name) instead of in every query and page.
UNIT_FULL_NAME = """
ALTER TABLE units ADD COLUMN IF NOT EXISTS full_name VARCHAR;
UPDATE units SET full_name = type_label || ' ' || name WHERE full_name IS NULL;
"""

# The 2025 merger: old units live in units next to the current ones (id = official code +
# '@' + last valid day, see etl.warehouse.registry), and unit_lineage says which old units and
# which share of each (full | partial) a current unit was formed from. It replaces the
# free-text unit_predecessors, which named old units without their codes.
MERGER_LINEAGE = """
ALTER TABLE units ADD COLUMN IF NOT EXISTS official_code VARCHAR;
ALTER TABLE units ADD COLUMN IF NOT EXISTS level VARCHAR;
ALTER TABLE units ADD COLUMN IF NOT EXISTS former_province VARCHAR;
ALTER TABLE units ADD COLUMN IF NOT EXISTS long_name VARCHAR;
UPDATE units SET official_code = code, level = 'commune' WHERE official_code IS NULL;
CREATE TABLE IF NOT EXISTS unit_lineage (
    new_code VARCHAR NOT NULL, old_code VARCHAR NOT NULL,
    share VARCHAR NOT NULL CHECK (share IN ('full', 'partial')), PRIMARY KEY (new_code, old_code));
DROP TABLE IF EXISTS unit_predecessors;
-- How much of an old unit's flows each successor gets on today's boundaries, kept by
-- etl.warehouse.shown.refresh_weights: 1 for a full share; a partial old unit is split by the
-- successors' latest reported population, or equally when one of them has none. One row set per
-- view of the data (unreviewed: with «Gồm số liệu chưa duyệt»), from the populations it shows.
CREATE TABLE IF NOT EXISTS lineage_weights (
    unreviewed BOOLEAN NOT NULL, new_code VARCHAR NOT NULL, old_code VARCHAR NOT NULL,
    share VARCHAR NOT NULL, weight DOUBLE NOT NULL, method VARCHAR NOT NULL);
"""

# What the dashboards' in-memory copies (etl.warehouse.replica) need to follow the writes of
# other processes: every write transaction appends what it changed (etl.warehouse.db.record_change).
CHANGE_LOG = """
CREATE SEQUENCE IF NOT EXISTS change_ids;
CREATE TABLE IF NOT EXISTS change_log (
    change_id BIGINT PRIMARY KEY, committed_at TIMESTAMP NOT NULL,
    what VARCHAR NOT NULL CHECK (what IN ('pairs', 'reference')), unit_code VARCHAR,
    period_key VARCHAR);
"""

# Views and macros hold no data: recreated after every migration run, over the latest tables.
VIEWS = """
-- The newest version of every report, with its period (history, provenance, the checks' tests).
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
-- Periods that hold a report, with how many units reported (one current report per unit). The
-- read copy keeps it as a table.
CREATE OR REPLACE VIEW reported_periods AS
SELECT period_key, count(*) AS n FROM submissions WHERE is_current GROUP BY period_key;
-- Periods that straddle the merger date of current units (2025: January–June by the old units,
-- July–December by the new ones): the two periods of the same convention that split it there.
-- Never a multi-year summary.
CREATE OR REPLACE VIEW period_halves AS
SELECT p.period_key, b.period_key AS before_key, a.period_key AS after_key, m.d AS split_date
FROM periods p
JOIN periods b ON b.start_date = p.start_date AND b.convention = p.convention
JOIN periods a ON a.end_date = p.end_date AND a.start_date = b.end_date + 1 AND a.convention = p.convention
CROSS JOIN (SELECT DISTINCT valid_from AS d FROM units
            WHERE valid_to IS NULL AND valid_from IS NOT NULL) m
WHERE p.kind <> 'multi_year' AND b.end_date < m.d AND a.start_date <= m.d
  AND a.start_date > m.d - 32 AND a.end_date >= m.d;

-- Today's units' values: a current unit's own
-- report for a period wins; else its old units' values by lineage weight (flows, an estimate when
-- holding a split or missing an old unit's report; stocks only when every old unit went to it
-- whole and reported; scores never). shown_values' columns plus estimated (holds a split or
-- misses part of its old units), from_units (the old units' ids, ';'-separated), combined.
-- The CTEs are not materialised, so a query's filters (period, indicator, unit) reach the scans:
-- built whole, today's boundaries took 1,2–5,5 s a query on the national data.
CREATE OR REPLACE MACRO today_values(unrev) AS TABLE
WITH cur AS (SELECT code FROM units WHERE valid_to IS NULL),
w AS (SELECT * FROM lineage_weights WHERE unreviewed = unrev),
own AS (SELECT unit_code, period_key FROM shown_submissions(unrev)
        WHERE unit_code IN (SELECT code FROM cur)),
npred AS (SELECT new_code, count(*) AS n, bool_or(share = 'partial') AS has_partial
          FROM w GROUP BY new_code),
att0 AS NOT MATERIALIZED (
    SELECT w.new_code AS unit_code, v.period_key, v.period_kind, v.start_date, v.end_date,
           v.indicator_code, any_value(i.kind) AS kind, sum(v.value * w.weight) AS value,
           min(v.status) AS status, min(v.source) AS source,
           bool_or(w.share = 'partial') AS split, count(*) AS n_from,
           string_agg(w.old_code, ';' ORDER BY w.old_code) AS from_units
    FROM shown_values(unrev) v
    JOIN w ON w.old_code = v.unit_code
    JOIN indicators i ON i.code = v.indicator_code
    WHERE i.kind IN ('flow', 'stock')
    -- Grouped by the period's kind and dates too, so a query's filters on them reach the scan.
    GROUP BY w.new_code, v.period_key, v.period_kind, v.start_date, v.end_date, v.indicator_code)
SELECT unit_code, period_key, period_kind, start_date, end_date, indicator_code, value,
       submission_id, status, source, false AS estimated, NULL::VARCHAR AS from_units,
       false AS combined
FROM shown_values(unrev)
WHERE unit_code IN (SELECT code FROM cur)
UNION ALL
SELECT a.unit_code, a.period_key, a.period_kind, a.start_date, a.end_date, a.indicator_code,
       a.value, NULL::BIGINT, a.status, a.source, a.split OR a.n_from < n.n, a.from_units, false
FROM att0 a JOIN npred n ON n.new_code = a.unit_code
-- An anti-join written out: NOT EXISTS made DuckDB compute att0 a second time, unfiltered.
LEFT JOIN own o ON o.unit_code = a.unit_code AND o.period_key = a.period_key
WHERE (a.kind = 'flow' OR (NOT n.has_partial AND a.n_from = n.n)) AND o.unit_code IS NULL;

-- The values on the chosen boundaries (etl.read.scope.Scope.boundaries), with today_values'
-- columns. today = true, today's boundaries: today_values, and a period straddling the merger
-- without the unit's own report adds its halves' flows (both needed) and takes the stocks at
-- its end. today = false, as reported: each unit's own values, for the periods it existed at
-- the end of. halves: whether any period straddles the merger (etl.read._sql passes it); a
-- constant false lets the planner drop that branch, which otherwise scans every value.
CREATE OR REPLACE MACRO boundary_values(unrev, today, halves) AS TABLE
WITH hk AS (SELECT * FROM period_halves WHERE today AND halves),
tv AS NOT MATERIALIZED (SELECT * FROM today_values(unrev)),
hv AS NOT MATERIALIZED (
    SELECT * FROM tv WHERE period_key IN (SELECT before_key FROM hk UNION SELECT after_key FROM hk)),
comp AS (
    SELECT av.unit_code, h.period_key, p.kind AS period_kind, p.start_date, p.end_date,
           av.indicator_code,
           CASE WHEN i.kind = 'flow' THEN bv.value + av.value ELSE av.value END AS value,
           NULL::BIGINT AS submission_id, av.status, av.source,
           av.estimated OR coalesce(bv.estimated AND i.kind = 'flow', false) AS estimated,
           CASE WHEN i.kind = 'flow' THEN concat_ws(';', bv.from_units, av.from_units)
                ELSE av.from_units END AS from_units, true AS combined
    FROM hk h
    JOIN periods p ON p.period_key = h.period_key
    JOIN hv av ON av.period_key = h.after_key
    JOIN units c ON c.code = av.unit_code AND c.valid_to IS NULL AND c.valid_from = h.split_date
    JOIN indicators i ON i.code = av.indicator_code
    LEFT JOIN hv bv ON bv.period_key = h.before_key AND bv.unit_code = av.unit_code
                     AND bv.indicator_code = av.indicator_code
    WHERE ((i.kind = 'flow' AND bv.value IS NOT NULL) OR i.kind = 'stock')
      AND NOT EXISTS (SELECT 1 FROM shown_submissions(unrev) o WHERE o.unit_code = av.unit_code
                      AND o.period_key = h.period_key))
SELECT * FROM tv WHERE today
UNION ALL SELECT * FROM comp
UNION ALL
SELECT v.unit_code, v.period_key, v.period_kind, v.start_date, v.end_date, v.indicator_code,
       v.value, v.submission_id, v.status, v.source, false, NULL, false
FROM shown_values(unrev) v JOIN units u ON u.code = v.unit_code
WHERE NOT today AND (u.valid_from IS NULL OR u.valid_from <= v.end_date)
  AND (u.valid_to IS NULL OR v.end_date <= u.valid_to);

-- The populations reported on the chosen boundaries: what a value per 10.000 residents divides
-- by (etl.read._sql.POP_AT). The read copy keeps them in a table of their own (one row in 28 of
-- boundary_values, which a query otherwise scans whole for a unit's latest population).
CREATE OR REPLACE MACRO population_values(unrev, today, halves) AS TABLE
SELECT unit_code, period_key, end_date, value FROM boundary_values(unrev, today, halves)
WHERE indicator_code = 'population';

-- The criteria of the assessment on the chosen boundaries (etl.read.assessment): yearly, and
-- never attributed (today's units' own scores only, see today_values). The read copy keeps them
-- in a table of their own, as population_values.
CREATE OR REPLACE MACRO score_values(unrev, today, halves) AS TABLE
SELECT unit_code, period_key, indicator_code, value FROM boundary_values(unrev, today, halves)
WHERE period_kind = 'year' AND indicator_code IN (SELECT code FROM indicators WHERE kind = 'score');

-- «Dân vận khéo» models listed in the shown yearly reports, one row per model and year
-- (etl.read.models). On today's boundaries an old unit's models count at the unit it went to
-- whole; an old unit split between several keeps its models as reported (a model is not
-- divided). reported_by: the unit whose report lists it (a province filter tests it).
-- name_folded: vn.fold() in SQL (ten thousand names a year nationwide: ~50 ms in Python); the
-- names are stored single-spaced (etl.domain.dvk.clean_name). The read copy keeps the rows in a
-- table of their own.
CREATE OR REPLACE MACRO listed_models(unrev, today) AS TABLE
SELECT m.model_id, coalesce(fl.new_code, m.unit_code) AS unit_code, m.unit_code AS reported_by,
       m.name, m.name_key, strip_accents(replace(lower(m.name), 'đ', 'd')) AS name_folded,
       m.field, m.lead_org, m.year_started, r.recognition, r.status, s.period_key,
       year(p.end_date) AS year,
       -- What a status means to the counts is data (dvk_options.meaning), not a label here.
       CASE WHEN r.status IN (SELECT value FROM dvk_options
                              WHERE list = 'status' AND meaning = 'stopped') THEN 'stopped'
            WHEN m.year_started = year(p.end_date) THEN 'new'
            ELSE 'maintained' END AS state
FROM dvk_model_reports r
JOIN shown_submissions(unrev) s ON s.submission_id = r.submission_id
JOIN periods p ON p.period_key = s.period_key AND p.kind = 'year'
JOIN dvk_models m ON m.model_id = r.model_id
LEFT JOIN unit_lineage fl ON today AND fl.old_code = m.unit_code AND fl.share = 'full'
WHERE NOT today OR fl.new_code IS NOT NULL
   OR m.unit_code IN (SELECT code FROM units WHERE valid_to IS NULL);
"""


VIEWS_VERSION = hashlib.sha256(VIEWS.encode()).hexdigest()[:12]


def _original_schema(con) -> None:
    con.execute(ORIGINAL_SCHEMA)


def _shown_facts(con) -> None:
    con.execute(SHOWN_FACTS)
    # The data already stored gets its shown versions at once.
    refresh_shown(con, weights=False)


def _sessions(con) -> None:
    con.execute(SESSIONS)


def _catalogue_presentation(con) -> None:
    con.execute(CATALOGUE_PRESENTATION)


def _unit_full_name(con) -> None:
    con.execute(UNIT_FULL_NAME)


def _merger_lineage(con) -> None:
    con.execute(MERGER_LINEAGE)


def _change_log(con) -> None:
    con.execute(CHANGE_LOG)


# PostgreSQL reads a few pairs' rows by index, where DuckDB skips row groups by their min/max (and
# an index would slow its bulk loads): without these, every write's refresh_shown and
# refresh_weights, and every copy's refresh, scanned the 16 M national rows (measured by
# bench/server_bench.py: a change took 5,1 s to show on another replica, 0,4–0,6 s with them).
SERVER_INDEXES = """
CREATE INDEX IF NOT EXISTS shown_facts_submission ON shown_facts (submission_id);
CREATE INDEX IF NOT EXISTS shown_facts_pair ON shown_facts (unit_code, period_key);
CREATE INDEX IF NOT EXISTS shown_facts_indicator_unit ON shown_facts (indicator_code, unit_code);
CREATE INDEX IF NOT EXISTS submission_values_submission ON submission_values (submission_id);
CREATE INDEX IF NOT EXISTS submissions_pair ON submissions (unit_code, period_key);
CREATE INDEX IF NOT EXISTS submissions_sha256 ON submissions (sha256);
CREATE INDEX IF NOT EXISTS findings_submission ON findings (submission_id);
CREATE INDEX IF NOT EXISTS dvk_model_reports_submission ON dvk_model_reports (submission_id);
"""


def _server_indexes(con) -> None:
    if db.on_server(con):
        con.execute(SERVER_INDEXES)


@dataclass(frozen=True)
class Migration:
    number: int
    description: str
    apply: Callable


MIGRATIONS = (
    Migration(1, "Original schema: registry, catalogue, periods, submissions with their values, "
                 "findings, DVK models, accounts, audit log", _original_schema),
    Migration(2, "Shown versions: shown_accepted/shown_unreviewed flags on submissions and the "
                 "shown_facts table, filled for the data already stored", _shown_facts),
    Migration(3, "Sign-in sessions table", _sessions),
    Migration(4, "Catalogue facts as columns: indicators.better and per_capita, "
                 "dvk_options.meaning, rating_thresholds.colour", _catalogue_presentation),
    Migration(5, "units.full_name, the display name of a unit", _unit_full_name),
    Migration(6, "The 2025 merger: old units with official_code, level, former_province and "
                 "long_name; unit_lineage (new, old, share) replaces unit_predecessors", _merger_lineage),
    Migration(7, "change_log: what each write transaction changed, for the dashboards' in-memory "
                 "copies of server mode", _change_log),
    Migration(8, "Indexes for server mode's reads of a few pairs (PostgreSQL only)", _server_indexes),
)
LATEST = MIGRATIONS[-1].number


class SchemaTooNew(RuntimeError):
    """The database was made by a newer version of this software."""


def schema_version(con) -> int:
    """The last migration applied to this database (0 when it is empty)."""
    if not con.execute("SELECT count(*) FROM information_schema.tables "
                       "WHERE table_schema = current_schema() AND table_name = 'meta'").fetchone()[0]:
        return 0
    stored = con.execute("SELECT max(value::INTEGER) FROM meta "
                         "WHERE key = 'schema_version'").fetchone()[0]
    return stored or 0


def migrate(con) -> list[int]:
    """Apply the migrations after the stored schema_version, in order, and recreate the views.
    The caller owns the transaction, so a failing step leaves the database as it was.
    Returns the numbers applied."""
    stored = schema_version(con)
    if stored > LATEST:
        raise SchemaTooNew(f"Cơ sở dữ liệu có lược đồ phiên bản {stored}, mới hơn phần mềm này "
                           f"(phiên bản {LATEST}). Hãy cập nhật phần mềm trước khi dùng tệp này.")
    applied = []
    for m in MIGRATIONS:
        if m.number > stored:
            m.apply(con)
            set_meta(con, "schema_version", str(m.number))
            applied.append(m.number)
    if db.on_server(con):
        # PostgreSQL has no table macros: each process's copy (etl.warehouse.replica) creates the
        # views of its software; the server records which version it was brought to.
        set_meta(con, "views_version", VIEWS_VERSION)
    else:
        create_views(con)
    return applied


def create_views(con) -> None:
    """The views and macros the read functions use: in the DuckDB file, or in a server-mode
    copy (PostgreSQL has no table macros; its data are read through the copy)."""
    con.execute(VIEWS)
    set_meta(con, "views_version", VIEWS_VERSION)


def set_meta(con, key: str, value: str) -> None:
    con.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value])


def up_to_date(con) -> bool:
    """Whether `etl init` has brought this database to this software: its last migration and
    the views and macros of this version (they change without a migration)."""
    if schema_version(con) != LATEST:
        return False
    return con.execute("SELECT count(*) FROM meta WHERE key = 'views_version' AND value = ?",
                       [VIEWS_VERSION]).fetchone()[0] == 1
