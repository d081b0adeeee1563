"""The briefing pack ("Xuất báo cáo"): charts, findings and tables of one period as .pptx and .docx.

collect() reads everything through etl.queries in one read-only connection (closed before any
image is made), build_pack() adds the images through one reused export browser, and
write_pptx()/write_docx() lay them out. Findings are sentences built only from the queried
numbers: a unit that did not report is named as such, and a comparison with an incomplete
"cùng kỳ" says so. No Streamlit here.
"""
import io
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from etl.domain import vn
from etl.domain.periods import PeriodError, from_key, parse_period
from etl.present import charts, figures, tables
from etl.read import queries
from etl.warehouse import db

SECTIONS = {"overview": "Tổng quan toàn thành phố", "compare": "So sánh các đơn vị",
            "trends": "Xu hướng qua các kỳ", "dvk": "Dân vận khéo",
            "assessment": "Chấm điểm dân vận"}
OVERVIEW_GROUPS = ["Tuyên truyền", "Đối thoại", "Tiếp công dân", "Đơn thư", "Hòa giải ở cơ sở"]
DVK_GROUP = "Dân vận khéo"
# (indicator or rate, per 10,000 residents): fair comparisons between wards of unequal size.
COMPARE = [("petitions_received", True), ("propaganda_sessions", True),
           ("mediation_success_rate", False)]
TRENDS = ["petitions_received", "mediation_cases"]
MAX_NAMES = 5             # units named in one finding before "và n đơn vị khác"
SLIDE_ROWS = 20           # a ranking longer than this shows its top and bottom on a slide
TOP, BOTTOM = 10, 5
MAX_TREND_UNITS = 6
MAX_FINDINGS = 4


class BriefError(ValueError):
    """Bad input (period, unit); the message is Vietnamese."""


@dataclass
class Item:
    section: str
    title: str
    figure: go.Figure
    table: pd.DataFrame
    findings: list[str]
    percent_columns: list[str] = field(default_factory=list)
    image: bytes | None = None


@dataclass
class Pack:
    period_key: str
    period_label: str
    scope: str
    updated: object
    demo: bool
    notes: list[str]
    items: list[Item]
    timings: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"Báo cáo công tác dân vận — {self.period_label}"

    def source(self) -> str:
        return charts.source_text(self.updated)


# ---------------------------------------------------------------- words

def _num(value, unit: str = "", percent: bool = False, decimals: int | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return vn.NOT_REPORTED.lower()
    if percent:
        return vn.format_percent(float(value), 1)
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    text = vn.format_number(float(value), decimals)
    return f"{text} {unit}".strip()


def _change(value, prev) -> str | None:
    """'tăng 12,5%' / 'giảm 3%' / 'không đổi'; None when either side is unknown or prev is 0."""
    if any(x is None or (isinstance(x, float) and math.isnan(x)) for x in (value, prev)) or not prev:
        return None
    pct = (value - prev) / prev
    if abs(pct) < 0.0005:
        return "không đổi"
    return f"{'tăng' if pct > 0 else 'giảm'} {vn.format_percent(abs(pct), 1)}"


def unit_name(type_label: str, name: str) -> str:
    return f"{str(type_label).lower()} {name}".strip()


def name_list(names, limit: int = MAX_NAMES) -> str:
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} và {vn.format_number(len(names) - limit)} đơn vị khác"


# ---------------------------------------------------------------- data

@dataclass
class _Ctx:
    con: object
    period: dict
    prev_key: str | None
    prev_label: str
    prev_exists: bool
    scope_codes: list | None       # None = all units expected for the period
    expected: pd.DataFrame         # units expected in scope (code, name, type_label)
    updated: object
    demo: bool
    catalogue: pd.DataFrame

    def in_scope(self, df: pd.DataFrame, col: str = "code") -> pd.DataFrame:
        if self.scope_codes is None:
            return df
        return df[df[col].astype(str).isin(self.scope_codes)]

    def cat(self, code: str) -> dict:
        return self.catalogue[self.catalogue["code"] == code].iloc[0].to_dict()


