"""The «Dân vận khéo» models sheet: each row a model, checked against the lists of data/, then
the model counts typed in «Chỉ tiêu» against the list."""
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from etl.domain import dvk, layout
from etl.domain.findings import ERROR, WARNING
from etl.intake.validate.catalogue import Catalogue
from etl.intake.validate.texts import as_typed, fmt, plain_number


@dataclass
class _Sheet:
    """What every row of one models sheet is checked with, and the names seen so far."""
    name: str
    catalogue: Catalogue
    options: dict           # list -> {option key: value}
    last_year: int
    error: Callable         # error(rule, message, cell, raw)
    seen: dict = field(default_factory=dict)    # name key -> first row number


def check_models(report, catalogue: Catalogue, period, clean: dict, add) -> list[dvk.ModelRow]:
    """Each row of the models sheet: name required, field and the other lists from data/, a
    plausible year, no model twice; then the counts in «Chỉ tiêu» against the list (warnings)."""
    sheet = report.models_sheet

    def error(rule, message, cell, raw):
        add(rule, ERROR, message, cell, as_typed(raw), where=sheet)

    ctx = _Sheet(sheet, catalogue, {lst: {dvk.option_key(v): v for v in values}
                             for lst, values in catalogue.options.items()},
                 period.end.year if period else date.today().year, error)
    rows = [row for m in report.models if (row := _model_row(m, ctx)) is not None]
    if len(rows) == len(report.models) and period:
        _check_model_counts(rows, period, clean, add, catalogue.statuses.get(dvk.ACTIVE))
    return rows


def _cell(m, key: str) -> tuple:
    return m.cells.get(key, (None, ""))


def _model_row(m, ctx: _Sheet) -> dvk.ModelRow | None:
    """The row as a model, or None when it has an error (every error of the row is reported)."""
    raw_name, name_cell = _cell(m, "name")
    name = dvk.clean_name(raw_name) if raw_name is not None else ""
    ok = True
    if not name:
        ctx.error("dvk_missing_name", f"Dòng {m.row_number}: có thông tin mô hình nhưng thiếu "
                                      "«Tên mô hình».", name_cell or f"B{m.row_number}", raw_name)
        ok = False
    label = f"Mô hình «{name}»" if name else f"Dòng {m.row_number}"
    picked, lists_ok = _picked_options(m, label, ctx)
    year, year_ok = _year_started(m, label, ctx)
    key = dvk.name_key(name)
    if name and key in ctx.seen:
        ctx.error("dvk_duplicate_model", f"{label} được ghi hai lần (dòng {ctx.seen[key]} và dòng "
                                         f"{m.row_number}); mỗi mô hình một dòng.", name_cell, raw_name)
        ok = False
    ctx.seen.setdefault(key, m.row_number)
    if not (ok and lists_ok and year_ok):
        return None
    raw_lead = _cell(m, "lead_org")[0]
    return dvk.ModelRow(
        name=name, name_key=key, field=picked[dvk.FIELD],
        lead_org=dvk.clean_name(raw_lead) if raw_lead is not None else None,
        year_started=year, recognition=picked[dvk.RECOGNITION], status=picked[dvk.STATUS],
        sheet=ctx.name, row_number=m.row_number)


def _picked_options(m, label: str, ctx: _Sheet) -> tuple[dict, bool]:
    """Field, recognition and status as the lists spell them (field required), and whether
    all were found."""
    picked, ok = {}, True
    for lst in (dvk.FIELD, dvk.RECOGNITION, dvk.STATUS):
        raw, cell = _cell(m, lst)
        header = layout.MODEL_HEADERS[lst]
        if raw is None:
            if lst == dvk.FIELD:
                ctx.error("dvk_missing_field", f"{label}: thiếu «{header}» (chọn trong danh sách).",
                          cell or f"C{m.row_number}", raw)
                ok = False
            picked[lst] = None
            continue
        value = ctx.options.get(lst, {}).get(dvk.option_key(raw))
        if value is None:
            allowed = "; ".join(ctx.catalogue.options.get(lst, []))
            ctx.error(f"dvk_unknown_{lst}", f"{label}: «{as_typed(raw)}» không có trong danh sách "
                                            f"«{header}» ({allowed}).", cell, raw)
            ok = False
        picked[lst] = value
    return picked, ok


def _year_of(raw) -> int | None:
    """A typed year as an int, or None when it is not a whole number."""
    if isinstance(raw, (bool, date, datetime, time, timedelta)):
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        return int(raw) if raw.isdigit() and len(raw) <= 4 else None
    if isinstance(raw, (int, float)) and math.isfinite(raw) and float(raw).is_integer():
        return int(raw)
    return None


def _year_started(m, label: str, ctx: _Sheet) -> tuple[int | None, bool]:
    """«Năm bắt đầu» (optional) as a year up to the end of the period, and whether it is one."""
    raw, cell = _cell(m, "year_started")
    if raw is None:
        return None, True
    year = _year_of(raw)
    if year is None or not dvk.MIN_YEAR <= year <= ctx.last_year:
        ctx.error("dvk_bad_year", f"{label}: «Năm bắt đầu» phải là một năm từ {dvk.MIN_YEAR} "
                                  f"đến {ctx.last_year} (năm kết thúc kỳ báo cáo).", cell, raw)
        return year, False
    return year, True


def _check_model_counts(rows, period, clean, add, active_status: str | None) -> None:
    """The counts typed in «Chỉ tiêu» should agree with the list (a warning: either may be late).
    active_status: the status value that means the model runs (data/dvk_options.csv)."""
    def agree(code: str, counted: int, label: str, listed: str) -> None:
        if code not in clean:
            return
        row, cell = clean[code]
        if row.value != counted:
            add(f"{code}_mismatch", WARNING,
                f"«Mô hình \"Dân vận khéo\" {label}» ghi {fmt(row.value)} nhưng danh sách "
                f"«{layout.SHEET_MODELS}» có {counted} {listed}. Cần xác nhận.",
                cell, plain_number(row.value))

    if active_status:
        agree("dvk_models_active", sum(r.status == active_status for r in rows), "đang duy trì",
              f"mô hình «{active_status}»")
    # New models are counted by start year, so only whole years can be compared.
    whole_years = (period.start.month, period.start.day, period.end.month, period.end.day) == (1, 1, 12, 31)
    if whole_years:
        agree("dvk_models_new",
              sum(r.year_started is not None and period.start.year <= r.year_started <= period.end.year
                  for r in rows),
              "xây dựng mới trong kỳ", "mô hình bắt đầu trong kỳ")
