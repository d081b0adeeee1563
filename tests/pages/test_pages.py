"""Every dashboard page through streamlit.testing (AppTest) against the fixture warehouse."""
import shutil
import subprocess
import sys

import pytest

from etl.warehouse.reference import init_db
from tests.apptest import app, no_exception, texts
from tests.conftest import CAT_HAI, THACH_KHOI, VIET_HOA

PAGES = {
    "pages/overview.py": "Tổng quan — Năm 2025",
    "pages/compare.py": "So sánh đơn vị",
    "pages/trends.py": "Xu hướng",
    "pages/unit_profile.py": "Hồ sơ đơn vị",
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders(dashboard_db, use_db, page):
    use_db(dashboard_db)
    at = app(dashboard_db).run()
    no_exception(at)
    if page != "pages/overview.py":
        at.switch_page(page).run()
        no_exception(at)
    assert PAGES[page] in texts(at.title)
    assert not at.error
    assert "Dữ liệu mẫu — không phải số liệu thật" not in texts(at.warning)


def test_overview_metrics_and_missing_units(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Đơn vị đã báo cáo"] == "5/114"
    assert metrics["Đơn vị chưa báo cáo"] == "109"
    assert metrics["Cùng kỳ so sánh"] == "Năm 2024"
    sessions = next(m for m in at.metric if m.label == "Hội nghị, buổi tuyên truyền, quán triệt")
    assert sessions.value.endswith(" buổi") and sessions.delta.startswith("-")
    assert "Nhóm chỉ tiêu: Tuyên truyền" in texts(at.subheader)
    at.session_state["tab"] = "Đơn vị chưa báo cáo"
    at.run()
    assert "Đơn vị chưa báo cáo kỳ Năm 2025 (109)" in texts(at.subheader)
    missing = next(t.value for t in at.dataframe if "Mã" in t.value.columns)
    assert CAT_HAI in set(missing["Mã"]) and THACH_KHOI not in set(missing["Mã"])
    at.session_state["tab"] = "Tất cả chỉ tiêu"
    at.run()
    everything = next(t.value for t in at.dataframe if "Nhóm" in t.value.columns)
    row = everything[everything["Chỉ tiêu"] == "Vụ việc hòa giải"].iloc[0]
    assert row["Số đơn vị báo cáo"] == "4"              # Lê Chân left it blank


def test_compare_page_shows_blanks_as_not_reported(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db, {"chi_tieu": "mediation_cases"}).run()
    at.switch_page("pages/compare.py").run()
    no_exception(at)
    assert len(at.get("plotly_chart")) == 2 and not at.dataframe   # chart tab open, and the grid
    at.session_state["tab"] = "Bảng số liệu"
    at.run()
    table = at.dataframe[0].value
    assert list(table.columns[:4]) == ["Hạng", "Đơn vị", "Loại", "Giá trị (vụ)"]
    le_chan = table[table["Đơn vị"] == "Lê Chân"].iloc[0]
    assert le_chan["Giá trị (vụ)"] == "Chưa báo cáo" and le_chan["Hạng"] == "—"
    assert "Ma trận đơn vị × chỉ tiêu: Hòa giải ở cơ sở" in texts(at.subheader)


def test_url_query_params_restore_filters(dashboard_db, use_db):
    use_db(dashboard_db)
    params = {"ky": "2024", "chi_tieu": "mediation_cases", "don_vi": f"{VIET_HOA},{THACH_KHOI}",
              "tren_10k": "1"}
    at = app(dashboard_db, params).run()
    no_exception(at)
    assert at.selectbox(key="period").value == "2024"
    assert at.selectbox(key="indicator").value == "mediation_cases"
    assert at.multiselect(key="units").value == [VIET_HOA, THACH_KHOI]
    assert at.toggle(key="per_capita").value is True
    assert "Tổng quan — Năm 2024" in texts(at.title)
    assert at.query_params["ky"] == "2024" and at.query_params["don_vi"] == f"{VIET_HOA},{THACH_KHOI}"
    # The profile page opens on the first unit of the link.
    at.switch_page("pages/unit_profile.py").run()
    no_exception(at)
    assert "Phường Việt Hòa" in texts(at.header)
    assert at.query_params["chi_tieu"] == "mediation_cases"       # kept across pages


def test_filters_are_written_back_and_survive_page_changes(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db).run()
    at.selectbox(key="indicator").select("dialogues").run()
    at.selectbox(key="period").select("2023").run()
    assert at.query_params["chi_tieu"] == "dialogues" and at.query_params["ky"] == "2023"
    at.switch_page("pages/trends.py").run()
    no_exception(at)
    assert at.selectbox(key="indicator").value == "dialogues"
    assert at.radio[0].value == ("year", "calendar")


def test_bad_url_values_fall_back_to_defaults(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db, {"ky": "1999", "chi_tieu": "nope", "don_vi": "00000"}).run()
    no_exception(at)
    assert at.selectbox(key="period").value == "2025"
    assert at.multiselect(key="units").value == []


def test_unit_search_ignores_diacritics_and_keeps_chosen_units(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db).run()
    at.text_input(key="search").input("thach khoi").run()
    assert at.multiselect(key="units").options == ["Thạch Khôi"]
    at.multiselect(key="units").select(THACH_KHOI).run()
    at.text_input(key="search").input("VIET HOA").run()
    units = at.multiselect(key="units")
    assert units.value == [THACH_KHOI]
    assert set(units.options) == {"Thạch Khôi", "Việt Hòa"}
    assert at.query_params["don_vi"] == THACH_KHOI


def test_trends_page_lines_for_chosen_units(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db, {"don_vi": f"{THACH_KHOI},{CAT_HAI}"}).run()
    at.switch_page("pages/trends.py").run()
    no_exception(at)
    table = at.dataframe[0].value
    assert list(table.columns) == ["Đơn vị", "Năm 2023", "Năm 2024", "Năm 2025"]
    cat_hai = table[table["Đơn vị"] == "Cát Hải"].iloc[0]
    assert cat_hai["Năm 2025"] == "Chưa báo cáo"
    assert "Trung vị các đơn vị" in set(table["Đơn vị"])


def test_missing_database_explains_how_to_load(tmp_path, use_db):
    use_db(tmp_path / "none.duckdb")
    at = app(None).run()
    no_exception(at)
    assert at.error[0].value.startswith("Hệ thống chưa có cơ sở dữ liệu.")
    assert any("quản trị hệ thống" in i.value for i in at.info)
    # Where the file is and how to make it are for the operator, not the page.
    shown = " ".join(e.value for e in [*at.error, *at.info, *at.markdown, *at.caption])
    assert "python -m" not in shown and str(tmp_path) not in shown and ".duckdb" not in shown
    assert not (tmp_path / "none.duckdb").exists()       # the dashboard never creates it


def test_unreadable_database_says_so_without_details(tmp_path, use_db):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"\x00DUCK" + bytes(range(256)) * 64)
    use_db(broken)
    at = app(None).run()
    no_exception(at)
    assert at.error[0].value.startswith("Không đọc được cơ sở dữ liệu (tệp có thể bị hỏng).")
    shown = " ".join(e.value for e in [*at.error, *at.info, *at.markdown, *at.caption])
    assert str(tmp_path) not in shown and "Traceback" not in shown and "IO Error" not in shown


def test_empty_database_explains_how_to_load(tmp_path, use_db):
    init_db(tmp_path / "empty.duckdb")
    use_db(tmp_path / "empty.duckdb")
    at = app(None).run()
    no_exception(at)
    assert "chưa có báo cáo nào" in at.error[0].value


def test_busy_database_says_try_again(dashboard_db, tmp_path, use_db):
    busy = shutil.copy(dashboard_db, tmp_path / "busy.duckdb")
    use_db(busy)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('ready', flush=True); time.sleep(60)", str(busy)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        at = app(None).run()
        no_exception(at)
        assert any("đang cập nhật" in w.value for w in at.warning)
    finally:
        holder.kill()
        holder.wait()


def test_demo_data_shows_banner(tmp_path_factory, use_db):
    from etl.synthetic.demo import generate

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    generate(path, seed=7)
    use_db(path)
    at = app(None).run()
    no_exception(at)
    assert "Dữ liệu mẫu — không phải số liệu thật" in texts(at.warning)
    for page in list(PAGES)[1:]:
        at.switch_page(page).run()
        no_exception(at)
        assert "Dữ liệu mẫu — không phải số liệu thật" in texts(at.warning)


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_when_nobody_reported_the_indicator(dashboard_db, use_db, page):
    use_db(dashboard_db)
    at = app(dashboard_db, {"ky": "2025-Q3", "chi_tieu": "dv_score_c01"}).run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    no_exception(at)
    if page != "pages/unit_profile.py":
        assert any("Chưa đơn vị nào báo cáo" in i.value for i in at.info)


def test_partial_period_is_flagged(dashboard_db, use_db):
    use_db(dashboard_db)
    at = app(dashboard_db, {"ky": "2025-07-01:2025-11-20", "chi_tieu": "mediation_cases"}).run()
    no_exception(at)
    assert "Tổng quan — Từ 01/07/2025 đến 20/11/2025 (143 ngày)" in texts(at.title)
    assert any("không trọn năm" in i.value and "143 ngày" in i.value for i in at.info)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Độ dài kỳ"] == "143 ngày"
    assert metrics["Vụ việc hòa giải"] == "35 vụ"


def test_new_load_shows_up_on_next_rerun(dashboard_db, tmp_path, use_db):
    from etl.intake.loader import load_files
    from tests.conftest import fixture_values
    from tests.workbooks import fill_values, make_template

    copy = shutil.copy(dashboard_db, tmp_path / "live.duckdb")
    use_db(copy)
    at = app(None).run()
    assert {m.label: m.value for m in at.metric}["Đơn vị đã báo cáo"] == "5/114"
    # Another process would do this between two reruns; the dashboard holds no connection.
    values = fixture_values()[(CAT_HAI, "2024")]
    template = make_template(copy, CAT_HAI, "2025", tmp_path / "t.xlsx")
    result, = load_files(copy, [fill_values(template, values, tmp_path / "cat_hai_2025.xlsx")])
    assert result.status == "loaded"
    at.run()
    no_exception(at)
    assert {m.label: m.value for m in at.metric}["Đơn vị đã báo cáo"] == "6/114"


def test_without_an_image_browser_users_read_no_command_or_path(dashboard_db, use_db, monkeypatch):
    """The operator's fix (a package, a setting) is for the log and the CLI, not for a leader."""
    from etl.present import figures
    monkeypatch.setattr(figures, "find_browser", lambda: None)
    use_db(dashboard_db)
    for page in ("pages/overview.py", "pages/briefing.py"):
        at = app(dashboard_db).run()
        if page != "pages/overview.py":
            at.switch_page(page).run()
        no_exception(at)
        shown = " ".join(texts(at.caption) + texts(at.warning))
        assert "Máy chủ chưa có trình duyệt để xuất ảnh biểu đồ" in shown, page
        for leak in ("apt-get", "BROWSER_PATH", "/usr/", "chromium"):
            assert leak not in shown, (page, leak)
