"""Queries of the "Dân vận khéo" and assessment pages: `(con, ...) -> pandas.DataFrame`.

Re-exported by etl.queries so pages reach them through pages._common.q(). Same conventions:
parameterised SQL from constant fragments; a unit that sent nothing has a row saying so, never 0.

- Like every dashboard query, only accepted reports count unless include_unreviewed
  (macros shown_submissions / shown_values in etl/db.py).
- Models count only through current reports of whole years (kind 'year'): a model is "new" in a
  year when it started that year, "maintained" when it is still running and started earlier,
  "stopped" when the year's list says so. A unit that sent no list is unknown, not "no model".
- A total score exists only when all 10 criteria are reported (never a sum of fewer), and the
  rating comes from table rating_thresholds (the highest threshold the total reaches).
"""
import pandas as pd

from etl.domain import dvk
from etl.domain.periods import PeriodError, from_key, same_period_last_year
from etl.warehouse import db

NOT_ENOUGH = "Chưa đủ 10 tiêu chí"
N_CRITERIA = 10
NEW, MAINTAINED, STOPPED = "Xây dựng mới", "Duy trì từ trước", "Đã dừng"

# Models listed in current yearly reports, one row per model and year.
_MR = """
mr AS (
    SELECT m.model_id, m.unit_code, m.name, m.name_key, m.field, m.lead_org, m.year_started,
           r.recognition, r.status, s.period_key, year(p.end_date) AS year,
           CASE WHEN r.status = $stopped THEN 'stopped'
                WHEN m.year_started = year(p.end_date) THEN 'new'
                ELSE 'maintained' END AS state
    FROM dvk_model_reports r
    JOIN shown_submissions($unrev) s ON s.submission_id = r.submission_id
    JOIN periods p ON p.period_key = s.period_key AND p.kind = 'year'
    JOIN dvk_models m ON m.model_id = r.model_id
    WHERE $prov IS NULL OR m.unit_code IN (SELECT code FROM units WHERE province_code = $prov)
)"""

# Current units, plus any unit that reported for period $p (an old unit's late report).
_UNITS = """
eu AS (
    SELECT u.code AS unit_code, u.name, u.type_label, u.name_sort FROM units u
    WHERE (u.valid_to IS NULL OR u.code IN (SELECT unit_code FROM shown_submissions($unrev)
                                             WHERE period_key = $p))
      AND ($prov IS NULL OR u.province_code = $prov)
)"""

_SCORES = """
sc AS (
    SELECT unit_code, period_key, indicator_code AS code, value
    FROM shown_values($unrev)
    -- The assessment is yearly; the kind also lets the scan skip every other period's values.
    WHERE period_kind = 'year'
      AND indicator_code IN (SELECT code FROM indicators WHERE kind = 'score')
      AND ($prov IS NULL OR unit_code IN (SELECT code FROM units WHERE province_code = $prov))
)"""


def _with(*ctes: str) -> str:
    return "WITH " + ",\n".join(c.strip() for c in ctes) + "\n"


def _df(con, sql: str, params=None) -> pd.DataFrame:
    return db.fetch_df(con, sql, params)


def _previous(period_key: str) -> str | None:
    try:
        return same_period_last_year(from_key(period_key)).key
    except (PeriodError, ValueError):
        return None


# ---------------------------------------------------------------- models

def dvk_options(con) -> pd.DataFrame:
    return _df(con, "SELECT list, value, sort_order FROM dvk_options ORDER BY list, sort_order")


