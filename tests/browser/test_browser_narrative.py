"""A written report in Chromium: a ward drops its narrative report on «Gửi báo cáo» (section 3),
sees the proposed figures with their sentences, sends; the version and the original document are
in the database. A workbook or an oversize file dropped there is refused in Vietnamese."""
import shutil

from etl.warehouse import db
from etl.workflow import accounts
from tests.chromium import CHROMIUM, CHROMIUM_ARGS, needs_chromium, require_chromium, running_app, sign_in
from tests.conftest import VIET_HOA
from tests.fixtures_paths import SAMPLE_REPORT

pytestmark = needs_chromium
NARRATIVE = '.st-key-narrative_file input[type="file"]'


def test_a_written_report_becomes_a_sent_report(dashboard_db, tmp_path):
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    live = shutil.copy(dashboard_db, tmp_path / "live.duckdb")
    password = "Hoa-phuong-do-2025"
    with db.connect(live) as con:
        accounts.set_password(con, "vh.canbo", password)
    report = tmp_path / "bao-cao-viet-hoa.txt"
    report.write_bytes(SAMPLE_REPORT.read_bytes())
    workbook = tmp_path / "bang-tinh.xlsx"
    workbook.write_bytes(b"PK\x03\x04 not a document")
    big = tmp_path / "qua-lon.pdf"
    with open(big, "wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(26 * 2**20)
    with running_app(live, tmp_path / "server.log", DANVAN_ANONYMOUS_READ=None) as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000},
                                       locale="vi-VN").new_page()
            page.goto(f"{url}/gui-bao-cao")
            sign_in(page, "vh.canbo", password)
            page.wait_for_selector('h1:has-text("Gửi báo cáo")', timeout=30_000)

            for bad, says in ((workbook, "bang-tinh.xlsx"), (big, "Tệp quá lớn (26 MB)")):
                page.locator(NARRATIVE).set_input_files(str(bad))
                page.get_by_text(says).first.wait_for(timeout=60_000)
                body = page.locator("body").inner_text()
                assert "not allowed" not in body and "File must be" not in body
                assert page.locator('[data-testid="stException"]').count() == 0

            page.locator(NARRATIVE).set_input_files(str(report))
            page.wait_for_selector(r"text=/Đề xuất \d+ số liệu/", timeout=60_000)
            assert page.get_by_text("Đề xuất 10 số liệu").count() == 1
            assert page.locator('[data-testid="stDataFrame"], [data-testid="stDataEditor"]').count() >= 1
            submit = page.get_by_role("button", name="Gửi báo cáo").last
            submit.wait_for(state="visible", timeout=60_000)
            if submit.is_disabled():
                page.get_by_text("Tôi đã xem các cảnh báo và xác nhận số liệu là đúng").last.click()
                expect(submit).to_be_enabled(timeout=30_000)
            submit.click()
            page.wait_for_selector("text=kèm văn bản gốc", timeout=60_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            page.screenshot(path=str(tmp_path / "narrative.png"), full_page=True)
            browser.close()
    with db.connect(live, read_only=True) as con:
        rows = con.execute(
            "SELECT s.sent_by, s.status, s.period_key, count(v.indicator_code) FROM submissions s "
            "JOIN submission_values v USING (submission_id) WHERE s.unit_code = ? "
            "AND s.file_name LIKE 'bao-cao-viet-hoa%' GROUP BY ALL", [VIET_HOA]).fetchall()
        documents = con.execute("SELECT count(*) FROM files WHERE sha256 = sha256(?)",
                                [SAMPLE_REPORT.read_bytes()]).fetchall()
    assert rows == [("vh.canbo", "submitted", "2025-07-01:2025-11-20", 10)]
    assert documents == [(1,)]
