"""The Vietnamese of a report: numbers in Vietnamese notation, and the sentences a review
writes ("Tổng đàn lợn 92.000 con, tăng 12,2% so với cùng kỳ; đạt 105% kế hoạch năm",
"UBND tỉnh giao 32 nhiệm vụ, 31 hoàn thành đúng hạn, ..."), from the lines of a report
(etl.reporting.model). Every number goes through `etl.domain.numbers.format_vi`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from etl.domain.contract import REPORTING_LEVELS
from etl.domain.numbers import format_vi
from etl.domain.periods import Period
from etl.domain.unit_history import district_level_last_day

if TYPE_CHECKING:
    from etl.reporting.model import IndicatorLine, TaskLine

LEVEL_LABELS = {
    "district": "cấp huyện",
    "commune": "cấp xã",
    "province": "cấp tỉnh, địa giới trước 1/7/2025",
    "province_2025": "cấp tỉnh, địa giới từ 1/7/2025",
}
# Decimals shown at most (trailing zeros dropped): values keep up to 3 (tỷ đồng figures
# converted from triệu đồng), percentages and percentage points 2, as reviews write them.
VALUE_DECIMALS = 3
PCT_DECIMALS = 2
TOTAL = "Tổng cộng"  # the task line summing every assigning body
POINTS = "điểm phần trăm"  # a change of a rate, never "điểm %" (issue 17)
# Money: the seeds write amounts from a thousand triệu đồng up in tỷ đồng ("266,8 tỷ đồng",
# "1.783,39 tỷ đồng"), with up to 2 decimals.
MILLIONS, BILLIONS, BILLION_DECIMALS = "triệu đồng", "tỷ đồng", 2
# Unit types as names start ("Thành phố Vĩnh Yên"), longest first; the word a count of them uses.
UNIT_TYPES = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Huyện", "Quận", "Phường", "Xã", "Tỉnh")
TYPE_ORDER = ("huyện", "quận", "thị xã", "thành phố", "xã", "phường", "thị trấn", "đặc khu")  # "các huyện, thành phố"


# --- numbers in Vietnamese notation -------------------------------------------------------


def rounded(value: Decimal | int | float, decimals: int) -> Decimal:
    """Rounded half-up to at most `decimals`, trailing zeros dropped (exponent-free)."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def decimals_for(unit: str) -> int:
    """Decimals shown at most for a figure in `unit`."""
    return PCT_DECIMALS if unit == "%" else VALUE_DECIMALS


def vi_number(value: Decimal | int | float, decimals: int = VALUE_DECIMALS) -> str:
    """92000 -> '92.000', 61250.50 -> '61.250,5', 3.3333 -> '3,333' (decimals=3)."""
    return format_vi(rounded(value, decimals))


def vi_pct(value: Decimal | int | float) -> str:
    """A percentage, up to 2 decimals: 12.20 -> '12,2%'."""
    return f"{vi_number(value, PCT_DECIMALS)}%"


def vi_count(value: int) -> str:
    """Counts as reviews write them: 1-9 zero-padded ('02 đang thực hiện'), 0 and >= 10 plain."""
    return f"{value:02d}" if 0 < value < 10 else format_vi(value)


def value_text(value: Decimal, unit: str) -> str:
    """A figure with its unit: '92.000 con', '8,5%'."""
    number = vi_number(value, decimals_for(unit))
    return f"{number}%" if unit == "%" else f"{number} {unit}"


def display_unit(line: IndicatorLine) -> tuple[str, Decimal]:
    """The unit a review writes a line in, and the divisor from the catalog unit: tỷ đồng for a
    triệu đồng figure of a thousand or more (all of the line's figures in the same unit)."""
    if line.unit != MILLIONS:
        return line.unit, Decimal(1)
    figures = [abs(v) for v in (line.value, line.ytd_value, line.annual_plan, line.same_period_last_year)
               if v is not None]
    return (BILLIONS, Decimal(1000)) if figures and max(figures) >= 1000 else (MILLIONS, Decimal(1))


def display_value(value: Decimal, line: IndicatorLine) -> Decimal:
    """`value` (catalog unit) in the line's display unit, rounded as shown."""
    unit, divisor = display_unit(line)
    return rounded(value / divisor, BILLION_DECIMALS if unit == BILLIONS else decimals_for(unit))


