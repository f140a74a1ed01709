"""A report as CSV (`baocao report --format csv`). Named csv_report, not csv, so that it never
stands in for the standard library's csv module."""

from __future__ import annotations

import csv
import io

from etl.reporting.model import Report
from etl.reporting.tables import TASK_HEADERS, indicator_headers, indicator_rows, task_rows


def render_csv(report: Report) -> str:
    """The report as CSV blocks (heading, indicator table, task table), numbers as text in
    Vietnamese notation, UTF-8 with a BOM so that Excel reads the diacritics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([report.title])
    writer.writerow(["Đơn vị", report.unit_line])
    writer.writerow(["Kỳ báo cáo", report.period_line])
    if report.cut_off_line:
        writer.writerow(["Thời điểm số liệu", report.cut_off_line])
    if report.revision_line:
        writer.writerow(["Điều chỉnh", report.revision_line])
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
    for row, task in zip(task_rows(report), report.task_lines, strict=True):
        writer.writerow([*row, task.sentence])
    return "\ufeff" + buffer.getvalue()
