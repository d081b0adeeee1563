"""Sign-in and sign-out as plain HTTP routes (/auth/login, /auth/logout): the form, the checks
in front of the password check (same origin, a per-client limit), the HttpOnly session cookie.
etl.workflow.sessions keeps the sessions and the account locks in the database. Mounted by
serve.py; the pages read the cookie through pages/_auth.py."""
import html
import logging
import threading
import time
import urllib.parse
from collections import deque

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from etl import config
from etl.warehouse import db
from etl.workflow import sessions
from pages import _auth

log = logging.getLogger("danvan")
SIGN_IN_PATH, SIGN_OUT_PATH, OIDC_PATH = "/auth/login", "/auth/logout", "/auth/oidc"
MAX_FORM_BYTES = 16 * 1024


# ---------------------------------------------------------------- who is asking

class Throttle:
    """At most `limit` events per client in `window_s` seconds (one process's memory)."""

    def __init__(self, limit: int, window_s: float, max_clients: int = 10_000):
        self.limit, self.window_s, self.max_clients = limit, window_s, max_clients
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def wait_s(self, client: str, now: float | None = None) -> float:
        """0 when the event is allowed (and counted), else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.window_s - now
            hits.append(now)
            if len(self._hits) > self.max_clients:     # many addresses: forget the oldest half
                by_age = sorted(self._hits, key=lambda k: self._hits[k][-1] if self._hits[k] else 0)
                for key in by_age[:len(by_age) // 2]:
                    del self._hits[key]
            return 0.0


sign_in_throttle = Throttle(config.get("DANVAN_SIGNIN_PER_MINUTE"), 60.0)


def client_address(request: Request) -> str:
    """The visitor's address; behind a reverse proxy (DANVAN_TRUSTED_PROXY=1) the address the
    proxy saw, else every visitor would share the proxy's address and its limit."""
    if config.get("DANVAN_TRUSTED_PROXY"):
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64]
    return request.client.host if request.client else ""


def _secure(request: Request) -> bool:
    return (config.get("DANVAN_COOKIE_SECURE") or request.url.scheme == "https"
            or request.headers.get("x-forwarded-proto") == "https")


def _set_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(sessions.COOKIE, token, max_age=int(sessions.max_age().total_seconds()),
                        path="/", httponly=True, samesite="lax", secure=_secure(request))


def clear_cookie(response: Response) -> None:
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax")


