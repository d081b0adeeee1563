"""So sánh đơn vị: one indicator across all units, and a unit × indicator grid for its group."""
import streamlit as st

from etl.domain import vn
from etl.present import capping, charts, tables
from etl.read import compare, reference
from pages import _auth, _data, _map, _state, _subs, _ui

_auth.require("view")
f = _state.filters()
period = _data.period(f.period, f.today)
ind = _data.indicator(f.indicator)
per_capita = reference.per_capita_applies(ind, f.per_capita)
suffix = f" {_ui.PER_10K}" if per_capita else ""
decimals = _ui.decimals_for(ind, per_capita)

st.title("So sánh đơn vị")
st.markdown(f"**{ind['label']}** ({ind['unit']}{suffix}) — {f.period_label}")
if f.per_capita and not per_capita:
    st.caption("Chỉ tiêu này không tính trên 10.000 dân (tỷ lệ, điểm chấm, dân số, diện tích): "
               "hiển thị giá trị tuyệt đối.")
if note := _ui.coverage_note(period):
    st.info(note, icon=":material/date_range:")

rank = _data.load(compare.ranking, f.scope, f.indicator, per_capita)
n_ranked = int(rank["n_ranked"].iloc[0]) if len(rank) else 0
n_blank = int((~rank["reported"]).sum())
subtitle = (f"{f.period_label} · {n_ranked}/{len(rank)} đơn vị có số liệu"
            + (f" · {n_blank} đơn vị chưa báo cáo" if n_blank else "")
            + (" · dân số: kỳ này hoặc lần báo cáo gần nhất trước đó" if per_capita else ""))


def ranking_chart():
    chart = dict(title=f"{ind['label']} ({ind['unit']}{suffix})", updated=f.updated,
                 demo=f.demo, percent=ind["kind"] == "rate", decimals=decimals,
                 highlight=f.units)
    has_value = rank["metric"].notna()
    drawn = capping.capped(rank, has_value, capping.SCREEN, keep=f.units)
    note = capping.note(len(rank), capping.SCREEN, keep=f.units)
    fig = charts.ranking_chart(drawn, subtitle=subtitle + (f" · {note}" if note else ""), **chart)
    st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
    _ui.estimate_caption(rank)
    # 114 bars do not fit a 16:9 image: the image shows the top, the bottom and the
    # followed units; the Excel/CSV table keeps every unit.
    shown = capping.capped(rank, has_value, capping.SLIDE, keep=f.units)
    slide = None if len(shown) == len(rank) else charts.ranking_chart(
        shown, subtitle=f"{subtitle} · ảnh: đơn vị cao nhất, thấp nhất và đang theo dõi; "
                        "bảng số liệu có đủ các đơn vị", **chart)
    _ui.chart_downloads(f, fig, tables.ranking_table(rank, ind["unit"], per_capita),
                      f"xep hang {ind['label']} {f.period_label}", export_fig=slide,
                      percent_columns=[f"Giá trị ({ind['unit']})"] if ind["kind"] == "rate"
                      else [])


def ranking_table():
    value_col = f"Giá trị ({ind['unit']})"
    data = {
        "Hạng": [_ui.rank_text(r) for r in rank["rank"]],
        "Đơn vị": list(rank["name"]), "Loại": list(rank["type_label"]),
        value_col: _ui.with_estimates(
            _ui.metric_texts(rank, ind["kind"], _ui.decimals_for(ind)) if not per_capita
            else _ui.fmt_values(rank["value"], ind["kind"], _ui.decimals_for(ind)), rank),
    }
    if not f.today:     # as reported: old units by their old district and province
        data["Huyện cũ"] = [_subs.txt(x) for x in rank["former_district"]]
        data["Tỉnh cũ"] = [_subs.txt(x) for x in rank["former_province"]]
    if per_capita:
        data["Dân số"] = _ui.fmt_values(rank["population"], "stock", 0, blank="Chưa rõ")
        data["Trên 10.000 dân"] = _ui.with_estimates(_ui.metric_texts(rank, ind["kind"], 1), rank)
    sources = [dict(unit_code=u, unit_name=n, period_key=f.period, period_label=f.period_label,
                    indicator_code=ind["code"], indicator_label=ind["label"])
               if rep and ind["kind"] != "rate" else None
               for u, n, rep in zip(rank["code"], rank["name"], rank["reported"])]
    _subs.sourced_table(f, data, sources, key="compare_source", height=600)
    _ui.estimate_caption(rank)


