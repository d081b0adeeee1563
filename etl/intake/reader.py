"""Read a report workbook (.xlsx, .xls, .ods) into a ParsedReport, refusing hostile files first.

calamine parses fast but trusts the file: a sheet claiming a cell at XFD1048576, or an .ods row
repeated a million times, makes it allocate the whole rectangle, and a failed allocation aborts
the process (no Python exception). So every guard here runs on the raw bytes before calamine
sees them: size, magic bytes, zip entry sizes and ratios (re-inflated with CRC checks, since
headers can lie), encryption markers, and the used extent of every sheet.
"""
import hashlib
import io
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.parsers import expat

import python_calamine as pc

from etl import config
from etl.domain import layout, vn
from etl.domain.findings import ERROR, NOTICE, Finding, collapse

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
EXTENSIONS = (".xlsx", ".xls", ".ods")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

MAX_ZIP_ENTRIES = 1000
MAX_TOTAL_UNCOMPRESSED = 100 * 2**20
MAX_ENTRY_UNCOMPRESSED = 50 * 2**20
MAX_SHEET_XML = 20 * 2**20     # one worksheet part (or an .ods content.xml)
MAX_RATIO = 100                # checked on entries over RATIO_MIN_SIZE only: tiny parts compress oddly
RATIO_MIN_SIZE = 2**20
MAX_ROWS = 5000                # used extent of any sheet; the form has ~40 rows
MAX_COLS = 200

SHEET_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main")
ODS_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
ODS_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
KIND_NAMES = {"xlsx": "Excel (.xlsx)", "xls": "Excel 97–2003 (.xls)", "ods": "OpenDocument (.ods)"}


def max_upload_bytes() -> int:
    return int(config.get("DANVAN_MAX_UPLOAD_MB") * 2**20)


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


class Refused(Exception):
    """A read-level error: becomes one Finding and stops reading."""

    def __init__(self, rule: str, message: str, sheet: str = "", cell: str = ""):
        super().__init__(message)
        self.rule, self.message, self.sheet, self.cell = rule, message, sheet, cell


def col_letter(index: int) -> str:
    """0-based column index -> 'A', 'B', ... 'AA'."""
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


def _mb(n: float) -> str:
    if n < 2**20:
        return vn.format_number(n / 1024, 0) + " KB"
    return vn.format_number(n / 2**20, 1) + " MB"


def read_report(source, file_name: str | None = None) -> ParsedReport:
    """Read a path or bytes. Never raises for bad input: problems come back as findings."""
    name = file_name or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "tệp")
    report = ParsedReport(file_name=name)
    try:
        content = _load_bytes(source, name)
        report.content, report.size = content, len(content)
        report.sha256 = hashlib.sha256(content).hexdigest()
        report.kind, unvalued = _check_container(content, name)
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


def _load_bytes(source, name: str) -> bytes:
    limit = max_upload_bytes()
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise Refused("file_missing", f"«{path}» không phải là một tệp.")
        except FileNotFoundError:
            raise Refused("file_missing", f"Không tìm thấy tệp «{path}».") from None
        except PermissionError:
            raise Refused("file_missing", f"Không có quyền đọc tệp «{path}».") from None
        if size > limit:  # refuse before reading, so memory stays bounded
            raise Refused("file_too_large", f"Tệp quá lớn ({_mb(size)}); giới hạn là {_mb(limit)}.")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Refused("file_missing", f"Không đọc được tệp «{path}»: {exc.strerror}.") from None
    if not data:
        raise Refused("file_empty", "Tệp rỗng (0 byte): không có nội dung để đọc.")
    if len(data) > limit:
        raise Refused("file_too_large", f"Tệp quá lớn ({_mb(len(data))}); giới hạn là {_mb(limit)}.")
    return data


