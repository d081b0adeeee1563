"""Narrative reports in (etl.intake.documents): the shared real report written as .txt in four
encodings, .docx with a table, .odt, .doc, PDF with a text layer, a degraded 5-page scan and a
photo, each read back to its text; hostile files refused fast with the right rule, a Vietnamese
message naming the file, and nothing left in the temporary directory.

Fixtures are built here from the sample: python-docx writes the .docx, LibreOffice converts it
(.odt, .doc, .pdf), pdftoppm rasterises the PDF and Pillow degrades the pages into a scan. Tests
needing LibreOffice, poppler-utils or OCRmyPDF with tesseract-ocr-vie are skipped when a tool is
missing, and fail instead under DANVAN_REQUIRE_BROWSER=1 (CI, see .ci/run).
"""
import functools
import hashlib
import io
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from PIL import Image, ImageFilter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from etl.intake.documents import DocumentRefused, limits, read_document, supported_suffixes, tools
from tests.fixtures_paths import SAMPLE_REPORT

SAMPLE = SAMPLE_REPORT
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REQUIRE = os.environ.get("DANVAN_REQUIRE_BROWSER") == "1"
BOUND_S = 5.0   # generous, a hang guard: refusals measure in milliseconds (make bench times them)
HEADER = "ỦY BAN NHÂN DÂN PHƯỜNG VIỆT HÒA"
TABLE = [["Chỉ tiêu", "Số lượng", "Ghi chú"], ["Dân số", "30.575", "người"], ["Tiếp công dân", "14", "người"]]
KEY_SENTENCES = ["dân số 30.575 người", "Đã tiếp 14 người với 6 lượt",
                 "Ban tiếp công dân: đã tiếp 44 người, với 36 lượt công dân"]
SCAN_PAGES = 5
VIETNAMESE = re.compile(r"[à-ỹđ]", re.IGNORECASE)


@functools.cache
def _vietnamese_ocr() -> bool:
    found = shutil.which("tesseract")
    out = subprocess.run([found, "--list-langs"], capture_output=True, text=True).stdout if found else ""
    return bool(shutil.which("ocrmypdf")) and "vie" in out.split()


TOOLS = {"soffice": lambda: bool(shutil.which("soffice")), "pdftoppm": lambda: bool(shutil.which("pdftoppm")),
         "ocrmypdf": _vietnamese_ocr}
PACKAGES = {"soffice": "libreoffice-writer-nogui", "pdftoppm": "poppler-utils",
            "ocrmypdf": "ocrmypdf tesseract-ocr-vie"}


def _missing(tools_: tuple[str, ...]) -> list[str]:
    return [PACKAGES[t] for t in tools_ if not TOOLS[t]()]


def needs(*tools_: str):
    """Skipped when a tool is missing, unless DANVAN_REQUIRE_BROWSER=1 (CI): then require fails."""
    return pytest.mark.skipif(bool(_missing(tools_)) and not REQUIRE,
                              reason=f"Debian packages missing: {' '.join(_missing(tools_))}; set "
                                     "DANVAN_REQUIRE_BROWSER=1 to make this a failure")


def require(*tools_: str) -> None:
    if missing := _missing(tools_):
        pytest.fail(f"DANVAN_REQUIRE_BROWSER=1 but Debian packages are missing: {' '.join(missing)}")


def flat(text: str) -> str:
    return " ".join(text.split())


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def distinctive(text: str) -> set[str]:
    """Words with a diacritic (or đ), 3 letters or more: the ones OCR without Vietnamese gets wrong."""
    return {w for w in words(text) if len(w) >= 3 and any(ord(c) > 127 for c in w)}


@pytest.fixture()
def clean_tmp(tmp_path, monkeypatch):
    """The temporary directory of the test, checked empty afterwards (nothing left behind)."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    yield root
    assert list(root.iterdir()) == []


def running(fragment: str) -> list[str]:
    """Command lines of live processes containing fragment (what a killed group must not leave)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if fragment in line and "pytest" not in line:
            found.append(line)
    return found


def refused(data: bytes, name: str, rule: str) -> str:
    start = time.perf_counter()
    with pytest.raises(DocumentRefused) as caught:
        read_document(data, name)
    elapsed = time.perf_counter() - start
    assert caught.value.rule == rule, caught.value.message
    message = caught.value.message
    assert message == str(caught.value) and f"«{name}»" in message and VIETNAMESE.search(message)
    assert elapsed < BOUND_S, elapsed
    return message


