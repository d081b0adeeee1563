import csv

import pytest

from etl import db, demo
from etl.export import COLUMNS, export_cli, export_csv
from etl.periods import parse_period
from etl.store import NewSubmission, ValueRow, save_submission


@pytest.fixture
def file_db(tmp_path):
    """Two real-looking reports; the first leaves petitions_complaint blank, reports 0 denunciations."""
    path = tmp_path / "x.duckdb"
    db.init_db(path)
    with db.connect(path) as con:
        save_submission(con, NewSubmission("10543", parse_period("2025-07-01:2025-11-20"), [
            ValueRow("population", 30575), ValueRow("area_km2", 17.0),
            ValueRow("petitions_denunciation", 0), ValueRow("dv_score_c01", 8.5),
            ValueRow("reception_visits", 1020)], file_name="viet_hoa.xlsx"))
        save_submission(con, NewSubmission("11002", parse_period("2025"), [
            ValueRow("area_km2", 19.94), ValueRow("population", 34432)], file_name="tk.xlsx"))
        # A superseded version must not be exported.
        save_submission(con, NewSubmission("11002", parse_period("2024"), [
            ValueRow("population", 1)], file_name="old.xlsx"))
        save_submission(con, NewSubmission("11002", parse_period("2024"), [
            ValueRow("population", 34000)], file_name="new.xlsx"))
    return path


def _read(path):
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_columns_format_and_order(file_db, tmp_path, capsys):
    out = tmp_path / "e.csv"
    assert export_csv(file_db, out) == 8
    rows = _read(out)
    assert rows[0] == COLUMNS == ["unit_code", "unit_name", "period_start", "period_end",
                                  "indicator_code", "value"]
    assert rows[1:] == [
        ["10543", "Phường Việt Hòa", "2025-07-01", "2025-11-20", "population", "30575"],
        ["10543", "Phường Việt Hòa", "2025-07-01", "2025-11-20", "area_km2", "17"],
        ["10543", "Phường Việt Hòa", "2025-07-01", "2025-11-20", "reception_visits", "1020"],
        ["10543", "Phường Việt Hòa", "2025-07-01", "2025-11-20", "petitions_denunciation", "0"],
        ["10543", "Phường Việt Hòa", "2025-07-01", "2025-11-20", "dv_score_c01", "8.5"],
        ["11002", "Phường Thạch Khôi", "2024-01-01", "2024-12-31", "population", "34000"],
        ["11002", "Phường Thạch Khôi", "2025-01-01", "2025-12-31", "population", "34432"],
        ["11002", "Phường Thạch Khôi", "2025-01-01", "2025-12-31", "area_km2", "19.94"],
    ]
    assert capsys.readouterr().err == ""


def test_blank_is_absent_and_zero_is_kept(file_db, tmp_path):
    out = tmp_path / "e.csv"
    export_csv(file_db, out)
    viet_hoa = {r[4]: r[5] for r in _read(out)[1:] if r[0] == "10543"}
    assert "petitions_complaint" not in viet_hoa           # blank: not reported
    assert viet_hoa["petitions_denunciation"] == "0"        # typed 0: none
    assert all(v != "" for v in viet_hoa.values())


def test_cli_warns_about_demo_data(tmp_path, capsys):
    path = tmp_path / "d.duckdb"
    result = demo.generate(path, seed=3)
    out = tmp_path / "e.csv"
    assert export_cli(path, out) == 0
    captured = capsys.readouterr()
    assert "DỮ LIỆU MẪU" in captured.err and "Cảnh báo" in captured.err
    rows = _read(out)
    assert len(rows) - 1 == result["values"]
    assert all(r[2] <= r[3] and len(r[2]) == 10 for r in rows[1:])
    assert not any(r[5].endswith(".0") or "," in r[5] for r in rows[1:])
    keys = [(r[0], r[2], r[3]) for r in rows[1:]]
    assert keys == sorted(keys)


def test_cli_without_demo_is_quiet(file_db, tmp_path, capsys):
    assert export_cli(file_db, tmp_path / "e.csv") == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "8" in captured.out