def district_table():
    """As reported: the old units grouped by their old district and province."""
    groups = _data.load(compare.by_old_district, f.scope, f.indicator)
    _ui.table(tables.renamed(groups.assign(
        value=_ui.fmt_values(groups["value"], ind["kind"], _ui.decimals_for(ind)),
        units_reported=[f"{r}/{n}" for r, n in zip(groups["units_reported"], groups["units"])]),
        {"former_province": "Tỉnh cũ", "former_district": "Huyện cũ",
         "units_reported": "Đơn vị có số liệu", "value": f"Giá trị ({ind['unit']})"}))
    st.caption("Số lượng cộng trên các đơn vị đã báo cáo; tỷ lệ tính từ tổng tử số và tổng mẫu "
               "số; điểm chấm lấy trung vị.")


def map_view():
    _map.map_view(f, ind, per_capita, "compare")


if rank["reported"].any():
    views = {"Biểu đồ xếp hạng": ranking_chart, "Bản đồ": map_view, "Bảng số liệu": ranking_table}
    if not f.today:
        views["Theo huyện, tỉnh cũ"] = district_table
    _ui.view_tabs(views)
else:
    st.info(f"Chưa đơn vị nào báo cáo «{ind['label']}» trong kỳ {f.period_label}.")

group = ind["group_name"]
st.subheader(f"Ma trận đơn vị × chỉ tiêu: {group}")
grid = _data.load(compare.matrix, f.scope, group, bool(f.per_capita))
if f.units:
    only = st.toggle("Chỉ các đơn vị đang theo dõi", value=False, key="chi_theo_doi", bind="query-params")
    if only:
        grid = grid[grid["code"].isin(f.units)]
if not grid["reported"].any():
    st.info(f"Chưa đơn vị nào báo cáo nhóm chỉ tiêu «{group}» trong kỳ {f.period_label}.")
else:
    heat = dict(title=f"{group} — {f.period_label}", updated=f.updated, demo=f.demo,
                decimals=1 if f.per_capita else None)
    heat_note = ("Màu: thứ hạng của đơn vị trong từng chỉ tiêu (đậm = cao); ô xám: chưa báo cáo"
                 + (f"; số lượng tính {_ui.PER_10K}" if f.per_capita else ""))
    best = grid.groupby("code")["pct_rank"].mean().sort_values(ascending=False).index
    drawn = capping.capped_units(best, capping.SCREEN, keep=f.units)
    n_units = grid["code"].nunique()
    fig = charts.heatmap(
        grid if len(drawn) == n_units else grid[grid["code"].isin(drawn)],
        subtitle=heat_note + ("" if len(drawn) == n_units else
                              f" · {len(drawn)}/{vn.format_number(n_units)} đơn vị: đang theo dõi "
                              "và thứ hạng trung bình cao nhất; bảng số liệu có đủ"), **heat)
    st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
    _ui.estimate_caption(grid)
    # A 16:9 image holds about 20 rows: the followed units and the best by mean rank.
    on_slide = capping.capped_units(best, capping.SLIDE, keep=f.units)
    slide = None if len(on_slide) == n_units else charts.heatmap(
        grid[grid["code"].isin(on_slide)],
        subtitle=f"{len(on_slide)}/{vn.format_number(n_units)} đơn vị: đang theo dõi và thứ hạng "
                 "trung bình cao nhất; bảng số liệu có đủ các đơn vị", **heat)
    _ui.chart_downloads(f, fig, tables.heatmap_table(grid), f"ma tran {group} {f.period_label}",
                      export_fig=slide, percent_columns=tables.rate_columns(grid))
