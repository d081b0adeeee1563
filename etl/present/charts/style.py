"""What every chart shares: colours, the title, subtitle, source and demo mark (decorate),
vi-VN numbers (fmt), and the escaping of names that come from people and files (plain)."""
import html
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go

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
# Text for each blank_reason of the queries.
BLANK_TEXT = {"not_reported": vn.NOT_REPORTED, "no_population": "Chưa rõ dân số",
              "not_attributed": "Không ước tính (có đơn vị cũ bị chia)",
              "undefined": "Không tính được (mẫu số bằng 0)"}
ROW_PX = 20
# A value holding a split of an old unit (today's boundaries): lighter and hatched, and said.
ESTIMATE = "ước tính"
ESTIMATE_BAR = "#8fb3d9"
ESTIMATE_NOTE = "Vạch chéo, nhạt màu: ước tính (quy từ đơn vị cũ trước 01/07/2025)"
MERGER_NOTE = "Sắp xếp đơn vị hành chính {date}"


def estimated_flags(df: pd.DataFrame) -> np.ndarray:
    """The rows' estimated column (false where a query has none)."""
    if "estimated" not in df:
        return np.zeros(len(df), dtype=bool)
    return df["estimated"].fillna(False).astype(bool).to_numpy()


def with_estimate(text: str, estimated: bool) -> str:
    return f"{text} ({ESTIMATE})" if estimated and text != vn.NOT_REPORTED else text


def add_estimate_note(fig: go.Figure) -> None:
    fig.add_annotation(text=ESTIMATE_NOTE, xref="paper", yref="paper", x=0, y=0, xanchor="left",
                       yanchor="top", yshift=-42, showarrow=False,
                       font=dict(size=11, color="#555555"), name="estimate-note")


def plain(text) -> str:
    """Text for plotly as it is: plotly draws <a href>, <b> and other tags and entities in
    titles, labels and hovers, and reads %{…} in hover templates. Unit, model and series names
    come from people and files, so they pass through here."""
    return html.escape(str(text), quote=False).replace("%{", "%\u200b{")


def plain_names(df: pd.DataFrame, column: str = "name") -> pd.DataFrame:
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


def wrap(text: str, width: int = 28) -> str:
    """An axis label, escaped, in lines of about `width` characters."""
    words, lines, line = plain(text).split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)


def legend_above_top_axis(height: int, top: int = 150, bottom: int = 80) -> dict:
    """A horizontal legend between the subtitle and a top x axis: paper units depend on height."""
    return dict(orientation="h", x=0, xanchor="left", y=1 + 34 / max(1, height - top - bottom),
                yanchor="bottom", traceorder="normal")


def stacked_by_year(fig: go.Figure, y_title: str, title, subtitle, updated, demo) -> go.Figure:
    """Layout shared by the stacked bars per year (models, ratings): legend below, source lower."""
    fig.update_layout(barmode="stack", margin=dict(b=120),
                      legend=dict(orientation="h", y=-0.12, yanchor="top", traceorder="normal"),
                      uniformtext=dict(minsize=10, mode="hide"))
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=y_title, gridcolor="#eeeeee", tickformat=",~r")
    fig = decorate(fig, title, subtitle, updated, demo, height=460)
    fig.update_annotations(selector=dict(name="source"), yshift=-80)
    return fig
