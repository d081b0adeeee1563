"""Who is signed in, asked of the database on every run of every page.

The browser holds only a session cookie (set by serve.py's /auth/login, HttpOnly); the account,
its role and unit come from the database each time, so signing out, removing an account or
changing its role takes effect on the next click in every open tab. Each page calls require()
first: it guards itself even if it were ever run without app.py. An organisation (OIDC) sign-in
through st.login maps to the local account whose username is its e-mail address.
"""
import logging
import urllib.parse

import streamlit as st

from etl import config
from etl.warehouse import db
from etl.workflow import accounts, sessions
from etl.workflow.accounts import User

# A session token in st.session_state instead of the cookie: AppTest cannot send cookies, so
# tests open a real database session and put its token here. Only the server sets it.
SESSION_TOKEN = "session_token"
ROLE_LABELS = accounts.ROLES
BUSY = ("Cơ sở dữ liệu đang cập nhật (đang nạp báo cáo). Vui lòng thử lại sau ít phút hoặc bấm "
        "R để tải lại trang.")
log = logging.getLogger("danvan")


def anonymous_read() -> bool:
    return config.get("DANVAN_ANONYMOUS_READ")


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (never raises when it has none)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 — no secrets file at all is the usual case
        return False


def session_token() -> str | None:
    try:
        cookie = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # noqa: BLE001 — outside a browser session there are no cookies
        cookie = None
    if isinstance(cookie, str) and cookie:     # (AppTest's stand-in client has no real cookies)
        return cookie
    token = st.session_state.get(SESSION_TOKEN)
    return token if isinstance(token, str) else None


def _oidc_user() -> User | None:
    if not oidc_configured():
        return None
    try:
        if not st.user.is_logged_in:
            return None
        email = accounts.normalize_username(str(st.user.get("email") or ""))
    except Exception:  # noqa: BLE001
        return None
    if not email:
        return None
    with db.records(timeout=5) as con:
        found = [u for u in accounts.list_users(con) if u.username == email]
    return found[0] if found else None


def current_user() -> User | None:
    """The signed-in account as the database holds it now, or None."""
    try:
        user = sessions.session_user(str(db.db_path()), session_token())
        return user if user is not None else _oidc_user()
    except db.DatabaseBusy:
        st.warning(BUSY, icon=":material/hourglass_top:")
        st.stop()
    except Exception:  # noqa: BLE001 — a missing or old database: nobody is signed in
        log.exception("session check failed")
        return None


def allowed(user: User | None, action: str) -> bool:
    """May this account open a page of this action (a ward opens «Gửi báo cáo» for its own
    unit; which unit a file may be for is checked when it is sent)?"""
    if action == "view" and user is None:
        return anonymous_read()
    if action == "change_password":
        return user is not None and session_token() is not None
    return accounts.can(user, action, user.unit_code if user else None)


def refusal_page() -> None:
    """A page this account may not open, reached by its address: said in Vietnamese (without
    it, Streamlit answers "Page not found" in English)."""
    st.title("Không có quyền truy cập")
    st.error("Tài khoản của bạn không có quyền mở trang này.", icon=":material/block:")


def require(action: str) -> User | None:
    """The current account when it may do `action`; otherwise a Vietnamese refusal (or the way
    to sign in) and the page stops here."""
    user = current_user()
    if allowed(user, action):
        return user
    if user is None:
        sign_in_prompt()
    else:
        st.error("Tài khoản của bạn không có quyền mở trang này.", icon=":material/block:")
    st.stop()


def sign_in_link(next_path: str = "/") -> str:
    return "/auth/login?next=" + urllib.parse.quote(next_path)


def _here() -> str:
    try:
        path = urllib.parse.urlsplit(st.context.url or "").path or "/"
    except Exception:  # noqa: BLE001
        path = "/"
    query = urllib.parse.urlencode(st.query_params.to_dict())
    return path + (f"?{query}" if query else "")


def sign_in_prompt() -> None:
    """What a visitor without a session sees on any page (a browser normally meets the
    server's sign-in form first; this covers a session that ended while the tab was open)."""
    st.title("Đăng nhập")
    st.caption("Hệ thống theo dõi công tác dân vận của các phường, xã, đặc khu thành phố Hải Phòng.")
    st.info("Phiên đăng nhập đã kết thúc hoặc bạn chưa đăng nhập. Hãy đăng nhập để xem trang này.",
            icon=":material/login:")
    # target=_self: Streamlit opens Markdown links in a new tab; this is our own fixed HTML.
    st.markdown(f'<a href="{sign_in_link(_here())}" target="_self">Mở trang đăng nhập</a>',
                unsafe_allow_html=True)
    if oidc_configured():
        try:
            if st.user.is_logged_in and _oidc_user() is None:
                st.warning("Tài khoản tổ chức này chưa được cấp quyền. Đề nghị Sở Nội vụ tạo tài "
                           "khoản với tên đăng nhập là địa chỉ thư điện tử của bạn.")
        except Exception:  # noqa: BLE001
            pass
    st.caption("Chưa có tài khoản? Liên hệ chuyên viên Sở Nội vụ.")


def sign_out_link() -> None:
    st.markdown('<a href="/auth/logout" target="_self">Đăng xuất</a>', unsafe_allow_html=True)
