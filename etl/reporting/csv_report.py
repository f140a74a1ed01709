"""A report as CSV (`baocao report --format csv`). Named csv_report, not csv, so that it never
stands in for the standard library's csv module.

Text in a report comes partly from the districts' files (an assigning body is kept as written),
and a spreadsheet runs a cell that starts with =, +, -, @, a tab or a CR as a formula
(=HYPERLINK(...), @SUM(...)). Such text cells get a leading single quote (OWASP, "CSV
Injection"); number cells, written as text in Vietnamese notation ("-3,5", "+62,51%"), stay
as they are, and a number cell that does not look like a number is treated as text."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from etl.reporting.model import Report
from etl.reporting.tables import (
    PARTIAL_FLAG,
    PARTIAL_HEADER,
    TASK_HEADERS,
    indicator_headers,
    indicator_rows,
    task_rows,
)

LAST_YEAR_PARTIAL_HEADER = "Cùng kỳ chưa đầy đủ"  # (**): last year's figure compared with was incomplete

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What etl.reporting.tables writes in a number column: a number in Vietnamese notation, maybe
# signed ("+15%", "-2 điểm phần trăm"), or reporting units ("2/9"). A partial figure is no longer
# marked inside the number ("16.250,5*" was): it is flagged in a column of its own, "Chưa đầy đủ".
# The older forms ("16.250,5*", "-2 điểm %") still count as numbers, for callers that write them.
_VI_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?:%| điểm phần trăm| điểm %)?\*?|\d+/\d+")


def text_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text, never runs."""
    return "'" + value if value.startswith(FORMULA_START) else value


def number_cell(value: str) -> str:
    """A number written as text, kept as it is; anything else in its place is text."""
    return value if _VI_NUMBER.fullmatch(value) else text_cell(value)


def _row(texts: Sequence[str], numbers: Sequence[str] = (), last: Sequence[str] = ()) -> list[str]:
    """Text cells, then number cells, then text cells again."""
    return [*map(text_cell, texts), *map(number_cell, numbers), *map(text_cell, last)]


def render_csv(report: Report) -> str:
    """The report as CSV blocks (heading, indicator table, task table), numbers as text in
    Vietnamese notation, UTF-8 with a BOM so that Excel reads the diacritics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_row([report.title]))
    writer.writerow(_row(["Đơn vị", report.unit_line]))
    writer.writerow(_row(["Kỳ báo cáo", report.period_line]))
    if report.cut_off_line:
        writer.writerow(_row(["Thời điểm số liệu", report.cut_off_line]))
    if report.revision_line:
        writer.writerow(_row(["Điều chỉnh", report.revision_line]))
    if report.completeness:
        writer.writerow(_row(["Mức đầy đủ", report.completeness]))
    writer.writerow([])
    writer.writerow(_row(["I. Chỉ tiêu"]))
    # New columns go after "Nhận định", so that the earlier ones keep their places.
    writer.writerow(_row([*indicator_headers(report), "Nhận định", PARTIAL_HEADER, LAST_YEAR_PARTIAL_HEADER]))
    for row, line in zip(indicator_rows(report, mark_partial=False), report.indicators, strict=True):
        # code, name, unit; then the figures (and the province's reporting units); the flags
        flags = [PARTIAL_FLAG if line.partial else "", PARTIAL_FLAG * 2 if line.partial_last_year else ""]
        writer.writerow(_row(row[:3], row[3:], [line.sentence, *flags]))
    for note in report.footnotes:
        writer.writerow(_row([note]))
    writer.writerow([])
    writer.writerow(_row(["II. Nhiệm vụ"]))
    writer.writerow(_row([*TASK_HEADERS, "Tóm tắt"]))
    for row, task in zip(task_rows(report), report.task_lines, strict=True):
        writer.writerow(_row(row[:1], row[1:], [task.sentence]))  # the assigning body, then the counts
    return "\ufeff" + buffer.getvalue()
