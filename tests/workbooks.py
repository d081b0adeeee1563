"""Helpers shared by the project's tests: make a report form, fill it in, tamper with it.

    path = make_template(db_path, "10543", "2025-Q3", tmp_path / "t.xlsx")
    fill_values(path, {"population": 30575, "reception_visits": "1.020"}, tmp_path / "f.xlsx")
    set_info(path, "Mã đơn vị", "99999", tmp_path / "wrong.xlsx")

Values are written as given (numbers, text such as "1.020", None for a blank), so tests can feed the
reader exactly what a person would type.
"""
from pathlib import Path

from openpyxl import load_workbook

from etl.domain import layout
from etl.intake.template import write_template
from etl.intake.units import CURRENT


def make_template(db_path, unit_code: str, period_spec: str, out_path,
                  convention: str = "calendar", territory: str | None = CURRENT) -> Path:
    """A blank form. A bare code names the current unit, for any period (its present territory):
    most tests are about current units; pass territory=None to resolve the code by the period
    (an old unit for a period before 1 July 2025), or an old unit's id ("11005@2025-06-30")."""
    if "@" in unit_code:
        territory = None
    return write_template(db_path, unit_code, period_spec, convention, out_path, territory)


def _header_columns(ws) -> tuple[int, dict[str, int]]:
    """(header row, {header text: column}) of the values sheet."""
    for row in ws.iter_rows(min_row=1, max_row=layout.MAX_HEADER_SCAN_ROWS):
        texts = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if layout.HEADER_CODE in texts and layout.HEADER_VALUE in texts:
            return row[0].row, texts
    raise AssertionError(f"no header row with «{layout.HEADER_CODE}» in «{ws.title}»")


def fill_values(template_path, values: dict[str, object], out_path) -> Path:
    """Write each value into the «Giá trị» cell of its indicator code's row."""
    wb = load_workbook(template_path)
    ws = wb[layout.SHEET_VALUES]
    header_row, cols = _header_columns(ws)
    code_col, value_col = cols[layout.HEADER_CODE], cols[layout.HEADER_VALUE]
    rows = {ws.cell(r, code_col).value: r for r in range(header_row + 1, ws.max_row + 1)}
    for code, value in values.items():
        if code not in rows:
            raise KeyError(f"indicator {code!r} not in the template")
        ws.cell(rows[code], value_col).value = value
    wb.save(out_path)
    return Path(out_path)


def set_info(path, field_label: str, value, out_path) -> Path:
    """Change the value (column B) of a «Thông tin chung» field, found by its label (column A)."""
    wb = load_workbook(path)
    ws = wb[layout.SHEET_INFO]
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, 1).value == field_label:
            ws.cell(row, 2).value = value
            wb.save(out_path)
            return Path(out_path)
    raise KeyError(f"no field {field_label!r} in «{layout.SHEET_INFO}»")


def fill_models(path, rows: list[dict], out_path) -> Path:
    """Write model rows into «Mô hình Dân vận khéo» below its header, keyed by layout field
    (name, field, lead_org, year_started, recognition, status); values as a person would type."""
    wb = load_workbook(path)
    ws = wb[layout.SHEET_MODELS]
    header = {ws.cell(layout.MODELS_HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    for i, row in enumerate(rows):
        for key, value in row.items():
            ws.cell(layout.MODELS_HEADER_ROW + 1 + i, header[layout.MODEL_HEADERS[key]]).value = value
    wb.save(out_path)
    return Path(out_path)
