from datetime import datetime

import pytest
from openpyxl import load_workbook

from etl.__main__ import main
from etl.domain import layout
from etl.intake.template import write_template
from etl.warehouse import db
from etl.warehouse.reference import init_db
from tests.workbooks import fill_values, make_template, set_info


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "t.duckdb"
    init_db(path)
    return path


@pytest.fixture(scope="module")
def catalogue(db_path):
    with db.connect(db_path, read_only=True) as con:
        return con.execute("SELECT code, value_type, max_value FROM indicators "
                           "ORDER BY sort_order").fetchall()


@pytest.fixture(scope="module")
def wb(db_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("tpl") / "t.xlsx"
    make_template(db_path, "10543", "2025-07-01:2025-11-20", out)
    return load_workbook(out)


def _value_rows(ws):
    header = [c.value for c in ws[layout.VALUES_HEADER_ROW]]
    code_col = header.index(layout.HEADER_CODE) + 1
    value_col = header.index(layout.HEADER_VALUE) + 1
    return {ws.cell(r, code_col).value: ws.cell(r, value_col)
            for r in range(layout.VALUES_HEADER_ROW + 1, ws.max_row + 1)}


def test_sheets_in_order_and_meta_very_hidden(wb):
    assert wb.sheetnames == [layout.SHEET_INSTRUCTIONS, layout.SHEET_INFO, layout.SHEET_VALUES,
                             layout.SHEET_MODELS, layout.SHEET_META]
    meta = wb[layout.SHEET_META]
    assert meta.sheet_state == "veryHidden"
    assert [[c.value for c in row] for row in meta["A1:B3"]] == [
        ["template_version", layout.TEMPLATE_VERSION], ["unit_code", "10543"],
        ["period_key", "2025-07-01:2025-11-20"]]


def test_values_sheet_header_and_all_codes(wb, catalogue):
    ws = wb[layout.SHEET_VALUES]
    header = [c.value for c in ws[layout.VALUES_HEADER_ROW]][:len(layout.VALUE_HEADERS)]
    assert header == layout.VALUE_HEADERS
    rows = _value_rows(ws)
    assert list(rows) == [code for code, _, _ in catalogue]
    assert len(rows) == 38 and "dv_score_c10" in rows
    assert all(cell.value is None for cell in rows.values())
    assert "Việt Hòa" in ws["A2"].value


def test_validations_and_number_formats(wb, catalogue):
    ws = wb[layout.SHEET_VALUES]
    rows = _value_rows(ws)
    by_cell = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for cells in rng.cells:  # (row, column) pairs
                by_cell[ws.cell(*cells).coordinate] = dv
    for code, value_type, max_value in catalogue:
        cell = rows[code]
        dv = by_cell[cell.coordinate]
        assert dv.allow_blank and dv.showErrorMessage and "Để trống" in dv.error
        if max_value is not None:
            assert (dv.type, dv.operator, float(dv.formula1), float(dv.formula2)) == \
                ("decimal", "between", 0, 10)
        elif value_type == "integer":
            assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
            assert cell.number_format == "#,##0"
        else:
            assert (dv.type, dv.operator) == ("decimal", "greaterThanOrEqual")
            assert cell.number_format == "#,##0.00"


def test_protection_only_inputs_unlocked(wb):
    for name in (layout.SHEET_INSTRUCTIONS, layout.SHEET_INFO, layout.SHEET_VALUES):
        assert wb[name].protection.sheet
    ws = wb[layout.SHEET_VALUES]
    value_cells = {c.coordinate for c in _value_rows(ws).values()}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=len(layout.VALUE_HEADERS)):
        for cell in row:
            assert cell.protection.locked == (cell.coordinate not in value_cells), cell.coordinate
    assert ws.freeze_panes == f"A{layout.VALUES_HEADER_ROW + 1}"

    info = wb[layout.SHEET_INFO]
    unlocked = {info.cell(r, 1).value for r in range(1, info.max_row + 1)
                if not info.cell(r, 2).protection.locked}
    assert unlocked == {"Người lập báo cáo", "Số điện thoại"}


def test_info_sheet_fields(wb):
    ws = wb[layout.SHEET_INFO]
    got = {ws.cell(layout.INFO_FIRST_ROW + i, 1).value: ws.cell(layout.INFO_FIRST_ROW + i, 2)
           for i in range(len(layout.INFO_FIELDS))}
    assert list(got) == [label for _, label in layout.INFO_FIELDS]
    assert got["Mã đơn vị"].value == "10543"
    assert got["Tên đơn vị"].value == "Phường Việt Hòa, thành phố Hải Phòng (từ 01/07/2025)"
    assert got["Mã kỳ báo cáo"].value == "2025-07-01:2025-11-20"
    assert got["Từ ngày"].value == datetime(2025, 7, 1)
    assert got["Đến ngày"].value == datetime(2025, 11, 20)
    assert got["Từ ngày"].number_format == "dd/mm/yyyy"
    assert "lịch" in got["Quy ước kỳ số liệu"].value


