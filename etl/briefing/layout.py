"""The pack's charts laid out for the box they are placed in (the slide's picture box, and smaller
the A4 page): every text at least figures.min_font_px, the subtitle and the notes wrapped to the
width, and the blocks above and below the plot stacked so that none overlaps another.

The charts are made for the screen (13 px text, offsets in px for about 520 px of height); the
layout here is figures.placed_size of the box (72 px per inch), and the room of every block is
measured in Arial (figures.text_width) instead of taken from the screen's offsets.
"""
import base64
import copy
import math

import numpy as np
import plotly.graph_objects as go

from etl.present import figures

LINE = 1.3              # plotly.js sets the lines of one text 1.3 em apart
PAD = 6                 # px between the figure's edge, a block of text and the next
TICK = 8                # px between an axis line and its tick labels (tick length, standoff)
NOTES = ("map-note", "estimate-note", "source")      # the lines under a chart, in this order
COLORBAR_BAR = 14       # px of a map's colour bar (charts.map), beside its labels
LEGEND_SYMBOL = 46      # px of a legend entry besides its text (symbol and gaps)
SUBTITLE_COLOR = "#444444"
MULTILINE_DROP = 0.7    # em: see _title


def placed_figure(fig: go.Figure | dict, width_in: float, height_in: float, placements) -> dict:
    """fig as a plotly dict for figures.placed_image(d, width_in, height_in): no text smaller
    than what prints min_pt at every placement (figures.Placement)."""
    width, height = figures.placed_size(width_in, height_in)
    font = figures.min_font_px(width, placements)
    d = copy.deepcopy(figures.export_layout(fig, width, height))
    lay = d["layout"]
    _raise_fonts(d["data"], font)
    _raise_fonts({k: v for k, v in lay.items() if k != "template"}, font)
    lay["font"] = {**(lay.get("font") or {}), "size": max((lay.get("font") or {}).get("size") or 0, font)}
    margin = {"l": 10, "r": 20, **(lay.get("margin") or {})}
    if "map" in lay:        # the colour bar sits in the right margin: texts wrap to the map's width
        margin["r"] = max(margin["r"], _colorbar_room(d, font))
    line = font * LINE
    top = PAD + _title(lay, width - margin["r"], font) + PAD
    above = _tick_room(d, lay, "top", font, width)
    shown = _legend_rows(d, lay, width, font)
    legend = lay.get("legend") or {}
    legend_up = bool(shown) and (legend.get("y") or 0) > 1
    raised = [a for a in lay.get("annotations") or () if _sits_above(a)]
    top += above + (line if raised else 0) + (shown * (line + 4) + PAD if legend_up else 0)
    below = _tick_room(d, lay, "bottom", font, width)
    bottom = below + (shown * (line + 4) + PAD if shown and not legend_up else 0)
    bottom = _stack_notes(lay, bottom + PAD, width - margin["r"] - 2 * PAD, font) + PAD
    plot = max(1, height - top - bottom)
    for a in raised:                    # panel titles and marks above the plot: over its ticks
        a["yshift"] = above
    if shown:
        lay["legend"] = {**legend, "orientation": "h", "x": 0, "xanchor": "left"}
        lay["legend"].update(
            {"y": 1 + (above + (line if raised else 0)) / plot, "yanchor": "bottom"} if legend_up
            else {"y": -below / plot, "yanchor": "top"})
    for a in lay.get("annotations") or ():
        if a.get("name") == "demo":     # the demo box on the subtitle's first line, right
            a.update(y=1, yref="paper", yanchor="top", yshift=top - PAD)
    lay["margin"] = {**margin, "t": math.ceil(top), "b": math.ceil(bottom)}
    _fit_bar_labels(d, width - margin["r"], font)
    if "map" in lay:
        _frame_map(d, width - margin["l"] - margin["r"], plot)
    return d


