"""Sign-in, roles and the submission pages through AppTest: upload preview and submit, the unit
rule, completeness grid and missing list, review accept/return seen by the ward, provenance."""
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.warehouse import db
from pages import _auth, _nav
from tests.apptest import APP, TIMEOUT, no_exception, signed_in, texts
from tests.conftest import CAT_HAI, DEPT, LEADER, THACH_KHOI, VIET_HOA, WARD
from tests.fixtures_paths import SAMPLE_REPORT
from tests.workbooks import fill_values, make_template

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"dialogues": 4, "reception_visits": 6, "reception_people": 14}


class FakeUpload:
    """What st.file_uploader returns; AppTest cannot drop files (the browser test does)."""

    def __init__(self, path: Path):
        self.name, self._data = path.name, path.read_bytes()
        self.file_id = f"fake-{path.name}"

    def getvalue(self) -> bytes:
        return self._data


@pytest.fixture()
def live(dashboard_db, tmp_path, monkeypatch):
    path = Path(shutil.copy(dashboard_db, tmp_path / "live.duckdb"))
    monkeypatch.setenv("DANVAN_DB", str(path))
    monkeypatch.setenv("DANVAN_READ_TIMEOUT", "2")
    monkeypatch.delenv("DANVAN_ANONYMOUS_READ", raising=False)
    return path


def _count(path, sql, params=()):
    with db.connect(path, read_only=True) as con:
        return con.execute(sql, list(params)).fetchone()[0]


def test_anonymous_visitor_sees_only_the_sign_in_page(live):
    at = signed_in(None)
    assert texts(at.title) == ["Đăng nhập"]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert any('href="/auth/login?next=' in m.value for m in at.markdown)


def test_an_ended_session_is_signed_out_on_the_next_run(live):
    from etl.workflow import sessions
    at = signed_in(WARD)
    assert "Tổng quan — Năm 2025" in texts(at.title)
    sessions.end_session(live, at.session_state[_auth.SESSION_TOKEN])
    at.run()
    assert texts(at.title) == ["Đăng nhập"] and not at.metric


