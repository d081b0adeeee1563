"""Plotly figures for the dashboard and for briefings: pure functions of query results, no Streamlit.

Every figure carries a Vietnamese title and subtitle, the data source with its update date, vi-VN
number separators, and a "DỮ LIỆU MẪU" mark when the numbers are synthetic. A blank (not reported)
stays NaN in the data and is drawn grey or labelled "Chưa báo cáo", never as 0.
"""
import html
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from etl.domain import vn

SOURCE = ("Nguồn: Báo cáo công tác dân vận của UBND các phường, xã, đặc khu — "
          "số liệu cập nhật {date}")
DEMO_MARK = "DỮ LIỆU MẪU"
SEPARATORS = ",."            # plotly: decimal mark first, then the thousands separator
FONT = "Arial, 'Noto Sans', sans-serif"
BAR = "#1f4e79"
HIGHLIGHT = "#d9822b"
PREVIOUS = "#9dc3e6"
BLANK = "#d0d0d0"
MEDIAN = "#333333"
# Text for each queries blank_reason.
BLANK_TEXT = {"not_reported": vn.NOT_REPORTED, "no_population": "Chưa rõ dân số",
              "undefined": "Không tính được (mẫu số bằng 0)"}
ROW_PX = 20


def plain(text) -> str:
    """Text for plotly as it is: plotly draws <a href>, <b> and other tags and entities in
    titles, labels and hovers, and reads %{…} in hover templates. Unit, model and series names
    come from people and files, so they pass through here."""
    return html.escape(str(text), quote=False).replace("%{", "%\u200b{")


def _plain_names(df: pd.DataFrame, column: str = "name") -> pd.DataFrame:
    return df.assign(**{column: [plain(n) for n in df[column]]})


def source_text(updated: date | datetime | None) -> str:
    return SOURCE.format(date=vn.format_date(updated) if updated else "—")


