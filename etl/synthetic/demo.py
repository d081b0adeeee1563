"""Synthetic demo history for all units, so the dashboard has something to show before real reports.

Every flow is drawn day by day per unit (Poisson counts scaled by the unit's population), and each
period's value is a sum over its days. So months add up to quarters and quarters to years, any
irregular range works the same way, and the error rules hold by construction: totals are sums of
their parts, "successful" and "resolved" are binomial draws out of their totals, people = visits
plus extra people. Stocks are read at the period's last day. Everything is marked source='demo'.
"""
import time
from datetime import date, datetime, timedelta

import numpy as np
import pyarrow as pa

from etl.domain import dvk, layout, vn
from etl.domain.periods import parse_period
from etl.warehouse import db
from etl.warehouse.store import ensure_period

DEMO_FILE_NAME = "DỮ LIỆU MẪU (tổng hợp, không phải số liệu thật)"
DEMO_SENT_BY = "Dữ liệu mẫu"
DEMO_RETURN_COMMENT = ("Dữ liệu mẫu: số đơn thư đã giải quyết chưa khớp với sổ theo dõi, "
                       "đề nghị đơn vị kiểm tra và gửi lại.")
FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2025, 12, 31)
DEADLINE_DAYS = 15            # the department's deadline: 15 days after the period ends
RANGE_SPEC = "2025-07-01:2025-11-20"
# Profiles from the real reports in DOMAIN.md (people, km², party members, party cells), so the demo
# looks familiar; Thạch Khôi's party figures are not in the brief and are made up.
KNOWN_PROFILES = {"10543": (30_575, 17.0, 2_370, 49), "11002": (34_432, 19.94, 2_500, 52)}
SCORES = [f"dv_score_c{i:02d}" for i in range(1, 11)]
# Model names by field for the demo lists (a unit with more models than names gets numbered ones).
MODEL_POOL = {
    "Kinh tế": ["Liên kết sản xuất lúa hữu cơ", "Chi hội nông dân giúp nhau phát triển kinh tế",
                "Tổ hợp tác nuôi trồng thủy sản", "Hỗ trợ hộ nghèo vay vốn làm ăn",
                "Phát triển sản phẩm OCOP"],
    "Giải phóng mặt bằng": ["Hiến đất, vật kiến trúc mở ngõ thành đường",
                            "Vận động giải phóng mặt bằng dự án đường ven biển",
                            "Đối thoại với hộ dân vùng dự án", "Mỗi hộ một mét đất làm đường"],
    "Đô thị văn minh": ["5 không 3 sạch", "Tuyến phố văn minh", "Ngõ xanh – sạch – đẹp",
                        "Phân loại rác thải tại nguồn", "Thắp sáng đường quê"],
    "Xây dựng Đảng, chính quyền": ["Ngày thứ 7 cùng dân", "Lắng nghe ý kiến Nhân dân qua Zalo",
                                   "Bí thư chi bộ đối thoại với dân",
                                   "Chính quyền thân thiện, phục vụ Nhân dân"],
    "Quốc phòng, an ninh": ["Khu dân cư an toàn về an ninh trật tự", "Camera an ninh tổ dân phố",
                            "Tiếng kẻng an ninh", "Ngư dân bám biển giữ chủ quyền"],
    "Tôn giáo, dân tộc": ["Giáo xứ bình yên", "Chức sắc tôn giáo đồng hành cùng chính quyền",
                          "Đoàn kết lương – giáo"],
    "Văn hóa – xã hội": ["Khu dân cư tự quản", "Gia đình văn hóa tiêu biểu", "Tủ sách cộng đồng",
                         "Câu lạc bộ dưỡng sinh người cao tuổi"],
    "An sinh xã hội": ["Mái ấm tình thương", "Bếp ăn nhân ái", "Nhận đỡ đầu trẻ em mồ côi",
                       "Heo đất tiết kiệm giúp hội viên nghèo"],
}
LEAD_ORGS = ["Ủy ban Mặt trận Tổ quốc Việt Nam {t}", "Hội Liên hiệp Phụ nữ {t}",
             "Hội Cựu chiến binh {t}", "Đoàn Thanh niên {t}", "Hội Nông dân {t}", "Công an {t}",
             "Ban Chỉ huy quân sự {t}", "Ủy ban nhân dân {t}", "Chi bộ và Ban công tác Mặt trận khu dân cư"]
