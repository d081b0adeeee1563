"""Check a ParsedReport against the catalogue, the rules and the unit registry (DOMAIN.md §4).

Pure: everything it needs is passed in (load_reference and the loader's history query read the
database), so the CLI, the web upload and the tests check a file the same way. validate() runs
the checks of each part of the form, one module each:

- catalogue.py: the indicators, rules and units checked against, and load_reference;
- header.py: the unit, period and template codes, and the texts of «Thông tin chung» (claims);
- values.py: each value (not a number, negative, not whole, out of range), and the rules
  across indicators;
- models.py: the «Dân vận khéo» models sheet, and its counts against the values;
- history.py: outliers against earlier reports and other units, a 0 after large values
  (add_history_findings, once the loader has the history).
"""
from dataclasses import dataclass, field
from datetime import date

from etl.domain import dvk, layout
from etl.domain.findings import ERROR, NOTICE, WARNING, Finding, collapse
from etl.domain.periods import Period
from etl.intake.reader import ParsedReport
from etl.intake.validate.catalogue import Catalogue, Unit, load_reference, parse_rule
from etl.intake.validate.header import check_header
from etl.intake.validate.history import History, Stats, check_history
from etl.intake.validate.models import check_models
from etl.intake.validate.values import check_rules, check_values
from etl.warehouse.store import ValueRow

__all__ = ["Catalogue", "History", "Stats", "Unit", "ValidationResult", "add_history_findings",
           "load_reference", "parse_rule", "validate"]


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


def validate(report: ParsedReport, catalogue: Catalogue, units: dict[str, Unit],
             history: History | None = None, today: date | None = None) -> ValidationResult:
    findings = list(report.findings)
    result = ValidationResult(report.unit_code, None, None, [], findings)
    if report.ok:
        add = _adder(report, findings)
        check_header(report, units, today or date.today(), result, add)
        clean = check_values(report, catalogue, add)
        result.values = [row for row, _ in clean.values()]
        check_rules(catalogue, clean, add)
        if report.models:
            result.models = check_models(report, catalogue, result.period, clean, add)
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
        check_history(catalogue, clean, history, result.period, _adder(report, result.findings))


def _adder(report: ParsedReport, findings: list[Finding]):
    """add(rule, severity, message, cell, value, where): a finding of this file, on the values
    sheet unless told."""
    file, sheet = report.file_name, report.values_sheet or layout.SHEET_VALUES

    def add(rule, severity, message, cell="", value="", where=sheet):
        findings.append(Finding(file, where, cell, "" if value is None else str(value), rule,
                                severity, message))
    return add
