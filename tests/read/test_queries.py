"""Dashboard queries against the fixture warehouse (real template + loader): real outcomes."""
import math
import statistics

import pandas as pd
import pytest

from etl.read import city, compare, profile, reference, trends
from etl.read.scope import Scope
from tests.conftest import (
    AI_QUOC,
    CAT_HAI,
    HONG_BANG,
    LE_CHAN,
    PARTIAL,
    QUARTER,
    THACH_KHOI,
    VIET_HOA,
    fixture_values,
)

VALUES = fixture_values()


def reported(period: str, code: str) -> dict[str, float]:
    """{unit: value} of the fixture for units that filled the indicator in."""
    return {u: v[code] for (u, p), v in VALUES.items() if p == period and v.get(code) is not None}


def by_code(df: pd.DataFrame, key: str = "code") -> dict:
    return {r[key]: r for r in df.to_dict("records")}


def test_periods_list_counts_units_and_shows_partial_coverage(con):
    ps = by_code(reference.periods(con), "period_key")
    assert set(ps) == {"2023", "2024", "2025", QUARTER, PARTIAL}
    assert ps["2025"]["units_reported"] == 5 and ps["2024"]["units_reported"] == 6
    assert ps[QUARTER]["units_reported"] == 3 and ps[QUARTER]["kind"] == "quarter"
    assert ps[PARTIAL]["kind"] == "range" and ps[PARTIAL]["days"] == 143
    assert ps[PARTIAL]["display"] == "Từ 01/07/2025 đến 20/11/2025 (143 ngày)"
    assert ps["2025"]["display"] == "Năm 2025"
    assert list(reference.periods(con)["period_key"])[0] == "2025"   # newest first


def test_catalogue_has_indicators_and_rates_in_their_groups(con):
    cat = by_code(reference.catalogue(con))
    assert len(cat) == 38 + 3
    rate = cat["mediation_success_rate"]
    assert rate["kind"] == "rate" and rate["group_name"] == "Hòa giải ở cơ sở"
    assert (rate["numerator"], rate["denominator"]) == ("mediation_successful", "mediation_cases")
    assert cat["population"]["kind"] == "stock" and cat["dv_score_c01"]["kind"] == "score"


def test_units_in_vietnamese_order_with_folded_names(con):
    units = reference.units(con)
    assert len(units) == 114
    assert units["name"].iloc[0] == "Ái Quốc"          # Ái sorts with A, before An
    row = units[units["code"] == THACH_KHOI].iloc[0]
    assert row["name_folded"] == "thach khoi" and row["type_label"] == "Phường"


def test_city_totals_sum_flows_over_reporting_units_against_cung_ky(con):
    totals = by_code(city.totals(con, Scope('2025')))
    now, before = reported("2025", "propaganda_sessions"), reported("2024", "propaganda_sessions")
    row = totals["propaganda_sessions"]
    assert row["value"] == sum(now.values()) and row["units_reported"] == 5
    assert row["prev_period_key"] == "2024"
    assert row["prev_value"] == sum(before.values()) and row["prev_units_reported"] == 6
    assert row["change"] == sum(now.values()) - sum(before.values())
    assert row["change_pct"] == pytest.approx(row["change"] / row["prev_value"])


def test_city_totals_blank_is_not_counted_and_zero_is(con):
    totals = by_code(city.totals(con, Scope('2025')))
    cases = totals["mediation_cases"]                      # Lê Chân left it blank
    assert cases["units_reported"] == 4
    assert cases["value"] == sum(reported("2025", "mediation_cases").values())
    complaint = totals["petitions_complaint"]              # Hồng Bàng reported 0
    assert complaint["units_reported"] == 5
    assert reported("2025", "petitions_complaint")[HONG_BANG] == 0
    assert totals["staff_violations"]["value"] == 0 and totals["staff_violations"]["units_reported"] == 5


def test_city_rate_comes_from_summed_parts_of_units_with_both_parts(con):
    rate = by_code(city.totals(con, Scope('2025')))["mediation_success_rate"]
    cases = reported("2025", "mediation_cases")
    ok = {u: v for u, v in reported("2025", "mediation_successful").items() if u in cases}
    assert rate["value"] == pytest.approx(sum(ok.values()) / sum(cases.values()))
    assert rate["units_reported"] == 4
    mean_of_rates = statistics.mean(ok[u] / cases[u] for u in cases)
    assert rate["value"] != pytest.approx(mean_of_rates, abs=1e-9)


