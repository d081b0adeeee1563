"""Server mode in Chromium: two `streamlit run serve.py` replicas on one PostgreSQL database. A
ward signs in and sends a report on replica A; its session works on replica B (the cookie's
session lives in the database); the department, signed in on B, finds the report in its queue at
once and accepts it there; the database holds the decision."""
from etl.warehouse import db
from etl.workflow import accounts
from tests.chromium import browser_page, needs_chromium, running_app, sign_in
from tests.conftest import REVIEWER, VIET_HOA, WARD, build_dashboard_db
from tests.workbooks import fill_values, make_template

pytestmark = needs_chromium
WARD_PASSWORD, REVIEWER_PASSWORD = "Hoa-phuong-do-2025", "Cau-rong-vang-2025"


def test_two_replicas_share_sessions_and_reports(pg_cluster, tmp_path):
    from playwright.sync_api import expect
    url = build_dashboard_db(pg_cluster.new_database(), tmp_path)
    with db.connect(url) as con:
        accounts.set_password(con, WARD.username, WARD_PASSWORD)
        accounts.set_password(con, REVIEWER.username, REVIEWER_PASSWORD)
    report = fill_values(make_template(url, VIET_HOA, "2025-Q4", tmp_path / "t.xlsx"),
                         {"dialogues": 4, "reception_visits": 6, "reception_people": 14},
                         tmp_path / "viet-hoa-quy-4.xlsx")
    with running_app(url, tmp_path / "a.log", DANVAN_ANONYMOUS_READ=None) as a, \
            running_app(url, tmp_path / "b.log", DANVAN_ANONYMOUS_READ=None) as b, \
            browser_page() as page:
        page.goto(a)
        sign_in(page, WARD.username, WARD_PASSWORD)
        page.wait_for_selector('h1:has-text("Tổng quan")', timeout=30_000)
        page.get_by_role("link", name="Gửi báo cáo").click()
        page.wait_for_selector('h1:has-text("Gửi báo cáo")', timeout=30_000)
        page.locator('[data-testid="stFileUploader"]').first.locator('input[type="file"]') \
            .set_input_files(str(report))
        submit = page.get_by_role("button", name="Gửi báo cáo")
        submit.wait_for(state="visible", timeout=30_000)
        if submit.is_disabled():
            page.get_by_text("Tôi đã xem các cảnh báo và xác nhận số liệu là đúng").click()
            expect(submit).to_be_enabled(timeout=30_000)
        submit.click()
        page.wait_for_selector("text=Đã gửi «viet-hoa-quy-4.xlsx»: phiên bản 1", timeout=30_000)

        # The same browser on replica B (cookies do not tell ports apart): still signed in.
        page.goto(b)
        page.wait_for_selector('h1:has-text("Tổng quan")', timeout=30_000)
        assert page.locator('form[action="/auth/login"]').count() == 0

        # The department on replica B: the report sent on A waits in its queue.
        reviewer = page.context.browser.new_context(viewport={"width": 1400, "height": 1000},
                                                    locale="vi-VN").new_page()
        reviewer.goto(f"{b}/duyet-bao-cao")
        sign_in(reviewer, REVIEWER.username, REVIEWER_PASSWORD)
        reviewer.wait_for_selector("text=1 báo cáo chờ duyệt", timeout=30_000)
        reviewer.get_by_role("button", name="Chấp nhận").click()
        reviewer.wait_for_selector("text=Đã chấp nhận báo cáo", timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert reviewer.locator('[data-testid="stException"]').count() == 0
    with db.records(url) as con:
        rows = con.execute("SELECT sent_by, status, reviewed_by FROM submissions "
                           "WHERE unit_code = ? AND period_key = '2025-Q4'", [VIET_HOA]).fetchall()
    assert rows == [(WARD.username, "accepted", REVIEWER.username)]
