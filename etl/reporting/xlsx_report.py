"""A report as XLSX (`baocao report --format xlsx`): figures as numeric cells, laid out to print.

Numbers stay numbers (they sort, sum and chart) and carry a number format with an explicit
Vietnamese locale, `[$-42A]#,##0.0` (0x042A = vi-VN): LibreOffice draws such a cell with the
locale's separators whatever the reader's locale (92.000 and 61.250,5 under an English locale
too, checked with soffice headless in tests/test_report_xlsx.py). Excel takes the separators
from the reader's system or its own options and uses the locale code for dates and currency
only, so an English Excel shows 61,250.5; no number format can force them there, and a number
written as text would stop being a number. The sentences ("Nhận định" sheet and column) are
text in Vietnamese notation in every case.

Each sheet prints in landscape on A4, fitted to one page wide (as many pages long as it
needs), its header row repeated on every page, text wrapped. A partial figure is flagged in a
column of its own ("Chưa đầy đủ"), never inside the number."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from etl.reporting.model import Report
from etl.reporting.sentences import PCT_DECIMALS, POINTS, decimals_for, rounded
from etl.reporting.tables import (
    INDICATOR_HEADERS,
    PARTIAL_FLAG,
    PARTIAL_HEADER,
    PLAN_HEADERS,
    TASK_HEADERS,
    TASK_NOTE,
    YTD_HEADER,
)

VI_LOCALE = "[$-42A]"  # vi-VN: LibreOffice shows Vietnamese separators under any locale
YOY_PCT_HEADER = "So với cùng kỳ: tăng (+), giảm (-) (%)"
YOY_POINTS_HEADER = f"So với cùng kỳ: tăng (+), giảm (-) ({POINTS})"
LAST_YEAR_PARTIAL_HEADER = "Cùng kỳ chưa đầy đủ"
SENTENCE_SHEET = "Nhận định"
A4 = 9  # xlsxwriter's paper code


def _decimals(value: Decimal, max_decimals: int) -> int:
    return max(0, -rounded(value, max_decimals).as_tuple().exponent)  # type: ignore[operator]


def number_format(decimals: int, signed: bool = False) -> str:
    """'[$-42A]#,##0.0': the Vietnamese locale and exactly `decimals` decimals; signed: '+1,5'."""
    body = "#,##0" + ("." + "0" * decimals if decimals else "")
    if signed:
        return f"{VI_LOCALE}+{body};{VI_LOCALE}-{body};0"
    return f"{VI_LOCALE}{body}"


def _text_height(text: str, width_chars: float, line_height: float = 15.0) -> float:
    """The row height a wrapped text needs in a cell `width_chars` wide. Set on every row with
    wrapped text: Excel does not fit a row to its wrapped text when it opens a file, merged cells
    never grow, and LibreOffice's own fit was seen a line short with a substituted font."""
    lines = sum(max(1, math.ceil(len(part) * 1.15 / max(width_chars - 1, 1))) for part in text.split("\n"))
    return line_height * lines + 3


def _print_setup(ws: Any, header_row: int, last_row: int, last_col: int | None) -> None:
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)  # one page wide, as many long as needed
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    if last_col is not None:  # the table's columns only, not the wide sentence column
        ws.print_area(0, 0, last_row, last_col)


