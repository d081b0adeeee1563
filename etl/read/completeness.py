"""Who has reported: a units × periods grid of report states, and deadlines.

States: 'on_time' (đúng hạn), 'late' (nộp muộn), 'returned' (bị trả lại, chờ bản mới), 'missing'
(chưa nộp, quá hạn), 'not_due' (chưa đến hạn), 'not_applicable' (đơn vị chưa thành lập hoặc đã giải
thể trong kỳ và không nộp). On time or late is decided by when the first version arrived, whatever
happened to it later: an accepted late report stays late. The review of the newest version is a
column of its own (review: accepted, submitted, returned). A unit formed later may still report an earlier period for
its current territory: then its report counts like any other. Before 1 July 2025 the old units are
expected, after it the new ones; a period straddling the date expects both halves (an old unit's
January–June report, a new unit's own report or its July–December one).
"""
from datetime import date

import pandas as pd

from etl.warehouse import db

STATE_LABELS = {
    "on_time": "Đúng hạn", "late": "Nộp muộn", "returned": "Bị trả lại, chờ bản mới",
    "missing": "Chưa nộp (quá hạn)", "not_due": "Chưa đến hạn", "not_applicable": "Không áp dụng",
}
REVIEW_LABELS = {"accepted": "đã chấp nhận", "submitted": "chờ duyệt", "returned": "bị trả lại"}
# Decree 09/2019/NĐ-CP practice: data are cut off on the 14th, reports are due by the 20th.
DEFAULT_DUE_DAY = 20

_GRID = """
WITH p AS (
    SELECT period_key, label, start_date, end_date,
           coalesce(deadline,
                    CASE WHEN day(end_date) <= $due_day
                         THEN make_date(year(end_date), month(end_date), $due_day)
                         ELSE make_date(year(end_date + INTERVAL 1 MONTH),
                                        month(end_date + INTERVAL 1 MONTH), $due_day) END
           ) AS due_date
    FROM periods
),
chosen AS (SELECT * FROM p WHERE $periods IS NULL OR list_contains($periods::VARCHAR[], period_key)),
-- The reports of the chosen periods and of their halves only, one row per unit and period: a
-- window over every report and a join back took 120 of the national grid's 300 ms.
wanted AS (
    SELECT period_key FROM chosen
    UNION SELECT h.before_key FROM period_halves h JOIN chosen c USING (period_key)
    UNION SELECT h.after_key FROM period_halves h JOIN chosen c USING (period_key)),
s AS (SELECT unit_code, period_key,
             any_value(status) FILTER (WHERE is_current) AS status,
             any_value(version) FILTER (WHERE is_current) AS version, min(loaded_at) AS first_at
      FROM submissions WHERE period_key IN (SELECT period_key FROM wanted)
      GROUP BY unit_code, period_key HAVING bool_or(is_current)),
-- A period straddling the merger expects both halves: an old unit its part before (2025-H1),
-- a new unit the period itself or its part after (2025-H2).
cells AS (
    SELECT u.code, u.full_name, u.name_sort, u.valid_from, u.valid_to, c.*,
           CASE WHEN u.valid_to >= c.start_date AND u.valid_to < c.end_date THEN h.before_key
                WHEN u.valid_from > c.start_date AND u.valid_from <= c.end_date THEN h.after_key
           END AS part_key
    FROM units u CROSS JOIN chosen c
    LEFT JOIN period_halves h ON h.period_key = c.period_key
    WHERE $prov IS NULL OR u.province_code = $prov
),
matched AS (
    SELECT c.*, coalesce(own.period_key, part.period_key) AS reported_key,
           coalesce(own.status, part.status) AS status,
           coalesce(own.first_at, part.first_at) AS first_at,
           coalesce(own.version, part.version) AS version,
           CASE WHEN own.unit_code IS NULL AND part.unit_code IS NOT NULL THEN pp.due_date
                ELSE c.due_date END AS cell_due
    FROM cells c
    LEFT JOIN s own ON own.unit_code = c.code AND own.period_key = c.period_key
    LEFT JOIN s part ON part.unit_code = c.code AND part.period_key = c.part_key
    LEFT JOIN p pp ON pp.period_key = c.part_key
),
g AS MATERIALIZED (
SELECT code AS unit_code, full_name AS unit_name, name_sort, period_key, label AS period_label,
       end_date, cell_due AS due_date, first_at, version,
       CASE WHEN reported_key <> period_key THEN reported_key END AS part_period_key,
       CASE WHEN status IN ('accepted', 'returned') THEN status
            WHEN status IS NOT NULL THEN 'submitted' END AS review,
       CASE WHEN first_at IS NOT NULL THEN first_at::DATE <= cell_due END AS first_on_time,
       CASE WHEN status = 'returned' THEN 'returned'
            WHEN first_at IS NOT NULL AND first_at::DATE <= cell_due THEN 'on_time'
            WHEN first_at IS NOT NULL THEN 'late'
            WHEN valid_from > end_date OR valid_to < start_date THEN 'not_applicable'
            -- an old unit in a straddling period is asked for its half only once that half
            -- is a reporting period
            WHEN valid_to < end_date AND part_key IS NULL THEN 'not_applicable'
            WHEN $today <= cell_due THEN 'not_due'
            ELSE 'missing' END AS state
FROM matched)
-- Units that existed in none of the periods and reported none are left out (the old units, for
-- periods after the merger): three rows in four of the national grid, no longer sent to pandas.
SELECT * FROM g WHERE unit_code IN (SELECT unit_code FROM g WHERE state <> 'not_applicable')
ORDER BY end_date DESC, period_key, name_sort, unit_code
"""


def grid(con, period_keys=None, today: date | None = None, province: str | None = None) -> pd.DataFrame:
    """One row per unit and period with its state, deadline, first arrival (first_at, and whether
    it was on time), the review of the newest version, and part_period_key (the half of a
    straddling period the state is about). province: one province's units (None: all). Units
    that existed in none of the periods and reported none are left out (the old units, for
    periods after the merger)."""
    return db.fetch_df(con, _GRID, {"periods": list(period_keys) if period_keys else None,
                                    "today": today or date.today(), "prov": province,
                                    "due_day": DEFAULT_DUE_DAY})


def summary(grid_df: pd.DataFrame) -> pd.DataFrame:
    """Counts of each state per period, plus how many were accepted and the share sent (on time
    or late, including reports returned and waiting for a new version; units not applicable are
    left out of the expected count)."""
    counts = (grid_df.groupby(["period_key", "period_label", "end_date", "state"]).size()
              .unstack("state", fill_value=0).reindex(columns=list(STATE_LABELS), fill_value=0))
    counts["expected"] = counts.drop(columns="not_applicable").sum(axis=1)
    accepted = (grid_df[grid_df["review"] == "accepted"]
                .groupby(["period_key", "period_label", "end_date"]).size())
    counts["accepted"] = accepted.reindex(counts.index, fill_value=0)
    sent = counts[["on_time", "late", "returned"]].sum(axis=1)
    counts["share_reported"] = (sent / counts["expected"]).where(counts["expected"] > 0)
    return counts.reset_index().sort_values("end_date", ascending=False)
