import hashlib
import unicodedata

import pytest
from openpyxl import load_workbook

from etl.domain import layout
from etl.intake.guards.extent import col_letter
from etl.intake.reader import ParsedReport, read_report
from tests.report_files import FIXTURES, fresh_db, ods, ods_cell, ods_row, ods_table, report


@pytest.fixture()
def db_path(tmp_path):
    return fresh_db(tmp_path)


def _errors(r: ParsedReport):
    return [f for f in r.findings if f.severity == "error"]


def _raw(r: ParsedReport) -> dict:
    return {c.code: c.raw for c in r.cells}


def test_template_is_read_with_info_meta_and_cell_addresses(db_path, tmp_path):
    path = report(db_path, tmp_path, {"population": 30575, "reception_visits": "1.020"},
                  period="2025-07-01:2025-11-20")
    r = read_report(path)
    assert r.ok and r.kind == "xlsx" and r.findings == []
    assert (r.unit_code, r.period_key, r.template_version) == (
        "10543", "2025-07-01:2025-11-20", layout.TEMPLATE_VERSION)
    assert r.convention.startswith("Theo lịch")
    assert r.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and r.size == len(r.content)
    assert len(r.cells) == 38
    cells = {c.code: c for c in r.cells}
    assert (cells["population"].raw, cells["population"].cell, cells["population"].sheet) == (
        30575, "F5", layout.SHEET_VALUES)
    assert cells["reception_visits"].raw == "1.020"
    assert cells["party_members"].raw is None          # blank stays None, never 0
    assert r.info["unit_code"] == ("10543", "B3")


def test_bytes_and_path_give_the_same_report(db_path, tmp_path):
    path = report(db_path, tmp_path, {"population": 1})
    a, b = read_report(path), read_report(path.read_bytes(), "upload.xlsx")
    assert b.file_name == "upload.xlsx" and a.sha256 == b.sha256 and _raw(a) == _raw(b)


def test_columns_are_found_by_header_text_not_position(db_path, tmp_path):
    path = report(db_path, tmp_path, {"population": 30575})
    wb = load_workbook(path)
    ws = wb[layout.SHEET_VALUES]
    ws.insert_rows(1, 2)
    ws.insert_cols(1)
    wb.save(tmp_path / "moved.xlsx")
    r = read_report(tmp_path / "moved.xlsx")
    assert r.ok
    cell = next(c for c in r.cells if c.code == "population")
    assert (cell.raw, cell.cell) == (30575, "G7")


def test_sheet_names_are_matched_after_nfc_and_trim(db_path, tmp_path):
    path = report(db_path, tmp_path, {"population": 5})
    wb = load_workbook(path)
    wb[layout.SHEET_VALUES].title = unicodedata.normalize("NFD", layout.SHEET_VALUES) + " "
    wb.save(tmp_path / "nfd.xlsx")
    r = read_report(tmp_path / "nfd.xlsx")
    assert r.ok and _raw(r)["population"] == 5


def test_missing_sheet_names_the_sheets_present(db_path, tmp_path):
    path = report(db_path, tmp_path, {})
    wb = load_workbook(path)
    wb[layout.SHEET_VALUES].title = "Sheet1"
    wb.save(tmp_path / "renamed.xlsx")
    r = read_report(tmp_path / "renamed.xlsx")
    [err] = _errors(r)
    assert err.rule == "missing_sheet"
    assert f"«{layout.SHEET_VALUES}»" in err.message and "«Sheet1»" in err.message


def test_missing_header_row_is_refused(db_path, tmp_path):
    path = report(db_path, tmp_path, {})
    wb = load_workbook(path)
    wb[layout.SHEET_VALUES].cell(layout.VALUES_HEADER_ROW, 3).value = "Mã"
    wb.save(tmp_path / "noheader.xlsx")
    [err] = _errors(read_report(tmp_path / "noheader.xlsx"))
    assert (err.rule, err.sheet) == ("missing_header", layout.SHEET_VALUES)
    assert layout.HEADER_CODE in err.message


