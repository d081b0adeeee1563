"""Vietnamese text and number conventions: NFC names, diacritic-free search, collation, vi-VN numbers."""
import math
import re
import unicodedata
from datetime import date

NOT_REPORTED = "Chưa báo cáo"

# Marks that make a different letter (ă, â, ê, ô, ơ, ư) versus tone marks, which only rank second.
_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def fold(text: str) -> str:
    """Lower-case, diacritic-free form used for search: 'Thạch Khôi' -> 'thach khoi'."""
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def sort_key(text: str) -> str:
    """A string whose plain ordering is the Vietnamese alphabetical order (Ái Quốc sorts with A).

    Letters first (a < ă < â < b ... d < đ ...), tones only break ties, as in a Vietnamese dictionary.
    """
    primary, tones = [], []
    for ch in unicodedata.normalize("NFD", nfc(text).lower()):
        if ch in _TONE_MARKS:
            tones[-1:] = [_TONE_MARKS[ch]] if tones else []
            continue
        if ch in _LETTER_MARKS and primary:
            primary[-1] = primary[-1][0] + str(_LETTER_MARKS[ch])
            continue
        if unicodedata.combining(ch):
            continue
        primary.append(("d" if ch == "đ" else ch) + ("4" if ch == "đ" else "0"))
        tones.append(0)
    return "".join(primary) + "|" + "".join(str(t) for t in tones)


def unit_name(type_label, name, in_sentence: bool = False) -> str:
    """A unit's display name: 'Phường Việt Hòa' from its type label and name.

    in_sentence: 'phường Việt Hòa', as the type (a common noun) is written inside a sentence.
    """
    kind = str(type_label or "").strip()
    if in_sentence:
        kind = kind.lower()
    return f"{kind} {nfc(name)}".strip()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def registry_names(u: dict, province_name: str | None) -> tuple[str, str]:
    """A registry row's display name and its name in full, built once when the registry is loaded.

    Current unit: 'Phường Thạch Khôi' and 'Phường Thạch Khôi, Thành phố Hải Phòng (từ 01/07/2025)'.
    Old unit (valid_to set): 'Xã Liên Hồng (cũ, thành phố Hải Dương)' — names repeat across old
    districts — and 'Xã Liên Hồng, thành phố Hải Dương, tỉnh Hải Dương (đến 30/06/2025)'.
    """
    name = unit_name(u["type_label"], u["name"])
    if not u.get("valid_to"):
        since = f" (từ {format_date(date.fromisoformat(u['valid_from']))})" if u.get("valid_from") else ""
        return name, ", ".join(x for x in (name, _lower_first(province_name or "")) if x) + since
    district = u.get("former_district") or ""
    own_district = district and fold(district) != fold(name)
    short = f"{name} (cũ, {_lower_first(district)})" if own_district else f"{name} (cũ)"
    parts = [name] + ([_lower_first(district)] if own_district else [])
    parts += [_lower_first(u["former_province"])] if u.get("former_province") else []
    return short, ", ".join(parts) + f" (đến {format_date(date.fromisoformat(u['valid_to']))})"


def format_number(value, decimals: int | None = None, blank: str = NOT_REPORTED) -> str:
    """vi-VN: '.' groups thousands, ',' is the decimal mark. None/NaN means not reported."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return blank
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    text = f"{float(value):,.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if decimals and "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def format_percent(value, decimals: int = 1, blank: str = "—") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return blank
    return format_number(value * 100, decimals, blank) + "%"


def format_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_PLAIN = re.compile(r"^\d+(?:,\d+)?$")


def parse_vn_number(text: str) -> float:
    """Read a number typed as text in vi-VN form: '1.020' -> 1020, '19,94' -> 19.94, '-5' -> -5.

    Raises ValueError when the text is not a number in that form (e.g. '12.5', 'không').
    """
    s = nfc(text).replace("\u00a0", " ").replace(" ", "")
    negative = s.startswith("-")
    if negative:
        s = s[1:]
    if not (_GROUPED.match(s) or _PLAIN.match(s)):
        raise ValueError(text)
    value = float(s.replace(".", "").replace(",", "."))
    return -value if negative else value
