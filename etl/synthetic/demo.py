"""Synthetic demo history for all units, so the dashboard has something to show before real reports.

Every flow is drawn day by day per unit (Poisson counts scaled by the unit's population), and each
period's value is a sum over its days. So months add up to quarters and quarters to years, any
irregular range works the same way, and the error rules hold by construction: totals are sums of
their parts, "successful" and "resolved" are binomial draws out of their totals, people = visits
plus extra people. Stocks are read at the period's last day. Everything is marked source='demo'.

Like real life across the 2025 merger: until June 2025 the reports come from the old units (375
in Hải Phòng), from July 2025 from today's units. The daily life is simulated on today's
territories, and each old unit's figures are its parts of them (a random split of each new
unit among its old units), so the old units' reports add up to the new units' territories and
agree with what the new units report later. Most new units send a full-year 2025 report for
their territory; the others only July–December, so 2025 on today's boundaries is added up from
its halves; a few new units also report 2023 and 2024 for their present territory.
"""
import time
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

from etl.domain import dvk, layout, vn
from etl.domain.periods import parse_period
from etl.synthetic.simulate import FIRST_DAY, active_at, simulate
from etl.warehouse import db, store
from etl.warehouse.reference import init_db

DEMO_FILE_NAME = "DỮ LIỆU MẪU (tổng hợp, không phải số liệu thật)"
DEMO_SENT_BY = "Dữ liệu mẫu"
DEMO_RETURN_COMMENT = ("Dữ liệu mẫu: số đơn thư đã giải quyết chưa khớp với sổ theo dõi, "
                       "đề nghị đơn vị kiểm tra và gửi lại.")
DEADLINE_DAYS = 15            # the department's deadline: 15 days after the period ends
RANGE_SPEC = "2025-07-01:2025-11-20"
SCORES = [f"dv_score_c{i:02d}" for i in range(1, 11)]
PROFILE_RARE = ("area_km2", "party_cells", "residential_groups", "admin_procedures",
                "dvk_models_active")  # often left out of short (monthly/quarterly) reports


RETRO_YEARS = ("2023", "2024")    # a few new units also report these for their present territory
N_RETRO = 6
YEAR_2025_SHARE = 0.85           # new units that send a full-year 2025 report


def _period_specs():
    specs = [(str(y), "year") for y in range(2021, 2026)]
    specs += [(f"{y}-Q{q}", "quarter") for y in (2024, 2025) for q in range(1, 5)]
    specs += [(f"2025-{m:02d}", "month") for m in range(1, 13)]
    specs += [("2025-H1", "half"), ("2025-H2", "half"), (RANGE_SPEC, "range")]
    return specs


def generate(db_path=None, seed: int = 2025, progress=None) -> dict:
    """Replace the demo submissions (never the loaded files) with a fresh synthetic history."""
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    init_db(db_path)
    say("Đã khởi tạo cơ sở dữ liệu.")
    with db.connect(db_path) as con:
        units, types, codes = _registry(con)
        sim = simulate(seed, units, types)
        sim["old"] = _old_units(con, units, seed)
        say(f"Đã sinh chuỗi số liệu hằng ngày cho {len(units)} đơn vị.")
        plan = _plan(con, sim, codes)
        staged = _staged(plan, codes, sim, seed, dvk.load_statuses(con))
        with db.transaction(con):
            store.delete_submissions(con, "demo")
            store.ensure_periods(con, plan["periods"], DEADLINE_DAYS)
            store.save_batch(con, staged["submissions"], staged["values"], models=staged["models"])
            store.mark_demo(con)
            late = con.execute(
                "SELECT count(*) FROM submissions s JOIN periods p USING (period_key) "
                "WHERE s.source = 'demo' AND s.loaded_at::DATE > p.deadline").fetchone()[0]
            db.audit(con, "etl demo", "demo",
                     f"Dữ liệu mẫu (hạt giống {seed}): {vn.format_number(len(plan['subs']))} "
                     f"báo cáo, {vn.format_number(staged['values'].num_rows)} giá trị")
    return {
        "units": len({s[0] for s in plan["subs"]}), "submissions": len(plan["subs"]),
        "values": staged["values"].num_rows, "periods": len(plan["periods"]), "late": int(late),
        "missing": plan["missing"], "models": staged["n_models"],
        "old_units": len({s[0] for s in plan["subs"] if "@" in s[0]}),
        "outlier_unit": units[sim["prof"]["outlier_unit"]],
        "seconds": round(time.perf_counter() - started, 2),
    }


