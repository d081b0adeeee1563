"""Sign-in and sessions, kept in the database so they survive reloads, new tabs and restarts.

A session is a random token sent to the browser in an HttpOnly cookie; the database keeps only
its SHA-256, with when it was created and last used. It ends after DANVAN_SESSION_IDLE_MINUTES
(30) without use, DANVAN_SESSION_MAX_HOURS (12) after sign-in, or when it is signed out (every
tab shares it), its account removed or its password changed.

An account is refused for LOCK_MINUTES after LOCK_FAILURES failed sign-ins within LOCK_MINUTES,
even with the right password, so guessing it online is hopeless. Every attempt is in audit_log
(sign_in, sign_in_failed, sign_in_locked), and the lock is read back from there: one record
of what happened, on every app process that shares the database.
"""
import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from etl import config
from etl.domain import vn
from etl.warehouse import db
from etl.workflow import accounts
from etl.workflow.accounts import User

COOKIE = "danvan_phien"
LOCK_FAILURES = 5
LOCK_MINUTES = 15
# last_used_at is written at most this often, so a page view is not a database write.
TOUCH_EVERY = timedelta(seconds=60)
SIGN_IN, FAILED, LOCKED = "sign_in", "sign_in_failed", "sign_in_locked"
# argon2 takes ~0,2 s of a core: one check at a time in a process keeps a flood of sign-ins
# from starving everyone else's pages.
_verify_slot = threading.BoundedSemaphore(1)
# A locked account is refused from memory until its lock ends (no database work per guess),
# and its refusals reach audit_log at most once a minute, with their count.
LOCKED_AUDIT_EVERY = timedelta(minutes=1)
_known_locks: dict[tuple, datetime] = {}   # (database, username) -> end of its lock
_refusals: dict[tuple, list] = {}          # (database, username) -> [last audit, not audited]
_locks_guard = threading.Lock()


def idle_limit() -> timedelta:
    return timedelta(minutes=config.get("DANVAN_SESSION_IDLE_MINUTES"))


def max_age() -> timedelta:
    return timedelta(hours=config.get("DANVAN_SESSION_MAX_HOURS"))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass
class SignIn:
    user: User | None
    token: str | None = None
    message: str = ""          # why not, in Vietnamese


def _when(t: datetime) -> str:
    return f"{t:%H:%M} ngày {vn.format_date(t)}"


def locked_until(con, username: str, now: datetime) -> datetime | None:
    """The end of the account's lock, if it is locked at `now`: LOCK_FAILURES failures within
    LOCK_MINUTES (attempts refused while locked do not count, so the lock ends on time)."""
    window = timedelta(minutes=LOCK_MINUTES)
    rows = con.execute(
        "SELECT logged_at, action FROM audit_log WHERE actor = ? AND action IN (?, ?) "
        "AND logged_at > ? ORDER BY logged_at",
        [username, SIGN_IN, FAILED, now - 2 * window]).fetchall()
    failures, until = [], None
    for at, action in rows:
        if action == SIGN_IN:
            failures = []
            continue
        if until is not None and at < until:
            continue
        failures.append(at)
        if len(failures) >= LOCK_FAILURES and at - failures[-LOCK_FAILURES] <= window:
            until, failures = at + window, []
    return until if until is not None and now < until else None


def sign_in(db_path, username: str, password: str, client: str = "",
            now: datetime | None = None) -> SignIn:
    """Check a password and open a session (audited either way)."""
    now = now or datetime.now()
    name = accounts.normalize_username(username)[:accounts.MAX_USERNAME]
    where = f"từ {client}" if client else ""
    key = (str(db.db_path(db_path)), name)
    with _locks_guard:
        known = _known_locks.get(key)
    if known is not None and now < known:
        _refused_while_locked(db_path, key, where, now)
        return SignIn(None, message=_lock_message(known))
    if known is not None:                  # the lock has ended: what it refused is logged
        _refused_while_locked(db_path, key, where, now, ended=True)
    with db.records(db_path, timeout=5) as con:
        until = locked_until(con, name, now)
        rows = con.execute("SELECT username, full_name, role, unit_code, password_hash "
                           "FROM users WHERE username = ?", [name]).fetchall()
    if until is not None:                  # locked by failures this process has not seen
        with db.connect(db_path, timeout=10) as con, db.transaction(con):
            db.audit(con, name or None, LOCKED, where, at=now)
        return _remember_lock(key, until, now)
    with _verify_slot:
        user = accounts.check_hash(rows[0] if rows else None, password)
    with db.connect(db_path, timeout=10) as con:
        if user is None:
            with db.transaction(con):
                db.audit(con, name or None, FAILED, where, at=now)
            # Read again: other processes may have counted failures meanwhile.
            until = locked_until(con, name, now)
            if until is None:
                return SignIn(None, message="Sai tên đăng nhập hoặc mật khẩu.")
            return _remember_lock(key, until, now)
        token = secrets.token_urlsafe(32)
        with db.transaction(con):
            # Sessions that ended are deleted here, so the table holds only live ones.
            con.execute("DELETE FROM sessions WHERE expires_at <= ? OR last_used_at <= ?",
                        [now, now - idle_limit()])
            con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                        [token_hash(token), user.username, now, now, now + max_age(), client])
            db.audit(con, user.username, SIGN_IN, where, at=now)
    return SignIn(user, token)


