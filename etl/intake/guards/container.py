"""The file as a whole: its size, what its bytes say it is, and its zip or OLE container."""
import io
import zipfile
from pathlib import Path

from etl.domain import vn
from etl.intake.guards import extent, limits, ole
from etl.intake.guards.limits import Refused, max_upload_bytes, mb

ZIP_MAGIC = b"PK\x03\x04"
EXTENSIONS = (".xlsx", ".xls", ".ods")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
KIND_NAMES = {"xlsx": "Excel (.xlsx)", "xls": "Excel 97–2003 (.xls)", "ods": "OpenDocument (.ods)"}


def load_bytes(source, name: str) -> bytes:
    """The content of a path or of bytes, refused when missing, empty or over the upload limit."""
    limit = max_upload_bytes()
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        data = _read_path(Path(source), limit)
    if not data:
        raise Refused("file_empty", "Tệp rỗng (0 byte): không có nội dung để đọc.")
    if len(data) > limit:
        raise Refused("file_too_large", f"Tệp quá lớn ({mb(len(data))}); giới hạn là {mb(limit)}.")
    return data


def _read_path(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise Refused("file_missing", f"«{path}» không phải là một tệp.")
    except FileNotFoundError:
        raise Refused("file_missing", f"Không tìm thấy tệp «{path}».") from None
    except PermissionError:
        raise Refused("file_missing", f"Không có quyền đọc tệp «{path}».") from None
    if size > limit:  # refuse before reading, so memory stays bounded
        raise Refused("file_too_large", f"Tệp quá lớn ({mb(size)}); giới hạn là {mb(limit)}.")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise Refused("file_missing", f"Không đọc được tệp «{path}»: {exc.strerror}.") from None


def check_container(data: bytes, name: str) -> tuple[str, list]:
    """The format from the bytes, after checking it is safe and matches the extension, and the
    formula cells without a saved result: (sheet name, cell address, formula) each."""
    ext = Path(name).suffix.lower()
    if ext not in EXTENSIONS:
        raise Refused("unsupported_extension",
                      f"Chỉ nhận tệp .xlsx, .xls hoặc .ods; tệp «{name}» có đuôi «{ext or '(không có)'}».")
    if data.startswith(ole.OLE_MAGIC):
        _check_ole(data, ext)
        return "xls", []               # BIFF stores every formula with its result
    if data.startswith(ZIP_MAGIC):
        kind, unvalued = _check_zip(data)
        _check_extension(kind, ext)
        return kind, unvalued
    raise Refused("not_spreadsheet", f"Tệp «{name}» không phải là bảng tính Excel hay OpenDocument "
                                     "(nội dung không đúng định dạng, có thể là tệp văn bản hoặc tệp "
                                     "đã đổi đuôi).")


def _check_extension(kind: str, ext: str) -> None:
    if ext != f".{kind}":
        raise Refused("extension_mismatch", f"Tệp thực chất là {KIND_NAMES[kind]} nhưng có đuôi "
                                            f"«{ext}». Hãy lưu lại đúng định dạng rồi gửi lại.")


def _check_ole(data: bytes, ext: str) -> None:
    streams = ole.streams(data)
    names = {n.lower() for n in streams}
    if {"encryptioninfo", "encryptedpackage"} & names:
        raise Refused("encrypted", "Tệp được đặt mật khẩu (mã hóa). Hãy gỡ mật khẩu trong Excel "
                                   "(Tệp › Thông tin › Bảo vệ sổ làm việc) rồi gửi lại.")
    if not (set(ole.WORKBOOK_STREAMS) & names):
        raise Refused("not_spreadsheet", "Tệp là tài liệu Office dạng cũ nhưng không phải bảng tính "
                                         "Excel (có thể là tệp Word hoặc PowerPoint).")
    _check_extension("xls", ext)
    ole.check_biff(streams)


# --- zip containers (.xlsx, .ods) -------------------------------------------------------------

def _corrupt_zip() -> Refused:
    return Refused("corrupt_file", "Tệp bị hỏng hoặc không trọn vẹn (có thể tải lên bị ngắt giữa "
                                   "chừng). Hãy lưu lại tệp rồi gửi lại.")


def _check_zip(data: bytes) -> tuple[str, list]:
    zf, infos, kind = _open_zip(data)
    _check_declared_sizes(infos, kind)
    return kind, _inflate_and_scan(zf, infos, kind)


def _open_zip(data: bytes) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo], str]:
    """The archive, its entries and the spreadsheet kind its parts say it is."""
    try:  # any failure of the zip layer (bad headers, versions, CRC) is a corrupt file
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
        names = {i.filename for i in infos}
        mime = zf.read("mimetype")[:100].strip() if "mimetype" in names else b""
    except Exception:
        raise _corrupt_zip() from None
    if len(infos) > limits.MAX_ZIP_ENTRIES:
        raise Refused("zip_bomb", f"Tệp chứa quá nhiều thành phần ({len(infos)}).")
    if "xl/workbook.xml" in names:
        return zf, infos, "xlsx"
    if "content.xml" in names and mime == ODS_MIME:
        return zf, infos, "ods"
    raise Refused("not_spreadsheet", "Tệp nén không phải là bảng tính .xlsx hay .ods (có thể là "
                                     "tệp Word, PowerPoint hoặc một tệp nén khác).")


