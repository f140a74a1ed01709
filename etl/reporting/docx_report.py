"""A report as a Word document (`baocao report --format docx -o FILE`), shaped like the district
reviews in the seeds: the title block (issuing body, "BÁO CÁO", the period), the data window of
Decree 09/2019/NĐ-CP and the cut-off, the sentences by sector, the indicator table, the tasks by
assigning body, the overdue tasks (when etl.reporting.overdue is there), the units that have not
sent their monthly reports or sent them late, and the footnotes once, under the table.

A4 portrait, Times New Roman as administrative documents use it (Decree 30/2020/NĐ-CP); tables
get fixed column widths that add up to the text width, so they never run off the page."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.domain.contract import REPORTING_LEVELS
from etl.domain.numbers import format_vi
from etl.reporting.model import IndicatorLine, Report, UnitStatus
from etl.reporting.sentences import (
    BILLION_DECIMALS,
    BILLIONS,
    UNIT_TYPES,
    decimals_for,
    display_unit,
    display_value,
    plan_pct_shown,
    vi_count,
    vi_number,
    vi_pct,
)
from etl.reporting.tables import TASK_HEADERS, TASK_NOTE, change_text

if TYPE_CHECKING:
    from docx.document import Document as DocumentType
    from docx.table import Table

PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.0, 29.7
MARGINS_CM = {"left": 3.0, "right": 2.0, "top": 2.0, "bottom": 2.0}  # Decree 30/2020: left 3-3,5, right 1,5-2
TEXT_WIDTH_CM = PAGE_WIDTH_CM - MARGINS_CM["left"] - MARGINS_CM["right"]
FONT = "Times New Roman"
BODY_PT, TABLE_PT, NOTE_PT = 13, 10, 11
OVERDUE_HEADING = "Nhiệm vụ quá hạn"

# Sectors of the review, by the indicator code's prefix (reference/indicators.yaml), in the
# order a review takes them; an unknown prefix goes under "Chỉ tiêu khác".
SECTORS = {
    "KT": "Phát triển kinh tế",
    "NS": "Tài chính - ngân sách",
    "DT": "Đầu tư công",
    "NN": "Sản xuất nông, lâm nghiệp và xây dựng nông thôn mới",
    "DN": "Phát triển doanh nghiệp",
    "XH": "Văn hóa - xã hội, lao động, giảm nghèo",
    "GD": "Giáo dục và đào tạo",
    "HC": "Công tác văn phòng, văn bản",
    "TT": "Cải cách thủ tục hành chính",
    "KN": "Tiếp công dân, giải quyết khiếu nại, tố cáo",
    "QP": "Quốc phòng - an ninh",
}
OTHER_SECTOR = "Chỉ tiêu khác"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII"]


# --- what the document says ---------------------------------------------------------------


def issuing_body(report: Report) -> tuple[str, str]:
    """The body that issues the review and its place: ('ỦY BAN NHÂN DÂN\nHUYỆN TAM DƯƠNG', 'Tam Dương')."""
    name = report.unit_name
    place = name
    for kind in UNIT_TYPES:
        if name.casefold().startswith(kind.casefold() + " "):
            place = name[len(kind) + 1:]
            break
    return f"ỦY BAN NHÂN DÂN\n{name.upper()}", place


def subject_line(report: Report) -> str:
    suffix = " (địa giới từ 1/7/2025)" if report.level == "province_2025" else ""
    return f"Kết quả thực hiện các chỉ tiêu và nhiệm vụ được giao {report.period.label}{suffix}"


def _day(d: Any) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def window_line(report: Report) -> str:
    """Which dates the figures cover (Decree 09/2019/NĐ-CP's data window) and from what."""
    who = (f"các {report.units_word or 'đơn vị'} trên địa bàn" if report.is_province else report.unit_name)
    text = "Số liệu trong báo cáo "
    if report.window:
        start, end = report.window
        text += (f"tính từ ngày {_day(start)} đến ngày {_day(end)} (thời gian chốt số liệu của kỳ báo cáo "
                 f"{report.period.label} theo Nghị định số 09/2019/NĐ-CP ngày 24/01/2019 của Chính phủ), ")
    text += f"tổng hợp từ báo cáo {report.period.months} của {who} đã được tiếp nhận"
    return text


def cut_off_text(report: Report, now: datetime | None = None) -> str:
    """The cut-off a review states: the moment of an as-of report, else the marts' last refresh."""
    if report.cut_off_line:
        return report.cut_off_line
    from etl.domain.calendar import local_zone

    moment = report.refreshed_at or now
    if moment is None:
        return "Số liệu tổng hợp tại thời điểm lập báo cáo"
    local = moment.astimezone(local_zone())
    return f"Số liệu tổng hợp đến {local:%H:%M} ngày {_day(local)}"


def _months(months: Sequence[int]) -> str:
    """'tháng 1-6', 'tháng 3, 5'; runs of consecutive months as ranges."""
    runs: list[list[int]] = []
    for m in sorted(months):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return "tháng " + ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def submission_lines(report: Report) -> list[str]:
    """The units that have not sent every monthly report of the period, and those late, named."""
    if report.as_of is None and not report.unit_statuses and not report.expected_unit_count:
        return ["Không có thông tin về tình hình gửi báo cáo của kỳ."]
    word = report.units_word or "đơn vị"
    lines = []
    missing = report.missing_units
    late = report.late_units
    if missing:
        lines.append(f"Chưa gửi đủ báo cáo tháng ({vi_count(len(missing))}/{vi_count(report.expected_unit_count)} "
                     f"{word}): " + "; ".join(f"{u.unit_name} ({_months(u.missing_months)})" for u in missing))
    else:
        lines.append(f"Các {word} đã gửi đủ báo cáo các tháng trong kỳ" if report.is_province
                     else f"{report.unit_name} đã gửi đủ báo cáo các tháng trong kỳ")
    if late:
        lines.append(f"Gửi báo cáo chậm so với thời hạn ({vi_count(len(late))} {word}): " + "; ".join(
            f"{u.unit_name} ({_late(u)})" for u in late))
    else:
        lines.append("Không có báo cáo gửi chậm so với thời hạn")
    return lines


def _late(unit: UnitStatus) -> str:
    """'tháng 3, chậm 2 ngày'; several months: 'tháng 1-6, chậm 892-1.044 ngày'."""
    months = [m for m, _ in unit.late_months]
    days = sorted(d for _, d in unit.late_months)
    spread = format_vi(days[0]) if days[0] == days[-1] else f"{format_vi(days[0])}-{format_vi(days[-1])}"
    return f"{_months(months)}, chậm {spread} ngày"


def sectors(report: Report) -> list[tuple[str, list[IndicatorLine]]]:
    """The indicator lines grouped by sector, sectors in the order of their first line."""
    groups: dict[str, list[IndicatorLine]] = {}
    for line in report.indicators:
        groups.setdefault(SECTORS.get(line.code[:2], OTHER_SECTOR), []).append(line)
    return list(groups.items())


def _cell_number(value: Decimal | None, line: IndicatorLine) -> str:
    if value is None:
        return ""
    return vi_number(display_value(value, line), BILLION_DECIMALS if display_unit(line)[0] == BILLIONS
                     else decimals_for(line.unit))


def indicator_table(report: Report) -> tuple[list[str], list[list[str]], list[float]]:
    """Headers, rows and column widths (cm) of the indicator table, in the units of the sentences."""
    monthly = report.period.kind == "month"
    headers = ["TT", "Chỉ tiêu", "ĐVT", "Thực hiện", *(["Lũy kế năm"] if monthly else []), "KH năm", "% KH năm",
               "Cùng kỳ năm trước", "So với cùng kỳ", *(["Số đơn vị"] if report.is_province else [])]
    rows = []
    for i, line in enumerate(report.indicators, start=1):
        shown = plan_pct_shown(line)
        row = [str(i), line.name + (" (*)" if line.partial else ""), display_unit(line)[0],
               _cell_number(line.value, line)]
        if monthly:
            row.append(_cell_number(line.ytd_value, line))
        row += [_cell_number(line.annual_plan, line), "" if shown is None else vi_pct(shown),
                _cell_number(line.same_period_last_year, line), change_text(line)
                + (" (**)" if line.partial_last_year and (line.yoy_change_pct is not None
                                                         or line.yoy_change_points is not None) else "")]
        if report.is_province:
            row.append(f"{line.reporting_units}/{line.expected_units}")
        rows.append(row)
    fixed = {"TT": 0.9, "ĐVT": 1.6, "Thực hiện": 1.8, "Lũy kế năm": 1.8, "KH năm": 1.8, "% KH năm": 1.5,
             "Cùng kỳ năm trước": 1.8, "So với cùng kỳ": 2.1, "Số đơn vị": 1.3}
    widths = [fixed.get(h, 0.0) for h in headers]
    widths[1] = round(TEXT_WIDTH_CM - sum(widths), 2)  # the indicator's name takes what is left
    return headers, rows, widths


def task_table(report: Report) -> tuple[list[str], list[list[str]], list[float]]:
    headers = [*TASK_HEADERS[:-1], "Tỷ lệ đúng hạn (trên số đã đến hạn)"]
    rows = [[t.assigning_body, format_vi(t.tasks_total), format_vi(t.done_on_time), format_vi(t.done_late),
             format_vi(t.in_progress), format_vi(t.overdue), "" if t.on_time_rate is None else vi_pct(t.on_time_rate)]
            for t in report.task_lines]
    widths = [3.7, 1.5, 2.0, 2.0, 2.2, 1.6, 3.0]
    return headers, rows, widths


def load_overdue() -> Callable[..., list[Any]] | None:
    """etl.reporting.overdue.overdue_tasks, if that module is installed (another part of issue 17)."""
    try:
        module = importlib.import_module("etl.reporting.overdue")
    except ImportError:
        return None
    return getattr(module, "overdue_tasks", None)


# --- the Word document ----------------------------------------------------------------------


def _font(run: Any, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    from docx.shared import Pt

    run.font.name = FONT
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic


def _para(doc: Any, text: str, *, bold: bool = False, italic: bool = False, size: float = BODY_PT,
          align: str = "justify", indent: bool = True, space_after: float = 6) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    p = doc.add_paragraph()
    p.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    fmt = p.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    if indent and align == "justify":
        fmt.first_line_indent = Cm(1.0)
    _font(p.add_run(text), size, bold, italic)
    return p


def _fixed_widths(table: Table, widths: Sequence[float]) -> None:
    """Fixed layout and each column's width, in the grid and in every cell (Word reads the
    cells, LibreOffice the grid)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Cm(width)
        for c in col.cells:
            c.width = Cm(width)


def _table(doc: Any, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
           numeric_from: int, bold_last: bool = False) -> Table:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_widths(table, widths)
    # The header row repeats on every page the table runs onto.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    # Row by row: table.cell(r, c) lays out the whole grid again on each call (quadratic).
    for r, (row, values) in enumerate(zip(table.rows, [list(headers), *map(list, rows)], strict=True)):
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = (WD_ALIGN_PARAGRAPH.CENTER if r == 0 or (c == 0 and numeric_from > 1)
                                   else WD_ALIGN_PARAGRAPH.RIGHT if c >= numeric_from else WD_ALIGN_PARAGRAPH.LEFT)
            _font(paragraph.add_run(value), TABLE_PT, bold=r == 0 or (bold_last and r == len(rows)))
    return table


def _title_block(doc: Any, report: Report, year: int) -> None:
    """The two-column heading of an administrative document: issuing body and number on the
    left, the national motto and the place and date (left to fill in when signed) on the right."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    body, place = issuing_body(report)
    table = doc.add_table(rows=1, cols=2)
    _fixed_widths(table, [TEXT_WIDTH_CM * 0.4, TEXT_WIDTH_CM * 0.6])
    left, right = table.cell(0, 0), table.cell(0, 1)
    for cell, lines in ((left, [(body, 12, True, False), ("Số:      /BC-UBND", 13, False, False)]),
                        (right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, True, False),
                                 ("Độc lập - Tự do - Hạnh phúc", 13, True, False),
                                 (f"{place}, ngày      tháng      năm {year}", 13, False, True)])):
        for i, (text, size, bold, italic) in enumerate(lines):
            paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(paragraph.add_run(text), size, bold, italic)
    _para(doc, "", space_after=0)
    _para(doc, "BÁO CÁO", bold=True, size=14, align="center", space_after=0)
    _para(doc, subject_line(report), bold=True, size=14, align="center", space_after=12)


