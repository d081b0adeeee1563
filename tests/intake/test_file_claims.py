"""What a file claims besides its codes: the readable texts of «Thông tin chung» must agree with the
unit and period codes, a formula must come with its saved result, and thousands of cells with the
same mistake are one finding, not thousands.

Every file here is the real template (tests/workbooks.py), then changed cell by cell with openpyxl
or, where openpyxl cannot write it (a formula's saved result), in the XML.
"""
import shutil
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl.domain import layout
from etl.domain.findings import ERROR, Finding, collapse
from etl.intake.loader import load_files
from etl.intake.reader import read_report
from etl.intake.validate import load_reference, validate
from etl.warehouse import db
from tests.report_files import FIXTURES, counts, fresh_db, ods, ods_cell, ods_row, ods_table, report
from tests.workbooks import set_info

UNIT, PERIOD = "10543", "2026-Q1"
TODAY = date(2026, 6, 1)
INFO = layout.SHEET_INFO
CLAIM_RULES = {"unit_name_mismatch", "period_label_mismatch", "convention_mismatch"}


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("claims")


@pytest.fixture(scope="module")
def db_path(work):
    return fresh_db(work)


@pytest.fixture(scope="module")
def reference(db_path):
    with db.connect(db_path, read_only=True) as con:
        return load_reference(con)


@pytest.fixture(scope="module")
def filled(db_path, work):
    return report(db_path, work, {"population": 30575, "area_km2": 17}, name="filled.xlsx",
                  unit=UNIT, period=PERIOD)


def check(path, reference):
    return validate(read_report(path), *reference, today=TODAY)


def with_info(src: Path, out: Path, **texts) -> Path:
    """The form with «Thông tin chung» texts replaced, by field key (unit_name, period_label...)."""
    wb = load_workbook(src)
    ws = wb[INFO]
    rows = {label: layout.INFO_FIRST_ROW + i for i, (_, label) in enumerate(layout.INFO_FIELDS)}
    for key, text in texts.items():
        ws.cell(rows[dict(layout.INFO_FIELDS)[key]], 2).value = text
    wb.save(out)
    return out


def claim_findings(result):
    return [f for f in result.findings if f.rule in CLAIM_RULES]


# --- 1. readable texts agree with the codes ---------------------------------------------------

@pytest.mark.parametrize("unit, period, convention", [
    (UNIT, PERIOD, "calendar"), (UNIT, "2026-Q1", "nd09"), ("11914", "2026", "calendar"),
    ("11848", "2021-2025", "nd09"), (UNIT, "2025-07-01:2025-11-20", "calendar"),
])
def test_forms_the_project_makes_claim_what_their_codes_say(db_path, reference, tmp_path,
                                                           unit, period, convention):
    from tests.workbooks import make_template
    path = make_template(db_path, unit, period, tmp_path / "t.xlsx", convention)
    assert claim_findings(check(path, reference)) == []


@pytest.mark.parametrize("name", ["loader-sample.xls", "loader-sample.ods"])
def test_libreoffice_saved_forms_claim_what_their_codes_say(reference, name):
    r = validate(read_report(FIXTURES / name), *reference, today=TODAY)
    assert r.ok and claim_findings(r) == []



def test_dates_of_another_period_or_not_a_date_are_refused(db_path, filled, work):
    """«Từ ngày» / «Đến ngày» are part of the period the file claims: another span is an error
    naming both, and a date typed as text is read (or refused when it is not a date)."""
    cases = {"other.xlsx": dict(period_start=date(2025, 1, 1)),
             "text.xlsx": dict(period_start="01/01/2026", period_end="31/3/2026"),
             "garbled.xlsx": dict(period_end="cuối quý")}
    got = {}
    for name, texts in cases.items():
        [r] = load_files(db_path, [with_info(filled, work / name, **texts)], today=TODAY)
        got[name] = (r.status, {f.rule: f for f in r.findings if f.severity == ERROR})
    status, errors = got["other.xlsx"]
    assert status == "refused" and set(errors) == {"period_dates_mismatch"}
    f = errors["period_dates_mismatch"]
    assert (f.sheet, f.cell, f.value) == (INFO, "B7", "01/01/2025")
    assert f.message == ("Ô «Từ ngày» ghi 01/01/2025 nhưng mã kỳ báo cáo 2026-Q1 là Quý I/2026 "
                         "(01/01/2026). Sửa cho khớp, hoặc tải lại mẫu của đúng kỳ báo cáo.")
    assert got["text.xlsx"] == ("loaded", {})              # the right dates, typed as text
    status, errors = got["garbled.xlsx"]
    assert status == "refused" and errors["period_date_unreadable"].cell == "B8"

