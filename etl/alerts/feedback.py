"""The feedback workbook (issue 14, point 3): what the clerk gets back with a rejection or a
warning, enough to fix everything from the reply alone.

- An .xlsx: the clerk's own file, each cell at fault filled (errors light red, warnings light
  yellow) and commented in Vietnamese (appended to a comment already there), with a new first
  sheet "Lỗi cần sửa" listing every message, each linked to its cell.
- An .xls or .ods: a workbook built from the submission's values (every sheet, every value at its
  own cell), annotated the same way; the file itself cannot be written back by openpyxl.
- A JSON: one sheet per section (thong_tin as key/value rows, chi_tieu, nhiem_vu, ke_hoach as
  tables: a header row of the field names, item N on sheet row N+1), annotated the same way.
- Anything else, a file that could not be read (a FILE_ message), or one that fails to open or
  to annotate: the list sheet alone. Building never raises.

A message pointing at a row but no cell gets its comment and fill on the row's first used cell
(nothing when the row is empty) and links to A{row}; a message naming only a sheet links to its A1;
a message about the whole file is listed without a link.

The submitted file is untrusted. It was read once within the readers' limits, but openpyxl and
python-calamine read every part and every sheet here, not only the ones the readers read, so the
annotated copy is built only for files within limits of its own (size, zip parts, no DTD, cells);
callers that want a memory or time bound on top run it in a worker (etl.intake.isolation)."""

from __future__ import annotations

import io
import json
import logging
import math
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Connection, text

from etl.domain.contract import (
    FORMAT_JSON,
    FORMAT_ODS,
    FORMAT_XLS,
    FORMAT_XLSX,
    INDICATOR_SHEET,
    INFO_SHEET,
    PLAN_SHEET,
    TASK_SHEET,
)
from etl.domain.text import fold_key
from etl.intake.limits import (
    MAX_FILE_BYTES,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_SHEETS,
    MAX_TABLE_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_ENTRIES,
)

log = logging.getLogger(__name__)

