"""`etl template`: the Excel form of one unit and one period."""
from etl.cli import common
from etl.domain import vn
from etl.domain.periods import CALENDAR, DECREE09
from etl.intake.units import CURRENT

NAME = "template"
HELP = "tạo mẫu báo cáo Excel cho một đơn vị và một kỳ"
PERIOD_HELP = "kỳ: 2025, 2025-H1, 2025-Q3, 2025-07, 2021-2025 hoặc 2025-07-01:2025-11-20"


def add_arguments(p) -> None:
    p.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị, ví dụ 10543")
    p.add_argument("--period", required=True, metavar="KỲ", help=PERIOD_HELP)
    p.add_argument("--cutoff", choices=[CALENDAR, DECREE09], default=CALENDAR,
                   help="calendar = theo lịch (mặc định); nd09 = mốc số liệu theo Nghị định "
                        "09/2019/NĐ-CP")
    p.add_argument("--territory", choices=[CURRENT], default=None,
                   help="current = đơn vị hiện nay mang mã này báo cáo theo địa bàn hiện nay cho kỳ "
                        "trước ngày thành lập (mặc định: đơn vị tồn tại vào ngày cuối kỳ, ví dụ "
                        "đơn vị cũ cho năm 2024)")
    p.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp .xlsx sẽ tạo")
    common.add_db_option(p)


def run(args) -> int:
    from etl.domain.periods import parse_period, period_text
    from etl.intake import units
    from etl.intake.template import resolve_unit, visible_code, write_template
    from etl.warehouse import db
    path = common.database(args)
    try:
        period = parse_period(args.period, args.cutoff)
        with db.connect(path, read_only=True) as con:
            unit = resolve_unit(con, args.unit, period, args.territory)
            current = units.could_be_current(units.load_units(con), unit, period)
        out = write_template(path, args.unit, args.period, args.cutoff, args.output, args.territory)
    except ValueError as exc:  # unknown unit or bad period (PeriodError is a ValueError)
        raise common.CommandError(str(exc)) from exc
    print(f"Đã tạo mẫu báo cáo {out} cho {unit.long_name} (mã {visible_code(unit)}), "
          f"kỳ {period_text(period)}.")
    if units.predates(unit, period):
        print(f"Lưu ý: {units.territory_notice(unit, period)}")
    elif current is not None:
        print(f"Lưu ý: mã {unit.official_code} nay cũng là mã của {current.name} (từ "
              f"{vn.format_date(current.valid_from)}); muốn {current.name} báo cáo theo địa bàn "
              "hiện nay cho kỳ này thì thêm --territory current.")
    return 0
