"""The quality gate's consistency rules, declared in reference/validation_rules.yaml.

Identities and bounds between indicators of one submission, rates against their
components, and rules across months (YTD, opening balances, outliers) are evaluated
for the whole batch at once, on a wide frame of one row per submission (numexpr).
Task history rules compare each task list with the district's previous month. The
previous month comes from etl.quality.history (a file of the same batch, else the
warehouse, fetched before evaluation): `evaluate` itself reads nothing but its arguments."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numexpr
import numpy as np
import pandas as pd
import yaml

from etl.domain.catalog import Catalog, indicator_code_key, load_catalog
from etl.domain.contract import (
    ERROR,
    FLOW,
    FORMAT_JSON,
    INDICATOR_SHEET,
    KIND_SUBMISSION,
    RATE,
    SEVERITIES,
    STOCK,
    TASK_DONE,
    TASK_SHEET,
)
from etl.domain.numbers import format_vi
from etl.domain.periods import previous_month
from etl.intake.structure import CheckedFile, RefContext
from etl.paths import REFERENCE_DIR
from etl.quality.history import History, batch_latest, dated, previous_key, submitted_values, task_states
from etl.quality.messages import CodeSpec, make_message

if TYPE_CHECKING:
    from etl.quality.gate import GateItem

RULES_PATH = REFERENCE_DIR / "validation_rules.yaml"
OPERATORS = ("==", "<=", ">=", "<", ">")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Rule:
    id: str
    left: str
    operator: str
    right: str
    severity: str
    message_vi: str
    message_en: str
    tol_abs: float = 0.0
    tol_rel: float = 0.0
    report_on: str | None = None
    column: str = "thuc_hien_thang"
    fields: dict[str, Any] = field(default_factory=dict)  # {code}, {name}, {unit}... for messages

    @property
    def code(self) -> str:
        return f"RULE_{self.id}"

    @property
    def spec(self) -> CodeSpec:
        return CodeSpec(self.severity, self.message_vi, self.message_en)  # type: ignore[arg-type]


def _expand(spec: dict[str, Any], catalog: Catalog) -> list[tuple[str, dict[str, Any]]]:
    """(indicator code or '', template fields) for each instance of a rule."""
    kind = spec.get("for_each")
    if kind is None:
        return [("", {})]
    out = []
    for ind in catalog.indicators.values():
        if kind == "flow" and ind.kind == FLOW:
            fields = {}
        elif kind == "stock_with_threshold" and ind.kind == STOCK and ind.max_month_change_pct is not None:
            fields = {"max_month_change_pct": format(ind.max_month_change_pct, "f")}
        elif kind == "rate_with_components" and ind.kind == RATE:
            fields = {"numerator": " + ".join(ind.numerator), "denominator": " + ".join(ind.denominator),
                      "scale": format(ind.scale, "f")}
        elif kind in ("flow", "stock_with_threshold", "rate_with_components"):
            continue
        else:
            raise ValueError(f"{RULES_PATH}: unknown for_each {kind!r} in rule {spec['id']}")
        out.append((ind.code, {"code": ind.code, "name": ind.name, "unit": ind.unit, **fields}))
    return out


@cache
def load_rules(path: Path = RULES_PATH) -> tuple[list[Rule], dict[str, dict[str, str]]]:
    """The indicator rules (expanded per indicator) and the task rule settings."""
    catalog = load_catalog()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules: list[Rule] = []
    seen: set[str] = set()
    for spec in data["rules"]:
        if spec["id"] in seen:
            raise ValueError(f"{RULES_PATH}: rule {spec['id']} is declared twice")
        seen.add(spec["id"])
        if spec["operator"] not in OPERATORS or spec["severity"] not in SEVERITIES:
            raise ValueError(f"{RULES_PATH}: rule {spec['id']} has a bad operator or severity")
        tol = spec.get("tolerance") or {}
        for code, fields in _expand(spec, catalog):
            left, right = spec["left"].format(**fields), spec["right"].format(**fields)
            names = set(_NAME.findall(left + " " + right)) - {"abs", "communes"}
            unknown = {n for n in names if n.removeprefix("prev_ytd_").removeprefix("prev_").removeprefix("ytd_")
                       not in catalog.indicators}
            if unknown:
                raise ValueError(f"{RULES_PATH}: rule {spec['id']} names unknown indicators {sorted(unknown)}")
            first = next((n for n in _NAME.findall(left) if n in catalog.indicators), None)
            rules.append(Rule(
                id=spec["id"], left=left, operator=spec["operator"], right=right, severity=spec["severity"],
                message_vi=spec["message_vi"], message_en=spec["message_en"],
                tol_abs=float(tol.get("abs", 0)), tol_rel=float(tol.get("rel", 0)),
                report_on=spec.get("report_on") or code or first, column=spec.get("column", "thuc_hien_thang"),
                fields={**fields, "left_expr": _readable(left), "right_expr": _readable(right)},
            ))
    task_rules = data.get("task_rules") or {}
    for key, spec in task_rules.items():
        if spec["severity"] not in SEVERITIES:
            raise ValueError(f"{RULES_PATH}: task rule {key} has a bad severity")
    return rules, task_rules


def _readable(expression: str) -> str:
    """An expression as a clerk writes it: '(XH01) / (XH02) * 100' -> 'XH01 / XH02 × 100'."""
    return re.sub(r"\((\w+)\)", r"\1", expression).replace(" * ", " × ")


def rule_codes() -> dict[str, CodeSpec]:
    """Every RULE_* and task-history code with its severity and text (for `baocao codes`)."""
    rules, task_rules = load_rules()
    out = {r.code: r.spec for r in rules}
    out.update({k: CodeSpec(v["severity"], v["message_vi"], v["message_en"]) for k, v in task_rules.items()})  # type: ignore[arg-type]
    return out


def _num(x: float) -> str:
    d = Decimal(repr(float(x))).quantize(Decimal("0.01"))
    return format_vi(d.normalize() if d != d.to_integral_value() else d.to_integral_value())


# ------------------------------------------------------------------------------ the wide frame

def evaluable(item: GateItem) -> bool:
    """A submission the indicator rules evaluate: every one, errors or not, so that one reply
    lists every problem of the file. Only a file with no error stands for its month (`usable`)."""
    return item.checked.kind == KIND_SUBMISSION


def wide_frame(items: list[GateItem], ref: RefContext, previous: History) -> pd.DataFrame:
    """One row per evaluable submission (index = item number): month, ytd, previous month, communes."""
    catalog = ref.catalog
    latest = batch_latest(items)
    records = []
    for i, item in enumerate(items):
        if not evaluable(item):
            continue
        c = item.checked
        prev = previous.previous_values(items, latest, previous_key(c)) if dated(item) else {}
        # A commune has no communes of its own: NaN, so the rules that read it do not apply to it.
        count = c.district.commune_count if c.district is not None else None
        communes = float("nan") if count is None else float(count)
        row = {"item": i, "communes": communes, **submitted_values(item)}
        row.update({f"prev_{k}": v for k, v in prev.items()})
        if c.month == 1:  # YTD restarts in January
            row.update({f"prev_ytd_{code}": 0.0 for code, ind in catalog.indicators.items() if ind.kind == FLOW})
        records.append(row)
    columns = ["item", "communes"]
    for code in catalog.indicators:
        columns += [code, f"ytd_{code}", f"prev_{code}", f"prev_ytd_{code}"]
    return pd.DataFrame.from_records(records, columns=columns).set_index("item").astype("float64")


# ------------------------------------------------------------------------------ evaluation

@cache
def _names(expression: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_NAME.findall(expression)))


def _violations(rule: Rule, items: np.ndarray, columns: dict[str, np.ndarray]) -> list[tuple[int, float, float]]:
    """(item, left, right) for each submission that breaks the rule, among those that have every
    figure it reads. numexpr compiles each expression once (cached by its text) and evaluates it
    over the batch's arrays, so a small batch pays no parsing per rule."""
    names = [n for n in _names(f"{rule.left} {rule.right}") if n in columns]
    complete = np.ones(len(items), dtype=bool)
    for name in names:
        complete &= ~np.isnan(columns[name])
    n = int(complete.sum())
    if n == 0:
        return []
    values = {name: columns[name][complete] for name in names}
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero denominator makes no rate: dropped below
        left = np.broadcast_to(numexpr.evaluate(rule.left, local_dict=values), n)
        right = np.broadcast_to(numexpr.evaluate(rule.right, local_dict=values), n)
        tolerance = np.maximum(rule.tol_abs, rule.tol_rel * np.abs(right)) + 1e-9 * (1 + np.abs(right))
        diff = left - right
    bad = {
        "==": np.abs(diff) > tolerance,
        "<=": diff > tolerance,
        ">=": diff < -tolerance,
        "<": diff >= -1e-9,
        ">": diff <= 1e-9,
    }[rule.operator]
    bad &= np.isfinite(left) & np.isfinite(right)
    return list(zip(items[complete][bad].tolist(), left[bad].tolist(), right[bad].tolist(), strict=True))


