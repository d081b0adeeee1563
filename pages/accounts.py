"""Tài khoản và nhật ký: the local accounts (managed with `python -m etl user ...`) and the audit
log of every write (who, what, when, from which file)."""
import pandas as pd
import streamlit as st

from etl.domain import actions as audit_actions
from etl.read import accounts as read_accounts
from etl.read import reference
from etl.workflow import accounts
from pages import _auth, _data, _subs, _ui

user = _auth.require("manage_accounts")
st.title("Tài khoản và nhật ký")

users = _data.load_record(read_accounts.users)
units = _data.load(reference.units)
names = dict(zip(units["code"], units["full_name"]))
st.subheader(f"Tài khoản ({len(users)})")
_ui.table(pd.DataFrame({
    "Tên đăng nhập": list(users["username"]), "Họ và tên": [_subs.txt(x) for x in users["full_name"]],
    "Vai trò": [accounts.ROLES.get(r, r) for r in users["role"]],
    "Đơn vị": [names.get(u, "") if isinstance(u, str) else "" for u in users["unit_code"]],
}))
st.caption("Thêm, xóa tài khoản và đặt lại mật khẩu: đề nghị quản trị hệ thống thực hiện trên máy "
           "chủ. Mật khẩu chỉ được lưu dưới dạng băm argon2; mỗi người tự đổi mật khẩu của mình ở "
           "mục «Đổi mật khẩu».")

log = _data.load_record(read_accounts.audit_log, 500)
st.subheader("Nhật ký ghi dữ liệu (500 dòng mới nhất)")
if log.empty:
    st.info("Chưa có thao tác ghi nào.")
else:
    _ui.table(pd.DataFrame({
        "Thời gian": [_subs.fmt_time(t) for t in log["logged_at"]],
        "Người thực hiện": [_subs.txt(a, "không rõ") for a in log["actor"]],
        "Thao tác": [audit_actions.label(a) for a in log["action"]],
        "Chi tiết": [_subs.txt(d) for d in log["detail"]],
        "Tệp": [_subs.txt(f) for f in log["file_name"]],
        "Mã báo cáo": ["" if pd.isna(s) else str(int(s)) for s in log["submission_id"]],
    }), height=500)
