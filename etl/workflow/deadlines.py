"""Reporting deadlines: the department sets a period's deadline, an audited write.
etl.read.completeness reads them (a period without one is due on the 20th after its end)."""
from datetime import date

from etl.warehouse import db
from etl.workflow.accounts import SubmitRefused, User, writer


def set_deadline(con, period_key: str, deadline: date, actor: str | None = None) -> None:
    """Set a period's deadline (audited, in its own transaction)."""
    if not con.execute("SELECT 1 FROM periods WHERE period_key = ?", [period_key]).fetchall():
        raise SubmitRefused(f"Chưa có kỳ báo cáo {period_key}.")
    with db.transaction(con):
        con.execute("UPDATE periods SET deadline = ? WHERE period_key = ?", [deadline, period_key])
        db.audit(con, actor, "set_deadline", f"{period_key}: hạn nộp {deadline:%d/%m/%Y}")
        db.record_change(con, "reference")


def set_period_deadline(db_path, period_key: str, deadline: date, actor: User) -> bool:
    """The department sets a period's deadline from the app. The account is checked again as
    the database holds it, on the write connection (no other writer in between)."""
    with db.connect(db_path) as con:
        actor = writer(con, actor, "set_deadlines")
        set_deadline(con, period_key, deadline, actor=actor.username)
    return True
