"""The Vietnamese sentences of a briefing pack: findings under each chart and notes of the title
slide, built only from numbers collect() queried.

Rules every sentence keeps: a blank is "chưa báo cáo", never 0; a unit that did not report is
named; a comparison with cùng kỳ over different reporting units is called incomplete
(cung_ky_finding); a missing cùng kỳ is said, never filled in.
"""
import math

from etl.briefing.model import SINGLE_PROVINCE_AREA
from etl.domain import vn

MAX_NAMES = 5             # units named in one finding before "và n đơn vị khác"
MAX_NOTE_NAMES = 10       # units named in a note of the title slide
NATIONAL_AREA = "cả nước"
DEMO_NOTE = "DỮ LIỆU MẪU — không phải số liệu thật."
BLANK_WORDS = (("not_reported", "Chưa báo cáo"),
               ("no_population", "Chưa rõ dân số nên chưa tính được trên 10.000 dân"),
               ("undefined", "Không tính được tỷ lệ (mẫu số bằng 0)"),
               ("not_attributed", "Không ước tính số liệu tồn vì có đơn vị cũ bị chia cho nhiều đơn vị mới"))


# ---------------------------------------------------------------- words

def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def num(value, unit: str = "", percent: bool = False, decimals: int | None = None) -> str:
    """'1.020 đơn', '19,9%', or 'chưa báo cáo' for a blank."""
    if _blank(value):
        return vn.NOT_REPORTED.lower()
    if percent:
        return vn.format_percent(float(value), 1)
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    return f"{vn.format_number(float(value), decimals)} {unit}".strip()


def change(value, prev) -> str | None:
    """'tăng 12,5%' / 'giảm 3%' / 'không đổi'; None when either side is unknown or prev is 0."""
    if _blank(value) or _blank(prev) or not prev:
        return None
    pct = (value - prev) / prev
    if abs(pct) < 0.0005:
        return "không đổi"
    return f"{'tăng' if pct > 0 else 'giảm'} {vn.format_percent(abs(pct), 1)}"


def name_list(names, limit: int = MAX_NAMES) -> str:
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} và {vn.format_number(len(names) - limit)} đơn vị khác"


def capital(text: str) -> str:
    """First letter upper case, the rest untouched (str.capitalize() would lower the names)."""
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- who the pack covers

def area(n_provinces: int, province_name: str | None) -> str:
    """Who the totals cover: "toàn thành phố" for a one-province registry, else the chosen
    province's name, or "cả nước" when none is chosen (the same words as the sidebar)."""
    if n_provinces <= 1:
        return SINGLE_PROVINCE_AREA
    return province_name or NATIONAL_AREA


def chart_scope(area_text: str, n_chosen: int) -> str:
    """The start of a chart's subtitle."""
    return f"{n_chosen} đơn vị được chọn" if n_chosen else capital(area_text)


def scope_text(area_text: str, chosen_names=(), province_name: str | None = None) -> str:
    """One line for the docx and the command line: 'Toàn thành phố', '2 đơn vị: A, B'."""
    chosen_names = list(chosen_names)
    if not chosen_names:
        return capital(area_text)
    text = f"{len(chosen_names)} đơn vị: {name_list(chosen_names, MAX_NOTE_NAMES)}"
    return f"{text} ({province_name})" if province_name else text


# ---------------------------------------------------------------- notes of the title slide

def scope_note(area_text: str, chosen_names, n_reported: int, n_expected: int,
               province_name: str | None = None) -> str:
    chosen_names = list(chosen_names)
    if chosen_names:
        where = f"{len(chosen_names)} đơn vị được chọn"
        if province_name:
            where += f" của {province_name}"
        where += f" ({name_list(chosen_names, MAX_NOTE_NAMES)})"
    else:
        where = area_text
    return f"Phạm vi: {where}. Đã báo cáo: {n_reported}/{n_expected} đơn vị."


