"""Read a report workbook (.xlsx, .xls, .ods) into a ParsedReport, after the file guards.

The guards (etl.intake.guards) refuse a hostile or broken file on its raw bytes before calamine
sees it; this module then reads the sheets of the form: the meta sheet, «Thông tin chung», the
values and the «Dân vận khéo» models, finding columns by their header text.
"""
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import python_calamine as pc

from etl.domain import layout, vn
from etl.domain.findings import ERROR, NOTICE, Finding, collapse
from etl.intake.guards import (
    Refused,
    check_container,
    load_bytes,
    max_upload_bytes,  # noqa: F401 - the upload pages ask the reader for its limit
)
from etl.intake.guards.extent import col_letter


@dataclass
class ValueCell:
    code: str
    raw: object            # as calamine gives it: float, int, str, bool, date, datetime, or None
    sheet: str
    cell: str              # A1 address of the value cell


@dataclass
class ModelCells:
    """One non-blank row of the models sheet: field -> (raw content, A1 address)."""
    row_number: int
    cells: dict


@dataclass
class ParsedReport:
    file_name: str
    sha256: str | None = None
    content: bytes | None = None
    size: int = 0
    kind: str | None = None                 # 'xlsx' | 'xls' | 'ods'
    template_version: str | None = None
    unit_code: str | None = None
    period_key: str | None = None
    convention: str | None = None
    info: dict = field(default_factory=dict)      # field -> (value, cell address) from SHEET_INFO
    meta: dict = field(default_factory=dict)      # key -> value from SHEET_META
    values_sheet: str | None = None
    cells: list[ValueCell] = field(default_factory=list)
    models_sheet: str | None = None               # None: the file has no models sheet
    models: list[ModelCells] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)


def read_report(source, file_name: str | None = None) -> ParsedReport:
    """Read a path or bytes. Never raises for bad input: problems come back as findings."""
    name = file_name or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "tệp")
    report = ParsedReport(file_name=name)
    try:
        content = load_bytes(source, name)
        report.content, report.size = content, len(content)
        report.sha256 = hashlib.sha256(content).hexdigest()
        report.kind, unvalued = check_container(content, name)
        _add_unvalued(report, unvalued)
        _parse(report)
    except Refused as r:
        report.findings.append(Finding(name, r.sheet, r.cell, "", r.rule, ERROR, r.message))
    except Exception as exc:  # a shape no guard foresaw: still a refusal, never a traceback
        report.findings.append(Finding(name, "", "", "", "corrupt_file", ERROR,
                                       f"Không đọc được tệp: nội dung bị hỏng hoặc không đúng định "
                                       f"dạng ({type(exc).__name__})."))
    report.findings = collapse(report.findings)
    return report


def _norm(text) -> str:
    return vn.nfc(text).rstrip(":").strip().casefold() if isinstance(text, str) else ""


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _code_text(value) -> str | None:
    """Codes typed as numbers come back as floats: 10543.0 -> '10543'."""
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return vn.nfc(value)


FORMULA_SHEETS = (layout.SHEET_INFO, layout.SHEET_VALUES, layout.SHEET_MODELS)   # the sheets read


def _add_unvalued(report: ParsedReport, unvalued: list) -> None:
    """A formula whose result was never saved reads as blank, so a computed figure would pass
    as "not reported": an error naming the cell, in the sheets the reader uses."""
    wanted = {_norm(s) for s in FORMULA_SHEETS}
    for sheet, cell, formula in unvalued:
        if _norm(sheet) in wanted:
            report.findings.append(Finding(
                report.file_name, sheet, cell, formula, "formula_without_value", ERROR,
                f"Ô {cell} chứa công thức nhưng tệp không lưu kết quả tính: mở tệp trong Excel hoặc "
                "LibreOffice, tính lại (F9) rồi lưu và gửi lại."))


def _parse(report: ParsedReport) -> None:
    with _open_workbook(report.content) as wb:
        by_name = _sheets(wb)
        _read_meta(report, wb, by_name.get(_norm(layout.SHEET_META)))
        _read_info(report, wb, by_name[_norm(layout.SHEET_INFO)])
        _read_values(report, wb, by_name[_norm(layout.SHEET_VALUES)])
        models_name = by_name.get(_norm(layout.SHEET_MODELS))
        if models_name:
            _read_models(report, wb, models_name)
        else:
            report.findings.append(Finding(
                report.file_name, "", "", "", "no_models_sheet", NOTICE,
                f"Tệp không có trang tính «{layout.SHEET_MODELS}» (mẫu cũ): báo cáo được nhận, "
                "nhưng không có danh sách mô hình «Dân vận khéo» của kỳ này."))


def _open_workbook(content: bytes):
    try:
        return pc.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except pc.PasswordError:
        raise Refused("encrypted", "Tệp được đặt mật khẩu. Hãy gỡ mật khẩu rồi gửi lại.") from None
    except BaseException as exc:  # calamine raises its own classes, and Rust panics are BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise Refused("corrupt_file", f"Không đọc được bảng tính: tệp bị hỏng hoặc không đúng định "
                                      f"dạng ({type(exc).__name__}).") from None


def _sheets(wb) -> dict[str, str]:
    """Normalised name -> sheet name, refused without the two sheets every report needs."""
    by_name = {_norm(n): n for n in wb.sheet_names}
    missing = [s for s in (layout.SHEET_INFO, layout.SHEET_VALUES) if _norm(s) not in by_name]
    if missing:
        present = ", ".join(f"«{n}»" for n in wb.sheet_names) or "(không có)"
        raise Refused("missing_sheet",
                      f"Thiếu trang tính {', '.join(f'«{m}»' for m in missing)}. Tệp có các trang "
                      f"tính: {present}. Hãy dùng đúng mẫu báo cáo do Sở Nội vụ phát hành.")
    return by_name