def test_anonymous_read_only_deployment(live, monkeypatch):
    monkeypatch.setenv("DANVAN_ANONYMOUS_READ", "1")
    at = signed_in(None)
    assert "Tổng quan — Năm 2025" in texts(at.title)
    # Not registered in the navigation at all (AppTest refuses to switch to it).
    for page in ("pages/upload.py", "pages/review.py", "pages/completeness.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


@pytest.mark.parametrize("user, allowed, refused", [
    (WARD, ["pages/upload.py"], ["pages/review.py", "pages/accounts.py"]),
    (DEPT, ["pages/upload.py", "pages/completeness.py", "pages/review.py", "pages/accounts.py"], []),
    (LEADER, ["pages/completeness.py"], ["pages/upload.py", "pages/review.py", "pages/accounts.py"]),
])
def test_pages_by_role(live, user, allowed, refused):
    titles = {"pages/upload.py": "Gửi báo cáo", "pages/completeness.py": "Tình hình báo cáo",
              "pages/review.py": "Duyệt báo cáo", "pages/accounts.py": "Tài khoản và nhật ký"}
    at = signed_in(user)
    for page in allowed:
        at.switch_page(page).run()
        no_exception(at)
        assert titles[page] in texts(at.title) and not at.error, page
    for page in refused:
        # Not in this role's navigation: AppTest (like a browser) cannot reach it.
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_select_boxes_say_in_vietnamese_what_to_choose(live):
    """Streamlit's own placeholder is English ("Choose an option", "Choose options"): a select
    box shows it once its text is cleared to search, a multiselect whenever nothing is chosen."""
    at = signed_in(DEPT)
    english = {}
    for spec in _nav.PAGES:
        at.switch_page(spec.file).run()
        no_exception(at)
        boxes = [*at.selectbox, *at.multiselect]
        assert boxes, spec.file
        english.update({(spec.file, b.label): b.proto.placeholder for b in boxes if not b.proto.placeholder})
    assert english == {}


def _upload(at: AppTest, path: Path, monkeypatch) -> AppTest:
    import streamlit as st
    real = st.file_uploader
    monkeypatch.setattr(st, "file_uploader",
                        lambda *a, **k: [FakeUpload(path)] if k.get("key") == "upload_files"
                        else real(*a, **k))
    return at.run()


def test_upload_with_errors_shows_the_cells_and_writes_nothing(live, tmp_path, monkeypatch):
    bad = fill_values(make_template(live, VIET_HOA, "2025-Q4", tmp_path / "t.xlsx"),
                      {"mediation_cases": 3, "mediation_successful": 5}, tmp_path / "bad.xlsx")
    before = _count(live, "SELECT count(*) FROM submissions")
    at = _upload(signed_in(WARD, "pages/upload.py"), bad, monkeypatch)
    no_exception(at)
    assert any("lỗi nên chưa gửi được" in e.value for e in at.error)
    table = next(t.value for t in at.dataframe if "Ô" in t.value.columns)
    assert {"Trang tính", "Ô", "Giá trị", "Quy tắc", "Nội dung"} <= set(table.columns)
    assert table["Ô"].str.len().gt(0).any()
    assert not [b for b in at.button if b.label == "Gửi báo cáo"]
    assert _count(live, "SELECT count(*) FROM submissions") == before


def test_confirm_warnings_then_submit_writes_one_version(live, tmp_path, monkeypatch):
    f = fill_values(make_template(live, VIET_HOA, "2025-Q3", tmp_path / "t.xlsx"),
                    {**GOOD, "petitions_received": 2, "petitions_resolved": 5}, tmp_path / "w.xlsx")
    before = _count(live, "SELECT count(*) FROM submissions")
    at = _upload(signed_in(WARD, "pages/upload.py"), f, monkeypatch)
    no_exception(at)
    assert at.warning and any("So với phiên bản 1" in m.value for m in at.markdown)
    submit = next(b for b in at.button if b.label == "Gửi báo cáo")
    assert submit.disabled and _count(live, "SELECT count(*) FROM submissions") == before
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label == "Gửi báo cáo").click().run()
    no_exception(at)
    assert any("Đã gửi «w\\.xlsx»: phiên bản 2" in s.value for s in at.success)
    assert _count(live, "SELECT count(*) FROM submissions") == before + 1
    assert _count(live, "SELECT count(*) FROM audit_log WHERE actor = 'vh.canbo' "
                        "AND action = 'upload' AND file_name = 'w.xlsx'") == 1


def test_ward_account_refused_for_another_units_file(live, tmp_path, monkeypatch):
    f = fill_values(make_template(live, THACH_KHOI, "2025-Q4", tmp_path / "t.xlsx"), GOOD,
                    tmp_path / "tk.xlsx")
    before = _count(live, "SELECT count(*) FROM submissions")
    at = _upload(signed_in(WARD, "pages/upload.py"), f, monkeypatch)
    table = next(t.value for t in at.dataframe if "Ô" in t.value.columns)
    assert table["Nội dung"].iloc[0].startswith(
        "Tài khoản của Phường Việt Hòa chỉ được gửi báo cáo của Phường Việt Hòa; "
        "tệp này là của Phường Thạch Khôi")
    assert _count(live, "SELECT count(*) FROM submissions") == before


def test_blank_template_download_for_own_unit(live):
    at = signed_in(WARD, "pages/upload.py")
    assert any(m.value.startswith("Đơn vị: **Phường Việt Hòa**") for m in at.markdown)


def test_completeness_grid_and_missing_list(live):
    at = signed_in(DEPT, "pages/completeness.py")
    summary = at.dataframe[0].value
    row = summary[summary["Kỳ"] == "Năm 2025"].iloc[0]
    assert row["Trong đó đã chấp nhận"] == "5" and row["Phải nộp"] == "114"
    # 2023 and 2024 expect the 375 old units too (the fixture's current units report their
    # present territory for those years); 2025 only today's 114.
    row = summary[summary["Kỳ"] == "Năm 2024"].iloc[0]
    assert row["Phải nộp"] == "381"
    grid = at.dataframe[1]
    assert len(grid.value) == 114 + 375
    missing = next(t.value for t in at.dataframe if list(t.value.columns)[:2] == ["Mã", "Đơn vị"]
                   and "Hạn nộp" in t.value.columns)
    assert CAT_HAI in set(missing["Mã"]) and VIET_HOA not in set(missing["Mã"])
    assert any(b.label.startswith("Tải danh sách") for b in at.get("download_button"))



