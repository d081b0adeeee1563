"""Hồ sơ đơn vị: one unit's profile facts, its rank among units and all its indicators over time."""
import pandas as pd
import streamlit as st

from etl.domain import vn
from etl.present import charts, tables
from etl.read import profile, reference, trends
from pages import _auth, _data, _state, _subs, _ui

_auth.require("view")
f = _state.filters()
units = _data.load(reference.units, not f.today)
names = dict(zip(units["code"], units["name"]))
types = dict(zip(units["code"], units["type_label"]))

st.title("Hồ sơ đơn vị")
# The units chosen in the sidebar come first; any unit can be picked here.
choices = list(f.units) + [u for u in units["code"] if u not in f.units]
_state.from_link("profile_unit", _state.PROFILE_UNIT, choices)
code = st.selectbox("Đơn vị", choices, format_func=lambda u: f"{names[u]} ({types[u]}, mã {u})",
                    key="profile_unit", placeholder=_ui.CHOOSE,
                    help="Gõ tên có dấu để lọc, hoặc dùng ô «Tìm đơn vị» (không dấu) ở thanh bên.")
_state.to_link(_state.PROFILE_UNIT, code)
info = _data.load(reference.unit_info, code)
st.header(_ui.esc(info["full_name"]))
since = None if pd.isna(info["valid_from"]) else vn.format_date(info["valid_from"])
until = None if pd.isna(info["valid_to"]) else vn.format_date(info["valid_to"])
st.caption(_ui.esc(" · ".join(x for x in (
    f"Mã đơn vị {code}",
    f"thành lập từ {since}" if since else None,
    f"tồn tại đến {until}" if until else None,
    f"hình thành từ {info['n_predecessors']} đơn vị cũ" if info["n_predecessors"] else None,
    f"địa bàn cũ: {info['former_district']}" if info["former_district"] and not until else None,
    info["long_name"] if until else None) if x)))
links = _data.load(reference.lineage, f.scope, code)
if len(links):
    old_side = until is not None
    with st.expander("Đơn vị mới tiếp nhận địa bàn" if old_side else
                     f"Các đơn vị cũ hợp thành ({len(links)}) và cách quy đổi số liệu"):
        _ui.table(pd.DataFrame({
            "Đơn vị": [_subs.txt(n) for n in (links["new_name"] if old_side else links["old_name"])],
            "Mã": list(links["new_code"] if old_side else links["old_code"]),
            **({} if old_side else {"Huyện cũ": [_subs.txt(x) for x in links["former_district"]],
                                    "Tỉnh cũ": [_subs.txt(x) for x in links["former_province"]]}),
            "Phần sáp nhập": [_subs.SHARE_TEXT.get(s, s) for s in links["share"]],
            "Cách chia số liệu": [_subs.METHOD_TEXT.get(m, m) for m in links["method"]],
            "Tỷ lệ tính cho đơn vị mới": _ui.fmt_values(links["weight"], "rate"),
        }))
        st.caption("Theo địa giới hiện nay, số liệu của đơn vị cũ sáp nhập toàn bộ được tính hết "
                   "cho đơn vị mới; đơn vị cũ chia cho nhiều đơn vị mới thì chia số lượng theo tỷ lệ "
                   "dân số báo cáo gần nhất của các đơn vị mới (nếu đều có), nếu không thì chia đều, "
                   "và là ước tính; chỉ tiêu tồn (dân số, đảng viên) của phần chia không ước tính.")

stocks = _data.load(profile.unit_latest_stocks, f.scope, code)
if stocks.empty:
    st.info("Đơn vị chưa báo cáo các số liệu hồ sơ (dân số, diện tích, đảng viên…).")
else:
    cols = st.columns(min(4, len(stocks)))
    for i, r in enumerate(stocks.itertuples()):
        cols[i % len(cols)].metric(f"{r.label} ({r.unit})",
                                   _ui.fmt_values([r.value], "stock", _ui.decimals_for(r.value_type))[0],
                                   help=f"Số liệu báo cáo kỳ {r.period_label}", border=True)