async def session_user(request: Request):
    token = request.cookies.get(sessions.COOKIE)
    if not token:
        return None
    try:
        return await to_thread.run_sync(sessions.session_user, str(db.db_path()), token)
    except Exception:  # noqa: BLE001 — a missing or busy database: treated as signed out
        log.exception("session check failed")
        return None


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never another host (an open redirect would let a link
    signed with our name send people elsewhere)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _same_origin(request: Request) -> bool:
    """A form posted from another site (login CSRF) carries its own Origin."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True
    host = request.headers.get("host", "")
    if config.get("DANVAN_TRUSTED_PROXY"):
        host = request.headers.get("x-forwarded-host", host).split(",")[0].strip()
    return urllib.parse.urlsplit(origin).netloc == host


# ---------------------------------------------------------------- HTML pages of the server

_STYLE = """
body{font-family:"Source Sans Pro","Liberation Sans",Arial,sans-serif;background:#f4f6f9;color:#1a1a1a;
margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;max-width:26rem;width:100%;padding:2rem 2.2rem;border-radius:.6rem;
box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.6rem;margin:0 0 .3rem;color:#1f4e79}
p.lead{color:#555;margin:0 0 1.4rem;font-size:.95rem}
label{display:block;font-weight:600;margin:.9rem 0 .3rem}
input{width:100%;box-sizing:border-box;padding:.55rem .6rem;font-size:1rem;border:1px solid #b8c2cc;
border-radius:.35rem}
button,a.button{margin-top:1.3rem;width:100%;padding:.65rem;font-size:1rem;font-weight:600;border:0;
border-radius:.35rem;background:#1f4e79;color:#fff;cursor:pointer;display:block;text-align:center;
text-decoration:none}
a.button.secondary{background:#fff;color:#1f4e79;border:1px solid #1f4e79}
.msg{padding:.7rem .8rem;border-radius:.35rem;margin:1rem 0 0;font-size:.95rem}
.error{background:#fdecea;color:#8a1c12}.info{background:#e8f1fb;color:#174066}
small{display:block;color:#666;margin-top:1.4rem}
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)} — Dân vận Hải Phòng</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>", status_code=status,
        headers={"cache-control": "no-store"})


def sign_in_form(next_path: str, username: str = "", message: str = "", kind: str = "error",
                 status: int = 200) -> HTMLResponse:
    note = f'<p class="msg {kind}" role="alert">{html.escape(message)}</p>' if message else ""
    oidc = (f'<a class="button secondary" href="{OIDC_PATH}?next={urllib.parse.quote(next_path)}">'
            "Đăng nhập bằng tài khoản tổ chức</a>" if _auth.oidc_configured() else "")
    return _page("Đăng nhập", f"""
<h1>Đăng nhập</h1>
<p class="lead">Hệ thống theo dõi công tác dân vận của các phường, xã, đặc khu thành phố
Hải Phòng.</p>
<form method="post" action="{SIGN_IN_PATH}" autocomplete="on">
<input type="hidden" name="next" value="{html.escape(next_path)}">
<label for="username">Tên đăng nhập</label>
<input id="username" name="username" value="{html.escape(username)}" autocomplete="username"
 maxlength="100" required autofocus>
<label for="password">Mật khẩu</label>
<input id="password" name="password" type="password" autocomplete="current-password"
 maxlength="200" required>
{note}
<button type="submit">Đăng nhập</button>
</form>
{oidc}
<small>Chưa có tài khoản hoặc quên mật khẩu? Liên hệ chuyên viên Sở Nội vụ.</small>""",
                 status)


def not_found() -> HTMLResponse:
    return _page("Không tìm thấy trang", """
<h1>Không tìm thấy trang</h1>
<p class="lead">Địa chỉ này không có trong hệ thống. Có thể đường liên kết đã cũ hoặc bị gõ
sai.</p><a class="button" href="/">Về trang Tổng quan</a>""", 404)


# ---------------------------------------------------------------- routes

async def sign_in(request: Request) -> Response:
    if request.method == "GET":
        if "provider" in request.query_params:         # Streamlit's own OIDC flow (st.login)
            return await _streamlit_auth("login", request)
        next_path = _safe_next(request.query_params.get("next"))
        if await session_user(request) is not None:
            return RedirectResponse(next_path, status_code=303)
        if request.query_params.get("da_thoat") == "1":
            return sign_in_form(next_path, message="Đã đăng xuất.", kind="info")
        return sign_in_form(next_path)
    length = request.headers.get("content-length") or "0"
    if not length.isdigit() or int(length) > MAX_FORM_BYTES:
        return sign_in_form("/", message="Dữ liệu gửi lên quá lớn hoặc không hợp lệ.", status=413)
    form = await request.form()
    username = str(form.get("username") or "")[:100]
    password = str(form.get("password") or "")[:200]
    next_path = _safe_next(str(form.get("next") or ""))
    if not _same_origin(request):
        return sign_in_form(next_path, username, "Yêu cầu đăng nhập không đến từ trang này; "
                            "hãy mở trang đăng nhập của hệ thống rồi thử lại.", status=403)
    client = client_address(request)
    wait = sign_in_throttle.wait_s(client)
    if wait > 0:
        log.warning("sign-in throttled for %s", client)
        return sign_in_form(next_path, username,
                            "Máy của bạn đã thử đăng nhập quá nhiều lần. Vui lòng thử lại sau "
                            f"{int(wait) + 1} giây.", status=429)
    try:
        result = await to_thread.run_sync(sessions.sign_in, str(db.db_path()), username,
                                          password, client)
    except Exception:  # noqa: BLE001 — the operator's log gets the detail, the user a sentence
        log.exception("sign-in failed")
        return sign_in_form(next_path, username, "Hệ thống đang bận hoặc gặp sự cố; vui lòng "
                            "thử lại sau ít phút.", status=503)
    if result.user is None:
        return sign_in_form(next_path, username, result.message, status=401)
    response = RedirectResponse(next_path, status_code=303)
    _set_cookie(response, request, result.token)
    return response


async def sign_out(request: Request) -> Response:
    # A link on another site must not sign people out (browsers say where a request came from).
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return RedirectResponse("/", status_code=303)
    token = request.cookies.get(sessions.COOKIE)
    if token:
        try:
            await to_thread.run_sync(sessions.end_session, str(db.db_path()), token)
        except Exception:  # noqa: BLE001
            log.exception("sign-out failed")
    if _auth.oidc_configured() and request.cookies.get("_streamlit_user"):
        response = await _streamlit_auth("logout", request)
    else:
        response = RedirectResponse(f"{SIGN_IN_PATH}?da_thoat=1", status_code=303)
    clear_cookie(response)
    return response


async def oidc(request: Request) -> Response:
    if not _auth.oidc_configured():
        return not_found()
    from streamlit.user_info import generate_login_redirect_url  # Streamlit's st.login target
    return RedirectResponse(generate_login_redirect_url("default"), status_code=303)


async def _streamlit_auth(which: str, request: Request) -> Response:
    """Streamlit's own OIDC routes, which ours replace at the same addresses."""
    from streamlit.web.server.starlette.starlette_auth_routes import create_auth_routes
    login, logout, _ = create_auth_routes("")
    return await (login if which == "login" else logout).endpoint(request)
