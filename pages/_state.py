"""The sidebar's filters, kept in st.session_state and mirrored in the URL so a view can be shared
as a link (`?ky=2025&chi_tieu=dialogues&don_vi=10543&tren_10k=1&chua_duyet=1&tinh=31`
`&ranh_gioi=khi_bao_cao`).

app.py draws the sidebar once per run (sidebar()); pages read the result with filters(): the
Scope every query takes, the indicator, the followed units, who is signed in.
"""
from dataclasses import dataclass

import streamlit as st

from etl.domain import vn
from etl.read import reference
from etl.read.scope import BOUNDARY_LABELS, BOUNDARY_URL, CURRENT, REPORTED, Scope
from pages import _auth, _data, _ui

# Session-state keys of the sidebar widgets.
PERIOD, INDICATOR, UNITS, PER_CAPITA, SEARCH = "period", "indicator", "units", "per_capita", "search"
PROVINCE, UNREVIEWED, BOUNDARIES = "province", "include_unreviewed", "boundaries"
# URL parameter names (short and readable in a shared link).
URL = {PERIOD: "ky", INDICATOR: "chi_tieu", UNITS: "don_vi", PER_CAPITA: "tren_10k",
       UNREVIEWED: "chua_duyet", PROVINCE: "tinh", BOUNDARIES: "ranh_gioi"}
FROM_URL_BOUNDARIES = {v: k for k, v in BOUNDARY_URL.items()}
DEFAULT_INDICATOR = "propaganda_sessions"
# «Hồ sơ đơn vị»'s unit in its link (?ho_so=10543): other pages open a unit's profile with it.
PROFILE_UNIT = "ho_so"
UNREVIEWED_MARK = "Đang hiển thị gồm số liệu chưa duyệt (báo cáo đã gửi, Sở Nội vụ chưa chấp nhận)"


@dataclass(frozen=True)
class Filters:
    scope: Scope                  # period, province, include_unreviewed, boundaries: every query takes it
    period_label: str
    indicator: str
    units: tuple                  # followed units
    per_capita: bool
    info: dict                    # reference.dataset_info
    # Who the totals and medians cover: "toàn thành phố" for a one-province registry, else the
    # chosen province's name or "cả nước".
    area: str = "toàn thành phố"
    user: object = None           # the signed-in etl.workflow.accounts.User, None for a visitor

    @property
    def period(self) -> str:
        return self.scope.period

    @property
    def today(self) -> bool:
        """Today's boundaries (old units' values attributed to today's units)."""
        return self.scope.today

    @property
    def updated(self):
        return self.info["last_loaded"]

    @property
    def demo(self) -> bool:
        return self.info["demo"]


def filters() -> Filters:
    if "_filters" not in st.session_state:
        # Opened by its file name (legacy pages/ URL) without app.py's sidebar: go through it.
        st.switch_page("app.py")
    return st.session_state["_filters"]


def _read_boundaries() -> str:
    """The view of the units, first: the periods and units offered depend on it."""
    state = st.session_state
    if BOUNDARIES not in state:
        state[BOUNDARIES] = FROM_URL_BOUNDARIES.get(st.query_params.get(URL[BOUNDARIES]), CURRENT)
    return state[BOUNDARIES]


def _from_url(unit_names: dict) -> None:
    state, params = st.session_state, st.query_params
    state[PERIOD] = params.get(URL[PERIOD])
    state[INDICATOR] = params.get(URL[INDICATOR])
    state[UNITS] = [u for u in params.get(URL[UNITS], "").split(",") if u in unit_names]
    state[PER_CAPITA] = params.get(URL[PER_CAPITA]) == "1"
    state[UNREVIEWED] = params.get(URL[UNREVIEWED]) == "1"
    state[PROVINCE] = params.get(URL[PROVINCE], "")
    state["_url_read"] = True


def _to_url() -> None:
    """The sidebar's part of the link. Only its own parameters are set or removed: the page's
    choices (open tab, unit, year…) are widgets bound to the link (bind="query-params")."""
    state = st.session_state
    wanted = {
        URL[PERIOD]: state[PERIOD], URL[INDICATOR]: state[INDICATOR],
        URL[UNITS]: ",".join(state[UNITS]) if state[UNITS] else None,
        URL[PER_CAPITA]: "1" if state[PER_CAPITA] else None,
        URL[UNREVIEWED]: "1" if state[UNREVIEWED] else None,
        URL[PROVINCE]: state[PROVINCE] or None,
        URL[BOUNDARIES]: BOUNDARY_URL[state[BOUNDARIES]],
    }
    params = st.query_params
    for name, value in wanted.items():
        if value is None:
            params.pop(name, None)
        elif params.get(name) != value:
            params[name] = value


