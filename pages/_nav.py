"""Every page of the app: its file, title, icon, address, menu section and who may open it.

app.py builds the navigation from this list and serve.py's gate knows from it which addresses
are pages. `action` is an etl.accounts permission; "view" pages are also open to anonymous
visitors when DANVAN_ANONYMOUS_READ=1. Every url_path differs from its file name: Streamlit's
legacy pages/ discovery hashes pages by file name, and a clash would run a page without app.py.
"""
from dataclasses import dataclass

DASHBOARDS, REPORTS, ACCOUNT = "Bảng điều khiển", "Báo cáo", "Tài khoản"


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    url_path: str
    section: str
    action: str
    default: bool = False


PAGES = [
    PageSpec("pages/overview.py", "Tổng quan", ":material/dashboard:", "tong-quan", DASHBOARDS,
             "view", default=True),
    PageSpec("pages/compare.py", "So sánh đơn vị", ":material/bar_chart:", "so-sanh", DASHBOARDS,
             "view"),
    PageSpec("pages/trends.py", "Xu hướng", ":material/show_chart:", "xu-huong", DASHBOARDS, "view"),
    PageSpec("pages/unit_profile.py", "Hồ sơ đơn vị", ":material/apartment:", "ho-so-don-vi",
             DASHBOARDS, "view"),
    PageSpec("pages/dvk_models.py", "Dân vận khéo", ":material/volunteer_activism:",
             "dan-van-kheo", DASHBOARDS, "view"),
    PageSpec("pages/assessment.py", "Chấm điểm dân vận", ":material/grading:", "cham-diem",
             DASHBOARDS, "view"),
    PageSpec("pages/briefing.py", "Xuất báo cáo", ":material/slideshow:", "xuat-bao-cao",
             DASHBOARDS, "view"),
    PageSpec("pages/upload.py", "Gửi báo cáo", ":material/upload_file:", "gui-bao-cao", REPORTS,
             "upload"),
    PageSpec("pages/completeness.py", "Tình hình báo cáo", ":material/fact_check:",
             "tinh-hinh-bao-cao", REPORTS, "completeness"),
    PageSpec("pages/review.py", "Duyệt báo cáo", ":material/rule:", "duyet-bao-cao", REPORTS,
             "review"),
    PageSpec("pages/accounts.py", "Tài khoản và nhật ký", ":material/manage_accounts:",
             "tai-khoan", REPORTS, "manage_accounts"),
    PageSpec("pages/password.py", "Đổi mật khẩu", ":material/password:", "doi-mat-khau", ACCOUNT,
             "change_password"),
]
# The default page's address is "" (Streamlit ignores its url_path, which serve.py sends to "/").
URL_PATHS = {""} | {p.url_path for p in PAGES if not p.default}
DEFAULT_ALIAS = next(p.url_path for p in PAGES if p.default)
