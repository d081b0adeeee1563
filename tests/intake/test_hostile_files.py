"""Hostile or broken files are refused quickly, with a Vietnamese reason, and write nothing.

Several of these would abort the whole process inside calamine (a failed allocation in Rust is
not a Python exception), so the point is that the reader's guards refuse them first.
"""
import os
import struct
import time
import zipfile

import pytest

from etl.intake.loader import load_files
from etl.intake.reader import read_report
from tests.report_files import (
    FIXTURES,
    SHEET_HEAD,
    counts,
    fresh_db,
    ods,
    ods_cell,
    ods_row,
    ods_table,
    report,
    xlsx_with_sheet,
)

BOUND_S = 5.0   # generous: each refusal measures in milliseconds (the million-row sheet: ~0.1 s)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return fresh_db(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def template(db_path, tmp_path_factory):
    return report(db_path, tmp_path_factory.mktemp("tpl"), {"population": 30575})


def refused_with(db_path, path, rule):
    before = counts(db_path)
    start = time.perf_counter()
    [r] = load_files(db_path, [path])
    elapsed = time.perf_counter() - start
    assert r.status == "refused"
    assert [f.rule for f in r.findings] == [rule], [f.describe() for f in r.findings]
    assert r.findings[0].severity == "error" and r.findings[0].message
    assert counts(db_path) == before
    assert elapsed < BOUND_S
    return r.findings[0]


def test_random_bytes_named_xlsx(db_path, tmp_path):
    path = tmp_path / "random.xlsx"
    path.write_bytes(os.urandom(50_000))
    assert "không phải là bảng tính" in refused_with(db_path, path, "not_spreadsheet").message


def test_text_file_renamed_xls(db_path, tmp_path):
    path = tmp_path / "notes.xls"
    path.write_text("Báo cáo công tác dân vận\nDân số: 30.575\n", encoding="utf-8")
    refused_with(db_path, path, "not_spreadsheet")