def ranks_view():
    per_capita = f.per_capita
    st.subheader(f"Thứ hạng trong {f.period_label}" + (f" ({_ui.PER_10K})" if per_capita else ""))
    ranks = _data.load(profile.unit_ranks, f.scope, code, per_capita)
    if not ranks["reported"].any():
        st.info(f"{_ui.esc(names[code])} chưa báo cáo kỳ {f.period_label}.")
    else:
        dec = [_ui.decimals_for(t) for t in ranks["value_type"]]
        data = {
            "Nhóm": list(ranks["group_name"]), "Chỉ tiêu": list(ranks["label"]),
            "Giá trị": _ui.with_estimates([charts.BLANK_TEXT["undefined"] if pd.isna(v) and rep
                                           else _ui.fmt_values([v], k, d)[0] for v, k, d, rep
                                           in zip(ranks["value"], ranks["kind"], dec, ranks["reported"])],
                                          ranks),
        }
        if per_capita:
            # Only flows and stocks are divided by population; rates and scores are compared as is.
            data["Trên 10.000 dân"] = [t if pc else ("—" if rep else vn.NOT_REPORTED) for t, pc, rep
                                       in zip(_ui.metric_texts(ranks, "flow", 1), ranks["per_capita"],
                                              ranks["reported"])]
        dec_metric = [1 if pc else d for pc, d in zip(ranks["per_capita"], dec)]
        data["Hạng"] = [_ui.rank_text(r, n) for r, n in zip(ranks["rank"], ranks["n_ranked"])]
        data["Trung vị các đơn vị"] = [_ui.fmt_values([m], k, d)[0] for m, k, d
                                       in zip(ranks["median_metric"], ranks["kind"], dec_metric)]
        sources = [dict(unit_code=code, unit_name=names[code], period_key=f.period,
                        period_label=f.period_label, indicator_code=cd, indicator_label=lbl)
                   if rep and k != "rate" else None
                   for cd, lbl, k, rep in zip(ranks["code"], ranks["label"], ranks["kind"],
                                              ranks["reported"])]
        _subs.sourced_table(f, data, sources, key="profile_source", height=500)
        _ui.estimate_caption(ranks)
        st.caption("Hạng 1 = giá trị cao nhất trong các đơn vị có số liệu kỳ này"
                   + ("; hạng và trung vị tính trên 10.000 dân với chỉ tiêu số lượng." if per_capita else "."))


def history_view():
    st.subheader("Các chỉ tiêu qua các kỳ")
    kinds = _data.load(profile.unit_period_kinds, f.scope, code)
    if not kinds:
        st.info("Đơn vị chưa có báo cáo nào.")
        return
    kind = st.radio("Loại kỳ", kinds, horizontal=True, format_func=_ui.kind_label,
                    index=kinds.index("year") if "year" in kinds else 0, key="ho_so_ky", bind="query-params")
    # One kind at a time: a unit has ~10 years of months; reading them all for a yearly
    # table is waste.
    h = _data.load(profile.unit_history, f.scope, code, kind).sort_values("end_date")

    # The sidebar's indicator for this unit against the city median, over periods of this kind
    # (a range series: the unit's latest range).
    ind = _data.indicator(f.indicator)
    anchor = h["period_key"].iloc[-1] if kind == "range" and not h.empty else f.period
    series = _data.load(trends.trend, f.scope.at(anchor), f.indicator, kind, (code,))
    if series["value"].notna().any():
        fig = charts.trend_chart(
            series, title=f"{ind['label']} — {info['full_name']}",
            subtitle=f"Theo {_ui.kind_label(kind).lower()} · đường nét đứt: "
                     f"{trends.MEDIAN_LABEL.lower()}",
            updated=f.updated, demo=f.demo, percent=ind["kind"] == "rate",
            decimals=_ui.decimals_for(ind), axis_title="%" if ind["kind"] == "rate" else ind["unit"],
            merger=_data.load(reference.merger_date) if f.today else None)
        st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
        _ui.chart_downloads(f, fig, tables.trend_table(series), f"{ind['label']} {info['name']}",
                          percent_columns=(list(dict.fromkeys(series["period_label"]))
                                           if ind["kind"] == "rate" else []))
    else:
        st.info(f"Chưa có số liệu «{ind['label']}» theo {_ui.kind_label(kind).lower()} để vẽ biểu đồ.")
    catalogue = _data.load(reference.catalogue)
    h = h.assign(text=_ui.with_estimates(_ui.fmt_rows(h["value"], h["kind"], h["value_type"]), h))
    wide = h.pivot_table(index="code", columns="period_label", values="text", aggfunc="first",
                         sort=False).reindex(columns=list(dict.fromkeys(h["period_label"])))
    wide = wide.reindex(catalogue["code"]).fillna(vn.NOT_REPORTED)
    out = pd.DataFrame({"Nhóm": list(catalogue["group_name"]), "Chỉ tiêu": list(catalogue["label"]),
                        "Đơn vị tính": list(catalogue["unit"])})
    for col in wide.columns:
        out[col] = list(wide[col])
    _ui.table(out, height=600)
    _ui.estimate_caption(h)


VIEWS = {"Thứ hạng trong kỳ": ranks_view, "Các chỉ tiêu qua các kỳ": history_view}
_ui.view_tabs(VIEWS)
