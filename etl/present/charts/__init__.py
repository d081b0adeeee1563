"""Plotly figures for the dashboard and for briefings: pure functions of query results, no Streamlit.

Every figure carries a Vietnamese title and subtitle, the data source with its update date, vi-VN
number separators, and a "DỮ LIỆU MẪU" mark when the numbers are synthetic. A blank (not reported)
stays NaN in the data and is drawn grey or labelled "Chưa báo cáo", never as 0. An estimate (a
value of today's units holding a split of an old unit) is drawn lighter, hatched or open, and
says «ước tính».

- style.py: what every chart shares (decorate, plain, fmt, source_text, colours);
- dashboard.py: ranking, unit × indicator grid, trends, this period against the year before;
- models.py: the «Dân vận khéo» models;
- assessment.py: the 10-criteria assessment, coloured by the ratings' colours of data/ratings.csv;
- map.py: one indicator on a map of today's units or provinces (boundaries from data/geo/).

Callers use the names below through this package (charts.ranking_chart, charts.fmt, ...).
"""
from etl.present.charts.assessment import (
    assessment_ranking_chart,
    criteria_vs_median_chart,
    rating_distribution_chart,
    score_heatmap,
)
from etl.present.charts.dashboard import compare_chart, heatmap, ranking_chart, trend_chart
from etl.present.charts.map import map_chart
from etl.present.charts.models import field_share_chart, models_by_unit_chart, models_by_year_chart
from etl.present.charts.style import (
    BLANK,
    BLANK_TEXT,
    DEMO_MARK,
    HIGHLIGHT,
    fmt,
    plain,
    source_text,
    with_estimate,
)

__all__ = [
    "BLANK", "BLANK_TEXT", "DEMO_MARK", "HIGHLIGHT", "assessment_ranking_chart", "compare_chart",
    "criteria_vs_median_chart", "field_share_chart", "fmt", "heatmap", "map_chart",
    "models_by_unit_chart", "models_by_year_chart", "plain", "ranking_chart",
    "rating_distribution_chart", "score_heatmap", "source_text", "trend_chart", "with_estimate",
]
