"""Benchmark: another user's page times while someone floods the sign-in form (not in `make test`).

    .venv/bin/python bench/signin_flood.py

On a fresh demo database, `streamlit run serve.py` (as `make run`, accounts required) and a
signed-in Chromium page that moves between «Tổng quan» and «So sánh đơn vị» from the menu, each
render timed until fully drawn (heading, chart, no running script). Three phases in one run:
1. baseline: nobody else;
2. one client guessing as fast as it can (4 threads posting wrong passwords);
3. worse: every request from a new address (a guesser with many addresses, or forging
   X-Forwarded-For behind a proxy trusted with DANVAN_TRUSTED_PROXY=1), so the per-client limit
   never applies: on one account, locked after 5 failures and then refused from memory;
4. worst: the same, a new username each time, so every request is a password check (argon2);
   only the one check at a time per process, on one core, bounds the CPU it gets.
Target: page p95 under a flood ≤ 2× the baseline's p95 in the same run. Before the limits, a
probe saw another user's p95 go from 0,5 s to 3 s. Writes bench/results/signin_flood.json.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import CHROMIUM, CHROMIUM_ARGS, _free_port, _render  # noqa: E402

from etl.warehouse import db  # noqa: E402
from etl.workflow import accounts

RESULTS = ROOT / "bench" / "results"
PASSWORD = "Hoa-phuong-do-2025"
RENDERS = 20
TARGET_FACTOR = 2.0
FLOODS = ("one_client", "forged", "forged_spray")


def _start(db_path: Path, log: Path, trusted_proxy: bool):
    port = _free_port()
    env = {**os.environ, "DANVAN_DB": str(db_path)}
    env.pop("DANVAN_ANONYMOUS_READ", None)
    if trusted_proxy:
        env["DANVAN_TRUSTED_PROXY"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(log.read_text()[-2000:])


def _flood(url: str, stop: threading.Event, counts: dict, kind: str) -> None:
    while not stop.is_set():
        name = f"doan.{random.randrange(10**9)}" if kind == "forged_spray" else "lanhdao"
        body = urllib.parse.urlencode({"username": name, "password": "doan-mo-mat-khau"}).encode()
        headers = {"X-Forwarded-For": f"10.{random.randrange(256)}.{random.randrange(256)}."
                                      f"{random.randrange(1, 255)}"} if kind != "one_client" else {}
        try:
            urllib.request.urlopen(urllib.request.Request(f"{url}/auth/login", body, headers),
                                   timeout=30).read()
        except urllib.error.HTTPError as e:
            counts[e.code] = counts.get(e.code, 0) + 1
        except OSError:
            counts["error"] = counts.get("error", 0) + 1


def _phase(page, url: str, flood: str | None) -> dict:
    stop, counts, threads = threading.Event(), {}, []
    if flood:
        threads = [threading.Thread(target=_flood, args=(url, stop, counts, flood), daemon=True)
                   for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(2)
    times = []
    try:
        for i in range(RENDERS):
            # The default page's menu entry is the first one (its address is "/").
            link, heading = (('[data-testid="stSidebarNav"] a[href$="/so-sanh"]', "So sánh đơn vị")
                             if i % 2 == 0 else
                             ('[data-testid="stSidebarNav"] a >> nth=0', "Tổng quan"))
            seconds, error = _render(page, lambda: page.click(link), heading, True, 30)
            if error:
                page.screenshot(path=str(RESULTS / "signin_flood_error.png"))
                raise RuntimeError(error)
            times.append(seconds)
    finally:
        stop.set()
        for t in threads:
            t.join(35)
    times.sort()
    return {"p50_s": round(times[len(times) // 2], 2),
            "p95_s": round(times[min(len(times) - 1, int(0.95 * len(times)))], 2),
            "answers": {str(k): v for k, v in counts.items()}}


def main() -> int:
    from playwright.sync_api import sync_playwright

    from etl.synthetic.demo import demo_accounts, generate
    work = Path(tempfile.mkdtemp())
    path = work / "flood.duckdb"
    generate(path, seed=2025)
    demo_accounts(path)
    with db.connect(path) as con:
        for name in ("snv.chuyenvien", "lanhdao"):
            accounts.set_password(con, name, PASSWORD, actor="bench")
    out = {"renders_per_phase": RENDERS, "phases": {}}
    for trusted_proxy, phases in ((False, ("baseline", "one_client")),
                                  (True, ("forged", "forged_spray"))):
        proc, url = _start(path, work / "server.log", trusted_proxy)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.goto(url)
                page.get_by_label("Tên đăng nhập").fill("snv.chuyenvien")
                page.get_by_label("Mật khẩu").fill(PASSWORD)
                page.get_by_role("button", name="Đăng nhập").click()
                page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
                for name in phases:
                    r = _phase(page, url, None if name == "baseline" else name)
                    out["phases"][name] = r
                    print(f"  {name:<11} p50 {r['p50_s']:5.2f} s  p95 {r['p95_s']:5.2f} s  "
                          f"trả lời đăng nhập: {r['answers']}", flush=True)
                browser.close()
        finally:
            proc.kill()
            proc.wait()
    limit = TARGET_FACTOR * out["phases"]["baseline"]["p95_s"]
    out["target"] = f"p95 under a flood ≤ {TARGET_FACTOR}× the baseline's ({limit:.2f} s)"
    out["pass"] = all(out["phases"][n]["p95_s"] <= limit for n in FLOODS)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "signin_flood.json").write_text(json.dumps(out, ensure_ascii=False, indent=2))
    print("  " + ("đạt" if out["pass"] else "KHÔNG ĐẠT") + f" ({out['target']})")
    return 0 if out["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
