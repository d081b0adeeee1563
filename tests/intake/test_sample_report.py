"""The real report of Phường Việt Hòa (shared/reports/viet-hoa-2025.txt), typed into the form.

From the report, 01/07/2025–20/11/2025: 17 km², 30.575 people, 2.370 party members in 49 cells;
the Chairman received "14 người với 6 lượt" and 5 petitions (phản ánh, kiến nghị), the citizen
reception board "44 người, với 36 lượt" and 21 petitions, "không có đoàn đông người" (= 0).
Everything the report does not give stays blank: not reported, never 0.
"""
import pytest

from etl.domain import layout
from etl.intake.loader import load_files
from etl.warehouse import db
from tests.report_files import fresh_db, report

UNIT, PERIOD = "10543", "2025-07-01:2025-11-20"
FIGURES = {
    "population": 30575,
    "area_km2": 17,
    "party_members": 2370,
    "party_cells": 49,
    "reception_visits": 6 + 36,
    "reception_people": 14 + 44,
    "petitions_feedback": 5 + 21,
    "crowd_delegations": 0,
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    work = tmp_path_factory.mktemp("viet-hoa")
    db_path = fresh_db(work)
    path = report(db_path, work, FIGURES, name="viet-hoa-2025.xlsx", unit=UNIT, period=PERIOD)
    [result] = load_files(db_path, [path], sent_by="UBND phường Việt Hòa")
    return db_path, result


def current(db_path):
    with db.connect(db_path, read_only=True) as con:
        return {code: (value, sheet, cell) for code, value, sheet, cell in con.execute(
            "SELECT indicator_code, value, sheet, cell FROM current_values "
            "WHERE unit_code = ? AND period_key = ?", [UNIT, PERIOD]).fetchall()}


def test_the_report_loads_cleanly(loaded):
    _, r = loaded
    assert (r.status, r.unit_name, r.version, r.n_values) == ("loaded", "Phường Việt Hòa", 1, 8)
    assert r.period_label == "Từ 01/07/2025 đến 20/11/2025"
    assert r.findings == []     # the sample's figures satisfy every rule (58 people ≥ 42 visits)


def test_figures_read_back_from_current_values(loaded):
    db_path, _ = loaded
    values = {code: v for code, (v, _, _) in current(db_path).items()}
    assert values == FIGURES
    assert values["crowd_delegations"] == 0          # "không có đoàn đông người" is stored as 0


def test_indicators_the_report_does_not_give_are_absent(loaded):
    db_path, _ = loaded
    got = current(db_path)
    for blank in ("petitions_received", "petitions_complaint", "mediation_cases", "dialogues",
                  "dv_score_c01", "residential_groups"):
        assert blank not in got
    with db.connect(db_path, read_only=True) as con:
        n_indicators = con.execute("SELECT count(*) FROM indicators").fetchone()[0]
        stored = con.execute("SELECT count(*) FROM submission_values").fetchone()[0]
    assert stored == len(FIGURES) < n_indicators


def test_each_value_traces_to_its_sheet_and_cell(loaded):
    db_path, _ = loaded
    got = current(db_path)
    assert got["population"][1:] == (layout.SHEET_VALUES, "F5")
    assert got["reception_people"][1:] == (layout.SHEET_VALUES, "F19")
    with db.connect(db_path, read_only=True) as con:
        file_name, sent_by, period = con.execute(
            "SELECT file_name, sent_by, period_key FROM submissions").fetchone()
        start, end = con.execute("SELECT start_date, end_date FROM periods WHERE period_key = ?",
                                 [PERIOD]).fetchone()
    assert (file_name, sent_by, period) == ("viet-hoa-2025.xlsx", "UBND phường Việt Hòa", PERIOD)
    assert (start.isoformat(), end.isoformat()) == ("2025-07-01", "2025-11-20")
