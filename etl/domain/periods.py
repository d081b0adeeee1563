"""Reporting periods: every period is a start date, an end date, a kind and a Vietnamese label.

Specs: '2025' (year), '2025-H1'/'2025-H2', '2025-Q3', '2025-07', '2021-2025' (multi-year),
'2025-07-01:2025-11-20' (any range). Calendar periods by default; with the Decree 09/2019/NĐ-CP
convention, data run from the 15th of the month before to the 14th (a year: 15/12 to 14/12).
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta

from etl.domain import vn

CALENDAR = "calendar"
DECREE09 = "nd09"
CONVENTIONS = (CALENDAR, DECREE09)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
CONVENTION_LABELS = {
    CALENDAR: "Theo lịch (kỳ tính theo ngày đầu và ngày cuối của tháng, quý, năm)",
    DECREE09: "Theo Nghị định 09/2019/NĐ-CP (số liệu từ ngày 15 tháng trước đến ngày 14)",
}
KIND_LABELS = {
    "month": "Tháng", "quarter": "Quý", "half": "6 tháng", "year": "Năm",
    "multi_year": "Nhiều năm", "range": "Khoảng thời gian",
}


@dataclass(frozen=True)
class Period:
    key: str
    kind: str
    convention: str
    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class PeriodError(ValueError):
    pass


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _calendar_bounds(kind: str, year: int, n: int) -> tuple[date, date]:
    first, last = {"year": (1, 12), "half": (6 * n - 5, 6 * n),
                   "quarter": (3 * n - 2, 3 * n), "month": (n, n)}[kind]
    return date(year, first, 1), _month_end(year, last)


def _decree_bounds(kind: str, year: int, n: int) -> tuple[date, date]:
    start, end = _calendar_bounds(kind, year, n)
    # Cut-off: from the 15th of the month before the period to the 14th of its last month.
    prev = date(start.year - 1, 12, 15) if start.month == 1 else date(start.year, start.month - 1, 15)
    return prev, date(end.year, end.month, 14)


def _label(kind: str, year: int, n: int) -> str:
    if kind == "year":
        return f"Năm {year}"
    if kind == "half":
        return f"6 tháng {'đầu' if n == 1 else 'cuối'} năm {year}"
    if kind == "quarter":
        return f"Quý {ROMAN[n]}/{year}"
    return f"Tháng {n}/{year}"


def parse_period(spec: str, convention: str = CALENDAR) -> Period:
    spec = str(spec).strip()
    if convention not in CONVENTIONS:
        raise PeriodError(f"Quy ước kỳ báo cáo không hợp lệ: {convention}")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2}):(\d{4})-(\d{2})-(\d{2})", spec)
    if m:
        try:
            start = date(int(m[1]), int(m[2]), int(m[3]))
            end = date(int(m[4]), int(m[5]), int(m[6]))
        except ValueError as exc:
            raise PeriodError(f"Ngày không hợp lệ trong kỳ '{spec}'") from exc
        if end < start:
            raise PeriodError(f"Kỳ '{spec}': ngày kết thúc trước ngày bắt đầu")
        label = f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
        return Period(spec, "range", CALENDAR, start, end, label)
    m = re.fullmatch(r"(\d{4})-(\d{4})", spec)
    if m:
        y1, y2 = int(m[1]), int(m[2])
        if y2 <= y1:
            raise PeriodError(f"Kỳ nhiều năm '{spec}': năm cuối phải sau năm đầu")
        start = _decree_bounds("year", y1, 1)[0] if convention == DECREE09 else date(y1, 1, 1)
        end = _decree_bounds("year", y2, 1)[1] if convention == DECREE09 else date(y2, 12, 31)
        return _make(spec, "multi_year", convention, start, end, f"Giai đoạn {y1}–{y2}")
    patterns = (
        (r"(\d{4})", "year"), (r"(\d{4})-H([12])", "half"),
        (r"(\d{4})-Q([1-4])", "quarter"), (r"(\d{4})-(0[1-9]|1[0-2])", "month"),
    )
    for pattern, kind in patterns:
        m = re.fullmatch(pattern, spec, flags=re.IGNORECASE)
        if m:
            year, n = int(m[1]), int(m[2]) if m.lastindex > 1 else 1
            bounds = _decree_bounds if convention == DECREE09 else _calendar_bounds
            start, end = bounds(kind, year, n)
            return _make(spec.upper(), kind, convention, start, end, _label(kind, year, n))
    raise PeriodError(
        f"Không hiểu kỳ báo cáo '{spec}'. Dùng dạng 2025, 2025-H1, 2025-Q3, 2025-07, "
        "2021-2025 hoặc 2025-07-01:2025-11-20"
    )


def _make(spec, kind, convention, start, end, label) -> Period:
    if convention == DECREE09:
        return Period(f"{spec}/ND09", kind, convention, start, end,
                      f"{label} (số liệu {start:%d/%m/%Y}–{end:%d/%m/%Y})")
    return Period(spec, kind, convention, start, end, label)


def from_key(key: str) -> Period:
    """Inverse of Period.key."""
    if key.endswith("/ND09"):
        return parse_period(key[:-5], DECREE09)
    return parse_period(key)


def _shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def enclosing_year(p: Period) -> Period:
    """The year of the same convention a month, quarter or half year belongs to."""
    return parse_period(p.key.split("/")[0][:4], p.convention)


def same_period_last_year(p: Period) -> Period:
    """'Cùng kỳ': the same kind of period one year earlier."""
    if p.kind == "range":
        a, b = _shift_year(p.start, -1), _shift_year(p.end, -1)
        return parse_period(f"{a:%Y-%m-%d}:{b:%Y-%m-%d}")
    if p.kind == "multi_year":
        y1, y2 = (int(x) for x in p.key.split("/")[0].split("-"))
        return parse_period(f"{y1 - 1}-{y2 - 1}", p.convention)
    base = p.key.split("/")[0]
    year, rest = base[:4], base[4:]
    return parse_period(f"{int(year) - 1}{rest}", p.convention)


def period_text(period: Period) -> str:
    """The label, with the dates added unless the label already shows them."""
    start = vn.format_date(period.start)
    if start in period.label:
        return period.label
    return f"{period.label} ({start} – {vn.format_date(period.end)})"
