""""Dân vận khéo" models: how a model's name is matched across reports, and the option lists.

A ward writes the same model slightly differently from one year to the next («Ngày thứ 7 cùng
dân», " ngày thứ 7  cùng DÂN "), so models are matched per unit on a key that ignores case,
spacing, Unicode composition and quotes. Diacritics are kept: Vietnamese words can differ by
their marks alone.
"""
import re
import unicodedata
from dataclasses import dataclass

FIELD, RECOGNITION, STATUS = "field", "recognition", "status"
# What a status means to the counts: column meaning of data/dvk_options.csv.
ACTIVE, STOPPED = "active", "stopped"
MIN_YEAR = 1990     # the oldest "năm bắt đầu" taken as plausible ("Dân vận khéo" dates from 2009;
                    # some wards count older self-management models as theirs)

_QUOTES = "«»“”„‟\"'‘’‚‛`"
_DASHES = "‐‑‒–—―−-"


def name_key(text) -> str:
    """The matching key of a model name: NFC, no quotes, casefolded, single spaces."""
    s = unicodedata.normalize("NFC", str(text or ""))
    s = s.translate({ord(q): " " for q in _QUOTES})
    return " ".join(s.casefold().split())


def clean_name(text) -> str:
    """A model name as shown: NFC, single spaces, without surrounding quotes."""
    s = " ".join(unicodedata.normalize("NFC", str(text or "")).split())
    return s.strip(_QUOTES + " ")


def option_key(text) -> str:
    """Key to match a typed option with the list: case, spacing and kind of dash do not matter."""
    s = unicodedata.normalize("NFC", str(text or "")).casefold()
    s = re.sub(f"\\s*[{re.escape(_DASHES)}]\\s*", " – ", s)
    return " ".join(s.split())


@dataclass
class ModelRow:
    """One checked row of the models sheet, ready to store."""
    name: str
    name_key: str
    field: str
    lead_org: str | None
    year_started: int | None
    recognition: str | None
    status: str | None
    sheet: str
    row_number: int


def load_options(con) -> dict[str, list[str]]:
    """{list: [values in order]} from table dvk_options."""
    out: dict[str, list[str]] = {FIELD: [], RECOGNITION: [], STATUS: []}
    for lst, value in con.execute(
            "SELECT list, value FROM dvk_options ORDER BY list, sort_order, value").fetchall():
        out.setdefault(lst, []).append(value)
    return out


def load_statuses(con) -> dict[str, str]:
    """{meaning: status value} from table dvk_options, e.g. {"active": "Đang duy trì"}."""
    return dict(con.execute(
        "SELECT meaning, min(value) FROM dvk_options WHERE list = 'status' AND meaning IS NOT NULL "
        "GROUP BY meaning").fetchall())
