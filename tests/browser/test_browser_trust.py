"""What a hostile or careless visitor meets, in Chromium and over HTTP against `streamlit run
serve.py`: sign-in that survives reloads and tabs and ends everywhere, no legacy pages/ routes on
a fresh server, throttled guessing, no live markup from user text, uploads refused in
Vietnamese and in bounded memory, no traceback or server path on a broken database.

Skipped without /usr/bin/chromium unless DANVAN_REQUIRE_BROWSER=1 (CI), then it fails.
"""
import http.cookiejar
import random
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from etl.warehouse import db
from etl.workflow import accounts
from tests import chromium
from tests.chromium import CHROMIUM, CHROMIUM_ARGS, ROOT, needs_chromium, require_chromium, running_app
from tests.conftest import DEPT, THACH_KHOI, VIET_HOA, WARD
from tests.hostile import DEPT_X, EVIL, WARD_X, hostile_db
from tests.workbooks import fill_values, make_template

PASSWORD = "Hoa-phuong-do-2025"
pytestmark = needs_chromium


def _with_passwords(path, *users) -> Path:
    with db.connect(path) as con:
        for user in users:
            accounts.set_password(con, user.username, PASSWORD, actor="tests")
    return path


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _context(browser):
    return browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")


def _idle(page) -> None:
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    chromium.sign_in(page, username, password)


