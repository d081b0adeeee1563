"""Every page in both views of the 2025 merger, in Chromium, on the demo data (old units until
June 2025, today's units after): today's boundaries (the default, estimates marked) and as
reported (the old units as they were), chosen by the link (?ranh_gioi=...) and kept in it."""
import pytest

from etl.synthetic import demo
from tests.browser.test_browser import CHART_PAGES, PAGES
from tests.chromium import browser_page, needs_chromium, running_app

pytestmark = needs_chromium
VIEWS = {"hien_nay": "Theo địa giới hiện nay", "khi_bao_cao": "Như đã báo cáo (đơn vị cũ)"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("merger_browser")
    demo.generate(work / "demo.duckdb", seed=11)
    with running_app(work / "demo.duckdb", work / "server.log", DANVAN_ANONYMOUS_READ="1") as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    with browser_page() as p:
        yield p


def _open(page, url: str, heading: str) -> None:
    page.goto(url)
    page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{heading}")', timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_in_both_views(server, page, path, view):
    heading = PAGES[path].replace("Năm 2025", "Năm 2024")
    _open(page, f"{server}/{path}?ky=2024&ranh_gioi={view}", heading)
    if path in CHART_PAGES:
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    # The view is the sidebar's choice, and stays in the link.
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_role("radio", name=VIEWS[view]).is_checked()
    assert f"ranh_gioi={view}" in page.url


def test_compare_marks_estimates_today_and_lists_old_units_as_reported(server, page):
    _open(page, f"{server}/so-sanh?ky=2024&chi_tieu=reception_visits&ranh_gioi=hien_nay",
          "So sánh đơn vị")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    # Hatched bars and their note; the caption under the chart.
    assert page.locator('[data-testid="stPlotlyChart"] text:has-text("ước tính")').count() >= 1
    assert page.get_by_text("«Ước tính»: số liệu quy từ đơn vị cũ").count() >= 1
    _open(page, f"{server}/so-sanh?ky=2024&chi_tieu=reception_visits&ranh_gioi=khi_bao_cao",
          "So sánh đơn vị")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    assert page.locator('[data-testid="stPlotlyChart"] text:has-text("(cũ,")').count() >= 1
    assert page.locator('[data-testid="stPlotlyChart"] text:has-text("ước tính")').count() == 0


def test_trend_across_the_merger_marks_the_date(server, page):
    _open(page, f"{server}/xu-huong?ky=2025&don_vi=11002&chi_tieu=reception_visits", "Xu hướng")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    assert chart.locator('text:has-text("Sắp xếp đơn vị hành chính 01/07/2025")').count() == 1
    for year in ("Năm 2021", "Năm 2024", "Năm 2025"):
        assert chart.locator(f'text:has-text("{year}")').count() >= 1