def test_a_wrong_unit_name_and_period_label_are_refused_naming_both(db_path, filled, work):
    """The case that used to load silently: code 10543, 2026-Q1, texts of another unit and year."""
    path = with_info(filled, work / "wrong.xlsx", unit_name="Phường Không Tồn Tại",
                     period_label="Năm 1999")
    before = counts(db_path)
    [r] = load_files(db_path, [path], today=TODAY)
    assert r.status == "refused" and counts(db_path) == before
    got = {f.rule: f for f in r.findings if f.severity == ERROR}
    assert set(got) == {"unit_name_mismatch", "period_label_mismatch"}
    unit, period = got["unit_name_mismatch"], got["period_label_mismatch"]
    assert (unit.sheet, unit.cell, unit.value) == (INFO, "B4", "Phường Không Tồn Tại")
    assert unit.message == ("Ô «Tên đơn vị» ghi «Phường Không Tồn Tại» nhưng mã đơn vị 10543 là "
                            "Phường Việt Hòa. Sửa cho khớp, hoặc tải lại mẫu của đúng đơn vị.")
    assert (period.sheet, period.cell, period.value) == (INFO, "B6", "Năm 1999")
    assert period.message == ("Ô «Kỳ báo cáo» ghi «Năm 1999» nhưng mã kỳ báo cáo 2026-Q1 là Quý I/2026 "
                              "(01/01/2026 – 31/03/2026). Sửa cho khớp, hoặc tải lại mẫu của đúng kỳ "
                              "báo cáo.")


def test_a_convention_text_of_the_other_convention_is_refused(filled, reference, work):
    path = with_info(filled, work / "conv.xlsx",
                     convention="Theo Nghị định 09/2019/NĐ-CP (số liệu từ ngày 15 tháng trước)")
    [f] = claim_findings(check(path, reference))
    assert (f.rule, f.severity, f.sheet, f.cell) == ("convention_mismatch", ERROR, INFO, "B9")
    assert "mã kỳ báo cáo 2026-Q1 dùng quy ước «Theo lịch»" in f.message
    assert "«Theo Nghị định 09/2019/NĐ-CP (số liệu từ ngày 15 tháng trước)»" in f.message


NFD_NAME = unicodedata.normalize("NFD", "Phường Việt Hòa")
AGREEING = {  # the same meaning, typed another way
    "unit_name": ["Việt Hòa", "phường  việt hoà", "PHUONG VIET HOA", NFD_NAME, " Việt Hoà "],
    "period_label": ["Quý I/2026", "quý i/2026", "Quý I/2026 (01/01/2026 – 31/03/2026)",
                     "Quý I / 2026 (01/01/2026 - 31/03/2026)", "QUY I/2026"],
    "convention": ["Theo lịch", "theo lich", "calendar",
                   "Theo lịch (kỳ tính theo ngày đầu và ngày cuối của tháng, quý, năm)"],
}
DISAGREEING = {
    "unit_name": ["Xã Việt Hòa", "Đặc khu Việt Hòa", "Phường Việt Hải", "Hòa", "10543"],
    "period_label": ["Quý II/2026", "Năm 2026", "Quý I/2025", "Quý I/2026 (01/02/2026 – 31/03/2026)"],
    "convention": ["Theo Nghị định 09/2019/NĐ-CP", "nd09", "Theo tháng"],
}
RULE_OF = {"unit_name": "unit_name_mismatch", "period_label": "period_label_mismatch",
           "convention": "convention_mismatch"}