def money_text(value: Decimal, line: IndicatorLine) -> str:
    """A figure of `line` with its unit as a review writes it: '61,25 tỷ đồng', '92.000 con'."""
    unit, _ = display_unit(line)
    return value_text(display_value(value, line), unit)


def unit_type_word(names: Sequence[str]) -> str:
    """What a count of these units calls them, as reviews do: their type ('huyện', 'xã'), or
    their types in the usual order when they differ ('huyện, thành phố', 'xã, phường'); 'đơn
    vị' when a name shows no type."""
    types = set()
    for name in names:
        kind = next((t for t in UNIT_TYPES if name.casefold().startswith(t.casefold() + " ")), None)
        if kind is None or kind == "Tỉnh":
            return "đơn vị"
        types.add(kind.lower())
    if not types:
        return "đơn vị"
    return ", ".join(sorted(types, key=lambda t: TYPE_ORDER.index(t) if t in TYPE_ORDER else len(TYPE_ORDER)))


# --- heading ------------------------------------------------------------------------------


def title(period: Period, unit_name: str, level: str) -> str:
    suffix = " (địa giới từ 1/7/2025)" if level == "province_2025" else ""
    return f"Báo cáo {period.label} — {unit_name}{suffix}"


def unit_line(unit_name: str, unit_code: str, level: str) -> str:
    return f"{unit_name} (mã {unit_code}, {LEVEL_LABELS[level]})"


def period_line(period: Period) -> str:
    return f"{period.label} ({period.months})"


def cut_off_line(as_of: datetime) -> str:
    """The cut-off a review states, read on the reporting calendar's clock: "Số liệu tính đến
    19/6/2024 17:00"."""
    from etl.domain.calendar import local_zone

    local = as_of.astimezone(local_zone())
    return f"Số liệu tính đến {local.day}/{local.month}/{local.year} {local:%H:%M}"


def revised_clause(line: IndicatorLine, previous: IndicatorLine | None, since: datetime) -> str:
    """What a previous issue of the report said of a figure that changed since."""
    before = cut_off_line(since).replace("Số liệu tính đến", "báo cáo tính đến")
    if previous is None or previous.value is None:
        return f"(mới so với {before})"
    return f"(đã điều chỉnh: {before} ghi {money_text(previous.value, line)})"  # in the sentence's unit


def revision_line(revised: Sequence[str], since: datetime) -> str:
    """The heading's note of the figures revised since a previous issue."""
    before = cut_off_line(since).replace("Số liệu tính đến", "báo cáo tính đến")
    if not revised:
        return f"Không có số liệu điều chỉnh so với {before}"
    return f"Số liệu điều chỉnh so với {before}: {len(revised)} chỉ tiêu ({', '.join(revised)})"


def units_word(level: str, period: Period, word: str | None = None) -> str:
    """What a province's figure is made of in the period: `word`, the type its units share
    ('huyện', 'xã'; 'đơn vị' when they differ, a province's huyện, thị xã and thành phố) when
    known, else 'đơn vị'; 'đơn vị' too for a 2025 province's period that spans the reform."""
    last_day = district_level_last_day()
    if level == "province" or last_day is None or period.end_date <= last_day or period.start_date > last_day:
        return word or "đơn vị"
    return "đơn vị"


def across_the_reform(level: str, period: Period) -> bool:
    """A 2025 province's period reaching past the district level's end, compared with the same
    period a year before, when (some of) its units were districts."""
    last_day = district_level_last_day()
    return (level == "province_2025" and last_day is not None and period.end_date > last_day
            and date(period.start_date.year - 1, period.start_date.month, 1) <= last_day)


def last_year_units(period: Period) -> str:
    """Who made last year's figure of a period across the reform: the former districts, or both."""
    last_day = district_level_last_day()
    before_end = date(period.end_date.year - 1, period.end_date.month, 1)
    return "huyện cũ trên cùng địa bàn" if last_day is None or before_end <= last_day else "đơn vị (huyện, rồi xã)"


