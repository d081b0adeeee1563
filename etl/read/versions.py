"""Versions of reports: every version of a unit's report, where a value on screen comes from
(its file, sheet, cell, sender), what changed between two versions, what awaits review.

A version is never deleted (a new one supersedes it); `is_shown` marks the one the dashboards
show in a scope (the newest accepted, or with include_unreviewed the newest awaiting review),
which is not always the newest (is_current): that one may have been returned.
"""
import pandas as pd

from etl.read._sql import df
from etl.read.scope import Scope

STATUS_LABELS = {"draft": "bản nháp", "submitted": "đã gửi", "accepted": "đã chấp nhận",
                 "returned": "bị trả lại"}


def value_versions(con, scope: Scope, unit_code: str, period_key: str,
                   indicator_code: str) -> pd.DataFrame:
    """Every version of the unit's report for the period, newest first, with this indicator's
    value in each (NULL where that version left it blank) and where it was read from.

    is_shown marks the version the dashboards show in that scope (the newest accepted one, or
    with scope.include_unreviewed the newest accepted or awaiting review); none when no version counts.
    The on-screen value comes from it, not from is_current, which may be a returned version."""
    return df(con, """
        SELECT s.submission_id, s.version, s.is_current,
               coalesce(CASE WHEN $unrev THEN s.shown_unreviewed ELSE s.shown_accepted END,
                        false) AS is_shown,
               s.status, s.source, s.file_name, s.sha256,
               s.sent_by, s.loaded_at, v.value, v.sheet, v.cell, v.raw_text
        FROM submissions s
        LEFT JOIN submission_values v
               ON v.submission_id = s.submission_id AND v.indicator_code = $code
        WHERE s.unit_code = $unit AND s.period_key = $period
        ORDER BY s.version DESC""",
        scope.params(unit=unit_code, period=period_key, code=indicator_code))


def original_file(con, sha256: str) -> bytes | None:
    """The uploaded file exactly as received."""
    rows = con.execute("SELECT content FROM files WHERE sha256 = ?", [sha256]).fetchall()
    return bytes(rows[0][0]) if rows else None


def compare_versions(con, old_submission: int, new_submission: int) -> pd.DataFrame:
    """Indicators whose value differs between two versions; a blank stays NULL (never 0)."""
    return con.execute("""
        WITH a AS (SELECT indicator_code, value FROM submission_values WHERE submission_id = $old),
             b AS (SELECT indicator_code, value FROM submission_values WHERE submission_id = $new)
        SELECT i.code, i.group_name, i.label, i.unit, a.value AS old_value, b.value AS new_value
        FROM indicators i
        LEFT JOIN a ON a.indicator_code = i.code
        LEFT JOIN b ON b.indicator_code = i.code
        WHERE a.value IS DISTINCT FROM b.value
        ORDER BY i.sort_order""", {"old": old_submission, "new": new_submission}).df()


def unit_submissions(con, unit_code: str) -> pd.DataFrame:
    """Every version a unit sent, newest first, with the department's decision and comment."""
    return con.execute("""
        SELECT s.submission_id, s.period_key, p.label AS period_label, s.version, s.is_current,
               s.status, s.source, s.file_name, s.sent_by, s.loaded_at, s.review_comment,
               s.reviewed_by, s.reviewed_at
        FROM submissions s JOIN periods p USING (period_key)
        WHERE s.unit_code = ?
        ORDER BY s.loaded_at DESC, s.submission_id DESC""", [unit_code]).df()


def pending(con) -> pd.DataFrame:
    """Current versions awaiting review, oldest first (first sent, first reviewed)."""
    return con.execute("""
        SELECT s.submission_id, s.unit_code, u.full_name AS unit_name,
               s.period_key, p.label AS period_label, s.version, s.source, s.file_name, s.sent_by,
               s.loaded_at,
               (SELECT count(*) FROM findings f WHERE f.submission_id = s.submission_id
                AND f.severity = 'warning') AS n_warnings
        FROM submissions s JOIN units u ON u.code = s.unit_code JOIN periods p USING (period_key)
        WHERE s.is_current AND s.status = 'submitted'
        ORDER BY s.loaded_at, s.submission_id""").df()


def versions(con, unit_code: str, period_key: str) -> pd.DataFrame:
    """Every version of one unit's report for one period, newest first."""
    return con.execute("""
        SELECT submission_id, version, is_current, status, source, file_name, sha256, sent_by,
               loaded_at, review_comment, reviewed_by, reviewed_at
        FROM submissions WHERE unit_code = ? AND period_key = ?
        ORDER BY version DESC""", [unit_code, period_key]).df()


