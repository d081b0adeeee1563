"""Xu hướng: one indicator over periods of one kind, chosen units against the city median."""
import pandas as pd
import streamlit as st

from etl.domain import vn
from etl.present import charts, tables
from etl.read import reference, trends
from pages import _auth, _data, _state, _subs, _ui

_auth.require("view")
f = _state.filters()
period = _data.period(f.period, f.today)
ind = _data.indicator(f.indicator)
per_capita = reference.per_capita_applies(ind, f.per_capita)
suffix = f" {_ui.PER_10K}" if per_capita else ""

RANGE_SERIES = f"Cùng khoảng ngày mỗi năm ({period['start_date']:%d/%m}–{period['end_date']:%d/%m})"

st.title("Xu hướng")
kinds = _data.load(reference.period_kinds)
# An irregular range forms a series only with the same dates in other years (the selected one).
kinds = kinds[(kinds["kind"] != "range") | (period["kind"] == "range")]
order = ["year", "half", "quarter", "month", "multi_year"]
options = sorted(zip(kinds["kind"], kinds["convention"]),
                 key=lambda o: (order.index(o[0]) if o[0] in order else 9, o[1]))
if not options:
    st.info("Chưa có kỳ báo cáo theo tháng, quý, 6 tháng hay năm để vẽ xu hướng.")
    st.stop()
default = (period["kind"], period["convention"])
if default not in options:
    default = ("year", "calendar") if ("year", "calendar") in options else options[0]
kind, convention = st.radio(
    "Chuỗi theo", options, index=options.index(default), horizontal=True, key="chuoi", bind="query-params",
    format_func=lambda o: (RANGE_SERIES if o[0] == "range" else _ui.kind_label(o[0]))
    + (" (NĐ 09/2019)" if o[1] == "nd09" else ""),
    help="Mỗi chuỗi chỉ gồm một loại kỳ để không cộng trùng (một năm và các quý của năm đó).")

# A range series takes its dates from the scope's period (the one chosen in the sidebar).
series = _data.load(trends.trend, f.scope, f.indicator, kind, f.units, per_capita, convention)
series_order = list(dict.fromkeys(series["series"]))        # units (Vietnamese order), median
if not f.units:
    st.info("Chọn đơn vị ở thanh bên (ô «Tìm đơn vị» gõ không dấu được) để so sánh với trung vị "
            f"{f.area}.", icon=":material/arrow_back:")
if series["value"].isna().all():
    st.info(f"Chưa đơn vị nào báo cáo «{ind['label']}» theo {_ui.kind_label(kind).lower()}.")
    st.stop()
percent = ind["kind"] == "rate"
decimals = _ui.decimals_for(ind, per_capita)
names = ", ".join(vn.nfc(n) for n in dict.fromkeys(series.loc[~series["is_median"], "series"]))
fig = charts.trend_chart(
    series, title=f"{ind['label']}{suffix}",
    subtitle=f"Theo {_ui.kind_label(kind).lower()} · {names or 'chưa chọn đơn vị'} · "
             f"đường nét đứt: {trends.MEDIAN_LABEL.lower()}",
    updated=f.updated, demo=f.demo, percent=percent, decimals=decimals,
    axis_title=f"{ind['unit']}{suffix}" if not percent else "%",
    merger=_data.load(reference.merger_date) if f.today else None)
st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
_ui.estimate_caption(series)
if f.today and (series["period_key"].isin(_data.load(reference.straddling_periods))).any():
    st.caption("Năm 2025 theo địa giới hiện nay: đơn vị chưa có báo cáo cả năm được cộng 6 tháng đầu "
               "năm (các đơn vị cũ, đến 30/06/2025) với 6 tháng cuối năm (đơn vị mới); chỉ tiêu tồn "
               "lấy số cuối năm. Báo cáo cả năm của chính đơn vị thì dùng báo cáo đó, không cộng thêm.")
multi = _data.load(reference.multi_year_periods, f.scope)
if len(multi) and kind != "multi_year":
    st.info("Có số liệu tổng hợp nhiều năm (" + ", ".join(multi["label"]) + "): xem riêng ở chuỗi "
            "«Nhiều năm», không cộng với số liệu từng năm.", icon=":material/info:")
_ui.chart_downloads(f, fig, tables.trend_table(series), f"xu huong {ind['label']}",
                  percent_columns=list(dict.fromkeys(series["period_label"])) if percent else [])

# Same numbers as a table: one column per period, blank = not reported.
series = series.sort_values("end_date")
periods_order = list(dict.fromkeys(series["period_label"]))
table = series.assign(text=_ui.with_estimates(_ui.fmt_values(series["value"], ind["kind"], decimals),
                                             series)).pivot_table(
    index="series", columns="period_label", values="text", aggfunc="first", sort=False)
table = table.reindex(index=series_order, columns=periods_order).fillna(vn.NOT_REPORTED)
_ui.table(pd.DataFrame(table).reset_index().rename(columns={"series": "Đơn vị"}))
# Where a unit's value of one period comes from (the median has no single source).
unit_rows = series[~series["is_median"] & series["value"].notna()]
if ind["kind"] != "rate" and not unit_rows.empty:
    with st.expander("Xem nguồn số liệu của một đơn vị trong một kỳ"):
        a, b = st.columns(2)
        unit_names = dict(zip(unit_rows["unit_code"], unit_rows["series"]))
        _state.from_link("trend_src_unit", "don_vi_nguon", unit_names)
        unit = a.selectbox("Đơn vị", list(unit_names), format_func=unit_names.get, key="trend_src_unit",
                           placeholder=_ui.CHOOSE)
        _state.to_link("don_vi_nguon", unit)
        of_unit = unit_rows[unit_rows["unit_code"] == unit]
        period_labels = dict(zip(of_unit["period_key"], of_unit["period_label"]))
        period_key = b.selectbox("Kỳ", list(period_labels), format_func=period_labels.get,
                                 key="trend_src_period", bind="query-params", placeholder=_ui.CHOOSE)
        _subs.source_panel(f, unit, unit_names[unit], period_key, period_labels[period_key],
                           ind["code"], ind["label"], key=f"trend_src_{unit}_{period_key}")
median_rows = series[series["is_median"]]
st.caption("Số đơn vị có số liệu mỗi kỳ: " + "; ".join(
    f"{p}: {int(n)}" for p, n in zip(median_rows["period_label"], median_rows["units_reported"])))
