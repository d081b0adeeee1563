"""Shared fixtures: a small dashboard warehouse loaded through the real template and loader.

Six units, years 2023–2025 and one quarter (2025-Q3):
- Cát Hải does not report 2025 (it did in 2023 and 2024);
- Lê Chân leaves mediation_cases blank in 2025 (blank = not reported);
- Hồng Bàng reports petitions_complaint = 0 and crowd_delegations = 0 in 2025 (0 = none), and
  0 dialogue opinions, so its opinion resolution rate is undefined (not "not reported");
- Việt Hòa leaves population blank in 2025 (per 10,000 residents uses its 2024 population);
- Ái Quốc never reports population (per 10,000 residents is unknown);
- Việt Hòa also reports the irregular period 01/07/2025–20/11/2025 (143 days).
- "Dân vận khéo" lists (sheet «Mô hình Dân vận khéo»): Thạch Khôi in 2024 and 2025 (the 2025 file
  writes « ngày thứ 7  cùng DÂN », the same model as 2024's «Ngày thứ 7 cùng dân»; «Camera an
  ninh» stops in 2025), Việt Hòa in 2025; counts agree with dvk_models_new/active.
- Assessment: Ái Quốc leaves criterion 10 blank in 2025 (no total: "chưa đủ 10 tiêu chí"); with
  SCORES_2025 the 2025 ratings are Tốt, Xuất sắc, —, Trung bình, Xuất sắc; 2024 all Tốt.
"""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

THACH_KHOI, VIET_HOA, AI_QUOC, HONG_BANG, LE_CHAN, CAT_HAI = (
    "11002", "10543", "10660", "11311", "11383", "11914")
FIXTURE_UNITS = [THACH_KHOI, VIET_HOA, AI_QUOC, HONG_BANG, LE_CHAN, CAT_HAI]
BASE_POPULATION = {THACH_KHOI: 34432, VIET_HOA: 30575, AI_QUOC: 28000, HONG_BANG: 52000,
                   LE_CHAN: 61000, CAT_HAI: 33000}
AREA = {THACH_KHOI: 19.94, VIET_HOA: 17.0, AI_QUOC: 21.5, HONG_BANG: 6.2, LE_CHAN: 5.9,
        CAT_HAI: 286.98}
SCORES_2025 = {THACH_KHOI: 8.0, VIET_HOA: 9.0, AI_QUOC: 7.0, HONG_BANG: 6.0, LE_CHAN: 9.5}
YEARS = ("2023", "2024", "2025")
QUARTER = "2025-Q3"
PARTIAL = "2025-07-01:2025-11-20"     # like the real report of a ward founded on 1 July 2025


def _people():
    from etl.workflow.accounts import User
    return (User("snv.kiemthu", "Chuyên viên kiểm thử", "department", None),
            User("vh.canbo", "Cán bộ Việt Hòa", "ward", VIET_HOA),
            User("snv.chuyenvien", "Chuyên viên Sở", "department", None),
            User("lanhdao", "Lãnh đạo", "leader", None))


# The fixture warehouse's accounts: every write checks its account in the database.
REVIEWER, WARD, DEPT, LEADER = PEOPLE = _people()


def add_account(db_file, user) -> str:
    """Create the account (random password, returned) unless it exists."""
    from etl.warehouse import db
    from etl.workflow import accounts
    with db.connect(db_file) as con:
        if any(u.username == user.username for u in accounts.list_users(con)):
            return ""
        return accounts.add_user(con, user.username, user.role, None, user.unit_code,
                                 user.full_name, actor="tests")


def session_for(db_file, user) -> str:
    """A real database session of the account (created if needed): what the browser's cookie
    carries. AppTest cannot send cookies, so tests put it in session_state (pages._auth)."""
    from etl.warehouse import db
    from etl.workflow import sessions
    add_account(db_file, user)
    with db.connect(db_file) as con, db.transaction(con):
        return sessions.open_session(con, user, "tests")