@pytest.mark.parametrize("key", sorted(AGREEING))
def test_texts_are_compared_for_meaning(filled, reference, tmp_path, key):
    for i, text in enumerate(AGREEING[key]):
        path = with_info(filled, tmp_path / f"ok{i}.xlsx", **{key: text})
        assert claim_findings(check(path, reference)) == [], text
    for i, text in enumerate(DISAGREEING[key]):
        path = with_info(filled, tmp_path / f"bad{i}.xlsx", **{key: text})
        [f] = claim_findings(check(path, reference))
        assert (f.rule, f.severity, f.value) == (RULE_OF[key], ERROR, text), text


def test_blank_texts_claim_nothing(filled, reference, work):
    path = with_info(filled, work / "blank.xlsx", unit_name=None, period_label="   ", convention=None)
    r = check(path, reference)
    assert r.ok and r.findings == []


def test_a_retyped_unit_code_is_caught_by_the_name_it_left_behind(filled, reference, work):
    """10543's form re-coded as 11002 (Thạch Khôi): the name still says Việt Hòa."""
    path = set_info(filled, "Mã đơn vị", "11002", work / "recoded.xlsx")
    r = check(path, reference)
    [f] = claim_findings(r)
    assert f.rule == "unit_name_mismatch" and "mã đơn vị 11002 là Phường Thạch Khôi" in f.message
    assert "template_mismatch" in [x.rule for x in r.findings]


# --- 2. formulas without a saved result --------------------------------------------------------

FORMULA_MESSAGE = ("Ô {} chứa công thức nhưng tệp không lưu kết quả tính: mở tệp trong Excel hoặc "
                   "LibreOffice, tính lại (F9) rồi lưu và gửi lại.")


def _with_cells(src: Path, out: Path, sheet: str, cells: dict) -> Path:
    wb = load_workbook(src)
    for address, value in cells.items():
        wb[sheet][address] = value
    wb.save(out)
    return out


