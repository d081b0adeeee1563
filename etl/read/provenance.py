"""Where a number comes from: its file, sheet and cell, who sent it and when, and its versions."""
import pandas as pd


def value_versions(con, unit_code: str, period_key: str, indicator_code: str,
                   include_unreviewed: bool = False) -> pd.DataFrame:
    """Every version of the unit's report for the period, newest first, with this indicator's
    value in each (NULL where that version left it blank) and where it was read from.

    is_shown marks the version the dashboards show in that scope (the newest accepted one, or
    with include_unreviewed the newest accepted or awaiting review); none when no version counts.
    The on-screen value comes from it, not from is_current, which may be a returned version."""
    return con.execute("""
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
        {"unit": unit_code, "period": period_key, "code": indicator_code,
         "unrev": include_unreviewed}).df()


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
