"""nginx with deploy/nginx/danvan.conf for the tests of tests/deploy: the site file as shipped,
only its ports moved to free local ones (checked to be exactly where they are expected, so the
tests notice when the file changes shape), under a main nginx.conf that keeps every file nginx
writes in the test's folder. Replicas are stand-ins (stub_replica.py) or real app processes."""
import contextlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx" / "danvan.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
STUB = Path(__file__).with_name("stub_replica.py")
SITE = "danvan.example.gov.vn"
IS_ROOT = os.geteuid() == 0
REPLICAS = 3                                     # the site file's example: 8501..8503


def needs(present: bool, require_var: str, reason: str) -> None:
    """Skip without the tool, unless require_var=1 says it must be there (then fail)."""
    if present:
        return
    if os.environ.get(require_var) == "1":
        pytest.fail(f"{require_var}=1 but {reason}")
    pytest.skip(f"{reason}; set {require_var}=1 to make this a failure")


def needs_nginx() -> None:
    needs(Path(NGINX).exists(), "DANVAN_REQUIRE_NGINX",
          "nginx is not installed (Debian package 'nginx': apt-get install nginx)")


def run(cmd, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("timeout", 60)
    return subprocess.run(cmd, check=False, capture_output=True, text=True, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process for port {port} ended (exit {proc.returncode})")
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


def self_signed_cert(folder: Path) -> None:
    """tls/danvan-fullchain.pem and tls/danvan-privkey.pem, where the site file's relative
    certificate paths point when the main nginx.conf is in folder's parent."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (needed for a test certificate)")
    folder.mkdir(parents=True)
    result = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                  "-nodes", "-days", "2", "-subj", f"/CN={SITE}", "-keyout", str(folder / "danvan-privkey.pem"),
                  "-out", str(folder / "danvan-fullchain.pem")])
    assert result.returncode == 0, result.stderr


def main_conf(folder: Path, site_conf: Path, access_log: bool = False) -> Path:
    """A main nginx.conf around the site file; with access_log, each request's upstream in
    folder/access.log as `METHOD URI -> ADDRESS STATUS`."""
    user = "user root;\n" if IS_ROOT else ""       # workers write the temp folders below
    log = (f"log_format upstream '$request_method $uri -> $upstream_addr $status';\n"
           f"    access_log {folder}/access.log upstream;" if access_log else "access_log off;")
    conf = folder / "nginx.conf"
    conf.write_text(f"""{user}pid {folder}/nginx.pid;
error_log {folder}/error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    {log}
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {site_conf};
}}
""")
    return conf


def _replace(text: str, old: str, new: str, count: int) -> str:
    # Exactly `count` times: if the site file changes shape, the tests must notice, not test less.
    assert text.count(old) == count, f"expected {count} × {old!r} in {NGINX_CONF.name}"
    return text.replace(old, new)


class Proxy:
    """nginx in front of REPLICAS replicas on free ports. With stubs=True (the default) it starts
    stand-ins on those ports; otherwise the caller starts whatever listens there."""

    def __init__(self, folder: Path, stubs: bool = True, access_log: bool = False):
        self.folder = folder
        self.use_stubs = stubs
        self.http_port, self.https_port = free_port(), free_port()
        self.replicas = [free_port() for _ in range(REPLICAS)]
        self.stubs: dict[int, subprocess.Popen] = {}
        conf = NGINX_CONF.read_text()
        conf = _replace(conf, "listen 80;", f"listen 127.0.0.1:{self.http_port};", 1)
        conf = _replace(conf, "listen [::]:80;", "", 1)
        conf = _replace(conf, "listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;", 1)
        conf = _replace(conf, "listen [::]:443 ssl http2;", "", 1)
        for n, port in enumerate(self.replicas):
            conf = _replace(conf, f"127.0.0.1:{8501 + n} ", f"127.0.0.1:{port} ", 2)
        site = folder / "danvan-test.conf"
        site.write_text(conf)
        self_signed_cert(folder / "tls")
        self.conf = main_conf(folder, site, access_log)
        self.nginx = None

    def start_stub(self, port: int) -> None:
        self.stubs[port] = subprocess.Popen([sys.executable, str(STUB), str(port)])
        wait_for_port(port, proc=self.stubs[port])

    def stop_stub(self, port: int) -> None:
        self.stubs[port].kill()
        self.stubs.pop(port).wait()

    def __enter__(self):
        if self.use_stubs:
            for port in self.replicas:
                self.start_stub(port)
        self.nginx = subprocess.Popen([NGINX, "-p", f"{self.folder}/", "-e", str(self.folder / "error.log"),
                                       "-c", str(self.conf), "-g", "daemon off;"])
        wait_for_port(self.https_port, proc=self.nginx)
        wait_for_port(self.http_port, proc=self.nginx)
        return self

    def __exit__(self, *exc):
        if self.nginx:
            self.nginx.terminate()
            self.nginx.wait(10)
        for port in list(self.stubs):
            self.stop_stub(port)

    def access_log(self) -> list[str]:
        """The access log's lines (access_log=True), once nginx has written them."""
        path = self.folder / "access.log"
        return path.read_text().splitlines() if path.exists() else []

    # ------------------------------------------------------------ clients
    @property
    def host(self) -> str:
        return f"{SITE}:{self.https_port}"        # what a browser sends on a non-default port

    def tls_socket(self) -> ssl.SSLSocket:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=10)
        return context.wrap_socket(raw, server_hostname=SITE)

    def request(self, method: str, path: str, cookie: str | None = None, body: bytes = b"",
                headers: dict | None = None, port: int | None = None):
        """(status, headers as a list of (name, value), body) of one request on a new connection;
        port: plain HTTP to that port instead of HTTPS."""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", "Connection: close"]
        if cookie:
            head.append(f"Cookie: {cookie}")
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method in ("POST", "PUT"):
            head.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        sock = self.tls_socket() if port is None else socket.create_connection(("127.0.0.1", port), timeout=10)
        with sock:
            sock.sendall(data)
            return read_response(sock)

    def replica_of(self, path: str, cookie: str, method: str = "GET", body: bytes = b"") -> dict:
        """What the stand-in replica that answered saw (its port, headers, body size)."""
        status, _headers, payload = self.request(method, path, cookie, body)
        assert status == 200, (status, payload[:300])
        return json.loads(payload)


def read_response(sock) -> tuple[int, list[tuple[str, str]], bytes]:
    # Up to Content-Length, not to the end of the connection: after refusing a body nginx keeps
    # the connection up to 5 s to drain it (lingering close).
    data = b""
    while b"\r\n\r\n" not in data and (chunk := sock.recv(65536)):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:]]
    length = next((int(v) for k, v in headers if k.lower() == "content-length"), None)
    while (length is None or len(body) < length) and (chunk := sock.recv(65536)):
        body += chunk
    return int(lines[0].split()[1]), headers, body


def routing_cookies(headers) -> list[str]:
    """The Set-Cookie headers of nginx's routing cookie."""
    return [v for k, v in headers if k.lower() == "set-cookie" and v.startswith("danvan_tuyen=")]
