"""The values sheet: each typed value against its indicator, then the rules across indicators.

A blank cell is "not reported" and makes no row. A value is refused when its row has no known
code or repeats one, when it is not a number (not_a_number), is negative (negative_value), is
not whole for a count (not_integer) or is outside the indicator's bounds (out_of_range).
"""
import math
from datetime import date, datetime, time, timedelta

from etl.domain import vn
from etl.domain.findings import ERROR, NOTICE, WARNING
from etl.intake.validate.catalogue import OPS, Catalogue, Indicator
from etl.intake.validate.texts import as_typed, fmt, plain_number
from etl.warehouse.store import ValueRow

TOLERANCE = 1e-9


def check_values(report, catalogue: Catalogue, add) -> dict[str, tuple[ValueRow, str]]:
    """code -> (clean value row, cell address). Blank cells are skipped: not reported is no row."""
    clean: dict[str, tuple[ValueRow, str]] = {}
    seen: dict[str, str] = {}
    for c in report.cells:
        ind = _indicator(c, catalogue, seen, clean, add)
        if ind is None or c.raw is None or (isinstance(c.raw, str) and not c.raw.strip()):
            continue
        label = f"«{ind.label}»"
        number = _as_number(c.raw, label, c.cell, add)
        if number is None:
            continue
        value, raw_text = number
        value = _within_bounds(ind, value, label, c.cell, as_typed(c.raw), add)
        if value is None:
            continue
        if raw_text is not None:
            add("number_as_text", NOTICE,
                f"{label}: số nhập dạng chữ «{raw_text.strip()}» đã được đọc là {plain_number(value)} "
                "theo cách viết Việt Nam (dấu chấm tách hàng nghìn, dấu phẩy là dấu thập phân).",
                c.cell, raw_text)
        clean[c.code] = (ValueRow(c.code, value, c.sheet, c.cell, raw_text), c.cell)
    return clean


def _indicator(c, catalogue: Catalogue, seen: dict, clean: dict, add) -> Indicator | None:
    """The cell's indicator; None, with an error, for a row without a code, an unknown code or a
    code seen before (which drops the earlier value too: neither can be trusted)."""
    shown = as_typed(c.raw)
    if not c.code:
        add("missing_code", ERROR, "Ô có giá trị nhưng dòng không có mã chỉ tiêu. Không thêm "
                                   "dòng vào mẫu.", c.cell, shown)
        return None
    ind = catalogue.indicators.get(c.code)
    if ind is None:
        add("unknown_indicator", ERROR, f"Mã chỉ tiêu «{c.code}» không có trong danh mục chỉ "
                                        "tiêu. Không sửa cột mã chỉ tiêu của mẫu.", c.cell, shown)
        return None
    if c.code in seen:
        add("duplicate_indicator", ERROR, f"Chỉ tiêu «{ind.label}» ({c.code}) xuất hiện hai lần "
                                          f"(ô {seen[c.code]} và ô {c.cell}).", c.cell, shown)
        clean.pop(c.code, None)
        return None
    seen[c.code] = c.cell
    return ind


def _as_number(raw, label: str, cell: str, add) -> tuple[float, str | None] | None:
    """(value, the text it was read from or None), or None with a not_a_number error."""
    shown = as_typed(raw)
    if isinstance(raw, bool):
        add("not_a_number", ERROR, f"{label}: ô chứa giá trị đúng/sai, không phải số.", cell, shown)
        return None
    if isinstance(raw, (date, datetime, time, timedelta)):
        add("not_a_number", ERROR, f"{label}: ô chứa ngày tháng, không phải số (Excel có thể đã tự "
                                   "đổi số thành ngày; định dạng ô là số rồi nhập lại).", cell, shown)
        return None
    if isinstance(raw, str):
        try:
            return vn.parse_vn_number(raw), raw
        except ValueError:
            hint = (" Nếu không có, nhập 0; nếu chưa có số liệu, để trống."
                    if any(ch.isalpha() for ch in raw) else
                    " Dùng dấu chấm tách hàng nghìn, dấu phẩy cho phần thập phân (ví dụ 1.020; 19,94).")
            add("not_a_number", ERROR, f"{label}: «{raw.strip()}» không phải là số.{hint}", cell, raw)
            return None
    if isinstance(raw, (int, float)):
        value = float(raw)
        if not math.isfinite(value):
            add("not_a_number", ERROR, f"{label}: giá trị không phải là số hữu hạn.", cell, shown)
            return None
        return value, None
    add("not_a_number", ERROR, f"{label}: ô không chứa số.", cell, shown)
    return None


def _within_bounds(ind: Indicator, value: float, label: str, cell: str, shown: str,
                   add) -> float | None:
    """The value as stored, or None with an error: negative, not whole for a count, or outside
    the indicator's bounds."""
    if value < 0 and (ind.min_value is None or ind.min_value >= 0):
        add("negative_value", ERROR, f"{label} không được âm.", cell, shown)
        return None
    if ind.value_type == "integer" and abs(value - round(value)) <= 1e-9 * max(1.0, abs(value)):
        value = float(round(value))   # a formula's 3.0000000000000004 is the count 3
    if ind.value_type == "integer" and not float(value).is_integer():
        add("not_integer", ERROR, f"{label} là chỉ tiêu đếm ({ind.unit}), phải là số nguyên, không "
                                  "có phần thập phân.", cell, shown)
        return None
    low, high = ind.min_value, ind.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (f"từ {fmt(low)} đến {fmt(high)}" if low is not None and high is not None
                  else f"từ {fmt(low)} trở lên" if low is not None else f"không quá {fmt(high)}")
        add("out_of_range", ERROR, f"{label} phải {bounds} {ind.unit}.", cell, shown)
        return None
    return value


def check_rules(catalogue: Catalogue, clean: dict, add) -> None:
    """The rules of data/rules.csv (sums compared), each only when every part is given."""
    labels = {code: ind.label for code, ind in catalogue.indicators.items()}

    def side(codes):
        return " + ".join(f"«{labels.get(c, c)}»" for c in codes)

    for rule in catalogue.rules:
        codes = rule.left + rule.right
        if not all(code in clean for code in codes):
            continue
        left = sum(clean[c][0].value for c in rule.left)
        right = sum(clean[c][0].value for c in rule.right)
        if rule.op in ("=", "=="):
            holds = abs(left - right) <= TOLERANCE
        elif rule.op == "!=":
            holds = abs(left - right) > TOLERANCE
        else:  # sums of decimals: equal within rounding satisfies <= and >=
            holds = OPS[rule.op](left, right) or ("=" in rule.op and abs(left - right) <= TOLERANCE)
        if holds:
            continue
        detail = f"{side(rule.left)} = {fmt(left)}, {side(rule.right)} = {fmt(right)}"
        confirm = " Cần xác nhận." if rule.severity == WARNING and "xác nhận" not in rule.message else ""
        add(rule.rule_id, rule.severity, f"{rule.message} ({detail}).{confirm}",
            ", ".join(clean[c][1] for c in codes), f"{fmt(left)} / {fmt(right)}")