def _read_meta(report: ParsedReport, wb, sheet: str | None) -> None:
    if sheet:
        for row in _rows(wb, sheet):
            if len(row) >= 2 and isinstance(row[0], str) and not _blank(row[1]):
                report.meta[row[0].strip()] = _code_text(row[1])
    report.template_version = report.meta.get("template_version")
    if report.meta.get("source_sha256"):
        report.findings.append(Finding(
            report.file_name, "", "", "", "narrative_source", NOTICE,
            f"Bản nháp lập từ văn bản «{report.meta.get('source_file', '')}» (SHA-256 "
            f"{report.meta['source_sha256']}), lưu kèm trong cơ sở dữ liệu."))
    if not report.template_version:
        report.findings.append(Finding(report.file_name, "", "", "", "no_template_version", NOTICE,
                                       "Tệp không ghi phiên bản mẫu báo cáo (có thể không lập từ "
                                       "mẫu của Sở): vẫn đọc theo tiêu đề cột."))


def _rows(wb, sheet_name: str) -> list[list]:
    try:
        return wb.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise Refused("corrupt_file", f"Không đọc được trang tính «{sheet_name}» "
                                      f"({type(exc).__name__}).", sheet=sheet_name) from None


def _read_info(report: ParsedReport, wb, sheet: str) -> None:
    labels = {_norm(label): key for key, label in layout.INFO_FIELDS}
    for r, row in enumerate(_rows(wb, sheet)):
        key = labels.get(_norm(row[0])) if row else None
        if key and key not in report.info:
            value = row[1] if len(row) > 1 else None
            report.info[key] = (None if _blank(value) else value, f"B{r + 1}")
    report.unit_code = _code_text(report.info.get("unit_code", (None,))[0])
    report.period_key = _code_text(report.info.get("period_key", (None,))[0])
    convention = report.info.get("convention", (None,))[0]
    report.convention = vn.nfc(convention) if isinstance(convention, str) else None


def _read_values(report: ParsedReport, wb, sheet: str) -> None:
    rows = _rows(wb, sheet)
    report.values_sheet = sheet
    want_code, want_value = _norm(layout.HEADER_CODE), _norm(layout.HEADER_VALUE)
    for r, row in enumerate(rows[:layout.MAX_HEADER_SCAN_ROWS]):
        texts = [_norm(c) for c in row]
        if want_code in texts and want_value in texts:
            header, code_col, value_col = r, texts.index(want_code), texts.index(want_value)
            break
    else:
        raise Refused("missing_header",
                      f"Không tìm thấy dòng tiêu đề có hai ô «{layout.HEADER_CODE}» và "
                      f"«{layout.HEADER_VALUE}» trong {layout.MAX_HEADER_SCAN_ROWS} dòng đầu của trang "
                      "tính. Không xóa hay sửa dòng tiêu đề của mẫu.", sheet=sheet)
    texts = [_norm(c) for c in rows[header]]
    evidence_col = texts.index(_norm(layout.HEADER_EVIDENCE)) if _norm(layout.HEADER_EVIDENCE) in texts else None
    for r in range(header + 1, len(rows)):
        row = rows[r]
        code = _code_text(row[code_col]) if code_col < len(row) else None
        raw = row[value_col] if value_col < len(row) else None
        raw = None if isinstance(raw, str) and raw == "" else raw
        if code is None and _blank(raw):
            continue
        cell = f"{col_letter(value_col)}{r + 1}"
        report.cells.append(ValueCell(code or "", raw, sheet, cell))
        evidence = row[evidence_col] if evidence_col is not None and evidence_col < len(row) else None
        if not _blank(raw) and isinstance(evidence, str) and evidence.strip():
            # Kept with the submission: where in the narrative report the value was read.
            report.findings.append(Finding(report.file_name, sheet, cell, str(raw), "narrative_evidence",
                                           NOTICE, f"Căn cứ trong văn bản: «{vn.nfc(evidence)[:500]}»"))


def _read_models(report: ParsedReport, wb, sheet: str) -> None:
    rows = _rows(wb, sheet)
    report.models_sheet = sheet
    wanted = {_norm(text): key for key, text in layout.MODEL_HEADERS.items()}
    for r, row in enumerate(rows[:layout.MAX_HEADER_SCAN_ROWS]):
        texts = [_norm(c) for c in row]
        if _norm(layout.MODEL_HEADERS["name"]) in texts:
            header = r
            cols = {wanted[t]: i for i, t in enumerate(texts) if t in wanted}
            break
    else:
        raise Refused("missing_header",
                      f"Không tìm thấy dòng tiêu đề có ô «{layout.MODEL_HEADERS['name']}» trong "
                      f"{layout.MAX_HEADER_SCAN_ROWS} dòng đầu của trang tính. Không xóa hay sửa "
                      "dòng tiêu đề của mẫu.", sheet=sheet)
    for r in range(header + 1, len(rows)):
        row = rows[r]
        if all(c >= len(row) or _blank(row[c]) for c in cols.values()):
            continue                            # the form's empty rows: most of the sheet
        cells = {}
        for key, c in cols.items():
            raw = row[c] if c < len(row) else None
            cells[key] = (None if _blank(raw) else raw, f"{col_letter(c)}{r + 1}")
        report.models.append(ModelCells(r + 1, cells))