def missing_note(names) -> str:
    names = list(names)
    return f"Chưa báo cáo kỳ này ({len(names)} đơn vị): {name_list(names, MAX_NOTE_NAMES)}."


def partial_period_note(days) -> str:
    return (f"Kỳ báo cáo không trọn năm: {vn.format_number(days)} ngày; "
            "không so sánh trực tiếp với số liệu cả năm.")


def boundaries_note(today: bool, before_merger: bool) -> str:
    if not today:
        return ("Như đã báo cáo: các đơn vị cũ (trước 01/07/2025) giữ nguyên như khi báo cáo; "
                "báo cáo của đơn vị mới cho địa bàn hiện nay về các kỳ trước đó không được tính.")
    return ("Theo địa giới hiện nay" + (": số liệu của các đơn vị cũ (trước 01/07/2025) được quy "
                                         "về đơn vị hiện nay theo quan hệ sáp nhập; phần của đơn vị "
                                         "cũ chia cho nhiều đơn vị mới là ước tính (chia theo tỷ lệ "
                                         "dân số các đơn vị mới, nếu không có thì chia đều)."
                                         if before_merger else "."))


def unreviewed_note() -> str:
    return ("Gồm số liệu chưa duyệt: các báo cáo đã gửi nhưng Sở Nội vụ chưa chấp nhận cũng được "
            "tính; báo cáo bị trả lại không được tính.")


def pending_note(names) -> str:
    names = list(names)
    return (f"Báo cáo đang chờ duyệt, chưa được tính ({len(names)} đơn vị): "
            f"{name_list(names, MAX_NOTE_NAMES)}; số liệu chỉ gồm các báo cáo đã được chấp nhận.")


def empty_sections_note(titles) -> str:
    return f"Không có số liệu kỳ này cho: {', '.join(titles)}."


# ---------------------------------------------------------------- overview (totals vs cùng kỳ)

ESTIMATE = "ước tính"
ESTIMATE_SENTENCE = (" Có phần ước tính: số liệu của đơn vị cũ (trước 01/07/2025) chia cho nhiều "
                     "đơn vị mới.")


def total_finding(label: str, unit: str, value, prev_value, prev_label: str | None,
                  top: tuple | None = None) -> str:
    """'Đơn thư tiếp nhận (tổng): 120 đơn, tăng 5% so với cùng kỳ (Năm 2024: 114 đơn); cao nhất:
    phường X (30 đơn).' prev_label None: no cùng kỳ to compare with. top: (name, value)."""
    text = f"{label}: {num(value, unit)}"
    moved = change(value, prev_value) if prev_label else None
    if moved:
        text += f", {moved} so với cùng kỳ ({prev_label}: {num(prev_value, unit)})"
    if top is not None:
        text += f"; cao nhất: {top[0]} ({num(top[1], unit)})"
    return text + "."


def reporting_finding(label: str, n_reported: int, n_scope: int, missing_names) -> str:
    missing_names = list(missing_names)
    if not missing_names:
        return f"Tất cả {n_scope} đơn vị đã báo cáo «{label}»."
    return (f"{n_reported}/{n_scope} đơn vị đã báo cáo «{label}»; "
            f"chưa báo cáo: {name_list(missing_names)}.")


def cung_ky_finding(prev_label: str, prev_exists: bool, prev_units_reported: int, n_scope: int,
                    lacking_then=(), lacking_now=()) -> str | None:
    """The sentence about cùng kỳ (the same period a year earlier): missing, or a comparison on
    different units (lacking_then: units that reported now but not then; lacking_now: the
    reverse). None when the comparison is like for like."""
    if not prev_exists:
        return f"Chưa có số liệu cùng kỳ ({prev_label}) nên chưa so sánh được."
    parts = []
    if lacking_then:
        parts.append(f"cùng kỳ ({prev_label}) chỉ có {prev_units_reported}/{n_scope} đơn vị báo "
                     f"cáo, thiếu {name_list(lacking_then)}")
    if lacking_now:
        parts.append(f"kỳ này thiếu {name_list(lacking_now)} (cùng kỳ có báo cáo)")
    if not parts:
        return None
    return ("So sánh với cùng kỳ chưa đầy đủ: " + "; ".join(parts)
            + "; mức tăng, giảm chỉ mang tính tham khảo.")