def _registry(con):
    unit_rows = con.execute(
        "SELECT code, type_label FROM units WHERE valid_to IS NULL ORDER BY code").fetchall()
    codes = [c for c, in con.execute("SELECT code FROM indicators ORDER BY sort_order").fetchall()]
    return [u for u, _ in unit_rows], dict(unit_rows), codes


def _old_units(con, units: list[str], seed: int) -> dict:
    """The old units (ids), the merger date, and G (old × new): the part of each new unit's
    territory each old unit held, a random split of every new unit among its old units (rows of
    an old unit split between several new units hold a part of each). main: for each new unit,
    its old unit with the largest part, among those merged whole (None if all were split)."""
    rows = con.execute("SELECT new_code, old_code, share FROM unit_lineage ORDER BY new_code, old_code").fetchall()
    merger = con.execute("SELECT min(valid_from) FROM units WHERE valid_to IS NULL").fetchone()[0]
    index = {u: i for i, u in enumerate(units)}
    rows = [r for r in rows if r[0] in index]
    ids = sorted({o for _, o, _ in rows})
    oi = {o: i for i, o in enumerate(ids)}
    rng = np.random.default_rng([seed, 9])
    G = np.zeros((len(ids), len(units)))
    main: list[str | None] = [None] * len(units)
    by_new: dict[str, list] = {}
    for new, old, share in rows:
        by_new.setdefault(new, []).append((old, share))
    for new, olds in by_new.items():
        # No sliver: every old unit holds at least a fair part of half its share.
        parts = np.maximum(rng.dirichlet(np.full(len(olds), 2.0)), 0.5 / len(olds))
        parts /= parts.sum()
        for (old, share), part in zip(olds, parts):
            G[oi[old], index[new]] = part
        whole = [(part, old) for (old, share), part in zip(olds, parts) if share == "full"]
        main[index[new]] = max(whole)[1] if whole else None
    return {"ids": ids, "G": G, "main": main, "merger": merger}


def _to_old(raw: np.ndarray, G: np.ndarray, codes: list[str]) -> np.ndarray:
    """Old units × indicators from the new units' values (without blanks): each old unit's parts,
    whole numbers that still keep the error rules; scores the parts' weighted mean."""
    col = {c: j for j, c in enumerate(codes)}
    old = np.round(G @ np.nan_to_num(raw))
    given = ~np.isnan(raw).all(axis=0)
    for code in SCORES:
        j = col[code]
        old[:, j] = np.clip(np.round(G @ np.nan_to_num(raw[:, j]) / np.maximum(G.sum(axis=1), 1e-9), 1), 0, 10)
    old[:, col["petitions_received"]] = (old[:, col["petitions_feedback"]] + old[:, col["petitions_complaint"]]
                                         + old[:, col["petitions_denunciation"]])
    for small, big in (("reception_visits", "reception_people"),):
        old[:, col[big]] = np.maximum(old[:, col[big]], old[:, col[small]])
    for part, whole in (("mediation_successful", "mediation_cases"), ("petitions_resolved", "petitions_received"),
                        ("dialogue_opinions_resolved", "dialogue_opinions"), ("party_members", "population")):
        old[:, col[part]] = np.minimum(old[:, col[part]], old[:, col[whole]])
    for code in ("population", "party_cells", "residential_groups", "party_members"):
        old[:, col[code]] = np.maximum(old[:, col[code]], 1)
    old[:, col["area_km2"]] = np.maximum(np.round(G @ np.nan_to_num(raw[:, col["area_km2"]]), 2), 0.1)
    old[:, ~given] = np.nan
    return old


