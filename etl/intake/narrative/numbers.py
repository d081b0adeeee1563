"""Numbers in Vietnamese prose, and which of them are figures.

vi-VN writing: "30.575" (thousands), "19,94" (decimals), "06" (a leading zero), "½". A number is
never a figure when it names something rather than counts it: a document number («Quyết định số
3177/QĐ-UBND», «Nghị quyết 1669», «số 02-CTr/…»), anything right after «số» («bão số 3»), a date
(«ngày 22/11/2025», «tháng 7», «năm 2025»), a term or congress («nhiệm kỳ 2025-2030», «khóa XV»),
a span of years («giai đoạn 2021–2025»), a number inside quotation marks (a model's name, «5 không
3 sạch»). A percentage is a rate, never a count. «gần», «khoảng», «hơn», «trên»… before a number
make it approximate. Small counts are often spelled out («tổ chức hai hội nghị»): một … mười are
numbers too; figures.py takes them only with a unit word right after. «tăng 3 buổi», «giảm 12
lượt so với cùng kỳ» are changes, not counts (but «tăng lên 15» is the new total).
"""
import re
from dataclasses import dataclass

_NUMBER = re.compile(r"(?<![\w.,-])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(?![\w])|½")
_LIST_MARK = re.compile(r"^\s*\d{1,2}[.)]\s")       # "1. Ưu điểm": numbering, not a figure
_DOC_WORDS = ("quyet dinh", "ke hoach", "chi thi", "nghi quyet", "thong bao", "cong van", "bao cao",
              "chuong trinh", "ket luan", "nghi dinh", "thong tu", "huong dan", "to trinh", "luat",
              "van ban", "quy dinh", "de an", "cong dien", "giay moi")
# Words right before a number that make it a name, a date or a term, not a count.
_NAMING = ("so", "ngay", "thang", "nam", "quy", "khoa", "lan thu", "thu", "giai doan", "nhiem ky",
           "muc", "dieu", "khoan", "phu luc", "trang", "tieu chi", "chuong", "phan",
           "nam hoc", "dien thoai")
# Spans that are never figures: dates (22/11/2025, ngày 6/8), document numbers (3177/QĐ-UBND,
# 02-CTr/BXDĐĐU, 07/2025/QĐ-UBND), spans of years (2021-2025, 2025 – 2030).
_NOT_FIGURES = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|(?<=ngày )\d{1,2}/\d{1,2}\b"
    r"|\b\d+(?:/\d+)*\s?[/-]\s?[A-Za-zĐđ][\w&.-]*(?:/[\w&.-]+)*"
    r"|\b(?:19|20)\d\d\s?[-–—]\s?(?:19|20)\d\d\b")
_COUNTING_SO = ("dan", "tong", "nhan", "voi", "la", "co")
_APPROX = ("gan", "khoang", "hon", "tren", "xap xi", "uoc", "uoc tinh", "chung", "gan nhu",
           "it nhat", "toi thieu", "tren duoi", "ngoai")
# Right before a number: a change against another period, never the count itself.
_CHANGE = ("tang", "giam", "tang them", "giam di", "nhieu hon", "it hon", "chenh lech")
_SPELLED = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8,
            "chín": 9, "mười": 10}
_SPELLED_RE = re.compile(r"(?<!\w)(" + "|".join(_SPELLED) + r")(?= )", re.IGNORECASE)
_SPELLED_BEFORE = {*_SPELLED, "mươi", "trăm", "nghìn", "ngàn", "lẻ", "linh"}
_QUOTES = re.compile(r"[“\"«][^”\"»]{0,120}[”\"»]")


@dataclass(frozen=True)
class Number:
    start: int
    end: int
    value: float
    text: str
    approximate: bool
    percent: bool
    change: bool = False       # «tăng 3», «giảm 12»: a difference, not a count


def _value(m: re.Match) -> float:
    if m.re is _SPELLED_RE:
        return float(_SPELLED[m.group(1).lower()])
    if m.group(0) == "½":
        return 0.5
    whole = int(m.group(1).replace(".", ""))
    return float(f"{whole}.{m.group(2)}") if m.group(2) else float(whole)


def _before(folded: str, start: int, words: int = 3) -> str:
    """The few words before position start (folded text), single-spaced, without punctuation."""
    return " ".join(re.sub(r"[^\w ]", " ", folded[max(0, start - 40):start]).split()[-words:])


def _names_something(folded: str, m: re.Match) -> bool:
    before = _before(folded, m.start(), 3)
    words = before.split()
    last = words[-1:] or [""]
    # «số 3» names something, but «dân số 30.575», «tổng số 26» count.
    if last[0] == "so" and len(words) > 1 and words[-2] in _COUNTING_SO:
        return False
    if last[0] in _NAMING or " ".join(words[-2:]) in _NAMING:
        return True
    return any(before.endswith(w) or before.endswith(w + " so") for w in _DOC_WORDS)


def numbers(text: str, folded: str) -> list[Number]:
    """The figures of a sentence or paragraph: text and its folded copy (etl.intake.narrative.text)."""
    skip = [(q.start(), q.end()) for q in _QUOTES.finditer(text)]
    skip += [(x.start(), x.end()) for x in _NOT_FIGURES.finditer(text)]
    skip += [(x.start(), x.end()) for x in _LIST_MARK.finditer(text)]
    out = []
    matches = sorted([*_NUMBER.finditer(text), *_SPELLED_RE.finditer(text)], key=lambda m: m.start())
    for m in matches:
        if any(a <= m.start() < b for a, b in skip) or _names_something(folded, m):
            continue
        percent = text[m.end():m.end() + 2].lstrip().startswith("%")
        if m.re is _SPELLED_RE and (text[m.end():m.end() + 5].lstrip()[:1].isdigit() or
                                    _before(text.lower(), m.start(), 1) in _SPELLED_BEFORE):
            continue                      # «năm 2025»; «mười hai», «hai mươi»: not read as 2
        before = _before(folded, m.start(), 2)
        approximate = any(before == w or before.endswith(" " + w) for w in _APPROX)
        before3 = _before(folded, m.start(), 3)
        change = any(before == w or before.endswith(" " + w) for w in _CHANGE) and \
            not before3.endswith(("tang len", "giam xuong", "giam con", "tang len thanh"))
        out.append(Number(m.start(), m.end(), _value(m), m.group(0), approximate, percent, change))
    return out