def completeness(indicators: Sequence[IndicatorLine], level: str, period: Period, word: str | None = None,
                 missing: Sequence[str] = ()) -> str | None:
    """Provinces: how many units the figures come from, in agreement with the per-line marks
    ('(*tổng hợp từ 9/10 ...)'): 'đủ' only when no line is partial; the units that have not sent
    every month of the period (`missing`, from mart.submission_status) named. Across the
    reform, the same period last year is said to come from the same territory's former districts."""
    if level in REPORTING_LEVELS or not indicators:
        return None
    word = units_word(level, period, word)
    expected = max(line.expected_units for line in indicators)
    counts = sorted({line.reporting_units for line in indicators if line.partial})
    if not counts:
        text = f"Số liệu tổng hợp từ đủ {expected}/{expected} {word}"
    else:
        most = max(line.reporting_units for line in indicators)
        text = f"Số liệu tổng hợp từ {most}/{expected} {word} (chưa đầy đủ)"
        fewer = [line for line in indicators if line.reporting_units < most]
        if fewer:  # some lines come from fewer units than the best: each carries its own mark
            text += (f"; {vi_count(len(fewer))} chỉ tiêu tổng hợp từ số đơn vị ít hơn "
                     f"({', '.join(sorted({f'{c}/{expected}' for c in counts if c < most}))}), ghi chú (*) ở từng "
                     "chỉ tiêu")
    if missing:
        text += f"; chưa gửi đủ báo cáo các tháng trong kỳ: {', '.join(missing)}"
    elif counts:
        text += f"; các {word} đã gửi báo cáo nhưng một số chỉ tiêu chưa được báo cáo đủ các tháng"
    if across_the_reform(level, period):
        text += (f"; cùng kỳ năm trước tổng hợp từ các {last_year_units(period)} (địa giới trước 1/7/2025), "
                 "so sánh trên cùng địa bàn")
    return text


def footnotes(indicators: Sequence[IndicatorLine], level: str, period: Period, word: str | None = None) -> list[str]:
    """The footnotes of the marks on the lines, each once: (*) a partial figure, (**) a
    comparison with an incomplete same period last year (with the lines it concerns)."""
    notes = []
    is_province = level not in REPORTING_LEVELS
    own = word or ("huyện" if level == "district" else "xã" if level == "commune" else "đơn vị")
    if any(line.partial for line in indicators):
        if is_province:
            notes.append(f"(*) Số liệu chưa đầy đủ: chỉ tổng hợp được từ số {units_word(level, period, word)} có đủ "
                         "số liệu của kỳ (cột Số đơn vị)")
        else:
            notes.append(f"(*) Số liệu chưa đầy đủ: {own} chưa báo cáo đủ các tháng của kỳ")
    last_year = [line for line in indicators if _flag_last_year(line, level, period)]
    if last_year:
        if is_province:
            counts = sorted({line.last_year_reporting_units for line in last_year if line.last_year_reporting_units})
            scope = (f" (tổng hợp từ {' hoặc '.join(str(c) for c in counts)}/{last_year[0].expected_units} "
                     f"{units_word(level, period, word)})") if counts else ""
        else:
            scope = " (chưa đủ số liệu các tháng)"
        notes.append(f"(**) Cùng kỳ năm trước chưa đầy đủ{scope}: so sánh không cùng phạm vi, cần thận trọng khi "
                     f"sử dụng ({', '.join(line.code for line in last_year)})")
    return notes


def _flag_last_year(line: IndicatorLine, level: str, period: Period) -> bool:
    compared = line.yoy_change_pct is not None or line.yoy_change_points is not None
    return line.partial_last_year and compared and not across_the_reform(level, period)


# --- indicators ---------------------------------------------------------------------------


def _yoy_clause(line: IndicatorLine, against: str = "cùng kỳ") -> str | None:
    """'tăng 15% so với cùng kỳ', 'giảm 2 điểm phần trăm so với cùng kỳ'; None without last year.
    `against` names what is compared with ('cùng kỳ', 'cùng tháng năm trước')."""
    if line.same_period_last_year is None or line.value is None:
        return None
    if line.kind == "rate" or line.yoy_change_points is not None:
        if line.yoy_change_points is None:
            return None
        change, suffix = rounded(line.yoy_change_points, PCT_DECIMALS), f" {POINTS}"
    elif line.yoy_change_pct is None:  # last year was 0: no relative change
        return f"{against} {money_text(line.same_period_last_year, line)}"
    else:
        change, suffix = rounded(line.yoy_change_pct, PCT_DECIMALS), "%"
    return _change_words(change, suffix, against)


