"""Uploads and reviews from the app (etl/submissions.py): preview writes nothing, submit writes
one audited version, a ward account sends only its own unit, review accepts or returns with a
comment, dashboards show accepted data unless asked to include unreviewed reports; 8 uploads at
once (app threads and `etl load` processes mixed) all land."""
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from etl.read import compare
from etl.read.scope import Scope
from etl.read.versions import pending, unit_submissions
from etl.warehouse import db
from etl.workflow.accounts import User
from etl.workflow.submissions import (
    ACCEPT,
    RETURN,
    SubmitRefused,
    preview_upload,
    review,
    submit_checked,
)
from tests.conftest import DEPT, LEADER, REVIEWER, THACH_KHOI, VIET_HOA, WARD
from tests.workbooks import fill_values, make_template

ROOT = Path(__file__).resolve().parents[2]
VH_STAFF = WARD
GOOD = {"dialogues": 4, "reception_visits": 6, "reception_people": 14}


@pytest.fixture(params=["duckdb", "postgresql"])
def live(request, dashboard_db, tmp_path):
    """The fixture warehouse, a copy each test may change: a DuckDB file, or a PostgreSQL
    database (server mode) made from the same reports."""
    if request.param == "duckdb":
        return Path(shutil.copy(dashboard_db, tmp_path / "live.duckdb"))
    return request.getfixturevalue("pg_cluster").clone(request.getfixturevalue("pg_dashboard_db"))


def _file(path, tmp_path, unit, period, values, name=None) -> Path:
    t = make_template(path, unit, period, tmp_path / f"t_{unit}_{period}.xlsx")
    return fill_values(t, values, tmp_path / (name or f"{unit}_{period}.xlsx"))


def _count(path, sql, params=()):
    with db.records(path) as con:
        return con.execute(sql, list(params)).fetchone()[0]


def _state(path):
    return (_count(path, "SELECT count(*) FROM submissions"),
            _count(path, "SELECT count(*) FROM submission_values"),
            _count(path, "SELECT count(*) FROM files"),
            _count(path, "SELECT count(*) FROM audit_log"))


def test_preview_with_errors_names_cells_and_writes_nothing(live, tmp_path):
    before = _state(live)
    f = _file(live, tmp_path, VIET_HOA, "2025-Q4", {"mediation_cases": 3, "mediation_successful": 5})
    p = preview_upload(live, f.read_bytes(), f.name, VH_STAFF)
    assert not p.ok and p.sub is None and p.errors
    assert any(e.cell and e.sheet for e in p.errors)
    with pytest.raises(SubmitRefused):
        submit_checked(live, p.sub, VH_STAFF)
    assert _state(live) == before


def test_submit_writes_one_version_with_audit_and_diff_against_previous(live, tmp_path):
    before = _state(live)
    f = _file(live, tmp_path, VIET_HOA, "2025-Q3", {**GOOD, "directive_docs": 7})
    p = preview_upload(live, f.read_bytes(), f.name, VH_STAFF)
    assert p.ok and p.previous["version"] == 1 and p.previous["status"] == "accepted"
    assert "directive_docs" in set(p.changes["code"]) and _state(live) == before
    out = submit_checked(live, p.sub, VH_STAFF, warnings_confirmed=True)
    assert out["version"] == 2 and not out["unchanged"]
    assert _count(live, "SELECT count(*) FROM submissions") == before[0] + 1
    assert _count(live, "SELECT count(*) FROM audit_log WHERE actor = 'vh.canbo' AND action = "
                        "'upload' AND file_name = ? AND submission_id = ?",
                  [f.name, out["submission_id"]]) == 1
    # The same file again writes nothing.
    again = submit_checked(live, preview_upload(live, f.read_bytes(), f.name, VH_STAFF).sub,
                           VH_STAFF, warnings_confirmed=True)
    assert again["unchanged"] and _count(live, "SELECT count(*) FROM submissions") == before[0] + 1