def _check_container(data: bytes, name: str) -> tuple[str, list]:
    """The format from the bytes, after checking it is safe and matches the extension, and the
    formula cells without a saved result: (sheet name, cell address, formula) each."""
    ext = Path(name).suffix.lower()
    if ext not in EXTENSIONS:
        raise Refused("unsupported_extension",
                      f"Chỉ nhận tệp .xlsx, .xls hoặc .ods; tệp «{name}» có đuôi «{ext or '(không có)'}».")
    if data.startswith(OLE_MAGIC):
        streams = _ole_streams(data)
        names = {n.lower() for n in streams}
        if {"encryptioninfo", "encryptedpackage"} & names:
            raise Refused("encrypted", "Tệp được đặt mật khẩu (mã hóa). Hãy gỡ mật khẩu trong Excel "
                                       "(Tệp › Thông tin › Bảo vệ sổ làm việc) rồi gửi lại.")
        if not ({"workbook", "book"} & names):
            raise Refused("not_spreadsheet", "Tệp là tài liệu Office dạng cũ nhưng không phải bảng tính "
                                             "Excel (có thể là tệp Word hoặc PowerPoint).")
        if ext != ".xls":
            raise Refused("extension_mismatch", f"Tệp thực chất là {KIND_NAMES['xls']} nhưng có đuôi "
                                                f"«{ext}». Hãy lưu lại đúng định dạng rồi gửi lại.")
        _check_xls(data, streams)
        return "xls", []               # BIFF stores every formula with its result
    if data.startswith(ZIP_MAGIC):
        kind, unvalued = _check_zip(data)
        if ext != f".{kind}":
            raise Refused("extension_mismatch", f"Tệp thực chất là {KIND_NAMES[kind]} nhưng có đuôi "
                                                f"«{ext}». Hãy lưu lại đúng định dạng rồi gửi lại.")
        return kind, unvalued
    raise Refused("not_spreadsheet", f"Tệp «{name}» không phải là bảng tính Excel hay OpenDocument "
                                     "(nội dung không đúng định dạng, có thể là tệp văn bản hoặc tệp "
                                     "đã đổi đuôi).")


# --- zip containers (.xlsx, .ods) -------------------------------------------------------------

def _check_zip(data: bytes) -> tuple[str, list]:
    corrupt = Refused("corrupt_file", "Tệp bị hỏng hoặc không trọn vẹn (có thể tải lên bị ngắt giữa "
                                      "chừng). Hãy lưu lại tệp rồi gửi lại.")
    try:  # any failure of the zip layer (bad headers, versions, CRC) is a corrupt file
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
        names = {i.filename for i in infos}
        mime = zf.read("mimetype")[:100].strip() if "mimetype" in names else b""
    except Exception:
        raise corrupt from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise Refused("zip_bomb", f"Tệp chứa quá nhiều thành phần ({len(infos)}).")
    if "xl/workbook.xml" in names:
        kind = "xlsx"
    elif "content.xml" in names and mime == ODS_MIME:
        kind = "ods"
    else:
        raise Refused("not_spreadsheet", "Tệp nén không phải là bảng tính .xlsx hay .ods (có thể là "
                                         "tệp Word, PowerPoint hoặc một tệp nén khác).")
    for i in infos:
        is_sheet = (kind == "ods" and i.filename == "content.xml") or (
            kind == "xlsx" and i.filename.startswith("xl/worksheets/"))
        if is_sheet and i.file_size > MAX_SHEET_XML:
            raise Refused("sheet_too_large", f"Trang tính quá lớn ({_mb(i.file_size)} khi giải nén; "
                                             f"giới hạn {_mb(MAX_SHEET_XML)}). Mẫu báo cáo chỉ có vài "
                                             "chục dòng: hãy dùng đúng mẫu.")
    total = sum(i.file_size for i in infos)
    bomb = f"Tệp có dấu hiệu «bom nén»: khi giải nén lên tới {_mb(total)}. Không xử lý tệp này."
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise Refused("zip_bomb", bomb)
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > MAX_ENTRY_UNCOMPRESSED or (i.file_size > RATIO_MIN_SIZE and ratio > MAX_RATIO):
            raise Refused("zip_bomb", f"Tệp có dấu hiệu «bom nén»: thành phần {i.filename} nén "
                                      f"{vn.format_number(ratio, 0)} lần ({_mb(i.file_size)}).")
    # Re-inflate every part with a size cap: the declared sizes above may lie, and zipfile
    # stops at the declared size and then fails the CRC check.
    unvalued = []                       # (part, sheet, address, formula)
    try:
        for i in infos:
            with zf.open(i) as f:
                if i.filename.endswith(".xml") and kind == "xlsx":   # size bounded by the checks above
                    unvalued += [(i.filename, *c) for c in _scan_xlsx_part(f.read(), i.filename)]
                elif i.filename.endswith(".xml"):
                    unvalued += [(i.filename, *c) for c in _scan_extent(f, kind, i.filename)]
                else:
                    while f.read(2**20):
                        pass
        if unvalued and kind == "xlsx":  # an .xlsx part names no sheet: the workbook does
            names = _sheet_parts(zf)
            unvalued = [(part, names.get(part, ""), *rest) for part, _, *rest in unvalued]
    except Refused:
        raise
    except Exception as exc:  # zlib.error, BadZipFile (CRC), EOFError, unsupported methods...
        if isinstance(exc, RuntimeError) and "encrypted" in str(exc).lower():
            raise Refused("encrypted", "Tệp nén được đặt mật khẩu. Hãy gỡ mật khẩu rồi gửi lại.") from None
        raise corrupt from None
    return kind, [c[1:] for c in unvalued]


