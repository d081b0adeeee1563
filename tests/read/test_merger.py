"""History across the 2025 merger, with reports loaded through the real template and loader.

The fixture: the 21 old units whose territory went to Thạch Khôi and the five new units they
share old units with (a closed group: every successor of each old unit is in it) report 2024;
Thạch Khôi's four old units report January–June 2025 and Thạch Khôi and Yết Kiêu July–December
2025; Phường Nhị Chiểu (11239) sends its own full-year 2025 report, and so does the current
Việt Hòa for 2024 (its present territory) while its old units report 2024 too; Thành Đông's four
old units, all merged whole, report 2024.
"""
import math

import pandas as pd
import pytest

from etl.intake.loader import load_files
from etl.read import city, compare, completeness, export, reference, trends, versions
from etl.read.scope import Scope
from etl.warehouse import db
from etl.warehouse.reference import init_db
from etl.workflow.submissions import ACCEPT, review
from tests.conftest import REVIEWER, VIET_HOA, add_account
from tests.workbooks import fill_values, make_template

THACH_KHOI, YET_KIEU, NHI_CHIEU, THANH_DONG = "11002", "11020", "11239", "10507"
GROUP = ["10999", THACH_KHOI, YET_KIEU, "11050", "11065", NHI_CHIEU]
THACH_KHOI_OLD = {"11002@2025-06-30": "full", "11005@2025-06-30": "full",
                  "11017@2025-06-30": "full", "11008@2025-06-30": "partial"}
CURRENT, REPORTED = Scope("2024"), Scope("2024", boundaries="reported")
FLOWS = ("reception_visits", "dialogues", "petitions_received")


def _lineage(con, new_codes):
    return con.execute("SELECT new_code, old_code, share FROM unit_lineage WHERE list_contains(?, new_code)",
                       [list(new_codes)]).fetchall()


def old_values(i: int) -> dict:
    """A different report for each old unit (i), with a 0 among the flows."""
    return {"population": 4000 + 500 * i, "reception_visits": 10 + i, "dialogues": i % 3,
            "petitions_received": 3 * i + 1, "party_members": 100 + i}


@pytest.fixture(scope="module")
def merger_db(tmp_path_factory):
    work = tmp_path_factory.mktemp("merger")
    path = work / "merger.duckdb"
    init_db(path)
    add_account(path, REVIEWER)
    with db.connect(path, read_only=True) as con:
        group_old = sorted({o for _, o, _ in _lineage(con, GROUP)})
        others = sorted({o for _, o, _ in _lineage(con, [VIET_HOA, THANH_DONG])})
    reports = []          # (code or id, period, values, territory)
    for i, old in enumerate(group_old + others):
        # The official code alone: the template resolves it to the unit that existed in 2024.
        reports.append((old.split("@")[0], "2024", old_values(i), None))
    for i, old in enumerate(sorted(THACH_KHOI_OLD)):
        reports.append((old, "2025-H1", {"reception_visits": 5 + i, "dialogues": 1}, None))
    reports += [
        (THACH_KHOI, "2025-H2", {"population": 36000, "reception_visits": 7, "dialogues": 2,
                                 "party_members": 900}, "current"),
        (YET_KIEU, "2025-H2", {"population": 12000, "reception_visits": 9, "dialogues": 0}, "current"),
        (THANH_DONG, "2025-H2", {"population": 41000, "reception_visits": 11}, "current"),
        (NHI_CHIEU, "2025", {"population": 20000, "reception_visits": 50, "dialogues": 4}, "current"),
        (VIET_HOA, "2024", {"population": 30000, "reception_visits": 400, "dialogues": 8}, "current"),
        # A five-year summary: it ends after the merger, so the code names today's unit.
        (THACH_KHOI, "2021-2025", {"reception_visits": 2000, "dialogues": 40}, None),
    ]
    files = []
    for n, (code, period, values, territory) in enumerate(reports):
        tpl = make_template(path, code, period, work / f"t{n}.xlsx", territory=territory)
        files.append(fill_values(tpl, values, work / f"r{n}_{code.replace('@', '_')}_{period}.xlsx"))
    results = load_files(path, files)
    refused = [(r.file, [f.message for f in r.findings]) for r in results if r.status != "loaded"]
    assert not refused
    for r in results:
        review(path, r.submission_id, ACCEPT, "", REVIEWER)
    return path, group_old, reports


@pytest.fixture()
def mcon(merger_db):
    with db.connect(merger_db[0], read_only=True) as c:
        yield c


def values(con, scope, units=None, period=None):
    """{(unit, period, indicator): (value, estimated, from_units)} on the scope's boundaries."""
    rows = con.execute("SELECT unit_code, period_key, indicator_code, value, estimated, from_units "
                       "FROM boundary_values($unrev, $today, true)",
                       {"unrev": scope.include_unreviewed, "today": scope.today}).fetchall()
    return {(u, p, i): (v, e, f) for u, p, i, v, e, f in rows
            if (units is None or u in units) and (period is None or p == period)}


