"""The used extent of every sheet, and the formulas saved without a result, from the XML itself.

calamine sizes its grid from the furthest cell holding anything (a cell at XFD1048576, an .ods
row repeated a million times), and a failed allocation aborts the process; it also reads a
formula whose result was never saved as blank. So every XML part is scanned before calamine
sees it: an .xlsx part by a regular expression when it can be (scan_xlsx_part), else element by
element (XlsxScan); an .ods content.xml element by element (OdsScan). Any part declaring a DTD
(OOXML and ODF never do: one can only be an entity attack) or not well-formed is refused.

A scan returns the formula cells without a saved result as (sheet, A1 address, formula). An
.xlsx part does not know its sheet's name (sheet_parts gives it), so its sheet is "".
"""
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from etl.intake.guards import limits
from etl.intake.guards.limits import Refused, too_large

SHEET_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main")
ODS_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
ODS_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODS_CELLS = ("table-cell", "covered-table-cell")


def col_letter(index: int) -> str:
    """0-based column index -> 'A', 'B', ... 'AA'."""
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


def _col_number(letters: bytes) -> int:
    """b'A' -> 1, b'AA' -> 27 (1-based, like the row numbers of an A1 address)."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col


# --- the .xlsx fast path ----------------------------------------------------------------------

# A Python callback per XML element costs ~5 ms a file, most of the reading time. In a UTF-8
# part (markup then appears as is in the bytes), a regular expression finds every tag named c or
# something:c, as lenient a reading as calamine's; where each parses as plain attributes with an
# A1 address, the cells holding anything give the extent, and a DTD is refused from its keyword.
# Anything else (another encoding, a cell without its address or with an entity in it, a tag this
# does not parse, a formula) takes XlsxScan, which also refuses XML that is not well-formed. The
# regex may only over-count (cells of any namespace, inside comments): a strange file can be
# refused, a far cell is never missed.
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


def scan_xlsx_part(data: bytes, part: str) -> list:
    """Refuse a part reaching too far; return its formula cells without a saved result."""
    declared = _ENCODING.match(data)
    plain = (b"\0" not in data and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
             and (declared is None or declared[1].lower() in (b"utf-8", b"utf8")))
    cells = _CELL.findall(data) if plain else []
    # A formula: only the full scan tells whether its result was saved (rare in report forms).
    if not plain or any(c[6] for c in cells) or (cells and _FORMULA.search(data)):
        return scan_xlsx_part_fully(io.BytesIO(data), part)
    if b"<!DOCTYPE" in data:
        raise _bad_declaration(part)
    max_rows, max_cols = limits.MAX_ROWS, limits.MAX_COLS
    rows = cols = 0
    for _, letters, digits, attrs, _, _, _ in [c for c in cells if c[5] and not c[4]]:
        if not letters:                         # r is not the first attribute
            address = [m[1] or m[2] for m in _ATTR.findall(attrs) if m[0] == b"r"]
            found = _ADDRESS.fullmatch(address[0]) if len(address) == 1 else None
            if found is None:                   # positional or escaped: the full scan decides
                return scan_xlsx_part_fully(io.BytesIO(data), part)
            letters, digits = found[1], found[2]
        rows, cols = max(rows, int(digits)), max(cols, _col_number(letters))
        if rows > max_rows or cols > max_cols:
            raise too_large("", rows, cols)
    return []


def scan_xlsx_part_fully(stream, part: str) -> list:
    """scan_xlsx_part, element by element: slower, and decides every part the regex cannot."""
    return XlsxScan(part).run(stream)


def scan_ods_part(stream, part: str) -> list:
    """The sheets of content.xml; any other part is only checked for a DTD and well-formedness."""
    if part == "content.xml":
        return OdsScan(part).run(stream)
    _feed(_parser(part), stream, part)
    return []


# --- element by element -----------------------------------------------------------------------

def _bad_declaration(part: str) -> Refused:
    return Refused("corrupt_file", f"Tệp chứa khai báo XML không hợp lệ ({part}).")


def _parser(part: str):
    parser = expat.ParserCreate(namespace_separator=" ")

    def no_dtd(*_):  # OOXML and ODF never declare a DTD: one can only be an entity attack
        raise _bad_declaration(part)
    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    return parser


def _feed(parser, stream, part: str) -> None:
    """Parse the stream in bounded chunks (an .ods content.xml is not read whole)."""
    try:
        while chunk := stream.read(2**20):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise Refused("corrupt_file", f"Tệp bị hỏng: phần {part} không phải XML hợp lệ.") from None


class _Extent:
    """The furthest row and column holding anything so far, refused once past the limits."""

    def __init__(self):
        self.sheet, self.rows, self.cols = "", 0, 0

    def grow(self, rows: int, cols: int) -> None:
        self.rows, self.cols = max(self.rows, rows), max(self.cols, cols)
        if self.rows > limits.MAX_ROWS or self.cols > limits.MAX_COLS:
            raise too_large(self.sheet, self.rows, self.cols)


@dataclass
class _XlsxCell:
    row: int
    col: int
    text_type: bool               # t="str": a formula's empty text result is still a result
    holds: bool = False           # any child (<v>, <is>, <f>) means the cell holds something
    formula: str | None = None
    saved: bool = False           # the formula's result is in the file


class XlsxScan:
    """One .xlsx part element by element: the extent of its cells, its unsaved formulas."""

    def __init__(self, part: str):
        self.part, self.extent, self.unvalued = part, _Extent(), []
        self.row = self.col = -1
        self.cell: _XlsxCell | None = None
        self.reading = None       # the child whose text matters: "f", "v" or None

    def run(self, stream) -> list:
        parser = _parser(self.part)
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
        parser.CharacterDataHandler = self.text
        _feed(parser, stream, self.part)
        return self.unvalued

    def start(self, name: str, attrs: dict) -> None:
        ns, _, local = name.rpartition(" ")
        cell = self.cell
        if cell is not None:
            cell.holds = True
            if ns in SHEET_NS and local == "f":
                cell.formula, self.reading = cell.formula or "", "f"
            elif ns in SHEET_NS and local == "v":
                self.reading = "v"
                cell.saved = cell.saved or cell.text_type
        elif ns in SHEET_NS and local == "row":
            r = attrs.get("r")
            self.row = int(r) - 1 if r and r.isdigit() else self.row + 1
            self.col = -1
        elif ns in SHEET_NS and local == "c":
            m = re.fullmatch(r"([A-Za-z]{1,4})(\d{1,9})", attrs.get("r", ""))
            if m:
                self.col, row = _col_number(m[1].encode("ascii")) - 1, int(m[2]) - 1
            else:                     # no address: the next column of the current row
                self.col, row = self.col + 1, max(self.row, 0)
            self.cell = _XlsxCell(row, self.col, attrs.get("t") == "str")

    def text(self, data: str) -> None:
        cell = self.cell
        if cell is not None and self.reading == "f":
            cell.formula += data
        elif cell is not None and self.reading == "v" and data.strip():
            cell.saved = True

    def end(self, name: str) -> None:
        ns, _, local = name.rpartition(" ")
        if local in ("f", "v"):
            self.reading = None
        cell = self.cell
        if local == "c" and ns in SHEET_NS and cell is not None:
            self.cell = None
            if cell.holds:
                self.extent.grow(cell.row + 1, cell.col + 1)
            if cell.formula is not None and not cell.saved:
                self.unvalued.append(("", f"{col_letter(cell.col)}{cell.row + 1}",
                                      f"={cell.formula}" if cell.formula else ""))


def _repeat(attrs: dict, key: str) -> int:
    """An .ods repeat count; an absurd one stays absurd (and is refused) rather than failing."""
    text = attrs.get(f"{ODS_TABLE_NS} {key}", "1")
    return int(text) if text.isdigit() and len(text) < 12 else 10**12


class OdsScan:
    """An .ods content.xml element by element: rows and cells count with their repeats."""

    def __init__(self, part: str):
        self.part, self.extent, self.unvalued = part, _Extent(), []
        self.row = self.col = -1
        self.row_repeat, self.row_holds = 1, False
        self.cell_col = None      # the open cell's column, None between cells
        self.cell_repeat, self.cell_holds = 1, False

    def run(self, stream) -> list:
        parser = _parser(self.part)
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
        _feed(parser, stream, self.part)
        return self.unvalued

    def start(self, name: str, attrs: dict) -> None:
        ns, _, local = name.rpartition(" ")
        if self.cell_col is not None:       # any child (a paragraph, an annotation) holds something
            self.cell_holds = True
            return
        if ns != ODS_TABLE_NS:
            return
        if local == "table":
            self.row, self.extent.sheet = 0, attrs.get(f"{ODS_TABLE_NS} name", "")
        elif local == "table-row":
            self.row_repeat = _repeat(attrs, "number-rows-repeated")
            self.col, self.row_holds = 0, False
        elif local in ODS_CELLS:
            has_value = f"{ODS_OFFICE_NS} value-type" in attrs
            formula = attrs.get(f"{ODS_TABLE_NS} formula")
            if formula and not has_value:    # a formula never calculated: no value type at all
                self.unvalued.append((self.extent.sheet, f"{col_letter(self.col)}{self.row + 1}",
                                      formula.removeprefix("of:")))
            self.cell_col, self.cell_holds = self.col, has_value
            self.cell_repeat = _repeat(attrs, "number-columns-repeated")

    def end(self, name: str) -> None:
        ns, _, local = name.rpartition(" ")
        if ns != ODS_TABLE_NS:
            return
        if local in ODS_CELLS and self.cell_col is not None:
            self.col, self.cell_col = self.cell_col + self.cell_repeat, None
            if self.cell_holds:
                self.row_holds = True
                self.extent.grow(0, self.col)
        elif local == "table-row":
            if self.row_holds:
                self.extent.grow(self.row + self.row_repeat, 0)
            self.row += self.row_repeat


# --- naming the sheets of .xlsx parts ---------------------------------------------------------

def _elements(data: bytes, local: str) -> list[dict]:
    """The attributes of every element named `local` (any namespace) of a small XML part."""
    found = []
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = lambda name, attrs: (
        found.append(attrs) if name.rpartition(" ")[2] == local else None)
    parser.Parse(data, True)
    return found


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
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
