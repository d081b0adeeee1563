"""How many units a chart draws: every unit up to a limit; beyond it the best, the worst and the
units the reader follows, in the chart's order. One rule for the screen (a page stays readable
and quick up to about a city's 114 units) and for 16:9 images and slides (about 20 rows).
Tables always keep every unit."""
from dataclasses import dataclass

import pandas as pd

from etl.domain import vn


@dataclass(frozen=True)
class Cap:
    limit: int      # draw every unit up to this many
    top: int        # beyond, a ranking draws the best ...
    bottom: int     # ... and the worst
    grid_rows: int  # and a unit × indicator grid (no single order) this many of the best


SCREEN = Cap(150, 20, 10, 20)
SLIDE = Cap(20, 10, 5, 20)


def capped(df: pd.DataFrame, has_value, cap: Cap, keep=()) -> pd.DataFrame:
    """The rows of df (chart order, best first; column `code`) to draw. has_value marks the rows
    with a value to rank: the best and worst are taken among them."""
    if len(df) <= cap.limit:
        return df
    valued = df.index[list(has_value)]
    chosen = set(valued[:cap.top]) | set(valued[-cap.bottom:] if cap.bottom else [])
    chosen |= set(df.index[df["code"].isin(list(keep))])
    return df[df.index.isin(chosen)]


def top_and_bottom(ranked: pd.DataFrame, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A ranking's n best (best first) and n worst (worst first): the overview's two tables."""
    return ranked.head(n), ranked.tail(n).iloc[::-1]


def capped_units(codes_best_first, cap: Cap, keep=()) -> list:
    """The units a unit × indicator grid draws: all up to the limit, else the followed units and
    the best others, `cap.grid_rows` rows (more when more units are followed)."""
    codes = list(dict.fromkeys(codes_best_first))
    if len(codes) <= cap.limit:
        return codes
    followed = [u for u in codes if u in set(keep)]
    others = [u for u in codes if u not in set(keep)]
    return (followed + others)[:max(cap.grid_rows, len(followed))]


def note(n_units: int, cap: Cap, keep=()) -> str:
    """What a capped chart's subtitle says ("" when nothing was left out)."""
    if n_units <= cap.limit:
        return ""
    return (f"biểu đồ: {cap.top} đơn vị cao nhất, {cap.bottom} thấp nhất"
            + (" và các đơn vị đang theo dõi" if keep else "")
            + f" trong {vn.format_number(n_units)} đơn vị; bảng số liệu có đủ")
