"""Local accounts (argon2 password hashes in the database) and the role matrix.

Roles (DOMAIN.md §1): leader = lãnh đạo (views everything, exports); ward = cán bộ phường/xã
(views, uploads for its own unit only); department = chuyên viên Sở Nội vụ (reviews, sets
deadlines, manages accounts). The app's sign-in route, its pages and the CLI all use this module.

Every write re-reads the account in its own transaction (`recheck`): a role or unit held by an
open browser tab is never trusted, so a removed account or a changed role stops at once.
"""
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from etl.warehouse import db

ROLES = {"leader": "Lãnh đạo", "ward": "Cán bộ phường, xã, đặc khu",
         "department": "Chuyên viên Sở Nội vụ"}
# action -> roles allowed; "upload" and "see_versions" are further limited to the account's own
# unit for a ward account. "see_versions": the versions, original files and senders of a report.
PERMISSIONS = {
    "view": {"leader", "ward", "department"},
    "export": {"leader", "ward", "department"},
    "completeness": {"leader", "department"},
    "upload": {"ward", "department"},
    "see_versions": {"leader", "ward", "department"},
    "review": {"department"},
    "set_deadlines": {"department"},
    "manage_accounts": {"department"},
    "change_password": {"leader", "ward", "department"},
}
MIN_PASSWORD = 10
MAX_USERNAME = 100
USERNAME_RULE = ("Tên đăng nhập chỉ được gồm chữ cái không dấu (a–z), chữ số (0–9) và các dấu "
                 ". _ - @ (có thể là một địa chỉ thư điện tử).")
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
# One lane: a check then takes one core (~0,2 s here) instead of both, so sign-ins, even a
# flood of them, leave a core to everyone else's pages. Hashes keep their own parameters.
_hasher = PasswordHasher(parallelism=1)


class AccountError(ValueError):
    """A refused account operation, with a Vietnamese message."""


class SubmitRefused(ValueError):
    """A refused write from the app (submission, review, deadline), with a Vietnamese message;
    nothing was written."""


@dataclass(frozen=True)
class User:
    username: str
    full_name: str
    role: str
    unit_code: str | None


def can(user: User | None, action: str, unit_code: str | None = None) -> bool:
    """May this user do this? A ward account uploads and sees versions only for its own unit."""
    if user is None or user.role not in PERMISSIONS.get(action, ()):
        return False
    if action in ("upload", "see_versions") and user.role == "ward":
        return unit_code is not None and unit_code == user.unit_code
    return True


def normalize_username(name: str) -> str:
    """NFKC, trimmed, lower case: «ＶＨ.CanBo » and «vh.canbo» are one account."""
    return unicodedata.normalize("NFKC", name or "").strip().lower()


def check_username(name: str) -> str:
    username = normalize_username(name)
    if not username or len(username) > MAX_USERNAME or not set(username) <= _USERNAME_CHARS:
        raise AccountError(USERNAME_RULE)
    return username


@lru_cache(maxsize=1)
def common_passwords() -> frozenset:
    with open(db.DATA_DIR / "common_passwords.txt", encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip())