def _fall_back(periods, codes, unit_names, provinces, user) -> None:
    """Values from an old link, or a period that no longer holds data, fall back to defaults."""
    state = st.session_state
    if "_url_read" not in state:
        _from_url(unit_names)
    period_keys = list(periods["period_key"])
    if state.get(PERIOD) not in period_keys:
        years = periods.loc[periods["kind"] == "year", "period_key"]
        state[PERIOD] = years.iloc[0] if len(years) else period_keys[0]
    if state.get(INDICATOR) not in codes:
        state[INDICATOR] = DEFAULT_INDICATOR if DEFAULT_INDICATOR in codes else codes[0]
    state[UNITS] = [u for u in state.get(UNITS, []) if u in unit_names]
    if len(provinces) < 2 or state.get(PROVINCE) not in set(provinces["code"]):
        state[PROVINCE] = ""
    if user is None:
        state[UNREVIEWED] = False          # visitors without an account: accepted figures only


def _hand_over() -> None:
    """Set each sidebar widget's value again on every run, not only in the run that read the
    link: Streamlit puts a value into a widget's element only in a run that set it, and a
    browser that draws the widget after a later run's element came (the widget's script still
    loading when a click started that run, under load) shows the element's first option and
    sends it back with the next click: «Dân số» and the latest year replaced the link's choices."""
    state = st.session_state
    for key in (PERIOD, INDICATOR, UNITS, PER_CAPITA, UNREVIEWED, PROVINCE, BOUNDARIES):
        if key in state:
            state[key] = state[key]


def _unit_picker(units) -> None:
    """«Tìm đơn vị» without diacritics and «Đơn vị theo dõi»: Streamlit's own filter needs the
    exact diacritics. Units already chosen stay in the options so a new search never drops
    them; a chosen province narrows the rest."""
    state = st.session_state
    unit_names = dict(zip(units["code"], units["name"]))
    unit_folded = dict(zip(units["code"], units["name_folded"]))
    search = vn.fold(st.text_input(
        "Tìm đơn vị", key=SEARCH, placeholder="không cần dấu, ví dụ: thach khoi"))
    chosen = state[UNITS]
    in_province = (set(units.loc[units["province_code"] == state[PROVINCE], "code"])
                   if state[PROVINCE] else None)
    options = [u for u in units["code"]
               if u in chosen or ((in_province is None or u in in_province)
                                  and (not search or search in unit_folded[u] or search in u))]
    st.multiselect("Đơn vị theo dõi", options, format_func=unit_names.get, key=UNITS,
                   placeholder="Chọn đơn vị để so sánh, xem xu hướng, hồ sơ",
                   help=f"{len(options) - len(chosen)} đơn vị khớp với ô tìm kiếm.")


def _who(user, info: dict, unit_names: dict) -> None:
    st.caption(f"Số liệu cập nhật {vn.format_date(info['last_loaded'])} · "
               f"{vn.format_number(info['submissions'])} báo cáo của "
               f"{vn.format_number(info['units'])} đơn vị")
    st.divider()
    if user is None:
        st.caption("Đang xem không đăng nhập (chỉ đọc).")
        return
    unit = f", {unit_names.get(user.unit_code, user.unit_code)}" if user.unit_code else ""
    st.caption(f"Đăng nhập: **{_ui.esc(user.full_name or user.username)}** "
               f"({_ui.esc(_auth.ROLE_LABELS[user.role] + unit)})")
    _auth.sign_out_link()


