"""AppTest of the «Dân vận khéo» and «Chấm điểm dân vận» pages against the fixture warehouse."""
from tests.apptest import app, no_exception, texts
from tests.conftest import AI_QUOC, THACH_KHOI, VIET_HOA  # noqa: F401

MODELS, SCORES = "pages/dvk_models.py", "pages/assessment.py"


def test_models_page(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db, {"don_vi": THACH_KHOI}).run()
    at.switch_page(MODELS).run()
    no_exception(at)
    assert "Dân vận khéo" in texts(at.title) and not at.error
    assert at.selectbox(key="dvk_year").value == "2025"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Đơn vị đã gửi danh sách"] == "2/114"
    assert metrics["Mô hình đang duy trì"] == "14" and metrics["Xây dựng mới trong năm"] == "4"
    assert len(at.get("plotly_chart")) == 2            # by year and by field; one tab open
    at.session_state["tab"] = "Theo đơn vị"
    at.run()
    assert len(at.get("plotly_chart")) == 1 and not at.dataframe
    at.session_state["tab"] = "Danh sách mô hình"
    at.run()
    table = at.dataframe[0].value
    assert len(table) == 15
    # Diacritic-free search over model and unit names.
    at.text_input(key="dvk_search").input("ngay thu 7").run()
    table = at.dataframe[0].value
    assert set(table["Đơn vị"]) == {"Phường Thạch Khôi", "Phường Việt Hòa"}
    camera = at.text_input(key="dvk_search").input("camera").run().dataframe[0].value
    assert sorted(camera["Tình trạng"]) == ["Đang duy trì", "Đã dừng"]
    at.text_input(key="dvk_search").input("").run()
    at.selectbox(key="dvk_field").select("Kinh tế").run()
    assert list(at.dataframe[0].value["Tên mô hình"]) == ["Liên kết sản xuất rau an toàn"]
    # A year with fewer lists.
    at.selectbox(key="dvk_year").select("2024").run()
    no_exception(at)
    assert {m.label: m.value for m in at.metric}["Đơn vị đã gửi danh sách"] == "1/114"


def test_models_page_follows_a_year_in_the_sidebar_and_says_when_not(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db, {"ky": "2024"}).run()
    at.switch_page(MODELS).run()
    assert at.selectbox(key="dvk_year").value == "2024"
    at = app(dashboard_db, {"ky": "2025-Q3"}).run()
    at.switch_page(MODELS).run()
    no_exception(at)
    assert at.selectbox(key="dvk_year").value == "2025"
    assert any("không phải báo cáo năm" in c.value for c in at.caption)


def test_assessment_page(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db, {"don_vi": f"{AI_QUOC},{VIET_HOA}"}).run()
    at.switch_page(SCORES).run()
    no_exception(at)
    assert "Chấm điểm dân vận" in texts(at.title) and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Xuất sắc"] == "2" and metrics["Trung bình"] == "1" and metrics["Yếu"] == "0"
    assert metrics["Chưa đủ 10 tiêu chí"] == "1"
    ranking = at.dataframe[0].value
    ai_quoc = ranking[ranking["Đơn vị"] == "Ái Quốc"].iloc[0]
    assert (ai_quoc["Tổng điểm"], ai_quoc["Số tiêu chí báo cáo"], ai_quoc["Xếp loại"]) == \
        ("Chưa đủ 10 tiêu chí", "9/10", "—")
    cat_hai = ranking[ranking["Đơn vị"] == "Cát Hải"].iloc[0]
    assert cat_hai["Tổng điểm"] == "Chưa báo cáo"
    assert ranking.iloc[0]["Đơn vị"] == "Lê Chân" and ranking.iloc[0]["Tổng điểm"] == "95"
    assert "Xuất sắc: từ 90 điểm" in at.caption[0].value
    # One view at a time: only the open tab's content runs.
    assert len(at.get("plotly_chart")) == 1 and "score_unit" not in at.session_state
    charts = 1
    for view in ("Phân bố xếp loại", "Điểm từng tiêu chí", "Một đơn vị"):
        at.session_state["tab"] = view
        at.run()
        no_exception(at)
        assert view in texts(at.subheader)[0] or view == "Một đơn vị"
        charts += len(at.get("plotly_chart"))
    assert charts == 4
    # The unit chooser starts with the followed units that have scores.
    assert at.selectbox(key="score_unit").value == AI_QUOC
    at.session_state["tab"] = "Thay đổi xếp loại"
    at.run()
    changes = at.dataframe[-1].value
    assert set(changes["Đơn vị"]) == {"Việt Hòa", "Hồng Bàng", "Lê Chân"}
    hong_bang = changes[changes["Đơn vị"] == "Hồng Bàng"].iloc[0]
    assert (hong_bang["Thay đổi"], hong_bang["Xếp loại Năm 2024"], hong_bang["Xếp loại Năm 2025"]) == \
        ("↓ xuống", "Tốt", "Trung bình")


def test_assessment_page_without_a_previous_year(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db, {"ky": "2023"}).run()
    at.switch_page(SCORES).run()
    no_exception(at)
    assert at.selectbox(key="score_year").value == "2023"
    at.session_state["tab"] = "Thay đổi xếp loại"
    at.run()
    assert any("Không có báo cáo năm trước" in i.value for i in at.info)


def test_pages_on_an_empty_warehouse_say_nothing_reported(tmp_path, use_db):
    from etl.domain.periods import parse_period
    from etl.warehouse import db
    from etl.warehouse.reference import init_db
    from etl.warehouse.store import NewSubmission, ValueRow, save_submission

    path = tmp_path / "bare.duckdb"
    init_db(path)
    with db.connect(path) as con:
        save_submission(con, NewSubmission("10543", parse_period("2025-Q3"), [ValueRow("dialogues", 2)]))
    use_db(path)
    for page, text in ((MODELS, "Chưa đơn vị nào gửi danh sách"), (SCORES, "Chưa đơn vị nào báo cáo điểm")):
        at = app(None).run()
        at.switch_page(page).run()
        no_exception(at)
        assert any(text in i.value for i in at.info)


def test_demo_data_on_both_pages(tmp_path, use_db):
    from etl.synthetic.demo import generate

    path = tmp_path / "demo.duckdb"
    generate(path, seed=7)
    use_db(path)
    for page, charts in ((MODELS, 2), (SCORES, 1)):     # one tab open on each
        at = app(None).run()
        at.switch_page(page).run()
        no_exception(at)
        assert "Dữ liệu mẫu — không phải số liệu thật" in texts(at.warning)
        assert len(at.get("plotly_chart")) >= charts


def test_models_and_assessment_charts_offer_downloads(dashboard_db, use_db):
    from etl.present import figures

    use_db(dashboard_db)
    at = app(dashboard_db, {"ky": "2025", "don_vi": THACH_KHOI})
    at.run()
    per_chart = (["PNG", "SVG", "PDF"] if figures.browser_available() else []) + ["Excel", "CSV"]
    for page, charts in (("pages/dvk_models.py", 2), ("pages/assessment.py", 1)):
        at.switch_page(page).run()
        no_exception(at)
        labels = [b.proto.label for b in at.get("download_button")]
        assert labels[:len(per_chart) * charts] == per_chart * charts, (page, labels)
