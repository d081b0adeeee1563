"""Paths of the files tests read. The real ward report of ../shared/reports/ is kept in
tests/fixtures/ too, so a fresh clone on a bare machine (CI) tests with it."""
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE_REPORT = FIXTURES / "viet-hoa-2025.txt"      # copy of ../shared/reports/viet-hoa-2025.txt
