"""The in-memory read copy (etl.warehouse.replica) answers every read of etl.read as the file
does: on the demo history (the merger, halves, reviews, models, scores) and on reports loaded
through the real loader, before and after new versions, reviews and new periods arrive."""
import shutil
import threading
from dataclasses import replace
from datetime import date

import duckdb
import pandas as pd
import pytest

from etl.intake.loader import load_files
from etl.read import (
    accounts,
    assessment,
    city,
    compare,
    completeness,
    export,
    maps,
    models,
    profile,
    reference,
    trends,
    versions,
)
from etl.read.scope import REPORTED, Scope
from etl.synthetic import demo
from etl.warehouse import db, migrations
from etl.warehouse.replica import SCOPED, DuckDBFile, Replica, SourceOutdated
from etl.workflow.deadlines import set_deadline
from etl.workflow.submissions import ACCEPT, RETURN, review
from tests.conftest import CAT_HAI, REVIEWER, VIET_HOA, fixture_values
from tests.workbooks import fill_values, make_template

IND = "propaganda_sessions"
# After a write: the scopes a new version and its review change (the demo test reads them all).
FEW = ("accepted", "unreviewed")


ALL_SCOPES = ("accepted", "unreviewed", "reported", "province")


def read_calls(con, scopes=ALL_SCOPES) -> list[tuple[str, object, tuple]]:
    """(name, function, arguments) of the reads the pages make, with arguments taken from the
    data: the latest year in the scopes named (accepted, with reports awaiting review, as
    reported, one province), a unit that reported it, its report's submission."""
    year = con.execute("SELECT max(period_key) FROM periods WHERE kind = 'year' AND period_key IN "
                       "(SELECT period_key FROM submissions)").fetchone()[0]
    province = con.execute("SELECT min(province_code) FROM units").fetchone()[0]
    unit, sub = con.execute(
        "SELECT s.unit_code, s.submission_id FROM submissions s JOIN units u ON u.code = s.unit_code "
        "WHERE u.valid_to IS NULL AND s.is_current AND s.period_key IN (?, ?) "
        "ORDER BY s.period_key DESC, s.unit_code LIMIT 1", [year, year + "-H2"]).fetchone()
    group = con.execute("SELECT group_name FROM indicators WHERE code = ?", [IND]).fetchone()[0]
    base = Scope(year)
    by_name = {"accepted": base, "unreviewed": replace(base, include_unreviewed=True),
              "reported": replace(base, boundaries=REPORTED), "province": replace(base, province=province)}
    calls = [
        ("dataset_info", reference.dataset_info, ()),
        ("up_to_date", migrations.up_to_date, ()),
        ("periods", reference.periods, ()),
        ("periods today", reference.periods, (True,)),
        ("catalogue", reference.catalogue, ()),
        ("units", reference.units, (True,)),
        ("provinces", reference.provinces, ()),
        ("period_kinds", reference.period_kinds, ()),
        ("ratings", reference.ratings, ()),
        ("dvk_options", reference.dvk_options, ()),
        ("merger_date", reference.merger_date, ()),
        ("straddling_periods", reference.straddling_periods, ()),
        ("unit_info", reference.unit_info, (unit,)),
        ("completeness.grid", completeness.grid, (None, date(2026, 1, 15))),
        ("completeness.grid province", completeness.grid, (None, date(2026, 1, 15), province)),
        ("versions.pending", versions.pending, ()),
        ("versions.unit_submissions", versions.unit_submissions, (unit,)),
        ("versions.versions", versions.versions, (unit, year)),
        ("versions.submission_values", versions.submission_values, (sub,)),
        ("versions.submission_findings", versions.submission_findings, (sub,)),
        ("versions.compare_versions", versions.compare_versions, (sub, sub)),
        ("versions.report_history", versions.report_history, (unit,)),
    ]
    for label, scope in ((k, by_name[k]) for k in scopes):
        calls += [(f"{name} [{label}]", fn, (scope, *args)) for name, fn, args in (
            ("city.totals", city.totals, ()),
            ("city.missing_units", city.missing_units, ()),
            ("city.coverage", city.coverage, ()),
            ("compare.ranking", compare.ranking, (IND, False)),
            ("compare.ranking per 10,000", compare.ranking, (IND, True)),
            ("compare.matrix", compare.matrix, (group, False)),
            ("compare.by_old_district", compare.by_old_district, (IND,)),
            ("maps.by_province", maps.by_province, (IND, True)),
            ("trends.trend", trends.trend, (IND, "year", (unit,))),
            ("trends.trend per 10,000", trends.trend, (IND, "year", (unit,), True)),
            ("trends.trend monthly", trends.trend, (IND, "month", (unit,))),
            ("multi_year_periods", reference.multi_year_periods, ()),
            ("lineage", reference.lineage, (unit,)),
            ("profile.unit_latest_stocks", profile.unit_latest_stocks, (unit,)),
            ("profile.unit_ranks", profile.unit_ranks, (unit, True)),
            ("profile.unit_period_kinds", profile.unit_period_kinds, (unit,)),
            ("profile.unit_history", profile.unit_history, (unit, "year")),
            ("models.dvk_years", models.dvk_years, ()),
            ("models.dvk_by_unit", models.dvk_by_unit, ()),
            ("models.dvk_by_field", models.dvk_by_field, ()),
            ("models.dvk_by_year", models.dvk_by_year, ()),
            ("models.dvk_models_of_year", models.dvk_models_of_year, ()),
            ("assessment.assessment_years", assessment.assessment_years, ()),
            ("assessment.assessment", assessment.assessment, ()),
            ("assessment.rating_distribution", assessment.rating_distribution, ()),
            ("assessment.assessment_scores", assessment.assessment_scores, ()),
            ("versions.value_versions", versions.value_versions, (unit, year, IND)),
            ("versions.attribution", versions.attribution, (unit, year, IND)),
            ("export.demo_count", lambda con, scope: export.demo_count(con, "values", scope), ()),
            ("export.demo_count models", lambda con, scope: export.demo_count(con, "models", scope), ()),
        )]
    return calls


