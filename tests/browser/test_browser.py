"""The dashboard in a real browser: `streamlit run` + Debian Chromium through Playwright.

Skipped when /usr/bin/chromium is missing, unless DANVAN_REQUIRE_BROWSER=1 (CI), then it fails
(tests/chromium.py).
"""
import time

import pytest

from tests.chromium import browser_page, needs_chromium, running_app

# URL path of each page (st.Page url_path; the default page lives at "/") and its heading.
PAGES = {"": "Tổng quan — Năm 2025", "so-sanh": "So sánh đơn vị", "xu-huong": "Xu hướng",
         "ho-so-don-vi": "Hồ sơ đơn vị", "dan-van-kheo": "Dân vận khéo",
         "cham-diem": "Chấm điểm dân vận", "xuat-bao-cao": "Xuất báo cáo"}
# Every page shows at least one chart, except "Xuất báo cáo" (a form that builds files).
CHART_PAGES = set(PAGES) - {"xuat-bao-cao", "ho-so-don-vi"}   # the profile opens on a table
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(dashboard_db, tmp_path_factory):
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with running_app(dashboard_db, log, DANVAN_ANONYMOUS_READ="1") as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    with browser_page() as p:
        yield p


def _wait_until_idle(page) -> None:
    """The app finished its run: the heading is there and no script is running."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


@pytest.mark.parametrize("path", list(PAGES))
def test_page_in_browser(server, page, path, tmp_path_factory):
    page.goto(f"{server}/{path}?don_vi=11002,10543")
    _wait_until_idle(page)
    page.wait_for_selector(f'h1:has-text("{PAGES[path]}")', timeout=30_000)
    if path in CHART_PAGES:
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
        assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1
        assert page.locator("text=Nguồn: Báo cáo công tác dân vận").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
    # The filters from the link are applied and written back to the URL.
    assert "don_vi=11002%2C10543" in page.url or "don_vi=11002,10543" in page.url
    # (waited for: on a loaded machine the sidebar's chips may land after the page's heading)
    page.locator('[data-testid="stSidebar"]').get_by_text("Thạch Khôi").first.wait_for(timeout=30_000)
    shot = tmp_path_factory.mktemp("shots") / f"{path or 'tong-quan'}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_sidebar_search_without_diacritics(server, page):
    page.goto(server)
    _wait_until_idle(page)
    search = page.get_by_label("Tìm đơn vị")
    search.fill("bach long")
    search.press("Enter")
    units = page.get_by_role("combobox", name="Đơn vị theo dõi")
    # The rerun that narrows the options may land after the press: poll the open list.
    deadline = time.monotonic() + 20
    names = []
    while time.monotonic() < deadline:
        _wait_until_idle(page)
        units.click()
        page.get_by_role("option").first.wait_for(timeout=10_000)
        names = page.get_by_role("option").all_inner_texts()
        page.keyboard.press("Escape")
        if names == ["Bạch Long Vĩ"]:
            break
        page.wait_for_timeout(200)
    assert names == ["Bạch Long Vĩ"]


def test_chart_downloads_in_browser(server, page, tmp_path):
    """The PNG button under a chart gives a 16:9 image made on click by the export browser."""
    page.goto(f"{server}/xu-huong?don_vi=11002")
    _wait_until_idle(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    with page.expect_download(timeout=60_000) as info:
        # Not plotly's own modebar button ("Download plot as a png"): ours, under the chart.
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="PNG").first \
            .locator("button").first.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".png" and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image
    assert Image.open(path).size == (2560, 1440)
