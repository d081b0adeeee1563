"""`etl history`: every version of a unit's reports, newest first (etl.read.versions)."""
import json
import sys

from etl.domain import vn
from etl.domain.periods import parse_period
from etl.read.versions import STATUS_LABELS, report_history
from etl.warehouse import db


def history_cli(db_path, unit_code: str, period_spec: str | None, as_json: bool = False) -> int:
    period_key = None
    if period_spec:
        period_key = parse_period(period_spec).key if "/" not in period_spec else period_spec
    with db.connect(db_path, read_only=True) as con:
        unit = con.execute("SELECT type_label || ' ' || name FROM units WHERE code = ?",
                           [unit_code]).fetchall()
        if not unit:
            print(f"Lỗi: không có đơn vị mã {unit_code} trong danh sách đơn vị.", file=sys.stderr)
            return 2
        rows = report_history(con, unit_code, period_key)
    if as_json:
        print(json.dumps({"unit_code": unit_code, "unit_name": unit[0][0], "versions": rows},
                         ensure_ascii=False, indent=2, default=str))
        return 0
    scope = f", kỳ {rows[0]['period_label'] if rows else period_spec}" if period_spec else ""
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
