"""Read-only queries behind the dashboard: plain functions `(con, ...) -> pandas.DataFrame`.

Everything is set-based SQL with bound parameters, so the same queries stay fast when the warehouse
grows to millions of values. SQL text is assembled only from constant fragments defined here.

Conventions:
- A unit that did not report a value has a row with NULL value, never 0.
- City totals: flows and stocks are summed over the units that reported, scores take the median,
  rates (derived measures) divide summed numerators by summed denominators (never an average of rates).
- Per 10,000 residents uses the unit's population reported for that period, else its latest earlier
  reported population; unknown population gives an unknown per-capita value.
- A series holds one period kind and one convention only (a year and its quarters would double count).
- Values come from accepted reports only (macro shown_values, etl/db.py); include_unreviewed=True
  adds reports still awaiting review. Returned reports never count. Lists of periods and who has
  reported (periods, missing_units, dataset_info) count every current report.
"""
from datetime import date

import pandas as pd

from etl.domain.periods import PeriodError, from_key, same_period_last_year
from etl.warehouse import db

PER_CAPITA_KINDS = ("flow", "stock")
# Stocks that make no sense per resident.
NO_PER_CAPITA = ("population", "area_km2")
MEDIAN_LABEL = "Trung vị các đơn vị"
# Why a unit has no metric (column blank_reason): see BLANK_REASON.
NOT_REPORTED, NO_POPULATION, UNDEFINED = "not_reported", "no_population", "undefined"
_BLANK_REASON = """CASE WHEN metric IS NOT NULL THEN NULL WHEN NOT reported THEN 'not_reported'
                     WHEN per_capita THEN 'no_population' ELSE 'undefined' END AS blank_reason"""

# Indicators and derived rates in one list; a rate sits in its numerator's group, right after it.
_CATALOGUE = """
catalogue AS (
    SELECT code, group_name, label, unit, kind, value_type, sort_order,
           NULL::VARCHAR AS numerator, NULL::VARCHAR AS denominator
    FROM indicators
    UNION ALL
    SELECT dm.code, i.group_name, dm.label, dm.unit, 'rate', 'decimal', i.sort_order + 5,
           dm.numerator, dm.denominator
    FROM derived_measures dm JOIN indicators i ON i.code = dm.numerator
)"""

# Per (unit, period, code): the value, and for rates the parts. Needs a CTE `cv` before it.
_VALS = """
vals AS (
    SELECT unit_code, period_key, end_date, indicator_code AS code, value,
           NULL::DOUBLE AS num, NULL::DOUBLE AS den
    FROM cv
    UNION ALL
    SELECT n.unit_code, n.period_key, n.end_date, dm.code,
           CASE WHEN d.value > 0 THEN n.value / d.value END, n.value, d.value
    FROM derived_measures dm
    JOIN cv n ON n.indicator_code = dm.numerator
    JOIN cv d ON d.indicator_code = dm.denominator
             AND d.unit_code = n.unit_code AND d.period_key = n.period_key
)"""

# Reported populations, only when a query divides by population ($pc): each unit's latest report
# ending at or before period p. (A series fills its gaps with an ASOF join, see trend().)
_POP_AT = """
pop AS (
    SELECT unit_code, arg_max(value, end_date) AS population
    FROM shown_values($unrev)
    WHERE $pc AND indicator_code = 'population' AND end_date <= (SELECT end_date FROM p)
    GROUP BY unit_code
)"""

# Indicator codes a query reads: the chosen ones, the parts of chosen rates, and population.
# Needs a CTE `sel` with the chosen catalogue rows.
_NEEDED = """
needed AS (
    SELECT code FROM sel
    UNION SELECT numerator FROM sel WHERE numerator IS NOT NULL
    UNION SELECT denominator FROM sel WHERE denominator IS NOT NULL
    UNION SELECT 'population' WHERE $pc
)"""

