"""Structured findings of validation: what the CLI prints and the app shows as a table."""
from dataclasses import asdict, dataclass, replace

from etl.domain import vn

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


COLLAPSE_LIMIT = 10     # more findings than this of one rule on one sheet become one finding
COLLAPSE_SHOWN = 5      # cells named in that one finding


def collapse(findings: list[Finding], limit: int = COLLAPSE_LIMIT,
             shown: int = COLLAPSE_SHOWN) -> list[Finding]:
    """One finding for a rule that fired on many cells of a sheet: a sheet with 4.000 rows of
    the same mistake is one thing to fix, and 4.000 lines would hide every other finding.

    The collapsed finding takes the place of the first one, names the first cells, keeps the
    first value and says how many cells there are. Groups of `limit` or fewer stay as they are.
    """
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.file, f.sheet, f.rule, f.severity), []).append(f)
    out = []
    for f in findings:
        group = groups[(f.file, f.sheet, f.rule, f.severity)]
        if len(group) <= limit:
            out.append(f)
        elif f is group[0]:
            named = [g.cell for g in group[:shown] if g.cell]
            cells = ", ".join(named) + ", …" if named else ""
            kind = SEVERITY_LABELS[f.severity].lower()
            out.append(replace(f, cell=cells, message=(
                f"{vn.format_number(len(group))} ô cùng {kind} này, ô đầu tiên là {f.cell}: "
                f"{f.message}")))
    return out
