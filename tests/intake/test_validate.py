"""validate() on hand-made ParsedReports: no files, no database inside the checks."""
from datetime import date, datetime

import pytest

from etl.domain import layout
from etl.intake.reader import ParsedReport, ValueCell
from etl.intake.validate import (
    Catalogue,
    History,
    Stats,
    Unit,
    load_reference,
    parse_rule,
    validate,
)
from etl.warehouse import db
from etl.warehouse.reference import init_db

TODAY = date(2026, 1, 15)
SHEET = layout.SHEET_VALUES


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "t.duckdb"
    init_db(path)
    with db.connect(path, read_only=True) as con:
        return load_reference(con)


@pytest.fixture()
def catalogue(reference):
    return reference[0]


@pytest.fixture()
def units(reference):
    units = dict(reference[1])
    # An old unit, dissolved by the 2025 merger, to check periods after its end.
    units["09999@2025-06-30"] = Unit("09999@2025-06-30", "Xã Cũ (cũ)", date(2000, 1, 1),
                                     date(2025, 6, 30), "Xã", "09999", "Xã Cũ, huyện A (đến 30/06/2025)")
    return units


def make(values: dict, unit="10543", period="2025-Q3", **extra) -> ParsedReport:
    """values: code -> raw cell content; cells get addresses F5, F6, ... in order."""
    cells = [ValueCell(code, raw, SHEET, f"F{5 + i}") for i, (code, raw) in enumerate(values.items())]
    info = {"unit_code": (unit, "B3"), "period_key": (period, "B5")}
    return ParsedReport("r.xlsx", sha256="x", template_version=layout.TEMPLATE_VERSION,
                        unit_code=unit, period_key=period, info=info, values_sheet=SHEET,
                        cells=cells, **extra)


def check(catalogue, units, values, history=None, **kw):
    return validate(make(values, **kw), catalogue, units, history, today=TODAY)


def rules_of(result, severity=None):
    return [f.rule for f in result.findings if severity in (None, f.severity)]


def only(result, rule):
    [f] = [f for f in result.findings if f.rule == rule]
    return f


def test_clean_report_gives_value_rows_with_source(catalogue, units):
    r = check(catalogue, units, {"population": 30575.0, "area_km2": 17, "crowd_delegations": 0.0,
                                 "mediation_cases": None, "mediation_successful": "  "})
    assert r.ok and r.findings == []
    got = {v.indicator_code: (v.value, v.sheet, v.cell) for v in r.values}
    # blanks (None, whitespace) give no row at all; 0 is a value
    assert got == {"population": (30575, SHEET, "F5"), "area_km2": (17, SHEET, "F6"),
                   "crowd_delegations": (0, SHEET, "F7")}
    assert r.unit.name == "Phường Việt Hòa" and r.period.key == "2025-Q3"


@pytest.mark.parametrize("code, raw, rule", [
    ("reception_visits", -3, "negative_value"),
    ("reception_visits", 12.5, "not_integer"),
    ("reception_visits", "12,5", "not_integer"),
    ("reception_visits", "mười", "not_a_number"),
    ("reception_visits", "42 lượt", "not_a_number"),
    ("reception_visits", "12.5", "not_a_number"),      # English decimal point: ambiguous, refused
    ("reception_visits", True, "not_a_number"),
    ("reception_visits", date(2025, 1, 2), "not_a_number"),
    ("reception_visits", datetime(2025, 1, 2, 3, 4), "not_a_number"),
    ("reception_visits", float("nan"), "not_a_number"),
    ("dv_score_c03", 10.5, "out_of_range"),
    ("dv_score_c03", "-1", "negative_value"),
    ("no_such_code", 5, "unknown_indicator"),
    ("", 5, "missing_code"),
])
def test_each_value_rule_refuses_with_the_cell(catalogue, units, code, raw, rule):
    r = check(catalogue, units, {"population": 30575, code: raw})
    assert not r.ok and rules_of(r, "error") == [rule]
    f = only(r, rule)
    assert (f.sheet, f.cell, f.severity) == (SHEET, "F6", "error")
    assert f.message and f.file == "r.xlsx"
    assert [v.indicator_code for v in r.values] == ["population"]


def test_duplicate_code_rows_are_an_error(catalogue, units):
    report = make({"population": 1})
    report.cells.append(ValueCell("population", 2, SHEET, "F40"))
    r = validate(report, catalogue, units, today=TODAY)
    f = only(r, "duplicate_indicator")
    assert f.severity == "error" and f.cell == "F40" and "F5" in f.message


def test_vn_text_numbers_are_read_with_a_notice(catalogue, units):
    r = check(catalogue, units, {"reception_visits": "1.020", "reception_people": "1.100",
                                 "area_km2": "19,94", "population": 1020.0})
    assert r.ok and rules_of(r) == ["number_as_text"] * 3
    vals = {v.indicator_code: (v.value, v.raw_text) for v in r.values}
    assert vals == {"reception_visits": (1020, "1.020"), "reception_people": (1100, "1.100"),
                    "area_km2": (19.94, "19,94"), "population": (1020, None)}
    f = r.findings[0]
    assert (f.cell, f.severity, f.value) == ("F5", "notice", "1.020") and "1020" in f.message