def test_city_scores_take_the_median(con):
    score = by_code(city.totals(con, Scope('2025')))["dv_score_c01"]
    assert score["value"] == statistics.median([8.0, 9.0, 7.0, 6.0, 9.5]) == 8.0
    assert score["prev_value"] == 8.0


def test_city_totals_without_cung_ky_leave_change_unknown(con):
    row = by_code(city.totals(con, Scope(QUARTER)))["directive_docs"]
    assert row["prev_period_key"] == "2024-Q3"
    assert math.isnan(row["prev_value"]) and row["prev_units_reported"] == 0
    assert math.isnan(row["change"]) and math.isnan(row["change_pct"])
    assert row["value"] == sum(reported(QUARTER, "directive_docs").values())


def test_missing_units_lists_expected_units_without_report(con):
    missing = city.missing_units(con, Scope('2025'))
    assert CAT_HAI in set(missing["code"]) and THACH_KHOI not in set(missing["code"])
    assert len(missing) == 114 - 5
    assert len(city.missing_units(con, Scope('2024'))) == 114 - 6


def test_ranking_keeps_every_unit_and_blanks_are_null_not_zero(con):
    rank = compare.ranking(con, Scope('2025'), 'propaganda_sessions')
    assert len(rank) == 114
    values = reported("2025", "propaganda_sessions")
    top = rank.iloc[0]
    assert top["code"] == max(values, key=values.get) and top["rank"] == 1
    assert top["metric"] == max(values.values())
    cat_hai = rank[rank["code"] == CAT_HAI].iloc[0]
    assert not cat_hai["reported"] and pd.isna(cat_hai["value"]) and pd.isna(cat_hai["rank"])
    assert (rank["n_ranked"] == 5).all()
    assert rank["metric"].notna().sum() == 5
    assert list(rank["metric"].dropna()) == sorted(values.values(), reverse=True)


def test_ranking_blank_indicator_and_zero(con):
    cases = compare.ranking(con, Scope('2025'), 'mediation_cases').set_index("code")
    assert pd.isna(cases.loc[LE_CHAN, "value"]) and not cases.loc[LE_CHAN, "reported"]
    complaint = compare.ranking(con, Scope('2025'), 'petitions_complaint').set_index("code")
    assert complaint.loc[HONG_BANG, "value"] == 0 and complaint.loc[HONG_BANG, "reported"]
    assert complaint.loc[HONG_BANG, "rank"] == 5       # 0 is a value: ranked last, not dropped


def test_ranking_per_10000_residents_uses_latest_known_population(con):
    rank = compare.ranking(con, Scope('2025'), 'propaganda_sessions', per_capita=True).set_index("code")
    tk = VALUES[(THACH_KHOI, "2025")]
    assert rank.loc[THACH_KHOI, "population"] == tk["population"]
    assert rank.loc[THACH_KHOI, "metric"] == pytest.approx(
        tk["propaganda_sessions"] * 10000 / tk["population"])
    # Việt Hòa left population blank in 2025: the latest earlier report is the irregular period
    # ending 20/11/2025; for Q3/2025 (ending 30/09) it is the 2024 report.
    vh = VALUES[(VIET_HOA, "2025")]
    assert rank.loc[VIET_HOA, "population"] == VALUES[(VIET_HOA, PARTIAL)]["population"]
    assert rank.loc[VIET_HOA, "metric"] == pytest.approx(
        vh["propaganda_sessions"] * 10000 / VALUES[(VIET_HOA, PARTIAL)]["population"])
    q3 = compare.ranking(con, Scope(QUARTER), 'directive_docs', per_capita=True).set_index("code")
    assert q3.loc[VIET_HOA, "population"] == VALUES[(VIET_HOA, "2024")]["population"]
    assert not q3.loc[CAT_HAI, "reported"] and pd.isna(q3.loc[CAT_HAI, "metric"])
    # Ái Quốc never reported a population: reported, but per capita unknown and unranked.
    assert rank.loc[AI_QUOC, "reported"] and pd.isna(rank.loc[AI_QUOC, "metric"])
    assert pd.isna(rank.loc[AI_QUOC, "rank"]) and rank.loc[THACH_KHOI, "n_ranked"] == 4
    assert rank["per_capita"].all()


