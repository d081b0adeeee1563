"""«Dân vận khéo» models: which units run which models, by year, unit and field.

Models count only through the shown reports of whole years (kind 'year'): a model is "new" in a
year when it started that year, "maintained" when it is still running and started earlier,
"stopped" when the year's list says so. A unit that sent no list is unknown, not "no model".
"""
import pandas as pd

from etl.read._sql import EXPECTED, df, with_
from etl.read.scope import Scope

# Models listed in the shown yearly reports (macro listed_models), of the chosen province.
_MR = """
mr AS (
    SELECT * FROM listed_models($unrev, $today)
    WHERE ($prov IS NULL OR reported_by IN (SELECT code FROM units WHERE province_code = $prov))
)"""


# The units of year $p on the Scope's boundaries (etl.read._sql.EXPECTED).
_UNITS = ("p AS (SELECT * FROM periods WHERE period_key = $p),\n" + EXPECTED.strip() + """,
eu AS (SELECT unit_code, name, type_label, name_sort FROM expected)""")



def dvk_years(con, scope: Scope) -> pd.DataFrame:
    """Years whose current reports list models, newest first."""
    return df(con, with_(_MR) + """
        SELECT mr.period_key, p.label, mr.year, count(DISTINCT mr.unit_code) AS units_with_list,
               count(*) AS n_models
        FROM mr JOIN periods p USING (period_key)
        GROUP BY ALL ORDER BY mr.year DESC, mr.period_key""", scope.params())


def dvk_models_of_year(con, scope: Scope) -> pd.DataFrame:
    """Every model listed for the year, with its unit; name_folded/unit_folded for search."""
    return df(con, with_(_MR) + """
        SELECT mr.unit_code, u.name AS unit_name, u.full_name AS unit_full_name, u.type_label,
               mr.name, mr.field, mr.lead_org,
               mr.year_started, mr.recognition, mr.status, mr.state, u.name_folded AS unit_folded,
               mr.name_folded
        FROM mr JOIN units u ON u.code = mr.unit_code
        LEFT JOIN dvk_options o ON o.list = 'field' AND o.value = mr.field
        WHERE mr.period_key = $p
        ORDER BY u.name_sort, mr.unit_code, o.sort_order, mr.name_key""", scope.params())


def dvk_by_unit(con, scope: Scope) -> pd.DataFrame:
    """Per unit: new, maintained, stopped models of the year; has_list false = not reported."""
    return df(con, with_(_MR, _UNITS) + """
        SELECT eu.unit_code AS code, eu.name, eu.type_label,
               count(mr.model_id) > 0 AS has_list,
               count(mr.model_id) FILTER (WHERE mr.state = 'new') AS n_new,
               count(mr.model_id) FILTER (WHERE mr.state = 'maintained') AS n_maintained,
               count(mr.model_id) FILTER (WHERE mr.state = 'stopped') AS n_stopped,
               count(mr.model_id) FILTER (WHERE mr.state <> 'stopped') AS n_running
        FROM eu LEFT JOIN mr ON mr.unit_code = eu.unit_code AND mr.period_key = $p
        GROUP BY eu.unit_code, eu.name, eu.type_label, eu.name_sort
        ORDER BY has_list DESC, n_running DESC, n_new DESC, eu.name_sort, eu.unit_code""", scope.params())


def dvk_by_field(con, scope: Scope) -> pd.DataFrame:
    """Per field of the list: models, and the share of units (among those that sent a list for
    the year) with at least one running model in it."""
    return df(con, with_(_MR) + """,
        y AS (SELECT * FROM mr WHERE period_key = $p),
        fields AS (SELECT value AS field, sort_order FROM dvk_options WHERE list = 'field'
                   UNION SELECT DISTINCT field, 999 FROM y
                   WHERE field NOT IN (SELECT value FROM dvk_options WHERE list = 'field'))
        SELECT f.field, f.sort_order,
               count(y.model_id) FILTER (WHERE y.state = 'new') AS n_new,
               count(y.model_id) FILTER (WHERE y.state = 'maintained') AS n_maintained,
               count(y.model_id) FILTER (WHERE y.state = 'stopped') AS n_stopped,
               count(DISTINCT y.unit_code) FILTER (WHERE y.state <> 'stopped') AS units_with_model,
               (SELECT count(DISTINCT unit_code) FROM y) AS units_with_list,
               count(DISTINCT y.unit_code) FILTER (WHERE y.state <> 'stopped')
                   / nullif((SELECT count(DISTINCT unit_code) FROM y), 0) AS share
        FROM fields f LEFT JOIN y ON y.field = f.field
        GROUP BY ALL ORDER BY f.sort_order, f.field""", scope.params())


def dvk_by_year(con, scope: Scope) -> pd.DataFrame:
    """Per year: new, maintained and stopped models, and how many units sent a list."""
    return df(con, with_(_MR) + """
        SELECT mr.period_key, p.label, mr.year,
               count(*) FILTER (WHERE state = 'new') AS n_new,
               count(*) FILTER (WHERE state = 'maintained') AS n_maintained,
               count(*) FILTER (WHERE state = 'stopped') AS n_stopped,
               count(DISTINCT mr.unit_code) AS units_with_list
        FROM mr JOIN periods p USING (period_key)
        GROUP BY ALL ORDER BY mr.year, mr.period_key""", scope.params())