def _who_reports(rng, units: list[str]) -> dict:
    """Nearly everyone reports yearly, most quarterly, some monthly, a few the range."""
    U = len(units)
    flags = {"quarter": rng.random(U) < 0.9, "month": rng.random(U) < 0.4,
             "range": rng.random(U) < 0.04, "year": np.ones(U, bool)}
    if "10543" in units:  # Việt Hòa: the ward whose real report covers this range
        flags["range"][units.index("10543")] = True
    flags["careless"] = rng.random(U) < 0.08   # these skip periods, send late and leave blanks more
    flags["chronic_late"] = rng.random(U) < 0.05
    return flags


def _plan(con, sim: dict, codes: list[str]) -> dict:
    """Which unit sends which period, when, with which values: the old units before the merger,
    today's units after it (see the module's docstring). A unit and period already holding a
    loaded file gets nothing: the real report wins."""
    rng, units, old = sim["rng"], sim["units"], sim["old"]
    taken = set(con.execute("SELECT unit_code, period_key FROM submissions "
                            "WHERE source <> 'demo'").fetchall())
    deadlines = dict(con.execute("SELECT period_key, deadline FROM periods "
                                 "WHERE deadline IS NOT NULL").fetchall())
    flags = _who_reports(rng, units)
    old_flags = _who_reports(np.random.default_rng(rng.integers(1 << 32)), old["ids"])
    flags["year_2025"] = rng.random(len(units)) < YEAR_2025_SHARE
    retro = set(rng.choice(len(units), N_RETRO, replace=False).tolist())
    main_of = {o: u for u, o in enumerate(old["main"]) if o}
    plan = {"periods": [], "subs": [], "blocks": [], "lists": [], "missing": 0}
    for spec, kind in _period_specs():
        p = parse_period(spec)
        plan["periods"].append(p)
        deadline = deadlines.get(p.key) or p.end + timedelta(days=DEADLINE_DAYS)
        raw = _raw_values(sim, p, kind, codes)
        s, e = (p.start - FIRST_DAY).days, (p.end - FIRST_DAY).days
        before = old["merger"] and p.end < old["merger"]
        who, f = (old["ids"], old_flags) if before else (units, flags)
        values = _to_old(raw, old["G"], codes) if before else raw
        sends = f["year" if kind == "half" else kind].copy()
        if kind == "year" and not before:
            sends &= flags["year_2025"]
        reports = sends & (rng.random(len(who)) >= np.where(f["careless"], 0.3, 0.03))
        plan["missing"] += int((sends & ~reports).sum())
        values = _blanked(rng, values, kind, codes, f["careless"])
        loaded = _send_times(rng, p, deadline, f)
        for u in np.flatnonzero(reports):
            if (who[u], p.key) in taken:
                continue
            plan["subs"].append((who[u], p, loaded[u]))
            plan["blocks"].append(values[u])
            # A year's models list: a new unit's own, or before the merger the list of the new
            # unit this old unit held most of (and went to whole).
            lister = main_of.get(who[u]) if before else u
            if kind == "year" and lister is not None:
                plan["lists"].append((len(plan["subs"]) - 1, lister, s, e))
        if spec in RETRO_YEARS:      # today's territory, reported for a year before the merger
            own = _blanked(rng, raw, kind, codes, flags["careless"])
            for u in sorted(retro):
                if (units[u], p.key) not in taken:
                    # Sent after the merger, when the new unit compiled its territory's past.
                    plan["subs"].append((units[u], p, datetime(2025, 10, 1, 8) + timedelta(days=u % 20, hours=u % 9)))
                    plan["blocks"].append(own[u])
    return plan