def test_old_units_are_loaded_under_their_own_ids(merger_db, mcon):
    _, group_old, _ = merger_db
    stored = {u for (u,) in mcon.execute("SELECT DISTINCT unit_code FROM submissions "
                                         "WHERE period_key = '2024'").fetchall()}
    assert set(group_old) <= stored and "11005@2025-06-30" in stored
    # The reused code: the old Phường Thạch Khôi and today's Phường Thạch Khôi are two units.
    assert "11002@2025-06-30" in stored and THACH_KHOI not in stored


def test_flows_are_neither_lost_nor_doubled_on_todays_boundaries(merger_db, mcon):
    _, group_old, _ = merger_db
    old = values(mcon, REPORTED, set(group_old), "2024")
    new = values(mcon, CURRENT, set(GROUP), "2024")
    for code in FLOWS:
        as_reported = sum(v for (u, p, i), (v, _, _) in old.items() if i == code)
        on_today = sum(v for (u, p, i), (v, _, _) in new.items() if i == code)
        assert as_reported > 0 and math.isclose(as_reported, on_today), code
    # The city totals agree as well: the view changes who holds a value, not how much there is.
    for code in FLOWS:
        a = city.totals(mcon, CURRENT).set_index("code").loc[code, "value"]
        b = city.totals(mcon, REPORTED).set_index("code").loc[code, "value"]
        # (the current Việt Hòa's own 2024 report replaces the part of its old units' values it
        # would have been given; the other successors of its partial old units keep theirs)
        weight = dict(mcon.execute("SELECT old_code, weight FROM lineage_weights "
                                   "WHERE NOT unreviewed AND new_code = ?", [VIET_HOA]).fetchall())
        viet_hoa_part = sum(v * weight[u] for (u, p, i), (v, _, _) in values(mcon, REPORTED, period="2024").items()
                            if i == code and u in weight)
        # (its own report left petitions blank: blank, not its old units' value)
        viet_hoa_own = values(mcon, CURRENT, {VIET_HOA}, "2024").get((VIET_HOA, "2024", code), (0,))[0]
        assert math.isclose(a, b - viet_hoa_part + viet_hoa_own), code


def test_thach_khoi_2024_from_its_old_units_with_the_partial_share_an_estimate(merger_db, mcon):
    _, group_old, reports = merger_db
    given = {code: v for code, period, v, _ in reports if period == "2024"}
    official = {o: o.split("@")[0] for o in THACH_KHOI_OLD}
    weights = dict(((n, o), w) for n, o, w in mcon.execute(
        "SELECT new_code, old_code, weight FROM lineage_weights WHERE NOT unreviewed").fetchall())
    # Xã Thống Nhất went partly to Thạch Khôi and partly to Yết Kiêu: split by their latest
    # reported populations (36.000 and 12.000), 3/4 and 1/4.
    assert math.isclose(weights[(THACH_KHOI, "11008@2025-06-30")], 0.75)
    assert math.isclose(weights[(YET_KIEU, "11008@2025-06-30")], 0.25)
    got = values(mcon, CURRENT, {THACH_KHOI}, "2024")
    expected = sum(given[official[o]]["reception_visits"] * (1 if s == "full" else 0.75)
                   for o, s in THACH_KHOI_OLD.items())
    value, estimated, from_units = got[(THACH_KHOI, "2024", "reception_visits")]
    assert math.isclose(value, expected) and estimated
    assert from_units.split(";") == sorted(THACH_KHOI_OLD)
    # A stock of a unit with a partial old unit is not guessed: no population on today's boundaries.
    assert (THACH_KHOI, "2024", "population") not in got
    # Thành Đông's four old units all went to it whole: population is their sum, not an estimate.
    dong = values(mcon, CURRENT, {THANH_DONG}, "2024")
    olds = [o.split("@")[0] for _, o, _ in _lineage(mcon, [THANH_DONG])]
    pop, est, _ = dong[(THANH_DONG, "2024", "population")]
    assert pop == sum(given[o]["population"] for o in olds) and not est


def test_a_new_units_own_report_wins_over_its_old_units(mcon):
    own = values(mcon, CURRENT, {VIET_HOA}, "2024")
    assert own[(VIET_HOA, "2024", "reception_visits")] == (400, False, None)
    assert own[(VIET_HOA, "2024", "population")] == (30000, False, None)
    # Entirely: an indicator its own report left blank stays blank (not its old units' value).
    assert (VIET_HOA, "2024", "petitions_received") not in own
    # Its old units' reports are still there as reported.
    old = values(mcon, REPORTED, {"10543@2025-06-30"}, "2024")
    assert old[("10543@2025-06-30", "2024", "reception_visits")][0] != 400
    # The provenance says the unit's own report was used: nothing attributed.
    assert versions.attribution(mcon, CURRENT, VIET_HOA, "2024", "reception_visits").empty


