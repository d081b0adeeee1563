"""Chart and table exports: PNG/SVG/PDF through kaleido, .xlsx and .csv of the table behind a chart.

Image tests need Chromium: skipped when it is missing, unless DANVAN_REQUIRE_BROWSER=1 (CI).
"""
import codecs
import csv
import io
import os

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image

from etl.present import charts, figures, tables
from etl.read import city, compare, trends
from etl.read.scope import Scope

needs_browser = pytest.mark.skipif(
    not figures.browser_available() and os.environ.get("DANVAN_REQUIRE_BROWSER") != "1",
    reason="no Chromium for kaleido (apt-get install chromium, or set BROWSER_PATH); "
           "DANVAN_REQUIRE_BROWSER=1 makes this a failure")

HOSTILE = ['=HYPERLINK("http://x","bấm")', "+1", "-2", "@SUM(A1)", "\t=1", "Việt Hòa"]


@pytest.fixture(scope="module")
def ranking_fig(dashboard_db):
    from etl.warehouse import db
    with db.connect(dashboard_db, read_only=True) as con:
        rank = compare.ranking(con, Scope('2025'), 'mediation_cases')
    return charts.ranking_chart(rank, title="Vụ việc hòa giải (vụ)",
                                subtitle="Năm 2025 · 4/6 đơn vị có số liệu", updated=None), rank