def test_header_below_the_scan_window_is_not_found(db_path, tmp_path):
    path = report(db_path, tmp_path, {})
    wb = load_workbook(path)
    wb[layout.SHEET_VALUES].insert_rows(1, layout.MAX_HEADER_SCAN_ROWS)
    wb.save(tmp_path / "low.xlsx")
    assert [f.rule for f in _errors(read_report(tmp_path / "low.xlsx"))] == ["missing_header"]


def test_absent_meta_sheet_is_a_notice_not_an_error(db_path, tmp_path):
    path = report(db_path, tmp_path, {"population": 7})
    wb = load_workbook(path)
    del wb[layout.SHEET_META]
    wb.save(tmp_path / "nometa.xlsx")
    r = read_report(tmp_path / "nometa.xlsx")
    assert r.ok and r.template_version is None and _raw(r)["population"] == 7
    assert [(f.rule, f.severity) for f in r.findings] == [("no_template_version", "notice")]


def test_unit_code_typed_as_number_reads_as_text(db_path, tmp_path):
    from tests.workbooks import set_info
    path = set_info(report(db_path, tmp_path, {}), "Mã đơn vị", 10543, tmp_path / "num.xlsx")
    assert read_report(path).unit_code == "10543"


@pytest.mark.parametrize("name", ["loader-sample.xls", "loader-sample.ods"])
def test_libreoffice_xls_and_ods_are_read_like_the_xlsx(name):
    r = read_report(FIXTURES / name)
    assert r.ok and r.kind == name.rsplit(".", 1)[1]
    assert (r.unit_code, r.period_key, r.template_version) == ("10543", "2025-Q3", "DV-2025.1")
    raw = {k: v for k, v in _raw(r).items() if v is not None}
    assert raw == {"population": 30575, "area_km2": 17, "party_members": 2370, "reception_visits": 42,
                   "reception_people": "1.058", "crowd_delegations": 0, "dv_score_c01": 8.5}
    assert next(c.cell for c in r.cells if c.code == "crowd_delegations") == "F20"


def test_hand_written_ods_with_libreoffice_style_trailing_repeats(tmp_path):
    """LibreOffice pads sheets with rows repeated ~a million times: empty, so accepted."""
    pad_cols, pad_rows = ods_cell(None, 1024), ods_row([ods_cell(None, 1024)], 1048000)
    info = ods_table(layout.SHEET_INFO, [
        ods_row([ods_cell("Thông tin chung về báo cáo")]), ods_row([ods_cell()]),
        ods_row([ods_cell("Mã đơn vị"), ods_cell("10543"), pad_cols]),
        ods_row([ods_cell("Mã kỳ báo cáo"), ods_cell("2025-Q3")]), pad_rows])
    values = ods_table(layout.SHEET_VALUES, [
        ods_row([ods_cell("STT"), ods_cell(layout.HEADER_CODE), ods_cell(layout.HEADER_VALUE)]),
        ods_row([ods_cell(1), ods_cell("population"), ods_cell(30575)]),
        ods_row([ods_cell(2), ods_cell("area_km2"), ods_cell("19,94"), pad_cols]),
        ods_row([ods_cell(3), ods_cell("party_members"), ods_cell()]), pad_rows])
    r = read_report(ods(tmp_path / "hand.ods", [info, values]))
    assert r.ok and (r.unit_code, r.period_key) == ("10543", "2025-Q3")
    assert _raw(r) == {"population": 30575, "area_km2": "19,94", "party_members": None}
    assert [c.cell for c in r.cells] == ["C2", "C3", "C4"]


def test_col_letter():
    assert [col_letter(i) for i in (0, 5, 25, 26, 701, 702)] == ["A", "F", "Z", "AA", "ZZ", "AAA"]