def _year_values(unit: str, year: str) -> dict:
    i = int(year) - 2023
    pop = round(BASE_POPULATION[unit] * (1 + 0.01 * i))
    k = BASE_POPULATION[unit] / 10000
    received_parts = (round(2 * k) + i, 2, 1)
    dialogues = round(k) + 1
    mediation = round(1.5 * k) + i
    visits = round(3 * k) + i
    score = SCORES_2025.get(unit, 8.0) if year == "2025" else 8.0
    v = {
        "population": pop, "area_km2": AREA[unit], "party_members": round(pop * 0.07),
        "party_cells": 40, "residential_groups": 30,
        "directive_docs": round(2 * k) + i, "propaganda_sessions": round(5 * k) + i,
        "propaganda_attendees": (round(5 * k) + i) * 60,
        "dialogues": dialogues, "dialogue_attendees": dialogues * 40,
        "dialogue_opinions": dialogues * 6, "dialogue_opinions_resolved": dialogues * 6 - 1,
        "reception_sessions_chair": 12, "reception_visits": visits, "reception_people": visits + 5,
        "crowd_delegations": 1,
        "petitions_feedback": received_parts[0], "petitions_complaint": received_parts[1],
        "petitions_denunciation": received_parts[2], "petitions_received": sum(received_parts),
        "petitions_resolved": sum(received_parts) - 1,
        "dvk_models_new": 2, "dvk_models_active": 5 + i, "dvk_models_recognized": 1,
        "mediation_cases": mediation, "mediation_successful": mediation - 1,
        "admin_procedures": 300, "staff_violations": 0,
    }
    v.update({f"dv_score_c{n:02d}": score for n in range(1, 11)})
    return v


def _quarter_values(unit: str) -> dict:
    k = BASE_POPULATION[unit] / 10000
    return {"directive_docs": round(k), "propaganda_sessions": round(2 * k),
            "mediation_cases": round(k), "mediation_successful": round(k) - 1,
            "reception_visits": round(k), "reception_people": round(k) + 2}


def fixture_values() -> dict[tuple[str, str], dict]:
    """{(unit_code, period_key): {indicator: value or None}} exactly as loaded."""
    out = {}
    for unit in FIXTURE_UNITS:
        for year in YEARS:
            if unit == CAT_HAI and year == "2025":
                continue
            out[(unit, year)] = _year_values(unit, year)
    out[(LE_CHAN, "2025")]["mediation_cases"] = None
    out[(HONG_BANG, "2025")]["petitions_complaint"] = 0
    out[(HONG_BANG, "2025")]["petitions_received"] -= 2
    out[(HONG_BANG, "2025")]["petitions_resolved"] -= 2
    out[(HONG_BANG, "2025")]["crowd_delegations"] = 0
    out[(HONG_BANG, "2025")]["dialogue_opinions"] = 0           # a rate over 0: undefined
    out[(HONG_BANG, "2025")]["dialogue_opinions_resolved"] = 0
    out[(VIET_HOA, "2025")]["population"] = None
    out[(AI_QUOC, "2025")]["dv_score_c10"] = None
    for year in YEARS:
        if (AI_QUOC, year) in out:
            out[(AI_QUOC, year)]["population"] = None
    for unit in (THACH_KHOI, VIET_HOA, HONG_BANG):
        out[(unit, QUARTER)] = _quarter_values(unit)
    out[(VIET_HOA, PARTIAL)] = {"population": 30575, "area_km2": 17.0, "party_members": 2370,
                                "party_cells": 49, "mediation_cases": 35,
                                "mediation_successful": 34}
    return out


_TK_MODELS = [  # (name, field, lead organisation, year started, recognition)
    ("Ngày thứ 7 cùng dân", "Xây dựng Đảng, chính quyền", "Ủy ban nhân dân phường", 2020, "Cấp xã"),
    ("5 không 3 sạch", "Đô thị văn minh", "Hội Liên hiệp Phụ nữ phường", 2021, "Cấp thành phố"),
    ("Khu dân cư tự quản", "Văn hóa – xã hội", "Ban công tác Mặt trận", 2022, None),
    ("Camera an ninh", "Quốc phòng, an ninh", "Công an phường", 2023, "Cấp xã"),
    ("Bếp ăn nhân ái", "An sinh xã hội", "Hội Chữ thập đỏ", 2024, None),
    ("Hiến đất, vật kiến trúc mở ngõ thành đường", "Giải phóng mặt bằng", "Ủy ban nhân dân phường",
     2024, "Cấp xã"),
    ("Giáo xứ bình yên", "Tôn giáo, dân tộc", "Ban công tác Mặt trận", 2025, None),
    ("Liên kết sản xuất rau an toàn", "Kinh tế", "Hội Nông dân phường", 2025, None),
]