@needs_browser
def test_png_is_16_9_at_twice_the_size_and_not_blank(ranking_fig):
    png = figures.to_image(ranking_fig[0], "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(png)).convert("L")
    assert img.size == (2 * figures.WIDTH, 2 * figures.HEIGHT) == (2560, 1440)
    pixels = np.asarray(img, dtype=float)
    assert pixels.std() > 10                  # bars and text, not a white page
    assert (pixels < 128).mean() > 0.01


@needs_browser
def test_svg_and_pdf_carry_title_subtitle_source_in_vietnamese(ranking_fig):
    svg = figures.to_image(ranking_fig[0], "svg").decode("utf-8")
    assert svg.lstrip().startswith("<svg") or "<svg" in svg[:500]
    for text in ("Vụ việc hòa giải (vụ)", "Năm 2025 · 4/6 đơn vị có số liệu", "Nguồn: Báo cáo",
                 "Chưa báo cáo", "Thạch Khôi"):
        assert text in svg, text
    pdf = figures.to_image(ranking_fig[0], "pdf")
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


@needs_browser
def test_one_browser_is_reused_for_many_images(ranking_fig, monkeypatch):
    import kaleido

    started = []

    class Counted(kaleido.Kaleido):
        def __init__(self, *args, **kwargs):
            started.append(1)
            super().__init__(*args, **kwargs)

    figures.close()
    monkeypatch.setattr(kaleido, "Kaleido", Counted)
    try:
        for _ in range(3):
            assert "<svg" in figures.to_image(ranking_fig[0], "svg").decode("utf-8")[:500]
    finally:
        figures.close()       # the next test's browser is not the counting one
    assert len(started) == 1


def test_missing_browser_is_a_clear_error(monkeypatch, ranking_fig):
    figures.close()
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert not figures.browser_available()
    with pytest.raises(figures.BrowserMissing, match="Máy chủ chưa có trình duyệt để xuất ảnh biểu đồ"):
        figures.to_image(ranking_fig[0], "png")
    # Tables still export without a browser.
    assert tables.to_xlsx(pd.DataFrame({"a": [1]}))[:2] == b"PK"


def test_xlsx_headers_formats_frozen_header_widths(ranking_fig):
    rank = ranking_fig[1]
    df = tables.ranking_table(rank, "vụ")
    data = tables.to_xlsx(df, title="Vụ việc hòa giải", notes=["Nguồn: thử"])
    wb = load_workbook(io.BytesIO(data))
    ws = wb[tables.DATA_SHEET]
    assert [c.value for c in ws[1]] == ["Hạng", "Mã đơn vị", "Đơn vị", "Loại", "Giá trị (vụ)",
                                        "Ghi chú"]
    assert ws.freeze_panes == "A2"
    assert all(ws.column_dimensions[col].width >= 8 for col in "ABCDEF")
    rows = {r[2].value: r for r in ws.iter_rows(min_row=2)}
    le_chan = rows["Lê Chân"]
    # Blank is "Chưa báo cáo", never 0; a value is a number with a grouped format.
    assert le_chan[4].value == "Chưa báo cáo" and le_chan[5].value == "Chưa báo cáo"
    value = rows["Thạch Khôi"][4]
    assert isinstance(value.value, (int, float)) and value.number_format == tables.INTEGER_FORMAT
    assert rows["Thạch Khôi"][1].value == "11002" and rows["Thạch Khôi"][1].data_type == "s"
    assert wb[tables.NOTES_SHEET]["A1"].value == "Vụ việc hòa giải"


def test_xlsx_decimal_and_percent_formats():
    df = pd.DataFrame({"Diện tích (km²)": [19.94, 17.0], "Tỷ lệ": [0.97, np.nan]})
    ws = load_workbook(io.BytesIO(tables.to_xlsx(df, percent_columns=["Tỷ lệ"]))).active
    assert ws["A2"].number_format == tables.DECIMAL_FORMAT and ws["A2"].value == 19.94
    assert ws["B2"].number_format == tables.PERCENT_FORMAT
    assert ws["B3"].value == "Chưa báo cáo"


def test_formula_like_unit_names_are_neutralised_in_xlsx():
    df = pd.DataFrame({"Đơn vị": HOSTILE, "Giá trị": [1, 2, 3, 4, 5, -6]})
    data = tables.to_xlsx(df, title="=1+1")
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    for row, name in zip(ws.iter_rows(min_row=2), HOSTILE):
        cell = row[0]
        assert cell.value == name and cell.data_type == "s"       # text, never a formula
        assert cell.quotePrefix == tables.is_formula_like(name)
    assert ws["B7"].value == -6 and ws["B7"].data_type == "n"      # a negative number stays one
    assert wb[tables.NOTES_SHEET]["A1"].data_type == "s"
    # No cell anywhere is stored as a formula.
    raw = io.BytesIO(data)
    import zipfile
    with zipfile.ZipFile(raw) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_csv_has_bom_and_neutralised_text():
    df = pd.DataFrame({"Đơn vị": HOSTILE, "Giá trị": [1, 2.5, np.nan, 4, 5, -6]})
    data = tables.to_csv(df)
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    assert rows[0] == ["Đơn vị", "Giá trị"]
    names = [r[0] for r in rows[1:]]
    assert names[:5] == ["'" + n for n in HOSTILE[:5]] and names[5] == "Việt Hòa"
    assert not any(n.startswith(("=", "+", "-", "@", "\t")) for n in names)
    assert [r[1] for r in rows[1:]] == ["1", "2.5", "Chưa báo cáo", "4", "5", "-6"]


def test_csv_of_any_dataframe_guards_headers_and_every_text_cell():
    # What «Tình hình báo cáo» downloads as its missing-units list goes through to_csv too.
    df = pd.DataFrame({"=Mã": ["10543", "-10543", "\r=1"], "Đơn vị": ["@x", "Việt Hòa", "+84"],
                       "Số": [-6, 0, 2.5]})
    rows = list(csv.reader(io.StringIO(tables.to_csv(df)[3:].decode("utf-8"), newline="")))
    assert rows[0] == ["'=Mã", "Đơn vị", "Số"]
    assert [r[0] for r in rows[1:]] == ["10543", "'-10543", "'\r=1"]     # text that looks numeric
    assert [r[1] for r in rows[1:]] == ["'@x", "Việt Hòa", "'+84"]
    assert [r[2] for r in rows[1:]] == ["-6", "0", "2.5"]                  # numbers stay numbers


def test_tables_behind_the_charts(con):
    trend = trends.trend(con, Scope(), 'mediation_cases', 'year', ['11002', '11914'])
    t = tables.trend_table(trend)
    assert list(t.columns) == ["Đơn vị", "Năm 2023", "Năm 2024", "Năm 2025"]
    assert t["Đơn vị"].iloc[-1] == trends.MEDIAN_LABEL
    cat_hai = t[t["Đơn vị"] == "Cát Hải"].iloc[0]
    assert pd.isna(cat_hai["Năm 2025"])
    grid = compare.matrix(con, Scope('2025'), 'Đơn thư')
    h = tables.heatmap_table(grid)
    assert len(h) == grid["code"].nunique() and h["Mã đơn vị"].is_unique
    assert tables.rate_columns(grid) == ["Tỷ lệ giải quyết đơn thư"]
    totals = city.totals(con, Scope('2025'))
    c = tables.compare_table(totals.head(3), "Năm 2025", "Năm 2024")
    assert "Cùng kỳ (Năm 2024)" in c.columns and "Tỷ lệ tăng/giảm" in c.columns
