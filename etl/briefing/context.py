"""What every item of a briefing pack shares, read once per pack: the checked input (period,
province, units; BriefError in Vietnamese), who the pack covers (the area words and the expected
units), cùng kỳ, and the title slide's notes. Every query takes the reader's Scope.
"""
from dataclasses import dataclass

import pandas as pd

from etl.briefing import sentences as say
from etl.briefing.model import SECTIONS, BriefError
from etl.domain import vn
from etl.domain.periods import from_key
from etl.read import city, compare, reference, versions
from etl.read.scope import Scope


@dataclass
class Ctx:
    con: object
    scope: Scope                   # scope.period is the pack's period
    period: dict
    prev_key: str | None
    prev_label: str
    prev_exists: bool
    chosen: list | None            # None = every unit of the area
    expected: pd.DataFrame         # units in the pack (code, name, type_label), alphabetical
    area: str                      # "toàn thành phố", the province's name, "cả nước"
    province_name: str | None      # the chosen province of a several-province registry
    updated: object
    demo: bool
    catalogue: pd.DataFrame
    merger: object = None          # the day today's units were formed (01/07/2025)

    def in_scope(self, df: pd.DataFrame, col: str = "code") -> pd.DataFrame:
        if self.chosen is None:
            return df
        return df[df[col].astype(str).isin(self.chosen)]

    def cat(self, code: str) -> dict:
        return self.catalogue[self.catalogue["code"] == code].iloc[0].to_dict()

    def names_of(self, codes) -> list[str]:
        """Names inside a sentence ('phường Việt Hòa'), in alphabetical order."""
        e = self.expected[self.expected["code"].isin(set(codes))]
        return sentence_names(e)

    def chart_scope(self) -> str:
        return say.chart_scope(self.area, len(self.chosen or ()))


def sentence_names(df: pd.DataFrame) -> list[str]:
    """'phường Việt Hòa' for each row (columns type_label, name), in the rows' order."""
    return [vn.unit_name(t, n, in_sentence=True) for t, n in zip(df["type_label"], df["name"])]


# ---------------------------------------------------------------- input and context

def _period(con, scope: Scope) -> tuple[dict, pd.DataFrame]:
    ps = reference.periods(con, scope.today)
    row = ps[ps["period_key"] == scope.period]
    if not scope.period or row.empty:
        raise BriefError(f"Kỳ «{scope.period or ''}» chưa có báo cáo nào trong cơ sở dữ liệu.")
    return row.iloc[0].to_dict(), ps


def _area(con, scope: Scope) -> tuple[str, str | None]:
    """(area words, the province's name when one is chosen among several)."""
    provinces = reference.provinces(con)
    names = dict(zip(provinces["code"].astype(str), provinces["name"]))
    if scope.province is not None and str(scope.province) not in names:
        # A few codes help the command line user; the country's 34 would drown the message.
        known = (f" (có: {', '.join(f'{c} – {n}' for c, n in names.items())})"
                 if len(names) <= 5 else "")
        raise BriefError(f"Không có tỉnh, thành phố mã «{scope.province}» trong danh sách"
                         f"{known}.")
    name = names.get(str(scope.province)) if len(names) > 1 and scope.province else None
    return say.area(len(names), name), name


def _chosen_units(con, scope: Scope, units, province_name: str | None) -> list[str]:
    """The units asked for, each in the registry and in the chosen province."""
    all_units = reference.units(con, include_old=True)
    units = list(dict.fromkeys(str(u).strip() for u in units if str(u).strip()))
    unknown = [u for u in units if u not in set(all_units["code"])]
    if unknown:
        raise BriefError(f"Không có đơn vị mã {', '.join(unknown)} trong danh sách đơn vị.")
    if scope.province is not None:
        of_province = set(all_units.loc[all_units["province_code"] == scope.province, "code"])
        outside = all_units[all_units["code"].isin([u for u in units if u not in of_province])]
        if len(outside):
            where = province_name or "tỉnh, thành phố đang chọn"
            raise BriefError(
                f"Đơn vị không thuộc {where}: "
                + ", ".join(f"{vn.unit_name(t, n)} ({c})" for c, t, n in
                            zip(outside["code"], outside["type_label"], outside["name"]))
                + f". Bỏ các đơn vị này hoặc chọn phạm vi khác (báo cáo chỉ gồm đơn vị của {where}).")
    return units


def check_sections(sections) -> None:
    bad = [s for s in sections if s not in SECTIONS]
    if bad:
        raise BriefError(f"Phần báo cáo không hợp lệ: {', '.join(bad)}. "
                         f"Chọn trong: {', '.join(SECTIONS)}.")


def context(con, scope: Scope, units=()) -> Ctx:
    """Checks the input (BriefError in Vietnamese) and reads what every item shares."""
    period, ps = _period(con, scope)
    area, province_name = _area(con, scope)
    units = _chosen_units(con, scope, units, province_name)
    if units:
        all_units = reference.units(con, include_old=True)
        expected = all_units[all_units["code"].isin(units)][["code", "name", "type_label"]]
    else:    # every unit the period expects in the area (ranking lists them all)
        expected = compare.ranking(con, scope, "population")[["code", "name", "type_label"]]
    # Names in findings follow the Vietnamese alphabet, as in every list of the dashboard.
    expected = expected.iloc[sorted(range(len(expected)),
                                    key=lambda i: vn.sort_key(expected["name"].iloc[i]))]
    prev_key = city.previous_period(scope.period)
    prev_exists = prev_key is not None and prev_key in set(ps["period_key"])
    prev_label = (ps.loc[ps["period_key"] == prev_key, "display"].iloc[0] if prev_exists
                  else (from_key(prev_key).label if prev_key else "không có"))
    info = reference.dataset_info(con)
    return Ctx(con, scope, period, prev_key, prev_label, prev_exists, units or None,
               expected.reset_index(drop=True), area, province_name, info["last_loaded"],
               info["demo"], reference.catalogue(con), reference.merger_date(con))


def notes(ctx: Ctx) -> list[str]:
    """The title slide's notes: scope and coverage, who did not report, what counts."""
    missing = ctx.in_scope(city.missing_units(ctx.con, ctx.scope))
    chosen_names = ctx.names_of(ctx.chosen) if ctx.chosen else []
    n_expected = len(ctx.expected)
    out = [say.scope_note(ctx.area, chosen_names, n_expected - len(missing), n_expected,
                          ctx.province_name)]
    if len(missing):
        out.append(say.missing_note(sentence_names(missing)))
    if ctx.scope.include_unreviewed:
        out.append(say.unreviewed_note())
    else:
        # Counted as "reported" above, yet their newest report is not in the pack (an earlier
        # accepted version is, if there is one): say so, or the blanks look like no report.
        pend = versions.pending(ctx.con)
        pend = pend[(pend["period_key"] == ctx.scope.period)
                    & pend["unit_code"].isin(set(ctx.expected["code"]))]
        if len(pend):
            out.append(say.pending_note(ctx.names_of(pend["unit_code"])))
    if ctx.period["kind"] == "range":
        out.append(say.partial_period_note(ctx.period["days"]))
    before = ctx.merger is not None and pd.Timestamp(ctx.period["start_date"]) < pd.Timestamp(ctx.merger)
    out.append(say.boundaries_note(ctx.scope.today, before))
    if ctx.demo:
        out.append(say.DEMO_NOTE)
    return out
