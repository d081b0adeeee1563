"""SQL pieces shared by the read queries: constant fragments only (values are bound as $name
parameters), so the text assembled never holds user input.

Conventions (every module of etl.read):
- A unit that did not report a value has a row with NULL value, never 0.
- Totals: flows and stocks are summed over the units that reported, scores take the median,
  rates (derived measures) divide summed numerators by summed denominators (never an average).
- Per 10,000 residents uses the unit's population reported for that period, else its latest
  earlier reported population; unknown population gives an unknown per-capita value.
- A series holds one period kind and one convention only (a year and its quarters would double
  count).
- Values come from the versions the dashboards show (macros shown_values / shown_submissions):
  accepted reports, and with Scope.include_unreviewed those awaiting review. Returned reports
  never count. Lists of periods and who has reported count every current report.
- On the Scope's boundaries (macro boundary_values): today's units with their old units' values
  attributed by lineage (column estimated marks a value holding a split or missing part of its
  old units), or the units as they reported.
"""
import re

import pandas as pd

from etl.warehouse import db

# Why a unit has no metric (column blank_reason). not_attributed: on today's boundaries, a stock
# of a unit formed in part from an old unit split between several (never guessed).
NOT_REPORTED, NO_POPULATION, UNDEFINED, NOT_ATTRIBUTED = (
    "not_reported", "no_population", "undefined", "not_attributed")


def with_(*ctes: str) -> str:
    return "WITH " + ",\n".join(c.strip() for c in ctes) + "\n"


_PARAM = re.compile(r"\$([A-Za-z_]\w*)")


def bound(sql: str, params: dict | None) -> dict:
    """The parameters the SQL text uses: DuckDB refuses any it does not (a Scope brings $p,
    $prov and $unrev to every query, whether it needs them all or not)."""
    used = set(_PARAM.findall(sql))
    return {k: v for k, v in (params or {}).items() if k in used}


def straddles(con) -> bool:
    """Whether any period straddles the merger ($halves of boundary_values): false lets the
    planner drop the branch that adds up halves."""
    return bool(con.execute("SELECT count(*) > 0 FROM period_halves").fetchall()[0][0])


def with_halves(con, sql: str, params: dict | None) -> dict:
    """The parameters the SQL text uses, $halves read from the data when it uses it."""
    if "$halves" in sql and "halves" not in (params or {}):
        params = {**(params or {}), "halves": straddles(con)}
    return bound(sql, params)


def df(con, sql: str, params=None) -> pd.DataFrame:
    return db.fetch_df(con, sql, with_halves(con, sql, params))


def rows(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, with_halves(con, sql, params)).fetchall()


# A unit of the chosen province ($prov; NULL = every province). Needs the column to test.
def in_province(column: str) -> str:
    return f"($prov IS NULL OR {column} IN (SELECT code FROM units WHERE province_code = $prov))"


BLANK_REASON = """CASE WHEN metric IS NOT NULL THEN NULL
                     WHEN NOT reported AND kind = 'stock' AND split_stock THEN 'not_attributed'
                     WHEN NOT reported THEN 'not_reported'
                     WHEN per_capita THEN 'no_population' ELSE 'undefined' END AS blank_reason"""

# Indicators and derived rates in one list; a rate sits in its numerator's group, right after it.
CATALOGUE = """
catalogue AS (
    SELECT code, group_name, label, unit, kind, value_type, better,
           coalesce(per_capita, false) AS per_capita_ok, sort_order,
           NULL::VARCHAR AS numerator, NULL::VARCHAR AS denominator
    FROM indicators
    UNION ALL
    -- A rate is never divided by population.
    SELECT dm.code, i.group_name, dm.label, dm.unit, 'rate', 'decimal', 'higher', false,
           i.sort_order + 5, dm.numerator, dm.denominator
    FROM derived_measures dm JOIN indicators i ON i.code = dm.numerator
)"""