def _colorbar_room(d: dict, font: int) -> float:
    """The right margin a map's colour bar needs: the bar, then the wider of its title and its
    tick labels, at the box's font (plotly would widen the margin itself, past what the texts
    above and below were wrapped to)."""
    room = 0.0
    for t in d["data"]:
        bar = t.get("colorbar")
        if t.get("showscale") is False or not bar:
            continue
        title = ((bar.get("title") or {}).get("text")) or ""
        room = max(room, figures.text_width(title, font), figures.text_width("100.000", font) + COLORBAR_BAR + TICK)
        bar.update(x=1, xanchor="left", xpad=PAD, title={**(bar.get("title") or {}), "side": "top"})
    return room + 3 * PAD


def _frame_map(d: dict, width: float, height: float) -> None:
    """A map's view fitted to the plot area of the box (the screen's assumes a page's width)."""
    from etl.present.charts.map import view
    features = [f for t in d["data"] for f in ((t.get("geojson") or {}).get("features") or [])]
    if features:
        center, zoom = view({"features": features}, width, height)
        d["layout"]["map"].update(center=center, zoom=zoom)


def _raise_fonts(obj, font: int) -> None:
    """Every font of obj (a dict or list of plotly's) set to at least font px."""
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for key, value in list(items):
        if isinstance(key, str) and key.endswith("font") and isinstance(value, dict):
            size = value.get("size")
            if isinstance(size, (int, float)):
                value["size"] = max(size, font)
            elif size is not None:
                value["size"] = [max(float(s), font) for s in _values(size)]
        if isinstance(value, (dict, list)) and key != "hoverlabel":
            _raise_fonts(value, font)


def _title(lay: dict, right: float, font: int) -> float:
    """The subtitle (scope, counts) as the image's only title, wrapped; its height in px. The
    slide's title and the page's heading say the chart's title, so the image need not."""
    title = lay.get("title") or {}
    text = (title.get("subtitle") or {}).get("text") or title.get("text") or ""
    demo = next((a for a in lay.get("annotations") or () if a.get("name") == "demo"), None)
    demo_w = demo_h = 0
    if demo:
        size = demo["font"]["size"]
        frame = 2 * (demo.get("borderpad", 1) + demo.get("borderwidth", 1))
        demo_w = figures.text_width(demo["text"], size) + frame + 2 * PAD
        demo_h = size * LINE + frame
    lines = figures.wrap_text(text, right - PAD - demo_w, font) if text else []
    # plotly.js lowers a one-line title anchored at its top by 0.7 em (its cap height) but not
    # a title of several lines, whose first line would then stick out above the figure.
    drop = PAD + (MULTILINE_DROP * font if len(lines) > 1 else 0)
    lay["title"] = {"text": "<br>".join(lines), "font": {"size": font, "color": SUBTITLE_COLOR},
                    "x": PAD / lay["width"], "xref": "container", "xanchor": "left",
                    "y": 1 - drop / lay["height"], "yref": "container", "yanchor": "top"}
    return max(len(lines) * font * LINE, demo_h)


