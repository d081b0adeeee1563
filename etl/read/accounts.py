"""The accounts and the audit log, for the department's page (never password hashes). Read from
the system of record (db.records): a DuckDB file or PostgreSQL, hence db.fetch_df."""
import pandas as pd

from etl.warehouse import db


def audit_log(con, limit: int = 200) -> pd.DataFrame:
    return db.fetch_df(con, "SELECT logged_at, actor, action, detail, file_name, submission_id "
                            "FROM audit_log ORDER BY logged_at DESC LIMIT ?", [limit])


def users(con) -> pd.DataFrame:
    """Accounts without their password hashes."""
    return db.fetch_df(con, "SELECT username, full_name, role, unit_code, created_at FROM users "
                            "ORDER BY role, username")