LIST_SHEET = "Lỗi cần sửa"
ERROR, WARNING = "error", "warning"
SEVERITY_VI = {ERROR: "Lỗi", WARNING: "Cảnh báo"}
ERROR_COLOR, WARNING_COLOR = "FFC7CE", "FFEB9C"  # Excel's own "light red" and "light yellow" fills
COMMENT_AUTHOR = "Hệ thống tiếp nhận báo cáo"
# Starts our part of a cell comment: a feedback workbook sent back as it is gets its old notes
# and fills replaced rather than piled up (the clerk's own comment text before it is kept).
COMMENT_MARK = "[Kết quả kiểm tra]"
MAX_ANNOTATED_BYTES = MAX_FILE_BYTES  # 20 MiB: a bigger file gets the list alone
# Cells openpyxl or the copy may hold (a template has a few thousand): each costs ~0.5 KB in openpyxl.
MAX_CELLS = 1_000_000
MAX_COMMENT_CHARS = 30_000  # Excel keeps 32.767 characters of a comment
MAX_CELL_CHARS = 32_767  # ... and of a cell
_EXCEL_ROWS, _EXCEL_COLUMNS = 1_048_576, 16_384
_TABLE_SECTIONS = (INDICATOR_SHEET, TASK_SHEET, PLAN_SHEET)

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet name
_BAD_FILE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# A DTD (entities to expand or fetch) in any encoding expat reads; OOXML parts never have one.
_DTD = tuple("<!DOCTYPE".encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be"))
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c[\s>/]")


@dataclass(frozen=True)
class FeedbackItem:
    severity: str  # 'error' | 'warning'
    code: str
    sheet: str | None  # sheet name as found in the file (JSON: section name)
    row: int | None  # sheet row (JSON: item number, 1-based)
    column: str | None  # header as written (JSON: field name)
    cell: str | None  # 'D13' for office files when the message points at a cell; None for JSON and whole-file
    message: str  # Vietnamese text, its place included


def feedback_file_name(file_name: str) -> str:
    """'bao_cao_thang_5.xlsx' -> 'bao_cao_thang_5_phan_hoi.xlsx'; always .xlsx (an .ods or a JSON gets
    a workbook too), no folder, nothing a file system or a mail client refuses."""
    base = PurePath(str(file_name).replace("\\", "/")).name
    stem = PurePath(base).stem if PurePath(base).suffix else base
    stem = _BAD_FILE_CHARS.sub("_", stem)[:150].strip(" .")
    return f"{stem}_phan_hoi.xlsx" if stem else "phan_hoi.xlsx"


# ---------------------------------------------------------------------------- where a message goes

@dataclass
class _Place:
    """Where one item lands in the workbook: the sheet, the cell commented (if any), the link."""

    ws: Worksheet | None = None
    cell: str | None = None  # the cell filled and commented
    link: str | None = None  # the cell the list links to
    shown: str = ""  # the list's Ô column


@dataclass
class _Book:
    """An opened or built workbook: its sheets by the names the messages use."""

    wb: Workbook
    sheets: dict[str, Worksheet]  # name as in the file (JSON: section) -> sheet
    kind: str  # 'own' (the clerk's .xlsx), 'copy' (.xls/.ods values), 'json'
    info_rows: dict[str, int] = field(default_factory=dict)  # JSON: folded thong_tin key -> row
    headers: dict[str, dict[str, int]] = field(default_factory=dict)  # JSON: section -> folded field -> column

    def sheet(self, name: str | None) -> Worksheet | None:
        if name is None:
            return None
        ws = self.sheets.get(name)
        if ws is None:  # names are matched folded everywhere else (etl.intake.readers)
            folded = fold_key(name)
            ws = next((s for n, s in self.sheets.items() if fold_key(n) == folded), None)
        return ws


def _row_ok(row: object) -> int | None:
    return row if isinstance(row, int) and not isinstance(row, bool) and 1 <= row <= _EXCEL_ROWS else None


def _cell_ok(cell: object) -> str | None:
    """'D13' normalised, or None for anything that is not a cell of a sheet."""
    m = _CELL.match(cell) if isinstance(cell, str) else None
    if m is None or column_index_from_string(m[1].upper()) > _EXCEL_COLUMNS or not 1 <= int(m[2]) <= _EXCEL_ROWS:
        return None
    return f"{m[1].upper()}{int(m[2])}"


def _place(book: _Book, item: FeedbackItem) -> _Place:
    ws, row, cell = book.sheet(item.sheet), _row_ok(item.row), _cell_ok(item.cell)
    if book.kind == "json":
        ws, row, cell = _json_place(book, item)
    if ws is None:
        return _Place()
    if cell is not None:
        cell = _anchor(ws, cell)
        return _Place(ws, cell, cell, cell)
    if row is not None:
        return _Place(ws, _first_used(ws, row), f"A{row}", f"dòng {row}")
    return _Place(ws, None, "A1", "(cả trang)")


def _json_place(book: _Book, item: FeedbackItem) -> tuple[Worksheet | None, int | None, str | None]:
    """(sheet, row, cell) of the built sheets for a JSON message: section, item number, field name.
    thong_tin messages name no section (etl.intake.structure), only the key."""
    section = fold_key(item.sheet) if item.sheet else None
    column = fold_key(item.column) if item.column else None
    if section in (None, INFO_SHEET):
        info = book.sheets.get(INFO_SHEET)
        if info is not None and column in book.info_rows:
            row = book.info_rows[column]  # type: ignore[index]
            return info, row, f"B{row}"
        return (info if section else None), None, None
    ws = book.sheets.get(section)  # type: ignore[arg-type]
    if ws is None:
        return None, None, None
    number = _row_ok(item.row)
    row = number + 1 if number is not None and number < _EXCEL_ROWS else None  # item N on row N+1
    col = book.headers.get(section, {}).get(column) if column else None  # type: ignore[arg-type]
    if col is not None:
        return ws, row, f"{get_column_letter(col)}{row or 1}"  # a field of no item: its header
    return ws, row, None


def _anchor(ws: Worksheet, cell: str) -> str:
    """A cell inside a merged range is written through the range's first cell (the others hold nothing)."""
    if isinstance(ws[cell], MergedCell):
        for rng in ws.merged_cells.ranges:
            if cell in rng:
                return rng.start_cell.coordinate
    return cell


def _first_used(ws: Worksheet, row: int) -> str | None:
    """The row's first cell holding a value, looked up in what the sheet holds (never creating cells)."""
    if row > ws.max_row:
        return None
    cols = [c for (r, c), cell in ws._cells.items() if r == row and cell.value not in (None, "")]
    return _anchor(ws, f"{get_column_letter(min(cols))}{row}") if cols else None


# ---------------------------------------------------------------------------- writing cells

def _clean(text: object, limit: int = MAX_CELL_CHARS) -> str:
    """Text a cell can hold: no control character openpyxl refuses, within Excel's length."""
    s = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(text))
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _put(cell: Cell, value: Any) -> None:
    """Write a value; text stays text even when it starts with '=' (a district's text is never a formula)."""
    if value == "":
        return  # an empty cell, not an empty text
    if isinstance(value, str):
        cell.value = _clean(value)
        cell.data_type = "s"
    else:
        cell.value = value


