"""The «Mô hình Dân vận khéo» sheet on intake: each rule refuses the file and writes nothing; the
models are stored with their submission and their counts checked against the values."""
import pytest

from etl.domain import dvk, layout
from etl.intake.loader import load_files
from etl.warehouse import db
from etl.warehouse.reference import init_db
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
