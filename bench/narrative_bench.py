"""Narrative reports in `make bench`: a 50-page text report read and its figures extracted (target
≤ 2 s), and OCR of a 5-page scan (target ≤ 60 s on 2 cores), each beside its baseline in the same
run (reading the text alone; the scan's PDF with its text layer).

Usage: .venv/bin/python bench/narrative_bench.py   (reads tests/fixtures/viet-hoa-2025.txt;
the scan part needs LibreOffice, pdftoppm and OCRmyPDF with Vietnamese, else it is skipped)
"""
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.intake.documents import read_document  # noqa: E402
from etl.intake.narrative import extract  # noqa: E402
from etl.intake.units import load_units  # noqa: E402
from etl.warehouse import db  # noqa: E402
from etl.warehouse.reference import init_db  # noqa: E402

SAMPLE = ROOT / "tests" / "fixtures" / "viet-hoa-2025.txt"      # the real report of ../shared/reports/
PAGE_CHARS = 3000          # about one A4 page of report prose


def _timed(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def _docx(text: str) -> bytes:
    import docx
    d = docx.Document()
    for p in text.split("\n"):
        if p.strip():
            d.add_paragraph(p.replace("**", ""))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _scan(docx_bytes: bytes, work: Path, pages: int = 5) -> tuple[bytes, bytes]:
    """(the PDF LibreOffice makes of the report, an image-only PDF of its first pages at 200 dpi)."""
    from PIL import Image
    (work / "r.docx").write_bytes(docx_bytes)
    subprocess.run(["soffice", f"-env:UserInstallation={(work / 'p').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(work), str(work / "r.docx")],
                   check=True, capture_output=True, timeout=180)
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-f", "1", "-l", str(pages), "-png",
                    str(work / "r.pdf"), str(work / "page")], check=True, timeout=180)
    images = [Image.open(p) for p in sorted(work.glob("page-*.png"))]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=200)
    return (work / "r.pdf").read_bytes(), out.getvalue()


def main() -> int:
    if not SAMPLE.exists():
        print(f"Bỏ qua: không có {SAMPLE}.")
        return 0
    sample = SAMPLE.read_text(encoding="utf-8")
    long_text = (sample + "\n\n") * (50 * PAGE_CHARS // len(sample) + 1)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        init_db(work / "b.duckdb")
        with db.connect(work / "b.duckdb", read_only=True) as con:
            units = load_units(con)
        data = _docx(long_text)
        read_s, doc = _timed(lambda: read_document(data, "bao-cao-50-trang.docx"))
        total_s, draft = _timed(lambda: extract(read_document(data, "bao-cao-50-trang.docx").text, units))
        pages = len(doc.text) / PAGE_CHARS
        print("Báo cáo viết (s)")
        print(f"  {pages:.0f} trang .docx: đọc văn bản {read_s:.2f} (mốc so sánh), đọc + trích "
              f"{len(draft.values)} số liệu {total_s:.2f} — mục tiêu ≤ 2: "
              f"{'đạt' if total_s <= 2 else 'KHÔNG ĐẠT'}")
        tools = all(shutil.which(t) for t in ("soffice", "pdftoppm", "ocrmypdf"))
        if not tools:
            print("  Quét 5 trang: bỏ qua (thiếu LibreOffice, pdftoppm hoặc OCRmyPDF).")
            return 0
        text_pdf, scan = _scan(_docx(sample), work)
        base_s, _ = _timed(lambda: read_document(text_pdf, "bao-cao.pdf"), repeat=1)
        ocr_s, scanned = _timed(lambda: read_document(scan, "bao-cao-quet.pdf"), repeat=1)
        found = extract(scanned.text, units)
        print(f"  Quét 5 trang (200 dpi): PDF có lớp chữ {base_s:.2f} (mốc so sánh), nhận dạng chữ "
              f"{ocr_s:.1f}, {len(found.values)} số liệu — mục tiêu ≤ 60: "
              f"{'đạt' if ocr_s <= 60 else 'KHÔNG ĐẠT'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