def _sheet_link(title: str, cell: str) -> str:
    """"'chi_tieu'!D13": the name always quoted, its apostrophes doubled."""
    return "'" + title.replace("'", "''") + "'!" + cell


def _safe_title(name: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\, no edge apostrophe, unique
    ignoring case) for a sheet built from an .xls, .ods or JSON."""
    title = _BAD_TITLE.sub("_", ILLEGAL_CHARACTERS_RE.sub("_", str(name))).strip("'")[:31] or "Trang"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


# ---------------------------------------------------------------------------- annotating

def _strip_ours(text: str | None) -> str:
    """A comment without the part an earlier feedback workbook added."""
    if not text:
        return ""
    at = text.find(COMMENT_MARK)
    return (text if at < 0 else text[:at]).rstrip()


def _fill(severity: str) -> PatternFill:
    color = ERROR_COLOR if severity == ERROR else WARNING_COLOR
    return PatternFill(fill_type="solid", start_color=color, end_color=color)


def _forget_earlier_feedback(wb: Workbook) -> None:
    """A feedback workbook sent back as it is: its list sheet, notes and fills from the last round go."""
    if LIST_SHEET in wb.sheetnames:
        del wb[LIST_SHEET]
    ours = {ERROR_COLOR, WARNING_COLOR}
    for ws in wb.worksheets:
        for cell in list(ws._cells.values()):
            if cell.comment is None or COMMENT_MARK not in (cell.comment.text or ""):
                continue
            kept = _strip_ours(cell.comment.text)
            cell.comment = Comment(kept, cell.comment.author or COMMENT_AUTHOR) if kept else None
            if cell.fill is not None and cell.fill.fill_type == "solid" and str(cell.fill.fgColor.rgb)[-6:] in ours:
                cell.fill = PatternFill()


def _annotate(book: _Book, items: Sequence[FeedbackItem], places: Sequence[_Place]) -> None:
    """Fill and comment every cell at fault, all its messages in one comment, an error's red over a warning's yellow."""
    grouped: dict[tuple[int, str], list[FeedbackItem]] = {}
    sheets: dict[int, Worksheet] = {}
    for item, place in zip(items, places, strict=True):
        if place.ws is not None and place.cell is not None:
            grouped.setdefault((id(place.ws), place.cell), []).append(item)
            sheets[id(place.ws)] = place.ws
    for (ws_id, coord), found in grouped.items():
        cell = sheets[ws_id][coord]
        severity = ERROR if any(i.severity == ERROR for i in found) else WARNING
        ours = COMMENT_MARK + "\n" + "\n".join(f"• {SEVERITY_VI[_severity(i)]}: {i.message}" for i in found)
        existing = cell.comment
        kept = _strip_ours(existing.text if existing is not None else None)
        text = _clean(f"{kept}\n\n{ours}" if kept else ours, MAX_COMMENT_CHARS)
        author = (existing.author if existing is not None and kept else None) or COMMENT_AUTHOR
        lines = sum(1 + len(line) // 48 for line in text.splitlines())  # ~48 characters a line at 300 px
        cell.comment = Comment(text, author, width=320, height=min(600, 24 + 16 * lines))
        cell.fill = _fill(severity)


def _severity(item: FeedbackItem) -> str:
    return ERROR if item.severity == ERROR else WARNING  # anything unexpected is shown, as a warning


# ---------------------------------------------------------------------------- the clerk's .xlsx

def _zip_within_limits(content: bytes) -> None:
    """Raise unless the .xlsx is small enough for openpyxl to open whole: every part of it, not only
    the sheets the readers pre-scanned (sharedStrings, styles, a district's own extra sheets)."""
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
            raise ValueError("zip parts beyond the limits")
        cells = 0
        for info in infos:
            if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            data = zf.read(info)  # zipfile stops at the declared size (CRC-checked)
            if any(dtd in data for dtd in _DTD):
                raise ValueError(f"a DTD in {info.filename}")
            if info.filename.lower().startswith("xl/worksheets/"):
                cells += len(_CELL_OPEN.findall(data))
        if cells > MAX_CELLS:
            raise ValueError(f"{cells} cells")


def _open_xlsx(content: bytes) -> _Book:
    _zip_within_limits(content)
    with warnings.catch_warnings():  # openpyxl warns of every extension it drops (slicers, data validation lists)
        warnings.simplefilter("ignore")
        wb = load_workbook(io.BytesIO(content), rich_text=False)
    _forget_earlier_feedback(wb)
    # The workbook is saved by openpyxl, which keeps formulas but not their cached values.
    wb.calculation.fullCalcOnLoad = True
    return _Book(wb, {ws.title: ws for ws in wb.worksheets}, "own")


# ---------------------------------------------------------------------------- .xls and .ods: a copy

def _copy_spreadsheet(content: bytes) -> _Book:
    """Every sheet's values at their own cells, read with python-calamine as etl.intake.readers does."""
    from python_calamine import CalamineWorkbook

    source = CalamineWorkbook.from_filelike(io.BytesIO(content))
    names = list(source.sheet_names)
    if len(names) > MAX_SHEETS:
        raise ValueError(f"{len(names)} sheets")
    wb = Workbook()
    wb.remove(wb.active)
    used = {LIST_SHEET.lower()}
    sheets: dict[str, Worksheet] = {}
    budget = MAX_CELLS
    for name in names:
        sheet = source.get_sheet_by_name(name)
        end = sheet.end  # checked before calamine's cells become Python values (an .xls is not pre-scanned)
        if end is not None:
            if end[0] >= MAX_SHEET_ROWS or end[1] >= MAX_SHEET_COLUMNS:
                raise ValueError(f"sheet {name!r} ends at {end}")
            budget -= (end[0] + 1) * (end[1] + 1)
            if budget < 0:
                raise ValueError("too many cells")
        ws = wb.create_sheet(_safe_title(name, used))
        sheets.setdefault(name, ws)
        widths: dict[int, int] = {}
        rows = sheet.to_python(skip_empty_area=False) if end is not None else []
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                value = _scalar(value)
                if value is None:
                    continue
                _put(ws.cell(r, c), value)
                widths[c] = max(widths.get(c, 0), min(len(str(value)), 60))
        _widths(ws, widths)
    return _Book(wb, sheets, "copy")


def _scalar(value: Any) -> Any:
    """A value as a cell holds it: calamine's '' for an empty cell is none; what openpyxl cannot
    write (an infinite float, an integer beyond what Excel keeps exactly) becomes text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool | str | date | datetime | time | timedelta):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**15 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() and abs(value) < 10**15 else str(value)
    return json.dumps(value, ensure_ascii=False, default=str)[:1000]  # a list or object where a value goes


def _widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for c, width in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = max(8, min(width, 60) + 2)


# ---------------------------------------------------------------------------- JSON: sheets built

def _json_book(content: bytes) -> _Book:
    # Decimal keeps 12500.5 as written; a huge integer stays text (int() has a digit limit).
    doc = json.loads(content, parse_float=Decimal, parse_int=lambda s: int(s) if len(s) <= 18 else s)
    if not isinstance(doc, dict):
        raise ValueError("not a JSON object")
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    book = _Book(wb, {}, "json")
    info: list[tuple[str, Any]] = []  # top-level values (ma_huyen, ky_bao_cao) first: they win (readers)
    tables: dict[str, list[Any]] = {}
    for key, value in doc.items():
        folded = fold_key(key)
        if folded == INFO_SHEET and isinstance(value, dict):
            continue
        if folded in _TABLE_SECTIONS and isinstance(value, list):
            tables.setdefault(folded, value)
        elif not isinstance(value, dict | list):
            info.append((str(key), value))
    for key, value in doc.items():
        if fold_key(key) == INFO_SHEET and isinstance(value, dict):
            info.extend((str(k), v) for k, v in value.items())
    used = {LIST_SHEET.lower()}
    if info:
        ws = wb.create_sheet(_safe_title(INFO_SHEET, used))
        book.sheets[INFO_SHEET] = ws
        for r, (key, value) in enumerate(info[:MAX_SHEET_ROWS], start=1):
            _put(ws.cell(r, 1), key)
            ws.cell(r, 1).font = bold
            _put(ws.cell(r, 2), _scalar(value))
            book.info_rows.setdefault(fold_key(key), r)
        _widths(ws, {1: max(len(k) for k, _ in info[:MAX_SHEET_ROWS]), 2: 40})
    for section, items in tables.items():
        ws = wb.create_sheet(_safe_title(section, used))
        book.sheets[section] = ws
        columns: dict[str, int] = {}  # folded field -> column, in the order first seen
        widths: dict[int, int] = {}
        # One row past the table limit, so TABLE_TOO_MANY_ROWS (item MAX_TABLE_ROWS + 1) has its row.
        for n, item in enumerate(items[: MAX_TABLE_ROWS + 1], start=1):
            if not isinstance(item, dict):
                continue
            for key, value in item.items():
                folded = fold_key(key)
                if folded not in columns:
                    if len(columns) >= MAX_SHEET_COLUMNS:
                        continue
                    columns[folded] = len(columns) + 1
                    _put(ws.cell(1, columns[folded]), str(key))
                    ws.cell(1, columns[folded]).font = bold
                    widths[columns[folded]] = len(str(key))
                cell_value = _scalar(value)
                if cell_value is not None and ws.cell(n + 1, columns[folded]).value is None:
                    _put(ws.cell(n + 1, columns[folded]), cell_value)
                    widths[columns[folded]] = max(widths[columns[folded]], min(len(str(cell_value)), 60))
        book.headers[section] = columns
        _widths(ws, widths)
        ws.freeze_panes = "A2"
    if not book.sheets:
        raise ValueError("no section to show")
    return book


# ---------------------------------------------------------------------------- the list sheet

_HEADERS = ("STT", "Mức độ", "Mã", "Trang", "Ô", "Nội dung")
_WIDTHS = (6, 11, 26, 16, 11, 90)
_HEADER_ROW = 5
_THIN_FILL = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")  # the template's header blue


def _instruction(kind: str | None, errors: int, file_name: str) -> str:
    if kind == "own":
        fix = ("Sửa các ô được tô màu theo ghi chú trong ô (đỏ: lỗi phải sửa; vàng: cảnh báo cần xem lại), "
               "bấm vào ô ở cột «Ô» để đến ngay chỗ cần sửa; xong thì xóa trang này, lưu lại và gửi lại tệp.")
    elif kind in ("copy", "json"):
        fix = (f"Các trang sau chép lại số liệu của tệp «{file_name}», ô cần sửa được tô màu và có ghi chú "
               "(đỏ: lỗi phải sửa; vàng: cảnh báo cần xem lại). Hãy sửa các chỗ đó trong tệp gốc rồi gửi lại tệp.")
    else:
        fix = "Hãy sửa tệp theo từng dòng dưới đây rồi gửi lại tệp."
    if not errors:
        fix = "Tệp đã được nhận. " + fix.replace("gửi lại tệp", "gửi lại tệp nếu số liệu cần sửa")
    return fix


def _list_sheet(wb: Workbook, file_name: str, items: Sequence[FeedbackItem], places: Sequence[_Place],
                kind: str | None) -> None:
    ws = wb.create_sheet(LIST_SHEET, 0)
    for other in wb.worksheets:  # two selected tabs are grouped sheets in Excel: one edit, both changed
        other.sheet_view.tabSelected = other is ws
    wb.active = 0
    errors = sum(1 for i in items if _severity(i) == ERROR)
    warnings_n = len(items) - errors
    wrap = Alignment(wrap_text=True, vertical="top")
    name = _clean(PurePath(str(file_name).replace("\\", "/")).name, 200)
    _put(ws.cell(1, 1), f"Kết quả kiểm tra tệp «{name}»")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    _put(ws.cell(2, 1), f"{errors} lỗi phải sửa, {warnings_n} cảnh báo cần xem lại.")
    ws.cell(2, 1).font = Font(bold=True, color="C00000" if errors else "9C5700")
    _put(ws.cell(3, 1), _instruction(kind, errors, name))
    for r in (1, 2, 3):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(_HEADERS))
        ws.cell(r, 1).alignment = wrap
    ws.row_dimensions[1].height = 22
    ws.row_dimensions[3].height = 34  # two lines: merged cells do not grow with their text
    for c, (header, width) in enumerate(zip(_HEADERS, _WIDTHS, strict=True), start=1):
        _put(ws.cell(_HEADER_ROW, c), header)
        ws.cell(_HEADER_ROW, c).font = Font(bold=True)
        ws.cell(_HEADER_ROW, c).fill = _THIN_FILL
        ws.cell(_HEADER_ROW, c).alignment = wrap
        ws.column_dimensions[get_column_letter(c)].width = width
    link_font = Font(color="0563C1", underline="single")
    # Errors first (they must be fixed), each group in the order the checks gave.
    order = sorted(range(len(items)), key=lambda i: _severity(items[i]) != ERROR)
    for n, i in enumerate(order, start=1):
        item, place = items[i], places[i]
        r = _HEADER_ROW + n
        severity = _severity(item)
        sheet_title = place.ws.title if place.ws is not None else (item.sheet or "")
        for c, value in enumerate((n, SEVERITY_VI[severity], item.code, sheet_title, place.shown, item.message),
                                  start=1):
            _put(ws.cell(r, c), value)
            ws.cell(r, c).alignment = wrap
        ws.cell(r, 2).fill = _fill(severity)
        if place.ws is not None and place.link is not None:
            target = ws.cell(r, 5)
            target.hyperlink = Hyperlink(ref=target.coordinate, location=_sheet_link(place.ws.title, place.link),
                                         tooltip="Đến ô cần sửa")
            target.font = link_font
        message_lines = sum(1 + len(line) // 95 for line in str(item.message).splitlines()) or 1
        ws.row_dimensions[r].height = 15 * max(1, message_lines, math.ceil(len(str(item.code)) / 24))
    last = _HEADER_ROW + len(items)
    ws.freeze_panes = f"A{_HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{_HEADER_ROW}:{get_column_letter(len(_HEADERS))}{last}"
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True


# ---------------------------------------------------------------------------- entry point

def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _annotatable(content: bytes, fmt: str, items: Iterable[FeedbackItem]) -> bool:
    """Whether to open the file at all: a format we can show, a file the readers could read, within size."""
    return (fmt in (FORMAT_XLSX, FORMAT_XLS, FORMAT_ODS, FORMAT_JSON)
            and not any(str(i.code).startswith("FILE_") for i in items)
            and 0 < len(content) <= MAX_ANNOTATED_BYTES)


def _annotated(content: bytes, fmt: str, file_name: str, items: Sequence[FeedbackItem]) -> bytes:
    if fmt == FORMAT_XLSX:
        book = _open_xlsx(content)
    elif fmt == FORMAT_JSON:
        book = _json_book(content)
    else:
        book = _copy_spreadsheet(content)
    places = [_place(book, item) for item in items]
    _annotate(book, items, places)
    _list_sheet(book.wb, file_name, items, places, book.kind)
    return _save(book.wb)


def _list_only(file_name: str, items: Sequence[FeedbackItem]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    _list_sheet(wb, file_name, items, [_Place(shown="") for _ in items], None)
    return _save(wb)


def build_feedback_workbook(content: bytes, fmt: str, file_name: str, items: Sequence[FeedbackItem]) -> bytes:
    """The .xlsx to send back (named by feedback_file_name): the clerk's file annotated, or the list
    sheet alone when the file cannot be shown (see the module's docstring). Never raises for the file's sake."""
    items = list(items)
    fmt = str(fmt or "").lower()
    if _annotatable(content, fmt, items):
        try:
            return _annotated(content, fmt, file_name, items)
        except Exception as exc:  # an untrusted file may break openpyxl or calamine in any way
            log.warning("feedback workbook for %r: the file could not be annotated (%s: %s); sending the list alone",
                        file_name, type(exc).__name__, str(exc)[:200], exc_info=True)
    return _list_only(file_name, items)


# ---------------------------------------------------------------------------- from the warehouse

def feedback_for_file(conn: Connection, file_id: int) -> tuple[str, bytes]:
    """(file name, bytes) of the feedback workbook of an archived file, from the file as it
    arrived (raw.file) and every message of its current outcome (ops.validation_message)."""
    row = conn.execute(text("""
        SELECT f.file_name, f.content, o.source_format
        FROM raw.file AS f LEFT JOIN ops.file_outcome AS o USING (file_id)
        WHERE f.file_id = :f
    """), {"f": file_id}).one()
    messages = conn.execute(text("""
        SELECT severity, code, sheet, row_number, column_name, cell, message_vi
        FROM ops.validation_message WHERE file_id = :f ORDER BY message_id
    """), {"f": file_id}).all()
    items = [FeedbackItem(severity=m.severity, code=m.code, sheet=m.sheet, row=m.row_number, column=m.column_name,
                          cell=m.cell, message=m.message_vi) for m in messages]
    fmt = row.source_format or PurePath(row.file_name).suffix.lower().lstrip(".")
    return feedback_file_name(row.file_name), build_feedback_workbook(bytes(row.content), fmt, row.file_name, items)
