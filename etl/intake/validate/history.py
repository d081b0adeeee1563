"""The history checks: a value far from the unit's earlier reports or from the other units
(outliers), and a 0 where the unit's earlier reports give many (zero after large). Warnings
only: a person confirms them. The history is fetched by etl.intake.history_query."""
from dataclasses import dataclass, field

from etl.domain.findings import WARNING
from etl.intake.validate.catalogue import Catalogue
from etl.intake.validate.texts import fmt, plain_number

MIN_OWN_POINTS = 4          # earlier reports of the unit needed before judging a value against them
MIN_PEER_UNITS = 10         # other units needed before judging a value against them
FENCE = 3.0                 # how many IQRs outside the quartiles counts as "far"
ZERO_MIN_POINTS = 2         # a 0 after at least this many reports ...
ZERO_EXPECTED = 10          # ... whose typical level would give at least this many in the period


@dataclass(frozen=True)
class Stats:
    n: int
    q1: float
    median: float
    q3: float


@dataclass
class History:
    own: dict[str, Stats] = field(default_factory=dict)    # flows per day; stocks, scores as levels
    peers: dict[str, Stats] = field(default_factory=dict)  # flows per 10,000 residents per day
    population: float | None = None                        # latest known, when the report has none


def _typical(x: float) -> float:
    return round(x, 1) if abs(x) < 10 else round(x)


def _far(x: float, s: Stats) -> bool:
    spread = max(s.q3 - s.q1, 0.25 * abs(s.median))
    return spread > 0 and (x < s.q1 - FENCE * spread or x > s.q3 + FENCE * spread)


def check_history(catalogue: Catalogue, clean: dict, history: History, period, add) -> None:
    """At most one warning per indicator: zero after large, else far from its own reports,
    else (flows, per 10,000 residents) far from the other units."""
    days = period.days
    pop_row = clean.get("population")
    population = pop_row[0].value if pop_row else history.population
    for code, (row, cell) in clean.items():
        ind = catalogue.indicators[code]
        per = days if ind.kind == "flow" else 1
        own = history.own.get(code)
        label = f"«{ind.label}»"
        if (ind.kind == "flow" and row.value == 0 and own and own.n >= ZERO_MIN_POINTS
                and own.median * days >= ZERO_EXPECTED):
            add("zero_after_large", WARNING,
                f"{label} báo cáo 0 trong khi các kỳ trước của đơn vị thường có khoảng "
                f"{fmt(_typical(own.median * days))} {ind.unit} cho một kỳ dài như vậy: kiểm tra lại "
                "(0 = không có; chưa có số liệu thì để trống). Cần xác nhận.", cell, plain_number(row.value))
            continue
        if own and own.n >= MIN_OWN_POINTS and _far(row.value / per, own):
            add("outlier_history", WARNING,
                f"{label} = {fmt(row.value)} khác xa số liệu các kỳ trước của đơn vị (mức thường gặp "
                f"khoảng {fmt(_typical(own.median * per))} {ind.unit}"
                f"{' cho kỳ dài ' + str(days) + ' ngày' if per != 1 else ''}, từ {own.n} kỳ). "
                "Cần xác nhận.", cell, plain_number(row.value))
            continue
        peers = history.peers.get(code)
        if (ind.kind == "flow" and peers and peers.n >= MIN_PEER_UNITS and population
                and population > 0 and _far(row.value / days / population * 10000, peers)):
            typical = peers.median * days * population / 10000
            add("outlier_units", WARNING,
                f"{label} = {fmt(row.value)} khác xa các đơn vị khác: với dân số "
                f"{fmt(population)} người và kỳ dài {days} ngày, mức thường gặp khoảng "
                f"{fmt(_typical(typical))} {ind.unit} (trung vị của {peers.n} đơn vị, tính trên 10.000 "
                "dân). Cần xác nhận.", cell, plain_number(row.value))