def _change_words(change: Decimal, suffix: str, against: str) -> str:
    if change == 0:
        return f"bằng {against}"
    word = "tăng" if change > 0 else "giảm"
    return f"{word} {format_vi(abs(change))}{suffix} so với {against}"


def _ytd_yoy_clause(line: IndicatorLine) -> str | None:
    """The year to date against last year's year to date (never the month's change)."""
    if line.ytd_value is None or line.ytd_last_year is None:
        return None
    if line.ytd_last_year == 0:
        return f"cùng kỳ {money_text(line.ytd_last_year, line)}"
    change = rounded((line.ytd_value - line.ytd_last_year) * 100 / line.ytd_last_year, PCT_DECIMALS)
    return _change_words(change, "%", "cùng kỳ")


def _plan_clause(line: IndicatorLine, value: Decimal | None = None) -> str | None:
    """'đạt 105% kế hoạch năm'; for rates and lower-is-better levels, whether the target is
    met: 'đạt kế hoạch (≤ 3,5%)' / 'chưa đạt kế hoạch (≥ 90%)'. Where a % of plan is shown (the
    table's "% KH năm"), 'đạt' / 'chưa đạt' follow that % as shown: 'chưa đạt' only under 100%
    (above it for a ceiling), so the column and the sentence never disagree."""
    if line.annual_plan is None or line.value is None:
        return None
    target = money_text(line.annual_plan, line)
    if line.plan_units is not None and line.plan_units < line.reporting_units:
        # Some districts in the total have no plan: the mart gives no % rather than compare the
        # total of all with the plan of some (sql/rollup/08_indicator_rows.sql).
        return f"kế hoạch năm {target} (kế hoạch của {line.plan_units}/{line.reporting_units} đơn vị)"
    shown = plan_pct_shown(line)
    threshold_form = line.kind == "rate" or (line.direction == "lower_is_better" and line.kind != "flow")
    if threshold_form:
        if line.direction == "none":
            return f"kế hoạch năm {target}"
        lower = line.direction == "lower_is_better"
        if shown is not None:
            attained: bool | None = shown <= 100 if lower else shown >= 100
        else:
            attained = line.plan_attained  # the mart's (sql/rollup/08_indicator_rows.sql)
        if attained is None:  # not refreshed since the plan came: say nothing rather than guess
            return f"kế hoạch năm {target}"
        return f"{'đạt' if attained else 'chưa đạt'} kế hoạch ({'≤' if lower else '≥'} {target})"
    if shown is None:  # a plan of 0
        return f"kế hoạch năm {target}"
    verb = "bằng" if line.direction == "lower_is_better" else "đạt"  # reaching a ceiling is no achievement
    return f"{verb} {vi_pct(shown)} kế hoạch năm"


def plan_pct_shown(line: IndicatorLine) -> Decimal | None:
    """The % of the annual plan as the table shows it (none for rates: a ratio of ratios)."""
    if line.pct_of_annual_plan is None or line.kind == "rate":
        return None
    if line.plan_units is not None and line.plan_units < line.reporting_units:
        return None
    return rounded(line.pct_of_annual_plan, PCT_DECIMALS)


def _is_none_reported(line: IndicatorLine) -> bool:
    """A reported zero of a count the seeds write as 'không có' ('không có nhiệm vụ quá hạn')."""
    return line.value == 0 and line.kind in ("flow", "stock") and line.unit not in ("%", MILLIONS, BILLIONS, "đồng")


