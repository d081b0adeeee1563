"""Who reports and for when, read from a narrative report, with the evidence.

The unit: every «phường X», «xã X», «đặc khu X», «UBND phường X» is matched against the registry
(diacritic-insensitive, so «Hoà» is «Hòa»; close spellings accepted). A report names several units
(the old units it was formed from, its neighbours, the city): the one it speaks as wins —
«UBND phường X báo cáo», «Phường X được thành lập», the place-and-date line, the signature — and
the others are only noted.

The period: «từ ngày 01/7/2025 đến 20/11/2025», «6 tháng đầu năm 2025», «9 tháng đầu năm 2025»,
«quý III năm 2025», «tháng 10/2025», «năm 2025», «giai đoạn 2021–2025» (a multi-year summary); in
the title, what follows «phương hướng, nhiệm vụ» is the plan, not the period. A title that says a
year while the figures are stated for a shorter span («Kết quả từ 01/07/2025 đến 20/11/2025», a
ward founded on 01/07/2025) gives that span, and a note says so.
"""
import difflib
import re
from dataclasses import dataclass
from datetime import date

from etl.domain import vn
from etl.domain.periods import Period, PeriodError, parse_period
from etl.intake.narrative.text import Paragraph

_TYPES = {"phuong": "Phường", "xa": "Xã", "dac khu": "Đặc khu", "thi tran": "Thị trấn"}
# Up to four words; only the leading capitalised ones are the name (a character class cannot say
# "upper case" for Vietnamese letters: À–Ỹ holds lower-case ones too).
_NAME = r"(\w+(?:\s+\w+){0,3})"
_MENTION = re.compile(r"(?i:(phường|xã|đặc khu|thị trấn))\s+" + _NAME)
# How strongly a mention says "this is us" (folded text before / after it).
_SPEAKS = (re.compile(r"(ubnd|uy ban nhan dan)\s+$"), 2)
_FOUNDED = (re.compile(r"^\s*(duoc thanh lap|bao cao|tren dia ban|trong nam)"), 4)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class UnitFound:
    code: str
    name: str
    evidence: str
    others: tuple[str, ...]      # other units the text names


@dataclass(frozen=True)
class PeriodFound:
    period: Period
    evidence: str
    note: str | None = None      # the title says more than the figures cover


def _candidates(units) -> dict[tuple[str, str], list]:
    """(folded type, folded name) → registry units with it."""
    out: dict[tuple[str, str], list] = {}
    for u in units.values():
        kind = vn.fold(u.type_label)
        bare = u.name.split(" (cũ")[0]
        bare = bare[len(u.type_label):].strip() if bare.startswith(u.type_label) else bare
        out.setdefault((kind, vn.fold(bare)), []).append(u)
    return out


def _capitalised(name: str) -> list[str]:
    words = []
    for w in name.split():
        if not (w[0].isupper() or w[0].isdigit()):
            break
        words.append(w)
    return words


def _match(kind: str, name: str, table: dict) -> list:
    words = _capitalised(name)
    if not words:
        return []
    name = " ".join(words)
    # The longest prefix of the capitalised words that names a unit ("Việt Hòa được" → "Việt Hòa").
    for n in range(len(words), 0, -1):
        key = (kind, vn.fold(" ".join(words[:n])))
        if key in table:
            return table[key]
    names = [k[1] for k in table if k[0] == kind]
    close = difflib.get_close_matches(vn.fold(name), names, n=1, cutoff=0.88)
    return table[(kind, close[0])] if close else []


def find_unit(paragraphs: list[Paragraph], units, period: Period | None) -> UnitFound | None:
    """The reporting unit among the registry's `units` (etl.intake.units.load_units)."""
    table = _candidates(units)
    scores: dict[str, float] = {}
    evidence: dict[str, tuple[float, str]] = {}
    for par in paragraphs:
        for m in _MENTION.finditer(par.text):
            found = _match(vn.fold(m.group(1)), m.group(2), table)
            if not found:
                continue
            # Of a code's units, the one that existed at the period's end (else today's).
            day = period.end if period else date.max
            unit = next((u for u in found if u.valid_on(day)), None) or \
                next((u for u in found if u.is_current), found[0])
            name_end = m.start(2) + len(" ".join(_capitalised(m.group(2))))   # single-spaced text
            before, after = par.folded[max(0, m.start() - 25):m.start()], par.folded[name_end:name_end + 30]
            weight = 1.0
            if _SPEAKS[0].search(before):
                weight += _SPEAKS[1]
            if _FOUNDED[0].search(after):
                weight += _FOUNDED[1]
            if par.index <= 3:                       # the header (place-and-date line)
                weight += 2
            scores[unit.code] = scores.get(unit.code, 0) + weight
            if weight > evidence.get(unit.code, (0, ""))[0]:
                sentence = next((par.text[a:b] for a, b in par.sentences() if a <= m.start() < b), par.text)
                evidence[unit.code] = (weight, sentence.strip())
    # The place-and-date line names the unit without its type: «Việt Hòa, ngày 22 tháng 11 năm 2025».
    for par in paragraphs[:6]:
        m = re.match(r"^\s*" + _NAME + r"\s*,\s*ngày", par.text)
        if m and _capitalised(m.group(1)):
            for kind in _TYPES:
                for u in table.get((kind, vn.fold(" ".join(_capitalised(m.group(1))))), []):
                    if u.is_current or (period and u.valid_on(period.end)):
                        scores[u.code] = scores.get(u.code, 0) + 2
                        evidence.setdefault(u.code, (2, par.text))
    if not scores:
        return None
    best = max(scores, key=lambda c: (scores[c], c))
    others = tuple(units[c].name for c in sorted(scores, key=lambda c: -scores[c]) if c != best)
    return UnitFound(best, units[best].name, evidence[best][1], others)