def _group_totals(ctx: _Ctx, group: str) -> pd.DataFrame:
    """Sum over the units in scope of each flow/stock of a group, now and in cùng kỳ, with the
    units that reported each (so a comparison on different units can be flagged)."""
    now = ctx.in_scope(queries.matrix(ctx.con, ctx.period["period_key"], group))
    before = (ctx.in_scope(queries.matrix(ctx.con, ctx.prev_key, group))
              if ctx.prev_exists else now.iloc[0:0])
    rows = []
    for code in dict.fromkeys(now["indicator_code"]):
        k = ctx.cat(code)
        if k["kind"] not in ("flow", "stock"):
            continue
        a = now[(now["indicator_code"] == code) & now["reported"]]
        b = before[(before["indicator_code"] == code) & before["reported"]]
        rows.append({
            "code": code, "label": k["label"], "unit": k["unit"], "kind": k["kind"],
            "value": a["value"].sum() if len(a) else math.nan, "units_reported": len(a),
            "prev_value": b["value"].sum() if len(b) else math.nan,
            "prev_units_reported": len(b),
            "reported": set(a["code"]), "prev_reported": set(b["code"]),
            "top": (a.sort_values("value", ascending=False).iloc[0] if len(a) else None)})
    return pd.DataFrame(rows)


def _names_of(ctx: _Ctx, codes) -> list[str]:
    e = ctx.expected[ctx.expected["code"].isin(set(codes))]
    return [unit_name(t, n) for t, n in zip(e["type_label"], e["name"])]


def _group_item(ctx: _Ctx, section: str, group: str) -> Item | None:
    totals = _group_totals(ctx, group)
    if totals.empty or totals["units_reported"].sum() == 0:
        return None
    label = ctx.period["display"]
    n_scope = len(ctx.expected)
    findings = []
    lead = totals[totals["units_reported"] > 0].head(2)
    for i, r in enumerate(lead.itertuples()):
        text = f"{r.label}: {_num(r.value, r.unit)}"
        change = _change(r.value, r.prev_value) if ctx.prev_exists else None
        if change:
            text += f", {change} so với cùng kỳ ({ctx.prev_label}: {_num(r.prev_value, r.unit)})"
        if i == 0 and r.top is not None and n_scope > 1:
            text += (f"; cao nhất: {unit_name(r.top['type_label'], r.top['name'])} "
                     f"({_num(r.top['value'], r.unit)})")
        findings.append(text + ".")
    first = lead.iloc[0]
    missing = [c for c in ctx.expected["code"] if c not in first["reported"]]
    if missing:
        findings.append(f"{first['units_reported']}/{n_scope} đơn vị đã báo cáo «{first['label']}»; "
                        f"chưa báo cáo: {name_list(_names_of(ctx, missing))}.")
    else:
        findings.append(f"Tất cả {n_scope} đơn vị đã báo cáo «{first['label']}».")
    if not ctx.prev_exists:
        findings.append(f"Chưa có số liệu cùng kỳ ({ctx.prev_label}) nên chưa so sánh được.")
    else:
        # Totals over different sets of units are not like for like: say which side lacks whom.
        only_now = first["reported"] - first["prev_reported"]
        only_prev = first["prev_reported"] - first["reported"]
        parts = []
        if only_now:
            parts.append(f"cùng kỳ ({ctx.prev_label}) chỉ có {first['prev_units_reported']}/"
                         f"{n_scope} đơn vị báo cáo, thiếu {name_list(_names_of(ctx, only_now))}")
        if only_prev:
            parts.append(f"kỳ này thiếu {name_list(_names_of(ctx, only_prev))} "
                         "(cùng kỳ có báo cáo)")
        if parts:
            findings.append("So sánh với cùng kỳ chưa đầy đủ: " + "; ".join(parts)
                            + "; mức tăng, giảm chỉ mang tính tham khảo.")
    scope = _scope_phrase(ctx)
    fig = charts.compare_chart(
        totals, title=f"{group}: {label} so với cùng kỳ",
        subtitle=f"{scope} · {first['units_reported']}/{n_scope} đơn vị đã báo cáo",
        updated=ctx.updated, demo=ctx.demo, current_label=label,
        previous_label=ctx.prev_label)
    table = tables.compare_table(totals, label, ctx.prev_label)
    return Item(section, f"{group}: {label} so với cùng kỳ", fig, table,
                findings[:MAX_FINDINGS], ["Tỷ lệ tăng/giảm"])


def _scope_phrase(ctx: _Ctx) -> str:
    if ctx.scope_codes is None:
        return "Toàn thành phố"
    return f"{len(ctx.expected)} đơn vị được chọn"