def differences(path, replica: Replica, scopes=ALL_SCOPES) -> list[str]:
    """The reads whose result on the replica is not the file's, each with how it differs."""
    with db.connect(path, read_only=True) as con:
        calls = read_calls(con, scopes)
        expected = [fn(con, *args) for _, fn, args in calls]
    out = []
    with replica.connect() as cur:
        for (name, fn, args), want in zip(calls, expected):
            got = fn(cur, *args)
            if isinstance(want, pd.DataFrame):
                try:
                    pd.testing.assert_frame_equal(got, want)
                except AssertionError as exc:
                    out.append(f"{name}: {str(exc)[:300]}")
            elif got != want:
                out.append(f"{name}: {got!r} != {want!r}")
    return out


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("replica") / "demo.duckdb"
    demo.generate(path, seed=7)
    return path


@pytest.fixture()
def loaded_file(dashboard_db, tmp_path):
    """A copy of the loaded fixture warehouse, for tests that write to it."""
    return shutil.copy(dashboard_db, tmp_path / "live.duckdb")


def test_every_read_is_the_same_on_the_replica_as_on_the_demo_file(demo_file):
    with Replica(DuckDBFile(demo_file)) as replica:
        with replica.connect() as cur:
            # The demo history holds what the merger queries need, or the test proves little.
            assert reference.straddling_periods(cur) == ["2025"]
            assert cur.execute("SELECT count(DISTINCT status) FROM submissions").fetchone()[0] == 3
        assert differences(demo_file, replica) == []


def _new_version(path, work, unit: str, period: str, values: dict) -> int:
    template = make_template(path, unit, period, work / f"t_{unit}_{period}.xlsx")
    filled = fill_values(template, values, work / f"{unit}_{period}.xlsx")
    [result] = load_files(path, [filled], sent_by="vh.canbo")
    assert result.status == "loaded", result.message
    return result.submission_id


def test_after_new_reports_and_reviews_a_refresh_shows_what_the_file_shows(loaded_file, tmp_path):
    with Replica(DuckDBFile(loaded_file)) as replica:
        assert differences(loaded_file, replica, FEW) == []
        before = replica.version
        # A new version of Việt Hòa 2025 (awaiting review), Cát Hải's first 2025 report, and a
        # period the warehouse did not hold.
        changed = dict(fixture_values()[(VIET_HOA, "2025")], population=31000, propaganda_sessions=99)
        second = _new_version(loaded_file, tmp_path, VIET_HOA, "2025", changed)
        first = _new_version(loaded_file, tmp_path, CAT_HAI, "2025",
                             dict(fixture_values()[(CAT_HAI, "2024")], propaganda_sessions=1))
        quarter = _new_version(loaded_file, tmp_path, VIET_HOA, "2025-Q4", {"propaganda_sessions": 7})
        pairs = [(VIET_HOA, "2025"), (CAT_HAI, "2025"), (VIET_HOA, "2025-Q4")]
        # Until it is refreshed the replica shows what it was built from.
        assert differences(loaded_file, replica, FEW) != []
        assert replica.refresh(pairs) == before + 1
        assert differences(loaded_file, replica, FEW) == []
        with replica.connect() as cur:
            ranks = compare.ranking(cur, Scope("2025", include_unreviewed=True), IND).set_index("code")
            assert ranks.loc[VIET_HOA, "value"] == 99 and ranks.loc[CAT_HAI, "value"] == 1
        review(loaded_file, second, ACCEPT, "", REVIEWER)
        review(loaded_file, first, RETURN, "Thiếu số liệu dân số.", REVIEWER)
        review(loaded_file, quarter, ACCEPT, "", REVIEWER)
        replica.refresh(pairs)
        assert differences(loaded_file, replica, FEW) == []
        with replica.connect() as cur:
            ranks = compare.ranking(cur, Scope("2025"), IND).set_index("code")
            assert ranks.loc[VIET_HOA, "value"] == 99 and not ranks.loc[CAT_HAI, "reported"]


