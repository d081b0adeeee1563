"""Everything a briefing pack shows, read through etl.read with the reader's Scope: the period,
the province (or all) and whether reports awaiting review count reach every query, so the pack
says what the pages say. Each *_item() queries, takes the numbers its findings need, and builds
its chart and table; the words are etl.briefing.sentences'.
"""
import math

import pandas as pd

from etl.briefing import sentences as say
from etl.briefing.context import Ctx, check_sections, context, notes, sentence_names
from etl.briefing.model import SECTIONS, Item, Pack
from etl.domain import vn
from etl.domain.periods import KIND_LABELS
from etl.present import boundaries, capping, charts, tables
from etl.read import assessment, compare, maps, models, reference, trends
from etl.read.scope import Scope

OVERVIEW_GROUPS = ["Tuyên truyền", "Đối thoại", "Tiếp công dân", "Đơn thư", "Hòa giải ở cơ sở"]
DVK_GROUP = "Dân vận khéo"
# (indicator or rate, per 10,000 residents): fair comparisons between wards of unequal size.
COMPARE = [("petitions_received", True), ("propaganda_sessions", True),
           ("mediation_success_rate", False)]
TRENDS = ["petitions_received", "mediation_cases"]
MAP = ("petitions_received", True)      # the compare section's map: the first ranking's indicator
MAX_TREND_UNITS = 6
MAX_FINDINGS = 4
# The rows a slide's chart holds at the minimum font (etl.briefing.layout): of the picture's 414 px
# (5,75 in at 72 px per inch), subtitle, axis, legend and notes take about 180, and a row of 14 px
# text needs 1.3 × 14 ≈ 18 px: 12 rows, the best 8 and the worst 4. The tables keep every unit.
CAP = capping.Cap(limit=12, top=8, bottom=4, grid_rows=20)


# ---------------------------------------------------------------- overview: totals vs cùng kỳ

def _group_totals(ctx: Ctx, group: str) -> pd.DataFrame:
    """Sum over the units in scope of each flow/stock of a group, now and in cùng kỳ, with the
    units that reported each (so a comparison on different units can be flagged)."""
    now = ctx.in_scope(compare.matrix(ctx.con, ctx.scope, group))
    before = (ctx.in_scope(compare.matrix(ctx.con, ctx.scope.at(ctx.prev_key), group))
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
            "estimated": bool(a["estimated"].any()), "prev_estimated": bool(b["estimated"].any()),
            "reported": set(a["code"]), "prev_reported": set(b["code"]),
            "top": (a.sort_values("value", ascending=False).iloc[0] if len(a) else None)})
    return pd.DataFrame(rows)


def _group_findings(ctx: Ctx, totals: pd.DataFrame) -> list[str]:
    n_scope = len(ctx.expected)
    lead = totals[totals["units_reported"] > 0].head(2)
    findings = []
    for i, r in enumerate(lead.itertuples()):
        top = None
        if i == 0 and r.top is not None and n_scope > 1:
            top = (vn.unit_name(r.top["type_label"], r.top["name"], in_sentence=True),
                   r.top["value"])
        findings.append(say.total_finding(r.label, r.unit, r.value, r.prev_value,
                                          ctx.prev_label if ctx.prev_exists else None, top)
                        + (say.ESTIMATE_SENTENCE if r.estimated or r.prev_estimated else ""))
    first = lead.iloc[0]
    missing = [c for c in ctx.expected["code"] if c not in first["reported"]]
    findings.append(say.reporting_finding(first["label"], first["units_reported"], n_scope,
                                          ctx.names_of(missing)))
    # Totals over different sets of units are not like for like: say which side lacks whom.
    cung_ky = say.cung_ky_finding(
        ctx.prev_label, ctx.prev_exists, first["prev_units_reported"], n_scope,
        ctx.names_of(first["reported"] - first["prev_reported"]),
        ctx.names_of(first["prev_reported"] - first["reported"]))
    if cung_ky:
        findings.append(cung_ky)
    return findings[:MAX_FINDINGS]


def _group_item(ctx: Ctx, section: str, group: str) -> Item | None:
    totals = _group_totals(ctx, group)
    if totals.empty or totals["units_reported"].sum() == 0:
        return None
    label = ctx.period["display"]
    n_reported = totals[totals["units_reported"] > 0].iloc[0]["units_reported"]
    title = f"{group}: {label} so với cùng kỳ"
    fig = charts.compare_chart(
        totals, title=title,
        subtitle=f"{ctx.chart_scope()} · {n_reported}/{len(ctx.expected)} đơn vị đã báo cáo",
        updated=ctx.updated, demo=ctx.demo, current_label=label, previous_label=ctx.prev_label)
    table = tables.compare_table(totals, label, ctx.prev_label)
    return Item(section, title, fig, table, _group_findings(ctx, totals), ["Tỷ lệ tăng/giảm"])