def submission_values(con, submission_id: int) -> pd.DataFrame:
    return con.execute("""
        SELECT i.group_name, i.label, i.unit, i.kind, i.value_type, v.value, v.sheet, v.cell
        FROM submission_values v JOIN indicators i ON i.code = v.indicator_code
        WHERE v.submission_id = ? ORDER BY i.sort_order""", [submission_id]).df()


def submission_findings(con, submission_id: int) -> pd.DataFrame:
    return con.execute("SELECT sheet, cell, value, rule, severity, message FROM findings "
                       "WHERE submission_id = ?", [submission_id]).df()


_HISTORY = """
SELECT s.submission_id, s.period_key, p.label AS period_label, s.version, s.is_current, s.status,
       s.source, s.file_name, s.sha256, s.sent_by, s.loaded_at, s.superseded_by,
       (SELECT count(*) FROM submission_values v WHERE v.submission_id = s.submission_id) AS n_values
FROM submissions s JOIN periods p USING (period_key)
WHERE s.unit_code = $unit AND ($period IS NULL OR s.period_key = $period)
ORDER BY p.end_date DESC, p.start_date DESC, s.period_key, s.version DESC
"""


def report_history(con, unit_code: str, period_key: str | None = None) -> list[dict]:
    cur = con.execute(_HISTORY, {"unit": unit_code, "period": period_key})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]



def attribution(con, scope: Scope, unit_code: str, period_key: str,
                indicator_code: str) -> pd.DataFrame:
    """Where a value on today's boundaries comes from when the current unit has no own report for
    the period: one row per old unit (its share, the weight of its flows, how the weight was
    chosen, its value, the part attributed, its file and cell; value NULL = it did not report),
    and for a period straddling the merger the unit's own report of the half after it (share
    'own'). Empty when the unit's own report is used (or in the view as reported)."""
    # The periods as constants: DuckDB prunes the values by them, not by a subquery's.
    halves = con.execute("SELECT before_key, after_key FROM period_halves WHERE period_key = ?",
                         [period_key]).fetchall()
    old_key, after_key = halves[0] if halves else (period_key, None)
    return df(con, """
        WITH w AS (SELECT * FROM lineage_weights WHERE unreviewed = $unrev AND new_code = $unit),
        own AS (SELECT 1 FROM shown_submissions($unrev) WHERE unit_code = $unit AND period_key = $period),
        -- The old units' values (of the half before the merger, or of the period) and the unit's
        -- own of the half after, then their cells and files: joined before the few values were
        -- found, every report's value of the indicator was (national: 260 ms).
        v0 AS (SELECT f.* FROM shown_values($unrev) f
               JOIN (SELECT old_code AS unit_code FROM w UNION SELECT $unit) k USING (unit_code)
               WHERE f.indicator_code = $code
                 AND f.period_key IN ($old_key, coalesce($after_key, $old_key))),
        v AS (SELECT v0.* EXCLUDE (status, source), sv.sheet, sv.cell, s.version, s.status, s.source,
                     s.file_name, s.sha256, s.sent_by, s.loaded_at
              FROM v0 JOIN submissions s USING (submission_id)
              LEFT JOIN submission_values sv ON sv.submission_id = v0.submission_id
                                            AND sv.indicator_code = v0.indicator_code)
        SELECT * FROM (
            SELECT w.old_code AS unit_code, u.full_name AS unit_name, u.long_name, w.share, w.weight,
                   w.method, $old_key AS period_key, p.label AS period_label, v.value,
                   v.value * w.weight AS attributed, v.version, v.status, v.source, v.file_name,
                   v.sha256, v.sent_by, v.loaded_at, v.sheet, v.cell, u.name_sort
            FROM w JOIN units u ON u.code = w.old_code JOIN periods p ON p.period_key = $old_key
            LEFT JOIN v ON v.unit_code = w.old_code AND v.period_key = $old_key
            UNION ALL
            SELECT v.unit_code, u.full_name, u.long_name, 'own', 1.0, 'own', v.period_key, p.label,
                   v.value, v.value, v.version, v.status, v.source, v.file_name, v.sha256,
                   v.sent_by, v.loaded_at, v.sheet, v.cell, '~'
            FROM v JOIN units u ON u.code = v.unit_code JOIN periods p ON p.period_key = v.period_key
            WHERE v.unit_code = $unit AND v.period_key = $after_key)
        WHERE $today AND NOT EXISTS (SELECT 1 FROM own)
        ORDER BY share = 'own', share, name_sort, unit_code""",
        scope.params(unit=unit_code, period=period_key, code=indicator_code, old_key=old_key,
                     after_key=after_key))
