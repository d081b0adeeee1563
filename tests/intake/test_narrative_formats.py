"""The shared sample through every format a ward sends: the same figures come out of its .txt, a
.docx, a PDF made from it and a scan of that PDF (etl.intake.documents, then etl.intake.narrative).
The files are the ones tests/intake/test_documents.py builds (fixtures shared by conftest.py)."""

from etl.intake.documents import read_document
from etl.intake.narrative import extract
from tests.intake.test_documents import SCAN_PAGES, image_pdf, needs

# The figures of the sample's text (tests/intake/test_narrative.py checks them one by one).
FIGURES = {"population": 30575, "area_km2": 17, "party_members": 2370, "party_cells": 49,
           "reception_people": 44, "reception_visits": 36, "petitions_complaint": 0,
           "petitions_denunciation": 0, "crowd_delegations": 0}


def figures_of(data: bytes, name: str, units) -> tuple[dict, object]:
    doc = read_document(data, name)
    draft = extract(doc.text, units, name, doc.sha256)
    return {k: best.value for k, (best, _) in draft.values.items()}, draft


def test_txt(sample, units):
    got, draft = figures_of(sample.encode("utf-8"), "bao-cao.txt", units)
    assert FIGURES.items() <= got.items() and draft.unit.code == "10543"


def test_docx_with_a_table(report_docx, units):
    got, draft = figures_of(report_docx, "bao-cao.docx", units)
    assert FIGURES.items() <= got.items()
    assert draft.unit.code == "10543" and draft.period.period.key == "2025-07-01:2025-11-20"


@needs("soffice")
def test_pdf_made_from_it(report_pdf, units):
    got, draft = figures_of(report_pdf, "bao-cao.pdf", units)
    assert FIGURES.items() <= got.items()
    assert draft.unit.code == "10543" and draft.period.period.key == "2025-07-01:2025-11-20"


@needs("soffice", "pdftoppm", "ocrmypdf")
def test_a_scan_of_that_pdf(scanned_pages, units):
    got, draft = figures_of(image_pdf(scanned_pages), "bao-cao-scan.pdf", units)
    # The scan holds the first pages: the profile and the reception figures are on them; OCR
    # may misread «km²», so the area is not required.
    wanted = {k: v for k, v in FIGURES.items() if k != "area_km2"}
    assert wanted.items() <= got.items(), (SCAN_PAGES, got)
    assert got.get("area_km2") in (None, 17)
    assert draft.unit.code == "10543"
