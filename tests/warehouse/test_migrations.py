"""Numbered migrations: a database left at schema 1 upgrades to the latest, as a fresh one is built.

The schema-1 database is built here from migration 1's own SQL, then filled by plain INSERTs as
the code of that time wrote them (no shown flags, no shown_facts), rather than shipped as a
binary file: it cannot drift from the history kept in etl/warehouse/migrations.py, and a DuckDB
file written by one DuckDB version need not open in an older one.
"""
from datetime import date, datetime

import duckdb
import pytest

from etl.domain.periods import parse_period
from etl.warehouse import db, migrations, store
from etl.warehouse.reference import init_db

VH, TK, AQ = "10543", "11002", "10660"
# (id, unit, version, status, is_current, superseded_by) as schema-1 code stored them.
SUBMISSIONS = [(1, VH, 1, "accepted", False, 2), (2, VH, 2, "submitted", True, None),
               (3, TK, 1, "returned", True, None), (4, AQ, 1, "accepted", True, None)]
VALUES = [(1, "dialogues", 3.0), (1, "population", 30575.0), (2, "dialogues", 4.0),
          (3, "dialogues", 9.0), (4, "dialogues", 5.0)]


def _schema_1_database(path) -> None:
    con = duckdb.connect(str(path))
    migrations.MIGRATIONS[0].apply(con)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO periods VALUES ('2025-Q3', 'quarter', 'calendar', '2025-07-01', "
                "'2025-09-30', 'Quý III/2025', NULL)")
    for sid, unit, version, status, current, by in SUBMISSIONS:
        con.execute("INSERT INTO submissions VALUES (?, ?, '2025-Q3', ?, ?, ?, ?, 'file', ?, ?, "
                    "'1.0', 'cán bộ', ?, NULL, NULL, NULL)",
                    [sid, unit, version, status, current, by, f"{sid}.xlsx", f"sha{sid}",
                     datetime(2025, 10, sid)])
        con.execute("SELECT nextval('submission_ids')")
    con.executemany("INSERT INTO submission_values VALUES (?, ?, ?, 'Chỉ tiêu', 'F5', NULL)", VALUES)
    con.close()


def _rows(path, sql):
    with db.connect(path, read_only=True) as con:
        return con.execute(sql).fetchall()


def _columns(path):
    return _rows(path, "SELECT table_name, column_name, data_type, is_nullable, column_default "
                       "FROM information_schema.columns WHERE table_schema = 'main' "
                       "ORDER BY table_name, ordinal_position")


ORIGINAL = ("SELECT submission_id, unit_code, period_key, version, status, is_current, "
            "superseded_by, source, file_name, sha256, loaded_at FROM submissions ORDER BY 1")
ORIGINAL_VALUES = "SELECT * FROM submission_values ORDER BY ALL"


@pytest.fixture()
def old(tmp_path):
    path = tmp_path / "v1.duckdb"
    _schema_1_database(path)
    return path


def test_migrations_are_numbered_in_order_and_described():
    numbers = [m.number for m in migrations.MIGRATIONS]
    assert numbers == list(range(1, len(numbers) + 1)) and migrations.LATEST == numbers[-1]
    assert all(m.description and m.description.isascii() for m in migrations.MIGRATIONS)
    [shown] = [m for m in migrations.MIGRATIONS if "shown_facts" in m.description]
    assert shown.number == 2