def indicator_sentence(line: IndicatorLine, period: Period, level: str, word: str | None = None) -> str:
    """One line of the review, e.g. 'Tổng đàn lợn 92.000 con, tăng 12,2% so với cùng kỳ; đạt
    105% kế hoạch năm'. Monthly flows add the year to date, compared with last year's year to
    date and with the plan; the month's own change is with the same month last year."""
    monthly_flow = period.kind == "month" and line.kind == "flow" and line.ytd_value is not None
    if line.value is None:
        sentence = f"{line.name}: chưa có số liệu"
    elif _is_none_reported(line):
        sentence = f"{line.name}: không có"
        if line.same_period_last_year:
            sentence += f" (cùng kỳ năm trước {money_text(line.same_period_last_year, line)})"
    else:
        sentence = f"{line.name} {money_text(line.value, line)}"
        yoy = _yoy_clause(line, "cùng tháng năm trước" if monthly_flow else "cùng kỳ")
        if yoy:
            sentence += f", {yoy}"
        if monthly_flow:
            assert line.ytd_value is not None
            ytd = [f"lũy kế từ đầu năm {money_text(line.ytd_value, line)}"]
            ytd += [c for c in (_ytd_yoy_clause(line), _plan_clause(line)) if c]
            sentence += "; " + ", ".join(ytd)
        else:
            plan = _plan_clause(line)
            if plan:
                sentence += f"{'; ' if yoy else ', '}{plan}"
    if line.partial:
        if level in REPORTING_LEVELS:
            sentence += " (*chưa đủ số liệu các tháng trong kỳ)"
        else:
            made_of = units_word(level, period, word)
            sentence += f" (*tổng hợp từ {line.reporting_units}/{line.expected_units} {made_of})"
    compared = line.yoy_change_pct is not None or line.yoy_change_points is not None
    if across_the_reform(level, period):
        # Last year's figure is the same territory's districts: their count, not this year's communes'.
        if compared and line.last_year_reporting_units is not None:
            sentence += f" (*cùng kỳ năm trước: {line.last_year_reporting_units} {last_year_units(period)})"
    elif _flag_last_year(line, level, period):
        sentence += " (**)"  # explained once, in the footnotes
    return sentence


# --- tasks --------------------------------------------------------------------------------


def tasks_due(line: TaskLine) -> int:
    """Tasks whose deadline has come (done, on time or late, or overdue): not those still in time."""
    return line.done_on_time + line.done_late + line.overdue


def on_time_rate(line: TaskLine) -> Decimal | None:
    """Done on time over the tasks due (a task not yet due is neither on time nor late)."""
    due = tasks_due(line)
    return rounded(Decimal(100 * line.done_on_time) / due, PCT_DECIMALS) if due else None


def _task_counts(line: TaskLine, subject: str) -> str:
    """'UBND tỉnh giao 05 nhiệm vụ, 02 hoàn thành đúng hạn, ...'; a category with none is left
    out, except the overdue: 'không có nhiệm vụ quá hạn', as the seeds write it."""
    parts = [f"{subject} {vi_count(line.tasks_total)} nhiệm vụ"]
    parts += [f"{vi_count(n)} {what}" for n, what in ((line.done_on_time, "hoàn thành đúng hạn"),
                                                      (line.done_late, "hoàn thành quá hạn"),
                                                      (line.in_progress, "đang thực hiện trong hạn")) if n]
    parts.append(f"{vi_count(line.overdue)} quá hạn" if line.overdue else "không có nhiệm vụ quá hạn")
    return ", ".join(parts)


def _rate_clause(line: TaskLine) -> str:
    rate = on_time_rate(line)  # from the counts beside it, so that the sentence always adds up
    if rate is None:
        return ""
    return (f"; tỷ lệ hoàn thành đúng hạn {vi_pct(rate)} ({vi_count(line.done_on_time)}/"
            f"{vi_count(tasks_due(line))} nhiệm vụ đã đến hạn)")


def task_sentence(line: TaskLine) -> str:
    """'UBND tỉnh giao 32 nhiệm vụ, 31 hoàn thành đúng hạn, 01 hoàn thành quá hạn, 02 đang
    thực hiện trong hạn, không có nhiệm vụ quá hạn'."""
    return _task_counts(line, f"{line.assigning_body} giao")


def task_total_sentence(total: TaskLine) -> str:
    """'Tổng cộng 06 nhiệm vụ, ...; tỷ lệ hoàn thành đúng hạn 50% (02/04 nhiệm vụ đã đến hạn)'."""
    return _task_counts(total, TOTAL) + _rate_clause(total)