# ---------------------------------------------------------------- comparisons: rankings

def _cap_note(n_rows: int, n_valued: int) -> str:
    """The subtitle's word on units left off the slide ("" when it draws them all)."""
    if n_rows <= CAP.limit:
        return ""
    if n_valued <= CAP.top + CAP.bottom:
        # capping.note would promise 10 best and 5 worst where fewer have a value at all.
        return "biểu đồ: các đơn vị có số liệu; bảng số liệu có đủ"
    return capping.note(n_rows, CAP)


def _ranking_findings(rank: pd.DataFrame, show, median_text: str) -> list[str]:
    ranked = rank[rank["metric"].notna()]
    findings = []
    if len(ranked):
        findings.append(say.extremes_finding(
            show(ranked.iloc[0]), show(ranked.iloc[-1]) if len(ranked) > 1 else None))
        findings.append(say.median_of_units_finding(len(ranked), median_text))
    blanks = {reason: sentence_names(part) for reason, part in rank.groupby("blank_reason")}
    return (findings + say.blank_findings(blanks))[:MAX_FINDINGS]


def _shown(r, unit: str, percent: bool, dec) -> str:
    """'phường X (12,5 đơn/10.000 dân)' (an estimate says so)."""
    estimate = f", {say.ESTIMATE}" if r.get("estimated") else ""
    return (f"{vn.unit_name(r['type_label'], r['name'], in_sentence=True)} "
            f"({say.num(r['metric'], unit, percent, dec)}{estimate})")


def _ranking_item(ctx: Ctx, code: str, per_capita: bool) -> Item | None:
    k = ctx.cat(code)
    pc = reference.per_capita_applies(k, per_capita)
    rank = ctx.in_scope(compare.ranking(ctx.con, ctx.scope, code, pc))
    if rank.empty or not rank["reported"].any():
        return None
    has_value = rank["metric"].notna()
    percent = k["kind"] == "rate"
    unit = "" if percent else (f"{k['unit']}/10.000 dân" if pc else k["unit"])
    dec = 1 if pc else None

    def show(r):
        return _shown(r, unit, percent, dec)

    findings = _ranking_findings(
        rank, show, say.num(rank.loc[has_value, "metric"].median(), unit, percent, dec))
    # The rank is already the chosen units only: the cap keeps the best and worst of them.
    shown = capping.capped(rank, has_value, CAP)
    title = f"{k['label']}{' (trên 10.000 dân)' if pc else ''} — {ctx.period['display']}"
    subtitle = " · ".join(filter(None, [
        ctx.chart_scope(), f"{int(has_value.sum())}/{len(rank)} đơn vị có số liệu",
        _cap_note(len(rank), int(has_value.sum()))]))
    fig = charts.ranking_chart(shown, title=title, subtitle=subtitle, updated=ctx.updated,
                               demo=ctx.demo, percent=percent, decimals=dec)
    table = tables.ranking_table(rank, k["unit"], pc)
    return Item("compare", title, fig, table, findings, [f"Giá trị ({k['unit']})"] if percent else [])


def _map_item(ctx: Ctx, code: str, per_capita: bool) -> Item | None:
    """The indicator on the map of today's units (nationally: provinces, unless one is chosen);
    none "as reported" before the merger, whose old units have no outlines (said in the notes)."""
    if not maps.has_outlines(ctx.con, ctx.scope):
        return None
    k = ctx.cat(code)
    pc = reference.per_capita_applies(k, per_capita)
    province, provinces_level = maps.level(ctx.con, ctx.scope)
    if provinces_level:
        df, geojson, what = maps.by_province(ctx.con, ctx.scope, code, pc), boundaries.provinces(), "tỉnh, thành phố"
    else:
        df, geojson, what = compare.ranking(ctx.con, ctx.scope, code, pc), boundaries.communes(province), "đơn vị"
    if df.empty or not df["metric"].notna().any() or not geojson["features"]:
        return None              # nothing to colour, or a province without shipped outlines
    percent = k["kind"] == "rate"
    unit = f"{k['unit']}/10.000 dân" if pc else k["unit"]
    title = f"Bản đồ: {k['label']}{' (trên 10.000 dân)' if pc else ''} — {ctx.period['display']}"
    subtitle = " · ".join([ctx.chart_scope(), f"{int(df['metric'].notna().sum())}/{len(df)} {what} có số liệu",
                           "màu xám: chưa báo cáo"])
    fig = charts.map_chart(df, geojson, title=title, subtitle=subtitle, updated=ctx.updated, demo=ctx.demo,
                           percent=percent, decimals=1 if pc else None, value_label="%" if percent else unit,
                           highlight=ctx.chosen or ())
    # The map shows every unit around the chosen ones (outlined); its sentences are about them.
    told = df if provinces_level else ctx.in_scope(df)
    if not told["metric"].notna().any():
        return None
    blank = int(told["metric"].isna().sum())
    valued = told[told["metric"].notna()].sort_values("metric", ascending=False)
    dec = 1 if pc else None
    findings = [f"{len(valued)} {what} có số liệu"
                + (f"; {blank} {what} chưa có (màu xám, không phải 0)." if blank else "."),
                say.extremes_finding(_shown(valued.iloc[0], unit, percent, dec),
                                     _shown(valued.iloc[-1], unit, percent, dec) if len(valued) > 1 else None)]
    return Item("compare", title, fig, tables.ranking_table(df, k["unit"], pc), findings,
                [f"Giá trị ({k['unit']})"] if percent else [])


