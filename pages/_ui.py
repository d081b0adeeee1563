"""What pages show and how: user text as literal text, vi-VN numbers in tables, tabs that run
only when opened, downloads under each chart, uploads, unexpected errors. No queries here.

Streamlit renders the text of st.markdown, st.caption, alerts, titles and button labels as
Markdown: a file name holding `[link](https://…)` or `![](http://…/pixel.png)` would put a live
link or a tracking image in front of a leader. Anything a person typed or uploaded (file names,
comments, names of people, units and models, cell contents) goes through esc() before it joins
such a text; tables (st.dataframe) and widget options show text as it is and need nothing.
"""
import functools
import html
import json
import re

import pandas as pd
import streamlit as st

from etl.domain import vn
from etl.domain.periods import KIND_LABELS
from etl.present import charts, figures, tables

# CommonMark lets a backslash escape any ASCII punctuation. Escaping those that start or close a
# construct turns off links, images, emphasis, code, HTML, entities, lists and headings,
# Streamlit's :colour[...] and :material/…: directives and $math$. Commas, quotes and the like
# stay as typed. GFM's bare-URL links ("https://…", "www.…", "a@b.vn") ignore escapes: an
# invisible word joiner after ":" and "@" and inside "www." breaks them without changing what
# a reader sees.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&@=^])")
_AUTOLINK = re.compile(r"(:|@|(?i:www)(?=\\\.))")
_JOINER = "\u2060"
_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")
OVERSIZE = b"DANVAN-UPLOAD-TOO-LARGE:"


def esc(text) -> str:
    """Text shown literally inside Markdown (one line: line breaks become spaces)."""
    escaped = _PUNCTUATION.sub(r"\\\1", _BREAKS.sub(" ", "" if text is None else str(text)))
    return _AUTOLINK.sub(lambda m: m[1] + _JOINER, escaped)


def md(template: str, **values) -> None:
    """st.markdown of a trusted template whose {fields} are user text: `md("**{f}**", f=name)`."""
    st.markdown(template.format(**{k: esc(v) for k, v in values.items()}))


def unexpected_error() -> None:
    st.error("Đã có lỗi ngoài dự kiến khi hiển thị trang này. Vui lòng tải lại trang (phím F5); "
             "nếu lỗi còn, báo quản trị hệ thống kèm thời điểm xảy ra lỗi.",
             icon=":material/error:")


# ---------------------------------------------------------------- uploads

def oversize_marker(size: int) -> bytes:
    """What serve.py passes on instead of a file over the limit."""
    return OVERSIZE + str(int(size)).encode()


def oversize(data: bytes) -> int | None:
    """The size of the refused file, when `data` is serve.py's stand-in for it."""
    if len(data) < 64 and data.startswith(OVERSIZE):
        digits = data[len(OVERSIZE):]
        return int(digits) if digits.isdigit() else 0
    return None


def drop_uploads(files) -> None:
    """Free the server's copy of uploaded files (UploadedFile objects or their ids) once a
    report is sent or its page is left: Streamlit would keep them until the session ends, in
    its file store and in the uploader's cached value, which st.rerun() does not refresh.
    Closing the file releases the bytes the cached value holds."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    for f in files:
        if hasattr(f, "close"):
            f.close()
        file_id = getattr(f, "file_id", f)
        if ctx is not None and isinstance(file_id, str):
            ctx.uploaded_file_mgr.remove_file(ctx.session_id, file_id)


def held(files) -> list:
    """The uploader's files that still hold their content (not yet sent)."""
    return [f for f in files or [] if not getattr(f, "closed", False)]


CHOOSE = "Chọn hoặc gõ để tìm"      # a select box's placeholder (Streamlit's: "Choose an option")


def streamlit_texts() -> None:
    """Vietnamese in place of Streamlit's own English where the app can reach it: the skip link,
    and no element toolbars (English tooltips, and a CSV download without the formula guard
    every export of the app has) or heading link icons. Plotly's English toolbar is off
    (PLOTLY_CONFIG); the map's speaks Vietnamese (MAP_CONFIG) but for the full-screen button
    Streamlit adds to it, whose tooltip (plotly draws it from data-title) is replaced here."""
    st.html("""<style>
[data-testid="stSkipToContent"] {font-size: 0;}
[data-testid="stSkipToContent"]::after {content: "Bỏ qua, đến nội dung chính"; font-size: 1rem;}
[data-testid="stElementToolbar"], [data-testid="stHeaderActionElements"] {display: none !important;}
.js-plotly-plot .plotly [data-title="Fullscreen"]::after {content: "Toàn màn hình";}
.js-plotly-plot .plotly [data-title="Close fullscreen"]::after {content: "Thoát toàn màn hình";}
</style>""")


