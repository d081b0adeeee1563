"""The assessment's charts: totals ranked and coloured by rating, ratings per year,
the unit × criterion grid, and one unit against the median of each criterion.

A rating's colour is data (data/ratings.csv, column colour), carried by the queries' colour
column; a rating without one, and a total missing criteria ("Chưa đủ 10 tiêu chí"), are grey.
"""
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from etl.domain import vn
from etl.present.charts.style import (
    BAR,
    BLANK,
    HIGHLIGHT,
    ROW_PX,
    decorate,
    fmt,
    legend_above_top_axis,
    plain,
    plain_names,
    stacked_by_year,
)
from etl.read.assessment import not_enough


def _rating_colour(colour) -> str:
    return colour if isinstance(colour, str) and colour else BLANK


def assessment_ranking_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated,
                             demo: bool = False, highlight=()) -> go.Figure:
    """Totals out of 100, coloured by rating; units without a total say why.

    df: read.assessment.assessment() (columns name, code, total, rating, rating_order, colour,
    n_criteria).
    """
    df = plain_names(df.reset_index(drop=True))
    names = [f"<b>{n}</b>" if c in highlight else n for n, c in zip(df["name"], df["code"])]
    total = df["total"].astype(float)
    fig = go.Figure()
    # One trace per rating, best first, so the legend reads like the rating scale.
    ratings = (df[df["rating"].notna()].sort_values("rating_order", kind="stable")
               .drop_duplicates("rating"))
    for rating, colour in zip(ratings["rating"], ratings["colour"]):
        mask = (df["rating"] == rating).to_numpy()
        texts = [fmt(v, decimals=1) for v in total[mask]]
        fig.add_bar(x=total[mask], y=[n for n, m in zip(names, mask) if m], orientation="h",
                    name=plain(rating), marker_color=_rating_colour(colour), text=texts,
                    textposition="outside", cliponaxis=False, customdata=texts,
                    hovertemplate=f"%{{y}}: %{{customdata}} điểm — {plain(rating)}<extra></extra>")
    missing = total.isna().to_numpy()
    if missing.any():
        why = [not_enough(req, n) if n else vn.NOT_REPORTED
               for n, req in zip(df.loc[missing, "n_criteria"], df.loc[missing, "n_required"])]
        fig.add_scatter(x=np.zeros(int(missing.sum())), y=[n for n, m in zip(names, missing) if m],
                        mode="text", text=why, textposition="middle right",
                        textfont=dict(color="#777777", size=11), showlegend=False,
                        hovertemplate="%{y}: %{text}<extra></extra>")
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names, title=None,
                     tickfont=dict(size=11))
    height = max(360, ROW_PX * len(df) + 220)
    fig.update_xaxes(range=[0, float(df["max_total"].max()) * 1.08], side="top", gridcolor="#eeeeee", title=None)
    fig.update_layout(bargap=0.25, margin=dict(t=170), legend=legend_above_top_axis(height, 170))
    return decorate(fig, title, subtitle, updated, demo, height=height)


def rating_distribution_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated,
                              demo: bool = False) -> go.Figure:
    """Stacked columns per year: units in each rating (and without all 10 criteria).

    df: read.assessment.rating_distribution() (columns label, end_date, rating, sort_order,
    colour, units).
    """
    order = list(dict.fromkeys(df.sort_values("end_date")["label"]))
    fig = go.Figure()
    for rating, part in df.sort_values("sort_order").groupby("rating", sort=False):
        colour = part["colour"].iloc[0]
        part = part.set_index("label").reindex(order)
        values = part["units"].astype(float)
        texts = [fmt(v, decimals=0) if pd.notna(v) else "" for v in values]
        fig.add_bar(x=order, y=values, name=plain(rating), marker_color=_rating_colour(colour),
                    text=texts, textposition="inside", customdata=texts,
                    hovertemplate=f"%{{x}}<br>{plain(rating)}: %{{customdata}} đơn vị<extra></extra>")
    return stacked_by_year(fig, "đơn vị", title, subtitle, updated, demo)


