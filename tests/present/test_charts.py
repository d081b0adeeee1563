"""Chart builders: titles, source footer, vi-VN separators, blanks as NaN/grey, demo mark."""
import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from etl.present import charts
from etl.read import assessment, city, compare, trends
from etl.read.scope import Scope
from tests.conftest import CAT_HAI, THACH_KHOI, fixture_values

UPDATED = date(2025, 11, 20)
SOURCE = ("Nguồn: Báo cáo công tác dân vận của UBND các phường, xã, đặc khu — "
          "số liệu cập nhật 20/11/2025")


def annotations(fig) -> dict[str, str]:
    return {a.name: a.text for a in fig.layout.annotations if a.name}


def check_common(fig, title: str, subtitle: str, demo: bool = False) -> None:
    assert fig.layout.title.text == title
    assert fig.layout.title.subtitle.text == subtitle
    assert fig.layout.separators == ",."
    notes = annotations(fig)
    assert notes["source"] == SOURCE
    assert (notes.get("demo") == "DỮ LIỆU MẪU") is demo
    json.loads(fig.to_json())            # serialisable for st.plotly_chart and exports


@pytest.fixture()
def ranking_df(con):
    return compare.ranking(con, Scope('2025'), 'propaganda_sessions')


def test_ranking_chart_blank_units_are_nan_and_labelled(ranking_df):
    fig = charts.ranking_chart(ranking_df, title="Hội nghị tuyên truyền", subtitle="Năm 2025",
                               updated=UPDATED, highlight=[THACH_KHOI])
    check_common(fig, "Hội nghị tuyên truyền", "Năm 2025")
    bars, blanks = fig.data
    names = list(bars.y)
    x = dict(zip(names, bars.x))
    assert math.isnan(x["Cát Hải"])                     # did not report: NaN, not 0
    assert x["Thạch Khôi"] > 0
    assert "Cát Hải" in blanks.y and set(blanks.text) <= {"Chưa báo cáo", "Chưa rõ dân số"}
    assert bars.marker.color[names.index("Thạch Khôi")] == charts.HIGHLIGHT
    assert names[0] == ranking_df["name"].iloc[0]       # highest first
    assert fig.layout.yaxis.autorange == "reversed"


def test_ranking_chart_per_capita_labels_unknown_population(con):
    df = compare.ranking(con, Scope('2025'), 'propaganda_sessions', per_capita=True)
    fig = charts.ranking_chart(df, title="t", subtitle="s", updated=UPDATED, decimals=1)
    blanks = fig.data[1]
    labels = dict(zip(blanks.y, blanks.text))
    assert labels["Ái Quốc"] == "Chưa rõ dân số" and labels["Cát Hải"] == "Chưa báo cáo"
    texts = dict(zip(fig.data[0].y, fig.data[0].customdata))
    assert "," in texts["Thạch Khôi"]                    # one decimal with a comma


def test_ranking_chart_says_why_a_rate_is_blank(con):
    df = compare.ranking(con, Scope('2025'), 'opinion_resolution_rate')
    fig = charts.ranking_chart(df, title="t", subtitle="s", updated=UPDATED, percent=True)
    labels = dict(zip(fig.data[1].y, fig.data[1].text))
    assert labels["Hồng Bàng"] == "Không tính được (mẫu số bằng 0)"
    assert labels["Cát Hải"] == "Chưa báo cáo"
    assert fig.layout.xaxis.tickformat == ".0%"


def test_demo_mark_is_visible(ranking_df):
    fig = charts.ranking_chart(ranking_df, title="t", subtitle="s", updated=UPDATED, demo=True)
    check_common(fig, "t", "s", demo=True)
    assert annotations(fig)["demo-watermark"] == "DỮ LIỆU MẪU"


def test_heatmap_blank_cells_grey_with_hover_not_reported(con):
    df = compare.matrix(con, Scope('2025'), 'Hòa giải ở cơ sở')
    fig = charts.heatmap(df, title="Hòa giải", subtitle="Năm 2025", updated=UPDATED)
    check_common(fig, "Hòa giải", "Năm 2025")
    values, blank = fig.data
    rows = list(values.y)
    z = np.array(values.z, dtype=float)
    le_chan = rows.index("Lê Chân")
    assert math.isnan(z[le_chan][0])                    # mediation_cases left blank
    assert blank.z[le_chan][0] == 1 and blank.text[le_chan][0] == "Chưa báo cáo"
    assert math.isnan(blank.z[rows.index("Thạch Khôi")][0])
    assert blank.text[rows.index("Thạch Khôi")][0] == ""          # no text over real values
    assert values.text[le_chan][0] == ""
    assert values.hoverongaps is False and "%{text}" in blank.hovertemplate
    assert blank.colorscale[0][1] == charts.BLANK
    assert values.text[rows.index("Thạch Khôi")][2].endswith("%")      # the rate column
    assert [x.replace("<br>", " ") for x in values.x][0] == "Vụ việc hòa giải"


def test_heatmap_says_why_a_rate_cell_is_blank(con):
    df = compare.matrix(con, Scope('2025'), 'Đối thoại')
    fig = charts.heatmap(df, title="t", subtitle="s", updated=UPDATED)
    blank = fig.data[1]
    rows, cols = list(blank.y), [x.replace("<br>", " ") for x in blank.x]
    rate_col = cols.index("Tỷ lệ ý kiến, kiến nghị đối thoại được giải quyết")
    assert blank.text[rows.index("Hồng Bàng")][rate_col] == "Không tính được (mẫu số bằng 0)"
    assert blank.text[rows.index("Cát Hải")][rate_col] == "Chưa báo cáo"


