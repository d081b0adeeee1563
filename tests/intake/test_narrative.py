"""Figures out of narrative reports (etl.intake.narrative): the shared real report, synthetic
reports written the way such reports are, tables, numbers that are not figures, messy text."""
import unicodedata

import pytest

from etl.intake.narrative import extract
from etl.intake.narrative.text import paragraphs
from tests.fixtures_paths import FIXTURES, SAMPLE_REPORT

SAMPLE = SAMPLE_REPORT


def figures(draft) -> dict:
    return {k: best.value for k, (best, _alts) in draft.values.items()}


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared sample report is not here")
def test_the_real_report_of_viet_hoa(units):
    draft = extract(SAMPLE.read_text(encoding="utf-8"), units, SAMPLE.name)
    got = figures(draft)
    assert got == {"population": 30575, "area_km2": 17, "party_members": 2370, "party_cells": 49,
                   "reception_people": 44, "reception_visits": 36, "petitions_feedback": got["petitions_feedback"],
                   "petitions_complaint": 0, "petitions_denunciation": 0, "crowd_delegations": 0}
    # Two figures for one indicator: the better kept, the other listed, never added up.
    best, alts = draft.values["reception_people"]
    assert [a.value for a in alts] == [14] and "Ban tiếp công dân" in best.evidence
    assert {best.value for best, _ in [draft.values["petitions_feedback"]]} | \
        {a.value for a in draft.values["petitions_feedback"][1]} == {5, 21}
    # Every figure with the sentence it came from, the number at its place in it.
    for best, _alts in draft.values.values():
        assert best.evidence and best.location.startswith("đoạn ")
    population = draft.values["population"][0]
    assert population.evidence[population.span[0]:population.span[1]] == "30.575"
    zero = draft.values["petitions_complaint"][0]
    assert "không có đơn khiếu nại, tố cáo" in zero.evidence
    # The unit it speaks as, not the old units it names; the period its figures cover.
    assert draft.unit.code == "10543" and "được thành lập" in draft.unit.evidence
    assert any("Xã Cao An" in text for kind, text, _ in draft.notes if kind == "unit")
    assert (draft.period.period.start.isoformat(), draft.period.period.end.isoformat()) == \
        ("2025-07-01", "2025-11-20")
    assert any(kind == "period" and "Năm 2025" in text for kind, text, _ in draft.notes)
    assert [m for m, _ in draft.models][:3] == ["khu dân cư tự quản", "5 không 3 sạch",
                                               "hộ sản xuất kinh doanh giỏi 4 cấp"]


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared sample report is not here")
def test_no_document_number_date_or_term_is_taken_for_a_figure(units):
    draft = extract(SAMPLE.read_text(encoding="utf-8"), units, SAMPLE.name)
    taken = {c.value for best, alts in draft.values.values() for c in [best, *alts]}
    for number in (3177, 1669, 294, 88, 33, 15, 2021, 2025, 2026, 2030, 3, 91, 45, 7, 514, 39, 1, 4):
        assert number not in taken, number


SYNTHETIC = """ỦY BAN NHÂN DÂN
XÃ YẾT KIÊU

BÁO CÁO
Kết quả công tác dân vận chính quyền 6 tháng đầu năm 2025

Thực hiện Quyết định số 3177/QĐ-UBND ngày 06/8/2025 và Kế hoạch số 88/KH-UBND, nhiệm kỳ 2025-2030,
UBND xã Yết Kiêu báo cáo kết quả như sau:
1. Tuyên truyền: tổ chức 12 buổi tuyên truyền, quán triệt với khoảng 1.500 lượt người tham dự; ban
hành 25 văn bản chỉ đạo.
2. Đối thoại: tổ chức 02 hội nghị đối thoại với 250 đại biểu, tiếp nhận 18 ý kiến, đã trả lời 15 ý
kiến.
3. Tiếp công dân: đã tiếp hơn 120 lượt công dân (150 người); 01 đoàn đông người. Chủ tịch UBND xã
tiếp công dân định kỳ 10 buổi.
4. Đơn thư: tiếp nhận 26 đơn thư, trong đó 20 đơn phản ánh, kiến nghị; 4 đơn khiếu nại; 2 đơn tố
cáo. Đã giải quyết 24/26 đơn (đạt 92,3%).
5. Hòa giải thành 32/33 vụ (đạt 97%). 100% cán bộ, công chức ký cam kết; không có cán bộ, công chức
vi phạm bị xử lý kỷ luật. Bão số 3 gây thiệt hại; 01 Phó Chủ tịch phụ trách; chấm 10 tiêu chí.
6. Duy trì 15 mô hình “Dân vận khéo”, xây dựng mới 3 mô hình.
"""