def test_float_noise_from_formulas_is_not_a_decimal(catalogue, units):
    r = check(catalogue, units, {"reception_visits": 0.1 * 30, "dv_score_c01": 0.1 * 3})
    assert r.ok and r.findings == []
    assert {v.indicator_code: v.value for v in r.values} == {"reception_visits": 3, "dv_score_c01": 0.1 * 3}


@pytest.mark.parametrize("values, rule, severity", [
    ({"petitions_feedback": 5, "petitions_complaint": 0, "petitions_denunciation": 0,
      "petitions_received": 6}, "petitions_sum", "error"),
    ({"reception_visits": 6, "reception_people": 5}, "people_per_visit", "error"),
    ({"mediation_cases": 3, "mediation_successful": 4}, "mediation_success", "error"),
    ({"population": 100, "party_members": 101}, "party_vs_population", "error"),
    ({"petitions_received": 3, "petitions_resolved": 4}, "petitions_resolved_vs_received", "warning"),
    ({"dialogue_opinions": 3, "dialogue_opinions_resolved": 4}, "opinions_resolved_vs_received",
     "warning"),
])
def test_rules_from_rules_csv(catalogue, units, values, rule, severity):
    r = check(catalogue, units, values)
    f = only(r, rule)
    assert f.severity == severity and r.ok == (severity != "error")
    cells = [f"F{5 + i}" for i in range(len(values))]
    assert sorted(f.cell.split(", ")) == sorted(cells)


def test_rules_hold_at_their_bounds_and_skip_missing_parts(catalogue, units):
    ok = {"petitions_feedback": 5, "petitions_complaint": 0, "petitions_denunciation": 0,
          "petitions_received": 5, "reception_visits": 6, "reception_people": 6,
          "mediation_cases": 3, "mediation_successful": 3, "petitions_resolved": 5}
    assert check(catalogue, units, ok).findings == []
    # the sum rule needs all four parts; a blank part means it cannot be checked
    partial = {"petitions_feedback": 5, "petitions_complaint": None, "petitions_received": 99}
    assert check(catalogue, units, partial).findings == []


def test_rules_are_data(catalogue, units):
    custom = Catalogue(catalogue.indicators, [parse_rule(
        "docs_vs_sessions", "directive_docs + dialogues", "<", "propaganda_sessions", "error",
        "Văn bản cộng đối thoại phải ít hơn số buổi tuyên truyền")])
    r = check(custom, units, {"directive_docs": 2, "dialogues": 3, "propaganda_sessions": 5})
    f = only(r, "docs_vs_sessions")
    assert f.severity == "error" and "5" in f.value and f.message.startswith("Văn bản cộng")
    assert check(custom, units, {"directive_docs": 2, "dialogues": 2, "propaganda_sessions": 5}).ok
    with pytest.raises(ValueError):
        parse_rule("x", "a", "~", "b", "error", "")


@pytest.mark.parametrize("unit, period, rule, severity", [
    (None, "2025-Q3", "missing_unit", "error"),
    ("99999", "2025-Q3", "unknown_unit", "error"),
    ("10543", None, "bad_period", "error"),
    ("10543", "2025-Q5", "bad_period", "error"),
    ("10543", "2025-07-01:2025-06-01", "bad_period", "error"),
    ("09999", "2025-Q3", "period_after_unit_end", "error"),
    ("10543", "2026-Q2", "period_in_future", "error"),
    ("10543", "2026-Q1", "period_not_ended", "warning"),
    # 10543 was also an old unit's code (Phường Việt Hoà until 30/06/2025): a 2024 file that
    # does not say which unit it is for is refused, never guessed.
    ("10543", "2024", "unit_ambiguous", "error"),
    ("10543", "2025", "period_before_unit", "notice"),
    ("10507", "2025-H1", "unit_ambiguous", "error"),
])
def test_unit_and_period_checks(catalogue, units, unit, period, rule, severity):
    r = check(catalogue, units, {"population": 30575}, unit=unit, period=period)
    f = only(r, rule)
    assert f.severity == severity and f.sheet == layout.SHEET_INFO and f.cell in ("B3", "B5")
    assert r.ok == (severity != "error")
    if rule == "period_before_unit":
        assert "trên địa bàn hiện nay" in f.message and r.values


def test_old_unit_may_report_its_own_past(catalogue, units):
    assert check(catalogue, units, {"population": 5000}, unit="09999", period="2024").findings == []
    r = check(catalogue, units, {"population": 5000}, unit="09999", period="2025")
    assert rules_of(r) == ["period_after_unit_end"] and "2025-H1" in r.findings[0].message


