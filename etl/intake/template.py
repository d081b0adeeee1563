"""The Excel report form a ward fills in: one workbook per unit and period.

The layout (sheet names, header texts, rows) comes from etl.layout, which the reader shares, so a
filled form is always read back the way it was written.
"""
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from etl.domain import dvk, layout, vn
from etl.domain.periods import CONVENTION_LABELS, Period, parse_period, period_text
from etl.intake import units
from etl.intake.units import Unit
from etl.warehouse import db

BLANK_NOTE = "Để trống = chưa báo cáo; nhập 0 = không có."

TITLE_FONT = Font(bold=True, size=14, color="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")       # yellow: the cells to type in
GROUP_FILLS = (PatternFill("solid", fgColor="F2F2F2"), PatternFill("solid", fgColor="FFFFFF"))
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
GROUP_TOP = Border(left=THIN, right=THIN, bottom=THIN, top=Side(style="medium", color="1F4E78"))
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


class UnknownUnit(ValueError):
    pass


def resolve_unit(con, unit_code: str, period: Period, territory: str | None = None) -> Unit:
    """The unit a form is made for (etl.intake.units.resolve): the unit valid at the period's
    end, or with territory 'current' the current unit reporting its present territory."""
    found = units.resolve(units.load_units(con), unit_code, period, territory)
    if found.unit is None:
        if found.ambiguous:
            raise UnknownUnit(f"{found.error} Chọn một trong: "
                              + "; ".join(f"{u.code} ({u.name})" for u in found.ambiguous) + ".")
        raise UnknownUnit(found.error)
    if found.unit.valid_to and period.end > found.unit.valid_to:
        raise UnknownUnit(units.ended_message(found.unit, period))
    return found.unit


def visible_code(unit: Unit) -> str:
    """What «Mã đơn vị» shows: the official code of a current unit, the full id of an old one
    ("11005@2025-06-30"), so that a copy of the form without its hidden sheet still names it."""
    return unit.official_code if unit.is_current else unit.code


def build_workbook(con, unit_code: str, period: Period, territory: str | None = None) -> Workbook:
    unit = resolve_unit(con, unit_code, period, territory)
    indicators = con.execute(
        "SELECT code, group_name, label, unit, value_type, min_value, max_value, note "
        "FROM indicators ORDER BY sort_order").fetchall()
    rules = con.execute("SELECT severity, message FROM rules ORDER BY severity, rule_id").fetchall()

    wb = Workbook()
    _instructions(wb.active, unit, period, rules)
    _info(wb.create_sheet(layout.SHEET_INFO), unit, period)
    _values(wb.create_sheet(layout.SHEET_VALUES), unit, period, indicators)
    options = dvk.load_options(con)
    meta = wb.create_sheet(layout.SHEET_META)
    _models(wb.create_sheet(layout.SHEET_MODELS, index=3), unit, period, options, meta)
    for row, (key, value) in enumerate([("template_version", layout.TEMPLATE_VERSION),
                                        ("unit_code", visible_code(unit)),
                                        ("period_key", period.key),
                                        ("unit_id", unit.code)], start=1):
        meta.cell(row, 1, key)
        meta.cell(row, 2, value)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    for ws in wb.worksheets[:4]:
        _print_setup(ws)
    wb[layout.SHEET_VALUES].print_title_rows = f"{layout.VALUES_HEADER_ROW}:{layout.VALUES_HEADER_ROW}"
    wb.active = 2  # open on the sheet to fill
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == layout.SHEET_VALUES
    return wb


