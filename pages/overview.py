"""Tổng quan: city totals for the chosen period against the same period a year earlier."""
import pandas as pd
import streamlit as st

from etl.domain import vn
from etl.present import capping, charts, tables
from etl.read import city, compare, reference
from pages import _auth, _data, _map, _state, _subs, _ui

_auth.require("view")
f = _state.filters()
period = _data.period(f.period, f.today)
ind = _data.indicator(f.indicator)
totals = _data.load(city.totals, f.scope)
missing = _data.load(city.missing_units, f.scope)
prev_key = totals["prev_period_key"].iloc[0]
prev_label = (_data.period(prev_key, f.today)["display"]
              if prev_key in set(_data.load(reference.periods, f.today)["period_key"]) else None)

st.title(f"Tổng quan — {f.period_label}")
if note := _ui.coverage_note(period):
    st.info(note, icon=":material/date_range:")

cover = _data.load(city.coverage, f.scope)
reported, expected = cover["reported"], cover["expected"]
cols = st.columns(4)
cols[0].metric("Đơn vị đã báo cáo", f"{reported}/{expected}",
               help="Số phường, xã, đặc khu đã gửi báo cáo cho kỳ này / số đơn vị phải báo cáo.")
cols[1].metric("Đơn vị chưa báo cáo", vn.format_number(len(missing)))
cols[2].metric("Cùng kỳ so sánh", prev_label or "Chưa có")
cols[3].metric("Độ dài kỳ", f"{vn.format_number(period['days'])} ngày")

# Metrics of the chosen indicator's group, with the change against "cùng kỳ".
group = ind["group_name"]
rows = totals[totals["group_name"] == group]
st.subheader(f"Nhóm chỉ tiêu: {group}")
st.caption(f"Số {f.area}: chỉ tiêu số lượng được cộng trên các đơn vị đã báo cáo; điểm chấm "
           "lấy trung vị; tỷ lệ tính từ tổng tử số và tổng mẫu số. Mũi tên so với cùng kỳ năm trước.")
if rows["units_reported"].sum() == 0:
    st.info(f"Chưa đơn vị nào báo cáo nhóm chỉ tiêu «{group}» trong kỳ {f.period_label}.")
else:
    metric_cols = st.columns(min(4, max(1, len(rows))))
    for i, r in enumerate(rows.itertuples()):
        dec = _ui.decimals_for(r.value_type)
        value = _ui.fmt_values([r.value], r.kind, dec)[0]
        unit = "" if r.kind == "rate" or pd.isna(r.value) else f" {r.unit}"
        unit += " (ước tính)" if r.estimated and not pd.isna(r.value) else ""
        delta = _ui.fmt_change(r.change, r.kind)
        help_text = (f"Kỳ này: {r.units_reported} đơn vị báo cáo. Cùng kỳ"
                     f"{' (' + prev_label + ')' if prev_label else ''}: "
                     f"{_ui.fmt_values([r.prev_value], r.kind, dec)[0]}, "
                     f"{r.prev_units_reported} đơn vị báo cáo.")
        metric_cols[i % len(metric_cols)].metric(
            r.label, value + unit, delta=delta,
            delta_color="inverse" if r.better == "lower" else "normal",
            delta_description="so với cùng kỳ" if delta else None, help=help_text, border=True)

chart_rows = rows[rows["kind"].isin(["flow", "stock"])]
if len(chart_rows):
    fig = charts.compare_chart(
        chart_rows, title=f"{group}: {f.period_label} so với cùng kỳ",
        subtitle=f"{f.area[:1].upper()}{f.area[1:]}, {reported}/{expected} đơn vị đã báo cáo",
        updated=f.updated, demo=f.demo, current_label=f.period_label,
        previous_label=prev_label or "Cùng kỳ")
    st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
    _ui.estimate_caption(chart_rows)
    _ui.chart_downloads(f, fig, tables.compare_table(chart_rows, f.period_label, prev_label or "Cùng kỳ"),
                      f"{group} {f.period_label} so voi cung ky",
                      percent_columns=["Tỷ lệ tăng/giảm"])

# Top and bottom five units for the chosen indicator.
per_capita = reference.per_capita_applies(ind, f.per_capita)
rank = _data.load(compare.ranking, f.scope, f.indicator, per_capita)
ranked = rank[rank["metric"].notna()]
suffix = f" ({_ui.PER_10K})" if per_capita else ""


def top_table(df):
    return {"Hạng": [str(x) for x in df["rank"]], "Đơn vị": list(df["name"]),
            "Giá trị": _ui.with_estimates(
                _ui.fmt_values(df["metric"], ind["kind"], _ui.decimals_for(ind, per_capita)), df)}


def top_sources(df):
    # A rate is computed from two reported values: it has no single source cell.
    return [None if ind["kind"] == "rate" else
            dict(unit_code=u, unit_name=n, period_key=f.period, period_label=f.period_label,
                 indicator_code=ind["code"], indicator_label=ind["label"])
            for u, n in zip(df["code"], df["name"])]


def top_bottom_view():
    st.subheader(f"{ind['label']}{suffix}: cao nhất và thấp nhất")
    if ranked.empty:
        st.info(f"Chưa đơn vị nào báo cáo chỉ tiêu này trong kỳ {f.period_label}.")
    else:
        left, right = st.columns(2)
        top, bottom = capping.top_and_bottom(ranked, 5)
        with left:
            st.markdown("**5 đơn vị cao nhất**")
            _subs.sourced_table(f, top_table(top), top_sources(top), key="top_source")
        with right:
            st.markdown("**5 đơn vị thấp nhất**")
            _subs.sourced_table(f, top_table(bottom), top_sources(bottom), key="bottom_source")
        st.caption(f"{int(ranked['n_ranked'].iloc[0])} đơn vị có số liệu; "
                   f"{int((~rank['reported']).sum())} đơn vị chưa báo cáo chỉ tiêu này.")


def missing_view():
    st.subheader(f"Đơn vị chưa báo cáo kỳ {f.period_label} ({vn.format_number(len(missing))})")
    if missing.empty:
        st.success("Tất cả đơn vị đã báo cáo.")
    else:
        _ui.table({"Mã": list(missing["code"]), "Đơn vị": list(missing["name"]),
                 "Loại": list(missing["type_label"])})


def all_view():
    st.subheader(f"Tất cả chỉ tiêu {f.area}")
    kinds, types = totals["kind"], totals["value_type"]
    _ui.table({
        "Nhóm": list(totals["group_name"]), "Chỉ tiêu": list(totals["label"]),
        "Đơn vị tính": list(totals["unit"]),
        f.period_label: _ui.fmt_rows(totals["value"], kinds, types),
        "Số đơn vị báo cáo": [str(n) for n in totals["units_reported"]],
        f"Cùng kỳ ({prev_label or 'không có'})": _ui.fmt_rows(totals["prev_value"], kinds, types),
        "Số đơn vị báo cáo (cùng kỳ)": [str(n) for n in totals["prev_units_reported"]],
        "Tăng/giảm": [_ui.fmt_change(ch, k) or "—" for ch, k in zip(totals["change"], kinds)],
        "Tỷ lệ tăng/giảm": [vn.format_percent(p) if k != "rate" else "—"
                            for p, k in zip(totals["change_pct"], totals["kind"])],
    })


def map_view():
    _map.map_view(f, ind, per_capita, "overview")


VIEWS = {"Cao nhất và thấp nhất": top_bottom_view, "Bản đồ": map_view,
         "Đơn vị chưa báo cáo": missing_view, "Tất cả chỉ tiêu": all_view}
_ui.view_tabs(VIEWS)
