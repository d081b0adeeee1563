"""Version history of a unit's reports: every submission kept, newest first."""
import json
import sys

from etl.domain import vn
from etl.domain.periods import parse_period
from etl.warehouse import db

STATUS_LABELS = {"draft": "bản nháp", "submitted": "đã gửi", "accepted": "đã chấp nhận",
                 "returned": "bị trả lại"}

_QUERY = """
SELECT s.submission_id, s.period_key, p.label AS period_label, s.version, s.is_current, s.status,
       s.source, s.file_name, s.sha256, s.sent_by, s.loaded_at, s.superseded_by,
       (SELECT count(*) FROM submission_values v WHERE v.submission_id = s.submission_id) AS n_values
FROM submissions s JOIN periods p USING (period_key)
WHERE s.unit_code = $unit AND ($period IS NULL OR s.period_key = $period)
ORDER BY p.end_date DESC, p.start_date DESC, s.period_key, s.version DESC
"""


def unit_history(con, unit_code: str, period_key: str | None = None) -> list[dict]:
    cur = con.execute(_QUERY, {"unit": unit_code, "period": period_key})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


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
        rows = unit_history(con, unit_code, period_key)
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
