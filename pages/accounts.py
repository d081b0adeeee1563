"""Tài khoản và nhật ký: the local accounts (managed with `python -m etl user ...`) and the audit
log of every write (who, what, when, from which file)."""
import pandas as pd
import streamlit as st

from etl import accounts
from pages import _auth, _subs
from pages import _common as c

user = _auth.current_user()
st.title("Tài khoản và nhật ký")
if user is None or not accounts.can(user, "manage_accounts"):
    st.error("Chỉ chuyên viên Sở Nội vụ được xem trang này.")
    st.stop()

users = c.q("submissions.user_list")
units = c.q("units")
names = {u.code: f"{u.type_label} {u.name}" for u in units.itertuples()}
st.subheader(f"Tài khoản ({len(users)})")
c.table(pd.DataFrame({
    "Tên đăng nhập": list(users["username"]), "Họ và tên": [_subs.txt(x) for x in users["full_name"]],
    "Vai trò": [accounts.ROLES.get(r, r) for r in users["role"]],
    "Đơn vị": [names.get(u, "") if isinstance(u, str) else "" for u in users["unit_code"]],
}))
st.caption("Thêm, xóa tài khoản bằng dòng lệnh trên máy chủ: "
           "`python -m etl user add TÊN --role ward --unit MÃ_ĐƠN_VỊ --name \"Họ và tên\"`, "
           "`python -m etl user remove TÊN`, `python -m etl user list`. Mật khẩu chỉ được lưu dưới "
           "dạng băm argon2.")

ACTIONS = {"load": "Nạp tệp (dòng lệnh)", "upload": "Gửi báo cáo", "accept": "Chấp nhận",
           "return": "Trả lại", "set_deadline": "Đặt hạn nộp", "user_add": "Thêm tài khoản",
           "user_remove": "Xóa tài khoản"}
log = c.q("submissions.audit_log", 500)
st.subheader("Nhật ký ghi dữ liệu (500 dòng mới nhất)")
if log.empty:
    st.info("Chưa có thao tác ghi nào.")
else:
    c.table(pd.DataFrame({
        "Thời gian": [_subs.fmt_time(t) for t in log["logged_at"]],
        "Người thực hiện": [_subs.txt(a, "không rõ") for a in log["actor"]],
        "Thao tác": [ACTIONS.get(a, a) for a in log["action"]],
        "Chi tiết": [_subs.txt(d) for d in log["detail"]],
        "Tệp": [_subs.txt(f) for f in log["file_name"]],
        "Mã báo cáo": ["" if pd.isna(s) else str(int(s)) for s in log["submission_id"]],
    }), height=500)
