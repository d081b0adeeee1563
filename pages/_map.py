"""The map view of «Tổng quan» and «So sánh đơn vị»: the sidebar's indicator over today's units
(nationally, provinces until one is chosen); a click on a unit opens its «Hồ sơ đơn vị», a
click on a province chooses it in the sidebar. No queries here (pages/_data.load)."""
import streamlit as st

from etl.domain import vn
from etl.present import boundaries, charts, tables
from etl.read import compare, maps, reference
from etl.read.scope import BOUNDARY_LABELS, CURRENT, REPORTED
from pages import _data, _state, _ui

PROFILE_PAGE = "pages/unit_profile.py"
OPEN_PROFILE = "_map_open_profile"
OLD_UNITS = ("Bản đồ chỉ có ranh giới các đơn vị hành chính hiện nay (từ {date}). Kỳ {period} "
             "xem «{view}» gồm các đơn vị cũ, chưa có bản đồ ranh giới: chọn «{today}» ở thanh bên "
             "để xem bản đồ, hoặc xem bảng số liệu.")


def clicked_code(selection) -> str | None:
    """The code of the shape a click selected (plotly's point location, else its customdata)."""
    for point in (selection or {}).get("points", []):
        code = point.get("location")
        if code is None and point.get("customdata"):
            code = point["customdata"][-1]
        if code:
            return str(code)
    return None


def _on_click(key: str, provinces_level: bool) -> None:
    # A callback: it runs before the sidebar is drawn, so it may still set the province.
    code = clicked_code(st.session_state[key].selection)
    if code is None:
        return
    if provinces_level:
        st.session_state[_state.PROVINCE] = code
    else:
        # Opened by map_view, with the link as it is when clicked, before this run's sidebar.
        st.session_state[OPEN_PROFILE] = (code, st.query_params.to_dict())


def open_profile(unit: str, link: dict | None = None) -> None:
    """«Hồ sơ đơn vị» of the unit, keeping the sidebar's filters (of `link`, else of this run)."""
    _state.switch_page(PROFILE_PAGE, link, **{_state.PROFILE_UNIT: unit})


def map_view(f, ind: dict, per_capita: bool, page: str) -> None:
    """The map tab of a page (page: a short name for the chart's widget key)."""
    if OPEN_PROFILE in st.session_state:
        open_profile(*st.session_state.pop(OPEN_PROFILE))
    if not _data.load(maps.has_outlines, f.scope):
        st.info(OLD_UNITS.format(
            date=vn.format_date(_data.load(reference.merger_date)), period=f.period_label,
            view=BOUNDARY_LABELS[REPORTED], today=BOUNDARY_LABELS[CURRENT]),
            icon=":material/map:")
        return
    province, provinces_level = _data.load(maps.level, f.scope)
    if provinces_level:
        df = _data.load(maps.by_province, f.scope, f.indicator, per_capita)
        geojson, what = boundaries.provinces(), "tỉnh, thành phố"
    else:
        df = _data.load(compare.ranking, f.scope, f.indicator, per_capita)
        geojson, what = boundaries.communes(province), "đơn vị"
    suffix = f" {_ui.PER_10K}" if per_capita else ""
    n_value = int(df["metric"].notna().sum())
    subtitle = (f"{f.period_label} · {f.area[:1].upper()}{f.area[1:]} · "
                f"{n_value}/{len(df)} {what} có số liệu"
                + (" · dân số: kỳ này hoặc lần báo cáo gần nhất trước đó" if per_capita else ""))
    fig = charts.map_chart(
        df, geojson, title=f"{ind['label']} ({ind['unit']}{suffix})", subtitle=subtitle,
        updated=f.updated, demo=f.demo, percent=ind["kind"] == "rate",
        decimals=_ui.decimals_for(ind, per_capita), value_label=f"{ind['unit']}{suffix}",
        highlight=() if provinces_level else f.units)
    key = f"map-{page}-{province or 'vn'}"
    st.plotly_chart(fig, width="stretch", key=key, on_select=lambda: _on_click(key, provinces_level),
                    selection_mode="points", config=_ui.MAP_CONFIG)
    st.caption("Bấm vào một tỉnh, thành phố để xem các xã, phường, đặc khu của tỉnh đó."
               if provinces_level else "Bấm vào một đơn vị để mở «Hồ sơ đơn vị» của đơn vị đó. "
               "Màu xám: chưa báo cáo (khác với 0).")
    _ui.estimate_caption(df)
    _ui.chart_downloads(f, fig, tables.ranking_table(df, ind["unit"], per_capita),
                        f"ban do {ind['label']} {f.period_label}", key=key,
                        percent_columns=[f"Giá trị ({ind['unit']})"] if ind["kind"] == "rate" else [])
