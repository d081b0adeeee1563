"""`etl export`: what the dashboards show (newest accepted version, or with include_unreviewed
the newest accepted or awaiting review; never a returned one), as CSV with formula-guarded text."""
import csv
import shutil

import pytest
from openpyxl import load_workbook

from etl.__main__ import main
from etl.domain import layout, vn
from etl.domain.periods import parse_period
from etl.intake.loader import load_files
from etl.present import tables
from etl.read.export import COLUMNS, MODEL_COLUMNS, export_csv
from etl.read.scope import Scope
from etl.synthetic import demo
from etl.warehouse import db
from etl.warehouse.reference import init_db
from etl.warehouse.store import NewSubmission, ValueRow, save_submission
from etl.workflow import accounts
from etl.workflow.submissions import ACCEPT, RETURN, review
from tests.conftest import AI_QUOC, HONG_BANG, REVIEWER, THACH_KHOI, VIET_HOA
from tests.workbooks import fill_models, fill_values, make_template


@pytest.fixture
def file_db(tmp_path):
    """Two real-looking accepted reports; the first leaves petitions_complaint blank, reports 0
    denunciations."""
    path = tmp_path / "x.duckdb"
    init_db(path)
    with db.connect(path) as con:
        save_submission(con, NewSubmission("10543", parse_period("2025-07-01:2025-11-20"), [
            ValueRow("population", 30575), ValueRow("area_km2", 17.0),
            ValueRow("petitions_denunciation", 0), ValueRow("dv_score_c01", 8.5),
            ValueRow("reception_visits", 1020)], file_name="viet_hoa.xlsx", status="accepted"))
        save_submission(con, NewSubmission("11002", parse_period("2025"), [
            ValueRow("area_km2", 19.94), ValueRow("population", 34432)], file_name="tk.xlsx",
            status="accepted"))
        # A superseded version must not be exported.
        save_submission(con, NewSubmission("11002", parse_period("2024"), [
            ValueRow("population", 1)], file_name="old.xlsx", status="accepted"))
        save_submission(con, NewSubmission("11002", parse_period("2024"), [
            ValueRow("population", 34000)], file_name="new.xlsx", status="accepted"))
    return path


def _read(path):
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_columns_format_and_order(file_db, tmp_path, capsys):
    out = tmp_path / "e.csv"
    assert export_csv(file_db, out) == 8
    rows = _read(out)
    assert rows[0] == COLUMNS == ["unit_code", "unit_name", "period_start", "period_end",
                                  "indicator_code", "value", "estimated", "from_units"]
    own = ["false", ""]      # the units' own reports: nothing estimated, no old unit
    assert rows[1:] == [
        ["10543", "Phường Việt Hòa", "2025-07-01", "2025-11-20", "population", "30575", *own],
        ["10543", "Phường Việt Hòa", "2025-07-01", "2025-11-20", "area_km2", "17", *own],
        ["10543", "Phường Việt Hòa", "2025-07-01", "2025-11-20", "reception_visits", "1020", *own],
        ["10543", "Phường Việt Hòa", "2025-07-01", "2025-11-20", "petitions_denunciation", "0", *own],
        ["10543", "Phường Việt Hòa", "2025-07-01", "2025-11-20", "dv_score_c01", "8.5", *own],
        ["11002", "Phường Thạch Khôi", "2024-01-01", "2024-12-31", "population", "34000", *own],
        ["11002", "Phường Thạch Khôi", "2025-01-01", "2025-12-31", "population", "34432", *own],
        ["11002", "Phường Thạch Khôi", "2025-01-01", "2025-12-31", "area_km2", "19.94", *own],
    ]
    assert capsys.readouterr().err == ""


def test_blank_is_absent_and_zero_is_kept(file_db, tmp_path):
    out = tmp_path / "e.csv"
    export_csv(file_db, out)
    viet_hoa = {r[4]: r[5] for r in _read(out)[1:] if r[0] == "10543"}
    assert "petitions_complaint" not in viet_hoa           # blank: not reported
    assert viet_hoa["petitions_denunciation"] == "0"        # typed 0: none
    assert all(v != "" for v in viet_hoa.values())


