"""A map of one indicator over today's units (or provinces), drawn from shipped GeoJSON alone.

Offline servers: the trace is Choroplethmap on map_style "white-bg" (maplibre with no tile,
style, glyph or sprite source), never `choropleth` (plotly fetches a topojson from a CDN), so the
browser and kaleido draw it without any outside request.
"""
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from etl.domain import vn
from etl.present import boundaries
from etl.present.charts.style import (
    BLANK,
    BLANK_TEXT,
    HIGHLIGHT,
    decorate,
    estimated_flags,
    fmt,
    plain,
    with_estimate,
)

MAP_STYLE = "white-bg"
HEIGHT = 720
# The screen chart stretches to the page: a typical width, for the first view's zoom only.
ASSUMED_WIDTH = 900
MARGIN = dict(t=110, b=100, l=10, r=10)
# The lightest blue stays well apart from the grey of units without a value.
COLORSCALE = [[0, "#c6dbef"], [0.5, "#4a89c8"], [1, "#08306b"]]
NOT_IN_REGISTRY = "Không có trong danh mục đơn vị"
ESTIMATE_NOTE = "Nhạt màu: ước tính (quy từ đơn vị cũ trước 01/07/2025)"
HOVER = "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>"
TILE_PX = 512          # maplibre: the world is 512 × 2^zoom pixels wide
NOTE_FONT = dict(size=11, color="#555555")


def map_chart(df: pd.DataFrame, geojson: dict, *, title: str, subtitle: str, updated,
              demo: bool = False, percent: bool = False, decimals: int | None = None,
              value_label: str = "", highlight=(), boundary_source: str = boundaries.SOURCE,
              height: int = HEIGHT) -> go.Figure:
    """Units (or provinces) coloured by `metric`; those without one grey, saying why on hover,
    never drawn as 0.

    df: read.compare.ranking() or read.maps.by_province() (columns code, name, metric,
    blank_reason, estimated; with units and units_with_metric the hover counts them).
    geojson: a FeatureCollection keyed by properties.code (etl.present.boundaries). A unit
    without a shape is named in a note; a shape without a unit is grey, «Không có trong danh
    mục đơn vị». Estimates are lighter and say «ước tính»; highlighted codes get an orange edge.
    Each shape's customdata is [name, value text, code] (the code: what a click selects).
    """
    df = df.reset_index(drop=True).assign(code=lambda d: d["code"].astype(str))
    shapes = {str(f["properties"].get("code")): f["properties"] for f in geojson["features"]}
    drawn = df[df["code"].isin(shapes)]
    metric = drawn["metric"].astype(float).to_numpy()
    est = estimated_flags(drawn)
    rows = _rows(zip(drawn["name"], _hover_texts(drawn, metric, est, percent, decimals), drawn["code"]))
    has = ~np.isnan(metric)
    # Shapes the registry does not know (codes that differ between the two sources).
    unknown = _rows((shapes[c].get("name", c), NOT_IN_REGISTRY, c) for c in shapes if c not in set(drawn["code"]))
    grey = np.vstack([rows[~has], unknown])
    keep = {str(c) for c in highlight}
    fig = go.Figure()
    if has.any():
        fig.add_choroplethmap(
            **_shapes(geojson, rows[has]), z=metric[has], colorscale=COLORSCALE,
            marker=dict(opacity=np.where(est[has], 0.5, 0.9), line=_edges(rows[has], keep)),
            colorbar=dict(title=dict(text=plain(value_label)), thickness=14, len=0.6,
                          tickformat=".0%" if percent else ",~r"),
            name=plain(value_label) or "Giá trị", showlegend=False)
    if len(grey):
        # z only picks the one grey of the scale: hover and legend say why, no 0 is ever shown.
        fig.add_choroplethmap(
            **_shapes(geojson, grey), z=np.zeros(len(grey)), colorscale=[[0, BLANK], [1, BLANK]],
            showscale=False, marker=dict(line=_edges(grey, keep)),
            name=f"{vn.NOT_REPORTED} (không phải 0)", showlegend=True)
    _frame(fig, geojson, height)
    _notes(fig, df[~df["code"].isin(shapes)], bool(est[has].any()))
    fig = decorate(fig, title, subtitle, updated, demo, height=height)
    # The data's source, then where the outlines come from.
    fig.update_annotations(selector=dict(name="source"), yshift=-12, align="right")
    for a in fig.layout.annotations:
        if a.name == "source":
            a.text = f"{a.text}<br>{plain(boundary_source)}"
    return fig


def _rows(triples) -> np.ndarray:
    """[escaped name, hover text, code] per shape."""
    return np.array([[plain(n), t, c] for n, t, c in triples], dtype=object).reshape(-1, 3)


