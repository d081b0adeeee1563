"""Benchmark: build the 12-chart briefing pack on the demo database (not part of `make test`).

Usage: .venv/bin/python bench/brief_bench.py [DB]   (default: a fresh demo DB in a temp dir)
Prints the pack build time (query + images through one reused export browser), the time per
image once the browser runs, and the time to write the .pptx and .docx. Target: ≤ 20 s.
"""
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.briefing import pack as briefing
from etl.domain import vn
from etl.present import figures
from etl.read import reference
from etl.read.scope import Scope
from etl.warehouse import db

TARGET_S = 20.0


def main() -> int:
    if len(sys.argv) > 1:
        path = Path(sys.argv[1])
    else:
        from etl.synthetic.demo import generate
        path = Path(tempfile.mkdtemp()) / "bench.duckdb"
        generate(path, seed=2025)
    with db.connect(path, read_only=True) as con:
        years = reference.periods(con)
        period = years.loc[years["kind"] == "year", "period_key"].iloc[0]
    figures.close()                       # measure a cold start: the browser launch counts
    t0 = time.perf_counter()
    pack = briefing.build_pack(path, Scope(period))
    build = time.perf_counter() - t0
    n = len(pack.items)
    t1 = time.perf_counter()
    for item in pack.items:               # warm browser: the cost of one more image
        figures.to_image(item.figure, "png")
    per_image = (time.perf_counter() - t1) / max(1, n)
    t2 = time.perf_counter()
    pptx, docx = briefing.write_pptx(pack), briefing.write_docx(pack)
    write = time.perf_counter() - t2
    figures.close()
    print(f"Kỳ {pack.period_label}: {n} biểu đồ")
    print(f"  dựng gói (đọc số liệu {vn.format_number(pack.timings['collect_s'], 2)} s + ảnh "
          f"{vn.format_number(pack.timings['images_s'], 2)} s): {vn.format_number(build, 2)} s "
          f"(mục tiêu ≤ {vn.format_number(TARGET_S)} s)")
    print(f"  mỗi ảnh PNG 2560×1440 khi trình duyệt đã chạy: {vn.format_number(per_image * 1000, 0)} ms")
    print(f"  ghi .pptx ({vn.format_number(len(pptx) / 1e6, 1)} MB) và .docx "
          f"({vn.format_number(len(docx) / 1e6, 1)} MB): {vn.format_number(write, 2)} s")
    return 0 if build <= TARGET_S and n == 12 else 1


if __name__ == "__main__":
    sys.exit(main())
