"""The pack read on a projector and on paper: chart text measured in the image as drawn (SVG),
slide text measured in Arial against its box, every finding whole.

Arial's metrics come from Liberation Sans (fonts-liberation, which CI installs for the charts).
"""
import io
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from docx import Document
from PIL import Image, ImageFont
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu

from etl.briefing import pack as briefing
from etl.briefing.model import Item
from etl.present import figures
from etl.read.scope import Scope
from tests.conftest import FIXTURE_UNITS

needs_browser = pytest.mark.skipif(
    not figures.browser_available() and os.environ.get("DANVAN_REQUIRE_BROWSER") != "1",
    reason="no Chromium for kaleido; DANVAN_REQUIRE_BROWSER=1 makes this a failure")
FONT_FILES = {bold: next((p for d in ("/usr/share/fonts/truetype/liberation2",
                                      "/usr/share/fonts/truetype/liberation")
                          if (p := Path(d) / f"LiberationSans-{'Bold' if bold else 'Regular'}.ttf").is_file()),
                         None)
              for bold in (False, True)}
needs_arial_metrics = pytest.mark.skipif(FONT_FILES[False] is None, reason="no fonts-liberation")
EMU_PER_PT = 12700
SLIDE_MIN_PT, PAGE_MIN_PT = 14, 10
LONG = ("Phường An Biên, xã An Khánh, xã Đường An, phường Hồng An, phường Kiến An, xã Tân Kỳ, "
        "phường Lê Chân và đặc khu Cát Hải chưa báo cáo chỉ tiêu này trong kỳ; ")


def _svg_fonts(svg: bytes) -> tuple[float, list[float]]:
    """The layout width of a plotly SVG and the px size of every text it draws."""
    root = ET.fromstring(svg)
    width = float(root.get("viewBox").split()[2])
    sizes = []
    for el in root.iter("{http://www.w3.org/2000/svg}text"):
        size = re.search(r"font-size:\s*([\d.]+)px", el.get("style") or "")
        if "".join(el.itertext()).strip() and size:
            sizes.append(float(size.group(1)))
    return width, sizes


@pytest.fixture(scope="module")
def drawn(dashboard_db):
    return briefing.build_pack(dashboard_db, Scope("2025"), FIXTURE_UNITS)


@needs_browser
def test_chart_text_prints_14pt_on_the_slide_and_10pt_on_the_page(drawn):
    slides = [s for s in Presentation(io.BytesIO(briefing.write_pptx(drawn))).slides
              if any(p.shape_type == MSO_SHAPE_TYPE.PICTURE for p in s.shapes)]
    pages = Document(io.BytesIO(briefing.write_docx(drawn))).inline_shapes
    assert len(slides) == len(pages) == len(drawn.items)
    for item, slide, page in zip(drawn.items, slides, pages):
        picture = next(p for p in slide.shapes if p.shape_type == MSO_SHAPE_TYPE.PICTURE)
        width, sizes = _svg_fonts(briefing.chart_image(item, "svg"))
        assert len(sizes) > 5, item.title                  # subtitle, labels, source at least
        # A text of f px across a layout `width` px wide, placed w pt wide, prints f × w / width pt.
        on_slide = min(sizes) * picture.width / EMU_PER_PT / width
        on_page = min(sizes) * page.width / EMU_PER_PT / width
        assert on_slide >= SLIDE_MIN_PT and on_page >= PAGE_MIN_PT, (item.title, on_slide, on_page)


def _lines(text: str, width_pt: float, size_pt: float, bold: bool) -> int:
    """Lines of text wrapped word by word in a column width_pt wide, in Arial's widths."""
    font = ImageFont.truetype(str(FONT_FILES[bool(bold)]), 1000)
    lines, line = 1, ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) * size_pt / 1000 > width_pt:
            lines, line = lines + 1, word
        else:
            line = candidate
    return lines


