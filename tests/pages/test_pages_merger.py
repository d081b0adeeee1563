"""The pages across the 2025 merger through AppTest, on the demo (old units until June 2025):
the sidebar's «Địa giới», estimates in tables, a unit's merger links, the department's upload
of an old unit's archive."""
import pytest

from etl.synthetic import demo
from tests.apptest import no_exception, signed_in
from tests.conftest import DEPT


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("merger_pages") / "demo.duckdb"
    demo.generate(path, seed=5)
    return path


def _table(at, first_column="Hạng"):
    return next(d.value for d in at.dataframe if list(d.value.columns)[:1] == [first_column])


def test_the_view_is_a_sidebar_choice_kept_in_the_link(demo_db, monkeypatch):
    monkeypatch.setenv("DANVAN_DB", str(demo_db))
    at = signed_in(DEPT, "pages/compare.py", demo_db,
                   {"ky": "2024", "chi_tieu": "reception_visits"}, tab="Bảng số liệu")
    today = _table(at)
    assert len(today) == 114 and today["Giá trị (lượt)"].str.contains("ước tính").any()
    assert at.query_params["ranh_gioi"] == "hien_nay"
    at.radio(key="boundaries").set_value("reported").run()
    no_exception(at)
    reported = _table(at)
    assert len(reported) == 375 and {"Huyện cũ", "Tỉnh cũ"} <= set(reported.columns)
    assert not reported["Giá trị (lượt)"].str.contains("ước tính").any()
    assert at.query_params["ranh_gioi"] == "khi_bao_cao"
    # As reported, the old units also grouped by old district and province (a tab of that view
    # only: opened as a link with ?tab= opens it).
    at.query_params["tab"] = "Theo huyện, tỉnh cũ"
    at.run()
    no_exception(at)
    groups = _table(at, "Tỉnh cũ")
    assert {"Tỉnh Hải Dương", "Thành phố Hải Phòng"} <= set(groups["Tỉnh cũ"])


def test_profile_lists_the_old_units_and_how_they_are_split(demo_db, monkeypatch):
    monkeypatch.setenv("DANVAN_DB", str(demo_db))
    at = signed_in(DEPT, "pages/unit_profile.py", demo_db, {"don_vi": "11002"})
    assert any("Các đơn vị cũ hợp thành (4)" in e.label for e in at.expander)
    links = next(d.value for d in at.dataframe if "Phần sáp nhập" in d.value.columns)
    assert set(links["Phần sáp nhập"]) == {"toàn bộ", "một phần"}
    assert "Xã Thống Nhất (cũ, huyện Gia Lộc)" in set(links["Đơn vị"])


def test_the_department_uploads_an_old_units_archive(demo_db, monkeypatch):
    monkeypatch.setenv("DANVAN_DB", str(demo_db))
    at = signed_in(DEPT, "pages/upload.py", demo_db)
    units = at.selectbox[0]
    assert "11005@2025-06-30" in units.options or any("11005@2025-06-30" in o for o in units.options)
    units.set_value("11005@2025-06-30").run()
    no_exception(at)
    periods = at.selectbox(key="template_period")
    assert {"Năm 2024", "6 tháng đầu năm 2025"} <= set(periods.options)
    assert "Năm 2025" not in periods.options and "6 tháng cuối năm 2025" not in periods.options
    # (as Markdown-escaped text: a file name or a unit name is never markup)
    assert any("Xã Liên Hồng, thành phố Hải Dương, tỉnh Hải Dương" in c.value and "30/06/2025" in c.value
               for c in at.caption)
