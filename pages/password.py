"""Đổi mật khẩu: the signed-in account changes its own password. The session and the current
password are checked again at the moment of the change; the account's other sessions end."""
import streamlit as st

from etl.warehouse import db
from etl.workflow import accounts, sessions
from pages import _auth, _subs

user = _auth.require("change_password")
st.title("Đổi mật khẩu")
st.caption(f"Mật khẩu mới cần ít nhất {accounts.MIN_PASSWORD} ký tự, khác tên đăng nhập, không chỉ "
           "gồm một ký tự lặp lại và không nằm trong danh sách mật khẩu phổ biến. Sau khi đổi, "
           "các phiên đăng nhập khác của tài khoản (máy khác, trình duyệt khác) kết thúc.")
if done := st.session_state.pop("_password_done", None):
    st.success(done, icon=":material/check_circle:")
with st.form("change_password", clear_on_submit=True):
    current = st.text_input("Mật khẩu hiện tại", type="password", autocomplete="current-password")
    new = st.text_input("Mật khẩu mới", type="password", autocomplete="new-password")
    again = st.text_input("Nhập lại mật khẩu mới", type="password", autocomplete="new-password")
    sent = st.form_submit_button("Đổi mật khẩu", type="primary", icon=":material/password:")
if sent:
    if new != again:
        st.error("Hai lần nhập mật khẩu mới không giống nhau.", icon=":material/error:")
    elif _subs.write_or_error(sessions.change_password, str(db.db_path()), _auth.session_token(),
                              current, new):
        st.session_state["_password_done"] = "Đã đổi mật khẩu."
        st.rerun()