def _values(v) -> np.ndarray:
    """An array of a plotly dict: plotly writes numeric arrays as base64 ({dtype, bdata})."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).ravel()
    return np.asarray([] if v is None else v, dtype=object).ravel()


def _axes(lay: dict, letter: str):
    return [(k, v) for k, v in lay.items() if k.startswith(f"{letter}axis") and isinstance(v, dict)]


def _tick_room(d: dict, lay: dict, side: str, font: int, width: int) -> float:
    """The px taken by the x axes' tick labels and titles on one side of the plot; category
    labels too wide to stand side by side are turned 45° (and take their length × sin 45°)."""
    room = 0.0
    for key, axis in _axes(lay, "x"):
        if (axis.get("side") or "bottom") != side or axis.get("showticklabels") is False:
            continue
        size = (axis.get("tickfont") or {}).get("size") or font
        tall = size * LINE
        labels = _categories(d, "x" + key[5:])
        widths = [figures.text_width(str(c), size) for c in labels]
        if widths and sum(widths) + PAD * len(widths) > 0.8 * width:
            axis["tickangle"] = -45
            tall = max(widths) * math.sin(math.pi / 4) + size
        title = (axis.get("title") or {}).get("text") if isinstance(axis.get("title"), dict) else None
        room = max(room, TICK + tall + (font * LINE + PAD if title else 0))
    return room


def _categories(d: dict, axis_id: str) -> list:
    """The x values of the traces on a category axis (axis_id 'x', 'x2', ...)."""
    out = []
    for t in d["data"]:
        if (t.get("xaxis") or "x") == axis_id and t.get("orientation") != "h":
            out += [v for v in _values(t.get("x")) if isinstance(v, str)]
    return list(dict.fromkeys(out))


def _legend_rows(d: dict, lay: dict, width: int, font: int) -> int:
    """Rows of a horizontal legend (0 when plotly shows none: hidden, or one entry only)."""
    names = [t.get("name") or "" for t in d["data"] if t.get("showlegend") is not False]
    if lay.get("showlegend") is False or (len(names) < 2 and lay.get("showlegend") is not True):
        return 0
    rows, used, room = 1, 0.0, width - 80           # 80: about the y axis' labels and title
    for name in names:
        w = figures.text_width(name, font) + LEGEND_SYMBOL
        if used and used + w > room:
            rows, used = rows + 1, 0.0
        used += w
    return rows


def _sits_above(a: dict) -> bool:
    return (a.get("yref") == "paper" and (a.get("y") or 0) >= 1 and a.get("yanchor") == "bottom"
            and a.get("name") not in ("demo", "demo-watermark"))


def _stack_notes(lay: dict, offset: float, width: float, font: int) -> float:
    """The notes under the plot (estimate, source) wrapped and stacked from offset px below it,
    right-aligned to the plot (the free left margin takes what the y labels do not); returns
    the px below the plot they reach."""
    by_name = {a.get("name"): a for a in lay.get("annotations") or ()}
    for name in NOTES:
        a = by_name.get(name)
        if a is None:
            continue
        size = (a.get("font") or {}).get("size") or font
        lines = figures.wrap_text(a["text"], width, size)
        a.update(text="<br>".join(lines), x=1, xref="paper", xanchor="right", align="right",
                 y=0, yref="paper", yanchor="top", yshift=-offset)
        offset += len(lines) * size * LINE + 2
    return offset


def _fit_bar_labels(d: dict, right: float, font: int) -> None:
    """Room on the right for the values written beside horizontal bars: each axis' range grows
    until its longest bar's label ends inside the figure (plotly would cut it at the edge)."""
    need: dict[str, float] = {}
    lay = d["layout"]
    for t in d["data"]:
        if t.get("type") != "bar" or t.get("orientation") != "h" or t.get("textposition") != "outside":
            continue
        size = (t.get("textfont") or {}).get("size") or font
        labels = [figures.text_width(str(c), font) for c in _values(t.get("y"))]
        left = max([lay["margin"]["l"], *(w + TICK + PAD for w in labels)])
        plot = right - left
        for x, text in zip(_values(t.get("x")).astype(float), _values(t.get("text"))):
            label = figures.text_width(str(text), size) + PAD
            if np.isfinite(x) and x > 0 and plot > label:
                key = "xaxis" + (t.get("xaxis") or "x")[1:]
                need[key] = max(need.get(key, 0.0), x * plot / (plot - label))
    for t in d["data"]:
        if t.get("type") == "bar":
            # plotly shrinks a bar's text to the bar's thickness: it would print under the minimum.
            t["constraintext"] = "none"
        if t.get("type") == "bar" and t.get("orientation") == "h":
            # plotly drops every other category label below 1.2 em a row: a bar without its
            # name. The cap (collect.CAP) leaves 1.3 em a row, so every name can be written.
            lay.setdefault("yaxis" + (t.get("yaxis") or "y")[1:], {}).update(tickmode="linear", dtick=1)
    for key, end in need.items():
        axis = lay.setdefault(key, {})
        start, old = (axis.get("range") or [0, 0])[:2]
        if end > (old or 0):
            axis.update(range=[start or 0, end], autorange=False)