def _elements(data: bytes, local: str) -> list[dict]:
    """The attributes of every element named `local` (any namespace) of a small XML part."""
    found = []
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = lambda name, attrs: (
        found.append(attrs) if name.rpartition(" ")[2] == local else None)
    parser.Parse(data, True)
    return found


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part ('xl/worksheets/sheet3.xml') -> sheet name, through the workbook's
    relationships (already scanned for DTDs with the other parts)."""
    targets = {a.get("Id"): a.get("Target", "")
               for a in _elements(zf.read("xl/_rels/workbook.xml.rels"), "Relationship")}
    parts = {}
    for a in _elements(zf.read("xl/workbook.xml"), "sheet"):
        rid = next((v for k, v in a.items() if k.endswith(" id")), None)   # r:id, any prefix
        target = targets.get(rid, "")
        part = target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        parts[part] = a.get("name", "")
    return parts


# The fast path for the extent of an .xlsx part: a Python callback per XML element costs ~5 ms a
# file, most of the reading time. In a UTF-8 part (markup then appears as is in the bytes), a
# regular expression finds every tag named c or something:c, as lenient a reading as calamine's;
# where each parses as plain attributes with an A1 address, the cells holding anything give the
# extent, and a DTD is refused from its keyword. Anything else (another encoding, a cell without
# its address or with an entity in it, a tag this does not parse) takes the element-by-element
# scan, which also refuses XML that is not well-formed. The regex may only over-count (cells of
# any namespace, inside comments): a strange file can be refused, a far cell is never missed.
#
# A cell tag: its address when r comes first (as Excel, LibreOffice and openpyxl write it), its
# other attributes, self-closing or not, and the first character of anything but its end tag
# that follows (looked at, not consumed, so a cell inside a cell is seen too); or, for a tag
# this cannot parse, just the mark in the last group.
_CELL = re.compile(rb"<(?:[^\s<>/]*:)?c(?:(?:\s+r\s*=\s*([\"'])([A-Za-z]{1,4})(\d{1,9})\1)?"
                   rb"((?:\s+[^\s<>=/]+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*)\s*(/?)>(?:[^<]*(?=<([^/])))?"
                   rb"|([\s/>]))")
_ATTR = re.compile(rb"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ADDRESS = re.compile(rb"([A-Za-z]{1,4})(\d{1,9})")
_ENCODING = re.compile(rb"<\?xml[^>]*encoding\s*=\s*[\"']([^\"']*)")
_FORMULA = re.compile(rb"<(?:[^\s<>/]*:)?f[\s/>]")    # a formula tag, named f or something:f


def _scan_xlsx_part(data: bytes, part: str) -> list:
    """Refuse a part reaching too far; return its formula cells without a saved result."""
    declared = _ENCODING.match(data)
    plain = (b"\0" not in data and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
             and (declared is None or declared[1].lower() in (b"utf-8", b"utf8")))
    cells = _CELL.findall(data) if plain else []
    # A formula: only the full scan tells whether its result was saved (rare in report forms).
    if not plain or any(c[6] for c in cells) or (cells and _FORMULA.search(data)):
        return _scan_extent(io.BytesIO(data), "xlsx", part)
    if b"<!DOCTYPE" in data:
        raise Refused("corrupt_file", f"Tệp chứa khai báo XML không hợp lệ ({part}).")
    max_row = max_col = 0
    for _, letters, digits, attrs, closed, child, _ in [c for c in cells if c[5] and not c[4]]:
        if not letters:                         # r is not the first attribute
            address = [m[1] or m[2] for m in _ATTR.findall(attrs) if m[0] == b"r"]
            found = _ADDRESS.fullmatch(address[0]) if len(address) == 1 else None
            if found is None:                   # positional or escaped: the slow scan decides
                return _scan_extent(io.BytesIO(data), "xlsx", part)
            letters, digits = found[1], found[2]
        col = 0
        for ch in letters.upper():
            col = col * 26 + ch - 64
        max_row, max_col = max(max_row, int(digits)), max(max_col, col)
        if max_row > MAX_ROWS or max_col > MAX_COLS:
            raise _too_large("", max_row, max_col)
    return []


def _scan_extent(stream, kind: str, part: str) -> list:
    """Find the furthest cell holding anything, the way calamine will size its grid, and the
    formula cells without a saved result, which calamine reads as blank: (sheet, address,
    formula) each, the sheet named only in an .ods (an .xlsx part does not know its name)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    state = {"row": -1, "col": -1, "cell": None, "max_row": 0, "max_col": 0,
             "row_rep": 1, "row_has": False, "table": "", "text": None}
    unvalued = []

    def no_dtd(*_):  # OOXML and ODF never declare a DTD; one here can only be an entity attack
        raise Refused("corrupt_file", f"Tệp chứa khai báo XML không hợp lệ ({part}).")

    def xlsx_start(name, attrs):
        ns, _, local = name.rpartition(" ")
        cell = state["cell"]
        if cell is not None:
            cell[2] = True                   # any child (<v>, <is>, <f>) means the cell holds something
            if ns in SHEET_NS and local == "f":
                cell[3], state["text"] = cell[3] or "", "f"
            elif ns in SHEET_NS and local == "v":
                state["text"] = "v"
                cell[4] = cell[4] or cell[5]  # an empty text result is a saved result
            return
        if ns not in SHEET_NS:
            return
        if local == "row":
            r = attrs.get("r")
            state["row"] = int(r) - 1 if r and r.isdigit() else state["row"] + 1
            state["col"] = -1
        elif local == "c":
            m = re.fullmatch(r"([A-Za-z]{1,4})(\d{1,9})", attrs.get("r", ""))
            if m:
                col = 0
                for ch in m[1].upper():
                    col = col * 26 + ord(ch) - 64
                state["col"], row = col - 1, int(m[2]) - 1
            else:
                state["col"], row = state["col"] + 1, max(state["row"], 0)
            # row, column, holds something, formula text, result saved, text type
            state["cell"] = [row, state["col"], False, None, False, attrs.get("t") == "str"]

    def xlsx_text(data):
        cell = state["cell"]
        if cell is not None and state["text"] == "f":
            cell[3] += data
        elif cell is not None and state["text"] == "v" and data.strip():
            cell[4] = True

    def xlsx_end(name):
        ns, _, local = name.rpartition(" ")
        if local in ("f", "v"):
            state["text"] = None
        if local == "c" and ns in SHEET_NS and state["cell"] is not None:
            row, col, has, formula, saved, _ = state["cell"]
            state["cell"] = None
            if has:
                _grow(row + 1, col + 1)
            if formula is not None and not saved:
                unvalued.append(("", f"{col_letter(col)}{row + 1}", f"={formula}" if formula else ""))

    def ods_start(name, attrs):
        ns, _, local = name.rpartition(" ")
        if state["cell"] is not None:
            state["cell"][2] = True
            return
        if ns != ODS_TABLE_NS:
            return
        if local == "table":
            state["row"], state["table"] = 0, attrs.get(f"{ODS_TABLE_NS} name", "")
        elif local == "table-row":
            state["row_rep"] = _repeat(attrs, "number-rows-repeated")
            state["col"], state["row_has"] = 0, False
        elif local in ("table-cell", "covered-table-cell"):
            has = f"{ODS_OFFICE_NS} value-type" in attrs
            formula = attrs.get(f"{ODS_TABLE_NS} formula")
            if formula and not has:          # a formula never calculated: no value type at all
                unvalued.append((state["table"], f"{col_letter(state['col'])}{state['row'] + 1}",
                                 formula.removeprefix("of:")))
            state["cell"] = [state["col"], _repeat(attrs, "number-columns-repeated"), has]

    def ods_end(name):
        ns, _, local = name.rpartition(" ")
        if ns != ODS_TABLE_NS:
            return
        if local in ("table-cell", "covered-table-cell") and state["cell"] is not None:
            col, rep, has = state["cell"]
            state["cell"] = None
            state["col"] = col + rep
            if has:
                state["row_has"] = True
                _grow(0, col + rep)
        elif local == "table-row":
            if state["row_has"]:
                _grow(state["row"] + state["row_rep"], 0)
            state["row"] += state["row_rep"]

    def _repeat(attrs, key):
        text = attrs.get(f"{ODS_TABLE_NS} {key}", "1")
        return int(text) if text.isdigit() and len(text) < 12 else 10**12

    def _grow(rows, cols):
        state["max_row"], state["max_col"] = max(state["max_row"], rows), max(state["max_col"], cols)
        if state["max_row"] > MAX_ROWS or state["max_col"] > MAX_COLS:
            raise _too_large(state["table"], state["max_row"], state["max_col"])

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    if kind == "xlsx":
        parser.StartElementHandler, parser.EndElementHandler = xlsx_start, xlsx_end
        parser.CharacterDataHandler = xlsx_text
    elif part == "content.xml":
        parser.StartElementHandler, parser.EndElementHandler = ods_start, ods_end
    try:
        while chunk := stream.read(2**20):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise Refused("corrupt_file", f"Tệp bị hỏng: phần {part} không phải XML hợp lệ.") from None
    return unvalued


