"""Check a ParsedReport against the catalogue, the rules and the unit registry (DOMAIN.md §4).

Pure: everything it needs is passed in (load_reference and the loader's history query read the
database), so the CLI, the web upload and the tests check a file the same way.
"""
import math
import operator
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from etl.domain import dvk, layout, vn
from etl.domain.findings import ERROR, NOTICE, WARNING, Finding, collapse
from etl.domain.periods import CONVENTION_LABELS, Period, PeriodError, from_key, period_text
from etl.intake.reader import ParsedReport
from etl.warehouse.store import ValueRow

OPS = {"=": operator.eq, "==": operator.eq, "<=": operator.le, ">=": operator.ge,
       "<": operator.lt, ">": operator.gt, "!=": operator.ne}
OP_WORDS = {"=": "phải bằng", "==": "phải bằng", "<=": "không được lớn hơn",
            ">=": "không được nhỏ hơn", "<": "phải nhỏ hơn", ">": "phải lớn hơn", "!=": "phải khác"}
TOLERANCE = 1e-9
MIN_OWN_POINTS = 4          # earlier reports of the unit needed before judging a value against them
MIN_PEER_UNITS = 10         # other units needed before judging a value against them
FENCE = 3.0                 # how many IQRs outside the quartiles counts as "far"
ZERO_MIN_POINTS = 2         # a 0 after at least this many reports ...
ZERO_EXPECTED = 10          # ... whose typical level would give at least this many in the period


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    kind: str               # flow | stock | score
    value_type: str         # integer | decimal
    min_value: float | None
    max_value: float | None


@dataclass(frozen=True)
class Rule:
    rule_id: str
    left: tuple[str, ...]
    op: str
    right: tuple[str, ...]
    severity: str
    message: str


@dataclass(frozen=True)
class Unit:
    code: str
    name: str               # with its type: "Phường Việt Hòa"
    valid_from: date | None
    valid_to: date | None
    type_label: str = ""    # "Phường", "Xã", "Đặc khu"


@dataclass
class Catalogue:
    indicators: dict[str, Indicator]
    rules: list[Rule]
    options: dict[str, list[str]] = field(default_factory=dict)   # dvk_options lists


@dataclass(frozen=True)
class Stats:
    n: int
    q1: float
    median: float
    q3: float


@dataclass
class History:
    own: dict[str, Stats] = field(default_factory=dict)    # flows per day; stocks, scores as levels
    peers: dict[str, Stats] = field(default_factory=dict)  # flows per 10,000 residents per day
    population: float | None = None                        # latest known, when the report has none


@dataclass
class ValidationResult:
    unit_code: str | None
    unit: Unit | None
    period: Period | None
    values: list[ValueRow]
    findings: list[Finding]
    models: list[dvk.ModelRow] = field(default_factory=list)

    def _of(self, severity):
        return [f for f in self.findings if f.severity == severity]

    @property
    def errors(self):
        return self._of(ERROR)

    @property
    def warnings(self):
        return self._of(WARNING)

    @property
    def notices(self):
        return self._of(NOTICE)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_rule(rule_id, left, op, right, severity, message) -> Rule:
    def side(expr):
        return tuple(part.strip() for part in expr.split("+") if part.strip())
    if op not in OPS:
        raise ValueError(f"rule {rule_id}: unknown operator {op!r}")
    return Rule(rule_id, side(left), op, side(right), severity, message)


def load_reference(con) -> tuple[Catalogue, dict[str, Unit]]:
    indicators = {r[0]: Indicator(*r) for r in con.execute(
        "SELECT code, label, unit, kind, value_type, min_value, max_value FROM indicators "
        "ORDER BY sort_order").fetchall()}
    rules = [parse_rule(*r) for r in con.execute(
        "SELECT rule_id, left_expr, op, right_expr, severity, message FROM rules "
        "ORDER BY rule_id").fetchall()]
    units = {r[0]: Unit(r[0], f"{r[1]} {r[2]}", r[3], r[4], r[1]) for r in con.execute(
        "SELECT code, type_label, name, valid_from, valid_to FROM units").fetchall()}
    return Catalogue(indicators, rules, dvk.load_options(con)), units


def report_period(report: ParsedReport) -> Period | None:
    try:
        return from_key(report.period_key) if report.period_key else None
    except PeriodError:
        return None


