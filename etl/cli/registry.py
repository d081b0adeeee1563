"""`etl registry FILE`: rebuild data/units.csv and data/unit_predecessors.csv from the compiled
official list (etl.warehouse.registry.build); `etl init` then loads them. Needs no database."""
from pathlib import Path

from etl.cli import common
from etl.domain import vn

NAME = "registry"
HELP = "dựng lại danh sách đơn vị trong data/ từ danh sách chính thức"


def add_arguments(p) -> None:
    p.add_argument("source", metavar="TỆP",
                   help="tệp CSV danh sách chính thức, ví dụ ../shared/data/haiphong_units_2025.csv")
    p.add_argument("--out-dir", metavar="THƯ_MỤC", default=None,
                   help="thư mục ghi hai tệp (mặc định: data/ của dự án)")


def run(args) -> int:
    from etl.warehouse import registry
    source = Path(args.source)
    out_dir = Path(args.out_dir) if args.out_dir else registry.DATA_DIR
    if not source.is_file():
        raise common.CommandError(f"Không tìm thấy tệp «{source}».")
    if not out_dir.is_dir():
        raise common.CommandError(f"Không có thư mục «{out_dir}».")
    try:
        n_units, n_preds = registry.build(source, out_dir)
    # build() reads the whole list before writing either file: a bad one leaves data/ as it was.
    except (KeyError, AttributeError, IndexError, ValueError) as exc:
        raise common.CommandError(
            f"Tệp «{source}» không đúng định dạng danh sách đơn vị (cần các cột code, name, type, "
            "former_district, predecessors, source_confidence; mã UTF-8).") from exc
    print(f"Đã ghi {out_dir / 'units.csv'} và {out_dir / 'unit_predecessors.csv'}: "
          f"{vn.format_number(n_units)} đơn vị, {vn.format_number(n_preds)} đơn vị tiền thân. "
          "Chạy 'python -m etl init' để nạp vào cơ sở dữ liệu.")
    return 0