def test_warnings_must_be_confirmed(live, tmp_path):
    f = _file(live, tmp_path, VIET_HOA, "2025-Q4",
              {**GOOD, "petitions_received": 2, "petitions_resolved": 5})
    p = preview_upload(live, f.read_bytes(), f.name, VH_STAFF)
    assert p.ok and p.warnings
    with pytest.raises(SubmitRefused, match="xác nhận"):
        submit_checked(live, p.sub, VH_STAFF)
    assert submit_checked(live, p.sub, VH_STAFF, warnings_confirmed=True)["version"] == 1


def test_ward_account_cannot_send_another_units_file(live, tmp_path):
    before = _state(live)
    f = _file(live, tmp_path, THACH_KHOI, "2025-Q4", GOOD)
    p = preview_upload(live, f.read_bytes(), f.name, VH_STAFF)
    assert not p.ok
    assert p.errors[0].message.startswith(
        "Tài khoản của Phường Việt Hòa chỉ được gửi báo cáo của Phường Việt Hòa; "
        "tệp này là của Phường Thạch Khôi")
    # Even a submission checked by someone else is refused in the writer.
    dept = DEPT
    sub = preview_upload(live, f.read_bytes(), f.name, dept).sub
    with pytest.raises(SubmitRefused, match="chỉ được gửi báo cáo của Phường Việt Hòa"):
        submit_checked(live, sub, VH_STAFF, warnings_confirmed=True)
    leader = LEADER
    with pytest.raises(SubmitRefused, match="không có quyền"):
        submit_checked(live, sub, leader, warnings_confirmed=True)
    assert _state(live) == before


def test_dashboards_show_accepted_data_unless_asked(live, tmp_path):
    def sessions(unrev=False):
        with db.connect(live, read_only=True) as con:
            r = compare.ranking(con, Scope('2025-Q3', include_unreviewed=unrev), 'propaganda_sessions')
        return r.set_index("code")["value"].get(VIET_HOA)

    accepted = sessions()
    f = _file(live, tmp_path, VIET_HOA, "2025-Q3", {**GOOD, "propaganda_sessions": 99})
    out = submit_checked(live, preview_upload(live, f.read_bytes(), f.name, VH_STAFF).sub,
                         VH_STAFF, warnings_confirmed=True)
    # v2 awaits review: the accepted v1 is still what the dashboard shows.
    assert sessions() == accepted and sessions(True) == 99
    with db.connect(live, read_only=True) as con:
        assert out["submission_id"] in set(pending(con)["submission_id"])
    with pytest.raises(SubmitRefused, match="lý do"):
        review(live, out["submission_id"], RETURN, " ", REVIEWER)
    with pytest.raises(SubmitRefused, match="Chỉ chuyên viên"):
        review(live, out["submission_id"], ACCEPT, "", VH_STAFF)
    review(live, out["submission_id"], RETURN, "Số buổi tuyên truyền quá cao, kiểm tra lại.",
           REVIEWER)
    # Returned never counts, not even with the switch; the ward sees the comment.
    assert sessions() == accepted and sessions(True) == accepted
    with db.connect(live, read_only=True) as con:
        mine = unit_submissions(con, VIET_HOA)
    row = mine[mine["submission_id"] == out["submission_id"]].iloc[0]
    assert row["status"] == "returned" and "quá cao" in row["review_comment"]
    assert _count(live, "SELECT count(*) FROM audit_log WHERE action = 'return' "
                        "AND submission_id = ?", [out["submission_id"]]) == 1
    with pytest.raises(SubmitRefused, match="đã được duyệt"):
        review(live, out["submission_id"], ACCEPT, "", REVIEWER)
    # A corrected v3, accepted: now the dashboard shows it.
    g = _file(live, tmp_path, VIET_HOA, "2025-Q3", {**GOOD, "propaganda_sessions": 12}, "v3.xlsx")
    v3 = submit_checked(live, preview_upload(live, g.read_bytes(), g.name, VH_STAFF).sub,
                        VH_STAFF, warnings_confirmed=True)
    assert v3["version"] == 3
    review(live, v3["submission_id"], ACCEPT, "", REVIEWER)
    assert sessions() == 12 and sessions(True) == 12


