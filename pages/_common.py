"""Shared Streamlit helpers: cached queries, the sidebar filter state, vi-VN table formatting.

Pages never hold SQL or connections: they call `q("query_name", ...)`, which opens a read-only
connection only on a cache miss and closes it at once, so a loader can write between reruns.
The cache key includes etl.db.data_version(), so a new load shows up on the next rerun.
"""
import functools
import html
import inspect
import json
import logging
from dataclasses import dataclass

import duckdb
import pandas as pd
import streamlit as st

from etl import config
from etl.domain import vn
from etl.domain.periods import KIND_LABELS
from etl.present import charts, figures, tables
from etl.read import completeness, provenance, queries
from etl.warehouse import db
from etl.workflow import submissions

BUSY_MESSAGE = ("Cơ sở dữ liệu đang cập nhật (đang nạp báo cáo). Vui lòng thử lại sau ít phút "
                "hoặc bấm R để tải lại trang.")
log = logging.getLogger("danvan")
DEMO_BANNER = "Dữ liệu mẫu — không phải số liệu thật"
PER_10K = "trên 10.000 dân"

# Session-state keys of the sidebar widgets (app.py), read by the pages.
PERIOD, INDICATOR, UNITS, PER_CAPITA, SEARCH = "period", "indicator", "units", "per_capita", "search"
# The province chosen in the sidebar (only offered when the registry holds more than one).
PROVINCE = "province"
# The sidebar switch "include submitted-but-unreviewed data", and its marker on every page.
UNREVIEWED = "include_unreviewed"
UNREVIEWED_MARK = "Đang hiển thị gồm số liệu chưa duyệt (báo cáo đã gửi, Sở Nội vụ chưa chấp nhận)"
# Read-only functions q() may call besides etl.queries ("module.function").
_MODULES = {"completeness": completeness, "provenance": provenance, "submissions": submissions}


# A chart on screen stays readable and quick to draw up to about a city's 114 units. Beyond that
# (a country, ~3.300 units) it shows the top, the bottom and the followed units; tables keep all.
MAX_DRAWN, DRAWN_TOP, DRAWN_BOTTOM = 150, 20, 10


def drawn_rows(df: pd.DataFrame, has_value, keep=()) -> tuple[pd.DataFrame, str]:
    """The rows of df (in chart order, best first) a chart draws, and a note for its subtitle
    ("" when every row is drawn). has_value: mask of rows that have a value to rank."""
    if len(df) <= MAX_DRAWN:
        return df, ""
    valued = df.index[list(has_value)]
    chosen = set(valued[:DRAWN_TOP]) | set(valued[-DRAWN_BOTTOM:])
    chosen |= set(df.index[df["code"].isin(list(keep))])
    note = (f"biểu đồ: {DRAWN_TOP} đơn vị cao nhất, {DRAWN_BOTTOM} thấp nhất"
            + (" và các đơn vị đang theo dõi" if keep else "")
            + f" trong {vn.format_number(len(df))} đơn vị; bảng số liệu có đủ")
    return df[df.index.isin(chosen)], note


def drawn_units(codes_best_first, keep=()) -> list:
    """Units a unit × indicator grid draws: all up to MAX_DRAWN, else the followed units and the
    best DRAWN_TOP."""
    codes = list(dict.fromkeys(codes_best_first))
    if len(codes) <= MAX_DRAWN:
        return codes
    return [u for u in codes if u in set(keep)] + [u for u in codes[:DRAWN_TOP] if u not in set(keep)]


def view_tabs(views: dict, key: str) -> None:
    """Tabs {label: function} where only the open tab's function runs: drawing every view of a
    long page at once (several charts, tables of ~3.300 units) made a page opened from a link
    take over 2 s in the browser."""
    for tab, view in zip(st.tabs(list(views), key=key, on_change="rerun"), views.values()):
        with tab:
            if tab.open:
                view()


class NoData(Exception):
    """The warehouse is missing, not initialised or holds no report."""


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, path: str, version: tuple, args: tuple, kwargs: tuple = ()):
    # Wait briefly for a writer, then tell the user (the CLI waits longer).
    timeout = config.get("DANVAN_READ_TIMEOUT")
    with db.connect(path, read_only=True, timeout=timeout) as con:
        return _function(name)(con, *args, **dict(kwargs))


def _function(name: str):
    module, _, func = name.rpartition(".")
    return getattr(_MODULES[module] if module else queries, func)