def _remember_lock(key: tuple, until: datetime, now: datetime) -> SignIn:
    with _locks_guard:
        _known_locks[key] = until
        _refusals[key] = [None, 0]
    return SignIn(None, message=_lock_message(until))


def _refused_while_locked(db_path, key: tuple, where: str, now: datetime,
                          ended: bool = False) -> None:
    """Audit a refusal of a locked account: the first at once, then at most one row a minute
    counting them, and what is left when the lock ends."""
    with _locks_guard:
        last, pending = _refusals.get(key, [None, 0])
        if ended:
            _known_locks.pop(key, None)
            _refusals.pop(key, None)
            count = pending
        else:
            count = pending + 1
            due = last is None or now - last >= LOCKED_AUDIT_EVERY
            _refusals[key] = [now, 0] if due else [last, count]
            count = count if due else 0
    if count:
        try:
            with db.connect(db_path, timeout=5) as con, db.transaction(con):
                db.audit(con, key[1] or None, LOCKED, f"{where} ({count} lần)".strip(), at=now)
        except db.DatabaseBusy:
            pass


def _lock_message(until: datetime) -> str:
    return (f"Tài khoản tạm khóa vì nhập sai mật khẩu {LOCK_FAILURES} lần trong {LOCK_MINUTES} phút. "
            f"Vui lòng thử lại sau {_when(until)}.")


def open_session(con, user: User, client: str = "", now: datetime | None = None) -> str:
    """A session for an account without a password check (the CLI and tests; the app signs in
    through sign_in). Caller owns the transaction."""
    now = now or datetime.now()
    token = secrets.token_urlsafe(32)
    con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                [token_hash(token), user.username, now, now, now + max_age(), client])
    return token


def session_user(db_path, token: str | None, now: datetime | None = None) -> User | None:
    """The account of a live session, as the database holds it now (role and unit included),
    or None. Marks the session used."""
    if not isinstance(token, str) or not token:
        return None
    now = now or datetime.now()
    digest = token_hash(token)
    with db.records(db_path, timeout=5) as con:
        rows = con.execute(
            "SELECT u.username, u.full_name, u.role, u.unit_code, s.last_used_at, s.expires_at "
            "FROM sessions s JOIN users u USING (username) WHERE s.token_hash = ?",
            [digest]).fetchall()
    if not rows:
        return None
    *user, last_used, expires = rows[0]
    if now >= expires or now - last_used >= idle_limit():
        return None
    if now - last_used >= TOUCH_EVERY:
        try:
            with db.connect(db_path, timeout=1) as con:
                con.execute("UPDATE sessions SET last_used_at = ? WHERE token_hash = ?",
                            [now, digest])
        except db.DatabaseBusy:
            pass  # a loader holds the file: the next view marks it
    return User(*user)


def end_session(db_path, token: str | None) -> str | None:
    """Sign out: the session ends for every tab that shares it. Returns its username."""
    if not token:
        return None
    digest = token_hash(token)
    with db.connect(db_path, timeout=10) as con:
        rows = con.execute("SELECT username FROM sessions WHERE token_hash = ?",
                           [digest]).fetchall()
        if not rows:
            return None
        with db.transaction(con):
            con.execute("DELETE FROM sessions WHERE token_hash = ?", [digest])
            db.audit(con, rows[0][0], "sign_out", "")
    return rows[0][0]


def change_password(db_path, token: str | None, current: str, new: str) -> str:
    """The signed-in account changes its own password: the session is checked again, the
    current password too; the account's other sessions end. Returns the username."""
    user = session_user(db_path, token)
    if user is None:
        raise accounts.AccountError("Phiên đăng nhập đã hết hạn; hãy đăng nhập lại.")
    now = datetime.now()
    # A wrong current password counts like a failed sign-in: the same lock stops guessing here.
    with db.records(db_path, timeout=5) as con:
        until = locked_until(con, user.username, now)
        rows = con.execute("SELECT username, full_name, role, unit_code, password_hash "
                           "FROM users WHERE username = ?", [user.username]).fetchall()
    if until is not None:
        raise accounts.AccountError(_lock_message(until))
    with _verify_slot:
        ok = accounts.check_hash(rows[0] if rows else None, current) is not None
    if not ok:
        with db.connect(db_path, timeout=10) as con:
            with db.transaction(con):
                db.audit(con, user.username, FAILED, "đổi mật khẩu", at=now)
            until = locked_until(con, user.username, now)
        raise accounts.AccountError("Mật khẩu hiện tại không đúng." if until is None else _lock_message(until))
    with db.connect(db_path, timeout=10) as con:
        return accounts.set_password(con, user.username, new, actor=user.username,
                                     keep_session_hash=token_hash(token))