RECOGNITION = (["Chưa công nhận", "Cấp xã", "Cấp thành phố", "Cấp Trung ương"], [0.3, 0.52, 0.15, 0.03])
PROFILE_RARE = ("area_km2", "party_cells", "residential_groups", "admin_procedures",
                "dvk_models_active")  # often left out of short (monthly/quarterly) reports


def _period_specs():
    specs = [(str(y), "year") for y in range(2021, 2026)]
    specs += [(f"{y}-Q{q}", "quarter") for y in (2024, 2025) for q in range(1, 5)]
    specs += [(f"2025-{m:02d}", "month") for m in range(1, 13)]
    specs.append((RANGE_SPEC, "range"))
    return specs


def _daily_flows(rng, units: list[str], n_days: int, years_elapsed):
    """Per-unit profile and a dict of U×D daily count arrays (plus stock helpers)."""
    U = len(units)
    # Capped so that five years of growth stay within 8.000–60.000 people.
    pop0 = np.exp(rng.uniform(np.log(8_000), np.log(55_000), U))
    growth = rng.uniform(0.003, 0.015, U)
    area = np.round(rng.uniform(5, 120, U), 2)
    party_ratio = rng.uniform(0.04, 0.09, U)
    members_per_cell = rng.uniform(35, 60, U)
    for code, (people, km2, members, cells) in KNOWN_PROFILES.items():
        if code in units:  # end-2025 figures match the real reports
            u = units.index(code)
            pop0[u] = people / (1 + growth[u]) ** years_elapsed[-1]
            area[u] = km2
            party_ratio[u] = members / people / (1 + 0.01 * years_elapsed[-1])
            members_per_cell[u] = members / cells
    pop = pop0[:, None] * (1 + growth[:, None]) ** years_elapsed[None, :]
    activity = rng.lognormal(0.0, 0.25, U)[:, None]
    per10k = pop / 1e4 * activity / 365.25      # daily rate for "x per 10,000 people a year"
    per_unit = activity / 365.25 * np.ones((1, n_days))

    def draw(rate):
        return rng.poisson(rate).astype(np.int64)

    def rate(lo, hi):
        return rng.uniform(lo, hi, U)[:, None]

    f = {}
    f["directive_docs"] = draw(per_unit * rate(8, 20))
    f["propaganda_sessions"] = draw(per10k * rate(15, 35))
    f["propaganda_attendees"] = draw(f["propaganda_sessions"] * rate(40, 120))
    f["dialogues"] = draw(per_unit * rate(3, 8))
    f["dialogue_attendees"] = draw(f["dialogues"] * rate(40, 110))
    f["dialogue_opinions"] = draw(f["dialogues"] * rate(3, 9))
    f["dialogue_opinions_resolved"] = rng.binomial(f["dialogue_opinions"], rate(0.8, 0.98))
    f["reception_sessions_chair"] = draw(per_unit * rate(12, 24))
    f["reception_visits"] = draw(per10k * rate(8, 20))
    f["reception_people"] = f["reception_visits"] + draw(f["reception_visits"] * rate(0.1, 0.6))
    f["crowd_delegations"] = draw(per_unit * rate(0, 1.5))
    outlier_unit = rng.integers(U)
    petition_boost = np.ones((U, n_days))
    # One unit gets ten times its usual petitions in 2023: a value the checks should flag.
    petition_boost[outlier_unit, (years_elapsed >= 2) & (years_elapsed < 3)] = 10
    f["petitions_feedback"] = draw(per10k * rate(6, 14) * petition_boost)
    f["petitions_complaint"] = draw(per10k * rate(0.5, 2.5) * petition_boost)
    f["petitions_denunciation"] = draw(per10k * rate(0.1, 0.8) * petition_boost)
    f["petitions_received"] = (f["petitions_feedback"] + f["petitions_complaint"]
                               + f["petitions_denunciation"])
    f["petitions_resolved"] = rng.binomial(f["petitions_received"], rate(0.8, 0.98))
    f["dvk_models_new"] = draw(per_unit * rate(2, 6))
    f["dvk_models_recognized"] = draw(per_unit * rate(0.3, 2))
    f["mediation_cases"] = draw(per10k * rate(2, 7))
    f["mediation_successful"] = rng.binomial(f["mediation_cases"], rate(0.8, 0.99))
    f["staff_violations"] = draw(per_unit * rate(0, 0.6))

    profile = {
        "pop": pop, "area": area,
        "party_ratio": party_ratio[:, None] * (1 + 0.01 * years_elapsed[None, :]),
        "members_per_cell": members_per_cell,
        "groups": np.round(pop0 / rng.uniform(400, 900, U)),
        "dvk_base": rng.integers(4, 20, U), "admin_base": rng.integers(230, 330, U),
        "score_mean": np.clip(rng.normal(8.2, 0.7, U), 5, 9.8), "outlier_unit": outlier_unit,
    }
    return f, profile