# Units a period expects a report from: those valid during it; current units also for earlier
# periods, because a new unit reports for its present territory (domain rule). Needs CTE `p`.
_EXPECTED = """
expected AS (
    SELECT u.code AS unit_code, u.name, u.type_label, u.name_sort, u.name_folded,
           p.period_key, p.end_date
    FROM units u, p
    WHERE (u.valid_to IS NULL
           OR (u.valid_to >= p.start_date AND coalesce(u.valid_from, p.start_date) <= p.end_date)
           -- Not correlated, so the reports of the period are read once (not once per unit).
           OR u.code IN (SELECT s.unit_code FROM submissions s JOIN p USING (period_key)
                         WHERE s.is_current))
      AND ($prov IS NULL OR u.province_code = $prov)
)"""


# A unit of the chosen province ($prov; NULL = every province). Needs the column to test.
def _in_province(column: str) -> str:
    return f"($prov IS NULL OR {column} IN (SELECT code FROM units WHERE province_code = $prov))"


def _with(*ctes: str) -> str:
    return "WITH " + ",\n".join(c.strip() for c in ctes) + "\n"


def _df(con, sql: str, params=None) -> pd.DataFrame:
    return db.fetch_df(con, sql, params)


def per_capita_allowed(code: str, kind: str) -> bool:
    return kind in PER_CAPITA_KINDS and code not in NO_PER_CAPITA


# ---------------------------------------------------------------- reference lists

def dataset_info(con) -> dict:
    """Counts, the latest load time and whether the data are demo data."""
    n_subs, n_units, n_periods, last_loaded, demo = con.execute("""
        SELECT count(*), count(DISTINCT unit_code), count(DISTINCT period_key), max(loaded_at),
               coalesce(bool_or(source = 'demo'), false)
               OR EXISTS (SELECT 1 FROM meta WHERE key = 'demo' AND lower(value) IN ('true', '1'))
        FROM submissions WHERE is_current""").fetchone()
    return {"submissions": n_subs, "units": n_units, "periods": n_periods,
            "last_loaded": last_loaded, "demo": bool(demo)}


def periods(con) -> pd.DataFrame:
    """Periods that hold at least one report, newest first, with a label that shows partial coverage."""
    return _df(con, """
        SELECT p.period_key, p.label, p.kind, p.convention, p.start_date, p.end_date,
               datediff('day', p.start_date, p.end_date) + 1 AS days,
               count(*) AS units_reported,            -- one current report per unit
               p.label || CASE WHEN p.kind = 'range'
                    THEN ' (' || (datediff('day', p.start_date, p.end_date) + 1) || ' ngày)'
                    ELSE '' END AS display
        FROM periods p JOIN submissions s ON s.period_key = p.period_key AND s.is_current
        GROUP BY ALL
        ORDER BY p.end_date DESC, days DESC, p.period_key""")


def catalogue(con) -> pd.DataFrame:
    """Indicators and derived rates (kind 'rate'), in catalogue order."""
    return _df(con, _with(_CATALOGUE) + "SELECT * FROM catalogue ORDER BY sort_order, code")


def units(con) -> pd.DataFrame:
    """All units in Vietnamese alphabetical order."""
    return _df(con, """
        SELECT code, name, unit_type, type_label, name_folded, valid_from, valid_to,
               former_district, province_code
        FROM units ORDER BY name_sort, code""")


def provinces(con) -> pd.DataFrame:
    """Provinces with current units (code, name, n_units), by name."""
    return _df(con, """
        SELECT p.code, p.name, count(*) AS n_units
        FROM provinces p JOIN units u ON u.province_code = p.code AND u.valid_to IS NULL
        GROUP BY ALL ORDER BY p.name, p.code""")


def unit_info(con, unit_code: str) -> dict | None:
    df = _df(con, """
        SELECT code, name, type_label, valid_from, valid_to, former_district,
               (SELECT count(*) FROM unit_predecessors WHERE new_code = $u) AS n_predecessors
        FROM units WHERE code = $u""", {"u": unit_code})
    return None if df.empty else df.iloc[0].to_dict()


# ---------------------------------------------------------------- city level

def _previous_key(period_key: str) -> str | None:
    try:
        return same_period_last_year(from_key(period_key)).key
    except (PeriodError, ValueError):
        return None


