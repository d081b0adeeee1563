"""The whole city (or province, or country) in one period: totals against the same period a year
earlier, who was expected to report and who has not."""
import pandas as pd

from etl.domain.periods import PeriodError, from_key, same_period_last_year
from etl.read._sql import CATALOGUE, EXPECTED, VALS, df, in_province, rows, with_
from etl.read.scope import Scope


def previous_period(period_key: str | None) -> str | None:
    """The same period a year earlier ("cùng kỳ"), or None."""
    try:
        return same_period_last_year(from_key(period_key)).key if period_key else None
    except (PeriodError, ValueError):
        return None


def totals(con, scope: Scope) -> pd.DataFrame:
    """The value of every indicator and rate over the scope's units, for its period and for the
    same period a year earlier.

    Columns: code, group_name, label, unit, kind, value, units_reported, prev_period_key,
    prev_value, prev_units_reported, change, change_pct (NULL when the previous value is 0 or
    unknown).
    """
    return df(con, with_(
        CATALOGUE,
        # Two equality scans: an IN list of two periods is not used to skip row groups.
        "cv AS (SELECT unit_code, period_key, end_date, indicator_code, value, estimated "
        "FROM boundary_values($unrev, $today, $halves) WHERE period_key = $p AND " + in_province("unit_code") +
        " UNION ALL SELECT unit_code, period_key, end_date, indicator_code, value, estimated "
        "FROM boundary_values($unrev, $today, $halves) WHERE period_key = $prev AND "
        + in_province("unit_code") + ")",
        VALS, """
        agg AS (
            SELECT c.code, c.period_key,
                   -- FILTER: the median sorts only the scores, not every value of the period.
                   CASE any_value(k.kind)
                       WHEN 'score' THEN median(c.value) FILTER (WHERE k.kind = 'score')
                       WHEN 'rate' THEN sum(c.num) / nullif(sum(c.den), 0)
                       ELSE sum(c.value) END AS value,
                   count(*) AS units_reported, bool_or(c.estimated) AS estimated
            FROM vals c JOIN catalogue k USING (code)
            GROUP BY c.code, c.period_key
        )""") + """
        SELECT k.code, k.group_name, k.label, k.unit, k.kind, k.value_type, k.better,
               a.value, coalesce(a.units_reported, 0) AS units_reported,
               coalesce(a.estimated, false) AS estimated, coalesce(b.estimated, false) AS prev_estimated,
               $prev AS prev_period_key,
               b.value AS prev_value, coalesce(b.units_reported, 0) AS prev_units_reported,
               a.value - b.value AS change,
               CASE WHEN b.value <> 0 THEN (a.value - b.value) / b.value END AS change_pct
        FROM catalogue k
        LEFT JOIN agg a ON a.code = k.code AND a.period_key = $p
        LEFT JOIN agg b ON b.code = k.code AND b.period_key = $prev
        ORDER BY k.sort_order, k.code""", scope.params(prev=previous_period(scope.period)))


# Units with a report for the period (any state), or on today's boundaries with values from
# their old units.
_COVERED = """
covered AS (
    SELECT unit_code FROM submissions WHERE is_current AND period_key = $p
    UNION SELECT DISTINCT unit_code FROM boundary_values($unrev, $today, $halves)
    WHERE $today AND period_key = $p
)"""


def missing_units(con, scope: Scope) -> pd.DataFrame:
    """Units expected for the period that have no report for it (any state) and, on today's
    boundaries, no values from their old units either."""
    return df(con, with_("p AS (SELECT * FROM periods WHERE period_key = $p)", EXPECTED, _COVERED) + """
        SELECT e.unit_code AS code, e.name, e.type_label
        FROM expected e
        WHERE e.unit_code NOT IN (SELECT unit_code FROM covered)
        ORDER BY e.name_sort, e.unit_code""", scope.params())


def coverage(con, scope: Scope) -> dict:
    """Units expected for the period (of the province) and how many have reported (or, on today's
    boundaries, have values from their old units)."""
    [(expected, reported)] = rows(con, with_("p AS (SELECT * FROM periods WHERE period_key = $p)",
                                             EXPECTED, _COVERED) + """
        SELECT count(*), count(*) FILTER (WHERE unit_code IN (SELECT unit_code FROM covered))
        FROM expected""", scope.params())
    return {"expected": expected, "reported": reported}