def test_the_missing_units_csv_is_formula_guarded(live, monkeypatch):
    """data/units.csv is edited by people: a unit name that Excel would run stays text."""
    import streamlit as st
    evil = '=HYPERLINK("http://evil.example","bấm")'
    with db.connect(live) as con:
        con.execute("UPDATE units SET full_name = ? WHERE code = ?", [evil, CAT_HAI])
    downloads = {}
    real = st.download_button

    def spy(label, data=None, *args, **kwargs):
        downloads[label] = data
        return real(label, data, *args, **kwargs)
    monkeypatch.setattr(st, "download_button", spy)
    at = signed_in(DEPT, "pages/completeness.py")
    no_exception(at)
    text = downloads["Tải danh sách để nhắc (CSV)"].decode("utf-8-sig")
    assert "'" + evil.replace('"', '""') in text and f",{evil}" not in text

def test_review_return_with_comment_seen_by_the_ward_then_accept(live, tmp_path):
    from etl.workflow.submissions import preview_upload, submit_checked
    f = fill_values(make_template(live, VIET_HOA, "2025-Q3", tmp_path / "t.xlsx"),
                    {**GOOD, "propaganda_sessions": 77}, tmp_path / "v2.xlsx")
    out = submit_checked(live, preview_upload(live, f.read_bytes(), f.name, WARD).sub, WARD, True)
    at = signed_in(DEPT, "pages/review.py")
    assert any("1 báo cáo chờ duyệt" in m.value for m in at.markdown)
    at.text_area(key=f"comment_{out['submission_id']}").input("Số buổi tuyên truyền chưa đúng.")
    at.button(key=f"return_{out['submission_id']}").click().run()
    no_exception(at)
    assert any("Đã trả lại" in s.value for s in at.success)
    ward = signed_in(WARD, "pages/upload.py")
    # Shown as typed (Markdown-escaped: the "." is "\\.").
    assert any("«Số buổi tuyên truyền chưa đúng\\.»" in w.value for w in ward.warning)
    g = fill_values(make_template(live, VIET_HOA, "2025-Q3", tmp_path / "t3.xlsx"),
                    {**GOOD, "propaganda_sessions": 12}, tmp_path / "v3.xlsx")
    v3 = submit_checked(live, preview_upload(live, g.read_bytes(), g.name, WARD).sub, WARD, True)
    at = signed_in(DEPT, "pages/review.py")
    at.button(key=f"accept_{v3['submission_id']}").click().run()
    no_exception(at)
    assert any("Đã chấp nhận" in s.value for s in at.success)
    assert _count(live, "SELECT status FROM submissions WHERE submission_id = ?",
                  [v3["submission_id"]]) == "accepted"


def test_unreviewed_switch_is_marked(live):
    at = signed_in(LEADER)
    at.toggle(key="include_unreviewed").set_value(True).run()
    no_exception(at)
    assert any("gồm số liệu chưa duyệt" in i.value for i in at.info)


@pytest.mark.parametrize("page, key", [("pages/compare.py", "compare_source"),
                                       ("pages/unit_profile.py", "profile_source")])
