"""The briefing pack: findings from the fixture warehouse, .pptx and .docx opened back.

Packs with pictures need Chromium (skipped without it unless DANVAN_REQUIRE_BROWSER=1).
"""
import io
import os
import subprocess
import sys

import pytest
from docx import Document
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from etl.briefing import pack as briefing
from etl.present import figures
from tests.conftest import CAT_HAI, FIXTURE_UNITS, ROOT, THACH_KHOI, VIET_HOA

needs_browser = pytest.mark.skipif(
    not figures.browser_available() and os.environ.get("DANVAN_REQUIRE_BROWSER") != "1",
    reason="no Chromium for kaleido; DANVAN_REQUIRE_BROWSER=1 makes this a failure")


@pytest.fixture(scope="module")
def pack(dashboard_db):
    return briefing.build_pack(dashboard_db, "2025", FIXTURE_UNITS)


def _all_findings(p) -> str:
    return "\n".join(f for i in p.items for f in i.findings)


def test_whole_city_counts_every_unit_that_did_not_report(con):
    p = briefing.collect(con, "2025")
    assert len(p.items) == 12 and p.scope == "Toàn thành phố"
    assert any("Đã báo cáo: 5/114 đơn vị." in n for n in p.notes)
    assert any(n.startswith("Chưa báo cáo kỳ này (109 đơn vị): ") and "đơn vị khác" in n
               for n in p.notes)


def test_findings_come_from_the_data(con):
    p = briefing.collect(con, "2025", FIXTURE_UNITS)
    assert {i.section for i in p.items} == set(briefing.SECTIONS)
    assert len(p.items) == 12
    for item in p.items:
        assert 2 <= len(item.findings) <= 4, (item.title, item.findings)
    text = _all_findings(p)
    # Cát Hải sent nothing for 2025: named as not reported, in the notes and the findings.
    assert any("Chưa báo cáo kỳ này (1 đơn vị): đặc khu Cát Hải." in n for n in p.notes)
    assert "đặc khu Cát Hải" in text
    mediation = next(i for i in p.items if i.title.startswith("Hòa giải ở cơ sở"))
    joined = " ".join(mediation.findings)
    # Lê Chân left mediation_cases blank: not reported, never counted as 0.
    assert "chưa báo cáo: đặc khu Cát Hải, phường Lê Chân" in joined
    assert "So sánh với cùng kỳ chưa đầy đủ" in joined and "kỳ này thiếu" in joined
    petitions = next(i for i in p.items if i.title.startswith("Đơn thư:"))
    assert petitions.findings[0].startswith("Đơn thư tiếp nhận (tổng): ")
    assert "so với cùng kỳ (Năm 2024:" in petitions.findings[0]
    assert "cao nhất: " in petitions.findings[0]
    assessment = next(i for i in p.items if i.section == "assessment")
    assert "Chưa báo cáo điểm (1 đơn vị): đặc khu Cát Hải" in " ".join(assessment.findings)


def test_no_cung_ky_is_said_not_invented(con):
    p = briefing.collect(con, "2025-Q3", FIXTURE_UNITS, sections=("overview",))
    text = _all_findings(p)
    assert "Chưa có số liệu cùng kỳ (Quý III/2024) nên chưa so sánh được." in text
    assert "tăng" not in text and "giảm" not in text


def test_chosen_units_only(con):
    p = briefing.collect(con, "2025", [THACH_KHOI, CAT_HAI], sections=("overview", "compare"))
    assert p.scope.startswith("2 đơn vị")
    text = _all_findings(p)
    assert "Việt Hòa" not in text and "Thạch Khôi" in text
    assert "đặc khu Cát Hải" in text                    # the one that did not report


def test_bad_input_is_refused_in_vietnamese(con):
    with pytest.raises(briefing.BriefError, match="chưa có báo cáo nào"):
        briefing.collect(con, "2030")
    with pytest.raises(briefing.BriefError, match="Không có đơn vị mã 99999"):
        briefing.collect(con, "2025", ["99999"])
    with pytest.raises(briefing.BriefError, match="Phần báo cáo không hợp lệ"):
        briefing.collect(con, "2025", sections=("nope",))


@needs_browser
def test_pptx_slides_pictures_titles_and_vietnamese(pack):
    prs = Presentation(io.BytesIO(briefing.write_pptx(pack)))
    slides = list(prs.slides)
    assert len(slides) == 1 + len(pack.items) == 13
    assert prs.slide_width * 9 == prs.slide_height * 16
    assert slides[0].shapes.title.text == "Báo cáo công tác dân vận — Năm 2025"
    assert "DỮ LIỆU MẪU" not in "".join(s.text_frame.text for s in slides[0].shapes
                                      if s.has_text_frame)
    for slide, item in zip(slides[1:], pack.items):
        assert slide.shapes.title.text == item.title
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0].image.size == (2560, 1440)      # 16:9 at 2×
        assert len(pictures[0].image.blob) > 50_000
        text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert "Nhận xét" in text
        for finding in item.findings:
            assert finding in text
    assert "Hòa giải ở cơ sở: Năm 2025 so với cùng kỳ" in [s.shapes.title.text for s in slides]