def _too_large(sheet: str, rows: int, cols: int) -> Refused:
    where = f"Trang tính «{sheet}»" if sheet else "Một trang tính"
    extent = (f"dòng {vn.format_number(rows)} (giới hạn {vn.format_number(MAX_ROWS)} dòng)"
              if rows > MAX_ROWS else f"cột {vn.format_number(cols)} (giới hạn {MAX_COLS} cột)")
    return Refused("sheet_too_large", f"{where} có dữ liệu ở tận {extent}. Mẫu báo cáo chỉ có vài "
                                      "chục dòng: hãy dùng đúng mẫu.")


# --- OLE containers (.xls, and encrypted .xlsx) -----------------------------------------------

def _ole_streams(data: bytes) -> dict[str, bytes | None]:
    """Stream names of a compound file, with the content of the workbook stream (others None).

    A small reader instead of a dependency: the header, FAT, directory and (for short
    streams) the mini stream, with every chain bounded so a crafted file cannot loop.
    """
    corrupt = Refused("corrupt_file", "Tệp Excel 97–2003 bị hỏng hoặc không trọn vẹn.")
    try:
        sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        mini = 1 << struct.unpack_from("<H", data, 0x20)[0]
        n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
        cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
        if sector not in (512, 4096) or mini != 64:
            raise corrupt
        n_sectors = (len(data) - sector) // sector + 1

        def sec(n: int) -> bytes:
            off = (n + 1) * sector
            if off >= len(data):
                raise corrupt
            return data[off:off + sector].ljust(sector, b"\0")

        fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
        nxt, seen = first_difat, 0
        while nxt < 0xFFFFFFFA and seen <= n_difat and seen < n_sectors:
            block = struct.unpack(f"<{sector // 4}I", sec(nxt))
            fat_sectors += block[:-1]
            nxt, seen = block[-1], seen + 1
        fat = []
        for s in fat_sectors[:n_fat]:
            fat += struct.unpack(f"<{sector // 4}I", sec(s))

        def chain(start: int, table: list) -> list[int]:
            out = []
            while start < 0xFFFFFFFA:
                if start >= len(table) or len(out) > len(table):
                    raise corrupt
                out.append(start)
                start = table[start]
            return out

        directory = b"".join(sec(s) for s in chain(first_dir, fat))
        entries = []
        for off in range(0, len(directory) - 127, 128):
            name_len, kind = struct.unpack_from("<HB", directory, off + 64)
            start, size = struct.unpack_from("<IQ", directory, off + 116)
            if kind in (1, 2, 5) and 2 <= name_len <= 64:
                name = directory[off:off + name_len - 2].decode("utf-16-le", "replace")
                entries.append((name, kind, start, size))
        streams: dict[str, bytes | None] = {}
        root = next((e for e in entries if e[1] == 5), None)
        for name, kind, start, size in entries:
            if kind != 2:
                continue
            streams[name] = None
            if name.lower() not in ("workbook", "book"):
                continue
            if size > len(data):
                raise corrupt
            if size >= cutoff or root is None:
                body = b"".join(sec(s) for s in chain(start, fat))
            else:
                minifat = []
                for s in chain(first_minifat, fat)[:max(n_minifat, 0) or None]:
                    minifat += struct.unpack(f"<{sector // 4}I", sec(s))
                ministream = b"".join(sec(s) for s in chain(root[2], fat))
                body = b"".join(ministream[m * mini:(m + 1) * mini] for m in chain(start, minifat))
            streams[name] = body[:size]
        return streams
    except struct.error:
        raise corrupt from None