def test_a_code_used_before_and_after_the_merger_is_resolved_by_the_form(catalogue, units):
    # The form's hidden unit id says which unit: the old Phường Việt Hoà, or the current Việt
    # Hòa reporting its present territory for 2024.
    old = check(catalogue, units, {"population": 1}, period="2024",
                meta={"unit_id": "10543@2025-06-30", "unit_code": "10543"})
    assert old.ok and old.unit.code == "10543@2025-06-30" and old.findings == []
    new = check(catalogue, units, {"population": 1}, period="2024",
                meta={"unit_id": "10543", "unit_code": "10543"})
    assert new.unit.code == "10543" and rules_of(new) == ["period_before_unit"]
    # So does the id typed in «Mã đơn vị» of a form without its hidden sheet.
    typed = check(catalogue, units, {"population": 1}, unit="10543@2025-06-30", period="2024")
    assert typed.unit.code == "10543@2025-06-30" and typed.ok
    # A code with nothing to say which unit: the message says how to choose.
    [f] = check(catalogue, units, {"population": 1}, period="2024").findings
    assert "10543@2025-06-30" in f.message and "--territory current" in f.message
    # A form of the first template version was made for a current unit.
    first = make({"population": 1}, period="2024", meta={"unit_code": "10543"})
    first.template_version = "DV-2025.1"
    assert validate(first, catalogue, units, today=TODAY).unit.code == "10543"


def test_template_and_meta_notices(catalogue, units):
    r = validate(make({"population": 1}, meta={"unit_code": "11002", "period_key": "2025-Q3"}),
                 catalogue, units, today=TODAY)
    assert only(r, "template_mismatch").severity == "warning"
    old = make({"population": 1})
    old.template_version = "DV-2024.0"
    assert rules_of(validate(old, catalogue, units, today=TODAY)) == ["template_version_differs"]


def test_read_errors_stop_validation(catalogue, units):
    from etl.domain.findings import Finding
    report = make({"population": -1})
    report.findings.append(Finding("r.xlsx", "", "", "", "corrupt_file", "error", "hỏng"))
    r = validate(report, catalogue, units, today=TODAY)
    assert rules_of(r) == ["corrupt_file"] and r.values == []


# --- history -----------------------------------------------------------------------------------

def _history(own=None, peers=None, population=None):
    return History({k: Stats(*v) for k, v in (own or {}).items()},
                   {k: Stats(*v) for k, v in (peers or {}).items()}, population)


Q3_DAYS = 92   # 2025-Q3


def test_far_from_own_history_is_a_warning(catalogue, units):
    # earlier quarters: about 0.5 visits a day (46 a quarter)
    h = _history(own={"reception_visits": (4, 0.45, 0.5, 0.55), "population": (4, 30000, 30500, 31000)})
    r = check(catalogue, units, {"reception_visits": 460, "reception_people": 500}, h)
    f = only(r, "outlier_history")
    assert (f.severity, f.cell, f.value) == ("warning", "F5", "460") and r.ok
    assert check(catalogue, units, {"reception_visits": 50, "reception_people": 60}, h).findings == []
    # a stock is compared as a level, not per day
    assert only(check(catalogue, units, {"population": 90000}, h), "outlier_history").cell == "F5"


def test_too_little_history_says_nothing(catalogue, units):
    h = _history(own={"reception_visits": (3, 0.45, 0.5, 0.55)})
    assert check(catalogue, units, {"reception_visits": 460, "reception_people": 500}, h).findings == []


def test_far_from_other_units_per_10000_residents(catalogue, units):
    # other units: 0.02 mediation cases per 10,000 residents per day; 30,000 people, 92 days -> ~5.5
    h = _history(peers={"mediation_cases": (10, 0.015, 0.02, 0.025)}, population=30000)
    r = check(catalogue, units, {"mediation_cases": 200}, h)
    assert only(r, "outlier_units").severity == "warning"
    assert check(catalogue, units, {"mediation_cases": 6}, h).findings == []
    few = _history(peers={"mediation_cases": (9, 0.015, 0.02, 0.025)}, population=30000)
    assert check(catalogue, units, {"mediation_cases": 200}, few).findings == []
    # the report's own population wins over the stored one
    r = check(catalogue, units, {"population": 3_000_000, "mediation_cases": 200}, h)
    assert "outlier_units" not in rules_of(r)


def test_zero_where_large_values_before(catalogue, units):
    h = _history(own={"petitions_received": (2, 0.9, 1.0, 1.1)})   # ~92 a quarter
    f = only(check(catalogue, units, {"petitions_received": 0}, h), "zero_after_large")
    assert f.severity == "warning" and f.value == "0"
    small = _history(own={"petitions_received": (6, 0.0, 0.05, 0.1)})  # ~5 a quarter
    assert check(catalogue, units, {"petitions_received": 0}, small).findings == []
