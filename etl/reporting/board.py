"""`baocao board`: a province's status board for a year, as one static HTML page and PNG images.

The page (index.html) needs nothing from the network and no JavaScript: the styles are inline
and the charts are inlined SVG. It holds (a) the unit x month grid of submission statuses
(mart.submission_status: on time, late by N days, missing, rejected, pending), (b) the
province's reporting and on-time rates by month (mart.reporting_rate), (c) a few key
indicators, this year against last year and the annual plan (mart.indicator_monthly), and
(d) the latest revisions (mart.figure_revision) and the tasks: the overdue tasks where
mart.task_overdue and etl.reporting.overdue exist, else the task counts of mart.task_rollup.
With `as_of`, the statuses and figures as they stood then (mart.*_at functions).

Charts are Vega-Lite specs built with altair and rendered offline by vl-convert (an embedded
Deno/V8, no browser): SVG for the page, PNG files beside it. The specs are plain data, so
tests read them without rendering."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from etl.domain.catalog import load_catalog
from etl.domain.unit_history import district_level_last_day
from etl.reporting.sentences import LEVEL_LABELS, cut_off_line, value_text, vi_number, vi_pct

# The indicators the seed reviews state most (of the five in /seeds: budget revenue in four, with
# "đạt x% dự toán"; gross output in four; new-rural communes in four; the poverty rate in four), one
# of each kind the board must draw: two flows (drawn as their year to date, against the annual
# plan), a stock and a rate (a province's rate has no plan: the mart recomputes it, plans are the
# districts').
KEY_INDICATORS = ("NS01", "KT01", "NN08", "XH03")
LATEST_REVISIONS = 12
MAX_TASKS = 25  # overdue tasks listed, the longest overdue first
OVERDUE_COLUMNS = ("unit_name", "assigning_body", "document", "title", "deadline", "days_overdue")
MONTHS = tuple(range(1, 13))

STATUSES = ("on_time", "late", "missing", "rejected", "pending")
NOT_EXPECTED = "none"  # a unit-month outside the unit's expected months (before its start, after its end)
STATUS_LABEL = {"on_time": "Đúng hạn", "late": "Muộn", "missing": "Chưa nộp (quá hạn)", "rejected": "Bị trả lại",
                "pending": "Chưa đến hạn", NOT_EXPECTED: "Không phải báo cáo"}
# Colour and a symbol for each status: the symbol keeps the grid readable in grey print and for
# colour-blind readers; the colours are ColorBrewer's (green on time, orange late, red missing,
# purple rejected, pale blue not yet due).
STATUS_STYLE = {"on_time": ("#a6d96a", "#1b4d0e", "✓"), "late": ("#fdae61", "#5a2d00", "+"),
                "missing": ("#d73027", "#ffffff", "✗"), "rejected": ("#9e7cc1", "#ffffff", "!"),
                "pending": ("#deebf7", "#08306b", "…"), NOT_EXPECTED: ("#f4f4f4", "#9a9a9a", "")}
RATE_COLOURS = {"Tỷ lệ báo cáo": "#2b83ba", "Tỷ lệ đúng hạn": "#1a9641"}
THIS_YEAR, LAST_YEAR, PLAN = "#2b83ba", "#a0a0a0", "#d7191c"
# d3-format's locale for Vega-Lite's axes: '.' groups thousands, ',' is the decimal mark.
VI_FORMAT_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"], "percent": "%"}


class BoardError(ValueError):
    """A board that cannot be made (unknown province, bad level): Vietnamese, then English."""


@dataclass(frozen=True)
class Cell:
    unit_code: str
    month: int
    status: str  # one of STATUSES, or NOT_EXPECTED
    days_late: int | None = None
    deadline: datetime | None = None
    received_at: datetime | None = None  # the first accepted version's arrival, else the first file's


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    level: str  # district | commune
    cells: tuple[Cell, ...]  # one per month, January first


@dataclass(frozen=True)
class RateMonth:
    month: int
    expected: int
    received: int
    on_time: int
    reporting_rate_pct: Decimal
    on_time_rate_pct: Decimal


@dataclass(frozen=True)
class IndicatorSeries:
    code: str
    name: str
    unit: str
    kind: str
    measure: str  # "ytd" (flows: the year to date) or "value"
    this_year: dict[int, Decimal]  # month -> figure
    last_year: dict[int, Decimal]
    latest_month: int | None  # the latest month of the year with a figure
    annual_plan: Decimal | None  # the plan in force at the latest month that has one (a province's: summed)
    plan_month: int | None  # that month: earlier than latest_month when the later figures lack plans
    pct_of_plan: Decimal | None  # at latest_month (the mart's: only when every unit in the figure has a plan)
    plan_units: int | None  # at latest_month: units in the figure with a plan, of reporting_units
    reporting_units: int | None


@dataclass(frozen=True)
class Revision:
    revised_at: datetime
    unit_code: str
    unit_name: str
    month: int
    indicator_code: str
    indicator_name: str
    unit: str
    old: Decimal | None
    new: Decimal | None
    after_deadline: bool | None


@dataclass(frozen=True)
class Board:
    province_code: str
    province_name: str
    level: str  # province | province_2025
    year: int
    as_of: datetime  # when the statuses were computed (the mart's refresh, or the as_of asked for)
    units: tuple[UnitRow, ...]
    rates: tuple[RateMonth, ...]
    indicators: tuple[IndicatorSeries, ...]
    revisions: tuple[Revision, ...]
    task_source: str  # "overdue": mart.task_overdue's rows; "rollup": mart.task_rollup's counts
    tasks: tuple[dict[str, Any], ...] = field(default=())

    def counts(self) -> dict[str, int]:
        """Unit-months per status, expected ones only."""
        out = dict.fromkeys(STATUSES, 0)
        for row in self.units:
            for c in row.cells:
                if c.status in out:
                    out[c.status] += 1
        return out


def default_level(year: int) -> str:
    """A legacy province until the year before the reform; from 2025 on the 2025 province, the only
    level that spans the whole year (the legacy one stops at 06/2025, its codes name other provinces)."""
    last_day = district_level_last_day()
    return "province_2025" if last_day is not None and year >= last_day.year else "province"


def build_board(engine: Engine, province: str, year: int | None = None, *, level: str | None = None,
                as_of: datetime | None = None) -> Board:
    """Read the board of `province` for `year` (default: the current year, or as_of's) from the marts."""
    province = province.strip()
    year = year or (as_of or datetime.now(UTC)).astimezone(_zone()).year
    level = level or default_level(year)
    if level not in ("province", "province_2025"):
        raise BoardError(f"cấp '{level}' không hợp lệ: province hoặc province_2025 / invalid level '{level}': "
                         "use province or province_2025")
    with engine.connect() as conn:
        name = conn.execute(text("SELECT unit_name FROM mart.unit_name WHERE level = :l AND unit_code = :u"),
                            {"l": level, "u": province}).scalar()
        if name is None:
            raise BoardError(f"không có tỉnh mã '{province}' ({LEVEL_LABELS[level]}) / no province '{province}' "
                             f"at level {level}")
        statuses = _statuses(conn, province, level, year, as_of)
        units = _grid(statuses)
        rates = _rates(conn, province, level, year, as_of, statuses)
        indicators = _indicators(conn, province, level, year, as_of)
        revisions = _revisions(conn, [u.code for u in units], {u.code: u.name for u in units}, year, as_of)
        task_source, tasks = _tasks(conn, province, level, year)
        computed = as_of or conn.execute(text(
            "SELECT max(as_of) FROM mart.submission_status WHERE year = :y"), {"y": year}).scalar()
    return Board(province, name, level, year, computed or datetime.now(UTC), units, rates, indicators,
                 revisions, task_source, tasks)


def _zone() -> Any:
    from etl.domain.calendar import local_zone

    return local_zone()


def _statuses(conn: Connection, province: str, level: str, year: int,
              as_of: datetime | None) -> list[Mapping[str, Any]]:
    column = "province_code" if level == "province" else "province_2025_code"
    source = "mart.submission_status" if as_of is None else "mart.submission_status_at(:as_of)"
    return list(conn.execute(text(f"""
        SELECT district_code, district_name, level, month, status, days_late, deadline,
               coalesce(accepted_at, first_received_at) AS received_at
        FROM {source} WHERE year = :y AND {column} = :p
        ORDER BY level DESC, district_code, month
    """), {"y": year, "p": province, "as_of": as_of}).mappings())


def _grid(statuses: Sequence[Mapping[str, Any]]) -> tuple[UnitRow, ...]:
    """One row per unit, one cell per month: districts first (the year's first months), then communes."""
    by_unit: dict[str, dict[int, Cell]] = {}
    names: dict[str, tuple[str, str]] = {}
    for r in statuses:
        names[r["district_code"]] = (r["district_name"], r["level"] or "district")
        by_unit.setdefault(r["district_code"], {})[r["month"]] = Cell(
            r["district_code"], r["month"], r["status"], r["days_late"], r["deadline"], r["received_at"])
    return tuple(UnitRow(code, *names[code], tuple(cells.get(m) or Cell(code, m, NOT_EXPECTED) for m in MONTHS))
                 for code, cells in by_unit.items())


def _rates(conn: Connection, province: str, level: str, year: int, as_of: datetime | None,
           statuses: Sequence[Mapping[str, Any]]) -> tuple[RateMonth, ...]:
    if as_of is None:
        rows = conn.execute(text("""
            SELECT month, expected, received, on_time, reporting_rate_pct, on_time_rate_pct FROM mart.reporting_rate
            WHERE level = :l AND unit_code = :p AND year = :y ORDER BY month
        """), {"l": level, "p": province, "y": year}).all()
        return tuple(RateMonth(*r) for r in rows)
    # As of a moment there is no stored rate: mart.reporting_rate's definition over the statuses then.
    out = []
    for m in sorted({r["month"] for r in statuses}):
        month = [r["status"] for r in statuses if r["month"] == m]
        received = sum(s in ("on_time", "late") for s in month)
        on_time = sum(s == "on_time" for s in month)
        out.append(RateMonth(m, len(month), received, on_time, _pct(received, len(month)), _pct(on_time, len(month))))
    return tuple(out)


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.01")) if whole else Decimal(0)


def _indicators(conn: Connection, province: str, level: str, year: int,
                as_of: datetime | None) -> tuple[IndicatorSeries, ...]:
    catalog = load_catalog()
    rows: list[Mapping[str, Any]] = []
    for y in (year - 1, year):
        source = "mart.indicator_monthly" if as_of is None else "mart.indicator_monthly_at(:as_of, :l, :p, :y)"
        rows += conn.execute(text(f"""
            SELECT year, month, indicator_code, value, ytd_value, annual_plan, pct_of_annual_plan, plan_units,
                   reporting_units FROM {source}
            WHERE level = :l AND unit_code = :p AND year = :y AND indicator_code = ANY(:codes)
        """), {"l": level, "p": province, "y": y, "codes": list(KEY_INDICATORS), "as_of": as_of}).mappings().all()
    out = []
    for code in KEY_INDICATORS:
        ind = catalog.indicators[code]
        measure = "ytd" if ind.kind == "flow" else "value"
        mine = [r for r in rows if r["indicator_code"] == code]

        def series(y: int, mine: list[Mapping[str, Any]] = mine, measure: str = measure) -> dict[int, Decimal]:
            return {r["month"]: r["ytd_value" if measure == "ytd" else "value"] for r in mine
                    if r["year"] == y and r["ytd_value" if measure == "ytd" else "value"] is not None}

        column = "ytd_value" if measure == "ytd" else "value"
        this_year = sorted((r for r in mine if r["year"] == year and r[column] is not None), key=lambda r: r["month"])
        latest = this_year[-1] if this_year else None
        # A 2025 province's communes have no plan for the year they began: its plan stops at June.
        planned = next((r for r in reversed(this_year) if r["annual_plan"] is not None), None)
        out.append(IndicatorSeries(
            code, ind.name, ind.unit, ind.kind, measure, series(year), series(year - 1),
            latest["month"] if latest else None, planned["annual_plan"] if planned else None,
            planned["month"] if planned else None, latest["pct_of_annual_plan"] if latest else None,
            latest["plan_units"] if latest else None, latest["reporting_units"] if latest else None))
    return tuple(out)


def _revisions(conn: Connection, units: Sequence[str], names: Mapping[str, str], year: int,
               as_of: datetime | None) -> tuple[Revision, ...]:
    if not units:
        return ()
    catalog = load_catalog()
    rows = conn.execute(text("""
        SELECT revised_at, unit_code, month, indicator_code, old_value, new_value, old_ytd_value, new_ytd_value,
               after_deadline
        FROM mart.figure_revision
        WHERE unit_code = ANY(:units) AND year = :y AND (CAST(:as_of AS timestamptz) IS NULL OR revised_at <= :as_of)
        ORDER BY revised_at DESC, unit_code, indicator_code LIMIT :n
    """), {"units": list(units), "y": year, "as_of": as_of, "n": LATEST_REVISIONS}).mappings().all()
    out = []
    for r in rows:
        ind = catalog.indicators.get(r["indicator_code"])
        # The month value when it was sent, else the year to date (a file may send either).
        month_sent = r["old_value"] is not None or r["new_value"] is not None
        old, new = (r["old_value"], r["new_value"]) if month_sent else (r["old_ytd_value"], r["new_ytd_value"])
        out.append(Revision(r["revised_at"], r["unit_code"], names.get(r["unit_code"], r["unit_code"]), r["month"],
                            r["indicator_code"], ind.name if ind else r["indicator_code"], ind.unit if ind else "",
                            old, new, r["after_deadline"]))
    return tuple(out)


def _tasks(conn: Connection, province: str, level: str, year: int) -> tuple[str, tuple[dict[str, Any], ...]]:
    """The year's overdue tasks where baocao has them (mart.task_overdue, read by
    etl.reporting.overdue.overdue_tasks), else the year's counts by assigning body (mart.task_rollup)."""
    overdue = _overdue_function()
    if overdue is not None and conn.execute(text("SELECT to_regclass('mart.task_overdue')")).scalar() is not None:
        rows = [t for t in overdue(conn, level=level, unit_code=province, year=year, period_type="year")
                if t.status == "overdue"]  # done late is history; the board lists what is still open
        rows.sort(key=lambda t: -t.days_overdue)  # the longest overdue first
        return "overdue", tuple({key: getattr(t, key) for key in OVERDUE_COLUMNS} for t in rows[:MAX_TASKS])
    rows = conn.execute(text("""
        SELECT assigning_body, tasks_total, done_on_time, done_late, in_progress, overdue FROM mart.task_rollup
        WHERE level = :l AND unit_code = :p AND year = :y AND period_type = 'year'
        ORDER BY overdue DESC, tasks_total DESC, assigning_body
    """), {"l": level, "p": province, "y": year}).mappings().all()
    return "rollup", tuple(dict(r) for r in rows)


def _overdue_function() -> Any:
    try:
        module = importlib.import_module("etl.reporting.overdue")
    except ImportError:
        return None
    return getattr(module, "overdue_tasks", None)


# --- charts: Vega-Lite specs (altair), rendered offline by vl-convert ------------------------------


def month_label(month: int) -> str:
    return f"T{month}"


_MONTH_ORDER = [month_label(m) for m in MONTHS]


def rate_chart(board: Board) -> Any:
    import altair as alt
    import pandas as pd

    data = pd.DataFrame([{"Tháng": month_label(r.month), "Chỉ số": label, "Tỷ lệ (%)": float(value),
                          "Số đơn vị": f"{vi_count_text(count)}/{vi_count_text(r.expected)}"}
                         for r in board.rates
                         for label, value, count in (("Tỷ lệ báo cáo", r.reporting_rate_pct, r.received),
                                                     ("Tỷ lệ đúng hạn", r.on_time_rate_pct, r.on_time))],
                        columns=["Tháng", "Chỉ số", "Tỷ lệ (%)", "Số đơn vị"])
    return alt.Chart(data, title=f"Tỷ lệ báo cáo và tỷ lệ đúng hạn theo tháng, năm {board.year}").mark_line(
        point=True, strokeWidth=2).encode(
        x=alt.X("Tháng:N", sort=_MONTH_ORDER, scale=alt.Scale(domain=_MONTH_ORDER), title=None,
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("Tỷ lệ (%):Q", scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(format=",.0f"), title="%"),
        color=alt.Color("Chỉ số:N", scale=alt.Scale(domain=list(RATE_COLOURS), range=list(RATE_COLOURS.values())),
                        legend=alt.Legend(orient="bottom", title=None)),
    ).properties(width=420, height=160)


def indicator_chart(series: IndicatorSeries, year: int) -> Any:
    import altair as alt
    import pandas as pd

    this_label, last_label = f"Năm {year}", f"Năm {year - 1}"
    points = [{"Tháng": month_label(m), "Kỳ": label, "Giá trị": float(v)}
              for label, values in ((this_label, series.this_year), (last_label, series.last_year))
              for m, v in sorted(values.items())]
    data = pd.DataFrame(points, columns=["Tháng", "Kỳ", "Giá trị"])
    fmt = ",.2~f" if series.unit == "%" or _largest(series) < 100 else ",.0f"
    what = "lũy kế năm" if series.measure == "ytd" else "giá trị tháng"
    colours = {this_label: THIS_YEAR, last_label: LAST_YEAR}
    domain = 2 if series.annual_plan is None else 3  # the plan in the legend only when there is one
    lines = alt.Chart(data).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("Tháng:N", sort=_MONTH_ORDER, scale=alt.Scale(domain=_MONTH_ORDER), title=None,
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("Giá trị:Q", axis=alt.Axis(format=fmt), title=None),  # the unit is in the title
        color=alt.Color("Kỳ:N", scale=alt.Scale(domain=[this_label, last_label, "Kế hoạch năm"][:domain],
                                                range=[THIS_YEAR, LAST_YEAR, PLAN][:domain]),
                        legend=alt.Legend(orient="bottom", title=None)),
        strokeDash=alt.StrokeDash("Kỳ:N", scale=alt.Scale(domain=list(colours), range=[[1, 0], [5, 3]]), legend=None),
    )
    layers = [lines]
    if series.annual_plan is not None:
        plan = pd.DataFrame([{"Kỳ": "Kế hoạch năm", "Giá trị": float(series.annual_plan)}])
        layers.append(alt.Chart(plan).mark_rule(strokeDash=[2, 2], strokeWidth=2).encode(
            y="Giá trị:Q", color=alt.Color("Kỳ:N")))
    # One subtitle line per clause: a long line would widen the SVG past the chart.
    title = alt.TitleParams(f"{series.code} {series.name}", subtitle=[f"{what}, {series.unit}",
                                                                      *_subtitle(series).split("; ")],
                            anchor="start", fontSize=13, subtitleFontSize=11)
    return alt.layer(*layers, title=title).properties(width=420, height=140)


def _largest(series: IndicatorSeries) -> float:
    values = [abs(float(v)) for v in (*series.this_year.values(), *series.last_year.values())]
    return max([*values, abs(float(series.annual_plan or 0))])


def _subtitle(series: IndicatorSeries) -> str:
    if series.latest_month is None:
        return "chưa có số liệu"
    month = month_label(series.latest_month)
    if series.annual_plan is None:
        if series.kind == "rate":
            return "tỷ lệ cấp tỉnh tính lại từ tử số, mẫu số; không có kế hoạch cấp tỉnh"
        return f"chưa có kế hoạch năm của các đơn vị ({month}: {_plan_units(series)} đơn vị có kế hoạch)"
    plan = f"kế hoạch năm {value_text(series.annual_plan, series.unit)}"
    if series.plan_month != series.latest_month:
        return (f"{plan} (của các đơn vị đến {month_label(series.plan_month or 1)}); {month}: "
                f"{_plan_units(series)} đơn vị có kế hoạch, chưa so được với kế hoạch")
    if series.pct_of_plan is None:
        return f"{plan}; {month}: {_plan_units(series)} đơn vị có kế hoạch, chưa so được với kế hoạch"
    return f"{plan}; {month} đạt {vi_pct(series.pct_of_plan)} kế hoạch"


def _plan_units(series: IndicatorSeries) -> str:
    return f"{vi_count_text(series.plan_units or 0)}/{vi_count_text(series.reporting_units or 0)}"


def vi_count_text(value: int) -> str:
    return vi_number(value, 0)


def charts(board: Board) -> dict[str, Any]:
    """The board's charts by file stem: the rates, then each key indicator."""
    out = {"ty_le_bao_cao": rate_chart(board)}
    out.update({f"chi_tieu_{s.code}": indicator_chart(s, board.year) for s in board.indicators})
    return out


def render_svg(chart: Any) -> str:
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(chart.to_dict(), format_locale=VI_FORMAT_LOCALE)
    # An inlined SVG needs no XML prolog; its size stays the chart's.
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


def render_png(chart: Any, scale: float = 2.0) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart.to_dict(), scale=scale, format_locale=VI_FORMAT_LOCALE)


# --- the page ----------------------------------------------------------------------------------


def vi_date(moment: datetime | None, with_time: bool = True) -> str:
    """dd/mm/yyyy (HH:MM) on the reporting calendar's clock; '' for None."""
    if moment is None:
        return ""
    local = moment.astimezone(_zone())
    return f"{local:%d/%m/%Y %H:%M}" if with_time else f"{local:%d/%m/%Y}"


def cell_text(cell: Cell) -> str:
    symbol = STATUS_STYLE[cell.status][2]
    if cell.status == "late" and cell.days_late:
        return f"+{cell.days_late}"
    return symbol


def cell_title(row: UnitRow, cell: Cell, year: int) -> str:
    """The cell's tooltip: unit, month, status, deadline and arrival."""
    parts = [f"{row.name}, tháng {cell.month:02d}/{year}: {STATUS_LABEL[cell.status].lower()}"]
    if cell.status == "late" and cell.days_late:
        parts[0] += f" {cell.days_late} ngày"
    if cell.deadline is not None:
        parts.append(f"hạn {vi_date(cell.deadline)}")
    if cell.received_at is not None:
        parts.append(f"nhận {vi_date(cell.received_at)}")
    return "; ".join(parts)


def render_html(board: Board, svgs: Mapping[str, str], pngs: Sequence[str] = ()) -> str:
    """The page, from etl/reporting/board.html.j2 (autoescaped; the SVGs are vl-convert's own markup)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(["j2", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("board.html.j2")
    counts = board.counts()
    expected = sum(counts.values())
    latest_rate = next((r for r in reversed(board.rates) if r.expected), None)
    return template.render(
        board=board, level_label=LEVEL_LABELS[board.level], months=MONTHS, statuses=(*STATUSES, NOT_EXPECTED),
        status_label=STATUS_LABEL, status_style=STATUS_STYLE, counts=counts, expected=expected,
        vi_count=vi_count_text, vi_pct=vi_pct, vi_date=vi_date, cell_text=cell_text,
        cell_title=lambda row, cell: cell_title(row, cell, board.year),
        value_text=lambda v, unit: "—" if v is None else value_text(v, unit),
        cut_off=cut_off_line(board.as_of), latest_rate=latest_rate,
        rate_svg=Markup(svgs.get("ty_le_bao_cao", "")),
        indicator_svgs=[(s, Markup(svgs.get(f"chi_tieu_{s.code}", ""))) for s in board.indicators],
        key_indicators=", ".join(f"{s.code} ({s.name})" for s in board.indicators),
        pngs=pngs, task_columns=_task_columns(board), max_tasks=MAX_TASKS, generated=vi_date(datetime.now(UTC)),
    )


TASK_HEADINGS = {"assigning_body": "Cơ quan giao", "tasks_total": "Tổng số", "done_on_time": "Hoàn thành đúng hạn",
                 "done_late": "Hoàn thành quá hạn", "in_progress": "Đang thực hiện trong hạn",
                 "overdue": "Quá hạn chưa hoàn thành", "unit_name": "Đơn vị", "document": "Văn bản giao",
                 "title": "Nhiệm vụ", "deadline": "Hạn hoàn thành", "days_overdue": "Số ngày quá hạn"}


def _task_columns(board: Board) -> list[tuple[str, str]]:
    if not board.tasks:
        return []
    return [(key, TASK_HEADINGS.get(key, key)) for key in board.tasks[0]]


def write_board(board: Board, out_dir: Path) -> list[Path]:
    """index.html and one PNG per chart into out_dir; returns the files written, the page first."""
    out_dir.mkdir(parents=True, exist_ok=True)
    made = charts(board)
    svgs = {name: render_svg(chart) for name, chart in made.items()}
    pngs = []
    for name, chart in made.items():
        path = out_dir / f"{name}.png"
        path.write_bytes(render_png(chart))
        pngs.append(path)
    page = out_dir / "index.html"
    page.write_text(render_html(board, svgs, [p.name for p in pngs]), encoding="utf-8")
    return [page, *pngs]


def board_folder(root: Path, province: str, year: int) -> Path:
    return root / f"{province}_{year}"


def provinces_with_data(engine: Engine, year: int, level: str | None = None) -> list[str]:
    """The provinces at `level` (default: the year's) that received a report for a month of the year
    (accepted or not): units expected but silent all year make no board of their own."""
    level = level or default_level(year)
    column = "province_code" if level == "province" else "province_2025_code"
    with engine.connect() as conn:
        return list(conn.execute(text(f"""
            SELECT DISTINCT {column} FROM mart.submission_status
            WHERE year = :y AND {column} IS NOT NULL AND first_received_at IS NOT NULL
            ORDER BY 1
        """), {"y": year}).scalars())


def refresh_boards(engine: Engine, root: Path, year: int | None = None) -> dict[str, str]:
    """One board per province with data in `year` (default: the current year, on the reporting
    calendar's clock), each into root/<province>_<year>/; returns province -> its page."""
    year = year or datetime.now(UTC).astimezone(_zone()).year
    written = {}
    for province in provinces_with_data(engine, year):
        page, *_ = write_board(build_board(engine, province, year), board_folder(root, province, year))
        written[province] = str(page)
    return written
