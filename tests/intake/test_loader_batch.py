"""A batch is checked and stored in chunks, read by worker processes: the outcome must be the
same as loading its files one at a time, in order."""
import os

import pytest

from etl.intake import loader, workers
from etl.intake.loader import load_files
from etl.warehouse import db, store
from tests.report_files import counts, fresh_db, report

UNITS = ["10507", "10525", "10532", "10537", "10543", "10546", "10549", "10660", "11002", "11329",
         "10552"]


def rows(db_path, sql, params=()):
    with db.connect(db_path, read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def history_batch(tmp_path_factory):
    """Files whose outlier checks depend on the files before them in the same batch: 11 units'
    2025-Q1 (peers), then 10543's four quarters of 2024, then its spike and its zero in 2025."""
    work = tmp_path_factory.mktemp("batch")
    path = fresh_db(work)
    files = []
    for i, unit in enumerate(sorted(UNITS, key=lambda u: u == "10546")):
        dialogues = 900 if unit == "10546" else 10 + i      # 10546, last: far above the others
        files.append(report(path, work, {"population": 20000 + 1000 * i, "dialogues": dialogues},
                            name=f"{unit}-q1.xlsx", unit=unit, period="2025-Q1"))
    for i, q in enumerate(["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]):
        files.append(report(path, work, {"dialogues": 30 + i, "reception_visits": 40 + i,
                                         "reception_people": 60}, name=f"{q}.xlsx", period=q))
    files.append(report(path, work, {"dialogues": 31, "reception_visits": 900,
                                     "reception_people": 950}, name="spike.xlsx", period="2025-Q2"))
    files.append(report(path, work, {"dialogues": 0, "reception_visits": 41, "reception_people": 60},
                        name="zero.xlsx", period="2025-Q3"))
    return path, files


def _outcome(results):
    return [(r.file, r.status, r.version, [(f.rule, f.cell, f.message) for f in r.findings])
            for r in results]


def test_one_chunk_gives_what_one_file_at_a_time_gives(history_batch, tmp_path, monkeypatch):
    pristine, files = history_batch
    together, alone = tmp_path / "together.duckdb", tmp_path / "alone.duckdb"
    for target in (together, alone):
        target.write_bytes(pristine.read_bytes())
    monkeypatch.setattr(workers, "PARALLEL_MIN_FILES", 2)      # read by worker processes
    monkeypatch.setattr(loader, "HOLD_S", 60.0)               # all in one chunk
    batch = load_files(together, files)
    monkeypatch.setattr(loader, "CHUNK_FILES", 1)
    monkeypatch.setattr(workers, "PARALLEL_MIN_FILES", 10**6)
    single = load_files(alone, files)
    assert _outcome(batch) == _outcome(single)
    warned = {(r.file, f.rule) for r in batch for f in r.findings if f.severity == "warning"}
    # Each warning needs files stored earlier in the same batch.
    assert ("10546-q1.xlsx", "outlier_units") in warned
    assert ("spike.xlsx", "outlier_history") in warned
    assert ("zero.xlsx", "zero_after_large") in warned
    assert all(r.status == "loaded" for r in batch)
    query = "SELECT unit_code, period_key, indicator_code, value FROM shown_facts ORDER BY ALL"
    assert rows(together, query) == rows(alone, query)


def test_versions_of_one_unit_and_period_in_one_batch_chain(tmp_path):
    path = fresh_db(tmp_path)
    v1, v2, v3 = (report(path, tmp_path, {"population": 30000 + i, "reception_visits": 40 + i,
                                          "reception_people": 60}, name=f"v{i}.xlsx")
                  for i in (1, 2, 3))
    results = load_files(path, [v1, v2, v1, v3])
    assert [(r.status, r.version) for r in results] == [
        ("loaded", 1), ("loaded", 2), ("unchanged", 1), ("loaded", 3)]
    first, second, again, third = results
    assert (second.superseded_id, third.superseded_id) == (first.submission_id, second.submission_id)
    assert again.submission_id == first.submission_id and "phiên bản hiện hành là 2" in again.message
    assert rows(path, "SELECT version, is_current, superseded_by FROM submissions ORDER BY version") == [
        (1, False, second.submission_id), (2, False, third.submission_id), (3, True, None)]
    assert rows(path, "SELECT submission_id, value FROM shown_facts WHERE indicator_code = "
                      "'population'") == [(third.submission_id, 30003)]
    assert rows(path, "SELECT count(*) FROM files") == [(3,)]
    again = load_files(path, [v2])[0]
    assert again.status == "unchanged" and "phiên bản hiện hành là 3" in again.message


def test_a_chunk_that_fails_is_stored_again_file_by_file(tmp_path, monkeypatch):
    path = fresh_db(tmp_path)
    files = [report(path, tmp_path, {"population": 20000}, name=f"{u}.xlsx", unit=u)
             for u in ("10543", "11002", "10660")]
    real = store.save_submissions

    def fail_on_11002(con, subs):
        if any(s.unit_code == "11002" for s in subs):
            raise RuntimeError("đĩa đầy")
        return real(con, subs)
    monkeypatch.setattr(store, "save_submissions", fail_on_11002)
    results = load_files(path, files)
    assert [r.status for r in results] == ["loaded", "refused", "loaded"]
    [failure] = results[1].findings
    assert (failure.rule, failure.file) == ("load_failed", "11002.xlsx") and "đĩa đầy" in failure.message
    assert rows(path, "SELECT unit_code FROM submissions ORDER BY 1") == [("10543",), ("10660",)]
    assert rows(path, "SELECT count(*) FROM audit_log WHERE action = 'load'") == [(2,)]


def test_a_file_that_kills_its_worker_is_refused_alone(tmp_path, monkeypatch):
    """calamine aborts instead of raising on some inputs: only that file may be lost."""
    path = fresh_db(tmp_path)
    files = [report(path, tmp_path, {"population": 20000}, name=f"{u}.xlsx", unit=u) for u in UNITS]
    real = loader.read_report

    def aborting(source, file_name=None):
        if str(source).endswith("10549.xlsx"):
            os._exit(134)
        return real(source, file_name)
    monkeypatch.setattr(workers, "read_report", aborting)   # the forked workers inherit it
    monkeypatch.setattr(workers, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(workers, "READ_STEP", 3)
    results = load_files(path, files)
    assert [r.file for r in results] == [f"{u}.xlsx" for u in UNITS]
    refused = [(r.file, [f.rule for f in r.findings]) for r in results if r.status != "loaded"]
    assert refused == [("10549.xlsx", ["corrupt_file"])]
    assert rows(path, "SELECT count(*) FROM submissions") == [(len(UNITS) - 1,)]


def test_dry_run_of_a_batch_writes_nothing(history_batch, tmp_path, monkeypatch):
    pristine, files = history_batch
    target = tmp_path / "dry.duckdb"
    target.write_bytes(pristine.read_bytes())
    monkeypatch.setattr(workers, "PARALLEL_MIN_FILES", 2)
    before = counts(target)
    results = load_files(target, files + files[:2], dry_run=True)
    assert [r.status for r in results] == ["checked"] * (len(files) + 2)
    assert counts(target) == before
