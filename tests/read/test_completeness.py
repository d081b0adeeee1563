from datetime import date, datetime

from etl.domain.periods import parse_period
from etl.intake.loader import load_files
from etl.read import completeness
from etl.warehouse import db, store
from etl.warehouse.reference import init_db
from etl.workflow import deadlines
from tests.workbooks import fill_values, make_template


def _state(df, unit, period):
    row = df[(df["unit_code"] == unit) & (df["period_key"] == period)]
    return row["state"].iloc[0]


def test_grid_states_deadlines_and_summary(tmp_path):
    path = tmp_path / "c.duckdb"
    init_db(path)
    files = [fill_values(make_template(path, u, spec, tmp_path / f"t{u}{i}.xlsx"), {"dialogues": 1},
                         tmp_path / f"f{u}{i}.xlsx")
             for i, (u, spec) in enumerate([("10543", "2025-Q3"), ("11002", "2025-Q3"),
                                            ("10543", "2024")])]
    assert all(r.ok for r in load_files(path, files))
    with db.connect(path) as con:
        store.ensure_periods(con, [parse_period("2025-Q4")])
        deadlines.set_deadline(con, "2025-Q3", date(2025, 10, 20), actor="snv.lan")
        # 11002's Q3 report counts as sent after the deadline; 10543's before it.
        con.execute("UPDATE submissions SET loaded_at = ? WHERE unit_code = '11002'",
                    [datetime(2025, 10, 25, 9, 0)])
        con.execute("UPDATE submissions SET loaded_at = ? WHERE unit_code = '10543'",
                    [datetime(2025, 10, 1, 9, 0)])
        grid = completeness.grid(con, today=date(2025, 11, 1))
        audit = con.execute("SELECT actor, action FROM audit_log WHERE action = 'set_deadline'").fetchall()
    assert audit == [("snv.lan", "set_deadline")]
    assert _state(grid, "10543", "2025-Q3") == "on_time"
    assert _state(grid, "11002", "2025-Q3") == "late"
    assert _state(grid, "10507", "2025-Q3") == "missing"
    # Q4 2025 ends 31/12: by default (Decree 09 practice) due on 20/01/2026, not yet on 01/11/2025.
    q4 = grid[(grid["period_key"] == "2025-Q4") & ~grid["unit_code"].str.contains("@")]
    assert set(q4["state"]) == {"not_due"} and q4["due_date"].iloc[0].date() == date(2026, 1, 20)
    # 2024: the 2025 units did not exist yet; one reported anyway (current territory) and counts.
    assert _state(grid, "10543", "2024") == "late"  # loaded 2025-10-01, after 20/01/2025
    assert _state(grid, "10507", "2024") == "not_applicable"
    summary = completeness.summary(grid).set_index("period_key")
    assert summary.loc["2025-Q3", "expected"] == 114
    assert summary.loc["2025-Q3", "on_time"] == 1 and summary.loc["2025-Q3", "late"] == 1
    assert abs(summary.loc["2025-Q3", "share_reported"] - 2 / 114) < 1e-9
    # 2024 expects the 375 old units, and counts the new unit that reported its present territory.
    assert summary.loc["2024", "expected"] == 376


def test_late_stays_late_once_accepted_and_returned_waits_for_a_new_version(tmp_path):
    """On time or late by the first version's arrival, whatever its review; a returned report
    waiting for a new version is its own state; a new version after the return keeps the first
    arrival's timeliness."""
    from etl.workflow.submissions import ACCEPT, RETURN, preview_upload, review, submit_checked
    from tests.conftest import DEPT, WARD, add_account
    path = tmp_path / "c.duckdb"
    init_db(path)
    add_account(path, DEPT)
    add_account(path, WARD)
    sent = {}
    for unit in ("10543", "11002"):
        f = fill_values(make_template(path, unit, "2025-Q3", tmp_path / f"t{unit}.xlsx"), {"dialogues": 1},
                        tmp_path / f"f{unit}.xlsx")
        sent[unit] = [r for r in load_files(path, [f])][0].submission_id
    with db.connect(path) as con:
        deadlines.set_deadline(con, "2025-Q3", date(2025, 10, 20), actor="snv.lan")
        con.execute("UPDATE submissions SET loaded_at = ? WHERE unit_code = '11002'", [datetime(2025, 10, 25, 9)])
        con.execute("UPDATE submissions SET loaded_at = ? WHERE unit_code = '10543'", [datetime(2025, 10, 1, 9)])
    review(path, sent["11002"], ACCEPT, "", DEPT)
    review(path, sent["10543"], RETURN, "Thiếu số liệu", DEPT)
    with db.connect(path, read_only=True) as con:
        g = completeness.grid(con, ["2025-Q3"], today=date(2025, 11, 1))
    row = g.set_index("unit_code")
    assert (row.loc["11002", "state"], row.loc["11002", "review"]) == ("late", "accepted")
    assert (row.loc["10543", "state"], row.loc["10543", "review"]) == ("returned", "returned")
    s = completeness.summary(g).set_index("period_key").loc["2025-Q3"]
    assert (s["late"], s["returned"], s["on_time"], s["accepted"]) == (1, 1, 0, 1)
    # The ward sends a new version (after the deadline): the first arrival was on time.
    f = fill_values(make_template(path, "10543", "2025-Q3", tmp_path / "t2.xlsx"), {"dialogues": 2},
                    tmp_path / "v2.xlsx")
    submit_checked(path, preview_upload(path, f.read_bytes(), f.name, WARD).sub, WARD, True)
    with db.connect(path, read_only=True) as con:
        g = completeness.grid(con, ["2025-Q3"], today=date(2025, 11, 1)).set_index("unit_code")
    assert (g.loc["10543", "state"], g.loc["10543", "review"], g.loc["10543", "version"]) == \
        ("on_time", "submitted", 2)


def test_the_province_filter_applies(tmp_path):
    path = tmp_path / "c.duckdb"
    init_db(path)
    with db.connect(path) as con:
        store.ensure_periods(con, [parse_period("2025")])
        everyone = completeness.grid(con, ["2025"], today=date(2026, 3, 1))
        here = completeness.grid(con, ["2025"], today=date(2026, 3, 1), province="31")
        elsewhere = completeness.grid(con, ["2025"], today=date(2026, 3, 1), province="01")
    assert len(here) == len(everyone) == 114 and elsewhere.empty
