"""What a file must pass on its raw bytes before a reader or converter sees it: a supported name,
a size, and content whose magic bytes are the format its name says (zips.py: the zip formats)."""
import zipfile
from pathlib import Path

from etl.intake.documents import model, zips
from etl.intake.documents.model import DocumentRefused
from etl.intake.guards import ole
from etl.intake.guards.container import ZIP_MAGIC
from etl.intake.guards.limits import Refused, max_upload_bytes, mb

READER_OF_SUFFIX = {".txt": "txt", ".docx": "docx", ".odt": "odt", ".doc": "doc", ".pdf": "pdf",
                    ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image"}
SUFFIXES = tuple(READER_OF_SUFFIX)
# The reader for what the bytes are; anything else is a format the layer does not read.
READER_OF_FORMAT = {"docx": "docx", "odt": "odt", "doc": "doc", "rtf": "doc", "pdf": "pdf",
                    "png": "image", "jpeg": "image", "tiff": "image"}
FORMAT_NAMES = {
    "txt": "tệp văn bản thuần (.txt)", "docx": "tài liệu Word (.docx)", "doc": "tài liệu Word 97–2003 (.doc)",
    "odt": "tài liệu OpenDocument (.odt)", "rtf": "tài liệu RTF", "pdf": "tệp PDF", "image": "ảnh",
    "png": "ảnh PNG", "jpeg": "ảnh JPEG", "tiff": "ảnh TIFF", "gif": "ảnh GIF", "webp": "ảnh WebP",
    "heic": "ảnh HEIC (iPhone)", "xlsx": "bảng tính Excel (.xlsx)", "xls": "bảng tính Excel 97–2003 (.xls)",
    "ods": "bảng tính OpenDocument (.ods)", "pptx": "bản trình chiếu PowerPoint (.pptx)",
    "ppt": "bản trình chiếu PowerPoint 97–2003 (.ppt)", "odp": "bản trình chiếu OpenDocument (.odp)",
    "zip": "tệp nén (.zip)", "ole": "tài liệu Office dạng cũ",
}
SUGGESTED_SUFFIX = {"docx": ".docx", "odt": ".odt", "doc": ".doc", "pdf": ".pdf", "png": ".png",
                    "jpeg": ".jpg", "tiff": ".tif"}
ODF_MIMES = {b"application/vnd.oasis.opendocument.text": "odt",
             b"application/vnd.oasis.opendocument.spreadsheet": "ods",
             b"application/vnd.oasis.opendocument.presentation": "odp"}
OOXML_MAIN_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}


def check_name(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in READER_OF_SUFFIX:
        raise DocumentRefused("unsupported_extension", f"Tệp «{name}» có đuôi «{suffix or '(không có)'}»: "
                              "chỉ nhận báo cáo dạng .docx, .doc, .odt, .pdf, .txt hoặc ảnh chụp, bản "
                              "scan (.png, .jpg, .tif).")
    return suffix


def check_size(data: bytes, name: str) -> None:
    if not data:
        raise DocumentRefused("file_empty", f"Tệp «{name}» rỗng (0 byte): không có nội dung để đọc.")
    limit = max_upload_bytes()
    if len(data) > limit:
        raise DocumentRefused("file_too_large", f"Tệp «{name}» quá lớn ({mb(len(data))}); giới hạn là "
                                                f"{mb(limit)}.")


def identify(data: bytes, name: str) -> str:
    """The reader for the file ("txt", "docx", "odt", "doc", "pdf" or "image"), once its name,
    size and magic bytes agree."""
    suffix = check_name(name)
    check_size(data, name)
    expected = READER_OF_SUFFIX[suffix]
    found = sniff(data, name)
    if expected == "txt" and found is None:
        return "txt"
    if found is None:
        raise DocumentRefused("wrong_format", f"Tệp «{name}» không phải là {FORMAT_NAMES[expected]} như "
                                              "đuôi tệp cho biết (nội dung không đúng định dạng: tệp bị "
                                              "hỏng hoặc đã bị đổi đuôi).")
    if found == "encrypted":
        raise model.encrypted(name)
    if READER_OF_FORMAT.get(found) == expected:
        return expected
    hint = (f"Hãy đổi đuôi tệp thành «{SUGGESTED_SUFFIX[found]}» rồi gửi lại." if found in SUGGESTED_SUFFIX
            else "Hãy lưu báo cáo dưới dạng .docx hoặc .pdf rồi gửi lại.")
    raise DocumentRefused("extension_mismatch", f"Tệp «{name}» thực chất là {FORMAT_NAMES[found]} nhưng "
                                                f"có đuôi «{suffix}». {hint}")


def sniff(data: bytes, name: str) -> str | None:
    """The format the bytes are, None when none this layer knows (plain text, or garbage)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if data.startswith(b"GIF8"):
        return "gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "heic"
    if b"%PDF-" in data[:1024]:         # readers accept a header anywhere in the first KB
        return "pdf"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(ZIP_MAGIC):
        return _zip_format(zips.open_zip(data, name))
    if data.startswith(ole.OLE_MAGIC):
        return _ole_format(data, name)
    return None


def _ole_format(data: bytes, name: str) -> str:
    try:
        names = {n.lower() for n in ole.streams(data)}
    except Refused:
        raise model.corrupt(name) from None
    if {"encryptioninfo", "encryptedpackage"} <= names:   # a password-protected .docx or .xlsx
        return "encrypted"
    if "worddocument" in names:
        return "doc"
    if set(ole.WORKBOOK_STREAMS) & names:
        return "xls"
    return "ppt" if "powerpoint document" in names else "ole"


def _zip_format(zf: zipfile.ZipFile) -> str:
    names = set(zf.namelist())
    for part, kind in OOXML_MAIN_PARTS.items():
        if part in names:
            return kind
    if "mimetype" in names:
        try:
            mime = zf.read("mimetype")[:100].strip()
        except Exception:
            return "zip"
        return ODF_MIMES.get(mime, "zip")
    return "zip"
