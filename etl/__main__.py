"""Command line: python -m etl {init,template,load,export,demo} [--db FILE]."""
import argparse
import sys

from etl.domain import vn
from etl.domain.periods import CALENDAR, DECREE09, PeriodError
from etl.warehouse import db
from etl.warehouse.migrations import SchemaTooNew
from etl.warehouse.reference import init_db


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m etl", description="Công cụ dữ liệu công tác dân vận (nạp, kiểm tra, xuất).")
    p.add_argument("--db", help="tệp cơ sở dữ liệu (mặc định: $DANVAN_DB hoặc data/danvan.duckdb)")
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH")

    sub.add_parser("init", help="tạo/nâng cấp lược đồ, nạp danh mục chỉ tiêu và danh sách đơn vị")

    t = sub.add_parser("template", help="tạo mẫu báo cáo Excel cho một đơn vị và một kỳ")
    t.add_argument("--unit", required=True, help="mã đơn vị, ví dụ 10543")
    t.add_argument("--period", required=True,
                   help="kỳ: 2025, 2025-H1, 2025-Q3, 2025-07, 2021-2025 hoặc 2025-07-01:2025-11-20")
    t.add_argument("--cutoff", choices=[CALENDAR, DECREE09], default=CALENDAR,
                   help="calendar = theo lịch (mặc định); nd09 = mốc số liệu theo Nghị định 09/2019/NĐ-CP")
    t.add_argument("-o", "--output", required=True, help="tệp .xlsx sẽ tạo")

    ld = sub.add_parser("load", help="kiểm tra và nạp các tệp báo cáo (.xlsx, .xls, .ods)")
    ld.add_argument("files", nargs="+", metavar="TỆP")
    ld.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
    ld.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    ld.add_argument("--sent-by", default=None, help="người gửi (ghi vào lịch sử)")

    e = sub.add_parser("export", help="xuất ra CSV số liệu các trang đang hiển thị (đã duyệt)")
    e.add_argument("-o", "--output", required=True)
    e.add_argument("--kind", choices=["values", "models"], default="values",
                   help="values = số liệu (mặc định); models = danh sách mô hình «Dân vận khéo»")
    e.add_argument("--province", default=None,
                   help="chỉ các đơn vị của một tỉnh, thành phố (mã tỉnh; mặc định: tất cả)")
    e.add_argument("--include-unreviewed", action="store_true",
                   help="gồm cả báo cáo chưa duyệt (phiên bản mới nhất đã duyệt hoặc chờ duyệt); "
                        "báo cáo bị trả lại không bao giờ được xuất")

    h = sub.add_parser("history", help="mọi phiên bản báo cáo của một đơn vị")
    h.add_argument("--unit", required=True, help="mã đơn vị")
    h.add_argument("--period", default=None, help="chỉ một kỳ, ví dụ 2025-Q3")
    h.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    acc = sub.add_parser("user", help="quản lý tài khoản: add, remove, list, passwd")
    acc.add_argument("action", choices=["add", "remove", "list", "passwd"],
                     help="add = tạo; remove = xóa (kết thúc mọi phiên); list = liệt kê; "
                          "passwd = đặt mật khẩu mới (kết thúc mọi phiên)")
    acc.add_argument("username", nargs="?", help="tên đăng nhập")
    acc.add_argument("--role", choices=["leader", "ward", "department"],
                     help="leader = lãnh đạo; ward = cán bộ phường/xã; department = chuyên viên Sở")
    acc.add_argument("--unit", help="mã đơn vị (bắt buộc với --role ward)")
    acc.add_argument("--name", default="", help="họ và tên")
    acc.add_argument("--password-stdin", action="store_true",
                     help="đọc mật khẩu từ đầu vào chuẩn (mặc định: tạo ngẫu nhiên và in ra); "
                          "ít nhất 10 ký tự, khác tên đăng nhập, không phải mật khẩu phổ biến")

    b = sub.add_parser("brief", help="tạo bộ trình chiếu (.pptx) hoặc báo cáo Word (.docx) của một kỳ")
    b.add_argument("--period", required=True,
                   help="kỳ: 2025, 2025-H1, 2025-Q3, 2025-07, 2021-2025 hoặc 2025-07-01:2025-11-20")
    b.add_argument("--units", default=None,
                   help="mã đơn vị, cách nhau bởi dấu phẩy, thuộc --province nếu có "
                        "(mặc định: tất cả đơn vị trong phạm vi)")
    b.add_argument("--sections", default=None,
                   help="phần báo cáo, cách nhau bởi dấu phẩy: overview,compare,trends,dvk,assessment")
    b.add_argument("--province", default=None, metavar="MÃ",
                   help="chỉ một tỉnh, thành phố (mã trong data/provinces.csv, ví dụ 31); "
                        "mặc định: tất cả các đơn vị trong danh sách")
    b.add_argument("--include-unreviewed", action="store_true",
                   help="gồm cả báo cáo chưa duyệt (đã gửi, Sở Nội vụ chưa chấp nhận); "
                        "báo cáo bị trả lại không bao giờ được tính")
    b.add_argument("-o", "--output", required=True, help="tệp .pptx hoặc .docx sẽ tạo")

    d = sub.add_parser("demo", help="tạo dữ liệu mẫu (tổng hợp, không phải số liệu thật)")
    d.add_argument("--seed", type=int, default=2025)
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "init":
            counts = init_db(args.db)
            n = {k: vn.format_number(v) for k, v in counts.items()}
            print(f"Đã khởi tạo {db.db_path(args.db)}: {n['units']} đơn vị, "
                  f"{n['indicators']} chỉ tiêu, {n['rules']} quy tắc kiểm tra, "
                  f"{n['submissions']} báo cáo đã nạp.")
            return 0
        if args.command == "template":
            from etl.intake.template import write_template_cli
            return write_template_cli(args.db, args.unit, args.period, args.cutoff, args.output)
        if args.command == "load":
            from etl.intake.loader import load_cli
            return load_cli(args.db, args.files, dry_run=args.dry_run, as_json=args.json,
                            sent_by=args.sent_by)
        if args.command == "export":
            from etl.read.export import export_cli
            from etl.read.scope import Scope
            return export_cli(args.db, args.output, args.kind,
                              Scope(province=args.province,
                                    include_unreviewed=args.include_unreviewed))
        if args.command == "history":
            from etl.read.history import history_cli
            return history_cli(args.db, args.unit, args.period, args.json)
        if args.command == "user":
            from etl.workflow.accounts import user_cli
            return user_cli(args.db, args.action, args.username, args.role, args.unit, args.name,
                            args.password_stdin)
        if args.command == "brief":
            from etl.briefing.cli import brief_cli
            return brief_cli(args.db, args.period, args.units, args.output, args.sections,
                             args.province, args.include_unreviewed)
        if args.command == "demo":
            from etl.synthetic.demo import demo_cli
            return demo_cli(args.db, args.seed)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return 0
    except (PeriodError, db.DatabaseBusy, SchemaTooNew, FileNotFoundError, PermissionError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
