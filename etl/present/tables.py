"""The table behind a chart as .xlsx (vi-VN number formats) or .csv (UTF-8 with BOM). No Streamlit.

A blank value (not reported) is written as the text "Chưa báo cáo", never 0. Text that a
spreadsheet would run as a formula (starting with =, +, -, @, or a tab / carriage return) is
neutralised: in .xlsx it is a text cell with Excel's own "leading apostrophe" flag (quotePrefix),
so the value stays exact but never runs; in .csv it gets a leading apostrophe (OWASP advice).
"""
import codecs
import csv
import io
import math
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from etl.domain import vn

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
INTEGER_FORMAT = "#,##0"            # Excel shows it as 1.020 under Vietnamese regional settings
DECIMAL_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "dd/mm/yyyy"
MAX_WIDTH = 60
DATA_SHEET = "Số liệu"
NOTES_SHEET = "Ghi chú"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def is_formula_like(text) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_START)


def safe_csv_text(text: str) -> str:
    return "'" + text if is_formula_like(text) else text


def _sql_string(text: str) -> str:
    # chr() for control characters: a raw tab inside a SQL literal is invisible when read.
    return (f"chr({ord(text)})" if len(text) == 1 and not text.isprintable()
            else "'" + text.replace("'", "''") + "'")


def sql_csv_text(expr: str) -> str:
    """SQL for a text column of a CSV that DuckDB writes (`etl export`): safe_csv_text's rule,
    from the same FORMULA_START, so a streamed export of millions of rows is guarded like
    to_csv. NULL stays NULL (an empty cell)."""
    starts = " OR ".join(f"starts_with({expr}, {_sql_string(s)})" for s in FORMULA_START)
    return f"CASE WHEN {starts} THEN '''' || {expr} ELSE {expr} END"


