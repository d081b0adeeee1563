"""The limits the file guards enforce, and Refused, the one exception every guard raises."""
from etl import config
from etl.domain import vn

MAX_ZIP_ENTRIES = 1000
MAX_TOTAL_UNCOMPRESSED = 100 * 2**20
MAX_ENTRY_UNCOMPRESSED = 50 * 2**20
MAX_SHEET_XML = 20 * 2**20     # one worksheet part (or an .ods content.xml)
MAX_RATIO = 100                # checked on entries over RATIO_MIN_SIZE only: tiny parts compress oddly
RATIO_MIN_SIZE = 2**20
MAX_ROWS = 5000                # used extent of any sheet; the form has ~40 rows
MAX_COLS = 200


def max_upload_bytes() -> int:
    return int(config.get("DANVAN_MAX_UPLOAD_MB") * 2**20)


class Refused(Exception):
    """A read-level error: becomes one Finding and stops reading."""

    def __init__(self, rule: str, message: str, sheet: str = "", cell: str = ""):
        super().__init__(message)
        self.rule, self.message, self.sheet, self.cell = rule, message, sheet, cell


def mb(n: float) -> str:
    """A size for a message: KB below one MB, else MB with one decimal."""
    if n < 2**20:
        return vn.format_number(n / 1024, 0) + " KB"
    return vn.format_number(n / 2**20, 1) + " MB"


def too_large(sheet: str, rows: int, cols: int) -> Refused:
    where = f"Trang tính «{sheet}»" if sheet else "Một trang tính"
    extent = (f"dòng {vn.format_number(rows)} (giới hạn {vn.format_number(MAX_ROWS)} dòng)"
              if rows > MAX_ROWS else f"cột {vn.format_number(cols)} (giới hạn {MAX_COLS} cột)")
    return Refused("sheet_too_large", f"{where} có dữ liệu ở tận {extent}. Mẫu báo cáo chỉ có vài "
                                      "chục dòng: hãy dùng đúng mẫu.")

