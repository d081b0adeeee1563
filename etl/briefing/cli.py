"""python -m etl brief: the briefing pack of one period as FILE.pptx or FILE.docx."""
import sys
from pathlib import Path

from etl.briefing.pack import SECTIONS, BriefError, build_pack, write_docx, write_pptx
from etl.domain import vn
from etl.domain.periods import PeriodError, from_key, parse_period
from etl.present import figures
from etl.read.scope import Scope


def _fail(message: str, code: int = 2) -> int:
    print(f"Lỗi: {message}", file=sys.stderr)
    return code


def brief_cli(db_path, period: str, units: str | None, output: str, sections=None,
              province: str | None = None, include_unreviewed: bool = False) -> int:
    """Exit 0 when written, 2 on bad input (period, province, unit, section, file type), 3 when
    no image could be made."""
    out = Path(output)
    kind = out.suffix.lower()
    if kind not in (".pptx", ".docx"):
        return _fail(f"tệp kết quả phải có đuôi .pptx hoặc .docx (nhận được «{output}»).")
    try:
        key = parse_period(period).key if "/" not in period else from_key(period).key
    except PeriodError as exc:
        return _fail(str(exc))
    codes = [u.strip() for u in (units or "").split(",") if u.strip()]
    chosen = [s.strip() for s in (sections or ",".join(SECTIONS)).split(",") if s.strip()]
    scope = Scope(key, (province or "").strip() or None, bool(include_unreviewed))

    def progress(fraction, text):
        print(f"[{round(fraction * 100):3d}%] {text}", file=sys.stderr)

    try:
        pack = build_pack(db_path, scope, codes, chosen, progress)
        data = write_pptx(pack) if kind == ".pptx" else write_docx(pack)
    except BriefError as exc:
        return _fail(str(exc))
    except figures.ExportError as exc:
        return _fail(str(exc), 3)
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