def fmt(value, percent: bool = False, decimals: int | None = None) -> str:
    """vi-VN text of one value; NaN/None is "Chưa báo cáo"."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return vn.NOT_REPORTED
    if percent:
        return vn.format_percent(float(value), 1 if decimals is None else decimals)
    return vn.format_number(float(value), decimals)


def decorate(fig: go.Figure, title: str, subtitle: str, updated, demo: bool = False,
             height: int | None = None) -> go.Figure:
    """Title, subtitle, source footer, separators and the demo mark shared by all figures."""
    fig.update_layout(
        title=dict(text=plain(title), subtitle=dict(text=plain(subtitle)), x=0.01, xanchor="left"),
        separators=SEPARATORS, font=dict(family=FONT, size=13), plot_bgcolor="white",
        hoverlabel=dict(font_family=FONT))
    # Keep margins a chart already chose (room for a top axis or a legend).
    for side, px in dict(t=90, b=80, l=10, r=20).items():
        if getattr(fig.layout.margin, side) is None:
            fig.layout.margin[side] = px
    if height:
        fig.update_layout(height=height)
    fig.add_annotation(text=source_text(updated), xref="paper", yref="paper", x=1, y=0,
                       xanchor="right", yanchor="top", yshift=-42, showarrow=False,
                       font=dict(size=11, color="#555555"), name="source")
    if demo:
        fig.add_annotation(text=DEMO_MARK, xref="paper", yref="paper", x=1, y=1,
                           xanchor="right", yanchor="bottom", yshift=30, showarrow=False,
                           font=dict(size=16, color="#c00000"), bordercolor="#c00000",
                           borderwidth=2, borderpad=4, bgcolor="white", name="demo")
        fig.add_annotation(text=DEMO_MARK, xref="paper", yref="paper", x=0.5, y=0.5,
                           showarrow=False, textangle=-20, opacity=0.08,
                           font=dict(size=64, color="#c00000"), name="demo-watermark")
    return fig


def _wrap(text: str, width: int = 28) -> str:
    words, lines, line = plain(text).split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)


def ranking_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated, demo: bool = False,
                  percent: bool = False, decimals: int | None = None, axis_title: str = "",
                  highlight=()) -> go.Figure:
    """Horizontal bars, highest first; units without a value get a grey "Chưa báo cáo" label.

    df: read.compare.ranking() (columns name, metric, blank_reason, code).
    """
    df = _plain_names(df.reset_index(drop=True))
    metric = df["metric"].astype(float)
    texts = [fmt(v, percent, decimals) for v in metric]
    missing = metric.isna()
    why = df["blank_reason"].map(BLANK_TEXT).fillna(vn.NOT_REPORTED).to_numpy()
    colors = np.where(df["code"].isin(list(highlight)), HIGHLIGHT, BAR)
    fig = go.Figure()
    fig.add_bar(
        x=metric, y=df["name"], orientation="h", marker_color=colors,
        text=[t if not m else "" for t, m in zip(texts, missing)], textposition="outside",
        cliponaxis=False, customdata=texts, name=axis_title or "Giá trị",
        hovertemplate="%{y}: %{customdata}<extra></extra>")
    if missing.any():
        fig.add_scatter(
            x=np.zeros(int(missing.sum())), y=df.loc[missing, "name"], mode="markers+text",
            marker=dict(symbol="line-ns-open", size=10, color="#999999"),
            text=why[missing.to_numpy()], textposition="middle right",
            textfont=dict(color="#777777", size=11), name=vn.NOT_REPORTED,
            hovertemplate="%{y}: %{text}<extra></extra>")
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=df["name"],
                     title=None, ticks="outside", tickfont=dict(size=11))
    # Axis on top: with 114 rows the bottom of the chart is far below the fold.
    fig.update_xaxes(title=axis_title, showgrid=True, gridcolor="#eeeeee", zeroline=True,
                     rangemode="tozero", tickformat=".0%" if percent else ",~r", side="top")
    fig.update_layout(showlegend=False, bargap=0.25, margin=dict(t=130))
    return decorate(fig, title, subtitle, updated, demo, height=max(320, ROW_PX * len(df) + 180))


def heatmap(df: pd.DataFrame, *, title: str, subtitle: str, updated, demo: bool = False,
            decimals: int | None = None) -> go.Figure:
    """Unit × indicator grid coloured by rank within each indicator; blank cells grey.

    df: read.compare.matrix() (columns name, unit_order, sort_order, label, kind, metric, pct_rank,
    blank_reason).
    """
    df = _plain_names(df.sort_values(["unit_order", "sort_order"], kind="stable"))
    columns = list(dict.fromkeys(df["label"]))               # catalogue order, as queried
    df = df.assign(label=pd.Categorical(df["label"], columns), text=[
        fmt(v, kind == "rate", decimals) for v, kind in zip(df["metric"].astype(float), df["kind"])])
    units = list(dict.fromkeys(df["name"]))
    z = df.pivot(index="name", columns="label", values="pct_rank").reindex(index=units)
    text = df.pivot(index="name", columns="label", values="text").reindex(index=units)
    z = z.astype(float)
    x = [_wrap(c, 22) for c in z.columns]
    is_blank = z.isna().to_numpy()
    blank = np.where(is_blank, 1.0, np.nan)
    # Plotly writes a cell's text even where z is NaN: give each trace text only for its cells.
    reasons = (df.pivot(index="name", columns="label", values="blank_reason").reindex(index=units)
               if "blank_reason" in df else pd.DataFrame(index=units, columns=z.columns))
    reason_text = reasons.apply(lambda col: col.map(BLANK_TEXT)).fillna(vn.NOT_REPORTED)
    blank_text = np.where(is_blank, reason_text.to_numpy(dtype=object), "")
    text = text.mask(is_blank, "")
    fig = go.Figure()
    fig.add_heatmap(
        z=z.to_numpy(), x=x, y=units, text=text.to_numpy(), texttemplate="%{text}",
        textfont=dict(size=10), colorscale="Blues", zmin=0, zmax=1, hoverongaps=False,
        xgap=1, ygap=1, name="Giá trị",
        colorbar=dict(tickvals=[0, 1], ticktext=["thấp nhất", "cao nhất"], lenmode="pixels",
                      len=240, y=1, yanchor="top", thickness=14),
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>")
    fig.add_heatmap(
        z=blank, x=x, y=units, text=blank_text, texttemplate="%{text}",
        textfont=dict(size=9, color="#666666"),
        colorscale=[[0, BLANK], [1, BLANK]], showscale=False, hoverongaps=False, xgap=1, ygap=1,
        name=vn.NOT_REPORTED, hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>")
    fig.update_yaxes(autorange="reversed", title=None, tickfont=dict(size=11))
    fig.update_xaxes(side="top", title=None, tickfont=dict(size=11))
    fig.update_layout(margin=dict(t=150))
    return decorate(fig, title, subtitle, updated, demo, height=max(360, ROW_PX * len(units) + 260))


def trend_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated, demo: bool = False,
                percent: bool = False, decimals: int | None = None,
                axis_title: str = "") -> go.Figure:
    """Lines per unit over periods plus a dashed city-median line; gaps where a unit did not report.

    df: read.trends.trend() (columns period_label, end_date, series, is_median, value).
    """
    df = _plain_names(df, "series")
    order = list(dict.fromkeys(df.sort_values("end_date")["period_label"]))
    fig = go.Figure()
    for (is_median, series), part in df.groupby(["is_median", "series"], sort=False):
        part = part.sort_values("end_date")
        values = part["value"].astype(float)
        style = (dict(color=MEDIAN, dash="dash", width=3) if is_median else dict(width=2))
        fig.add_scatter(
            x=part["period_label"], y=values, mode="lines+markers", name=series, line=style,
            connectgaps=False, customdata=[fmt(v, percent, decimals) for v in values],
            hovertemplate=f"{series}<br>%{{x}}: %{{customdata}}<extra></extra>")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=order, title=None)
    fig.update_yaxes(title=axis_title, rangemode="tozero", gridcolor="#eeeeee",
                     tickformat=".0%" if percent else ",~r")
    fig.update_layout(legend=dict(orientation="h", y=-0.15, yanchor="top"),
                      margin=dict(b=130), hovermode="closest")
    fig = decorate(fig, title, subtitle, updated, demo, height=520)
    fig.update_annotations(selector=dict(name="source"), yshift=-95)
    return fig


def compare_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated, demo: bool = False,
                  current_label: str = "Kỳ này", previous_label: str = "Cùng kỳ") -> go.Figure:
    """One small panel per indicator: this period against the same period a year earlier.

    Panels keep their own scale (sessions and attendees differ a thousandfold). df: rows of
    read.city.totals() (columns label, kind, value, prev_value); rates and scores are left out.
    """
    df = df[df["kind"].isin(["flow", "stock"])].reset_index(drop=True)
    n = max(1, len(df))
    fig = make_subplots(rows=n, cols=1, subplot_titles=list(df["label"]),
                        vertical_spacing=min(0.5 / n, 0.12))
    for i, r in enumerate(df.itertuples(), start=1):
        values = [float(r.prev_value), float(r.value)]
        labels = [previous_label, current_label]
        texts = [fmt(v) for v in values]
        fig.add_bar(y=labels, x=values, orientation="h",
                    marker_color=[PREVIOUS, BAR], text=texts, textposition="outside",
                    cliponaxis=False, customdata=texts, showlegend=False, row=i, col=1,
                    hovertemplate=f"{r.label}<br>%{{y}}: %{{customdata}}<extra></extra>")
        blank = [j for j, v in enumerate(values) if np.isnan(v)]
        if blank:       # a NaN bar draws nothing: say so at the axis
            fig.add_scatter(y=[labels[j] for j in blank], x=[0] * len(blank), mode="text",
                            text=[vn.NOT_REPORTED] * len(blank), textposition="middle right",
                            textfont=dict(color="#777777"), showlegend=False, row=i, col=1,
                            hoverinfo="skip")
    fig.update_yaxes(autorange="reversed", title=None)
    # Bars carry their values as text, so panels need no tick labels to collide with titles.
    fig.update_xaxes(rangemode="tozero", showgrid=False, showticklabels=False, title=None)
    fig.update_annotations(font=dict(size=13), xanchor="left", x=0)   # the panel titles
    return decorate(fig, title, subtitle, updated, demo, height=150 * n + 170)


# ---------------------------------------------------------------- "Dân vận khéo", assessment

BLANK_TEXT.setdefault("incomplete", "Chưa đủ 10 tiêu chí")
NEW_COLOR, KEPT_COLOR, STOPPED_COLOR = "#2e75b6", "#9dc3e6", "#bfbfbf"
RATING_COLORS = {"Xuất sắc": "#1e7b34", "Tốt": "#5aa469", "Trung bình": "#f0ad4e", "Yếu": "#c9302c"}
MODEL_STATES = [("n_new", "Xây dựng mới", NEW_COLOR), ("n_maintained", "Duy trì từ trước", KEPT_COLOR),
                ("n_stopped", "Đã dừng trong năm", STOPPED_COLOR)]


def _legend_above_top_axis(height: int, top: int = 150, bottom: int = 80) -> dict:
    """A horizontal legend between the subtitle and a top x axis: paper units depend on height."""
    return dict(orientation="h", x=0, xanchor="left", y=1 + 34 / max(1, height - top - bottom),
                yanchor="bottom", traceorder="normal")


def _rating_color(rating) -> str:
    return RATING_COLORS.get(rating, BLANK) if isinstance(rating, str) else BLANK


def models_by_unit_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated,
                         demo: bool = False, highlight=()) -> go.Figure:
    """Stacked horizontal bars per unit: new, maintained, stopped; no list = "Chưa báo cáo".

    df: read.models.dvk_by_unit() (columns name, code, has_list, n_new, n_maintained, n_stopped).
    """
    df = _plain_names(df.reset_index(drop=True))
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
                      legend=_legend_above_top_axis(height, 170))
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
    return _stacked_by_year(fig, "mô hình", title, subtitle, updated, demo)


def field_share_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated,
                      demo: bool = False) -> go.Figure:
    """Share of units with a running model in each field, as bars with "n/N đơn vị".

    df: read.models.dvk_by_field() (columns field, share, units_with_model, units_with_list).
    """
    share = df["share"].astype(float)
    texts = [f"{fmt(s, percent=True)} · {int(n)}/{int(t)}" if pd.notna(s) else vn.NOT_REPORTED
             for s, n, t in zip(share, df["units_with_model"], df["units_with_list"])]
    fig = go.Figure()
    fig.add_bar(x=share, y=[_wrap(f, 30) for f in df["field"]], orientation="h", marker_color=BAR,
                text=texts, textposition="outside", cliponaxis=False, customdata=texts,
                hovertemplate="%{y}: %{customdata}<extra></extra>")
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(range=[0, 1.2], tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1],
                     gridcolor="#eeeeee", title=None)
    fig.update_layout(showlegend=False, margin=dict(r=40, l=10))
    return decorate(fig, title, subtitle, updated, demo, height=420)


def assessment_ranking_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated,
                             demo: bool = False, highlight=()) -> go.Figure:
    """Totals out of 100, coloured by rating; units without a total say why.

    df: read.assessment.assessment() (columns name, code, total, rating, n_criteria).
    """
    df = _plain_names(df.reset_index(drop=True))
    names = [f"<b>{n}</b>" if c in highlight else n for n, c in zip(df["name"], df["code"])]
    total = df["total"].astype(float)
    fig = go.Figure()
    for rating, color in RATING_COLORS.items():
        mask = (df["rating"] == rating).to_numpy()
        if not mask.any():
            continue
        texts = [fmt(v, decimals=1) for v in total[mask]]
        fig.add_bar(x=total[mask], y=[n for n, m in zip(names, mask) if m], orientation="h",
                    name=rating, marker_color=color, text=texts, textposition="outside",
                    cliponaxis=False, customdata=texts,
                    hovertemplate=f"%{{y}}: %{{customdata}} điểm — {rating}<extra></extra>")
    missing = total.isna().to_numpy()
    if missing.any():
        why = [f"Chưa đủ 10 tiêu chí ({int(n)}/10)" if n else vn.NOT_REPORTED
               for n in df.loc[missing, "n_criteria"]]
        fig.add_scatter(x=np.zeros(int(missing.sum())), y=[n for n, m in zip(names, missing) if m],
                        mode="text", text=why, textposition="middle right",
                        textfont=dict(color="#777777", size=11), showlegend=False,
                        hovertemplate="%{y}: %{text}<extra></extra>")
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names, title=None,
                     tickfont=dict(size=11))
    height = max(360, ROW_PX * len(df) + 220)
    fig.update_xaxes(range=[0, 108], side="top", gridcolor="#eeeeee", title=None)
    fig.update_layout(bargap=0.25, margin=dict(t=170), legend=_legend_above_top_axis(height, 170))
    return decorate(fig, title, subtitle, updated, demo, height=height)


def rating_distribution_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated,
                              demo: bool = False) -> go.Figure:
    """Stacked columns per year: units in each rating (and without all 10 criteria).

    df: read.assessment.rating_distribution() (columns label, end_date, rating, sort_order, units).
    """
    order = list(dict.fromkeys(df.sort_values("end_date")["label"]))
    fig = go.Figure()
    for rating, part in df.sort_values("sort_order").groupby("rating", sort=False):
        part = part.set_index("label").reindex(order)
        values = part["units"].astype(float)
        texts = [fmt(v, decimals=0) if pd.notna(v) else "" for v in values]
        fig.add_bar(x=order, y=values, name=rating, marker_color=_rating_color(rating), text=texts,
                    textposition="inside", customdata=texts,
                    hovertemplate=f"%{{x}}<br>{rating}: %{{customdata}} đơn vị<extra></extra>")
    return _stacked_by_year(fig, "đơn vị", title, subtitle, updated, demo)


def score_heatmap(df: pd.DataFrame, *, title: str, subtitle: str, updated,
                  demo: bool = False) -> go.Figure:
    """Units × criteria coloured by the score itself (0–10); a criterion not reported is grey.

    df: read.assessment.assessment_scores() (columns name, unit_order, short_name, sort_order, value).
    """
    df = _plain_names(df.sort_values(["unit_order", "sort_order"], kind="stable"))
    columns = list(dict.fromkeys(df["short_name"]))
    units = list(dict.fromkeys(df["name"]))
    z = df.pivot(index="name", columns="short_name", values="value").reindex(
        index=units, columns=columns).astype(float)
    text = z.map(lambda v: "" if pd.isna(v) else fmt(v, decimals=1))
    is_blank = z.isna().to_numpy()
    fig = go.Figure()
    fig.add_heatmap(z=z.to_numpy(), x=columns, y=units, text=text.to_numpy(), texttemplate="%{text}",
                    textfont=dict(size=10), colorscale="RdYlGn", zmin=0, zmax=10, xgap=1, ygap=1,
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
    fig.update_xaxes(range=[0, 10.5], dtick=1, gridcolor="#eeeeee", title="điểm (tối đa 10)")
    fig.update_layout(legend=dict(orientation="h", y=-0.15, yanchor="top"), margin=dict(b=130))
    fig = decorate(fig, title, subtitle, updated, demo, height=520)
    fig.update_annotations(selector=dict(name="source"), yshift=-95)
    return fig


def _stacked_by_year(fig: go.Figure, y_title: str, title, subtitle, updated, demo) -> go.Figure:
    """Layout shared by the stacked bars per year (models, ratings): legend below, source lower."""
    fig.update_layout(barmode="stack", margin=dict(b=120),
                      legend=dict(orientation="h", y=-0.12, yanchor="top", traceorder="normal"),
                      uniformtext=dict(minsize=10, mode="hide"))
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=y_title, gridcolor="#eeeeee", tickformat=",~r")
    fig = decorate(fig, title, subtitle, updated, demo, height=460)
    fig.update_annotations(selector=dict(name="source"), yshift=-80)
    return fig