def score_heatmap(df: pd.DataFrame, *, title: str, subtitle: str, updated,
                  demo: bool = False) -> go.Figure:
    """Units × criteria coloured by the score itself (0–10); a criterion not reported is grey.

    df: read.assessment.assessment_scores() (columns name, unit_order, short_name, sort_order, value).
    """
    df = plain_names(df.sort_values(["unit_order", "sort_order"], kind="stable"))
    columns = list(dict.fromkeys(df["short_name"]))
    units = list(dict.fromkeys(df["name"]))
    z = df.pivot(index="name", columns="short_name", values="value").reindex(
        index=units, columns=columns).astype(float)
    text = z.map(lambda v: "" if pd.isna(v) else fmt(v, decimals=1))
    is_blank = z.isna().to_numpy()
    fig = go.Figure()
    fig.add_heatmap(z=z.to_numpy(), x=columns, y=units, text=text.to_numpy(), texttemplate="%{text}",
                    textfont=dict(size=10), colorscale="RdYlGn", zmin=0, zmax=float(df["max_value"].max()),
                    xgap=1, ygap=1,
                    hoverongaps=False, name="Điểm",
                    colorbar=dict(title="điểm", lenmode="pixels", len=240, y=1, yanchor="top",
                                  thickness=14),
                    hovertemplate="%{y}<br>%{x}: %{text} điểm<extra></extra>")
    fig.add_heatmap(z=np.where(is_blank, 1.0, np.nan), x=columns, y=units,
                    text=np.where(is_blank, vn.NOT_REPORTED, ""), texttemplate="%{text}",
                    textfont=dict(size=9, color="#666666"), colorscale=[[0, BLANK], [1, BLANK]],
                    showscale=False, hoverongaps=False, xgap=1, ygap=1, name=vn.NOT_REPORTED,
                    hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>")
    fig.update_yaxes(autorange="reversed", title=None, tickfont=dict(size=11))
    fig.update_xaxes(side="top", title=None, tickfont=dict(size=11))
    fig.update_layout(margin=dict(t=150))
    return decorate(fig, title, subtitle, updated, demo, height=max(360, ROW_PX * len(units) + 260))


def criteria_vs_median_chart(df: pd.DataFrame, *, unit_name: str, title: str, subtitle: str,
                             updated, demo: bool = False) -> go.Figure:
    """One unit's 10 criteria as bars, the city median of each as an orange tick.

    df: rows of read.assessment.assessment_scores() for one unit (columns short_name, label, value, median).
    """
    df = df.sort_values("sort_order")
    unit_name = plain(unit_name)
    value = df["value"].astype(float)
    texts = [fmt(v, decimals=1) for v in value]
    fig = go.Figure()
    fig.add_bar(x=value, y=df["short_name"], orientation="h", name=unit_name, marker_color=BAR,
                text=[t if pd.notna(v) else "" for t, v in zip(texts, value)], textposition="inside",
                customdata=np.stack([texts, df["label"]], axis=-1),
                hovertemplate="%{customdata[1]}<br>" + unit_name + ": %{customdata[0]}<extra></extra>")
    med = df["median"].astype(float)
    fig.add_scatter(x=med, y=df["short_name"], mode="markers", name="Trung vị các đơn vị",
                    marker=dict(symbol="line-ns-open", size=24, color=HIGHLIGHT,
                                line=dict(width=4, color=HIGHLIGHT)),
                    customdata=[fmt(v, decimals=1) for v in med],
                    hovertemplate="%{y}<br>Trung vị: %{customdata}<extra></extra>")
    blank = value.isna().to_numpy()
    if blank.any():
        fig.add_scatter(x=np.zeros(int(blank.sum())), y=df.loc[blank, "short_name"], mode="text",
                        text=[vn.NOT_REPORTED] * int(blank.sum()), textposition="middle right",
                        textfont=dict(color="#777777"), showlegend=False, hoverinfo="skip")
    fig.update_yaxes(autorange="reversed", title=None, type="category")
    top = float(df["max_value"].max())
    fig.update_xaxes(range=[0, top * 1.05], dtick=1, gridcolor="#eeeeee",
                     title=f"điểm (tối đa {fmt(top)})")
    fig.update_layout(legend=dict(orientation="h", y=-0.15, yanchor="top"), margin=dict(b=130))
    fig = decorate(fig, title, subtitle, updated, demo, height=520)
    fig.update_annotations(selector=dict(name="source"), yshift=-95)
    return fig
