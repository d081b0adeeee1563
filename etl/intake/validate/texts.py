"""How a finding shows what was typed and what was read: Vietnamese number forms."""
import math
from datetime import date, datetime, time

from etl.domain import vn


def plain_number(value: float) -> str:
    """1020 -> '1020', 19.94 -> '19,94': what the reader made of a text, without grouping."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value)).replace(".", ",")


def as_typed(raw) -> str:
    """A cell's content as the person typed it, in Vietnamese number form."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, (int, float)) and math.isfinite(raw):
        return plain_number(raw)
    if isinstance(raw, (date, datetime, time)):
        return vn.format_date(raw) if isinstance(raw, date) else raw.isoformat()
    return "" if raw is None else str(raw)


def fmt(value: float) -> str:
    return vn.format_number(value, None if abs(value) >= 1 or value == 0 else 4)
