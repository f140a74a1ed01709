"""`baocao report`: the report tables of a district or province for a month, a half-year or a
year (contract section 4), read from the analysts' mart views only.

A report says what a review says (see the seeds): one sentence per indicator ("Tổng đàn lợn
92.000 con, tăng 12,2% so với cùng kỳ; đạt 105% kế hoạch năm"), the indicator table, and
the tasks per assigning body ("UBND tỉnh giao 32 nhiệm vụ, 31 hoàn thành đúng hạn, ...").
Every number is written in Vietnamese notation with `etl.domain.numbers.format_vi`.

`build_report` gathers the figures into a `Report`; `render_markdown`, `render_csv` and
`write_xlsx` lay it out. The indicator kind and direction come from the catalog
(reference/indicators.yaml), the figures from mart.indicator_* and mart.task_*."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from etl.domain.catalog import load_catalog
from etl.domain.numbers import format_vi
from etl.domain.periods import Period, parse_period
from etl.domain.text import fold_key

__all__ = [
    "LEVELS",
    "IndicatorLine",
    "Period",
    "Report",
    "TaskLine",
    "build_report",
    "default_level",
    "parse_period",
    "render_csv",
    "render_markdown",
    "vi_count",
    "vi_number",
    "vi_pct",
    "write_xlsx",
]

LEVELS = ("district", "province", "province_2025")
LEVEL_LABELS = {
    "district": "cấp huyện",
    "province": "cấp tỉnh, địa giới trước 1/7/2025",
    "province_2025": "cấp tỉnh, địa giới từ 1/7/2025",
}
# Decimals shown at most (trailing zeros dropped): values keep up to 3 (tỷ đồng figures
# converted from triệu đồng), percentages and percentage points 2, as reviews write them.
VALUE_DECIMALS = 3
PCT_DECIMALS = 2

# Assigning bodies from the top down; any other body follows in alphabetical order.
BODY_ORDER = ("Thủ tướng Chính phủ", "Chính phủ", "Tỉnh ủy", "HĐND tỉnh", "UBND tỉnh", "Chủ tịch UBND tỉnh",
              "Huyện ủy", "HĐND huyện", "UBND huyện", "Chủ tịch UBND huyện")
_BODY_RANK = {fold_key(b): i for i, b in enumerate(BODY_ORDER)}


class ReportError(ValueError):
    """A report that cannot be made: the message is Vietnamese, then English."""


def default_level(unit: str) -> str:
    """A 3-digit code is a district, anything else a (legacy) province; province_2025 is
    never guessed, because a 2025 code can name another province than the legacy one."""
    return "district" if len(unit) == 3 else "province"


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    name: str
    unit: str
    kind: str  # flow | stock | opening | rate (catalog)
    direction: str  # higher_is_better | lower_is_better | none (catalog)
    value: Decimal | None
    ytd_value: Decimal | None
    annual_plan: Decimal | None
    pct_of_annual_plan: Decimal | None
    same_period_last_year: Decimal | None
    yoy_change_pct: Decimal | None
    yoy_change_points: Decimal | None
    plan_attained: bool | None
    reporting_units: int
    expected_units: int
    last_year_reporting_units: int | None = None  # of same_period_last_year
    sentence: str = ""

    @property
    def partial(self) -> bool:
        """Fewer districts have a complete figure for the period than should."""
        return self.reporting_units < self.expected_units

    @property
    def partial_last_year(self) -> bool:
        """The same period last year, compared with, was itself incomplete."""
        return (self.same_period_last_year is not None and self.last_year_reporting_units is not None
                and self.last_year_reporting_units < self.expected_units)


@dataclass(frozen=True)
class TaskLine:
    assigning_body: str  # "Tổng cộng" for the total line
    tasks_total: int
    done_on_time: int
    done_late: int
    in_progress: int
    overdue: int
    on_time_rate: Decimal | None
    sentence: str = ""


@dataclass
class Report:
    unit_code: str
    unit_name: str
    level: str
    period: Period
    title: str
    completeness: str | None  # provinces: "Số liệu tổng hợp từ 2/9 huyện"
    indicators: list[IndicatorLine] = field(default_factory=list)
    tasks: list[TaskLine] = field(default_factory=list)  # one per assigning body
    task_total: TaskLine | None = None

    @property
    def is_province(self) -> bool:
        return self.level != "district"

    @property
    def unit_line(self) -> str:
        return f"{self.unit_name} (mã {self.unit_code}, {LEVEL_LABELS[self.level]})"

    @property
    def period_line(self) -> str:
        return f"{self.period.label} ({self.period.months})"

    @property
    def partial_note(self) -> str | None:
        """The footnote explaining the '*' on partial figures, if any is partial."""
        if not any(line.partial or line.partial_last_year for line in self.indicators):
            return None
        if self.is_province:
            note = "(*) Số liệu chưa đầy đủ: chỉ tổng hợp được từ số huyện có đủ số liệu của kỳ (cột Số huyện)"
        else:
            note = "(*) Số liệu chưa đầy đủ: huyện chưa báo cáo đủ các tháng của kỳ"
        if any(line.partial_last_year for line in self.indicators):
            note += "; so sánh với cùng kỳ năm trước chưa đầy đủ thì không cùng phạm vi, cần thận trọng khi sử dụng"
        return note

    @property
    def indicator_sentences(self) -> list[str]:
        return [line.sentence for line in self.indicators]

    @property
    def task_sentences(self) -> list[str]:
        lines = list(self.tasks)
        if self.task_total is not None and len(self.tasks) > 1:
            lines.append(self.task_total)
        return [line.sentence for line in lines]


# --- numbers in Vietnamese notation -------------------------------------------------------


def _rounded(value: Decimal | int | float, decimals: int) -> Decimal:
    """Rounded half-up to at most `decimals`, trailing zeros dropped (exponent-free)."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def vi_number(value: Decimal | int | float, decimals: int = VALUE_DECIMALS) -> str:
    """92000 -> '92.000', 61250.50 -> '61.250,5', 3.3333 -> '3,333' (decimals=3)."""
    return format_vi(_rounded(value, decimals))