def write_xlsx(report: Report, path: Path | str) -> None:
    """Three sheets: "Chỉ tiêu" (the indicator table), "Nhiệm vụ" (the task table by assigning
    body) and "Nhận định" (the sentences). The sentence of each line is also in the last column
    of its table (outside the printed area of "Chỉ tiêu")."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Text from districts (a task titled "=HYPERLINK(...)") is written as text, never as a formula.
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}
    title = wb.add_format({**base, "bold": True, "font_size": 14, "text_wrap": True})
    note = wb.add_format({**base, "text_wrap": True})
    italic = wb.add_format({**base, "text_wrap": True, "italic": True})
    header = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                            "align": "center", "valign": "vcenter"})
    wrap = wb.add_format({**base, "text_wrap": True, "border": 1})
    cell = wb.add_format({**base, "border": 1, "text_wrap": True})
    flag = wb.add_format({**base, "border": 1, "align": "center"})
    bold_cell = wb.add_format({**base, "bold": True, "border": 1, "text_wrap": True})
    formats: dict[tuple[int, bool, bool, bool], Any] = {}

    def fmt(decimals: int, partial: bool = False, bold: bool = False, signed: bool = False) -> Any:
        key = (decimals, partial, bold, signed)
        if key not in formats:
            spec: dict[str, Any] = {**base, "num_format": number_format(decimals, signed), "border": 1}
            if partial:
                spec["bg_color"] = "#FFF2CC"
            if bold:
                spec["bold"] = True
            formats[key] = wb.add_format(spec)
        return formats[key]

    def put(ws: Any, r: int, c: int, value: Decimal | int | None, max_decimals: int, partial: bool = False,
            bold: bool = False, signed: bool = False) -> None:
        if value is None:
            ws.write_blank(r, c, None, cell)
            return
        number = Decimal(value)
        as_number = int(number) if number == number.to_integral_value() else float(number)
        ws.write_number(r, c, as_number, fmt(_decimals(number, max_decimals), partial, bold, signed))

    def heading(ws: Any, last_col: int, width_chars: float) -> int:
        """The title and the lines under it, each merged across the printed columns and wrapped."""
        lines = [(report.title, title), (f"Đơn vị: {report.unit_line}", note),
                 (f"Kỳ báo cáo: {report.period_line}", note)]
        if report.window:
            start, end = report.window
            lines.append((f"Số liệu từ ngày {start.day}/{start.month}/{start.year} đến ngày "
                          f"{end.day}/{end.month}/{end.year} (Nghị định số 09/2019/NĐ-CP)", note))
        lines += [(text, note) for text in (report.cut_off_line, report.revision_line, report.completeness) if text]
        for row, (text, style) in enumerate(lines):
            if last_col > 0:
                ws.merge_range(row, 0, row, last_col, text, style)
            else:
                ws.write_string(row, 0, text, style)
            ws.set_row(row, _text_height(text, width_chars, 20 if style is title else 15))
        return len(lines) + 1

    # Chỉ tiêu
    ws = wb.add_worksheet("Chỉ tiêu")
    monthly = report.period.kind == "month"
    headers = [*INDICATOR_HEADERS, *([YTD_HEADER] if monthly else []), *PLAN_HEADERS, YOY_PCT_HEADER,
               YOY_POINTS_HEADER]
    if report.is_province:
        headers += ["Số đơn vị có đủ số liệu", "Số đơn vị phải báo cáo"]
    headers += [PARTIAL_HEADER, LAST_YEAR_PARTIAL_HEADER, SENTENCE_SHEET]
    widths = [7, 34, 11, *([13] * (len(headers) - 6)), 9, 9, 100]
    printed_last = len(headers) - 2  # the sentence column is on its own sheet when printed
    top = heading(ws, printed_last, sum(widths[:printed_last + 1]))
    ws.write_row(top, 0, headers, header)
    ws.set_row(top, 60)
    for i, line in enumerate(report.indicators, start=top + 1):
        digits = decimals_for(line.unit)
        ws.write_string(i, 0, line.code, cell)
        ws.write_string(i, 1, line.name, wrap)
        ws.write_string(i, 2, line.unit, cell)
        values: list[tuple[Decimal | int | None, int, bool]] = [(line.value, digits, False)]
        if monthly:
            values.append((line.ytd_value, digits, False))
        values += [(line.annual_plan, digits, False),
                   (None if line.kind == "rate" else line.pct_of_annual_plan, PCT_DECIMALS, False),
                   (line.same_period_last_year, digits, False), (line.yoy_change_pct, PCT_DECIMALS, True),
                   (line.yoy_change_points, PCT_DECIMALS, True)]
        if report.is_province:
            values += [(line.reporting_units, 0, False), (line.expected_units, 0, False)]
        for c, (value, max_decimals, signed) in enumerate(values, start=3):
            put(ws, i, c, value, max_decimals, partial=line.partial and c == 3, signed=signed)
        c = 3 + len(values)
        ws.write_string(i, c, PARTIAL_FLAG if line.partial else "", flag)
        ws.write_string(i, c + 1, PARTIAL_FLAG * 2 if line.partial_last_year else "", flag)
        ws.write_string(i, c + 2, line.sentence, wrap)
        ws.set_row(i, max(_text_height(line.name, widths[1]), _text_height(line.sentence, widths[-1])))
    last = top + len(report.indicators)
    for k, text in enumerate(report.footnotes):
        ws.merge_range(last + 2 + k, 0, last + 2 + k, printed_last, text, italic)
        ws.set_row(last + 2 + k, _text_height(text, sum(widths[:printed_last + 1])))
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.freeze_panes(top + 1, 2)
    if report.indicators:
        ws.autofilter(top, 0, last, len(headers) - 1)
    _print_setup(ws, top, last + 1 + len(report.footnotes), printed_last)

    # Nhiệm vụ
    ws = wb.add_worksheet("Nhiệm vụ")
    task_widths = [24, 10, 12, 12, 13, 10, 13, 70]
    top = heading(ws, 7, sum(task_widths))
    ws.write_row(top, 0, [*TASK_HEADERS[:-1], "Tỷ lệ đúng hạn (% số nhiệm vụ đã đến hạn)", "Tóm tắt"], header)
    ws.set_row(top, 60)
    lines = report.task_lines
    for i, t in enumerate(lines, start=top + 1):
        is_total = t is report.task_total
        ws.write_string(i, 0, t.assigning_body, bold_cell if is_total else cell)
        for c, value in enumerate((t.tasks_total, t.done_on_time, t.done_late, t.in_progress, t.overdue), start=1):
            put(ws, i, c, value, 0, bold=is_total)
        put(ws, i, 6, t.on_time_rate, PCT_DECIMALS, bold=is_total)
        ws.write_string(i, 7, t.sentence, wrap)
        ws.set_row(i, max(_text_height(t.assigning_body, task_widths[0]), _text_height(t.sentence, task_widths[7])))
    ws.merge_range(top + len(lines) + 2, 0, top + len(lines) + 2, 7, TASK_NOTE, italic)
    ws.set_row(top + len(lines) + 2, _text_height(TASK_NOTE, sum(task_widths)))
    for c, width in enumerate(task_widths):
        ws.set_column(c, c, width)
    ws.freeze_panes(top + 1, 1)
    _print_setup(ws, top, top + len(lines) + 2, 7)

    # Nhận định: the review's sentences, one wrapped cell each
    ws = wb.add_worksheet(SENTENCE_SHEET)
    ws.set_column(0, 0, 130)
    top = heading(ws, 0, 130)
    rows: list[tuple[str, Any]] = [("I. Chỉ tiêu", bold_cell)]
    rows += [(f"- {s}.", wrap) for s in report.indicator_sentences] or [("Không có số liệu chỉ tiêu trong kỳ.", wrap)]
    rows += [(n, italic) for n in report.footnotes]
    rows.append(("II. Nhiệm vụ", bold_cell))
    rows += [(f"- {s}.", wrap) for s in report.task_sentences] or [("Không có nhiệm vụ được báo cáo trong kỳ.", wrap)]
    for i, (text, style) in enumerate(rows, start=top):
        ws.write_string(i, 0, text, style)
        ws.set_row(i, _text_height(text, 130))
    _print_setup(ws, top, top + len(rows), None)
    ws.repeat_rows(0)  # the title on every page: the sentences have no header row
    wb.close()