def dvk_years(con, include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """Years whose current reports list models, newest first."""
    return _df(con, _with(_MR) + """
        SELECT mr.period_key, p.label, mr.year, count(DISTINCT mr.unit_code) AS units_with_list,
               count(*) AS n_models
        FROM mr JOIN periods p USING (period_key)
        GROUP BY ALL ORDER BY mr.year DESC, mr.period_key""",
        {"unrev": bool(include_unreviewed), "prov": province, "stopped": dvk.STOPPED})


def dvk_models_of_year(con, period_key: str, include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """Every model listed for the year, with its unit; name_folded/unit_folded for search."""
    return _df(con, _with(_MR) + """
        SELECT mr.unit_code, u.name AS unit_name, u.type_label, mr.name, mr.field, mr.lead_org,
               mr.year_started, mr.recognition, mr.status, mr.state, u.name_folded AS unit_folded,
               -- vn.fold() in SQL: ten thousand names a year nationwide (~50 ms in Python)
               trim(regexp_replace(strip_accents(replace(lower(mr.name), 'đ', 'd')), '\\s+', ' ', 'g'))
                   AS name_folded
        FROM mr JOIN units u ON u.code = mr.unit_code
        LEFT JOIN dvk_options o ON o.list = 'field' AND o.value = mr.field
        WHERE mr.period_key = $p
        ORDER BY u.name_sort, mr.unit_code, o.sort_order, mr.name_key""",
        {"unrev": bool(include_unreviewed), "prov": province, "p": period_key, "stopped": dvk.STOPPED})


def dvk_by_unit(con, period_key: str, include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """Per unit: new, maintained, stopped models of the year; has_list false = not reported."""
    return _df(con, _with(_MR, _UNITS) + """
        SELECT eu.unit_code AS code, eu.name, eu.type_label,
               count(mr.model_id) > 0 AS has_list,
               count(mr.model_id) FILTER (WHERE mr.state = 'new') AS n_new,
               count(mr.model_id) FILTER (WHERE mr.state = 'maintained') AS n_maintained,
               count(mr.model_id) FILTER (WHERE mr.state = 'stopped') AS n_stopped,
               count(mr.model_id) FILTER (WHERE mr.state <> 'stopped') AS n_running
        FROM eu LEFT JOIN mr ON mr.unit_code = eu.unit_code AND mr.period_key = $p
        GROUP BY eu.unit_code, eu.name, eu.type_label, eu.name_sort
        ORDER BY has_list DESC, n_running DESC, n_new DESC, eu.name_sort, eu.unit_code""",
        {"unrev": bool(include_unreviewed), "prov": province, "p": period_key, "stopped": dvk.STOPPED})


def dvk_by_field(con, period_key: str, include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """Per field of the list: models, and the share of units (among those that sent a list for
    the year) with at least one running model in it."""
    return _df(con, _with(_MR) + """,
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
        GROUP BY ALL ORDER BY f.sort_order, f.field""",
        {"unrev": bool(include_unreviewed), "prov": province, "p": period_key, "stopped": dvk.STOPPED})


def dvk_by_year(con, include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """Per year: new, maintained and stopped models, and how many units sent a list."""
    return _df(con, _with(_MR) + """
        SELECT mr.period_key, p.label, mr.year,
               count(*) FILTER (WHERE state = 'new') AS n_new,
               count(*) FILTER (WHERE state = 'maintained') AS n_maintained,
               count(*) FILTER (WHERE state = 'stopped') AS n_stopped,
               count(DISTINCT mr.unit_code) AS units_with_list
        FROM mr JOIN periods p USING (period_key)
        GROUP BY ALL ORDER BY mr.year, mr.period_key""",
        {"unrev": bool(include_unreviewed), "prov": province, "stopped": dvk.STOPPED})


# ---------------------------------------------------------------- assessment

def ratings(con) -> pd.DataFrame:
    return _df(con, "SELECT rating, min_total, sort_order FROM rating_thresholds ORDER BY sort_order")


def assessment_years(con, include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """Year periods with at least one reported criterion, newest first."""
    return _df(con, _with(_SCORES) + """
        SELECT p.period_key, p.label, p.end_date, count(DISTINCT sc.unit_code) AS units_scored
        FROM sc JOIN periods p USING (period_key)
        WHERE p.kind = 'year'
        GROUP BY ALL ORDER BY p.end_date DESC, p.period_key""", {"unrev": bool(include_unreviewed), "prov": province})


_TOTALS = """
tot AS (
    SELECT unit_code, period_key, count(*) AS n_criteria,
           -- rounded so 10 × 8,99 reaches 89,9 exactly (float sums drift below thresholds)
           CASE WHEN count(*) = $n THEN round(sum(value), 6) END AS total
    FROM sc WHERE period_key IN ($p, $prev) GROUP BY ALL
),
rated AS (
    SELECT t.*, r.rating, r.sort_order AS rating_order
    FROM tot t ASOF LEFT JOIN rating_thresholds r ON t.total >= r.min_total
)"""


def assessment(con, period_key: str, include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """Per unit for the year: criteria reported, total (all 10 only), rating, rank, and the same
    for the year before. A unit with no criterion has n_criteria 0 and NULL total."""
    prev = _previous(period_key)
    return _df(con, _with(_SCORES, _UNITS, _TOTALS) + """
        SELECT eu.unit_code AS code, eu.name, eu.type_label,
               coalesce(a.n_criteria, 0) AS n_criteria, a.total, a.rating, a.rating_order,
               CASE WHEN a.total IS NOT NULL
                    THEN rank() OVER (PARTITION BY a.total IS NULL ORDER BY a.total DESC) END AS rank,
               count(a.total) OVER () AS n_ranked,
               $prev AS prev_period_key, coalesce(b.n_criteria, 0) AS prev_n_criteria,
               b.total AS prev_total, b.rating AS prev_rating, b.rating_order AS prev_rating_order
        FROM eu
        LEFT JOIN rated a ON a.unit_code = eu.unit_code AND a.period_key = $p
        LEFT JOIN rated b ON b.unit_code = eu.unit_code AND b.period_key = $prev
        ORDER BY a.total DESC NULLS LAST, a.n_criteria DESC NULLS LAST, eu.name_sort, eu.unit_code""",
        {"unrev": bool(include_unreviewed), "prov": province, "p": period_key, "prev": prev, "n": N_CRITERIA})


def assessment_scores(con, period_key: str, include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """Long table unit × criterion for the year (units with at least one criterion), with the
    median of each criterion over the units that reported it."""
    return _df(con, _with(_SCORES) + """,
        crit AS (SELECT i.code, i.label, coalesce(a.short_name, i.label) AS short_name, i.sort_order
                 FROM indicators i LEFT JOIN assessment_criteria a USING (code)
                 WHERE i.kind = 'score'),
        scored AS (SELECT DISTINCT unit_code FROM sc WHERE period_key = $p)
        SELECT su.unit_code, u.name, u.type_label, c.code AS criterion, c.label, c.short_name,
               c.sort_order, v.value, median(v.value) OVER (PARTITION BY c.code) AS median,
               dense_rank() OVER (ORDER BY u.name_sort, su.unit_code) AS unit_order
        FROM scored su JOIN units u ON u.code = su.unit_code
        CROSS JOIN crit c
        LEFT JOIN sc v ON v.unit_code = su.unit_code AND v.period_key = $p AND v.code = c.code
        ORDER BY unit_order, c.sort_order""", {"unrev": bool(include_unreviewed), "prov": province, "p": period_key})


def rating_distribution(con, include_unreviewed: bool = False,
        province: str | None = None) -> pd.DataFrame:
    """Per year and rating (plus NOT_ENOUGH): number of units. Only units with a criterion."""
    return _df(con, _with(_SCORES) + """,
        years AS (SELECT period_key, label, end_date FROM periods WHERE kind = 'year'),
        tot AS (SELECT unit_code, period_key, count(*) AS n,
                       CASE WHEN count(*) = $n THEN round(sum(value), 6) END AS total
                FROM sc WHERE period_key IN (SELECT period_key FROM years) GROUP BY ALL),
        rated AS (SELECT t.*, r.rating, r.sort_order
                  FROM tot t ASOF LEFT JOIN rating_thresholds r ON t.total >= r.min_total)
        SELECT y.period_key, y.label, y.end_date, coalesce(r.rating, $ne) AS rating,
               coalesce(r.sort_order, 999) AS sort_order, count(*) AS units
        FROM rated r JOIN years y USING (period_key)
        GROUP BY ALL ORDER BY y.end_date, sort_order""",
        {"unrev": bool(include_unreviewed), "prov": province, "n": N_CRITERIA, "ne": NOT_ENOUGH})