def _models(rng, units: list[str], types: dict, new_daily, base):
    """Each unit's models: `base` running on the first day (started 2010–2020) plus one for each
    new model of the daily series, each stopping some day (or never). Returns a dict of arrays:
    unit index, birth day, stop day (day indexes from FIRST_DAY), and per-model descriptions."""
    n_days = new_daily.shape[1]
    u_new, d_new = np.nonzero(new_daily)
    reps = new_daily[u_new, d_new]
    u_new, d_new = np.repeat(u_new, reps), np.repeat(d_new, reps)
    u_old = np.repeat(np.arange(len(units)), base)
    unit = np.concatenate([u_old, u_new])
    birth = np.concatenate([np.full(len(u_old), -1), d_new])
    start_year = np.concatenate([rng.integers(2010, 2021, len(u_old)),
                                 np.array([(FIRST_DAY + timedelta(days=int(d))).year for d in d_new],
                                          dtype=np.int64)])
    # About a third stop within five years; the rest run on past the demo's last day.
    stop = np.maximum(birth, 0) + np.ceil(rng.exponential(365.25 * 12, len(unit))).astype(np.int64)
    order = np.lexsort((birth, unit))
    unit, birth, stop, start_year = unit[order], birth[order], stop[order], start_year[order]
    pool = [(name, field) for field, names in MODEL_POOL.items() for name in names]
    names, fields, leads = [], [], []
    rec = rng.choice(len(RECOGNITION[0]), len(unit), p=RECOGNITION[1])
    lead_pick = rng.integers(0, len(LEAD_ORGS), len(unit))
    counters: dict[int, int] = {}
    perms = {}
    for i, u in enumerate(unit):
        k = counters.get(u, 0)
        counters[u] = k + 1
        if u not in perms:
            perms[u] = rng.permutation(len(pool))
        name, field = pool[perms[u][k % len(pool)]]
        if k >= len(pool):  # more models than names: the same idea in another residential group
            name += f" – {'tổ dân phố' if types[units[u]] == 'Phường' else 'thôn'} số {k // len(pool) + 1}"
        names.append(name)
        fields.append(field)
        leads.append(LEAD_ORGS[lead_pick[i]].format(t=types[units[u]].lower()))
    return {"unit": unit, "birth": birth, "stop": stop, "start_year": start_year,
            "name": names, "field": fields, "lead": leads,
            "recognition": [RECOGNITION[0][r] for r in rec], "n_days": n_days}


def _active_at(models, U: int, day: int) -> np.ndarray:
    running = (models["birth"] <= day) & (models["stop"] > day)
    return np.bincount(models["unit"], weights=running, minlength=U)


