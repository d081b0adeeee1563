"""Fixtures of tests/intake shared across its modules: the registry's units, and the sample report
as every format a ward sends (built in test_documents.py, where the document layer is tested on
them)."""
import pytest

from etl.intake.units import load_units
from etl.warehouse import db
from etl.warehouse.reference import init_db
from tests.intake.test_documents import (  # noqa: F401 (pytest finds fixtures by name here)
    converted,
    paragraphs,
    report_docx,
    report_pdf,
    sample,
    scanned_pages,
)


@pytest.fixture(scope="module")
def units(tmp_path_factory):
    """Every unit of the registry (etl.intake.units.load_units), current and old."""
    path = tmp_path_factory.mktemp("units") / "u.duckdb"
    init_db(path)
    with db.connect(path, read_only=True) as con:
        return load_units(con)
