"""The zip formats (.docx, .odt): entries few and small enough as declared, then every XML part
inflated (bounded by the declared sizes: zipfile stops there and fails the CRC) and parsed
without a DTD (OOXML and ODF never declare one: one can only be an entity attack such as the
billion laughs)."""
import io
import struct
import zipfile
import zlib
from xml.parsers import expat

from etl.domain import vn
from etl.intake.documents import limits
from etl.intake.documents.model import DocumentRefused, corrupt, encrypted
from etl.intake.guards.limits import mb

_EOCD = b"PK\x05\x06"


def _zip_bomb(name: str, why: str) -> DocumentRefused:
    return DocumentRefused("zip_bomb", f"Tệp «{name}» có dấu hiệu «bom nén»: {why}. Không xử lý tệp này.")


def open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """The archive, once its entries as declared are few and small enough."""
    _check_central_directory(data, name)
    try:  # any failure of the zip layer (bad headers, versions) is a corrupt file
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception:
        raise corrupt(name) from None
    if len(infos) > limits.MAX_ZIP_ENTRIES:
        raise _zip_bomb(name, f"chứa tới {vn.format_number(len(infos))} thành phần")
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_TOTAL_UNCOMPRESSED:
        raise _zip_bomb(name, f"khi giải nén lên tới {mb(total)}")
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > limits.RATIO_MIN_SIZE and ratio > limits.MAX_RATIO:
            raise _zip_bomb(name, f"thành phần {i.filename} nén {vn.format_number(ratio, 0)} lần "
                                  f"({mb(i.file_size)})")
        if i.flag_bits & 0x1:
            raise encrypted(name)
    return zf


def _check_central_directory(data: bytes, name: str) -> None:
    """Count the entries from the end record before zipfile builds an object for each."""
    tail = data[-(22 + 65535):]
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return                                      # zipfile will call it corrupt
    entries, size = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or size == 0xFFFFFFFF:     # ZIP64: zipfile reads the real counts
        return
    if entries > limits.MAX_ZIP_ENTRIES or size > limits.MAX_CENTRAL_DIRECTORY:
        raise _zip_bomb(name, f"chứa tới {vn.format_number(entries)} thành phần")


def no_dtd_parser(name: str, part: str):
    """An expat parser (namespaces as "uri local") that refuses any DTD or entity declaration."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_):
        raise DocumentRefused("xml_entities", f"Tệp «{name}» chứa khai báo XML không được phép (DOCTYPE "
                                              f"hoặc ENTITY, ở phần {part}): tài liệu Word và OpenDocument "
                                              "thật không bao giờ có. Không xử lý tệp này.")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def parse_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, parser=None) -> None:
    """Feed one XML part to parser (a no-DTD parser by default) in bounded chunks."""
    if info.file_size > limits.MAX_XML_PART:
        raise DocumentRefused("part_too_large", f"Tệp «{name}» có phần nội dung quá lớn ({info.filename}: "
                                                f"{mb(info.file_size)} khi giải nén; giới hạn "
                                                f"{mb(limits.MAX_XML_PART)}).")
    parser = parser or no_dtd_parser(name, info.filename)
    try:
        with zf.open(info) as f:
            while chunk := f.read(2**20):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise corrupt(name, f" (phần {info.filename} không phải XML hợp lệ)") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        raise corrupt(name) from None


def check_xml_parts(zf: zipfile.ZipFile, name: str, skip: tuple[str, ...] = ()) -> None:
    """Every XML part well-formed and without a DTD (skip: parts the caller parses itself)."""
    for info in zf.infolist():
        if info.filename.endswith((".xml", ".rels")) and info.filename not in skip:
            parse_part(zf, info, name)
