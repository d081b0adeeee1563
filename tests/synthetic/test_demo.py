import re
from datetime import datetime

import pytest

from etl.__main__ import main
from etl.domain.periods import parse_period
from etl.synthetic import demo
from etl.warehouse import db
from etl.warehouse.reference import init_db
from etl.warehouse.store import NewSubmission, ValueRow, save_submission


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "d.duckdb"
    init_db(path)
    result = demo.generate(path, seed=7)
    return path, result


def _q(path, sql, params=None):
    with db.connect(path, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _rule_violations(path) -> list:
    """Evaluate every error rule of table `rules` on each submission where all its codes are given."""
    rules = _q(path, "SELECT rule_id, left_expr, op, right_expr FROM rules WHERE severity = 'error'")
    assert rules
    bad = []
    for rule_id, left, op, right in rules:
        codes = sorted(set(re.findall(r"[a-z][a-z0-9_]*", f"{left} {right}")))
        cols = ", ".join(f"max(value) FILTER (WHERE indicator_code = '{c}') AS {c}" for c in codes)
        given = " AND ".join(f"{c} IS NOT NULL" for c in codes)
        sql_op = {"=": "=", ">=": ">=", "<=": "<="}[op]
        rows = _q(path, f"SELECT submission_id FROM (SELECT submission_id, {cols} FROM "
                        f"submission_values GROUP BY submission_id) WHERE {given} "
                        f"AND NOT (({left}) {sql_op} ({right}))")
        bad += [(rule_id, r[0]) for r in rows]
    return bad


def test_covers_all_units_and_period_kinds(demo_db):
    path, result = demo_db
    # Like real life: the 375 old units until June 2025, today's 114 from July 2025.
    assert result["units"] == 489 and result["old_units"] == 375
    assert _q(path, "SELECT count(DISTINCT unit_code) FROM submissions")[0][0] == 489
    kinds = dict(_q(path, "SELECT p.kind, count(*) FROM submissions s "
                          "JOIN periods p USING (period_key) GROUP BY 1"))
    assert set(kinds) == {"year", "quarter", "month", "range", "half"}
    assert kinds["year"] > (4 * 375 + 114) * 0.8 and kinds["month"] < kinds["quarter"] < kinds["year"] * 2
    # Before 1 July 2025 old units report, after it today's; a few today's units also report
    # 2023 and 2024 for their present territory.
    by_side = dict(_q(path, "SELECT p.end_date < DATE '2025-07-01', count(DISTINCT s.unit_code) FILTER "
                            "(WHERE s.unit_code NOT LIKE '%@%') FROM submissions s JOIN periods p "
                            "USING (period_key) GROUP BY 1"))
    assert by_side[False] == 114 and by_side[True] == demo.N_RETRO
    assert _q(path, "SELECT count(*) FROM submissions s JOIN periods p USING (period_key) "
                    "WHERE s.unit_code LIKE '%@%' AND p.end_date > DATE '2025-06-30'")[0][0] == 0
    years = [k for (k,) in _q(path, "SELECT DISTINCT period_key FROM submissions "
                                    "JOIN periods USING (period_key) WHERE kind = 'year' ORDER BY 1")]
    assert years == ["2021", "2022", "2023", "2024", "2025"]
    assert ("10543",) in _q(path, "SELECT unit_code FROM submissions "
                                  "WHERE period_key = '2025-07-01:2025-11-20'")
    assert result["missing"] > 0  # some units skip some periods
    assert result["values"] == _q(path, "SELECT count(*) FROM submission_values")[0][0]


def test_marked_as_demo(demo_db):
    path, _ = demo_db
    assert _q(path, "SELECT DISTINCT source, file_name, version, is_current FROM submissions") \
        == [("demo", demo.DEMO_FILE_NAME, 1, True)]
    # Mostly accepted (the default dashboard is full), some awaiting review, a few returned
    # with a comment the ward sees.
    states = dict(_q(path, "SELECT status, count(*) FROM submissions GROUP BY 1"))
    assert set(states) == {"accepted", "submitted", "returned"}
    assert states["accepted"] > 0.8 * sum(states.values())
    assert _q(path, "SELECT count(*) FROM submissions WHERE status = 'returned' "
                    "AND review_comment IS NULL")[0][0] == 0
    assert _q(path, "SELECT value FROM meta WHERE key = 'demo'") == [("true",)]


def test_no_error_rule_violations_and_values_in_range(demo_db):
    path, _ = demo_db
    assert _rule_violations(path) == []
    bad = _q(path, """
        SELECT v.indicator_code, v.value FROM submission_values v JOIN indicators i
          ON i.code = v.indicator_code
        WHERE isnan(v.value) OR v.value < coalesce(i.min_value, 0) OR v.value > i.max_value
           OR (i.value_type = 'integer' AND v.value <> round(v.value))
           OR (i.kind = 'score' AND v.value <> round(v.value, 1))""")
    assert bad == []
    pops = _q(path, "SELECT min(value), max(value) FROM current_values "
                    "WHERE indicator_code = 'population' AND unit_code NOT LIKE '%@%'")[0]
    assert 8_000 <= pops[0] and pops[1] <= 60_000
    # An old unit holds a part of a new unit's territory: smaller, never a sliver.
    assert _q(path, "SELECT min(value) FROM current_values "
                    "WHERE indicator_code = 'population' AND unit_code LIKE '%@%'")[0][0] >= 300


def test_scores_only_on_yearly_reports(demo_db):
    path, _ = demo_db
    kinds = _q(path, "SELECT DISTINCT period_kind FROM current_values "
                     "WHERE indicator_code LIKE 'dv_score_%'")
    assert kinds == [("year",)]


def test_blanks_are_absent_not_zero(demo_db):
    path, _ = demo_db
    # Some yearly reports lack some indicators: a blank is a missing row...
    short = _q(path, "SELECT count(*) FROM (SELECT submission_id FROM current_values "
                     "WHERE period_kind = 'year' GROUP BY 1 HAVING count(*) < 38)")[0][0]
    assert short > 0
    # ...and never a zero: stocks such as population are never 0, flows are zero only sometimes.
    assert _q(path, "SELECT count(*) FROM submission_values WHERE indicator_code IN "
                    "('population', 'area_km2', 'party_members') AND value = 0")[0][0] == 0
    assert _q(path, "SELECT count(*) FROM submission_values WHERE value IS NULL")[0][0] == 0


def test_months_add_up_to_quarters(demo_db):
    path, _ = demo_db
    rows = _q(path, """
        WITH m AS (SELECT unit_code, indicator_code, sum(value) AS total, count(*) AS n
                   FROM current_values WHERE period_key IN ('2025-07', '2025-08', '2025-09')
                   GROUP BY ALL)
        SELECT q.value, m.total FROM current_values q JOIN m USING (unit_code, indicator_code)
        WHERE q.period_key = '2025-Q3' AND m.n = 3 AND q.indicator_code = 'petitions_received'""")
    assert rows and all(q == m for q, m in rows)


def test_deadlines_and_late_reports(demo_db):
    path, result = demo_db
    on_time, late = _q(path, """
        SELECT count(*) FILTER (WHERE s.loaded_at::DATE <= p.deadline),
               count(*) FILTER (WHERE s.loaded_at::DATE > p.deadline)
        FROM submissions s JOIN periods p USING (period_key)""")[0]
    assert late == result["late"] > 0 and on_time > 5 * late
    assert _q(path, "SELECT count(*) FROM periods WHERE deadline IS NULL")[0][0] == 0
    assert _q(path, "SELECT count(*) FROM submissions s JOIN periods p USING (period_key) "
                    "WHERE s.loaded_at::DATE <= p.end_date")[0][0] == 0


def test_outlier_unit_has_ten_fold_petitions(demo_db):
    path, result = demo_db
    # On today's boundaries: until 2024 from its old units, 2025 its own.
    by_year = dict(_q(path, "SELECT period_key, value FROM boundary_values(true, true, true) WHERE unit_code = ? "
                            "AND period_kind = 'year' AND indicator_code = 'petitions_feedback'",
                      [result["outlier_unit"]]))
    others = [v for k, v in by_year.items() if k != "2023"]
    assert others and by_year["2023"] > 5 * max(others)  # seed 7 reports both


def test_rerun_is_idempotent_deterministic_and_keeps_files(tmp_path):
    path = tmp_path / "d.duckdb"
    demo.generate(path, seed=1)
    snapshot = "SELECT unit_code, period_key, indicator_code, value FROM current_values ORDER BY ALL"
    first = _q(path, snapshot)
    with db.connect(path) as con:  # a real report loaded on top of the demo
        file_id, version, superseded = save_submission(con, NewSubmission(
            "10543", parse_period("2025"), [ValueRow("population", 30575)], file_name="vh.xlsx"))
        con.execute("INSERT INTO submissions (submission_id, unit_code, period_key, version, status, "
                    "is_current, source, loaded_at) VALUES (nextval('submission_ids'), '11002', "
                    "'2026', 1, 'submitted', true, 'file', ?)", [datetime(2026, 1, 5)])
    assert version == 2 and superseded is not None

    result = demo.generate(path, seed=1)
    second = _q(path, snapshot)
    assert _q(path, "SELECT source, count(*) FROM submissions WHERE source = 'file' GROUP BY 1") == \
        [("file", 2)]
    assert _q(path, "SELECT value FROM current_values WHERE unit_code = '10543' "
                    "AND period_key = '2025' AND source = 'file'") == [(30575.0,)]
    assert _q(path, "SELECT count(*) FROM submissions WHERE unit_code = '10543' "
                    "AND period_key = '2025'")[0][0] == 1
    demo_rows = lambda rows: [r for r in rows if not (r[0] == "10543" and r[1] == "2025")]
    assert demo_rows(second) == demo_rows(first)
    for table in ("submission_values", "shown_facts"):   # nothing left of the first demo
        assert _q(path, f"SELECT count(*) FROM {table} WHERE submission_id NOT IN "
                        "(SELECT submission_id FROM submissions)")[0][0] == 0
    assert result["submissions"] == _q(path, "SELECT count(*) FROM submissions "
                                             "WHERE source = 'demo'")[0][0]
    with db.connect(path) as con:  # ids stay unique for later loads
        new_id, _, _ = save_submission(con, NewSubmission(
            "10543", parse_period("2024-H1"), [ValueRow("population", 30000)]))
    assert new_id > _q(path, "SELECT max(submission_id) FROM submissions WHERE source = 'demo'")[0][0]


def test_other_seed_differs_and_is_fast(tmp_path):
    result = demo.generate(tmp_path / "a.duckdb", seed=2)
    assert result["seconds"] < 30
    a = _q(tmp_path / "a.duckdb", "SELECT sum(value) FROM submission_values")
    demo.generate(tmp_path / "b.duckdb", seed=3)
    assert a != _q(tmp_path / "b.duckdb", "SELECT sum(value) FROM submission_values")


def test_cli_prints_summary(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "c.duckdb"), "demo", "--seed", "2025"]) == 0
    out = capsys.readouterr().out
    assert "[3/3]" in out and "114 đơn vị" in out and "DỮ LIỆU MẪU" in out