# --- the sample, as files -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample() -> str:
    if not SAMPLE.exists():
        pytest.skip("the shared sample report is not here")
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def paragraphs(sample) -> list[str]:
    """The sample's paragraphs as a person types them into Word (its ** bold marks dropped)."""
    return [p.replace("**", "").strip() for p in sample.split("\n") if p.strip()]


@pytest.fixture(scope="module")
def report_docx(paragraphs) -> bytes:
    """The sample as .docx: a page header, its paragraphs, and a table after the one giving the
    population (a table in the middle, so its place in the text is checked)."""
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = HEADER
    placed = False
    for p in paragraphs:
        d.add_paragraph(p)
        if "30.575" in p and not placed:
            placed = True
            table = d.add_table(rows=len(TABLE), cols=len(TABLE[0]))
            table.style = "Table Grid"
            for r, row in enumerate(TABLE):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def soffice_convert(data: bytes, suffix: str, target: str, work: Path) -> bytes:
    work.mkdir(parents=True, exist_ok=True)
    src = work / f"report{suffix}"
    src.write_bytes(data)
    subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(work / "out"), str(src)],
                   check=True, capture_output=True, timeout=120)
    return (work / "out" / f"report.{target.split(':')[0]}").read_bytes()


@pytest.fixture(scope="module")
def converted(report_docx, tmp_path_factory):
    """LibreOffice's conversions of the .docx, made on first use."""
    made: dict[str, bytes] = {}

    def get(target: str) -> bytes:
        require("soffice")
        if target not in made:
            made[target] = soffice_convert(report_docx, ".docx", target, tmp_path_factory.mktemp(target))
        return made[target]
    return get


@pytest.fixture(scope="module")
def report_pdf(converted) -> bytes:
    return converted("pdf")


def degrade(page: Image.Image, seed: int) -> Image.Image:
    """A page as a scanner or phone gives it: a little skewed, blurred, noisy, JPEG-compressed."""
    rnd = random.Random(seed)
    page = page.convert("L").rotate(rnd.uniform(-1.5, 1.5), resample=Image.BICUBIC, expand=True, fillcolor=255)
    page = Image.blend(page.filter(ImageFilter.GaussianBlur(0.8)), Image.effect_noise(page.size, 40), 0.15)
    buf = io.BytesIO()
    page.save(buf, "JPEG", quality=60)
    return Image.open(io.BytesIO(buf.getvalue()))


@pytest.fixture(scope="module")
def scanned_pages(report_pdf, tmp_path_factory) -> list[Image.Image]:
    """The PDF's first pages rasterised at 200 dpi (pdftoppm), then degraded."""
    require("pdftoppm")
    work = tmp_path_factory.mktemp("raster")
    (work / "report.pdf").write_bytes(report_pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-f", "1", "-l", str(SCAN_PAGES), "-png",
                    str(work / "report.pdf"), str(work / "page")], check=True, timeout=120)
    return [degrade(Image.open(p), i) for i, p in enumerate(sorted(work.glob("page-*.png")))]


def image_pdf(pages: list[Image.Image]) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=200)
    return buf.getvalue()


def text_layer(pdf: bytes, pages: int) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages[:pages])


def ocr_share(reference: str, text: str) -> float:
    expected = distinctive(reference)
    return len(expected & set(words(text))) / len(expected)


# --- what comes out -----------------------------------------------------------------------------

def test_api():
    assert supported_suffixes() == (".txt", ".docx", ".odt", ".doc", ".pdf", ".png", ".jpg", ".jpeg",
                                    ".tif", ".tiff")


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese editors wrote it: letters with their vowel marks, tones apart."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_txt_in_each_encoding(sample, encoding, clean_tmp):
    data = cp1258(sample) if encoding == "cp1258" else sample.encode(encoding)
    doc = read_document(data, "viet-hoa-2025.txt")
    assert doc.text == unicodedata.normalize("NFC", sample)
    assert (doc.kind, doc.pages, doc.tables, doc.ocr) == ("txt", 1, [], False)
    assert doc.sha256 == hashlib.sha256(data).hexdigest() and doc.file_name == "viet-hoa-2025.txt"


def test_txt_decomposed_letters_come_out_composed():
    doc = read_document(unicodedata.normalize("NFD", "Phường Việt Hòa\r\nĐã tiếp\f14 người").encode(), "a.txt")
    assert doc.text == "Phường Việt Hòa\nĐã tiếp\n14 người"


