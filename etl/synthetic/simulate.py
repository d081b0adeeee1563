"""Every unit's synthetic daily life, the raw material of the demo's reports (etl.synthetic.demo).

Flows are drawn day by day per unit (Poisson counts scaled by the unit's population) and
cumulated, so any period's value is a difference of two days; "Dân vận khéo" models start and
stop on days of their own.
"""
from datetime import date, timedelta

import numpy as np

FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2025, 12, 31)
# Profiles from the real reports in DOMAIN.md (people, km², party members, party cells), so the demo
# looks familiar; Thạch Khôi's party figures are not in the brief and are made up.
KNOWN_PROFILES = {"10543": (30_575, 17.0, 2_370, 49), "11002": (34_432, 19.94, 2_500, 52)}
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


def _people(rng, units: list[str], years_elapsed) -> dict:
    """Each unit's size: population day by day, area, party members, activity level."""
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
    return {"pop0": pop0, "pop": pop0[:, None] * (1 + growth[:, None]) ** years_elapsed[None, :],
            "area": area, "party_ratio": party_ratio, "members_per_cell": members_per_cell,
            "activity": rng.lognormal(0.0, 0.25, U)[:, None]}


def _flows(rng, people: dict, n_days: int, years_elapsed) -> tuple[dict, int]:
    """U×D daily counts of every flow, and the unit whose petitions jump in 2023."""
    U, activity = len(people["pop0"]), people["activity"]
    per10k = people["pop"] / 1e4 * activity / 365.25   # daily rate for "x per 10,000 people a year"
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
    return f, outlier_unit


def _daily_flows(rng, units: list[str], n_days: int, years_elapsed):
    """Per-unit profile and a dict of U×D daily count arrays (plus stock helpers)."""
    U = len(units)
    people = _people(rng, units, years_elapsed)
    f, outlier_unit = _flows(rng, people, n_days, years_elapsed)
    profile = {
        "pop": people["pop"], "area": people["area"],
        "party_ratio": people["party_ratio"][:, None] * (1 + 0.01 * years_elapsed[None, :]),
        "members_per_cell": people["members_per_cell"],
        "groups": np.round(people["pop0"] / rng.uniform(400, 900, U)),
        "dvk_base": rng.integers(4, 20, U), "admin_base": rng.integers(230, 330, U),
        "score_mean": np.clip(rng.normal(8.2, 0.7, U), 5, 9.8), "outlier_unit": outlier_unit,
    }
    return f, profile


def _draw_models(rng, units: list[str], types: dict, new_daily, base):
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


def active_at(models, U: int, day: int) -> np.ndarray:
    running = (models["birth"] <= day) & (models["stop"] > day)
    return np.bincount(models["unit"], weights=running, minlength=U)


def simulate(seed: int, units: list[str], types: dict) -> dict:
    """Every unit's daily flows (cumulated, so a period's value is a difference) and models."""
    rng = np.random.default_rng(seed)
    U, n_days = len(units), (LAST_DAY - FIRST_DAY).days + 1
    years_elapsed = np.arange(n_days) / 365.25
    flows, prof = _daily_flows(rng, units, n_days, years_elapsed)
    # A second stream for models and score swings, so the other demo values stay as they were.
    rng2 = np.random.default_rng([seed, 5])
    models = _draw_models(rng2, units, types, flows["dvk_models_new"], prof["dvk_base"])
    weak = rng2.choice(U, 2, replace=False)       # a couple of units rated "Yếu"
    prof["score_mean"][weak] = rng2.uniform(4.2, 4.9, 2)
    cum = {k: np.concatenate([np.zeros((U, 1), np.int64), v.cumsum(axis=1)], axis=1)
           for k, v in flows.items()}
    return {"rng": rng, "rng2": rng2, "units": units, "cum": cum, "prof": prof, "models": models,
            "years_elapsed": years_elapsed}