def _instructions(ws, unit: dict, period: Period, rules) -> None:
    ws.title = layout.SHEET_INSTRUCTIONS
    lines = [
        ("Hướng dẫn điền mẫu báo cáo công tác dân vận", TITLE_FONT),
        (f"Đơn vị: {unit.long_name} (mã {visible_code(unit)}) — Kỳ báo cáo: "
         f"{period_text(period)}", Font(bold=True)),
        ("", None),
        ("Cách điền", Font(bold=True, size=12)),
        (f"1. Mở trang tính «{layout.SHEET_INFO}», điền người lập báo cáo và số điện thoại "
         "(ô nền vàng).", None),
        (f"2. Mở trang tính «{layout.SHEET_VALUES}», nhập số liệu vào cột «{layout.HEADER_VALUE}» "
         "(ô nền vàng). Các ô khác được khóa.", None),
        ("3. Ô để trống nghĩa là CHƯA BÁO CÁO (chưa có số liệu). Nếu không có sự việc, hãy nhập 0 "
         "(ví dụ: không có đơn khiếu nại thì nhập 0). Không nhập 0 thay cho ô chưa có số liệu.", None),
        ("4. Nhập số theo cách viết Việt Nam hoặc nhập số thuần: dấu chấm tách hàng nghìn, dấu phẩy "
         "là dấu thập phân (1.020 lượt; 19,94 km²). Chỉ tiêu đếm (người, đơn, vụ…) là số nguyên "
         "không âm; điểm tiêu chí từ 0 đến 10, có thể có phần thập phân.", None),
        (f"5. Mô hình «Dân vận khéo»: mở trang tính «{layout.SHEET_MODELS}», mỗi mô hình một dòng "
         "(tên, lĩnh vực chọn trong danh sách, đơn vị chủ trì, năm bắt đầu, cấp công nhận, tình "
         "trạng). Ghi cả mô hình đang duy trì và mô hình đã dừng trong kỳ; giữ nguyên tên mô hình "
         "qua các năm để hệ thống nhận ra là cùng một mô hình.", None),
        (f"6. Không sửa mã đơn vị, mã kỳ báo cáo, cột «{layout.HEADER_CODE}», không thêm, xóa hay "
         "đổi thứ tự trang tính. Hệ thống dựa vào các mã này để nhận báo cáo.", None),
        ("7. Lưu tệp dạng .xlsx và gửi về Sở Nội vụ (tải lên trang tiếp nhận báo cáo hoặc gửi "
         "qua thư điện tử theo hướng dẫn của Sở). Hệ thống kiểm tra ngay và báo lỗi kèm ô cụ thể; "
         "gửi lại tệp đã sửa sẽ tạo phiên bản mới, phiên bản cũ vẫn được lưu.", None),
        ("", None),
        ("Các quy tắc kiểm tra số liệu", Font(bold=True, size=12)),
        ("Lỗi: báo cáo bị từ chối, cần sửa rồi gửi lại. Cảnh báo: báo cáo được nhận sau khi "
         "cán bộ xác nhận.", None),
        ("• Lỗi: không nhập số âm; chỉ tiêu đếm không có phần thập phân; điểm tiêu chí từ 0 đến 10.",
         None),
    ]
    for severity, message in rules:
        lines.append((f"• {'Lỗi' if severity == 'error' else 'Cảnh báo'}: {message}.", None))
    if units.predates(unit, period):
        lines += [("", None), ("Lưu ý", Font(bold=True, size=12)),
                  (units.territory_notice(unit, period), None)]
    for row, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font:
            cell.font = font
        ws.row_dimensions[row].height = _wrapped_height(text, 110)
    ws.column_dimensions["A"].width = 110
    ws.protection.sheet = True


def _info(ws, unit: dict, period: Period) -> None:
    ws.cell(1, 1, "Thông tin chung về báo cáo").font = TITLE_FONT
    values = {
        "unit_code": visible_code(unit), "unit_name": unit.long_name, "period_key": period.key,
        "period_label": period.label, "period_start": period.start, "period_end": period.end,
        "convention": CONVENTION_LABELS[period.convention], "reporter": None, "phone": None,
    }
    for i, (field, label) in enumerate(layout.INFO_FIELDS):
        row = layout.INFO_FIRST_ROW + i
        ws.cell(row, 1, label).font = Font(bold=True)
        cell = ws.cell(row, 2, values[field])
        cell.alignment = Alignment(wrap_text=True, horizontal="left", vertical="top")
        cell.border = BORDER
        if field in ("period_start", "period_end"):
            cell.number_format = "dd/mm/yyyy"
        if field in ("reporter", "phone"):
            cell.protection = UNLOCKED
            cell.fill = INPUT_FILL
            cell.number_format = "@"  # keep leading zeros of phone numbers
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 70
    ws.protection.sheet = True


