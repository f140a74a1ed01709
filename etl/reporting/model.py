"""`baocao report`: what a report of a district or province for a month, a half-year or a
year holds (contract section 4), read from the analysts' mart views only.

`build_report` gathers the figures of mart.indicator_* and mart.task_* into a `Report`:
one line per indicator and per assigning body, each with its sentence
(etl.reporting.sentences). The indicator kind and direction come from the catalog
(reference/indicators.yaml). The renderers (markdown_report, csv_report, xlsx_report) lay
a Report out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, text

from etl.domain.bodies import load_bodies
from etl.domain.calendar import CalendarRule, load_calendar
from etl.domain.catalog import load_catalog
from etl.domain.contract import LEVELS, REPORTING_LEVELS
from etl.domain.periods import Period, parse_period
from etl.domain.text import fold_key
from etl.reporting import sentences
from etl.reporting.sentences import LEVEL_LABELS, TOTAL

# Assigning bodies from the top down, as listed in reference/assigning_bodies.yaml; any other
# body (one the list does not know, kept as written) follows in alphabetical order.
BODY_ORDER = load_bodies().names
_BODY_RANK = {fold_key(b): i for i, b in enumerate(BODY_ORDER)}


class ReportError(ValueError):
    """A report that cannot be made: the message is Vietnamese, then English."""


def default_level(unit: str) -> str:
    """A 3-digit code is a district, a 5-digit one a commune, anything else a (legacy) province;
    province_2025 is never guessed, because a 2025 code can name another province than the legacy one."""
    return {3: "district", 5: "commune"}.get(len(unit), "province")


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
    plan_attained: bool | None  # the mart's: every year; months and halves where the plan is a threshold
    reporting_units: int
    expected_units: int
    last_year_reporting_units: int | None = None  # of same_period_last_year
    plan_units: int | None = None  # of the units in the figure, those with a plan (annual_plan sums theirs)
    sentence: str = ""
    revised: bool = False  # changed since the previous issue of the report (build_report's `since`)
    ytd_last_year: Decimal | None = None  # monthly: last year's year to date at the same month

    @property
    def display_unit(self) -> str:
        """The unit a review writes this line in ('tỷ đồng' for large triệu đồng figures)."""
        return sentences.display_unit(self)[0]

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

    @property
    def tasks_due(self) -> int:
        return sentences.tasks_due(self)


@dataclass(frozen=True)
class UnitStatus:
    """A reporting unit whose monthly reports of the period are missing or late
    (mart.submission_status): months without an accepted report, and (month, days late)."""

    unit_code: str
    unit_name: str
    missing_months: tuple[int, ...] = ()
    late_months: tuple[tuple[int, int], ...] = ()


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
    as_of: datetime | None = None  # the figures as they stood then (mart.indicator_*_at); None: now
    since: datetime | None = None  # the cut-off of a previous issue the figures are compared with
    units_word: str | None = None  # what the units counted are called: "huyện", "huyện, thành phố", "xã, phường"
    unit_statuses: list[UnitStatus] = field(default_factory=list)  # units missing or late in the period
    expected_unit_count: int = 0  # units expected to report in the period (mart.submission_status)
    window: tuple[date, date] | None = None  # Decree 09 data window of the period
    refreshed_at: datetime | None = None  # when the marts read were last refreshed

    @property
    def missing_units(self) -> list[UnitStatus]:
        return [u for u in self.unit_statuses if u.missing_months]

    @property
    def late_units(self) -> list[UnitStatus]:
        return [u for u in self.unit_statuses if u.late_months]

    @property
    def revision_line(self) -> str | None:
        """Which figures changed since the previous issue (`since`), if one is named."""
        if self.since is None:
            return None
        return sentences.revision_line([line.code for line in self.indicators if line.revised], self.since)

    @property
    def cut_off_line(self) -> str | None:
        """"Số liệu tính đến 19/6/2024 17:00 (...)", as reviews state their own cut-off."""
        if self.as_of is None:
            return None
        return (f"{sentences.cut_off_line(self.as_of)} (các báo cáo, bản sửa và kế hoạch đã nhận đến thời điểm "
                "này; báo cáo tính đến một thời điểm không có phần nhiệm vụ)")

    @property
    def is_province(self) -> bool:
        return self.level not in REPORTING_LEVELS

    @property
    def unit_line(self) -> str:
        return sentences.unit_line(self.unit_name, self.unit_code, self.level)

    @property
    def period_line(self) -> str:
        return sentences.period_line(self.period)

    @property
    def footnotes(self) -> list[str]:
        """The footnotes of the marks on the lines ((*) partial, (**) incomplete last year), each once."""
        return sentences.footnotes(self.indicators, self.level, self.period, self.units_word)

    @property
    def partial_note(self) -> str | None:
        """The footnotes as one text, a line each."""
        return "\n".join(self.footnotes) or None

    @property
    def indicator_sentences(self) -> list[str]:
        return [line.sentence for line in self.indicators]

    @property
    def task_lines(self) -> list[TaskLine]:
        """The task table: one line per assigning body, then the total."""
        return [*self.tasks, *([self.task_total] if self.task_total else [])]

    @property
    def task_sentences(self) -> list[str]:
        """One per assigning body, and the total when there are several bodies."""
        lines = list(self.tasks)
        if self.task_total is not None and len(self.tasks) > 1:
            lines.append(self.task_total)
        return [line.sentence for line in lines]


# The views of each kind of period, and the filter picking the period within the year.
_VIEWS = {
    "month": ("mart.indicator_monthly", "mart.task_monthly", "month = :m"),
    "half": ("mart.indicator_semiannual", "mart.task_semiannual", "half = :h"),
    "year": ("mart.indicator_annual", "mart.task_annual", "TRUE"),
}


def build_report(engine: Engine, unit: str, period: str, level: str | None = None,
                 as_of: datetime | None = None, since: datetime | None = None) -> Report:
    """The report of `unit` (district or province code) for `period` (YYYY-MM, YYYY-H1,
    YYYY-H2 or YYYY) at `level` (default: district for a 3-digit code, else province); `as_of`:
    the figures as they stood at that moment (the versions that had arrived, the plans then in
    force, the units then expected: mart.indicator_*_at). Tasks are not kept as of a moment: an
    as-of report has indicators only, and says so. `since`: the cut-off of a previous issue of
    the same report; the figures that differ from it (value, year to date or plan) are marked.

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
        if as_of is None:
            source = indicator_view
            task_rows = conn.execute(text(f"SELECT * FROM {task_view} WHERE {where}"), params).mappings().all()
        else:
            source = f"{indicator_view}_at(:as_of, :l, :u, :y)"
            task_rows = []
        indicator_rows = conn.execute(text(f"SELECT * FROM {source} WHERE {where}"),
                                      {**params, "as_of": as_of}).mappings().all()
        ytd_last_year: dict[str, Decimal] = {}
        if parsed.kind == "month" and indicator_rows:
            # Last year's year to date at the same month: a year to date compares with a year to date.
            before = indicator_view if as_of is None else f"{indicator_view}_at(:as_of, :l, :u, :ly)"
            ytd_last_year = {r.indicator_code: Decimal(r.ytd_value) for r in conn.execute(text(
                f"SELECT indicator_code, ytd_value FROM {before} WHERE level = :l AND unit_code = :u AND year = :ly "
                "AND month = :m AND ytd_value IS NOT NULL"), {**params, "ly": parsed.year - 1, "as_of": as_of})}
        status_rows = _status_rows(conn, level, unit, parsed, as_of)
        refreshed_at = (max((r["refreshed_at"] for r in indicator_rows if r.get("refreshed_at")), default=None)
                        if as_of is None else None)
    if not indicator_rows and not task_rows:
        raise ReportError(
            f"không có số liệu của {unit_name} (mã {unit}, {LEVEL_LABELS[level]}) cho {parsed.label}: chưa có "
            f"báo cáo được chấp nhận, hoặc chưa chạy `baocao rollup` / no figures for {unit} ({level}) in "
            f"{parsed.code}: nothing accepted for that period, or the marts were not refreshed (baocao rollup)")

    catalog = load_catalog()
    order = {code: i for i, code in enumerate(catalog.indicators)}
    previous = _previous_issue(engine, unit, period, level, since) if since else {}
    indicators = []
    unit_statuses, names, province = _unit_statuses(status_rows)
    word = sentences.unit_type_word(names or [unit_name]) if (names or level in REPORTING_LEVELS) else None
    for row in sorted(indicator_rows, key=lambda r: (order.get(r["indicator_code"], len(order)), r["indicator_code"])):
        line = replace(_indicator_line(row), ytd_last_year=ytd_last_year.get(row["indicator_code"]))
        sentence = sentences.indicator_sentence(line, parsed, level, word)
        before = previous.get(line.code)
        revised = since is not None and (before is None or (before.value, before.ytd_value, before.annual_plan)
                                         != (line.value, line.ytd_value, line.annual_plan))
        if revised:
            assert since is not None
            sentence = f"{sentence} {sentences.revised_clause(line, before, since)}"
        indicators.append(replace(line, sentence=sentence, revised=revised))

    tasks = [replace(line, sentence=sentences.task_sentence(line))
             for line in (_task_line(row) for row in sorted(task_rows, key=lambda r: _body_key(r["assigning_body"])))]
    task_total = None
    if tasks:
        sums = [sum(getattr(t, f) for t in tasks)
                for f in ("tasks_total", "done_on_time", "done_late", "in_progress", "overdue")]
        total = TaskLine(TOTAL, *sums, on_time_rate=None)
        total = replace(total, on_time_rate=sentences.on_time_rate(total))
        task_total = replace(total, sentence=sentences.task_total_sentence(total))

    return Report(
        unit_code=unit,
        unit_name=unit_name,
        level=level,
        period=parsed,
        title=sentences.title(parsed, unit_name, level),
        completeness=sentences.completeness(indicators, level, parsed, word,
                                            [u.unit_name for u in unit_statuses if u.missing_months]),
        indicators=indicators,
        tasks=tasks,
        task_total=task_total,
        as_of=as_of,
        since=since,
        units_word=word,
        unit_statuses=unit_statuses,
        expected_unit_count=len(names),
        window=parsed.window(load_calendar_rule(province or (unit if level == "province" else "*"),
                                                parsed.kind).cutoff_day),
        refreshed_at=refreshed_at,
    )