def generate(db_path=None, seed: int = 2025, progress=None) -> dict:
    """Replace the demo submissions (never the loaded files) with a fresh synthetic history."""
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    rng = np.random.default_rng(seed)
    db.init_db(db_path)
    say("Đã khởi tạo cơ sở dữ liệu.")

    with db.connect(db_path) as con:
        unit_rows = con.execute(
            "SELECT code, type_label FROM units WHERE valid_to IS NULL ORDER BY code").fetchall()
        units = [u for u, _ in unit_rows]
        types = dict(unit_rows)
        catalogue = con.execute("SELECT code, sort_order FROM indicators ORDER BY sort_order").fetchall()
        codes = [c for c, _ in catalogue]
        U, n_days = len(units), (LAST_DAY - FIRST_DAY).days + 1
        years_elapsed = np.arange(n_days) / 365.25
        flows, prof = _daily_flows(rng, units, n_days, years_elapsed)
        # A second stream for models and score swings, so the other demo values stay as they were.
        rng2 = np.random.default_rng([seed, 5])
        models = _models(rng2, units, types, flows["dvk_models_new"], prof["dvk_base"])
        weak = rng2.choice(U, 2, replace=False)       # a couple of units rated "Yếu"
        prof["score_mean"][weak] = rng2.uniform(4.2, 4.9, 2)
        cum = {k: np.concatenate([np.zeros((U, 1), np.int64), v.cumsum(axis=1)], axis=1)
               for k, v in flows.items()}
        say(f"Đã sinh chuỗi số liệu hằng ngày cho {U} đơn vị.")

        # Who reports what: nearly everyone yearly, most quarterly, some monthly, a few the range.
        reports_quarterly = rng.random(U) < 0.9
        reports_monthly = rng.random(U) < 0.4
        in_range = rng.random(U) < 0.04
        if "10543" in units:  # Việt Hòa: the ward whose real report covers this range
            in_range[units.index("10543")] = True
        careless = rng.random(U) < 0.08     # these skip periods, send late and leave blanks more
        chronic_late = rng.random(U) < 0.05

        con.execute("BEGIN")
        demo_ids = "SELECT submission_id FROM submissions WHERE source = 'demo'"
        for table in ("submission_values", "findings", "dvk_model_reports"):
            con.execute(f"DELETE FROM {table} WHERE submission_id IN ({demo_ids})")
        con.execute("DELETE FROM submissions WHERE source = 'demo'")
        con.execute("DELETE FROM dvk_models WHERE model_id NOT IN "
                    "(SELECT model_id FROM dvk_model_reports)")
        taken = set(con.execute("SELECT unit_code, period_key FROM submissions").fetchall())

        subs, blocks, lists = [], [], []
        missing = 0
        for spec, kind in _period_specs():
            p = parse_period(spec)
            ensure_period(con, p)
            con.execute("UPDATE periods SET deadline = coalesce(deadline, ?) WHERE period_key = ?",
                        [p.end + timedelta(days=DEADLINE_DAYS), p.key])
            deadline = con.execute("SELECT deadline FROM periods WHERE period_key = ?",
                                   [p.key]).fetchone()[0]
            eligible = {"year": np.ones(U, bool), "quarter": reports_quarterly,
                        "month": reports_monthly, "range": in_range}[kind]
            skip_p = np.where(careless, 0.3, 0.03)
            reports = eligible & (rng.random(U) >= skip_p)
            missing += int((eligible & ~reports).sum())
            s, e = (p.start - FIRST_DAY).days, (p.end - FIRST_DAY).days
            values = np.full((U, len(codes)), np.nan)
            for j, code in enumerate(codes):
                if code in cum:
                    values[:, j] = cum[code][:, e + 1] - cum[code][:, s]
            col = {c: j for j, c in enumerate(codes)}
            pop_end = np.round(prof["pop"][:, e])
            members = np.round(prof["pop"][:, e] * prof["party_ratio"][:, e])
            values[:, col["population"]] = pop_end
            values[:, col["area_km2"]] = prof["area"]
            values[:, col["party_members"]] = members
            values[:, col["party_cells"]] = np.maximum(1, np.round(members / prof["members_per_cell"]))
            values[:, col["residential_groups"]] = prof["groups"]
            # Counts agree with the models lists: running at the period's last day.
            values[:, col["dvk_models_active"]] = _active_at(models, U, e)
            values[:, col["admin_procedures"]] = prof["admin_base"] + np.floor(years_elapsed[e] * 3)
            if kind == "year":
                # A swing of the whole unit each year, so some ratings change from year to year.
                swing = rng2.normal(0, 0.45, U)[:, None]
                scores = prof["score_mean"][:, None] + swing + rng.normal(0, 0.6, (U, len(SCORES)))
                for k, code in enumerate(SCORES):
                    values[:, col[code]] = np.clip(np.round(scores[:, k], 1), 0, 10)
            # Blank = not reported: no row at all, never a 0.
            blank_p = np.where(careless, 0.15, 0.03)[:, None] * np.ones((1, len(codes)))
            if kind in ("month", "quarter", "range"):
                for code in PROFILE_RARE:
                    blank_p[:, col[code]] = 0.6 if kind == "month" else 0.3
            # The assessment is usually complete; careless units sometimes leave a criterion out.
            for code in SCORES:
                blank_p[:, col[code]] = np.where(careless, 0.08, 0.0)
            values[rng.random(values.shape) < blank_p] = np.nan

            late = rng.random(U) < np.where(chronic_late, 0.6, np.where(careless, 0.3, 0.05))
            grace = max(2, (deadline - p.end).days)
            delay = np.where(late, grace + rng.integers(1, 40, U), rng.integers(1, grace, U))
            minutes = rng.integers(7 * 60, 17 * 60 + 30, U)
            for u in np.flatnonzero(reports):
                if (units[u], p.key) in taken:
                    continue  # a real file was loaded for this unit and period: it wins
                loaded = datetime.combine(p.end, datetime.min.time()) + timedelta(
                    days=int(delay[u]), minutes=int(minutes[u]))
                subs.append((units[u], p.key, loaded))
                blocks.append(values[u])
                if kind == "year":
                    lists.append((len(subs) - 1, u, s, e))

        n = len(subs)
        ids = [i for (i,) in con.execute(
            f"SELECT nextval('submission_ids') FROM range({n})").fetchall()]
        demo_subs = pa.table({  # noqa: F841 (read by DuckDB's replacement scan)
            "submission_id": pa.array(ids, pa.int64()),
            "unit_code": [s[0] for s in subs], "period_key": [s[1] for s in subs],
            "loaded_at": pa.array([s[2] for s in subs], pa.timestamp("us")),
        })
        con.execute(
            "INSERT INTO submissions (submission_id, unit_code, period_key, version, status, "
            "is_current, source, file_name, template_version, sent_by, loaded_at) "
            "SELECT submission_id, unit_code, period_key, 1, 'submitted', true, 'demo', ?, ?, ?, "
            "loaded_at FROM demo_subs", [DEMO_FILE_NAME, layout.TEMPLATE_VERSION, DEMO_SENT_BY])

        matrix = np.vstack(blocks)
        sub_idx, ind_idx = np.nonzero(~np.isnan(matrix))
        # Cells as on the template: one row per indicator below the header, values in «Giá trị».
        value_col = chr(ord("A") + layout.VALUE_HEADERS.index(layout.HEADER_VALUE))
        cells = np.array([f"{value_col}{layout.VALUES_HEADER_ROW + 1 + j}" for j in range(len(codes))])
        demo_values = pa.table({  # noqa: F841
            "submission_id": pa.array(np.asarray(ids, np.int64)[sub_idx]),
            "indicator_code": pa.array(np.asarray(codes)[ind_idx]),
            "value": pa.array(matrix[sub_idx, ind_idx]),
            "sheet": pa.array([layout.SHEET_VALUES] * len(sub_idx), pa.string()),
            "cell": pa.array(cells[ind_idx]),
            "raw_text": pa.nulls(len(sub_idx), pa.string()),
        })
        con.execute("INSERT INTO submission_values SELECT * FROM demo_values")
        n_models = _insert_models(con, models, units, ids, lists)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('demo', 'true')")
        # Review states, so the default (accepted-only) dashboard is full and the review pages have
        # work: the newest month and quarter partly await review, a few reports were returned.
        con.execute("""
            UPDATE submissions s SET status = CASE
                WHEN hash(s.submission_id) % 100 < 2 THEN 'returned'
                WHEN p.kind IN ('month', 'quarter') AND hash(s.submission_id) % 100 < 40
                     AND p.end_date >= (SELECT max(end_date) - INTERVAL 100 DAY FROM periods
                                        WHERE kind IN ('month', 'quarter')) THEN 'submitted'
                ELSE 'accepted' END
            FROM periods p WHERE p.period_key = s.period_key AND s.source = 'demo'""")
        con.execute("""
            UPDATE submissions SET reviewed_by = ?, reviewed_at = loaded_at + INTERVAL 3 DAY,
                   review_comment = CASE WHEN status = 'returned' THEN ? END
            WHERE source = 'demo' AND status <> 'submitted'""", [DEMO_SENT_BY, DEMO_RETURN_COMMENT])
        db.refresh_shown(con)
        late_count = con.execute(
            "SELECT count(*) FROM submissions s JOIN periods p USING (period_key) "
            "WHERE s.source = 'demo' AND s.loaded_at::DATE > p.deadline").fetchone()[0]
        con.execute("COMMIT")

    return {
        "units": len({s[0] for s in subs}), "submissions": n, "values": int(len(sub_idx)),
        "periods": len(_period_specs()), "late": int(late_count), "missing": missing,
        "models": n_models,
        "outlier_unit": units[prof["outlier_unit"]], "seconds": round(time.perf_counter() - started, 2),
    }


