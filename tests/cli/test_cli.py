"""The command line as a whole (etl/__main__.py and etl/cli/): every command listed in --help,
--db before or after the command, a database address the product cannot open refused with a
Vietnamese sentence and exit 2 (never a traceback), export's province checked like brief's, and
`etl registry`. Each command's own output is tested with the module it uses (test_loader, ...)."""
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.__main__ import COMMANDS, main
from etl.cli import common
from tests.report_files import fresh_db

ROOT = Path(__file__).resolve().parents[2]
SHARED_LIST = ROOT.parent / "shared" / "data" / "haiphong_units_2025.csv"


def _etl(*args, cwd=ROOT, **env):
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=cwd, check=False,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})


@pytest.fixture(scope="module")
def ready(tmp_path_factory):
    """An initialised database, shared by the read-only tests of this module."""
    return fresh_db(tmp_path_factory.mktemp("cli"))


# --- help and --db -----------------------------------------------------------------------------

def test_help_lists_every_command_in_vietnamese():
    done = _etl("--help")
    assert done.returncode == 0, done.stderr
    names = ["init", "template", "load", "extract", "export", "history", "user", "brief", "demo", "registry"]
    assert [c.NAME for c in COMMANDS] == names
    for command in COMMANDS:
        line = next(x for x in done.stdout.splitlines() if x.split()[:1] == [command.NAME])
        assert command.HELP.split()[0] in line, line
    assert "cách dùng: python -m etl" in done.stdout and "hiện hướng dẫn này" in done.stdout


@pytest.mark.parametrize("command", [c.NAME for c in COMMANDS])
def test_each_command_has_its_help(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"cách dùng: python -m etl {command}")
    assert ("--db TỆP" in out) == (command != "registry")


def test_argument_errors_are_said_in_vietnamese(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["export"])
    assert stop.value.code == 2
    assert "lỗi: thiếu đối số bắt buộc: -o/--output" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["xuat"])
    assert "không có lựa chọn 'xuat'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["demo", "--seed", "x"])
    assert "đối số --seed: 'x' không phải số nguyên" in capsys.readouterr().err


