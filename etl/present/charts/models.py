"""The «Dân vận khéo» models' charts: per unit, per year, and the share of units per field."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from etl.domain import vn
from etl.present.charts.style import (
    BAR,
    ROW_PX,
    decorate,
    fmt,
    legend_above_top_axis,
    plain_names,
    stacked_by_year,
    wrap,
)

NEW_COLOR, KEPT_COLOR, STOPPED_COLOR = "#2e75b6", "#9dc3e6", "#bfbfbf"
MODEL_STATES = [("n_new", "Xây dựng mới", NEW_COLOR), ("n_maintained", "Duy trì từ trước", KEPT_COLOR),
                ("n_stopped", "Đã dừng trong năm", STOPPED_COLOR)]


def models_by_unit_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated,
                         demo: bool = False, highlight=()) -> go.Figure:
    """Stacked horizontal bars per unit: new, maintained, stopped; no list = "Chưa báo cáo".

    df: read.models.dvk_by_unit() (columns name, code, has_list, n_new, n_maintained, n_stopped).
    """
    df = plain_names(df.reset_index(drop=True))
    names = [f"<b>{n}</b>" if c in highlight else n for n, c in zip(df["name"], df["code"])]
    fig = go.Figure()
    for col, label, color in MODEL_STATES:
        values = df[col].where(df["has_list"]).astype(float)
        fig.add_bar(x=values, y=names, orientation="h", name=label, marker_color=color,
                    customdata=[fmt(v, decimals=0) for v in values],
                    hovertemplate=f"%{{y}}<br>{label}: %{{customdata}}<extra></extra>")
    missing = ~df["has_list"].astype(bool)
    if missing.any():
        fig.add_scatter(x=np.zeros(int(missing.sum())), y=[n for n, m in zip(names, missing) if m],
                        mode="text", text=[vn.NOT_REPORTED] * int(missing.sum()),
                        textposition="middle right", textfont=dict(color="#777777", size=11),
                        showlegend=False, hovertemplate="%{y}: %{text}<extra></extra>")
    height = max(360, ROW_PX * len(df) + 220)
    fig.update_layout(barmode="stack", bargap=0.25, margin=dict(t=170),
                      legend=legend_above_top_axis(height, 170))
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names, title=None,
                     tickfont=dict(size=11))
    fig.update_xaxes(title=None, side="top", gridcolor="#eeeeee", tickformat=",~r",
                     rangemode="tozero")
    return decorate(fig, title, subtitle, updated, demo, height=height)


def models_by_year_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated,
                         demo: bool = False) -> go.Figure:
    """Stacked columns per year: new, maintained, stopped. df: read.models.dvk_by_year()."""
    fig = go.Figure()
    for col, label, color in MODEL_STATES:
        values = df[col].astype(float)
        texts = [fmt(v, decimals=0) for v in values]
        fig.add_bar(x=df["label"], y=values, name=label, marker_color=color, text=texts,
                    textposition="inside", customdata=texts,
                    hovertemplate=f"%{{x}}<br>{label}: %{{customdata}}<extra></extra>")
    return stacked_by_year(fig, "mô hình", title, subtitle, updated, demo)


def field_share_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated,
                      demo: bool = False) -> go.Figure:
    """Share of units with a running model in each field, as bars with "n/N đơn vị".

    df: read.models.dvk_by_field() (columns field, share, units_with_model, units_with_list).
    """
    share = df["share"].astype(float)
    texts = [f"{fmt(s, percent=True)} · {int(n)}/{int(t)}" if pd.notna(s) else vn.NOT_REPORTED
             for s, n, t in zip(share, df["units_with_model"], df["units_with_list"])]
    fig = go.Figure()
    fig.add_bar(x=share, y=[wrap(f, 30) for f in df["field"]], orientation="h", marker_color=BAR,
                text=texts, textposition="outside", cliponaxis=False, customdata=texts,
                hovertemplate="%{y}: %{customdata}<extra></extra>")
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(range=[0, 1.2], tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1],
                     gridcolor="#eeeeee", title=None)
    fig.update_layout(showlegend=False, margin=dict(r=40, l=10))
    return decorate(fig, title, subtitle, updated, demo, height=420)
