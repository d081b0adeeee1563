"""Figures of a narrative report: which number is which indicator, with the sentence it came from.

What announces an indicator is data (data/narrative_phrases.csv): the unit words that follow its
number («người», «lượt», «đơn»…), the cue words around it («tiếp», «đối thoại», «phản ánh, kiến
nghị»…), words that rule it out nearby, the phrases that mean 0 after «không có», and for a part
the whole it is written with («32/33 vụ»: 32 successful of 33 cases). A new phrasing is a new
row there, not Python.

A number is read with the unit right after it; its indicator is the row whose cues are nearest
(a few words before the number or after its unit; the sentence as a weaker fallback) and whose
excluding words are not nearby. Two candidates for one indicator: the better is kept, the others
are listed with their evidence, never added up.
"""
import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from etl.intake.narrative.numbers import Number, numbers
from etl.intake.narrative.text import Paragraph, fold_keep

PHRASES_FILE = Path(__file__).resolve().parents[3] / "data" / "narrative_phrases.csv"
NEAR_BEFORE, NEAR_AFTER = 9, 5           # words around a number where cues count as near
_ZERO = re.compile(r"\b(?:khong co|khong phat sinh|khong xay ra|khong de xay ra|chua co|khong)\s+"
                   r"([^.;:!?]{0,70})")


_LABELLED_ZERO = re.compile(r"([^.;:]{3,90}):\s*(khong co|khong|chua co|chua phat sinh)\s*[.;]?\s*$")


@dataclass(frozen=True)
class Row:
    indicator: str
    units: tuple[str, ...]       # folded
    cues: tuple[str, ...]
    not_cues: tuple[str, ...]
    zero: tuple[str, ...]
    whole: str | None


@dataclass
class Candidate:
    indicator: str
    value: float
    approximate: bool
    evidence: str                # the sentence, as written
    location: str                # "đoạn 31"
    span: tuple[int, int]        # the number within the evidence
    score: int
    percent_note: str | None = None

    def marked(self, around: int | None = None) -> str:
        """The sentence with its number marked ⟦30.575⟧ (plain characters, never markup); with
        around, only that many characters each side of it."""
        a, b = self.span
        text = self.evidence
        if not (0 <= a < b <= len(text)):
            return " ".join(text.split())
        left, right = text[:a], text[b:]
        if around is not None:
            left = ("…" if len(left) > around else "") + left[-around:]
            right = right[:around] + ("…" if len(right) > around else "")
        return " ".join(f"{left}⟦{text[a:b]}⟧{right}".split())


@dataclass
class Found:
    values: dict[str, tuple[Candidate, list[Candidate]]] = field(default_factory=dict)
    notes: list[tuple[str, str, str]] = field(default_factory=list)      # (kind, text, evidence)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(fold_keep(x.strip()) for x in (cell or "").split("|") if x.strip())


def load_rows(path: Path = PHRASES_FILE) -> list[Row]:
    with open(path, encoding="utf-8", newline="") as f:
        return [Row(r["indicator"], _split(r["units"]), _split(r["cues"]), _split(r["not_cues"]),
                    _split(r["zero"]), r["whole"] or None) for r in csv.DictReader(f)]


def _words(folded: str) -> list[str]:
    return folded.split()


_PUNCT = re.compile(r"[^\w²]+")


def _has(window: str, phrases) -> bool:
    padded = f" {_PUNCT.sub(' ', window).strip()} "
    return any(f" {_PUNCT.sub(' ', p).strip()} " in padded for p in phrases)


def _unit_after(folded: str, end: int, units: list[str]) -> str | None:
    rest = " ".join(folded[end:end + 40].replace("/", " / ").split())
    for u in units:                               # longest first
        if rest == u or rest.startswith(u + " ") or rest.startswith(u + ",") or \
                rest.startswith(u + ".") or rest.startswith(u + ";") or rest.startswith(u + ")"):
            return u
    return None