# BIFF cell records: (row, col) are their first two 16-bit fields.
_BIFF_CELLS = {0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x00BD}
_BIFF_FILEPASS = 0x002F
_BIFF_DIMENSIONS = 0x0200


def _check_xls(data: bytes, streams: dict) -> None:
    body = streams.get("Workbook") or streams.get("Book") or next(
        (v for k, v in streams.items() if k.lower() in ("workbook", "book") and v), b"")
    max_row = max_col = 0
    pos, n = 0, len(body)
    while pos + 4 <= n:
        rtype, rlen = struct.unpack_from("<HH", body, pos)
        rec = body[pos + 4:pos + 4 + rlen]
        pos += 4 + rlen
        if rtype == _BIFF_FILEPASS:
            raise Refused("encrypted", "Tệp được đặt mật khẩu (mã hóa). Hãy gỡ mật khẩu trong Excel "
                                       "rồi gửi lại.")
        if rtype == _BIFF_DIMENSIONS:   # calamine sizes its buffers from it: a forged one aborts
            wide = len(rec) >= 14
            r0, r1, c0, c1 = struct.unpack_from("<IIHH" if wide else "<HHHH", rec.ljust(14, b"\0"))
            if r0 > r1 or c0 > c1:
                raise Refused("corrupt_file", "Tệp Excel 97–2003 bị hỏng (kích thước trang tính không "
                                              "hợp lệ).")
            max_row, max_col = max(max_row, r1), max(max_col, c1)
        if rtype in _BIFF_CELLS and len(rec) >= 4:
            row, col = struct.unpack_from("<HH", rec, 0)
            if rtype == 0x00BD and len(rec) >= 6:   # MULRK: the last field is the last column
                col = struct.unpack_from("<H", rec, len(rec) - 2)[0]
            max_row, max_col = max(max_row, row + 1), max(max_col, col + 1)
    if max_row > MAX_ROWS or max_col > MAX_COLS:
        raise _too_large("", max_row, max_col)


