"""Server mode: PostgreSQL as the system of record, each process reading its in-memory copy.

The dashboard fixture is built on both backends through the real template, loader and review;
what the dashboards read must be the same, and a write must reach another process's copy.
"""
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from etl.read import city, compare, completeness, models, profile, trends
from etl.read.scope import Scope
from etl.warehouse import db, migrations
from etl.warehouse.reference import init_db, read_data_file
from tests.conftest import LE_CHAN, REVIEWER, VIET_HOA, WARD, add_account, fixture_values

ROOT = db.ROOT


def test_init_on_both_backends_loads_the_registry_and_is_idempotent(backend_db):
    first = init_db(backend_db)
    again = init_db(backend_db)
    assert first == again
    assert first["units"] == len(read_data_file("units.csv"))
    assert first["indicators"] == len(read_data_file("indicators.csv"))
    with db.records(backend_db) as con:
        assert migrations.schema_version(con) == migrations.LATEST
        assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'init'").fetchone()[0] == 2
        if db.on_server(con):   # a few pairs' rows are read by index there (migration 8)
            indexed = {r[0] for r in con.execute("SELECT indexname FROM pg_indexes").fetchall()}
            assert {"shown_facts_pair", "shown_facts_submission", "submission_values_submission",
                    "submissions_pair"} <= indexed


READS = [
    (compare.ranking, (Scope("2025"), "dialogues")),
    (compare.ranking, (Scope("2024"), "reception_visits", True)),
    (compare.matrix, (Scope("2025"), "Tiếp công dân")),
    (city.totals, (Scope("2025"),)),
    (city.missing_units, (Scope("2025"),)),
    (trends.trend, (Scope(), "dialogues")),
    (profile.unit_history, (Scope(), VIET_HOA)),
    (models.dvk_by_unit, (Scope("2025"),)),
    (completeness.grid, (["2024", "2025"], pd.Timestamp("2026-02-01").date())),
]


@pytest.mark.parametrize("fn, args", READS, ids=[f"{f.__module__}.{f.__name__}" for f, _ in READS])
def test_the_dashboards_read_the_same_on_both_backends(fn, args, dashboard_db, pg_dashboard_db):
    with db.connect(dashboard_db, read_only=True) as con:
        embedded = fn(con, *args)
    with db.connect(pg_dashboard_db, read_only=True) as con:
        server = fn(con, *args)
    assert len(embedded) > 0
    ids = [c for c in embedded.columns if c.endswith("submission_id") or c.endswith("_at")]
    pd.testing.assert_frame_equal(embedded.drop(columns=ids), server.drop(columns=ids), check_dtype=True)


def _values(unit: str, period: str, dialogues: int) -> dict:
    values = {k: v for k, v in fixture_values()[(unit, period)].items()}
    values["dialogues"] = dialogues
    values["dialogue_attendees"] = dialogues * 40
    values["dialogue_opinions"] = dialogues * 6
    values["dialogue_opinions_resolved"] = dialogues * 6 - 1
    return values


def _upload(url: str, work, unit: str, period: str, dialogues: int, name: str):
    from etl.workflow.submissions import submit_upload
    from tests.workbooks import fill_values, make_template
    template = make_template(url, unit, period, work / f"t_{name}.xlsx")
    path = fill_values(template, _values(unit, period, dialogues), work / f"{name}.xlsx")
    return submit_upload(url, path.read_bytes(), path.name, WARD if unit == VIET_HOA else REVIEWER,
                         warnings_confirmed=True)


