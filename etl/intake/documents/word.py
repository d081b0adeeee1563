"""A .docx report through python-docx, read from the body's XML so tables stay where they are; a
.doc (Word 97–2003, or RTF saved under that name) converted to .docx by LibreOffice first.

Text is taken from w:t and its siblings only, so tab stops, field codes (w:instrText), deleted
text (w:delText, w:moveFrom) and the fallback copy of alternate content (mc:Fallback) are not
read as text; a text box is read as blocks of its own after the paragraph holding it.
"""
import io
import re

import docx
from docx.oxml.parser import parse_xml

from etl.intake.documents import limits, model, tools, zips
from etl.intake.documents.model import DocumentRefused, cell_text, clean, table_lines

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_SKIPPED = {W + "pPr", W + "rPr", W + "moveFrom", W + "del", MC + "Fallback"}
_WRAPPERS = {W + "sdt", W + "customXml", W + "ins", W + "moveTo"}   # content is in their children
_TEXT = {W + "t": None, W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n",
         W + "noBreakHyphen": "-"}
_PARTS = re.compile(r"/word/(header|footnotes|endnotes|footer)(\d*)\.xml")


def read_docx(data: bytes, name: str) -> tuple[str, list]:
    """(text, tables) of a .docx: headers first, then the body, footnotes and footers."""
    zips.check_xml_parts(zips.open_zip(data, name), name)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx: KeyError, ValueError, lxml errors... all a broken package
        raise model.corrupt(name) from None
    lines: list[str] = []
    tables: list = []
    extra = {kind: [] for kind in ("header", "footnotes", "endnotes", "footer")}
    for kind, element in _side_parts(document):
        _blocks(element, extra[kind], [])
    lines += _unique(extra["header"])
    _blocks(document.element.body, lines, tables)
    lines += extra["footnotes"] + extra["endnotes"] + _unique(extra["footer"])
    return clean("\n".join(lines)), tables


def doc_to_docx(data: bytes, name: str) -> bytes:
    soffice = tools.find("soffice", name, "tệp Word 97–2003 .doc phải chuyển sang .docx trước")
    with tools.private_dir() as work:
        (work / "input.doc").write_bytes(data)   # never the sender's file name on a command line
        # A profile of its own: two conversions at once would fight over a shared one.
        code = tools.run([soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                          "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
                          "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"),
                          str(work / "input.doc")], work, limits.CONVERT_TIMEOUT_S, name)
        out = work / "out" / "input.docx"
        if code != 0 or not out.is_file():
            raise DocumentRefused("conversion_failed", f"LibreOffice không chuyển được tệp «{name}» sang "
                                                       ".docx (tệp có thể bị hỏng hoặc được đặt mật khẩu). "
                                                       "Hãy mở tệp bằng Word, lưu lại dưới dạng .docx rồi "
                                                       "gửi lại.")
        return out.read_bytes()


def _side_parts(document):
    """(kind, root element) of each header, footer, footnotes and endnotes part, in name order."""
    found = []
    for part in document.part.package.iter_parts():
        m = _PARTS.fullmatch(str(part.partname))
        if m:
            element = getattr(part, "element", None)
            if element is None:
                element = parse_xml(part.blob)    # python-docx's parser: no entities
            found.append((m[1], int(m[2] or 0), element))
    return [(kind, element) for kind, _, element in sorted(found, key=lambda f: f[:2])]


def _unique(lines: list[str]) -> list[str]:
    """Each header or footer line once (every section repeats them); page numbers dropped."""
    return list(dict.fromkeys(line for line in lines if any(c.isalpha() for c in line)))


def _blocks(parent, lines: list[str], tables: list) -> None:
    for el in parent.iterchildren():
        if el.tag == W + "p":
            _paragraph(el, lines, tables)
        elif el.tag == W + "tbl":
            rows = _table(el)
            tables.append(rows)
            lines += table_lines(rows)
        elif el.tag in _WRAPPERS or el.tag == W + "sdtContent" or el.tag == W + "footnote" \
                or el.tag == W + "endnote":
            _blocks(el, lines, tables)


def _paragraph(p, lines: list[str], tables: list) -> None:
    parts: list[str] = []
    boxes: list = []
    _runs(p, parts, boxes)
    text = "".join(parts)
    if text.strip():
        lines.append(text)
    for box in boxes:
        _blocks(box, lines, tables)


def _runs(el, parts: list[str], boxes: list) -> None:
    for child in el.iterchildren():
        tag = child.tag
        if tag in _TEXT:
            parts.append(_TEXT[tag] if _TEXT[tag] is not None else child.text or "")
        elif tag == W + "txbxContent":
            boxes.append(child)
        elif tag not in _SKIPPED:
            _runs(child, parts, boxes)


def _children(el, tag: str):
    """el's children of tag, looking through content controls and custom XML wrappers."""
    for child in el.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS or child.tag == W + "sdtContent":
            yield from _children(child, tag)


def _table(tbl) -> list[list[str]]:
    rows = []
    for tr in _children(tbl, W + "tr"):
        cells = []
        for tc in _children(tr, W + "tc"):   # a merged cell is one w:tc, so it counts once
            inner: list[str] = []
            _blocks(tc, inner, [])
            cells.append(cell_text("\n".join(inner)))
        rows.append(cells)
    return rows
