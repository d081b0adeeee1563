"""The map: blanks grey and said, never 0; per 10.000 residents; provinces aggregated as the
city totals are; nothing fetched from outside (white-bg, no URL); a PNG through kaleido."""
import io
import math
import os

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from etl.domain import vn
from etl.present import boundaries, charts, figures
from etl.read import city, compare, maps
from etl.read.scope import Scope
from etl.warehouse import db
from tests.conftest import AI_QUOC, CAT_HAI, HONG_BANG, LE_CHAN, THACH_KHOI, VIET_HOA, fixture_values
from tests.provinces import CAO_BANG, HA_NOI, HAI_PHONG, three_provinces

VALUES = fixture_values()
needs_browser = pytest.mark.skipif(
    not figures.browser_available() and os.environ.get("DANVAN_REQUIRE_BROWSER") != "1",
    reason="no Chromium for kaleido; DANVAN_REQUIRE_BROWSER=1 makes this a failure")


def hover(fig) -> dict[str, tuple[str, str]]:
    """code -> (trace name, hover value text) over every shape of the map."""
    return {c: (t.name, d[1]) for t in fig.data for c, d in zip(t.locations, t.customdata)}


def draw(df, geojson=None, **kw):
    return charts.map_chart(df, geojson or boundaries.communes(HAI_PHONG), title="Vụ việc hòa giải (vụ)",
                            subtitle="Năm 2025", updated=None, **kw)


@pytest.fixture(scope="module")
def provinces_db(dashboard_db, tmp_path_factory):
    return three_provinces(dashboard_db, tmp_path_factory.mktemp("map") / "provinces.duckdb")


@pytest.fixture()
def pcon(provinces_db):
    with db.connect(provinces_db, read_only=True) as c:
        yield c


def test_a_unit_not_reported_is_grey_and_says_so_never_zero(con):
    rank = compare.ranking(con, Scope("2025"), "mediation_cases")
    fig = draw(rank, highlight=[THACH_KHOI])
    values, grey = fig.data
    assert values.type == grey.type == "choroplethmap"
    shapes = hover(fig)
    assert len(shapes) == 114
    # Lê Chân left it blank, Cát Hải sent nothing: grey, «Chưa báo cáo», not among the values.
    for unit in (LE_CHAN, CAT_HAI):
        assert unit not in values.locations and shapes[unit][1] == "Chưa báo cáo"
    assert grey.colorscale[0][1] == grey.colorscale[-1][1] == charts.BLANK and not grey.showscale
    assert grey.name.startswith("Chưa báo cáo") and grey.showlegend
    z = dict(zip(values.locations, values.z))
    assert z[THACH_KHOI] == VALUES[(THACH_KHOI, "2025")]["mediation_cases"]
    assert set(values.locations) == {THACH_KHOI, VIET_HOA, AI_QUOC, HONG_BANG}
    assert shapes[THACH_KHOI][1] == vn.format_number(z[THACH_KHOI])
    # Each trace carries only its own outlines (sent once), keyed by properties.code.
    assert {f["properties"]["code"] for f in values.geojson["features"]} == set(values.locations)
    assert values.featureidkey == "properties.code"
    # The followed unit has an orange edge.
    edge = dict(zip(values.locations, values.marker.line.color))
    assert edge[THACH_KHOI] == charts.HIGHLIGHT and edge[VIET_HOA] == "white"


def test_per_capita_values_and_unknown_population(con):
    rank = compare.ranking(con, Scope("2025"), "propaganda_sessions", per_capita=True)
    fig = draw(rank, decimals=1)
    shapes = hover(fig)
    tk = rank.set_index("code").loc[THACH_KHOI]
    assert math.isclose(dict(zip(fig.data[0].locations, fig.data[0].z))[THACH_KHOI], tk["metric"])
    assert shapes[THACH_KHOI][1] == f"{tk['metric']:.1f}".replace(".", ",")
    assert shapes[AI_QUOC][1] == "Chưa rõ dân số"           # reported, but no population ever
    assert shapes[CAT_HAI][1] == "Chưa báo cáo"


def test_title_source_and_boundaries_source():
    rank = _fake_rank()
    fig = draw(rank, demo=True)
    assert fig.layout.title.text == "Vụ việc hòa giải (vụ)" and fig.layout.separators == ",."
    notes = {a.name: a.text for a in fig.layout.annotations if a.name}
    assert notes["source"].startswith("Nguồn: Báo cáo công tác dân vận")
    assert "thanglequoc/vietnamese-provinces-database (giấy phép MIT)" in notes["source"]
    assert notes["demo"] == "DỮ LIỆU MẪU"
    # Estimates (split old units) are lighter, said in the note and on hover.
    values = fig.data[0]
    opacity = dict(zip(values.locations, values.marker.opacity))
    est = rank[rank["estimated"] & rank["metric"].notna()]["code"].iloc[0]
    assert opacity[est] < opacity[rank[~rank["estimated"] & rank["metric"].notna()]["code"].iloc[0]]
    assert hover(fig)[est][1].endswith("(ước tính)") and "ước tính" in notes["map-note"]


def test_nothing_is_fetched_from_outside():
    fig = draw(_fake_rank())
    text = fig.to_json()
    assert "http" not in text and "www." not in text and "//" not in text
    assert fig.layout.map.style == "white-bg" and not fig.layout.map.layers
    assert all(t.type == "choroplethmap" for t in fig.data)       # never geo `choropleth` (CDN)
    # The first view holds every unit: Hải Phòng from Bạch Long Vĩ to its western wards.
    assert 106 < fig.layout.map.center.lon < 107.5 and 20 < fig.layout.map.center.lat < 21.5
    assert 6 < fig.layout.map.zoom < 10


