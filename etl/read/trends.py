"""Indicators over time: one series of periods of one kind and convention, for the units a
reader follows and the median of all units with their quartiles (the spread around it)."""
import pandas as pd

from etl.read._sql import CATALOGUE, NEEDED, VALS, df, in_province, per_10000, with_
from etl.read.scope import Scope

MEDIAN_LABEL = "Trung vị các đơn vị"
# The band between p25 and p75: where the middle half of the units lie.
QUARTILES_LABEL = "Một nửa số đơn vị ở khoảng giữa (phân vị 25–75)"


# The periods of the series: one kind and convention; a range only with the same day-and-month
# span as the scope's period ($p).
_SERIES = """
anchor AS (SELECT strftime(start_date, '%m-%d') AS md_start, strftime(end_date, '%m-%d') AS md_end
           FROM periods WHERE period_key = $p),
ps AS (SELECT p.* FROM periods p WHERE p.kind = $kind AND p.convention = $conv
       AND ($kind <> 'range' OR EXISTS (SELECT 1 FROM anchor a
                                        WHERE a.md_start = strftime(p.start_date, '%m-%d')
                                          AND a.md_end = strftime(p.end_date, '%m-%d')))
       AND (p.period_key IN (SELECT period_key FROM reported_periods)
            -- on today's boundaries, 2025 added up from its two halves
            OR ($today AND p.period_key IN (SELECT period_key FROM period_halves)))),
sel AS (SELECT * FROM catalogue WHERE code = $code),
k AS (SELECT * FROM sel)"""

# Each unit's metric per period: its value, or per 10,000 residents with the period's own
# population, else the latest earlier one (only those few units' reports are sorted for the
# ASOF join).
_UNIT_VALUES = """
cv AS (SELECT unit_code, period_key, end_date, indicator_code, value, estimated
       FROM boundary_values($unrev, $today, $halves)
       -- The kind as a plain equality too: it reaches every scan of the macro (zone maps skip the
       -- other kinds); the semi-joins below do not cross its UNION.
       WHERE period_kind = $kind AND period_key IN (SELECT period_key FROM ps)
         AND indicator_code IN (SELECT code FROM needed)),""" + VALS + """,
reported AS (
    SELECT v.unit_code, v.period_key, v.end_date, v.value, pe.value AS period_population,
           v.estimated
    FROM vals v
    LEFT JOIN cv pe ON $pc AND pe.indicator_code = 'population'
                   AND pe.unit_code = v.unit_code AND pe.period_key = v.period_key
    WHERE v.code = $code),
gaps AS (SELECT DISTINCT unit_code, end_date FROM reported WHERE $pc AND period_population IS NULL),
pop AS (SELECT unit_code, end_date, value AS population FROM population_values($unrev, $today, $halves)
        WHERE $pc AND unit_code IN (SELECT unit_code FROM gaps)),
filled AS (SELECT g.unit_code, g.end_date, ph.population FROM gaps g
           ASOF LEFT JOIN pop ph ON ph.unit_code = g.unit_code AND g.end_date >= ph.end_date),
unit_values AS (
    SELECT r.unit_code, r.period_key, r.end_date, r.estimated,
           """ + per_10000("r.value", "coalesce(r.period_population, f.population)") + """ AS metric
    FROM reported r CROSS JOIN k LEFT JOIN filled f USING (unit_code, end_date))"""

# The followed units' lines, then the median of the scope's units (followed units show wherever
# they are).
_LINES = """
chosen AS (SELECT u.code, u.name, u.name_sort FROM units u
           WHERE list_contains($units::VARCHAR[], u.code))
SELECT * EXCLUDE (name_sort) FROM (
    SELECT ps.period_key, ps.label AS period_label, ps.start_date, ps.end_date,
           c.code AS unit_code, c.name AS series, false AS is_median,
           uv.metric AS value, NULL::BIGINT AS units_reported, coalesce(uv.estimated, false) AS estimated,
           NULL::DOUBLE AS p25, NULL::DOUBLE AS p75, c.name_sort
    FROM ps CROSS JOIN chosen c
    LEFT JOIN unit_values uv ON uv.period_key = ps.period_key AND uv.unit_code = c.code
    UNION ALL
    SELECT ps.period_key, ps.label, ps.start_date, ps.end_date, NULL, $median, true,
           median(uv.metric), count(uv.metric), coalesce(bool_or(uv.estimated), false),
           -- interpolated like median(), so p25 <= median <= p75 on the same units
           quantile_cont(uv.metric, 0.25), quantile_cont(uv.metric, 0.75), NULL
    FROM ps LEFT JOIN (SELECT * FROM unit_values WHERE """ + in_province("unit_code") + """) uv
         USING (period_key)
    GROUP BY ALL)
ORDER BY is_median, name_sort, unit_code, end_date"""


def trend(con, scope: Scope, code: str, kind: str = "year", unit_codes=(),
          per_capita: bool = False, convention: str = "calendar") -> pd.DataFrame:
    """One indicator over all periods of one kind and convention, for chosen units and the median.

    Irregular ranges form a series only with the same day-and-month span as the scope's period
    (01/07–20/11 of each year): different ranges are never mixed.

    One row per period and series: series = unit name, or MEDIAN_LABEL (is_median) for the median
    over all units that reported in that period. value is NULL where a unit did not report. p25
    and p75 (median rows only): the 25th and 75th percentiles over the same units, so half of
    them lie between.
    """
    return df(con, with_(CATALOGUE, _SERIES, NEEDED, _UNIT_VALUES).rstrip("\n") + ",\n" + _LINES,
              scope.params(code=code, kind=kind, conv=convention, pc=bool(per_capita),
                           units=[str(u) for u in unit_codes], median=MEDIAN_LABEL))
