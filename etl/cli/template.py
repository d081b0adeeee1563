"""`etl template`: the Excel form of one unit and one period."""
from etl.cli import common
from etl.domain.periods import CALENDAR, DECREE09

NAME = "template"
HELP = "tạo mẫu báo cáo Excel cho một đơn vị và một kỳ"
PERIOD_HELP = "kỳ: 2025, 2025-H1, 2025-Q3, 2025-07, 2021-2025 hoặc 2025-07-01:2025-11-20"


def add_arguments(p) -> None:
    p.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị, ví dụ 10543")
    p.add_argument("--period", required=True, metavar="KỲ", help=PERIOD_HELP)
    p.add_argument("--cutoff", choices=[CALENDAR, DECREE09], default=CALENDAR,
                   help="calendar = theo lịch (mặc định); nd09 = mốc số liệu theo Nghị định "
                        "09/2019/NĐ-CP")
    p.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp .xlsx sẽ tạo")
    common.add_db_option(p)


def run(args) -> int:
    from etl.domain.periods import parse_period, period_text
    from etl.intake.template import predates_unit, territory_notice, unit_info, write_template
    from etl.warehouse import db
    path = common.database(args)
    try:
        period = parse_period(args.period, args.cutoff)
        with db.connect(path, read_only=True) as con:
            unit = unit_info(con, args.unit)
        out = write_template(path, args.unit, args.period, args.cutoff, args.output)
    except ValueError as exc:  # unknown unit or bad period (PeriodError is a ValueError)
        raise common.CommandError(str(exc)) from exc
    print(f"Đã tạo mẫu báo cáo {out} cho {unit['full_name']} (mã {unit['code']}), "
          f"kỳ {period_text(period)}.")
    if predates_unit(unit, period):
        print(f"Lưu ý: {territory_notice(unit, period)}")
    return 0
