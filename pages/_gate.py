"""The gate in front of Streamlit: every page address needs a session (unless
DANVAN_ANONYMOUS_READ=1) and gets the sign-in form before Streamlit sends anything; an address
that is not a page gets a Vietnamese "not found" page instead of Streamlit's English one; an
upload over the app's limit is read away in bounded memory and reaches the page as a small
stand-in it refuses in Vietnamese (Streamlit's own refusal is English). Mounted by serve.py."""
import re
import urllib.parse
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from etl.intake import reader
from etl.workflow import sessions
from pages import _auth, _nav, _signin, _ui

# Streamlit's own routes and assets: never a page, never gated here (the websocket, uploads and
# downloads are checked by the script that serves them).
PASS_THROUGH = ("/_stcore/", "/static/", "/component/", "/oauth2callback")
STATIC_FILES = {"/favicon.png", "/manifest.json"}
UPLOAD_PREFIX = "/_stcore/upload_file/"
SECURITY_HEADERS = [(b"x-frame-options", b"SAMEORIGIN"), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin")]


class Gate:
    """ASGI middleware in front of Streamlit (see the module docstring)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + SECURITY_HEADERS}
            await send(message)

        path = scope["path"]
        if path.startswith(UPLOAD_PREFIX):
            # Only a signed-in account uploads (a read-only visitor never does): an anonymous
            # client could otherwise fill the server's memory with files no page reads.
            if not await self._let_in(Request(scope)):
                return await Response(status_code=403)(scope, receive, send_with_headers)
            if scope["method"] == "PUT":
                return await capped_upload(self.app, scope, receive, send_with_headers)
        if path.startswith(PASS_THROUGH) or path in STATIC_FILES or path.startswith("/auth/"):
            return await self.app(scope, receive, send_with_headers)
        request = Request(scope)
        if path.startswith("/media/"):     # downloads made for a signed-in page
            if _auth.anonymous_read() or await self._let_in(request):
                return await self.app(scope, receive, send_with_headers)
            return await Response(status_code=403)(scope, receive, send_with_headers)
        page = path.strip("/")
        query = scope["query_string"].decode("latin-1")
        if page == _nav.DEFAULT_ALIAS:
            return await RedirectResponse("/" + (f"?{query}" if query else ""), status_code=308)(
                scope, receive, send_with_headers)
        if page not in _nav.URL_PATHS:
            return await _signin.not_found()(scope, receive, send_with_headers)
        if _auth.anonymous_read() or await self._let_in(request):
            return await self.app(scope, receive, with_preloads(send_with_headers))
        target = path + (f"?{query}" if query else "")
        response = RedirectResponse(f"{_signin.SIGN_IN_PATH}?next={urllib.parse.quote(target)}",
                                    status_code=303)
        if request.cookies.get(sessions.COOKIE):
            _signin.clear_cookie(response)               # an ended session's cookie goes too
        return await response(scope, receive, send_with_headers)

    @staticmethod
    async def _let_in(request: Request) -> bool:
        if await _signin.session_user(request) is not None:
            return True
        # An organisation (OIDC) sign-in is Streamlit's own cookie: the script maps it to a
        # local account on every run.
        return _auth.oidc_configured() and bool(request.cookies.get("_streamlit_user"))


# Streamlit's scripts for the elements a first page shows: the browser fetches each only when
# the first element of its kind arrives, after the script ran, in waves (selects, then metrics,
# then tables, then the 4,7 MB plotly chunk): ~1,5 s of a first page here. Preloaded from the
# page's head, they are fetched and compiled while the script runs. Names as Streamlit 1.67
# builds them (pinned), a hash after the dot.
FIRST_PAGE_CHUNKS = (
    "PlotlyChart", "DataFrame", "arrowFormatUtils", "recordbatch", "serialization", "Quiver", "moment",
    "Selectbox", "Multiselect", "Radio", "Checkbox", "TextInput", "TextField", "Html", "purify.es",
    "Metric", "numbro", "DownloadButton", "useMenuTrigger", "useSyncComboBoxEnterTargetFocus",
    "reactJsonViewCompat", "dist", "_baseAssignValue")

# Compiled is not enough for the two largest: evaluating plotly's chunk took ~0,3–0,5 s of the
# browser's main thread after the script's last message, before the page drew its heading.
# Imported from the head, they are evaluated while the browser waits for the script (first page
# 2,5–3,4 s -> 2,2–2,4 s here).
EVALUATE_EARLY = ("PlotlyChart", "DataFrame")


def _first_page_chunks() -> bytes:
    import streamlit
    js = Path(streamlit.__file__).parent / "static" / "static" / "js"
    files = sorted(f for name in FIRST_PAGE_CHUNKS for f in js.glob(f"{name}.*.js")
                   if f.name[len(name)] == ".")
    links = b"".join(b'<link rel="modulepreload" crossorigin href="./static/js/' + f.name.encode() + b'">'
                     for f in files)
    evaluate = [f for f in files if f.name.split(".")[0] in EVALUATE_EARLY]
    return links + b"".join(b'<script type="module">import("./static/js/' + f.name.encode() + b'")</script>'
                            for f in evaluate)


PRELOADS = _first_page_chunks()


def with_preloads(send):
    """The page's HTML with PRELOADS in its head (other responses pass as they are)."""
    state = {"html": False, "start": None, "body": b""}

    async def patched(message):
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers", []))
            state["html"] = bool(PRELOADS) and headers.get(b"content-type", b"").startswith(b"text/html")
            if not state["html"]:
                return await send(message)
            state["start"] = message
            return None
        if not state["html"]:
            return await send(message)
        state["body"] += message.get("body", b"")
        if message.get("more_body"):
            return None
        body = state["body"].replace(b"</head>", PRELOADS + b"</head>", 1)
        start = state["start"]
        headers = [(k, str(len(body)).encode() if k == b"content-length" else v)
                   for k, v in start.get("headers", [])]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
    return patched


async def capped_upload(app, scope, receive, send):
    """Pass an upload on, or, over the app's limit, read it away without keeping it and pass on
    a small stand-in file (same name) that the upload page refuses in Vietnamese. An upload
    without a Content-Length (chunked) is held, up to the limit, before it is passed on."""
    limit = reader.max_upload_bytes() + 64 * 1024          # the file plus its multipart framing
    headers = dict(scope["headers"])
    try:
        length = int(headers[b"content-length"]) if b"content-length" in headers else None
    except ValueError:
        return await Response(status_code=400)(scope, receive, send)
    if length is not None and length <= limit:
        return await app(scope, receive, send)
    chunks, size, more = [], 0, True
    while more and size <= limit:
        message = await receive()
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
    if size <= limit:                                      # a small chunked upload: as it came
        return await app(_with_length(scope, size), _replay(b"".join(chunks)), send)
    head = b"".join(chunks)[:65536]
    while more:                                            # the rest is read and dropped
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    boundary = re.search(rb'boundary="?([^";]+)', headers.get(b"content-type", b""))
    name = re.search(rb'filename="([^"\r\n]*)"', head)
    if boundary is None or name is None:
        return await Response(status_code=400)(scope, receive, send)
    body = (b"--" + boundary[1] + b'\r\nContent-Disposition: form-data; name="file"; filename="'
            + name[1] + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + _ui.oversize_marker(length or size) + b"\r\n--" + boundary[1] + b"--\r\n")
    return await app(_with_length(scope, len(body)), _replay(body), send)


def _with_length(scope, length: int):
    headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-length", b"transfer-encoding")]
    return {**scope, "headers": headers + [(b"content-length", str(length).encode())]}


def _replay(body: bytes):
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}
    return receive