def _insert_models(con, models, units, ids, lists) -> int:
    """The yearly lists: every model that ran during the year, stopped ones marked so.
    Models match the unit's existing ones (a loaded file may list the same model) by name key."""
    keys = [dvk.name_key(n) for n in models["name"]]
    report_rows = {k: [] for k in ("unit_code", "name_key", "submission_id", "status", "row_number",
                                   "i")}
    for sub_i, u, s, e in lists:
        idx = np.flatnonzero((models["unit"] == u) & (models["birth"] <= e) & (models["stop"] > s))
        for row, i in enumerate(idx, start=layout.MODELS_HEADER_ROW + 1):
            report_rows["unit_code"].append(units[u])
            report_rows["name_key"].append(keys[i])
            report_rows["submission_id"].append(ids[sub_i])
            report_rows["status"].append(dvk.STOPPED if models["stop"][i] <= e else dvk.ACTIVE)
            report_rows["row_number"].append(row)
            report_rows["i"].append(int(i))
    used = sorted(set(report_rows["i"]))
    demo_models = pa.table({  # noqa: F841 (read by DuckDB's replacement scan)
        "unit_code": [units[models["unit"][i]] for i in used], "name": [models["name"][i] for i in used],
        "name_key": [keys[i] for i in used], "field": [models["field"][i] for i in used],
        "lead_org": [models["lead"][i] for i in used],
        "year_started": pa.array([int(models["start_year"][i]) for i in used], pa.int32()),
    })
    con.execute("""
        INSERT INTO dvk_models
        SELECT nextval('dvk_model_ids'), d.unit_code, d.name, d.name_key, d.field, d.lead_org,
               d.year_started
        FROM demo_models d
        WHERE NOT EXISTS (SELECT 1 FROM dvk_models m WHERE m.unit_code = d.unit_code
                          AND m.name_key = d.name_key)""")
    recognition = [models["recognition"][i] for i in report_rows.pop("i")]
    demo_reports = pa.table({**report_rows, "recognition": recognition,  # noqa: F841
                             "submission_id": pa.array(report_rows["submission_id"], pa.int64())})
    con.execute("""
        INSERT INTO dvk_model_reports
        SELECT m.model_id, r.submission_id, r.recognition, r.status, ?, r.row_number
        FROM demo_reports r JOIN dvk_models m USING (unit_code, name_key)""", [layout.SHEET_MODELS])
    return len(used)