def _shapes(geojson: dict, rows: np.ndarray) -> dict:
    """A trace's shapes, keyed by code, with their hover; only its own outlines are sent."""
    return dict(geojson=_subset(geojson, rows[:, 2]), featureidkey=boundaries.KEY, locations=rows[:, 2],
                customdata=rows, hovertemplate=HOVER)


def _edges(rows: np.ndarray, keep: set) -> dict:
    """Followed units stand out by an orange edge."""
    followed = np.isin(rows[:, 2], list(keep))
    return dict(color=np.where(followed, HIGHLIGHT, "white"), width=np.where(followed, 3, 0.6))


def _subset(geojson: dict, codes) -> dict:
    # Each outline goes to the browser once (two traces of the whole file would double it).
    wanted = set(codes)
    return {"type": "FeatureCollection",
            "features": [f for f in geojson["features"] if str(f["properties"].get("code")) in wanted]}


def _hover_texts(df: pd.DataFrame, metric, est, percent: bool, decimals) -> list[str]:
    """The value (or why it is blank), and for a province how many of its units it holds."""
    why = df["blank_reason"].map(BLANK_TEXT).fillna(vn.NOT_REPORTED) if "blank_reason" in df else None
    texts = [with_estimate(fmt(v, percent, decimals), e) if not math.isnan(v) else
             (why.iloc[i] if why is not None else vn.NOT_REPORTED)
             for i, (v, e) in enumerate(zip(metric, est))]
    if "units" in df:
        counted = df["units_with_metric"] if "units_with_metric" in df else df["units_reported"]
        texts = [f"{t}<br>{vn.format_number(n)}/{vn.format_number(u)} đơn vị có số liệu"
                 for t, n, u in zip(texts, counted, df["units"])]
    return texts


def _extent(geojson: dict) -> tuple[float, float, float, float]:
    """West, east, south, north of the outer rings."""
    rings = []
    for f in geojson["features"]:
        g = f["geometry"] or {}
        polygons = [g["coordinates"]] if g.get("type") == "Polygon" else g.get("coordinates", [])
        rings.extend(np.asarray(p[0], dtype=float)[:, :2] for p in polygons if p)
    if not rings:
        return 102.1, 117.9, 7.2, 23.4          # Việt Nam, islands included
    pts = np.concatenate(rings)
    return pts[:, 0].min(), pts[:, 0].max(), pts[:, 1].min(), pts[:, 1].max()


def _mercator(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def view(geojson: dict, width: float, height: float) -> tuple[dict, float]:
    """Centre and zoom that fit every shape in a plot area of width × height pixels."""
    west, east, south, north = _extent(geojson)
    y0, y1 = _mercator(south), _mercator(north)
    zoom_x = math.log2(width * 360 / (TILE_PX * max(east - west, 1e-3)))
    zoom_y = math.log2(height * 2 * math.pi / (TILE_PX * max(y1 - y0, 1e-5)))
    lat = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2)) - math.pi / 2)
    return dict(lon=float(west + east) / 2, lat=lat), round(float(min(zoom_x, zoom_y)) - 0.15, 2)


def _frame(fig: go.Figure, geojson: dict, height: int) -> None:
    center, zoom = view(geojson, ASSUMED_WIDTH, height - MARGIN["t"] - MARGIN["b"])
    # A rerun with other filters keeps the reader's pan and zoom; other shapes start afresh.
    revision = f"{center['lon']:.3f},{center['lat']:.3f},{zoom}"
    fig.update_layout(
        map=dict(style=MAP_STYLE, center=center, zoom=zoom), margin=MARGIN,
        legend=dict(x=0.01, xanchor="left", y=0.99, yanchor="top",
                    bgcolor="rgba(255,255,255,0.85)"),
        uirevision=revision)


def _notes(fig: go.Figure, without_shape: pd.DataFrame, any_estimate: bool) -> None:
    lines = [ESTIMATE_NOTE] if any_estimate else []
    if len(without_shape):
        names = ", ".join(plain(n) for n in without_shape["name"].head(5))
        more = "…" if len(without_shape) > 5 else ""
        lines.append(f"{vn.format_number(len(without_shape))} đơn vị chưa có ranh giới trên bản đồ "
                     f"(xem bảng số liệu): {names}{more}")
    if lines:
        fig.add_annotation(text="<br>".join(lines), xref="paper", yref="paper", x=0, y=0,
                           xanchor="left", yanchor="top", yshift=-30, align="left", showarrow=False,
                           font=NOTE_FONT, name="map-note")