def build_docx(report: Report, *, overdue: list[Any] | None = None, now: datetime | None = None) -> DocumentType:
    """The review as a python-docx Document; `overdue`: the overdue tasks (section omitted when None)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)

    now = now or datetime.now().astimezone()
    _title_block(doc, report, now.year)
    _para(doc, f"{window_line(report)}. {cut_off_text(report, now)}.")
    for line in (report.revision_line, report.completeness):
        if line:
            _para(doc, f"{line}.")

    numbered = iter(ROMAN)
    _para(doc, f"{next(numbered)}. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CHỦ YẾU", bold=True, indent=False)
    if report.indicators:
        for k, (sector, lines) in enumerate(sectors(report), start=1):
            _para(doc, f"{k}. {sector}", bold=True, indent=False)
            for line in lines:
                _para(doc, f"- {line.sentence}.")
        _para(doc, "Bảng 1. Các chỉ tiêu chủ yếu", bold=True, align="center", space_after=3)
        headers, rows, widths = indicator_table(report)
        _table(doc, headers, rows, widths, numeric_from=3)
        for note in report.footnotes:
            _para(doc, note, italic=True, size=NOTE_PT, indent=False, space_after=2)
    else:
        _para(doc, "Không có số liệu chỉ tiêu trong kỳ.")

    _para(doc, f"{next(numbered)}. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO", bold=True, indent=False)
    if report.tasks:
        for sentence in report.task_sentences:
            _para(doc, f"- {sentence}.")
        _para(doc, "Bảng 2. Nhiệm vụ theo cơ quan giao", bold=True, align="center", space_after=3)
        headers, rows, widths = task_table(report)
        _table(doc, headers, rows, widths, numeric_from=1, bold_last=True)
        _para(doc, f"{TASK_NOTE}.", italic=True, size=NOTE_PT, indent=False)
    elif report.as_of is not None:
        _para(doc, "Báo cáo tính đến một thời điểm không có phần nhiệm vụ.")
    else:
        _para(doc, "Không có nhiệm vụ được báo cáo trong kỳ.")

    if overdue is not None:
        _para(doc, f"{next(numbered)}. {OVERDUE_HEADING.upper()}", bold=True, indent=False)
        _overdue_section(doc, report, overdue)

    _para(doc, f"{next(numbered)}. TÌNH HÌNH GỬI BÁO CÁO", bold=True, indent=False)
    for line in submission_lines(report):
        _para(doc, f"- {line}.")
    _signature(doc, report)
    return doc


def _overdue_section(doc: Any, report: Report, tasks: list[Any]) -> None:
    """The tasks overdue at the end of the period, then those done late (mart.task_overdue), each
    with its unit (provinces), assigning body and document, deadline and days late."""
    groups = [("Quá hạn chưa hoàn thành", [t for t in tasks if getattr(t, "status", "overdue") == "overdue"],
               "Số ngày quá hạn"),
              ("Hoàn thành quá hạn", [t for t in tasks if getattr(t, "status", "") == "done_late"], "Số ngày chậm")]
    if not tasks:
        _para(doc, "Không có nhiệm vụ quá hạn.")
        return
    for letter, (label, group, days_header) in zip("ab", groups, strict=True):
        if not group:
            _para(doc, f"{letter}) {label}: không có.", indent=False)
            continue
        _para(doc, f"{letter}) {label}: {vi_count(len(group))} nhiệm vụ.", indent=False)
        headers = ["TT", *(["Đơn vị"] if report.is_province else []), "Cơ quan giao, văn bản", "Nhiệm vụ",
                   "Hạn hoàn thành", days_header]
        rows = []
        for i, t in enumerate(group, start=1):
            row = [str(i), *([str(t.unit_name)] if report.is_province else [])]
            row += [", ".join(x for x in (t.assigning_body, t.document) if x), str(t.title),
                    _day(t.deadline) if t.deadline else "", format_vi(int(t.days_overdue or 0))]
            rows.append(row)
        widths = [0.9, *([3.0] if report.is_province else []), 3.4, 0.0, 2.3, 1.8]
        widths[headers.index("Nhiệm vụ")] = round(TEXT_WIDTH_CM - sum(widths), 2)
        _table(doc, headers, rows, widths, numeric_from=len(headers) - 1)


def _signature(doc: Any, report: Report) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _para(doc, "", space_after=0)
    table = doc.add_table(rows=1, cols=2)
    _fixed_widths(table, [TEXT_WIDTH_CM * 0.5, TEXT_WIDTH_CM * 0.5])
    recipients = ["Nơi nhận:", "- UBND tỉnh (b/c);" if report.level in REPORTING_LEVELS else "- Các sở, ngành;",
                  "- Lưu: VT."]
    left = table.cell(0, 0)
    for i, text in enumerate(recipients):
        paragraph = left.paragraphs[0] if i == 0 else left.add_paragraph()
        _font(paragraph.add_run(text), 12 if i == 0 else 11, bold=i == 0, italic=i == 0)
    right = table.cell(0, 1)
    for i, text in enumerate(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]):
        paragraph = right.paragraphs[0] if i == 0 else right.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(text), 13, bold=True)


def write_docx(report: Report, path: Path | str, *, overdue: list[Any] | None = None,
               now: datetime | None = None) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_docx(report, overdue=overdue, now=now).save(str(path))


def fetch_overdue(engine: Any, report: Report) -> tuple[list[Any] | None, str | None]:
    """The overdue tasks of the report's unit and period from etl.reporting.overdue, and why not
    when they cannot be had (module not installed, mart.task_overdue missing): (None, reason)."""
    overdue_tasks = load_overdue()
    if overdue_tasks is None:
        return None, "etl.reporting.overdue chưa có / not installed: no 'Nhiệm vụ quá hạn' section"
    if report.as_of is not None:
        return None, None  # tasks are not kept as of a moment (see Report.cut_off_line)
    from sqlalchemy.exc import SQLAlchemyError

    period = report.period
    try:
        with engine.connect() as conn:
            return list(overdue_tasks(conn, level=report.level, unit_code=report.unit_code, year=period.year,
                                      period_type=period.kind, half=period.half, month=period.month)), None
    except SQLAlchemyError as exc:  # the mart object not there yet: the rest of the review still stands
        return None, f"không đọc được nhiệm vụ quá hạn / overdue tasks unavailable: {type(exc).__name__}"
