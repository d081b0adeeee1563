"""deploy/nginx/danvan.conf in front of three real app processes, in Chromium: a ward account
signs in over HTTPS, opens «Gửi báo cáo», drops a filled form and sees its preview. Every request
of that browser (pages, sign-in, the websocket, the upload, the page's images and downloads under
/media/) must reach ONE process: routed round robin, /media/ answers 404 (seen while writing
this) and an upload lands in a process where the tab does not exist. The replicas share a
DuckDB file (embedded mode): the routing is the same in server mode, where the state that must
not move is Streamlit's, per process."""
import os
import re
import subprocess
import sys
import time

from tests.chromium import CHROMIUM, CHROMIUM_ARGS, needs_chromium, require_chromium, sign_in
from tests.deploy.proxy import ROOT, SITE, Proxy, needs_nginx, run, wait_for_port
from tests.workbooks import fill_values, make_template

pytestmark = needs_chromium
WARD, PASSWORD = "vh.thu.nghiem", "Cau-rong-bac-2025"
START_TIMEOUT_S = 90


def _database(folder):
    db_file = folder / "live.duckdb"
    etl = [sys.executable, "-m", "etl", "--db", str(db_file)]
    # Synthetic history (the dashboards have something to show); its demo accounts are unused.
    result = run([*etl, "demo"], cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    result = run([*etl, "user", "add", WARD, "--role", "ward", "--unit", "10543", "--password-stdin"],
                 cwd=ROOT, input=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    return db_file


def test_a_browser_stays_on_one_replica_through_an_upload(tmp_path):
    needs_nginx()
    require_chromium()
    from playwright.sync_api import sync_playwright

    db_file = _database(tmp_path)
    report = fill_values(make_template(db_file, "10543", "2026-Q1", tmp_path / "mau.xlsx"),
                         {"dialogues": 4, "reception_visits": 6, "reception_people": 14},
                         tmp_path / "viet-hoa-quy-1.xlsx")
    proxy = Proxy(tmp_path, stubs=False, access_log=True)
    env = {**os.environ, "DANVAN_DB": str(db_file), "DANVAN_TRUSTED_PROXY": "1", "DANVAN_COOKIE_SECURE": "1",
           "DANVAN_WARM_START": "0"}
    env.pop("DANVAN_ANONYMOUS_READ", None)
    replicas = []
    try:
        for port in proxy.replicas:           # as danvan@.service runs them
            log = open(tmp_path / f"replica-{port}.log", "wb")     # noqa: SIM115 (closed with the process)
            replicas.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.address", "127.0.0.1",
                 "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        for port, proc in zip(proxy.replicas, replicas, strict=True):
            wait_for_port(port, START_TIMEOUT_S, proc)
        with proxy, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {SITE} 127.0.0.1"])
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN",
                                          ignore_https_errors=True)
            page = context.new_page()
            page.goto(f"https://{proxy.host}/")
            sign_in(page, WARD, PASSWORD)
            page.wait_for_selector('h1:has-text("Tổng quan")', timeout=60_000)
            page.get_by_role("link", name="Gửi báo cáo").click()
            page.wait_for_selector('h1:has-text("Gửi báo cáo")', timeout=60_000)
            page.locator('[data-testid="stFileUploader"]').first.locator('input[type="file"]').set_input_files(
                str(report))
            page.wait_for_selector("text=Hợp lệ: 3 giá trị", timeout=60_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            cookies = {c["name"]: c for c in context.cookies()}
            assert cookies["danvan_tuyen"]["secure"] and cookies["danvan_tuyen"]["httpOnly"]
            assert cookies["danvan_phien"]["secure"]                  # DANVAN_COOKIE_SECURE=1
            browser.close()
            # nginx logs the websocket when it closes.
            deadline = time.monotonic() + 10
            while not any("/_stcore/stream" in line for line in proxy.access_log()):
                assert time.monotonic() < deadline, proxy.access_log()
                time.sleep(0.1)
    finally:
        for proc in replicas:
            proc.kill()
            proc.wait(10)

    lines = proxy.access_log()
    served = [re.fullmatch(r"(\S+) (\S+) -> (\S+) (\d+)", line).groups() for line in lines]
    assert {upstream for _m, _u, upstream, _s in served} == {served[0][2]}, lines
    kinds = {(method, uri.split("/")[1] if uri.count("/") > 1 else uri) for method, uri, _a, _s in served}
    assert ("PUT", "_stcore") in kinds and ("GET", "media") in kinds, kinds
    assert not [line for line in lines if line.endswith(" 404") and "/media/" in line], lines
