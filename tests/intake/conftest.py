"""Fixtures of tests/intake shared across its modules: the sample report as every format a ward
sends (built in test_documents.py, where the document layer is tested on them)."""
from tests.intake.test_documents import (  # noqa: F401 (pytest finds fixtures by name here)
    converted,
    paragraphs,
    report_docx,
    report_pdf,
    sample,
    scanned_pages,
)