def load_calendar_rule(province_code: str, report_type: str) -> CalendarRule:
    """The deployment's calendar rule (cut-off and deadline day) of a province and report type."""
    return load_calendar().rule(province_code, report_type)


# Which of mart.submission_status's rows belong to a unit of each level.
_STATUS_FILTER = {
    "district": "district_code = :u",
    "commune": "district_code = :u",
    "province": "province_code = :u AND level = 'district'",
    "province_2025": "province_2025_code = :u",
}


def _status_rows(conn: Connection, level: str, unit: str, period: Period, as_of: datetime | None) -> list[Any]:
    """The submission status of every unit-month expected in the period, as it stood at `as_of`."""
    # as of a moment: from the period's first month only (the function would compute every month otherwise)
    source = "mart.submission_status" if as_of is None else "mart.submission_status_at(:as_of, :from_period)"
    return list(conn.execute(text(
        f"SELECT district_code, district_name, province_code, month, status, days_late FROM {source} "
        f"WHERE {_STATUS_FILTER[level]} AND year = :y AND month BETWEEN :m1 AND :m2 ORDER BY district_code, month"),
        {"u": unit, "y": period.year, "m1": period.first_month, "m2": period.last_month, "as_of": as_of,
         "from_period": period.year * 100 + period.first_month}))


