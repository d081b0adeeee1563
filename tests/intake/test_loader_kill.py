"""A loader killed with SIGKILL (the OOM killer, `kill -9`, a container stop) leaves no reader
processes behind: the workers die with it instead of waiting forever on their task queue."""
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from etl.intake import workers
from tests.report_files import fresh_db, report

ROOT = Path(__file__).resolve().parents[2]
N_FILES = 300
POLL_S = 0.005

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)"),
    pytest.mark.skipif(workers.WORKERS < 2 or N_FILES < workers.PARALLEL_MIN_FILES,
                       reason="this machine loads in one process: no workers to leave behind"),
]


def _stat(pid: int) -> tuple[str, int, str] | None:
    """(state, parent pid, start time) of a process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rpartition(")")[2].split()      # after "pid (command name)"
    return fields[0], int(fields[1]), fields[19]


def _children(parent: int) -> dict[int, str]:
    """pid -> start time of the processes whose parent is `parent`."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st and st[1] == parent:
                out[int(entry)] = st[2]
    return out


def _alive(pid: int, started: str) -> bool:
    """Still running: the same process (not a reused pid) and not a zombie waiting for init."""
    st = _stat(pid)
    return st is not None and st[2] == started and st[0] != "Z"


def _wait(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(POLL_S)
    return condition()


def test_sigkilled_load_leaves_no_workers(tmp_path):
    db_path = fresh_db(tmp_path)
    one = report(db_path, tmp_path, {"population": 30575, "area_km2": 17}).read_bytes()
    paths = []
    for i in range(N_FILES):
        # a distinct zip comment: another file to the loader (its sha256), read the same way
        path = tmp_path / f"r{i:03d}.xlsx"
        path.write_bytes(one)
        with zipfile.ZipFile(path, "a") as z:
            z.comment = f"bản {i}".encode()
        paths.append(str(path))
    proc = subprocess.Popen([sys.executable, "-m", "etl", "--db", str(db_path), "load", *paths],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: dict[int, str] = {}

    def all_children():
        found = _children(proc.pid)
        return found if len(found) >= workers.WORKERS else None

    try:
        # Both workers are forked by the first task sent; wait for them while the files are read.
        children = _wait(all_children, timeout=15) or _children(proc.pid)
        assert proc.poll() is None, "the load ended before its workers were seen"
        assert len(children) >= workers.WORKERS, f"no workers seen: {children}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
        running = lambda: [p for p, s in children.items() if _alive(p, s)]  # noqa: E731
        _wait(lambda: not running(), timeout=5)
        assert not running(), f"workers still running after the loader was killed: {running()}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid, started in children.items():       # only the processes this test started
            if _alive(pid, started):
                os.kill(pid, signal.SIGKILL)
