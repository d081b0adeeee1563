"""What a shared link keeps, in Chromium: the open tab and the page's own choices (the profile's
unit), through a reload and in a new tab, and the sidebar's choices through clicks even when its
select boxes are drawn late; and «Tình hình báo cáo» counting an accepted report that came late
as late."""
import shutil
import urllib.parse
from datetime import datetime

import pytest

from etl.warehouse import db
from etl.workflow import accounts
from tests.chromium import CHROMIUM, CHROMIUM_ARGS, needs_chromium, require_chromium, running_app, sign_in
from tests.conftest import DEPT, THACH_KHOI, VIET_HOA

pytestmark = needs_chromium
PASSWORD = "Hoa-phuong-do-2025"


def _idle(page) -> None:
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def _open_tab(page) -> str:
    return page.locator('[data-testid="stTab"][aria-selected="true"]').first.inner_text().strip()


def _param(page, name: str):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query).get(name, [None])[0]


def _sidebar_choice(page, nth: int) -> str:
    """What the sidebar's nth select box shows (0: «Kỳ báo cáo», 1: «Chỉ tiêu»)."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').nth(nth).input_value()


@pytest.fixture(scope="module")
def url(dashboard_db, tmp_path_factory):
    work = tmp_path_factory.mktemp("links")
    live = shutil.copy(dashboard_db, work / "live.duckdb")
    with db.connect(live) as con:
        accounts.set_password(con, DEPT.username, PASSWORD)
        # Việt Hòa's 2025 report arrived before the default deadline (20/01/2026), the others
        # long after it; all were accepted.
        con.execute("UPDATE submissions SET loaded_at = ? WHERE unit_code = ? AND period_key = '2025'",
                    [datetime(2026, 1, 10, 9), VIET_HOA])
    with running_app(live, work / "server.log", DANVAN_ANONYMOUS_READ=None) as app_url:
        yield app_url


def test_links_keep_the_tab_and_the_unit_and_late_stays_late(url):
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{url}/so-sanh?ky=2025&chi_tieu=dialogues&tab=B%E1%BA%A3ng+s%E1%BB%91+li%E1%BB%87u")
        sign_in(page, DEPT.username, PASSWORD)
        _idle(page)
        # The link's tab is open; clicks are written into the link (the first tab, the
        # default, is the link without ?tab=).
        assert _open_tab(page) == "Bảng số liệu"
        first = page.locator('[data-testid="stTab"]').first.inner_text().strip()
        page.get_by_role("tab", name=first).click()
        page.wait_for_function("() => !new URLSearchParams(location.search).has('tab')", timeout=30_000)
        _idle(page)
        page.get_by_role("tab", name="Bảng số liệu").click()
        page.wait_for_function("() => new URLSearchParams(location.search).get('tab') === 'Bảng số liệu'",
                               timeout=30_000)
        _idle(page)
        shared = page.url
        fresh = context.new_page()
        fresh.goto(shared)
        _idle(fresh)
        assert _open_tab(fresh) == "Bảng số liệu" and _param(fresh, "chi_tieu") == "dialogues"

        # The profile's unit: by code in the link, restored in a new tab.
        fresh.goto(f"{url}/ho-so-don-vi?ky=2025&ho_so={THACH_KHOI}")
        _idle(fresh)
        fresh.wait_for_selector('h2:has-text("Thạch Khôi")', timeout=30_000)
        assert _param(fresh, "ho_so") == THACH_KHOI
        fresh.reload()
        _idle(fresh)
        fresh.wait_for_selector('h2:has-text("Thạch Khôi")', timeout=30_000)

        # Accepted, and late: still late.
        fresh.goto(f"{url}/tinh-hinh-bao-cao")
        _idle(fresh)
        fresh.get_by_text("◐ Nộp muộn · đã chấp nhận").first.wait_for(state="attached", timeout=30_000)
        # Only the units with a report on time (the grid draws the rows in view only).
        fresh.goto(f"{url}/tinh-hinh-bao-cao?done_states=" + urllib.parse.quote("Đúng hạn"))
        _idle(fresh)
        fresh.get_by_text("● Đúng hạn · đã chấp nhận").first.wait_for(state="attached", timeout=30_000)
        assert fresh.get_by_text("Đã chấp nhận", exact=True).count() == 0
        assert fresh.locator('[data-testid="stException"]').count() == 0
        browser.close()


def test_select_boxes_drawn_after_a_click_keep_the_links_choices(url):
    """Under load a click can start a run before the browser has Streamlit's select box script:
    the sidebar's select boxes are then drawn from that run's elements, and must show the
    link's choices (not their first options, «Năm 2025» and «Dân số»), which the next click keeps."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN").new_page()
        page.goto(f"{url}/so-sanh")
        sign_in(page, DEPT.username, PASSWORD)
        _idle(page)
        held = []          # the select box script, kept back until a click's run has drawn the page
        page.route("**/static/js/Selectbox.*.js", lambda route: held.append(route))
        page.goto(f"{url}/so-sanh?ky=2024&chi_tieu=mediation_cases&tab=B%E1%BA%A3ng+s%E1%BB%91+li%E1%BB%87u")
        _idle(page)
        page.get_by_role("tab", name="Biểu đồ xếp hạng").click()
        page.wait_for_selector('[data-testid="stMain"] [data-testid="stPlotlyChart"]', timeout=30_000)
        assert held, "the select box script was not asked for: this test no longer holds it back"
        for route in held:
            route.continue_()
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').nth(1).wait_for(timeout=30_000)
        assert _sidebar_choice(page, 0) == "Năm 2024"
        assert _sidebar_choice(page, 1).startswith("Vụ việc hòa giải")
        page.get_by_role("tab", name="Bảng số liệu").click()
        page.wait_for_selector('[data-testid="stMain"] [data-testid="stDataFrame"]', timeout=30_000)
        _idle(page)
        assert (_param(page, "ky"), _param(page, "chi_tieu")) == ("2024", "mediation_cases")
        assert _sidebar_choice(page, 1).startswith("Vụ việc hòa giải")
        browser.close()
