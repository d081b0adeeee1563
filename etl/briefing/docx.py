"""The pack as an A4 Word report: title, scope and notes, then per section each chart, its
findings and its table."""
import io
import math

import pandas as pd

from etl.briefing.model import DEMO_MARK, UNREVIEWED_MARK, Item, Pack
from etl.domain import vn

MAX_DOC_ROWS = 120        # beyond, the table points to the chart's Excel file
PAGE_W_CM, MARGIN_CM = 21, 2                  # A4, the administrative paper
PICTURE_W_IN = (PAGE_W_CM - 2 * MARGIN_CM) / 2.54    # a chart spans the text width
MIN_PT = 10               # the smallest text of a chart at that width: a report is read close up
TABLE_PT = 10


def cell_text(value, percent: bool = False) -> str:
    """vi-VN text of a table cell for Word (blank = "Chưa báo cáo")."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return vn.NOT_REPORTED
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if percent:
            return vn.format_percent(float(value), 1)
        return vn.format_number(float(value), 0 if float(value).is_integer() else 2)
    return str(value)


def table_rows(item: Item) -> tuple[list[str], list[list[str]]]:
    cols = [str(c) for c in item.table.columns]
    rows = [[cell_text(v, c in item.percent_columns) for v, c in zip(r, cols)]
            for r in item.table.itertuples(index=False)]
    return cols, rows


def _new_document(pack: Pack):
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(PAGE_W_CM), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(MARGIN_CM)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    doc.core_properties.title = pack.title
    doc.core_properties.language = "vi-VN"
    return doc


def _front(doc, pack: Pack) -> None:
    from docx.shared import RGBColor

    doc.add_heading(pack.title, level=0)
    for mark in ([DEMO_MARK] if pack.demo else []) + (
            [UNREVIEWED_MARK] if pack.include_unreviewed else []):
        run = doc.add_paragraph().add_run(mark)
        run.bold = True
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    doc.add_paragraph(pack.scope)
    doc.add_paragraph(pack.source())
    for note in pack.notes:
        doc.add_paragraph(note, style="List Bullet")


def _add_table(doc, item: Item) -> None:
    from docx.shared import Pt

    cols, rows = table_rows(item)
    extra = len(rows) - MAX_DOC_ROWS
    rows = rows[:MAX_DOC_ROWS]
    table = doc.add_table(rows=1 + len(rows), cols=len(cols))
    table.style = "Table Grid"
    _repeat_header(table)
    cells = table._cells         # one list: much faster than table.cell() per cell
    for j, c in enumerate(cols):
        cells[j].text = c
        for run in cells[j].paragraphs[0].runs:
            run.font.bold = True
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r):
            cells[i * len(cols) + j].text = v
    for cell in cells:
        for p in cell.paragraphs:
            for run in p.runs:
                run.font.size = Pt(TABLE_PT)
    if extra > 0:
        doc.add_paragraph(f"(Còn {vn.format_number(extra)} dòng: xem tệp Excel của biểu đồ.)")


def _repeat_header(table) -> None:
    """The column names again at the top of each page a long table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(flag)


def write_docx(pack: Pack) -> bytes:
    """A report: title, scope and notes, then per section each chart, its findings and table."""
    from docx.shared import Inches

    doc = _new_document(pack)
    _front(doc, pack)
    current = None
    for n, item in enumerate(pack.items, start=1):
        if item.section != current:
            current = item.section
            doc.add_heading(pack.section_title(current), level=1)
        doc.add_heading(f"Biểu đồ {n}. {item.title}", level=2)
        if item.image:
            doc.add_picture(io.BytesIO(item.image), width=Inches(PICTURE_W_IN))
        # Each finding a paragraph of its own: Word wraps and breaks pages, so none is cut.
        for f in item.findings:
            doc.add_paragraph(f, style="List Bullet")
        _add_table(doc, item)
        doc.add_paragraph()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
