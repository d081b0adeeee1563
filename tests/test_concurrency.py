"""The dashboard (reader) and the CLI (writer) share one DuckDB file from separate processes."""
import os
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


def test_dashboard_keeps_reading_while_the_cli_loads_a_batch(path, tmp_path):
    """A reader process queries in a loop (as the dashboard does) while `etl load` writes 30 files."""
    from tests.workbooks import fill_values, make_template

    files = []
    for i, month in enumerate(range(1, 13)):
        for unit in ("10543", "11002"):
            t = make_template(path, unit, f"2025-{month:02d}", tmp_path / f"t-{unit}-{month}.xlsx")
            files.append(fill_values(t, {"dialogues": i + 1, "population": 30000 + i},
                                     tmp_path / f"f-{unit}-{month}.xlsx"))
    reader_code = (
        "import sys, time; from etl import db\n"
        "seen = set(); deadline = time.monotonic() + 60\n"
        "print('ready', flush=True)\n"
        "while time.monotonic() < deadline:\n"
        f"    with db.connect({str(path)!r}, read_only=True, timeout=30) as con:\n"
        "        n = con.execute('SELECT count(*) FROM submissions').fetchone()[0]\n"
        "    seen.add(n)\n"
        "    if n >= 24: break\n"
        "    time.sleep(0.02)\n"
        "print(*sorted(seen), flush=True)\n"
    )
    reader = subprocess.Popen([sys.executable, "-c", reader_code], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "ready"
    # A short hold so that even this small batch hands the file over several times.
    env = {**os.environ, "DANVAN_WRITE_HOLD_S": "0.2"}
    load = subprocess.run([sys.executable, "-m", "etl", "--db", str(path), "load", *map(str, files)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    out, err = reader.communicate(timeout=90)
    assert load.returncode == 0, load.stdout + load.stderr
    assert reader.returncode == 0, err
    seen = [int(x) for x in out.split()]
    assert seen[-1] == 24
    # Counts strictly between 0 and 24: the reader got in while the batch was still loading.
    assert any(0 < n < 24 for n in seen), seen
    with db.connect(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submissions WHERE is_current").fetchone()[0] == 24
