"""The map tab of «Tổng quan» and «So sánh đơn vị» through AppTest: today's units of the city,
provinces nationally then one province's communes, the old units' periods said instead of drawn,
and what a click reads. AppTest cannot click a chart: the clicks (a unit opens its profile, a
province is chosen) are in Chromium, tests/browser/test_browser_map.py."""
import json

import pytest

from pages import _map
from tests.apptest import app, no_exception, texts
from tests.provinces import HAI_PHONG, three_provinces

MAP = "Bản đồ"


def maps_of(at) -> list[dict]:
    """The figures of the page that are maps."""
    figs = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
    return [f for f in figs if any(t.get("type") == "choroplethmap" for t in f["data"])]


def open_map(at) -> None:
    at.session_state["tab"] = MAP
    at.run()
    no_exception(at)


def shapes(fig: dict) -> dict[str, str]:
    return {c: d[1] for t in fig["data"] for c, d in zip(t["locations"], t["customdata"])}


@pytest.fixture(scope="module")
def provinces_db(dashboard_db, tmp_path_factory):
    return three_provinces(dashboard_db, tmp_path_factory.mktemp("map_pages") / "provinces.duckdb")


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/compare.py"])
def test_the_map_tab_draws_the_citys_units(dashboard_db, use_db, page):
    use_db(dashboard_db)
    at = app(dashboard_db, {"chi_tieu": "mediation_cases"}).run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    open_map(at)
    [fig] = maps_of(at)
    units = shapes(fig)
    assert len(units) == 114 and units["11383"] == "Chưa báo cáo"        # Lê Chân left it blank
    assert fig["layout"]["map"]["style"] == "white-bg"
    assert any("Bấm vào một đơn vị để mở «Hồ sơ đơn vị»" in c for c in texts(at.caption))
    # Exported as the other charts are: images and the table behind the map.
    assert {b.label for b in at.get("download_button") if "dl-map-" in b.proto.id} == {
        "PNG", "SVG", "PDF", "Excel", "CSV"}


def test_per_capita_follows_the_sidebar(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db, {"chi_tieu": "propaganda_sessions", "tren_10k": "1"}).run()
    open_map(at)
    [fig] = maps_of(at)
    assert "trên 10.000 dân" in fig["layout"]["title"]["text"]
    assert shapes(fig)["10660"] == "Chưa rõ dân số"                     # Ái Quốc: no population


def test_old_units_periods_say_there_is_no_map(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db, {"ky": "2024", "ranh_gioi": "khi_bao_cao"}).run()
    open_map(at)
    assert not maps_of(at)
    assert any("chưa có bản đồ ranh giới" in t for t in texts(at.info))
    # After the merger the units as reported are today's: the map is drawn.
    at.selectbox(key="period").select("2025-Q3").run()
    no_exception(at)
    assert len(shapes(maps_of(at)[0])) == 114


def test_nationally_provinces_then_the_chosen_provinces_communes(provinces_db, use_db):
    use_db(provinces_db)
    at = app(provinces_db, {"chi_tieu": "mediation_cases"}).run()
    open_map(at)
    [fig] = maps_of(at)
    provinces = shapes(fig)
    assert len(provinces) == 34 and provinces["04"].startswith("Chưa báo cáo")   # Cao Bằng: none
    assert provinces["31"].endswith("3/111 đơn vị có số liệu")
    assert any("Bấm vào một tỉnh, thành phố" in c for c in texts(at.caption))
    # What a click on a province does: choose it in the sidebar, then its communes are drawn.
    at.selectbox(key="province").select(HAI_PHONG).run()
    no_exception(at)
    [fig] = maps_of(at)
    assert len(shapes(fig)) == 114


def test_clicked_code_reads_plotlys_point():
    assert _map.clicked_code({"points": [{"location": "11002", "customdata": ["x", "y", "11002"]}]}) == "11002"
    assert _map.clicked_code({"points": [{"customdata": ["x", "y", "10543"]}]}) == "10543"
    assert _map.clicked_code({"points": []}) is None and _map.clicked_code(None) is None