def _values(ws, unit: dict, period: Period, indicators) -> None:
    ws.cell(1, 1, "Báo cáo số liệu công tác dân vận").font = TITLE_FONT
    ws.cell(2, 1, f"Đơn vị: {unit.long_name} (mã {visible_code(unit)}) — Kỳ báo cáo: "
                  f"{period_text(period)}").font = Font(bold=True)
    header_row = layout.VALUES_HEADER_ROW
    value_col = layout.VALUE_HEADERS.index(layout.HEADER_VALUE) + 1
    for col, text in enumerate(layout.VALUE_HEADERS, start=1):
        cell = ws.cell(header_row, col, text)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    ws.cell(header_row, value_col).comment = Comment(BLANK_NOTE, "Sở Nội vụ")

    validations = {}
    group_index, last_group = -1, None
    for i, (code, group, label, unit_name, value_type, min_v, max_v, note) in enumerate(indicators):
        row = header_row + 1 + i
        first_of_group = group != last_group
        if first_of_group:
            group_index, last_group = group_index + 1, group
        note_text = f"{note}. {BLANK_NOTE}" if note else BLANK_NOTE
        for col, value in enumerate([i + 1, group, code, label, unit_name, None, note_text], start=1):
            cell = ws.cell(row, col, value)
            cell.border, cell.alignment = BORDER, WRAP
            cell.fill = GROUP_FILLS[group_index % 2]
        ws.row_dimensions[row].height = max(_wrapped_height(label, 50), _wrapped_height(note_text, 40))
        value_cell = ws.cell(row, value_col)
        value_cell.protection = UNLOCKED
        value_cell.fill = INPUT_FILL
        value_cell.alignment = Alignment(horizontal="right", vertical="top")
        value_cell.number_format = "#,##0" if value_type == "integer" else "#,##0.00"
        key = (value_type, min_v, max_v)
        if key not in validations:
            validations[key] = _validation(value_type, min_v, max_v)
            ws.add_data_validation(validations[key])
        validations[key].add(value_cell)
        if first_of_group:  # a rule above each group makes the groups easy to tell apart
            for col in range(1, len(layout.VALUE_HEADERS) + 1):
                ws.cell(row, col).border = GROUP_TOP
    for col, width in zip(range(1, 8), (6, 20, 26, 50, 12, 16, 40)):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.protection.sheet = True


