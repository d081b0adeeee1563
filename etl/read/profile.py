"""One unit: its latest stocks, the kinds of period it reports, its history and its ranks."""
from datetime import date

import pandas as pd

from etl.read._sql import BLANK_REASON, CATALOGUE, METRIC_VALUE, VALS, df, rows, with_
from etl.read.compare import one_period_metric
from etl.read.scope import Scope


def unit_latest_stocks(con, scope: Scope, unit_code: str,
                       as_of: date | None = None) -> pd.DataFrame:
    """The unit's latest reported value of each stock indicator (at or before as_of)."""
    return df(con, """
        SELECT i.code, i.label, i.unit, i.value_type,
               -- One key for all three, so value and label come from the same report; of
               -- periods ending the same day (month, quarter, year) the shortest is the freshest.
               arg_max(v.value, (v.end_date, v.start_date)) AS value,
               arg_max(p.label, (v.end_date, v.start_date)) AS period_label,
               max(v.end_date) AS end_date,
               arg_max(v.estimated, (v.end_date, v.start_date)) AS estimated
        FROM indicators i
        JOIN boundary_values($unrev, $today, $halves) v ON v.indicator_code = i.code AND v.unit_code = $u
             AND ($d IS NULL OR v.end_date <= $d)
        JOIN periods p ON p.period_key = v.period_key
        WHERE i.kind = 'stock'
        GROUP BY i.code, i.label, i.unit, i.value_type, i.sort_order
        ORDER BY i.sort_order""", scope.params(u=unit_code, d=as_of))


def unit_period_kinds(con, scope: Scope, unit_code: str) -> list[str]:
    """Kinds of period the unit has shown reports for, the kind of its latest period first."""
    return [k for (k,) in rows(con, """
        SELECT p.kind FROM (SELECT DISTINCT period_key FROM boundary_values($unrev, $today, $halves)
                            WHERE unit_code = $u) s JOIN periods p USING (period_key)
        GROUP BY p.kind ORDER BY max(p.end_date) DESC, p.kind""", scope.params(u=unit_code))]


def unit_history(con, scope: Scope, unit_code: str, kind: str | None = None) -> pd.DataFrame:
    """All values of one unit (indicators and rates) across periods, optionally of one kind."""
    return df(con, with_(
        CATALOGUE,
        "cv AS (SELECT unit_code, period_key, end_date, indicator_code, value, estimated "
        "FROM boundary_values($unrev, $today, $halves) "
        "WHERE unit_code = $u AND ($kind IS NULL OR period_kind = $kind))",
        VALS) + """
        SELECT k.code, k.group_name, k.label, k.unit, k.kind, k.value_type, k.sort_order,
               p.period_key, p.label AS period_label, p.kind AS period_kind,
               p.start_date, p.end_date, v.value, v.estimated
        FROM vals v JOIN catalogue k USING (code) JOIN periods p USING (period_key)
        ORDER BY k.sort_order, k.code, p.end_date, p.start_date DESC""",
        scope.params(u=unit_code, kind=kind))


def unit_ranks(con, scope: Scope, unit_code: str, per_capita: bool = False) -> pd.DataFrame:
    """The unit's value, metric and rank (1 = highest) among units for every indicator and rate."""
    # Aggregates over all units joined to this unit's row, rather than window functions over
    # every unit and indicator: the same rank (1 + units with a higher metric), far less sorting.
    return df(con, one_period_metric("true") + """,
        mine AS (SELECT *, """ + BLANK_REASON + """ FROM metric WHERE unit_code = $u),
        -- Every unit's metric from its reported values only: blanks neither rank nor count.
        reported AS (
            SELECT v.code, """ + METRIC_VALUE + """ AS metric
            FROM vals v JOIN sel k USING (code)
            LEFT JOIN cv pe ON pe.unit_code = v.unit_code AND pe.indicator_code = 'population'
            LEFT JOIN pop ph ON ph.unit_code = v.unit_code
            WHERE v.unit_code IN (SELECT unit_code FROM expected)),
        others AS (
            SELECT mine.code,
                   CASE WHEN any_value(mine.metric) IS NOT NULL
                        THEN 1 + count(*) FILTER (WHERE m.metric > mine.metric) END AS rank,
                   count(m.metric) AS n_ranked, median(m.metric) AS median_metric
            FROM mine LEFT JOIN reported m ON m.code = mine.code
            GROUP BY mine.code)
        SELECT r.code, k.group_name, r.label, k.unit, r.kind, k.value_type, r.value, r.metric,
               r.per_capita, r.estimated,
               r.reported, r.blank_reason, o.rank, o.n_ranked, o.median_metric
        FROM mine r JOIN others o USING (code) JOIN catalogue k USING (code)
        ORDER BY r.sort_order, r.code""", scope.params(u=unit_code, pc=bool(per_capita)))
