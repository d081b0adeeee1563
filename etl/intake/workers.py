"""Reading many report files at once: worker processes read and guard them (etl.intake.reader,
the slow part of a load) while the loader checks and stores what they return, in order.

A worker dies with its parent (a SIGKILLed `etl load` leaves no readers behind), and a file that
kills its worker is refused alone.
"""
import os
import signal
import sys
from collections import deque
from pathlib import Path

from etl.domain.findings import ERROR, Finding
from etl.intake.reader import ParsedReport, read_report

WORKERS = min(2, os.cpu_count() or 1)
PARALLEL_MIN_FILES = 16    # fewer files are read in this process: starting workers costs more
READ_STEP = 8              # files per task sent to a worker


def _read_many(paths: list) -> list[ParsedReport]:
    return [read_report(p) for p in paths]


PR_SET_PDEATHSIG = 1       # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Pool initializer: a worker is killed with its parent, so a loader killed with SIGKILL
    (which runs no cleanup) leaves no readers behind. Linux only; elsewhere a no-op.

    The signal comes when the forking thread ends; workers are forked by the thread that
    submits to the pool, which outlives the pool. If the parent died before prctl took effect,
    the worker now has another parent: it ends itself at once.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):   # no prctl to call: a failing initializer breaks the pool
        return
    if os.getppid() != parent:
        os._exit(1)


def _pool(workers: int, context):
    from concurrent.futures import ProcessPoolExecutor
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_die_with_parent,
                               initargs=(os.getpid(),))


def _crashed(path) -> ParsedReport:
    name = Path(path).name
    return ParsedReport(name, findings=[Finding(
        name, "", "", "", "corrupt_file", ERROR,
        "Không đọc được tệp: trình đọc bảng tính dừng đột ngột (tệp bị hỏng hoặc không đúng định "
        "dạng).")])


def read_all(paths: list):
    """The reports, in order; read by worker processes once the batch is big enough.

    If a file makes a worker die (the guards should prevent it, but calamine aborts rather than
    raise), the files in flight are read again one process each, so only that file is refused.
    """
    if len(paths) < PARALLEL_MIN_FILES or WORKERS < 2:
        yield from map(read_report, paths)
        return
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    # fork: the workers start at once and inherit settings (tests patch the reader's limits)
    context = multiprocessing.get_context("fork")
    done = 0
    while done < len(paths):
        window: deque = deque()
        with _pool(WORKERS, context) as pool:
            try:
                start = done
                while done < len(paths):
                    while start < len(paths) and len(window) < 8 * WORKERS:
                        step = paths[start:start + READ_STEP]
                        window.append((len(step), pool.submit(_read_many, step)))
                        start += len(step)
                    n, future = window.popleft()
                    reports = future.result()
                    done += n
                    yield from reports
            except BrokenProcessPool:
                pass
        if done < len(paths):
            for path in paths[done:done + READ_STEP]:
                with _pool(1, context) as alone:
                    try:
                        [report] = alone.submit(_read_many, [path]).result()
                    except BrokenProcessPool:
                        report = _crashed(path)
                done += 1
                yield report
