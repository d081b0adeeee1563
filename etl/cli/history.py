"""`etl history`: every version of a unit's reports, newest first (etl.read.versions)."""
import json

from etl.cli import common
from etl.domain import vn

NAME = "history"
HELP = "mọi phiên bản báo cáo của một đơn vị"


def add_arguments(p) -> None:
    p.add_argument("--unit", required=True, metavar="MÃ",
                   help="mã đơn vị; đơn vị trước sáp nhập thêm đuôi @2025-06-30, ví dụ 11005@2025-06-30")
    p.add_argument("--period", default=None, metavar="KỲ", help="chỉ một kỳ, ví dụ 2025-Q3")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    common.add_db_option(p)


def run(args) -> int:
    from etl.domain.periods import parse_period
    from etl.read.versions import STATUS_LABELS, report_history
    from etl.warehouse import db
    path = common.database(args)
    spec, unit_code = args.period, args.unit
    period_key = None
    if spec:
        period_key = parse_period(spec).key if "/" not in spec else spec
    with db.connect(path, read_only=True) as con:
        unit = con.execute("SELECT full_name FROM units WHERE code = ?", [unit_code]).fetchall()
        if not unit:
            raise common.CommandError(f"không có đơn vị mã {unit_code} trong danh sách đơn vị.")
        rows = report_history(con, unit_code, period_key)
        # The same official code may name another unit before or after the merger.
        others = con.execute("SELECT code, full_name FROM units WHERE official_code = "
                             "(SELECT official_code FROM units WHERE code = ?) AND code <> ?",
                             [unit_code, unit_code]).fetchall()
    if args.json:
        print(json.dumps({"unit_code": unit_code, "unit_name": unit[0][0], "versions": rows},
                         ensure_ascii=False, indent=2, default=str))
        return 0
    for code, name in others:
        print(f"Lưu ý: mã {unit_code.split('@')[0]} cũng là mã của {name}: xem bằng --unit {code}.")
    scope = f", kỳ {rows[0]['period_label'] if rows else spec}" if spec else ""
    if not rows:
        print(f"{unit[0][0]} ({unit_code}){scope}: chưa có báo cáo nào.")
        return 0
    print(f"{unit[0][0]} ({unit_code}){scope}: {vn.format_number(len(rows))} phiên bản báo cáo")
    for r in rows:
        state = "hiện hành" if r["is_current"] else f"đã được thay bằng mã {r['superseded_by']}"
        origin = ("DỮ LIỆU MẪU" if r["source"] == "demo"
                  else f"tệp {r['file_name']}, SHA-256 {r['sha256']}")
        print(f"- {r['period_label']} · phiên bản {r['version']} ({state}) · "
              f"{STATUS_LABELS.get(r['status'], r['status'])} · "
              f"{r['loaded_at']:%d/%m/%Y %H:%M:%S} · người gửi: {r['sent_by'] or 'không rõ'} · "
              f"{origin} · {vn.format_number(r['n_values'])} giá trị · mã {r['submission_id']}")
    return 0