def evaluate_indicator_rules(items: list[GateItem], ref: RefContext, previous: History,
                             rules: list[Rule] | None = None) -> None:
    rules = load_rules()[0] if rules is None else rules
    df = wide_frame(items, ref, previous)
    index = df.index.to_numpy()
    columns = {name: df[name].to_numpy() for name in df.columns}
    unreadable = {i: codes for i, item in enumerate(items) if evaluable(item) and (codes := unreadable_rows(item))}
    for rule in rules:
        for item, left, right in _violations(rule, index, columns):
            c = items[item].checked
            row = next((r.row_number for r in c.indicator_rows if r.indicator_code == rule.report_on), None)
            c.messages.append(make_message(
                rule.code, spec=rule.spec, source="rule", rule_id=rule.id, fmt=c.fmt,
                sheet=c.sheet_names.get(INDICATOR_SHEET, INDICATOR_SHEET), row=row,
                column=c.table_columns.get(INDICATOR_SHEET, {}).get(rule.column, rule.column) if row else None,
                found=_num(left), expected=f"{rule.fields['right_expr']} = {_num(right)}",
                left=_num(left), right=_num(right), diff=_num(abs(left - right)), **rule.fields,
            ))
        for position, codes in unreadable.items():
            _not_evaluated(rule, items[position].checked, df.loc[position], codes)


