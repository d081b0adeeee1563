"""Duyệt báo cáo: department staff accept a submitted report or return it with a comment the ward
sees; every version of a report is kept and any two can be compared."""
import pandas as pd
import streamlit as st

from etl.read import reference, versions
from etl.warehouse import db
from etl.workflow import submissions
from pages import _auth, _data, _state, _subs, _ui

user = _auth.require("review")
path = str(db.db_path())
st.title("Duyệt báo cáo")

if done := st.session_state.pop("_review_done", None):
    st.success(done, icon=":material/check_circle:")

queue = _data.load(versions.pending)
st.markdown(f"**{len(queue)} báo cáo chờ duyệt** (phiên bản hiện hành, gửi sớm nhất trước).")
if queue.empty:
    st.info("Không có báo cáo nào chờ duyệt.")
else:
    _ui.table(_subs.versions_table(
        queue, lead={"Đơn vị": list(queue["unit_name"]), "Kỳ": list(queue["period_label"])},
        tail={"Cảnh báo": list(queue["n_warnings"])}), height=300)
    rows = {int(r.submission_id): r for r in queue.itertuples()}
    sid = st.selectbox("Báo cáo cần duyệt", list(rows), key="review_pick", bind="query-params", placeholder=_ui.CHOOSE,
                       format_func=lambda i: f"{rows[i].unit_name} — {rows[i].period_label} — "
                                             f"phiên bản {rows[i].version} (mã {i})")
    r = rows[sid]
    with st.container(border=True):
        _ui.md("**{unit} — {period}, phiên bản {version}**  \nNgười gửi: {sender} · {time}",
               unit=r.unit_name, period=r.period_label, version=r.version,
               sender=_subs.txt(r.sent_by, "không rõ"), time=_subs.fmt_time(r.loaded_at))
        _subs.original_download(None if r.source == "demo" else
                                _data.load(versions.versions, r.unit_code, r.period_key)
                                .set_index("submission_id").loc[sid, "sha256"],
                                r.file_name, r.source, key=f"review_file_{sid}")
        found = _data.load(versions.submission_findings, sid)
        if not found.empty:
            st.warning(f"{len(found)} cảnh báo, lưu ý đã được người gửi xác nhận:",
                       icon=":material/warning:")
            _ui.table(_subs.findings_table(found.to_dict("records")))
        values = _data.load(versions.submission_values, sid)
        with st.expander(f"Số liệu của báo cáo ({len(values)} giá trị)"):
            _ui.table(pd.DataFrame({
                "Nhóm": list(values["group_name"]), "Chỉ tiêu": list(values["label"]),
                "Giá trị": _ui.fmt_values(values["value"]), "Đơn vị tính": list(values["unit"]),
                "Trang tính": [_subs.txt(s) for s in values["sheet"]], "Ô": [_subs.txt(x) for x in values["cell"]],
            }), height=400)
        st.markdown("**Các phiên bản và thay đổi**")
        _subs.compare_panel(r.unit_code, r.period_key, key=f"review_cmp_{sid}")
        accept_col, return_col = st.columns(2)
        if accept_col.button("Chấp nhận", type="primary", icon=":material/check:",
                             key=f"accept_{sid}"):
            if _subs.write_or_error(submissions.review, path, sid, submissions.ACCEPT, "", user):
                st.session_state["_review_done"] = (
                    f"Đã chấp nhận báo cáo {_ui.esc(r.unit_name)} — {_ui.esc(r.period_label)}.")
                st.rerun()
        with return_col:
            comment = st.text_area("Lý do trả lại (đơn vị sẽ thấy)", key=f"comment_{sid}")
            if st.button("Trả lại", icon=":material/undo:", key=f"return_{sid}"):
                if _subs.write_or_error(submissions.review, path, sid, submissions.RETURN,
                                        comment, user):
                    st.session_state["_review_done"] = (
                        f"Đã trả lại báo cáo {_ui.esc(r.unit_name)} — {_ui.esc(r.period_label)}: "
                        f"«{_ui.esc(comment.strip())}».")
                    st.rerun()

st.subheader("Lịch sử phiên bản của một đơn vị")
units = _data.load(reference.units, True)
names = dict(zip(units["code"], units["full_name"]))
left, right = st.columns(2)
_state.from_link("review_hist_unit", "don_vi_lich_su", names)
unit = left.selectbox("Đơn vị", list(names), format_func=lambda u: f"{names[u]} ({u})", key="review_hist_unit",
                      placeholder=_ui.CHOOSE)
_state.to_link("don_vi_lich_su", unit)
mine = _data.load(versions.unit_submissions, unit)
if mine.empty:
    st.info("Đơn vị chưa có báo cáo nào.")
else:
    labels = dict(zip(mine["period_key"], mine["period_label"]))
    pk = right.selectbox("Kỳ", list(labels), format_func=labels.get, key="review_hist_period", bind="query-params",
                         placeholder=_ui.CHOOSE)
    _subs.compare_panel(unit, pk, key="review_hist")
