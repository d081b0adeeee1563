"""Who has reported: a units × periods grid of report states, and deadlines.

States: 'accepted' (đã chấp nhận), 'returned' (bị trả lại), 'on_time' (đúng hạn), 'late' (nộp muộn),
'missing' (chưa nộp, quá hạn), 'not_due' (chưa đến hạn), 'not_applicable' (đơn vị chưa thành lập
hoặc đã giải thể trong kỳ và không nộp). A unit formed later may still report an earlier period for
its current territory: then its report counts like any other.
"""
from datetime import date

import pandas as pd

STATE_LABELS = {
    "accepted": "Đã chấp nhận", "returned": "Bị trả lại", "on_time": "Đúng hạn",
    "late": "Nộp muộn", "missing": "Chưa nộp (quá hạn)", "not_due": "Chưa đến hạn",
    "not_applicable": "Không áp dụng",
}
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
    WHERE $periods IS NULL OR list_contains($periods::VARCHAR[], period_key)
),
s AS (SELECT unit_code, period_key, status, loaded_at, version FROM submissions WHERE is_current)
SELECT u.code AS unit_code, u.full_name AS unit_name, u.name_sort,
       p.period_key, p.label AS period_label, p.end_date, p.due_date,
       s.loaded_at, s.version,
       CASE WHEN s.status = 'accepted' THEN 'accepted'
            WHEN s.status = 'returned' THEN 'returned'
            WHEN s.unit_code IS NOT NULL AND s.loaded_at::DATE <= p.due_date THEN 'on_time'
            WHEN s.unit_code IS NOT NULL THEN 'late'
            WHEN u.valid_from > p.end_date OR u.valid_to < p.start_date THEN 'not_applicable'
            WHEN $today <= p.due_date THEN 'not_due'
            ELSE 'missing' END AS state
FROM units u CROSS JOIN p
LEFT JOIN s ON s.unit_code = u.code AND s.period_key = p.period_key
ORDER BY p.end_date DESC, p.period_key, u.name_sort, u.code
"""


def grid(con, period_keys=None, today: date | None = None) -> pd.DataFrame:
    """One row per unit and period with its state, deadline and report time."""
    return con.execute(_GRID, {"periods": list(period_keys) if period_keys else None,
                               "today": today or date.today(),
                               "due_day": DEFAULT_DUE_DAY}).df()


def summary(grid_df: pd.DataFrame) -> pd.DataFrame:
    """Counts and shares of each state per period (units not applicable are left out of shares)."""
    counts = (grid_df.groupby(["period_key", "period_label", "end_date", "state"]).size()
              .unstack("state", fill_value=0).reindex(columns=list(STATE_LABELS), fill_value=0))
    counts["expected"] = counts.drop(columns="not_applicable").sum(axis=1)
    reported = counts[["accepted", "returned", "on_time", "late"]].sum(axis=1)
    counts["share_reported"] = (reported / counts["expected"]).where(counts["expected"] > 0)
    return counts.reset_index().sort_values("end_date", ascending=False)
