"""The dashboard (reader) and the CLI (writer) share one DuckDB file from separate processes."""
import subprocess
import sys
import time

import pytest

from etl import db

ROOT = db.ROOT


def _hold(path, read_only: bool, seconds: float) -> subprocess.Popen:
    """Another process that opens the file and keeps it open for a while."""
    code = (
        "import sys, time; from etl import db\n"
        f"with db.connect({str(path)!r}, read_only={read_only}) as con:\n"
        "    con.execute('SELECT count(*) FROM units').fetchall()\n"
        "    print('ready', flush=True)\n"
        f"    time.sleep({seconds})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


@pytest.fixture()
def path(tmp_path):
    p = tmp_path / "shared.duckdb"
    db.init_db(p)
    return p


def test_reader_waits_for_a_writer_then_reads(path):
    holder = _hold(path, read_only=False, seconds=1.0)
    started = time.monotonic()
    with db.connect(path, read_only=True, timeout=20) as con:
        waited = time.monotonic() - started
        assert con.execute("SELECT count(*) FROM units").fetchone()[0] == 114
    assert holder.wait(10) == 0
    assert waited > 0.3  # it really met the lock and retried


def test_writer_waits_for_a_reader_then_writes(path):
    holder = _hold(path, read_only=True, seconds=1.0)
    with db.connect(path, timeout=20) as con:
        con.execute("INSERT INTO meta VALUES ('probe', 'x')")
    assert holder.wait(10) == 0
    with db.connect(path, read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key='probe'").fetchone()[0] == "x"


def test_two_readers_share_the_file(path):
    holder = _hold(path, read_only=True, seconds=1.0)
    started = time.monotonic()
    with db.connect(path, read_only=True, timeout=20) as con:
        assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] >= 38
    assert time.monotonic() - started < 0.9  # no waiting for the other reader
    holder.wait(10)


def test_busy_database_gives_a_vietnamese_message_after_the_timeout(path):
    holder = _hold(path, read_only=False, seconds=3.0)
    with pytest.raises(db.DatabaseBusy) as exc:
        with db.connect(path, read_only=True, timeout=0.5):
            pass
    assert "đang được một tiến trình khác ghi" in str(exc.value)
    holder.wait(10)


def test_missing_database_is_explained(tmp_path):
    with pytest.raises(FileNotFoundError) as exc:
        with db.connect(tmp_path / "none.duckdb", read_only=True):
            pass
    assert "python -m etl init" in str(exc.value)