def test_cli_warns_about_demo_data(tmp_path, capsys):
    path = tmp_path / "d.duckdb"
    result = demo.generate(path, seed=3)
    out = tmp_path / "e.csv"
    assert main(["--db", str(path), "export", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "DỮ LIỆU MẪU" in captured.err and "Cảnh báo" in captured.err
    rows = _read(out)
    with db.connect(path, read_only=True) as con:
        # On today's boundaries (the default): the new units, with their old units' values.
        accepted = con.execute("SELECT count(*) FROM boundary_values(false, true, true)").fetchone()[0]
        facts = con.execute("SELECT count(*) FROM shown_facts WHERE in_accepted").fetchone()[0]
    # The demo returns some reports and leaves some awaiting review: only accepted ones go out,
    # and the warning counts the demo values of the file, not of the database.
    assert len(rows) - 1 == accepted and facts < result["values"]
    assert not any("@" in r[0] for r in rows[1:])
    assert f"{vn.format_number(accepted)} giá trị là DỮ LIỆU MẪU" in captured.err
    assert "không gồm báo cáo chưa duyệt" in captured.out
    assert all(r[2] <= r[3] and len(r[2]) == 10 for r in rows[1:])
    assert not any(r[5].endswith(".0") or "," in r[5] for r in rows[1:])
    keys = [(r[0], r[2], r[3]) for r in rows[1:]]
    assert keys == sorted(keys)
    # Estimates are sums of weighted parts: the same data export to the same bytes every time.
    again = tmp_path / "again.csv"
    assert main(["--db", str(path), "export", "-o", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()


def test_cli_without_demo_is_quiet(file_db, tmp_path, capsys):
    assert main(["--db", str(file_db), "export", "-o", str(tmp_path / "e.csv")]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "8" in captured.out


# --- what the dashboards show, through the real template, loader and review --------------------

HOSTILE_MODEL = '=HYPERLINK("http://evil.example","x")'


def _model(name, lead_org="Ủy ban nhân dân phường") -> dict:
    return {"name": name, "field": "Kinh tế", "lead_org": lead_org, "year_started": 2024,
            "recognition": None, "status": "Đang duy trì"}


def _as_typed_text(path, row: int, key: str) -> None:
    # openpyxl writes a string starting with '=' as a formula; in Excel a person gets a text
    # cell by typing a leading apostrophe. Make that cell text, as the person's file would be.
    wb = load_workbook(path)
    ws = wb[layout.SHEET_MODELS]
    header = {ws.cell(layout.MODELS_HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    ws.cell(layout.MODELS_HEADER_ROW + row, header[layout.MODEL_HEADERS[key]]).data_type = "s"
    wb.save(path)


def _reviewer_account(path) -> None:
    # A review is written only for an account the database holds (etl.submissions re-reads it).
    with db.connect(path) as con:
        if not con.execute("SELECT count(*) FROM users WHERE username = ?",
                           [REVIEWER.username]).fetchone()[0]:
            accounts.add_user(con, REVIEWER.username, REVIEWER.role, full_name=REVIEWER.full_name)


def _send(path, work, unit, values, models=(), review_as=None, comment="") -> int:
    """One yearly 2025 report of the unit as a filled form, loaded, then accepted or returned."""
    n = len(list(work.glob(f"{unit}_*.xlsx")))
    template = make_template(path, unit, "2025", work / f"t_{unit}.xlsx")
    f = fill_values(template, values, work / f"{unit}_{n}.xlsx")
    if models:
        fill_models(f, list(models), f)
        for i, m in enumerate(models, start=1):
            if tables.is_formula_like(m["name"]):
                _as_typed_text(f, i, "name")
    result = load_files(path, [f])[0]
    assert result.status == "loaded", (result.message, [x.message for x in result.findings])
    if review_as:
        review(path, result.submission_id, review_as, comment, REVIEWER)
    return result.submission_id


@pytest.fixture(scope="module")
def reviewed_db(tmp_path_factory):
    """2025 reports in every review state:
    Thạch Khôi v1 accepted (dialogues 2, models: the hostile one and «Bếp ăn nhân ái»), v2
    returned (dialogues 3, model «Chợ 4.0»); Việt Hòa returned only; Ái Quốc sent, not reviewed;
    Hồng Bàng v1 accepted (dialogues 5), v2 awaiting review (dialogues 6)."""
    work = tmp_path_factory.mktemp("reviewed")
    path = work / "r.duckdb"
    init_db(path)
    _reviewer_account(path)
    _send(path, work, THACH_KHOI, {"dialogues": 2, "reception_visits": 6},
          [_model(HOSTILE_MODEL, lead_org="@Hội Nông dân"), _model("Bếp ăn nhân ái")], ACCEPT)
    _send(path, work, THACH_KHOI, {"dialogues": 3, "reception_visits": 6}, [_model("Chợ 4.0")],
          RETURN, "Số cuộc đối thoại chưa khớp biên bản.")
    _send(path, work, VIET_HOA, {"dialogues": 9}, [_model("Ngõ xanh")], RETURN, "Thiếu số liệu.")
    _send(path, work, AI_QUOC, {"dialogues": 4}, [_model("Giáo xứ bình yên")])
    _send(path, work, HONG_BANG, {"dialogues": 5}, review_as=ACCEPT)
    _send(path, work, HONG_BANG, {"dialogues": 6})
    return path


def _export(path, out, include_unreviewed=False) -> dict:
    """{unit_code: {indicator: value}} of the values export."""
    assert export_csv(path, out, scope=Scope(include_unreviewed=include_unreviewed)) >= 0
    rows = _read(out)
    assert rows[0] == COLUMNS
    by_unit = {}
    for r in rows[1:]:
        by_unit.setdefault(r[0], {})[r[4]] = r[5]
    return by_unit


def _models(path, out, include_unreviewed=False) -> dict:
    """{model_name: row as a dict} of the models export."""
    export_csv(path, out, kind="models", scope=Scope(include_unreviewed=include_unreviewed))
    rows = _read(out)
    assert rows[0] == MODEL_COLUMNS
    return {r[2]: dict(zip(MODEL_COLUMNS, r)) for r in rows[1:]}


def test_export_holds_the_accepted_version_not_a_returned_or_unreviewed_one(reviewed_db, tmp_path):
    shown = _export(reviewed_db, tmp_path / "a.csv")
    assert shown[THACH_KHOI] == {"dialogues": "2", "reception_visits": "6"}   # v1, not returned v2
    assert VIET_HOA not in shown                                             # returned only
    assert AI_QUOC not in shown                                              # awaiting review
    assert shown[HONG_BANG] == {"dialogues": "5"}                            # accepted v1


def test_export_with_unreviewed_adds_reports_awaiting_review_never_returned(reviewed_db, tmp_path):
    shown = _export(reviewed_db, tmp_path / "u.csv", include_unreviewed=True)
    assert shown[THACH_KHOI] == {"dialogues": "2", "reception_visits": "6"}
    assert VIET_HOA not in shown
    assert shown[AI_QUOC] == {"dialogues": "4"}
    assert shown[HONG_BANG] == {"dialogues": "6"}                            # newest sent: v2


def test_models_export_follows_the_same_versions(reviewed_db, tmp_path):
    accepted = _models(reviewed_db, tmp_path / "m.csv")
    assert set(accepted) == {"'" + HOSTILE_MODEL, "Bếp ăn nhân ái"}
    assert {m["unit_code"] for m in accepted.values()} == {THACH_KHOI}
    unreviewed = _models(reviewed_db, tmp_path / "mu.csv", include_unreviewed=True)
    assert set(unreviewed) == {"'" + HOSTILE_MODEL, "Bếp ăn nhân ái", "Giáo xứ bình yên"}
    assert "Chợ 4.0" not in unreviewed and "Ngõ xanh" not in unreviewed      # returned


def test_text_cells_are_formula_guarded_and_numbers_stay_numbers(reviewed_db, tmp_path):
    models = _models(reviewed_db, tmp_path / "m.csv")
    hostile = models["'" + HOSTILE_MODEL]
    assert hostile["model_name"] == "'" + HOSTILE_MODEL                    # never a live formula
    assert hostile["lead_org"] == "'@Hội Nông dân"
    assert hostile["year_started"] == "2024" and hostile["field"] == "Kinh tế"
    assert models["Bếp ăn nhân ái"]["lead_org"] == "Ủy ban nhân dân phường"
    # A unit whose name would run as a formula (the registry is data too).
    path = shutil.copy(reviewed_db, tmp_path / "u.duckdb")
    with db.connect(path) as con:
        con.execute("UPDATE units SET full_name = '-cmd| x' WHERE code = ?", [HONG_BANG])
    out = tmp_path / "v.csv"
    export_csv(path, out)
    rows = [r for r in _read(out)[1:] if r[0] == HONG_BANG]
    assert [r[1] for r in rows] == ["'-cmd| x"] and [r[5] for r in rows] == ["5"]


def test_sql_guard_is_the_same_rule_as_the_python_one():
    samples = ["=1+1", "+84 912", "-2", "@SUM(A1)", "\t=1", "\r=1", "'=1", " =1", "Việt Hòa", "",
               "a=b", "10543"]
    with db.connect(":memory:") as con:
        sql = f"SELECT {tables.sql_csv_text('$s::VARCHAR')}"
        guarded = [con.execute(sql, {"s": s}).fetchone()[0] for s in samples]
        assert con.execute(f"SELECT {tables.sql_csv_text('NULL::VARCHAR')}").fetchone()[0] is None
    assert guarded == [tables.safe_csv_text(s) for s in samples]
    assert guarded[4] == "'\t=1" and guarded[5] == "'\r=1"


def test_values_export_keeps_negative_and_decimal_numbers_unquoted(tmp_path):
    path = tmp_path / "n.duckdb"
    init_db(path)
    with db.connect(path) as con:
        save_submission(con, NewSubmission("11002", parse_period("2025"), [
            ValueRow("area_km2", -19.94), ValueRow("population", -3)], status="accepted"))
    out = tmp_path / "n.csv"
    export_csv(path, out)
    assert sorted(r[5] for r in _read(out)[1:]) == ["-19.94", "-3"]


def test_cli_says_whether_unreviewed_reports_are_included(reviewed_db, tmp_path, capsys):
    assert main(["--db", str(reviewed_db), "export", "-o", str(tmp_path / "a.csv")]) == 0
    assert "không gồm báo cáo chưa duyệt" in capsys.readouterr().out
    assert main(["--db", str(reviewed_db), "export", "--include-unreviewed",
                 "-o", str(tmp_path / "u.csv")]) == 0
    said = capsys.readouterr().out
    assert "đã duyệt và chờ duyệt" in said and "không gồm" not in said
    assert _export(reviewed_db, tmp_path / "u2.csv", include_unreviewed=True)[AI_QUOC]
    assert main(["--db", str(reviewed_db), "export", "--kind", "models", "--include-unreviewed",
                 "-o", str(tmp_path / "m.csv")]) == 0
    assert "Giáo xứ bình yên" in (tmp_path / "m.csv").read_text(encoding="utf-8-sig")
