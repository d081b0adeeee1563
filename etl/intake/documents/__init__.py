"""Narrative reports in: a file as received (bytes and its name) to its text, safely.

    doc = read_document(data, "bao-cao-2025.docx", progress=None)   # Document, or DocumentRefused

Formats: .txt (UTF-8, UTF-16 with BOM, Windows-1258), .docx (python-docx), .odt (its XML, standard
library), .doc (converted by LibreOffice), .pdf (text layer by pypdf; pages without one by
OCRmyPDF with Tesseract's Vietnamese data), images .png/.jpg/.tif (made a PDF, then the same
OCR). Every file passes guards.py on its raw bytes first; every refusal is a DocumentRefused with
a rule code and a Vietnamese message naming the file. Text: NFC, paragraphs by "\\n", table rows
as cells joined by " | ", pages by "\\f". progress(fraction, text), if given, is called on the
calling thread during long work (OCR).
"""
import hashlib

from etl.intake.documents import guards, images, odt, pdf, plain, word
from etl.intake.documents.model import Document, DocumentRefused, clean

__all__ = ["Document", "DocumentRefused", "read_document", "supported_suffixes"]


def supported_suffixes() -> tuple[str, ...]:
    return guards.SUFFIXES


def read_document(data: bytes, file_name: str, progress=None) -> Document:
    data = bytes(data)
    reader = guards.identify(data, file_name)
    doc = Document(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), kind=reader, text="")
    if reader == "txt":
        doc.text = plain.read_txt(data, file_name)
    elif reader == "docx":
        doc.text, doc.tables = word.read_docx(data, file_name)
    elif reader == "doc":
        if progress:
            progress(0.0, "Đang chuyển tệp .doc sang .docx (LibreOffice)…")
        doc.text, doc.tables = word.read_docx(word.doc_to_docx(data, file_name), file_name)
        if progress:
            progress(1.0, "Đã đọc xong.")
    elif reader == "odt":
        doc.text, doc.tables = odt.read_odt(data, file_name)
    elif reader == "pdf":
        pages, scanned = pdf.read_pdf(data, file_name, progress)
        doc.text, doc.pages, doc.ocr = "\f".join(pages), len(pages), scanned > 0
        doc.kind = "scan" if scanned == len(pages) else "pdf"
    else:
        pages = [clean(p) for p in images.ocr_image(data, file_name, progress)]
        doc.text, doc.pages, doc.ocr, doc.kind = "\f".join(pages), len(pages), True, "scan"
    return doc