def _watch(url: str, unit: str, period: str, value: float) -> subprocess.Popen:
    """Another process, with its own copy, that prints how long after 'ready' it saw the value."""
    code = f"""
import time
from etl.read.scope import Scope
from etl.read import compare
from etl.warehouse import db
def seen():
    with db.connect({url!r}, read_only=True) as con:
        r = compare.ranking(con, Scope({period!r}, include_unreviewed=True), 'dialogues')
    return (r.loc[r.code == {unit!r}, 'value'] == {value!r}).any()
assert not seen()
print('ready', flush=True)
line = input()
start = time.monotonic()
while not seen():
    if time.monotonic() - start > 20:
        print('never', flush=True)
        raise SystemExit(1)
    time.sleep(0.02)
print(round(time.monotonic() - start, 3), flush=True)
"""
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_an_upload_shows_on_another_process_copy_within_2_s(pg_cluster, tmp_path):
    url = pg_cluster.new_database()
    init_db(url)
    add_account(url, WARD)
    watcher = _watch(url, VIET_HOA, "2025", 77)
    try:
        outcome = _upload(url, tmp_path, VIET_HOA, "2025", 77, "vh-2025-77")
        committed = time.monotonic()
        watcher.stdin.write("go\n")
        watcher.stdin.flush()
        told = time.monotonic()
        seen_after = watcher.stdout.readline().strip()
        assert outcome["submission_id"] and not outcome["unchanged"]
        assert seen_after != "never"
        # The watcher times from the moment it was told; the commit was before that.
        assert float(seen_after) + (told - committed) <= 2.0
    finally:
        watcher.kill()
    # And in this process's own copy at once (it catches up on the next read).
    with db.connect(url, read_only=True) as con:
        r = compare.ranking(con, Scope("2025", include_unreviewed=True), "dialogues")
    assert r.loc[r.code == VIET_HOA, "value"].item() == 77


def test_eight_uploads_at_once_all_land_with_their_own_versions(pg_cluster, tmp_path):
    url = pg_cluster.new_database()
    init_db(url)
    add_account(url, REVIEWER)
    errors, outcomes = [], []

    def send(i):
        try:
            outcomes.append(_upload(url, tmp_path, LE_CHAN, "2025", 10 + i, f"lc-{i}"))
        except Exception as exc:          # a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    with db.records(url) as con:
        rows = con.execute("SELECT version, is_current FROM submissions WHERE unit_code = ? "
                           "AND period_key = '2025' ORDER BY version", [LE_CHAN]).fetchall()
    assert [v for v, _ in rows] == list(range(1, 9))
    assert [c for _, c in rows] == [False] * 7 + [True]
    assert sorted(o["version"] for o in outcomes) == list(range(1, 9))