def test_db_after_the_command(ready, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert main(["export", "-o", str(out), "--db", str(ready)]) == 0
    assert out.exists() and f"ra {out}" in capsys.readouterr().out
    # After the command wins over before it; without either, DANVAN_DB.
    assert main(["--db", str(tmp_path / "khong-co.duckdb"), "user", "list", "--db", str(ready)]) == 0
    assert "Chưa có tài khoản nào" in capsys.readouterr().out


def test_db_after_the_command_in_a_real_process(ready, tmp_path):
    done = _etl("history", "--unit", "10543", "--db", ready)
    assert done.returncode == 0, done.stderr
    assert "Phường Việt Hòa (10543): chưa có báo cáo nào." in done.stdout


def test_danvan_db_is_used_without_db(ready, monkeypatch, capsys):
    monkeypatch.setenv("DANVAN_DB", str(ready))
    assert main(["history", "--unit", "10543"]) == 0
    assert "chưa có báo cáo nào" in capsys.readouterr().out


# --- database addresses the product cannot open ------------------------------------------------

def _commands(out: Path) -> dict[str, list[str]]:
    """One of each kind: creates (init, demo), writes (load, user add), reads (the rest)."""
    return {
        "init": ["init"],
        "demo": ["demo"],
        "load": ["load", str(out / "r.xlsx")],
        "user add": ["user", "add", "nguoi.moi", "--role", "leader"],
        "user list": ["user", "list"],
        "export": ["export", "-o", str(out / "x.csv")],
        "history": ["history", "--unit", "10543"],
        "template": ["template", "--unit", "10543", "--period", "2025", "-o", str(out / "t.xlsx")],
        "brief": ["brief", "--period", "2025", "-o", str(out / "b.pptx")],
    }


COMMAND_KINDS = list(_commands(Path(".")))
READERS = [c for c in COMMAND_KINDS if c not in ("init", "demo")]


def _address(kind: str, tmp_path: Path) -> tuple[str, str]:
    """(the --db value, a phrase the refusal must contain)."""
    if kind == "mysql":
        return "mysql://nguoi:matkhau@may-chu/danvan", "Chưa hỗ trợ máy chủ MySQL"
    if kind == "postgresql":
        return "postgresql://nguoi@may-chu:5432/danvan", "Không kết nối được máy chủ cơ sở dữ liệu PostgreSQL"
    if kind == "directory":
        (tmp_path / "thu-muc").mkdir()
        return str(tmp_path / "thu-muc"), "là một thư mục"
    if kind == "random bytes":
        (tmp_path / "rac.duckdb").write_bytes(os.urandom(5000))
        return str(tmp_path / "rac.duckdb"), "không phải cơ sở dữ liệu DuckDB"
    if kind == "empty file":
        (tmp_path / "rong.duckdb").write_bytes(b"")
        return str(tmp_path / "rong.duckdb"), "không phải cơ sở dữ liệu DuckDB"
    if kind == "missing folder":
        return str(tmp_path / "khong-co" / "d.duckdb"), "Không có thư mục"
    if kind == "not initialised":
        duckdb.connect(str(tmp_path / "trong.duckdb")).close()
        return str(tmp_path / "trong.duckdb"), "chưa được khởi tạo"
    raise AssertionError(kind)


CASES = ([(a, c) for a in ("mysql", "postgresql", "directory", "random bytes", "empty file")
          for c in COMMAND_KINDS]
         + [(a, c) for a in ("missing folder", "not initialised") for c in READERS])


@pytest.mark.parametrize("address, command", CASES)
def test_a_database_the_product_cannot_open_is_refused(address, command, tmp_path, monkeypatch,
                                                       capsys):
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)      # DuckDB would make folders like ./mysql:/ for a server URL
    value, phrase = _address(address, tmp_path)
    before = Path(value).read_bytes() if Path(value).is_file() else None
    assert main(["--db", value, *_commands(tmp_path)[command]]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("Lỗi: ") and phrase in err, err
    assert "Traceback" not in err
    assert "matkhau" not in err                          # a server password is never echoed
    assert list(work.iterdir()) == []
    assert not any((tmp_path / f).exists() for f in ("x.csv", "t.xlsx", "b.pptx"))
    assert not (tmp_path / "khong-co").exists()
    if before is not None:
        assert Path(value).read_bytes() == before        # refused, not overwritten


@pytest.mark.parametrize("value, phrase", [
    ("postgresql://nguoi@may-chu/danvan", "Không kết nối được máy chủ cơ sở dữ liệu PostgreSQL"),
    (":memory:", "không phải đường dẫn tới một tệp DuckDB"),
])
def test_danvan_db_with_an_address_the_product_cannot_open(value, phrase, tmp_path):
    for args in (["init"], ["user", "list"], ["export", "-o", tmp_path / "x.csv"]):
        done = _etl(*args, cwd=tmp_path, DANVAN_DB=value)
        assert done.returncode == 2, done.stderr
        assert phrase in done.stderr and "DANVAN_DB" in done.stderr
        assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_random_bytes_in_a_real_process(tmp_path):
    junk = tmp_path / "rac.duckdb"
    junk.write_bytes(os.urandom(5000))
    for args in (["init"], ["export", "-o", tmp_path / "x.csv"], ["user", "list"]):
        done = _etl("--db", junk, *args)
        assert done.returncode == 2 and "không phải cơ sở dữ liệu DuckDB" in done.stderr
        assert "Traceback" not in done.stderr


def test_init_makes_a_missing_folder(tmp_path, capsys):
    target = tmp_path / "moi" / "d.duckdb"
    assert main(["init", "--db", str(target)]) == 0
    assert f"Đã khởi tạo {target}: 114 đơn vị" in capsys.readouterr().out


def test_an_unexpected_error_is_one_sentence_unless_debugging(ready, tmp_path, monkeypatch,
                                                              capsys):
    from etl.read import export

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(export, "export_csv", broken)
    assert main(["--db", str(ready), "export", "-o", str(tmp_path / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert "Lệnh «export» gặp lỗi không lường trước (RuntimeError)" in err
    assert common.DEBUG_HINT in err and "boom" not in err
    monkeypatch.setenv("DANVAN_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["--db", str(ready), "export", "-o", str(tmp_path / "x.csv")])


# --- export --province ----------------------------------------------------------------------

def test_export_refuses_an_unknown_province_like_brief(ready, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert main(["--db", str(ready), "export", "--province", "77", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Không có tỉnh, thành phố mã «77» trong danh sách (có: 31 – Thành phố Hải Phòng)." in err
    assert not out.exists()
    assert main(["--db", str(ready), "export", "--province", "31", "-o", str(out)]) == 0
    assert "tỉnh/thành phố mã 31" in capsys.readouterr().out and out.exists()


# --- registry ---------------------------------------------------------------------------------

UNITS_HEADER = "code,name,type,type_label,province_code,province_name\n"
LINEAGE_HEADER = ("new_code,new_name,old_code,old_level,old_type_label,old_name,old_district_code,"
                  "old_district_name,old_province_code,old_province_name,share\n")
PROVINCES = "code,name,type_label,predecessors\n31,Hải Phòng,Thành phố,30 Tỉnh Hải Dương; 31 Thành phố Hải Phòng\n"


def _official_lists(folder, units, lineage, provinces=PROVINCES):
    folder.mkdir(exist_ok=True)
    for name, text in (("vn_units_2025.csv", units), ("vn_lineage_2025.csv", lineage),
                       ("vn_provinces_2025.csv", provinces)):
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_registry_writes_units_old_units_and_lineage(tmp_path, capsys):
    lists = _official_lists(
        tmp_path / "ds", UNITS_HEADER + "90001,Hòa Bình,phuong,Phường,31,Hải Phòng\n"
                                        "90002,An Lạc,xa,Xã,31,Hải Phòng\n",
        LINEAGE_HEADER + "90001,Hòa Bình,90001,commune,Phường,Một,288,Quận A,31,Hải Phòng,full\n"
                         "90001,Hòa Bình,80002,commune,Xã,Hai,297,Huyện B,30,Hải Dương,partial\n"
                         "90002,An Lạc,80002,commune,Xã,Hai,297,Huyện B,30,Hải Dương,partial\n")
    assert main(["registry", str(lists), "--out-dir", str(tmp_path)]) == 0
    assert "2 đơn vị hiện nay, 2 đơn vị trước sáp nhập (đến 30/06/2025), 3 dòng" in capsys.readouterr().out
    units = (tmp_path / "units.csv").read_text(encoding="utf-8").splitlines()
    # The reused code: 90001 now and 90001 until 30/06/2025 are two units.
    assert units[1].startswith("90001,90001,Hòa Bình,phuong,Phường,commune,31,2025-07-01,,")
    assert "80002@2025-06-30,80002,Hai,xa,Xã,commune,31,,2025-06-30,Huyện B,Tỉnh Hải Dương," in units[3]
    lineage = (tmp_path / "unit_lineage.csv").read_text(encoding="utf-8").splitlines()
    assert lineage[1:] == ["90001,90001@2025-06-30,full", "90001,80002@2025-06-30,partial",
                           "90002,80002@2025-06-30,partial"]


@pytest.mark.parametrize("lineage, phrase", [
    (None, "thiếu tệp: vn_lineage_2025.csv"),
    ("a,b\n1,2\n", "không đúng định dạng danh sách đơn vị"),
    (LINEAGE_HEADER + "90001,X,80001,commune,Thôn,Y,1,Q,31,Hải Phòng,full\n",
     "không đúng định dạng danh sách đơn vị"),
    (LINEAGE_HEADER + "90001,X,80001,commune,Xã,Y,1,Q,31,Hải Phòng,some\n",
     "không đúng định dạng danh sách đơn vị"),
])
def test_registry_refuses_a_bad_list_and_writes_nothing(lineage, phrase, tmp_path, capsys):
    lists = _official_lists(tmp_path / "ds", UNITS_HEADER + "90001,X,xa,Xã,31,Hải Phòng\n", lineage)
    out = tmp_path / "ra"
    out.mkdir()
    assert main(["registry", str(lists), "--out-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert phrase in err and "Traceback" not in err
    assert list(out.iterdir()) == []


@pytest.mark.skipif(not SHARED_LIST.exists(), reason="the official lists are not here")
@pytest.mark.parametrize("national, folder", [(False, "data"), (True, "data/national")])
def test_registry_of_the_official_lists_is_the_projects_data(national, folder, tmp_path):
    done = _etl("registry", SHARED_LIST.parent, "--out-dir", tmp_path, *(["--national"] if national else []))
    assert done.returncode == 0, done.stderr
    counts = ("3.321 đơn vị hiện nay, 10.052 đơn vị trước sáp nhập (đến 30/06/2025), 10.604 dòng"
              if national else "114 đơn vị hiện nay, 375 đơn vị trước sáp nhập (đến 30/06/2025), 452 dòng")
    assert counts in done.stdout
    for name in ("units.csv", "unit_lineage.csv") + (("provinces.csv",) if national else ()):
        assert (tmp_path / name).read_bytes() == (ROOT / folder / name).read_bytes(), name