def plain_number(value: float) -> str:
    """1020 -> '1020', 19.94 -> '19,94': what the reader made of a text, without grouping."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value)).replace(".", ",")


def _shown(raw) -> str:
    """A cell's content as the person typed it, in Vietnamese number form."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, (int, float)) and math.isfinite(raw):
        return plain_number(raw)
    if isinstance(raw, (date, datetime, time)):
        return vn.format_date(raw) if isinstance(raw, date) else raw.isoformat()
    return "" if raw is None else str(raw)


def fmt(value: float) -> str:
    return vn.format_number(value, None if abs(value) >= 1 or value == 0 else 4)


def validate(report: ParsedReport, catalogue: Catalogue, units: dict[str, Unit],
             history: History | None = None, today: date | None = None) -> ValidationResult:
    findings = list(report.findings)
    result = ValidationResult(report.unit_code, None, None, [], findings)
    if report.ok:
        add = _adder(report, findings)
        _check_header(report, units, today or date.today(), result, add)
        clean = _check_values(report, catalogue, add)
        result.values = [row for row, _ in clean.values()]
        _check_rules(catalogue, clean, add)
        if report.models:
            result.models = _check_models(report, catalogue, result.period, clean, add)
    # Before the history warnings: those are one per indicator at most, each with its own level.
    result.findings[:] = collapse(findings)
    if history is not None:
        add_history_findings(result, report, catalogue, history)
    return result


def add_history_findings(result: ValidationResult, report: ParsedReport, catalogue: Catalogue,
                         history: History) -> None:
    """The outlier warnings, for a result validated without history: the loader checks a batch
    first and then fetches the history of all its valid files in one query."""
    if result.unit and result.period and result.ok:
        clean = {row.indicator_code: (row, row.cell) for row in result.values}
        _check_history(catalogue, clean, history, result.period, _adder(report, result.findings))


def _adder(report: ParsedReport, findings: list[Finding]):
    file, sheet = report.file_name, report.values_sheet or layout.SHEET_VALUES

    def add(rule, severity, message, cell="", value="", where=sheet):
        findings.append(Finding(file, where, cell, "" if value is None else str(value), rule,
                                severity, message))
    return add


def _check_header(report, units, today, result, add) -> None:
    info = report.info

    def at(key):
        return info.get(key, (None, ""))[1]

    def add_info(rule, severity, message, key, value=""):
        add(rule, severity, message, at(key), value, where=layout.SHEET_INFO)

    if report.template_version and report.template_version != layout.TEMPLATE_VERSION:
        add("template_version_differs", NOTICE,
            f"Tệp lập theo mẫu phiên bản {report.template_version}, mẫu hiện hành là "
            f"{layout.TEMPLATE_VERSION}: vẫn đọc theo tiêu đề cột.", where="")
    code = report.unit_code
    if not code:
        add_info("missing_unit", ERROR, "Thiếu mã đơn vị trong ô «Mã đơn vị».", "unit_code")
    elif code not in units:
        add_info("unknown_unit", ERROR,
                 f"Mã đơn vị «{code}» không có trong danh sách đơn vị hành chính. Không sửa mã "
                 "đơn vị của mẫu; nếu mẫu sai, hãy tải lại mẫu đúng.", "unit_code", code)
    else:
        result.unit = units[code]
    if not report.period_key:
        add_info("bad_period", ERROR, "Thiếu mã kỳ báo cáo trong ô «Mã kỳ báo cáo».", "period_key")
    else:
        try:
            result.period = from_key(report.period_key)
        except PeriodError as exc:
            add_info("bad_period", ERROR, str(exc), "period_key", report.period_key)
    meta_code, meta_period = report.meta.get("unit_code"), report.meta.get("period_key")
    if (meta_code and code and meta_code != code) or (
            meta_period and report.period_key and meta_period != report.period_key):
        add_info("template_mismatch", WARNING,
                 f"Mẫu được tạo cho đơn vị {meta_code}, kỳ {meta_period}, nhưng tệp ghi đơn vị "
                 f"{code}, kỳ {report.period_key}: có thể đã sửa mã trên mẫu của đơn vị hoặc kỳ "
                 "khác. Cần xác nhận.", "unit_code")
    unit, period = result.unit, result.period
    # A period not begun yet is refused for that alone: its label would only repeat the error.
    _check_claims(report, unit, period if period and period.start <= today else None, add_info)
    if not period:
        return
    for key, expected in (("period_start", period.start), ("period_end", period.end)):
        typed = info.get(key, (None,))[0]
        typed = typed.date() if isinstance(typed, datetime) else typed
        if isinstance(typed, date) and typed != expected:
            add_info("period_dates_mismatch", WARNING,
                     f"Ngày ghi trong ô ({vn.format_date(typed)}) khác với kỳ báo cáo {period.label} "
                     f"({vn.format_date(expected)}); hệ thống dùng mã kỳ báo cáo.", key,
                     vn.format_date(typed))
    if period.start > today:
        add_info("period_in_future", ERROR,
                 f"Kỳ {period.label} bắt đầu sau ngày hôm nay ({vn.format_date(today)}): chưa thể "
                 "có số liệu.", "period_key", period.key)
    elif period.end > today:
        add_info("period_not_ended", WARNING,
                 f"Kỳ {period.label} chưa kết thúc (đến {vn.format_date(period.end)}): số liệu có "
                 "thể chưa đầy đủ. Cần xác nhận.", "period_key", period.key)
    if unit and unit.valid_to and period.start > unit.valid_to:
        add_info("period_after_unit_end", ERROR,
                 f"{unit.name} đã thôi hoạt động từ {vn.format_date(unit.valid_to)} (sắp xếp đơn vị "
                 f"hành chính); không nhận báo cáo cho kỳ {period.label}.", "unit_code", unit.code)
    if unit and unit.valid_from and period.start < unit.valid_from:
        add_info("period_before_unit", NOTICE,
                 f"Kỳ {period.label} bắt đầu trước ngày thành lập {unit.name} "
                 f"({vn.format_date(unit.valid_from)}): số liệu được hiểu là trên địa bàn hiện nay "
                 "của đơn vị.", "period_key", period.key)


