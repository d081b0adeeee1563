"""Load report files: read, check, then store the accepted ones as new versions.

Speed (1,000 files in a few seconds): worker processes read and guard the files (etl.intake.workers,
the slow part) while this process checks and writes them in chunks: one query fetches the
history of a whole chunk for the outlier checks, and one transaction stores it (one INSERT per
table). A chunk whose transaction fails is rolled back and loaded again file by file, so each
file stays all-or-nothing and a failure names its file.

A running dashboard (another process) can only open the database between our writes, so the
write connection is never held across a long batch: it is closed and reopened once held for
HOLD_S, leaving a PAUSE_S gap, and a chunk collects files for at most half of HOLD_S.
"""
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field

from etl import config
from etl.domain.findings import ERROR, NOTICE, WARNING, Finding
from etl.intake import history_query, workers
from etl.intake.reader import ParsedReport, read_report
from etl.intake.validate import (
    Catalogue,
    Unit,
    add_history_findings,
    load_reference,
    validate,
)
from etl.warehouse import db, store

# A batch lets go of the file regularly so a running dashboard can read in between
# (db.connect retries every 30–60 ms, so a 0.1 s gap is enough).
HOLD_S = config.get("DANVAN_WRITE_HOLD_S")
PAUSE_S = 0.1
CHUNK_FILES = 100          # files per transaction, at most

LOADED, UNCHANGED, REFUSED, CHECKED = "loaded", "unchanged", "refused", "checked"
ALREADY_LOADED = "Tệp này đã được nạp trước đó"


class NotInitialised(RuntimeError):
    pass


@dataclass
class FileResult:
    file: str
    status: str                      # loaded | unchanged | refused | checked
    unit_code: str | None = None
    unit_name: str | None = None
    period_key: str | None = None
    period_label: str | None = None
    submission_id: int | None = None
    version: int | None = None
    superseded_id: int | None = None
    n_values: int = 0
    n_models: int = 0                # rows of the «Mô hình Dân vận khéo» sheet stored or checked
    message: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Accepted: stored now, stored before, or valid in a dry run."""
        return self.status != REFUSED

    def as_dict(self) -> dict:
        d = asdict(self)
        d["findings"] = [f.as_dict() for f in self.findings]
        return d


# --- checking ---------------------------------------------------------------------------------

def _submission(report: ParsedReport, result, sent_by) -> store.NewSubmission:
    return store.NewSubmission(
        unit_code=result.unit.code, period=result.period, values=result.values, source="file",
        file_name=report.file_name, sha256=report.sha256, content=report.content,
        template_version=report.template_version, sent_by=sent_by,
        findings=[f for f in result.findings if f.severity in (WARNING, NOTICE)],
        models=result.models)


def check_file(con, source, file_name: str | None = None, sent_by=None, today=None):
    """Read and check one file without writing: (NewSubmission or None, findings).

    `source` is a path or the uploaded bytes; `con` may be read-only. A None submission means
    the file has errors; warnings in the findings still need a person's confirmation.
    """
    report = read_report(source, file_name)
    catalogue, units = load_reference(con)
    result = validate(report, catalogue, units, today=today)
    if not result.ok:
        return None, result.findings
    history = history_query.fetch_history(con, result.unit.code, result.period)
    add_history_findings(result, report, catalogue, history)
    return _submission(report, result, sent_by), result.findings


def _chunks(reports, max_files: int, max_s: float):
    chunk, started = [], 0.0
    for report in reports:
        if not chunk:
            started = time.monotonic()
        chunk.append(report)
        if len(chunk) >= max_files or time.monotonic() - started >= max_s:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- loading ----------------------------------------------------------------------------------

class _Connection:
    """The batch's connection, given back to other processes once held for HOLD_S."""

    def __init__(self, path, read_only: bool):
        self.path, self.read_only = path, read_only
        self.stack, self.con, self.opened = ExitStack(), None, 0.0

    def get(self):
        if self.con is not None and time.monotonic() - self.opened > HOLD_S:
            self.close()
            time.sleep(PAUSE_S)
        if self.con is None:
            self.con = self.stack.enter_context(db.connect(self.path, read_only=self.read_only))
            self.opened = time.monotonic()
        return self.con

    def close(self):
        self.stack.close()
        self.con = None


