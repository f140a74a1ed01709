"""A report as XLSX (`baocao report --format xlsx`): figures as numeric cells."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from etl.reporting.model import Report
from etl.reporting.sentences import PCT_DECIMALS, decimals_for, rounded
from etl.reporting.tables import INDICATOR_HEADERS, PLAN_HEADERS, TASK_HEADERS, TASK_NOTE, YTD_HEADER


def _decimals(value: Decimal, max_decimals: int) -> int:
    return max(0, -rounded(value, max_decimals).as_tuple().exponent)  # type: ignore[operator]


def write_xlsx(report: Report, path: Path | str) -> None:
    """Two sheets, "Chỉ tiêu" and "Nhiệm vụ". Figures are numeric cells (they sort, sum and
    chart) with a number format of exactly their decimals ('#,##0', '#,##0.0', ...), which
    Excel draws with the reader's separators: 92.000 and 61.250,5 on a Vietnamese-locale
    Excel. The sentences, in Vietnamese notation whatever the locale, are in the last column."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Text from districts (a task titled "=HYPERLINK(...)") is written as text, never as a formula.
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
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
        for line in (report.cut_off_line, report.revision_line):
            if line:
                ws.write_string(row, 0, line)
                row += 1
        if report.completeness:
            ws.write_string(row, 0, report.completeness)
            row += 1
        return row + 1

    # Chỉ tiêu
    ws = wb.add_worksheet("Chỉ tiêu")
    monthly = report.period.kind == "month"
    headers = [*INDICATOR_HEADERS, *([YTD_HEADER] if monthly else []), *PLAN_HEADERS, "So với cùng kỳ (%)",
               "So với cùng kỳ (điểm %)"]
    if report.is_province:
        headers += ["Số huyện có đủ số liệu", "Số huyện phải báo cáo"]
    headers.append("Nhận định")
    top = heading(ws)
    ws.write_row(top, 0, headers, header)
    for i, line in enumerate(report.indicators, start=top + 1):
        digits = decimals_for(line.unit)
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
    bold_cell = wb.add_format({"bold": True, "valign": "top", "border": 1})
    lines = report.task_lines
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