def vi_pct(value: Decimal | int | float) -> str:
    """A percentage, up to 2 decimals: 12.20 -> '12,2%'."""
    return f"{vi_number(value, PCT_DECIMALS)}%"


def vi_count(value: int) -> str:
    """Counts as reviews write them: 1-9 zero-padded ('02 đang thực hiện'), 0 and >= 10 plain."""
    return f"{value:02d}" if 0 < value < 10 else format_vi(value)


def _with_unit(number: str, unit: str) -> str:
    return f"{number}%" if unit == "%" else f"{number} {unit}"


def _value_text(value: Decimal, unit: str) -> str:
    return _with_unit(vi_number(value, PCT_DECIMALS if unit == "%" else VALUE_DECIMALS), unit)


# --- sentences ----------------------------------------------------------------------------


def _yoy_clause(line: IndicatorLine) -> str | None:
    """'tăng 15% so với cùng kỳ', 'giảm 2 điểm % so với cùng kỳ'; None without last year."""
    if line.same_period_last_year is None or line.value is None:
        return None
    if line.kind == "rate" or line.yoy_change_points is not None:
        if line.yoy_change_points is None:
            return None
        change, suffix = _rounded(line.yoy_change_points, PCT_DECIMALS), " điểm %"
    elif line.yoy_change_pct is None:  # last year was 0: no relative change
        return f"cùng kỳ {_value_text(line.same_period_last_year, line.unit)}"
    else:
        change, suffix = _rounded(line.yoy_change_pct, PCT_DECIMALS), "%"
    if change == 0:
        return "bằng cùng kỳ"
    word = "tăng" if change > 0 else "giảm"
    return f"{word} {format_vi(abs(change))}{suffix} so với cùng kỳ"