def test_2025_adds_the_halves_and_never_adds_them_to_a_full_year_report(merger_db, mcon):
    _, _, reports = merger_db
    h1 = sum(v["reception_visits"] for code, p, v, _ in reports if p == "2025-H1")
    year = values(mcon, CURRENT, {THACH_KHOI, NHI_CHIEU, YET_KIEU, THANH_DONG}, "2025")
    # Thạch Khôi: Jan–Jun by its four old units (Thống Nhất's part by weight) plus its own Jul–Dec.
    weights = {o: (1 if s == "full" else 0.75) for o, s in THACH_KHOI_OLD.items()}
    h1_attributed = sum(v["reception_visits"] * weights[code] for code, p, v, _ in reports if p == "2025-H1")
    value, estimated, _ = year[(THACH_KHOI, "2025", "reception_visits")]
    assert h1_attributed < h1 and math.isclose(value, h1_attributed + 7) and estimated
    # Stocks at the end of the year: the July–December report's.
    assert year[(THACH_KHOI, "2025", "population")][0] == 36000
    # Nhị Chiểu sent its own 2025 report: that one, nothing added.
    assert year[(NHI_CHIEU, "2025", "reception_visits")] == (50, False, None)
    # Yết Kiêu: of its three old units only Thống Nhất (a quarter of it) reported January–June:
    # an estimate, and said so.
    h1_thong_nhat = next(v["reception_visits"] for code, p, v, _ in reports
                         if p == "2025-H1" and code == "11008@2025-06-30")
    assert year[(YET_KIEU, "2025", "reception_visits")][0] == 0.25 * h1_thong_nhat + 9
    assert year[(YET_KIEU, "2025", "reception_visits")][1]
    # Thành Đông's old units sent no January–June report: no 2025 flow (never half a year as a
    # year), but its stocks at the end of the year.
    assert (THANH_DONG, "2025", "reception_visits") not in year
    assert year[(THANH_DONG, "2025", "population")] == (41000, False, None)
    # The year is offered on today's boundaries, not as reported (nobody reported it whole
    # except Nhị Chiểu).
    assert "2025" in set(reference.periods(mcon, True)["period_key"])
    # A trend of 2021–2025 for Thạch Khôi: 2024 and 2025, both estimates, on one series.
    t = trends.trend(mcon, Scope("2025"), "reception_visits", "year", [THACH_KHOI])
    mine = t[~t["is_median"]].set_index("period_key")
    assert mine.loc["2024", "estimated"] and mine.loc["2025", "estimated"]
    assert math.isclose(mine.loc["2025", "value"], h1_attributed + 7)


def test_provenance_lists_the_old_units_their_shares_and_files(merger_db, mcon):
    parts = versions.attribution(mcon, CURRENT, THACH_KHOI, "2024", "reception_visits")
    assert dict(zip(parts["unit_code"], parts["share"])) == THACH_KHOI_OLD
    assert parts["file_name"].str.contains("_2024.xlsx").all()
    assert math.isclose(parts["attributed"].sum(),
                        values(mcon, CURRENT, {THACH_KHOI}, "2024")[(THACH_KHOI, "2024", "reception_visits")][0])
    assert set(parts.loc[parts["share"] == "partial", "method"]) == {"population"}
    # 2025: the old units' January–June reports and the unit's own July–December one.
    parts = versions.attribution(mcon, CURRENT, THACH_KHOI, "2025", "reception_visits")
    assert set(parts["period_key"]) == {"2025-H1", "2025-H2"} and (parts["share"] == "own").sum() == 1


def test_as_reported_the_old_units_are_listed_with_their_old_district(mcon):
    rank = compare.ranking(mcon, REPORTED, "reception_visits")
    assert len(rank) == 375 and rank["code"].str.endswith("@2025-06-30").all()
    lien_hong = rank.set_index("code").loc["11005@2025-06-30"]
    assert lien_hong["name"] == "Liên Hồng (cũ, thành phố Hải Dương)"
    assert lien_hong["former_province"] == "Tỉnh Hải Dương" and not lien_hong["estimated"]
    # On today's boundaries: the 114 units, the attributed ones marked.
    today = compare.ranking(mcon, CURRENT, "reception_visits").set_index("code")
    assert len(today) == 114 and today.loc[THACH_KHOI, "estimated"] and not today.loc[VIET_HOA, "estimated"]