def test_a_new_deadline_alone_shows_after_a_refresh_of_the_small_tables(loaded_file):
    with Replica(DuckDBFile(loaded_file)) as replica:
        with db.connect(loaded_file) as con:
            set_deadline(con, "2025", date(2026, 3, 1), actor="tests")
        grid = (None, date(2026, 1, 15))
        with replica.connect() as cur:
            assert replica.refresh([]) == 0            # nothing said to have changed
            assert (completeness.grid(cur, *grid)["due_date"] != pd.Timestamp(2026, 3, 1)).all()
            replica.refresh([], whole=True)
            due = completeness.grid(cur, *grid).query("period_key == '2025'")["due_date"]
        assert (due == pd.Timestamp(2026, 3, 1)).all()
        assert differences(loaded_file, replica, FEW) == []


def test_a_pair_the_source_no_longer_holds_leaves_the_replica(demo_file, tmp_path):
    path = shutil.copy(demo_file, tmp_path / "demo.duckdb")
    with Replica(DuckDBFile(path)) as replica:
        before = _pairs(path)
        demo.generate(path, seed=8)         # every demo report replaced by another history
        after = _pairs(path)
        assert before - after and after - before
        replica.refresh(before | after)
        assert differences(path, replica, FEW) == []


def _scoped_rows(con, scoped, unrev: bool, today: bool) -> list[tuple]:
    """Every row of a SCOPED macro in one scope (halves, where it takes them, as the data's)."""
    halves = ", true" if "halves" in scoped.params else ""
    return con.execute(f"SELECT * FROM {scoped.macro}($unrev, $today{halves}) ORDER BY ALL",
                       {"unrev": unrev, "today": today}).fetchall()


def test_an_old_units_report_and_a_population_reach_todays_units_after_a_refresh(demo_file, tmp_path):
    """Today's boundaries are precomputed in the copy: a refresh of two pairs recomputes what they
    feed, an old unit's report (its current unit's value) and a population (the weights of the old
    units split by population, so every period of the units they went to)."""
    path = shutil.copy(demo_file, tmp_path / "live.duckdb")
    with db.connect(path, read_only=True) as con:
        old, new = con.execute(
            "SELECT s.unit_code, w.new_code FROM submissions s "
            "JOIN lineage_weights w ON w.old_code = s.unit_code AND NOT w.unreviewed AND w.share = 'full' "
            "WHERE s.period_key = '2024' AND s.shown_accepted ORDER BY 1 LIMIT 1").fetchone()
        split, weights = con.execute(
            "SELECT new_code, list(weight ORDER BY old_code) FROM lineage_weights "
            "WHERE NOT unreviewed AND method = 'population' GROUP BY 1 ORDER BY 1 LIMIT 1").fetchone()
        population = con.execute(
            "SELECT value FROM current_values WHERE unit_code = ? AND period_key = '2025' "
            "AND indicator_code = 'population'", [split]).fetchone()[0]
    scope = Scope("2024", include_unreviewed=True)
    with Replica(DuckDBFile(path)) as replica:
        with replica.connect() as cur:
            before = compare.ranking(cur, scope, IND).set_index("code").loc[new, "value"]
            kept = {t.macro: _scoped_rows(cur, t, True, True) for t in SCOPED}
        _new_version(path, tmp_path, old, "2024", {IND: 4321})
        _new_version(path, tmp_path, split, "2025",
                     dict(fixture_values()[(VIET_HOA, "2025")], population=population * 3))
        replica.refresh([(old, "2024"), (split, "2025")])
        with replica.connect() as cur:
            after = compare.ranking(cur, scope, IND).set_index("code").loc[new, "value"]
            moved = cur.execute("SELECT list(weight ORDER BY old_code) FROM lineage_weights "
                                "WHERE unreviewed AND new_code = ?", [split]).fetchone()[0]
        assert after != before and moved != weights        # the test changes what it checks
        assert differences(path, replica, FEW) == []
        # What the copy keeps in tables of their own (SCOPED: populations, scores, models listed),
        # in every scope, as the file's macros give them; and the refresh changed each of them.
        for scoped in SCOPED:
            for unrev in (False, True):
                for today in (False, True):
                    with replica.connect() as cur:
                        got = _scoped_rows(cur, scoped, unrev, today)
                    with db.connect(path, read_only=True) as con:
                        want = _scoped_rows(con, scoped, unrev, today)
                    assert got == want, (scoped.macro, unrev, today)
                    if unrev and today:
                        assert kept[scoped.macro] != got, scoped.macro
                        if scoped.macro == "population_values":
                            populations = got
        assert (split, "2025", date(2025, 12, 31), population * 3) in populations