# --- the workbook itself ----------------------------------------------------------------------

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
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(report.content))
    except pc.PasswordError:
        raise Refused("encrypted", "Tệp được đặt mật khẩu. Hãy gỡ mật khẩu rồi gửi lại.") from None
    except BaseException as exc:  # calamine raises its own classes, and Rust panics are BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise Refused("corrupt_file", f"Không đọc được bảng tính: tệp bị hỏng hoặc không đúng định "
                                      f"dạng ({type(exc).__name__}).") from None
    with wb:
        by_name = {_norm(n): n for n in wb.sheet_names}
        missing = [s for s in (layout.SHEET_INFO, layout.SHEET_VALUES) if _norm(s) not in by_name]
        if missing:
            present = ", ".join(f"«{n}»" for n in wb.sheet_names) or "(không có)"
            raise Refused("missing_sheet",
                          f"Thiếu trang tính {', '.join(f'«{m}»' for m in missing)}. Tệp có các trang "
                          f"tính: {present}. Hãy dùng đúng mẫu báo cáo do Sở Nội vụ phát hành.")
        meta_name = by_name.get(_norm(layout.SHEET_META))
        if meta_name:
            for row in _rows(wb, meta_name):
                if len(row) >= 2 and isinstance(row[0], str) and not _blank(row[1]):
                    report.meta[row[0].strip()] = _code_text(row[1])
        report.template_version = report.meta.get("template_version")
        if not report.template_version:
            report.findings.append(Finding(report.file_name, "", "", "", "no_template_version", NOTICE,
                                           "Tệp không ghi phiên bản mẫu báo cáo (có thể không lập từ "
                                           "mẫu của Sở): vẫn đọc theo tiêu đề cột."))
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
    for r in range(header + 1, len(rows)):
        row = rows[r]
        code = _code_text(row[code_col]) if code_col < len(row) else None
        raw = row[value_col] if value_col < len(row) else None
        raw = None if isinstance(raw, str) and raw == "" else raw
        if code is None and _blank(raw):
            continue
        report.cells.append(ValueCell(code or "", raw, sheet, f"{col_letter(value_col)}{r + 1}"))


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