def unreadable_rows(item: GateItem) -> dict[str, int]:
    """The rule names (KT03 for a month value, ytd_KT03 for a year-to-date one) a file's errors
    made unreadable, with their row: a malformed value is its own name; an unknown code or a unit
    that does not convert makes both of the row's values unreadable."""
    c = item.checked
    sheet = c.sheet_names.get(INDICATOR_SHEET, INDICATOR_SHEET)
    errors = [m for m in c.messages if m.severity == ERROR and m.sheet == sheet]
    if not errors:  # most files: no row to look up
        return {}
    columns = {header: canonical for canonical, header in c.table_columns.get(INDICATOR_SHEET, {}).items()}
    codes = {r.row_number: indicator_code_key(r.ma_chi_tieu) for r in c.indicator_rows if r.ma_chi_tieu}
    out: dict[str, int] = {}
    for m in errors:
        if m.row not in codes:
            continue
        code = codes[m.row]
        column = columns.get(m.column or "", m.column)
        names = {"thuc_hien_thang": [code], "luy_ke_nam": [f"ytd_{code}"]}.get(column or "", [code, f"ytd_{code}"])
        for name in names:
            out.setdefault(name, m.row)
    return out


def _not_evaluated(rule: Rule, c: CheckedFile, values: pd.Series, unreadable: dict[str, int]) -> None:
    """RULE_NOT_EVALUATED where a rule would have been evaluated but for figures of the file that
    could not be read: each of its inputs was either read or is among those, and one at least is.
    (The previous month's figures come from the warehouse: a gap there is no fault of the file.)"""
    names = [n for n in dict.fromkeys(_NAME.findall(rule.left + " " + rule.right)) if n in values.index]
    missing = [n for n in names if pd.isna(values[n])]
    blocked = {n: unreadable[n] for n in missing if n in unreadable}
    if not blocked or len(blocked) < len(missing):
        return
    row = next((r.row_number for r in c.indicator_rows if r.indicator_code == rule.report_on),
               next(iter(blocked.values())))
    sheet = c.sheet_names.get(INDICATOR_SHEET, INDICATOR_SHEET)
    places = {name: _input_place(c, sheet, name, r) for name, r in blocked.items()}
    rule_text = " ".join((rule.fields["left_expr"], CLERK_OPERATORS[rule.operator], rule.fields["right_expr"]))
    c.messages.append(make_message(
        "RULE_NOT_EVALUATED", source="rule", rule_id=rule.id, fmt=c.fmt, sheet=sheet, row=row,
        column=c.table_columns.get(INDICATOR_SHEET, {}).get(rule.column, rule.column),
        found=", ".join(dict.fromkeys(_code(n) for n in blocked)), expected=rule_text, rule=rule_text,
        rule_ref=rule.id, inputs="giá trị của " + ", ".join(f"{_code(n)} ({vi})" for n, (vi, _) in places.items()),
        inputs_en=", ".join(f"{_code(n)} ({en})" for n, (_, en) in places.items()),
    ))


CLERK_OPERATORS = {"==": "=", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}  # a rule as a message writes it


