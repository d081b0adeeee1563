"""Work the first visitor after a server start would otherwise wait for, done by serve.py's
start-up hook instead: the app's modules imported (pandas, plotly, DuckDB, the read and chart
code: most of a first page's time), a chart built and serialised (plotly loads its validators
on first use), the default view's queries run through the pages' cache, and the image browser
for chart downloads started (about 2–5 s, before the first visitor rather than beside them)."""
import importlib
import logging
import time

log = logging.getLogger("danvan")
# What the pages import; the page scripts themselves run per visit.
MODULES = ("pandas", "plotly.graph_objects", "plotly.io", "duckdb", "pyarrow", "etl.read",
           "etl.read.city", "etl.read.compare", "etl.read.trends", "etl.read.profile",
           "etl.read.completeness", "etl.read.models", "etl.read.assessment", "etl.present.charts",
           "etl.present.tables", "etl.briefing", "pages._auth", "pages._data", "pages._state",
           "pages._ui", "pages._subs", "pages._nav")


def start_up() -> float:
    """Blocking part (before the server takes visitors); returns its seconds."""
    t = time.perf_counter()
    for name in MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:          # a warm-up never stops the server from starting
            log.warning("warm-up: %s not imported: %s", name, exc)
    try:
        _first_chart()
        _open_database()
    except Exception:  # noqa: BLE001 — same: the visitor will meet the real error, if any
        log.warning("warm-up incomplete", exc_info=True)
    # Before visitors too: started beside the first visit, its Chromium took the cores that
    # visit needed (the first page came ~1 s later than with no warm-up at all).
    _image_browser()
    seconds = time.perf_counter() - t
    log.info("warm-up: %.2f s", seconds)
    return seconds


def _first_chart() -> None:
    from datetime import datetime

    import pandas as pd
    import plotly.io as pio

    from etl.present import charts
    rank = pd.DataFrame({"code": ["1", "2"], "name": ["A", "B"], "metric": [2.0, None],
                         "reported": [True, False], "rank": [1, None], "n_ranked": [1, 1],
                         "estimated": [False, False], "blank_reason": [None, "not_reported"]})
    fig = charts.ranking_chart(rank, title="Khởi động", subtitle="", updated=datetime.now())
    pio.to_json(fig, validate=False)


def _open_database() -> None:
    """The queries of the default view (the sidebar's defaults, «Tổng quan»'s first tab), through
    the pages' cached wrapper: the first visitor finds them computed (measured: 1,2 s of script
    time on the first visit after a start, 0,15 s on the next)."""
    from streamlit import runtime

    from etl.read import city, compare, reference
    from etl.read.scope import Scope
    from etl.warehouse import db
    from pages import _data, _state
    if not db.exists() or not runtime.exists():
        return
    _data.check_data()
    for today in (True, False):
        periods = _data.load(reference.periods, today)
        _data.load(reference.units, not today)
    for fn in (reference.catalogue, reference.provinces, reference.merger_date):
        _data.load(fn)
    years = periods.loc[periods["kind"] == "year", "period_key"]
    if not len(years):
        return
    scope = Scope(years.iloc[0])
    for fn in (city.totals, city.missing_units, city.coverage):
        _data.load(fn, scope)
    _data.load(compare.ranking, scope, _state.DEFAULT_INDICATOR, False)


def _image_browser() -> None:
    from etl.present import figures
    try:
        if figures.browser_available():
            figures.warm()
    except Exception:  # noqa: BLE001
        log.warning("warm-up: the image browser did not start", exc_info=True)