def _is_blank(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def column_format(series: pd.Series, percent: bool = False) -> str | None:
    """Excel number format for a numeric column: integers grouped, decimals with two places."""
    numbers = pd.to_numeric(series, errors="coerce").dropna()
    if percent:
        return PERCENT_FORMAT
    if numbers.empty or not pd.api.types.is_numeric_dtype(series.dropna().infer_objects()):
        return None
    return INTEGER_FORMAT if (numbers == numbers.round()).all() else DECIMAL_FORMAT


def _cell_value(value):
    if _is_blank(value):
        return vn.NOT_REPORTED
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()          # numpy scalar -> Python
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return value


def to_xlsx(df: pd.DataFrame, *, title: str = "", notes=(), percent_columns=(),
            formats: dict | None = None) -> bytes:
    """One sheet of data (header row frozen, widths fitted) and a sheet of notes (title, source).

    df columns are the Vietnamese headers; numeric columns hold raw numbers (NaN = not reported).
    formats: {column: Excel number format} overrides the inferred ones.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    columns = [str(c) for c in df.columns]
    fmts = {}
    for c in df.columns:
        fmts[str(c)] = (formats or {}).get(c) or column_format(df[c], c in percent_columns)
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        _neutralise(cell)
    widths = [len(c) for c in columns]
    for r, row in enumerate(df.itertuples(index=False), start=2):
        for j, raw in enumerate(row, start=1):
            value = _cell_value(raw)
            cell = ws.cell(row=r, column=j, value=value)
            if isinstance(value, str):
                _neutralise(cell)
                text = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                fmt = fmts[columns[j - 1]] or (INTEGER_FORMAT if float(value).is_integer()
                                               else DECIMAL_FORMAT)
                cell.number_format = fmt
                text = (vn.format_percent(value) if fmt == PERCENT_FORMAT
                        else vn.format_number(value, 0 if fmt == INTEGER_FORMAT else 2))
            elif isinstance(value, (date, datetime)):
                cell.number_format = DATE_FORMAT
                text = "00/00/0000"
            else:
                text = str(value)
            widths[j - 1] = max(widths[j - 1], len(text))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, w + 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions

    info = wb.create_sheet(NOTES_SHEET)
    for line in ([title] if title else []) + [str(n) for n in notes if n]:
        info.append([line])
        _neutralise(info.cell(row=info.max_row, column=1))
    if info.max_row:
        info["A1"].font = Font(bold=True, size=13)
    info.column_dimensions["A"].width = 110
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _neutralise(cell) -> None:
    # openpyxl stores any string starting with "=" as a formula unless told it is text.
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if is_formula_like(cell.value):
            cell.quotePrefix = True


def _csv_value(value) -> str:
    if _is_blank(value):
        return vn.NOT_REPORTED
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float):
        # Machine form, like `python -m etl export`: the .csv is for other tools; the .xlsx is
        # the one formatted for people (vi-VN grouping and decimal comma).
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return vn.format_date(value)
    return safe_csv_text(str(value))


def to_csv(df: pd.DataFrame) -> bytes:
    """Any DataFrame as CSV bytes for a download: UTF-8 with BOM (Excel then reads Vietnamese
    correctly), one header row; every text cell, header included, guarded against formulas."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([safe_csv_text(str(c)) for c in df.columns])
    for row in df.itertuples(index=False):
        writer.writerow([_csv_value(v) for v in row])
    return codecs.BOM_UTF8 + buf.getvalue().encode("utf-8")


# ---------------------------------------------------------------- the table behind each chart
# Raw numbers (NaN = not reported) under Vietnamese headers; to_xlsx/to_csv format them.

def _unit_note(reason) -> str:
    from etl.present.charts.style import BLANK_TEXT  # plotly: only when a table is built
    return "" if _is_blank(reason) else BLANK_TEXT.get(reason, vn.NOT_REPORTED)


def ranking_table(rank: pd.DataFrame, unit: str, per_capita: bool = False) -> pd.DataFrame:
    """read.compare.ranking() rows: rank, unit, value (and population, per 10,000) and why blank."""
    out = pd.DataFrame({
        "Hạng": rank["rank"].astype("Float64"),
        "Mã đơn vị": rank["code"].astype(str), "Đơn vị": rank["name"],
        "Loại": rank["type_label"],
        f"Giá trị ({unit})": rank["value"].astype(float)})
    if per_capita:
        out["Dân số"] = rank["population"].astype(float)
        out["Trên 10.000 dân"] = rank["metric"].astype(float)
    if "former_district" in rank and rank["former_district"].notna().any() and \
            rank["code"].astype(str).str.contains("@").any():
        # As reported, old units are read by their old district and province.
        out["Huyện cũ"] = rank["former_district"].fillna("")
        out["Tỉnh cũ"] = rank["former_province"].fillna("")
    est = estimated(rank)
    out["Ghi chú"] = [ESTIMATE_NOTE if e else _unit_note(r) for r, e in zip(rank["blank_reason"], est)]
    return out


ESTIMATE_NOTE = "Ước tính (quy từ đơn vị cũ trước 01/07/2025)"


def estimated(df: pd.DataFrame) -> list[bool]:
    """The rows' estimated column (false where the query has none)."""
    return [bool(x) for x in df["estimated"].fillna(False)] if "estimated" in df else [False] * len(df)


def compare_table(rows: pd.DataFrame, current_label: str, previous_label: str) -> pd.DataFrame:
    """Rows of city totals (label, unit, value, units_reported, prev_value, ...)."""
    value = rows["value"].astype(float)
    prev = rows["prev_value"].astype(float)
    out = pd.DataFrame({
        "Chỉ tiêu": rows["label"], "Đơn vị tính": rows["unit"], current_label: value,
        "Số đơn vị báo cáo": rows["units_reported"].astype(float),
        f"Cùng kỳ ({previous_label})": prev,
        "Số đơn vị báo cáo (cùng kỳ)": rows["prev_units_reported"].astype(float)})
    out["Tỷ lệ tăng/giảm"] = [(v - p) / p if p and not (math.isnan(v) or math.isnan(p)) else math.nan
                              for v, p in zip(value, prev)]
    if "estimated" in rows and (rows["estimated"].any() or rows["prev_estimated"].any()):
        out["Ghi chú"] = [ESTIMATE_NOTE if e or pe else ""
                          for e, pe in zip(rows["estimated"], rows["prev_estimated"])]
    return out


def trend_table(series: pd.DataFrame) -> pd.DataFrame:
    """read.trends.trend() rows: one row per series (units, then the median), one column per period."""
    series = series.sort_values("end_date", kind="stable")
    periods = list(dict.fromkeys(series["period_label"]))
    order = list(dict.fromkeys(series.sort_values(["is_median"], kind="stable")["series"]))
    wide = series.pivot_table(index="series", columns="period_label", values="value",
                              aggfunc="first", sort=False, dropna=False)
    wide = wide.reindex(index=order, columns=periods)
    out = wide.reset_index().rename(columns={"series": "Đơn vị"})
    out.columns = [str(c) for c in out.columns]
    marked = series[estimated(series)]
    if len(marked):
        out["Ghi chú"] = [
            f"{ESTIMATE_NOTE}: " + ", ".join(dict.fromkeys(marked.loc[marked["series"] == s, "period_label"]))
            if s in set(marked["series"]) else "" for s in out["Đơn vị"]]
    return out


def heatmap_table(grid: pd.DataFrame) -> pd.DataFrame:
    """read.compare.matrix() rows: one row per unit, one column per indicator (the shown metric)."""
    grid = grid.sort_values(["unit_order", "sort_order"], kind="stable")
    labels = list(dict.fromkeys(grid["label"]))
    codes = list(dict.fromkeys(grid["code"]))
    names = dict(zip(grid["code"], grid["name"]))
    wide = grid.pivot_table(index="code", columns="label", values="metric", aggfunc="first",
                            sort=False, dropna=False).reindex(index=codes, columns=labels)
    out = pd.DataFrame({"Mã đơn vị": [str(c) for c in codes], "Đơn vị": [names[c] for c in codes]})
    for label in labels:
        out[str(label)] = list(wide[label].astype(float))
    marked = grid[estimated(grid)]
    if len(marked):
        out["Ghi chú"] = [f"{ESTIMATE_NOTE}: " + ", ".join(dict.fromkeys(marked.loc[marked["code"] == c, "label"]))
                          if c in set(marked["code"]) else "" for c in codes]
    return out


def rate_columns(grid: pd.DataFrame) -> list[str]:
    """Columns of heatmap_table that hold rates (fractions shown as percentages)."""
    return [str(x) for x in dict.fromkeys(grid.loc[grid["kind"] == "rate", "label"])]


def renamed(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The chosen columns of a query result under Vietnamese headers, in the given order."""
    return df[list(columns)].rename(columns=columns).reset_index(drop=True)
