"""`etl extract`: a narrative report in, the JSON of its draft or the draft form out, which a person
checks and loads like any other report; the original document and each value's sentence are kept."""
import json
from pathlib import Path

import pytest

from etl.__main__ import main
from etl.warehouse import db
from etl.warehouse.reference import init_db
from tests.fixtures_paths import SAMPLE_REPORT
from tests.workbooks import fill_models

SAMPLE = SAMPLE_REPORT
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="the shared sample report is not here")


@pytest.fixture()
def database(tmp_path):
    path = tmp_path / "x.duckdb"
    init_db(path)
    return path


def test_json_shape_of_the_sample(database, capsys):
    assert main(["--db", str(database), "extract", str(SAMPLE), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["file", "sha256", "unit", "period", "values", "models", "notes"]
    assert out["file"] == SAMPLE.name and len(out["sha256"]) == 64
    assert out["unit"]["code"] == "10543" and list(out["unit"]) == ["code", "name", "evidence"]
    assert list(out["period"]) == ["start", "end", "kind", "label", "evidence"]
    assert (out["period"]["start"], out["period"]["end"], out["period"]["kind"]) == \
        ("2025-07-01", "2025-11-20", "range")
    values = {v["indicator"]: v for v in out["values"]}
    assert list(values["population"]) == ["indicator", "value", "approximate", "evidence", "location",
                                          "alternatives"]
    assert values["population"]["value"] == 30575 and "30.575" in values["population"]["evidence"]
    assert [a["value"] for a in values["reception_people"]["alternatives"]] == [14]
    assert {m["name"] for m in out["models"]} >= {"khu dân cư tự quản", "5 không 3 sạch"}
    assert all(set(n) == {"kind", "text", "evidence"} for n in out["notes"])


def test_no_figure_exits_1_and_a_bad_file_exits_2(database, tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("Báo cáo không có số liệu nào.", encoding="utf-8")
    assert main(["--db", str(database), "extract", str(empty)]) == 1
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"\x00\x01 not a word file" * 10)
    assert main(["--db", str(database), "extract", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.docx" in err and "Traceback" not in err


def test_the_draft_form_is_checked_then_loaded_and_keeps_its_evidence(database, tmp_path, capsys):
    draft = tmp_path / "nhap.xlsx"
    assert main(["--db", str(database), "extract", str(SAMPLE), "-o", str(draft)]) == 0
    assert "etl load" in capsys.readouterr().out
    # A person checks it: the models need their field (a choice the text does not make).
    names = ["khu dân cư tự quản", "5 không 3 sạch", "hộ sản xuất kinh doanh giỏi 4 cấp",
             "dòng họ, gia đình văn hoá"]
    fill_models(draft, [{"name": n, "field": "Văn hóa – xã hội"} for n in names], draft)
    assert main(["--db", str(database), "load", str(draft), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert result["status"] == "loaded" and result["unit_code"] == "10543"
    with db.connect(database, read_only=True) as con:
        values = dict(con.execute("SELECT indicator_code, value FROM current_values").fetchall())
        notices = con.execute("SELECT rule, message FROM findings").fetchall()
        stored = con.execute("SELECT count(*) FROM files WHERE sha256 = ?", [result_sha(SAMPLE)]).fetchone()[0]
    assert values["population"] == 30575 and values["petitions_complaint"] == 0
    assert any(r == "narrative_evidence" and "dân số 30.575 người" in m for r, m in notices)
    assert any(r == "narrative_source" and SAMPLE.name in m for r, m in notices)
    assert stored == 1      # the original document, as received


def result_sha(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()
