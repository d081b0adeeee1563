"""The upload flow in Chromium: sign in as a ward account, drop a filled form on «Gửi báo cáo»,
see the preview table, submit, see the confirmation; the version is in the database. Then a
shared deep link opened while signed out leads through sign-in to its page."""
import shutil

from etl.warehouse import db
from etl.workflow import accounts
from tests.chromium import CHROMIUM, CHROMIUM_ARGS, needs_chromium, require_chromium, running_app, sign_in
from tests.conftest import VIET_HOA
from tests.workbooks import fill_values, make_template

pytestmark = needs_chromium


def test_upload_flow_in_browser(dashboard_db, tmp_path):
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    live = shutil.copy(dashboard_db, tmp_path / "live.duckdb")
    password = "Hoa-phuong-do-2025"
    with db.connect(live) as con:
        accounts.set_password(con, "vh.canbo", password)
    report = fill_values(make_template(live, VIET_HOA, "2025-Q4", tmp_path / "t.xlsx"),
                         {"dialogues": 4, "reception_visits": 6, "reception_people": 14},
                         tmp_path / "viet-hoa-quy-4.xlsx")
    # Signed-out visitors must sign in: no anonymous read-only mode here.
    with running_app(live, tmp_path / "server.log", DANVAN_ANONYMOUS_READ=None) as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000},
                                       locale="vi-VN").new_page()
            page.goto(url)
            sign_in(page, "vh.canbo", password)
            page.wait_for_selector('h1:has-text("Tổng quan")', timeout=30_000)
            page.get_by_role("link", name="Gửi báo cáo").click()
            page.wait_for_selector('h1:has-text("Gửi báo cáo")', timeout=30_000)
            page.locator('[data-testid="stFileUploader"]').first.locator('input[type="file"]').set_input_files(
                str(report))
            page.wait_for_selector("text=Hợp lệ: 3 giá trị", timeout=30_000)
            page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
            # Values far from the unit's history give warnings: the sender confirms them. The
            # submit button is rendered after the confirmation box and stays disabled until it
            # is ticked, so wait for the button, then look at it (never count() on a race).
            submit = page.get_by_role("button", name="Gửi báo cáo")
            submit.wait_for(state="visible", timeout=30_000)
            if submit.is_disabled():
                assert page.locator('[data-testid="stDataFrame"]').count() >= 1
                page.get_by_text("Tôi đã xem các cảnh báo và xác nhận số liệu là đúng").click()
                expect(submit).to_be_enabled(timeout=30_000)
            submit.click()
            page.wait_for_selector("text=Đã gửi «viet-hoa-quy-4.xlsx»: phiên bản 1", timeout=30_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)

            # A shared link opened by someone not signed in: the sign-in form (no "Page not
            # found" box), then that very page with its filters.
            shared = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            shared.goto(f"{url}/so-sanh?ky=2025&chi_tieu=dialogues")
            shared.wait_for_selector('form[action="/auth/login"]', timeout=30_000)
            assert shared.get_by_text("Page not found").count() == 0
            shared.get_by_label("Tên đăng nhập").fill("vh.canbo")
            shared.get_by_label("Mật khẩu").fill(password)
            shared.get_by_role("button", name="Đăng nhập").click()
            shared.wait_for_selector('h1:has-text("So sánh đơn vị")', timeout=30_000)
            assert "/so-sanh" in shared.url and "chi_tieu=dialogues" in shared.url
            browser.close()
    with db.connect(live, read_only=True) as con:
        rows = con.execute("SELECT sent_by, status, file_name FROM submissions "
                           "WHERE unit_code = ? AND period_key = '2025-Q4'", [VIET_HOA]).fetchall()
    assert rows == [("vh.canbo", "submitted", "viet-hoa-quy-4.xlsx")]