# One demo account per role, created only while the database has no account at all, so a fresh
# `make run` lets someone in; passwords are random and printed once by demo_cli.
DEMO_ACCOUNTS = (("lanhdao", "leader", None, "Lãnh đạo (tài khoản mẫu)"),
                 ("snv.chuyenvien", "department", None, "Chuyên viên Sở Nội vụ (tài khoản mẫu)"),
                 ("vh.canbo", "ward", "10543", "Cán bộ phường Việt Hòa (tài khoản mẫu)"))


def demo_accounts(db_path=None) -> list[tuple[str, str, str]]:
    """[(username, role label, password)] of the demo accounts created now (none if any exist)."""
    from etl.workflow import accounts
    with db.connect(db_path) as con:
        if con.execute("SELECT count(*) FROM users").fetchone()[0]:
            return []
        return [(name, accounts.ROLES[role],
                 accounts.add_user(con, name, role, None, unit, full_name, actor="etl demo"))
                for name, role, unit, full_name in DEMO_ACCOUNTS]


def demo_cli(db_path=None, seed: int = 2025) -> int:
    print(f"Đang tạo dữ liệu mẫu (hạt giống {seed})…")
    counter = iter(range(1, 10))
    result = generate(db_path, seed, progress=lambda msg: print(f"  [{next(counter)}/3] {msg}"))
    print(f"  [3/3] Đã ghi {vn.format_number(result['submissions'])} báo cáo, "
          f"{vn.format_number(result['values'])} giá trị, "
          f"{vn.format_number(result['models'])} mô hình «Dân vận khéo».")
    print(f"Xong trong {vn.format_number(result['seconds'], 1)} giây: {result['units']} đơn vị, "
          f"{result['periods']} kỳ báo cáo (năm 2021–2025, quý 2024–2025, tháng 2025, "
          f"khoảng {parse_period(RANGE_SPEC).label.lower()}); {result['late']} báo cáo nộp muộn, "
          f"{result['missing']} báo cáo còn thiếu.")
    print("Lưu ý: đây là DỮ LIỆU MẪU tổng hợp, không phải số liệu thật. Chạy lại lệnh sẽ thay thế "
          "dữ liệu mẫu cũ; các báo cáo nạp từ tệp không bị ảnh hưởng.")
    created = demo_accounts(db_path)
    if created:
        print("\nTÀI KHOẢN MẪU để đăng nhập thử (chỉ in MỘT LẦN; chỉ dùng để chạy thử, hãy xóa bằng "
              "'python -m etl user remove TÊN' trước khi dùng thật):")
        for username, role_label, password in created:
            print(f"  {username:<16} {role_label:<32} mật khẩu: {password}")
    return 0