# Plotly's toolbar speaks English ("Download plot as a PNG", "Zoom", "Autoscale"); every chart
# has the app's own downloads under it.
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False}

# The map keeps its toolbar (zoom, pan, back to the whole area): its tooltips and plotly's
# notices in Vietnamese, through plotly's per-chart locale (its own Vietnamese file is not
# bundled by Streamlit, and nothing is fetched).
_PLOTLY_VI = {
    "Zoom": "Phóng to vùng chọn", "Zoom in": "Phóng to", "Zoom out": "Thu nhỏ", "Pan": "Kéo bản đồ",
    "Reset view": "Về toàn cảnh", "Reset views": "Về toàn cảnh", "Reset": "Về ban đầu",
    "Reset axes": "Về trục ban đầu", "Autoscale": "Tự co giãn", "Box Select": "Chọn bằng khung",
    "Lasso Select": "Chọn tự do", "Download plot as a PNG": "Tải ảnh PNG", "Download plot": "Tải ảnh",
    "Download plot as JSON": "Tải dữ liệu JSON", "Toggle Spike Lines": "Bật/tắt đường gióng",
    "Show closest data on hover": "Hiện số liệu gần nhất khi rê chuột",
    "Compare data on hover": "So sánh số liệu khi rê chuột",
    "Toggle show closest data on hover": "Bật/tắt số liệu khi rê chuột",
    "Produced with Plotly.js": "Vẽ bằng Plotly.js",
    "Double-click to zoom back out": "Bấm đúp để thu nhỏ lại",
    "Taking snapshot - this may take a few seconds": "Đang chụp ảnh, xin chờ vài giây",
    "Snapshot succeeded": "Đã chụp ảnh",
    "Sorry, there was a problem downloading your snapshot!": "Không tải được ảnh, xin thử lại.",
}
MAP_CONFIG = {"scrollZoom": True, "displaylogo": False, "locale": "vi",
              "locales": {"vi": {"dictionary": _PLOTLY_VI}}}


def uploader_texts(limit_mb: str) -> None:
    """Vietnamese in place of the uploader's fixed English texts ("Drag and drop files here",
    "Limit … per file", "Browse files")."""
    box = '[data-testid="stFileUploaderDropzone"]'
    st.html(f"""<style>
{box} [data-testid="stFileUploaderDropzoneInstructions"] span,
{box} [data-testid="stFileUploaderDropzoneInstructions"] small {{display: none;}}
{box} [data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
  content: "Kéo thả tệp vào đây (tối đa {limit_mb} MB mỗi tệp)";}}
{box} button [data-testid="stMarkdownContainer"] p {{display: none;}}
{box} button [data-testid="stMarkdownContainer"]::after {{content: "Chọn tệp";}}
</style>""")


# ---------------------------------------------------------------- numbers and tables

PER_10K = "trên 10.000 dân"
ESTIMATE_NOTE = ("«Ước tính»: số liệu quy từ đơn vị cũ (trước 01/07/2025) về đơn vị hiện nay có "
                 "phần của một đơn vị cũ được chia cho nhiều đơn vị mới (theo tỷ lệ dân số của các "
                 "đơn vị mới nếu có, nếu không thì chia đều), hoặc thiếu báo cáo của một số đơn vị "
                 "cũ. Chỉ tiêu tồn (dân số, đảng viên…) của đơn vị cũ bị chia không được ước tính. "
                 "Xem nguồn gốc từng số liệu ở «Hồ sơ đơn vị».")
DEFAULT_INDICATOR = "propaganda_sessions"
UNREVIEWED_MARK = "Đang hiển thị gồm số liệu chưa duyệt (báo cáo đã gửi, Sở Nội vụ chưa chấp nhận)"
DEMO_BANNER = "Dữ liệu mẫu — không phải số liệu thật"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def coverage_note(period: dict) -> str | None:
    """Say when a period is not a whole standard period (e.g. 01/07–20/11/2025)."""
    if period["kind"] == "range":
        return (f"Kỳ báo cáo không trọn năm: từ {vn.format_date(period['start_date'])} đến "
                f"{vn.format_date(period['end_date'])} ({vn.format_number(period['days'])} ngày). "
                "Không so sánh trực tiếp với số liệu cả năm.")
    return None