def test_provenance_panel_shows_file_sheet_cell_and_versions(live, page, key):
    at = signed_in(LEADER)
    at.multiselect(key="units").set_value([VIET_HOA]).run()
    at.switch_page(page).run()
    if page == "pages/compare.py":
        at.session_state["tab"] = "Bảng số liệu"
        at.run()
    no_exception(at)
    box = at.selectbox(key=key)
    pick = next(i for i, o in enumerate(box.options)
                if o.startswith("Việt Hòa") and "Hội nghị, buổi tuyên truyền" in o
                or o == "Việt Hòa — Hội nghị, buổi tuyên truyền, quán triệt")
    box.select_index(pick).run()
    no_exception(at)
    panel = "\n".join(m.value for m in at.markdown)
    assert "Nguồn số liệu:" in panel and f"Tệp gốc: **{VIET_HOA}\\_2025\\.xlsx**" in panel
    assert "trang tính «Chỉ tiêu», ô " in panel and "Người gửi" in panel
    history = next(t.value for t in at.dataframe if "Phiên bản" in t.value.columns)
    assert list(history["Trạng thái"]) == ["Đã chấp nhận"]
    assert any(b.label.startswith("Tải tệp gốc") for b in at.get("download_button"))


def _panel_names_the_source(at) -> None:
    panel = "\n".join(m.value for m in at.markdown)
    assert "Nguồn số liệu:" in panel and f"Tệp gốc: **{VIET_HOA}\\_2025\\.xlsx**" in panel
    assert "trang tính «Chỉ tiêu», ô " in panel and "Người gửi" in panel


def test_provenance_from_the_overview_top_and_bottom_tables(live):
    at = signed_in(LEADER)
    no_exception(at)
    # Six fixture units: Việt Hòa is among the five highest or the five lowest.
    boxes = [at.selectbox(key=k) for k in ("top_source", "bottom_source")]
    box = next(b for b in boxes if any(o.startswith("Việt Hòa") for o in b.options))
    box.select_index(next(i for i, o in enumerate(box.options) if o.startswith("Việt Hòa"))).run()
    no_exception(at)
    _panel_names_the_source(at)


def test_provenance_from_the_trends_table(live):
    at = signed_in(LEADER)
    at.multiselect(key="units").set_value([VIET_HOA]).run()
    at.switch_page("pages/trends.py").run()
    no_exception(at)
    at.selectbox(key="trend_src_unit").select(VIET_HOA).run()
    period = at.selectbox(key="trend_src_period")
    period.select("2025").run()
    no_exception(at)
    _panel_names_the_source(at)


