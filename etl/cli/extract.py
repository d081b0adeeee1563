"""`etl extract`: a narrative report (Word, PDF, scan, text) → a draft of the form, every figure
with the sentence it came from. Exit 0 when figures were found, 1 when none, 2 for a bad file."""
import hashlib
import json
import sys
from pathlib import Path

from etl.cli import common
from etl.domain import vn
from etl.domain.periods import CALENDAR, PeriodError, parse_period

NAME = "extract"
HELP = "đọc báo cáo viết (Word, PDF, ảnh quét, văn bản) thành bản nháp mẫu báo cáo"


def add_arguments(p) -> None:
    p.add_argument("files", nargs="+", metavar="TỆP")
    p.add_argument("--unit", default=None, metavar="MÃ",
                   help="mã đơn vị báo cáo (mặc định: tìm trong văn bản)")
    p.add_argument("--period", default=None, metavar="KỲ",
                   help="kỳ báo cáo, ví dụ 2025 hoặc 2025-07-01:2025-11-20 (mặc định: tìm trong văn bản)")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.add_argument("-o", "--output", default=None, metavar="NHÁP.xlsx",
                   help="ghi bản nháp mẫu báo cáo đã điền (một tệp vào; kiểm tra rồi nạp bằng etl load)")
    common.add_db_option(p)


def _read(path: Path) -> tuple[str, str, bytes]:
    """(text, sha256, bytes) of a report file; CommandError for a file that cannot be read as one."""
    from etl.intake import documents
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise common.CommandError(f"Không đọc được tệp «{path}».") from exc
    try:
        doc = documents.read_document(data, path.name)
    except documents.DocumentRefused as exc:
        raise common.CommandError(str(exc)) from exc
    return doc.text, doc.sha256 or hashlib.sha256(data).hexdigest(), data


def _print(draft, labels: dict) -> None:
    unit = f"{draft.unit.name} (mã {draft.unit.code})" if draft.unit else "chưa xác định"
    period = draft.period.period.label if draft.period else "chưa xác định"
    print(f"{draft.file}: đơn vị {unit}; kỳ {period}; {len(draft.values)} số liệu, "
          f"{len(draft.models)} mô hình")
    for code, (best, alternatives) in draft.values.items():
        mark = " (xấp xỉ)" if best.approximate else ""
        others = ("; văn bản còn ghi " + ", ".join(vn.format_number(a.value) for a in alternatives)
                  if alternatives else "")
        print(f"  - {labels.get(code, code)} ({code}): {vn.format_number(best.value)}{mark} — {best.location}: "
              f"«{best.marked(around=70)}»{others}")
    for kind, text, _evidence in draft.notes:
        if kind != "rate":
            print(f"  Lưu ý: {text}")


def run(args) -> int:
    from etl.intake.narrative import extract, indicator_labels
    from etl.intake.units import load_units
    from etl.warehouse import db
    path = common.database(args)
    if args.output and len(args.files) != 1:
        raise common.CommandError("Tùy chọn -o ghi bản nháp cho đúng một tệp báo cáo.")
    try:
        period = parse_period(args.period, CALENDAR) if args.period else None
    except PeriodError as exc:
        raise common.CommandError(str(exc)) from exc
    with db.connect(path, read_only=True) as con:
        units = load_units(con)
        catalogue = indicator_labels(con)
    if args.unit and args.unit not in units:
        raise common.CommandError(f"Không có đơn vị mã «{args.unit}» trong danh sách đơn vị.")
    drafts, contents = [], []
    for name in args.files:
        text, sha, data = _read(Path(name))
        drafts.append(extract(text, units, Path(name).name, sha, args.unit, period, catalogue))
        contents.append(data)
    if args.json:
        out = [d.as_json() for d in drafts]
        print(json.dumps(out[0] if len(out) == 1 else out, ensure_ascii=False, indent=2))
    else:
        for d in drafts:
            _print(d, catalogue)
    if args.output:
        _write(path, drafts[0], contents[0], Path(args.output), quiet=args.json)
    return 0 if any(d.values for d in drafts) else 1


def _write(path, draft, content: bytes, out: Path, quiet: bool) -> None:
    from etl.intake.narrative.draft import build_draft
    from etl.intake.template import UnknownUnit
    from etl.warehouse import db, store
    if draft.unit is None or draft.period is None:
        raise common.CommandError("Chưa xác định được đơn vị hoặc kỳ báo cáo từ văn bản: ghi rõ bằng "
                                  "--unit và --period rồi chạy lại.")
    try:
        with db.connect(path, read_only=True) as con:
            wb = build_draft(con, draft)
    except UnknownUnit as exc:
        raise common.CommandError(str(exc)) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    # The original document stays with the data: the draft's submission points to it (provenance).
    with db.connect(path) as con, db.transaction(con):
        store.save_document(con, draft.sha256, content)
        db.audit(con, "etl extract", "extract", f"Văn bản «{draft.file}» ({vn.format_number(len(content))} "
                 f"byte) lưu để lập bản nháp {out.name}", draft.file)
    print(f"Đã ghi bản nháp {out}: kiểm tra từng số liệu (cột «Căn cứ trong văn bản»), rồi nạp bằng "
          f"'python -m etl load {out}'.", file=sys.stderr if quiet else sys.stdout)
