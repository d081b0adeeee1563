"""The pack as a 16:9 PowerPoint: a title slide (scope, update date, notes), then one slide per
chart with its picture and its findings, readable on a projector: no text under MIN_PT, in the
chart (etl.briefing.layout) or on the slide, and findings that do not fit beside the chart go on
to a slide «Nhận xét (tiếp)» (etl.briefing.textfit), never cut."""
import io

from etl.briefing import textfit
from etl.briefing.model import DEMO_MARK, UNREVIEWED_MARK, Pack
from etl.domain import vn

SLIDE_W, SLIDE_H = 12192000, 6858000          # EMU: 13,33 × 7,5 in
EMU_PER_IN = 914400
TITLE_COLOR = (0x1F, 0x4E, 0x79)
MARK_COLOR = (0xC0, 0x00, 0x00)
FONT = "Arial"          # the charts' font; Liberation Sans (same metrics) where it is missing
MIN_PT = 14             # the smallest text on a slide, chart or not, read from the back of a room
# Boxes as (left, top, width, height) in inches on the 13,33 × 7,5 in slide.
TITLE = (0.3, 0.2, 12.73, 0.85)
# The chart's box and its findings' beside it: the chart as wide as its findings let it be
# (etl.briefing.pack draws each chart for its box).
LAYOUTS = (((0.3, 1.1, 8.3, 5.75), (8.75, 1.1, 4.28, 5.75)),
           ((0.3, 1.1, 7.0, 5.75), (7.45, 1.1, 5.58, 5.75)))
WIDE = (0.3, 1.1, 12.73, 5.75)                # findings carried on, no chart
MARK = (0.3, 6.9, 12.73, 0.45)
FRONT_TITLE = (0.5, 1.2, 12.33, 1.5)
FRONT_NOTES = (0.8, 2.9, 11.73, 4.3)
TITLE_SIZES = (26, 24, 22, 20)
FRONT_SIZES = (36, 32, 28)
BODY_SIZES = (20, 18, 17, 16, 15, MIN_PT)
HEADING = "Nhận xét"
MORE = " (tiếp)"


def _emu(inches: float) -> int:
    return round(inches * EMU_PER_IN)


def _fill(tf, paragraphs, size: float, color=None) -> None:
    """paragraphs [(text, bold)] into a text frame, set as textfit measures them."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Pt

    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.margin_left = tf.margin_right = _emu(textfit.INSET_X)
    tf.margin_top = tf.margin_bottom = _emu(textfit.INSET_Y)
    for i, (text, bold) in enumerate(paragraphs):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = text
        p.line_spacing = Pt(size * textfit.LINE)
        p.space_before = Pt(0)
        p.space_after = Pt(size * textfit.SPACE_AFTER)
        # On the run: PowerPoint does not always apply a paragraph's default run properties.
        for font in [p.font] + [r.font for r in p.runs]:
            font.size, font.bold, font.name = Pt(size), bold, FONT
            if color:
                font.color.rgb = RGBColor(*color)


def _textbox(slide, box, paragraphs, size: float, color=None):
    left, top, width, height = box
    shape = slide.shapes.add_textbox(_emu(left), _emu(top), _emu(width), _emu(height))
    _fill(shape.text_frame, paragraphs, size, color)
    return shape


def _title(slide, text: str, box, sizes) -> None:
    """The slide's title placeholder in the largest size at which text fits box (wrapped, and
    at the smallest size given if none does)."""
    from pptx.enum.text import MSO_ANCHOR

    t = slide.shapes.title
    t.left, t.top, t.width, t.height = (_emu(v) for v in box)
    paragraphs = [(text, True)]
    _fill(t.text_frame, paragraphs, textfit.best_size(paragraphs, box[2:], sizes) or min(sizes),
          TITLE_COLOR)
    t.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE


def _paged(paragraphs, first_box, next_box, sizes) -> list[tuple[list, float]]:
    """paragraphs over boxes: all in first_box in the largest size that fits; else the first box
    at the smallest size, and the rest over next_box-sized boxes, in order, nothing left out."""
    size = textfit.best_size(paragraphs, first_box, sizes)
    if size:
        return [(paragraphs, size)]
    pages, rest, box = [], list(paragraphs), first_box
    while rest:
        size = textfit.best_size(rest, box, sizes) if pages else None
        if size:
            return pages + [(rest, size)]
        taken, rest = textfit.take(rest, box, min(sizes))
        pages.append((taken, min(sizes)))
        box = next_box
    return pages


def _findings(findings) -> list[tuple[str, bool]]:
    return [(HEADING, True)] + [(f"• {f}", False) for f in findings]


def chart_layout(findings) -> tuple[tuple, tuple]:
    """(picture box, findings box) of a chart's slide: the widest chart beside which all its
    findings fit at MIN_PT or more; else the narrowest (the rest goes on a slide «tiếp»)."""
    paragraphs = _findings(findings)
    for picture, side in LAYOUTS:
        if textfit.best_size(paragraphs, side[2:], BODY_SIZES):
            return picture, side
    return LAYOUTS[-1]


def marks(pack: Pack) -> list[str]:
    """What every slide must carry, as a slide may be shown on its own."""
    return ([DEMO_MARK] if pack.demo else []) + ([UNREVIEWED_MARK] if pack.include_unreviewed else [])


def _front(prs, layout, pack: Pack) -> None:
    """The title slide, and as many «Ghi chú (tiếp)» slides as its notes need."""
    lines = [(f"Số liệu cập nhật {vn.format_date(pack.updated)}", False)] + [(n, False) for n in pack.notes]
    for i, (paragraphs, size) in enumerate(_paged(lines, FRONT_NOTES[2:], WIDE[2:], BODY_SIZES)):
        s = prs.slides.add_slide(layout)
        if i == 0:
            _title(s, pack.title, FRONT_TITLE, FRONT_SIZES)
            _textbox(s, FRONT_NOTES, paragraphs, size)
        else:
            _title(s, f"Ghi chú{MORE}", TITLE, TITLE_SIZES)
            _textbox(s, WIDE, paragraphs, size)


def write_pptx(pack: Pack) -> bytes:
    """Title slide, then per chart a slide with its title, picture and findings (and, when they
    do not fit beside it, slides «Nhận xét (tiếp)» with the rest)."""
    from pptx import Presentation
    from pptx.util import Emu

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(SLIDE_W), Emu(SLIDE_H)
    prs.core_properties.title = pack.title
    prs.core_properties.language = "vi-VN"
    title_only = prs.slide_layouts[5]
    _front(prs, title_only, pack)
    mark = " · ".join(marks(pack))
    for item in pack.items:
        picture, first = chart_layout(item.findings) if item.image else (None, WIDE)
        pages = _paged(_findings(item.findings), first[2:], WIDE[2:], BODY_SIZES)
        for i, (paragraphs, size) in enumerate(pages):
            s = prs.slides.add_slide(title_only)
            _title(s, item.title + (f" — {HEADING.lower()}{MORE}" if i else ""), TITLE, TITLE_SIZES)
            if i == 0 and picture:
                left, top, width, _ = picture
                s.shapes.add_picture(io.BytesIO(item.image), _emu(left), _emu(top), width=_emu(width))
            _textbox(s, first if i == 0 else WIDE, paragraphs, size)
            if mark:
                _textbox(s, MARK, [(mark, False)], MIN_PT, MARK_COLOR)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
