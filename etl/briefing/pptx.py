"""The pack as a 16:9 PowerPoint: a title slide (scope, update date, notes), then one slide per
chart with its picture and 2–4 findings."""
import io

from etl.briefing.model import DEMO_MARK, UNREVIEWED_MARK, Pack
from etl.domain import vn

SLIDE_W, SLIDE_H = 12192000, 6858000          # EMU: 13,33 × 7,5 in
TITLE_COLOR = (0x1F, 0x4E, 0x79)
MARK_COLOR = (0xC0, 0x00, 0x00)


def _textbox(slide, left, top, width, height, lines, size=16, bold_first=False, color=None):
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = line
        p.font.size = Pt(size)
        p.font.bold = bold_first and i == 0
        if color:
            p.font.color.rgb = RGBColor(*color)
        p.space_after = Pt(8)
    return box


def _set_title(slide, text, width, top, size):
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    t = slide.shapes.title
    t.left, t.top, t.width, t.height = Inches(0.5), top, width - Inches(1.0), Inches(1.0)
    t.text = text
    for p in t.text_frame.paragraphs:
        p.font.size = Pt(size)
        p.font.bold = True
        p.font.color.rgb = RGBColor(*TITLE_COLOR)


def marks(pack: Pack) -> list[str]:
    """What every slide must carry, as a slide may be shown on its own."""
    return ([DEMO_MARK] if pack.demo else []) + ([UNREVIEWED_MARK] if pack.include_unreviewed else [])


def write_pptx(pack: Pack) -> bytes:
    """Title slide, then one slide per chart: title, picture, 2–4 findings."""
    from pptx import Presentation
    from pptx.util import Emu, Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(SLIDE_W), Emu(SLIDE_H)
    width = prs.slide_width
    prs.core_properties.title = pack.title
    prs.core_properties.language = "vi-VN"
    title_only = prs.slide_layouts[5]

    s = prs.slides.add_slide(title_only)
    _set_title(s, pack.title, width, top=Inches(1.6), size=36)
    lines = [f"Số liệu cập nhật {vn.format_date(pack.updated)}"] + pack.notes
    _textbox(s, Inches(0.8), Inches(3.0), width - Inches(1.6), Inches(4.0), lines, size=18)

    mark = " · ".join(marks(pack))
    for item in pack.items:
        s = prs.slides.add_slide(title_only)
        _set_title(s, item.title, width, top=Inches(0.35), size=24)
        if item.image:
            s.shapes.add_picture(io.BytesIO(item.image), Inches(0.3), Inches(1.35),
                                 width=Inches(8.9))
        _textbox(s, Inches(9.4), Inches(1.45), Inches(3.65), Inches(5.6),
                 ["Nhận xét"] + [f"• {f}" for f in item.findings], size=13, bold_first=True)
        if mark:
            _textbox(s, Inches(0.3), Inches(6.95), Inches(8.9), Inches(0.4), [mark], size=11,
                     color=MARK_COLOR)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
