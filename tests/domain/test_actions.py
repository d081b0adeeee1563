"""Every write names its action in the audit log with a label the log page shows."""
import pytest

from etl.domain import actions
from etl.warehouse import db
from etl.warehouse.reference import init_db


def test_an_action_without_a_label_is_refused_and_nothing_is_logged(tmp_path):
    path = tmp_path / "a.duckdb"
    init_db(path)
    with db.connect(path) as con:
        with pytest.raises(ValueError, match="etl/domain/actions.py"):
            with db.transaction(con):
                db.audit(con, "tests", "delete_everything", "")
        with pytest.raises(ValueError):
            db.audit_many(con, "bulk_wipe", [("tests", "", None, None)])
        db.audit(con, "tests", "set_deadline", "2025-Q3")
        rows = con.execute("SELECT action FROM audit_log WHERE actor = 'tests'").fetchall()
    assert rows == [("set_deadline",)]
    assert actions.label("set_deadline") == "Đặt hạn nộp"
    assert actions.label("from_a_later_version") == actions.OTHER
