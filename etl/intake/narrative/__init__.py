"""Narrative reports in: a report's text → a draft of the form, every figure with its sentence.

The text comes from etl.intake.documents (Word, PDF, scans, .txt). text.py cleans it into
paragraphs, numbers.py tells figures from numbers that name things, figures.py maps figures to
indicators by the phrases of data/narrative_phrases.csv, header.py finds the reporting unit and
the period. A person confirms the draft; it is then stored like any other report (the draft is the
ordinary form, filled: `etl extract -o`, or the upload page).
"""
import re
from dataclasses import dataclass, field

from etl.domain import vn
from etl.domain.periods import Period
from etl.intake.narrative.figures import Candidate, find_figures
from etl.intake.narrative.header import PeriodFound, UnitFound, find_period, find_unit
from etl.intake.narrative.text import paragraphs as split_paragraphs

# «mô hình “5 không 3 sạch”», or unquoted at a clause's start: «Mô hình hộ sản xuất kinh doanh giỏi
# 4 cấp của Hội Nông dân» (a lower-case «mô hình hoạt động của…» is prose, not a name).
_MODEL = re.compile(r"[Mm]ô hình(?:,? điển hình)?\s*[“\"]([^”\"]{3,90})[”\"]"
                    r"|(?:^|[;:.]\s)Mô hình\s+([a-zà-ỹđ][^“\";,.:()]{3,70}?)\s+(?:của|do)\s+[A-ZĐÀ-Ỹ]")
_NOT_A_MODEL = {"dan van kheo", "dan van kheo tieu bieu"}


@dataclass
class Draft:
    file: str
    sha256: str
    unit: UnitFound | None
    period: PeriodFound | None
    values: dict[str, tuple[Candidate, list[Candidate]]]
    models: list[tuple[str, str]] = field(default_factory=list)        # (name, evidence)
    notes: list[tuple[str, str, str]] = field(default_factory=list)    # (kind, text, evidence)

    def as_json(self) -> dict:
        """The shape `etl extract --json` prints (README)."""
        def value(c: Candidate, alts) -> dict:
            return {"indicator": c.indicator, "value": c.value, "approximate": c.approximate,
                    "evidence": c.evidence, "location": c.location,
                    "alternatives": [{"value": a.value, "approximate": a.approximate,
                                      "evidence": a.evidence, "location": a.location} for a in alts]}
        p = self.period
        return {
            "file": self.file, "sha256": self.sha256,
            "unit": ({"code": self.unit.code, "name": self.unit.name, "evidence": self.unit.evidence}
                     if self.unit else None),
            "period": ({"start": p.period.start.isoformat(), "end": p.period.end.isoformat(),
                        "kind": p.period.kind, "label": p.period.label, "evidence": p.evidence}
                       if p else None),
            "values": [value(c, alts) for c, alts in self.values.values()],
            "models": [{"name": n, "evidence": e} for n, e in self.models],
            "notes": [{"kind": k, "text": t, "evidence": e} for k, t, e in self.notes],
        }


def _models(paragraphs) -> list[tuple[str, str]]:
    out, seen = [], set()
    for par in paragraphs:
        for a, b in par.sentences():
            sentence = par.text[a:b]
            for m in _MODEL.finditer(sentence):
                name = vn.nfc((m.group(1) or m.group(2) or "").strip(" ,;"))
                key = vn.fold(name)
                if len(key) < 3 or key in _NOT_A_MODEL or key in seen:
                    continue
                seen.add(key)
                out.append((name, sentence.strip()))
    return out


def indicator_labels(con) -> dict[str, str]:
    """{code: label} of the catalogue: what a draft may hold, and how its notes name it."""
    return dict(con.execute("SELECT code, label FROM indicators").fetchall())


def extract(text: str, units, file_name: str = "", sha256: str = "", unit_code: str | None = None,
            period: Period | None = None, catalogue: dict | None = None) -> Draft:
    """The draft of one report. units: etl.intake.units.load_units(con); unit_code / period:
    what the person chose, which wins over what the text says (the text's guess becomes a note);
    catalogue: {indicator code: label} (etl.intake.narrative.indicator_labels) to keep and name."""
    pars = split_paragraphs(text)
    found_period = find_period(pars)
    notes = []
    if period is not None:
        if found_period and found_period.period.key != period.key:
            notes.append(("period", f"Văn bản ghi kỳ «{found_period.period.label}»; dùng kỳ đã chọn "
                                    f"«{period.label}».", found_period.evidence))
        found_period = PeriodFound(period, "(chọn khi nhập)")
    elif found_period and found_period.note:
        notes.append(("period", found_period.note, found_period.evidence))
    found_unit = find_unit(pars, units, found_period.period if found_period else None)
    if unit_code is not None and unit_code in units:
        if found_unit and found_unit.code != unit_code:
            notes.append(("unit", f"Văn bản ghi {found_unit.name}; dùng đơn vị đã chọn "
                                  f"{units[unit_code].name}.", found_unit.evidence))
        found_unit = UnitFound(unit_code, units[unit_code].name, "(chọn khi nhập)", ())
    elif found_unit and found_unit.others:
        notes.append(("unit", "Văn bản còn nhắc tới: " + "; ".join(found_unit.others[:8]) +
                      " (không phải đơn vị báo cáo).", found_unit.evidence))
    figures = find_figures(pars)
    values = figures.values
    if catalogue is not None:
        values = {k: v for k, v in values.items() if k in catalogue}
    for indicator, (best, alts) in values.items():
        if alts:
            name = (catalogue or {}).get(indicator, indicator)
            notes.append(("alternatives", f"«{name}»: {len(alts) + 1} số liệu khác nhau trong văn "
                                          f"bản; đề xuất {vn.format_number(best.value)}, xem các số "
                                          "khác kèm theo.", best.evidence))
    notes += figures.notes
    return Draft(file_name, sha256, found_unit, found_period, values, _models(pars), notes)