def top_bottom(rank: pd.DataFrame, n_top: int = TOP, n_bottom: int = BOTTOM, keep=()) -> pd.DataFrame:
    """The ranked rows a slide can show: the top, the bottom and any unit in keep, in rank order.

    Units without a value are left out (a subtitle counts them and the table lists them all).
    """
    ranked = rank[rank["metric"].notna()]
    if len(rank) <= SLIDE_ROWS:
        return rank
    chosen = set(ranked.index[:n_top]) | set(ranked.index[-n_bottom:] if n_bottom else [])
    chosen |= set(ranked.index[ranked["code"].isin(list(keep))])
    return ranked.loc[sorted(chosen, key=list(ranked.index).index)]


def _ranking_item(ctx: _Ctx, code: str, per_capita: bool) -> Item | None:
    k = ctx.cat(code)
    pc = per_capita and queries.per_capita_allowed(code, k["kind"])
    rank = ctx.in_scope(queries.ranking(ctx.con, ctx.period["period_key"], code, pc))
    if rank.empty or not rank["reported"].any():
        return None
    ranked = rank[rank["metric"].notna()]
    percent = k["kind"] == "rate"
    unit = "" if percent else (f"{k['unit']}/10.000 dân" if pc else k["unit"])
    dec = 1 if pc else None

    def show(r):
        return f"{unit_name(r['type_label'], r['name'])} ({_num(r['metric'], unit, percent, dec)})"

    findings = []
    if len(ranked):
        text = f"Cao nhất: {show(ranked.iloc[0])}"
        if len(ranked) > 1:
            text += f"; thấp nhất: {show(ranked.iloc[-1])}"
        findings.append(text + ".")
        findings.append(f"Trung vị của {len(ranked)} đơn vị có số liệu: "
                        f"{_num(ranked['metric'].median(), unit, percent, dec)}.")
    for reason, words in (("not_reported", "Chưa báo cáo"),
                          ("no_population", "Chưa rõ dân số nên chưa tính được trên 10.000 dân"),
                          ("undefined", "Không tính được tỷ lệ (mẫu số bằng 0)")):
        part = rank[rank["blank_reason"] == reason]
        if len(part):
            names = [unit_name(t, n) for t, n in zip(part["type_label"], part["name"])]
            findings.append(f"{words} ({len(part)} đơn vị): {name_list(names)}.")
    shown = top_bottom(rank, keep=ctx.scope_codes or ())
    label = ctx.period["display"]
    title = f"{k['label']}{' (trên 10.000 dân)' if pc else ''} — {label}"
    subtitle = f"{_scope_phrase(ctx)} · {len(ranked)}/{len(rank)} đơn vị có số liệu"
    if len(shown) < len(rank):
        subtitle += (f" · {min(TOP, len(ranked))} cao nhất, {min(BOTTOM, len(ranked))} thấp nhất "
                     "(bảng số liệu có đủ các đơn vị)")
    fig = charts.ranking_chart(shown, title=title, subtitle=subtitle, updated=ctx.updated,
                               demo=ctx.demo, percent=percent, decimals=dec)
    table = tables.ranking_table(rank, k["unit"], pc)
    pct = [f"Giá trị ({k['unit']})"] if percent else []
    return Item("compare", title, fig, table, findings[:MAX_FINDINGS], pct)