def _plan_clause(line: IndicatorLine) -> str | None:
    """'đạt 105% kế hoạch năm'; for rates and lower-is-better levels, whether the target is
    met: 'đạt kế hoạch (≤ 3,5%)' / 'chưa đạt kế hoạch (≥ 90%)'."""
    if line.annual_plan is None or line.value is None:
        return None
    target = _value_text(line.annual_plan, line.unit)
    threshold_form = line.kind == "rate" or (line.direction == "lower_is_better" and line.kind != "flow")
    if threshold_form:
        if line.direction == "none":
            return f"kế hoạch năm {target}"
        lower = line.direction == "lower_is_better"
        attained = line.plan_attained
        if attained is None:
            attained = line.value <= line.annual_plan if lower else line.value >= line.annual_plan
        return f"{'đạt' if attained else 'chưa đạt'} kế hoạch ({'≤' if lower else '≥'} {target})"
    if line.pct_of_annual_plan is None:  # a plan of 0
        return f"kế hoạch năm {target}"
    verb = "bằng" if line.direction == "lower_is_better" else "đạt"  # reaching a ceiling is no achievement
    return f"{verb} {vi_pct(line.pct_of_annual_plan)} kế hoạch năm"


def indicator_sentence(line: IndicatorLine, period: Period, level: str) -> str:
    """One line of the review, e.g. 'Tổng đàn lợn 92.000 con, tăng 12,2% so với cùng kỳ; đạt
    105% kế hoạch năm'. Monthly flows add the year to date, which the plan compares with."""
    if line.value is None:
        sentence = f"{line.name}: chưa có số liệu"
    else:
        sentence = f"{line.name} {_value_text(line.value, line.unit)}"
        yoy = _yoy_clause(line)
        if yoy:
            sentence += f", {yoy}"
        plan = _plan_clause(line)
        if period.kind == "month" and line.kind == "flow" and line.ytd_value is not None:
            sentence += f"; lũy kế năm {_value_text(line.ytd_value, line.unit)}"
            if plan:
                sentence += f", {plan}"
        elif plan:
            sentence += f"{'; ' if yoy else ', '}{plan}"
    if line.partial:
        if level == "district":
            sentence += " (*chưa đủ số liệu các tháng trong kỳ)"
        else:
            sentence += f" (*tổng hợp từ {line.reporting_units}/{line.expected_units} huyện)"
    if line.partial_last_year and (line.yoy_change_pct is not None or line.yoy_change_points is not None):
        # A change against an incomplete last year is not like for like: say so.
        if level == "district":
            sentence += " (*cùng kỳ năm trước chưa đủ số liệu các tháng)"
        else:
            sentence += (f" (*cùng kỳ năm trước tổng hợp từ {line.last_year_reporting_units}/"
                         f"{line.expected_units} huyện)")
    return sentence


def task_sentence(line: TaskLine, subject: str) -> str:
    """'UBND tỉnh giao 32 nhiệm vụ, 31 hoàn thành đúng hạn, 01 hoàn thành quá hạn, 02 đang
    thực hiện trong hạn, 0 quá hạn'."""
    return (f"{subject} {vi_count(line.tasks_total)} nhiệm vụ, {vi_count(line.done_on_time)} hoàn thành đúng hạn, "
            f"{vi_count(line.done_late)} hoàn thành quá hạn, {vi_count(line.in_progress)} đang thực hiện trong hạn, "
            f"{vi_count(line.overdue)} quá hạn")


# --- building -----------------------------------------------------------------------------

_VIEWS = {
    "month": ("mart.indicator_monthly", "mart.task_monthly", "month = :m"),
    "half": ("mart.indicator_semiannual", "mart.task_semiannual", "half = :h"),
    "year": ("mart.indicator_annual", "mart.task_annual", "TRUE"),
}


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _body_key(body: str) -> tuple[int, str]:
    key = fold_key(body)
    return (_BODY_RANK.get(key, len(BODY_ORDER)), key)


