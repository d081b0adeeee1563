"""The dashboard (reader) and the CLI (writer) share one DuckDB file from separate processes."""
import os
import subprocess
import sys
import time

import pytest

from etl.warehouse import db
from etl.warehouse.reference import init_db

ROOT = db.ROOT


def _hold(path, read_only: bool, seconds: float) -> subprocess.Popen:
    """Another process that opens the file and keeps it open for a while."""
    code = (
        "import sys, time; from etl.warehouse import db\n"
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
    init_db(p)
    return p


def test_reader_waits_for_a_writer_then_reads(path):
    holder = _hold(path, read_only=False, seconds=1.0)
    started = time.monotonic()
    with db.connect(path, read_only=True, timeout=20) as con:
        waited = time.monotonic() - started
        assert con.execute("SELECT count(*) FROM units WHERE valid_to IS NULL").fetchone()[0] == 114
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
    holder = _hold(path, read_only=True, seconds=30)
    try:
        with db.connect(path, read_only=True, timeout=20) as con:
            assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] >= 38
        assert holder.poll() is None    # read while the other reader still holds the file
    finally:
        holder.kill()
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
    """A reader process queries in a loop (as the dashboard does) while `etl load` writes 48 files
    (24 made the batch so short that the reader sometimes saw only its start and its end)."""
    from tests.workbooks import fill_values, make_template

    files = []
    months = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)]
    for i, month in enumerate(months):
        for unit in ("10543", "11002"):
            t = make_template(path, unit, month, tmp_path / f"t-{unit}-{month}.xlsx")
            files.append(fill_values(t, {"dialogues": i + 1, "population": 30000 + i},
                                     tmp_path / f"f-{unit}-{month}.xlsx"))
    reader_code = (
        "import sys, time; from etl.warehouse import db\n"
        "seen = set(); deadline = time.monotonic() + 60\n"
        "print('ready', flush=True)\n"
        "while time.monotonic() < deadline:\n"
        f"    with db.connect({str(path)!r}, read_only=True, timeout=30) as con:\n"
        "        n = con.execute('SELECT count(*) FROM submissions').fetchone()[0]\n"
        "    seen.add(n)\n"
        "    if n >= 48: break\n"
        "    time.sleep(0.02)\n"
        "print(*sorted(seen), flush=True)\n"
    )
    reader = subprocess.Popen([sys.executable, "-c", reader_code], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "ready"
    # A short hold so that even this small batch (well under a second of work) hands the file
    # over several times: chunks then collect files for 10 ms at most.
    env = {**os.environ, "DANVAN_WRITE_HOLD_S": "0.02"}
    load = subprocess.run([sys.executable, "-m", "etl", "--db", str(path), "load", *map(str, files)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    out, err = reader.communicate(timeout=90)
    assert load.returncode == 0, load.stdout + load.stderr
    assert reader.returncode == 0, err
    seen = [int(x) for x in out.split()]
    assert seen[-1] == 48
    # Counts strictly between 0 and 48: the reader got in while the batch was still loading.
    assert any(0 < n < 48 for n in seen), seen
    with db.connect(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submissions WHERE is_current").fetchone()[0] == 48


def test_eight_loads_at_once_all_land(path, tmp_path):
    from tests.workbooks import fill_values, make_template

    units = ["10543", "11002", "10507", "10525", "10532", "10537", "10546", "10549"]
    files = [fill_values(make_template(path, u, "2025-Q4", tmp_path / f"t{u}.xlsx"),
                         {"dialogues": 4, "reception_visits": 6, "reception_people": 14},
                         tmp_path / f"f{u}.xlsx") for u in units]
    procs = [subprocess.Popen([sys.executable, "-m", "etl", "--db", str(path), "load", str(f)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in files]
    outcomes = [(p.wait(120), p.stdout.read(), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _, _ in outcomes), outcomes
    with db.connect(path, read_only=True) as con:
        landed = {r[0] for r in con.execute(
            "SELECT unit_code FROM submissions WHERE period_key = '2025-Q4' AND is_current").fetchall()}
    assert landed == set(units)


def test_a_load_killed_midway_leaves_the_database_as_it_was(path, tmp_path):
    from tests.workbooks import fill_values, make_template

    before = fill_values(make_template(path, "10543", "2025-Q4", tmp_path / "t.xlsx"),
                         {"dialogues": 1}, tmp_path / "v1.xlsx")
    assert subprocess.run([sys.executable, "-m", "etl", "--db", str(path), "load", str(before)],
                          cwd=ROOT, capture_output=True).returncode == 0
    victim = fill_values(tmp_path / "t.xlsx", {"dialogues": 2}, tmp_path / "v2.xlsx")
    # The loader stops right after writing the new version, inside its transaction, and is killed.
    code = (
        "import sys, time; from etl.intake import loader; from etl.warehouse import store\n"
        "original = store.save_submissions\n"
        "def slow(con, subs):\n"
        "    result = original(con, subs)\n"
        "    print('inside', flush=True); time.sleep(60)\n"
        "    return result\n"
        "store.save_submissions = slow\n"
        f"loader.load_files({str(path)!r}, [{str(victim)!r}])\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "inside"
    proc.kill()
    proc.wait(10)
    with db.connect(path, read_only=True) as con:
        rows = con.execute("SELECT version, is_current FROM submissions WHERE unit_code = '10543'").fetchall()
        value = con.execute("SELECT value FROM current_values WHERE unit_code = '10543' "
                            "AND indicator_code = 'dialogues'").fetchall()
        files = con.execute("SELECT count(*) FROM files").fetchone()[0]
    assert rows == [(1, True)] and value == [(1.0,)] and files == 1


def test_threads_of_one_process_read_and_write_in_turn(path):
    """The app reads in some threads while an upload writes in another: no configuration clash."""
    import threading

    errors, reads = [], []

    def reader():
        try:
            for _ in range(30):
                with db.connect(path, read_only=True, timeout=20) as con:
                    reads.append(con.execute("SELECT count(*) FROM meta").fetchone()[0])
        except Exception as exc:  # noqa: BLE001 — the assertion below reports it
            errors.append(exc)

    def writer():
        try:
            for i in range(10):
                with db.connect(path, timeout=20) as con:
                    con.execute("INSERT INTO meta VALUES (?, 'x')", [f"probe{i}"])
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(reads) == 90
    with db.connect(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM meta WHERE key LIKE 'probe%'").fetchone()[0] == 10
