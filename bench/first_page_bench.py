"""Benchmark: the first page after a server start, in Chromium (not in `make test`).

    .venv/bin/python bench/first_page_bench.py

A fresh demo database, `streamlit run serve.py` as `make run` starts it (anonymous read, so no
sign-in time is counted), always on the same port, and Chromium opening «Tổng quan» as soon as
the server answers its health check, timed until fully drawn (heading, a chart, no script
running); twice per start: a returning visitor (a browser profile that has Streamlit's scripts
cached from an earlier day) and a new one (empty cache: ~1,5 s more of JavaScript to fetch and
compile, whatever the server does). Side by side in one run, each server started ROUNDS times:
- baseline: DANVAN_WARM_START=0 (imports, the first queries and the image browser wait for the
  first visitor);
- warm: the default, the start-up hook does them before the server accepts visitors.
Target: the warm first page of a returning visitor ≤ 3 s. Also the time from launch to the health
check answering (the warm-up moves work there). Writes bench/results/first_page.json.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import CHROMIUM, CHROMIUM_ARGS, _free_port, _render  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ROUNDS = 3
TARGET_S = 3.0
HEADING = "Tổng quan"


def _start(db_path: Path, log: Path, warm: bool, port: int):
    env = {**os.environ, "DANVAN_DB": str(db_path), "DANVAN_ANONYMOUS_READ": "1",
           "DANVAN_WARM_START": "1" if warm else "0"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - t0 < 120:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url, time.perf_counter() - t0
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("streamlit did not start: " + log.read_text()[-2000:])


def _first_page(p, url: str, profile: Path | None) -> tuple[float, str | None]:
    """A returning visitor's browser (profile: its data directory) or a new one (None)."""
    browser = None
    if profile is None:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    else:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    go = lambda: page.goto(url + "/", wait_until="commit", timeout=60_000)  # noqa: E731
    seconds, error = _render(page, go, HEADING, True, 60)
    context.close()
    if browser is not None:
        browser.close()
    return seconds, error


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="first-page-"))
    db_path = work / "demo.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "--db", str(db_path), "demo"], cwd=ROOT, check=True,
                   capture_output=True)
    from playwright.sync_api import sync_playwright
    port, profile = _free_port(), work / "profile"
    runs = {"baseline": [], "warm": []}
    with sync_playwright() as p:
        proc, url, _ = _start(db_path, work / "prime.log", True, port)      # the profile's earlier day
        try:
            _first_page(p, url, profile)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        for i in range(ROUNDS):
            for name in ("baseline", "warm"):               # interleaved: the same machine load
                row = {}
                for visitor, prof in (("returning", profile), ("new", None)):
                    proc, url, start_s = _start(db_path, work / f"{name}.log", name == "warm", port)
                    try:
                        seconds, error = _first_page(p, url, prof)
                    finally:
                        proc.terminate()
                        proc.wait(timeout=20)
                    row.update({"start_s": round(start_s, 2), f"{visitor}_s": round(seconds, 2),
                                **({f"{visitor}_error": error} if error else {})})
                runs[name].append(row)
                print(f"  {name:<8} round {i + 1}: server up in {row['start_s']:5.2f} s, first page "
                      f"{row['returning_s']:5.2f} s (returning visitor), {row['new_s']:5.2f} s (new)",
                      flush=True)
    summary = {name: {f"{v}_median_s": statistics.median(r[f"{v}_s"] for r in rs) for v in ("returning", "new")}
               | {"start_median_s": statistics.median(r["start_s"] for r in rs)} for name, rs in runs.items()}
    ok = not any(k.endswith("_error") for rs in runs.values() for r in rs for k in r)
    summary["target_s"] = TARGET_S
    summary["pass"] = ok and summary["warm"]["returning_median_s"] <= TARGET_S
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "first_page.json").write_text(json.dumps({"runs": runs, "summary": summary}, indent=2,
                                                        ensure_ascii=False), encoding="utf-8")
    b, w = summary["baseline"], summary["warm"]
    print(f"Trang đầu tiên sau khi khởi động (trung vị {ROUNDS} lần), người dùng quay lại: không khởi động "
          f"trước {b['returning_median_s']:.2f} s, có khởi động trước {w['returning_median_s']:.2f} s (mục "
          f"tiêu ≤ {TARGET_S:.0f} s: {'đạt' if summary['pass'] else 'CHƯA ĐẠT'}); trình duyệt mới: "
          f"{b['new_median_s']:.2f} s / {w['new_median_s']:.2f} s.")
    return 0 if summary["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
