"""Sign-in, sessions, throttling and password rules (etl/sessions.py, etl/accounts.py), and the
`etl user` commands, against a real database."""
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from etl.warehouse import db
from etl.warehouse.reference import init_db
from etl.workflow import accounts, sessions
from etl.workflow.accounts import AccountError, User

ROOT = Path(__file__).resolve().parents[2]
WARD = User("vh.canbo", "Cán bộ Việt Hòa", "ward", "10543")
GOOD_PASSWORD = "Hoa-phuong-do-2025"


@pytest.fixture()
def path(backend_db):
    """An initialised database on each backend (a DuckDB file, a PostgreSQL database)."""
    p = backend_db
    init_db(p)
    with db.connect(p) as con:
        accounts.add_user(con, WARD.username, "ward", GOOD_PASSWORD, "10543", WARD.full_name)
    return p


def _rows(path, sql, params=()):
    with db.records(path) as con:
        return con.execute(sql, list(params)).fetchall()


def test_a_session_is_a_random_token_kept_only_as_its_hash(path):
    result = sessions.sign_in(path, " VH.CanBo ", GOOD_PASSWORD, "10.0.0.7")
    assert result.user == WARD and len(result.token) >= 40
    stored = _rows(path, "SELECT token_hash, username, client FROM sessions")
    assert stored == [(sessions.token_hash(result.token), "vh.canbo", "10.0.0.7")]
    assert result.token not in str(stored)
    assert sessions.session_user(path, result.token) == WARD
    assert sessions.session_user(path, result.token + "x") is None
    assert _rows(path, "SELECT action, detail FROM audit_log WHERE actor = 'vh.canbo' "
                       "AND action = 'sign_in'") == [("sign_in", "từ 10.0.0.7")]


def test_sessions_end_when_idle_after_the_maximum_and_on_sign_out(path, monkeypatch):
    t0 = datetime(2026, 12, 1, 8, 0)
    token = sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD, now=t0).token
    assert sessions.session_user(path, token, t0 + timedelta(minutes=29)) == WARD
    # Used at 8:29, so still alive at 8:58; idle 30 minutes from 8:29 ends it.
    assert sessions.session_user(path, token, t0 + timedelta(minutes=58)) == WARD
    assert sessions.session_user(path, token, t0 + timedelta(minutes=58 + 30)) is None
    # Kept busy, it still ends 12 hours after sign-in.
    busy = sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD, now=t0).token
    for minutes in range(20, 12 * 60, 20):
        assert sessions.session_user(path, busy, t0 + timedelta(minutes=minutes)) == WARD
    assert sessions.session_user(path, busy, t0 + timedelta(hours=12, minutes=1)) is None
    # The settings.
    monkeypatch.setenv("DANVAN_SESSION_IDLE_MINUTES", "5")
    short = sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD, now=t0).token
    assert sessions.session_user(path, short, t0 + timedelta(minutes=6)) is None
    # Sign-out ends it for every tab that holds the cookie.
    now = datetime.now()
    token = sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD).token
    assert sessions.end_session(path, token) == "vh.canbo"
    assert sessions.session_user(path, token, now) is None
    assert _rows(path, "SELECT count(*) FROM audit_log WHERE action = 'sign_out'") == [(1,)]


def test_a_session_follows_the_account_as_the_database_holds_it(path):
    token = sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD).token
    with db.connect(path) as con:
        con.execute("UPDATE users SET role = 'leader', unit_code = NULL WHERE username = 'vh.canbo'")
    assert sessions.session_user(path, token) == User("vh.canbo", WARD.full_name, "leader", None)
    with db.connect(path) as con:
        accounts.remove_user(con, " VH.CANBO ", actor="tests")     # trimmed, any case
    assert sessions.session_user(path, token) is None
    assert _rows(path, "SELECT count(*) FROM sessions") == [(0,)]


