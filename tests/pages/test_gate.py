"""The gate in front of Streamlit (pages/_gate.py), driven as ASGI: uploads need a session, and an
upload over the limit reaches Streamlit as a small stand-in whatever its headers say (a chunked
upload has no Content-Length to check)."""
import asyncio
import shutil

import pytest

from etl.intake import reader
from etl.workflow import sessions
from pages import _gate, _ui
from tests.conftest import DEPT, session_for

BOUNDARY = b"xyz"


@pytest.fixture()
def live(dashboard_db, tmp_path, monkeypatch):
    path = shutil.copy(dashboard_db, tmp_path / "live.duckdb")
    monkeypatch.setenv("DANVAN_DB", str(path))
    return path


def _multipart(size: int, name: bytes = b"bao-cao.pdf") -> list[bytes]:
    head = (b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file"; filename="' + name
            + b'"\r\nContent-Type: application/pdf\r\n\r\n')
    body = head + b"%" * size + b"\r\n--" + BOUNDARY + b"--\r\n"
    return [body[i:i + 2**20] for i in range(0, len(body), 2**20)]


def _upload(chunks: list[bytes], cookie: str | None, chunked: bool = True):
    """PUT the chunks through the gate; returns (status, what Streamlit received, bytes read)."""
    headers = [(b"content-type", b"multipart/form-data; boundary=" + BOUNDARY)]
    if chunked:
        headers.append((b"transfer-encoding", b"chunked"))
    else:
        headers.append((b"content-length", str(sum(map(len, chunks))).encode()))
    if cookie:
        headers.append((b"cookie", f"{sessions.COOKIE}={cookie}".encode()))
    scope = {"type": "http", "method": "PUT", "path": "/_stcore/upload_file/s1/f1", "headers": headers,
             "query_string": b"", "scheme": "http", "server": ("testserver", 80), "root_path": ""}
    pending = list(chunks)
    read = 0

    async def receive():
        nonlocal read
        body = pending.pop(0) if pending else b""
        read += len(body)
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    got = {"body": b"", "length": None}

    async def streamlit(scope, receive, send):
        got["length"] = dict(scope["headers"]).get(b"content-length")
        more = True
        while more:
            message = await receive()
            got["body"] += message.get("body", b"")
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent = []

    async def send(message):
        sent.append(message)

    asyncio.run(_gate.Gate(streamlit)(scope, receive, send))
    return sent[0]["status"], got, read


def test_an_upload_without_a_session_is_refused_before_it_is_read(live):
    status, got, read = _upload(_multipart(30 * 2**20), cookie=None)
    assert status == 403 and got["body"] == b"" and read <= 2**20


def test_a_chunked_upload_over_the_limit_becomes_the_stand_in(live):
    token = session_for(live, DEPT)
    size = reader.max_upload_bytes() + 5 * 2**20
    status, got, read = _upload(_multipart(size), cookie=token)
    assert status == 204 and read > size                     # read to the end, then dropped
    assert len(got["body"]) < 1024 and int(got["length"]) == len(got["body"])
    stand_in = got["body"].split(b"\r\n\r\n", 1)[1].split(b"\r\n--")[0]
    assert _ui.oversize(stand_in) is not None and b'filename="bao-cao.pdf"' in got["body"]
    # Under the limit, chunked or not, the file passes as sent.
    for chunked in (True, False):
        small = _multipart(2**20)
        status, got, _ = _upload(small, cookie=token, chunked=chunked)
        assert status == 204 and got["body"] == b"".join(small)


def test_a_page_starts_streamlit_chunks_of_the_first_page_early(live, monkeypatch):
    """Streamlit's own index.html, through the gate: its head preloads the chunks a first page
    needs and imports plotly's, files that exist in the installed Streamlit (their names carry
    a hash that changes with each Streamlit release)."""
    import re
    from pathlib import Path

    import streamlit
    monkeypatch.setenv("DANVAN_ANONYMOUS_READ", "1")
    static = Path(streamlit.__file__).parent / "static"
    html = (static / "index.html").read_bytes()

    async def streamlit_app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html"), (b"content-length", str(len(html)).encode())]})
        await send({"type": "http.response.body", "body": html})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b"",
             "scheme": "http", "server": ("testserver", 80), "root_path": ""}
    asyncio.run(_gate.Gate(streamlit_app)(scope, receive, send))
    body = sent[1]["body"]
    assert int(dict(sent[0]["headers"])[b"content-length"]) == len(body)
    head = body[:body.index(b"</head>")].decode()
    imported = re.findall(r'<script type="module">import\("\./(static/js/[^"]+)"\)</script>', head)
    preloaded = re.findall(r'<link rel="modulepreload" crossorigin href="\./(static/js/[^"]+)">', head)
    assert any(Path(p).name.startswith("PlotlyChart.") for p in imported)
    assert any(Path(p).name.startswith("Selectbox.") for p in preloaded)
    assert all((static / p).is_file() for p in imported + preloaded)
