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