def q(name: str, *args):
    """Result of etl.queries.<name>(con, *args) (or "provenance.value_versions" etc.), cached
    until the data change. Queries of reported values get the sidebar's include_unreviewed and
    province when they take them."""
    path = str(db.db_path())
    kwargs = ()
    params = inspect.signature(_function(name)).parameters
    if "include_unreviewed" in params:
        kwargs += (("include_unreviewed", bool(st.session_state.get(UNREVIEWED, False))),)
    if "province" in params:
        kwargs += (("province", st.session_state.get(PROVINCE) or None),)
    try:
        return _cached(name, path, db.data_version(path), tuple(args), kwargs)
    except db.DatabaseBusy:
        st.warning(BUSY_MESSAGE, icon=":material/hourglass_top:")
        st.stop()
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            st.warning(BUSY_MESSAGE, icon=":material/hourglass_top:")
            st.stop()
        raise


def check_data() -> dict:
    """dataset_info, or NoData with a Vietnamese explanation. Where the database file is and
    what went wrong is for the operator's log, not the page."""
    path = db.db_path()
    if not path.exists():
        log.warning("no database at %s", path)
        raise NoData("Hệ thống chưa có cơ sở dữ liệu.")
    try:
        info = q("dataset_info")
    except duckdb.CatalogException as exc:
        log.warning("database %s not initialised: %s", path, exc)
        raise NoData("Cơ sở dữ liệu chưa được khởi tạo.") from exc
    except duckdb.Error as exc:
        log.error("database %s unreadable", path, exc_info=exc)
        raise NoData("Không đọc được cơ sở dữ liệu (tệp có thể bị hỏng).") from exc
    if not info["submissions"]:
        raise NoData("Cơ sở dữ liệu chưa có báo cáo nào.")
    return info


HOW_TO_LOAD = ("Đề nghị quản trị hệ thống khởi tạo cơ sở dữ liệu và nạp các báo cáo của phường, "
               "xã, đặc khu (hướng dẫn trong tài liệu cài đặt). Cán bộ có tài khoản có thể gửi "
               "báo cáo ở mục «Gửi báo cáo» khi hệ thống đã được khởi tạo.")


@dataclass(frozen=True)
class Filters:
    period: str
    period_label: str
    indicator: str
    units: tuple
    per_capita: bool
    info: dict
    province: str | None = None
    # Who the totals and medians cover: "thành phố" for a one-province registry, else the
    # chosen province's name or "cả nước".
    scope: str = "toàn thành phố"
    user: object = None           # the signed-in etl.accounts.User, None for a visitor

    @property
    def updated(self):
        return self.info["last_loaded"]

    @property
    def demo(self) -> bool:
        return self.info["demo"]


def filters() -> Filters:
    if "_filters" not in st.session_state:
        # Opened by its file name (legacy pages/ URL) without app.py's sidebar: go through it.
        st.switch_page("app.py")
    return st.session_state["_filters"]


def catalogue_row(code: str) -> dict:
    cat = q("catalogue")
    return cat[cat["code"] == code].iloc[0].to_dict()


def period_row(key: str) -> dict:
    ps = q("periods")
    return ps[ps["period_key"] == key].iloc[0].to_dict()


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def coverage_note(period: dict) -> str | None:
    """Say when a period is not a whole standard period (e.g. 01/07–20/11/2025)."""
    if period["kind"] == "range":
        return (f"Kỳ báo cáo không trọn năm: từ {vn.format_date(period['start_date'])} đến "
                f"{vn.format_date(period['end_date'])} ({vn.format_number(period['days'])} ngày). "
                "Không so sánh trực tiếp với số liệu cả năm.")
    return None


def decimals_for(row: dict, per_capita: bool = False) -> int | None:
    if per_capita:
        return 1
    return 0 if row.get("value_type") == "integer" else None


def fmt_values(values, kind: str = "flow", decimals: int | None = None,
               blank: str = vn.NOT_REPORTED) -> list[str]:
    """vi-VN strings for a column; a rate is a fraction shown as a percentage."""
    out = []
    for v in pd.Series(values, dtype="float64"):
        if pd.isna(v):
            out.append(blank)
        elif kind == "rate":
            out.append(vn.format_percent(v, 1))
        else:
            out.append(vn.format_number(v, decimals))
    return out


def metric_texts(df: pd.DataFrame, kind: str, decimals: int | None) -> list[str]:
    """vi-VN text of a query's metric column; a blank says why (queries blank_reason)."""
    texts = fmt_values(df["metric"], kind, decimals)
    return [t if pd.isna(r) else charts.BLANK_TEXT.get(r, vn.NOT_REPORTED)
            for t, r in zip(texts, df["blank_reason"])]


