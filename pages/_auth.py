"""Who is signed in: local accounts (etl.accounts) kept in st.session_state, optional OIDC.

Anonymous visitors see only the sign-in page, unless DANVAN_ANONYMOUS_READ=1 opens the
dashboards read-only (no upload, review or account pages).
"""
import os

import streamlit as st

from etl import accounts, db

USER = "user"           # session_state key of the signed-in etl.accounts.User
ROLE_LABELS = accounts.ROLES


def anonymous_read() -> bool:
    return os.environ.get("DANVAN_ANONYMOUS_READ", "") == "1"


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (never raises when it has none)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 — no secrets file at all is the usual case
        return False


def _oidc_user() -> accounts.User | None:
    """The local account whose username is the OIDC e-mail (roles stay in our database)."""
    if not oidc_configured():
        return None
    try:
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "").strip().lower()
    except Exception:  # noqa: BLE001
        return None
    if not email:
        return None
    with db.connect(read_only=True, timeout=5) as con:
        found = [u for u in accounts.list_users(con) if u.username == email]
    return found[0] if found else None


def current_user() -> accounts.User | None:
    user = st.session_state.get(USER)
    if user is None and (user := _oidc_user()) is not None:
        st.session_state[USER] = user
    return user


def sign_out() -> None:
    st.session_state.pop(USER, None)
    try:
        if oidc_configured() and st.user.is_logged_in:
            st.logout()
    except Exception:  # noqa: BLE001
        pass


def sign_in_page() -> None:
    st.title("Đăng nhập")
    st.caption("Hệ thống theo dõi công tác dân vận của 114 phường, xã, đặc khu thành phố Hải Phòng.")
    with st.form("sign_in"):
        username = st.text_input("Tên đăng nhập")
        password = st.text_input("Mật khẩu", type="password")
        sent = st.form_submit_button("Đăng nhập", type="primary")
    if sent:
        try:
            with db.connect(read_only=True, timeout=5) as con:
                user = accounts.authenticate(con, username, password)
        except (db.DatabaseBusy, FileNotFoundError) as exc:
            st.error(f"Chưa đăng nhập được: {exc}")
            return
        except Exception:  # noqa: BLE001 — e.g. a database without the users table
            user = None
        if user is None:
            st.error("Sai tên đăng nhập hoặc mật khẩu.")
        else:
            st.session_state[USER] = user
            st.rerun()
    if oidc_configured():
        st.divider()
        if st.button("Đăng nhập bằng tài khoản tổ chức", icon=":material/badge:"):
            st.login()
        try:
            if st.user.is_logged_in and _oidc_user() is None:
                st.warning(f"Tài khoản tổ chức {st.user.get('email')} chưa được cấp quyền. "
                           "Đề nghị Sở Nội vụ tạo tài khoản với tên đăng nhập là địa chỉ thư này.")
        except Exception:  # noqa: BLE001
            pass
    st.caption("Chưa có tài khoản? Liên hệ chuyên viên Sở Nội vụ. Khi chạy thử (`make run`), "
               "các tài khoản mẫu và mật khẩu được in ra cửa sổ lệnh ở lần khởi động đầu tiên.")