def _models(ws, unit: dict, period: Period, options: dict, meta) -> None:
    """One model per row; field, recognition and status are dropdowns of the lists in data/.

    The lists live in the very hidden _meta sheet (columns D–F): list items contain commas
    ("Xây dựng Đảng, chính quyền"), which an inline Excel list cannot hold.
    """
    ws.cell(1, 1, "Danh sách mô hình «Dân vận khéo»").font = TITLE_FONT
    ws.cell(2, 1, f"Đơn vị: {unit.long_name} (mã {visible_code(unit)}) — Kỳ báo cáo: "
                  f"{period_text(period)}").font = Font(bold=True)
    ws.cell(3, 1, "Mỗi mô hình một dòng, kể cả mô hình đã dừng trong kỳ. Giữ nguyên tên mô hình "
                  "qua các năm. Lĩnh vực, cấp công nhận, tình trạng: chọn trong danh sách.")
    header_row = layout.MODELS_HEADER_ROW
    headers = ["STT"] + list(layout.MODEL_HEADERS.values())
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(header_row, col, text)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    fields = list(layout.MODEL_HEADERS)
    first, last = header_row + 1, header_row + layout.MODEL_INPUT_ROWS
    for i in range(layout.MODEL_INPUT_ROWS):
        row = first + i
        ws.cell(row, 1, i + 1).border = BORDER
        for col in range(2, len(headers) + 1):
            cell = ws.cell(row, col)
            cell.protection, cell.fill, cell.border, cell.alignment = UNLOCKED, INPUT_FILL, BORDER, WRAP
    validations = []
    for j, lst in enumerate((dvk.FIELD, dvk.RECOGNITION, dvk.STATUS)):
        values = options.get(lst) or []
        letter = get_column_letter(4 + j)
        for r, value in enumerate(values, start=1):
            meta.cell(r, 4 + j, value)
        if not values:
            continue
        col = get_column_letter(2 + fields.index(lst))
        dv = DataValidation(type="list", formula1=f"'{layout.SHEET_META}'!${letter}$1:${letter}${len(values)}",
                            allow_blank=True)
        label = layout.MODEL_HEADERS[lst]
        dv.error = f"Chọn «{label}» trong danh sách."
        dv.errorTitle, dv.promptTitle, dv.prompt = "Giá trị không hợp lệ", label, "Chọn trong danh sách."
        dv.showErrorMessage = dv.showInputMessage = True
        dv.add(f"{col}{first}:{col}{last}")
        validations.append(dv)
    year_col = get_column_letter(2 + fields.index("year_started"))
    year = DataValidation(type="whole", operator="between", formula1=str(dvk.MIN_YEAR),
                          formula2=str(period.end.year), allow_blank=True)
    year.error = f"Năm bắt đầu là một năm từ {dvk.MIN_YEAR} đến {period.end.year}."
    year.errorTitle, year.showErrorMessage = "Giá trị không hợp lệ", True
    year.add(f"{year_col}{first}:{year_col}{last}")
    validations.append(year)
    for dv in validations:
        ws.add_data_validation(dv)
    for col, width in zip(range(1, 8), (6, 46, 26, 30, 12, 18, 16)):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.protection.sheet = True


def _wrapped_height(text: str, width_chars: int) -> float:
    """Row height fitting wrapped text: spreadsheet programs do not grow rows written by openpyxl."""
    lines = max(1, -(-len(text or "") // max(1, int(width_chars * 0.95))))
    return 15.0 * lines + 2


def _print_setup(ws) -> None:
    """Ward staff print and sign the form: A4 landscape, one page wide."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _validation(value_type: str, min_v, max_v) -> DataValidation:
    low = 0 if min_v is None else min_v
    fmt = lambda x: vn.format_number(x)  # noqa: E731
    if max_v is not None:
        dv = DataValidation(type="decimal", operator="between", formula1=str(low), formula2=str(max_v))
        rule = f"một số từ {fmt(low)} đến {fmt(max_v)} (có thể có phần thập phân)"
    elif value_type == "integer":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1=str(int(low)))
        rule = f"một số nguyên không âm (từ {fmt(low)} trở lên)"
    else:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=str(low))
        rule = f"một số không âm (có thể có phần thập phân, từ {fmt(low)} trở lên)"
    dv.allow_blank = True
    dv.showErrorMessage = dv.showInputMessage = True
    dv.errorStyle = "stop"
    dv.errorTitle = "Giá trị không hợp lệ"
    dv.error = f"Ô này chỉ nhận {rule}. Để trống nếu chưa có số liệu."
    dv.promptTitle = "Nhập số liệu"
    dv.prompt = f"Nhập {rule}. {BLANK_NOTE}"
    return dv


def write_template(db_path, unit_code: str, period_spec: str, convention: str, out_path,
                   territory: str | None = None) -> Path:
    period = parse_period(period_spec, convention)
    with db.connect(db_path, read_only=True) as con:
        wb = build_workbook(con, unit_code, period, territory)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
