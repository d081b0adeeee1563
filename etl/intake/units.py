"""Which unit a report is for: an official code and a period name one unit, never a guess.

Old and new units share one code space (new 10543 Việt Hòa since 01/07/2025, old 10543 Phường
Việt Hoà until 30/06/2025), so a code alone does not name a unit. The rule, the same for the
template (CLI and upload page) and the loader:
- a unit id ("10543@2025-06-30", or a current unit's code with territory "current") names itself;
- otherwise the unit valid on the period's last day: 2024 → the old unit, 2025 → the new one;
- a current unit may report a period before it existed, for its present territory (a notice
  says so): chosen with territory "current", or when no old unit had the code then;
- a file whose code could be either unit, with nothing saying which, is refused with a message
  saying how to choose (etl.intake.validate.header).
"""
from dataclasses import dataclass
from datetime import date

from etl.domain import vn
from etl.domain.periods import Period

CURRENT = "current"          # --territory current: the current unit reports its present territory


@dataclass(frozen=True)
class Unit:
    code: str                # the unit id: official code, plus "@last day" for an old unit
    name: str                # display name: "Phường Việt Hòa", "Xã Liên Hồng (cũ, thành phố Hải Dương)"
    valid_from: date | None
    valid_to: date | None
    type_label: str = ""     # "Phường", "Xã", "Đặc khu", "Thị trấn", "Huyện"
    official_code: str = ""
    long_name: str = ""      # "Xã Liên Hồng, thành phố Hải Dương, tỉnh Hải Dương (đến 30/06/2025)"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and \
            (self.valid_to is None or day <= self.valid_to)


def load_units(con) -> dict[str, Unit]:
    return {r[0]: Unit(*r) for r in con.execute(
        "SELECT code, full_name, valid_from, valid_to, type_label, coalesce(official_code, code), "
        "coalesce(long_name, full_name) FROM units").fetchall()}


@dataclass(frozen=True)
class Resolution:
    unit: Unit | None
    error: str | None = None           # why no unit (Vietnamese)
    ambiguous: tuple[Unit, ...] = ()   # the units the code could mean


def resolve(units: dict[str, Unit], code: str, period: Period, territory: str | None = None) -> Resolution:
    code = str(code or "").strip()
    if code in units and (territory == CURRENT or "@" in code):
        unit = units[code]
        if territory == CURRENT and not unit.is_current:
            return Resolution(None, f"{unit.name} không còn là đơn vị hiện nay: chỉ đơn vị hiện nay "
                                    "mới báo cáo theo địa bàn hiện nay.")
        return Resolution(unit)
    same = [u for u in units.values() if u.official_code == code]
    if not same:
        return Resolution(None, f"Không có đơn vị mã «{code}» trong danh sách đơn vị. Kiểm tra lại "
                                "mã đơn vị (ví dụ 10543 là Phường Việt Hòa).")
    current = next((u for u in same if u.is_current), None)
    if territory == CURRENT:
        if current is None:
            return Resolution(None, f"Mã «{code}» không phải mã của một đơn vị hiện nay.")
        return Resolution(current)
    then = [u for u in same if u.valid_on(period.end)]
    if len(then) == 1:
        return Resolution(then[0])
    if not then and current is not None and period.end < current.valid_from:
        # No other unit had this code then: the current one reports its present territory.
        return Resolution(current)
    if not then:
        old = max(same, key=lambda u: u.valid_to or date.max)
        return Resolution(None, ended_message(old, period))
    return Resolution(None, f"Mã «{code}» ứng với nhiều đơn vị trong kỳ {period.label}.", tuple(then))


def ended_message(unit: Unit, period: Period) -> str:
    return (f"{unit.name} chỉ tồn tại đến {vn.format_date(unit.valid_to)} (sắp xếp đơn vị hành "
            f"chính); không nhận báo cáo của đơn vị này cho kỳ {period.label}, kỳ kết thúc sau ngày "
            "đó. Báo cáo của đơn vị cũ dừng ở ngày cuối cùng đơn vị tồn tại (ví dụ 6 tháng đầu năm "
            "2025, mã kỳ 2025-H1).")


def could_be_current(units: dict[str, Unit], unit: Unit, period: Period) -> Unit | None:
    """The current unit with the same code as old `unit`, when it could report this period for
    its present territory instead (the choice a file without a unit id leaves open)."""
    if unit.is_current:
        return None
    current = units.get(unit.official_code)
    if current and current.is_current and current.valid_from and period.start < current.valid_from:
        return current
    return None


def predates(unit: Unit, period: Period) -> bool:
    """The period begins before the unit existed: a current unit reporting its present territory."""
    return unit.valid_from is not None and period.start < unit.valid_from


def territory_notice(unit: Unit, period: Period) -> str:
    return (f"Kỳ {period.label} bắt đầu trước ngày thành lập {unit.name} "
            f"({vn.format_date(unit.valid_from)}): số liệu được hiểu là trên địa bàn hiện nay "
            "của đơn vị.")


def ambiguity_message(old: Unit, current: Unit, period: Period) -> str:
    return (f"Mã đơn vị «{old.official_code}» kỳ {period.label} có thể là {old.long_name} hoặc "
            f"{current.name} báo cáo theo địa bàn hiện nay; tệp không cho biết là đơn vị nào. "
            f"Ghi «{old.code}» vào ô «Mã đơn vị» nếu là báo cáo của đơn vị cũ, hoặc tải mẫu mới "
            "đúng đơn vị (trang «Gửi báo cáo», hoặc lệnh etl template --unit "
            f"{old.official_code} --period {period.key.split('/')[0]} cho đơn vị cũ, thêm "
            "--territory current cho địa bàn hiện nay).")
