"""The national bench data (etl.synthetic.national): the real national registry, synthetic reports
of its current units only, clearly marked as demo data."""
import pytest

from etl.read import city, compare, reference
from etl.read.scope import REPORTED, Scope
from etl.warehouse import db

N_UNITS = 40


def _q(path, sql, params=None):
    with db.connect(path, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def national_db(tmp_path_factory):
    from etl.synthetic import national
    path = tmp_path_factory.mktemp("national") / "n.duckdb"
    counts = national.generate(path, n_units=N_UNITS, n_years=1, say=lambda _m: None)
    return path, counts


def test_the_whole_real_registry_is_loaded(national_db):
    path, counts = national_db
    assert (counts["current_units"], counts["old_units"], counts["unit_lineage"]) == (3321, 10052, 10604)
    assert _q(path, "SELECT name FROM provinces WHERE code IN ('01', '31') ORDER BY code") == [
        ("Thành phố Hà Nội",), ("Thành phố Hải Phòng",)]
    assert _q(path, "SELECT count(*) FROM provinces")[0][0] == 34
    # No synthetic registry left: no "Mẫu NN" province, no M01 codes.
    assert _q(path, "SELECT count(*) FROM provinces WHERE code LIKE 'M%' OR name LIKE '%Mẫu%'") == [(0,)]
    assert _q(path, "SELECT count(*) FROM units WHERE province_code LIKE 'M%'") == [(0,)]


def test_only_current_units_report_every_province_first(national_db):
    path, counts = national_db
    assert counts["units"] == N_UNITS and counts["reporting_provinces"] == 34
    assert _q(path, "SELECT count(*) FROM submissions s JOIN units u ON u.code = s.unit_code "
                    "WHERE u.valid_to IS NOT NULL") == [(0,)]
    # Every province's first current unit in code order, then the next ones in code order.
    firsts = {c for (c,) in _q(path, "SELECT min(code) FROM units WHERE valid_to IS NULL "
                                     "GROUP BY province_code")}
    reporting = {c for (c,) in _q(path, "SELECT DISTINCT unit_code FROM submissions")}
    assert firsts <= reporting
    rest = sorted(reporting - firsts)
    others = [c for (c,) in _q(path, "SELECT code FROM units WHERE valid_to IS NULL ORDER BY code")
              if c not in firsts]
    assert rest == others[:N_UNITS - 34]


def test_the_data_stay_marked_as_synthetic(national_db):
    path, _counts = national_db
    assert _q(path, "SELECT DISTINCT source, status, sent_by FROM submissions") == [
        ("demo", "accepted", "Dữ liệu mẫu")]
    [(file_name,)] = _q(path, "SELECT DISTINCT file_name FROM submissions")
    assert "DỮ LIỆU MẪU" in file_name
    assert _q(path, "SELECT value FROM meta WHERE key = 'demo'") == [("true",)]
    with db.connect(path, read_only=True) as con:
        assert reference.dataset_info(con)["demo"]


def test_fewer_units_than_provinces_take_the_first_units_of_as_many_provinces(tmp_path):
    from etl.synthetic import national
    counts = national.generate(tmp_path / "few.duckdb", n_units=5, n_years=1, say=lambda _m: None)
    assert (counts["units"], counts["reporting_provinces"], counts["current_units"]) == (5, 5, 3321)


def test_no_old_unit_reports_so_both_boundaries_rank_alike(national_db):
    path, _counts = national_db
    with db.connect(path, read_only=True) as con:
        today = Scope("2025")
        reported = Scope("2025", boundaries=REPORTED)
        a = compare.ranking(con, today, "propaganda_sessions")
        b = compare.ranking(con, reported, "propaganda_sessions")
        assert len(a) == 3321                      # every current unit is ranked (or listed blank)
        assert a["metric"].notna().sum() == N_UNITS
        assert (dict(zip(a["code"], a["metric"].fillna(-1)))
                == dict(zip(b["code"], b["metric"].fillna(-1))))
        assert city.coverage(con, today) == {"expected": 3321, "reported": N_UNITS}
        assert city.coverage(con, reported)["reported"] == N_UNITS
