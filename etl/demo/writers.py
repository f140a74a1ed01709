"""Write submissions (contract 1.1/1.2) and annual plans (contract 1.3) as JSON or XLSX.

The input is the JSON-shaped dict of the contract (as produced by `etl.demo.synth`). The XLSX
follows the template district staff fill in: values that are numbers in the dict become
numeric cells, values that are already strings ("61.250,5", "trên 10.120", "16/05/2024") are
written verbatim as text cells, so a loader sees exactly what a person would have typed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from etl.domain.contract import (
    COLUMNS,
    INDICATOR_SHEET,
    INFO_DISTRICT,
    INFO_DOCUMENT,
    INFO_PERIOD,
    INFO_SHEET,
    INFO_YEAR,
    PLAN_SHEET,
    REQUIRED_COLUMNS,
    SUBMISSION_INFO_KEYS,
    TASK_SHEET,
    UNIT_INFO_KEYS,
    VI_HEADERS,
)

INDICATOR_COLUMNS = COLUMNS[INDICATOR_SHEET]
TASK_COLUMNS = COLUMNS[TASK_SHEET]
PLAN_COLUMNS = REQUIRED_COLUMNS[PLAN_SHEET]
HEADER_STYLES = ("vi", "code")

_WIDTHS = {
    "ten_chi_tieu": 44,
    "ten_nhiem_vu": 60,
    "co_quan_giao": 18,
    "van_ban_giao": 16,
    "ghi_chu": 24,
    "ma_nhiem_vu": 20,
    "trang_thai": 15,
    "thuc_hien_thang": 16,
    "luy_ke_nam": 16,
    "ke_hoach_nam": 16,
}


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.strftime("%d/%m/%Y")
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _write_json(data: Mapping[str, Any], path: Path | str) -> Path:
    path = Path(path)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=_json_default) + "\n", encoding="utf-8")
    return path


def write_submission_json(sub: Mapping[str, Any], path: Path | str) -> Path:
    """Contract 1.2 JSON, UTF-8 with Vietnamese text unescaped."""
    return _write_json(sub, path)


def write_plan_json(plan: Mapping[str, Any], path: Path | str) -> Path:
    """Contract 1.3 JSON."""
    return _write_json(plan, path)


def _cell(ws: Worksheet, row: int, col: int, value: object) -> None:
    if value is None:
        return  # empty cell: "no value" is not the same as an empty string
    if isinstance(value, str):
        ws.write_string(row, col, value)  # never let xlsxwriter guess: "001" and "61.250,5" stay text
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (int, float, Decimal)):
        ws.write_number(row, col, float(value))
    elif isinstance(value, (date, datetime)):
        ws.write_string(row, col, value.strftime("%d/%m/%Y"))  # dates as staff type them
    else:
        ws.write_string(row, col, str(value))


def _headers(columns: Sequence[str], header_style: str) -> list[str]:
    if header_style not in HEADER_STYLES:
        raise ValueError(f"header_style must be one of {HEADER_STYLES}, got {header_style!r}")
    return [VI_HEADERS[c] if header_style == "vi" else c for c in columns]


def _key_value_sheet(wb: xlsxwriter.Workbook, name: str, items: Sequence[tuple[str, object]]) -> None:
    ws = wb.add_worksheet(name)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 36)
    for r, (key, value) in enumerate(items):  # keys from row 1: the contract has no header row here
        ws.write_string(r, 0, key)
        _cell(ws, r, 1, value)


def _table_sheet(
    wb: xlsxwriter.Workbook,
    name: str,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    header_style: str,
    bold: Any,
) -> None:
    ws = wb.add_worksheet(name)
    for c, col in enumerate(columns):
        ws.set_column(c, c, _WIDTHS.get(col, 13))
    for c, header in enumerate(_headers(columns, header_style)):
        ws.write_string(0, c, header, bold)
    for r, data in enumerate(rows, start=1):  # strictly row by row, as constant_memory requires
        for c, col in enumerate(columns):
            _cell(ws, r, c, data.get(col))


_FIXED_CREATED = datetime(2020, 1, 1, tzinfo=UTC)


def _workbook(path: Path | str, constant_memory: bool) -> xlsxwriter.Workbook:
    # Measured on 80-row submissions: in_memory ~4 ms per file, constant_memory ~7-10 ms (it
    # streams each sheet through a temp file, which pays off only for large sheets). Both are
    # supported; the writers emit rows in order so either mode is valid.
    options = {"constant_memory": True} if constant_memory else {"in_memory": True}
    wb = xlsxwriter.Workbook(str(path), options)
    # A fixed creation time makes the same content the same bytes, so regenerating a file
    # is recognised as a re-delivery (xlsxwriter stamps "now" otherwise).
    wb.set_properties({"created": _FIXED_CREATED})
    return wb


def write_submission_xlsx(
    sub: Mapping[str, Any], path: Path | str, *, header_style: str = "vi", constant_memory: bool = False
) -> Path:
    """Contract 1.1 XLSX: sheets `thong_tin` (key in A, value in B), `chi_tieu`, `nhiem_vu`.

    header_style "vi" writes the template's Vietnamese headers ("Mã chỉ tiêu"), "code" the
    contract's column names ("ma_chi_tieu"). `ma_huyen` is always a text cell.
    """
    _headers((), header_style)  # validate before creating the file
    path = Path(path)
    info = dict(sub.get(INFO_SHEET) or {})
    unit_key = next(k for k in UNIT_INFO_KEYS if k in sub)  # ma_huyen (a district) or ma_don_vi (a commune)
    items: list[tuple[str, object]] = [(unit_key, sub[unit_key]), (INFO_PERIOD, sub[INFO_PERIOD])]
    items += [(k, info.pop(k)) for k in SUBMISSION_INFO_KEYS if k in info and k not in (unit_key, INFO_PERIOD)]
    items += list(info.items())  # extra keys the caller added, kept after the contract's
    wb = _workbook(path, constant_memory)
    bold = wb.add_format({"bold": True})
    _key_value_sheet(wb, INFO_SHEET, [(k, str(v) if k == unit_key else v) for k, v in items])
    _table_sheet(wb, INDICATOR_SHEET, INDICATOR_COLUMNS, sub.get(INDICATOR_SHEET) or [], header_style, bold)
    _table_sheet(wb, TASK_SHEET, TASK_COLUMNS, sub.get(TASK_SHEET) or [], header_style, bold)
    wb.close()
    return path


def write_plan_xlsx(
    plan: Mapping[str, Any], path: Path | str, *, header_style: str = "vi", constant_memory: bool = False
) -> Path:
    """Contract 1.3 XLSX: sheet `thong_tin` (ma_huyen, nam, van_ban) and sheet `ke_hoach`."""
    _headers((), header_style)
    path = Path(path)
    wb = _workbook(path, constant_memory)
    bold = wb.add_format({"bold": True})
    items = [(INFO_DISTRICT, str(plan[INFO_DISTRICT])), (INFO_YEAR, plan[INFO_YEAR]),
             (INFO_DOCUMENT, plan.get(INFO_DOCUMENT))]
    _key_value_sheet(wb, INFO_SHEET, items)
    _table_sheet(wb, PLAN_SHEET, PLAN_COLUMNS, plan.get(PLAN_SHEET) or [], header_style, bold)
    wb.close()
    return path
