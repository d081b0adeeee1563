"""Dân vận khéo: the models the units list in their yearly reports, by unit, field and year."""
import pandas as pd
import streamlit as st

from etl.domain import vn
from etl.present import capping, charts, tables
from etl.read import models
from pages import _auth, _data, _state, _ui

_auth.require("view")
f = _state.filters()
st.title("Dân vận khéo")
years = _data.load(models.dvk_years, f.scope)
if years.empty:
    st.info("Chưa đơn vị nào gửi danh sách mô hình «Dân vận khéo» trong báo cáo năm (trang tính "
            "«Mô hình Dân vận khéo» của mẫu báo cáo).", icon=":material/info:")
    st.stop()

year, label = _ui.year_picker(
    f, years, key="dvk_year", not_a_year="không phải báo cáo năm có danh sách mô hình",
    help="Danh sách mô hình được tính theo báo cáo năm của các đơn vị.")

in_year = f.scope.at(year)
by_unit = _data.load(models.dvk_by_unit, in_year)
n_units, n_lists = len(by_unit), int(by_unit["has_list"].sum())
cols = st.columns(4)
cols[0].metric("Đơn vị đã gửi danh sách", f"{n_lists}/{n_units}", border=True)
cols[1].metric("Mô hình đang duy trì", vn.format_number(by_unit["n_running"].sum()), border=True,
               help="Tình trạng «Đang duy trì» cuối năm, kể cả mô hình xây dựng mới trong năm.")
cols[2].metric("Xây dựng mới trong năm", vn.format_number(by_unit["n_new"].sum()), border=True,
               help="Năm bắt đầu trùng với năm báo cáo.")
cols[3].metric("Đã dừng trong năm", vn.format_number(by_unit["n_stopped"].sum()), border=True)
if n_lists < n_units:
    st.caption(f"{n_units - n_lists} đơn vị chưa gửi danh sách mô hình {label.lower()}: "
               "được ghi «Chưa báo cáo», không tính là không có mô hình.")


def text(values, blank=vn.NOT_REPORTED):
    return [blank if pd.isna(v) else str(v) for v in values]


def yearly_view():
    by_year = _data.load(models.dvk_by_year, f.scope)
    fig = charts.models_by_year_chart(
            by_year, title="Mô hình «Dân vận khéo» theo năm",
            subtitle="Xây dựng mới, duy trì từ trước và đã dừng · theo danh sách trong báo cáo năm",
            updated=f.updated, demo=f.demo)
    st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
    _ui.chart_downloads(f, fig, tables.renamed(by_year, {
        "label": "Năm", "n_new": "Xây dựng mới", "n_maintained": "Duy trì từ trước",
        "n_stopped": "Đã dừng", "units_with_list": "Số đơn vị gửi danh sách"}), "mo hinh theo nam")
    st.caption("Số đơn vị gửi danh sách mỗi năm: " + "; ".join(
        f"{r.label}: {vn.format_number(r.units_with_list)}" for r in by_year.itertuples()) + ".")
    fields = _data.load(models.dvk_by_field, in_year)
    fig = charts.field_share_chart(
        fields, title=f"Đơn vị có mô hình theo lĩnh vực — {label}",
        subtitle=f"Tỷ lệ đơn vị có ít nhất một mô hình đang duy trì, trong {n_lists} đơn vị đã gửi "
                 "danh sách (số đơn vị có mô hình / số đơn vị gửi danh sách)",
        updated=f.updated, demo=f.demo)
    st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
    _ui.chart_downloads(f, fig, tables.renamed(fields, {
        "field": "Lĩnh vực", "units_with_model": "Số đơn vị có mô hình",
        "units_with_list": "Số đơn vị gửi danh sách", "share": "Tỷ lệ"}),
        f"mo hinh theo linh vuc {label}", percent_columns=("Tỷ lệ",))


def unit_view():
    st.subheader(f"Mô hình theo đơn vị — {label}")
    drawn = capping.capped(by_unit, by_unit["has_list"], capping.SCREEN, keep=f.units)
    note = capping.note(len(by_unit), capping.SCREEN, keep=f.units)
    fig = charts.models_by_unit_chart(
        drawn, title=f"Mô hình «Dân vận khéo» của từng đơn vị — {label}",
        subtitle="Xếp theo số mô hình đang duy trì; đơn vị chưa gửi danh sách ở cuối"
                 + (f" · {note}" if note else ""),
        updated=f.updated, demo=f.demo, highlight=f.units)
    st.plotly_chart(fig, width="stretch", config=_ui.PLOTLY_CONFIG)
    _ui.chart_downloads(f, fig, tables.renamed(by_unit, {
        "name": "Đơn vị", "n_running": "Đang duy trì", "n_new": "Xây dựng mới",
        "n_stopped": "Đã dừng"}), f"mo hinh theo don vi {label}")


def list_view():
    fields = _data.load(models.dvk_by_field, in_year)
    st.subheader(f"Danh sách mô hình — {label}")
    listed = _data.load(models.dvk_models_of_year, in_year)
    a, b = st.columns([2, 1])
    search = vn.fold(a.text_input("Tìm mô hình hoặc đơn vị", key="dvk_search", bind="query-params",
                                  placeholder="không cần dấu, ví dụ: ngay thu 7"))
    field_options = ["Tất cả lĩnh vực"] + list(fields["field"])
    field = b.selectbox("Lĩnh vực", field_options, key="dvk_field", bind="query-params", placeholder=_ui.CHOOSE)
    shown = listed
    if search:
        shown = shown[[search in n or search in u for n, u in zip(shown["name_folded"], shown["unit_folded"])]]
    if field != field_options[0]:
        shown = shown[shown["field"] == field]
    st.caption(f"{vn.format_number(len(shown))} / {vn.format_number(len(listed))} mô hình.")
    state_text = {"new": "Xây dựng mới, đang duy trì", "maintained": "Đang duy trì", "stopped": "Đã dừng"}
    _ui.table({
        "Đơn vị": list(shown["unit_full_name"]),
        "Tên mô hình": list(shown["name"]), "Lĩnh vực": text(shown["field"]),
        "Đơn vị chủ trì": text(shown["lead_org"]),
        "Năm bắt đầu": [vn.NOT_REPORTED if pd.isna(y) else str(int(y)) for y in shown["year_started"]],
        "Cấp công nhận": text(shown["recognition"]),
        "Tình trạng": [state_text.get(s, s) for s in shown["state"]],
    }, height=500)


VIEWS = {"Theo năm và lĩnh vực": yearly_view, "Theo đơn vị": unit_view,
         "Danh sách mô hình": list_view}
_ui.view_tabs(VIEWS)
