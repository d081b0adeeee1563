"""What a report is checked against: the indicators, the rules across them, the units, and
load_reference, which reads them all from the database."""
import operator
from dataclasses import dataclass, field

from etl.domain import dvk
from etl.intake.units import Unit, load_units

OPS = {"=": operator.eq, "==": operator.eq, "<=": operator.le, ">=": operator.ge,
       "<": operator.lt, ">": operator.gt, "!=": operator.ne}


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    kind: str               # flow | stock | score
    value_type: str         # integer | decimal
    min_value: float | None
    max_value: float | None


@dataclass(frozen=True)
class Rule:
    rule_id: str
    left: tuple[str, ...]
    op: str
    right: tuple[str, ...]
    severity: str
    message: str


@dataclass
class Catalogue:
    indicators: dict[str, Indicator]
    rules: list[Rule]
    options: dict[str, list[str]] = field(default_factory=dict)   # dvk_options lists
    statuses: dict[str, str] = field(default_factory=dict)        # {meaning: status value}


def parse_rule(rule_id, left, op, right, severity, message) -> Rule:
    def side(expr):
        return tuple(part.strip() for part in expr.split("+") if part.strip())
    if op not in OPS:
        raise ValueError(f"rule {rule_id}: unknown operator {op!r}")
    return Rule(rule_id, side(left), op, side(right), severity, message)


def load_reference(con) -> tuple[Catalogue, dict[str, Unit]]:
    indicators = {r[0]: Indicator(*r) for r in con.execute(
        "SELECT code, label, unit, kind, value_type, min_value, max_value FROM indicators "
        "ORDER BY sort_order").fetchall()}
    rules = [parse_rule(*r) for r in con.execute(
        "SELECT rule_id, left_expr, op, right_expr, severity, message FROM rules "
        "ORDER BY rule_id").fetchall()]
    return (Catalogue(indicators, rules, dvk.load_options(con), dvk.load_statuses(con)),
            load_units(con))
