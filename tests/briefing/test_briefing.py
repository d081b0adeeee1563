"""The briefing pack: findings from the fixture warehouse, .pptx and .docx opened back.

Packs with pictures need Chromium (skipped without it unless DANVAN_REQUIRE_BROWSER=1).
"""
import io
import os
import shutil
import subprocess
import sys

import pytest
from docx import Document
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from etl.briefing import pack as briefing
from etl.present import figures
from etl.read.scope import Scope
from etl.warehouse import db
from tests.conftest import (
    CAT_HAI,
    FIXTURE_UNITS,
    HONG_BANG,
    LE_CHAN,
    ROOT,
    THACH_KHOI,
    VIET_HOA,
    _year_values,
    fixture_values,
)

needs_browser = pytest.mark.skipif(
    not figures.browser_available() and os.environ.get("DANVAN_REQUIRE_BROWSER") != "1",
    reason="no Chromium for kaleido; DANVAN_REQUIRE_BROWSER=1 makes this a failure")


@pytest.fixture(scope="module")
def pack(dashboard_db):
    return briefing.build_pack(dashboard_db, Scope("2025"), FIXTURE_UNITS)


def _all_findings(p) -> str:
    return "\n".join(f for i in p.items for f in i.findings)


def test_whole_city_counts_every_unit_that_did_not_report(con):
    p = briefing.collect(con, Scope("2025"))
    assert len(p.items) == 13 and p.scope == "Toàn thành phố"       # 12 charts and the map
    assert any("Đã báo cáo: 5/114 đơn vị." in n for n in p.notes)
    assert any(n.startswith("Chưa báo cáo kỳ này (109 đơn vị): ") and "đơn vị khác" in n
               for n in p.notes)


def test_findings_come_from_the_data(con):
    p = briefing.collect(con, Scope("2025"), FIXTURE_UNITS)
    assert {i.section for i in p.items} == set(briefing.SECTIONS)
    assert len(p.items) == 13
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
    p = briefing.collect(con, Scope("2025-Q3"), FIXTURE_UNITS, sections=("overview",))
    text = _all_findings(p)
    assert "Chưa có số liệu cùng kỳ (Quý III/2024) nên chưa so sánh được." in text
    assert "tăng" not in text and "giảm" not in text


def test_chosen_units_only(con):
    p = briefing.collect(con, Scope("2025"), [THACH_KHOI, CAT_HAI],
                         sections=("overview", "compare"))
    assert p.scope.startswith("2 đơn vị")
    text = _all_findings(p)
    assert "Việt Hòa" not in text and "Thạch Khôi" in text
    assert "đặc khu Cát Hải" in text                    # the one that did not report


def test_bad_input_is_refused_in_vietnamese(con):
    with pytest.raises(briefing.BriefError, match="chưa có báo cáo nào"):
        briefing.collect(con, Scope("2030"))
    with pytest.raises(briefing.BriefError, match="Không có đơn vị mã 99999"):
        briefing.collect(con, Scope("2025"), ["99999"])
    with pytest.raises(briefing.BriefError, match="Phần báo cáo không hợp lệ"):
        briefing.collect(con, Scope("2025"), sections=("nope",))


@needs_browser
def test_pptx_slides_pictures_titles_and_vietnamese(pack):
    prs = Presentation(io.BytesIO(briefing.write_pptx(pack)))
    slides = list(prs.slides)
    assert len(slides) == 1 + len(pack.items) == 14
    assert prs.slide_width * 9 == prs.slide_height * 16
    assert slides[0].shapes.title.text == "Báo cáo công tác dân vận — Năm 2025"
    assert "DỮ LIỆU MẪU" not in "".join(s.text_frame.text for s in slides[0].shapes
                                      if s.has_text_frame)
    for slide, item in zip(slides[1:], pack.items):
        assert slide.shapes.title.text == item.title
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        pic = pictures[0]
        w, h = pic.image.size
        assert w == 2560                                    # sharp on a projector
        assert abs(w / h - pic.width / pic.height) < 0.01   # drawn for its box, not stretched
        assert pic.left + pic.width <= prs.slide_width and pic.top + pic.height <= prs.slide_height
        assert len(pic.image.blob) > 50_000
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
    p = briefing.build_pack(dashboard_db, Scope("2025"), sections=("compare",))
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
                       check=False, cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Đã tạo" in r.stdout
    doc = Document(str(out))
    assert len(doc.inline_shapes) >= 5