def _model_row(m, status="Đang duy trì", name=None) -> dict:
    return {"name": name or m[0], "field": m[1], "lead_org": m[2], "year_started": m[3],
            "recognition": m[4], "status": status}


def fixture_models() -> dict[tuple[str, str], list[dict]]:
    """{(unit_code, period_key): rows of the models sheet} exactly as typed."""
    tk = _TK_MODELS
    return {
        (THACH_KHOI, "2024"): [_model_row(m) for m in tk[:6]],
        (THACH_KHOI, "2025"): ([_model_row(tk[0], "đang duy trì", name=" ngày thứ 7  cùng DÂN ")]
                               + [_model_row(m) for m in tk[1:3]]
                               + [_model_row(tk[3], "Đã dừng")]
                               + [_model_row(m) for m in tk[4:]]),
        (VIET_HOA, "2025"): [_model_row(m) for m in tk[:5]] + [
            _model_row(("Ngõ xanh – sạch – đẹp", "Đô thị văn minh", "Đoàn Thanh niên", 2025, None)),
            _model_row(("Mái ấm tình thương", "An sinh xã hội", "Ủy ban Mặt trận", 2025, None))],
    }


def build_dashboard_db(db_file: Path, work: Path) -> Path:
    """init_db, then every fixture report as a filled template through the real loader."""
    from etl.intake.loader import load_files
    from etl.warehouse.reference import init_db
    from etl.workflow.submissions import ACCEPT, review
    from tests.workbooks import fill_models, fill_values, make_template

    init_db(db_file)
    for person in PEOPLE:
        add_account(db_file, person)
    paths = []
    models = fixture_models()
    for (unit, period), values in fixture_values().items():
        name = f"{unit}_{period.replace(':', '_')}.xlsx"
        template = make_template(db_file, unit, period, work / f"t_{name}")
        paths.append(fill_values(template, values, work / name))
        if (unit, period) in models:
            fill_models(paths[-1], models[(unit, period)], paths[-1])
    results = load_files(db_file, paths)
    refused = [(r.file, r.status, r.message, [f.message for f in r.findings])
               for r in results if r.status != "loaded"]
    assert not refused, f"fixture workbooks not loaded: {refused}"
    # Dashboards show accepted reports by default: the department accepts every fixture report.
    for r in results:
        review(db_file, r.submission_id, ACCEPT, "", REVIEWER)
    return db_file


@pytest.fixture(scope="session")
def dashboard_db(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("dashboard")
    return build_dashboard_db(work / "dashboard.duckdb", work)


@pytest.fixture()
def con(dashboard_db):
    from etl.warehouse import db

    with db.connect(dashboard_db, read_only=True) as c:
        yield c


@pytest.fixture()
def use_db(monkeypatch):
    def use(path):
        monkeypatch.setenv("DANVAN_DB", str(path))
        monkeypatch.setenv("DANVAN_READ_TIMEOUT", "0.5")
        # These pages are tested as an anonymous visitor of a read-only deployment; sign-in and
        # roles: tests/pages/test_pages_submissions.py.
        monkeypatch.setenv("DANVAN_ANONYMOUS_READ", "1")
        return path
    return use


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster (tests/postgres.py) for the tests of server mode; CI
    (DANVAN_REQUIRE_POSTGRES=1) fails where it is missing instead of skipping."""
    import os

    from tests import postgres
    if not postgres.available():
        if os.environ.get("DANVAN_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL 15 (Debian postgresql) is required here")
        pytest.skip("PostgreSQL 15 (Debian postgresql) is not installed")
    cluster = postgres.Cluster()
    yield cluster
    from etl.warehouse import follower
    from etl.warehouse import postgres as pg
    follower.forget_all()
    pg.close_pools()
    cluster.stop()


@pytest.fixture(params=["duckdb", "postgresql"])
def backend_db(request, tmp_path):
    """An empty database on each backend: a DuckDB file's path (embedded mode) or a fresh
    PostgreSQL database's URL (server mode)."""
    if request.param == "duckdb":
        return tmp_path / "backend.duckdb"
    return request.getfixturevalue("pg_cluster").new_database()


@pytest.fixture(scope="session")
def pg_dashboard_db(pg_cluster, tmp_path_factory) -> str:
    """The dashboard fixture (build_dashboard_db) on PostgreSQL."""
    return build_dashboard_db(pg_cluster.new_database(), tmp_path_factory.mktemp("pg-dashboard"))