def test_docx_paragraphs_table_and_header_in_order(report_docx, paragraphs, clean_tmp):
    start = time.perf_counter()
    doc = read_document(report_docx, "viet-hoa-2025.docx")
    elapsed = time.perf_counter() - start
    rows = [" | ".join(r) for r in TABLE]
    lines = doc.text.split("\n")
    assert lines[0] == HEADER
    population = next(i for i, line in enumerate(lines) if "30.575" in line)
    assert lines[population + 1:population + 4] == rows          # the table where it was put
    assert [x for x in lines[1:] if x not in rows] == paragraphs  # every paragraph, in order
    for sentence in KEY_SENTENCES:
        assert sentence in doc.text
    assert (doc.kind, doc.pages, doc.tables, doc.ocr) == ("docx", 1, [TABLE], False)
    assert elapsed < BOUND_S


@needs("soffice")
def test_odt_from_libreoffice_reads_as_the_docx(converted, report_docx, clean_tmp):
    doc = read_document(converted("odt"), "viet-hoa-2025.odt")
    assert (doc.kind, doc.tables) == ("odt", [TABLE])
    assert doc.text == read_document(report_docx, "r.docx").text


def odt(body: str, styles: str = "", manifest: str = "") -> bytes:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
                                  f"<office:body><office:text>{body}</office:text></office:body>"
                                  "</office:document-content>")
        z.writestr("styles.xml", f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ns}>'
                                 f"<office:master-styles>{styles}</office:master-styles></office:document-styles>")
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                                            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                                            f"{manifest}</manifest:manifest>")
    return out.getvalue()


def test_odt_read_from_its_xml(clean_tmp):
    body = ('<text:tracked-changes><text:changed-region><text:deletion><text:p>đã xóa</text:p>'
            '</text:deletion></text:changed-region></text:tracked-changes>'
            '<text:h text:outline-level="1">BÁO CÁO</text:h>'
            '<text:p>Dân số<text:s text:c="2"/>30.575 người.<text:tab/>Hết<text:note><text:note-citation>1'
            '</text:note-citation><text:note-body><text:p>Theo Nghị quyết 1669.</text:p></text:note-body>'
            '</text:note></text:p>'
            '<table:table><table:table-row><table:table-cell><text:p>Chỉ tiêu</text:p></table:table-cell>'
            '<table:table-cell table:number-columns-spanned="2"><text:p>Số liệu</text:p></table:table-cell>'
            '<table:covered-table-cell/></table:table-row>'
            '<table:table-row><table:table-cell><text:p>Dân số</text:p></table:table-cell><table:table-cell>'
            '<text:p>30.575</text:p></table:table-cell><table:table-cell><text:p>người</text:p>'
            '</table:table-cell><table:table-cell table:number-columns-repeated="1000000"/></table:table-row>'
            '<table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>'
            '</table:table><text:p>Cuối<text:line-break/>cùng<text:soft-page-break/></text:p>')
    header = f"<style:master-page><style:header><text:p>{HEADER}</text:p></style:header></style:master-page>"
    start = time.perf_counter()
    doc = read_document(odt(body, header), "b.odt")
    assert time.perf_counter() - start < BOUND_S
    assert doc.text.split("\n") == [HEADER, "BÁO CÁO", "Dân số  30.575 người.\tHết", "Theo Nghị quyết 1669.",
                                    "Chỉ tiêu | Số liệu", "Dân số | 30.575 | người", "Cuối", "cùng"]
    assert doc.tables == [[["Chỉ tiêu", "Số liệu"], ["Dân số", "30.575", "người"], []]]


@needs("soffice")
@pytest.mark.parametrize("target", ["doc:MS Word 97", "rtf"])
def test_doc_and_rtf_named_doc_via_libreoffice(converted, target, clean_tmp):
    start = time.perf_counter()
    doc = read_document(converted(target), "viet-hoa-2025.doc")
    elapsed = time.perf_counter() - start
    assert (doc.kind, doc.tables, doc.ocr) == ("doc", [TABLE], False)
    for sentence in KEY_SENTENCES:
        assert sentence in doc.text
    assert elapsed < 30
    print(f"{target} read in {elapsed:.2f} s")