def test_a_loader_killed_mid_load_leaves_only_whole_reports(pg_cluster, tmp_path):
    import zipfile

    from tests.report_files import report
    url = pg_cluster.new_database()
    init_db(url)
    one = report(url, tmp_path, {"population": 30575, "area_km2": 17}).read_bytes()
    paths = []
    for i in range(300):
        path = tmp_path / f"r{i:03d}.xlsx"          # a distinct zip comment: another file
        path.write_bytes(one)
        with zipfile.ZipFile(path, "a") as z:
            z.comment = f"bản {i}".encode()
        paths.append(str(path))
    proc = subprocess.Popen([sys.executable, "-m", "etl", "--db", url, "load", *paths], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def landed() -> int:
        with db.records(url) as con:
            return con.execute("SELECT count(*) FROM submissions").fetchone()[0]

    deadline = time.monotonic() + 120
    while not landed() and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.kill()
    proc.wait(30)
    with db.records(url) as con:
        subs = con.execute("SELECT submission_id, version, is_current FROM submissions "
                           "ORDER BY version").fetchall()
        values = dict(con.execute("SELECT submission_id, count(*) FROM submission_values "
                                  "GROUP BY 1").fetchall())
        logged = con.execute("SELECT count(*) FROM audit_log WHERE action = 'load'").fetchone()[0]
        shown = con.execute("SELECT DISTINCT submission_id FROM shown_facts").fetchall()
    k = len(subs)
    assert 0 < k < len(paths)                          # killed in the middle of the batch
    assert [v for _, v, _ in subs] == list(range(1, k + 1))
    assert [c for *_, c in subs] == [False] * (k - 1) + [True]
    assert all(values.get(sid) == 2 for sid, _, _ in subs)
    assert logged == k
    assert shown == [(subs[-1][0],)]                   # awaiting review: the newest shows


@pytest.mark.parametrize("kind", ["values", "models"])
def test_etl_export_gives_the_same_bytes_on_both_backends(kind, dashboard_db, pg_dashboard_db, tmp_path):
    out = {}
    for name, target in (("embedded", dashboard_db), ("server", pg_dashboard_db)):
        out[name] = tmp_path / f"{name}.csv"
        done = subprocess.run([sys.executable, "-m", "etl", "--db", str(target), "export", "-o",
                               str(out[name]), "--kind", kind], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert out["embedded"].read_bytes().count(b"\n") > 10
    assert out["embedded"].read_bytes() == out["server"].read_bytes()


def test_a_deadline_set_on_the_server_reaches_the_copy(pg_cluster, tmp_path):
    from datetime import date

    from etl.workflow.deadlines import set_period_deadline
    url = pg_cluster.new_database()
    init_db(url)
    add_account(url, REVIEWER)
    _upload(url, tmp_path, LE_CHAN, "2025", 5, "lc")            # the period exists from here
    set_period_deadline(url, "2025", date(2026, 1, 31), REVIEWER)
    with db.connect(url, read_only=True) as con:
        assert con.execute("SELECT deadline FROM periods WHERE period_key = '2025'").fetchone()[0] \
            == date(2026, 1, 31)


def test_the_accounts_page_reads_accounts_and_log_on_both_backends(backend_db):
    from etl.read import accounts as read_accounts
    init_db(backend_db)
    add_account(backend_db, WARD)
    with db.records(backend_db) as con:
        users = read_accounts.users(con)
        log = read_accounts.audit_log(con, 10)
    assert list(users["username"]) == [WARD.username]
    assert "password_hash" not in users.columns
    assert {"init", "user_add"} <= set(log["action"])


def test_a_load_checks_history_alike_on_both_backends(backend_db, tmp_path):
    """The history checks read a copy in server mode (of the history tables only, in a loader
    that keeps no dashboards' copy): the same warnings as on the file, each file seeing the one
    stored before it."""
    from etl.intake.loader import load_files
    from tests.report_files import report
    init_db(backend_db)
    quarters = [report(backend_db, tmp_path, {"reception_visits": 40 + i, "reception_people": 60},
                       name=f"{q}.xlsx", period=q)
                for i, q in enumerate(["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"])]
    far = report(backend_db, tmp_path, {"reception_visits": 900, "reception_people": 950}, name="far.xlsx")
    *earlier, last = load_files(backend_db, quarters + [far])        # one batch: one copy
    assert [r.status for r in earlier + [last]] == ["loaded"] * 5
    assert [(f.rule, f.cell) for f in last.findings if f.severity == "warning"] == [
        ("outlier_history", "F18"), ("outlier_history", "F19")]
    zero = load_files(backend_db, [report(backend_db, tmp_path, {"reception_visits": 0, "reception_people": 0},
                                          name="zero.xlsx", period="2025-Q4")])[0]
    assert [f.rule for f in zero.findings] == ["zero_after_large", "zero_after_large"]


def test_a_copy_behind_a_pruned_change_log_reads_everything_again(pg_cluster, tmp_path, monkeypatch):
    url = pg_cluster.new_database()
    init_db(url)
    add_account(url, WARD)
    add_account(url, REVIEWER)

    def shown(unit):
        with db.connect(url, read_only=True) as con:
            r = compare.ranking(con, Scope("2025", include_unreviewed=True), "dialogues")
        return r.loc[r.code == unit, "value"].item()
    _upload(url, tmp_path, LE_CHAN, "2025", 5, "lc5")
    assert shown(LE_CHAN) == 5                          # this process's copy, built here
    monkeypatch.setenv("DANVAN_CHANGE_LOG_DAYS", "0")   # every entry before a write goes
    monkeypatch.setattr(db, "PRUNE_EVERY_S", 0.0)
    _upload(url, tmp_path, VIET_HOA, "2025", 7, "vh7")
    _upload(url, tmp_path, LE_CHAN, "2025", 9, "lc9")   # the entry of vh7, not yet applied, goes
    with db.records(url) as con:
        pruned = int(con.execute("SELECT value FROM meta WHERE key = 'change_log_pruned_to'").fetchone()[0])
        left = con.execute("SELECT min(change_id), count(*) FROM change_log").fetchone()
    assert left[0] > pruned and left[1] >= 1
    assert (shown(VIET_HOA), shown(LE_CHAN)) == (7, 9)