def test_five_failures_lock_the_account_for_fifteen_minutes(path):
    t0 = datetime(2026, 12, 1, 9, 0)
    for i in range(4):
        r = sessions.sign_in(path, "vh.canbo", "sai-mat-khau-nhe", "10.0.0.9",
                             now=t0 + timedelta(minutes=i))
        assert r.user is None and r.message == "Sai tên đăng nhập hoặc mật khẩu."
    fifth = sessions.sign_in(path, "vh.canbo", "sai-mat-khau-nhe", now=t0 + timedelta(minutes=4))
    assert fifth.user is None and "tạm khóa" in fifth.message and "09:19" in fifth.message
    # The right password is refused too while the lock lasts, and says until when.
    right = sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD, now=t0 + timedelta(minutes=10))
    assert right.user is None and right.token is None
    assert right.message == ("Tài khoản tạm khóa vì nhập sai mật khẩu 5 lần trong 15 phút. Vui lòng "
                             "thử lại sau 09:19 ngày 01/12/2026.")
    assert sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD,
                            now=t0 + timedelta(minutes=19, seconds=1)).user == WARD
    actions = [a for a, in _rows(path, "SELECT action FROM audit_log WHERE actor = 'vh.canbo' "
                                       "AND action LIKE 'sign_in%' ORDER BY logged_at")]
    assert actions == ["sign_in_failed"] * 5 + ["sign_in_locked", "sign_in"]


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(path):
    t0 = datetime(2026, 12, 1, 9, 0)
    for i in range(6):
        sessions.sign_in(path, "vh.canbo", "sai-mat-khau-nhe", now=t0 + timedelta(minutes=4 * i))
    assert sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD,
                            now=t0 + timedelta(minutes=21)).user == WARD


def test_an_unknown_account_answers_like_a_wrong_password(path):
    r = sessions.sign_in(path, "khong.co.ai", "mot-mat-khau-bat-ky")
    assert r.user is None and r.message == "Sai tên đăng nhập hoặc mật khẩu."
    assert _rows(path, "SELECT actor, action FROM audit_log WHERE action = 'sign_in_failed'") == [
        ("khong.co.ai", "sign_in_failed")]


@pytest.mark.parametrize("password, why", [
    ("Ngan-qua1", "ít nhất 10 ký tự"),
    ("VH.CanBo", "ít nhất 10 ký tự"),
    ("vh.canbo.x", None),
    ("aaaaaaaaaaaa", "một ký tự lặp lại"),
    ("1234567890", "quá phổ biến"),
    ("Password123", "quá phổ biến"),
])
def test_password_rules(password, why):
    if why is None:
        accounts.refuse_weak_password(password, "vh.canbo")
    else:
        with pytest.raises(AccountError, match=why):
            accounts.refuse_weak_password(password, "vh.canbo")
    with pytest.raises(AccountError, match="trùng với tên đăng nhập"):
        accounts.refuse_weak_password("Nguyen.Van.An", "nguyen.van.an")


def test_usernames_are_nfkc_ascii_with_a_stated_rule(path):
    with db.connect(path) as con:
        accounts.add_user(con, "ＳＮＶ.Lan ", "department", GOOD_PASSWORD)
        assert [u.username for u in accounts.list_users(con)] == ["snv.lan", "vh.canbo"]
        for bad in ("nguyễn.an", "an toàn", "an/toan", "<b>x</b>", ""):
            with pytest.raises(AccountError) as exc:
                accounts.add_user(con, bad, "leader", GOOD_PASSWORD)
            assert str(exc.value) == accounts.USERNAME_RULE
    assert accounts.USERNAME_RULE == ("Tên đăng nhập chỉ được gồm chữ cái không dấu (a–z), chữ số "
                                      "(0–9) và các dấu . _ - @ (có thể là một địa chỉ thư điện tử).")


