"""A draft as the ordinary form: the template of the unit and period, filled with the values found,
each with the sentence it came from in a column beside it, approximate ones marked, and the models
sheet listing the models named. A person checks it in Excel and loads it with `etl load` (the
extra column is ignored by the reader); the hidden sheet keeps the source document's SHA-256."""
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from etl.domain import layout, vn
from etl.intake.template import build_workbook
from etl.intake.units import CURRENT

APPROXIMATE_FILL = PatternFill("solid", fgColor="F8CBAD")     # orange: "gần", "khoảng", "hơn"…
FOUND_FILL = PatternFill("solid", fgColor="E2EFDA")           # green: read from the text
MAX_EVIDENCE = 400


def _excel_text(text: str) -> str:
    """Evidence as plain text in a cell: never a formula, within Excel's cell limit."""
    text = " ".join(str(text).split())[:MAX_EVIDENCE]
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def build_draft(con, draft, with_models: bool = True):
    """The filled workbook of `draft` (etl.intake.narrative.Draft); its unit and period must be set.
    with_models: list the models named in the models sheet (each still needs its field, a choice
    the text does not make: the person completes it in Excel)."""
    unit_code, period = draft.unit.code, draft.period.period
    wb = build_workbook(con, unit_code, period, None if "@" in unit_code else CURRENT)
    ws = wb[layout.SHEET_VALUES]
    header_row = layout.VALUES_HEADER_ROW
    columns = {str(c.value).strip(): c.column for c in ws[header_row] if c.value is not None}
    value_col, code_col = columns[layout.HEADER_VALUE], columns[layout.HEADER_CODE]
    evidence_col = ws.max_column + 1
    head = ws.cell(header_row, evidence_col, layout.HEADER_EVIDENCE)
    head.font, head.alignment = Font(bold=True), Alignment(wrap_text=True)
    ws.column_dimensions[head.column_letter].width = 70
    for row in range(header_row + 1, ws.max_row + 1):
        code = ws.cell(row, code_col).value
        if code not in draft.values:
            continue
        best, alternatives = draft.values[code]
        cell = ws.cell(row, value_col, int(best.value) if float(best.value).is_integer() else best.value)
        cell.fill = APPROXIMATE_FILL if best.approximate else FOUND_FILL
        note = ("Xấp xỉ (văn bản ghi «gần/khoảng/hơn…»). " if best.approximate else "") + \
            (f"Văn bản còn ghi: {'; '.join(f'{vn.format_number(a.value)} ({a.location})' for a in alternatives)}. "
             if alternatives else "")
        if note:
            cell.comment = Comment(note, "Trích xuất từ văn bản")
        ev = ws.cell(row, evidence_col, _excel_text(f"[{best.location}] {best.evidence}"))
        ev.alignment = Alignment(wrap_text=True, vertical="top")
    if with_models and draft.models and layout.SHEET_MODELS in wb.sheetnames:
        models = wb[layout.SHEET_MODELS]
        name_col = next(c.column for c in models[layout.MODELS_HEADER_ROW]
                        if c.value == layout.MODEL_HEADERS["name"])
        for i, (name, _evidence) in enumerate(draft.models[:layout.MODEL_INPUT_ROWS]):
            models.cell(layout.MODELS_HEADER_ROW + 1 + i, name_col, _excel_text(name))
    meta = wb[layout.SHEET_META]
    for key, value in (("source_file", draft.file), ("source_sha256", draft.sha256)):
        row = meta.max_row + 1
        meta.cell(row, 1, key)
        meta.cell(row, 2, _excel_text(value))
    return wb
