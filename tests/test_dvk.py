""""Dân vận khéo" models (sheet rules, matching across years, counts, export) and the assessment
(total only with 10 criteria, ratings from the thresholds data file)."""
import csv

import pandas as pd
import pytest

from etl.__main__ import main
from etl.domain import dvk, layout
from etl.domain.periods import parse_period
from etl.intake.loader import load_files
from etl.read import assessment, models
from etl.read.export import MODEL_COLUMNS
from etl.read.scope import Scope
from etl.warehouse import db
from etl.warehouse.reference import init_db
from etl.warehouse.store import NewSubmission, ValueRow, save_submission
from tests.conftest import AI_QUOC, CAT_HAI, HONG_BANG, LE_CHAN, THACH_KHOI, VIET_HOA
from tests.workbooks import fill_models, fill_values, make_template

GOOD = {"name": "Ngày thứ 7 cùng dân", "field": "Xây dựng Đảng, chính quyền",
        "lead_org": "Ủy ban nhân dân phường", "year_started": 2024, "recognition": "Cấp xã",
        "status": "Đang duy trì"}


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("dvk") / "t.duckdb"
    init_db(path)
    return path


def counts(path) -> dict:
    with db.connect(path, read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("submissions", "submission_values", "dvk_models", "dvk_model_reports")}


def report(db_path, tmp_path, models, values=None, name="r.xlsx", unit="10543", period="2025"):
    template = make_template(db_path, unit, period, tmp_path / f"t_{name}")
    path = fill_values(template, values or {"dialogues": 3}, tmp_path / name)
    return fill_models(path, models, path)


def test_name_key_ignores_case_spacing_quotes_and_composition():
    import unicodedata
    target = dvk.name_key("Ngày thứ 7 cùng dân")
    assert dvk.name_key(" ngày thứ 7  cùng DÂN ") == target
    assert dvk.name_key("«Ngày thứ 7 cùng dân»") == target
    assert dvk.name_key(unicodedata.normalize("NFD", "“Ngày thứ 7 cùng dân”")) == target
    assert dvk.name_key("Ngày thứ 7 cùng dẫn") != target          # a different word
    assert dvk.option_key("văn hóa - xã hội") == dvk.option_key("Văn hóa – xã hội")


# One broken row among good ones: the whole file is refused, naming sheet, cell and rule.
BAD_ROWS = {
    "dvk_missing_name": ({**GOOD, "name": None}, "B6"),
    "dvk_missing_field": ({**GOOD, "name": "Bếp ăn nhân ái", "field": None}, "C6"),
    "dvk_unknown_field": ({**GOOD, "name": "Bếp ăn nhân ái", "field": "Thể thao"}, "C6"),
    "dvk_bad_year": ({**GOOD, "name": "Bếp ăn nhân ái", "year_started": 2031}, "E6"),
    "dvk_unknown_recognition": ({**GOOD, "name": "Bếp ăn nhân ái", "recognition": "Cấp huyện"}, "F6"),
    "dvk_unknown_status": ({**GOOD, "name": "Bếp ăn nhân ái", "status": "Tạm dừng"}, "G6"),
    "dvk_duplicate_model": ({**GOOD, "name": "«NGÀY THỨ 7 cùng dân»"}, "B6"),
}


@pytest.mark.parametrize("rule", list(BAD_ROWS))
def test_each_model_rule_refuses_the_file_and_writes_nothing(db_path, tmp_path, rule):
    row, cell = BAD_ROWS[rule]
    path = report(db_path, tmp_path, [GOOD, row], name=f"{rule}.xlsx")
    before = counts(db_path)
    result, = load_files(db_path, [path])
    assert result.status == "refused"
    [f] = [f for f in result.findings if f.severity == "error"]
    assert (f.rule, f.sheet, f.cell) == (rule, layout.SHEET_MODELS, cell)
    assert f.message.startswith(("Mô hình «", "Dòng 6"))
    assert counts(db_path) == before


def test_year_as_text_and_plausible_bounds(db_path, tmp_path):
    too_old = report(db_path, tmp_path, [{**GOOD, "year_started": 1975}], name="old.xlsx")
    result, = load_files(db_path, [too_old], dry_run=True)
    assert [f.rule for f in result.findings if f.severity == "error"] == ["dvk_bad_year"]
    as_text = report(db_path, tmp_path, [{**GOOD, "year_started": "2024"}], name="text.xlsx")
    result, = load_files(db_path, [as_text], dry_run=True)
    assert result.status == "checked" and result.n_models == 1