def build_report(engine: Engine, unit: str, period: str, level: str | None = None) -> Report:
    """The report of `unit` (district or province code) for `period` (YYYY-MM, YYYY-H1,
    YYYY-H2 or YYYY) at `level` (default: district for a 3-digit code, else province).

    Raises ReportError (a ValueError) for a bad period or level, an unknown unit, or a
    period with no figures in the marts."""
    unit = unit.strip()
    parsed = parse_period(period)
    level = level or default_level(unit)
    if level not in LEVELS:
        raise ReportError(f"cấp '{level}' không hợp lệ: dùng {', '.join(LEVELS)} / "
                          f"invalid level '{level}': use {', '.join(LEVELS)}")
    indicator_view, task_view, period_filter = _VIEWS[parsed.kind]
    params = {"l": level, "u": unit, "y": parsed.year, "m": parsed.month, "h": parsed.half}
    with engine.connect() as conn:
        unit_name = conn.execute(text("SELECT unit_name FROM mart.unit_name WHERE level = :l AND unit_code = :u"),
                                 params).scalar()
        if unit_name is None:
            elsewhere = conn.execute(text("SELECT level, unit_name FROM mart.unit_name WHERE unit_code = :u "
                                          "ORDER BY level"), params).all()
            raise ReportError(_unknown_unit(unit, level, elsewhere))
        where = f"level = :l AND unit_code = :u AND year = :y AND {period_filter}"
        indicator_rows = conn.execute(text(f"SELECT * FROM {indicator_view} WHERE {where}"), params).mappings().all()
        task_rows = conn.execute(text(f"SELECT * FROM {task_view} WHERE {where}"), params).mappings().all()
    if not indicator_rows and not task_rows:
        raise ReportError(
            f"không có số liệu của {unit_name} (mã {unit}, {LEVEL_LABELS[level]}) cho {parsed.label}: chưa có "
            f"báo cáo được chấp nhận, hoặc chưa chạy `baocao rollup` / no figures for {unit} ({level}) in "
            f"{parsed.code}: nothing accepted for that period, or the marts were not refreshed (baocao rollup)")

    catalog = load_catalog()
    order = {code: i for i, code in enumerate(catalog.indicators)}
    indicators = []
    for row in sorted(indicator_rows, key=lambda r: (order.get(r["indicator_code"], len(order)), r["indicator_code"])):
        spec = catalog.indicators.get(row["indicator_code"])
        line = IndicatorLine(
            code=row["indicator_code"],
            name=row["indicator_name"],
            unit=row["unit"],
            kind=spec.kind if spec else ("rate" if row["unit"] == "%" else "flow"),
            direction=spec.direction if spec else "none",
            value=_decimal(row["value"]),
            ytd_value=_decimal(row.get("ytd_value")),
            annual_plan=_decimal(row["annual_plan"]),
            pct_of_annual_plan=_decimal(row["pct_of_annual_plan"]),
            same_period_last_year=_decimal(row["same_period_last_year"]),
            yoy_change_pct=_decimal(row["yoy_change_pct"]),
            yoy_change_points=_decimal(row["yoy_change_points"]),
            plan_attained=row.get("plan_attained"),
            reporting_units=int(row["reporting_units"]),
            expected_units=int(row["expected_units"]),
            last_year_reporting_units=row.get("last_year_reporting_units"),
        )
        indicators.append(_with_sentence(line, indicator_sentence(line, parsed, level)))

    tasks = []
    for row in sorted(task_rows, key=lambda r: _body_key(r["assigning_body"])):
        line = TaskLine(row["assigning_body"], row["tasks_total"], row["done_on_time"], row["done_late"],
                        row["in_progress"], row["overdue"], _decimal(row["on_time_rate"]))
        tasks.append(_with_sentence(line, task_sentence(line, f"{line.assigning_body} giao")))
    task_total = None
    if tasks:
        sums = [sum(getattr(t, f) for t in tasks)
                for f in ("tasks_total", "done_on_time", "done_late", "in_progress", "overdue")]
        rate = _rounded(Decimal(100 * sums[1]) / sums[0], PCT_DECIMALS) if sums[0] else None
        total = TaskLine("Tổng cộng", *sums, on_time_rate=rate)
        sentence = task_sentence(total, "Tổng cộng")
        if rate is not None:
            sentence += f"; tỷ lệ hoàn thành đúng hạn {vi_pct(rate)}"
        task_total = _with_sentence(total, sentence)

    return Report(
        unit_code=unit,
        unit_name=unit_name,
        level=level,
        period=parsed,
        title=_title(parsed, unit_name, level),
        completeness=_completeness(indicators, level),
        indicators=indicators,
        tasks=tasks,
        task_total=task_total,
    )


def _with_sentence(line: Any, sentence: str) -> Any:
    return replace(line, sentence=sentence)


def _title(period: Period, unit_name: str, level: str) -> str:
    suffix = " (địa giới từ 1/7/2025)" if level == "province_2025" else ""
    return f"Báo cáo {period.label} — {unit_name}{suffix}"


