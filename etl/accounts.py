"""Local accounts (argon2 password hashes in the database) and the role matrix.

Roles (DOMAIN.md §1): leader = lãnh đạo (views everything, exports); ward = cán bộ phường/xã
(views, uploads for its own unit only); department = chuyên viên Sở Nội vụ (reviews, sets
deadlines, manages accounts). The app's sign-in page and the CLI both use this module.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = {"leader": "Lãnh đạo", "ward": "Cán bộ phường, xã, đặc khu",
         "department": "Chuyên viên Sở Nội vụ"}
# action -> roles allowed; "upload" is further limited to the account's own unit.
PERMISSIONS = {
    "view": {"leader", "ward", "department"},
    "export": {"leader", "ward", "department"},
    "upload": {"ward", "department"},
    "review": {"department"},
    "set_deadlines": {"department"},
    "manage_accounts": {"department"},
}
_hasher = PasswordHasher()


class AccountError(ValueError):
    """A refused account operation, with a Vietnamese message."""


@dataclass(frozen=True)
class User:
    username: str
    full_name: str
    role: str
    unit_code: str | None


def can(user: User | None, action: str, unit_code: str | None = None) -> bool:
    """May this user do this? A ward account acts only for its own unit."""
    if user is None or user.role not in PERMISSIONS.get(action, ()):
        return False
    if action == "upload" and user.role == "ward":
        return unit_code is not None and unit_code == user.unit_code
    return True


def add_user(con, username: str, role: str, password: str | None = None,
             unit_code: str | None = None, full_name: str = "", actor: str | None = None) -> str:
    """Create an account; returns the password (generated when none is given)."""
    username = username.strip().lower()
    # "@" lets an OIDC account's e-mail be its username (pages/_auth.py).
    plain = username.replace(".", "").replace("_", "").replace("-", "").replace("@", "")
    if not username or not plain.isalnum():
        raise AccountError("Tên đăng nhập chỉ gồm chữ không dấu, số, dấu chấm, gạch dưới, gạch "
                           "ngang (hoặc một địa chỉ thư điện tử).")
    if role not in ROLES:
        raise AccountError(f"Vai trò không hợp lệ: {role}. Chọn một trong: {', '.join(ROLES)}.")
    if role == "ward":
        if not unit_code or not con.execute("SELECT 1 FROM units WHERE code = ?",
                                            [unit_code]).fetchall():
            raise AccountError("Tài khoản cán bộ phường, xã cần mã đơn vị có trong danh sách (--unit).")
    elif unit_code:
        raise AccountError("Chỉ tài khoản cán bộ phường, xã (ward) gắn với một đơn vị.")
    if con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall():
        raise AccountError(f"Tài khoản «{username}» đã có.")
    if password is None:
        password = secrets.token_urlsafe(12)
    if len(password) < 8:
        raise AccountError("Mật khẩu cần ít nhất 8 ký tự.")
    con.execute("BEGIN")
    con.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                [username, full_name, role, unit_code, _hasher.hash(password), datetime.now()])
    _audit(con, actor, "user_add", f"{username} ({ROLES[role]}{', ' + unit_code if unit_code else ''})")
    con.execute("COMMIT")
    return password


def remove_user(con, username: str, actor: str | None = None) -> None:
    if not con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall():
        raise AccountError(f"Không có tài khoản «{username}».")
    con.execute("BEGIN")
    con.execute("DELETE FROM users WHERE username = ?", [username])
    _audit(con, actor, "user_remove", username)
    con.execute("COMMIT")


def list_users(con) -> list[User]:
    rows = con.execute("SELECT username, full_name, role, unit_code FROM users "
                       "ORDER BY role, username").fetchall()
    return [User(*r) for r in rows]


def authenticate(con, username: str, password: str) -> User | None:
    rows = con.execute("SELECT username, full_name, role, unit_code, password_hash FROM users "
                       "WHERE username = ?", [username.strip().lower()]).fetchall()
    if not rows:
        _hasher.hash(password)  # same work either way: no hint whether the account exists
        return None
    try:
        _hasher.verify(rows[0][4], password)
    except (VerificationError, InvalidHashError):
        return None
    return User(*rows[0][:4])


def _audit(con, actor, action, detail) -> None:
    con.execute("INSERT INTO audit_log VALUES (current_timestamp, ?, ?, ?, NULL, NULL)",
                [actor, action, detail])


def user_cli(db_path, action: str, username: str | None, role: str | None, unit_code: str | None,
             full_name: str, password_stdin: bool) -> int:
    import sys

    from etl import db
    try:
        if action == "list":
            with db.connect(db_path, read_only=True) as con:
                users = list_users(con)
            if not users:
                print("Chưa có tài khoản nào. Tạo bằng: python -m etl user add TÊN --role ...")
            for u in users:
                unit = f", đơn vị {u.unit_code}" if u.unit_code else ""
                print(f"- {u.username}: {ROLES[u.role]}{unit}" + (f" — {u.full_name}" if u.full_name else ""))
            return 0
        if not username:
            raise AccountError("Cần tên đăng nhập.")
        with db.connect(db_path) as con:
            if action == "remove":
                remove_user(con, username, actor="cli")
                print(f"Đã xóa tài khoản «{username}».")
                return 0
            given = sys.stdin.readline().rstrip("\n") if password_stdin else None
            password = add_user(con, username, role or "", given, unit_code, full_name, actor="cli")
        print(f"Đã tạo tài khoản «{username.strip().lower()}» ({ROLES[role]}).")
        if given is None:
            print(f"Mật khẩu (chỉ hiện một lần, hãy chuyển cho người dùng và đổi sau): {password}")
        return 0
    except AccountError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