@pytest.mark.parametrize("args, message", [
    (["--period", "xx", "-o", "a.pptx"], "Không hiểu kỳ báo cáo"),
    (["--period", "2030", "-o", "a.pptx"], "chưa có báo cáo nào"),
    (["--period", "2025", "--units", "1,2", "-o", "a.pptx"], "Không có đơn vị mã 1, 2"),
    (["--period", "2025", "-o", "a.pdf"], "phải có đuôi .pptx hoặc .docx"),
    (["--period", "2025", "--province", "77", "-o", "a.pptx"], "Không có tỉnh, thành phố mã «77»"),
])
def test_cli_bad_input_no_traceback(dashboard_db, tmp_path, args, message):
    r = subprocess.run([sys.executable, "-m", "etl", "--db", str(dashboard_db), "brief", *args],
                       check=False, cwd=tmp_path, capture_output=True, text=True, timeout=60,
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
    assert any("Đã tạo «Báo cáo công tác dân vận — Năm 2025»: 4 biểu đồ" in s.value
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
            at.session_state["tab"] = "Các chỉ tiêu qua các kỳ"
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        labels = [b.proto.label for b in at.get("download_button")]
        expected = (["PNG", "SVG", "PDF"] if figures.browser_available() else []) + ["Excel", "CSV"]
        assert labels[:len(expected)] == expected, (page, labels)


# ---------------------------------------------------------------- the reader's Scope
# The pack takes the sidebar's Scope: its province and «Gồm số liệu chưa duyệt» reach every query
# and the texts say which area and which reports the pack covers.

OTHER, OTHER_NAME = "99", "Tỉnh Thử Nghiệm"      # a second province holding three fixture units
MOVED = [HONG_BANG, LE_CHAN, CAT_HAI]
STAYED = ["Thạch Khôi", "Việt Hòa", "Ái Quốc"]


def slide_texts(data: bytes) -> list[str]:
    """Every slide's text, read back from the .pptx file."""
    prs = Presentation(io.BytesIO(data))
    return ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
            for slide in prs.slides]


def docx_text(data: bytes) -> str:
    """Paragraphs and table cells, read back from the .docx file."""
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def docx_headings(data: bytes) -> list[str]:
    doc = Document(io.BytesIO(data))
    return [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]


@pytest.fixture(scope="module")
def two_provinces(dashboard_db, tmp_path_factory):
    """The fixture warehouse with Hồng Bàng, Lê Chân and Cát Hải moved to a second province."""
    path = tmp_path_factory.mktemp("brief-national") / "two.duckdb"
    shutil.copy(dashboard_db, path)
    with db.connect(path) as con:
        con.execute("INSERT INTO provinces VALUES (?, ?, '2025-07-01', NULL)", [OTHER, OTHER_NAME])
        con.execute("UPDATE units SET province_code = ? WHERE list_contains(?, code)", [OTHER, MOVED])
    return path


@pytest.fixture(scope="module")
def pending_db(dashboard_db, tmp_path_factory):
    """The fixture warehouse plus Cát Hải's 2025 report, sent through the template and the loader
    and left awaiting review."""
    from etl.intake.loader import load_files
    from tests.workbooks import fill_values, make_template

    work = tmp_path_factory.mktemp("brief-pending")
    path = work / "pending.duckdb"
    shutil.copy(dashboard_db, path)
    template = make_template(path, CAT_HAI, "2025", work / "t.xlsx")
    [result] = load_files(path, [fill_values(template, PENDING_VALUES, work / "cat_hai_2025.xlsx")])
    assert result.status == "loaded", (result.message, [f.message for f in result.findings])
    return path


PENDING_VALUES = _year_values(CAT_HAI, "2025")
ACCEPTED_2025 = {u: v for (u, p), v in fixture_values().items() if p == "2025"}


def _total(item, label: str) -> float:
    row = item.table[item.table["Chỉ tiêu"] == label].iloc[0]
    return float(row[item.table.columns[2]])


def test_a_province_pack_names_the_province_and_only_its_units(two_provinces):
    p = briefing.build_pack(two_provinces, Scope("2025", OTHER), images=False)
    assert p.area == OTHER_NAME and p.scope == OTHER_NAME
    assert p.title == f"Báo cáo công tác dân vận — {OTHER_NAME} — Năm 2025"
    assert f"Phạm vi: {OTHER_NAME}. Đã báo cáo: 2/3 đơn vị." in p.notes
    assert "Chưa báo cáo kỳ này (1 đơn vị): đặc khu Cát Hải." in p.notes
    # Only the province's units are ranked, tabled and totalled.
    for item in p.items:
        if "Mã đơn vị" in item.table.columns:
            assert set(item.table["Mã đơn vị"]) <= set(MOVED), item.title
    propaganda = next(i for i in p.items if i.title.startswith("Tuyên truyền:"))
    assert _total(propaganda, "Hội nghị, buổi tuyên truyền, quán triệt") == sum(
        ACCEPTED_2025[u]["propaganda_sessions"] for u in MOVED if u in ACCEPTED_2025)
    assert propaganda.figure.layout.title.subtitle.text.startswith(OTHER_NAME)

    slides = slide_texts(briefing.write_pptx(p))
    assert slides[0].startswith(p.title) and f"Phạm vi: {OTHER_NAME}." in slides[0]
    word = briefing.write_docx(p)
    body = docx_text(word)
    assert f"Tổng quan {OTHER_NAME}" in docx_headings(word)
    for text in ["\n".join(slides), body]:
        assert "phường Hồng Bàng" in text and "đặc khu Cát Hải" in text
        for name in STAYED:
            assert name not in text
        assert "chưa duyệt" not in text.lower()


def test_the_national_pack_says_ca_nuoc(two_provinces):
    p = briefing.build_pack(two_provinces, Scope("2025"), images=False)
    assert p.area == "cả nước" and p.scope == "Cả nước"
    assert p.title == "Báo cáo công tác dân vận — Cả nước — Năm 2025"
    assert "Phạm vi: cả nước. Đã báo cáo: 5/114 đơn vị." in p.notes
    # Nationally the map draws the provinces; the ranking lists every unit.
    country_map, ranking = [i for i in p.items if i.section == "compare"][:2]
    assert country_map.title.startswith("Bản đồ:") and len(country_map.table) == 2
    assert len(ranking.table) == 114
    assert ranking.figure.layout.title.subtitle.text.startswith("Cả nước · ")
    slides = slide_texts(briefing.write_pptx(p))
    assert slides[0].startswith(p.title) and "Phạm vi: cả nước." in slides[0]
    word = briefing.write_docx(p)
    assert "Tổng quan cả nước" in docx_headings(word)
    assert "Cả nước" in docx_text(word) and "toàn thành phố" not in docx_text(word).lower()


def test_one_province_registry_stays_toan_thanh_pho(con):
    p = briefing.collect(con, Scope("2025", "31"), sections=("overview",))
    assert p.area == "toàn thành phố" and p.title == "Báo cáo công tác dân vận — Năm 2025"


def test_units_outside_the_province_cannot_be_chosen(two_provinces):
    with db.connect(two_provinces, read_only=True) as con:
        with pytest.raises(briefing.BriefError, match=f"không thuộc {OTHER_NAME}: Phường Thạch Khôi"):
            briefing.collect(con, Scope("2025", OTHER), [THACH_KHOI, HONG_BANG])
        with pytest.raises(briefing.BriefError, match="Không có tỉnh, thành phố mã «77»"):
            briefing.collect(con, Scope("2025", "77"))
        # Chosen units of the province: only they, with the province named.
        p = briefing.collect(con, Scope("2025", OTHER), [HONG_BANG, CAT_HAI],
                             sections=("overview",))
    assert p.scope == f"2 đơn vị: Cát Hải, Hồng Bàng ({OTHER_NAME})"
    assert p.notes[0].startswith(f"Phạm vi: 2 đơn vị được chọn của {OTHER_NAME} (")


def test_with_unreviewed_reports_the_pack_says_so_and_counts_them(pending_db):
    p = briefing.build_pack(pending_db, Scope("2025", include_unreviewed=True), FIXTURE_UNITS,
                            images=False)
    assert p.include_unreviewed
    propaganda = next(i for i in p.items if i.title.startswith("Tuyên truyền:"))
    assert _total(propaganda, "Hội nghị, buổi tuyên truyền, quán triệt") == sum(
        v["propaganda_sessions"] for v in ACCEPTED_2025.values()) + PENDING_VALUES[
        "propaganda_sessions"]
    assert "Đã báo cáo: 6/6 đơn vị." in p.notes[0]
    assert "Chưa báo cáo kỳ này" not in " ".join(p.notes)

    slides = slide_texts(briefing.write_pptx(p))
    assert "Gồm số liệu chưa duyệt" in slides[0]
    assert all("GỒM SỐ LIỆU CHƯA DUYỆT" in s for s in slides[1:])
    body = docx_text(briefing.write_docx(p))
    assert "Gồm số liệu chưa duyệt" in body and "GỒM SỐ LIỆU CHƯA DUYỆT" in body


def test_without_unreviewed_a_pending_report_is_left_out(pending_db):
    p = briefing.build_pack(pending_db, Scope("2025"), FIXTURE_UNITS, images=False)
    propaganda = next(i for i in p.items if i.title.startswith("Tuyên truyền:"))
    assert _total(propaganda, "Hội nghị, buổi tuyên truyền, quán triệt") == sum(
        v["propaganda_sessions"] for v in ACCEPTED_2025.values())
    ranking = next(i for i in p.items if i.title.startswith("Hội nghị, buổi tuyên truyền"))
    cat_hai = ranking.table[ranking.table["Mã đơn vị"] == CAT_HAI].iloc[0]
    assert cat_hai["Ghi chú"] == "Chưa báo cáo"
    # Sent, so not "did not report"; awaiting review, so said to be left out.
    assert ("Báo cáo đang chờ duyệt, chưa được tính (1 đơn vị): đặc khu Cát Hải; số liệu chỉ gồm "
            "các báo cáo đã được chấp nhận.") in p.notes
    slides = slide_texts(briefing.write_pptx(p))
    body = docx_text(briefing.write_docx(p))
    for text in ["\n".join(slides), body]:
        assert "chưa duyệt" not in text.lower()
        assert "đang chờ duyệt, chưa được tính" in text


def test_cli_takes_the_province_and_unreviewed(two_provinces, tmp_path):
    out = tmp_path / "tinh.pptx"
    r = subprocess.run([sys.executable, "-m", "etl", "--db", str(two_provinces), "brief",
                        "--period", "2025", "--province", OTHER, "--include-unreviewed",
                        "--sections", "compare", "-o", str(out)],
                       check=False, cwd=ROOT, capture_output=True, text=True,
                       timeout=180)
    assert r.returncode == 0, r.stderr
    assert f"Đã tạo {out}: 3 biểu đồ, kỳ Năm 2025, {OTHER_NAME}" in r.stdout
    slides = slide_texts(out.read_bytes())
    assert slides[0].startswith(f"Báo cáo công tác dân vận — {OTHER_NAME} — Năm 2025")
    assert "Gồm số liệu chưa duyệt" in slides[0]
    assert not any(name in "\n".join(slides) for name in STAYED)


def test_briefing_page_passes_the_sidebar_province(two_provinces, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DANVAN_DB", str(two_provinces))
    monkeypatch.setenv("DANVAN_ANONYMOUS_READ", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"tinh": OTHER})
    at.run()
    at.switch_page("pages/briefing.py").run()
    assert not at.exception, [e.message for e in at.exception]
    at.multiselect(key="brief_sections").set_value(["compare"]).run()
    at.button(key="brief_build").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(f"«Báo cáo công tác dân vận — {OTHER_NAME} — Năm 2025»: 3 biểu đồ" in s.value
               for s in at.success), [s.value for s in at.success]
    # The page escapes Markdown: compare the notes' plain words.
    notes = [m.value.replace("\\", "").replace("\u2060", "") for m in at.markdown]
    assert any(f"Phạm vi: {OTHER_NAME}. Đã báo cáo: 2/3 đơn vị." in n for n in notes), notes
