"""`etl export`: what the dashboards show, as CSV (values or "Dân vận khéo" models)."""
import sys

from etl.cli import common
from etl.domain import vn

NAME = "export"
HELP = "xuất ra CSV số liệu các trang đang hiển thị (đã duyệt)"


def add_arguments(p) -> None:
    p.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp .csv sẽ tạo")
    p.add_argument("--kind", choices=["values", "models"], default="values",
                   help="values = số liệu (mặc định); models = danh sách mô hình «Dân vận khéo»")
    common.add_scope_options(p)
    common.add_db_option(p)


def check_province(con, code: str) -> None:
    """CommandError unless the code is a province with units, as `etl brief` refuses one."""
    from etl.read import reference
    provinces = reference.provinces(con)
    names = dict(zip(provinces["code"].astype(str), provinces["name"]))
    if code in names:
        return
    if not names:
        raise common.CommandError("Danh sách đơn vị chưa có tỉnh, thành phố nào; chạy "
                                  "'python -m etl init' trước.")
    # Names help while there are a few; the country's 34 are listed by code only.
    known = (", ".join(f"{c} – {n}" for c, n in names.items()) if len(names) <= 5
             else ", ".join(names))
    raise common.CommandError(f"Không có tỉnh, thành phố mã «{code}» trong danh sách (có: {known}).")


def run(args) -> int:
    from etl.read.export import demo_count, export_csv
    from etl.warehouse import db
    path = common.database(args)
    scope = common.read_scope(args)
    what = "mô hình «Dân vận khéo»" if args.kind == "models" else "giá trị"
    which = ("đã duyệt và chờ duyệt" if scope.include_unreviewed
             else "đã duyệt; không gồm báo cáo chưa duyệt")
    with db.connect(path, read_only=True) as con:
        if scope.province:
            check_province(con, scope.province)
        demo_values = demo_count(con, args.kind, scope)
    rows = export_csv(path, args.output, args.kind, scope)
    where = f", tỉnh/thành phố mã {scope.province}" if scope.province else ""
    print(f"Đã xuất {vn.format_number(rows)} {what} (báo cáo {which}{where}) ra {args.output}.")
    if demo_values:
        print(f"Cảnh báo: tệp xuất có {vn.format_number(demo_values)} {what} là DỮ LIỆU MẪU tổng "
              "hợp, không phải số liệu thật (nguồn «demo»).", file=sys.stderr)
    return 0
