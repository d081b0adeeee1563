"""`etl brief`: the briefing pack of one period as FILE.pptx or FILE.docx. Exit 0 when written,
2 on bad input (period, province, unit, section, file type), 3 when no image could be made."""
import sys
from pathlib import Path

from etl.cli import common
from etl.domain import vn

NAME = "brief"
HELP = "tạo bộ trình chiếu (.pptx) hoặc báo cáo Word (.docx) của một kỳ"
NO_IMAGE = 3


def add_arguments(p) -> None:
    p.add_argument("--period", required=True, metavar="KỲ",
                   help="kỳ: 2025, 2025-H1, 2025-Q3, 2025-07, 2021-2025 hoặc 2025-07-01:2025-11-20")
    p.add_argument("--units", default=None, metavar="MÃ,...",
                   help="mã đơn vị, cách nhau bởi dấu phẩy, thuộc --province nếu có "
                        "(mặc định: tất cả đơn vị trong phạm vi)")
    p.add_argument("--sections", default=None, metavar="PHẦN,...",
                   help="phần báo cáo, cách nhau bởi dấu phẩy: overview,compare,trends,dvk,assessment")
    common.add_scope_options(p)
    p.add_argument("-o", "--output", required=True, metavar="TỆP", help="tệp .pptx hoặc .docx sẽ tạo")
    common.add_db_option(p)


def run(args) -> int:
    from etl.briefing.pack import SECTIONS, BriefError, build_pack, write_docx, write_pptx
    from etl.domain.periods import from_key, parse_period
    from etl.present import figures
    out = Path(args.output)
    kind = out.suffix.lower()
    if kind not in (".pptx", ".docx"):
        raise common.CommandError(
            f"tệp kết quả phải có đuôi .pptx hoặc .docx (nhận được «{args.output}»).")
    period = args.period
    key = parse_period(period).key if "/" not in period else from_key(period).key
    path = common.database(args)
    codes = [u.strip() for u in (args.units or "").split(",") if u.strip()]
    chosen = [s.strip() for s in (args.sections or ",".join(SECTIONS)).split(",") if s.strip()]
    scope = common.read_scope(args, key)

    def progress(fraction, text):
        print(f"[{round(fraction * 100):3d}%] {text}", file=sys.stderr)

    try:
        pack = build_pack(path, scope, codes, chosen, progress)
        data = write_pptx(pack) if kind == ".pptx" else write_docx(pack)
    except BriefError as exc:
        raise common.CommandError(str(exc)) from exc
    except figures.ExportError as exc:
        # The operator runs the CLI: the cause and the fix are for them.
        hint = figures.OPERATOR_HINT if isinstance(exc, figures.BrowserMissing) else f"({exc.__cause__})"
        raise common.CommandError(f"{exc} {hint}", NO_IMAGE) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    t = pack.timings
    print(f"Đã tạo {out}: {len(pack.items)} biểu đồ, kỳ {pack.period_label}, {pack.scope} "
          f"({vn.format_number(t['collect_s'] + t['images_s'], 1)} giây).")
    if pack.include_unreviewed:
        print("Lưu ý: báo cáo gồm cả số liệu chưa duyệt.", file=sys.stderr)
    if pack.demo:
        print("Cảnh báo: báo cáo dùng DỮ LIỆU MẪU, không phải số liệu thật.", file=sys.stderr)
    return 0