def ensure_initialised(path) -> None:
    target = db.db_path(path)
    hint = f"Chạy 'python -m etl init' (với --db {target} nếu cần) trước khi nạp báo cáo."
    if not db.exists(target):
        raise NotInitialised(f"Chưa có cơ sở dữ liệu {target}. {hint}")
    with db.records(target) as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        if not {"meta", "submissions", "indicators", "units"} <= tables or not con.execute(
                "SELECT count(*) FROM indicators").fetchone()[0]:
            raise NotInitialised(f"Cơ sở dữ liệu {target} chưa được khởi tạo. {hint}")


def _refused(name: str, findings: list[Finding], report=None, message="") -> FileResult:
    r = FileResult(name, REFUSED, findings=findings, message=message)
    if report is not None:
        r.unit_code, r.period_key = report.unit_code, report.period_key
    return r


@dataclass
class _Options:
    path: object
    catalogue: Catalogue
    units: dict[str, Unit]
    dry_run: bool
    sent_by: str | None
    confirm_warnings: bool
    today: object


def load_files(db_path, paths, dry_run: bool = False, sent_by: str | None = None,
               confirm_warnings: bool = True, today=None) -> list[FileResult]:
    """Check and load each file. dry_run writes nothing; with confirm_warnings=False a file
    with warnings is checked but not stored (status 'checked'), awaiting a person's confirmation."""
    ensure_initialised(db_path)
    with db.records(db_path) as con:
        catalogue, units = load_reference(con)
    opts = _Options(db_path, catalogue, units, dry_run, sent_by, confirm_warnings, today)
    conn = _Connection(db_path, read_only=dry_run)
    # Held files wait for a person, so whether a file is stored depends on its own history
    # warnings: such a batch goes one file per chunk, each seeing the ones stored before it.
    max_files = CHUNK_FILES if confirm_warnings else 1
    results = []
    try:
        for chunk in _chunks(workers.read_all(list(paths)), max_files, HOLD_S / 2):
            results += _load_chunk(conn, chunk, opts)
    finally:
        conn.close()
    return results


def _load_chunk(conn: _Connection, chunk: list[ParsedReport], opts: _Options) -> list[FileResult]:
    readable = [r for r in chunk if r.ok]
    if not readable:
        return [_refused(r.file_name, r.findings, r) for r in chunk]
    try:
        con = conn.get()
        done = iter(_check_and_store(con, readable, opts))
    except db.DatabaseBusy as exc:
        busy = [_refused(r.file_name, r.findings + [Finding(
            r.file_name, "", "", "", "database_busy", ERROR, f"Chưa nạp: {exc}")], r)
            for r in readable]
        done = iter(busy)
    except _ChunkFailed as failed:
        if len(readable) == 1:
            done = iter([failed.refusal()])
        else:                                      # again one transaction per file
            done = iter([r for report in readable for r in _load_chunk(conn, [report], opts)])
    return [next(done) if r.ok else _refused(r.file_name, r.findings, r) for r in chunk]


class _ChunkFailed(Exception):
    def __init__(self, report, findings, base, exc):
        self.report, self.findings, self.base, self.exc = report, findings, base, exc

    def refusal(self) -> FileResult:
        name = self.report.file_name
        failure = Finding(name, "", "", "", "load_failed", ERROR,
                          f"Không ghi được vào cơ sở dữ liệu, không có gì được lưu ({self.exc}).")
        return FileResult(name, REFUSED, **{**self.base, "findings": self.findings + [failure]})