def test_ranking_does_not_divide_rates_scores_or_population(con):
    for code in ("mediation_success_rate", "dv_score_c01", "population"):
        rank = compare.ranking(con, Scope('2025'), code, per_capita=True)
        assert not rank["per_capita"].any()
        assert rank["metric"].equals(rank["value"])
    rate = compare.ranking(con, Scope('2025'), 'mediation_success_rate').set_index("code")
    tk = VALUES[(THACH_KHOI, "2025")]
    assert rate.loc[THACH_KHOI, "value"] == pytest.approx(
        tk["mediation_successful"] / tk["mediation_cases"])
    assert pd.isna(rate.loc[LE_CHAN, "value"])          # no denominator: no rate


def test_blank_reason_tells_not_reported_from_undefined(con):
    rate = compare.ranking(con, Scope('2025'), 'opinion_resolution_rate').set_index("code")
    assert rate.loc[HONG_BANG, "reported"] and pd.isna(rate.loc[HONG_BANG, "metric"])
    assert rate.loc[HONG_BANG, "blank_reason"] == "undefined"
    assert rate.loc[CAT_HAI, "blank_reason"] == "not_reported"
    assert pd.isna(rate.loc[THACH_KHOI, "blank_reason"])
    pc = compare.ranking(con, Scope('2025'), 'dialogues', per_capita=True).set_index("code")
    assert pc.loc[AI_QUOC, "blank_reason"] == "no_population"
    total = by_code(city.totals(con, Scope('2025')))["opinion_resolution_rate"]
    resolved = reported("2025", "dialogue_opinions_resolved")
    assert total["value"] == pytest.approx(
        sum(resolved.values()) / sum(reported("2025", "dialogue_opinions").values()))


def test_queries_bind_parameters_never_splice_them(con):
    rank = compare.ranking(con, Scope('2025'), "x' OR 1=1 --")
    assert len(rank) == 0 or rank["metric"].isna().all()
    assert city.missing_units(con, Scope("2025' OR '1'='1")).empty


def test_matrix_has_every_unit_and_indicator_of_the_group(con):
    grid = compare.matrix(con, Scope('2025'), 'Hòa giải ở cơ sở')
    assert set(grid["indicator_code"]) == {"mediation_cases", "mediation_successful",
                                           "mediation_success_rate"}
    assert len(grid) == 114 * 3
    cell = grid[(grid["code"] == LE_CHAN) & (grid["indicator_code"] == "mediation_cases")].iloc[0]
    assert pd.isna(cell["metric"]) and pd.isna(cell["pct_rank"])
    ranked = grid[grid["indicator_code"] == "mediation_cases"]["pct_rank"].dropna()
    assert ranked.min() == 0 and ranked.max() == 1 and len(ranked) == 4


def test_trend_is_one_period_kind_with_city_median(con):
    series = trends.trend(con, Scope(), 'propaganda_sessions', 'year', [THACH_KHOI, CAT_HAI])
    units = series[~series["is_median"]]
    assert set(series["period_key"]) == {"2023", "2024", "2025"}    # no quarter, no range
    tk = units[units["unit_code"] == THACH_KHOI].set_index("period_key")["value"]
    assert tk.to_dict() == {y: VALUES[(THACH_KHOI, y)]["propaganda_sessions"]
                            for y in ("2023", "2024", "2025")}
    ch = units[units["unit_code"] == CAT_HAI].set_index("period_key")["value"]
    assert pd.isna(ch["2025"]) and ch["2024"] == VALUES[(CAT_HAI, "2024")]["propaganda_sessions"]
    median = series[series["is_median"]].set_index("period_key")
    for year in ("2023", "2024", "2025"):
        values = reported(year, "propaganda_sessions").values()
        assert median.loc[year, "value"] == statistics.median(values)
        assert median.loc[year, "units_reported"] == len(values)
    assert median["series"].iloc[0] == trends.MEDIAN_LABEL


def test_trend_quarters_only_and_without_units(con):
    series = trends.trend(con, Scope(), 'directive_docs', 'quarter')
    assert list(series["period_key"]) == [QUARTER] and series["is_median"].all()


def test_trend_per_capita(con):
    series = trends.trend(con, Scope(), 'propaganda_sessions', 'year', [VIET_HOA], per_capita=True)
    vh = series[~series["is_median"]].set_index("period_key")["value"]
    assert vh["2025"] == pytest.approx(VALUES[(VIET_HOA, "2025")]["propaganda_sessions"] * 10000
                                       / VALUES[(VIET_HOA, PARTIAL)]["population"])
    assert vh["2024"] == pytest.approx(VALUES[(VIET_HOA, "2024")]["propaganda_sessions"] * 10000
                                       / VALUES[(VIET_HOA, "2024")]["population"])


