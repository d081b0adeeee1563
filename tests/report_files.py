"""Builders for the loader's tests: a fresh initialised database per test, filled report forms,
hand-written .xlsx/.ods containers (hostile or minimal), and table counts to prove nothing was
written.

The committed binaries in tests/fixtures/ were made once, outside the test run:
- loader-sample.xls, loader-sample.ods: LibreOffice 7 (`soffice --headless --convert-to xls|ods`)
  from the form of unit 10543 for 2025-Q3 filled with SAMPLE_VALUES below;
- encrypted-secret.xlsx: that .xlsx encrypted with password "secret" by msoffcrypto-tool 6.1;
- far-cell.xls: xlwt 1.3, a sheet with one value in the last cell (row 65536, column IV).
"""
import io
import shutil
import zipfile
from pathlib import Path

from etl.warehouse import db
from etl.warehouse.reference import init_db
from tests.workbooks import fill_values, make_template

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE_VALUES = {"population": 30575, "area_km2": 17, "party_members": 2370, "reception_visits": 42,
                 "reception_people": "1.058", "crowd_delegations": 0, "dv_score_c01": 8.5}
TABLES = ("submissions", "submission_values", "files", "findings", "periods", "audit_log")

def fresh_db(tmp_path: Path) -> Path:
    """An initialised database, copied from one made once per test session (init takes ~0.5 s).

    The original lives in pytest's base temporary directory (the parent of every tmp_path),
    so pytest cleans it up with the rest.
    """
    pristine = tmp_path.parent / "danvan-pristine.duckdb"
    if not pristine.exists():
        init_db(pristine)
    target = tmp_path / "t.duckdb"
    shutil.copy(pristine, target)
    return target


def counts(db_path) -> dict[str, int]:
    with db.connect(db_path, read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


_TEMPLATES: dict[tuple, bytes] = {}


def report(db_path, tmp_path: Path, values: dict, name: str = "r.xlsx", unit: str = "10543",
           period: str = "2025-Q3") -> Path:
    """A form for unit and period with `values` typed in (None = blank)."""
    key = (unit, period)
    template = tmp_path / f"template-{unit}-{period.replace(':', '_')}.xlsx"
    if key not in _TEMPLATES:
        make_template(db_path, unit, period, template)
        _TEMPLATES[key] = template.read_bytes()
    elif not template.exists():
        template.write_bytes(_TEMPLATES[key])
    return fill_values(template, values, tmp_path / name)


# --- hand-written containers ------------------------------------------------------------------

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
       'package/2006/content-types"><Default Extension="rels" ContentType="application/'
       'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
       '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
       'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
       '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
         '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
         'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
       'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
       'relationships"><sheets><sheet name="Chỉ tiêu" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
              '.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = "</sheetData></worksheet>"


def xlsx_with_sheet(path: Path, sheet_chunks, prefix: str = SHEET_HEAD) -> Path:
    """A one-sheet .xlsx whose sheet XML is streamed from `sheet_chunks` (str pieces)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(prefix.encode())
            for chunk in sheet_chunks:
                f.write(chunk.encode())
            f.write(SHEET_TAIL.encode())
    return path


_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
             'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
             'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
             'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
             'manifest:media-type="text/xml"/></manifest:manifest>')
_ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:'
             'names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:'
             'xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
             'office:version="1.2"><office:body><office:spreadsheet>')
_ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def ods_cell(value=None, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat != 1 else ""
    if value is None:
        return f"<table:table-cell{rep}/>"
    if isinstance(value, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{value}"{rep}>'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{value}</text:p></table:table-cell>'


def ods_row(cells: list, repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat != 1 else ""
    return f"<table:table-row{rep}>{''.join(cells)}</table:table-row>"


def ods_table(name: str, rows: list[str]) -> str:
    return f'<table:table table:name="{name}">{"".join(rows)}</table:table>'


def ods(path: Path, tables: list[str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", _MANIFEST)
        z.writestr("content.xml", _ODS_HEAD + "".join(tables) + _ODS_TAIL)
    return path


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()