def fmt_change(change, kind: str) -> str | None:
    """A delta for st.metric, signed; rates change in percentage points."""
    if change is None or pd.isna(change):
        return None
    if change == 0:
        return "0"             # st.metric shows exactly "0" as no change
    sign = "+" if change > 0 else "-"   # ASCII minus: st.metric reads it as a decrease
    if kind == "rate":
        return f"{sign}{vn.format_number(abs(change) * 100, 1)} điểm %"
    return f"{sign}{vn.format_number(abs(change), None if kind == 'score' else 0)}"


def rank_text(rank, n=None) -> str:
    if pd.isna(rank):
        return "—"
    return f"{int(rank)}/{int(n)}" if n is not None else str(int(rank))


def table(df: pd.DataFrame, height: int | None = None) -> None:
    """Show a table of already formatted strings, without the pandas index."""
    st.dataframe(df, hide_index=True, width="stretch", height=height or "auto")


def demo_banner(info: dict) -> None:
    if info.get("demo"):
        st.warning(DEMO_BANNER, icon=":material/warning:")


# ---------------------------------------------------------------- downloads under each chart

def file_stem(name: str) -> str:
    """A file name without diacritics or spaces: 'Đơn thư — Năm 2025' -> 'don-thu-nam-2025'."""
    words = "".join(ch if ch.isalnum() else " " for ch in vn.fold(name)).split()
    return "-".join(words)[:80] or "bieu-do"


@functools.lru_cache(maxsize=64)
def _image(fig_json: str, fmt: str) -> bytes:
    # Keyed on the figure's JSON: the same chart is rendered once per server process.
    return figures.to_image(json.loads(fig_json), fmt)


def chart_downloads(fig, table_df: pd.DataFrame, name: str, *, percent_columns=(),
                    export_fig=None, key: str | None = None) -> None:
    """PNG, SVG, PDF of the chart and Excel, CSV of its table, as download buttons.

    Images are made only when a button is clicked (data as a callable), through the export
    browser shared by the whole server; export_fig is a slide-sized variant when the screen
    chart is too tall for 16:9 (a ranking of 114 units).
    """
    stem = file_stem(name)
    key = key or stem
    layout = (export_fig or fig).layout
    # Chart texts are HTML-escaped for plotly (charts.plain); a spreadsheet shows them as typed.
    title = html.unescape(layout.title.text or name)
    subtitle = html.unescape(layout.title.subtitle.text or "") if layout.title.subtitle else ""
    notes = [subtitle, charts.source_text(filters().updated),
             charts.DEMO_MARK + " — không phải số liệu thật" if filters().demo else None,
             "Ô «Chưa báo cáo»: đơn vị chưa báo cáo số liệu (khác với 0)."]
    fig_json = (export_fig or fig).to_json()
    row = st.container(horizontal=True, gap="small")
    if figures.browser_available():
        for fmt, label in (("png", "PNG"), ("svg", "SVG"), ("pdf", "PDF")):
            row.download_button(
                label, data=functools.partial(_image, fig_json, fmt), file_name=f"{stem}.{fmt}",
                mime=figures.FORMATS[fmt], key=f"dl-{key}-{fmt}", icon=":material/image:",
                on_click="ignore", help=f"Ảnh {label} khổ 16:9 để chèn vào trình chiếu, văn bản")
    row.download_button(
        "Excel", data=functools.partial(tables.to_xlsx, table_df, title=title, notes=notes,
                                        percent_columns=tuple(percent_columns)),
        file_name=f"{stem}.xlsx", key=f"dl-{key}-xlsx", icon=":material/table:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore", help="Bảng số liệu của biểu đồ (Excel)")
    row.download_button(
        "CSV", data=functools.partial(tables.to_csv, table_df), file_name=f"{stem}.csv",
        mime="text/csv", key=f"dl-{key}-csv", icon=":material/description:", on_click="ignore",
        help="Bảng số liệu dạng CSV (UTF-8, mở được bằng Excel)")
    if not figures.browser_available():
        st.caption(figures.BROWSER_MISSING)


def year_picker(years, key: str, help: str, not_a_year: str) -> tuple[str, str]:
    """(period_key, label) of the year to show: the sidebar's period when it is one of `years`,
    otherwise the latest, saying so (`not_a_year` completes "Kỳ đang chọn ở thanh bên (…)")."""
    f = filters()
    keys = list(years["period_key"])
    labels = dict(zip(years["period_key"], years["label"]))
    year = st.selectbox("Năm", keys, index=keys.index(f.period) if f.period in keys else 0,
                        format_func=labels.get, key=key, help=help)
    if f.period not in keys:
        st.caption(f"Kỳ đang chọn ở thanh bên ({f.period_label}) {not_a_year}: "
                   f"hiển thị {labels[year]}.")
    return year, labels[year]
