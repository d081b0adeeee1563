"""Dashboard entry point: page setup, the sidebar filters shared by all pages, navigation.

The filters are defined here, not in the pages, so they survive page changes; they are mirrored
in the URL (st.query_params) so a view can be shared as a link.
Served by serve.py (`make run`); database: $DANVAN_DB, default data/danvan.duckdb.
"""
import streamlit as st

from etl.domain import vn
from pages import _auth, _nav, _ui
from pages import _common as c

st.set_page_config(page_title="Dân vận Hải Phòng", page_icon=":material/groups:", layout="wide")
# The upload page's files are freed as soon as another page is open (_ui.drop_uploads).
UPLOAD_PAGE = "gui-bao-cao"

user = _auth.current_user()
if user is None and not _auth.anonymous_read():
    # Every page's address shows the sign-in prompt (same url_path), so the link it gives
    # leads back to that page after sign-in; no address gets Streamlit's "Page not found".
    stand_ins = [st.Page(_auth.sign_in_prompt, title=p.title, url_path=p.url_path,
                         default=p.default) for p in _nav.PAGES]
    st.navigation(stand_ins, position="hidden").run()
    st.stop()
sections: dict[str, list] = {}
for spec in _nav.PAGES:
    if _auth.allowed(user, spec.action):
        page = st.Page(spec.file, title=spec.title, icon=spec.icon, url_path=spec.url_path,
                       default=spec.default)
    else:       # its address says "no access" instead of "Page not found"; not in the menu
        page = st.Page(_auth.refusal_page, title=spec.title, url_path=spec.url_path,
                       visibility="hidden")
    sections.setdefault(spec.section, []).append(page)
nav = st.navigation(sections)
if nav.url_path != UPLOAD_PAGE:
    _ui.drop_uploads(st.session_state.pop("_upload_files", ()))

try:
    info = c.check_data()
except c.NoData as exc:
    st.title("Dân vận Hải Phòng")
    st.error(f"{exc} Bảng điều khiển chưa có số liệu để hiển thị.", icon=":material/database:")
    st.info(c.HOW_TO_LOAD, icon=":material/info:")
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
    if user is None:
        state[c.UNREVIEWED] = False          # visitors without an account: accepted figures only
    else:
        st.toggle("Gồm số liệu chưa duyệt", key=c.UNREVIEWED,
                  help="Mặc định chỉ hiện số liệu Sở Nội vụ đã chấp nhận. Bật để thêm các báo cáo "
                       "đã gửi nhưng chưa duyệt; báo cáo bị trả lại không bao giờ được tính.")
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
        st.caption(f"Đăng nhập: **{_ui.esc(user.full_name or user.username)}** "
                   f"({_ui.esc(_auth.ROLE_LABELS[user.role] + unit_label)})")
        _auth.sign_out_link()

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
    user=user,
    scope=(province_names[state[c.PROVINCE]] if state[c.PROVINCE]
           else "cả nước" if many_provinces else "toàn thành phố"))

c.demo_banner(info)
if state[c.UNREVIEWED]:
    st.info(c.UNREVIEWED_MARK, icon=":material/pending_actions:")
nav.run()
