"""Units side by side in one period: the ranking of one indicator, the unit × indicator grid."""
import pandas as pd

from etl.read._sql import BLANK_REASON, CATALOGUE, EXPECTED, METRIC, NEEDED, POP_AT, VALS, df, with_
from etl.read.scope import Scope


def one_period_metric(codes_filter: str) -> str:
    """CTEs up to `metric` for all expected units of period $p and the catalogue rows chosen."""
    return with_(
        CATALOGUE,
        "p AS (SELECT * FROM periods WHERE period_key = $p)",
        EXPECTED,
        f"sel AS (SELECT * FROM catalogue WHERE {codes_filter})",
        NEEDED,
        "cv AS (SELECT unit_code, period_key, end_date, indicator_code, value, estimated "
        "FROM boundary_values($unrev, $today, $halves) WHERE period_key = $p "
        "AND indicator_code IN (SELECT code FROM needed))",
        VALS, POP_AT, METRIC)


def ranking(con, scope: Scope, code: str, per_capita: bool = False) -> pd.DataFrame:
    """Every expected unit for one indicator or rate in one period, highest first, blanks last.

    `metric` is the value, or the value per 10,000 residents when `per_capita` applies to the
    indicator (flows and stocks other than population and area). rank is 1 for the highest metric
    and NULL for units without one; n_ranked counts the units with a metric. blank_reason says
    why metric is NULL: not_reported, no_population (per capita) or undefined (rate over 0).
    """
    return df(con, one_period_metric("code = $code") + """
        SELECT unit_code AS code, name, type_label, value, num, den, reported, population,
               per_capita, metric, estimated, former_district, former_province, """ + BLANK_REASON + """,
               CASE WHEN metric IS NOT NULL
                    THEN rank() OVER (PARTITION BY metric IS NULL ORDER BY metric DESC) END AS rank,
               count(metric) OVER () AS n_ranked
        FROM metric
        ORDER BY metric DESC NULLS LAST, name_sort, unit_code""",
        scope.params(code=code, pc=bool(per_capita)))


def matrix(con, scope: Scope, group_name: str, per_capita: bool = False) -> pd.DataFrame:
    """Long unit × indicator table for one indicator group (one row per unit and indicator).

    pct_rank (0–1, among units with a metric for that indicator) lets a heatmap colour indicators
    on different scales alike; metric stays NULL where the unit did not report.
    """
    return df(con, one_period_metric("group_name = $g") + """
        SELECT unit_code AS code, name, type_label, code AS indicator_code, label, kind,
               sort_order, value, metric, per_capita, reported, estimated, """ + BLANK_REASON + """,
               CASE WHEN metric IS NOT NULL THEN percent_rank() OVER (
                    PARTITION BY code, metric IS NULL ORDER BY metric) END AS pct_rank,
               dense_rank() OVER (ORDER BY name_sort, unit_code) AS unit_order
        FROM metric
        ORDER BY unit_order, sort_order, indicator_code""",
        scope.params(g=group_name, pc=bool(per_capita)))


def by_old_district(con, scope: Scope, code: str) -> pd.DataFrame:
    """As reported (scope.boundaries 'reported'): one indicator per old district and province of
    the units that existed then — flows and stocks summed over the units that reported, rates
    from the summed parts, scores the median. Today's units (no old district) are one group."""
    return df(con, one_period_metric("code = $code") + """
        SELECT coalesce(former_province, '') AS former_province,
               coalesce(former_district, '') AS former_district, any_value(kind) AS kind,
               count(*) AS units, count(*) FILTER (WHERE reported) AS units_reported,
               CASE any_value(kind) WHEN 'score' THEN median(value)
                    WHEN 'rate' THEN sum(num) / nullif(sum(den), 0) ELSE sum(value) END AS value
        FROM metric
        GROUP BY ALL
        ORDER BY former_province, former_district""", scope.params(code=code, pc=False))