# ---------------------------------------------------------------- trends

def _kind_word(kind: str) -> str:
    return {"range": "cùng khoảng ngày mỗi năm"}.get(kind, KIND_LABELS.get(kind, kind).lower())


def _trend_findings(ctx: Ctx, series: pd.DataFrame, lines, k: dict) -> list[str]:
    percent = k["kind"] == "rate"
    unit = "" if percent else k["unit"]
    med = series[series["is_median"]].sort_values("end_date")
    last = med.iloc[-1]
    before = med.iloc[-2] if len(med) > 1 else None
    findings = [say.median_trend_finding(
        trends.MEDIAN_LABEL, last["period_label"], say.num(last["value"], unit, percent),
        say.change(last["value"], before["value"]) if before is not None else None,
        before["period_label"] if before is not None else None, int(last["units_reported"]))]
    if not lines and pd.notna(last["p25"]) and last["units_reported"] > 1:
        # The chart's band, in words: where the middle half of the units lie.
        findings.append(say.quartiles_finding(last["period_label"], say.num(last["p25"], "", percent),
                                              say.num(last["p75"], unit, percent)))
    known = ctx.expected.set_index("code")
    for unit_code in lines[:2]:
        s = series[series["unit_code"] == unit_code].sort_values("end_date")
        if s.empty:
            continue
        r = s.iloc[-1]
        name = (vn.unit_name(known.at[unit_code, "type_label"], known.at[unit_code, "name"])
                if unit_code in known.index else r["series"])
        value = None if pd.isna(r["value"]) else say.num(r["value"], unit, percent)
        findings.append(say.unit_trend_finding(name, k["label"], r["period_label"], value))
    if len(med) > 2:
        moved = say.change(last["value"], med.iloc[0]["value"])
        if moved:
            findings.append(say.since_first_finding(med.iloc[0]["period_label"], moved))
    return findings[:MAX_FINDINGS]


def _trend_item(ctx: Ctx, code: str) -> Item | None:
    k = ctx.cat(code)
    p = ctx.period
    lines = tuple(ctx.chosen or ())[:MAX_TREND_UNITS]
    # The median is of the area's units; chosen units draw their own lines.
    series = trends.trend(ctx.con, ctx.scope, code, p["kind"], lines, False, p["convention"])
    series = series[pd.to_datetime(series["end_date"]) <= pd.Timestamp(p["end_date"])]
    if series.empty or series["value"].isna().all():
        return None
    percent = k["kind"] == "rate"
    title = f"{k['label']}: xu hướng theo {_kind_word(p['kind'])}"
    names = ", ".join(dict.fromkeys(series.loc[~series["is_median"], "series"]))
    # Without units the chart draws the median's band (trend_chart): the subtitle says what it is.
    median = trends.MEDIAN_LABEL.lower()
    shows = (f"{names} · đường nét đứt: {median} ({ctx.area})" if names else
             f"{say.capital(ctx.area)} · vùng tô: một nửa số đơn vị ở khoảng giữa · đường nét đứt: {median}")
    fig = charts.trend_chart(
        series, title=title, subtitle=shows,
        updated=ctx.updated, demo=ctx.demo, percent=percent,
        axis_title="%" if percent else k["unit"])
    return Item("trends", title, fig, tables.trend_table(series),
                _trend_findings(ctx, series, lines, k))


# ---------------------------------------------------------------- Dân vận khéo, assessment

