"""The accounts and the audit log, for the department's page (never password hashes)."""
import pandas as pd


def audit_log(con, limit: int = 200) -> pd.DataFrame:
    return con.execute("SELECT logged_at, actor, action, detail, file_name, submission_id "
                       "FROM audit_log ORDER BY logged_at DESC LIMIT ?", [limit]).df()


def users(con) -> pd.DataFrame:
    """Accounts without their password hashes."""
    return con.execute("SELECT username, full_name, role, unit_code, created_at FROM users "
                       "ORDER BY role, username").df()

