"""Hồ sơ đơn vị: one unit's profile facts, its rank among units and all its indicators over time."""
import pandas as pd
import streamlit as st

from etl.domain import vn
from etl.present import charts, tables
from etl.read import queries
from pages import _auth, _subs, _ui
from pages import _common as c

_auth.require("view")
f = c.filters()
units = c.q("units")
names = dict(zip(units["code"], units["name"]))
types = dict(zip(units["code"], units["type_label"]))

st.title("Hồ sơ đơn vị")
# The units chosen in the sidebar come first; any unit can be picked here.
choices = list(f.units) + [u for u in units["code"] if u not in f.units]
code = st.selectbox("Đơn vị", choices, format_func=lambda u: f"{names[u]} ({types[u]}, mã {u})",
                    help="Gõ tên có dấu để lọc, hoặc dùng ô «Tìm đơn vị» (không dấu) ở thanh bên.")
info = c.q("unit_info", code)
st.header(_ui.esc(f"{info['type_label']} {info['name']}"))
since = None if pd.isna(info["valid_from"]) else vn.format_date(info["valid_from"])
st.caption(_ui.esc(" · ".join(x for x in (
    f"Mã đơn vị {code}",
    f"thành lập từ {since}" if since else None,
    f"hình thành từ {info['n_predecessors']} đơn vị cũ" if info["n_predecessors"] else None,
    f"địa bàn cũ: {info['former_district']}" if info["former_district"] else None) if x)))

stocks = c.q("unit_latest_stocks", code)
if stocks.empty:
    st.info("Đơn vị chưa báo cáo các số liệu hồ sơ (dân số, diện tích, đảng viên…).")
else:
    cols = st.columns(min(4, len(stocks)))
    for i, r in enumerate(stocks.itertuples()):
        decimals = 0 if r.value_type == "integer" else 2
        cols[i % len(cols)].metric(f"{r.label} ({r.unit})", vn.format_number(r.value, decimals),
                                   help=f"Số liệu báo cáo kỳ {r.period_label}", border=True)


def ranks_view():
    per_capita = f.per_capita
    st.subheader(f"Thứ hạng trong {f.period_label}" + (f" ({c.PER_10K})" if per_capita else ""))
    ranks = c.q("unit_ranks", code, f.period, per_capita)
    if not ranks["reported"].any():
        st.info(f"{_ui.esc(names[code])} chưa báo cáo kỳ {f.period_label}.")
    else:
        dec = [0 if k in ("flow", "stock") and cd != "area_km2" else None
               for k, cd in zip(ranks["kind"], ranks["code"])]
        data = {
            "Nhóm": list(ranks["group_name"]), "Chỉ tiêu": list(ranks["label"]),
            "Giá trị": [charts.BLANK_TEXT["undefined"] if pd.isna(v) and rep
                        else c.fmt_values([v], k, d)[0]
                        for v, k, d, rep in zip(ranks["value"], ranks["kind"], dec, ranks["reported"])],
        }
        if per_capita:
            # Only flows and stocks are divided by population; rates and scores are compared as is.
            data["Trên 10.000 dân"] = [t if pc else ("—" if rep else vn.NOT_REPORTED) for t, pc, rep
                                       in zip(c.metric_texts(ranks, "flow", 1), ranks["per_capita"],
                                              ranks["reported"])]
        dec_metric = [1 if pc else d for pc, d in zip(ranks["per_capita"], dec)]
        data["Hạng"] = [c.rank_text(r, n) for r, n in zip(ranks["rank"], ranks["n_ranked"])]
        data["Trung vị các đơn vị"] = [c.fmt_values([m], k, d)[0] for m, k, d
                                       in zip(ranks["median_metric"], ranks["kind"], dec_metric)]
        sources = [dict(unit_code=code, unit_name=names[code], period_key=f.period,
                        period_label=f.period_label, indicator_code=cd, indicator_label=lbl)
                   if rep and k != "rate" else None
                   for cd, lbl, k, rep in zip(ranks["code"], ranks["label"], ranks["kind"],
                                              ranks["reported"])]
        _subs.sourced_table(data, sources, key="profile_source", height=500, user=f.user)
        st.caption("Hạng 1 = giá trị cao nhất trong các đơn vị có số liệu kỳ này"
                   + ("; hạng và trung vị tính trên 10.000 dân với chỉ tiêu số lượng." if per_capita else "."))


def history_view():
    st.subheader("Các chỉ tiêu qua các kỳ")
    kinds = c.q("unit_period_kinds", code)
    if not kinds:
        st.info("Đơn vị chưa có báo cáo nào.")
        return
    kind = st.radio("Loại kỳ", kinds, horizontal=True, format_func=c.kind_label,
                    index=kinds.index("year") if "year" in kinds else 0)
    # One kind at a time: a unit has ~10 years of months; reading them all for a yearly
    # table is waste.
    h = c.q("unit_history", code, kind).sort_values("end_date")

    # The sidebar's indicator for this unit against the city median, over periods of this kind.
    ind = c.catalogue_row(f.indicator)
    anchor = h["period_key"].iloc[-1] if kind == "range" and not h.empty else None
    series = c.q("trend", f.indicator, kind, (code,), False, "calendar", anchor)
    if series["value"].notna().any():
        fig = charts.trend_chart(
            series, title=f"{ind['label']} — {info['type_label']} {info['name']}",
            subtitle=f"Theo {c.kind_label(kind).lower()} · đường nét đứt: "
                     f"{queries.MEDIAN_LABEL.lower()}",
            updated=f.updated, demo=f.demo, percent=ind["kind"] == "rate",
            decimals=c.decimals_for(ind), axis_title="%" if ind["kind"] == "rate" else ind["unit"])
        st.plotly_chart(fig, width="stretch")
        c.chart_downloads(fig, tables.trend_table(series), f"{ind['label']} {info['name']}",
                          percent_columns=(list(dict.fromkeys(series["period_label"]))
                                           if ind["kind"] == "rate" else []))
    else:
        st.info(f"Chưa có số liệu «{ind['label']}» theo {c.kind_label(kind).lower()} để vẽ biểu đồ.")
    catalogue = c.q("catalogue")
    dec = {cd: (0 if k in ("flow", "stock") and cd != "area_km2" else None)
           for cd, k in zip(catalogue["code"], catalogue["kind"])}
    h = h.assign(text=[c.fmt_values([v], k, dec[cd])[0]
                       for v, k, cd in zip(h["value"], h["kind"], h["code"])])
    wide = h.pivot_table(index="code", columns="period_label", values="text", aggfunc="first",
                         sort=False).reindex(columns=list(dict.fromkeys(h["period_label"])))
    wide = wide.reindex(catalogue["code"]).fillna(vn.NOT_REPORTED)
    out = pd.DataFrame({"Nhóm": list(catalogue["group_name"]), "Chỉ tiêu": list(catalogue["label"]),
                        "Đơn vị tính": list(catalogue["unit"])})
    for col in wide.columns:
        out[col] = list(wide[col])
    c.table(out, height=600)


VIEWS = {"Thứ hạng trong kỳ": ranks_view, "Các chỉ tiêu qua các kỳ": history_view}
c.view_tabs(VIEWS, key="profile_view")
