"""Chấm điểm dân vận: the criteria of the assessment, their total and the yearly rating."""
import pandas as pd
import streamlit as st

from etl.domain import vn
from etl.present import capping, charts, tables
from etl.read import assessment, reference
from pages import _auth, _data, _state, _ui

_auth.require("view")
f = _state.filters()
st.title("Chấm điểm dân vận")
years = _data.load(assessment.assessment_years, f.scope)
criteria = _data.load(assessment.criteria)
n, each, most = criteria.count, vn.format_number(criteria.max_each), vn.format_number(criteria.max_total)
if years.empty:
    st.info("Chưa đơn vị nào báo cáo điểm các tiêu chí chấm điểm dân vận trong báo cáo năm.",
            icon=":material/info:")
    st.stop()

year, label = _ui.year_picker(
    f, years, key="score_year", not_a_year="không có chấm điểm theo năm",
    help=f"Chấm điểm, xếp loại theo năm (mẫu báo cáo năm, {n} tiêu chí, mỗi tiêu chí 0–{each} điểm).")

thresholds = _data.load(reference.ratings).sort_values("min_total", ascending=False)
rule = "; ".join(f"{r.rating}: từ {vn.format_number(r.min_total)} điểm" if r.min_total > 0
                 else f"{r.rating}: dưới {vn.format_number(prev)} điểm"
                 for r, prev in zip(thresholds.itertuples(), [None] + list(thresholds["min_total"][:-1])))
st.caption(f"Tổng điểm = cộng {n} tiêu chí (tối đa {most}), chỉ tính khi đơn vị báo cáo đủ {n} tiêu chí. "
           f"Xếp loại: {rule}.")

in_year = f.scope.at(year)
res = _data.load(assessment.assessment, in_year)
scored = res[res["n_criteria"] > 0]
incomplete = int(((res["n_criteria"] > 0) & res["total"].isna()).sum())
st.markdown(f"**{int(res['total'].notna().sum())}/{len(res)}** đơn vị có tổng điểm {label.lower()}; "
            f"{int((res['n_criteria'] == 0).sum())} đơn vị chưa báo cáo điểm.")
cols = st.columns(len(thresholds) + 1)
for col, r in zip(cols, thresholds.sort_values("sort_order").itertuples()):
    col.metric(r.rating, vn.format_number(int((res["rating"] == r.rating).sum())), border=True)
cols[-1].metric(criteria.not_enough, vn.format_number(incomplete), border=True,
                help="Đơn vị báo cáo một phần các tiêu chí: không tính tổng điểm, không xếp loại.")


def ranking_view():
    st.subheader(f"Xếp hạng theo tổng điểm — {label}")
    n_missing = int((res["n_criteria"] == 0).sum())
    tab_chart, tab_table = st.tabs(["Biểu đồ xếp hạng", "Bảng số liệu"])
    with tab_chart:
        drawn = capping.capped(res, res["total"].notna(), capping.SCREEN, keep=f.units)
        note = capping.note(len(res), capping.SCREEN, keep=f.units)
        fig = charts.assessment_ranking_chart(
            drawn, title=f"Tổng điểm chấm điểm dân vận — {label}",
            subtitle=(f"Màu: xếp loại · {int(res['total'].notna().sum())}/{len(res)} đơn vị có đủ {n} tiêu chí"
                      + (f" · {n_missing} đơn vị chưa báo cáo" if n_missing else "")
                      + (f" · {note}" if note else "")),
            updated=f.updated, demo=f.demo, highlight=f.units)
        st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
        _ui.chart_downloads(f, fig, tables.renamed(res, {
            "rank": "Hạng", "name": "Đơn vị", "type_label": "Loại",
            "n_criteria": "Số tiêu chí báo cáo", "total": "Tổng điểm", "rating": "Xếp loại"}),
            f"xep hang cham diem {label}")
    with tab_table:
        _ui.table({
            "Hạng": [_ui.rank_text(r) for r in res["rank"]],
            "Đơn vị": list(res["name"]), "Loại": list(res["type_label"]),
            "Số tiêu chí báo cáo": [f"{int(k)}/{n}" for k in res["n_criteria"]],
            "Tổng điểm": [vn.format_number(t, 1) if pd.notna(t) else
                          (criteria.not_enough if k else vn.NOT_REPORTED)
                          for t, k in zip(res["total"], res["n_criteria"])],
            "Xếp loại": [r if isinstance(r, str) else "—" for r in res["rating"]],
        }, height=600)


def distribution_view():
    st.subheader("Phân bố xếp loại qua các năm")
    dist = _data.load(assessment.rating_distribution, f.scope)
    fig = charts.rating_distribution_chart(
        dist, title="Số đơn vị theo xếp loại", subtitle="Theo năm · chỉ các đơn vị có báo cáo điểm",
        updated=f.updated, demo=f.demo)
    st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
    _ui.chart_downloads(f, fig, tables.renamed(dist, {
        "label": "Năm", "rating": "Xếp loại", "units": "Số đơn vị"}),
        "phan bo xep loai")


