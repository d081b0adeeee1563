"""A .txt report: UTF-8 (with or without its BOM), UTF-16 with its BOM, else Windows-1258, the
Vietnamese code page of older Windows editors (tones as combining marks, composed by NFC)."""
import codecs

from etl.intake.documents.model import DocumentRefused, clean


def read_txt(data: bytes, name: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return clean(data[len(codecs.BOM_UTF8):].decode("utf-8", "replace"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return clean(data.decode("utf-16", "replace"))
    if b"\0" in data:  # no text encoding but UTF-16/32 has NULs, and those carry a BOM here
        raise DocumentRefused("not_text", f"Tệp «{name}» không phải là tệp văn bản thuần (có dữ liệu nhị "
                                          "phân). Hãy gửi báo cáo dạng .docx hoặc .pdf, hoặc lưu lại "
                                          "dưới dạng văn bản (.txt).")
    try:
        return clean(data.decode("utf-8"))
    except UnicodeDecodeError:
        return clean(data.decode("cp1258", "replace"))