def _loose(text: str) -> str:
    """A text as compared for meaning: NFC, case, spacing and diacritics aside (etl.vn.fold, so
    "Hoà" is "Hòa"), and any dash or spacing around dates ("01/01/2026 - 31/03/2026")."""
    folded = vn.fold(text).replace("–", "-").replace("—", "-")
    return re.sub(r"\s*([-/():,])\s*", r"\1", folded)


def _check_claims(report, unit: Unit | None, period: Period | None, add_info) -> None:
    """The readable texts of «Thông tin chung» must say what the codes mean: a form of another
    unit or period with its codes retyped would otherwise load under a name it does not show.
    A blank text claims nothing."""
    claims = []   # (field, rule, accepted texts, what the code means, what to download again)
    if unit:
        bare = unit.name.removeprefix(unit.type_label).strip() if unit.type_label else unit.name
        claims.append(("unit_name", "unit_name_mismatch", (unit.name, bare),
                       f"mã đơn vị {unit.code} là {unit.name}", "đơn vị"))
    if period:
        full, convention = period_text(period), CONVENTION_LABELS[period.convention]
        short = convention.split(" (")[0]
        claims += [("period_label", "period_label_mismatch",
                    (period.label, period.label.split(" (")[0], full),
                    f"mã kỳ báo cáo {period.key} là {full}", "kỳ báo cáo"),
                   ("convention", "convention_mismatch", (convention, short, period.convention),
                    f"mã kỳ báo cáo {period.key} dùng quy ước «{short}»", "kỳ báo cáo")]
    labels = dict(layout.INFO_FIELDS)
    for key, rule, accepted, meaning, what in claims:
        typed = report.info.get(key, (None,))[0]
        text = vn.nfc(_shown(typed)) if typed is not None else ""
        if text and _loose(text) not in {_loose(a) for a in accepted}:
            add_info(rule, ERROR, f"Ô «{labels[key]}» ghi «{text}» nhưng {meaning}. Sửa cho khớp, "
                                  f"hoặc tải lại mẫu của đúng {what}.", key, text)


