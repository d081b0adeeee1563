"""Optical character recognition, in Vietnamese, of the PDF pages that have no text layer, by
OCRmyPDF (which rasterises, turns sideways pages upright and runs Tesseract on 2 cores at most)
as a program, under a time limit that grows with the pages, in a private directory removed
afterwards. Images become such a PDF first (images.py).
"""
import re

from etl.intake.documents import limits, tools
from etl.intake.documents.model import DocumentRefused

WHY = "bản scan hoặc ảnh chụp, phải nhận dạng chữ (OCR)"
# OCRmyPDF's verbose log names a page as it joins the output: our page-by-page progress. Only
# progress depends on this wording; the text comes from the sidecar file.
_PAGE_DONE = re.compile(r"^\s*(\d+) Grafting\b")
_SKIPPED = re.compile(r"\s*\[OCR skipped on page\(s\) (\d+)(?:-(\d+))?\]\s*")


def too_many(name: str, count: int) -> DocumentRefused:
    return DocumentRefused("ocr_too_many_pages", f"Tệp «{name}» có {count} trang là bản scan (không có lớp "
                                                 f"chữ); chỉ nhận dạng chữ (OCR) tối đa {limits.MAX_OCR_PAGES} "
                                                 "trang. Hãy gửi bản .docx hoặc PDF xuất từ Word.")


def _failed(name: str) -> DocumentRefused:
    return DocumentRefused("ocr_failed", f"Không nhận dạng được chữ trong tệp «{name}» (công cụ OCR báo lỗi). "
                                         "Hãy scan lại rõ hơn, hoặc gửi bản .docx hay PDF xuất từ Word.")


def _timeout(pages: int) -> float:
    return limits.OCR_TIMEOUT_BASE_S + limits.OCR_TIMEOUT_PER_PAGE_S * pages


def _say(progress, fraction: float, text: str) -> None:
    if progress:
        progress(min(max(fraction, 0.0), 1.0), text)


def ocr_pdf_pages(data: bytes, name: str, pages: list[int], progress=None) -> dict[int, str]:
    """The recognised text of the given pages (0-based) of a PDF."""
    ocrmypdf = tools.find("ocrmypdf", name, WHY)
    tools.require_vietnamese(tools.find("tesseract", name, WHY), name, WHY)
    done: set[int] = set()

    def on_line(line: str) -> None:
        if m := _PAGE_DONE.match(line):
            done.add(int(m[1]))
            _say(progress, len(done) / len(pages), f"Đã nhận dạng chữ {len(done)}/{len(pages)} trang scan…")

    _say(progress, 0.0, f"Đang nhận dạng chữ (OCR) {len(pages)} trang scan…")
    with tools.private_dir() as work:
        (work / "input.pdf").write_bytes(data)
        args = [ocrmypdf, "-l", "vie", "--jobs", str(limits.OCR_JOBS), "--force-ocr", "--rotate-pages",
                "--pages", ",".join(str(p + 1) for p in pages), "--output-type", "none",
                "--sidecar", str(work / "text.txt"), "--max-image-mpixels",
                str(limits.MAX_IMAGE_PIXELS // 1_000_000), "-v", "1", str(work / "input.pdf"), "-"]
        code = tools.run(args, work, _timeout(len(pages)), name, on_line)
        sidecar = work / "text.txt"
        if code != 0 or not sidecar.is_file():
            raise _failed(name)
        text = sidecar.read_text(encoding="utf-8", errors="replace")
    _say(progress, 1.0, "Đã nhận dạng chữ xong.")
    return _split_sidecar(text, set(pages))


def _split_sidecar(text: str, wanted: set[int]) -> dict[int, str]:
    """Pages of the sidecar file: one per form feed, a run of pages not OCR'd as one marker."""
    found, page = {}, 0
    for segment in text.split("\f"):
        if m := _SKIPPED.fullmatch(segment):
            page = int(m[2] or m[1])
            continue
        if page in wanted:
            found[page] = segment
        page += 1
    return {p: found.get(p, "") for p in wanted}