@needs("soffice")
def test_pdf_text_layer(report_pdf, paragraphs, clean_tmp):
    start = time.perf_counter()
    doc = read_document(report_pdf, "viet-hoa-2025.pdf")
    elapsed = time.perf_counter() - start
    assert (doc.kind, doc.ocr) == ("pdf", False)
    assert doc.pages == len(pypdf.PdfReader(io.BytesIO(report_pdf)).pages) == doc.text.count("\f") + 1 >= 5
    text = flat(doc.text)
    for sentence in KEY_SENTENCES + [" ".join(row) for row in TABLE]:
        assert sentence in text
    body = flat(doc.text.replace(HEADER, " "))     # the page header repeats on every page
    found = [flat(p) in body for p in paragraphs]
    assert sum(found) >= 0.95 * len(found), [p for p, f in zip(paragraphs, found) if not f]
    assert elapsed < BOUND_S
    print(f"PDF of {doc.pages} pages read in {elapsed:.2f} s")


@needs("soffice", "pdftoppm", "ocrmypdf")
def test_scanned_pdf_is_ocrd_in_vietnamese(report_pdf, scanned_pages, clean_tmp):
    calls = []
    start = time.perf_counter()
    doc = read_document(image_pdf(scanned_pages), "scan.pdf", progress=lambda f, t: calls.append((f, t)))
    elapsed = time.perf_counter() - start
    assert (doc.kind, doc.ocr, doc.pages) == ("scan", True, SCAN_PAGES) and doc.text.count("\f") == SCAN_PAGES - 1
    share = ocr_share(text_layer(report_pdf, SCAN_PAGES), doc.text)
    assert share >= 0.85, share
    for number in ("30.575", "2.370", "1669"):
        assert number in doc.text
    assert "dân số 30.575 người" in flat(doc.text)
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and all(VIETNAMESE.search(t) for _, t in calls)
    assert any(f"{SCAN_PAGES}/{SCAN_PAGES} trang" in t for _, t in calls)      # page by page
    print(f"OCR of {SCAN_PAGES} scanned pages: {elapsed:.1f} s, {share:.1%} of distinctive words")


@needs("soffice", "pdftoppm", "ocrmypdf")
def test_photo_sideways_with_its_exif_orientation(report_pdf, scanned_pages, clean_tmp):
    # A phone stores the pixels sideways and says so in EXIF (orientation 6: turn 90° clockwise).
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    scanned_pages[0].rotate(90, expand=True).save(buf, "JPEG", quality=80, exif=exif)
    doc = read_document(buf.getvalue(), "anh-chup.jpg")
    assert (doc.kind, doc.ocr, doc.pages) == ("scan", True, 1)
    assert ocr_share(text_layer(report_pdf, 1), doc.text) >= 0.85 and "30.575" in doc.text


