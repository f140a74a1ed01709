"""Plausibility: a figure about 1.000 times (or 1/1.000 of) what the unit usually reports.

A clerk who types the triệu đồng figure with the unit set to tỷ đồng loads a value 1.000
times too large, and no identity catches it when the whole row is in the wrong unit. This
layer warns (VALUE_SCALE_SUSPECT; it never rejects) and names the likely cause from the
catalog's units: "có thể đã ghi số theo triệu đồng nhưng chọn đơn vị tỷ đồng".

What is checked: the month value (and, for flows, the year-to-date) of every indicator row
of a submission whose unit and month are known (`history.dated`: a file with errors too, as
the warning may explain one, e.g. KT01 ≠ KT02 + KT03 + KT04 when only KT01 slipped), compared
in the catalog unit. Skipped: rates, and indicators whose dimension has a single unit in the
catalog (hồ sơ, người, xã...: there is no unit to choose wrongly); a zero, negative or
missing value.

Decision rule. A ratio found / expected is a slip when it is within a factor of ~3 of 1.000
(log10 in [2,5; 3,5]) or of 1/1.000 (log10 in [-3,5; -2,5]); anything else (×10, ×10.000) is
not a unit slip. The expected value comes from the first basis that applies:

1. The unit's previous months: the nonzero values of the latest 3 months among the 12 before
   the file's month (an earlier usable file of the same batch stands for its month, as for the
   rules). Expected = their median, when they agree within a factor of 10: months that disagree
   more (one of them a slip accepted with this warning, a very seasonal flow) give no scale.
   Flows compare month with month, stocks value with value.
2. Otherwise the annual plan in force (a plan file of the same batch stands for its year). A
   stock's value is compared with the plan. A flow's month value with the plan's average month
   (plan / 12): a genuine month is at most the whole year, 12 times that, so ~1.000 times is
   never seasonal; but a quiet month can genuinely be 1/1.000 of an average one, so ~1/1.000
   is flagged only when the year-to-date is also ~1/1.000 of the plan pro rata (plan × m / 12),
   as a whole row in the wrong unit drags both cells. (Month × 12 against the plan is the
   same comparison. The year-to-date against the plan pro rata averages the seasons away, so
   it is the second witness here and the fallback in 3, but a row sent without it would go
   unchecked were it the only one.)
3. Year-to-date, for a flow whose month value was not flagged (one warning per row: the month
   value is preferred, the year-to-date named only when it alone is off, or when the month
   could not be judged): against last month's year-to-date plus this month (this month alone
   in January), if it is also out of step with its own month (below it, or ~300 times it):
   otherwise last month's year-to-date may be the slip (loaded with this warning and never
   corrected) and this month's right. Then against the plan pro rata, which does not depend
   on last month: it finds a whole row in the wrong unit in a quiet month the month value
   could not show. (A flow that genuinely starts late, under 1/300 of its pro-rata plan by
   January, would be warned about: rare, and only a warning.)

When the month value has a basis and is in scale, the plan is not consulted for it: the unit's
own months are the closer evidence, and a plan may itself be in another unit.

The message gives the figure and the expected value in the unit the clerk chose. The cause:
for ~1.000 times too large in unit U, a catalog unit V of U's dimension with U's factor /
1.000 ("ghi số theo V nhưng chọn đơn vị U"); for ~1/1.000 one with U's factor × 1.000; when
there is none (kg, đồng, ha), a generic sentence about a unit 1.000 times smaller or larger."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from etl.domain.catalog import Catalog, Unit
from etl.domain.contract import FLOW, INDICATOR_SHEET, RATE
from etl.domain.numbers import format_vi
from etl.intake.rows import IndicatorRow
from etl.intake.structure import CheckedFile, RefContext
from etl.quality.history import (
    History,
    batch_latest,
    batch_plans,
    dated,
    month_key,
    previous_key,
    year_key,
)
from etl.quality.messages import make_message

if TYPE_CHECKING:
    from etl.quality.gate import GateItem

CODE = "VALUE_SCALE_SUSPECT"
STEP = 1000
LOW, HIGH = 10 ** 2.5, 10 ** 3.5  # within a factor ~3 of 1.000: a slip, not a bad month
HISTORY_SPREAD = 10.0  # previous months further apart than this give no scale
MONTH, YTD = "thuc_hien_thang", "luy_ke_nam"

# Bases, as the message names them (Vietnamese, English).
HISTORY, PLAN, PLAN_MONTH, PLAN_TO_DATE, YTD_CONTINUES = (
    "history", "plan", "plan_month", "plan_to_date", "ytd_continues")
BASES: dict[str, tuple[str, str]] = {
    HISTORY: ("số các tháng trước của đơn vị", "the unit's previous months"),
    PLAN: ("kế hoạch năm", "the annual plan"),
    PLAN_MONTH: ("mức bình quân một tháng của kế hoạch năm", "the annual plan's average month"),
    PLAN_TO_DATE: ("kế hoạch năm chia đều đến tháng {month}", "the annual plan pro rata to month {month}"),
    YTD_CONTINUES: ("lũy kế tháng trước cộng số thực hiện tháng này", "last month's year-to-date plus this month"),
}


@dataclass(frozen=True)
class Finding:
    """A figure about 1.000 times (step 1) or 1/1.000 of (step -1) what was expected."""

    column: str  # thuc_hien_thang or luy_ke_nam
    found: float  # catalog unit
    expected: float  # catalog unit
    step: int
    basis: str  # a key of BASES


def scale_step(found: float, expected: float) -> int:
    """1 if found is ~1.000 times expected, -1 if ~1/1.000 of it, else 0 (and for non-positive values)."""
    if found <= 0 or expected <= 0:
        return 0
    ratio = found / expected
    if LOW <= ratio <= HIGH:
        return 1
    if 1 / HIGH <= ratio <= 1 / LOW:
        return -1
    return 0


def usual_scale(previous: Sequence[float]) -> float | None:
    """The median of the previous months' values, or None if there are none or they disagree."""
    values = [v for v in previous if v > 0]
    if not values or max(values) > HISTORY_SPREAD * min(values):
        return None
    return float(statistics.median(values))


