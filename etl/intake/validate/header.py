"""The header of a report: its unit and period codes, the template they were made for, and the
readable texts of «Thông tin chung», which must say what the codes mean (the claims)."""
import re
from datetime import date, datetime

from etl.domain import layout, vn
from etl.domain.findings import ERROR, NOTICE, WARNING
from etl.domain.periods import CONVENTION_LABELS, Period, PeriodError, from_key, period_text
from etl.intake.validate.catalogue import Unit
from etl.intake.validate.texts import as_typed


def check_header(report, units: dict[str, Unit], today: date, result, add) -> None:
    """Sets result.unit and result.period when the codes are known."""
    def add_info(rule, severity, message, key, value=""):
        add(rule, severity, message, report.info.get(key, (None, ""))[1], value,
            where=layout.SHEET_INFO)

    if report.template_version and report.template_version != layout.TEMPLATE_VERSION:
        add("template_version_differs", NOTICE,
            f"Tệp lập theo mẫu phiên bản {report.template_version}, mẫu hiện hành là "
            f"{layout.TEMPLATE_VERSION}: vẫn đọc theo tiêu đề cột.", where="")
    result.unit = _unit(report, units, add_info)
    result.period = _period(report, add_info)
    _check_template_codes(report, add_info)
    unit, period = result.unit, result.period
    # A period not begun yet is refused for that alone: its label would only repeat the error.
    _check_claims(report, unit, period if period and period.start <= today else None, add_info)
    if period:
        _check_period(report, unit, period, today, add_info)


def _unit(report, units: dict[str, Unit], add_info) -> Unit | None:
    code = report.unit_code
    if not code:
        add_info("missing_unit", ERROR, "Thiếu mã đơn vị trong ô «Mã đơn vị».", "unit_code")
    elif code not in units:
        add_info("unknown_unit", ERROR,
                 f"Mã đơn vị «{code}» không có trong danh sách đơn vị hành chính. Không sửa mã "
                 "đơn vị của mẫu; nếu mẫu sai, hãy tải lại mẫu đúng.", "unit_code", code)
    else:
        return units[code]
    return None


def _period(report, add_info) -> Period | None:
    if not report.period_key:
        add_info("bad_period", ERROR, "Thiếu mã kỳ báo cáo trong ô «Mã kỳ báo cáo».", "period_key")
        return None
    try:
        return from_key(report.period_key)
    except PeriodError as exc:
        add_info("bad_period", ERROR, str(exc), "period_key", report.period_key)
        return None


def _check_template_codes(report, add_info) -> None:
    """The codes the blank form was made for (its meta sheet) against the codes typed."""
    code, key = report.unit_code, report.period_key
    meta_code, meta_period = report.meta.get("unit_code"), report.meta.get("period_key")
    if (meta_code and code and meta_code != code) or (meta_period and key and meta_period != key):
        add_info("template_mismatch", WARNING,
                 f"Mẫu được tạo cho đơn vị {meta_code}, kỳ {meta_period}, nhưng tệp ghi đơn vị "
                 f"{code}, kỳ {key}: có thể đã sửa mã trên mẫu của đơn vị hoặc kỳ "
                 "khác. Cần xác nhận.", "unit_code")


def _check_period(report, unit: Unit | None, period: Period, today: date, add_info) -> None:
    """The typed dates, whether the period has begun or ended, and the unit's lifetime."""
    for key, expected in (("period_start", period.start), ("period_end", period.end)):
        typed = report.info.get(key, (None,))[0]
        typed = typed.date() if isinstance(typed, datetime) else typed
        if isinstance(typed, date) and typed != expected:
            add_info("period_dates_mismatch", WARNING,
                     f"Ngày ghi trong ô ({vn.format_date(typed)}) khác với kỳ báo cáo {period.label} "
                     f"({vn.format_date(expected)}); hệ thống dùng mã kỳ báo cáo.", key,
                     vn.format_date(typed))
    if period.start > today:
        add_info("period_in_future", ERROR,
                 f"Kỳ {period.label} bắt đầu sau ngày hôm nay ({vn.format_date(today)}): chưa thể "
                 "có số liệu.", "period_key", period.key)
    elif period.end > today:
        add_info("period_not_ended", WARNING,
                 f"Kỳ {period.label} chưa kết thúc (đến {vn.format_date(period.end)}): số liệu có "
                 "thể chưa đầy đủ. Cần xác nhận.", "period_key", period.key)
    if unit and unit.valid_to and period.start > unit.valid_to:
        add_info("period_after_unit_end", ERROR,
                 f"{unit.name} đã thôi hoạt động từ {vn.format_date(unit.valid_to)} (sắp xếp đơn vị "
                 f"hành chính); không nhận báo cáo cho kỳ {period.label}.", "unit_code", unit.code)
    if unit and unit.valid_from and period.start < unit.valid_from:
        add_info("period_before_unit", NOTICE,
                 f"Kỳ {period.label} bắt đầu trước ngày thành lập {unit.name} "
                 f"({vn.format_date(unit.valid_from)}): số liệu được hiểu là trên địa bàn hiện nay "
                 "của đơn vị.", "period_key", period.key)


def _loose(text: str) -> str:
    """A text as compared for meaning: NFC, case, spacing and diacritics aside (etl.vn.fold, so
    "Hoà" is "Hòa"), and any dash or spacing around dates ("01/01/2026 - 31/03/2026")."""
    folded = vn.fold(text).replace("–", "-").replace("—", "-")
    return re.sub(r"\s*([-/():,])\s*", r"\1", folded)


def _check_claims(report, unit: Unit | None, period: Period | None, add_info) -> None:
    """The readable texts of «Thông tin chung» must say what the codes mean: a form of another
    unit or period with its codes retyped would otherwise load under a name it does not show.
    A blank text claims nothing."""
    claims = []   # (field, rule, accepted texts, what the code means, what to download again)
    if unit:
        bare = unit.name.removeprefix(unit.type_label).strip() if unit.type_label else unit.name
        claims.append(("unit_name", "unit_name_mismatch", (unit.name, bare),
                       f"mã đơn vị {unit.code} là {unit.name}", "đơn vị"))
    if period:
        full, convention = period_text(period), CONVENTION_LABELS[period.convention]
        short = convention.split(" (")[0]
        claims += [("period_label", "period_label_mismatch",
                    (period.label, period.label.split(" (")[0], full),
                    f"mã kỳ báo cáo {period.key} là {full}", "kỳ báo cáo"),
                   ("convention", "convention_mismatch", (convention, short, period.convention),
                    f"mã kỳ báo cáo {period.key} dùng quy ước «{short}»", "kỳ báo cáo")]
    labels = dict(layout.INFO_FIELDS)
    for key, rule, accepted, meaning, what in claims:
        typed = report.info.get(key, (None,))[0]
        text = vn.nfc(as_typed(typed)) if typed is not None else ""
        if text and _loose(text) not in {_loose(a) for a in accepted}:
            add_info(rule, ERROR, f"Ô «{labels[key]}» ghi «{text}» nhưng {meaning}. Sửa cho khớp, "
                                  f"hoặc tải lại mẫu của đúng {what}.", key, text)
