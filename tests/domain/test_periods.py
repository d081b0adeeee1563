from datetime import date

import pytest

from etl.domain.periods import DECREE09, PeriodError, from_key, parse_period, same_period_last_year


@pytest.mark.parametrize("spec,start,end,kind,label", [
    ("2025", date(2025, 1, 1), date(2025, 12, 31), "year", "Năm 2025"),
    ("2025-H1", date(2025, 1, 1), date(2025, 6, 30), "half", "6 tháng đầu năm 2025"),
    ("2025-h2", date(2025, 7, 1), date(2025, 12, 31), "half", "6 tháng cuối năm 2025"),
    ("2025-Q3", date(2025, 7, 1), date(2025, 9, 30), "quarter", "Quý III/2025"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month", "Tháng 2/2024"),
    ("2016-2025", date(2016, 1, 1), date(2025, 12, 31), "multi_year", "Giai đoạn 2016–2025"),
    ("2025-07-01:2025-11-20", date(2025, 7, 1), date(2025, 11, 20), "range",
     "Từ 01/07/2025 đến 20/11/2025"),
])
def test_calendar_periods(spec, start, end, kind, label):
    p = parse_period(spec)
    assert (p.start, p.end, p.kind, p.label) == (start, end, kind, label)
    assert from_key(p.key) == p


@pytest.mark.parametrize("spec,start,end", [
    ("2025", date(2024, 12, 15), date(2025, 12, 14)),
    ("2025-H1", date(2024, 12, 15), date(2025, 6, 14)),
    ("2025-Q1", date(2024, 12, 15), date(2025, 3, 14)),
    ("2025-Q3", date(2025, 6, 15), date(2025, 9, 14)),
    ("2025-07", date(2025, 6, 15), date(2025, 7, 14)),
])
def test_decree09_cutoffs(spec, start, end):
    p = parse_period(spec, DECREE09)
    assert (p.start, p.end) == (start, end)
    assert p.key.endswith("/ND09") and "số liệu" in p.label
    assert from_key(p.key) == p


def test_range_days_show_partial_coverage():
    assert parse_period("2025-07-01:2025-11-20").days == 143
    assert parse_period("2024").days == 366


def test_same_period_last_year():
    assert same_period_last_year(parse_period("2025-Q3")).key == "2024-Q3"
    assert same_period_last_year(parse_period("2025", DECREE09)).key == "2024/ND09"
    assert same_period_last_year(parse_period("2024-02-01:2024-02-29")).end == date(2023, 2, 28)


@pytest.mark.parametrize("bad", ["2025-Q5", "2025-13", "abc", "2025-11-20:2025-07-01",
                                 "2025-02-30:2025-03-01", "2025-2021"])
def test_bad_periods_are_refused_in_vietnamese(bad):
    with pytest.raises(PeriodError) as exc:
        parse_period(bad)
    assert "kỳ" in str(exc.value).lower()
