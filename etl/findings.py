"""Structured findings of validation: what the CLI prints and the app shows as a table."""
from dataclasses import asdict, dataclass

ERROR, WARNING, NOTICE = "error", "warning", "notice"
SEVERITY_LABELS = {ERROR: "Lỗi", WARNING: "Cảnh báo", NOTICE: "Lưu ý"}


@dataclass(frozen=True)
class Finding:
    file: str
    sheet: str
    cell: str
    value: str
    rule: str
    severity: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        """One Vietnamese line naming file, sheet, cell, value and rule."""
        where = self.file
        if self.sheet:
            where += f", trang tính «{self.sheet}»"
        if self.cell:
            where += f", ô {self.cell}"
        value = f", giá trị «{self.value}»" if self.value not in ("", None) else ""
        return f"[{SEVERITY_LABELS[self.severity]}] {where}{value}: {self.message} (quy tắc {self.rule})"
