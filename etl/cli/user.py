"""`etl user`: the local accounts (add, remove, list, passwd); the rules live in
etl.workflow.accounts."""
import sys

from etl.cli import common

NAME = "user"
HELP = "quản lý tài khoản: add, remove, list, passwd"


def add_arguments(p) -> None:
    p.add_argument("action", choices=["add", "remove", "list", "passwd"],
                   help="add = tạo; remove = xóa (kết thúc mọi phiên); list = liệt kê; "
                        "passwd = đặt mật khẩu mới (kết thúc mọi phiên)")
    p.add_argument("username", nargs="?", metavar="TÊN", help="tên đăng nhập")
    p.add_argument("--role", choices=["leader", "ward", "department"],
                   help="leader = lãnh đạo; ward = cán bộ phường/xã; department = chuyên viên Sở")
    p.add_argument("--unit", metavar="MÃ", help="mã đơn vị (bắt buộc với --role ward)")
    p.add_argument("--name", default="", metavar="HỌ_TÊN", help="họ và tên")
    p.add_argument("--password-stdin", action="store_true",
                   help="đọc mật khẩu từ đầu vào chuẩn (mặc định: tạo ngẫu nhiên và in ra); "
                        "ít nhất 10 ký tự, khác tên đăng nhập, không phải mật khẩu phổ biến")
    common.add_db_option(p)


def run(args) -> int:
    from etl.warehouse import db
    from etl.workflow import accounts
    path = common.database(args)
    action, username = args.action, args.username
    try:
        if action == "list":
            with db.records(path) as con:
                users = accounts.list_users(con)
            if not users:
                print("Chưa có tài khoản nào. Tạo bằng: python -m etl user add TÊN --role ...")
            for u in users:
                unit = f", đơn vị {u.unit_code}" if u.unit_code else ""
                print(f"- {u.username}: {accounts.ROLES[u.role]}{unit}"
                      + (f" — {u.full_name}" if u.full_name else ""))
            return 0
        if not username:
            raise accounts.AccountError("Cần tên đăng nhập.")
        given = (sys.stdin.readline().rstrip("\n") if args.password_stdin and action != "remove"
                 else None)
        with db.connect(path) as con:
            if action == "remove":
                name = accounts.remove_user(con, username, actor="cli")
                print(f"Đã xóa tài khoản «{name}» và kết thúc mọi phiên đăng nhập của tài khoản này.")
                return 0
            if action == "passwd":
                password = given if given is not None else accounts.new_password()
                name = accounts.set_password(con, username, password, actor="cli")
                print(f"Đã đặt mật khẩu mới cho «{name}»; mọi phiên đăng nhập cũ đã kết thúc.")
            else:
                password = accounts.add_user(con, username, args.role or "", given, args.unit,
                                             args.name, actor="cli")
                print(f"Đã tạo tài khoản «{accounts.normalize_username(username)}» "
                      f"({accounts.ROLES[args.role]}).")
        if given is None:
            print(f"Mật khẩu (chỉ hiện một lần, hãy chuyển cho người dùng và đổi sau): {password}")
        return 0
    except accounts.AccountError as exc:
        raise common.CommandError(str(exc)) from exc