def _http(url: str, data: dict | None = None, headers=None, jar=None):
    """(status, headers, body) without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    handlers = [NoRedirect()] + ([urllib.request.HTTPCookieProcessor(jar)] if jar is not None else [])
    opener = urllib.request.build_opener(*handlers)
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with opener.open(req, timeout=30) as r:
            return r.status, r.headers, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8", "replace")


# ---------------------------------------------------------------- fresh servers, legacy routes

def test_a_fresh_server_serves_no_page_by_file_name(dashboard_db, tmp_path, browser):
    """The first requests after a start: /completeness (a file name in pages/) is not a page;
    a deep link opens the sign-in form, then its own page; no "Page not found", no file list."""
    live = _with_passwords(shutil.copy(dashboard_db, tmp_path / "live.duckdb"), DEPT)
    with running_app(live, tmp_path / "server.log", DANVAN_ANONYMOUS_READ=None) as url:
        page = _context(browser).new_page()
        page.goto(f"{url}/completeness")
        assert page.locator("h1").inner_text() == "Không tìm thấy trang"
        assert page.get_by_text("Tình hình báo cáo").count() == 0
        status, _, body = _http(f"{url}/completeness")
        assert status == 404 and "Không tìm thấy trang" in body
        # The default page's own name leads to its address, "/" (Streamlit would not find it).
        status, headers, _ = _http(f"{url}/tong-quan?ky=2025")
        assert status == 308 and headers["location"] == "/?ky=2025"
        page.goto(f"{url}/tinh-hinh-bao-cao?ky=2025")
        sign_in(page, "snv.chuyenvien")
        _idle(page)
        assert page.locator("h1").first.inner_text() == "Tình hình báo cáo"
        assert "/tinh-hinh-bao-cao" in page.url and "ky=2025" in page.url
        assert page.get_by_text("Page not found").count() == 0
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_text("completeness", exact=True).count() == 0
        assert nav.get_by_text("upload", exact=True).count() == 0
        assert nav.get_by_text("overview", exact=True).count() == 0
        page.goto(f"{url}/completeness")
        assert page.locator("h1").inner_text() == "Không tìm thấy trang"


def test_a_fresh_read_only_server_has_no_legacy_pages_either(dashboard_db, tmp_path, browser):
    with running_app(dashboard_db, tmp_path / "server.log", DANVAN_ANONYMOUS_READ="1") as url:
        page = _context(browser).new_page()
        page.goto(f"{url}/completeness")      # the very first visit of this server
        assert page.locator("h1").inner_text() == "Không tìm thấy trang"
        page.goto(f"{url}/xu-huong?don_vi=11002")
        _idle(page)
        page.wait_for_selector('h1:has-text("Xu hướng")', timeout=30_000)
        assert page.get_by_text("Page not found").count() == 0
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_text("Tình hình báo cáo").count() == 0
        assert nav.get_by_text("completeness", exact=True).count() == 0
        # Accepted figures only: no switch for unreviewed data, even asked for in the link.
        page.goto(f"{url}/?chua_duyet=1")
        _idle(page)
        assert page.get_by_text("Gồm số liệu chưa duyệt").count() == 0
        assert page.get_by_text("Đang hiển thị gồm số liệu chưa duyệt").count() == 0


# ---------------------------------------------------------------- sessions in the browser

def test_sign_in_survives_reload_and_tabs_and_sign_out_ends_it_everywhere(
        dashboard_db, tmp_path, browser):
    live = _with_passwords(shutil.copy(dashboard_db, tmp_path / "live.duckdb"), WARD)
    with running_app(live, tmp_path / "server.log", DANVAN_ANONYMOUS_READ=None) as url:
        context = _context(browser)
        first = context.new_page()
        first.goto(f"{url}/so-sanh?ky=2025&chi_tieu=dialogues")
        sign_in(first, " VH.CanBo ")
        _idle(first)
        assert first.locator("h1").first.inner_text() == "So sánh đơn vị"
        assert "chi_tieu=dialogues" in first.url
        cookie = next(c for c in context.cookies() if c["name"] == "danvan_phien")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert first.evaluate("document.cookie").find("danvan_phien") == -1   # not for scripts
        first.reload()
        _idle(first)
        assert first.locator("h1").first.inner_text() == "So sánh đơn vị"
        second = context.new_page()
        second.goto(f"{url}/gui-bao-cao")
        _idle(second)
        assert second.locator("h1").first.inner_text() == "Gửi báo cáo"
        # A sign-out link on another site does nothing (the browser says it is cross-site).
        status, _, _ = _http(f"{url}/auth/logout", headers={
            "Cookie": f"danvan_phien={cookie['value']}", "Sec-Fetch-Site": "cross-site"})
        assert status == 303
        second.reload()
        _idle(second)
        assert second.locator("h1").first.inner_text() == "Gửi báo cáo"
        # Sign out in the second tab: the first one is signed out on its next click.
        second.locator('[data-testid="stSidebar"] a:has-text("Đăng xuất")').click()
        second.wait_for_selector('form[action="/auth/login"]', timeout=30_000)
        assert second.get_by_text("Đã đăng xuất.").count() == 1
        first.locator('[data-testid="stSidebarNav"] a:has-text("Tổng quan")').click()
        first.wait_for_selector('h1:has-text("Đăng nhập")', timeout=30_000)
        assert first.locator('[data-testid="stMetric"]').count() == 0
        first.reload()
        first.wait_for_selector('form[action="/auth/login"]', timeout=30_000)
    with db.connect(live, read_only=True) as con:
        actions = [a for a, in con.execute(
            "SELECT action FROM audit_log WHERE actor = 'vh.canbo' AND action LIKE 'sign_%' "
            "ORDER BY logged_at").fetchall()]
        assert actions == ["sign_in", "sign_out"]
        assert con.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


def test_a_removed_account_cannot_send_from_its_open_tab(dashboard_db, tmp_path, browser):
    live = _with_passwords(shutil.copy(dashboard_db, tmp_path / "live.duckdb"), WARD)
    report = fill_values(make_template(live, VIET_HOA, "2025-Q4", tmp_path / "t.xlsx"),
                         {"dialogues": 4, "reception_visits": 6, "reception_people": 14},
                         tmp_path / "viet-hoa-quy-4.xlsx")
    with running_app(live, tmp_path / "server.log", DANVAN_ANONYMOUS_READ=None) as url:
        page = _context(browser).new_page()
        page.goto(f"{url}/gui-bao-cao")
        sign_in(page, "vh.canbo")
        _idle(page)
        page.locator('[data-testid="stFileUploader"]').first.locator('input[type="file"]').set_input_files(
            str(report))
        page.wait_for_selector("text=Hợp lệ: 3 giá trị", timeout=30_000)
        removed = subprocess.run([sys.executable, "-m", "etl", "--db", str(live), "user",
                                  "remove", "vh.canbo"], cwd=ROOT, capture_output=True, text=True)
        assert removed.returncode == 0, removed.stderr
        # The next click (confirming the warnings, or sending) finds no account: signed out.
        submit = page.get_by_role("button", name="Gửi báo cáo")
        submit.wait_for(state="visible", timeout=30_000)
        if submit.is_disabled():
            page.get_by_text("Tôi đã xem các cảnh báo và xác nhận số liệu là đúng").click()
        else:
            submit.click()
        page.wait_for_selector('h1:has-text("Đăng nhập")', timeout=30_000)
    with db.connect(live, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submissions WHERE unit_code = ? AND "
                           "period_key = '2025-Q4'", [VIET_HOA]).fetchone()[0] == 0


# ---------------------------------------------------------------- sign-in over HTTP

def test_guessing_is_throttled_per_account_and_per_client(dashboard_db, tmp_path):
    live = _with_passwords(shutil.copy(dashboard_db, tmp_path / "live.duckdb"), WARD, DEPT)
    with running_app(live, tmp_path / "server.log", DANVAN_ANONYMOUS_READ=None,
                     DANVAN_SIGNIN_PER_MINUTE="7") as url:
        login = f"{url}/auth/login"
        for _ in range(5):
            status, _, body = _http(login, {"username": "vh.canbo", "password": "sai-mat-khau-x"})
        assert status == 401 and "tạm khóa" in body
        status, _, body = _http(login, {"username": "vh.canbo", "password": PASSWORD})
        assert status == 401 and "Vui lòng thử lại sau" in body and "danvan_phien" not in body
        # Another account from the same client still signs in, until the client's own limit.
        jar = http.cookiejar.CookieJar()
        status, headers, _ = _http(login, {"username": "snv.chuyenvien", "password": PASSWORD,
                                           "next": "//evil.example/x"}, jar=jar,
                                   headers={"X-Forwarded-Proto": "https"})
        assert status == 303 and headers["location"] == "/"          # never another site
        cookie = headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
        status, _, body = _http(login, {"username": "lanhdao", "password": "x"})
        assert status == 429 and "quá nhiều lần" in body
        # A form posted from another site is refused before any password check.
        status, _, body = _http(login, {"username": "snv.chuyenvien", "password": PASSWORD},
                                headers={"Origin": "https://evil.example"})
        assert status == 403 and "không đến từ trang này" in body
    with db.connect(live, read_only=True) as con:
        log = con.execute("SELECT actor, action, detail FROM audit_log WHERE action LIKE "
                          "'sign_in%' ORDER BY logged_at").fetchall()
    assert [a for _, a, _ in log] == ["sign_in_failed"] * 5 + ["sign_in_locked", "sign_in"]
    assert log[0][2] == "từ 127.0.0.1"


# ---------------------------------------------------------------- hostile text, in the browser

def test_user_text_never_becomes_a_link_an_image_or_html(dashboard_db, tmp_path, browser):
    live = _with_passwords(hostile_db(dashboard_db, tmp_path), WARD_X, DEPT_X)
    with running_app(live, tmp_path / "server.log", DANVAN_ANONYMOUS_READ=None) as url:
        ward = _context(browser).new_page()
        ward.goto(f"{url}/gui-bao-cao")
        sign_in(ward, WARD_X.username)
        _idle(ward)
        ward.wait_for_selector("text=bị trả lại", timeout=30_000)
        dept = _context(browser).new_page()
        dept.goto(f"{url}/duyet-bao-cao")
        sign_in(dept, DEPT_X.username)
        _idle(dept)
        charts = _context(browser).new_page()
        charts.goto(f"{url}/so-sanh?ky=2025&don_vi={THACH_KHOI},{VIET_HOA}")
        sign_in(charts, DEPT_X.username)
        _idle(charts)
        charts.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
        for page in (ward, dept, charts):
            assert page.locator(f'a[href*="{EVIL}"]').count() == 0, page.url
            assert page.locator(f'img[src*="{EVIL}"]').count() == 0, page.url
            assert page.locator('[data-testid="stMain"] strong:has-text("đậm")').count() == 0
            assert page.locator('[data-testid="stException"]').count() == 0
        # The text is there, as typed (with invisible word joiners that keep URLs unlinked).
        for page in (ward, dept):
            text = page.locator("body").inner_text().replace("\u2060", "")
            assert "[bấm vào đây](https://evil.example/phish)" in text, page.url
        assert charts.locator(".main-svg").get_by_text("[x](https://evil.example/u)").count() >= 1


# ---------------------------------------------------------------- uploads

def _stored_padding(path: Path, size: int, out: Path) -> Path:
    """The same report with an extra stored (uncompressed) part of `size` random bytes."""
    shutil.copy(path, out)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_STORED) as z:
        z.writestr("xl/media/pad.bin", random.randbytes(size))
    return out


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _server_pid(url: str) -> int:
    """The `streamlit run` process serving url (running_app passes --server.port PORT)."""
    port = str(urllib.parse.urlsplit(url).port)
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(args) and port.encode() in args:
            return int(proc.name)
    raise AssertionError(f"no server process for {url}")


def test_uploads_are_refused_in_vietnamese_and_kept_once(dashboard_db, tmp_path, browser):
    live = _with_passwords(shutil.copy(dashboard_db, tmp_path / "live.duckdb"), DEPT)
    big = tmp_path / "qua-lon.xlsx"
    with open(big, "wb") as f:                   # over the app's 20 MB, and over 100 MB
        f.truncate(120 * 2**20)
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% not a spreadsheet\n")
    good = fill_values(make_template(live, VIET_HOA, "2025-Q4", tmp_path / "t.xlsx"),
                       {"dialogues": 4, "reception_visits": 6, "reception_people": 14},
                       tmp_path / "base.xlsx")
    with running_app(live, tmp_path / "server.log", DANVAN_ANONYMOUS_READ=None) as url:
        page = _context(browser).new_page()
        page.goto(f"{url}/gui-bao-cao")
        sign_in(page, "snv.chuyenvien")
        _idle(page)
        dropzone = page.locator('[data-testid="stFileUploaderDropzone"]').first
        after = """() => [...(document.querySelector('[data-testid="stFileUploaderDropzone"]')
                ?.querySelectorAll('*') ?? [])]
            .map(e => getComputedStyle(e, '::after').content).join(' ')"""
        page.wait_for_function(f"({after})().includes('Kéo thả tệp vào đây')", timeout=30_000)
        shown = page.evaluate(after)
        assert "Kéo thả tệp vào đây (tối đa 20 MB mỗi tệp)" in shown and "Chọn tệp" in shown
        visible = dropzone.evaluate("""z => [...z.querySelectorAll('span, small, p')].filter(
            e => e.offsetParent !== null).map(e => e.innerText).join(' ')""")
        assert "per file" not in visible and "Upload" not in visible
        files = page.locator('[data-testid="stFileUploader"]').first.locator('input[type="file"]')
        files.set_input_files([str(big), str(pdf)])
        page.wait_for_selector("text=Tệp quá lớn (120 MB); giới hạn là 20 MB mỗi tệp",
                               timeout=60_000)
        # (in the findings table, whose cells are drawn on a canvas over a hidden table)
        page.get_by_text("Chỉ nhận tệp .xlsx, .xls hoặc .ods").first.wait_for(
            state="attached", timeout=30_000)
        body = page.locator("body").inner_text()
        for english in ("File must be", "files are not allowed", "Upload failed", "Limit"):
            assert english not in body
        # Six 15 MB reports, each checked and sent: the server keeps none of them afterwards.
        page.reload()
        _idle(page)
        pid = _server_pid(url)
        before = _rss_mb(pid)
        for i in range(6):
            report = _stored_padding(good, 15 * 2**20, tmp_path / f"bao-cao-{i}.xlsx")
            page.locator('[data-testid="stFileUploader"]').first.locator('input[type="file"]').set_input_files(
                str(report))
            submit = page.get_by_role("button", name="Gửi báo cáo")
            submit.wait_for(state="visible", timeout=60_000)
            box = page.get_by_text("Tôi đã xem các cảnh báo và xác nhận số liệu là đúng")
            if submit.is_disabled() and box.count():
                box.click()
                page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                                       "b => b.innerText.includes('Gửi báo cáo') && !b.disabled)")
            submit.click()
            page.wait_for_selector(f"text=Đã gửi «bao-cao-{i}.xlsx»", timeout=60_000)
        grown = _rss_mb(pid) - before
        # Six files of 15 MB in one session: one copy of each kept would be 90 MB (the old page
        # kept two). Measured with the fixes: ~45 MB for the first file's working set, then flat.
        assert grown < 60, f"server grew by {grown:.0f} MB"
    with db.connect(live, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submissions WHERE file_name LIKE 'bao-cao-%'"
                           ).fetchone()[0] == 6


# ---------------------------------------------------------------- a broken database

def test_a_broken_database_shows_no_traceback_or_path(tmp_path, browser):
    broken = tmp_path / "hong.duckdb"
    broken.write_bytes(b"\x00DUCK" + bytes(range(256)) * 64)
    with running_app(broken, tmp_path / "server.log", DANVAN_ANONYMOUS_READ="1") as url:
        page = _context(browser).new_page()
        page.goto(url)
        page.wait_for_selector("text=Không đọc được cơ sở dữ liệu", timeout=30_000)
        _idle(page)
        text = page.locator("body").inner_text()
        for detail in ("Traceback", str(tmp_path), "hong.duckdb", "IO Error", "python -m"):
            assert detail not in text
    with running_app(broken, tmp_path / "server2.log", DANVAN_ANONYMOUS_READ=None) as url:
        status, _, body = _http(f"{url}/auth/login", {"username": "a", "password": "b"})
        assert status == 503 and "Hệ thống đang bận hoặc gặp sự cố" in body
        assert str(tmp_path) not in body and "Traceback" not in body


def test_an_unexpected_error_in_a_page_reaches_the_log_not_the_user(dashboard_db, tmp_path, browser):
    """A table a page needs is gone (a half-restored backup): the page fails inside a query. The
    visitor reads a Vietnamese sentence; the operator's log has the error with its detail."""
    live = shutil.copy(dashboard_db, tmp_path / "live.duckdb")
    with db.connect(live) as con:
        con.execute("DROP TABLE dvk_model_reports")
    log = tmp_path / "server.log"
    with running_app(live, log, DANVAN_ANONYMOUS_READ="1") as url:
        page = _context(browser).new_page()
        page.goto(f"{url}/dan-van-kheo")
        page.wait_for_selector("text=Đã có lỗi ngoài dự kiến", timeout=30_000)
        _idle(page)
        text = page.locator("body").inner_text()
        for detail in ("Traceback", "Catalog Error", "dvk_model_reports", str(tmp_path), "File \""):
            assert detail not in text
        assert page.locator('[data-testid="stException"]').count() == 0
    logged = log.read_text(encoding="utf-8", errors="replace")
    assert "unexpected error in a page" in logged and "dvk_model_reports" in logged
