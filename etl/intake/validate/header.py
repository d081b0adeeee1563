"""The header of a report: its unit and period codes, the template they were made for, and the
readable texts of «Thông tin chung», which must say what the codes mean (the claims)."""
import re
from datetime import date, datetime

from etl.domain import layout, vn
from etl.domain.findings import ERROR, NOTICE, WARNING
from etl.domain.periods import CONVENTION_LABELS, Period, PeriodError, from_key, period_text
from etl.intake import units as registry
from etl.intake.units import Unit
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
    result.period = _period(report, add_info)
    result.unit = _unit(report, units, result.period, add_info)
    _check_template_codes(report, add_info)
    unit, period = result.unit, result.period
    # A period not begun yet is refused for that alone: its label would only repeat the error.
    _check_claims(report, unit, period if period and period.start <= today else None, add_info)
    if period:
        _check_period(report, unit, period, today, add_info)


def _unit(report, units: dict[str, Unit], period: Period | None, add_info) -> Unit | None:
    """The unit the codes name (etl.intake.units): the form's unit id when the form was made for
    the typed code, else the unit valid at the period's end; a code that could also be the
    current unit reporting its present territory is refused rather than guessed."""
    code = report.unit_code
    if not code:
        add_info("missing_unit", ERROR, "Thiếu mã đơn vị trong ô «Mã đơn vị».", "unit_code")
        return None
    if not any(u.official_code == code or u.code == code for u in units.values()):
        add_info("unknown_unit", ERROR,
                 f"Mã đơn vị «{code}» không có trong danh sách đơn vị hành chính. Không sửa mã "
                 "đơn vị của mẫu; nếu mẫu sai, hãy tải lại mẫu đúng.", "unit_code", code)
        return None
    meta_id, meta_code = report.meta.get("unit_id"), report.meta.get("unit_code")
    if meta_id in units and code in (units[meta_id].official_code, meta_id):
        return units[meta_id]
    # Forms of the first template version were made for current units only.
    if (report.template_version in layout.CURRENT_UNIT_VERSIONS and meta_code == code
            and code in units and units[code].is_current):
        return units[code]
    if period is None:
        return None
    found = registry.resolve(units, code, period)
    if found.unit is None:
        rule = "unit_ambiguous" if found.ambiguous else "period_after_unit_end"
        add_info(rule, ERROR, found.error, "unit_code", code)
        return None
    current = None if "@" in code else registry.could_be_current(units, found.unit, period)
    if current is not None:
        add_info("unit_ambiguous", ERROR, registry.ambiguity_message(found.unit, current, period),
                 "unit_code", code)
        return None
    return found.unit


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


def _typed_date(text: str) -> date | None:
    m = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", text)
    try:
        return date(int(m[3]), int(m[2]), int(m[1])) if m else None
    except ValueError:
        return None


def _check_period(report, unit: Unit | None, period: Period, today: date, add_info) -> None:
    """The typed dates, whether the period has begun or ended, and the unit's lifetime."""
    # A period not begun yet is refused for that alone (as its label is): no date checks.
    dates = (("period_start", period.start), ("period_end", period.end)) if period.start <= today else ()
    for key, expected in dates:
        typed = report.info.get(key, (None,))[0]
        typed = typed.date() if isinstance(typed, datetime) else typed
        label = dict(layout.INFO_FIELDS)[key]
        if isinstance(typed, str) and typed.strip():       # «01/07/2025» typed as text
            parsed = _typed_date(typed)
            if parsed is None:
                add_info("period_date_unreadable", ERROR,
                         f"Ô «{label}» ghi «{typed.strip()}», không phải một ngày (ngày/tháng/năm, ví dụ "
                         f"{vn.format_date(expected)}).", key, typed.strip())
                continue
            typed = parsed
        if isinstance(typed, date) and typed != expected:
            add_info("period_dates_mismatch", ERROR,
                     f"Ô «{label}» ghi {vn.format_date(typed)} nhưng mã kỳ báo cáo {period.key} là "
                     f"{period.label} ({vn.format_date(expected)}). Sửa cho khớp, hoặc tải lại mẫu "
                     "của đúng kỳ báo cáo.", key, vn.format_date(typed))
    if period.start > today:
        add_info("period_in_future", ERROR,
                 f"Kỳ {period.label} bắt đầu sau ngày hôm nay ({vn.format_date(today)}): chưa thể "
                 "có số liệu.", "period_key", period.key)
    elif period.end > today:
        add_info("period_not_ended", WARNING,
                 f"Kỳ {period.label} chưa kết thúc (đến {vn.format_date(period.end)}): số liệu có "
                 "thể chưa đầy đủ. Cần xác nhận.", "period_key", period.key)
    if unit and unit.valid_to and period.end > unit.valid_to:
        add_info("period_after_unit_end", ERROR, registry.ended_message(unit, period),
                 "unit_code", unit.code)
    if unit and registry.predates(unit, period):
        add_info("period_before_unit", NOTICE, registry.territory_notice(unit, period),
                 "period_key", period.key)


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
        claims.append(("unit_name", "unit_name_mismatch", (unit.name, bare, unit.long_name),
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