def test_national_bench_data_goes_through_the_store(tmp_path):
    from etl.synthetic import national
    path = tmp_path / "n.duckdb"
    counts = national.generate(path, n_units=40, n_years=1, say=lambda _m: None)
    assert (counts["provinces"], counts["units"], counts["periods"]) == (34, 40, 17)
    assert counts["submissions"] == 40 * 17
    # Every version is the first and current one, shown, and its values are all shown.
    assert _q(path, "SELECT DISTINCT version, is_current, status, source, shown_accepted "
                    "FROM submissions") == [(1, True, "accepted", "demo", True)]
    assert _q(path, "SELECT count(*) FROM shown_facts")[0][0] == counts["submission_values"]
    # Scores only on yearly reports; models listed on yearly reports only, from row 5 down.
    assert _q(path, "SELECT DISTINCT period_kind FROM shown_facts "
                    "WHERE indicator_code LIKE 'dv_score_%'") == [("year",)]
    assert _q(path, "SELECT DISTINCT p.kind, min(r.row_number) FROM dvk_model_reports r "
                    "JOIN submissions s USING (submission_id) JOIN periods p USING (period_key) "
                    "GROUP BY 1") == [("year", 5)]
    assert _q(path, "SELECT count(*) FROM periods WHERE deadline IS NULL")[0][0] == 0
    assert _q(path, "SELECT action FROM audit_log ORDER BY logged_at") == [("init",), ("demo",)]