def _check_and_store(con, reports: list[ParsedReport], opts: _Options) -> list[FileResult]:
    """Check readable reports in order and store the accepted ones in one transaction."""
    known = store.find_same_files(con, [r.sha256 for r in reports])
    checked = {}                       # seq -> ValidationResult, for files not loaded before
    first_of: dict[str, int] = {}      # sha256 -> seq of the file that will store it
    stored = []                        # (seq, unit_code, period, values) in order
    for seq, report in enumerate(reports):
        if report.sha256 in known or report.sha256 in first_of:
            continue
        result = validate(report, opts.catalogue, opts.units, today=opts.today)
        checked[seq] = result
        if result.ok and not opts.dry_run:
            first_of[report.sha256] = seq
            stored.append((seq, result.unit.code, result.period, result.values))
    requests = [(seq, r.unit.code, r.period) for seq, r in checked.items() if r.ok]
    if db.on_server(con):       # DuckDB's statistics, on a copy holding this batch's writes
        with db.history_copy(opts.path) as copy:
            histories = history_query.fetch_histories(copy, requests, stored)
    else:
        histories = history_query.fetch_histories(con, requests, stored)

    results: dict[int, FileResult] = {}
    subs: dict[int, store.NewSubmission] = {}
    for seq, result in checked.items():
        report = reports[seq]
        if seq in histories:
            add_history_findings(result, report, opts.catalogue, histories[seq])
        base = dict(unit_code=result.unit.code if result.unit else report.unit_code,
                    unit_name=result.unit.name if result.unit else None,
                    period_key=result.period.key if result.period else report.period_key,
                    period_label=result.period.label if result.period else None,
                    findings=result.findings)
        if not result.ok:
            results[seq] = FileResult(report.file_name, REFUSED, **base)
            continue
        base.update(n_values=len(result.values), n_models=len(result.models))
        if opts.dry_run:
            results[seq] = FileResult(report.file_name, CHECKED,
                                      message="Chạy thử: hợp lệ, chưa ghi vào cơ sở dữ liệu.", **base)
        elif result.warnings and not opts.confirm_warnings:
            results[seq] = FileResult(report.file_name, CHECKED,
                                      message="Có cảnh báo: chờ xác nhận, chưa ghi.", **base)
        else:
            subs[seq] = _submission(report, result, opts.sent_by)
            results[seq] = FileResult(report.file_name, LOADED, **base)

    same = [seq for seq in range(len(reports)) if seq not in results]
    before = store.current_versions(con, [known[reports[q].sha256][1:3] for q in same
                                          if reports[q].sha256 in known])
    if subs:
        _store(con, subs, results, reports, checked)
    if same:
        _unchanged(con, reports, same, known, first_of, results, before, opts.units)
    return [results[seq] for seq in range(len(reports))]


def _store(con, subs: dict, results: dict, reports, checked) -> None:
    try:
        with db.transaction(con):
            saved = store.save_submissions(con, list(subs.values()))
            audit = []
            for (seq, sub), (sid, version, superseded) in zip(subs.items(), saved):
                r = results[seq]
                r.submission_id, r.version, r.superseded_id = sid, version, superseded
                detail = (f"{r.unit_name} — {r.period_label}: phiên bản {version}, "
                          f"{len(sub.values)} giá trị")
                audit.append((sub.sent_by, detail, r.file, sid))
            db.audit_many(con, "load", audit)
    except Exception as exc:
        seq = next(iter(subs))
        r = results[seq]
        base = dict(unit_code=r.unit_code, unit_name=r.unit_name, period_key=r.period_key,
                    period_label=r.period_label, n_values=r.n_values, n_models=r.n_models)
        raise _ChunkFailed(reports[seq], checked[seq].findings, base, exc) from None


def _unchanged(con, reports, same, known, first_of, results, current, units) -> None:
    """Results for files stored before (in an earlier chunk or batch, or earlier in this chunk),
    each naming the current version as of its place in the batch."""
    labels = dict(con.execute("SELECT period_key, label FROM periods").fetchall())
    same = set(same)
    for seq, report in enumerate(reports):
        r = results.get(seq)
        if r is not None and r.status == LOADED:
            current[(r.unit_code, r.period_key)] = (r.submission_id, r.version)
        if seq not in same:
            continue
        if report.sha256 in known:
            sid, unit_code, period_key, version = known[report.sha256]
        else:
            first = results[first_of[report.sha256]]
            sid, unit_code, period_key, version = (first.submission_id, first.unit_code,
                                                   first.period_key, first.version)
        now = current.get((unit_code, period_key))
        note = f" (phiên bản hiện hành là {now[1]})" if now and now[0] != sid else ""
        results[seq] = FileResult(report.file_name, UNCHANGED, unit_code, _unit_name(units, unit_code),
                                  period_key, labels.get(period_key), sid, version,
                                  message=f"{ALREADY_LOADED}: phiên bản {version}{note}; không ghi gì thêm.")


def _unit_name(units, code) -> str | None:
    return units[code].name if code in units else None


# --- command line -----------------------------------------------------------------------------

