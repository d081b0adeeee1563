"""The briefing pack ("Xuất báo cáo"): charts, findings and tables of one Scope as .pptx and .docx.

build_pack() runs collect() (etl.briefing.collect: every query, through one read-only connection
closed before any image is made), then draws one PNG per chart through the reused export browser;
write_pptx() (etl.briefing.pptx) and write_docx() (etl.briefing.docx) lay them out. The page
imports this module as `briefing`: the names it uses are all here. No Streamlit.
"""
import time

from etl.briefing import docx, layout, pptx
from etl.briefing.collect import collect
from etl.briefing.docx import write_docx
from etl.briefing.model import SECTIONS, BriefError, Item, Pack
from etl.briefing.pptx import write_pptx
from etl.present import figures
from etl.read.scope import Scope
from etl.warehouse import db

__all__ = ["SECTIONS", "BriefError", "Item", "Pack", "Scope", "build_pack", "chart_image", "collect",
           "write_docx", "write_pptx"]

def chart_image(item: Item, fmt: str = "png") -> bytes:
    """The item's chart for its box on the slide (pptx.chart_layout). One picture serves both
    files: it must print pptx.MIN_PT there and, narrower, docx.MIN_PT across the A4 text width;
    figures.min_font_px takes the larger need of the two."""
    width, height = pptx.chart_layout(item.findings)[0][2:]
    placements = (figures.Placement(width, pptx.MIN_PT),
                  figures.Placement(docx.PICTURE_W_IN, docx.MIN_PT))
    return figures.placed_image(layout.placed_figure(item.figure, width, height, placements),
                                width, height, fmt)


def build_pack(db_path, scope: Scope, units=(), sections=tuple(SECTIONS), progress=None,
               images: bool = True) -> Pack:
    """collect() for scope (its period, province and «Gồm số liệu chưa duyệt»), then one PNG per
    chart; progress(fraction 0–1, Vietnamese text) along the way."""
    def step(fraction, text):
        if progress:
            progress(min(1.0, fraction), text)

    t0 = time.perf_counter()
    step(0.02, "Đang đọc số liệu…")
    with db.connect(db_path, read_only=True) as con:
        pack = collect(con, scope, units, sections)
    t1 = time.perf_counter()
    n = len(pack.items)
    if images and not figures.browser_available():
        # Findings and tables still go out; the pack says why the pictures are missing.
        pack.notes.append(figures.BROWSER_MISSING)
        images = False
    for i, item in enumerate(pack.items if images else [], start=1):
        step(0.1 + 0.85 * (i - 1) / max(1, n), f"Đang vẽ biểu đồ {i}/{n}: {item.title}")
        item.image = chart_image(item)
    step(0.97, "Đang ghép tệp…")
    pack.timings = {"collect_s": t1 - t0, "images_s": time.perf_counter() - t1, "charts": n}
    return pack