def test_models_stored_with_the_submission_and_counts_checked(db_path, tmp_path):
    rows = [GOOD, {**GOOD, "name": "5 không 3 sạch", "field": "văn hóa - xã hội",
                   "year_started": 2025, "status": "Đã dừng", "recognition": None}]
    path = report(db_path, tmp_path, rows, {"dvk_models_active": 2, "dvk_models_new": 1},
                  name="counts.xlsx", unit="11383")
    result, = load_files(db_path, [path])
    assert result.status == "loaded" and result.n_models == 2
    warnings = {f.rule: f for f in result.findings if f.severity == "warning"}
    assert set(warnings) == {"dvk_models_active_mismatch"}      # 1 running model, 2 typed
    assert warnings["dvk_models_active_mismatch"].sheet == layout.SHEET_VALUES
    with db.connect(db_path, read_only=True) as con:
        stored = con.execute(
            "SELECT m.name, m.field, r.status, r.recognition, r.row_number FROM dvk_models m "
            "JOIN dvk_model_reports r USING (model_id) WHERE r.submission_id = ? ORDER BY 5",
            [result.submission_id]).fetchall()
    assert stored == [("Ngày thứ 7 cùng dân", "Xây dựng Đảng, chính quyền", "Đang duy trì", "Cấp xã", 5),
                      ("5 không 3 sạch", "Văn hóa – xã hội", "Đã dừng", None, 6)]


def test_file_without_models_sheet_is_accepted_with_a_notice(db_path, tmp_path):
    from openpyxl import load_workbook
    template = make_template(db_path, "10660", "2024", tmp_path / "t.xlsx")
    path = fill_values(template, {"dialogues": 2}, tmp_path / "old.xlsx")
    wb = load_workbook(path)
    del wb[layout.SHEET_MODELS]
    wb.save(path)
    result, = load_files(db_path, [path])
    assert result.status == "loaded" and result.n_models == 0
    assert "no_models_sheet" in [f.rule for f in result.findings if f.severity == "notice"]


def test_same_model_across_years_is_one_model(con):
    rows = con.execute(
        "SELECT m.model_id, m.name, p.period_key, r.status FROM dvk_models m "
        "JOIN dvk_model_reports r USING (model_id) JOIN submissions s USING (submission_id) "
        "JOIN periods p USING (period_key) WHERE m.unit_code = ? AND m.name_key = ? ORDER BY 3",
        [THACH_KHOI, dvk.name_key("Ngày thứ 7 cùng dân")]).fetchall()
    assert [r[2] for r in rows] == ["2024", "2025"] and len({r[0] for r in rows}) == 1
    assert [r[3] for r in rows] == ["Đang duy trì", "Đang duy trì"]
    # Another unit's model of the same name stays its own.
    assert con.execute("SELECT count(DISTINCT unit_code) FROM dvk_models WHERE name_key = ?",
                       [dvk.name_key("5 không 3 sạch")]).fetchone()[0] == 2


def test_model_queries(con):
    by_year = models.dvk_by_year(con, Scope()).set_index("period_key")
    assert by_year.loc["2024", ["n_new", "n_maintained", "n_stopped", "units_with_list"]].tolist() == \
        [2, 4, 0, 1]
    assert by_year.loc["2025", ["n_new", "n_maintained", "n_stopped", "units_with_list"]].tolist() == \
        [4, 10, 1, 2]
    units = models.dvk_by_unit(con, Scope('2025')).set_index("code")
    assert units.loc[THACH_KHOI, ["n_new", "n_maintained", "n_stopped", "n_running"]].tolist() == [2, 5, 1, 7]
    assert not units.loc[HONG_BANG, "has_list"] and len(units) == 114
    fields = models.dvk_by_field(con, Scope('2025')).set_index("field")
    assert len(fields) == 8 and fields.loc["Kinh tế", "units_with_model"] == 1
    assert fields.loc["Quốc phòng, an ninh", "units_with_model"] == 1   # Thạch Khôi's one stopped
    assert fields.loc["An sinh xã hội", "share"] == 1.0
    listed = models.dvk_models_of_year(con, Scope('2025'))
    assert "ngay thu 7 cung dan" in set(listed["name_folded"])


def test_export_models(dashboard_db, tmp_path, capsys):
    out = tmp_path / "models.csv"
    assert main(["--db", str(dashboard_db), "export", "--kind", "models", "-o", str(out)]) == 0
    assert "mô hình" in capsys.readouterr().out
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == MODEL_COLUMNS == [
        "unit_code", "unit_name", "model_name", "field", "lead_org", "year_started", "recognition",
        "status", "last_reported_period"]
    assert len(rows) == 8 + 7
    camera = next(r for r in rows if r["unit_code"] == THACH_KHOI and r["model_name"] == "Camera an ninh")
    assert (camera["status"], camera["last_reported_period"], camera["year_started"]) == \
        ("Đã dừng", "2025", "2023")
    blank = next(r for r in rows if r["model_name"] == "Khu dân cư tự quản" and r["unit_code"] == VIET_HOA)
    assert blank["recognition"] == ""                              # not reported stays blank


# --- assessment ---------------------------------------------------------------------------------