def refuse_weak_password(password: str, username: str) -> None:
    """Refuse a weak password with the reason (Vietnamese)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
    if password.strip().lower() == normalize_username(username):
        raise AccountError("Mật khẩu không được trùng với tên đăng nhập.")
    if len(set(password)) == 1:
        raise AccountError("Mật khẩu không được chỉ gồm một ký tự lặp lại.")
    if unicodedata.normalize("NFC", password.strip().lower()) in common_passwords():
        raise AccountError("Mật khẩu này quá phổ biến (có trong danh sách mật khẩu hay bị dò); "
                           "hãy chọn mật khẩu khác.")


def new_password() -> str:
    # token_urlsafe may start with "-": fine on stdout, awkward for someone copying it.
    return "M" + secrets.token_urlsafe(12)


def _find(con, username: str) -> User | None:
    rows = con.execute("SELECT username, full_name, role, unit_code FROM users WHERE username = ?",
                       [normalize_username(username)]).fetchall()
    return User(*rows[0]) if rows else None


def recheck(con, user: User | None) -> User:
    """The account as the database holds it now, or AccountError (nothing is written)."""
    found = _find(con, user.username) if user is not None else None
    if found is None:
        raise AccountError("Tài khoản không còn tồn tại hoặc đã bị xóa; không có gì được ghi. "
                           "Hãy đăng nhập lại.")
    return found


REFUSALS = {"review": "Chỉ chuyên viên Sở Nội vụ được duyệt báo cáo.",
            "set_deadlines": "Chỉ chuyên viên Sở Nội vụ được đặt hạn nộp báo cáo."}


def writer(con, user: User | None, action: str) -> User:
    """The account as the database holds it at the moment of the write, allowed `action`
    (uploads are checked per unit by etl.workflow.submissions.unit_refusal)."""
    try:
        found = recheck(con, user)
    except AccountError as exc:
        raise SubmitRefused(str(exc)) from None
    if action in REFUSALS and not can(found, action):
        raise SubmitRefused(REFUSALS[action])
    return found


def add_user(con, username: str, role: str, password: str | None = None,
             unit_code: str | None = None, full_name: str = "", actor: str | None = None) -> str:
    """Create an account; returns the password (generated when none is given)."""
    username = check_username(username)
    if role not in ROLES:
        raise AccountError(f"Vai trò không hợp lệ: {role}. Chọn một trong: {', '.join(ROLES)}.")
    if role == "ward":
        if not unit_code or not con.execute("SELECT 1 FROM units WHERE code = ?",
                                            [unit_code]).fetchall():
            raise AccountError("Tài khoản cán bộ phường, xã cần mã đơn vị có trong danh sách (--unit).")
    elif unit_code:
        raise AccountError("Chỉ tài khoản cán bộ phường, xã (ward) gắn với một đơn vị.")
    if _find(con, username):
        raise AccountError(f"Tài khoản «{username}» đã có.")
    if password is None:
        password = new_password()
    refuse_weak_password(password, username)
    with db.transaction(con):
        con.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                    [username, full_name, role, unit_code, _hasher.hash(password), datetime.now()])
        db.audit(con, actor, "user_add",
                 f"{username} ({ROLES[role]}{', ' + unit_code if unit_code else ''})")
    return password


def remove_user(con, username: str, actor: str | None = None) -> str:
    """Delete an account and end its sessions; returns the normalised username."""
    username = normalize_username(username)
    if not _find(con, username):
        raise AccountError(f"Không có tài khoản «{username}».")
    with db.transaction(con):
        con.execute("DELETE FROM sessions WHERE username = ?", [username])
        con.execute("DELETE FROM users WHERE username = ?", [username])
        db.audit(con, actor, "user_remove", username)
    return username


def set_password(con, username: str, password: str, actor: str | None = None,
                 keep_session_hash: str | None = None) -> str:
    """A new password; every session of the account ends (but keep_session_hash, the one that
    asked for the change)."""
    username = normalize_username(username)
    if not _find(con, username):
        raise AccountError(f"Không có tài khoản «{username}».")
    refuse_weak_password(password, username)
    with db.transaction(con):
        con.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                    [_hasher.hash(password), username])
        con.execute("DELETE FROM sessions WHERE username = ? AND token_hash IS DISTINCT FROM ?",
                    [username, keep_session_hash])
        db.audit(con, actor, "password_change", username)
    return username


def list_users(con) -> list[User]:
    rows = con.execute("SELECT username, full_name, role, unit_code FROM users "
                       "ORDER BY role, username").fetchall()
    return [User(*r) for r in rows]


def verify_password(con, username: str, password: str) -> User | None:
    """The account when the password is right (argon2 runs either way, so the time says
    nothing about whether the account exists)."""
    rows = con.execute("SELECT username, full_name, role, unit_code, password_hash FROM users "
                       "WHERE username = ?", [normalize_username(username)]).fetchall()
    return check_hash(rows[0] if rows else None, password)


def check_hash(row, password: str) -> User | None:
    """row: (username, full_name, role, unit_code, password_hash) or None."""
    if row is None:
        _hasher.hash(password)
        return None
    try:
        _hasher.verify(row[4], password)
    except (VerificationError, InvalidHashError):
        return None
    return User(*row[:4])