def city_totals(con, period_key: str, include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """City value of every indicator and rate for a period and for the same period a year earlier.

    Columns: code, group_name, label, unit, kind, value, units_reported, prev_period_key, prev_value,
    prev_units_reported, change, change_pct (NULL when the previous value is 0 or unknown).
    """
    prev = _previous_key(period_key)
    return _df(con, _with(
        _CATALOGUE,
        # Two equality scans: an IN list of two periods is not used to skip row groups.
        "cv AS (SELECT unit_code, period_key, end_date, indicator_code, value "
        "FROM shown_values($unrev) WHERE period_key = $p AND " + _in_province("unit_code") +
        " UNION ALL SELECT unit_code, period_key, end_date, indicator_code, value "
        "FROM shown_values($unrev) WHERE period_key = $prev AND " + _in_province("unit_code") + ")",
        _VALS, """
        agg AS (
            SELECT c.code, c.period_key,
                   -- FILTER: the median sorts only the scores, not every value of the period.
                   CASE any_value(k.kind)
                       WHEN 'score' THEN median(c.value) FILTER (WHERE k.kind = 'score')
                       WHEN 'rate' THEN sum(c.num) / nullif(sum(c.den), 0)
                       ELSE sum(c.value) END AS value,
                   count(*) AS units_reported
            FROM vals c JOIN catalogue k USING (code)
            GROUP BY c.code, c.period_key
        )""") + """
        SELECT k.code, k.group_name, k.label, k.unit, k.kind,
               a.value, coalesce(a.units_reported, 0) AS units_reported,
               $prev AS prev_period_key,
               b.value AS prev_value, coalesce(b.units_reported, 0) AS prev_units_reported,
               a.value - b.value AS change,
               CASE WHEN b.value <> 0 THEN (a.value - b.value) / b.value END AS change_pct
        FROM catalogue k
        LEFT JOIN agg a ON a.code = k.code AND a.period_key = $p
        LEFT JOIN agg b ON b.code = k.code AND b.period_key = $prev
        ORDER BY k.sort_order, k.code""", {"p": period_key, "prev": prev, "unrev": bool(include_unreviewed), "prov": province})


def missing_units(con, period_key: str, province: str | None = None) -> pd.DataFrame:
    """Units expected to report for the period that have no report for it."""
    return _df(con, _with("p AS (SELECT * FROM periods WHERE period_key = $p)", _EXPECTED) + """
        SELECT e.unit_code AS code, e.name, e.type_label
        FROM expected e
        WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.is_current
                          AND s.unit_code = e.unit_code AND s.period_key = $p)
        ORDER BY e.name_sort, e.unit_code""", {"p": period_key, "prov": province})


def coverage(con, period_key: str, province: str | None = None) -> dict:
    """Units expected to report for the period (of the province) and how many have."""
    expected, reported = con.execute(_with("p AS (SELECT * FROM periods WHERE period_key = $p)",
                                           _EXPECTED) + """
        SELECT count(*), count(*) FILTER (WHERE unit_code IN (
            SELECT unit_code FROM submissions WHERE is_current AND period_key = $p))
        FROM expected""", {"p": period_key, "prov": province}).fetchone()
    return {"expected": expected, "reported": reported}


# ---------------------------------------------------------------- comparing units

# A value, or per 10,000 residents where that applies ($pc): needs v (value), k (catalogue row),
# pe (the period's population report) and ph (the latest earlier one).
_METRIC_VALUE = """CASE WHEN NOT ($pc AND k.kind IN ('flow', 'stock')
                          AND k.code NOT IN ('population', 'area_km2')) THEN v.value
                WHEN coalesce(pe.value, ph.population) > 0
                THEN v.value * 10000 / coalesce(pe.value, ph.population) END"""

_METRIC = """
metric AS (
    SELECT e.unit_code, e.name, e.type_label, e.name_sort, e.period_key, k.code, k.label,
           k.kind, k.sort_order, v.value, v.num, v.den, v.unit_code IS NOT NULL AS reported,
           coalesce(pe.value, ph.population) AS population,
           $pc AND k.kind IN ('flow', 'stock') AND k.code NOT IN ('population', 'area_km2')
               AS per_capita,
           """ + _METRIC_VALUE + """ AS metric
    FROM expected e
    CROSS JOIN sel k
    LEFT JOIN vals v ON v.unit_code = e.unit_code AND v.period_key = e.period_key AND v.code = k.code
    LEFT JOIN cv pe ON pe.unit_code = e.unit_code AND pe.period_key = e.period_key
                   AND pe.indicator_code = 'population'
    LEFT JOIN pop ph ON ph.unit_code = e.unit_code
)"""


def _one_period_metric(codes_filter: str) -> str:
    """CTEs up to `metric` for all expected units of period $p and the catalogue rows chosen."""
    return _with(
        _CATALOGUE,
        "p AS (SELECT * FROM periods WHERE period_key = $p)",
        _EXPECTED,
        f"sel AS (SELECT * FROM catalogue WHERE {codes_filter})",
        _NEEDED,
        "cv AS (SELECT unit_code, period_key, end_date, indicator_code, value FROM shown_values($unrev) "
        "WHERE period_key = $p AND indicator_code IN (SELECT code FROM needed))",
        _VALS, _POP_AT, _METRIC)


def ranking(con, period_key: str, code: str, per_capita: bool = False,
            include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """Every expected unit for one indicator or rate in one period, highest first, blanks last.

    `metric` is the value, or the value per 10,000 residents when `per_capita` applies to the
    indicator (flows and stocks other than population and area). rank is 1 for the highest metric
    and NULL for units without one; n_ranked counts the units with a metric. blank_reason says
    why metric is NULL: not_reported, no_population (per capita) or undefined (rate over 0).
    """
    return _df(con, _one_period_metric("code = $code") + """
        SELECT unit_code AS code, name, type_label, value, num, den, reported, population,
               per_capita, metric, """ + _BLANK_REASON + """,
               CASE WHEN metric IS NOT NULL
                    THEN rank() OVER (PARTITION BY metric IS NULL ORDER BY metric DESC) END AS rank,
               count(metric) OVER () AS n_ranked
        FROM metric
        ORDER BY metric DESC NULLS LAST, name_sort, unit_code""",
        {"p": period_key, "code": code, "pc": bool(per_capita), "unrev": bool(include_unreviewed), "prov": province})


def matrix(con, period_key: str, group_name: str, per_capita: bool = False,
           include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """Long unit × indicator table for one indicator group (one row per unit and indicator).

    pct_rank (0–1, among units with a metric for that indicator) lets a heatmap colour indicators
    on different scales alike; metric stays NULL where the unit did not report.
    """
    return _df(con, _one_period_metric("group_name = $g") + """
        SELECT unit_code AS code, name, type_label, code AS indicator_code, label, kind,
               sort_order, value, metric, per_capita, reported, """ + _BLANK_REASON + """,
               CASE WHEN metric IS NOT NULL THEN percent_rank() OVER (
                    PARTITION BY code, metric IS NULL ORDER BY metric) END AS pct_rank,
               dense_rank() OVER (ORDER BY name_sort, unit_code) AS unit_order
        FROM metric
        ORDER BY unit_order, sort_order, indicator_code""",
        {"p": period_key, "g": group_name, "pc": bool(per_capita), "unrev": bool(include_unreviewed), "prov": province})


def trend(con, code: str, kind: str = "year", unit_codes=(), per_capita: bool = False,
          convention: str = "calendar", anchor_period: str | None = None,
          include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """One indicator over all periods of one kind and convention, for chosen units and the median.

    Irregular ranges form a series only with the same day-and-month span as anchor_period
    (01/07–20/11 of each year): different ranges are never mixed.

    One row per period and series: series = unit name, or MEDIAN_LABEL (is_median) for the median
    over all units that reported in that period. value is NULL where a unit did not report.
    """
    return _df(con, _with(
        _CATALOGUE,
        "anchor AS (SELECT strftime(start_date, '%m-%d') AS md_start, "
        "strftime(end_date, '%m-%d') AS md_end FROM periods WHERE period_key = $anchor)",
        "ps AS (SELECT p.* FROM periods p WHERE p.kind = $kind AND p.convention = $conv "
        "AND ($kind <> 'range' OR EXISTS (SELECT 1 FROM anchor a "
        "WHERE a.md_start = strftime(p.start_date, '%m-%d') "
        "AND a.md_end = strftime(p.end_date, '%m-%d'))) "
        "AND p.period_key IN (SELECT period_key FROM submissions WHERE is_current))",
        "sel AS (SELECT * FROM catalogue WHERE code = $code)",
        "k AS (SELECT * FROM sel)",
        _NEEDED,
        "cv AS (SELECT unit_code, period_key, end_date, indicator_code, value FROM shown_values($unrev) "
        "WHERE period_key IN (SELECT period_key FROM ps) "
        "AND indicator_code IN (SELECT code FROM needed))",
        _VALS, """
        reported AS (
            SELECT v.unit_code, v.period_key, v.end_date, v.value, pe.value AS period_population
            FROM vals v
            LEFT JOIN cv pe ON $pc AND pe.indicator_code = 'population'
                           AND pe.unit_code = v.unit_code AND pe.period_key = v.period_key
            WHERE v.code = $code
        ),
        -- Per capita, where the period's own population is missing: the latest earlier one.
        -- Only those few units' reports are sorted for the ASOF join.
        gaps AS (SELECT DISTINCT unit_code, end_date FROM reported
                 WHERE $pc AND period_population IS NULL),
        pop AS (SELECT unit_code, end_date, value AS population FROM shown_values($unrev)
                WHERE $pc AND indicator_code = 'population'
                  AND unit_code IN (SELECT unit_code FROM gaps)),
        filled AS (SELECT g.unit_code, g.end_date, ph.population FROM gaps g
                   ASOF LEFT JOIN pop ph ON ph.unit_code = g.unit_code AND g.end_date >= ph.end_date),
        unit_values AS (
            SELECT r.unit_code, r.period_key, r.end_date,
                   CASE WHEN NOT ($pc AND k.kind IN ('flow', 'stock')
                                  AND k.code NOT IN ('population', 'area_km2')) THEN r.value
                        WHEN coalesce(r.period_population, f.population) > 0
                        THEN r.value * 10000 / coalesce(r.period_population, f.population)
                        END AS metric
            FROM reported r CROSS JOIN k LEFT JOIN filled f USING (unit_code, end_date)
        ),
        chosen AS (SELECT u.code, u.name, u.name_sort FROM units u
                   WHERE list_contains($units::VARCHAR[], u.code))""") + """
        SELECT * EXCLUDE (name_sort) FROM (
            SELECT ps.period_key, ps.label AS period_label, ps.start_date, ps.end_date,
                   c.code AS unit_code, c.name AS series, false AS is_median,
                   uv.metric AS value, NULL::BIGINT AS units_reported, c.name_sort
            FROM ps CROSS JOIN chosen c
            LEFT JOIN unit_values uv ON uv.period_key = ps.period_key AND uv.unit_code = c.code
            UNION ALL
            SELECT ps.period_key, ps.label, ps.start_date, ps.end_date, NULL, $median, true,
                   median(uv.metric), count(uv.metric), NULL
            -- The median of the chosen province's units; followed units show wherever they are.
            FROM ps LEFT JOIN (SELECT * FROM unit_values WHERE """ + _in_province("unit_code") + """) uv
                 USING (period_key)
            GROUP BY ALL)
        ORDER BY is_median, name_sort, unit_code, end_date""",
        {"code": code, "kind": kind, "conv": convention, "pc": bool(per_capita),
         "units": [str(u) for u in unit_codes], "median": MEDIAN_LABEL,
         "anchor": anchor_period, "unrev": bool(include_unreviewed), "prov": province})


def period_kinds(con) -> pd.DataFrame:
    """Kinds and conventions present, for choosing a series (never mixed)."""
    return _df(con, """
        SELECT p.kind, p.convention, count(DISTINCT p.period_key) AS n_periods
        FROM periods p
        WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.is_current AND s.period_key = p.period_key)
        GROUP BY ALL ORDER BY n_periods DESC, p.kind, p.convention""")


# ---------------------------------------------------------------- one unit

def unit_latest_stocks(con, unit_code: str, as_of: date | None = None,
                       include_unreviewed: bool = False) -> pd.DataFrame:
    """The unit's latest reported value of each stock indicator (at or before as_of)."""
    return _df(con, """
        SELECT i.code, i.label, i.unit, i.value_type,
               -- One key for all three, so value and label come from the same report; of
               -- periods ending the same day (month, quarter, year) the shortest is the freshest.
               arg_max(v.value, (v.end_date, v.start_date)) AS value,
               arg_max(p.label, (v.end_date, v.start_date)) AS period_label,
               max(v.end_date) AS end_date
        FROM indicators i
        JOIN shown_values($unrev) v ON v.indicator_code = i.code AND v.unit_code = $u
             AND ($d IS NULL OR v.end_date <= $d)
        JOIN periods p ON p.period_key = v.period_key
        WHERE i.kind = 'stock'
        GROUP BY i.code, i.label, i.unit, i.value_type, i.sort_order
        ORDER BY i.sort_order""", {"u": unit_code, "d": as_of, "unrev": bool(include_unreviewed)})


def unit_period_kinds(con, unit_code: str, include_unreviewed: bool = False) -> list[str]:
    """Kinds of period the unit has shown reports for, the kind of its latest period first."""
    return [k for (k,) in con.execute("""
        SELECT p.kind FROM shown_submissions($unrev) s JOIN periods p USING (period_key)
        WHERE s.unit_code = $u
        GROUP BY p.kind ORDER BY max(p.end_date) DESC, p.kind""",
        {"u": unit_code, "unrev": bool(include_unreviewed)}).fetchall()]


def unit_history(con, unit_code: str, kind: str | None = None,
                 include_unreviewed: bool = False) -> pd.DataFrame:
    """All values of one unit (indicators and rates) across periods, optionally of one kind."""
    return _df(con, _with(
        _CATALOGUE,
        "cv AS (SELECT unit_code, period_key, end_date, indicator_code, value FROM shown_values($unrev) "
        "WHERE unit_code = $u AND ($kind IS NULL OR period_kind = $kind))",
        _VALS) + """
        SELECT k.code, k.group_name, k.label, k.unit, k.kind, k.sort_order,
               p.period_key, p.label AS period_label, p.kind AS period_kind,
               p.start_date, p.end_date, v.value
        FROM vals v JOIN catalogue k USING (code) JOIN periods p USING (period_key)
        ORDER BY k.sort_order, k.code, p.end_date, p.start_date DESC""",
        {"u": unit_code, "kind": kind, "unrev": bool(include_unreviewed)})


def unit_ranks(con, unit_code: str, period_key: str, per_capita: bool = False,
               include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """The unit's value, metric and rank (1 = highest) among units for every indicator and rate."""
    # Aggregates over all units joined to this unit's row, rather than window functions over
    # every unit and indicator: the same rank (1 + units with a higher metric), far less sorting.
    return _df(con, _one_period_metric("true") + """,
        mine AS (SELECT *, """ + _BLANK_REASON + """ FROM metric WHERE unit_code = $u),
        -- Every unit's metric from its reported values only: blanks neither rank nor count.
        reported AS (
            SELECT v.code, """ + _METRIC_VALUE + """ AS metric
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
        SELECT r.code, k.group_name, r.label, k.unit, r.kind, r.value, r.metric, r.per_capita,
               r.reported, r.blank_reason, o.rank, o.n_ranked, o.median_metric
        FROM mine r JOIN others o USING (code) JOIN catalogue k USING (code)
        ORDER BY r.sort_order, r.code""",
        {"p": period_key, "u": unit_code, "pc": bool(per_capita),
         "unrev": bool(include_unreviewed), "prov": province})


# ---------------------------------------------------------------- "Dân vận khéo", assessment
# In their own module; re-exported so pages reach them through pages._common.q() like the rest.
from etl.read.queries_dvk import (  # noqa: E402,F401
    assessment,
    assessment_scores,
    assessment_years,
    dvk_by_field,
    dvk_by_unit,
    dvk_by_year,
    dvk_models_of_year,
    dvk_options,
    dvk_years,
    rating_distribution,
    ratings,
)