def sidebar(user, info: dict) -> Filters:
    """Draw the filters (the URL's values first, defaults where a link is old), write them back
    to the URL and keep the Filters for this run's page."""
    today = _read_boundaries() == CURRENT
    periods = _data.load(reference.periods, today)
    catalogue = _data.load(reference.catalogue)
    units = _data.load(reference.units, not today)
    provinces = _data.load(reference.provinces)
    province_names = dict(zip(provinces["code"], provinces["name"]))
    period_display = dict(zip(periods["period_key"], periods["display"]))
    code_display = {r.code: f"{r.label} · {r.group_name}" for r in catalogue.itertuples()}
    unit_names = dict(zip(units["code"], units["name"]))
    _fall_back(periods, list(catalogue["code"]), unit_names, provinces, user)
    _hand_over()
    many_provinces = len(provinces) > 1
    with st.sidebar:
        st.subheader("Bộ lọc")
        if many_provinces:
            st.selectbox("Tỉnh, thành phố", [""] + list(provinces["code"]), key=PROVINCE, placeholder=_ui.CHOOSE,
                         format_func=lambda p: province_names.get(p) or
                         f"Cả nước ({len(provinces)} tỉnh, thành phố)",
                         help="Xếp hạng, trung vị, tổng số và danh sách chỉ tính các đơn vị của "
                              "tỉnh, thành phố được chọn.")
        st.radio("Địa giới", [CURRENT, REPORTED], format_func=BOUNDARY_LABELS.get, key=BOUNDARIES,
                 help="Theo địa giới hiện nay: số liệu các đơn vị cũ (trước 01/07/2025) được quy "
                      "về đơn vị hiện nay theo quan hệ sáp nhập; phần chia cho nhiều đơn vị mới "
                      "được đánh dấu «ước tính». Như đã báo cáo: các đơn vị cũ giữ nguyên như khi "
                      "báo cáo, theo huyện và tỉnh cũ.")
        st.selectbox("Kỳ báo cáo", list(periods["period_key"]), format_func=period_display.get,
                     key=PERIOD, placeholder=_ui.CHOOSE)
        st.selectbox("Chỉ tiêu", list(catalogue["code"]), format_func=code_display.get,
                     key=INDICATOR, placeholder=_ui.CHOOSE)
        st.toggle("Tính trên 10.000 dân", key=PER_CAPITA,
                  help="Chia cho dân số của đơn vị trong kỳ (hoặc dân số báo cáo gần nhất trước "
                       "đó).")
        if user is not None:
            st.toggle("Gồm số liệu chưa duyệt", key=UNREVIEWED,
                      help="Mặc định chỉ hiện số liệu Sở Nội vụ đã chấp nhận. Bật để thêm các báo "
                           "cáo đã gửi nhưng chưa duyệt; báo cáo bị trả lại không bao giờ được "
                           "tính.")
        _unit_picker(units)
        _who(user, info, unit_names)
    _to_url()
    state = st.session_state
    province = state[PROVINCE] or None
    state["_filters"] = Filters(
        scope=Scope(state[PERIOD], province, bool(state[UNREVIEWED]), state[BOUNDARIES]),
        period_label=period_display[state[PERIOD]], indicator=state[INDICATOR],
        units=tuple(state[UNITS]), per_capita=bool(state[PER_CAPITA]), info=info,
        area=(province_names[province] if province
              else "cả nước" if many_provinces else "toàn thành phố"),
        user=user)
    return state["_filters"]


def from_link(key: str, url: str, options, multi: bool = False) -> None:
    """Before a widget whose options are codes (a unit): the link's ?url=CODE (CODE,CODE for
    several) chooses it, once per link value. Streamlit's bind="query-params" would keep the
    displayed name in the link, which changes with the registry and is not unique nationally."""
    raw, seen = st.query_params.get(url), f"_link_{url}"
    if raw is None or st.session_state.get(seen) == raw:
        return
    st.session_state[seen] = raw
    allowed = set(options)
    if multi:
        st.session_state[key] = [v for v in raw.split(",") if v in allowed]
    elif raw in allowed:
        st.session_state[key] = raw


def to_link(url: str, value) -> None:
    """After that widget: its choice into the link (removed when nothing is chosen)."""
    text = ",".join(value) if isinstance(value, (list, tuple)) else (str(value) if value else "")
    if not text:
        st.query_params.pop(url, None)
    elif st.query_params.get(url) != text:
        st.query_params[url] = text
    st.session_state[f"_link_{url}"] = text or None


def switch_page(page: str, link: dict | None = None, **params: str) -> None:
    """Open another page with the sidebar's filters (of `link`, else of the current link) and
    `params` in its link. A switch asked for by a script does not carry widget values: the new
    page's sidebar reads them from the link again, as for a shared link."""
    st.session_state.pop("_url_read", None)
    sidebar = set(URL.values())
    kept = {k: v for k, v in (link or st.query_params.to_dict()).items() if k in sidebar}
    st.switch_page(page, query_params={**kept, **params})
