"""The assessment: totals (only with all criteria), ratings, ranks, the years.

The criteria are the catalogue's score indicators (data/indicators.csv, kind score). A total
exists only when every criterion is reported (never a sum of fewer), and the rating comes from
table rating_thresholds (the highest threshold the total reaches).
"""
from dataclasses import dataclass

import pandas as pd

from etl.read._sql import df, with_
from etl.read.city import previous_period
from etl.read.models import _UNITS
from etl.read.scope import Scope


def not_enough(required: int, reported=None) -> str:
    """"Chưa đủ 10 tiêu chí", or with the criteria reported "Chưa đủ 10 tiêu chí (7/10)"."""
    text = f"Chưa đủ {int(required)} tiêu chí"
    return text if reported is None else f"{text} ({int(reported)}/{int(required)})"


@dataclass(frozen=True)
class Criteria:
    count: int            # criteria a total needs
    max_each: float       # the highest score of one criterion
    max_total: float

    @property
    def not_enough(self) -> str:
        return not_enough(self.count)


def criteria(con) -> Criteria:
    n, top, total = con.execute(
        "SELECT count(*), max(max_value), sum(max_value) FROM indicators WHERE kind = 'score'").fetchall()[0]
    return Criteria(int(n), float(top or 0), float(total or 0))


def _scores(keys: str = "") -> str:
    """CTE sc: the criteria's scores of every year, or of the years keys names ("IN ($p)"): as
    constants, they let the scan skip the other years' values."""
    return """
sc AS (
    SELECT unit_code, period_key, indicator_code AS code, value
    FROM score_values($unrev, $today, $halves)
    WHERE ($prov IS NULL OR unit_code IN (SELECT code FROM units WHERE province_code = $prov))""" + (
        f" AND period_key {keys}" if keys else "") + """
)"""


_SCORES = _scores()


_TOTALS = """
tot AS (
    SELECT unit_code, period_key, count(*) AS n_criteria,
           -- rounded so 10 × 8,99 reaches 89,9 exactly (float sums drift below thresholds)
           CASE WHEN count(*) = $n THEN round(sum(value), 6) END AS total
    FROM sc WHERE period_key IN ($p, $prev) GROUP BY ALL
),
rated AS (
    SELECT t.*, r.rating, r.sort_order AS rating_order, r.colour
    FROM tot t ASOF LEFT JOIN rating_thresholds r ON t.total >= r.min_total
)"""



def assessment_years(con, scope: Scope) -> pd.DataFrame:
    """Year periods with at least one reported criterion, newest first."""
    return df(con, with_(_SCORES) + """
        SELECT p.period_key, p.label, p.end_date, count(DISTINCT sc.unit_code) AS units_scored
        FROM sc JOIN periods p USING (period_key)
        WHERE p.kind = 'year'
        GROUP BY ALL ORDER BY p.end_date DESC, p.period_key""", scope.params())


def assessment(con, scope: Scope) -> pd.DataFrame:
    """Per unit for the year: criteria reported and required, total (with every criterion
    only), rating (with its chart colour), rank, and the same for the year before. A unit with
    no criterion has n_criteria 0 and NULL total."""
    prev = previous_period(scope.period)
    c = criteria(con)
    return df(con, with_(_scores("IN ($p, $prev)"), _UNITS, _TOTALS) + """
        SELECT eu.unit_code AS code, eu.name, eu.type_label,
               coalesce(a.n_criteria, 0) AS n_criteria, $n AS n_required, $top AS max_total,
               a.total, a.rating, a.rating_order, a.colour,
               CASE WHEN a.total IS NOT NULL
                    THEN rank() OVER (PARTITION BY a.total IS NULL ORDER BY a.total DESC) END AS rank,
               count(a.total) OVER () AS n_ranked,
               $prev AS prev_period_key, coalesce(b.n_criteria, 0) AS prev_n_criteria,
               b.total AS prev_total, b.rating AS prev_rating, b.rating_order AS prev_rating_order
        FROM eu
        LEFT JOIN rated a ON a.unit_code = eu.unit_code AND a.period_key = $p
        LEFT JOIN rated b ON b.unit_code = eu.unit_code AND b.period_key = $prev
        ORDER BY a.total DESC NULLS LAST, a.n_criteria DESC NULLS LAST, eu.name_sort, eu.unit_code""",
        scope.params(prev=prev, n=c.count, top=c.max_total))


def assessment_scores(con, scope: Scope) -> pd.DataFrame:
    """Long table unit × criterion for the year (units with at least one criterion), with the
    median of each criterion over the units that reported it."""
    return df(con, with_(_scores("IN ($p)")) + """,
        crit AS (SELECT i.code, i.label, coalesce(a.short_name, i.label) AS short_name, i.sort_order,
                        i.max_value
                 FROM indicators i LEFT JOIN assessment_criteria a USING (code)
                 WHERE i.kind = 'score'),
        -- The medians and the units' order computed on their own rows, not as windows over
        -- every unit × criterion (national: 33.210 rows, two windows ~55 ms).
        med AS (SELECT code, median(value) AS median FROM sc GROUP BY code),
        scored AS (SELECT u.code AS unit_code, u.name, u.type_label, u.full_name,
                          row_number() OVER (ORDER BY u.name_sort, u.code) AS unit_order
                   FROM units u WHERE u.code IN (SELECT unit_code FROM sc))
        SELECT su.unit_code, su.name, su.type_label, su.full_name, c.code AS criterion, c.label,
               c.short_name, c.sort_order, c.max_value, v.value, m.median, su.unit_order
        FROM scored su
        CROSS JOIN crit c
        LEFT JOIN sc v ON v.unit_code = su.unit_code AND v.code = c.code
        LEFT JOIN med m ON m.code = c.code
        ORDER BY su.unit_order, c.sort_order""", scope.params())


def rating_distribution(con, scope: Scope) -> pd.DataFrame:
    """Per year and rating (plus Criteria.not_enough, without a colour): number of units, and the
    rating's chart colour. Only units with a criterion."""
    c = criteria(con)
    return df(con, with_(_SCORES) + """,
        years AS (SELECT period_key, label, end_date FROM periods WHERE kind = 'year'),
        tot AS (SELECT unit_code, period_key, count(*) AS n,
                       CASE WHEN count(*) = $n THEN round(sum(value), 6) END AS total
                FROM sc WHERE period_key IN (SELECT period_key FROM years) GROUP BY ALL),
        rated AS (SELECT t.*, r.rating, r.sort_order, r.colour
                  FROM tot t ASOF LEFT JOIN rating_thresholds r ON t.total >= r.min_total)
        SELECT y.period_key, y.label, y.end_date, coalesce(r.rating, $ne) AS rating,
               coalesce(r.sort_order, 999) AS sort_order, r.colour, count(*) AS units
        FROM rated r JOIN years y USING (period_key)
        GROUP BY ALL ORDER BY y.end_date, sort_order""",
        scope.params(n=c.count, ne=c.not_enough))