def _raw_values(sim: dict, p, kind: str, codes: list[str]) -> np.ndarray:
    """Today's units × indicators for one period: flows summed over its days, stocks at its last
    day, scores once a year."""
    rng, prof, cum = sim["rng"], sim["prof"], sim["cum"]
    U = len(sim["units"])
    s, e = (p.start - FIRST_DAY).days, (p.end - FIRST_DAY).days
    values = np.full((U, len(codes)), np.nan)
    for j, code in enumerate(codes):
        if code in cum:
            values[:, j] = cum[code][:, e + 1] - cum[code][:, s]
    col = {c: j for j, c in enumerate(codes)}
    members = np.round(prof["pop"][:, e] * prof["party_ratio"][:, e])
    values[:, col["population"]] = np.round(prof["pop"][:, e])
    values[:, col["area_km2"]] = prof["area"]
    values[:, col["party_members"]] = members
    values[:, col["party_cells"]] = np.maximum(1, np.round(members / prof["members_per_cell"]))
    values[:, col["residential_groups"]] = prof["groups"]
    # Counts agree with the models lists: running at the period's last day.
    values[:, col["dvk_models_active"]] = active_at(sim["models"], U, e)
    values[:, col["admin_procedures"]] = prof["admin_base"] + np.floor(sim["years_elapsed"][e] * 3)
    if kind == "year":
        # A swing of the whole unit each year, so some ratings change from year to year.
        swing = sim["rng2"].normal(0, 0.45, U)[:, None]
        scores = prof["score_mean"][:, None] + swing + rng.normal(0, 0.6, (U, len(SCORES)))
        for k, code in enumerate(SCORES):
            values[:, col[code]] = np.clip(np.round(scores[:, k], 1), 0, 10)
    return values


def _blanked(rng, values: np.ndarray, kind: str, codes: list[str], careless) -> np.ndarray:
    """A copy with some cells left blank (NaN: not reported, no row at all, never a 0)."""
    col = {c: j for j, c in enumerate(codes)}
    blank_p = np.where(careless, 0.15, 0.03)[:, None] * np.ones((1, len(codes)))
    if kind in ("month", "quarter", "range", "half"):
        for code in PROFILE_RARE:
            blank_p[:, col[code]] = 0.6 if kind == "month" else 0.3
    # The assessment is usually complete; careless units sometimes leave a criterion out.
    for code in SCORES:
        blank_p[:, col[code]] = np.where(careless, 0.08, 0.0)
    out = values.copy()
    out[rng.random(values.shape) < blank_p] = np.nan
    return out


def _send_times(rng, p, deadline, flags: dict) -> list[datetime]:
    """When each unit sends its report: mostly before the deadline, the careless and the
    chronically late ones often after it."""
    U = len(flags["year"])
    late = rng.random(U) < np.where(flags["chronic_late"], 0.6,
                                    np.where(flags["careless"], 0.3, 0.05))
    grace = max(2, (deadline - p.end).days)
    delay = np.where(late, grace + rng.integers(1, 40, U), rng.integers(1, grace, U))
    minutes = rng.integers(7 * 60, 17 * 60 + 30, U)
    start = datetime.combine(p.end, datetime.min.time())
    return [start + timedelta(days=int(d), minutes=int(m)) for d, m in zip(delay, minutes)]


def _review_states(plan: dict, seed: int) -> tuple[list, list, list]:
    """Status, reviewer and comment of each report, so the default (accepted-only) dashboard is
    full and the review pages have work: the newest month and quarter partly await review, a
    few reports were returned."""
    draw = np.random.default_rng([seed, 6]).integers(0, 100, len(plan["subs"]))
    recent = max(p.end for p in plan["periods"] if p.kind in ("month", "quarter")) - timedelta(days=100)
    states = ["returned" if d < 2 else
              "submitted" if p.kind in ("month", "quarter") and d < 40 and p.end >= recent else
              "accepted" for d, (_, p, _) in zip(draw, plan["subs"])]
    reviewers = [None if s == "submitted" else DEMO_SENT_BY for s in states]
    comments = [DEMO_RETURN_COMMENT if s == "returned" else None for s in states]
    return states, reviewers, comments


