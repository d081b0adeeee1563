"""So sánh đơn vị: one indicator across all units, and a unit × indicator grid for its group."""
import streamlit as st

from etl import charts, queries
from pages import _common as c

f = c.filters()
period = c.period_row(f.period)
ind = c.catalogue_row(f.indicator)
per_capita = f.per_capita and queries.per_capita_allowed(ind["code"], ind["kind"])
suffix = f" {c.PER_10K}" if per_capita else ""
decimals = c.decimals_for(ind, per_capita)

st.title("So sánh đơn vị")
st.markdown(f"**{ind['label']}** ({ind['unit']}{suffix}) — {f.period_label}")
if f.per_capita and not per_capita:
    st.caption("Chỉ tiêu này không tính trên 10.000 dân (tỷ lệ, điểm chấm, dân số, diện tích): "
               "hiển thị giá trị tuyệt đối.")
if note := c.coverage_note(period):
    st.info(note, icon=":material/date_range:")

rank = c.q("ranking", f.period, f.indicator, per_capita)
n_ranked = int(rank["n_ranked"].iloc[0]) if len(rank) else 0
n_blank = int((~rank["reported"]).sum())
subtitle = (f"{f.period_label} · {n_ranked}/{len(rank)} đơn vị có số liệu"
            + (f" · {n_blank} đơn vị chưa báo cáo" if n_blank else "")
            + (" · dân số: kỳ này hoặc lần báo cáo gần nhất trước đó" if per_capita else ""))


def ranking_section():
    tab_chart, tab_table = st.tabs(["Biểu đồ xếp hạng", "Bảng số liệu"])
    with tab_chart:
        st.plotly_chart(charts.ranking_chart(
            rank, title=f"{ind['label']} ({ind['unit']}{suffix})", subtitle=subtitle,
            updated=f.updated, demo=f.demo, percent=ind["kind"] == "rate", decimals=decimals,
            highlight=f.units), width="stretch")
    with tab_table:
        value_col = f"Giá trị ({ind['unit']})"
        data = {
            "Hạng": [c.rank_text(r) for r in rank["rank"]],
            "Đơn vị": list(rank["name"]), "Loại": list(rank["type_label"]),
            value_col: (c.metric_texts(rank, ind["kind"], c.decimals_for(ind)) if not per_capita
                        else c.fmt_values(rank["value"], ind["kind"], c.decimals_for(ind))),
        }
        if per_capita:
            data["Dân số"] = c.fmt_values(rank["population"], "stock", 0, blank="Chưa rõ")
            data["Trên 10.000 dân"] = c.metric_texts(rank, ind["kind"], 1)
        c.table(data, height=600)


if rank["reported"].any():
    ranking_section()
else:
    st.info(f"Chưa đơn vị nào báo cáo «{ind['label']}» trong kỳ {f.period_label}.")

group = ind["group_name"]
st.subheader(f"Ma trận đơn vị × chỉ tiêu: {group}")
grid = c.q("matrix", f.period, group, bool(f.per_capita))
if f.units:
    only = st.toggle("Chỉ các đơn vị đang theo dõi", value=False)
    if only:
        grid = grid[grid["code"].isin(f.units)]
if not grid["reported"].any():
    st.info(f"Chưa đơn vị nào báo cáo nhóm chỉ tiêu «{group}» trong kỳ {f.period_label}.")
else:
    st.plotly_chart(charts.heatmap(
        grid, title=f"{group} — {f.period_label}",
        subtitle=("Màu: thứ hạng của đơn vị trong từng chỉ tiêu (đậm = cao); ô xám: chưa báo cáo"
                  + (f"; số lượng tính {c.PER_10K}" if f.per_capita else "")),
        updated=f.updated, demo=f.demo, decimals=1 if f.per_capita else None), width="stretch")
