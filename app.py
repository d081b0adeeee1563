"""Dashboard entry point: page setup, the sidebar filters shared by all pages, navigation.

The filters are defined here, not in the pages, so they survive page changes; they are mirrored
in the URL (st.query_params) so a view can be shared as a link.
Run: streamlit run app.py   (database: $DANVAN_DB, default data/danvan.duckdb)
"""
import streamlit as st

from etl import vn
from pages import _auth
from pages import _common as c

st.set_page_config(page_title="Dân vận Hải Phòng", page_icon=":material/groups:", layout="wide")

# Every url_path differs from its file name: Streamlit's legacy pages/ discovery hashes pages
# by file name, and a clash would run a page without this frame (seen under AppTest).
dashboard_pages = [
    st.Page("pages/overview.py", title="Tổng quan", icon=":material/dashboard:",
            url_path="tong-quan", default=True),
    st.Page("pages/compare.py", title="So sánh đơn vị", icon=":material/bar_chart:",
            url_path="so-sanh"),
    st.Page("pages/trends.py", title="Xu hướng", icon=":material/show_chart:",
            url_path="xu-huong"),
    st.Page("pages/unit_profile.py", title="Hồ sơ đơn vị", icon=":material/apartment:",
            url_path="ho-so-don-vi"),
    st.Page("pages/dvk_models.py", title="Dân vận khéo", icon=":material/volunteer_activism:",
            url_path="dan-van-kheo"),
    st.Page("pages/assessment.py", title="Chấm điểm dân vận", icon=":material/grading:",
            url_path="cham-diem"),
    st.Page("pages/briefing.py", title="Xuất báo cáo", icon=":material/slideshow:",
            url_path="xuat-bao-cao"),
]
# Pages by role (etl.accounts): anonymous visitors get only the sign-in page, unless the
# deployment sets DANVAN_ANONYMOUS_READ=1 (read-only dashboards).
sign_in = st.Page(_auth.sign_in_page, title="Đăng nhập", icon=":material/login:",
                  url_path="dang-nhap")
upload = st.Page("pages/upload.py", title="Gửi báo cáo", icon=":material/upload_file:",
                 url_path="gui-bao-cao")
done = st.Page("pages/completeness.py", title="Tình hình báo cáo", icon=":material/fact_check:",
               url_path="tinh-hinh-bao-cao")
review = st.Page("pages/review.py", title="Duyệt báo cáo", icon=":material/rule:",
                 url_path="duyet-bao-cao")
users = st.Page("pages/accounts.py", title="Tài khoản và nhật ký", icon=":material/manage_accounts:",
                url_path="tai-khoan")
user = _auth.current_user()
role = user.role if user else None
if user is None and not _auth.anonymous_read():
    # Every page's address shows the sign-in form, so a shared link opens on its page after
    # sign-in (same url_path, same page); an unknown address would get Streamlit's English
    # "Page not found" box instead. The default page ("") is the sign-in page itself.
    stand_ins = [st.Page(_auth.sign_in_page, title=p.title, url_path=p.url_path)
                 for p in dashboard_pages + [upload, done, review, users] if p.url_path]
    nav = st.navigation([sign_in, *stand_ins], position="hidden")
    nav.run()
    st.stop()
work_pages = {"ward": [upload], "department": [upload, done, review, users],
              "leader": [done]}.get(role, [])
nav = st.navigation({"Bảng điều khiển": dashboard_pages,
                     **({"Báo cáo": work_pages} if work_pages else {}),
                     **({"Tài khoản": [sign_in]} if user is None else {})})

try:
    info = c.check_data()
except c.NoData as exc:
    st.title("Dân vận Hải Phòng")
    st.error(f"{exc} Bảng điều khiển chưa có số liệu để hiển thị.", icon=":material/database:")
    st.markdown(c.HOW_TO_LOAD)
    st.stop()

periods = c.q("periods")
catalogue = c.q("catalogue")
units = c.q("units")
provinces = c.q("provinces")
province_names = dict(zip(provinces["code"], provinces["name"]))
period_keys = list(periods["period_key"])
period_display = dict(zip(periods["period_key"], periods["display"]))
codes = list(catalogue["code"])
code_display = {r.code: f"{r.label} · {r.group_name}" for r in catalogue.itertuples()}
unit_codes = list(units["code"])
unit_names = dict(zip(units["code"], units["name"]))
unit_folded = dict(zip(units["code"], units["name_folded"]))

# URL parameter names (kept short and readable in a shared link).
URL_PERIOD, URL_INDICATOR, URL_UNITS, URL_PER_CAPITA = "ky", "chi_tieu", "don_vi", "tren_10k"
URL_UNREVIEWED, URL_PROVINCE = "chua_duyet", "tinh"
DEFAULT_INDICATOR = "propaganda_sessions"
state = st.session_state

