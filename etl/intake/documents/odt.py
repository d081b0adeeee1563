"""An .odt report read from its zip with the standard library: content.xml (the body) and
styles.xml (page headers and footers) parsed element by element with expat, refusing any DTD.

Paragraphs are text:p and text:h; a paragraph inside another (a footnote, a frame) becomes a line
of its own after it. Tables keep their rows; a row or cell "repeated" is expanded at most
MAX_TABLE_REPEAT times and an empty row once (a crafted file can claim a million), and a row's
trailing empty cells are dropped.
"""
import re

from etl.intake.documents import limits, model, zips
from etl.intake.documents.model import cell_text, clean, table_lines

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 "
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0 "
_PARAGRAPHS = {TEXT + "p", TEXT + "h"}
# Not text of the report: a footnote's number, comments, the deleted text of tracked changes.
_SKIPPED = {TEXT + "note-citation", OFFICE + "annotation", TEXT + "tracked-changes",
            TABLE + "covered-table-cell"}
_INLINE = {TEXT + "tab": "\t", TEXT + "line-break": "\n"}
_SCOPES = {OFFICE + "body": "body", STYLE + "header": "header", STYLE + "header-left": "header",
           STYLE + "header-first": "header", STYLE + "footer": "footer", STYLE + "footer-left": "footer",
           STYLE + "footer-first": "footer"}
_SPACES = re.compile(r"[ \t\r\n]+")     # ODF collapses white space; text:s and text:tab are explicit


def read_odt(data: bytes, name: str) -> tuple[str, list]:
    zf = zips.open_zip(data, name)
    names = set(zf.namelist())
    if "META-INF/manifest.xml" in names and b"encryption-data" in zf.read("META-INF/manifest.xml"):
        raise model.encrypted(name)
    if "content.xml" not in names:
        raise model.corrupt(name)
    zips.check_xml_parts(zf, name, skip=("content.xml", "styles.xml"))
    text = _OdfText()
    for part in ("styles.xml", "content.xml"):
        if part in names:
            parser = zips.no_dtd_parser(name, part)
            text.attach(parser)
            zips.parse_part(zf, zf.getinfo(part), name, parser)
    lines = _unique(text.lines["header"]) + text.lines["body"] + _unique(text.lines["footer"])
    return clean("\n".join(lines)), text.tables


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(line for line in lines if any(c.isalpha() for c in line)))


def _repeat(attrs: dict, key: str) -> int:
    try:
        return max(1, min(int(attrs.get(key, "1")), limits.MAX_TABLE_REPEAT))
    except ValueError:
        return 1


class _Table:
    def __init__(self):
        self.rows: list[list[str]] = []
        self.row_repeat = 1
        self.cell: list[str] | None = None
        self.cell_repeat = 1


class _OdfText:
    def __init__(self):
        self.lines = {"body": [], "header": [], "footer": []}
        self.tables: list = []
        self.scope: list[str] = []
        self.skip = 0
        self.paragraphs: list[tuple[list[str], list[str]]] = []   # (its text, lines nested in it)
        self.open_tables: list[_Table] = []

    def attach(self, parser) -> None:
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
        parser.CharacterDataHandler = self.characters

    def start(self, tag: str, attrs: dict) -> None:
        if self.skip or tag in _SKIPPED:
            self.skip += 1
            return
        if tag in _SCOPES:
            self.scope.append(_SCOPES[tag])
        if not self.scope:
            return
        if tag in _PARAGRAPHS:
            self.paragraphs.append(([], []))
        elif self.paragraphs and (tag in _INLINE or tag == TEXT + "s"):
            self.paragraphs[-1][0].append(_INLINE.get(tag) or " " * _repeat(attrs, TEXT + "c"))
        elif tag == TABLE + "table":
            self.open_tables.append(_Table())
        elif tag == TABLE + "table-row" and self.open_tables:
            self.open_tables[-1].rows.append([])
            self.open_tables[-1].row_repeat = _repeat(attrs, TABLE + "number-rows-repeated")
        elif tag == TABLE + "table-cell" and self.open_tables:
            self.open_tables[-1].cell = []
            self.open_tables[-1].cell_repeat = _repeat(attrs, TABLE + "number-columns-repeated")

    def characters(self, data: str) -> None:
        if not self.skip and self.scope and self.paragraphs:
            self.paragraphs[-1][0].append(_SPACES.sub(" ", data))

    def end(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1
            return
        if not self.scope:
            return
        if tag in _PARAGRAPHS and self.paragraphs:
            parts, nested = self.paragraphs.pop()
            for line in ["".join(parts).strip(), *nested]:
                self._emit(line)
        elif tag == TABLE + "table-cell" and self.open_tables and self.open_tables[-1].cell is not None:
            t = self.open_tables[-1]
            cell = cell_text("\n".join(t.cell))
            if t.rows:
                t.rows[-1] += [cell] * t.cell_repeat      # trailing empty ones go with the row
            t.cell = None
        elif tag == TABLE + "table-row" and self.open_tables and self.open_tables[-1].rows:
            t = self.open_tables[-1]
            row = t.rows.pop()
            while row and not row[-1]:
                row.pop()
            t.rows += [row] * (t.row_repeat if row else 1)
        elif tag == TABLE + "table" and self.open_tables:
            rows = self.open_tables.pop().rows
            if not self.open_tables and self.scope[-1] == "body":
                self.tables.append(rows)
            for line in table_lines(rows):
                self._emit(line)
        if tag in _SCOPES:
            self.scope.pop()

    def _emit(self, line: str) -> None:
        if not line.strip():
            return
        if self.paragraphs:
            self.paragraphs[-1][1].append(line)
        elif self.open_tables and self.open_tables[-1].cell is not None:
            self.open_tables[-1].cell.append(line)
        else:
            self.lines[self.scope[-1]].append(line)