def _completeness(indicators: Sequence[IndicatorLine], level: str) -> str | None:
    """Provinces: how many districts the figures come from ('Số liệu tổng hợp từ 2/9 huyện');
    the most complete indicator counts, the others carry their own mark."""
    if level == "district" or not indicators:
        return None
    reporting = max(line.reporting_units for line in indicators)
    expected = max(line.expected_units for line in indicators)
    if reporting < expected:
        return f"Số liệu tổng hợp từ {reporting}/{expected} huyện (chưa đầy đủ)"
    return f"Số liệu tổng hợp từ đủ {reporting}/{expected} huyện"


def _unknown_unit(unit: str, level: str, elsewhere: Sequence[Any]) -> str:
    vi = f"không có đơn vị mã '{unit}' ở {LEVEL_LABELS[level]}"
    en = f"no unit with code '{unit}' at level {level}"
    if elsewhere:
        options = ", ".join(f"--level {r.level} ({r.unit_name})" for r in elsewhere)
        vi += f"; mã này có ở cấp khác: {options}"
        en += f"; the code exists at: {options}"
    else:
        vi += " (mã huyện 3 chữ số, mã tỉnh 2 chữ số, giữ số 0 ở đầu)"
        en += " (district codes have 3 digits, province codes 2, leading zeros kept)"
    return f"{vi} / {en}"


# --- tables shared by the renderers -------------------------------------------------------


def indicator_headers(report: Report) -> list[str]:
    headers = ["Mã", "Chỉ tiêu", "ĐVT", "Thực hiện"]
    if report.period.kind == "month":
        headers.append("Lũy kế năm")
    headers += ["KH năm", "% KH năm", "Cùng kỳ năm trước", "So với cùng kỳ"]
    if report.is_province:
        headers.append("Số huyện")
    return headers


def _change_text(line: IndicatorLine) -> str:
    if line.yoy_change_points is not None:
        change, suffix = _rounded(line.yoy_change_points, PCT_DECIMALS), " điểm %"
    elif line.yoy_change_pct is not None:
        change, suffix = _rounded(line.yoy_change_pct, PCT_DECIMALS), "%"
    else:
        return ""
    return f"{'+' if change > 0 else ''}{format_vi(change)}{suffix}"


def _number_cell(value: Decimal | None, unit: str) -> str:
    return "" if value is None else vi_number(value, PCT_DECIMALS if unit == "%" else VALUE_DECIMALS)


def indicator_rows(report: Report) -> list[list[str]]:
    """The indicator table in Vietnamese notation; a partial figure is marked '*'."""
    rows = []
    for line in report.indicators:
        value = _number_cell(line.value, line.unit) + ("*" if line.partial else "")
        row = [line.code, line.name, line.unit, value]
        if report.period.kind == "month":
            row.append(_number_cell(line.ytd_value, line.unit))
        row += [_number_cell(line.annual_plan, line.unit),
                "" if line.pct_of_annual_plan is None or line.kind == "rate" else vi_pct(line.pct_of_annual_plan),
                _number_cell(line.same_period_last_year, line.unit), _change_text(line)]
        if report.is_province:
            row.append(f"{line.reporting_units}/{line.expected_units}")
        rows.append(row)
    return rows


TASK_HEADERS = ["Cơ quan giao", "Tổng số", "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Đang thực hiện trong hạn",
                "Quá hạn", "Tỷ lệ đúng hạn"]


def task_rows(report: Report) -> list[list[str]]:
    """The task table, one row per assigning body and the total, in Vietnamese notation."""
    lines = [*report.tasks, *([report.task_total] if report.task_total else [])]
    return [[t.assigning_body, format_vi(t.tasks_total), format_vi(t.done_on_time), format_vi(t.done_late),
             format_vi(t.in_progress), format_vi(t.overdue), "" if t.on_time_rate is None else vi_pct(t.on_time_rate)]
            for t in lines]


TASK_NOTE = ("Tình trạng nhiệm vụ tại cuối kỳ, theo báo cáo tháng cuối cùng trong kỳ của mỗi huyện; đúng hạn, quá "
             "hạn được tính từ ngày hoàn thành và hạn hoàn thành")