def _check_values(report, catalogue, add) -> dict[str, tuple[ValueRow, str]]:
    """code -> (clean value row, cell address). Blank cells are skipped: not reported is no row."""
    clean: dict[str, tuple[ValueRow, str]] = {}
    seen: dict[str, str] = {}
    for c in report.cells:
        raw = c.raw
        shown = _shown(raw)
        if not c.code:
            add("missing_code", ERROR, "Ô có giá trị nhưng dòng không có mã chỉ tiêu. Không thêm "
                                       "dòng vào mẫu.", c.cell, shown)
            continue
        ind = catalogue.indicators.get(c.code)
        if ind is None:
            add("unknown_indicator", ERROR, f"Mã chỉ tiêu «{c.code}» không có trong danh mục chỉ "
                                            "tiêu. Không sửa cột mã chỉ tiêu của mẫu.", c.cell, shown)
            continue
        if c.code in seen:
            add("duplicate_indicator", ERROR, f"Chỉ tiêu «{ind.label}» ({c.code}) xuất hiện hai lần "
                                              f"(ô {seen[c.code]} và ô {c.cell}).", c.cell, shown)
            clean.pop(c.code, None)
            continue
        seen[c.code] = c.cell
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        label = f"«{ind.label}»"
        raw_text = None
        if isinstance(raw, bool):
            add("not_a_number", ERROR, f"{label}: ô chứa giá trị đúng/sai, không phải số.", c.cell, shown)
            continue
        if isinstance(raw, (date, datetime, time, timedelta)):
            add("not_a_number", ERROR, f"{label}: ô chứa ngày tháng, không phải số (Excel có thể đã tự "
                                       "đổi số thành ngày; định dạng ô là số rồi nhập lại).",
                c.cell, shown)
            continue
        if isinstance(raw, str):
            raw_text = raw
            try:
                value = vn.parse_vn_number(raw)
            except ValueError:
                hint = (" Nếu không có, nhập 0; nếu chưa có số liệu, để trống."
                        if any(ch.isalpha() for ch in raw) else
                        " Dùng dấu chấm tách hàng nghìn, dấu phẩy cho phần thập phân (ví dụ 1.020; 19,94).")
                add("not_a_number", ERROR, f"{label}: «{raw.strip()}» không phải là số.{hint}", c.cell, raw)
                continue
        elif isinstance(raw, (int, float)):
            value = float(raw)
            if not math.isfinite(value):
                add("not_a_number", ERROR, f"{label}: giá trị không phải là số hữu hạn.", c.cell, shown)
                continue
        else:
            add("not_a_number", ERROR, f"{label}: ô không chứa số.", c.cell, shown)
            continue
        if value < 0 and (ind.min_value is None or ind.min_value >= 0):
            add("negative_value", ERROR, f"{label} không được âm.", c.cell, shown)
            continue
        if ind.value_type == "integer" and abs(value - round(value)) <= 1e-9 * max(1.0, abs(value)):
            value = float(round(value))   # a formula's 3.0000000000000004 is the count 3
        if ind.value_type == "integer" and not float(value).is_integer():
            add("not_integer", ERROR, f"{label} là chỉ tiêu đếm ({ind.unit}), phải là số nguyên, không "
                                      "có phần thập phân.", c.cell, shown)
            continue
        low, high = ind.min_value, ind.max_value
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = (f"từ {fmt(low)} đến {fmt(high)}" if low is not None and high is not None
                      else f"từ {fmt(low)} trở lên" if low is not None else f"không quá {fmt(high)}")
            add("out_of_range", ERROR, f"{label} phải {bounds} {ind.unit}.", c.cell, shown)
            continue
        if raw_text is not None:
            add("number_as_text", NOTICE,
                f"{label}: số nhập dạng chữ «{raw_text.strip()}» đã được đọc là {plain_number(value)} "
                "theo cách viết Việt Nam (dấu chấm tách hàng nghìn, dấu phẩy là dấu thập phân).",
                c.cell, raw_text)
        clean[c.code] = (ValueRow(c.code, value, c.sheet, c.cell, raw_text), c.cell)
    return clean