@needs("soffice", "pdftoppm", "ocrmypdf")
def test_pdf_with_one_scanned_page_and_an_owner_password(report_pdf, scanned_pages, clean_tmp):
    writer = pypdf.PdfWriter()
    writer.add_page(pypdf.PdfReader(io.BytesIO(report_pdf)).pages[0])
    writer.add_page(pypdf.PdfReader(io.BytesIO(image_pdf(scanned_pages[1:2]))).pages[0])
    # no password to open, one to edit: opens as usual, and OCRmyPDF gets it decrypted
    writer.encrypt(user_password="", owner_password="chủ", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    doc = read_document(out.getvalue(), "mixed.pdf")
    first, second = doc.text.split("\f")
    assert (doc.kind, doc.ocr, doc.pages) == ("pdf", True, 2)
    assert flat(first) == flat(pypdf.PdfReader(io.BytesIO(report_pdf)).pages[0].extract_text())
    page2 = pypdf.PdfReader(io.BytesIO(report_pdf)).pages[1].extract_text()
    assert ocr_share(page2, second) >= 0.85


@needs("soffice")
def test_pdf_with_an_owner_password_only_opens(report_pdf, clean_tmp):
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(report_pdf)))
    writer.encrypt(user_password="", owner_password="chỉ-chủ-sở-hữu", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert "dân số 30.575 người" in flat(read_document(out.getvalue(), "khoa.pdf").text)


# --- hostile or broken files ----------------------------------------------------------------------

def rezip(data: bytes, replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """The zip with some parts replaced and some added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info)))
        for name, part in (extra or {}).items():
            dst.writestr(name, part)
    return out.getvalue()


def minimal_docx(**changes) -> bytes:
    d = docx.Document()
    d.add_paragraph("Dân số 30.575 người.")
    buf = io.BytesIO()
    d.save(buf)
    return rezip(buf.getvalue(), **changes)


def blank_pdf(pages: int, **extra) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if "js" in extra:
        writer.add_open_action(JavaScript(extra["js"]))
    if "open_action" in extra:      # written by hand: a direct dictionary in the catalog
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject(k): NameObject(v) if v.startswith("/") else TextStringObject(v)
             for k, v in extra["open_action"].items()})
    if "attachment" in extra:
        writer.add_attachment("chay-toi.exe", extra["attachment"])
    if "user_password" in extra:
        writer.encrypt(user_password=extra["user_password"], owner_password="x", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(2, 10))
          .replace("&lol1;", "&lol;")
          + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
          "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>").encode()


@pytest.mark.parametrize("name", ["bao-cao.exe", "bao-cao.xlsx", "bao-cao", "bao-cao.docm"])
def test_unsupported_suffix(name, clean_tmp):
    refused(b"anything", name, "unsupported_extension")


def test_empty_and_too_large(monkeypatch, clean_tmp):
    assert "rỗng" in refused(b"", "rong.docx", "file_empty")
    monkeypatch.setenv("DANVAN_MAX_UPLOAD_MB", "0.01")
    assert "quá lớn" in refused(b"x" * 20_000, "lon.txt", "file_too_large")


@pytest.mark.parametrize("name", ["ngau-nhien.docx", "ngau-nhien.pdf", "ngau-nhien.odt", "ngau-nhien.doc",
                                  "ngau-nhien.png", "ngau-nhien.jpg"])
def test_random_bytes_under_a_document_name(name, clean_tmp):
    refused(os.urandom(50_000), name, "wrong_format")


def test_binary_named_txt(clean_tmp):
    assert "văn bản thuần" in refused(b"MZ\x90\x00\x03\x00" + os.urandom(5000), "ghi-chu.txt", "not_text")


def test_content_of_another_format(clean_tmp):
    pdf, word = blank_pdf(1), minimal_docx()
    assert "thực chất là tệp PDF" in refused(pdf, "bao-cao.docx", "extension_mismatch")
    assert "«.docx»" in refused(word, "bao-cao.pdf", "extension_mismatch")
    refused(word, "bao-cao.odt", "extension_mismatch")
    refused(word, "bao-cao.txt", "extension_mismatch")
    assert "bảng tính Excel 97–2003" in refused((FIXTURES / "loader-sample.xls").read_bytes(), "bao-cao.doc",
                                                "extension_mismatch")
    assert "bảng tính OpenDocument" in refused((FIXTURES / "loader-sample.ods").read_bytes(), "bao-cao.odt",
                                               "extension_mismatch")


def test_encrypted_files(clean_tmp):
    # a password-protected Office file is a compound file (EncryptionInfo, EncryptedPackage)
    assert "mật khẩu" in refused((FIXTURES / "encrypted-secret.xlsx").read_bytes(), "mat-khau.docx", "encrypted")
    refused(blank_pdf(1, user_password="bí-mật"), "mat-khau.pdf", "encrypted")
    manifest = '<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry>'
    refused(odt("<text:p>x</text:p>", manifest=manifest), "mat-khau.odt", "encrypted")


def test_zip_bombs(clean_tmp):
    bomb = minimal_docx(extra={"word/media/image1.png": bytes(64 * 2**20)})     # 64 MB of zeros, ~64 KB
    assert "bom nén" in refused(bomb, "bom.docx", "zip_bomb")
    many = minimal_docx(extra={f"word/media/{i}.png": b"" for i in range(2000)})
    refused(many, "nhieu.docx", "zip_bomb")


def test_entity_expansion_refused_unparsed(clean_tmp):
    assert "DOCTYPE" in refused(minimal_docx(replace={"word/document.xml": LAUGHS}), "lol.docx", "xml_entities")
    lol = rezip(odt("<text:p>x</text:p>"), replace={"content.xml": LAUGHS})
    refused(lol, "lol.odt", "xml_entities")


def test_broken_files(clean_tmp):
    data = minimal_docx()
    refused(data[: len(data) // 2], "cut.docx", "corrupt_file")
    refused(b"%PDF-1.7\n" + os.urandom(20_000), "hong.pdf", "corrupt_file")
    refused(b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "hong.png", "corrupt_file")


def test_pdf_active_content_and_attachments(clean_tmp):
    assert "JavaScript" in refused(blank_pdf(1, js="app.alert('xin chào');"), "js.pdf", "pdf_active_content")
    # a name written with #xx escapes is the same name to a PDF reader
    hidden = blank_pdf(1, js="app.alert(1);").replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS", b"/#4AS")
    refused(hidden, "js-an.pdf", "pdf_active_content")
    refused(blank_pdf(1, open_action={"/S": "/JavaScript", "/JS": "app.alert(1)"}), "mo.pdf", "pdf_active_content")
    refused(blank_pdf(1, open_action={"/S": "/Launch", "/F": "cmd.exe"}), "chay.pdf", "pdf_active_content")
    assert "đính kèm" in refused(blank_pdf(1, attachment=b"MZ" + bytes(100)), "kem.pdf", "pdf_embedded_file")


def test_too_many_pages_refused_before_reading_them(clean_tmp):
    assert "500 trang" in refused(blank_pdf(500), "dai.pdf", "too_many_pages")


def test_too_many_pages_to_ocr_refused_before_ocr(monkeypatch, clean_tmp):
    monkeypatch.setattr(tools, "find", lambda *a: pytest.fail("no OCR may start"))
    refused(blank_pdf(limits.MAX_OCR_PAGES + 5), "scan-dai.pdf", "ocr_too_many_pages")
    frames = [Image.new("L", (50, 50), 255) for _ in range(limits.MAX_OCR_PAGES + 1)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    refused(buf.getvalue(), "scan-dai.tif", "ocr_too_many_pages")


def test_image_claiming_too_many_pixels(monkeypatch, clean_tmp):
    monkeypatch.setattr(tools, "find", lambda *a: pytest.fail("no OCR may start"))
    buf = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buf, "PNG")       # 60 Mpx, a few KB
    assert "quá lớn" in refused(buf.getvalue(), "to.png", "image_too_large")


def test_a_missing_program_names_its_debian_package(monkeypatch, clean_tmp):
    monkeypatch.setattr(tools.shutil, "which", lambda _: None)
    rtf = b"{\\rtf1\\ansi D\\u226?n s\\u7889? 30.575}"
    assert "libreoffice-writer-nogui" in refused(rtf, "cu.doc", "tool_missing")
    buf = io.BytesIO()
    Image.new("L", (200, 100), 255).save(buf, "PNG")
    assert "ocrmypdf" in refused(buf.getvalue(), "anh.png", "tool_missing")
    assert "ocrmypdf" in refused(blank_pdf(1), "scan.pdf", "tool_missing")


def fake_ocr(tmp_path, monkeypatch, languages: str, ocrmypdf: str) -> None:
    """Stand-ins for tesseract (its --list-langs) and ocrmypdf, alone on the PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "tesseract").write_text(f"#!/bin/sh\necho 'List of available languages:'\necho '{languages}'\n")
    (bin_dir / "ocrmypdf").write_text(f"#!/bin/sh\n{ocrmypdf}\n")
    for program in bin_dir.iterdir():
        program.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))