# ---------------------------------------------------------------- rankings

def extremes_finding(best: str, worst: str | None = None) -> str:
    """best/worst: 'phường X (12,5 đơn/10.000 dân)'."""
    return f"Cao nhất: {best}" + (f"; thấp nhất: {worst}" if worst else "") + "."


def median_of_units_finding(n_units: int, median_text: str) -> str:
    return f"Trung vị của {n_units} đơn vị có số liệu: {median_text}."


def blank_findings(names_by_reason: dict) -> list[str]:
    """Units without a value, by why: not reported, unknown population, a rate over 0."""
    out = []
    for reason, words in BLANK_WORDS:
        names = list(names_by_reason.get(reason, ()))
        if names:
            out.append(f"{words} ({len(names)} đơn vị): {name_list(names)}.")
    return out


# ---------------------------------------------------------------- trends

def median_trend_finding(median_label: str, period_label: str, value_text: str,
                         moved: str | None, before_label: str | None, n_units: int) -> str:
    text = f"{median_label} {period_label}: {value_text}"
    if moved:
        text += f", {moved} so với {before_label}"
    return text + f" ({n_units} đơn vị có số liệu)."


def quartiles_finding(period_label: str, low_text: str, high_text: str) -> str:
    """The p25–p75 band of the latest period: where the middle half of the units lie."""
    return (f"{capital(period_label)}, một nửa số đơn vị ở khoảng giữa có từ {low_text} đến "
            f"{high_text} (phân vị 25 đến 75).")


def unit_trend_finding(name: str, indicator: str, period_label: str, value_text: str | None) -> str:
    """name at the start of the sentence: 'Phường Thạch Khôi'. value_text None: not reported."""
    if value_text is None:
        return f"{name} chưa báo cáo «{indicator}» {period_label}."
    return f"{name}: {value_text} {period_label}."


def since_first_finding(first_label: str, moved: str) -> str:
    return f"So với {first_label}, trung vị {moved}."


# ---------------------------------------------------------------- Dân vận khéo, assessment

def models_finding(n_listed: int, n_units: int, best_name: str, n_running) -> str:
    return (f"{n_listed}/{n_units} đơn vị gửi danh sách mô hình; nhiều mô hình đang thực hiện "
            f"nhất: {best_name} ({vn.format_number(n_running)} mô hình).")


def ratings_finding(n_full: int, n_units: int, n_criteria: int, counts: dict) -> str:
    """counts: {rating: units}, in the thresholds' order."""
    return (f"{n_full}/{n_units} đơn vị có đủ {n_criteria} tiêu chí; xếp loại: "
            + ", ".join(f"{r} {n}" for r, n in counts.items()) + " đơn vị.")


def score_text(total) -> str:
    return num(total, "điểm", decimals=1)


def partial_scores_finding(n_criteria: int, names_with_counts) -> str:
    """names_with_counts: [(name, criteria reported)]."""
    return f"Chưa đủ {n_criteria} tiêu chí, chưa tính tổng điểm: " + name_list(
        [f"{name} ({int(n)}/{n_criteria})" for name, n in names_with_counts]) + "."


def no_scores_finding(names) -> str:
    names = list(names)
    return f"Chưa báo cáo điểm ({len(names)} đơn vị): {name_list(names)}."


NO_MAP = ("Không có bản đồ: kỳ này xem «như đã báo cáo» gồm các đơn vị cũ (trước 01/07/2025), chưa có "
          "bản đồ ranh giới của các đơn vị đó; xem theo địa giới hiện nay để có bản đồ.")
