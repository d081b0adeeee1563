"""`etl demo`: synthetic history for every unit (marked as demo), and one demo account per role
while the database has none."""
from etl.cli import common
from etl.domain import vn

NAME = "demo"
HELP = "tạo dữ liệu mẫu (tổng hợp, không phải số liệu thật)"


def add_arguments(p) -> None:
    p.add_argument("--seed", type=int, default=2025, metavar="SỐ", help="hạt giống ngẫu nhiên (mặc định: 2025)")
    common.add_db_option(p)


def run(args) -> int:
    from etl.domain.periods import parse_period
    from etl.synthetic.demo import RANGE_SPEC, demo_accounts, generate
    path = common.database(args, create=True)
    seed = args.seed
    print(f"Đang tạo dữ liệu mẫu (hạt giống {seed})…")
    counter = iter(range(1, 10))
    result = generate(path, seed, progress=lambda msg: print(f"  [{next(counter)}/3] {msg}"))
    print(f"  [3/3] Đã ghi {vn.format_number(result['submissions'])} báo cáo, "
          f"{vn.format_number(result['values'])} giá trị, "
          f"{vn.format_number(result['models'])} mô hình «Dân vận khéo».")
    print(f"Xong trong {vn.format_number(result['seconds'], 1)} giây: "
          f"{result['units'] - result['old_units']} đơn vị hiện nay (từ 01/07/2025) và "
          f"{result['old_units']} đơn vị trước sáp nhập (đến 30/06/2025), "
          f"{result['periods']} kỳ báo cáo (năm 2021–2025, quý 2024–2025, tháng và 6 tháng 2025, "
          f"khoảng {parse_period(RANGE_SPEC).label.lower()}); {result['late']} báo cáo nộp muộn, "
          f"{result['missing']} báo cáo còn thiếu.")
    print("Lưu ý: đây là DỮ LIỆU MẪU tổng hợp, không phải số liệu thật. Chạy lại lệnh sẽ thay thế "
          "dữ liệu mẫu cũ; các báo cáo nạp từ tệp không bị ảnh hưởng.")
    created = demo_accounts(path)
    if created:
        print("\nTÀI KHOẢN MẪU để đăng nhập thử (chỉ in MỘT LẦN; chỉ dùng để chạy thử, hãy xóa bằng "
              "'python -m etl user remove TÊN' trước khi dùng thật):")
        for username, role_label, password in created:
            print(f"  {username:<16} {role_label:<32} mật khẩu: {password}")
    return 0
