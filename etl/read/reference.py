"""Reference lists the pages and the briefing pack share: periods, the catalogue, units,
provinces, rating thresholds, the models sheet's lists, what the warehouse holds."""
import pandas as pd

from etl.read._sql import CATALOGUE, df, in_province, with_


def dataset_info(con) -> dict:
    """Counts, the latest load time and whether the data are demo data."""
    n_subs, n_units, n_periods, last_loaded, demo = con.execute("""
        SELECT count(*), count(DISTINCT unit_code), count(DISTINCT period_key), max(loaded_at),
               coalesce(bool_or(source = 'demo'), false)
               OR EXISTS (SELECT 1 FROM meta WHERE key = 'demo' AND lower(value) IN ('true', '1'))
        FROM submissions WHERE is_current""").fetchone()
    return {"submissions": n_subs, "units": n_units, "periods": n_periods,
            "last_loaded": last_loaded, "demo": bool(demo)}


def periods(con, today: bool = False) -> pd.DataFrame:
    """Periods that hold at least one report, newest first, with a label that shows partial
    coverage. today (today's boundaries): also a period straddling the merger whose two halves
    hold reports (2025 from January–June and July–December)."""
    return df(con, """
        SELECT p.period_key, p.label, p.kind, p.convention, p.start_date, p.end_date,
               datediff('day', p.start_date, p.end_date) + 1 AS days,
               coalesce(c.n, 0) AS units_reported,            -- one current report per unit
               p.label || CASE WHEN p.kind = 'range'
                    THEN ' (' || (datediff('day', p.start_date, p.end_date) + 1) || ' ngày)'
                    ELSE '' END AS display
        FROM periods p LEFT JOIN reported_periods c ON c.period_key = p.period_key
        WHERE c.n IS NOT NULL OR ($today AND p.period_key IN (
            SELECT h.period_key FROM period_halves h
            WHERE h.before_key IN (SELECT period_key FROM reported_periods)
              AND h.after_key IN (SELECT period_key FROM reported_periods)))
        ORDER BY p.end_date DESC, days DESC, p.period_key""", {"today": today})


def catalogue(con) -> pd.DataFrame:
    """Indicators and derived rates (kind 'rate'), in catalogue order."""
    return df(con, with_(CATALOGUE) + "SELECT * FROM catalogue ORDER BY sort_order, code")


def per_capita_applies(indicator, per_capita: bool) -> bool:
    """Whether values show per 10.000 residents: asked for, and the indicator (a catalogue row)
    allows it. The SQL side of the same rule: _sql.per_10000."""
    return bool(per_capita and indicator["per_capita_ok"])


def units(con, include_old: bool = False) -> pd.DataFrame:
    """Today's units (with include_old also those before the 2025 merger, valid_to set) in
    Vietnamese alphabetical order."""
    return df(con, """
        SELECT code, name, full_name, long_name, official_code, unit_type, type_label, name_folded,
               valid_from, valid_to, former_district, former_province, province_code
        FROM units WHERE $old OR valid_to IS NULL ORDER BY name_sort, code""", {"old": include_old})


def provinces(con) -> pd.DataFrame:
    """Provinces with current units (code, name, n_units), by name."""
    return df(con, """
        SELECT p.code, p.name, count(*) AS n_units
        FROM provinces p JOIN units u ON u.province_code = p.code AND u.valid_to IS NULL
        GROUP BY ALL ORDER BY p.name, p.code""")


def unit_info(con, unit_code: str) -> dict | None:
    rows = df(con, """
        SELECT code, official_code, name, type_label, full_name, long_name, valid_from, valid_to,
               former_district, former_province,
               (SELECT count(*) FROM unit_lineage WHERE new_code = $u) AS n_predecessors
        FROM units WHERE code = $u""", {"u": unit_code})
    return None if rows.empty else rows.iloc[0].to_dict()


def lineage(con, scope, unit_code: str) -> pd.DataFrame:
    """The merger links of a unit: a current unit's old units, or an old unit's successors, with
    the share (full | partial), the weight its flows are split by on today's boundaries and how
    (full, population, equal)."""
    return df(con, """
        SELECT w.new_code, n.full_name AS new_name, w.old_code, o.official_code AS old_official_code,
               o.full_name AS old_name, o.long_name AS old_long_name, o.former_district,
               o.former_province, w.share, w.weight, w.method
        FROM lineage_weights w
        JOIN units n ON n.code = w.new_code JOIN units o ON o.code = w.old_code
        WHERE w.unreviewed = $unrev AND (w.new_code = $u OR w.old_code = $u)
        ORDER BY w.share, o.name_sort, w.old_code, n.name_sort""", scope.params(u=unit_code))


def period_kinds(con) -> pd.DataFrame:
    """Kinds and conventions present, for choosing a series (never mixed)."""
    return df(con, """
        SELECT p.kind, p.convention, count(DISTINCT p.period_key) AS n_periods
        FROM periods p
        WHERE p.period_key IN (SELECT period_key FROM reported_periods)
        GROUP BY ALL ORDER BY n_periods DESC, p.kind, p.convention""")


def ratings(con) -> pd.DataFrame:
    return df(con, "SELECT rating, min_total, sort_order FROM rating_thresholds ORDER BY sort_order")


def dvk_options(con) -> pd.DataFrame:
    return df(con, "SELECT list, value, sort_order FROM dvk_options ORDER BY list, sort_order")


def merger_date(con):
    """The day today's units were formed (01/07/2025), None when the registry has no date."""
    return con.execute("SELECT min(valid_from) FROM units WHERE valid_to IS NULL").fetchall()[0][0]


def multi_year_periods(con, scope) -> pd.DataFrame:
    """Multi-year summaries that hold reports on the scope's boundaries (never summed with
    yearly reports; a trend says they exist)."""
    return df(con, """
        SELECT p.period_key, p.label, p.end_date, count(DISTINCT v.unit_code) AS units
        FROM periods p JOIN boundary_values($unrev, $today, $halves) v USING (period_key)
        WHERE p.kind = 'multi_year' AND """ + in_province("v.unit_code") + """
        GROUP BY ALL ORDER BY p.end_date DESC""", scope.params())


def straddling_periods(con) -> list[str]:
    """Periods split by the merger date into two reported halves (period_halves)."""
    return [k for (k,) in con.execute("SELECT DISTINCT period_key FROM period_halves").fetchall()]