def _check_rules(catalogue, clean, add) -> None:
    labels = {code: ind.label for code, ind in catalogue.indicators.items()}

    def side(codes):
        return " + ".join(f"«{labels.get(c, c)}»" for c in codes)

    for rule in catalogue.rules:
        codes = rule.left + rule.right
        if not all(code in clean for code in codes):
            continue  # a sum is checked only when every part is given
        left = sum(clean[c][0].value for c in rule.left)
        right = sum(clean[c][0].value for c in rule.right)
        if rule.op in ("=", "=="):
            holds = abs(left - right) <= TOLERANCE
        elif rule.op == "!=":
            holds = abs(left - right) > TOLERANCE
        else:  # sums of decimals: equal within rounding satisfies <= and >=
            holds = OPS[rule.op](left, right) or ("=" in rule.op and abs(left - right) <= TOLERANCE)
        if holds:
            continue
        detail = f"{side(rule.left)} = {fmt(left)}, {side(rule.right)} = {fmt(right)}"
        confirm = " Cần xác nhận." if rule.severity == WARNING and "xác nhận" not in rule.message else ""
        add(rule.rule_id, rule.severity, f"{rule.message} ({detail}).{confirm}",
            ", ".join(clean[c][1] for c in codes), f"{fmt(left)} / {fmt(right)}")


def _year_of(raw) -> int | None:
    """A typed year as an int, or None when it is not a whole number."""
    if isinstance(raw, bool) or isinstance(raw, (date, datetime, time, timedelta)):
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        return int(raw) if raw.isdigit() and len(raw) <= 4 else None
    if isinstance(raw, (int, float)) and math.isfinite(raw) and float(raw).is_integer():
        return int(raw)
    return None


def _check_models(report, catalogue, period, clean, add) -> list[dvk.ModelRow]:
    """Each row of the models sheet: name required, field and the other lists from data/, a
    plausible year, no model twice; then the counts in «Chỉ tiêu» against the list (warnings)."""
    sheet = report.models_sheet
    options = {lst: {dvk.option_key(v): v for v in values}
               for lst, values in catalogue.options.items()}
    last_year = period.end.year if period else date.today().year
    rows, seen = [], {}

    def model_add(rule, message, cell, raw):
        add(rule, ERROR, message, cell, _shown(raw), where=sheet)

    for m in report.models:
        cells = m.cells
        get = lambda key: cells.get(key, (None, ""))  # noqa: E731
        ok = True
        raw_name, name_cell = get("name")
        name = dvk.clean_name(raw_name) if raw_name is not None else ""
        where = f"Dòng {m.row_number}"
        if not name:
            model_add("dvk_missing_name", f"{where}: có thông tin mô hình nhưng thiếu «Tên mô hình».",
                      name_cell or f"B{m.row_number}", raw_name)
            ok = False
        label = f"Mô hình «{name}»" if name else where
        picked = {}
        for lst in (dvk.FIELD, dvk.RECOGNITION, dvk.STATUS):
            raw, cell = get(lst)
            header = layout.MODEL_HEADERS[lst]
            if raw is None:
                if lst == dvk.FIELD:
                    model_add("dvk_missing_field", f"{label}: thiếu «{header}» (chọn trong danh sách).",
                              cell or f"C{m.row_number}", raw)
                    ok = False
                picked[lst] = None
                continue
            value = options.get(lst, {}).get(dvk.option_key(raw))
            if value is None:
                allowed = "; ".join(catalogue.options.get(lst, []))
                model_add(f"dvk_unknown_{lst}", f"{label}: «{_shown(raw)}» không có trong danh sách "
                                                f"«{header}» ({allowed}).", cell, raw)
                ok = False
            picked[lst] = value
        raw_year, year_cell = get("year_started")
        year = None
        if raw_year is not None:
            year = _year_of(raw_year)
            if year is None or not dvk.MIN_YEAR <= year <= last_year:
                model_add("dvk_bad_year", f"{label}: «Năm bắt đầu» phải là một năm từ {dvk.MIN_YEAR} "
                                          f"đến {last_year} (năm kết thúc kỳ báo cáo).", year_cell, raw_year)
                ok = False
        key = dvk.name_key(name)
        if name and key in seen:
            model_add("dvk_duplicate_model", f"{label} được ghi hai lần (dòng {seen[key]} và dòng "
                                             f"{m.row_number}); mỗi mô hình một dòng.", name_cell, raw_name)
            ok = False
        seen.setdefault(key, m.row_number)
        raw_lead = get("lead_org")[0]
        if ok:
            rows.append(dvk.ModelRow(
                name=name, name_key=key, field=picked[dvk.FIELD],
                lead_org=dvk.clean_name(raw_lead) if raw_lead is not None else None,
                year_started=year, recognition=picked[dvk.RECOGNITION], status=picked[dvk.STATUS],
                sheet=sheet, row_number=m.row_number))
    if len(rows) == len(report.models) and period:
        _check_model_counts(rows, period, clean, add)
    return rows


