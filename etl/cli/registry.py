"""`etl registry FOLDER`: rebuild the unit registry files of data/ (Hải Phòng) or data/national/
(--national) from the official lists (etl.warehouse.registry.build); `etl init` then loads them.
Needs no database."""
from pathlib import Path

from etl.cli import common
from etl.domain import vn

NAME = "registry"
HELP = "dựng lại danh sách đơn vị và quan hệ sáp nhập trong data/ từ danh sách chính thức"


def add_arguments(p) -> None:
    p.add_argument("source", metavar="THƯ_MỤC",
                   help="thư mục chứa vn_units_2025.csv, vn_lineage_2025.csv, vn_provinces_2025.csv "
                        "(và haiphong_units_2025.csv), ví dụ ../shared/data")
    p.add_argument("--national", action="store_true",
                   help="cả 34 tỉnh, thành phố (ghi vào data/national/)")
    p.add_argument("--out-dir", metavar="THƯ_MỤC", default=None,
                   help="thư mục ghi các tệp (mặc định: data/ hoặc data/national/ của dự án)")


def run(args) -> int:
    from etl.warehouse import registry
    source = Path(args.source)
    default = registry.NATIONAL_DIR if args.national else registry.DATA_DIR
    out_dir = Path(args.out_dir) if args.out_dir else default
    missing = [n for n in registry.NEEDED_FILES if not (source / n).is_file()]
    if missing:
        raise common.CommandError(f"Thư mục «{source}» thiếu tệp: {', '.join(missing)}.")
    if args.out_dir and not out_dir.is_dir():
        raise common.CommandError(f"Không có thư mục «{out_dir}».")
    try:
        n = registry.build(source, out_dir, national=args.national)
    # build() reads the whole lists before writing any file: a bad one leaves data/ as it was.
    except (KeyError, AttributeError, IndexError, ValueError) as exc:
        raise common.CommandError(
            f"Các tệp trong «{source}» không đúng định dạng danh sách đơn vị và quan hệ sáp nhập "
            "(xem vn_2025.SOURCES.md; mã UTF-8).") from exc
    f = {k: vn.format_number(v) for k, v in n.items()}
    print(f"Đã ghi {out_dir / 'units.csv'} và {out_dir / 'unit_lineage.csv'}: {f['current']} đơn vị "
          f"hiện nay, {f['old']} đơn vị trước sáp nhập (đến 30/06/2025), {f['lineage']} dòng quan hệ "
          "sáp nhập. Chạy 'python -m etl init' để nạp vào cơ sở dữ liệu.")
    return 0