def test_trend_chart_median_line_and_gaps(con):
    df = trends.trend(con, Scope(), 'propaganda_sessions', 'year', [THACH_KHOI, CAT_HAI])
    fig = charts.trend_chart(df, title="Xu hướng", subtitle="Theo năm", updated=UPDATED)
    check_common(fig, "Xu hướng", "Theo năm")
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"Thạch Khôi", "Cát Hải", trends.MEDIAN_LABEL}
    median = traces[trends.MEDIAN_LABEL]
    assert median.line.dash == "dash"
    cat_hai = dict(zip(traces["Cát Hải"].x, traces["Cát Hải"].y))
    assert math.isnan(cat_hai["Năm 2025"]) and not traces["Cát Hải"].connectgaps
    assert list(fig.layout.xaxis.categoryarray) == ["Năm 2023", "Năm 2024", "Năm 2025"]
    assert "Chưa báo cáo" in traces["Cát Hải"].customdata


def test_trend_without_units_shows_the_spread_around_the_median(con):
    df = trends.trend(con, Scope(), 'propaganda_sessions', 'year').sort_values("end_date")
    for r in df.itertuples():
        # The fixture's values, interpolated as DuckDB's quantile_cont and median are.
        values = [v["propaganda_sessions"] for (u, p), v in fixture_values().items()
                  if p == r.period_key and v.get("propaganda_sessions") is not None]
        assert r.p25 == pytest.approx(np.percentile(values, 25))
        assert r.p75 == pytest.approx(np.percentile(values, 75))
        assert r.p25 <= r.value <= r.p75 and r.p25 < r.p75
    fig = charts.trend_chart(df, title="Xu hướng", subtitle="Theo năm", updated=UPDATED)
    traces = list(fig.data)
    band = next(t for t in traces if t.name == trends.QUARTILES_LABEL)
    edge = traces[traces.index(band) - 1]       # the band fills up to the trace before it
    assert band.fill == "tonexty" and list(band.y) == list(df["p25"])
    assert list(edge.y) == list(df["p75"]) and edge.showlegend is False
    median = next(t for t in traces if t.name == trends.MEDIAN_LABEL)
    assert traces.index(median) > traces.index(band)          # the line over the band
    # With units chosen the lines are the units' own: no band (the page's chart as before).
    with_units = trends.trend(con, Scope(), 'propaganda_sessions', 'year', [THACH_KHOI])
    fig = charts.trend_chart(with_units, title="Xu hướng", subtitle="Theo năm", updated=UPDATED)
    assert {t.name for t in fig.data} == {"Thạch Khôi", trends.MEDIAN_LABEL}


def test_compare_chart_leaves_out_rates_and_keeps_blank_previous(con):
    totals = city.totals(con, Scope('2025-Q3'))
    rows = totals[totals["group_name"] == "Hòa giải ở cơ sở"]
    fig = charts.compare_chart(rows, title="Hòa giải", subtitle="Quý III/2025", updated=UPDATED,
                               current_label="Quý III/2025", previous_label="Quý III/2024")
    check_common(fig, "Hòa giải", "Quý III/2025")
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 2                                # cases and successful, not the rate
    cases = bars[0]
    assert list(cases.y) == ["Quý III/2024", "Quý III/2025"]
    assert math.isnan(cases.x[0]) and cases.x[1] > 0     # no report a year earlier
    labels = [t for t in fig.data if t.type == "scatter"]
    assert labels and list(labels[0].y) == ["Quý III/2024"]
    assert list(labels[0].text) == ["Chưa báo cáo"]


def test_vi_vn_text_helpers():
    assert charts.fmt(1234.5) == "1.234,5"
    assert charts.fmt(float("nan")) == "Chưa báo cáo"
    assert charts.fmt(None) == "Chưa báo cáo"
    assert charts.fmt(0.0) == "0"
    assert charts.fmt(0.973, percent=True) == "97,3%"
    assert charts.source_text(None).endswith("số liệu cập nhật —")


def test_charts_accept_empty_results(con):
    df = compare.ranking(con, Scope('2025'), 'no_such_indicator')
    fig = charts.ranking_chart(df, title="t", subtitle="s", updated=UPDATED)
    assert fig.layout.title.text == "t"
    empty = pd.DataFrame(columns=["period_label", "end_date", "series", "is_median", "value"])
    assert charts.trend_chart(empty, title="t", subtitle="s", updated=UPDATED).data == ()


def test_rating_colours_come_from_the_data(con):
    """Each rating is drawn in its colour from data/ratings.csv; one without a colour (and
    «Chưa đủ 10 tiêu chí») is grey."""
    res = assessment.assessment(con, Scope('2025'))
    def bar_colours(fig):
        return {t.name: t.marker.color for t in fig.data if t.type == "bar"}
    fig = charts.assessment_ranking_chart(res, title="t", subtitle="s", updated=UPDATED)
    assert bar_colours(fig)["Xuất sắc"] == "#1e7b34"
    assert list(bar_colours(fig)) == ["Xuất sắc", "Tốt", "Trung bình"]    # the rating scale's order
    recoloured = res.assign(colour=res["colour"].mask(res["rating"] == "Tốt", "#123456")
                                                .mask(res["rating"] == "Xuất sắc", None))
    fig = charts.assessment_ranking_chart(recoloured, title="t", subtitle="s", updated=UPDATED)
    assert bar_colours(fig)["Tốt"] == "#123456" and bar_colours(fig)["Xuất sắc"] == charts.BLANK
    dist = assessment.rating_distribution(con, Scope())
    fig = charts.rating_distribution_chart(dist, title="t", subtitle="s", updated=UPDATED)
    assert bar_colours(fig)["Trung bình"] == "#f0ad4e"
    assert bar_colours(fig)["Chưa đủ 10 tiêu chí"] == charts.BLANK
