"""`etl load`: check and load report files. Exit 0 when every file loaded (or was already
loaded), 1 when any was refused, 2 when there is no database to load into."""
import json

from etl.cli import common
from etl.domain import vn

NAME = "load"
HELP = "kiểm tra và nạp các tệp báo cáo (.xlsx, .xls, .ods)"


def add_arguments(p) -> None:
    p.add_argument("files", nargs="+", metavar="TỆP")
    p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.add_argument("--sent-by", default=None, metavar="TÊN", help="người gửi (ghi vào lịch sử)")
    common.add_db_option(p)


def _refuse(message: str, as_json: bool) -> int:
    # A script reading --json output gets the reason on stdout too, next to no results.
    if as_json:
        print(json.dumps({"error": message, "results": []}, ensure_ascii=False))
    return common.say_error(message)


def summary_line(r) -> str:
    """One line per file (an etl.intake.loader.FileResult): its state, unit, period, version."""
    from etl.domain.findings import ERROR
    from etl.intake.loader import CHECKED, LOADED, REFUSED, UNCHANGED
    marks = {LOADED: "✓ đã nạp", UNCHANGED: "= không đổi", REFUSED: "✗ bị từ chối",
             CHECKED: "✓ hợp lệ"}
    stored = r.status in (LOADED, CHECKED)
    what = ", ".join(x for x in (
        f"{r.unit_name} ({r.unit_code})" if r.unit_name
        else (f"đơn vị {r.unit_code}" if r.unit_code else ""),
        f"kỳ {r.period_label}" if r.period_label else (f"kỳ {r.period_key}" if r.period_key else ""),
        f"phiên bản {r.version}" if r.version else "",
        f"{vn.format_number(r.n_values)} giá trị" if stored else "",
        f"{r.n_models} mô hình «Dân vận khéo»" if r.n_models and stored else "",
    ) if x)
    if r.superseded_id and r.status == LOADED:
        what += f" (thay phiên bản trước, mã {r.superseded_id}; bản cũ vẫn được lưu)"
    if r.status == REFUSED:
        n = sum(f.severity == ERROR for f in r.findings)
        what = ", ".join(x for x in (what, f"{n} lỗi") if x)
    tail = f" — {r.message}" if r.message else ""
    return f"{marks[r.status]}: {r.file}" + (f" — {what}" if what else "") + tail


def run(args) -> int:
    from etl.intake import loader
    try:
        path = common.database(args)
        results = loader.load_files(path, args.files, dry_run=args.dry_run, sent_by=args.sent_by)
    except common.CommandError as exc:
        return _refuse(exc.message, args.json)
    except loader.NotInitialised as exc:
        return _refuse(str(exc), args.json)
    states = loaded, unchanged, refused, checked = (
        loader.LOADED, loader.UNCHANGED, loader.REFUSED, loader.CHECKED)
    code = 1 if any(r.status == refused for r in results) else 0
    counts = {s: sum(r.status == s for r in results) for s in states}
    if args.json:
        print(json.dumps({"db": str(path), "dry_run": args.dry_run, "exit_code": code,
                          "summary": counts, "results": [r.as_dict() for r in results]},
                         ensure_ascii=False, indent=2, default=str))
        return code
    for r in results:
        print(summary_line(r))
        for f in r.findings:
            print(f"    {f.describe()}")
    n = {s: vn.format_number(c) for s, c in counts.items()}
    parts = [f"{n[loaded]} đã nạp", f"{n[unchanged]} không đổi", f"{n[refused]} bị từ chối"]
    if counts[checked]:
        parts.append(f"{n[checked]} hợp lệ (chưa ghi)")
    print(f"Tổng cộng {vn.format_number(len(results))} tệp: {', '.join(parts)}."
          + (" Chạy thử: không ghi gì vào cơ sở dữ liệu." if args.dry_run else ""))
    return code