# Per (unit, period, code): the value, and for rates the parts. Needs a CTE `cv` before it.
VALS = """
vals AS (
    SELECT unit_code, period_key, end_date, indicator_code AS code, value,
           NULL::DOUBLE AS num, NULL::DOUBLE AS den, estimated
    FROM cv
    UNION ALL
    SELECT n.unit_code, n.period_key, n.end_date, dm.code,
           CASE WHEN d.value > 0 THEN n.value / d.value END, n.value, d.value,
           n.estimated OR d.estimated
    FROM derived_measures dm
    JOIN cv n ON n.indicator_code = dm.numerator
    JOIN cv d ON d.indicator_code = dm.denominator
             AND d.unit_code = n.unit_code AND d.period_key = n.period_key
)"""

# Reported populations, only when a query divides by population ($pc): each unit's latest report
# ending at or before period p. (A series fills its gaps with an ASOF join, see trend().)
POP_AT = """
pop AS (
    SELECT unit_code, arg_max(value, end_date) AS population
    FROM population_values($unrev, $today, $halves)
    WHERE $pc AND end_date <= (SELECT end_date FROM p)
    GROUP BY unit_code
)"""

# Indicator codes a query reads: the chosen ones, the parts of chosen rates, and population.
# Needs a CTE `sel` with the chosen catalogue rows.
NEEDED = """
needed AS (
    SELECT code FROM sel
    UNION SELECT numerator FROM sel WHERE numerator IS NOT NULL
    UNION SELECT denominator FROM sel WHERE denominator IS NOT NULL
    UNION SELECT 'population' WHERE $pc
)"""

# The units a period shows on the Scope's boundaries ($today): today's units for any period
# (old units' values come to them by lineage), or the units that existed at the period's end,
# as they reported. An old unit's name carries its old district (names repeat across them).
# Needs CTE `p`.
EXPECTED = """
expected AS (
    SELECT u.code AS unit_code,
           CASE WHEN u.valid_to IS NULL THEN u.name
                ELSE ltrim(u.full_name[length(u.type_label) + 1:]) END AS name,
           u.type_label, u.name_sort, u.name_folded, u.former_district, u.former_province,
           p.period_key, p.end_date,
           -- its stocks before it existed are not attributed (a part of an old unit's stock)
           $today AND p.end_date < u.valid_from AND u.code IN (
               SELECT new_code FROM unit_lineage WHERE share = 'partial') AS split_stock
    FROM units u, p
    WHERE CASE WHEN $today THEN u.valid_to IS NULL
               ELSE coalesce(u.valid_from, p.end_date) <= p.end_date
                    AND p.end_date <= coalesce(u.valid_to, p.end_date) END
      AND ($prov IS NULL OR u.province_code = $prov)
)"""

def per_10000(value: str, population: str) -> str:
    """The per-capita rule, once: the value itself, or per 10,000 residents when $pc asks for it
    and the catalogue row k allows it (per_capita in data/indicators.csv); blank without a
    population. The Python side of the same rule: reference.per_capita_applies."""
    return f"""CASE WHEN NOT ($pc AND k.per_capita_ok) THEN {value}
                WHEN {population} > 0 THEN {value} * 10000 / {population} END"""


# Needs v (value), k (catalogue row), pe (the period's population report) and ph (the latest
# earlier one).
METRIC_VALUE = per_10000("v.value", "coalesce(pe.value, ph.population)")

METRIC = """
metric AS (
    SELECT e.unit_code, e.name, e.type_label, e.name_sort, e.period_key, k.code, k.label,
           k.kind, k.sort_order, v.value, v.num, v.den, v.unit_code IS NOT NULL AS reported,
           coalesce(v.estimated, false) AS estimated, e.former_district, e.former_province,
           e.split_stock,
           coalesce(pe.value, ph.population) AS population,
           $pc AND k.per_capita_ok AS per_capita,
           """ + METRIC_VALUE + """ AS metric
    FROM expected e
    CROSS JOIN sel k
    LEFT JOIN vals v ON v.unit_code = e.unit_code AND v.period_key = e.period_key AND v.code = k.code
    LEFT JOIN cv pe ON pe.unit_code = e.unit_code AND pe.period_key = e.period_key
                   AND pe.indicator_code = 'population'
    LEFT JOIN pop ph ON ph.unit_code = e.unit_code
)"""
