"""The indicator and task tables of a report as text cells in Vietnamese notation, shared by
the Markdown and CSV renderers (the XLSX renderer writes numeric cells instead)."""

from __future__ import annotations

from decimal import Decimal

from etl.domain.numbers import format_vi
from etl.reporting.model import IndicatorLine, Report
from etl.reporting.sentences import PCT_DECIMALS, POINTS, decimals_for, plan_pct_shown, rounded, vi_number, vi_pct

INDICATOR_HEADERS = ["Mã", "Chỉ tiêu", "ĐVT", "Thực hiện"]
YTD_HEADER = "Lũy kế năm"  # monthly reports only
PLAN_HEADERS = ["KH năm", "% KH năm", "Cùng kỳ năm trước"]
TASK_HEADERS = ["Cơ quan giao", "Tổng số", "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Đang thực hiện trong hạn",
                "Quá hạn", "Tỷ lệ đúng hạn"]
TASK_NOTE = ("Tình trạng nhiệm vụ tại cuối kỳ, theo báo cáo tháng cuối cùng trong kỳ của mỗi đơn vị; đúng hạn, quá "
             "hạn được tính từ ngày hoàn thành và hạn hoàn thành; tỷ lệ đúng hạn tính trên số nhiệm vụ đã đến hạn "
             "(đã hoàn thành hoặc quá hạn), không tính nhiệm vụ đang thực hiện trong hạn")
UNITS_HEADER = "Số đơn vị"  # provinces: units with a complete figure / units expected
PARTIAL_HEADER = "Chưa đầy đủ"  # CSV and XLSX: the partial flag, in a column of its own
PARTIAL_FLAG = "*"


def indicator_headers(report: Report) -> list[str]:
    headers = list(INDICATOR_HEADERS)
    if report.period.kind == "month":
        headers.append(YTD_HEADER)
    headers += [*PLAN_HEADERS, "So với cùng kỳ"]
    if report.is_province:
        headers.append(UNITS_HEADER)
    return headers


def change_text(line: IndicatorLine) -> str:
    """The change on the same period last year as the tables print it: +12,5% or -2 điểm phần trăm."""
    if line.yoy_change_points is not None:
        change, suffix = rounded(line.yoy_change_points, PCT_DECIMALS), f" {POINTS}"
    elif line.yoy_change_pct is not None:
        change, suffix = rounded(line.yoy_change_pct, PCT_DECIMALS), "%"
    else:
        return ""
    return f"{'+' if change > 0 else ''}{format_vi(change)}{suffix}"


def _number_cell(value: Decimal | None, unit: str) -> str:
    return "" if value is None else vi_number(value, decimals_for(unit))


def indicator_rows(report: Report, mark_partial: bool = True) -> list[list[str]]:
    """The indicator table in Vietnamese notation, in the catalog's units; a partial figure is
    marked '*' (`mark_partial`; the CSV flags it in a column of its own instead)."""
    rows = []
    for line in report.indicators:
        value = _number_cell(line.value, line.unit) + ("*" if line.partial and mark_partial else "")
        row = [line.code, line.name, line.unit, value]
        if report.period.kind == "month":
            row.append(_number_cell(line.ytd_value, line.unit))
        row += [_number_cell(line.annual_plan, line.unit),
                "" if (shown := plan_pct_shown(line)) is None else vi_pct(shown),
                _number_cell(line.same_period_last_year, line.unit), change_text(line)]
        if report.is_province:
            row.append(f"{line.reporting_units}/{line.expected_units}")
        rows.append(row)
    return rows


def task_rows(report: Report) -> list[list[str]]:
    """The task table, one row per assigning body and the total, in Vietnamese notation."""
    return [[t.assigning_body, format_vi(t.tasks_total), format_vi(t.done_on_time), format_vi(t.done_late),
             format_vi(t.in_progress), format_vi(t.overdue), "" if t.on_time_rate is None else vi_pct(t.on_time_rate)]
            for t in report.task_lines]