def test_halves_of_a_period_reported_later_make_it_straddle_in_the_copy(loaded_file, tmp_path):
    """The first January–June report of an old unit and July–December one of its new unit make
    2025 a period straddling the merger: after a refresh of those two pairs alone the copy adds
    it up from its halves as the file does."""
    from tests.conftest import THACH_KHOI
    with db.connect(loaded_file, read_only=True) as con:
        old = con.execute("SELECT min(old_code) FROM unit_lineage WHERE new_code = ?", [THACH_KHOI]).fetchone()[0]
        assert reference.straddling_periods(con) == []
    with Replica(DuckDBFile(loaded_file)) as replica:
        files = []
        for n, (code, period, values, territory) in enumerate([
                (old, "2025-H1", {"reception_visits": 5, "dialogues": 1}, None),
                (THACH_KHOI, "2025-H2", {"population": 36000, "reception_visits": 7}, "current")]):
            tpl = make_template(loaded_file, code, period, tmp_path / f"t{n}.xlsx", territory=territory)
            files.append(fill_values(tpl, values, tmp_path / f"h{n}.xlsx"))
        assert [r.status for r in load_files(loaded_file, files)] == ["loaded", "loaded"]
        replica.refresh([(old, "2025-H1"), (THACH_KHOI, "2025-H2")])
        with replica.connect() as cur:
            assert reference.straddling_periods(cur) == ["2025"]
        assert differences(loaded_file, replica, FEW) == []


def _pairs(path) -> set[tuple[str, str]]:
    with db.connect(path, read_only=True) as con:
        return set(con.execute("SELECT DISTINCT unit_code, period_key FROM submissions").fetchall())


def test_a_reader_sees_the_copy_before_or_after_a_refresh_never_between(loaded_file):
    scope = Scope("2025")
    with Replica(DuckDBFile(loaded_file)) as replica:
        with replica.connect() as cur:
            whole = len(profile.unit_history(cur, scope, VIET_HOA))
        seen, failures, done = set(), [], threading.Event()

        def read():
            try:
                with replica.connect() as cur:
                    while not done.is_set():
                        seen.add(len(profile.unit_history(cur, scope, VIET_HOA)))
            except Exception as exc:  # a reader's error fails the test below
                failures.append(exc)

        readers = [threading.Thread(target=read) for _ in range(2)]
        for t in readers:
            t.start()
        try:
            # The same rows again: each refresh deletes the pair's rows and inserts them back.
            for _ in range(20):
                replica.refresh([(VIET_HOA, "2025"), (VIET_HOA, "2024"), (VIET_HOA, "2023")])
        finally:
            done.set()
            for t in readers:
                t.join()
        assert failures == [] and seen == {whole}


def test_an_old_schema_is_refused_in_vietnamese(loaded_file):
    with db.connect(loaded_file) as con:
        con.execute("UPDATE meta SET value = 'cu' WHERE key = 'views_version'")
    with pytest.raises(SourceOutdated, match="nâng cấp"):
        Replica(DuckDBFile(loaded_file))


def test_accounts_and_original_files_are_not_copied(dashboard_db):
    # They are read from the system of record: a removed account must be gone at once.
    with Replica(DuckDBFile(dashboard_db)) as replica, replica.connect() as cur:
        with pytest.raises(duckdb.CatalogException):
            accounts.users(cur)
        with pytest.raises(duckdb.CatalogException):
            versions.original_file(cur, "0" * 64)