def test_completeness_expects_old_units_before_and_both_halves_across_the_merger(mcon):
    g = completeness.grid(mcon, ["2024", "2025", "2025-H1"], today=pd.Timestamp("2026-06-01").date())
    state = {(r.unit_code, r.period_key): (r.review, r.part_period_key) for r in g.itertuples()}
    sent = {(r.unit_code, r.period_key) for r in g.itertuples() if r.state in ("on_time", "late")}
    assert state[("11005@2025-06-30", "2024")][0] == "accepted"
    assert set(g.loc[g["unit_code"] == THACH_KHOI].set_index("period_key")["state"][["2024"]]) == {"not_applicable"}
    # 2025: an old unit by its January–June report, a new one by its own or its July–December one.
    assert state[("11005@2025-06-30", "2025")] == ("accepted", "2025-H1")
    assert g.set_index(["unit_code", "period_key"]).loc[("11041@2025-06-30", "2025"), "state"] == "missing"
    assert state[(THACH_KHOI, "2025")] == ("accepted", "2025-H2")
    assert state[(NHI_CHIEU, "2025")][0] == "accepted" and pd.isna(state[(NHI_CHIEU, "2025")][1])
    assert {("11005@2025-06-30", "2025"), (THACH_KHOI, "2025"), (NHI_CHIEU, "2025")} <= sent


def test_export_in_both_views_says_what_is_estimated(merger_db, tmp_path):
    path = merger_db[0]
    out = tmp_path / "today.csv"
    export.export_csv(path, out, scope=CURRENT)
    today = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    row = today[(today["unit_code"] == THACH_KHOI) & (today["period_end"] == "2024-12-31")
                & (today["indicator_code"] == "reception_visits")].iloc[0]
    assert row["estimated"] == "true" and row["from_units"].split(";") == sorted(THACH_KHOI_OLD)
    assert not today["unit_code"].str.contains("@").any()
    out = tmp_path / "reported.csv"
    export.export_csv(path, out, scope=REPORTED)
    reported = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert reported["unit_code"].str.contains("@2025-06-30").any()
    assert (reported["estimated"] == "false").all() and reported["from_units"].isna().all()


def test_briefing_findings_flag_estimates_and_say_which_view(merger_db):
    from etl.briefing import pack as briefing
    built = briefing.build_pack(merger_db[0], CURRENT, [THACH_KHOI, VIET_HOA], ["overview"])
    text = " ".join(f for item in built.items for f in item.findings)
    assert "Có phần ước tính" in text
    assert any(n.startswith("Theo địa giới hiện nay: số liệu của các đơn vị cũ") for n in built.notes)
    as_reported = briefing.build_pack(merger_db[0], REPORTED, ["11005@2025-06-30"], ["overview"])
    assert any(n.startswith("Như đã báo cáo") for n in as_reported.notes)
    assert "ước tính" not in " ".join(f for item in as_reported.items for f in item.findings)


def test_a_multi_year_summary_is_never_summed_with_years(mcon):
    assert values(mcon, CURRENT, {THACH_KHOI}, "2021-2025")[(THACH_KHOI, "2021-2025", "dialogues")][0] == 40
    t = trends.trend(mcon, Scope("2025"), "dialogues", "year", [THACH_KHOI])
    assert "2021-2025" not in set(t["period_key"])
    assert list(reference.multi_year_periods(mcon, Scope("2025"))["period_key"]) == ["2021-2025"]
    # Not a straddling period to add up from halves either.
    assert "2021-2025" not in reference.straddling_periods(mcon)


def test_a_split_stock_is_left_out_and_says_why(mcon):
    pop = compare.ranking(mcon, CURRENT, "population").set_index("code")
    # Thạch Khôi holds part of Xã Thống Nhất: its 2024 population is not guessed, and said so.
    assert pd.isna(pop.loc[THACH_KHOI, "metric"]) and pop.loc[THACH_KHOI, "blank_reason"] == "not_attributed"
    # Thành Đông's old units all went to it whole: their sum.
    assert pop.loc[THANH_DONG, "metric"] > 0 and not pop.loc[THANH_DONG, "estimated"]
    from etl.present.charts import BLANK_TEXT
    assert BLANK_TEXT["not_attributed"].startswith("Không ước tính")


def test_as_reported_grouped_by_old_district_and_province(mcon):
    groups = compare.by_old_district(mcon, REPORTED, "reception_visits")
    total = city.totals(mcon, REPORTED).set_index("code").loc["reception_visits", "value"]
    assert math.isclose(groups["value"].sum(), total)
    assert groups["units"].sum() == 375 and set(groups["former_province"]) == {
        "Tỉnh Hải Dương", "Thành phố Hải Phòng"}
    lien_hong_district = groups[groups["former_district"] == "Thành phố Hải Dương"].iloc[0]
    assert lien_hong_district["units_reported"] >= 3      # Thạch Khôi, Liên Hồng, Gia Xuyên at least
