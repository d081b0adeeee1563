"""National scale (issue 6): the national registry, the materialised shown versions, the province
filter, capped charts."""
import shutil
import statistics

import pytest

from etl.__main__ import main
from etl.domain.periods import parse_period
from etl.read import assessment, city, compare, models, reference, trends
from etl.read.scope import Scope
from etl.warehouse import db, store
from etl.warehouse.reference import REGISTRIES, init_db
from etl.workflow.submissions import ACCEPT, RETURN, review
from tests.apptest import app, no_exception
from tests.conftest import (
    AI_QUOC,
    CAT_HAI,
    HONG_BANG,
    LE_CHAN,
    REVIEWER,
    THACH_KHOI,
    VIET_HOA,
    add_account,
    fixture_values,
)

VALUES = fixture_values()
OTHER = "99"                                  # a second province, holding three fixture units
MOVED = [HONG_BANG, LE_CHAN, CAT_HAI]


@pytest.fixture(scope="module")
def two_provinces(dashboard_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("national") / "two.duckdb"
    shutil.copy(dashboard_db, path)
    with db.connect(path) as con:
        con.execute("INSERT INTO provinces VALUES (?, 'Tỉnh Thử Nghiệm', '2025-07-01', NULL)", [OTHER])
        con.execute("UPDATE units SET province_code = ? WHERE list_contains(?, code)", [OTHER, MOVED])
    return path


@pytest.fixture()
def con2(two_provinces):
    with db.connect(two_provinces, read_only=True) as c:
        yield c


def test_init_with_the_national_registry(tmp_path, capsys):
    path = tmp_path / "national.duckdb"
    assert main(["--db", str(path), "init", "--registry", "national"]) == 0
    out = capsys.readouterr().out
    assert "3.321 đơn vị hiện nay" in out and "10.052 đơn vị trước sáp nhập" in out
    assert "10.604 dòng quan hệ sáp nhập" in out
    with db.connect(path, read_only=True) as con:
        provinces = reference.provinces(con).set_index("code")
        assert len(provinces) == 34 and provinces["n_units"].sum() == 3321
        assert provinces.loc["31", "name"] == "Thành phố Hải Phòng" and provinces.loc["31", "n_units"] == 114
        assert provinces.loc["01", "name"] == "Thành phố Hà Nội"
        # Every lineage row joins a current unit to an old one (id: official code @ last day).
        assert con.execute("""
            SELECT count(*) FROM unit_lineage l
            JOIN units n ON n.code = l.new_code AND n.valid_to IS NULL
            JOIN units o ON o.code = l.old_code AND o.code = o.official_code || '@2025-06-30'
                        AND o.valid_to = DATE '2025-06-30'""").fetchone()[0] == 10604
    # The same as init_db with the registry folder; loading it again changes nothing.
    again = init_db(path, registry_dir=REGISTRIES["national"])
    assert (again["current_units"], again["units"], again["unit_lineage"]) == (3321, 13373, 10604)


def shown(path, include_unreviewed: bool) -> dict:
    with db.connect(path, read_only=True) as con:
        return dict(con.execute(
            "SELECT indicator_code, value FROM shown_values(?) WHERE unit_code = '10543' "
            "AND period_key = '2025-Q3'", [include_unreviewed]).fetchall())


def test_shown_values_follow_new_versions_and_reviews(tmp_path):
    path = tmp_path / "t.duckdb"
    init_db(path)
    add_account(path, REVIEWER)
    period = parse_period("2025-Q3")

    def send(value, status="submitted"):
        with db.connect(path) as con:
            return store.save_submission(con, store.NewSubmission(
                "10543", period, [store.ValueRow("dialogues", value)], status=status))[0]

    first = send(3)
    assert shown(path, False) == {} and shown(path, True) == {"dialogues": 3.0}
    review(path, first, ACCEPT, "", REVIEWER)
    second = send(4)
    # The accepted version stays on the default view while the newer one awaits review.
    assert shown(path, False) == {"dialogues": 3.0} and shown(path, True) == {"dialogues": 4.0}
    review(path, second, RETURN, "Sai số liệu", REVIEWER)
    assert shown(path, False) == {"dialogues": 3.0} and shown(path, True) == {"dialogues": 3.0}
    third = send(5)
    review(path, third, ACCEPT, "", REVIEWER)
    assert shown(path, False) == {"dialogues": 5.0} and shown(path, True) == {"dialogues": 5.0}
    with db.connect(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM shown_facts").fetchone()[0] == 1


def test_a_version_1_database_gets_its_shown_values_on_init(dashboard_db, tmp_path):
    path = tmp_path / "old.duckdb"
    shutil.copy(dashboard_db, path)
    snapshot = "SELECT * FROM shown_values(false) ORDER BY ALL"
    with db.connect(path, read_only=True) as con:
        before = con.execute(snapshot).fetchall()
    with db.connect(path) as con:     # as left by schema version 1: nothing materialised
        con.execute("DROP TABLE shown_facts")
        con.execute("UPDATE submissions SET shown_accepted = false, shown_unreviewed = false")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    init_db(path)
    with db.connect(path, read_only=True) as con:
        assert before and con.execute(snapshot).fetchall() == before


def test_provinces_lists_each_with_its_current_units(con2):
    got = {r["code"]: r["n_units"] for r in reference.provinces(con2).to_dict("records")}
    assert got == {"31": 111, OTHER: 3}


def test_ranking_of_one_province_ranks_only_its_units(con2):
    everyone = compare.ranking(con2, Scope('2025'), 'propaganda_sessions')
    mine = compare.ranking(con2, Scope('2025', province=OTHER), 'propaganda_sessions')
    assert set(mine["code"]) == set(MOVED) and len(everyone) == 114
    values = {u: v["propaganda_sessions"] for (u, p), v in VALUES.items()
              if p == "2025" and u in MOVED and v.get("propaganda_sessions") is not None}
    ranked = mine[mine["metric"].notna()]
    assert dict(zip(ranked["code"], ranked["metric"])) == values
    assert list(ranked["rank"]) == list(range(1, len(values) + 1))
    assert int(mine["n_ranked"].iloc[0]) == len(values)


def test_totals_trend_median_and_coverage_of_one_province(con2):
    values = {u: v["propaganda_sessions"] for (u, p), v in VALUES.items()
              if p == "2025" and u in MOVED and v.get("propaganda_sessions") is not None}
    totals = city.totals(con2, Scope('2025', province=OTHER)).set_index("code")
    assert totals.loc["propaganda_sessions", "value"] == sum(values.values())
    assert totals.loc["propaganda_sessions", "units_reported"] == len(values)
    trend = trends.trend(con2, Scope(province=OTHER), 'propaganda_sessions', 'year', (THACH_KHOI,))
    median = trend[trend["is_median"] & (trend["period_key"] == "2025")].iloc[0]
    assert median["value"] == statistics.median(values.values())
    # A followed unit of another province still has its own line.
    line = trend[(trend["unit_code"] == THACH_KHOI) & (trend["period_key"] == "2025")].iloc[0]
    assert line["value"] == VALUES[(THACH_KHOI, "2025")]["propaganda_sessions"]
    reported = {u for (u, p) in VALUES if p == "2025" and u in MOVED}
    assert city.coverage(con2, Scope('2025', province=OTHER)) == {"expected": 3, "reported": len(reported)}
    assert set(city.missing_units(con2, Scope('2025', province=OTHER))["code"]) == set(MOVED) - reported
    everyone = city.coverage(con2, Scope('2025'))
    assert everyone["expected"] == 114


def test_assessment_and_models_of_one_province(con2):
    res = assessment.assessment(con2, Scope('2025', province=OTHER))
    assert set(res["code"]) == set(MOVED)
    by_unit = models.dvk_by_unit(con2, Scope('2025', province=OTHER))
    assert set(by_unit["code"]) == set(MOVED)
    listed = models.dvk_models_of_year(con2, Scope('2025', province=OTHER))
    assert set(listed["unit_code"]) <= set(MOVED)


def test_province_filter_in_the_sidebar_and_the_url(two_provinces, dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db).run()
    no_exception(at)
    assert not [s for s in at.selectbox if s.key == "province"]    # one province: no filter
    use_db(two_provinces)
    at = app(two_provinces).run()
    no_exception(at)
    assert at.selectbox(key="province").value == ""
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Đơn vị đã báo cáo"].endswith("/114")
    at.selectbox(key="province").select(OTHER).run()
    no_exception(at)
    assert at.query_params["tinh"] == OTHER
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Đơn vị đã báo cáo"].endswith("/3")
    at.switch_page("pages/compare.py").run()
    at.session_state["tab"] = "Bảng số liệu"
    at.run()
    no_exception(at)
    assert set(at.dataframe[0].value["Đơn vị"]) == {"Hồng Bàng", "Lê Chân", "Cát Hải"}
    # A shared link opens on the province; units of other provinces stay choosable once chosen.
    at = app(two_provinces, {"tinh": OTHER, "don_vi": VIET_HOA}).run()
    no_exception(at)
    assert at.selectbox(key="province").value == OTHER
    assert at.multiselect(key="units").value == [VIET_HOA]
    assert AI_QUOC not in at.multiselect(key="units").options