def _check_model_counts(rows, period, clean, add) -> None:
    """The counts typed in «Chỉ tiêu» should agree with the list (a warning: either may be late)."""
    active = sum(r.status == dvk.ACTIVE for r in rows)
    if "dvk_models_active" in clean:
        row, cell = clean["dvk_models_active"]
        if row.value != active:
            add("dvk_models_active_mismatch", WARNING,
                f"«Mô hình \"Dân vận khéo\" đang duy trì» ghi {fmt(row.value)} nhưng danh sách "
                f"«{layout.SHEET_MODELS}» có {active} mô hình «{dvk.ACTIVE}». Cần xác nhận.",
                cell, plain_number(row.value))
    # New models are counted by start year, so only whole years can be compared.
    whole_years = (period.start.month, period.start.day, period.end.month, period.end.day) == (1, 1, 12, 31)
    if "dvk_models_new" in clean and whole_years:
        new = sum(r.year_started is not None and period.start.year <= r.year_started <= period.end.year
                  for r in rows)
        row, cell = clean["dvk_models_new"]
        if row.value != new:
            add("dvk_models_new_mismatch", WARNING,
                f"«Mô hình \"Dân vận khéo\" xây dựng mới trong kỳ» ghi {fmt(row.value)} nhưng danh "
                f"sách «{layout.SHEET_MODELS}» có {new} mô hình bắt đầu trong kỳ. Cần xác nhận.",
                cell, plain_number(row.value))


def _typical(x: float) -> float:
    return round(x, 1) if abs(x) < 10 else round(x)


def _far(x: float, s: Stats) -> bool:
    spread = max(s.q3 - s.q1, 0.25 * abs(s.median))
    return spread > 0 and (x < s.q1 - FENCE * spread or x > s.q3 + FENCE * spread)


def _check_history(catalogue, clean, history, period, add) -> None:
    days = period.days
    pop_row = clean.get("population")
    population = pop_row[0].value if pop_row else history.population
    for code, (row, cell) in clean.items():
        ind = catalogue.indicators[code]
        per = days if ind.kind == "flow" else 1
        own = history.own.get(code)
        label = f"«{ind.label}»"
        if (ind.kind == "flow" and row.value == 0 and own and own.n >= ZERO_MIN_POINTS
                and own.median * days >= ZERO_EXPECTED):
            add("zero_after_large", WARNING,
                f"{label} báo cáo 0 trong khi các kỳ trước của đơn vị thường có khoảng "
                f"{fmt(_typical(own.median * days))} {ind.unit} cho một kỳ dài như vậy: kiểm tra lại "
                "(0 = không có; chưa có số liệu thì để trống). Cần xác nhận.", cell, plain_number(row.value))
            continue
        if own and own.n >= MIN_OWN_POINTS and _far(row.value / per, own):
            add("outlier_history", WARNING,
                f"{label} = {fmt(row.value)} khác xa số liệu các kỳ trước của đơn vị (mức thường gặp "
                f"khoảng {fmt(_typical(own.median * per))} {ind.unit}"
                f"{' cho kỳ dài ' + str(days) + ' ngày' if per != 1 else ''}, từ {own.n} kỳ). "
                "Cần xác nhận.", cell, plain_number(row.value))
            continue
        peers = history.peers.get(code)
        if (ind.kind == "flow" and peers and peers.n >= MIN_PEER_UNITS and population
                and population > 0 and _far(row.value / days / population * 10000, peers)):
            typical = peers.median * days * population / 10000
            add("outlier_units", WARNING,
                f"{label} = {fmt(row.value)} khác xa các đơn vị khác: với dân số "
                f"{fmt(population)} người và kỳ dài {days} ngày, mức thường gặp khoảng "
                f"{fmt(_typical(typical))} {ind.unit} (trung vị của {peers.n} đơn vị, tính trên 10.000 "
                "dân). Cần xác nhận.", cell, plain_number(row.value))