@pytest.mark.parametrize("page", [p.file for p in _nav.PAGES])
def test_every_page_guards_itself_when_run_without_app_py(live, page):
    """Run by its file name (Streamlit's legacy pages/ mode would do that): no data, no form,
    only the way to sign in."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT).run()
    no_exception(at)
    assert texts(at.title) == ["Đăng nhập"]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")
    assert not at.get("download_button") and not at.get("file_uploader")


def _pick_source(at, unit_name: str, key: str = "compare_source"):
    at.session_state["tab"] = "Bảng số liệu"
    at.run()
    box = at.selectbox(key=key)
    box.select_index(next(i for i, o in enumerate(box.options) if o.startswith(unit_name))).run()
    no_exception(at)
    return "\n".join(m.value for m in [*at.markdown, *at.caption])


def test_a_ward_sees_files_senders_and_versions_of_its_own_unit_only(live):
    at = signed_in(WARD)
    at.switch_page("pages/compare.py").run()
    own = _pick_source(at, "Việt Hòa")
    assert "Tệp gốc:" in own and "Người gửi" in own
    assert any(b.label.startswith("Tải tệp gốc") for b in at.get("download_button"))
    other = _pick_source(at, "Thạch Khôi")
    assert "Tệp gốc:" not in other and "Người gửi" not in other
    assert "chỉ hiện với tài khoản của đơn vị" in other
    assert not any(b.label.startswith("Tải tệp gốc") for b in at.get("download_button"))
    assert not [t for t in at.dataframe if "Phiên bản" in t.value.columns]


def test_a_read_only_visitor_sees_accepted_figures_without_files_or_senders(live, monkeypatch):
    from etl.workflow.submissions import preview_upload, submit_checked
    monkeypatch.setenv("DANVAN_ANONYMOUS_READ", "1")
    f = fill_values(make_template(live, VIET_HOA, "2025", Path(live).parent / "t.xlsx"),
                    {**GOOD, "propaganda_sessions": 999}, Path(live).parent / "v2.xlsx")
    submit_checked(live, preview_upload(live, f.read_bytes(), f.name, WARD).sub, WARD, True)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update({"chua_duyet": "1"})            # asked for in the link: ignored
    at.run()
    no_exception(at)
    assert [t.key for t in at.toggle] == ["per_capita"]                # no «Gồm số liệu chưa duyệt»
    assert not any("chưa duyệt" in i.value for i in at.info)
    at.switch_page("pages/compare.py").run()
    panel = _pick_source(at, "Việt Hòa")
    table = next(t.value for t in at.dataframe if "Đơn vị" in t.value.columns)
    assert "999" not in " ".join(map(str, table.to_numpy().ravel()))
    assert "Tệp gốc:" not in panel and "Người gửi" not in panel
    assert not any(b.label.startswith("Tải tệp gốc") for b in at.get("download_button"))


def test_provenance_names_the_version_on_screen_not_a_newer_returned_one(live, tmp_path):
    from etl.workflow.submissions import RETURN, preview_upload, review, submit_checked
    f = fill_values(make_template(live, VIET_HOA, "2025", tmp_path / "t.xlsx"),
                    {**GOOD, "propaganda_sessions": 999}, tmp_path / "tra-lai.xlsx")
    v2 = submit_checked(live, preview_upload(live, f.read_bytes(), f.name, WARD).sub, WARD, True)
    review(live, v2["submission_id"], RETURN, "Sai số buổi tuyên truyền.", DEPT)
    at = signed_in(LEADER)
    at.switch_page("pages/compare.py").run()
    panel = _pick_source(at, "Việt Hòa")
    assert "Phiên bản: **1 \\(đang hiển thị\\)**" in panel
    assert f"Tệp gốc: **{VIET_HOA}\\_2025\\.xlsx**" in panel and "tra\\-lai" not in panel
    labels = [b.label for b in at.get("download_button") if b.label.startswith("Tải tệp gốc")]
    assert labels == [f"Tải tệp gốc «{VIET_HOA}\\_2025\\.xlsx»"]
    history = next(t.value for t in at.dataframe if "Phiên bản" in t.value.columns)
    assert list(history["Phiên bản"]) == ["2", "1 (đang hiển thị)"]
    assert list(history["Trạng thái"]) == ["Bị trả lại", "Đã chấp nhận"]





@pytest.mark.skipif(not SAMPLE_REPORT.exists(), reason="the shared sample report is not here")
def test_a_narrative_report_becomes_a_draft_then_a_submission(live, monkeypatch):
    import hashlib

    import streamlit as st
    real = st.file_uploader
    monkeypatch.setattr(st, "file_uploader", lambda *a, **k: FakeUpload(SAMPLE_REPORT)
                        if k.get("key") == "narrative_file" else real(*a, **k))
    before = _count(live, "SELECT count(*) FROM submissions")
    at = signed_in(WARD, "pages/upload.py")
    no_exception(at)
    assert any("Đề xuất" in s.value and "số liệu" in s.value for s in at.success)
    table = next(d.value for d in at.dataframe if "Căn cứ trong văn bản" in d.value.columns)
    values = dict(zip(table["Mã chỉ tiêu"], table["Giá trị"]))
    assert values["population"] == 30575 and values["petitions_complaint"] == 0
    # The number marked in its sentence.
    assert "dân số ⟦30.575⟧ người" in table.set_index("Mã chỉ tiêu").loc["population", "Căn cứ trong văn bản"]
    assert at.text_input(key=next(k for k in at.session_state if str(k).startswith("nar_period_"))).value \
        == "2025-07-01:2025-11-20"
    assert _count(live, "SELECT count(*) FROM submissions") == before     # nothing written yet
    sha = hashlib.sha256(SAMPLE_REPORT.read_bytes()).hexdigest()
    at.button(key=f"nar_submit_{sha}").click().run()
    no_exception(at)
    assert any("kèm văn bản gốc" in s.value for s in at.success)
    assert _count(live, "SELECT count(*) FROM submissions") == before + 1
    assert _count(live, f"SELECT count(*) FROM files WHERE sha256 = '{sha}'") == 1
    assert _count(live, "SELECT count(*) FROM findings WHERE rule = 'narrative_evidence'") >= 5