def _date(d: str, m: str, y: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


_RANGE = re.compile(r"tu (?:ngay )?(\d{1,2})/(\d{1,2})/(\d{4}) (?:den|toi) (?:ngay )?(\d{1,2})/(\d{1,2})/(\d{4})")
_HALF = re.compile(r"6 thang (dau|cuoi) nam\b(?:\W+(\d{4}))?")
_FIRST_MONTHS = re.compile(r"\b(9|3) thang dau nam\b(?:\W+(\d{4}))?")
# «… năm 2025, phương hướng, nhiệm vụ năm 2026»: what follows is the plan, not the period.
_PLAN = re.compile(r"\W*\b(?:va )?(?:phuong huong|nhiem vu|ke hoach)\b")
_QUARTER = re.compile(r"quy (iv|iii|ii|i|[1-4])(?: nam |/)(\d{4})")
_MONTH = re.compile(r"\bthang (\d{1,2})(?: nam |/)(\d{4})")
_MULTI = re.compile(r"giai doan (\d{4}) ?[-–—] ?(\d{4})|(\d{4}) ?[-–—] ?(\d{4})")
_YEAR = re.compile(r"\bnam (\d{4})\b")


def _title(paragraphs: list[Paragraph]) -> Paragraph | None:
    """The report's title: the paragraph after «BÁO CÁO» (or one starting with it)."""
    for i, par in enumerate(paragraphs[:15]):
        if par.folded.strip().startswith("bao cao"):
            rest = par.folded.strip()[len("bao cao"):].strip()
            if rest:
                return par
            return paragraphs[i + 1] if i + 1 < len(paragraphs) else None
    return None


def _title_period(par: Paragraph) -> Period | None:
    f = par.folded
    plan = _PLAN.search(f)
    year = _YEAR.search(f[plan.end():]) if plan else None     # «6 tháng đầu năm, phương hướng … năm 2026»
    if plan and plan.start() > 0:
        f = f[:plan.start()]
    if (m := _HALF.search(f)) and (m[2] or year):
        return parse_period(f"{m[2] or year[1]}-H{1 if m[1] == 'dau' else 2}")
    if (m := _FIRST_MONTHS.search(f)) and (m[2] or year):
        y = int(m[2] or year[1])
        return parse_period(f"{y}-Q1" if m[1] == "3" else f"{y}-01-01:{y}-09-30")
    if m := _QUARTER.search(f):
        return parse_period(f"{m[2]}-Q{_ROMAN[m[1]]}")
    if m := _MONTH.search(f):
        return parse_period(f"{m[2]}-{int(m[1]):02d}")
    if (m := _MULTI.search(f)) and ("tong ket" in f or "giai doan" in f):
        y1, y2 = (m[1], m[2]) if m[1] else (m[3], m[4])
        return parse_period(f"{y1}-{y2}")
    if m := _YEAR.search(f):
        return parse_period(m[1])
    return None


def find_period(paragraphs: list[Paragraph]) -> PeriodFound | None:
    title = _title(paragraphs)
    stated = None
    for par in paragraphs:
        if m := _RANGE.search(par.folded):
            start, end = _date(m[1], m[2], m[3]), _date(m[4], m[5], m[6])
            if start and end and start <= end:
                stated = (start, end, par)
                break
    titled = _title_period(title) if title else None
    if stated:
        start, end, par = stated
        try:
            period = parse_period(f"{start:%Y-%m-%d}:{end:%Y-%m-%d}")
        except PeriodError:
            period = None
        if period and (titled is None or (titled.start <= start and end <= titled.end
                                          and (start, end) != (titled.start, titled.end))):
            note = None
            if titled is not None:
                note = (f"Tiêu đề ghi «{titled.label}» nhưng số liệu được nêu cho {period.label.lower()} "
                        f"({vn.format_number(period.days)} ngày): dùng khoảng thời gian này.")
            return PeriodFound(period, par.text, note)
    if titled:
        return PeriodFound(titled, title.text)
    return None
