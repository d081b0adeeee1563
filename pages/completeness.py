"""Tình hình báo cáo: who has reported, units × periods, with counts, shares, deadlines and the
list of missing units to download for a reminder."""
from datetime import date

import pandas as pd
import streamlit as st

from etl.domain import vn
from etl.present import tables
from etl.read import completeness, reference
from etl.warehouse import db
from etl.workflow import deadlines
from pages import _auth, _data, _state, _subs, _ui

user = _auth.require("completeness")
f = _state.filters()
st.title("Tình hình báo cáo")
if f.area != "toàn thành phố":
    st.caption(f"Đơn vị của {_ui.esc(f.area)} (chọn ở «Tỉnh, thành phố» bên trái).")
periods = _data.load(reference.periods)
kinds = list(dict.fromkeys(periods["kind"]))
left, right = st.columns([2, 1])
kind = left.radio("Loại kỳ", kinds, horizontal=True, format_func=_ui.kind_label,
                  index=kinds.index("year") if "year" in kinds else 0, key="done_kind", bind="query-params")
of_kind = periods[periods["kind"] == kind]
n = right.number_input("Số kỳ gần nhất", 1, max(1, len(of_kind)), min(6, len(of_kind)),
                       key="done_n", bind="query-params")
keys = tuple(of_kind["period_key"].head(int(n)))
grid = _data.load(completeness.grid, keys, date.today(), f.scope.province)
summary = completeness.summary(grid)

st.subheader("Số đơn vị theo tình trạng")
labels = completeness.STATE_LABELS
due = grid.groupby("period_key")["due_date"].first()
table = pd.DataFrame({
    "Kỳ": list(summary["period_label"]),
    "Hạn nộp": [vn.format_date(due[k]) for k in summary["period_key"]],
    "Phải nộp": _ui.fmt_values(summary["expected"], decimals=0),
    **{labels[s]: _ui.fmt_values(summary[s], decimals=0)
       for s in ("on_time", "late", "returned", "missing", "not_due")},
    "Tỷ lệ đã nộp": _ui.fmt_values(summary["share_reported"], "rate"),
    "Trong đó đã chấp nhận": _ui.fmt_values(summary["accepted"], decimals=0),
})
_ui.table(table)
st.caption("«Đúng hạn», «Nộp muộn»: theo lúc bản đầu tiên đến, dù sau đó đã được chấp nhận hay chưa. "
           "«Bị trả lại, chờ bản mới»: Sở đã trả lại và đơn vị chưa gửi bản mới. «Không áp dụng» (đơn "
           "vị chưa thành lập hoặc đã giải thể trong kỳ) không tính vào số phải nộp. Hạn nộp mặc định theo thực tiễn "
           f"Nghị định 09/2019/NĐ-CP: ngày {completeness.DEFAULT_DUE_DAY} của tháng có ngày chốt số liệu "
           "hoặc tháng sau đó.")

st.subheader("Đơn vị × kỳ báo cáo")
SYMBOL = {"on_time": "● ", "late": "◐ ", "returned": "↩ ", "missing": "✖ ", "not_due": "… ",
          "not_applicable": "— "}
COLOUR = {"on_time": "#d8f0d8", "late": "#fff1c7", "returned": "#fde0c8", "missing": "#f8d0d0",
          "not_due": "#f2f2f2", "not_applicable": "#ffffff"}


def cell_text(state: str, review) -> str:
    """«● Đúng hạn · đã chấp nhận»: timeliness first, then what the review made of it."""
    shown = review if state in ("on_time", "late") and isinstance(review, str) else None
    return SYMBOL[state] + labels[state] + (f" · {completeness.REVIEW_LABELS[shown]}" if shown else "")


texts = [cell_text(s, r) for s, r in zip(grid["state"], grid["review"])]
text_to_state = dict(zip(texts, grid["state"]))
only = st.multiselect("Chỉ hiện tình trạng", list(labels), format_func=labels.get, key="done_states",
                      bind="query-params", placeholder="Tất cả tình trạng")
shown = grid if not only else grid[grid["unit_code"].isin(
    grid.loc[grid["state"].isin(only), "unit_code"])]
order = list(dict.fromkeys(summary["period_label"]))
wide = (shown.assign(text=[cell_text(s, r) for s, r in zip(shown["state"], shown["review"])])
        .pivot_table(index=["name_sort", "unit_code", "unit_name"], columns="period_label",
                     values="text", aggfunc="first")
        .reindex(columns=order).reset_index().drop(columns="name_sort")
        .rename(columns={"unit_code": "Mã", "unit_name": "Đơn vị"}))
wide.columns.name = None
styled = wide.style.map(lambda v: f"background-color: {COLOUR[text_to_state[v]]}"
                        if v in text_to_state else "", subset=order)
st.dataframe(styled, hide_index=True, width="stretch", height=520)

st.subheader("Danh sách đơn vị chưa nộp")
period_key = st.selectbox("Kỳ", keys, key="done_missing_period", bind="query-params", placeholder=_ui.CHOOSE,
                          format_func=dict(zip(grid["period_key"], grid["period_label"])).get)
missing = grid[(grid["period_key"] == period_key) & (grid["state"] == "missing")]
if missing.empty:
    st.success("Không có đơn vị nào quá hạn mà chưa nộp báo cáo kỳ này.")
else:
    out = pd.DataFrame({"Mã": list(missing["unit_code"]), "Đơn vị": list(missing["unit_name"]),
                        "Kỳ": list(missing["period_label"]),
                        "Hạn nộp": [vn.format_date(d) for d in missing["due_date"]]})
    st.markdown(f"**{vn.format_number(len(out))} đơn vị** quá hạn chưa nộp.")
    _ui.table(out, height=300)
    st.download_button(
        "Tải danh sách để nhắc (CSV)", tables.to_csv(out),
        file_name=f"chua-nop-{period_key.replace('/', '-').replace(':', '_')}.csv",
        mime="text/csv", icon=":material/download:", key="done_missing_csv")

if user is not None and user.role == "department":
    st.subheader("Hạn nộp báo cáo")
    with st.form("deadline"):
        label_of = dict(zip(periods["period_key"], periods["display"]))
        pk = st.selectbox("Kỳ", list(periods["period_key"]), format_func=label_of.get, placeholder=_ui.CHOOSE)
        current = due.get(pk)
        when = st.date_input("Hạn nộp", value=current if current is not None else date.today(),
                             format="DD/MM/YYYY")
        if st.form_submit_button("Lưu hạn nộp", icon=":material/event:"):
            if _subs.write_or_error(deadlines.set_period_deadline, str(db.db_path()), pk, when,
                                    user):
                st.success(f"Đã đặt hạn nộp kỳ {_ui.esc(label_of[pk])}: {when:%d/%m/%Y}.")