def test_a_schema_1_database_upgrades_on_init(old):
    before, before_values = _rows(old, ORIGINAL), _rows(old, ORIGINAL_VALUES)
    assert _rows(old, "SELECT count(*) FROM information_schema.tables WHERE table_name IN "
                      "('shown_facts', 'sessions')") == [(0,)]
    init_db(old)
    assert _rows(old, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(migrations.LATEST),)]
    assert _rows(old, "SELECT count(*) FROM sessions") == [(0,)]
    # Data unchanged; the shown versions filled in: the default view shows Việt Hòa's accepted
    # version 1 while version 2 awaits review, Thạch Khôi's returned report shows nowhere.
    assert _rows(old, ORIGINAL) == before and _rows(old, ORIGINAL_VALUES) == before_values
    assert _rows(old, "SELECT submission_id, shown_accepted, shown_unreviewed FROM submissions "
                      "ORDER BY 1") == [(1, True, False), (2, False, True), (3, False, False),
                                        (4, True, True)]
    assert _rows(old, "SELECT submission_id, unit_code, period_kind, start_date, indicator_code, "
                      "value, status, in_accepted, in_unreviewed FROM shown_facts ORDER BY ALL") == [
        (1, VH, "quarter", date(2025, 7, 1), "dialogues", 3.0, "accepted", True, False),
        (1, VH, "quarter", date(2025, 7, 1), "population", 30575.0, "accepted", True, False),
        (2, VH, "quarter", date(2025, 7, 1), "dialogues", 4.0, "submitted", False, True),
        (4, AQ, "quarter", date(2025, 7, 1), "dialogues", 5.0, "accepted", True, True)]
    assert _rows(old, "SELECT unit_code, value FROM shown_values(false) "
                      "WHERE indicator_code = 'dialogues' ORDER BY 1") == [(VH, 3.0), (AQ, 5.0)]
    # A new version after the upgrade continues the old ids and versions.
    with db.connect(old) as con, db.transaction(con):
        [(sid, version, replaced)] = store.save_submissions(con, [store.NewSubmission(
            VH, parse_period("2025-Q3"), [store.ValueRow("dialogues", 6)], status="accepted")])
    assert (sid, version, replaced) == (5, 3, 2)
    assert _rows(old, "SELECT unit_code, value FROM shown_values(false) "
                      "WHERE indicator_code = 'dialogues' ORDER BY 1") == [(VH, 6.0), (AQ, 5.0)]


def test_init_twice_changes_nothing_more(old):
    init_db(old)
    snapshot = [_rows(old, f"SELECT * FROM {t} ORDER BY ALL")
                for t in ("submissions", "submission_values", "shown_facts", "meta", "units")]
    first = init_db(old)
    assert first == init_db(old)
    assert [_rows(old, f"SELECT * FROM {t} ORDER BY ALL")
            for t in ("submissions", "submission_values", "shown_facts", "meta", "units")] == snapshot
    details = [d for d, in _rows(old, "SELECT detail FROM audit_log WHERE action = 'init' "
                                      "ORDER BY logged_at")]
    assert "vừa áp dụng bước 2, 3" in details[0] and "vừa áp dụng" not in details[-1]


def test_a_fresh_database_has_the_tables_of_an_upgraded_one(old, tmp_path):
    init_db(old)
    fresh = tmp_path / "fresh.duckdb"
    init_db(fresh)
    assert _columns(fresh) == _columns(old)
    objects = ("SELECT sequence_name FROM duckdb_sequences() UNION ALL "
               "SELECT view_name FROM duckdb_views() WHERE NOT internal UNION ALL "
               "SELECT function_name FROM duckdb_functions() WHERE function_type = 'table_macro' "
               "AND NOT internal ORDER BY 1")
    assert _rows(fresh, objects) == _rows(old, objects)


def test_a_database_from_newer_software_is_refused_untouched(old, tmp_path):
    init_db(old)
    with db.connect(old) as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                    [str(migrations.LATEST + 1)])
    before = _rows(old, "SELECT count(*) FROM audit_log")
    with pytest.raises(migrations.SchemaTooNew, match="mới hơn phần mềm này"):
        init_db(old)
    assert _rows(old, "SELECT count(*) FROM audit_log") == before


def test_a_database_not_upgraded_yet_says_run_init(old, tmp_path, capsys, monkeypatch):
    from etl.__main__ import main
    from tests.apptest import app
    # The command line: one sentence saying to upgrade, never DuckDB's binder error.
    assert main(["--db", str(old), "export", "-o", str(tmp_path / "e.csv")]) == 2
    err = capsys.readouterr().err
    assert "phiên bản cũ hơn của phần mềm" in err and "etl init" in err and "Binder" not in err
    # The dashboard: a Vietnamese message, no traceback; after `etl init` the numbers.
    monkeypatch.setenv("DANVAN_DB", str(old))
    monkeypatch.setenv("DANVAN_ANONYMOUS_READ", "1")
    at = app(old).run()
    assert not at.exception
    assert any("cần được nâng cấp" in e.value for e in at.error)
    with db.connect(old, read_only=True) as con:
        assert not migrations.up_to_date(con)
    init_db(old)
    with db.connect(old, read_only=True) as con:
        assert migrations.up_to_date(con)