def test_a_report_written_the_usual_way(units):
    draft = extract(SYNTHETIC, units, "yet-kieu.txt")
    assert figures(draft) == {
        "propaganda_sessions": 12, "propaganda_attendees": 1500, "directive_docs": 25,
        "dialogues": 2, "dialogue_attendees": 250, "dialogue_opinions": 18,
        "dialogue_opinions_resolved": 15, "reception_visits": 120, "reception_people": 150,
        "crowd_delegations": 1, "reception_sessions_chair": 10, "petitions_received": 26,
        "petitions_feedback": 20, "petitions_complaint": 4, "petitions_denunciation": 2,
        "petitions_resolved": 24, "mediation_successful": 32, "mediation_cases": 33,
        "staff_violations": 0, "dvk_models_active": 15, "dvk_models_new": 3}
    assert draft.values["propaganda_attendees"][0].approximate        # «khoảng»
    assert draft.values["reception_visits"][0].approximate            # «hơn»
    assert not draft.values["reception_people"][0].approximate
    # A rate alone is never a count: it is noted.
    assert any(kind == "rate" and "97%" in text for kind, text, _ in draft.notes)
    # For 6 months of 2025 the code names the old Xã Yết Kiêu, who existed until 30/06/2025.
    assert draft.period.period.key == "2025-H1" and draft.unit.code == "11020@2025-06-30"


def test_figures_in_a_table(units):
    table = ("BÁO CÁO\nCông tác dân vận năm 2025 của UBND phường Thạch Khôi\n"
             "STT | Nội dung | Đơn vị tính | Năm 2024 | Năm 2025\n"
             "1 | Hội nghị đối thoại với Nhân dân | hội nghị | 2 | 3\n"
             "2 | Tiếp công dân | lượt | 30 | 36\n"
             "3 | Đơn khiếu nại | đơn | 1 | 2\n"
             "4 | Số người được tiếp | người | 900 | 1.020\n")
    draft = extract(table, units, "thach-khoi.txt")
    assert figures(draft) == {"dialogues": 3, "reception_visits": 36, "petitions_complaint": 2,
                              "reception_people": 1020}
    assert draft.values["reception_people"][0].evidence.startswith("4 | Số người được tiếp")
    assert draft.unit.code == "11002" and draft.period.period.key == "2025"


def test_messy_text_from_documents(units):
    messy = unicodedata.normalize("NFD", "UBND phường Việt Hòa báo cáo năm 2025. Tổ chức 3 hội "
                                         "nghị đối\nthoại, các đoàn thể tham gia; các đo\nàn thể\f"
                                         "phối hợp tiếp 44  người.")
    pars = paragraphs(messy)
    assert "đối thoại" in pars[0].text and "các đoàn thể phối hợp" in pars[0].text
    assert figures(extract(messy, units)) == {"dialogues": 3, "reception_people": 44}


def test_the_choice_of_the_person_wins_and_the_text_is_noted(units):
    from etl.domain.periods import parse_period
    draft = extract(SYNTHETIC, units, unit_code="11002", period=parse_period("2025"))
    assert draft.unit.code == "11002" and draft.period.period.key == "2025"
    assert {kind for kind, _, _ in draft.notes} >= {"unit", "period"}



def test_a_half_year_report_with_a_plan_section(units):
    """Targets of «PHƯƠNG HƯỚNG …» and «Phấn đấu …» are not results; the title's period is the
    report's, not the plan's («6 tháng đầu năm, phương hướng … 6 tháng cuối năm 2026»)."""
    draft = extract((FIXTURES / "synthetic-an-lao-2026h1.txt").read_text(encoding="utf-8"), units)
    assert figures(draft) == {
        "area_km2": 25.61, "population": 42318, "residential_groups": 34, "party_cells": 52,
        "party_members": 1985, "directive_docs": 12, "propaganda_sessions": 8, "propaganda_attendees": 1500,
        "dialogues": 2, "dialogue_attendees": 320, "dialogue_opinions": 45, "dialogue_opinions_resolved": 40,
        "reception_sessions_chair": 12, "reception_visits": 58, "reception_people": 68, "crowd_delegations": 0,
        "petitions_received": 32, "petitions_feedback": 25, "petitions_complaint": 5,
        "petitions_denunciation": 2, "petitions_resolved": 29, "dvk_models_new": 4, "dvk_models_active": 15,
        "dvk_models_recognized": 2, "mediation_cases": 18, "mediation_successful": 16,
        "admin_procedures": 256, "staff_violations": 0}
    assert all(not alts for _best, alts in draft.values.values())     # «còn 05 ý kiến đang xem xét»
    assert draft.period.period.key == "2026-H1" and draft.unit.code == "11629"
    assert any(kind == "target" and "Phấn đấu" in evidence for kind, _text, evidence in draft.notes)


