"""The external programs (LibreOffice, OCRmyPDF, Tesseract): found or refused with the Debian package
to install, run in a private temporary directory that is always removed, under a time limit that
kills the whole process group (LibreOffice and OCRmyPDF start children of their own)."""
import contextlib
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from etl import config
from etl.intake.documents.model import DocumentRefused

TEMP_PREFIX = "danvan-doc-"
PROGRAMS = {  # program: (names to look for, what it is, Debian packages)
    "soffice": (("soffice", "libreoffice"), "LibreOffice", "libreoffice-writer-nogui"),
    "ocrmypdf": (("ocrmypdf",), "công cụ nhận dạng chữ OCRmyPDF", "ocrmypdf và tesseract-ocr-vie"),
    "tesseract": (("tesseract",), "công cụ nhận dạng chữ Tesseract", "tesseract-ocr và tesseract-ocr-vie"),
}


def missing(program: str, name: str, why: str) -> DocumentRefused:
    _, what, packages = PROGRAMS[program]
    return DocumentRefused("tool_missing", f"Máy chủ chưa cài {what} (gói Debian {packages}) nên chưa đọc "
                                           f"được tệp «{name}» ({why}). Hãy báo quản trị hệ thống cài "
                                           "đặt, hoặc gửi báo cáo dạng .docx hay PDF có lớp chữ.")


def find(program: str, name: str, why: str) -> str:
    for candidate in PROGRAMS[program][0]:
        if path := shutil.which(candidate):
            return path
    raise missing(program, name, why)


def require_vietnamese(tesseract: str, name: str, why: str) -> None:
    """Tesseract without its Vietnamese data reads «Việt» as «Viet» or worse: refuse instead."""
    try:
        out = subprocess.run([tesseract, "--list-langs"], capture_output=True, timeout=20, text=True)
    except (OSError, subprocess.TimeoutExpired):
        raise missing("tesseract", name, why) from None
    if "vie" not in out.stdout.split():
        raise DocumentRefused("tool_missing", f"Máy chủ chưa cài dữ liệu tiếng Việt cho Tesseract (gói "
                                              f"Debian tesseract-ocr-vie) nên chưa đọc được tệp «{name}» "
                                              f"({why}). Hãy báo quản trị hệ thống cài đặt.")


@contextlib.contextmanager
def private_dir():
    """A directory of our own, removed afterwards whatever happened inside."""
    path = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run(args: list[str], work: Path, timeout: float, name: str, on_line=None) -> int:
    """Run a program in work (its temporary files there too); its exit code.

    on_line(line) is called on the calling thread for each stderr line, so a progress callback
    may touch thread-bound state (Streamlit's). Past timeout the process group is killed and the
    file refused."""
    env = config.child_environment(TMPDIR=str(work), HOME=str(work), OMP_THREAD_LIMIT="1", LC_ALL="C.UTF-8")
    with open(work / "stdout", "wb") as out:
        proc = subprocess.Popen(args, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.PIPE, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_pump, args=(proc.stderr, lines), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None:
            _drain(lines, on_line, wait=0.2)
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(args, timeout)
        reader.join(timeout=1)          # the last lines; a child holding stderr must not keep us
        _drain(lines, on_line, wait=0)
    except subprocess.TimeoutExpired:
        raise DocumentRefused("timeout", f"Đọc tệp «{name}» mất quá {max(1, round(timeout))} giây nên đã dừng lại. "
                                         "Hãy gửi tệp nhỏ hơn (ít trang hơn) hoặc dạng .docx.") from None
    finally:
        _kill(proc)                     # the program's children too, whether it ended or not
    return proc.returncode


def _pump(stream, lines: queue.Queue) -> None:
    """stderr, line by line, until its end. Closed here, not by run(): closing a pipe another
    thread is reading waits for that read, so a child that escaped the kill would hang run()."""
    with stream:
        for raw in iter(stream.readline, b""):
            lines.put(raw.decode("utf-8", "replace"))


def _drain(lines: queue.Queue, on_line, wait: float) -> None:
    got: list[str] = []
    try:
        if wait:
            got.append(lines.get(timeout=wait))
        while True:
            got.append(lines.get_nowait())
    except queue.Empty:
        pass
    for line in got:
        if on_line:
            on_line(line)


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