def _staged(plan: dict, codes: list[str], sim: dict, seed: int, statuses: dict[str, str]) -> dict:
    """The plan as store.save_batch's tables (ref = place in plan["subs"])."""
    subs, n = plan["subs"], len(plan["subs"])
    states, reviewers, comments = _review_states(plan, seed)
    loaded = [at for _, _, at in subs]
    submissions = pa.table({
        "ref": pa.array(range(n), pa.int64()),
        "unit_code": [u for u, _, _ in subs], "period_key": [p.key for _, p, _ in subs],
        "status": states, "source": ["demo"] * n, "file_name": [DEMO_FILE_NAME] * n,
        "sha256": pa.nulls(n, pa.string()), "template_version": [layout.TEMPLATE_VERSION] * n,
        "sent_by": [DEMO_SENT_BY] * n, "loaded_at": pa.array(loaded, pa.timestamp("us")),
        "review_comment": pa.array(comments, pa.string()),
        "reviewed_by": pa.array(reviewers, pa.string()),
        "reviewed_at": pa.array([None if r is None else at + timedelta(days=3)
                                 for r, at in zip(reviewers, loaded)], pa.timestamp("us")),
    })
    matrix = np.vstack(plan["blocks"])
    sub_idx, ind_idx = np.nonzero(~np.isnan(matrix))
    # Cells as on the template: one row per indicator below the header, values in «Giá trị».
    value_col = chr(ord("A") + layout.VALUE_HEADERS.index(layout.HEADER_VALUE))
    cells = np.array([f"{value_col}{layout.VALUES_HEADER_ROW + 1 + j}" for j in range(len(codes))])
    values = pa.table({
        "ref": pa.array(sub_idx.astype(np.int64)),
        "indicator_code": pa.array(np.asarray(codes)[ind_idx]),
        "value": pa.array(matrix[sub_idx, ind_idx]),
        "sheet": pa.array([layout.SHEET_VALUES] * len(sub_idx), pa.string()),
        "cell": pa.array(cells[ind_idx]),
        "raw_text": pa.nulls(len(sub_idx), pa.string()),
    })
    models, n_models = _model_lists(sim["models"], plan["lists"], statuses)
    return {"submissions": submissions, "values": values, "models": models, "n_models": n_models}


def _model_lists(models: dict, lists: list, statuses: dict[str, str]) -> tuple[pa.Table, int]:
    """The yearly lists: every model that ran during the year, stopped ones marked so.
    Returns the rows for store.save_batch and how many models they name."""
    keys = [dvk.name_key(n) for n in models["name"]]
    refs, picked, status, row_numbers = [], [], [], []
    for sub_i, u, s, e in lists:
        idx = np.flatnonzero((models["unit"] == u) & (models["birth"] <= e) & (models["stop"] > s))
        for row, i in enumerate(idx, start=layout.MODELS_HEADER_ROW + 1):
            refs.append(sub_i)
            picked.append(int(i))
            status.append(statuses[dvk.STOPPED] if models["stop"][i] <= e else statuses[dvk.ACTIVE])
            row_numbers.append(row)
    rows = pa.table({
        "ref": pa.array(refs, pa.int64()),
        "name": [models["name"][i] for i in picked], "name_key": [keys[i] for i in picked],
        "field": [models["field"][i] for i in picked], "lead_org": [models["lead"][i] for i in picked],
        "year_started": pa.array([int(models["start_year"][i]) for i in picked], pa.int32()),
        "recognition": [models["recognition"][i] for i in picked], "status": status,
        "sheet": [layout.SHEET_MODELS] * len(picked),
        "row_number": pa.array(row_numbers, pa.int32()),
    })
    return rows, len(set(picked))


# One demo account per role, created only while the database has no account at all, so a fresh
# `make run` lets someone in; passwords are random and printed once by `etl demo`.
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
