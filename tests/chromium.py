"""Chromium for the browser tests: the Debian browser through Playwright, and the app as `make run`
starts it. Never downloads a browser (no `playwright install`)."""
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
START_TIMEOUT_S = 60


# Skipped when Chromium is missing, unless DANVAN_REQUIRE_BROWSER=1 (CI): then require_chromium fails.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("DANVAN_REQUIRE_BROWSER") != "1",
    reason=f"{CHROMIUM} not installed (Debian package 'chromium'); set DANVAN_REQUIRE_BROWSER=1 "
           "to make this a failure")


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"DANVAN_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(db_file, log, **env_overrides):
    """`streamlit run serve.py` (as `make run`) on a free port against db_file; yields its URL,
    stops it after."""
    port = _free_port()
    env = {**os.environ, "DANVAN_DB": str(db_file), **env_overrides}
    env = {k: v for k, v in env.items() if v is not None}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=10)


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000):
    """A Chromium page (vi-VN) for a test module; closes the browser after."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        try:
            yield context.new_page()
        finally:
            browser.close()


def sign_in(page, username: str, password: str) -> None:
    """On the server's sign-in form (where any page sends a signed-out visitor)."""
    page.wait_for_selector('form[action="/auth/login"]', timeout=30_000)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