def _input_place(c: CheckedFile, sheet: str, name: str, row: int) -> tuple[str, str]:
    """Where a rule's unreadable input is, in Vietnamese and English: its cell, or its row (JSON: item)."""
    column = "luy_ke_nam" if name.startswith("ytd_") else "thuc_hien_thang"
    header = c.table_columns.get(INDICATOR_SHEET, {}).get(column, column)
    letters = c.cell_columns.get(sheet, {}).get(header)
    if letters:
        return f"ô {letters}{row}", f"cell {letters}{row}"
    if c.fmt == FORMAT_JSON:
        return f"mục số {row}, trường '{header}'", f"item {row}, field '{header}'"
    return f"dòng {row}", f"row {row}"


def _code(name: str) -> str:
    """The indicator a rule's name reads: ytd_NS01 -> NS01."""
    return name.removeprefix("ytd_")


# ------------------------------------------------------------------------------ tasks

def _day(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "không thời hạn"


def _task_message(c: CheckedFile, setting: dict[str, str], code: str, row: int | None, column: str | None,
                  found: str, **fields: Any) -> None:
    spec = CodeSpec(setting["severity"], setting["message_vi"], setting["message_en"])  # type: ignore[arg-type]
    c.messages.append(make_message(
        code, spec=spec, source="rule", rule_id=code, fmt=c.fmt, sheet=c.sheet_names.get(TASK_SHEET, TASK_SHEET),
        row=row, column=c.table_columns.get(TASK_SHEET, {}).get(column, column) if column else None, found=found,
        **fields))


def evaluate_task_rules(items: list[GateItem], previous: History) -> None:
    """Task history against the previous month; files rejected by the indicator rules are out of it."""
    _, settings = load_rules()
    latest = batch_latest(items)
    for item in items:
        if not dated(item):
            continue
        c = item.checked
        assert c.year is not None and c.month is not None
        prev = previous.previous_tasks(items, latest, previous_key(c))
        py, pm = previous_month(c.year, c.month)
        prev_period = f"{pm:02d}/{py}"
        now = task_states(item)
        rows = {r.ma_nhiem_vu: r.row_number for r in c.task_rows if r.ma_nhiem_vu}

        def add(code: str, row: int | None, column: str | None, found: str, c: CheckedFile = c,
                **fields: Any) -> None:
            _task_message(c, settings[code], code, row, column, found, **fields)

        for task, state in now.items():
            before = prev.get(task)
            if before and before.status == TASK_DONE and state.status not in (None, TASK_DONE):
                add("TASK_REOPENED", rows[task], "trang_thai", state.status, task=task, status=state.status,
                    prev_period=prev_period)
            known = before is not None or (c.district_code, task) in previous.deadlines
            old = before.deadline if before else previous.deadlines.get((c.district_code, task), state.deadline)
            if known and old != state.deadline:
                add("TASK_DEADLINE_CHANGED", rows[task], "han_hoan_thanh", _day(state.deadline), task=task,
                    old=_day(old), new=_day(state.deadline))
        for task, state in prev.items():
            if task not in now and state.status != TASK_DONE:
                add("TASK_DISAPPEARED", None, None, task, task=task, title=state.title or "", prev_period=prev_period)


def evaluate_rates_alone(items: list[GateItem], ref: RefContext) -> None:
    """A rate sent without (some of) its components: kept at the district's level (the rollup shows
    the submitted rate there), but nothing can check it and the province cannot recompute from it."""
    rates = [ind for ind in ref.catalog.indicators.values() if ind.kind == RATE]
    for item in items:
        if not evaluable(item):
            continue
        c = item.checked
        sent = submitted_values(item)
        for ind in rates:
            row = next((r for r in c.indicator_rows if r.indicator_code == ind.code), None)
            missing = [code for code in dict.fromkeys((*ind.numerator, *ind.denominator)) if code not in sent]
            if row is None or ind.code not in sent or not missing:
                continue
            formula = f"({' + '.join(ind.numerator)}) / ({' + '.join(ind.denominator)}) × {format(ind.scale, 'f')}"
            c.messages.append(make_message(
                "RATE_WITHOUT_COMPONENTS", source="rule", rule_id="RATE_WITHOUT_COMPONENTS", fmt=c.fmt,
                sheet=c.sheet_names.get(INDICATOR_SHEET, INDICATOR_SHEET), row=row.row_number,
                column=c.table_columns.get(INDICATOR_SHEET, {}).get("thuc_hien_thang", "thuc_hien_thang"),
                found=_num(sent[ind.code]), expected=_readable(formula), indicator=ind.code, name=ind.name,
                missing=", ".join(missing),
            ))


def evaluate(items: list[GateItem], ref: RefContext, previous: History) -> None:
    """Every rule over the batch; messages are appended to the files. Pure: no warehouse access."""
    evaluate_indicator_rules(items, ref, previous)
    evaluate_rates_alone(items, ref)
    evaluate_task_rules(items, previous)