# --- Markdown -----------------------------------------------------------------------------


def _md_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _md_table(headers: list[str], rows: list[list[str]], numeric_from: int, bold_last: bool = False) -> list[str]:
    out = ["| " + " | ".join(headers) + " |",
           "| " + " | ".join("---:" if i >= numeric_from else "---" for i in range(len(headers))) + " |"]
    for i, row in enumerate(rows):
        cells = [_md_cell(c) for c in row]
        if bold_last and i == len(rows) - 1:
            cells = [f"**{c}**" if c else c for c in cells]
        out.append("| " + " | ".join(cells) + " |")
    return out


def render_markdown(report: Report) -> str:
    lines = [f"# {report.title}", "", f"- Đơn vị: {report.unit_line}", f"- Kỳ báo cáo: {report.period_line}"]
    if report.completeness:
        lines.append(f"- {report.completeness}")
    lines += ["", "## I. Chỉ tiêu", ""]
    if report.indicators:
        lines += [f"- {s}." for s in report.indicator_sentences]
        lines += ["", *_md_table(indicator_headers(report), indicator_rows(report), numeric_from=3)]
        if report.partial_note:
            lines += ["", report.partial_note]
    else:
        lines.append("Không có số liệu chỉ tiêu trong kỳ.")
    lines += ["", "## II. Nhiệm vụ", ""]
    if report.tasks:
        lines += [f"- {s}." for s in report.task_sentences]
        lines += ["", *_md_table(TASK_HEADERS, task_rows(report), numeric_from=1, bold_last=True), "",
                  f"{TASK_NOTE}."]
    else:
        lines.append("Không có nhiệm vụ được báo cáo trong kỳ.")
    return "\n".join(lines) + "\n"


# --- CSV ----------------------------------------------------------------------------------


