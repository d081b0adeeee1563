"""The map in Chromium with every request off this machine refused: it is drawn (maplibre's
canvas, plotly's legend), nothing outside was even asked for, units not reported are grey and
say «Chưa báo cáo» on hover, and a click on a unit opens its «Hồ sơ đơn vị»; nationally a
click on a province shows its communes."""
import json
import time
from urllib.parse import urlsplit

import pytest

from etl.present import boundaries
from tests.chromium import browser_page, needs_chromium, running_app
from tests.conftest import CAT_HAI, THACH_KHOI
from tests.provinces import HAI_PHONG, three_provinces

pytestmark = needs_chromium
CHART = '[data-testid="stPlotlyChart"]:has(canvas.maplibregl-canvas)'
MAP_CANVAS = "[data-testid=\"stPlotlyChart\"] canvas.maplibregl-canvas"
GD = "document.querySelector('canvas.maplibregl-canvas').closest('.js-plotly-plot')"


@pytest.fixture(scope="module")
def outside():
    return []


@pytest.fixture(scope="module")
def page(outside):
    with browser_page() as p:
        def only_local(route):
            url = urlsplit(route.request.url)
            if url.hostname not in ("127.0.0.1", "localhost"):      # nothing leaves this machine
                outside.append(route.request.url)
                return route.abort()
            return route.continue_()
        p.route("**/*", only_local)
        p.on("websocket", lambda ws: None if urlsplit(ws.url).hostname == "127.0.0.1" else outside.append(ws.url))
        yield p


@pytest.fixture(scope="module")
def server(dashboard_db, tmp_path_factory):
    log = tmp_path_factory.mktemp("map_browser") / "server.log"
    with running_app(dashboard_db, log, DANVAN_ANONYMOUS_READ="1") as url:
        yield url


@pytest.fixture(scope="module")
def national(dashboard_db, tmp_path_factory):
    work = tmp_path_factory.mktemp("map_browser_national")
    db_file = three_provinces(dashboard_db, work / "provinces.duckdb")
    with running_app(db_file, work / "server.log", DANVAN_ANONYMOUS_READ="1") as url:
        yield url


def _idle(page) -> None:
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def _open_map(page, url: str) -> None:
    page.goto(url)
    _idle(page)
    page.get_by_role("tab", name="Bản đồ").click()
    page.wait_for_selector(MAP_CANVAS, timeout=30_000)
    _idle(page)          # the tab's run has ended: a click during it would race the sidebar's state
    # maplibre draws after its style loaded: wait until the map says it is done.
    page.locator(CHART).scroll_into_view_if_needed()
    page.wait_for_function(f"""() => {{
        const gd = {GD};
        const m = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
        return m && m.map && m.map.loaded();
    }}""", timeout=30_000)


def _inside_point(code: str, province: str | None = HAI_PHONG) -> tuple[float, float]:
    """A point well inside the unit's largest polygon (lon, lat): the grid point farthest from
    its outline. province None: `code` is a province's."""
    shapes = boundaries.provinces() if province is None else boundaries.communes(province)
    feature = next(f for f in shapes["features"] if f["properties"]["code"] == code)
    g = feature["geometry"]
    rings = [g["coordinates"][0]] if g["type"] == "Polygon" else [p[0] for p in g["coordinates"]]
    ring = max(rings, key=len)
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]

    def inside(x, y):
        hit = False
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
        return hit

    best, far = None, -1.0
    for i in range(1, 30):
        for j in range(1, 30):
            x = min(xs) + (max(xs) - min(xs)) * i / 30
            y = min(ys) + (max(ys) - min(ys)) * j / 30
            if inside(x, y):
                d = min((x - a) ** 2 + (y - b) ** 2 for a, b in ring)
                if d > far:
                    best, far = (x, y), d
    return best


