"""`etl init`: create or upgrade the schema, (re)load the catalogue and the unit registry."""
from etl.cli import common
from etl.domain import vn

NAME = "init"
HELP = "tạo/nâng cấp lược đồ, nạp danh mục chỉ tiêu và danh sách đơn vị"
REGISTRY_CHOICES = {"haiphong": "Hải Phòng (data/)", "national": "34 tỉnh, thành phố (data/national/)"}


def add_arguments(p) -> None:
    common.add_db_option(p)
    p.add_argument("--registry", choices=list(REGISTRY_CHOICES), default="haiphong",
                   help="danh sách đơn vị nạp vào: " + "; ".join(f"{k}: {v}" for k, v in REGISTRY_CHOICES.items())
                        + " (mặc định haiphong)")


def run(args) -> int:
    from etl.warehouse.reference import REGISTRIES, init_db
    path = common.database(args, create=True)
    counts = init_db(path, registry_dir=REGISTRIES[args.registry])
    n = {k: vn.format_number(v) for k, v in counts.items()}
    print(f"Đã khởi tạo {path}: {n['current_units']} đơn vị hiện nay và "
          f"{vn.format_number(counts['units'] - counts['current_units'])} đơn vị trước sáp nhập "
          f"({n['unit_lineage']} dòng quan hệ sáp nhập), {n['indicators']} chỉ tiêu, "
          f"{n['rules']} quy tắc kiểm tra, {n['submissions']} báo cáo đã nạp.")
    return 0
