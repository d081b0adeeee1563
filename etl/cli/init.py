"""`etl init`: create or upgrade the schema, (re)load the catalogue and the unit registry."""
from etl.cli import common
from etl.domain import vn

NAME = "init"
HELP = "tạo/nâng cấp lược đồ, nạp danh mục chỉ tiêu và danh sách đơn vị"


def add_arguments(p) -> None:
    common.add_db_option(p)


def run(args) -> int:
    from etl.warehouse.reference import init_db
    path = common.database(args, create=True)
    counts = init_db(path)
    n = {k: vn.format_number(v) for k, v in counts.items()}
    print(f"Đã khởi tạo {path}: {n['units']} đơn vị, {n['indicators']} chỉ tiêu, "
          f"{n['rules']} quy tắc kiểm tra, {n['submissions']} báo cáo đã nạp.")
    return 0