def criteria_view():
    st.subheader(f"Điểm từng tiêu chí — {label}")
    scores = _data.load(assessment.assessment_scores, in_year)
    only = bool(f.units) and st.toggle("Chỉ các đơn vị đang theo dõi", value=False, key="chi_theo_doi",
                                       bind="query-params")
    grid = scores[scores["unit_code"].isin(f.units)] if only else scores
    drawn = capping.capped_units(list(res["code"]), capping.SCREEN, keep=f.units)
    cut = grid["unit_code"].nunique() > len(drawn)
    fig = charts.score_heatmap(
        grid[grid["unit_code"].isin(drawn)] if cut else grid, title=f"Đơn vị × tiêu chí — {label}",
        subtitle=f"Màu theo điểm (0–{each}): đỏ thấp, xanh cao; ô xám: tiêu chí chưa báo cáo"
                 + (f" · {len(drawn)}/{vn.format_number(grid['unit_code'].nunique())} đơn vị: đang "
                    "theo dõi và tổng điểm cao nhất; bảng số liệu có đủ" if cut else ""),
        updated=f.updated, demo=f.demo)
    st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
    _ui.chart_downloads(f, fig, tables.renamed(grid, {
        "name": "Đơn vị", "short_name": "Tiêu chí", "value": "Điểm", "median": "Trung vị các đơn vị"}),
        f"diem tieu chi {label}")
    with st.expander("Tên đầy đủ các tiêu chí"):
        crit = scores.drop_duplicates("criterion").sort_values("sort_order")
        _ui.table({"Tiêu chí": list(crit["short_name"]), "Nội dung": list(crit["label"])})


def unit_view():
    scores = _data.load(assessment.assessment_scores, in_year)
    st.subheader("Một đơn vị so với trung vị các đơn vị")
    names = dict(zip(scored["code"], scored["name"]))
    choices = [u for u in f.units if u in names] + [u for u in scored["code"] if u not in f.units]
    _state.from_link("score_unit", "don_vi_diem", choices)
    unit = st.selectbox("Đơn vị", choices, format_func=names.get, key="score_unit", placeholder=_ui.CHOOSE)
    _state.to_link("don_vi_diem", unit)
    one = scores[scores["unit_code"] == unit]
    row = res[res["code"] == unit].iloc[0]
    total_text = (f"Tổng {vn.format_number(row['total'], 1)} điểm, {row['rating']}" if pd.notna(row["total"])
                  else f"{assessment.not_enough(n, row['n_criteria'])}: không tính tổng điểm")
    fig = charts.criteria_vs_median_chart(
        one, unit_name=names[unit], title=f"{one['full_name'].iloc[0]} — {label}",
        subtitle=f"{total_text} · vạch cam: trung vị của các đơn vị báo cáo tiêu chí đó",
        updated=f.updated, demo=f.demo)
    st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
    _ui.chart_downloads(f, fig, tables.renamed(one, {
        "short_name": "Tiêu chí", "label": "Nội dung", "value": "Điểm",
        "median": "Trung vị các đơn vị"}),
        f"tieu chi {names[unit]} {label}")


def changes_view():
    prev_label = (_data.load(reference.periods, f.today).set_index("period_key")["label"]
                  .get(res["prev_period_key"].iloc[0]))
    st.subheader("Đơn vị thay đổi xếp loại so với năm trước")
    if not prev_label:
        st.info(f"Không có báo cáo năm trước {label.lower()} để so sánh.")
    else:
        both = res[res["rating"].notna() & res["prev_rating"].notna()]
        changed = both[both["rating"] != both["prev_rating"]].copy()
        changed["up"] = changed["rating_order"] < changed["prev_rating_order"]
        changed = changed.sort_values(["up", "rating_order"], ascending=[False, True])
        st.caption(f"So sánh {label} với {prev_label}: {len(both)} đơn vị được xếp loại cả hai năm, "
                   f"{len(changed)} đơn vị thay đổi ({int(changed['up'].sum())} lên, "
                   f"{int((~changed['up']).sum())} xuống).")
        if changed.empty:
            st.info("Không đơn vị nào thay đổi xếp loại.")
        else:
            _ui.table({
                "Đơn vị": list(changed["name"]), "Thay đổi": ["↑ lên" if u else "↓ xuống" for u in changed["up"]],
                f"Xếp loại {prev_label}": list(changed["prev_rating"]),
                f"Xếp loại {label}": list(changed["rating"]),
                f"Tổng điểm {prev_label}": [vn.format_number(t, 1) for t in changed["prev_total"]],
                f"Tổng điểm {label}": [vn.format_number(t, 1) for t in changed["total"]],
            })


VIEWS = {"Xếp hạng": ranking_view, "Phân bố xếp loại": distribution_view,
         "Điểm từng tiêu chí": criteria_view, "Một đơn vị": unit_view,
         "Thay đổi xếp loại": changes_view}
_ui.view_tabs(VIEWS)