def test_instructions_list_rules_and_blank_meaning(wb, db_path):
    text = "\n".join(str(c.value) for c in wb[layout.SHEET_INSTRUCTIONS]["A"] if c.value)
    assert "CHƯA BÁO CÁO" in text and "nhập 0" in text
    with db.connect(db_path, read_only=True) as con:
        messages = [m for (m,) in con.execute("SELECT message FROM rules").fetchall()]
    assert messages and all(m in text for m in messages)


def test_decree_convention_key(db_path, tmp_path):
    wb = load_workbook(make_template(db_path, "11002", "2025-Q3", tmp_path / "q.xlsx",
                                     convention="nd09"))
    assert wb[layout.SHEET_META]["B3"].value == "2025-Q3/ND09"
    info = wb[layout.SHEET_INFO]
    assert info.cell(layout.INFO_FIRST_ROW + 4, 2).value == datetime(2025, 6, 15)


def template_cli(db_path, unit, period, out, *more) -> int:
    return main(["--db", str(db_path), "template", "--unit", unit, "--period", period,
                 "-o", str(out), *more])


def test_unknown_unit(db_path, tmp_path, capsys):
    with pytest.raises(ValueError, match="99999"):
        write_template(db_path, "99999", "2025", "calendar", tmp_path / "x.xlsx")
    assert template_cli(db_path, "99999", "2025", tmp_path / "x.xlsx") == 2
    err = capsys.readouterr().err
    assert "Không có đơn vị" in err and "Traceback" not in err
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_mentions_territory_for_period_before_unit(db_path, tmp_path, capsys):
    # 2024: the code names the unit that existed then, the old Phường Việt Hoà...
    assert template_cli(db_path, "10543", "2024", tmp_path / "old.xlsx") == 0
    out = capsys.readouterr().out
    assert "Phường Việt Hoà, thành phố Hải Dương" in out and "(đến 30/06/2025)" in out
    assert "--territory current" in out
    info = load_workbook(tmp_path / "old.xlsx")[layout.SHEET_INFO]
    assert info.cell(layout.INFO_FIRST_ROW, 2).value == "10543@2025-06-30"
    # ...unless the current Việt Hòa reports its present territory.
    assert template_cli(db_path, "10543", "2024", tmp_path / "y.xlsx", "--territory", "current") == 0
    out = capsys.readouterr().out
    assert "Phường Việt Hòa" in out and "Năm 2024" in out
    assert "trên địa bàn hiện nay của đơn vị" in out
    # An old unit cannot report a period ending after it ceased to exist.
    assert template_cli(db_path, "11005", "2025", tmp_path / "n.xlsx") == 2
    assert "2025-H1" in capsys.readouterr().err
    assert template_cli(db_path, "10543", "2025-Q4", tmp_path / "z.xlsx") == 0
    assert "địa bàn hiện nay" not in capsys.readouterr().out


def test_helpers_fill_and_set_info(db_path, tmp_path):
    tpl = make_template(db_path, "10543", "2025", tmp_path / "t.xlsx")
    filled = fill_values(tpl, {"population": 30575, "reception_visits": "1.020", "area_km2": 17.5},
                         tmp_path / "f.xlsx")
    rows = _value_rows(load_workbook(filled)[layout.SHEET_VALUES])
    assert (rows["population"].value, rows["reception_visits"].value, rows["area_km2"].value) == \
        (30575, "1.020", 17.5)
    assert rows["party_members"].value is None
    with pytest.raises(KeyError):
        fill_values(tpl, {"no_such_code": 1}, tmp_path / "g.xlsx")
    wrong = set_info(tpl, "Mã đơn vị", "99999", tmp_path / "w.xlsx")
    assert load_workbook(wrong)[layout.SHEET_INFO].cell(layout.INFO_FIRST_ROW, 2).value == "99999"


def test_models_sheet_headers_dropdowns_and_unlocked_rows(wb):
    ws = wb[layout.SHEET_MODELS]
    header = [c.value for c in ws[layout.MODELS_HEADER_ROW]][:7]
    assert header == ["STT"] + list(layout.MODEL_HEADERS.values())
    assert ws.protection.sheet
    first = layout.MODELS_HEADER_ROW + 1
    last = layout.MODELS_HEADER_ROW + layout.MODEL_INPUT_ROWS
    for row in (first, last):
        assert all(not ws.cell(row, col).protection.locked for col in range(2, 8))
        assert ws.cell(row, 1).protection.locked
    assert ws.cell(layout.MODELS_HEADER_ROW, 2).protection.locked
    by_col = {str(dv.sqref).split(":")[0][0]: dv for dv in ws.data_validations.dataValidation}
    meta = wb[layout.SHEET_META]
    fields = [meta.cell(r, 4).value for r in range(1, 9)]
    assert "Xây dựng Đảng, chính quyền" in fields and "Giải phóng mặt bằng" in fields
    assert by_col["C"].type == "list" and by_col["C"].formula1 == f"'{layout.SHEET_META}'!$D$1:$D$8"
    assert by_col["G"].type == "list" and "$F$1:$F$2" in by_col["G"].formula1
    assert (by_col["E"].type, by_col["E"].formula2) == ("whole", "2025")