def _unit_statuses(rows: Sequence[Any]) -> tuple[list[UnitStatus], list[str], str | None]:
    """The units missing a month (no accepted report: missing, rejected, or not received yet) or
    late; the names of every unit expected; the province of the first."""
    by_unit: dict[str, list[Any]] = {}
    for r in rows:
        by_unit.setdefault(r.district_code, []).append(r)
    statuses, names = [], []
    for code, months in by_unit.items():
        name = months[-1].district_name
        names.append(name)
        missing = tuple(r.month for r in months if r.status not in ("on_time", "late"))
        late = tuple((r.month, r.days_late) for r in months if r.status == "late")
        if missing or late:
            statuses.append(UnitStatus(code, name, missing, late))
    return statuses, names, (rows[0].province_code if rows else None)


def _previous_issue(engine: Engine, unit: str, period: str, level: str, since: datetime) -> dict[str, IndicatorLine]:
    """The figures of the same report as issued at `since` (as they stood then), by indicator."""
    try:
        earlier = build_report(engine, unit, period, level, as_of=since)
    except ReportError:  # nothing had arrived then: every figure is new
        return {}
    return {line.code: line for line in earlier.indicators}


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _indicator_line(row: Mapping[str, Any]) -> IndicatorLine:
    spec = load_catalog().indicators.get(row["indicator_code"])
    return IndicatorLine(
        code=row["indicator_code"],
        name=row["indicator_name"],
        unit=row["unit"],
        kind=spec.kind if spec else ("rate" if row["unit"] == "%" else "flow"),
        direction=spec.direction if spec else "none",
        value=_decimal(row["value"]),
        ytd_value=_decimal(row.get("ytd_value")),  # monthly view only
        annual_plan=_decimal(row["annual_plan"]),
        pct_of_annual_plan=_decimal(row["pct_of_annual_plan"]),
        same_period_last_year=_decimal(row["same_period_last_year"]),
        yoy_change_pct=_decimal(row["yoy_change_pct"]),
        yoy_change_points=_decimal(row["yoy_change_points"]),
        plan_attained=row["plan_attained"],
        reporting_units=int(row["reporting_units"]),
        expected_units=int(row["expected_units"]),
        last_year_reporting_units=row.get("last_year_reporting_units"),
        plan_units=row.get("plan_units"),
    )


def _task_line(row: Mapping[str, Any]) -> TaskLine:
    """The mart's counts; the on-time rate recomputed over the tasks due (the mart's is over all)."""
    line = TaskLine(row["assigning_body"], row["tasks_total"], row["done_on_time"], row["done_late"],
                    row["in_progress"], row["overdue"], None)
    return replace(line, on_time_rate=sentences.on_time_rate(line))


def _body_key(body: str) -> tuple[int, str]:
    key = fold_key(body)
    return (_BODY_RANK.get(key, len(BODY_ORDER)), key)


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