def judge(kind: str, month: int, value: float | None, ytd: float | None, previous: Sequence[float],
          plan: float | None, prev_ytd: float | None) -> Finding | None:
    """The decision rule of the module docstring, for one row. `value`, `ytd`, `previous` (the
    previous months' values), `plan` and `prev_ytd` (last month's year-to-date, 0 in January,
    None if unknown) are in the catalog unit; `month` is the file's month (1-12)."""
    flow = kind == FLOW
    plan = plan if plan is not None and plan > 0 else None
    if value is not None and value > 0:
        usual = usual_scale(previous)
        if usual is not None:
            step = scale_step(value, usual)
            if step:
                return Finding(MONTH, value, usual, step, HISTORY)
        elif plan is not None and not flow:
            step = scale_step(value, plan)
            if step:
                return Finding(MONTH, value, plan, step, PLAN)
        elif plan is not None:
            step = scale_step(value, plan / 12)
            # A quiet month of a seasonal flow may be far below the plan's average month.
            if step == 1 or (step == -1 and ytd is not None and scale_step(ytd, plan * month / 12) == -1):
                return Finding(MONTH, value, plan / 12, step, PLAN_MONTH)
    if not flow or ytd is None or ytd <= 0:
        return None
    if prev_ytd is not None and value is not None and value > 0:
        expected = prev_ytd + value
        step = scale_step(ytd, expected)
        # Only when the year-to-date is also out of step with its own month (below it, or ~300
        # such months): otherwise last month's year-to-date may be the slip, not this one.
        if step and (ytd < value if step < 0 else ytd >= LOW * value):
            return Finding(YTD, ytd, expected, step, YTD_CONTINUES)
    if plan is not None:  # independent of last month: a whole row the month value could not show
        step = scale_step(ytd, plan * month / 12)
        if step:
            return Finding(YTD, ytd, plan * month / 12, step, PLAN_TO_DATE)
    return None


# ------------------------------------------------------------------------------ units and causes

def checkable(catalog: Catalog) -> set[str]:
    """The indicators checked: a rate is recomputed, and a one-unit dimension leaves no unit to
    choose wrongly."""
    choices = Counter(u.dimension for u in catalog.units.values())
    return {code for code, ind in catalog.indicators.items()
            if ind.kind != RATE and choices[catalog.units[ind.unit].dimension] > 1}