def _trend_item(ctx: _Ctx, code: str) -> Item | None:
    k = ctx.cat(code)
    p = ctx.period
    lines = tuple(ctx.scope_codes or ())[:MAX_TREND_UNITS]
    anchor = p["period_key"] if p["kind"] == "range" else None
    series = queries.trend(ctx.con, code, p["kind"], lines, False, p["convention"], anchor)
    series = series[pd.to_datetime(series["end_date"]) <= pd.Timestamp(p["end_date"])]
    if series.empty or series["value"].isna().all():
        return None
    percent = k["kind"] == "rate"
    unit = "" if percent else k["unit"]
    med = series[series["is_median"]].sort_values("end_date")
    findings = []
    last = med.iloc[-1]
    text = f"{queries.MEDIAN_LABEL} {last['period_label']}: {_num(last['value'], unit, percent)}"
    if len(med) > 1:
        before = med.iloc[-2]
        change = _change(last["value"], before["value"])
        if change:
            text += f", {change} so với {before['period_label']}"
    findings.append(text + f" ({int(last['units_reported'])} đơn vị có số liệu).")
    for unit_code in lines[:2]:
        s = series[series["unit_code"] == unit_code].sort_values("end_date")
        if s.empty:
            continue
        r = s.iloc[-1]
        name = _names_of(ctx, [unit_code])[0] if unit_code in set(ctx.expected["code"]) else r["series"]
        if pd.isna(r["value"]):
            findings.append(f"{name.capitalize()} chưa báo cáo «{k['label']}» {r['period_label']}.")
        else:
            findings.append(f"{name.capitalize()}: {_num(r['value'], unit, percent)} "
                            f"{r['period_label']}.")
    if len(med) > 2:
        first = med.iloc[0]
        change = _change(last["value"], first["value"])
        if change:
            findings.append(f"So với {first['period_label']}, trung vị {change}.")
    title = f"{k['label']}: xu hướng theo {_kind_word(p['kind'])}"
    names = ", ".join(dict.fromkeys(series.loc[~series["is_median"], "series"]))
    fig = charts.trend_chart(
        series, title=title,
        subtitle=f"{names + ' · ' if names else ''}đường nét đứt: {queries.MEDIAN_LABEL.lower()}",
        updated=ctx.updated, demo=ctx.demo, percent=percent,
        axis_title="%" if percent else k["unit"])
    return Item("trends", title, fig, tables.trend_table(series), findings[:MAX_FINDINGS])


def _kind_word(kind: str) -> str:
    from etl.domain.periods import KIND_LABELS
    return {"range": "cùng khoảng ngày mỗi năm"}.get(kind, KIND_LABELS.get(kind, kind).lower())


def _dvk_item(ctx: _Ctx) -> Item | None:
    item = _group_item(ctx, "dvk", DVK_GROUP)
    if item is None:
        return None
    by_unit = getattr(queries, "dvk_by_unit", None)       # model lists (issue 5), when present
    if by_unit and ctx.period["kind"] == "year":
        units = ctx.in_scope(by_unit(ctx.con, ctx.period["period_key"]))
        listed = units[units["has_list"]]
        if len(listed):
            best = listed.sort_values("n_running", ascending=False).iloc[0]
            item.findings.insert(1, (
                f"{len(listed)}/{len(units)} đơn vị gửi danh sách mô hình; nhiều mô hình đang "
                f"thực hiện nhất: {unit_name(best['type_label'], best['name'])} "
                f"({vn.format_number(best['n_running'])} mô hình)."))
            item.findings = item.findings[:MAX_FINDINGS]
    return item


def _assessment_item(ctx: _Ctx) -> Item | None:
    res = ctx.in_scope(queries.assessment(ctx.con, ctx.period["period_key"]))
    if res.empty or not (res["n_criteria"] > 0).any():
        return None
    res = res.reset_index(drop=True)
    label = ctx.period["display"]
    total = res["total"].astype(float)
    full = res[total.notna()]
    findings = []
    ratings = queries.ratings(ctx.con).sort_values("sort_order")
    counts = [f"{r} {int((full['rating'] == r).sum())}" for r in ratings["rating"]]
    findings.append(f"{len(full)}/{len(res)} đơn vị có đủ 10 tiêu chí; xếp loại: "
                    + ", ".join(counts) + " đơn vị.")
    if len(full):
        hi, lo = full.iloc[0], full.iloc[-1]
        text = f"Cao nhất: {unit_name(hi['type_label'], hi['name'])} ({_num(hi['total'], 'điểm', decimals=1)})"
        if len(full) > 1:
            text += f"; thấp nhất: {unit_name(lo['type_label'], lo['name'])} ({_num(lo['total'], 'điểm', decimals=1)})"
        findings.append(text + ".")
    partial = res[(res["n_criteria"] > 0) & total.isna()]
    if len(partial):
        findings.append("Chưa đủ 10 tiêu chí, chưa tính tổng điểm: " + name_list(
            [f"{unit_name(t, n)} ({int(c)}/10)" for t, n, c in
             zip(partial["type_label"], partial["name"], partial["n_criteria"])]) + ".")
    none = res[res["n_criteria"] == 0]
    if len(none):
        findings.append(f"Chưa báo cáo điểm ({len(none)} đơn vị): "
                        f"{name_list([unit_name(t, n) for t, n in zip(none['type_label'], none['name'])])}.")
    shown = res if len(res) <= SLIDE_ROWS else pd.concat([full.head(TOP), full.tail(BOTTOM)]).drop_duplicates("code")
    title = f"Tổng điểm chấm điểm dân vận — {label}"
    subtitle = f"{_scope_phrase(ctx)} · màu: xếp loại · {len(full)}/{len(res)} đơn vị đủ 10 tiêu chí"
    if len(shown) < len(res):
        subtitle += f" · {TOP} cao nhất, {BOTTOM} thấp nhất (bảng số liệu có đủ các đơn vị)"
    fig = charts.assessment_ranking_chart(shown, title=title, subtitle=subtitle,
                                          updated=ctx.updated, demo=ctx.demo)
    # Its legend sits above the top axis in paper units computed for the screen height: place
    # it again for the slide height (top margin 170 px, bottom 80 px, as the chart sets them).
    fig.update_layout(legend_y=1 + 34 / (figures.HEIGHT - 170 - 80))
    table = pd.DataFrame({
        "Hạng": res["rank"].astype("Float64"), "Mã đơn vị": res["code"].astype(str),
        "Đơn vị": res["name"], "Loại": res["type_label"],
        "Số tiêu chí đã báo cáo": res["n_criteria"].astype(float),
        "Tổng điểm": [t if not math.isnan(t) else ("Chưa đủ 10 tiêu chí" if n else math.nan)
                      for t, n in zip(total, res["n_criteria"])],
        "Xếp loại": res["rating"].astype(object),
        "Tổng điểm cùng kỳ": res["prev_total"].astype(float),
        "Xếp loại cùng kỳ": res["prev_rating"].astype(object)})
    return Item("assessment", title, fig, table, findings[:MAX_FINDINGS])