def test_unit_profile_latest_stocks_and_history(con):
    stocks = profile.unit_latest_stocks(con, Scope(), VIET_HOA).set_index("code")
    # The irregular period ends 20/11/2025, after the 2024 report: its population is the latest.
    assert stocks.loc["population", "value"] == 30575
    assert stocks.loc["population", "period_label"] == "Từ 01/07/2025 đến 20/11/2025"
    assert stocks.loc["area_km2", "value"] == 17.0
    history = profile.unit_history(con, Scope(), LE_CHAN)
    cases = history[history["code"] == "mediation_cases"]
    assert set(cases["period_key"]) == {"2023", "2024"}           # blank in 2025: no row
    rates = history[history["code"] == "mediation_success_rate"]
    assert set(rates["period_key"]) == {"2023", "2024"}
    assert set(profile.unit_history(con, Scope(), LE_CHAN, 'quarter')["period_kind"]) <= {"quarter"}
    info = reference.unit_info(con, THACH_KHOI)
    assert info["name"] == "Thạch Khôi" and info["n_predecessors"] > 0


def test_unit_ranks_match_the_ranking(con):
    ranks = profile.unit_ranks(con, Scope('2025'), THACH_KHOI).set_index("code")
    rank = compare.ranking(con, Scope('2025'), 'propaganda_sessions').set_index("code")
    assert ranks.loc["propaganda_sessions", "rank"] == rank.loc[THACH_KHOI, "rank"]
    assert ranks.loc["propaganda_sessions", "n_ranked"] == 5
    assert ranks.loc["propaganda_sessions", "median_metric"] == statistics.median(
        reported("2025", "propaganda_sessions").values())
    missing = profile.unit_ranks(con, Scope('2025'), CAT_HAI)
    assert not missing["reported"].any() and missing["rank"].isna().all()
    # Every indicator and rate has its row, also those no unit reported; ranks agree everywhere.
    assert list(ranks.index) == list(reference.catalogue(con)["code"])
    for per_capita in (False, True):
        mine = profile.unit_ranks(con, Scope('2025'), THACH_KHOI, per_capita).set_index("code")
        for code in mine.index:
            every = compare.ranking(con, Scope('2025'), code, per_capita).set_index("code")
            assert pd.isna(mine.loc[code, "metric"]) == pd.isna(every.loc[THACH_KHOI, "metric"])
            if pd.notna(mine.loc[code, "metric"]):
                assert mine.loc[code, "metric"] == pytest.approx(every.loc[THACH_KHOI, "metric"])
                assert mine.loc[code, "rank"] == every.loc[THACH_KHOI, "rank"], code
            assert mine.loc[code, "n_ranked"] == every["n_ranked"].iloc[0], code


def test_dataset_info(con):
    info = reference.dataset_info(con)
    assert info["submissions"] == len(VALUES) and info["units"] == 6
    assert info["demo"] is False and info["last_loaded"] is not None


def test_trend_of_an_irregular_range_keeps_only_the_same_dates_each_year(tmp_path):
    from etl.intake.loader import load_files
    from etl.warehouse import db
    from etl.warehouse.reference import init_db
    from tests.workbooks import fill_values, make_template

    path = tmp_path / "ranges.duckdb"
    init_db(path)
    files = []
    for spec, visits in (("2024-07-01:2024-11-20", 30), ("2025-07-01:2025-11-20", 42),
                         ("2025-07-01:2025-09-30", 99)):
        t = make_template(path, "10543", spec, tmp_path / f"t{visits}.xlsx")
        files.append(fill_values(t, {"reception_visits": visits, "reception_people": visits + 10},
                                 tmp_path / f"f{visits}.xlsx"))
    assert all(r.ok for r in load_files(path, files))
    with db.connect(path, read_only=True) as con:
        # Loaded, not yet reviewed: shown with include_unreviewed (tests/workflow/test_submissions.py).
        scope = Scope('2025-07-01:2025-11-20', include_unreviewed=True)
        series = trends.trend(con, scope, 'reception_visits', 'range', ('10543',))
    unit = series[~series["is_median"]].sort_values("end_date")
    assert list(unit["period_key"]) == ["2024-07-01:2024-11-20", "2025-07-01:2025-11-20"]
    assert list(unit["value"]) == [30, 42]
