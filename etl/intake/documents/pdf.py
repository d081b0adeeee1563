"""A PDF report: its text layer page by page (pypdf), and OCR for the pages without one.

Refused first, in this order so the cheap checks come before any page is read: a PDF that needs
a password (one with only an owner password, which merely restricts printing, opens as usual),
more than MAX_PDF_PAGES pages as its page tree declares them, then any object (every object of
the file is visited once, without decoding streams) holding JavaScript, a launch action or an
embedded file. pypdf bounds its own decompression and page-tree walks (pypdf.Configuration).
"""
import io

import pypdf
from pypdf.errors import DependencyError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from etl.domain import vn
from etl.intake.documents import limits, model, ocr
from etl.intake.documents.model import DocumentRefused, clean

_ACTIVE_KEYS = {"/JS", "/JavaScript"}
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch"}
_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EF"}
_EMBEDDED_TYPES = {"/EmbeddedFile", "/FileAttachment", "/RichMedia"}
_MAX_DEPTH = 64
TEXT_SHARE = 0.2        # of the progress bar, when some pages go to OCR afterwards


def read_pdf(data: bytes, name: str, progress=None) -> tuple[list[str], int]:
    """(text of each page, number of pages OCR'd)."""
    reader = _open(data, name)
    _check_declared_pages(reader, name)
    _check_objects(reader, name)
    try:
        pages = reader.pages
        count = len(pages)
    except Exception:
        raise model.corrupt(name) from None
    if count > limits.MAX_PDF_PAGES:      # the declared count lied
        raise _too_many_pages(name, count)
    if count == 0:
        raise model.corrupt(name, " (không có trang nào)")
    texts = []
    for i in range(count):
        texts.append(_page_text(pages, i))
        if progress:
            progress((i + 1) / count * TEXT_SHARE, f"Đã đọc lớp chữ trang {i + 1}/{count}")
    scans = [i for i, t in enumerate(texts) if sum(c.isalpha() for c in t) < limits.MIN_PAGE_LETTERS]
    if len(scans) > limits.MAX_OCR_PAGES:
        raise ocr.too_many(name, len(scans))
    if scans:
        def sub(fraction: float, text: str) -> None:
            if progress:
                progress(TEXT_SHARE + (1 - TEXT_SHARE) * fraction, text)
        for page, text in ocr.ocr_pdf_pages(_decrypted(reader) if reader.is_encrypted else data,
                                            name, scans, sub).items():
            texts[page] = text
    elif progress:
        progress(1.0, "Đã đọc xong.")
    return [clean(t) for t in texts], len(scans)


def _open(data: bytes, name: str) -> pypdf.PdfReader:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
            raise model.encrypted(name)
    except DocumentRefused:
        raise
    except DependencyError:   # AES needs a crypto library we do not ship: treat as locked
        raise model.encrypted(name) from None
    except Exception:
        raise model.corrupt(name) from None
    return reader


def _decrypted(reader: pypdf.PdfReader) -> bytes:
    """An owner-password PDF without its encryption: OCRmyPDF refuses encrypted input."""
    out = io.BytesIO()
    pypdf.PdfWriter(clone_from=reader).write(out)
    return out.getvalue()


def _too_many_pages(name: str, count: int) -> DocumentRefused:
    return DocumentRefused("too_many_pages", f"Tệp «{name}» có {vn.format_number(count)} trang; chỉ nhận "
                                             f"báo cáo tối đa {limits.MAX_PDF_PAGES} trang.")


def _check_declared_pages(reader: pypdf.PdfReader, name: str) -> None:
    try:
        count = int(reader.trailer["/Root"]["/Pages"]["/Count"])
    except Exception:
        raise model.corrupt(name) from None
    if count > limits.MAX_PDF_PAGES:
        raise _too_many_pages(name, count)


def _check_objects(reader: pypdf.PdfReader, name: str) -> None:
    ids = [(gen, num) for gen, table in reader.xref.items() for num in table]
    ids += [(0, num) for num in reader.xref_objStm]
    if len(ids) > limits.MAX_PDF_OBJECTS:
        raise DocumentRefused("pdf_too_complex", f"Tệp «{name}» có cấu trúc quá phức tạp "
                                                 f"({vn.format_number(len(ids))} đối tượng PDF).")
    for gen, num in ids:
        try:
            obj = reader.get_object(IndirectObject(num, gen, reader))
        except Exception:   # an object pypdf cannot parse is one no reader of ours will use
            continue
        _check_object(obj, name)


def _check_object(obj, name: str) -> None:
    """obj and the direct objects inside it (indirect ones are visited on their own)."""
    stack = [(obj, 0)]
    while stack:
        o, depth = stack.pop()
        if isinstance(o, DictionaryObject):
            keys = set(o.keys())
            if keys & _ACTIVE_KEYS or _value(o, "/S") in _ACTIVE_ACTIONS:
                raise DocumentRefused("pdf_active_content", f"Tệp «{name}» chứa mã lệnh (JavaScript hoặc "
                                                            "lệnh chạy chương trình). Không xử lý tệp này; "
                                                            "hãy xuất lại PDF từ Word rồi gửi lại.")
            if keys & _EMBEDDED_KEYS or _value(o, "/Type") in _EMBEDDED_TYPES \
                    or _value(o, "/Subtype") in _EMBEDDED_TYPES:
                raise DocumentRefused("pdf_embedded_file", f"Tệp «{name}» có tệp khác đính kèm bên trong. "
                                                           "Không xử lý tệp này; hãy gửi riêng từng tệp.")
            children = dict.values(o)
        elif isinstance(o, ArrayObject):
            children = list(o)
        else:
            continue
        if depth < _MAX_DEPTH:
            stack += [(c, depth + 1) for c in children if isinstance(c, (DictionaryObject, ArrayObject))]


def _value(o: DictionaryObject, key: str) -> str | None:
    """A name-valued entry (/S, /Type, /Subtype), resolved; None for anything else."""
    v = dict.get(o, key)
    try:
        v = v.get_object() if isinstance(v, IndirectObject) else v
    except Exception:
        return None
    return v if isinstance(v, str) else None


def _page_text(pages, i: int) -> str:
    try:
        return pages[i].extract_text() or ""
    except Exception:   # a page pypdf cannot lay out is treated as having no text: OCR reads it
        return ""
