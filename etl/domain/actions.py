"""What the audit log records: the action of every write, and how the log page names it."""
from typing import Literal

Action = Literal["init", "demo", "load", "upload", "accept", "return", "set_deadline", "user_add",
                 "user_remove", "password_change", "sign_in", "sign_in_failed", "sign_in_locked",
                 "sign_out", "extract"]

LABELS: dict[str, str] = {
    "init": "Khởi tạo, nâng cấp cơ sở dữ liệu", "demo": "Tạo dữ liệu mẫu",
    "load": "Nạp tệp (dòng lệnh)", "upload": "Gửi báo cáo", "accept": "Chấp nhận",
    "return": "Trả lại", "set_deadline": "Đặt hạn nộp", "user_add": "Thêm tài khoản",
    "user_remove": "Xóa tài khoản", "password_change": "Đổi mật khẩu", "sign_in": "Đăng nhập",
    "sign_in_failed": "Đăng nhập sai", "sign_in_locked": "Đăng nhập khi tài khoản tạm khóa",
    "sign_out": "Đăng xuất", "extract": "Lưu văn bản báo cáo (trích xuất số liệu)",
}
OTHER = "Thao tác khác"     # a row written by a later version of the product


def label(action: str) -> str:
    return LABELS.get(action, OTHER)


def check(action: str) -> str:
    """The action itself, or ValueError: a write that logs an action the log page cannot name."""
    if action not in LABELS:
        raise ValueError(f"unknown audit action {action!r}: add it to etl/domain/actions.py")
    return action
