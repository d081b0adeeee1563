import csv
import re
from pathlib import Path

from etl.domain.periods import parse_period
from etl.warehouse import db, store
from etl.warehouse.reference import init_db

DOMAIN = Path(__file__).resolve().parents[3] / "shared" / "DOMAIN.md"


def test_init_loads_registry_and_catalogue_idempotently(tmp_path):
    path = tmp_path / "t.duckdb"
    first = init_db(path)
    second = init_db(path)
    assert first == second
    with db.connect(path, read_only=True) as con:
        by_type = dict(con.execute("SELECT unit_type, count(*) FROM units WHERE valid_to IS NULL "
                                   "GROUP BY 1").fetchall())
        assert by_type == {"phuong": 45, "xa": 67, "dac_khu": 2}
        # 375 old units until 30/06/2025 (Hải Dương, Hải Phòng, the island district), 452 links.
        old = con.execute("SELECT count(*), count(DISTINCT former_province) FROM units "
                          "WHERE valid_to = DATE '2025-06-30'").fetchone()
        assert old == (375, 2)
        assert con.execute("SELECT count(*), count(*) FILTER (share = 'partial') "
                           "FROM unit_lineage").fetchone() == (452, 149)
        viet_hoa = con.execute(
            "SELECT u.full_name, l.share FROM unit_lineage l JOIN units u ON u.code = l.old_code "
            "WHERE l.new_code = '10543'").fetchall()
        assert ("Thị trấn Lai Cách (cũ, huyện Cẩm Giàng)", "partial") in viet_hoa
        assert ("Phường Việt Hoà (cũ, thành phố Hải Dương)", "full") in viet_hoa
        # Thạch Khôi also took part of Xã Thống Nhất, shared with Yết Kiêu.
        assert con.execute("SELECT list(new_code ORDER BY new_code) FROM unit_lineage "
                           "WHERE old_code = '11008@2025-06-30'").fetchone()[0] == ["11002", "11020"]
        assert con.execute("SELECT name_folded FROM units WHERE code = '11002'").fetchone()[0] == "thach khoi"


def test_catalogue_holds_every_domain_indicator(tmp_path):
    path = tmp_path / "t.duckdb"
    init_db(path)
    text = DOMAIN.read_text(encoding="utf-8") if DOMAIN.exists() else ""
    domain_codes = set(re.findall(r"^\| ([a-z0-9_]+) \|", text, flags=re.M)) - {"code", "who"}
    domain_codes.discard("dv_score_c01")  # the "c01 … c10" row
    domain_codes |= {f"dv_score_c{i:02d}" for i in range(1, 11)}
    with db.connect(path, read_only=True) as con:
        codes = {r[0] for r in con.execute("SELECT code FROM indicators").fetchall()}
        kinds = dict(con.execute("SELECT code, kind FROM indicators").fetchall())
    if text:
        assert domain_codes <= codes
    assert kinds["dvk_models_active"] == "stock" and kinds["petitions_received"] == "flow"
    assert kinds["dv_score_c10"] == "score"


def test_adding_an_indicator_needs_only_the_data_file(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for f in db.DATA_DIR.glob("*.csv"):
        (data_dir / f.name).write_bytes(f.read_bytes())
    with open(data_dir / "indicators.csv", encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    with open(data_dir / "indicators.csv", "a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, header, restval="", extrasaction="ignore").writerow({
            "code": "volunteers", "group": "Tuyên truyền", "label": "Tình nguyện viên",
            "unit": "người", "kind": "flow", "value_type": "integer", "min_value": "0",
            "sort_order": "230", "better": "higher"})
    path = tmp_path / "t.duckdb"
    init_db(path, data_dir)
    with db.connect(path, read_only=True) as con:
        assert con.execute("SELECT label FROM indicators WHERE code='volunteers'").fetchone()[0] == "Tình nguyện viên"


def test_new_version_supersedes_and_keeps_the_old(tmp_path):
    path = tmp_path / "t.duckdb"
    init_db(path)
    period = parse_period("2025-Q3")
    with db.connect(path) as con:
        first = store.save_submission(con, store.NewSubmission(
            "10543", period, [store.ValueRow("dialogues", 3)], sha256="a", content=b"a"))
        second = store.save_submission(con, store.NewSubmission(
            "10543", period, [store.ValueRow("dialogues", 4)], sha256="b", content=b"b"))
        assert first[1:] == (1, None) and second[1:] == (2, first[0])
        rows = con.execute("SELECT version, is_current, superseded_by FROM submissions ORDER BY version").fetchall()
        assert rows == [(1, False, second[0]), (2, True, None)]
        assert con.execute("SELECT value FROM current_values").fetchall() == [(4.0,)]
        assert con.execute("SELECT count(*) FROM files").fetchone()[0] == 2


def _with_model(period: str, name: str, field: str) -> store.NewSubmission:
    from etl.domain import dvk
    return store.NewSubmission("11002", parse_period(period), [store.ValueRow("dialogues", 1)], models=[
        dvk.ModelRow(name, dvk.name_key(name), field, None, 2020, None, "Đang duy trì", "Mô hình", 5)])


def test_a_model_takes_the_description_of_its_latest_report_in_or_across_batches(tmp_path):
    path = tmp_path / "t.duckdb"
    init_db(path)

    def described():
        with db.connect(path, read_only=True) as con:
            return con.execute("SELECT m.name, m.field, count(*) FROM dvk_models m "
                               "JOIN dvk_model_reports USING (model_id) GROUP BY ALL").fetchall()

    with db.connect(path) as con:
        # One batch, the later year first: the earlier year listed after it changes nothing.
        store.save_submissions(con, [_with_model("2025", "Ngày thứ 7 cùng dân", "Kinh tế"),
                                     _with_model("2024", "ngày thứ 7  cùng DÂN", "An sinh xã hội")])
    assert described() == [("Ngày thứ 7 cùng dân", "Kinh tế", 2)]
    with db.connect(path) as con:   # an old year loaded late
        store.save_submissions(con, [_with_model("2023", "NGÀY THỨ 7 CÙNG DÂN", "An sinh xã hội")])
    assert described() == [("Ngày thứ 7 cùng dân", "Kinh tế", 3)]
    with db.connect(path) as con:   # a newer year corrects it
        store.save_submissions(con, [_with_model("2026", "Ngày Thứ 7 Cùng Dân", "Đô thị văn minh")])
    assert described() == [("Ngày Thứ 7 Cùng Dân", "Đô thị văn minh", 4)]
