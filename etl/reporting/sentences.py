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
    return f"(đã điều chỉnh: {before} ghi {value_text(previous.value, line.unit)})"


def revision_line(revised: Sequence[str], since: datetime) -> str:
    """The heading's note of the figures revised since a previous issue."""
    before = cut_off_line(since).replace("Số liệu tính đến", "báo cáo tính đến")
    if not revised:
        return f"Không có số liệu điều chỉnh so với {before}"
    return f"Số liệu điều chỉnh so với {before}: {len(revised)} chỉ tiêu ({', '.join(revised)})"


def units_word(level: str, period: Period) -> str:
    """What a province's figure is made of in the period: huyện until 30/6/2025, xã after (a 2025
    province runs on across the reform), đơn vị for a period that spans it."""
    last_day = district_level_last_day()
    if level == "province" or last_day is None or period.end_date <= last_day:
        return "huyện"
    return "xã" if period.start_date > last_day else "đơn vị"


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


def completeness(indicators: Sequence[IndicatorLine], level: str, period: Period) -> str | None:
    """Provinces: how many units the figures come from ('Số liệu tổng hợp từ 2/9 huyện');
    the most complete indicator counts, the others carry their own mark. Across the reform, the
    same period last year is said to come from the same territory's former districts."""
    if level in REPORTING_LEVELS or not indicators:
        return None
    reporting = max(line.reporting_units for line in indicators)
    expected = max(line.expected_units for line in indicators)
    word = units_word(level, period)
    text = (f"Số liệu tổng hợp từ {reporting}/{expected} {word} (chưa đầy đủ)" if reporting < expected
            else f"Số liệu tổng hợp từ đủ {reporting}/{expected} {word}")
    if across_the_reform(level, period):
        text += (f"; cùng kỳ năm trước tổng hợp từ các {last_year_units(period)} (địa giới trước 1/7/2025), "
                 "so sánh trên cùng địa bàn")
    return text


def partial_note(indicators: Sequence[IndicatorLine], is_province: bool) -> str | None:
    """The footnote explaining the '*' on partial figures, if any is partial."""
    if not any(line.partial or line.partial_last_year for line in indicators):
        return None
    if is_province:
        note = "(*) Số liệu chưa đầy đủ: chỉ tổng hợp được từ số huyện có đủ số liệu của kỳ (cột Số huyện)"
    else:
        note = "(*) Số liệu chưa đầy đủ: huyện chưa báo cáo đủ các tháng của kỳ"
    if any(line.partial_last_year for line in indicators):
        note += "; so sánh với cùng kỳ năm trước chưa đầy đủ thì không cùng phạm vi, cần thận trọng khi sử dụng"
    return note


# --- indicators ---------------------------------------------------------------------------


def _yoy_clause(line: IndicatorLine) -> str | None:
    """'tăng 15% so với cùng kỳ', 'giảm 2 điểm % so với cùng kỳ'; None without last year."""
    if line.same_period_last_year is None or line.value is None:
        return None
    if line.kind == "rate" or line.yoy_change_points is not None:
        if line.yoy_change_points is None:
            return None
        change, suffix = rounded(line.yoy_change_points, PCT_DECIMALS), " điểm %"
    elif line.yoy_change_pct is None:  # last year was 0: no relative change
        return f"cùng kỳ {value_text(line.same_period_last_year, line.unit)}"
    else:
        change, suffix = rounded(line.yoy_change_pct, PCT_DECIMALS), "%"
    if change == 0:
        return "bằng cùng kỳ"
    word = "tăng" if change > 0 else "giảm"
    return f"{word} {format_vi(abs(change))}{suffix} so với cùng kỳ"


def _plan_clause(line: IndicatorLine) -> str | None:
    """'đạt 105% kế hoạch năm'; for rates and lower-is-better levels, whether the target is
    met: 'đạt kế hoạch (≤ 3,5%)' / 'chưa đạt kế hoạch (≥ 90%)'."""
    if line.annual_plan is None or line.value is None:
        return None
    target = value_text(line.annual_plan, line.unit)
    if line.plan_units is not None and line.plan_units < line.reporting_units:
        # Some districts in the total have no plan: the mart gives no % rather than compare the
        # total of all with the plan of some (sql/rollup/08_indicator_rows.sql).
        return f"kế hoạch năm {target} (kế hoạch của {line.plan_units}/{line.reporting_units} đơn vị)"
    threshold_form = line.kind == "rate" or (line.direction == "lower_is_better" and line.kind != "flow")
    if threshold_form:
        if line.direction == "none":
            return f"kế hoạch năm {target}"
        lower = line.direction == "lower_is_better"
        attained = line.plan_attained  # the mart's (sql/rollup/08_indicator_rows.sql)
        if attained is None:  # not refreshed since the plan came: say nothing rather than guess
            return f"kế hoạch năm {target}"
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
        sentence = f"{line.name} {value_text(line.value, line.unit)}"
        yoy = _yoy_clause(line)
        if yoy:
            sentence += f", {yoy}"
        plan = _plan_clause(line)
        if period.kind == "month" and line.kind == "flow" and line.ytd_value is not None:
            sentence += f"; lũy kế năm {value_text(line.ytd_value, line.unit)}"
            if plan:
                sentence += f", {plan}"
        elif plan:
            sentence += f"{'; ' if yoy else ', '}{plan}"
    if line.partial:
        if level in REPORTING_LEVELS:
            sentence += " (*chưa đủ số liệu các tháng trong kỳ)"
        else:
            sentence += f" (*tổng hợp từ {line.reporting_units}/{line.expected_units} {units_word(level, period)})"
    compared = line.yoy_change_pct is not None or line.yoy_change_points is not None
    if across_the_reform(level, period):
        # Last year's figure is the same territory's districts: their count, not this year's communes'.
        if compared and line.last_year_reporting_units is not None:
            sentence += f" (*cùng kỳ năm trước: {line.last_year_reporting_units} {last_year_units(period)})"
    elif line.partial_last_year and compared:
        # A change against an incomplete last year is not like for like: say so.
        if level in REPORTING_LEVELS:
            sentence += " (*cùng kỳ năm trước chưa đủ số liệu các tháng)"
        else:
            sentence += (f" (*cùng kỳ năm trước tổng hợp từ {line.last_year_reporting_units}/"
                         f"{line.expected_units} {units_word(level, period)})")
    return sentence


# --- tasks --------------------------------------------------------------------------------


def _task_counts(line: TaskLine, subject: str) -> str:
    return (f"{subject} {vi_count(line.tasks_total)} nhiệm vụ, {vi_count(line.done_on_time)} hoàn thành đúng hạn, "
            f"{vi_count(line.done_late)} hoàn thành quá hạn, {vi_count(line.in_progress)} đang thực hiện trong hạn, "
            f"{vi_count(line.overdue)} quá hạn")


def task_sentence(line: TaskLine) -> str:
    """'UBND tỉnh giao 32 nhiệm vụ, 31 hoàn thành đúng hạn, 01 hoàn thành quá hạn, 02 đang
    thực hiện trong hạn, 0 quá hạn'."""
    return _task_counts(line, f"{line.assigning_body} giao")


def task_total_sentence(total: TaskLine) -> str:
    """'Tổng cộng 06 nhiệm vụ, ...; tỷ lệ hoàn thành đúng hạn 33,33%'."""
    sentence = _task_counts(total, TOTAL)
    if total.on_time_rate is not None:
        sentence += f"; tỷ lệ hoàn thành đúng hạn {vi_pct(total.on_time_rate)}"
    return sentence
