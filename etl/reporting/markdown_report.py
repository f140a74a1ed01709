"""A report as Markdown (`baocao report --format md`, the default): the sentences, then the tables."""

from __future__ import annotations

from etl.reporting.model import Report
from etl.reporting.tables import TASK_HEADERS, TASK_NOTE, indicator_headers, indicator_rows, task_rows


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
    if report.cut_off_line:
        lines.append(f"- {report.cut_off_line}")
    if report.revision_line:
        lines.append(f"- {report.revision_line}")
    if report.completeness:
        lines.append(f"- {report.completeness}")
    lines += ["", "## I. Chỉ tiêu", ""]
    if report.indicators:
        lines += [f"- {s}." for s in report.indicator_sentences]
        lines += ["", *_md_table(indicator_headers(report), indicator_rows(report), numeric_from=3)]
        for note in report.footnotes:
            lines += ["", note]
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