def test_ocr_without_vietnamese_data(monkeypatch, tmp_path, clean_tmp):
    fake_ocr(tmp_path, monkeypatch, "eng\nosd", "exit 0")
    assert "tesseract-ocr-vie" in refused(blank_pdf(1), "scan.pdf", "tool_missing")


def test_ocr_failing_or_over_its_time_limit(monkeypatch, tmp_path, clean_tmp):
    fake_ocr(tmp_path, monkeypatch, "vie", "echo 'something broke' >&2; exit 2")
    refused(blank_pdf(1), "scan.pdf", "ocr_failed")
    (tmp_path / "bin" / "ocrmypdf").write_text("#!/bin/sh\n/bin/sleep 31.5\n")
    monkeypatch.setattr(limits, "OCR_TIMEOUT_BASE_S", 0.3)
    monkeypatch.setattr(limits, "OCR_TIMEOUT_PER_PAGE_S", 0)
    assert "giây" in refused(blank_pdf(1), "cham.pdf", "timeout")
    assert running("31.5") == []


def test_pdf_with_too_many_objects(monkeypatch, clean_tmp):
    monkeypatch.setattr(limits, "MAX_PDF_OBJECTS", 3)
    refused(blank_pdf(1), "phuc-tap.pdf", "pdf_too_complex")


@needs("soffice")
def test_conversion_over_its_time_limit_is_killed(monkeypatch, converted, clean_tmp):
    data = converted("doc:MS Word 97")
    monkeypatch.setattr(limits, "CONVERT_TIMEOUT_S", 0.3)
    start = time.perf_counter()
    with pytest.raises(DocumentRefused) as caught:
        read_document(data, "cham.doc")
    assert caught.value.rule == "timeout" and "«cham.doc»" in caught.value.message
    assert time.perf_counter() - start < 10   # the 0,3 s limit killed the converter, not its own end
    assert running(str(clean_tmp)) == []
