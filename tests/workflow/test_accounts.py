import subprocess
import sys

import pytest

from etl.warehouse import db
from etl.warehouse.reference import init_db
from etl.workflow import accounts
from etl.workflow.accounts import User, can


@pytest.fixture()
def path(backend_db):
    """An initialised database on each backend (a DuckDB file, a PostgreSQL database)."""
    p = backend_db
    init_db(p)
    return p


LEADER = User("lanhdao", "", "leader", None)
WARD = User("vh.canbo", "", "ward", "10543")
DEPT = User("snv.chuyenvien", "", "department", None)


@pytest.mark.parametrize("user,action,unit,allowed", [
    (LEADER, "view", None, True), (LEADER, "export", None, True), (LEADER, "upload", "10543", False),
    (LEADER, "review", None, False), (LEADER, "manage_accounts", None, False),
    (WARD, "view", None, True), (WARD, "upload", "10543", True), (WARD, "upload", "11002", False),
    (WARD, "upload", None, False), (WARD, "review", None, False), (WARD, "set_deadlines", None, False),
    (DEPT, "upload", "11002", True), (DEPT, "review", None, True), (DEPT, "set_deadlines", None, True),
    (DEPT, "manage_accounts", None, True), (None, "view", None, False),
])
def test_role_matrix(user, action, unit, allowed):
    assert can(user, action, unit) is allowed


def test_accounts_store_only_argon2_hashes_and_authenticate(path):
    with db.connect(path) as con:
        accounts.add_user(con, "VH.CanBo", "ward", "mật-khẩu-dài", unit_code="10543", full_name="Lan")
        stored = con.execute("SELECT password_hash FROM users").fetchone()[0]
        assert stored.startswith("$argon2") and "mật-khẩu-dài" not in stored
        assert (accounts.verify_password(con, "vh.canbo", "mật-khẩu-dài")
                == User("vh.canbo", "Lan", "ward", "10543"))
        assert accounts.verify_password(con, "vh.canbo", "sai-mat-khau") is None
        assert accounts.verify_password(con, "khong.co", "mật-khẩu-dài") is None
        actions = [r[0] for r in con.execute("SELECT action FROM audit_log WHERE action <> 'init'").fetchall()]
        assert actions == ["user_add"]


@pytest.mark.parametrize("kwargs,message", [
    ({"role": "ward"}, "cần mã đơn vị"),
    ({"role": "ward", "unit_code": "99999"}, "cần mã đơn vị"),
    ({"role": "leader", "unit_code": "10543"}, "Chỉ tài khoản cán bộ"),
    ({"role": "admin"}, "Vai trò không hợp lệ"),
    ({"role": "leader", "password": "ngan-qua"}, "ít nhất 10"),
])
def test_bad_accounts_are_refused_and_write_nothing(path, kwargs, message):
    with db.connect(path) as con:
        with pytest.raises(accounts.AccountError, match=message):
            accounts.add_user(con, "nguoi.dung", **kwargs)
        assert con.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_cli_add_list_remove(path):
    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "etl", "--db", str(path), "user", *args],
                              input=stdin, capture_output=True, text=True, cwd=db.ROOT)

    added = run("add", "snv.lan", "--role", "department", "--name", "Nguyễn Thị Lan")
    assert added.returncode == 0 and "Mật khẩu (chỉ hiện một lần" in added.stdout
    assert run("add", "vh.ha", "--role", "ward", "--unit", "10543", "--password-stdin",
               stdin="mat-khau-cua-ha\n").returncode == 0
    listed = run("list").stdout
    assert "snv.lan: Chuyên viên Sở Nội vụ — Nguyễn Thị Lan" in listed
    assert "vh.ha: Cán bộ phường, xã, đặc khu, đơn vị 10543" in listed
    again = run("add", "vh.ha", "--role", "ward", "--unit", "10543")
    assert again.returncode == 2 and "đã có" in again.stderr and "Traceback" not in again.stderr
    assert run("remove", "vh.ha").returncode == 0
    assert "vh.ha" not in run("list").stdout
