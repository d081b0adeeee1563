"""The dashboard's charts: a ranking of units, the unit × indicator grid, trends over periods,
and this period against the same period a year earlier."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from etl.domain import vn
from etl.present.charts.style import (
    BAR,
    BLANK,
    BLANK_TEXT,
    ESTIMATE_BAR,
    HIGHLIGHT,
    MEDIAN,
    MERGER_NOTE,
    PREVIOUS,
    ROW_PX,
    add_estimate_note,
    decorate,
    estimated_flags,
    fmt,
    plain_names,
    with_estimate,
    wrap,
)
from etl.read.trends import QUARTILES_LABEL

QUARTILES = "rgba(31, 78, 121, 0.18)"      # the bars' blue, light: the band stays behind the lines


def ranking_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated, demo: bool = False,
                  percent: bool = False, decimals: int | None = None, axis_title: str = "",
                  highlight=()) -> go.Figure:
    """Horizontal bars, highest first; units without a value get a grey "Chưa báo cáo" label.

    df: read.compare.ranking() (columns name, metric, blank_reason, code, estimated). An
    estimate is lighter and hatched, and its label says «ước tính».
    """
    df = plain_names(df.reset_index(drop=True))
    metric = df["metric"].astype(float)
    est = estimated_flags(df)
    texts = [with_estimate(fmt(v, percent, decimals), e) for v, e in zip(metric, est)]
    missing = metric.isna()
    why = df["blank_reason"].map(BLANK_TEXT).fillna(vn.NOT_REPORTED).to_numpy()
    colors = np.where(df["code"].isin(list(highlight)), HIGHLIGHT, np.where(est, ESTIMATE_BAR, BAR))
    fig = go.Figure()
    fig.add_bar(
        x=metric, y=df["name"], orientation="h", marker_color=colors,
        marker_pattern_shape=np.where(est, "/", ""),
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
    if est.any():
        add_estimate_note(fig)
    return decorate(fig, title, subtitle, updated, demo, height=max(320, ROW_PX * len(df) + 180))


def heatmap(df: pd.DataFrame, *, title: str, subtitle: str, updated, demo: bool = False,
            decimals: int | None = None) -> go.Figure:
    """Unit × indicator grid coloured by rank within each indicator; blank cells grey.

    df: read.compare.matrix() (columns name, unit_order, sort_order, label, kind, metric, pct_rank,
    blank_reason).
    """
    df = plain_names(df.sort_values(["unit_order", "sort_order"], kind="stable"))
    columns = list(dict.fromkeys(df["label"]))               # catalogue order, as queried
    df = df.assign(label=pd.Categorical(df["label"], columns), text=[
        fmt(v, kind == "rate", decimals) + ("*" if e else "")
        for v, kind, e in zip(df["metric"].astype(float), df["kind"], estimated_flags(df))])
    units = list(dict.fromkeys(df["name"]))
    z = df.pivot(index="name", columns="label", values="pct_rank").reindex(index=units)
    text = df.pivot(index="name", columns="label", values="text").reindex(index=units)
    z = z.astype(float)
    x = [wrap(c, 22) for c in z.columns]
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
    if estimated_flags(df).any():
        fig.add_annotation(text="* ước tính (quy từ đơn vị cũ trước 01/07/2025)", xref="paper",
                           yref="paper", x=0, y=0, xanchor="left", yanchor="top", yshift=-42,
                           showarrow=False, font=dict(size=11, color="#555555"), name="estimate-note")
    return decorate(fig, title, subtitle, updated, demo, height=max(360, ROW_PX * len(units) + 260))


def trend_chart(df: pd.DataFrame, *, title: str, subtitle: str, updated, demo: bool = False,
                percent: bool = False, decimals: int | None = None,
                axis_title: str = "", merger=None) -> go.Figure:
    """Lines per unit over periods plus a dashed city-median line; gaps where a unit did not report.
    Without unit lines, a band between the 25th and 75th percentiles (columns p25, p75) shows the
    spread of the units around the median.

    df: read.trends.trend() (columns period_label, start_date, end_date, series, is_median,
    value, estimated): an estimate is an open marker and says «ước tính» on hover. merger: the
    date today's units were formed (01/07/2025), marked by a dotted line where the series
    crosses it.
    """
    df = plain_names(df, "series")
    order = list(dict.fromkeys(df.sort_values("end_date")["period_label"]))
    fig = go.Figure()
    if df["is_median"].all():
        # A median alone hides how far apart the units are: draw where the middle half lie.
        _quartile_band(fig, df.sort_values("end_date"), percent, decimals)
    any_estimate = False
    for (is_median, series), part in df.groupby(["is_median", "series"], sort=False):
        part = part.sort_values("end_date")
        values = part["value"].astype(float)
        est = estimated_flags(part)
        any_estimate |= bool(est.any())
        style = (dict(color=MEDIAN, dash="dash", width=3) if is_median else dict(width=2))
        fig.add_scatter(
            x=part["period_label"], y=values, mode="lines+markers", name=series, line=style,
            marker=dict(symbol=np.where(est, "circle-open", "circle"), size=np.where(est, 10, 7)),
            connectgaps=False,
            customdata=[with_estimate(fmt(v, percent, decimals), e) for v, e in zip(values, est)],
            hovertemplate=f"{series}<br>%{{x}}: %{{customdata}}<extra></extra>")
    if merger is not None and "start_date" in df:
        _mark_merger(fig, df, order, pd.Timestamp(merger))
    if any_estimate:
        fig.add_annotation(text="Chấm rỗng: ước tính (quy từ đơn vị cũ trước 01/07/2025)",
                           xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                           yshift=-110, showarrow=False, font=dict(size=11, color="#555555"),
                           name="estimate-note")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=order, title=None)
    fig.update_yaxes(title=axis_title, rangemode="tozero", gridcolor="#eeeeee",
                     tickformat=".0%" if percent else ",~r")
    fig.update_layout(legend=dict(orientation="h", y=-0.15, yanchor="top"),
                      margin=dict(b=130), hovermode="closest")
    fig = decorate(fig, title, subtitle, updated, demo, height=520)
    fig.update_annotations(selector=dict(name="source"), yshift=-95)
    return fig


def _quartile_band(fig: go.Figure, median: pd.DataFrame, percent: bool, decimals) -> None:
    """The p25–p75 band under the median line: p75 an invisible edge, p25 filled up to it."""
    if not {"p25", "p75"} <= set(median.columns) or median["p25"].isna().all():
        return
    low, high = median["p25"].astype(float), median["p75"].astype(float)
    fig.add_scatter(x=median["period_label"], y=high, mode="lines", line=dict(width=0),
                    showlegend=False, hoverinfo="skip", name="p75")
    spans = [f"{fmt(a, percent, decimals)} – {fmt(b, percent, decimals)}" for a, b in zip(low, high)]
    fig.add_scatter(x=median["period_label"], y=low, mode="lines", line=dict(width=0),
                    fill="tonexty", fillcolor=QUARTILES, name=QUARTILES_LABEL, customdata=spans,
                    hovertemplate=f"{QUARTILES_LABEL}<br>%{{x}}: %{{customdata}}<extra></extra>")


def _mark_merger(fig: go.Figure, df: pd.DataFrame, order: list, merger: pd.Timestamp) -> None:
    """A dotted line on the period that straddles the merger date, or between the last period
    before it and the first after it (nothing when the series does not cross it)."""
    bounds = df.drop_duplicates("period_label").set_index("period_label")
    for i, label in enumerate(order):
        start, end = pd.Timestamp(bounds.loc[label, "start_date"]), pd.Timestamp(bounds.loc[label, "end_date"])
        if end < merger:
            continue
        if start < merger or i > 0:
            x = i if start < merger else i - 0.5
            fig.add_shape(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="paper",
                          line=dict(color="#c00000", dash="dot", width=2), name="merger")
            fig.add_annotation(x=x, xref="x", y=1, yref="paper", yanchor="bottom", showarrow=False,
                               text=MERGER_NOTE.format(date=vn.format_date(merger.date())),
                               font=dict(size=11, color="#c00000"), name="merger")
        return


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
        est = [bool(getattr(r, "prev_estimated", False)), bool(getattr(r, "estimated", False))]
        texts = [with_estimate(fmt(v), e) for v, e in zip(values, est)]
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