def test_total_only_with_all_ten_criteria_and_rating_changes(con):
    a = assessment.assessment(con, Scope('2025')).set_index("code")
    assert a.loc[THACH_KHOI, ["total", "rating"]].tolist() == [80.0, "Tốt"]
    assert a.loc[VIET_HOA, ["total", "rating"]].tolist() == [90.0, "Xuất sắc"]
    assert a.loc[AI_QUOC, "n_criteria"] == 9
    assert pd.isna(a.loc[AI_QUOC, "total"]) and pd.isna(a.loc[AI_QUOC, "rating"])
    assert a.loc[CAT_HAI, "n_criteria"] == 0 and a.loc[CAT_HAI, "prev_rating"] == "Tốt"
    assert a.loc[LE_CHAN, "rank"] == 1 and a.loc[HONG_BANG, "rating"] == "Trung bình"
    changed = a[a["rating"].notna() & a["prev_rating"].notna() & (a["rating"] != a["prev_rating"])]
    assert set(changed.index) == {VIET_HOA, HONG_BANG, LE_CHAN}
    dist = assessment.rating_distribution(con, Scope())
    y2025 = dict(zip(dist[dist["period_key"] == "2025"]["rating"], dist[dist["period_key"] == "2025"]["units"]))
    assert y2025 == {"Xuất sắc": 2, "Tốt": 1, "Trung bình": 1, "Chưa đủ 10 tiêu chí": 1}


def _scored_db(path, data_dir=db.DATA_DIR):
    init_db(path, data_dir)
    units = ["10543", "11002", "10660", "11311", "11383", "11914"]
    per_criterion = [9.0, 8.99, 7.0, 6.99, 5.0, 4.99]
    with db.connect(path) as con:
        for unit, score in zip(units, per_criterion):
            save_submission(con, NewSubmission(unit, parse_period("2025"), [
                ValueRow(f"dv_score_c{i:02d}", score) for i in range(1, 11)], status="accepted"))
        save_submission(con, NewSubmission("11329", parse_period("2025"), [
            ValueRow(f"dv_score_c{i:02d}", 10) for i in range(1, 10)], status="accepted"))
        # Sent but not reviewed yet: left out of dashboards unless asked for.
        save_submission(con, NewSubmission("10507", parse_period("2025"), [
            ValueRow(f"dv_score_c{i:02d}", 8) for i in range(1, 11)]))
    with db.connect(path, read_only=True) as con:
        return assessment.assessment(con, Scope('2025')).set_index("code")


def test_rating_thresholds_at_the_boundaries(tmp_path):
    a = _scored_db(tmp_path / "r.duckdb")
    got = {code: (a.loc[code, "total"], a.loc[code, "rating"])
           for code in ("10543", "11002", "10660", "11311", "11383", "11914")}
    assert got == {"10543": (90.0, "Xuất sắc"), "11002": (89.9, "Tốt"), "10660": (70.0, "Tốt"),
                   "11311": (69.9, "Trung bình"), "11383": (50.0, "Trung bình"),
                   "11914": (49.9, "Yếu")}
    assert a.loc["11329", "n_criteria"] == 9 and pd.isna(a.loc["11329", "total"])


def test_thresholds_come_from_the_data_file(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for f in db.DATA_DIR.glob("*.csv"):
        (data_dir / f.name).write_bytes(f.read_bytes())
    (data_dir / "ratings.csv").write_text(
        "rating,min_total,sort_order\nXuất sắc,95,1\nTốt,80,2\nTrung bình,60,3\nYếu,0,4\n",
        encoding="utf-8")
    a = _scored_db(tmp_path / "r.duckdb", data_dir)
    assert a.loc["10543", "rating"] == "Tốt" and a.loc["10660", "rating"] == "Trung bình"
    assert a.loc["11383", "rating"] == "Yếu"


def test_criteria_short_names_from_the_data_file(con):
    scores = assessment.assessment_scores(con, Scope('2025'))
    crit = scores.drop_duplicates("criterion").set_index("criterion")
    assert crit.loc["dv_score_c01", "short_name"] == "Tiêu chí 1"
    assert crit.loc["dv_score_c10", "label"] == "Điểm tiêu chí 10"
    ai = scores[(scores["unit_code"] == AI_QUOC) & (scores["criterion"] == "dv_score_c10")]
    assert ai["value"].isna().all()                                  # blank, never 0


def test_unreviewed_scores_count_only_when_asked(tmp_path):
    path = tmp_path / "u.duckdb"
    accepted_only = _scored_db(path)
    assert accepted_only.loc["10507", "n_criteria"] == 0 and pd.isna(accepted_only.loc["10507", "total"])
    with db.connect(path, read_only=True) as con:
        with_unreviewed = assessment.assessment(con, Scope('2025', include_unreviewed=True)).set_index("code")
        dist = assessment.rating_distribution(con, Scope(include_unreviewed=True))
    assert with_unreviewed.loc["10507", "total"] == 80.0
    assert with_unreviewed.loc["10507", "rating"] == "Tốt"
    assert dist["units"].sum() == 8  # 6 rated + 1 with 9 criteria + the unreviewed one