def collect(con, period_key: str, units=(), sections=tuple(SECTIONS)) -> Pack:
    """Every chart, table and finding of the pack (no images yet)."""
    ps = queries.periods(con)
    row = ps[ps["period_key"] == period_key]
    if row.empty:
        raise BriefError(f"Kỳ «{period_key}» chưa có báo cáo nào trong cơ sở dữ liệu.")
    period = row.iloc[0].to_dict()
    all_units = queries.units(con)
    units = [str(u).strip() for u in units if str(u).strip()]
    unknown = [u for u in units if u not in set(all_units["code"])]
    if unknown:
        raise BriefError(f"Không có đơn vị mã {', '.join(unknown)} trong danh sách đơn vị.")
    bad = [s for s in sections if s not in SECTIONS]
    if bad:
        raise BriefError(f"Phần báo cáo không hợp lệ: {', '.join(bad)}. "
                         f"Chọn trong: {', '.join(SECTIONS)}.")
    missing = queries.missing_units(con, period_key)
    reported = queries.ranking(con, period_key, "population")[["code", "name", "type_label"]]
    expected = reported if not units else all_units[all_units["code"].isin(units)][
        ["code", "name", "type_label"]]
    # Names in findings follow the Vietnamese alphabet, as in every list of the dashboard.
    expected = expected.iloc[sorted(range(len(expected)),
                                    key=lambda i: vn.sort_key(expected["name"].iloc[i]))]
    prev_key = queries._previous_key(period_key)
    prev_exists = prev_key is not None and prev_key in set(ps["period_key"])
    prev_label = (ps.loc[ps["period_key"] == prev_key, "display"].iloc[0] if prev_exists
                  else (from_key(prev_key).label if prev_key else "không có"))
    info = queries.dataset_info(con)
    ctx = _Ctx(con, period, prev_key, prev_label, prev_exists, units or None,
               expected.reset_index(drop=True), info["last_loaded"], info["demo"],
               queries.catalogue(con))

    notes = []
    scope_missing = ctx.in_scope(missing)
    n_expected = len(expected)
    n_missing = len(scope_missing)
    notes.append(f"Phạm vi: {_scope_phrase(ctx).lower() if units else 'toàn thành phố'}"
                 + (f" ({name_list(_names_of(ctx, units), 10)})" if units else "")
                 + f". Đã báo cáo: {n_expected - n_missing}/{n_expected} đơn vị.")
    if n_missing:
        notes.append(f"Chưa báo cáo kỳ này ({n_missing} đơn vị): "
                     + name_list([unit_name(t, n) for t, n in
                                  zip(scope_missing["type_label"], scope_missing["name"])], 10) + ".")
    if period["kind"] == "range":
        notes.append(f"Kỳ báo cáo không trọn năm: {vn.format_number(period['days'])} ngày; "
                     "không so sánh trực tiếp với số liệu cả năm.")
    if info["demo"]:
        notes.append("DỮ LIỆU MẪU — không phải số liệu thật.")

    makers = {
        "overview": [lambda g=g: _group_item(ctx, "overview", g) for g in OVERVIEW_GROUPS],
        "compare": [lambda c=c, pc=pc: _ranking_item(ctx, c, pc) for c, pc in COMPARE],
        "trends": [lambda c=c: _trend_item(ctx, c) for c in TRENDS],
        "dvk": [lambda: _dvk_item(ctx)],
        "assessment": [lambda: _assessment_item(ctx)],
    }
    items, empty = [], []
    for section in SECTIONS:
        if section not in sections:
            continue
        made = [m() for m in makers[section]]
        items += [i for i in made if i is not None]
        if not any(made):
            empty.append(SECTIONS[section])
    if empty:
        notes.append(f"Không có số liệu kỳ này cho: {', '.join(empty)}.")
    scope = ("Toàn thành phố" if not units else f"{len(units)} đơn vị: "
             + name_list([n for n in expected["name"]], 10))
    return Pack(period_key, period["display"], scope, info["last_loaded"], info["demo"],
                notes, items)


