"""What a map colours: one indicator per province (the national map; a province's communes are
read.compare.ranking under Scope.province), which level a map draws, and whether it can."""
from dataclasses import replace

import pandas as pd

from etl.read import reference
from etl.read._sql import df
from etl.read.compare import one_period_metric
from etl.read.scope import Scope


def level(con, scope: Scope) -> tuple[str | None, bool]:
    """(the province whose communes a map draws, False), or (None, True): the provinces, for
    a registry of several with none chosen."""
    provinces = reference.provinces(con)
    if scope.province:
        return scope.province, False
    if len(provinces) == 1:
        return str(provinces["code"].iloc[0]), False
    return None, True


def has_outlines(con, scope: Scope) -> bool:
    """False "as reported" for a period ending before the merger: its units are the old ones,
    which have no boundaries here (drawing today's shapes for them would be wrong)."""
    if scope.today:
        return True
    merger = reference.merger_date(con)
    end = con.execute("SELECT end_date FROM periods WHERE period_key = ?", [scope.period]).fetchall()
    return merger is None or not end or end[0][0] >= merger


def by_province(con, scope: Scope, code: str, per_capita: bool = False) -> pd.DataFrame:
    """One indicator in the scope's period for every province, with the columns of
    compare.ranking (code, name, type_label, value, population, metric, blank_reason,
    estimated, rank) plus units and units_reported.

    Aggregated as the city totals are: flows and stocks summed over the units that reported,
    rates from summed numerators and denominators, scores the median. Per 10.000 residents
    (where per_capita applies) is the summed value over the summed population of the units
    whose own per-capita value is known, so a unit without a population counts in neither.
    A province with no report has NULL value and metric (never 0). scope.province is ignored:
    the map shows every province.
    """
    return df(con, one_period_metric("code = $code") + """,
        agg AS (
            SELECT u.province_code AS code, any_value(m.kind) AS kind,
                   bool_or(m.per_capita) AS per_capita,
                   count(*) AS units, count(*) FILTER (WHERE m.reported) AS units_reported,
                   count(m.metric) AS units_with_metric,
                   CASE any_value(m.kind) WHEN 'score' THEN median(m.value)
                        WHEN 'rate' THEN sum(m.num) / nullif(sum(m.den), 0)
                        ELSE sum(m.value) END AS value,
                   sum(m.value) FILTER (WHERE m.metric IS NOT NULL) AS value_with_population,
                   sum(m.population) FILTER (WHERE m.metric IS NOT NULL) AS population,
                   bool_or(m.estimated) FILTER (WHERE m.reported) AS estimated,
                   bool_and(m.split_stock AND m.kind = 'stock') AS split_stock
            FROM metric m JOIN units u ON u.code = m.unit_code
            GROUP BY u.province_code),
        pm AS (
            SELECT p.code, p.name, a.*  EXCLUDE (code),
                   CASE WHEN p.name LIKE 'Thành phố %' THEN 'Thành phố' ELSE 'Tỉnh' END AS type_label,
                   CASE WHEN a.per_capita THEN a.value_with_population * 10000 / nullif(a.population, 0)
                        ELSE a.value END AS metric
            FROM agg a JOIN provinces p ON p.code = a.code)
        SELECT code, name, type_label, kind, value, population, metric, units, units_reported,
               units_with_metric, units_reported > 0 AS reported, coalesce(estimated, false) AS estimated,
               CASE WHEN metric IS NOT NULL THEN NULL
                    WHEN units_reported = 0 AND split_stock THEN 'not_attributed'
                    WHEN units_reported = 0 THEN 'not_reported'
                    WHEN per_capita THEN 'no_population' ELSE 'undefined' END AS blank_reason,
               CASE WHEN metric IS NOT NULL THEN rank() OVER (
                    PARTITION BY metric IS NULL ORDER BY metric DESC) END AS rank,
               count(metric) OVER () AS n_ranked
        FROM pm
        ORDER BY metric DESC NULLS LAST, name, code""",
        replace(scope, province=None).params(code=code, pc=bool(per_capita)))