def _check_fits(prs) -> None:
    """Every text box lies on the slide, is no taller than its text, and prints ≥ 14 pt."""
    for n, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            assert 0 <= shape.left and shape.left + shape.width <= prs.slide_width, n
            assert 0 <= shape.top and shape.top + shape.height <= prs.slide_height, n
            if not shape.has_text_frame or not shape.text_frame.text:
                continue
            tf = shape.text_frame
            width = Emu(shape.width - tf.margin_left - tf.margin_right).pt
            used = 0.0
            paragraphs = tf.paragraphs
            for i, p in enumerate(paragraphs):
                size = p.runs[0].font.size.pt
                assert size >= SLIDE_MIN_PT, (n, p.text)
                used += _lines(p.text, width, size, p.runs[0].font.bold) * p.line_spacing.pt
                used += p.space_after.pt if i < len(paragraphs) - 1 else 0
            room = Emu(shape.height - tf.margin_top - tf.margin_bottom).pt
            assert used <= room, (n, shape.text_frame.text[:60], used, room)


def _findings_read_back(prs) -> str:
    """The findings' paragraphs of all slides, a paragraph split over two slides joined again."""
    paragraphs = [p.text for s in prs.slides for sh in s.shapes if sh.has_text_frame
                  for p in sh.text_frame.paragraphs if p.text.startswith(("• ", "… "))]
    return "\n".join(paragraphs).replace(" …\n… ", " ")


def _picture_for(item: Item) -> bytes:
    """A stand-in PNG of the box pack.chart_image draws for (no browser needed)."""
    from etl.briefing import pptx

    w, h = pptx.chart_layout(item.findings)[0][2:]
    out = io.BytesIO()
    Image.new("RGB", (round(w * 100), round(h * 100)), "white").save(out, "PNG")
    return out.getvalue()


@needs_arial_metrics
def test_findings_fit_beside_the_chart_or_go_on_and_none_is_cut(con):
    p = briefing.collect(con, Scope("2025"), FIXTURE_UNITS)
    long = Item("compare", "Chỉ tiêu thử có nhận xét rất dài — Năm 2025", p.items[0].figure,
                p.items[0].table, [LONG * 3, LONG * 2, LONG * 12, "Nhận xét ngắn."])
    p.items.append(long)
    for item in p.items:
        item.image = _picture_for(item)
    prs = Presentation(io.BytesIO(briefing.write_pptx(p)))
    _check_fits(prs)
    text = _findings_read_back(prs)
    for item in p.items:
        for finding in item.findings:
            assert f"• {finding}" in text, finding[:60]
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles.count(f"{long.title} — nhận xét (tiếp)") >= 1
    for slide in prs.slides:                # a picture never lies under the findings
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        boxes = [s for s in slide.shapes if s.has_text_frame and s.text_frame.text.startswith("Nhận xét")]
        for pic in pictures:
            assert all(pic.left + pic.width <= box.left for box in boxes)


@needs_arial_metrics
def test_long_notes_of_the_title_slide_go_on_a_second_slide(con):
    p = briefing.collect(con, Scope("2025"), FIXTURE_UNITS, sections=("overview",))
    p.notes += [LONG * 4] * 4
    prs = Presentation(io.BytesIO(briefing.write_pptx(p)))
    _check_fits(prs)
    assert prs.slides[1].shapes.title.text == "Ghi chú (tiếp)"
    every = "\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    assert every.count(LONG * 4) == 4


def test_docx_findings_are_whole_paragraphs(con):
    p = briefing.collect(con, Scope("2025"), FIXTURE_UNITS, sections=("overview",))
    paragraphs = [x.text for x in Document(io.BytesIO(briefing.write_docx(p))).paragraphs]
    for item in p.items:
        for finding in item.findings:
            assert finding in paragraphs


def test_the_font_rule_prints_the_minimum_at_every_placement():
    places = [figures.Placement(8.3, 14), figures.Placement(17 / 2.54, 10)]
    for width_in, height_in in [(8.3, 5.75), (7.0, 5.75)]:
        layout_px, _ = figures.placed_size(width_in, height_in)
        font = figures.min_font_px(layout_px, places)
        assert all(figures.printed_pt(font, layout_px, p.width_in) >= p.min_pt for p in places)
        # and it is the smallest such font: one px less prints under the minimum somewhere
        assert any(figures.printed_pt(font - 1, layout_px, p.width_in) < p.min_pt for p in places)