def build_pack(db_path, period_key: str, units=(), sections=tuple(SECTIONS),
               progress=None, images: bool = True) -> Pack:
    """collect() then one PNG per chart; progress(fraction 0–1, Vietnamese text) along the way."""
    def step(fraction, text):
        if progress:
            progress(min(1.0, fraction), text)

    t0 = time.perf_counter()
    step(0.02, "Đang đọc số liệu…")
    with db.connect(db_path, read_only=True) as con:
        pack = collect(con, period_key, units, sections)
    t1 = time.perf_counter()
    n = len(pack.items)
    if images and not figures.browser_available():
        # Findings and tables still go out; the pack says why the pictures are missing.
        pack.notes.append(figures.BROWSER_MISSING)
        images = False
    for i, item in enumerate(pack.items if images else [], start=1):
        step(0.1 + 0.85 * (i - 1) / max(1, n), f"Đang vẽ biểu đồ {i}/{n}: {item.title}")
        item.image = figures.to_image(item.figure, "png")
    step(0.97, "Đang ghép tệp…")
    pack.timings = {"collect_s": t1 - t0, "images_s": time.perf_counter() - t1, "charts": n}
    return pack


# ---------------------------------------------------------------- layout helpers

def cell_text(value, percent: bool = False) -> str:
    """vi-VN text of a table cell for slides and Word (blank = "Chưa báo cáo")."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return vn.NOT_REPORTED
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if percent:
            return vn.format_percent(float(value), 1)
        return vn.format_number(float(value), 0 if float(value).is_integer() else 2)
    return str(value)


def _table_rows(item: Item) -> tuple[list[str], list[list[str]]]:
    cols = [str(c) for c in item.table.columns]
    rows = [[cell_text(v, c in item.percent_columns) for v, c in zip(r, cols)]
            for r in item.table.itertuples(index=False)]
    return cols, rows


# ---------------------------------------------------------------- PowerPoint

def write_pptx(pack: Pack) -> bytes:
    """Title slide, then one slide per chart: title, picture, 2–4 findings."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)     # 16:9, 13,33 × 7,5 in
    width = prs.slide_width
    prs.core_properties.title = pack.title
    prs.core_properties.language = "vi-VN"

    def textbox(slide, left, top, w, h, lines, size=16, bold_first=False, color=None):
        box = slide.shapes.add_textbox(left, top, w, h)
        tf = box.text_frame
        tf.word_wrap = True
        for i, line in enumerate(lines):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.text = line
            p.font.size = Pt(size)
            p.font.bold = bold_first and i == 0
            if color:
                p.font.color.rgb = color
            p.space_after = Pt(8)
        return box

    def set_title(slide, text, top=Inches(0.35), size=30):
        t = slide.shapes.title
        t.left, t.top, t.width, t.height = Inches(0.5), top, width - Inches(1.0), Inches(1.0)
        t.text = text
        for p in t.text_frame.paragraphs:
            p.font.size = Pt(size)
            p.font.bold = True
            p.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)

    title_only = prs.slide_layouts[5]
    s = prs.slides.add_slide(title_only)
    set_title(s, pack.title, top=Inches(1.6), size=36)
    lines = [f"Số liệu cập nhật {vn.format_date(pack.updated)}"] + pack.notes
    textbox(s, Inches(0.8), Inches(3.0), width - Inches(1.6), Inches(4.0), lines, size=18)

    for item in pack.items:
        s = prs.slides.add_slide(title_only)
        set_title(s, item.title, size=24)
        if item.image:
            s.shapes.add_picture(io.BytesIO(item.image), Inches(0.3), Inches(1.35),
                                 width=Inches(8.9))
        textbox(s, Inches(9.4), Inches(1.45), Inches(3.65), Inches(5.6),
                ["Nhận xét"] + [f"• {f}" for f in item.findings], size=13, bold_first=True)
        if pack.demo:
            textbox(s, Inches(0.3), Inches(6.95), Inches(6), Inches(0.4),
                    ["DỮ LIỆU MẪU — không phải số liệu thật"], size=11,
                    color=RGBColor(0xC0, 0x00, 0x00))
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- Word

