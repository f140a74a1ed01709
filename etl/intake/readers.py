"""Readers: bytes of an XLSX or JSON file -> sheets of rows keyed by contract column names.

Readers only find the structure (which sheet, which column, which row); they do not
judge values. Headers, sheet names and thong_tin keys are matched with
etl.domain.text.fold_key, so 'Mã chỉ tiêu', 'MA_CHI_TIEU' and 'ma chi tieu' are one column."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Container
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from python_calamine import CalamineWorkbook

from etl.domain.contract import (
    COLUMNS,
    FORMAT_JSON,
    FORMAT_XLSX,
    INDICATOR_SHEET,
    INFO_KEYS,
    INFO_SHEET,
    KEY_COLUMN,
    KIND_PLAN,
    KIND_SUBMISSION,
    KIND_UNKNOWN,
    PLAN_SHEET,
    PLAN_SHEETS,
    REQUIRED_COLUMNS,
    SUBMISSION_SHEETS,
)
from etl.domain.text import fold_key
from etl.quality.messages import Message, make_message

# Zip-bomb guard: a district template is a few hundred KB; refuse files that expand
# beyond this before handing them to the XLSX parser.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 500
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is tolerated


@dataclass
class Table:
    sheet: str  # name as found in the file
    columns: dict[str, str]  # canonical -> header as written
    rows: list[tuple[int, dict[str, Any]]]  # (row number in the sheet, canonical -> cell)


@dataclass
class ReadFile:
    fmt: str  # contract.SOURCE_FORMATS, or the unsupported extension
    kind: str = KIND_UNKNOWN  # contract.FILE_KINDS
    info: dict[str, tuple[Any, int | None]] = field(default_factory=dict)  # key -> (value, row)
    info_sheet: str = INFO_SHEET  # name as found in the file
    tables: dict[str, Table] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(m.severity == "error" for m in self.messages)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def sniff_format(name: str, data: bytes) -> tuple[str | None, list[Message]]:
    """Decide xlsx/json from the extension and check the content agrees."""
    suffix = PurePath(name).suffix.lower()
    if not data:
        return None, [make_message("FILE_EMPTY")]
    fmt = suffix[1:]
    if fmt not in (FORMAT_XLSX, FORMAT_JSON):
        return None, [make_message("FILE_TYPE_UNSUPPORTED", found=suffix or "(không có)")]
    is_zip = data[:4] == b"PK\x03\x04"
    if fmt == FORMAT_XLSX and not is_zip:
        return None, [make_message("FILE_FORMAT_MISMATCH", found=name, expected="một bảng tính XLSX")]
    if fmt == FORMAT_JSON and is_zip:
        return None, [make_message("FILE_FORMAT_MISMATCH", found=name, expected="JSON", fmt=FORMAT_JSON)]
    return fmt, []


def read_file(name: str, data: bytes) -> ReadFile:
    fmt, problems = sniff_format(name, data)
    if fmt is None:
        result = ReadFile(fmt=PurePath(name).suffix.lower().lstrip(".") or "unknown")
        result.messages.extend(problems)
        return result
    return read_xlsx(data) if fmt == FORMAT_XLSX else read_json(data)


# ---------------------------------------------------------------------------- XLSX

def _zip_problem(data: bytes) -> Message | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            compressed = sum(i.compress_size for i in infos) or 1
            bad = zf.testzip() if len(data) < 2 * 1024 * 1024 else None  # CRC check is cheap on small files
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        return make_message("FILE_CORRUPT", found=f"không phải tệp zip hợp lệ: {exc}")
    if len(infos) > MAX_ZIP_ENTRIES or total > MAX_UNCOMPRESSED_BYTES or total / compressed > MAX_COMPRESSION_RATIO:
        return make_message("FILE_TOO_LARGE", found=f"{total:,} byte, {len(infos)} phần",
                            expected=f"{MAX_UNCOMPRESSED_BYTES:,} byte, tỉ lệ nén {MAX_COMPRESSION_RATIO}")
    if bad is not None:
        return make_message("FILE_CORRUPT", found=f"phần '{bad}' bị hỏng")
    return None


def read_xlsx(data: bytes) -> ReadFile:
    result = ReadFile(fmt=FORMAT_XLSX)
    problem = _zip_problem(data)
    if problem:
        result.messages.append(problem)
        return result
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = {fold_key(n): n for n in wb.sheet_names}
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        result.messages.append(make_message("FILE_CORRUPT", found=type(exc).__name__ + ": " + str(exc)[:200]))
        return result

    def rows_of(canonical: str) -> list[list[Any]] | None:
        name = sheets.get(canonical)
        if name is None:
            return None
        return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)

    kind = _kind(sheets)
    if kind is None:
        result.messages.append(make_message("FILE_KIND_UNKNOWN", found=", ".join(wb.sheet_names)))
        return result
    result.kind, table_names = kind

    try:
        info_rows = rows_of(INFO_SHEET)
        if info_rows is None:
            result.messages.append(make_message("SHEET_MISSING", expected=INFO_SHEET))
        else:
            result.info_sheet = sheets[INFO_SHEET]
            for i, row in enumerate(info_rows, start=1):
                if len(row) >= 1 and not _blank(row[0]):
                    key = fold_key(row[0])
                    if key in INFO_KEYS and key not in result.info:
                        result.info[key] = (row[1] if len(row) > 1 else None, i)
        for canonical in table_names:
            raw_rows = rows_of(canonical)
            if raw_rows is None:
                result.messages.append(make_message("SHEET_MISSING", expected=canonical))
                continue
            table = _table_from_rows(sheets[canonical], canonical, raw_rows, result.messages, first_row=1)
            if table is not None:
                result.tables[canonical] = table
    except Exception as exc:  # a sheet that fails to decode is a broken file, not a crash
        result.messages.append(make_message("FILE_CORRUPT", found=type(exc).__name__ + ": " + str(exc)[:200]))
    return result


def _kind(names: Container[str]) -> tuple[str, tuple[str, ...]] | None:
    """The kind of file its sheets (or top-level keys, folded) say, and the tables it must hold."""
    if PLAN_SHEET in names:
        return KIND_PLAN, PLAN_SHEETS
    if INDICATOR_SHEET in names:
        return KIND_SUBMISSION, SUBMISSION_SHEETS
    return None


def _table_from_rows(sheet: str, canonical: str, raw_rows: list[list[Any]], messages: list[Message],
                     *, first_row: int) -> Table | None:
    key_col = KEY_COLUMN[canonical]
    header_idx = None
    for i, row in enumerate(raw_rows[:HEADER_SEARCH_ROWS]):
        if any(not _blank(c) and fold_key(c) == key_col for c in row):
            header_idx = i
            break
    if header_idx is None:
        for col in REQUIRED_COLUMNS[canonical]:
            messages.append(make_message("COLUMN_MISSING", sheet=sheet, row=first_row, expected=col))
        return None
    known = COLUMNS[canonical]
    positions: dict[str, int] = {}
    columns: dict[str, str] = {}
    header_row_number = header_idx + first_row
    for pos, cell in enumerate(raw_rows[header_idx]):
        if _blank(cell):
            continue
        key = fold_key(cell)
        if key not in known:
            continue  # extra columns (STT, notes of the district) are allowed and ignored
        if key in positions:
            messages.append(make_message("COLUMN_DUPLICATE", sheet=sheet, row=header_row_number, found=str(cell)))
            continue
        positions[key] = pos
        columns[key] = str(cell).strip()
    missing = [c for c in REQUIRED_COLUMNS[canonical] if c not in positions]
    for col in missing:
        messages.append(make_message("COLUMN_MISSING", sheet=sheet, row=header_row_number, expected=col))
    if missing:
        return None
    rows: list[tuple[int, dict[str, Any]]] = []
    for offset, row in enumerate(raw_rows[header_idx + 1:], start=1):
        values = {k: (row[p] if p < len(row) else None) for k, p in positions.items()}
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
        if all(_blank(v) for v in values.values()):
            continue
        rows.append((header_row_number + offset, values))
    return Table(sheet=sheet, columns=columns, rows=rows)


# ---------------------------------------------------------------------------- JSON

def read_json(data: bytes) -> ReadFile:
    result = ReadFile(fmt=FORMAT_JSON)
    try:
        # Decimal keeps 12500.5 exact; floats would turn money into 12500.499999...
        doc = json.loads(data.decode("utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        result.messages.append(make_message("FILE_CORRUPT", found=f"JSON không hợp lệ: {exc}", fmt=FORMAT_JSON))
        return result
    if not isinstance(doc, dict):
        result.messages.append(make_message("FILE_CORRUPT", found="JSON không phải một đối tượng {...}",
                                            fmt=FORMAT_JSON))
        return result
    doc = {fold_key(k): v for k, v in doc.items()}
    kind = _kind(doc)
    if kind is None:
        result.messages.append(make_message("FILE_KIND_UNKNOWN", found=", ".join(doc), fmt=FORMAT_JSON))
        return result
    result.kind, table_names = kind
    info_block = doc.get(INFO_SHEET)
    if isinstance(info_block, dict):
        for k, v in info_block.items():
            key = fold_key(k)
            if key in INFO_KEYS:
                result.info[key] = (v, None)
    for key in INFO_KEYS:  # top-level ma_huyen / ky_bao_cao / nam win over thong_tin
        if key in doc and not isinstance(doc[key], dict | list):
            result.info[key] = (doc[key], None)
    for canonical in table_names:
        items = doc.get(canonical)
        if items is None:
            result.messages.append(make_message("SHEET_MISSING", expected=canonical, fmt=FORMAT_JSON))
            continue
        if not isinstance(items, list):
            result.messages.append(make_message("FILE_CORRUPT", sheet=canonical, fmt=FORMAT_JSON,
                                                found=f"'{canonical}' phải là một danh sách [...]"))
            continue
        known = COLUMNS[canonical]
        rows: list[tuple[int, dict[str, Any]]] = []
        seen_columns: dict[str, str] = {}
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                result.messages.append(make_message("FILE_CORRUPT", sheet=canonical, row=index, fmt=FORMAT_JSON,
                                                    found="mục không phải đối tượng {...}"))
                continue
            values: dict[str, Any] = {}
            for k, v in item.items():
                key = fold_key(k)
                if key in known:
                    values[key] = v.strip() if isinstance(v, str) else v
                    seen_columns.setdefault(key, k)
            missing = [c for c in REQUIRED_COLUMNS[canonical] if c not in values]
            for col in missing:
                result.messages.append(make_message("COLUMN_MISSING", sheet=canonical, row=index,
                                                    expected=col, fmt=FORMAT_JSON))
            rows.append((index, {c: values.get(c) for c in known}))
        result.tables[canonical] = Table(sheet=canonical, columns=seen_columns, rows=rows)
    return result