def _rewrite(src: Path, out: Path, part: str, old: bytes, new: bytes) -> Path:
    """Copy a zip, replacing bytes in one part (entry order and compression kept: .ods needs its
    stored mimetype first)."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(out, "w") as o:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == part:
                assert old in data
                data = data.replace(old, new)
            o.writestr(info, data, compress_type=info.compress_type)
    return out


def test_a_formula_without_its_result_is_refused_naming_the_cell(db_path, filled, work):
    # openpyxl writes a formula without a result, as a program that never calculates would
    path = _with_cells(filled, work / "formula.xlsx", layout.SHEET_VALUES, {"F7": "=2+3"})
    r = read_report(path)
    [f] = [f for f in r.findings if f.severity == ERROR]
    assert (f.rule, f.sheet, f.cell, f.value) == ("formula_without_value", layout.SHEET_VALUES, "F7",
                                                  "=2+3")
    assert f.message == FORMULA_MESSAGE.format("F7")
    before = counts(db_path)
    [loaded] = load_files(db_path, [path], today=TODAY)
    assert loaded.status == "refused" and counts(db_path) == before
    assert [x.rule for x in loaded.findings if x.severity == ERROR] == ["formula_without_value"]


def test_formulas_in_info_are_caught_and_in_sheets_not_read_ignored(filled, work):
    path = _with_cells(filled, work / "info-formula.xlsx", INFO, {"B10": '="Nguyễn"&" Văn A"'})
    path = _with_cells(path, path, layout.SHEET_INSTRUCTIONS, {"B1": "=1+1"})
    [f] = [f for f in read_report(path).findings if f.severity == ERROR]
    assert (f.rule, f.sheet, f.cell) == ("formula_without_value", INFO, "B10")
    elsewhere = _with_cells(filled, work / "instr.xlsx", layout.SHEET_INSTRUCTIONS, {"B1": "=1+1"})
    assert read_report(elsewhere).ok


def test_a_formula_with_its_saved_result_loads_as_the_value(filled, reference, work):
    """As Excel and LibreOffice save it: <f> with its result in <v>."""
    path = _with_cells(filled, work / "f.xlsx", layout.SHEET_VALUES, {"F7": "=2+3", "F8": "=F7*2"})
    part = "xl/worksheets/sheet3.xml"
    cached = _rewrite(path, work / "cached.xlsx", part, b"<f>2+3</f><v></v>", b"<f>2+3</f><v>5</v>")
    cached = _rewrite(cached, work / "cached2.xlsx", part, b"<f>F7*2</f><v></v>",
                      b"<f>F7*2</f><v>10</v>")
    r = check(cached, reference)
    assert r.ok and r.findings == []
    got = {v.indicator_code: (v.value, v.cell) for v in r.values}
    assert got["party_members"] == (5, "F7") and got["party_cells"] == (10, "F8")


def test_a_formula_computing_empty_text_is_a_blank_not_an_error(filled, work):
    """Excel saves ="" as t="str" with an empty <v>: a result, and it is blank."""
    path = _with_cells(filled, work / "empty.xlsx", layout.SHEET_VALUES, {"F7": '=""'})
    part = "xl/worksheets/sheet3.xml"
    data = zipfile.ZipFile(path).read(part)
    start = data.index(b'<c r="F7"')
    end = data.index(b"</c>", start)
    cell = data[start:end]
    assert b't="' not in cell
    saved = _rewrite(path, work / "empty-str.xlsx", part, cell, cell.replace(b"<c ", b'<c t="str" ', 1))
    r = read_report(saved)
    assert r.ok, [f.describe() for f in r.findings]
    assert {c.code: c.raw for c in r.cells}["party_members"] is None


# LibreOffice Calc (Debian libreoffice-calc-nogui; libsclo.so is its engine): CI installs Writer
# only, for the narrative reports, so this case runs where Calc is there.
CALC = Path("/usr/lib/libreoffice/program/libsclo.so")


@pytest.mark.skipif(not CALC.exists(),
                    reason="LibreOffice Calc is not installed: the saved-result case is covered "
                           "by the hand-edited XML test above")
def test_libreoffice_recalculates_and_saves_the_result(filled, reference, work):
    import subprocess
    path = _with_cells(filled, work / "lo-in.xlsx", layout.SHEET_VALUES, {"F7": "=2+3"})
    out = work / "lo-out"
    # A private profile: as root, with no profile of its own, LibreOffice converts nothing.
    subprocess.run([shutil.which("soffice") or "/usr/bin/soffice",
                    f"-env:UserInstallation={(work / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)], check=True, timeout=120,
                   capture_output=True)
    r = check(out / "lo-in.xlsx", reference)
    assert r.ok and {v.indicator_code: v.value for v in r.values}["party_members"] == 5


def test_ods_formula_without_a_value_type_is_refused(reference, work):
    """The LibreOffice fixture, its population cell turned into a formula (F5)."""
    src = FIXTURES / "loader-sample.ods"
    cell = (b'office:value-type="float" office:value="30575" calcext:value-type="float">'
            b"<text:p>30,575</text:p>")
    with_result = _rewrite(src, work / "ods-cached.ods", "content.xml", cell,
                           b'table:formula="of:=30000+575" ' + cell)
    r = validate(read_report(with_result), *reference, today=TODAY)
    assert r.ok and {v.indicator_code: v.value for v in r.values}["population"] == 30575
    without = _rewrite(src, work / "ods-formula.ods", "content.xml", cell,
                       b'table:formula="of:=30000+575">')
    [f] = [f for f in read_report(without).findings if f.severity == ERROR]
    assert (f.rule, f.sheet, f.cell, f.value) == ("formula_without_value", layout.SHEET_VALUES, "F5",
                                                  "=30000+575")


def test_hand_written_ods_formula_in_an_unread_sheet_is_ignored(tmp_path):
    formula = '<table:table-cell table:formula="of:=1+1"/>'
    info = ods_table(INFO, [ods_row([ods_cell("Mã đơn vị"), ods_cell("10543")]),
                            ods_row([ods_cell("Mã kỳ báo cáo"), ods_cell("2025-Q3")])])
    values = ods_table(layout.SHEET_VALUES, [
        ods_row([ods_cell(layout.HEADER_CODE), ods_cell(layout.HEADER_VALUE)]),
        ods_row([ods_cell("population"), ods_cell(30575)])])
    other = ods_table("Ghi chép", [ods_row([formula])])
    assert read_report(ods(tmp_path / "other.ods", [info, values, other])).ok
    values_with = values.replace("</table:table>",
                                 ods_row([ods_cell("area_km2"), formula]) + "</table:table>")
    [f] = [f for f in read_report(ods(tmp_path / "values.ods", [info, values_with])).findings
           if f.severity == ERROR]
    assert (f.rule, f.sheet, f.cell) == ("formula_without_value", layout.SHEET_VALUES, "B3")


def test_ordinary_files_keep_the_fast_path(filled, monkeypatch):
    """No formula, no element-by-element scan: the regex alone guards a plain form."""
    from etl.intake.guards import extent

    def slow(*_):
        raise AssertionError("the full XML scan ran on an ordinary file")
    monkeypatch.setattr(extent, "scan_xlsx_part_fully", slow)
    assert read_report(filled).ok


# --- 3. many findings of one rule become one ---------------------------------------------------

def _rows_without_code(src: Path, out: Path, n: int, first_row: int = 50) -> Path:
    wb = load_workbook(src)
    ws = wb[layout.SHEET_VALUES]
    for i in range(n):
        ws.cell(first_row + i, 6).value = i + 1       # «Giá trị», no «Mã chỉ tiêu» on the row
    wb.save(out)
    return out


def test_thousands_of_rows_with_one_mistake_give_one_finding(filled, reference, work):
    path = _rows_without_code(filled, work / "many.xlsx", 4000)
    r = check(path, reference)
    [f] = [f for f in r.findings if f.rule == "missing_code"]
    assert len(r.findings) == 1
    assert (f.severity, f.sheet, f.cell, f.value) == (ERROR, layout.SHEET_VALUES,
                                                      "F50, F51, F52, F53, F54, …", "1")
    assert f.message.startswith("4.000 ô cùng lỗi này, ô đầu tiên là F50: Ô có giá trị nhưng dòng "
                                "không có mã chỉ tiêu.")


def test_a_few_rows_with_one_mistake_stay_separate(filled, reference, work):
    r = check(_rows_without_code(filled, work / "few.xlsx", 3), reference)
    assert [(f.rule, f.cell) for f in r.findings] == [("missing_code", "F50"), ("missing_code", "F51"),
                                                      ("missing_code", "F52")]


def test_collapse_keeps_order_and_groups_by_rule_sheet_and_severity():
    def f(rule, cell, sheet="S", severity=ERROR):
        return Finding("a.xlsx", sheet, cell, cell.lower(), rule, severity, f"m {cell}")
    many = [f("r", f"F{i}") for i in range(11)]
    ten = [f("q", f"G{i}") for i in range(10)]
    other = [f("r", "H1", sheet="T"), f("r", "H2", severity="warning")]
    out = collapse([ten[0], *many, *ten[1:], *other])
    assert [x.rule for x in out] == ["q", "r"] + ["q"] * 9 + ["r", "r"]
    one = out[1]
    assert (one.cell, one.value) == ("F0, F1, F2, F3, F4, …", "f0")
    assert one.message == "11 ô cùng lỗi này, ô đầu tiên là F0: m F0"
    assert collapse(out) == out