def _is_sheet(info: zipfile.ZipInfo, kind: str) -> bool:
    if kind == "ods":
        return info.filename == "content.xml"
    return info.filename.startswith("xl/worksheets/")


def _check_declared_sizes(infos: list[zipfile.ZipInfo], kind: str) -> None:
    """Sheet parts, entries and the whole as the headers declare them (they may lie: see
    _inflate_and_scan)."""
    for i in infos:
        if _is_sheet(i, kind) and i.file_size > limits.MAX_SHEET_XML:
            raise Refused("sheet_too_large", f"Trang tính quá lớn ({mb(i.file_size)} khi giải nén; "
                                             f"giới hạn {mb(limits.MAX_SHEET_XML)}). Mẫu báo cáo chỉ "
                                             "có vài chục dòng: hãy dùng đúng mẫu.")
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_TOTAL_UNCOMPRESSED:
        raise Refused("zip_bomb", f"Tệp có dấu hiệu «bom nén»: khi giải nén lên tới {mb(total)}. "
                                  "Không xử lý tệp này.")
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > limits.MAX_ENTRY_UNCOMPRESSED or (
                i.file_size > limits.RATIO_MIN_SIZE and ratio > limits.MAX_RATIO):
            raise Refused("zip_bomb", f"Tệp có dấu hiệu «bom nén»: thành phần {i.filename} nén "
                                      f"{vn.format_number(ratio, 0)} lần ({mb(i.file_size)}).")


def _inflate_and_scan(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], kind: str) -> list:
    """Re-inflate every part with a size cap and scan the XML ones (extent.py): the declared
    sizes may lie, and zipfile stops at the declared size and then fails the CRC check."""
    unvalued = []                       # (part, sheet, address, formula)
    try:
        for i in infos:
            with zf.open(i) as f:
                if i.filename.endswith(".xml") and kind == "xlsx":   # size bounded by the checks above
                    unvalued += [(i.filename, *c) for c in extent.scan_xlsx_part(f.read(), i.filename)]
                elif i.filename.endswith(".xml"):
                    unvalued += [(i.filename, *c) for c in extent.scan_ods_part(f, i.filename)]
                else:
                    while f.read(2**20):
                        pass
        if unvalued and kind == "xlsx":  # an .xlsx part names no sheet: the workbook does
            names = extent.sheet_parts(zf)
            unvalued = [(part, names.get(part, ""), *rest) for part, _, *rest in unvalued]
    except Refused:
        raise
    except Exception as exc:  # zlib.error, BadZipFile (CRC), EOFError, unsupported methods...
        if isinstance(exc, RuntimeError) and "encrypted" in str(exc).lower():
            raise Refused("encrypted", "Tệp nén được đặt mật khẩu. Hãy gỡ mật khẩu rồi gửi lại.") from None
        raise _corrupt_zip() from None
    return [c[1:] for c in unvalued]
