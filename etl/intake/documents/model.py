"""What the document layer gives (Document) or refuses (DocumentRefused), and the text hygiene
every format shares."""
import re
import unicodedata
from dataclasses import dataclass, field

# C0 controls and DEL except tab, newline and form feed (the page separator): PDFs and old Word
# files carry them (vertical tabs as line breaks, NULs as padding) and they mean nothing as text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufeff]")


@dataclass
class Document:
    file_name: str
    sha256: str            # of the bytes as received
    kind: str              # "txt" | "docx" | "odt" | "doc" | "pdf" | "scan"
    text: str              # NFC; paragraphs by "\n"; table rows as cells joined by " | "; pages by "\f"
    pages: int = 1
    tables: list = field(default_factory=list)   # tables > rows > cell strings (docx, odt)
    ocr: bool = False


class DocumentRefused(ValueError):
    """A file the layer will not read: rule is a short code, message a Vietnamese sentence naming
    the file."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule, self.message = rule, message


def clean(text: str) -> str:
    """The text of one page (or of a document without pages): NFC, one kind of line break, no
    control characters, and no form feed, which Document.text keeps for separating pages."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return unicodedata.normalize("NFC", _CONTROLS.sub("", text))


def cell_text(text: str) -> str:
    """A table cell on one line (a row is one line of the text): its paragraphs joined by spaces."""
    return " ".join(text.split())


def table_lines(rows: list[list[str]]) -> list[str]:
    return [" | ".join(row) for row in rows if any(row)]


def encrypted(name: str) -> DocumentRefused:
    return DocumentRefused("encrypted", f"Tệp «{name}» được đặt mật khẩu (mã hóa) nên không đọc được. "
                                        "Hãy gỡ mật khẩu rồi gửi lại.")


def corrupt(name: str, detail: str = "") -> DocumentRefused:
    return DocumentRefused("corrupt_file", f"Tệp «{name}» bị hỏng hoặc không trọn vẹn{detail} (có thể tải "
                                           "lên bị ngắt giữa chừng). Hãy lưu lại tệp rồi gửi lại.")