def _score(row: Row, unit: str, near: str, sentence: str, own_clause: str) -> int | None:
    """near: a few words before the number and its clause after the unit; own_clause: the same
    without words of earlier clauses (where excluding words count)."""
    if unit not in row.units:
        return None
    if row.not_cues and _has(own_clause, row.not_cues):
        return None
    score = 3
    if row.cues:
        if _has(near, row.cues):
            score += 3
        elif _has(sentence, row.cues):
            score += 1
        else:
            return None
    return score


def _sentence_candidates(par: Paragraph, a: int, b: int, rows: list[Row], units: list[str]) -> list[Candidate]:
    text, folded = par.text[a:b], par.folded[a:b]
    offset = len(text) - len(text.lstrip())          # evidence is the stripped sentence
    found = []
    nums = numbers(text, folded)
    for i, n in enumerate(nums):
        if n.percent or n.change:
            continue
        # "32/33 vụ": the first number takes the unit written after the second.
        pair_next = (nums[i + 1] if i + 1 < len(nums) and text[n.end:nums[i + 1].start].strip() == "/"
                     else None)
        unit = _unit_after(folded, (pair_next or n).end, units)
        head = folded[:n.start].rstrip()
        labelled, label = unit is None and head.endswith(":"), ""
        if labelled:                                     # «Số cuộc đối thoại: 03»
            label = re.split(r"[;.()]", head[:-1])[-1]
            unit = _unit_in_label(label, units)
        if unit is None:
            continue
        before_words = _words(folded[:n.start])[-NEAR_BEFORE:]
        before = " ".join(before_words)
        close = " ".join(before_words[-3:])
        # After the unit: up to the next clause break or number (the next figure's words are its own).
        after_unit = folded[(pair_next or n).end:]
        clause = re.split(r"[,;.:()]|\d", after_unit, maxsplit=1)[0]
        right = " ".join(_words(clause)[:len(unit.split()) + NEAR_AFTER])
        own = label if labelled else re.split(r"[,;:(]", folded[:n.start])[-1]
        own_clause = " ".join(_words(own)[-NEAR_BEFORE:]) + " " + right
        best = None
        for row in rows:
            sc = _score(row, unit, before + " " + right, folded, own_clause)
            if sc is not None and row.cues and (_has(close, row.cues) or _has(right, row.cues)):
                sc += 1                                  # the nearest cue wins a tie
            if sc is not None and (best is None or sc > best[0]):
                best = (sc, row)
        if best is None:
            continue
        s, row = best
        evidence, location = text.strip(), f"đoạn {par.index}"
        if pair_next is not None and row.whole:
            found.append(Candidate(row.indicator, n.value, n.approximate, evidence, location,
                                   (n.start - offset, n.end - offset), s))
            found.append(Candidate(row.whole, pair_next.value, pair_next.approximate, evidence,
                                   location, (pair_next.start - offset, pair_next.end - offset), s))
            nums[i + 1] = Number(pair_next.start, pair_next.end, pair_next.value, pair_next.text,
                                 pair_next.approximate, True)     # taken
        else:
            found.append(Candidate(row.indicator, n.value, n.approximate, evidence, location,
                                   (n.start - offset, n.end - offset), s))
    # «Số cán bộ, công chức vi phạm: không.» — a label answered «không».
    if m := _LABELLED_ZERO.search(folded):
        for row in rows:
            if row.zero and _has(m.group(1), row.zero):
                found.append(Candidate(row.indicator, 0.0, False, text.strip(), f"đoạn {par.index}",
                                       (m.start(2) - offset, m.end(2) - offset), 2))
    for m in _ZERO.finditer(folded):
        span = m.group(1)
        for row in rows:
            if row.zero and _has(span, row.zero):
                found.append(Candidate(row.indicator, 0.0, False, text.strip(), f"đoạn {par.index}",
                                       (m.start() - offset, m.end() - offset), 2))
    return found


_CELL_NUMBER = re.compile(r"^\s*(?:gần|khoảng|hơn|trên)?\s*\d[\d.,]*\s*$")


