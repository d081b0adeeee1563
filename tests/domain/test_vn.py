import math

import pytest

from etl.domain import vn


def test_fold_ignores_diacritics_and_case():
    assert vn.fold("Thạch Khôi") == "thach khoi"
    assert vn.fold("  Đặc khu  Bạch Long Vĩ ") == "dac khu bach long vi"
    # Decomposed input (as some keyboards produce) folds the same way.
    assert vn.fold("Vie\u0323\u0302t Ho\u0300a") == "viet hoa"


def test_vietnamese_sort_order():
    names = ["Yên Thế", "Đông Hải", "Dương Kinh", "Ân Thi", "An Lão", "Ái Quốc", "Bạch Long Vĩ", "Ăn"]
    assert sorted(names, key=vn.sort_key) == [
        "Ái Quốc", "An Lão", "Ăn", "Ân Thi", "Bạch Long Vĩ", "Dương Kinh", "Đông Hải", "Yên Thế"]


@pytest.mark.parametrize("value,decimals,text", [
    (1020, None, "1.020"), (30575, None, "30.575"), (19.94, None, "19,94"),
    (1234567.5, 1, "1.234.567,5"), (0, None, "0"), (17.0, 2, "17"),
])
def test_format_number_vi_vn(value, decimals, text):
    assert vn.format_number(value, decimals) == text


def test_blank_is_not_zero():
    assert vn.format_number(None) == "Chưa báo cáo"
    assert vn.format_number(math.nan) == "Chưa báo cáo"
    assert vn.format_percent(0.97) == "97%"
    assert vn.format_percent(0.125) == "12,5%"


@pytest.mark.parametrize("text,value", [("1.020", 1020), ("19,94", 19.94), ("1.234.567", 1234567),
                                        (" 42 ", 42), ("-3", -3), ("1.020,5", 1020.5)])
def test_parse_vn_number(text, value):
    assert vn.parse_vn_number(text) == value


@pytest.mark.parametrize("text", ["12.5", "1,020,000", "không", "", "1.02", "3 người"])
def test_parse_vn_number_refuses_other_forms(text):
    with pytest.raises(ValueError):
        vn.parse_vn_number(text)