def test_a_quarterly_report_with_spelled_numbers_and_a_framed_table(units):
    draft = extract((FIXTURES / "synthetic-le-chan-2025q3.txt").read_text(encoding="utf-8"), units)
    assert figures(draft) == {
        "reception_visits": 27, "reception_sessions_chair": 6, "crowd_delegations": 0,
        "petitions_received": 19, "petitions_feedback": 16, "petitions_complaint": 3,
        "petitions_denunciation": 0, "petitions_resolved": 17, "dialogues": 2, "dialogue_attendees": 150,
        "dialogue_opinions": 23, "mediation_cases": 7, "mediation_successful": 6, "directive_docs": 5,
        "propaganda_sessions": 14, "propaganda_attendees": 2160, "dvk_models_new": 2}
    dialogues = draft.values["dialogues"][0]
    assert dialogues.evidence[dialogues.span[0]:dialogues.span[1]] == "hai"      # «Tổ chức hai hội nghị»
    assert draft.values["propaganda_attendees"][0].evidence.startswith("| 3 | Lượt người tham dự")
    assert draft.period.period.key == "2025-Q3" and draft.unit.code == "11383"


def test_labelled_figures_and_spelled_numbers(units):
    text = ("BÁO CÁO\nCông tác dân vận 9 tháng đầu năm 2025 của UBND phường Lê Chân\n"
            "- Số cuộc đối thoại: 03; tổng số lượt tiếp công dân: 41.\n"
            "- Tổ chức mười hai buổi tuyên truyền; trong năm 2025 không có đoàn đông người.\n"
            "Số đơn khiếu nại | 4\n")
    draft = extract(text, units)
    assert figures(draft) == {"dialogues": 3, "reception_visits": 41, "crowd_delegations": 0,
                              "petitions_complaint": 4}                 # «mười hai» is not read as 2
    period = draft.period.period
    assert (period.start.isoformat(), period.end.isoformat()) == ("2025-01-01", "2025-09-30")


def test_running_heads_and_page_numbers_of_a_pdf_are_dropped(units):
    pages = [f"UBND PHƯỜNG LÊ CHÂN\n{body}\nTrang {i}/3" for i, body in enumerate(
        ["BÁO CÁO\nCông tác dân vận năm 2025\nTổ chức 3 hội nghị đối thoại với Nhân dân, tiếp", "44 lượt công dân.",
         "Tiếp nhận 19 đơn thư."], start=1)]
    draft = extract("\f".join(pages), units)
    assert figures(draft) == {"dialogues": 3, "reception_visits": 44, "petitions_received": 19}
    visits = draft.values["reception_visits"][0]
    assert "UBND" not in visits.evidence and "Trang" not in visits.evidence
    assert draft.unit.code == "11383"


def test_changes_against_last_year_are_not_counts_and_a_label_answered_no_is_zero(units):
    """«tăng 3 buổi so với năm 2024», «giảm 12 lượt so với cùng kỳ» are differences; «trực tiếp» is
    not «tiếp» (receiving citizens); «Số cán bộ, công chức vi phạm: không.» is 0."""
    draft = extract((FIXTURES / "synthetic-vinh-bao-2025.txt").read_text(encoding="utf-8"), units)
    assert figures(draft) == {
        "propaganda_sessions": 15, "propaganda_attendees": 2000, "dialogues": 5, "dialogue_attendees": 420,
        "dialogue_opinions": 37, "dialogue_opinions_resolved": 35, "reception_visits": 64,
        "crowd_delegations": 1, "petitions_received": 12, "petitions_resolved": 11, "dvk_models_new": 6,
        "mediation_cases": 9, "mediation_successful": 8, "directive_docs": 8, "staff_violations": 0}
    assert all(not alts for _best, alts in draft.values.values())
    assert [name for name, _ in draft.models] == ["Dòng họ học tập"]
