"""Dashboard entry point: page setup, who is signed in, the navigation by role, the sidebar
filters shared by all pages (pages/_state.py: defined here so they survive page changes,
mirrored in the URL so a view can be shared as a link).
Served by serve.py (`make run`); database: $DANVAN_DB, default data/danvan.duckdb.
"""
from pathlib import Path

import streamlit as st

from pages import _auth, _data, _nav, _state, _ui

ICON = Path(__file__).resolve().parent / "pages" / "assets" / "icon.png"

# A local icon: a ":material/…:" one is fetched from Google's font server, and the app works offline.
st.set_page_config(page_title="Dân vận Hải Phòng", page_icon=str(ICON), layout="wide")
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
    info = _data.check_data()
except _data.NoData as exc:
    st.title("Dân vận Hải Phòng")
    st.error(f"{exc} Bảng điều khiển chưa có số liệu để hiển thị.", icon=":material/database:")
    st.info(_data.HOW_TO_LOAD, icon=":material/info:")
    st.stop()

f = _state.sidebar(user, info)
_ui.streamlit_texts()
_ui.demo_banner(info)
if f.scope.include_unreviewed:
    st.info(_state.UNREVIEWED_MARK, icon=":material/pending_actions:")
nav.run()