if "_url_read" not in state:
    params = st.query_params
    state[c.PERIOD] = params.get(URL_PERIOD)
    state[c.INDICATOR] = params.get(URL_INDICATOR)
    state[c.UNITS] = [u for u in params.get(URL_UNITS, "").split(",") if u in unit_names]
    state[c.PER_CAPITA] = params.get(URL_PER_CAPITA) == "1"
    state[c.UNREVIEWED] = params.get(URL_UNREVIEWED) == "1"
    state[c.PROVINCE] = params.get(URL_PROVINCE, "")
    state["_url_read"] = True

# Values from an old link, or a period that no longer holds data, fall back to defaults.
if state.get(c.PERIOD) not in period_keys:
    years = periods.loc[periods["kind"] == "year", "period_key"]
    state[c.PERIOD] = years.iloc[0] if len(years) else period_keys[0]
if state.get(c.INDICATOR) not in codes:
    state[c.INDICATOR] = DEFAULT_INDICATOR if DEFAULT_INDICATOR in codes else codes[0]
state[c.UNITS] = [u for u in state.get(c.UNITS, []) if u in unit_names]
many_provinces = len(provinces) > 1
if not many_provinces or state.get(c.PROVINCE) not in province_names:
    state[c.PROVINCE] = ""

with st.sidebar:
    st.subheader("Bộ lọc")
    if many_provinces:
        st.selectbox("Tỉnh, thành phố", [""] + list(provinces["code"]), key=c.PROVINCE,
                     format_func=lambda p: province_names.get(p) or
                     f"Cả nước ({len(provinces)} tỉnh, thành phố)",
                     help="Xếp hạng, trung vị, tổng số và danh sách chỉ tính các đơn vị của tỉnh, "
                          "thành phố được chọn.")
    st.selectbox("Kỳ báo cáo", period_keys, format_func=period_display.get, key=c.PERIOD)
    st.selectbox("Chỉ tiêu", codes, format_func=code_display.get, key=c.INDICATOR)
    st.toggle("Tính trên 10.000 dân", key=c.PER_CAPITA,
              help="Chia cho dân số của đơn vị trong kỳ (hoặc dân số báo cáo gần nhất trước đó).")
    st.toggle("Gồm số liệu chưa duyệt", key=c.UNREVIEWED,
              help="Mặc định chỉ hiện số liệu Sở Nội vụ đã chấp nhận. Bật để thêm các báo cáo đã "
                   "gửi nhưng chưa duyệt; báo cáo bị trả lại không bao giờ được tính.")
    search = vn.fold(st.text_input(
        "Tìm đơn vị", key=c.SEARCH, placeholder="không cần dấu, ví dụ: thach khoi"))
    chosen = state[c.UNITS]
    # Streamlit's own filter needs the exact diacritics; this one does not. Units already
    # chosen stay in the options so a new search never drops them.
    in_province = set(units.loc[units["province_code"] == state[c.PROVINCE], "code"]) \
        if state[c.PROVINCE] else None
    options = [u for u in unit_codes
               if u in chosen or ((in_province is None or u in in_province)
                                  and (not search or search in unit_folded[u] or search in u))]
    st.multiselect("Đơn vị theo dõi", options, format_func=unit_names.get, key=c.UNITS,
                   placeholder="Chọn đơn vị để so sánh, xem xu hướng, hồ sơ",
                   help=f"{len(options) - len(chosen)} đơn vị khớp với ô tìm kiếm.")
    st.caption(f"Số liệu cập nhật {vn.format_date(info['last_loaded'])} · "
               f"{vn.format_number(info['submissions'])} báo cáo của "
               f"{vn.format_number(info['units'])} đơn vị")
    st.divider()
    if user is None:
        st.caption("Đang xem không đăng nhập (chỉ đọc).")
    else:
        unit_label = f", {unit_names.get(user.unit_code, user.unit_code)}" if user.unit_code else ""
        st.caption(f"Đăng nhập: **{user.full_name or user.username}** "
                   f"({_auth.ROLE_LABELS[user.role]}{unit_label})")
        if st.button("Đăng xuất", icon=":material/logout:", key="sign_out"):
            _auth.sign_out()
            st.rerun()

st.query_params.from_dict({
    URL_PERIOD: state[c.PERIOD], URL_INDICATOR: state[c.INDICATOR],
    **({URL_UNITS: ",".join(state[c.UNITS])} if state[c.UNITS] else {}),
    **({URL_PER_CAPITA: "1"} if state[c.PER_CAPITA] else {}),
    **({URL_UNREVIEWED: "1"} if state[c.UNREVIEWED] else {}),
    **({URL_PROVINCE: state[c.PROVINCE]} if state[c.PROVINCE] else {}),
})
state["_filters"] = c.Filters(
    period=state[c.PERIOD], period_label=period_display[state[c.PERIOD]],
    indicator=state[c.INDICATOR], units=tuple(state[c.UNITS]),
    per_capita=bool(state[c.PER_CAPITA]), info=info, province=state[c.PROVINCE] or None,
    scope=(province_names[state[c.PROVINCE]] if state[c.PROVINCE]
           else "cả nước" if many_provinces else "toàn thành phố"))

c.demo_banner(info)
if state[c.UNREVIEWED]:
    st.info(c.UNREVIEWED_MARK, icon=":material/pending_actions:")
nav.run()