def test_names_from_the_registry_are_escaped_for_plotly():
    rank = _fake_rank()
    rank.loc[0, "name"] = '<a href="x">Bấm</a> %{customdata}'
    fig = draw(rank)
    names = [d[0] for t in fig.data for d in t.customdata]
    assert "&lt;a href=\"x\"&gt;Bấm&lt;/a&gt; %\u200b{customdata}" in names


def test_a_unit_without_a_shape_is_named_and_a_shape_without_a_unit_is_grey():
    rank = _fake_rank()
    rank.loc[0, "code"] = "99999"
    fig = draw(rank)
    notes = {a.name: a.text for a in fig.layout.annotations if a.name}
    assert "1 đơn vị chưa có ranh giới trên bản đồ" in notes["map-note"]
    missing = _fake_rank()["code"].iloc[0]
    assert hover(fig)[missing][1] == "Không có trong danh mục đơn vị"


def test_provinces_aggregate_like_the_city_totals(pcon):
    by = maps.by_province(pcon, Scope("2025", province=HAI_PHONG), "mediation_cases").set_index("code")
    assert set(by.index) == {HAI_PHONG, HA_NOI, CAO_BANG}          # the scope's province is ignored
    hp = [VALUES[(u, "2025")]["mediation_cases"] for u in (THACH_KHOI, VIET_HOA, AI_QUOC)]
    assert by.loc[HAI_PHONG, "value"] == by.loc[HAI_PHONG, "metric"] == sum(hp)
    assert by.loc[HA_NOI, "metric"] == VALUES[(HONG_BANG, "2025")]["mediation_cases"]   # Lê Chân blank
    assert (by.loc[HA_NOI, "units"], by.loc[HA_NOI, "units_reported"]) == (2, 1)
    assert math.isnan(by.loc[CAO_BANG, "metric"]) and by.loc[CAO_BANG, "blank_reason"] == "not_reported"
    assert by.loc[HAI_PHONG, "name"] == "Thành phố Hải Phòng" and by.loc[CAO_BANG, "type_label"] == "Tỉnh"
    # A province's total is what «Tổng quan» shows for it.
    totals = city.totals(pcon, Scope("2025", province=HAI_PHONG)).set_index("code")
    assert totals.loc["mediation_cases", "value"] == sum(hp)
    rate = maps.by_province(pcon, Scope("2025"), "opinion_resolution_rate").set_index("code")
    assert math.isclose(rate.loc[HA_NOI, "metric"],
                        city.totals(pcon, Scope("2025", province=HA_NOI)).set_index("code")
                        .loc["opinion_resolution_rate", "value"])


def test_provinces_per_capita_over_the_units_with_a_population(pcon):
    by = maps.by_province(pcon, Scope("2025"), "propaganda_sessions", per_capita=True).set_index("code")
    units = compare.ranking(pcon, Scope("2025", province=HAI_PHONG), "propaganda_sessions",
                            per_capita=True).set_index("code")
    known = units[units["metric"].notna()]                  # Ái Quốc has no population: left out
    assert AI_QUOC not in known.index and len(known) == 2
    assert math.isclose(by.loc[HAI_PHONG, "metric"], known["value"].sum() * 10000 / known["population"].sum())
    assert by.loc[HAI_PHONG, "units_with_metric"] == 2
    fig = draw(by.reset_index(), boundaries.provinces(), decimals=1)
    shapes = hover(fig)
    assert len(shapes) == 34
    assert shapes[CAO_BANG][1] == "Chưa báo cáo<br>0/1 đơn vị có số liệu"
    assert shapes[HAI_PHONG][1].endswith("<br>2/111 đơn vị có số liệu")   # 3 of the 114 moved
    # Provinces outside the registry are grey and said so, not "not reported".
    assert shapes["79"][1] == "Không có trong danh mục đơn vị"
    assert "http" not in fig.to_json()


def test_boundaries_are_read_once_and_complete():
    assert boundaries.communes(HAI_PHONG) is boundaries.communes(HAI_PHONG)
    assert len(boundaries.communes(HAI_PHONG)["features"]) == 114
    assert len(boundaries.provinces()["features"]) == 34
    assert len(boundaries.communes(HA_NOI)["features"]) > 100
    total = sum(len(boundaries.communes(p["properties"]["code"])["features"])
                for p in boundaries.provinces()["features"])
    assert total == 3321


@needs_browser
def test_the_map_exports_as_a_png(con):
    rank = compare.ranking(con, Scope("2025"), "mediation_cases")
    png = figures.to_image(draw(rank), "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    assert img.shape[:2] == (1440, 2560)
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    grey = (abs(r - 0xd0) < 6) & (abs(g - 0xd0) < 6) & (abs(b - 0xd0) < 6)
    blue = (b - r > 40)
    assert grey.mean() > 0.02 and blue.mean() > 0.0005       # the shapes are drawn, not a blank page


def _fake_rank():
    feats = boundaries.communes(HAI_PHONG)["features"]
    return pd.DataFrame({"code": [f["properties"]["code"] for f in feats],
                         "name": [f["properties"]["name"] for f in feats],
                         "metric": [float(i) if i % 3 else np.nan for i in range(len(feats))],
                         "blank_reason": [None if i % 3 else "not_reported" for i in range(len(feats))],
                         "estimated": [i % 4 == 0 for i in range(len(feats))]})