@needs_browser
def test_docx_headings_pictures_tables(pack):
    doc = Document(io.BytesIO(briefing.write_docx(pack)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for title in briefing.SECTIONS.values():
        assert title in headings
    assert sum(h.startswith("Biểu đồ ") for h in headings) == len(pack.items)
    assert len(doc.inline_shapes) == len(pack.items)
    assert len(doc.tables) == len(pack.items)
    ranking = next(t for t in doc.tables if t.rows[0].cells[0].text == "Hạng")
    cells = [c.text for r in ranking.rows for c in r.cells]
    assert "Chưa báo cáo" in cells
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "đặc khu Cát Hải" in body and "Nguồn: Báo cáo công tác dân vận" in body


def test_pack_without_browser_still_has_findings_and_tables(dashboard_db, monkeypatch):
    monkeypatch.setattr(figures, "browser_available", lambda: False)
    p = briefing.build_pack(dashboard_db, "2025", sections=("compare",))
    assert all(i.image is None for i in p.items)
    assert figures.BROWSER_MISSING in p.notes
    prs = Presentation(io.BytesIO(briefing.write_pptx(p)))
    assert len(prs.slides) == 1 + len(p.items)
    assert len(Document(io.BytesIO(briefing.write_docx(p))).tables) == len(p.items)


@needs_browser
def test_cli_writes_pptx_and_docx(dashboard_db, tmp_path):
    out = tmp_path / "bao-cao.docx"
    r = subprocess.run([sys.executable, "-m", "etl", "--db", str(dashboard_db), "brief",
                        "--period", "2025", "--units", f"{THACH_KHOI},{VIET_HOA}",
                        "--sections", "overview,trends", "-o", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Đã tạo" in r.stdout
    doc = Document(str(out))
    assert len(doc.inline_shapes) >= 5


@pytest.mark.parametrize("args, message", [
    (["--period", "xx", "-o", "a.pptx"], "Không hiểu kỳ báo cáo"),
    (["--period", "2030", "-o", "a.pptx"], "chưa có báo cáo nào"),
    (["--period", "2025", "--units", "1,2", "-o", "a.pptx"], "Không có đơn vị mã 1, 2"),
    (["--period", "2025", "-o", "a.pdf"], "phải có đuôi .pptx hoặc .docx"),
])
def test_cli_bad_input_no_traceback(dashboard_db, tmp_path, args, message):
    r = subprocess.run([sys.executable, "-m", "etl", "--db", str(dashboard_db), "brief", *args],
                       cwd=tmp_path, capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "a.pptx").exists()


def test_briefing_page(dashboard_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DANVAN_DB", str(dashboard_db))
    monkeypatch.setenv("DANVAN_ANONYMOUS_READ", "1")   # a read-only deployment, no sign-in
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"don_vi": f"{THACH_KHOI},{CAT_HAI}"})
    at.run()
    at.switch_page("pages/briefing.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Xuất báo cáo" in [t.value for t in at.title]
    assert at.multiselect(key="brief_units").value == [THACH_KHOI, CAT_HAI]   # from the sidebar
    at.multiselect(key="brief_sections").set_value(["compare"]).run()
    at.button(key="brief_build").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Đã tạo «Báo cáo công tác dân vận — Năm 2025»: 3 biểu đồ" in s.value
               for s in at.success)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Tải bộ trình chiếu (.pptx)", "Tải báo cáo Word (.docx)"]
    assert any("đặc khu Cát Hải" in m.value for m in at.markdown)


def test_chart_pages_offer_downloads(dashboard_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DANVAN_DB", str(dashboard_db))
    monkeypatch.setenv("DANVAN_ANONYMOUS_READ", "1")   # a read-only deployment, no sign-in
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"don_vi": THACH_KHOI})
    at.run()
    for page in ("pages/overview.py", "pages/compare.py", "pages/trends.py",
                 "pages/unit_profile.py"):
        at.switch_page(page).run()
        if page == "pages/unit_profile.py":         # its chart is under the second tab
            at.session_state["profile_view"] = "Các chỉ tiêu qua các kỳ"
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        labels = [b.proto.label for b in at.get("download_button")]
        expected = (["PNG", "SVG", "PDF"] if figures.browser_available() else []) + ["Excel", "CSV"]
        assert labels[:len(expected)] == expected, (page, labels)
