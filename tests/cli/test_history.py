import json

from etl.__main__ import main
from etl.intake.loader import load_files
from etl.warehouse.reference import init_db
from tests.workbooks import fill_values, make_template


def test_history_lists_every_version_with_file_hash_and_state(tmp_path, capsys):
    path = tmp_path / "h.duckdb"
    init_db(path)
    template = make_template(path, "11002", "2025-Q3", tmp_path / "t.xlsx")
    first = fill_values(template, {"dialogues": 2}, tmp_path / "lan-1.xlsx")
    second = fill_values(template, {"dialogues": 3}, tmp_path / "lan-2.xlsx")
    results = load_files(path, [first], sent_by="Nguyễn Thị Lan")
    results += load_files(path, [second], sent_by="Nguyễn Thị Lan")
    assert [r.status for r in results] == ["loaded", "loaded"]

    assert main(["--db", str(path), "history", "--unit", "11002", "--period", "2025-Q3"]) == 0
    out = capsys.readouterr().out
    assert "Phường Thạch Khôi (11002), kỳ Quý III/2025: 2 phiên bản" in out
    lines = [line for line in out.splitlines() if line.startswith("- ")]
    assert "phiên bản 2 (hiện hành)" in lines[0] and "lan-2.xlsx" in lines[0]
    assert f"đã được thay bằng mã {results[1].submission_id}" in lines[1] and "lan-1.xlsx" in lines[1]
    assert "Nguyễn Thị Lan" in lines[1]

    assert main(["--db", str(path), "history", "--unit", "11002", "--json"]) == 0
    versions = json.loads(capsys.readouterr().out)["versions"]
    assert [v["version"] for v in versions] == [2, 1]
    assert all(len(v["sha256"]) == 64 for v in versions)


def test_history_of_an_unknown_unit_is_refused_in_vietnamese(tmp_path, capsys):
    path = tmp_path / "h.duckdb"
    init_db(path)
    assert main(["--db", str(path), "history", "--unit", "99999"]) == 2
    assert "không có đơn vị mã 99999" in capsys.readouterr().err