def slipped_unit(catalog: Catalog, chosen: Unit, step: int) -> Unit | None:
    """The unit the figure was likely typed in: same dimension, 1.000 times smaller (step 1) or larger."""
    factor = chosen.factor / STEP if step > 0 else chosen.factor * STEP
    return next((u for u in catalog.units.values() if u.dimension == chosen.dimension and u.factor == factor), None)


def cause(catalog: Catalog, chosen: Unit, step: int) -> tuple[str, str]:
    """The likely cause, in Vietnamese and English."""
    typed = slipped_unit(catalog, chosen, step)
    if typed is not None:
        return (f"có thể đã ghi số theo {typed.name} nhưng chọn đơn vị {chosen.name}",
                f"the figure may have been written in {typed.name} with the unit set to {chosen.name}")
    vi, en = ("nhỏ hơn", "smaller") if step > 0 else ("lớn hơn", "larger")
    return (f"có thể đã ghi số theo đơn vị {vi} 1.000 lần so với đơn vị đã chọn ({chosen.name})",
            f"the figure may have been written in a unit 1000 times {en} than the one chosen ({chosen.name})")


def _exact(value: Decimal) -> str:
    """A figure as the clerk typed it, in Vietnamese notation."""
    return format_vi(value.to_integral_value() if value == value.to_integral_value() else value.normalize())


def _about(value: float) -> str:
    """An expected value: to the hundredth (a previous month comes out as written), four
    significant digits below one."""
    decimals = 2 if abs(value) >= 1 or not value else 3 - math.floor(math.log10(abs(value)))
    text = format_vi(value, decimals=decimals)
    return text.rstrip("0").rstrip(",") if "," in text else text


# ------------------------------------------------------------------------------ evaluation

def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _message(c: CheckedFile, row: IndicatorRow, chosen: Unit, finding: Finding, catalog: Catalog) -> None:
    assert row.conversion_factor is not None and c.month is not None
    typed = getattr(row, finding.column) / row.conversion_factor  # back in the unit the clerk chose
    basis_vi, basis_en = (text.format(month=c.month) for text in BASES[finding.basis])
    cause_vi, cause_en = cause(catalog, chosen, finding.step)
    c.messages.append(make_message(
        CODE, source="rule", rule_id=CODE, fmt=c.fmt, sheet=c.sheet_names.get(INDICATOR_SHEET, INDICATOR_SHEET),
        row=row.row_number, column=c.table_columns.get(INDICATOR_SHEET, {}).get(finding.column, finding.column),
        found=_exact(typed), expected=_about(finding.expected / float(row.conversion_factor)), unit=chosen.name,
        ratio="1.000 lần" if finding.step > 0 else "1/1.000",
        ratio_en="1000 times" if finding.step > 0 else "1/1000 of",
        basis=basis_vi, basis_en=basis_en, cause=cause_vi, cause_en=cause_en,
    ))


def evaluate(items: list[GateItem], ref: RefContext, history: History) -> None:
    """Append a VALUE_SCALE_SUSPECT warning to every row that looks 1.000 times off. Pure: reads
    nothing but its arguments (the previous months and plans come with `history`)."""
    catalog = ref.catalog
    latest, plans, codes = batch_latest(items), batch_plans(items), checkable(catalog)
    for item in items:
        if not dated(item):
            continue
        c = item.checked
        assert c.month is not None
        recent = history.recent_values(items, latest, month_key(c))
        plan = history.plan_values(items, plans, year_key(c))
        last = {} if c.month == 1 else history.previous_values(items, latest, previous_key(c))
        for row in c.indicator_rows:
            code = row.indicator_code
            chosen = catalog.unit(row.don_vi_tinh or "")
            if code is None or code not in codes or chosen is None or row.conversion_factor is None:
                continue
            indicator = catalog.indicators[code]
            prev_ytd = 0.0 if c.month == 1 else last.get(f"ytd_{code}")  # YTD restarts in January
            finding = judge(indicator.kind, c.month, _number(row.thuc_hien_thang), _number(row.luy_ke_nam),
                            [v for _, v in recent.get(code, [])], plan.get(code), prev_ytd)
            if finding is not None:
                _message(c, row, chosen, finding, catalog)