def test_empty_file(db_path, tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "rỗng" in refused_with(db_path, path, "file_empty").message


def test_missing_file(db_path, tmp_path):
    refused_with(db_path, tmp_path / "không-có.xlsx", "file_missing")


def test_unsupported_extension(db_path, template, tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(template.read_bytes())
    refused_with(db_path, path, "unsupported_extension")


def test_truncated_xlsx(db_path, template, tmp_path):
    data = template.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "hỏng" in refused_with(db_path, path, "corrupt_file").message


def test_corrupted_bytes_inside_a_part(db_path, template, tmp_path):
    data = bytearray(template.read_bytes())
    info = zipfile.ZipFile(template).getinfo("xl/worksheets/sheet3.xml")
    start = info.header_offset + 30 + len(info.filename) + 20   # inside its compressed data
    data[start:start + 200] = bytes(200)
    path = tmp_path / "flipped.xlsx"
    path.write_bytes(bytes(data))
    refused_with(db_path, path, "corrupt_file")


def test_encrypted_xlsx(db_path):
    # a real password-protected workbook: an OLE container with EncryptionInfo/EncryptedPackage
    assert "mật khẩu" in refused_with(db_path, FIXTURES / "encrypted-secret.xlsx", "encrypted").message


def test_encrypted_xlsx_uploaded_under_another_name(db_path, tmp_path):
    path = tmp_path / "bao-cao.xls"
    path.write_bytes((FIXTURES / "encrypted-secret.xlsx").read_bytes())
    refused_with(db_path, path, "encrypted")


def test_xls_content_named_xlsx_and_xlsx_named_ods(db_path, template, tmp_path):
    xls_as_xlsx = tmp_path / "a.xlsx"
    xls_as_xlsx.write_bytes((FIXTURES / "loader-sample.xls").read_bytes())
    assert "Excel 97–2003" in refused_with(db_path, xls_as_xlsx, "extension_mismatch").message
    xlsx_as_ods = tmp_path / "b.ods"
    xlsx_as_ods.write_bytes(template.read_bytes())
    refused_with(db_path, xlsx_as_ods, "extension_mismatch")


def test_other_zip_is_not_a_spreadsheet(db_path, tmp_path):
    path = tmp_path / "word.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    refused_with(db_path, path, "not_spreadsheet")


def test_zip_bomb_by_ratio(db_path, template, tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(template.read_bytes())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/media/pad.bin", "w") as f:
        chunk = bytes(2**20)
        for _ in range(40):                       # 40 MB of zeros, about 40 KB compressed
            f.write(chunk)
    assert path.stat().st_size < 200_000
    assert "bom nén" in refused_with(db_path, path, "zip_bomb").message


def test_zip_bomb_by_total_size(db_path, template, tmp_path, monkeypatch):
    from etl.intake.guards import limits
    monkeypatch.setattr(limits, "MAX_TOTAL_UNCOMPRESSED", 30 * 2**20)
    monkeypatch.setenv("DANVAN_MAX_UPLOAD_MB", "40")
    path = tmp_path / "wide-bomb.xlsx"
    path.write_bytes(template.read_bytes())
    noise = os.urandom(2**20)                      # incompressible: passes the ratio check
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as z:
        for i in range(3):
            z.writestr(f"xl/media/{i}.bin", noise * 12)     # 3 × 12 MB, stored as is
    refused_with(db_path, path, "zip_bomb")


def test_zip_whose_headers_understate_the_size(db_path, template, tmp_path):
    """Declared sizes are small, the real stream is 30 MB: caught while re-inflating."""
    path = tmp_path / "liar.xlsx"
    path.write_bytes(template.read_bytes())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/media/pad.bin", "w") as f:
        for _ in range(30):
            f.write(bytes(2**20))
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")          # the appended part's central directory entry
    local = data.rfind(b"PK\x03\x04", 0, central)
    data[central + 24:central + 28] = data[local + 22:local + 26] = struct.pack("<I", 1000)
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo("xl/media/pad.bin").file_size == 1000
    refused_with(db_path, path, "corrupt_file")


def test_million_row_sheet(db_path, tmp_path):
    rows = (f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 1_000_001))
    path = xlsx_with_sheet(tmp_path / "million.xlsx", rows)
    f = refused_with(db_path, path, "sheet_too_large")
    assert "MB" in f.message


def test_one_cell_a_million_rows_down(db_path, tmp_path):
    """Tiny file, but calamine would allocate the whole 1,048,576 × 16,384 grid and abort."""
    path = xlsx_with_sheet(tmp_path / "corner.xlsx", [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã chỉ tiêu</t></is></c></row>',
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'])
    assert path.stat().st_size < 2000
    assert "dòng 1.048.576" in refused_with(db_path, path, "sheet_too_large").message


def test_cells_without_addresses_are_counted_too(db_path, tmp_path):
    wide = "<row>" + "<c><v>1</v></c>" * 1000 + "</row>"
    path = xlsx_with_sheet(tmp_path / "wide.xlsx", [wide])
    assert "cột 201 (giới hạn 200 cột)" in refused_with(db_path, path, "sheet_too_large").message


def test_xml_entity_expansion(db_path, tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    head = laughs + SHEET_HEAD.split("?>", 1)[1]
    cell = '<row><c t="inlineStr"><is><t>&lol2;</t></is></c></row>'
    path = xlsx_with_sheet(tmp_path / "laughs.xlsx", [cell], prefix=head)
    refused_with(db_path, path, "corrupt_file")


def test_ods_with_a_value_repeated_over_a_million_rows(db_path, tmp_path):
    table = ods_table("Chỉ tiêu", [ods_row([ods_cell("Mã chỉ tiêu"), ods_cell("Giá trị")]),
                                   ods_row([ods_cell("population"), ods_cell(5)], repeat=1_000_000)])
    path = ods(tmp_path / "repeat.ods", [table])
    assert path.stat().st_size < 2000
    f = refused_with(db_path, path, "sheet_too_large")
    assert "«Chỉ tiêu»" in f.message and "dòng 1.000.001" in f.message


def test_ods_with_columns_repeated(db_path, tmp_path):
    table = ods_table("S", [ods_row([ods_cell(1, repeat=16384)], repeat=2000)])
    refused_with(db_path, ods(tmp_path / "cols.ods", [table]), "sheet_too_large")


def test_ods_empty_rows_then_a_value_far_below(db_path, tmp_path):
    table = ods_table("S", [ods_row([ods_cell(1)]), ods_row([ods_cell(None, 50)], repeat=10**9),
                            ods_row([ods_cell(2)])])
    refused_with(db_path, ods(tmp_path / "gap.ods", [table]), "sheet_too_large")


def test_xls_with_a_value_in_the_last_cell(db_path):
    # 5.6 KB; parsed as is, calamine allocates 65,536 × 256 cells (over 1 GB in this process)
    refused_with(db_path, FIXTURES / "far-cell.xls", "sheet_too_large")


def test_xls_with_a_forged_dimensions_record(db_path, tmp_path):
    """Found by fuzzing: one changed byte in DIMENSIONS made calamine ask for 1.2 TB and abort."""
    data = bytearray((FIXTURES / "loader-sample.xls").read_bytes())
    dims = data.find(b"\x00\x02\x0e\x00")          # BIFF8 DIMENSIONS: type 0x0200, length 14
    assert dims > 0 and data[dims + 6] == 0
    data[dims + 6] = 0xF7                              # first row becomes 0xF70000, past the last
    path = tmp_path / "dims.xls"
    path.write_bytes(bytes(data))
    refused_with(db_path, path, "corrupt_file")


def test_file_over_the_size_limit(db_path, template, monkeypatch):
    monkeypatch.setenv("DANVAN_MAX_UPLOAD_MB", "0.005")
    assert template.stat().st_size > 0.005 * 2**20
    f = refused_with(db_path, template, "file_too_large")
    assert "giới hạn" in f.message
    monkeypatch.setenv("DANVAN_MAX_UPLOAD_MB", "20")
    assert read_report(template).ok


def test_oversized_upload_bytes_are_refused_too(monkeypatch):
    monkeypatch.setenv("DANVAN_MAX_UPLOAD_MB", "1")
    r = read_report(b"PK\x03\x04" + bytes(2 * 2**20), "big.xlsx")
    assert [f.rule for f in r.findings] == ["file_too_large"]