MAX_DOC_ROWS = 120


def write_docx(pack: Pack) -> bytes:
    """A report: title, scope and notes, then per section each chart, its findings and table."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)          # A4, the administrative paper
    sec.left_margin = sec.right_margin = Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    doc.core_properties.title = pack.title
    doc.core_properties.language = "vi-VN"

    doc.add_heading(pack.title, level=0)
    doc.add_paragraph(pack.scope)
    doc.add_paragraph(pack.source())
    for note in pack.notes:
        doc.add_paragraph(note, style="List Bullet")
    current = None
    for n, item in enumerate(pack.items, start=1):
        if item.section != current:
            current = item.section
            doc.add_heading(SECTIONS[current], level=1)
        doc.add_heading(f"Biểu đồ {n}. {item.title}", level=2)
        if item.image:
            doc.add_picture(io.BytesIO(item.image), width=Cm(17))
        for f in item.findings:
            doc.add_paragraph(f, style="List Bullet")
        cols, rows = _table_rows(item)
        extra = len(rows) - MAX_DOC_ROWS
        rows = rows[:MAX_DOC_ROWS]
        table = doc.add_table(rows=1 + len(rows), cols=len(cols))
        table.style = "Table Grid"
        cells = table._cells         # one list: much faster than table.cell() per cell
        for j, c in enumerate(cols):
            cells[j].text = c
            for run in cells[j].paragraphs[0].runs:
                run.font.bold = True
        for i, r in enumerate(rows, start=1):
            for j, v in enumerate(r):
                cells[i * len(cols) + j].text = v
        for cell in cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
        if extra > 0:
            doc.add_paragraph(f"(Còn {vn.format_number(extra)} dòng: xem tệp Excel của biểu đồ.)")
        doc.add_paragraph()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- command line

def brief_cli(db_path, period: str, units: str | None, output: str, sections=None) -> int:
    """python -m etl brief --period P [--units A,B] -o FILE.pptx|FILE.docx"""
    out = Path(output)
    kind = out.suffix.lower()
    if kind not in (".pptx", ".docx"):
        print(f"Lỗi: tệp kết quả phải có đuôi .pptx hoặc .docx (nhận được «{output}»).",
              file=sys.stderr)
        return 2
    try:
        key = parse_period(period).key if "/" not in period else from_key(period).key
    except PeriodError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    codes = [u.strip() for u in (units or "").split(",") if u.strip()]
    chosen = [s.strip() for s in (sections or ",".join(SECTIONS)).split(",") if s.strip()]

    def progress(fraction, text):
        print(f"[{round(fraction * 100):3d}%] {text}", file=sys.stderr)

    try:
        pack = build_pack(db_path, key, codes, chosen, progress)
        data = write_pptx(pack) if kind == ".pptx" else write_docx(pack)
    except BriefError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except figures.ExportError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 3
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    t = pack.timings
    print(f"Đã tạo {out}: {len(pack.items)} biểu đồ, kỳ {pack.period_label}, {pack.scope} "
          f"({vn.format_number(t['collect_s'] + t['images_s'], 1)} giây).")
    if pack.demo:
        print("Cảnh báo: báo cáo dùng DỮ LIỆU MẪU, không phải số liệu thật.", file=sys.stderr)
    return 0