def decimals_for(row, per_capita: bool = False) -> int | None:
    """Decimals of an indicator's values (its value_type in data/indicators.csv): counts none,
    decimals as they come; per 10,000 residents one."""
    if per_capita:
        return 1
    value_type = row.get("value_type") if isinstance(row, dict) else row
    return 0 if value_type == "integer" else None


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


def fmt_rows(values, kinds, value_types, blank: str = vn.NOT_REPORTED) -> list[str]:
    """vi-VN strings of a column mixing indicators (each with its kind and value_type)."""
    return [fmt_values([v], k, decimals_for(t), blank)[0]
            for v, k, t in zip(values, kinds, value_types)]


def metric_texts(df: pd.DataFrame, kind: str, decimals: int | None) -> list[str]:
    """vi-VN text of a query's metric column; a blank says why (column blank_reason)."""
    texts = fmt_values(df["metric"], kind, decimals)
    return [t if pd.isna(r) else charts.BLANK_TEXT.get(r, vn.NOT_REPORTED)
            for t, r in zip(texts, df["blank_reason"])]


def with_estimates(texts: list[str], df: pd.DataFrame) -> list[str]:
    """Texts of a query's rows, «(ước tính)» added where its estimated column says so."""
    flags = tables.estimated(df)
    return [charts.with_estimate(t, e) for t, e in zip(texts, flags)]


def estimate_caption(df: pd.DataFrame) -> None:
    """The note under a table or chart holding estimates (today's boundaries)."""
    if any(tables.estimated(df)):
        st.caption(ESTIMATE_NOTE)


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


def table(df, height: int | None = None) -> None:
    """Show a table of already formatted strings (shown as text: never Markdown), no index."""
    st.dataframe(pd.DataFrame(df), hide_index=True, width="stretch", height=height or "auto")


def demo_banner(info: dict) -> None:
    if info.get("demo"):
        st.warning(DEMO_BANNER, icon=":material/warning:")


TAB = "tab"      # the open tab, in the link: ?tab=Bảng+số+liệu


def view_tabs(views: dict) -> None:
    """Tabs {label: function} where only the open tab's function runs: drawing every view of a
    long page at once (several charts, tables of ~3.300 units) made a page opened from a link
    take over 2 s in the browser. The open tab is kept in the link (a shared link opens it)."""
    tabs = st.tabs(list(views), key=TAB, on_change="rerun", bind="query-params")
    for tab, view in zip(tabs, views.values()):
        with tab:
            if tab.open:
                view()


def year_picker(f, years, key: str, help: str, not_a_year: str) -> tuple[str, str]:
    """(period_key, label) of the year to show: the sidebar's period (filters f) when it is one
    of `years`, otherwise the latest, saying so (`not_a_year` completes "Kỳ đang chọn ở thanh
    bên (…)")."""
    keys = list(years["period_key"])
    labels = dict(zip(years["period_key"], years["label"]))
    year = st.selectbox("Năm", keys, index=keys.index(f.period) if f.period in keys else 0,
                        format_func=labels.get, key=key, help=help, bind="query-params", placeholder=CHOOSE)
    if f.period not in keys:
        st.caption(f"Kỳ đang chọn ở thanh bên ({f.period_label}) {not_a_year}: "
                   f"hiển thị {labels[year]}.")
    return year, labels[year]


# ---------------------------------------------------------------- downloads under each chart

def file_stem(name: str) -> str:
    """A file name without diacritics or spaces: 'Đơn thư — Năm 2025' -> 'don-thu-nam-2025'."""
    words = "".join(ch if ch.isalnum() else " " for ch in vn.fold(name)).split()
    return "-".join(words)[:80] or "bieu-do"


@functools.lru_cache(maxsize=64)
def _image(fig_json: str, fmt: str) -> bytes:
    # Keyed on the figure's JSON: the same chart is rendered once per server process.
    return figures.to_image(json.loads(fig_json), fmt)


def chart_downloads(f, fig, table_df: pd.DataFrame, name: str, *, percent_columns=(),
                    export_fig=None, key: str | None = None) -> None:
    """PNG, SVG, PDF of the chart and Excel, CSV of its table, as download buttons (f: the
    page's filters, for the update date and the demo mark of the notes).

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
    notes = [subtitle, charts.source_text(f.updated),
             charts.DEMO_MARK + " — không phải số liệu thật" if f.demo else None,
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