def _screen(page, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is on the page, through the map's own projection."""
    x, y = page.evaluate(f"""([lon, lat]) => {{
        const gd = {GD};
        const map = gd._fullLayout.map._subplot.map;
        const p = map.project([lon, lat]);
        const r = map.getCanvas().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }}""", [lon, lat])
    return x, y


def _hover_text(page, code: str, province: str = HAI_PHONG) -> str:
    x, y = _screen(page, *_inside_point(code, province))
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y)
    label = page.locator(f"{CHART} .hoverlayer .hovertext").first
    label.wait_for(timeout=10_000)
    return label.text_content()


def _click(page, code: str) -> None:
    """Hover first: plotly's map clicks the point under its hover."""
    _hover_text(page, code)
    page.mouse.click(*_screen(page, *_inside_point(code)))


def test_the_map_is_drawn_offline_with_blanks_grey(server, page, outside):
    _open_map(page, f"{server}/?chi_tieu=mediation_cases")
    started = time.monotonic()
    assert page.locator(MAP_CANVAS).count() == 1
    assert page.locator(f"{CHART} .legendtext", has_text="Chưa báo cáo").count() == 1
    assert page.locator(f"{CHART} text", has_text="thanglequoc/vietnamese-provinces-database").count() >= 1
    # Hover: the unit's name and its value, vi-VN; a unit that sent nothing says so, never 0.
    assert "Thạch Khôi" in _hover_text(page, THACH_KHOI)
    cat_hai = _hover_text(page, CAT_HAI)
    assert "Cát Hải" in cat_hai and "Chưa báo cáo" in cat_hai and "0" not in cat_hai
    assert page.locator('[data-testid="stException"]').count() == 0
    assert outside == [], f"requests off this machine: {outside}"
    assert time.monotonic() - started < 30


def test_the_map_toolbar_speaks_vietnamese(server, page):
    _open_map(page, f"{server}/?chi_tieu=mediation_cases")
    page.hover(MAP_CANVAS)
    # What a user reads: the tooltip plotly draws from each button's ::after.
    tips = page.eval_on_selector_all(
        f"{CHART} .modebar-btn", "bs => bs.map(b => getComputedStyle(b, '::after').content)")
    assert {'"Phóng to"', '"Thu nhỏ"', '"Về toàn cảnh"', '"Toàn màn hình"'} <= set(tips), tips
    english = ("Zoom", "Pan", "Reset", "Download", "Select", "Fullscreen")
    assert not [t for t in tips if any(word in t for word in english)], tips


def test_a_click_on_a_unit_opens_its_profile(server, page, outside):
    _open_map(page, f"{server}/so-sanh?chi_tieu=mediation_cases&ky=2024")
    _click(page, THACH_KHOI)
    page.wait_for_selector('[data-testid="stMain"] h1:has-text("Hồ sơ đơn vị")', timeout=30_000)
    _idle(page)
    page.wait_for_selector('[data-testid="stMain"] h2:has-text("Phường Thạch Khôi")', timeout=30_000)
    assert "ho-so-don-vi" in page.url and f"ho_so={THACH_KHOI}" in page.url
    assert "chi_tieu=mediation_cases" in page.url and "ky=2024" in page.url     # the sidebar's filters kept
    assert outside == [], f"requests off this machine: {outside}"


def test_nationally_a_click_on_a_province_shows_its_communes(national, page, outside):
    _open_map(page, f"{national}/?chi_tieu=mediation_cases")
    figure = json.loads(page.evaluate(f"() => JSON.stringify({GD}.data.map(t => t.locations.length))"))
    assert sum(figure) == 34
    # A point deep inside Hải Phòng (at the national zoom a commune is a few pixels wide).
    x, y = _screen(page, *_inside_point(HAI_PHONG, province=None))
    page.mouse.move(x, y)
    page.locator(f"{CHART} .hoverlayer .hovertext").first.wait_for(timeout=10_000)
    page.mouse.click(x, y)
    page.wait_for_function("""() => {
        const c = document.querySelector('canvas.maplibregl-canvas');
        const gd = c && c.closest('.js-plotly-plot');
        return gd && gd.data && gd.data.reduce((n, t) => n + t.locations.length, 0) === 114;
    }""", timeout=30_000)
    assert "tinh=31" in page.url
    assert outside == [], f"requests off this machine: {outside}"