def _table_row(par: Paragraph, units: list[str]) -> Paragraph:
    """A table row ("Tiếp công dân | lượt | 36", cells joined by " | ") as the sentence it says:
    "Tiếp công dân 36 lượt", or "Số cuộc đối thoại: 3" when no cell is a unit (the label then
    holds it); the last number of the row when it has several (the period's column)."""
    cells = [c.strip() for c in par.text.strip().strip("|").split("|")]
    numeric = [i for i, c in enumerate(cells) if _CELL_NUMBER.match(c)]
    if not numeric:
        return par
    unit = next((c for i, c in enumerate(cells) if i not in numeric and fold_keep(c).strip() in units), "")
    label = " ".join(c for i, c in enumerate(cells)
                     if i not in numeric and c != unit and not re.fullmatch(r"\d{1,2}\.?", c))
    number = cells[numeric[-1]]
    text = (f"{label} {number} {unit}" if unit else f"{label}: {number}").strip() + "."
    return Paragraph(par.index, text, fold_keep(text))


def _unit_in_label(label: str, units: list[str]) -> str | None:
    """«Tổng số lượt tiếp công dân: 36»: the label's head noun is the first unit word in it."""
    padded = f" {_PUNCT.sub(' ', label).strip()} "
    at = [(padded.find(f" {u} "), -len(u), u) for u in units if f" {u} " in padded]
    return min(at)[2] if at else None


# Where a report sets targets rather than reports results: a section «PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM
# 2026» (to the next section heading), and sentences «phấn đấu …», «dự kiến …».
_HEADING = re.compile(r"^\s*(?:[IVX]{1,4}[.)]|[A-D][.)]|phan [ivx\d]+\b)")
_PLAN_HEADING = re.compile(r"phuong huong|nhiem vu (?:trong tam|nam|thoi gian|\d|6|quy)|ke hoach .*toi|"
                           r"giai phap .*toi")
_TARGET = re.compile(r"\b(?:phan dau|du kien|muc tieu|chi tieu de ra nam|se to chuc)\b")


def _is_heading(par: Paragraph) -> bool:
    letters = [ch for ch in par.text if ch.isalpha()]
    return len(par.text) < 160 and (bool(_HEADING.match(par.folded)) or
                                    (len(letters) > 3 and all(ch.isupper() for ch in letters)))


def find_figures(paragraphs: list[Paragraph], rows: list[Row] | None = None) -> Found:
    rows = rows or load_rows()
    units = sorted({u for r in rows for u in r.units}, key=len, reverse=True)
    by_indicator: dict[str, list[Candidate]] = {}
    out = Found()
    plan, plan_noted = False, False
    for par in paragraphs:
        if _is_heading(par) and not par.folded.lstrip().startswith("ket qua"):
            plan = bool(_PLAN_HEADING.search(par.folded)) and "ket qua" not in par.folded
        row_text = par.text if " | " in par.text or par.text.lstrip().startswith("|") else None
        if row_text:
            par = _table_row(par, units)
        for a, b in par.sentences():
            found = _sentence_candidates(par, a, b, rows, units)
            if found and (plan or _TARGET.search(par.folded[a:b])):
                if not plan_noted:
                    out.notes.append(("target", "Số liệu trong phần phương hướng, chỉ tiêu phấn đấu không "
                                                "được lấy (là mục tiêu, không phải kết quả).",
                                      par.text[a:b].strip()))
                    plan_noted = True
                continue
            for c in found:
                if row_text:     # the evidence is the row as written
                    number = c.evidence[c.span[0]:c.span[1]]
                    at = row_text.rfind(number)
                    c.evidence, c.span = row_text, (at, at + len(number))
                by_indicator.setdefault(c.indicator, []).append(c)
            for n in numbers(par.text[a:b], par.folded[a:b]):
                if n.percent:
                    out.notes.append(("rate", f"Tỷ lệ {n.text}% (không lưu thành số lượng)",
                                      par.text[a:b].strip()))
    for indicator, cands in by_indicator.items():
        # The same figure said twice is one candidate.
        unique = []
        for c in cands:
            if not any(u.value == c.value and u.evidence == c.evidence for u in unique):
                unique.append(c)
        unique.sort(key=lambda c: (-c.score, -c.value))
        best = unique[0]
        # Another sentence saying the same value agrees with it; only different values compete.
        out.values[indicator] = (best, [c for c in unique[1:] if c.value != best.value])
    return out