def test_eight_uploads_at_once_app_threads_and_cli_processes_mixed(live, tmp_path):
    units = ["10543", "11002", "10507", "10525", "10532", "10537", "10546", "10549"]
    files = [_file(live, tmp_path, u, "2025-Q4", GOOD) for u in units]
    dept = DEPT
    errors, outs = [], []

    def app_upload(f):  # what the «Gửi báo cáo» page does in one session's thread
        try:
            p = preview_upload(live, f.read_bytes(), f.name, dept)
            outs.append(submit_checked(live, p.sub, dept, warnings_confirmed=True))
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=app_upload, args=(f,)) for f in files[:4]]
    procs = [subprocess.Popen([sys.executable, "-m", "etl", "--db", str(live), "load", str(f)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in files[4:]]
    for t in threads:
        t.start()
    outcomes = [(p.wait(120), p.stdout.read(), p.stderr.read()) for p in procs]
    for t in threads:
        t.join(120)
    assert errors == [] and len(outs) == 4
    assert all(code == 0 for code, _, _ in outcomes), outcomes
    with db.records(live) as con:
        landed = {r[0] for r in con.execute(
            "SELECT unit_code FROM submissions WHERE period_key = '2025-Q4' AND is_current").fetchall()}
    assert landed == set(units)


def test_upload_over_the_size_limit_is_refused(live, monkeypatch):
    monkeypatch.setenv("DANVAN_MAX_UPLOAD_MB", "0.01")
    p = preview_upload(live, b"PK\x03\x04" + b"\0" * 20_000, "big.xlsx", VH_STAFF)
    assert not p.ok and "Tệp quá lớn" in p.errors[0].message


def test_every_write_checks_the_account_in_the_database_at_that_moment(live, tmp_path):
    """A removed account, an account that never existed, or a role changed since the page was
    opened: refused at the write, nothing written."""
    from etl.workflow import accounts
    from etl.workflow.deadlines import set_period_deadline
    f = _file(live, tmp_path, VIET_HOA, "2025-Q4", GOOD)
    checked = preview_upload(live, f.read_bytes(), f.name, VH_STAFF).sub
    with db.connect(live) as con:
        pending_id = con.execute("SELECT max(submission_id) FROM submissions").fetchone()[0]
        con.execute("UPDATE submissions SET status = 'submitted' WHERE submission_id = ?",
                    [pending_id])
    before = _state(live)
    with db.connect(live) as con:
        accounts.remove_user(con, "vh.canbo", actor="tests")
    removed = _state(live)
    with pytest.raises(SubmitRefused, match="không còn tồn tại"):
        submit_checked(live, checked, VH_STAFF, warnings_confirmed=True)
    ghost = User("khong.ton.tai", "", "department", None)
    with pytest.raises(SubmitRefused, match="không còn tồn tại"):
        review(live, pending_id, ACCEPT, "", ghost)
    with pytest.raises(SubmitRefused, match="không còn tồn tại"):
        set_period_deadline(live, "2025", __import__("datetime").date(2026, 1, 20), ghost)
    # The page still holds a department User; the database now says leader.
    with db.connect(live) as con:
        con.execute("UPDATE users SET role = 'leader' WHERE username = ?", [DEPT.username])
    with pytest.raises(SubmitRefused, match="Chỉ chuyên viên Sở Nội vụ được duyệt"):
        review(live, pending_id, ACCEPT, "", DEPT)
    with pytest.raises(SubmitRefused, match="không có quyền"):
        submit_checked(live, checked, DEPT, warnings_confirmed=True)
    assert _state(live) == removed and removed[3] == before[3] + 1   # only the removal's audit row