def _dvk_item(ctx: Ctx) -> Item | None:
    item = _group_item(ctx, "dvk", DVK_GROUP)
    if item is None or ctx.period["kind"] != "year":     # model lists are yearly
        return item
    units = ctx.in_scope(models.dvk_by_unit(ctx.con, ctx.scope))
    listed = units[units["has_list"]]
    if len(listed):
        best = listed.sort_values("n_running", ascending=False).iloc[0]
        item.findings.insert(1, say.models_finding(
            len(listed), len(units), vn.unit_name(best["type_label"], best["name"], in_sentence=True),
            best["n_running"]))
        item.findings = item.findings[:MAX_FINDINGS]
    return item


def _assessment_findings(ctx: Ctx, res: pd.DataFrame) -> list[str]:
    total = res["total"].astype(float)
    full = res[total.notna()]
    ratings = reference.ratings(ctx.con).sort_values("sort_order")
    counts = {r: int((full["rating"] == r).sum()) for r in ratings["rating"]}
    n_criteria = assessment.criteria(ctx.con).count
    findings = [say.ratings_finding(len(full), len(res), n_criteria, counts)]
    if len(full):
        def show(r):
            return (f"{vn.unit_name(r['type_label'], r['name'], in_sentence=True)} "
                    f"({say.score_text(r['total'])})")
        findings.append(say.extremes_finding(show(full.iloc[0]),
                                             show(full.iloc[-1]) if len(full) > 1 else None))
    partial = res[(res["n_criteria"] > 0) & total.isna()]
    if len(partial):
        findings.append(say.partial_scores_finding(
            n_criteria, zip(sentence_names(partial), partial["n_criteria"])))
    none = res[res["n_criteria"] == 0]
    if len(none):
        findings.append(say.no_scores_finding(sentence_names(none)))
    return findings[:MAX_FINDINGS]


def _assessment_table(res: pd.DataFrame) -> pd.DataFrame:
    total = res["total"].astype(float)
    return pd.DataFrame({
        "Hạng": res["rank"].astype("Float64"), "Mã đơn vị": res["code"].astype(str),
        "Đơn vị": res["name"], "Loại": res["type_label"],
        "Số tiêu chí đã báo cáo": res["n_criteria"].astype(float),
        "Tổng điểm": [t if not math.isnan(t) else (assessment.not_enough(req) if n else math.nan)
                      for t, n, req in zip(total, res["n_criteria"], res["n_required"])],
        "Xếp loại": res["rating"].astype(object),
        "Tổng điểm cùng kỳ": res["prev_total"].astype(float),
        "Xếp loại cùng kỳ": res["prev_rating"].astype(object)})


def _assessment_item(ctx: Ctx) -> Item | None:
    res = ctx.in_scope(assessment.assessment(ctx.con, ctx.scope))
    if res.empty or not (res["n_criteria"] > 0).any():
        return None
    res = res.reset_index(drop=True)
    has_total = res["total"].notna()
    shown = capping.capped(res, has_total, CAP)
    title = f"Tổng điểm chấm điểm dân vận — {ctx.period['display']}"
    subtitle = " · ".join(filter(None, [
        ctx.chart_scope(), "màu: xếp loại",
        f"{int(has_total.sum())}/{len(res)} đơn vị đủ {int(res['n_required'].iloc[0])} tiêu chí",
        _cap_note(len(res), int(has_total.sum()))]))
    fig = charts.assessment_ranking_chart(shown, title=title, subtitle=subtitle,
                                          updated=ctx.updated, demo=ctx.demo)
    return Item("assessment", title, fig, _assessment_table(res), _assessment_findings(ctx, res))


# ---------------------------------------------------------------- the pack

def _items(ctx: Ctx, sections) -> tuple[list[Item], list[str]]:
    """The items of the sections asked for, and the sections that had nothing to show."""
    makers = {
        "overview": [lambda g=g: _group_item(ctx, "overview", g) for g in OVERVIEW_GROUPS],
        "compare": [lambda: _map_item(ctx, *MAP)]
                   + [lambda c=c, pc=pc: _ranking_item(ctx, c, pc) for c, pc in COMPARE],
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
            empty.append(section)
    return items, empty


def collect(con, scope: Scope, units=(), sections=tuple(SECTIONS)) -> Pack:
    """Every chart, table and finding of the pack for scope (no images yet)."""
    check_sections(sections)
    ctx = context(con, scope, units)
    pack_notes = notes(ctx)
    items, empty = _items(ctx, sections)
    pack = Pack(scope.period, ctx.period["display"],
                say.scope_text(ctx.area, ctx.expected["name"] if ctx.chosen else (),
                               ctx.province_name),
                ctx.updated, ctx.demo, pack_notes, items, area=ctx.area,
                include_unreviewed=bool(scope.include_unreviewed))
    if empty:
        pack.notes.append(say.empty_sections_note(pack.section_title(s) for s in empty))
    if "compare" in sections and not maps.has_outlines(con, scope):
        pack.notes.append(say.NO_MAP)
    return pack