def test_changing_ones_password_ends_the_other_sessions(path):
    here = sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD).token
    elsewhere = sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD).token
    with pytest.raises(AccountError, match="Mật khẩu hiện tại không đúng"):
        sessions.change_password(path, here, "khong-dung-dau", "Mat-khau-moi-2026")
    with pytest.raises(AccountError, match="quá phổ biến"):
        sessions.change_password(path, here, GOOD_PASSWORD, "password1234")
    sessions.change_password(path, here, GOOD_PASSWORD, "Mat-khau-moi-2026")
    assert sessions.session_user(path, here) == WARD
    assert sessions.session_user(path, elsewhere) is None
    assert sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD).user is None
    assert sessions.sign_in(path, "vh.canbo", "Mat-khau-moi-2026").user == WARD
    with pytest.raises(AccountError, match="hết hạn"):
        sessions.change_password(path, elsewhere, "Mat-khau-moi-2026", "Mat-khau-khac-2027")



def test_guessing_the_current_password_is_throttled_like_a_sign_in(path):
    """A held session must not become an unthrottled password oracle."""
    token = sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD).token
    for _ in range(sessions.LOCK_FAILURES - 1):
        with pytest.raises(AccountError, match="Mật khẩu hiện tại không đúng"):
            sessions.change_password(path, token, "doan-thu-mat-khau", "Mat-khau-moi-2026")
    with pytest.raises(AccountError, match="tạm khóa"):
        sessions.change_password(path, token, "doan-thu-lan-cuoi", "Mat-khau-moi-2026")
    with pytest.raises(AccountError, match="tạm khóa"):       # the right password too, for now
        sessions.change_password(path, token, GOOD_PASSWORD, "Mat-khau-moi-2026")
    assert sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD).user is None
    with db.records(path) as con:
        failed = con.execute("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed' "
                             "AND detail = 'đổi mật khẩu'").fetchone()[0]
    assert failed == sessions.LOCK_FAILURES

def _etl(path, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "etl", "--db", str(path), "user", *args],
                          cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=60)


def test_cli_passwd_and_remove(path):
    token = sessions.sign_in(path, "vh.canbo", GOOD_PASSWORD).token
    weak = _etl(path, "passwd", "vh.canbo", "--password-stdin", stdin="12345678\n")
    assert weak.returncode == 2 and "ít nhất 10 ký tự" in weak.stderr
    out = _etl(path, "passwd", "VH.CANBO")
    assert out.returncode == 0, out.stderr
    new = out.stdout.strip().rsplit(" ", 1)[-1]
    assert sessions.session_user(path, token) is None
    assert sessions.sign_in(path, "vh.canbo", new).user == WARD
    gone = _etl(path, "remove", "  VH.CanBo ")
    assert gone.returncode == 0 and "Đã xóa tài khoản «vh.canbo»" in gone.stdout
    assert _etl(path, "list").stdout.startswith("Chưa có tài khoản nào")
    bad = _etl(path, "add", "lê.văn", "--role", "leader")
    assert bad.returncode == 2 and accounts.USERNAME_RULE in bad.stderr


def test_a_flood_on_a_locked_account_costs_no_password_check_and_few_log_rows(path, monkeypatch):
    t0 = datetime(2026, 12, 1, 10, 0)
    for i in range(5):
        sessions.sign_in(path, "vh.canbo", "sai-mat-khau-nhe", "10.0.0.9", now=t0)
    checks = []
    monkeypatch.setattr(accounts, "check_hash", lambda *a: checks.append(a))
    for i in range(30):                   # 30 guesses in the next 50 seconds
        r = sessions.sign_in(path, "vh.canbo", "doan-tiep", "10.0.0.9",
                             now=t0 + timedelta(seconds=1 + i))
        assert r.user is None and "tạm khóa" in r.message
    sessions.sign_in(path, "vh.canbo", "doan-tiep", "10.0.0.9", now=t0 + timedelta(minutes=2))
    assert checks == []
    assert _rows(path, "SELECT detail FROM audit_log WHERE action = 'sign_in_locked' "
                       "ORDER BY logged_at") == [("từ 10.0.0.9 (1 lần)",), ("từ 10.0.0.9 (30 lần)",)]
