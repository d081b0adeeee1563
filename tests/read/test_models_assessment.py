"""Dân vận khéo models and the assessment as the dashboards read them: one model across years,
the model queries and export, the total only with every criterion, ratings from the data file."""
import csv

import pandas as pd

from etl.__main__ import main
from etl.domain import dvk
from etl.domain.periods import parse_period
from etl.read import assessment, models
from etl.read.export import MODEL_COLUMNS
from etl.read.scope import Scope
from etl.warehouse import db
from etl.warehouse.reference import init_db
from etl.warehouse.store import NewSubmission, ValueRow, save_submission
from tests.conftest import AI_QUOC, CAT_HAI, HONG_BANG, LE_CHAN, THACH_KHOI, VIET_HOA


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


def test_the_number_of_criteria_comes_from_the_catalogue(tmp_path):
    """Nine score indicators in data/indicators.csv: nine criteria make a total, out of 90."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for f in db.DATA_DIR.glob("*.csv"):
        lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
        (data_dir / f.name).write_text("".join(l for l in lines if "dv_score_c10" not in l),
                                       encoding="utf-8")
    path = tmp_path / "nine.duckdb"
    init_db(path, data_dir)
    with db.connect(path) as con:
        save_submission(con, NewSubmission("11329", parse_period("2025"), [
            ValueRow(f"dv_score_c{i:02d}", 10) for i in range(1, 10)], status="accepted"))
        save_submission(con, NewSubmission("10543", parse_period("2025"), [
            ValueRow(f"dv_score_c{i:02d}", 9) for i in range(1, 9)], status="accepted"))
    with db.connect(path, read_only=True) as con:
        c = assessment.criteria(con)
        a = assessment.assessment(con, Scope('2025')).set_index("code")
        dist = assessment.rating_distribution(con, Scope())
    assert (c.count, c.max_each, c.max_total) == (9, 10.0, 90.0)
    assert a.loc["11329", ["n_criteria", "n_required", "total"]].tolist() == [9, 9, 90.0]
    assert pd.isna(a.loc["10543", "total"])
    assert set(dist["rating"]) == {"Xuất sắc", "Chưa đủ 9 tiêu chí"}


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
