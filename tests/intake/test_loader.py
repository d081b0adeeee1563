import json

import pytest
from openpyxl import load_workbook

from etl.__main__ import main
from etl.domain import layout
from etl.intake import loader
from etl.intake.loader import check_file, load_files
from etl.warehouse import db, store
from tests.report_files import FIXTURES, counts, fresh_db, report
from tests.workbooks import set_info

GOOD = {"population": 30575, "reception_visits": 42, "reception_people": 58}


@pytest.fixture()
def db_path(tmp_path):
    return fresh_db(tmp_path)


def rows(db_path, sql, params=()):
    with db.connect(db_path, read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def load_one(db_path, path, **kw):
    [result] = load_files(db_path, [path], **kw)
    return result


def _edit_values_sheet(path, out, edit):
    wb = load_workbook(path)
    edit(wb[layout.SHEET_VALUES])
    wb.save(out)
    return out


def _code_cell(ws, code):
    return next(ws.cell(r, 3) for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == code)


# One form per rule: each is refused, names the sheet, cell and rule, and writes nothing.
CASES = {
    "negative_value": ({"reception_visits": -1}, layout.SHEET_VALUES, "F18"),
    "not_integer": ({"party_cells": 12.5}, layout.SHEET_VALUES, "F8"),
    "out_of_range": ({"dv_score_c02": 11}, layout.SHEET_VALUES, "F34"),
    "not_a_number": ({"population": "khoảng 30 nghìn"}, layout.SHEET_VALUES, "F5"),
    "petitions_sum": ({"petitions_received": 26, "petitions_feedback": 20, "petitions_complaint": 0,
                       "petitions_denunciation": 1}, layout.SHEET_VALUES, "F22, F23, F24, F21"),
    "people_per_visit": ({"reception_visits": 42, "reception_people": 41}, layout.SHEET_VALUES,
                         "F19, F18"),
    "mediation_success": ({"mediation_cases": 30, "mediation_successful": 31}, layout.SHEET_VALUES,
                          "F30, F29"),
    "party_vs_population": ({"population": 2000, "party_members": 2370}, layout.SHEET_VALUES,
                            "F7, F5"),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_refuses_the_file_and_writes_nothing(db_path, tmp_path, rule):
    values, sheet, cell = CASES[rule]
    path = report(db_path, tmp_path, values)
    before = counts(db_path)
    r = load_one(db_path, path)
    assert r.status == "refused" and not r.ok
    errors = [f for f in r.findings if f.severity == "error"]
    assert [(f.rule, f.sheet, f.cell) for f in errors] == [(rule, sheet, cell)]
    assert counts(db_path) == before


@pytest.mark.parametrize("rule, edit, cell", [
    ("unknown_indicator", lambda ws: setattr(_code_cell(ws, "population"), "value", "dan_so"), "F5"),
    ("duplicate_indicator", lambda ws: setattr(_code_cell(ws, "area_km2"), "value", "population"),
     "F6"),
    ("not_a_number", lambda ws: setattr(ws["F9"], "value", True), "F9"),
])
def test_structural_edits_are_refused(db_path, tmp_path, rule, edit, cell):
    path = _edit_values_sheet(report(db_path, tmp_path, {"population": 1, "area_km2": 2}),
                              tmp_path / "edited.xlsx", edit)
    before = counts(db_path)
    r = load_one(db_path, path)
    assert r.status == "refused"
    assert [(f.rule, f.cell) for f in r.findings if f.severity == "error"] == [(rule, cell)]
    assert counts(db_path) == before


@pytest.mark.parametrize("label, value, rule", [
    ("Mã đơn vị", "99999", "unknown_unit"),
    ("Mã kỳ báo cáo", "quý 3 năm 2025", "bad_period"),
    ("Mã kỳ báo cáo", "2099-Q1", "period_in_future"),
])
def test_header_errors_are_refused(db_path, tmp_path, label, value, rule):
    path = set_info(report(db_path, tmp_path, GOOD), label, value, tmp_path / "info.xlsx")
    before = counts(db_path)
    r = load_one(db_path, path)
    assert r.status == "refused"
    [f] = [f for f in r.findings if f.severity == "error"]
    assert (f.rule, f.sheet) == (rule, layout.SHEET_INFO) and f.cell.startswith("B")
    assert counts(db_path) == before


def test_loaded_values_sources_notice_and_blank_vs_zero(db_path, tmp_path):
    path = report(db_path, tmp_path, {**GOOD, "reception_visits": "1.020", "reception_people": 1100,
                                      "crowd_delegations": 0, "mediation_cases": None})
    r = load_one(db_path, path, sent_by="cán bộ A")
    assert (r.status, r.version, r.n_values, r.unit_name) == ("loaded", 1, 4, "Phường Việt Hòa")
    got = dict(rows(db_path, "SELECT indicator_code, value FROM current_values WHERE submission_id = ?",
                    [r.submission_id]))
    assert got == {"population": 30575, "reception_visits": 1020, "reception_people": 1100,
                   "crowd_delegations": 0}
    assert "mediation_cases" not in got            # blank: no row, never 0
    assert rows(db_path, "SELECT sheet, cell, raw_text FROM submission_values "
                         "WHERE indicator_code = 'reception_visits'") == [
        (layout.SHEET_VALUES, "F18", "1.020")]
    assert rows(db_path, "SELECT rule, severity, cell FROM findings") == [
        ("number_as_text", "notice", "F18")]
    sub = rows(db_path, "SELECT sha256, template_version, sent_by, file_name, is_current FROM submissions")
    assert sub == [(r_sha(path), layout.TEMPLATE_VERSION, "cán bộ A", "r.xlsx", True)]
    assert rows(db_path, "SELECT size_bytes, content = ? FROM files", [path.read_bytes()]) == [
        (path.stat().st_size, True)]
    assert rows(db_path, "SELECT actor, action, submission_id FROM audit_log WHERE action <> 'init'") == [
        ("cán bộ A", "load", r.submission_id)]


def r_sha(path):
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_file_twice_is_unchanged(db_path, tmp_path):
    path = report(db_path, tmp_path, GOOD)
    first = load_one(db_path, path)
    before = counts(db_path)
    again = load_one(db_path, path)
    assert again.status == "unchanged" and again.ok
    assert (again.submission_id, again.version) == (first.submission_id, 1)
    assert loader.ALREADY_LOADED in again.message
    assert counts(db_path) == before


def test_second_file_is_version_two_and_version_one_is_kept(db_path, tmp_path):
    v1 = load_one(db_path, report(db_path, tmp_path, GOOD, name="v1.xlsx"))
    v2 = load_one(db_path, report(db_path, tmp_path, {**GOOD, "reception_people": 60}, name="v2.xlsx"))
    assert (v2.status, v2.version, v2.superseded_id) == ("loaded", 2, v1.submission_id)
    subs = rows(db_path, "SELECT submission_id, version, is_current, superseded_by FROM submissions "
                         "ORDER BY version")
    assert subs == [(v1.submission_id, 1, False, v2.submission_id), (v2.submission_id, 2, True, None)]
    # version 1's values are still stored; the dashboard view shows only version 2
    assert rows(db_path, "SELECT value FROM submission_values WHERE submission_id = ? AND "
                         "indicator_code = 'reception_people'", [v1.submission_id]) == [(58,)]
    assert rows(db_path, "SELECT value FROM current_values WHERE unit_code = '10543' AND "
                         "indicator_code = 'reception_people'") == [(60,)]
    from etl.cli.load import summary_line
    assert "thay phiên bản trước" in summary_line(v2)


def test_dry_run_writes_nothing(db_path, tmp_path):
    path = report(db_path, tmp_path, GOOD)
    before, version = counts(db_path), db.data_version(db_path)
    r = load_one(db_path, path, dry_run=True)
    assert (r.status, r.n_values, r.submission_id) == ("checked", 3, None)
    assert counts(db_path) == before and db.data_version(db_path) == version


def test_warnings_are_stored_or_held_for_confirmation(db_path, tmp_path):
    path = report(db_path, tmp_path, {**GOOD, "petitions_received": 3, "petitions_resolved": 5})
    before = counts(db_path)
    held = load_one(db_path, path, confirm_warnings=False)
    assert held.status == "checked" and counts(db_path) == before
    r = load_one(db_path, path)
    assert r.status == "loaded"
    assert rows(db_path, "SELECT rule, severity, cell FROM findings WHERE submission_id = ?",
                [r.submission_id]) == [("petitions_resolved_vs_received", "warning", "F25, F21")]


def test_period_before_unit_creation_is_accepted_with_notice(db_path, tmp_path):
    r = load_one(db_path, report(db_path, tmp_path, GOOD, period="2024"))
    assert r.status == "loaded"
    [f] = r.findings
    assert f.rule == "period_before_unit" and "trên địa bàn hiện nay" in f.message


def test_outlier_against_own_history_from_the_database(db_path, tmp_path):
    for i, q in enumerate(["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]):
        path = report(db_path, tmp_path, {"reception_visits": 40 + i, "reception_people": 60},
                      name=f"{q}.xlsx", period=q)
        assert load_one(db_path, path).findings[-1].rule == "period_before_unit"
    far = load_one(db_path, report(db_path, tmp_path, {"reception_visits": 900,
                                                       "reception_people": 950}, name="far.xlsx"))
    assert far.status == "loaded"
    assert [(f.rule, f.cell) for f in far.findings if f.severity == "warning"] == [
        ("outlier_history", "F18"), ("outlier_history", "F19")]
    zero = load_one(db_path, report(db_path, tmp_path, {"reception_visits": 0, "reception_people": 0},
                                    name="zero.xlsx", period="2025-Q4"))
    assert [f.rule for f in zero.findings] == ["zero_after_large", "zero_after_large"]


def test_a_failure_inside_the_transaction_rolls_back(db_path, tmp_path, monkeypatch):
    real = store.save_submissions

    def half_then_fail(con, subs):
        real(con, subs)
        raise RuntimeError("đĩa đầy")
    monkeypatch.setattr(store, "save_submissions", half_then_fail)
    before = counts(db_path)
    r = load_one(db_path, report(db_path, tmp_path, GOOD))
    assert r.status == "refused" and r.findings[-1].rule == "load_failed"
    assert counts(db_path) == before


def test_batch_gives_the_connection_back_between_files(db_path, tmp_path, monkeypatch):
    opened = []
    real_connect = db.connect

    def counting(path=None, read_only=False, timeout=None):
        opened.append(read_only)
        return real_connect(path, read_only=read_only, timeout=timeout)
    monkeypatch.setattr(db, "connect", counting)
    monkeypatch.setattr(loader, "HOLD_S", 0.0)
    monkeypatch.setattr(loader, "PAUSE_S", 0.0)
    paths = [report(db_path, tmp_path, GOOD, name=f"{u}.xlsx", unit=u) for u in ("10543", "11002", "10660")]
    results = load_files(db_path, paths)
    assert [r.status for r in results] == ["loaded"] * 3
    assert opened.count(False) == 3       # chunks of one file, each on its own connection, when HOLD_S is 0


def test_xls_and_ods_load(db_path):
    xls = load_one(db_path, FIXTURES / "loader-sample.xls")
    ods = load_one(db_path, FIXTURES / "loader-sample.ods")
    assert (xls.status, xls.version, xls.n_values) == ("loaded", 1, 7)
    assert (ods.status, ods.version, ods.superseded_id) == ("loaded", 2, xls.submission_id)
    assert dict(rows(db_path, "SELECT indicator_code, value FROM current_values")) == {
        "population": 30575, "area_km2": 17, "party_members": 2370, "reception_visits": 42,
        "reception_people": 1058, "crowd_delegations": 0, "dv_score_c01": 8.5}


def test_check_file_on_uploaded_bytes_writes_nothing(db_path, tmp_path):
    path = report(db_path, tmp_path, {**GOOD, "reception_people": "1.058"})
    before = counts(db_path)
    with db.connect(db_path, read_only=True) as con:
        sub, findings = check_file(con, path.read_bytes(), "tải lên.xlsx", sent_by="web")
        bad, bad_findings = check_file(con, b"not a workbook", "x.xlsx")
    assert sub.unit_code == "10543" and sub.period.key == "2025-Q3" and sub.file_name == "tải lên.xlsx"
    assert sub.content == path.read_bytes() and len(sub.values) == 3
    assert [f.rule for f in findings] == [f.rule for f in sub.findings] == ["number_as_text"]
    assert bad is None and [f.rule for f in bad_findings] == ["not_spreadsheet"]
    assert counts(db_path) == before


# --- command line -----------------------------------------------------------------------------

def load_cli(db_path, *args) -> int:
    """`python -m etl --db DB load ARGS...` in this process."""
    return main(["--db", str(db_path), "load", *map(str, args)])


def test_cli_exit_codes_and_lines(db_path, tmp_path, capsys):
    good = report(db_path, tmp_path, GOOD, name="good.xlsx")
    bad = report(db_path, tmp_path, {"reception_visits": -1}, name="bad.xlsx")
    assert load_cli(db_path, good) == 0
    out = capsys.readouterr().out
    assert "✓ đã nạp: good.xlsx — Phường Việt Hòa (10543), kỳ Quý III/2025, phiên bản 1, 3 giá trị" in out
    assert load_cli(db_path, good) == 0
    assert "= không đổi: good.xlsx" in capsys.readouterr().out
    assert load_cli(db_path, good, bad) == 1
    out = capsys.readouterr().out
    assert "✗ bị từ chối: bad.xlsx" in out and "(quy tắc negative_value)" in out and "ô F18" in out
    assert load_cli(db_path, tmp_path / "không-có.xlsx") == 1
    assert "Không tìm thấy tệp" in capsys.readouterr().out


def test_cli_json_parses(db_path, tmp_path, capsys):
    good = report(db_path, tmp_path, {**GOOD, "reception_visits": "1.020", "reception_people": 1100},
                  name="good.xlsx")
    bad = report(db_path, tmp_path, {"dv_score_c01": 12}, name="bad.xlsx")
    assert load_cli(db_path, "--json", good, bad) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit_code"] == 1 and doc["summary"]["loaded"] == 1 and doc["summary"]["refused"] == 1
    first, second = doc["results"]
    assert (first["status"], first["unit_name"], first["version"]) == ("loaded", "Phường Việt Hòa", 1)
    assert first["findings"][0]["rule"] == "number_as_text"
    assert second["findings"][0] == {
        "file": "bad.xlsx", "sheet": layout.SHEET_VALUES, "cell": "F33", "value": "12",
        "rule": "out_of_range", "severity": "error", "message": "«Điểm tiêu chí 1» phải từ 0 đến 10 điểm."}


def test_cli_dry_run_exit_code_and_nothing_written(db_path, tmp_path, capsys):
    good = report(db_path, tmp_path, GOOD)
    before = counts(db_path)
    assert load_cli(db_path, "--dry-run", good) == 0
    assert "Chạy thử" in capsys.readouterr().out
    assert counts(db_path) == before


def test_cli_without_database_says_to_init(tmp_path, capsys):
    assert load_cli(tmp_path / "none.duckdb", tmp_path / "x.xlsx") == 2
    assert "python -m etl init" in capsys.readouterr().err
    assert not (tmp_path / "none.duckdb").exists()
    empty = tmp_path / "empty.duckdb"
    with db.connect(empty) as con:
        con.execute("CREATE TABLE x (a INT)")
    assert load_cli(empty, "--json", tmp_path / "x.xlsx") == 2
    captured = capsys.readouterr()
    assert "python -m etl init" in json.loads(captured.out)["error"]


def test_module_entry_point(db_path, tmp_path):
    import subprocess
    import sys
    good = report(db_path, tmp_path, GOOD)
    done = subprocess.run([sys.executable, "-m", "etl", "--db", str(db_path), "load", "--json", str(good)],
                          capture_output=True, text=True, cwd=loader.db.ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["status"] == "loaded"