def render_csv(report: Report) -> str:
    """The report as CSV blocks (heading, indicator table, task table), numbers as text in
    Vietnamese notation, UTF-8 with a BOM so that Excel reads the diacritics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([report.title])
    writer.writerow(["Đơn vị", report.unit_line])
    writer.writerow(["Kỳ báo cáo", report.period_line])
    if report.completeness:
        writer.writerow(["Mức đầy đủ", report.completeness])
    writer.writerow([])
    writer.writerow(["I. Chỉ tiêu"])
    writer.writerow([*indicator_headers(report), "Nhận định"])
    for row, line in zip(indicator_rows(report), report.indicators, strict=True):
        writer.writerow([*row, line.sentence])
    if report.partial_note:
        writer.writerow([report.partial_note])
    writer.writerow([])
    writer.writerow(["II. Nhiệm vụ"])
    writer.writerow([*TASK_HEADERS, "Tóm tắt"])
    lines = [*report.tasks, *([report.task_total] if report.task_total else [])]
    for row, line in zip(task_rows(report), lines, strict=True):
        writer.writerow([*row, line.sentence])
    return "\ufeff" + buffer.getvalue()


# --- XLSX ---------------------------------------------------------------------------------


def _decimals(value: Decimal, max_decimals: int) -> int:
    return max(0, -_rounded(value, max_decimals).as_tuple().exponent)  # type: ignore[operator]


def write_xlsx(report: Report, path: Path | str) -> None:
    """Two sheets, "Chỉ tiêu" and "Nhiệm vụ". Figures are numeric cells (they sort, sum and
    chart) with a number format of exactly their decimals ('#,##0', '#,##0.0', ...), which
    Excel draws with the reader's separators: 92.000 and 61.250,5 on a Vietnamese-locale
    Excel. The sentences, in Vietnamese notation whatever the locale, are in the last column."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    title = wb.add_format({"bold": True, "font_size": 14})
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    cell = wb.add_format({"valign": "top", "border": 1})
    formats: dict[tuple[int, bool, bool], Any] = {}

    def number_format(decimals: int, partial: bool = False, bold: bool = False) -> Any:
        key = (decimals, partial, bold)
        if key not in formats:
            spec: dict[str, Any] = {"num_format": "#,##0" + ("." + "0" * decimals if decimals else ""),
                                    "valign": "top", "border": 1}
            if partial:
                spec["bg_color"] = "#FFF2CC"
            if bold:
                spec["bold"] = True
            formats[key] = wb.add_format(spec)
        return formats[key]

    def put(ws: Any, r: int, c: int, value: Decimal | int | None, max_decimals: int, partial: bool = False,
            bold: bool = False) -> None:
        if value is None:
            ws.write_blank(r, c, None, cell)
            return
        number = Decimal(value)
        as_number = int(number) if number == number.to_integral_value() else float(number)
        ws.write_number(r, c, as_number, number_format(_decimals(number, max_decimals), partial, bold))

    def heading(ws: Any) -> int:
        ws.write_string(0, 0, report.title, title)
        ws.write_string(1, 0, f"Đơn vị: {report.unit_line}")
        ws.write_string(2, 0, f"Kỳ báo cáo: {report.period_line}")
        row = 3
        if report.completeness:
            ws.write_string(row, 0, report.completeness)
            row += 1
        return row + 1

    # Chỉ tiêu
    ws = wb.add_worksheet("Chỉ tiêu")
    monthly = report.period.kind == "month"
    headers = ["Mã", "Chỉ tiêu", "ĐVT", "Thực hiện"] + (["Lũy kế năm"] if monthly else []) + [
        "KH năm", "% KH năm", "Cùng kỳ năm trước", "So với cùng kỳ (%)", "So với cùng kỳ (điểm %)"]
    if report.is_province:
        headers += ["Số huyện có đủ số liệu", "Số huyện phải báo cáo"]
    headers.append("Nhận định")
    top = heading(ws)
    ws.write_row(top, 0, headers, header)
    for i, line in enumerate(report.indicators, start=top + 1):
        digits = PCT_DECIMALS if line.unit == "%" else VALUE_DECIMALS
        ws.write_string(i, 0, line.code, cell)
        ws.write_string(i, 1, line.name, wrap)
        ws.write_string(i, 2, line.unit, cell)
        values: list[tuple[Decimal | int | None, int]] = [(line.value, digits)]
        if monthly:
            values.append((line.ytd_value, digits))
        values += [(line.annual_plan, digits),
                   (None if line.kind == "rate" else line.pct_of_annual_plan, PCT_DECIMALS),
                   (line.same_period_last_year, digits), (line.yoy_change_pct, PCT_DECIMALS),
                   (line.yoy_change_points, PCT_DECIMALS)]
        if report.is_province:
            values += [(line.reporting_units, 0), (line.expected_units, 0)]
        for c, (value, max_decimals) in enumerate(values, start=3):
            put(ws, i, c, value, max_decimals, partial=line.partial)
        ws.write_string(i, 3 + len(values), line.sentence, wrap)
    last = top + len(report.indicators)
    if report.partial_note:
        ws.write_string(last + 2, 0, report.partial_note)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 12)
    ws.set_column(3, len(headers) - 2, 14)
    ws.set_column(len(headers) - 1, len(headers) - 1, 80)
    ws.freeze_panes(top + 1, 2)
    if report.indicators:
        ws.autofilter(top, 0, last, len(headers) - 1)

    # Nhiệm vụ
    ws = wb.add_worksheet("Nhiệm vụ")
    top = heading(ws)
    ws.write_row(top, 0, [*TASK_HEADERS[:-1], "Tỷ lệ đúng hạn (%)", "Tóm tắt"], header)
    lines = [*report.tasks, *([report.task_total] if report.task_total else [])]
    bold_cell = wb.add_format({"bold": True, "valign": "top", "border": 1})
    for i, t in enumerate(lines, start=top + 1):
        is_total = t is report.task_total
        ws.write_string(i, 0, t.assigning_body, bold_cell if is_total else cell)
        for c, value in enumerate((t.tasks_total, t.done_on_time, t.done_late, t.in_progress, t.overdue), start=1):
            put(ws, i, c, value, 0, bold=is_total)
        put(ws, i, 6, t.on_time_rate, PCT_DECIMALS, bold=is_total)
        ws.write_string(i, 7, t.sentence, wrap)
    ws.write_string(top + len(lines) + 2, 0, TASK_NOTE)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 6, 14)
    ws.set_column(7, 7, 100)
    ws.freeze_panes(top + 1, 1)
    wb.close()
