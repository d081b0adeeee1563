"""Xuất báo cáo: the briefing pack (.pptx and .docx) for a period, units and sections."""
import streamlit as st

from etl.briefing import pack as briefing
from etl.domain import vn
from etl.present import figures
from etl.read import reference
from etl.warehouse import db
from pages import _auth, _data, _state, _ui

_auth.require("view")
f = _state.filters()
st.title("Xuất báo cáo")
st.caption("Bộ trình chiếu PowerPoint và báo cáo Word gồm các biểu đồ, nhận xét rút ra từ số liệu "
           "và bảng số liệu, để chuẩn bị báo cáo lãnh đạo.")

periods = _data.load(reference.periods, f.today)
units = _data.load(reference.units, not f.today)
keys = list(periods["period_key"])
display = dict(zip(periods["period_key"], periods["display"]))
names = dict(zip(units["code"], units["name"]))

period = st.selectbox("Kỳ báo cáo", keys, index=keys.index(f.period) if f.period in keys else 0,
                      format_func=display.get, key="brief_period", bind="query-params", placeholder=_ui.CHOOSE)
_state.from_link("brief_units", "don_vi_bao_cao", units["code"], multi=True)
# A link's units, or else the units followed in the sidebar (never both: Streamlit warns).
chosen = st.multiselect("Đơn vị", list(units["code"]),
                        default=None if "brief_units" in st.session_state else list(f.units),
                        format_func=names.get, key="brief_units",
                        placeholder=f"Để trống: {f.area}",
                        help=f"Để trống để báo cáo {f.area}; chọn đơn vị để báo cáo riêng.")
_state.to_link("don_vi_bao_cao", chosen)
section_labels = {**briefing.SECTIONS, "assessment": "Chấm điểm dân vận (khi có điểm chấm)"}
sections = st.multiselect("Nội dung", list(briefing.SECTIONS), default=list(briefing.SECTIONS),
                          format_func=section_labels.get, key="brief_sections", bind="query-params",
                          placeholder="Chọn ít nhất một nội dung")

if not figures.browser_available():
    st.warning(figures.BROWSER_MISSING + " Báo cáo vẫn tạo được nhưng không có ảnh biểu đồ.",
               icon=":material/image_not_supported:")

# The sidebar's province and «Gồm số liệu chưa duyệt» reach the pack: same scope as the pages.
scope = f.scope.at(period)
request = (scope, tuple(chosen), tuple(sections))
if st.button("Tạo báo cáo", type="primary", icon=":material/slideshow:",
             disabled=not sections, key="brief_build"):
    bar = st.progress(0.0, text="Bắt đầu…")
    try:
        pack = briefing.build_pack(db.db_path(), scope, chosen, sections,
                                   progress=lambda x, text: bar.progress(x, text=text))
        bar.progress(0.98, text="Đang ghép tệp PowerPoint và Word…")
        st.session_state["brief_result"] = (request, pack.title, briefing.write_pptx(pack),
                                            briefing.write_docx(pack), len(pack.items),
                                            pack.notes, pack.timings)
        bar.progress(1.0, text="Xong.")
    except (briefing.BriefError, figures.ExportError) as exc:
        bar.empty()
        st.error(_ui.esc(exc), icon=":material/error:")
    except db.DatabaseBusy:
        bar.empty()
        st.warning(_data.BUSY, icon=":material/hourglass_top:")

result = st.session_state.get("brief_result")
if result and result[0] == request:
    _, title, pptx, docx, n, notes, timings = result
    seconds = timings.get("collect_s", 0) + timings.get("images_s", 0)
    st.success(f"Đã tạo «{_ui.esc(title)}»: {n} biểu đồ ({vn.format_number(seconds, 1)} giây).",
               icon=":material/check_circle:")
    for note in notes:
        st.markdown(f"- {_ui.esc(note)}")
    stem = _ui.file_stem(f"bao cao dan van {display[period]}")
    cols = st.columns(2)
    cols[0].download_button(
        "Tải bộ trình chiếu (.pptx)", pptx, file_name=f"{stem}.pptx", key="brief_pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        icon=":material/slideshow:", on_click="ignore", type="primary")
    cols[1].download_button(
        "Tải báo cáo Word (.docx)", docx, file_name=f"{stem}.docx", key="brief_docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        icon=":material/description:", on_click="ignore")
elif result:
    st.info("Đã đổi lựa chọn: bấm «Tạo báo cáo» để tạo lại.", icon=":material/refresh:")
