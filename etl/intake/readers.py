"""Readers: bytes of an XLSX, XLS, ODS or JSON file -> sheets of rows keyed by contract column names.

Readers only find the structure (which sheet, which column, which row); they do not
judge values, but give a numeric cell formatted as a percentage as it is shown (0.9756 shown
"97,56%" is 97.56, exactly: XLSX number formats, ODS percentage cells; not XLS). Headers, sheet
names and thong_tin keys are matched with etl.domain.text.fold_key, so 'Mã chỉ tiêu', 'MA_CHI_TIEU'
and 'ma chi tieu' are one column.

They are also the first line against hostile or ambiguous files (limits in etl.intake.limits):
an XLSX is checked part by part and each sheet it reads is pre-scanned with a streaming XML
parse before python-calamine may materialise it; an ODS is checked part by part and its
content.xml pre-scanned the same way (repeated rows and columns counted, empty ones ignored) before
python-calamine opens it, since calamine reads every sheet of an ODS at once; an XLS (an OLE2
compound file calamine alone parses) is bounded by the file size limit, the reader worker's
memory and time limits (etl.intake.isolation) and the used range calamine reports, checked before
its cells become Python values; a JSON is size- and depth-checked before parsing. Every value a
reader keeps is a scalar, a text PostgreSQL can store, of bounded length."""

from __future__ import annotations

import io
import json
import math
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any
from xml.parsers import expat

import numpy as np
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from etl.domain.contract import (
    COLUMNS,
    FORMAT_JSON,
    FORMAT_ODS,
    FORMAT_XLS,
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
    TASK_SHEET,
)
from etl.domain.text import fold_key
from etl.intake.limits import (
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_JSON_DEPTH,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_SHEETS,
    MAX_TABLE_ROWS,
    MAX_TEXT_CHARS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_ENTRIES,
    SHOWN_CHARS,
)
from etl.quality.messages import Message, make_message

HEADER_SEARCH_ROWS = 10  # a title row or two above the header is tolerated
_READ_SHEETS = (INFO_SHEET, INDICATOR_SHEET, TASK_SHEET, PLAN_SHEET)  # folded names the readers use


@dataclass
class Table:
    sheet: str  # name as found in the file
    columns: dict[str, str]  # canonical -> header as written
    rows: list[tuple[int, dict[str, Any]]]  # (row number in the sheet, canonical -> cell)
    positions: dict[str, int] = field(default_factory=dict)  # canonical -> column number (A = 1); none in JSON


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


def _vi_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# ---------------------------------------------------------------------------- text

# What PostgreSQL text cannot hold (NUL, lone surrogates) and other invisible C0 controls.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def shown(text: object, limit: int = SHOWN_CHARS) -> str:
    """A value from a file as a message may show it: cut to `limit` characters, and every
    character PostgreSQL or a screen cannot show written as <U+0000>."""
    s = str(text)
    cut = s[:limit] + ("…" if len(s) > limit else "")
    return _BAD_CHARS.sub(lambda m: f"<U+{ord(m.group()):04X}>", cut)


def _text_problem(value: str) -> tuple[str, dict[str, Any]] | None:
    """(code, message fields) when a text cannot be kept."""
    bad = _BAD_CHARS.search(value)
    if bad:
        char = f"U+{ord(bad.group()):04X}"
        return "TEXT_INVALID_CHARACTER", {"found": shown(value), "char": char, "position": bad.start() + 1}
    if len(value) > MAX_TEXT_CHARS:
        return "TEXT_TOO_LONG", {"found": shown(value), "n": _vi_int(len(value)),
                                 "expected": f"{_vi_int(MAX_TEXT_CHARS)} ký tự"}
    return None


def _plainly_kept(value: Any) -> bool:
    """The common case, cheaply: a text short and clean enough to keep as it is."""
    return isinstance(value, str) and len(value) <= MAX_TEXT_CHARS and not _BAD_CHARS.search(value)


def _kept(value: Any, messages: list[Message], **place: Any) -> Any:
    """The value a reader keeps, or None after a message when it cannot be kept: a list or
    object where a single value belongs (JSON), a text with control characters or too long."""
    if isinstance(value, list | dict):
        kind = "danh sách [...]" if isinstance(value, list) else "đối tượng {...}"
        messages.append(make_message("VALUE_NOT_SCALAR", found=shown(json.dumps(value, ensure_ascii=False,
                                                                                  default=str)),
                                     kind=kind, kind_en="a list" if isinstance(value, list) else "an object",
                                     **place))
        return None
    if isinstance(value, str):
        problem = _text_problem(value)
        if problem:
            code, fields = problem
            messages.append(make_message(code, **fields, **place))
            return None
    return value


# ---------------------------------------------------------------------------- dispatch

SPREADSHEET_FORMATS = (FORMAT_XLSX, FORMAT_XLS, FORMAT_ODS)  # read with python-calamine
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: Excel 97-2003 .xls
_ODF_MIMETYPE = b"application/vnd.oasis.opendocument"
_ODS_MIMETYPE = _ODF_MIMETYPE + b".spreadsheet"  # "-template" too
_OTHER_ODF = "odf"  # an OpenDocument file that is not a spreadsheet (a text, a drawing)
# How a message names each format (the clerk's words).
_FORMAT_NAMES = {
    FORMAT_XLSX: "một bảng tính Excel 2007-365 (.xlsx)",
    FORMAT_XLS: "một bảng tính Excel 97-2003 (.xls)",
    FORMAT_ODS: "một bảng tính OpenDocument (.ods, LibreOffice/OpenOffice)",
    FORMAT_JSON: "JSON",
}


def _content_format(data: bytes) -> str | None:
    """What the bytes are, whatever the name says: xls, ods, xlsx (any other zip), _OTHER_ODF, or
    None. An ODS is a zip whose `mimetype` part names it (the first part, by the standard; any
    part here)."""
    if data[:8] == _OLE2:
        return FORMAT_XLS
    if data[:4] != b"PK\x03\x04":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "mimetype" not in zf.namelist():
                return FORMAT_XLSX
            with zf.open("mimetype") as f:
                mimetype = f.read(len(_ODS_MIMETYPE) + 10)  # never more, whatever it declares
    except (zipfile.BadZipFile, EOFError, ValueError, struct.error, NotImplementedError, zlib.error, OSError):
        return FORMAT_XLSX  # a broken zip: the XLSX reader says how
    if mimetype.startswith(_ODS_MIMETYPE):
        return FORMAT_ODS
    return _OTHER_ODF if mimetype.startswith(_ODF_MIMETYPE) else FORMAT_XLSX


def sniff_format(name: str, data: bytes) -> tuple[str | None, list[Message]]:
    """Decide the format from the extension and check the content agrees: (format, []) or (None,
    errors). A spreadsheet whose content is another spreadsheet format (an .ods or .xls renamed
    .xlsx) is a FILE_FORMAT_MISMATCH error naming what it is. (Reading it as what it is, with a
    warning, needs etl.intake.structure.check_file to go on after a FILE_ warning: it stops at any
    FILE_ message; see RENAMED_SPREADSHEETS_READ.)"""
    suffix = PurePath(name).suffix.lower()
    if not data:
        return None, [make_message("FILE_EMPTY")]
    fmt = suffix[1:]
    if fmt not in (*SPREADSHEET_FORMATS, FORMAT_JSON):
        return None, [make_message("FILE_TYPE_UNSUPPORTED", found=shown(suffix) or "(không có)")]
    if len(data) > MAX_FILE_BYTES:
        return None, [make_message("FILE_SIZE_EXCEEDED", found=f"{_vi_int(len(data))} byte",
                                   expected=f"{_vi_int(MAX_FILE_BYTES)} byte", fmt=fmt)]
    content = _content_format(data)
    if fmt == FORMAT_JSON:
        if content is not None:
            return None, [make_message("FILE_FORMAT_MISMATCH", found=shown(name), expected="JSON", fmt=FORMAT_JSON)]
        return fmt, []
    if content not in SPREADSHEET_FORMATS:
        what = _FORMAT_NAMES[fmt]
        if content == _OTHER_ODF:
            what += " mà là một tài liệu OpenDocument khác (văn bản, bản vẽ), không phải bảng tính"
        return None, [make_message("FILE_FORMAT_MISMATCH", found=shown(name), expected=what)]
    if content != fmt:
        assert content is not None
        mismatch = f"{_FORMAT_NAMES[fmt]} mà là {_FORMAT_NAMES[content]}"
        if not RENAMED_SPREADSHEETS_READ:
            return None, [make_message("FILE_FORMAT_MISMATCH", found=shown(name),
                                       expected=f"{mismatch}: hãy đặt lại đuôi tệp .{content}, hoặc mở tệp và "
                                                f"Lưu thành (Save As) đúng kiểu {_FORMAT_NAMES[fmt]}")]
        return content, [make_message("FILE_FORMAT_MISMATCH", severity="warning", found=shown(name),
                                      expected=f"{mismatch}; tệp vẫn được đọc như tệp .{content}")]
    return fmt, []


# Whether a spreadsheet renamed to another spreadsheet extension is read as what it is, with a
# FILE_FORMAT_MISMATCH warning. Off until etl.intake.structure.check_file goes on after a FILE_
# warning (it stops at any FILE_ message, so the file would be "accepted" with nothing loaded).
RENAMED_SPREADSHEETS_READ = False


def read_file(name: str, data: bytes) -> ReadFile:
    fmt, problems = sniff_format(name, data)
    if fmt is None:
        result = ReadFile(fmt=PurePath(name).suffix.lower().lstrip(".") or "unknown")
        result.messages.extend(problems)
        return result
    if fmt == FORMAT_JSON:
        return read_json(data)
    reader = {FORMAT_XLSX: read_xlsx, FORMAT_XLS: read_xls, FORMAT_ODS: read_ods}[fmt]
    result = reader(data)
    result.messages[:0] = problems  # the warning that the name said otherwise
    return result


# ---------------------------------------------------------------------------- XLSX: the zip

def _corrupt(found: str, **kw: Any) -> Message:
    return make_message("FILE_CORRUPT", found=shown(found, 200), **kw)


def _part_problem(data: bytes, info: zipfile.ZipInfo) -> str | None:
    """Why a part's stored bytes do not inflate to exactly its declared size and CRC, if they
    do not: python-calamine's zip reader trusts the stream, so a part declaring 1 KB could
    expand to gigabytes; the declared sizes are what the limits were checked against."""
    if info.flag_bits & 0x1:
        return f"phần '{info.filename}' bị mã hóa"
    off = info.header_offset
    if data[off:off + 4] != b"PK\x03\x04":
        return f"phần '{info.filename}' không có đầu phần hợp lệ"
    name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        return f"phần '{info.filename}' bị cắt cụt"
    if info.compress_type == zipfile.ZIP_STORED:
        total, crc = len(raw), zlib.crc32(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        total, crc, pending = 0, 0, bytes(raw)
        while pending:
            chunk = inflater.decompress(pending, 1 << 20)
            total += len(chunk)
            crc = zlib.crc32(chunk, crc)
            if total > info.file_size:
                return f"phần '{info.filename}' giải nén ra nhiều hơn kích thước khai báo"
            pending = inflater.unconsumed_tail
        if not inflater.eof:
            return f"phần '{info.filename}' bị cắt cụt"
    else:
        return f"phần '{info.filename}' dùng kiểu nén không hỗ trợ ({info.compress_type})"
    if total != info.file_size or crc != info.CRC:
        return f"phần '{info.filename}' bị hỏng"
    return None


def _zip_problem(zf: zipfile.ZipFile, data: bytes) -> Message | None:
    infos = zf.infolist()
    names = [i.filename for i in infos]
    total = sum(i.file_size for i in infos)
    compressed = sum(i.compress_size for i in infos) or 1
    if len(infos) > MAX_ZIP_ENTRIES or total > MAX_UNCOMPRESSED_BYTES or total / compressed > MAX_COMPRESSION_RATIO:
        return make_message("FILE_TOO_LARGE", found=f"{total:,} byte, {len(infos)} phần",
                            expected=f"{MAX_UNCOMPRESSED_BYTES:,} byte, tỉ lệ nén {MAX_COMPRESSION_RATIO}")
    if len(set(names)) != len(names):
        return _corrupt("tệp zip có hai phần trùng tên")
    for info in infos:
        problem = _part_problem(data, info)
        if problem:
            return _corrupt(problem)
    return None


# ---------------------------------------------------------------------------- XLSX: XML pre-scan

class _Refused(Exception):
    """Raised inside a streaming parse to stop it."""


def _safe_parser() -> expat.XMLParserType:
    """An expat parser that refuses any DTD: OOXML parts have none, and without one there are no
    entities to expand (billion laughs) or to fetch (external entities)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: Any) -> None:
        raise _Refused("DTD")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.buffer_text = True
    return parser


def _parse_part(zf: zipfile.ZipFile, name: str, parser: expat.XMLParserType) -> None:
    """Feed a part to the parser in chunks; handlers may raise _Refused to stop early."""
    read = 0
    with zf.open(name) as f:
        while chunk := f.read(1 << 16):
            read += len(chunk)
            if read > MAX_UNCOMPRESSED_BYTES:
                raise _Refused("size")
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _local(tag: str) -> str:
    return tag.rpartition(":")[2]


def _attr(attrs: dict[str, str], local: str) -> str | None:
    for key, value in attrs.items():
        if _local(key) == local:
            return value
    return None


def _sheet_parts(zf: zipfile.ZipFile) -> tuple[dict[str, list[str]], str | None]:
    """Sheet name -> the zip parts its relationship target may name (as calamine may resolve it),
    and the workbook's styles part (where number formats are), if it has one."""
    rels: dict[str, str] = {}
    styles: list[str] = []
    sheets: list[tuple[str, str]] = []

    def on_rel(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "Relationship" and "Id" in attrs and "Target" in attrs:
            rels[attrs["Id"]] = attrs["Target"]
            if attrs.get("Type", "").endswith("/styles"):
                styles.append(attrs["Target"])

    def on_sheet(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "sheet" and "name" in attrs:
            sheets.append((attrs["name"], _attr({k: v for k, v in attrs.items() if ":" in k}, "id") or ""))

    for part, handler in (("xl/_rels/workbook.xml.rels", on_rel), ("xl/workbook.xml", on_sheet)):
        parser = _safe_parser()
        parser.StartElementHandler = handler
        _parse_part(zf, part, parser)
    by_name = {n.replace("\\", "/"): n for n in zf.namelist()}

    def resolved(target: str) -> list[str]:
        target = target.replace("\\", "/")
        candidates = {posixpath.join("xl", target), posixpath.normpath(posixpath.join("xl", target)),
                      target.lstrip("/"), posixpath.normpath(target.lstrip("/") or ".")}
        return sorted({by_name[c] for c in candidates if c in by_name})

    out = {name: resolved(rels.get(rid, "")) for name, rid in sheets}
    # The related part, else where Excel writes it; one part only, as two would be ambiguous.
    styles_parts = resolved(styles[0]) if len(styles) == 1 else []
    if not styles and STYLES_PART in by_name:
        styles_parts = [by_name[STYLES_PART]]
    return out, styles_parts[0] if len(styles_parts) == 1 else None


# ---------------------------------------------------------------------------- percent-formatted cells

# A cell formatted as a percentage shows its number x 100 with a '%': the clerk typed and sees
# "97,56 %", the part stores 0.9756. The readers give such a cell as shown (97.56), the figure the
# clerk knows; only the number format says so, and calamine does not expose it, so it is read here.
STYLES_PART = "xl/styles.xml"  # where Excel writes it, when no relationship says otherwise
_PERCENT_BUILTINS = frozenset({9, 10})  # '0%' and '0.00%': the only built-in percent formats
# What a format code shows as written: "quoted text", \x, _x (a space as wide as x), *x (x repeated
# to fill), [...] (a colour, condition or locale). A '%' there is only a character.
_FORMAT_LITERALS = re.compile(r'"[^"]*"?|\\.|_.|\*.|\[[^\]]*\]?', re.S)
# Whether a styles part may hold a percent format at all: a '%', a character reference (which
# could spell one) or a built-in percent id. Most workbooks have none, and then nothing is parsed.
_MAY_BE_PERCENT = re.compile(rb'%|&#|numFmtId\s*=\s*["\']\s*0*(?:9|10)\s*["\']')


def percent_format(code: str) -> bool:
    """Whether a number format code shows numbers as percentages: a '%' outside the literal parts
    of one of its sections for numbers (positive;negative;zero; the fourth is for text cells)."""
    return any("%" in section for section in _FORMAT_LITERALS.sub("", code).split(";")[:3])


def percent_styles(zf: zipfile.ZipFile, part: str | None) -> frozenset[int]:
    """The cell style indices (a <c>'s `s`) whose number format is a percentage: cellXfs in order,
    each naming a numFmtId, custom (numFmts) or built-in. Raises _Refused or expat.ExpatError on a
    bad part, like the sheet pre-scan."""
    if part is None:
        return frozenset()
    xml = zf.read(part) if zf.getinfo(part).file_size <= QUICK_LOOK_BYTES else None  # else streamed
    if xml is not None and not _MAY_BE_PERCENT.search(xml):
        return frozenset()
    codes: dict[int, str] = {}  # numFmtId -> custom format code
    cell_formats: list[int] = []  # cellXfs: style index -> numFmtId (-1: none readable)
    within: list[str] = []  # the open elements' local names

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(within) >= 16:  # a styles part nests about 5 deep
            raise _Refused("depth")
        local = _local(tag)
        parent = within[-1] if within else ""
        within.append(local)
        if local == "numFmt" and parent == "numFmts":  # not a dxf's (conditional formats are not read)
            fmt_id = attrs.get("numFmtId", "")
            if fmt_id.isdigit() and len(fmt_id) <= 9:
                codes[int(fmt_id)] = attrs.get("formatCode", "")
        elif local == "xf" and parent == "cellXfs":
            fmt_id = attrs.get("numFmtId", "0").strip()
            cell_formats.append(int(fmt_id) if fmt_id.isdigit() and len(fmt_id) <= 9 else -1)

    def end(_tag: str) -> None:
        within.pop()

    parser = _safe_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if xml is None:
        _parse_part(zf, part, parser)
    else:
        parser.Parse(xml, True)
    return frozenset(index for index, fmt_id in enumerate(cell_formats)
                     if (percent_format(codes[fmt_id]) if fmt_id in codes else fmt_id in _PERCENT_BUILTINS))


def percent_as_shown(value: Any) -> Any:
    """A numeric cell formatted as a percentage, as the clerk sees it: 0.9756 shown '97,56%' is
    Decimal('97.56'), computed exactly (0.9756 * 100 is 97.56000000000002 as a float). Text,
    booleans and anything else are returned as they are."""
    if type(value) is float:
        if not math.isfinite(value):
            return value
        number = Decimal(repr(value))  # repr keeps 0.9756 as 0.9756
    elif type(value) is int:
        number = Decimal(value)
    else:
        return value
    shown = number.scaleb(2).normalize()  # at most 19 digits: exact in the default 28-digit context
    if shown.is_zero():
        return Decimal(0)  # no '-0', no '0E+2'
    if shown.adjusted() < 28 and shown == shown.to_integral_value():
        shown = Decimal(int(shown))  # 100, not normalize's 1E+2 (the raw text kept beside the value)
    return shown


_CELL_REF = re.compile(r"^([A-Za-z]{1,4})([0-9]{1,9})$")


def column_letters(col: int) -> str:
    """1 -> 'A', 28 -> 'AB'."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    return f"{column_letters(col)}{row}"


@dataclass
class SheetScan:
    """What the pre-scan found in a worksheet part. Cells are keyed (row, column), 1-based."""

    far_cell: str | None = None  # the first cell beyond the limits, when there is one
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # error cells: '#DIV/0!'
    uncalculated: dict[tuple[int, int], str] = field(default_factory=dict)  # formula without a cached value
    # Cells formatted as a percentage, row -> columns (rows repeated in an ODS share one set).
    percent: dict[int, set[int]] = field(default_factory=dict)

    def is_percent(self, row: int, col: int) -> bool:
        return bool(self.percent) and col in self.percent.get(row, ())


# The quick look (`_plain_sheet`): a part with none of these needs no element-by-element parse.
QUICK_LOOK_BYTES = 2 * 1024 * 1024  # a template's sheet is a few hundred KB
_NEEDS_PARSE = re.compile(rb'<(?:\w+:)?f[\s>/]|\bt="e"|<!')
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_AT = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_OPEN = re.compile(rb"<(?:\w+:)?row[\s>/]")
_ROW_AT = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="([0-9]{1,7})"')
_REF_ATTR = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s")
_ENTITY_IN_CELL = re.compile(rb"<(?:\w+:)?c\s[^>]*&")  # an attribute spelt with a reference: parse it


def _style_attrs(styles: frozenset[int]) -> re.Pattern[bytes]:
    """An `s` attribute naming one of these styles (s="7", any quotes, spaces and leading zeros).
    Looked for alone, then its tag checked: twice as fast as one expression from each '<c '."""
    ids = b"|".join(str(i).encode() for i in sorted(styles))
    return re.compile(rb'\ss\s*=\s*["\']0*(?:' + ids + rb')["\']')


def _plain_sheet(zf: zipfile.ZipFile, part: str, percent_styles: frozenset[int] = frozenset()) -> SheetScan | None:
    """The scan of a worksheet part plainly within the limits with no error cell, formula or
    DTD: every cell and row carries its reference, none beyond the limits; None when this cannot
    vouch for the part. Regular expressions over the part's bytes (its size was checked against
    the zip limits) take a tenth of the time of the parse in scan_sheet, which then runs only
    for parts this cannot vouch for, and for parts over 2 MiB, which the parse reads in chunks and
    stops reading at the limit. Cells of a percent style are found by one more expression, only
    when the workbook has such a style."""
    if zf.getinfo(part).file_size > QUICK_LOOK_BYTES:
        return None
    xml = zf.read(part)
    if _NEEDS_PARSE.search(xml):
        return None
    cells, rows = _CELL_AT.findall(xml), _ROW_AT.findall(xml)
    if len(cells) != len(_CELL_OPEN.findall(xml)) or len(rows) != len(_ROW_OPEN.findall(xml)):
        return None
    if not cells:
        return SheetScan() if max(map(int, rows), default=0) <= MAX_SHEET_ROWS else None
    letters, numbers = zip(*cells, strict=True)
    last_col = max(map(col_number, set(letters)))
    last_row = max(map(int, {*numbers, *rows}))
    if last_row > MAX_SHEET_ROWS or last_col > MAX_SHEET_COLUMNS:
        return None
    scan = SheetScan()
    if percent_styles:
        # Style 0 is every cell without an `s`, which an expression cannot list: the parse can.
        if 0 in percent_styles or (b"&" in xml and _ENTITY_IN_CELL.search(xml)):
            return None
        for attr in _style_attrs(percent_styles).finditer(xml):
            start = xml.rfind(b"<", 0, attr.start())  # the tag it is in ('<' cannot be in a value)
            if not _CELL_TAG.match(xml, start):
                continue  # a row's or a column's style: calamine gives written cells only
            ref = _REF_ATTR.search(xml, start, xml.find(b">", attr.end()))
            if ref is None:  # its r="..." is spelt otherwise: _CELL_AT counted it, so this is rare
                return None
            scan.percent.setdefault(int(ref[2]), set()).add(col_number(ref[1]))
    return scan


def col_number(letters: bytes) -> int:
    """b'A' -> 1, b'AB' -> 28."""
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col


def scan_sheet(zf: zipfile.ZipFile, part: str, percent_styles: frozenset[int] = frozenset()) -> SheetScan:
    """Stream a worksheet part: stop at the first cell beyond MAX_SHEET_ROWS x MAX_SHEET_COLUMNS
    (<dimension> is not trusted), note error cells and formulas without a cached value, which
    python-calamine reads as empty, and the cells of the percent styles (percent_styles). Raises
    _Refused or expat.ExpatError on a bad part."""
    plain = _plain_sheet(zf, part, percent_styles)
    if plain is not None:
        return plain
    scan = SheetScan()
    state: dict[str, Any] = {"row": 0, "col": 0, "cell": None, "type": None, "f": None, "v": None, "into": None,
                             "far_row": None}
    depth = [0]

    def over(row: int, col: int, ref: str) -> None:
        if row > MAX_SHEET_ROWS or col > MAX_SHEET_COLUMNS:
            scan.far_cell = ref
            raise _Refused("far")

    def start(tag: str, attrs: dict[str, str]) -> None:
        depth[0] += 1
        if depth[0] > 64:  # a worksheet nests about 6 deep
            raise _Refused("depth")
        local = _local(tag)
        if local == "row":
            r = attrs.get("r")
            if r is None:
                row = state["row"] + 1
            elif r.isdigit() and len(r) <= 9:
                row = int(r)
            elif r.isdigit():
                scan.far_cell = f"A{shown(r, 20)}"
                raise _Refused("far")
            else:
                raise _Refused(f"dòng có số hiệu không hợp lệ '{shown(r, 20)}'")
            state["row"], state["col"] = row, 0
            if row > MAX_SHEET_ROWS:
                state["far_row"] = row  # named by its first cell, which the clerk can find, if it has one
        elif local == "c":
            ref = attrs.get("r")
            if ref is None:
                row, col = state["row"], state["col"] + 1
            else:
                m = _CELL_REF.match(ref)
                if not m:
                    if re.fullmatch(r"[A-Za-z]+[0-9]+", ref):
                        scan.far_cell = shown(ref, 20)
                        raise _Refused("far")
                    raise _Refused(f"ô có địa chỉ không hợp lệ '{shown(ref, 20)}'")
                col = 0
                for ch in m[1].upper():
                    col = col * 26 + ord(ch) - 64
                row = int(m[2])
            state["row"], state["col"] = row, col
            over(row, col, cell_name(row, col))
            state.update(cell=(row, col), type=attrs.get("t"), f=None, v=None, into=None)
            if percent_styles:
                style = attrs.get("s", "0").strip()  # no `s`: style 0
                if style.isdigit() and len(style) <= 9 and int(style) in percent_styles:
                    scan.percent.setdefault(row, set()).add(col)
        elif state["cell"] is not None and local in ("f", "v"):
            state[local] = ""
            state["into"] = local

    def text(data: str) -> None:
        into = state["into"]
        if into is not None and len(state[into]) < SHOWN_CHARS:
            state[into] += data

    def end(tag: str) -> None:
        depth[0] -= 1
        local = _local(tag)
        if local in ("f", "v"):
            state["into"] = None
        elif local == "row" and state["far_row"] is not None:
            over(state["far_row"], 1, f"A{state['far_row']}")
        elif local == "c" and state["cell"] is not None:
            if state["type"] == "e":
                scan.errors[state["cell"]] = shown(state["v"] or "#?")
            elif state["f"] is not None and not state["v"]:
                scan.uncalculated[state["cell"]] = shown("=" + state["f"]) if state["f"] else "(công thức)"
            state["cell"] = None

    parser = _safe_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        _parse_part(zf, part, parser)
    except _Refused as exc:
        if scan.far_cell is None:
            raise
        del exc
    return scan


# What a zip library raises on a broken container (NotImplementedError: an unknown compression).
ZIP_ERRORS = (zipfile.BadZipFile, EOFError, ValueError, struct.error)
# ... and while its parts are inflated and pre-scanned.
SCAN_ERRORS = (*ZIP_ERRORS, KeyError, _Refused, expat.ExpatError, NotImplementedError)


def _open_zip(data: bytes, messages: list[Message]) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as exc:
        messages.append(_corrupt(f"không phải tệp zip hợp lệ: {exc}"))
        return None


# ---------------------------------------------------------------------------- XLSX: reading

def read_xlsx(data: bytes) -> ReadFile:
    result = ReadFile(fmt=FORMAT_XLSX)
    messages = result.messages
    zf = _open_zip(data, messages)
    if zf is None:
        return result
    with zf:
        try:
            problem = _zip_problem(zf, data)
            parts, styles_part = (None, None) if problem else _sheet_parts(zf)
            percent = percent_styles(zf, styles_part)
        except SCAN_ERRORS as exc:
            problem = _corrupt(f"cấu trúc bảng tính không hợp lệ: {type(exc).__name__}: {exc}")
            parts = None
        if problem or parts is None:
            messages.append(problem or _corrupt("cấu trúc bảng tính không hợp lệ"))
            return result
        opened = _open_workbook(data, result)
        if opened is None:
            return result
        wb, sheets, table_names = opened
        scans: dict[str, SheetScan] = {}
        for canonical in (INFO_SHEET, *table_names):
            name = sheets.get(canonical)
            if name is None:
                continue
            scan = _scan(zf, name, parts.get(name, []), messages, percent)
            if scan is None:
                return result
            scans[canonical] = scan
    _read_sheets(wb, sheets, scans, table_names, result)
    return result


def _open_workbook(data: bytes, result: ReadFile) -> tuple[CalamineWorkbook, dict[str, str], tuple[str, ...]] | None:
    """The workbook, its sheets by folded name and the tables its kind needs, or None after a
    message. For an XLS or ODS calamine reads every sheet here: call it only after the checks."""
    messages = result.messages
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
        hidden = {m.name for m in wb.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        messages.append(_corrupt(type(exc).__name__ + ": " + str(exc)[:200]))
        return None
    sheets = _sheet_names(names, hidden, messages)
    if sheets is None:
        return None
    kind = _kind(sheets)
    if kind is None:
        messages.append(make_message("FILE_KIND_UNKNOWN", found=shown(", ".join(names), 200)))
        return None
    result.kind, table_names = kind
    return wb, sheets, table_names


# ---------------------------------------------------------------------------- XLS

def read_xls(data: bytes) -> ReadFile:
    """An Excel 97-2003 workbook. Nothing but calamine parses the OLE2 compound file, so the limits
    are the file size (sniff_format), the reader worker's address space and time (2 GiB, 60 s,
    etl.intake.isolation: an XLS sheet holds at most 65.536 x 256 cells) and the used range
    calamine reports, checked before a sheet's cells become Python values (_read_sheets). Error
    cells and formulas without a value are not detected (calamine reads them as empty or as text)."""
    # Nor are percent-formatted cells: python-calamine exposes no number formats, so 97,56% reads 0.9756.
    result = ReadFile(fmt=FORMAT_XLS)
    opened = _open_workbook(data, result)
    if opened is None:
        return result
    wb, sheets, table_names = opened
    scans = {c: SheetScan() for c in (INFO_SHEET, *table_names) if c in sheets}
    _read_sheets(wb, sheets, scans, table_names, result)
    return result


# ---------------------------------------------------------------------------- ODS

ODS_CONTENT = "content.xml"  # every sheet of an OpenDocument spreadsheet, in one part


def _repeat(attrs: dict[str, str], local: str) -> int:
    value = _attr(attrs, local)
    if value is None:
        return 1
    if not value.isdigit() or len(value) > 9 or int(value) < 1:
        raise _Refused(f"số lần lặp không hợp lệ '{shown(value, 20)}'")
    return int(value)


def scan_ods(zf: zipfile.ZipFile) -> tuple[list[str], dict[str, SheetScan]]:
    """Stream content.xml: the sheets (table:table) in order, and for each what scan_sheet finds in
    an XLSX sheet. Rows and cells repeated (table:number-rows-repeated, -columns-repeated, which
    LibreOffice writes for formatted empty rows and columns, up to the sheet's 1.048.576 rows) count
    as far as they hold something: an empty repeated tail is ignored (calamine drops it too), a cell
    with content beyond MAX_SHEET_ROWS x MAX_SHEET_COLUMNS, or after empty rows or columns reaching
    there, is the sheet's far cell, and the scan stops. Errors (calcext:value-type="error") and
    formulas without a value type are noted, and percentage cells (office:value-type="percentage",
    which calamine reads as the stored fraction) with every row and column they are repeated to.
    Raises _Refused or expat.ExpatError on a bad part."""
    order: list[str] = []
    scans: dict[str, SheetScan] = {}
    st: dict[str, Any] = {"scan": None, "row": 0, "rep": 1, "col": 0, "row_has": False, "cell": None,
                          "percent": None}  # the percentage columns of the current row, once it has one
    depth = [0]

    def far(scan: SheetScan, row: int, col: int) -> None:
        scan.far_cell = cell_name(row, col)
        raise _Refused("far")

    def start(tag: str, attrs: dict[str, str]) -> None:
        depth[0] += 1
        if depth[0] > 64:  # content.xml nests about 8 deep
            raise _Refused("depth")
        cell = st["cell"]
        if cell is not None:  # anything inside a cell (text:p, an annotation) is content
            cell["content"] = True
            return
        local = _local(tag)
        if local == "table" and st["scan"] is None:
            name = _attr(attrs, "name") or ""
            if len(order) >= MAX_SHEETS:
                raise _Refused("sheets")
            st["scan"] = scans[name] = SheetScan()
            order.append(name)
            st["row"] = 0
        elif st["scan"] is None:
            return
        elif local == "table-row":
            st.update(rep=_repeat(attrs, "number-rows-repeated"), col=0, row_has=False, percent=None)
        elif local in ("table-cell", "covered-table-cell"):
            repeat = _repeat(attrs, "number-columns-repeated")
            kind = _attr(attrs, "value-type")
            first = st["col"] + 1
            st["col"] += repeat
            st["cell"] = {"first": first, "last": st["col"], "content": kind is not None,
                          "error": any(_local(k) == "value-type" and v == "error" for k, v in attrs.items()),
                          "formula": _attr(attrs, "formula") if kind is None else None, "text": "", "depth": depth[0],
                          # A look at the values first: most cells are no percentage, and this runs for each.
                          "percent": "percentage" in attrs.values() and any(
                              _local(k) == "value-type" and v == "percentage" for k, v in attrs.items())}
            if st["cell"]["formula"] is not None:
                st["cell"]["content"] = True

    def text(data: str) -> None:
        cell = st["cell"]
        if cell is not None and cell["error"] and len(cell["text"]) < SHOWN_CHARS:
            cell["text"] += data

    def end(tag: str) -> None:
        cell = st["cell"]
        level = depth[0]
        depth[0] -= 1
        scan: SheetScan | None = st["scan"]
        if scan is None:
            return
        if cell is not None:
            if level != cell["depth"]:
                return
            st["cell"] = None
            if not cell["content"]:
                return
            row = st["row"] + 1
            st["row_has"] = True
            if row > MAX_SHEET_ROWS or cell["last"] > MAX_SHEET_COLUMNS:
                far(scan, row, max(cell["first"], MAX_SHEET_COLUMNS + 1) if cell["last"] > MAX_SHEET_COLUMNS
                    else cell["first"])
            if cell["error"]:
                scan.errors[(row, cell["first"])] = shown(cell["text"] or "#?")
            elif cell["formula"] is not None:
                scan.uncalculated[(row, cell["first"])] = shown(cell["formula"]) or "(công thức)"
            if cell["percent"]:  # its columns are within the limits: checked just above
                if st["percent"] is None:
                    st["percent"] = set()
                st["percent"].update(range(cell["first"], cell["last"] + 1))
            return
        local = _local(tag)
        if local == "table-row":
            first = st["row"] + 1
            st["row"] += st["rep"]
            if st["row_has"] and st["row"] > MAX_SHEET_ROWS:
                far(scan, max(first, MAX_SHEET_ROWS + 1), 1)
            if st["percent"]:  # rows within the limits (just checked): one shared set, at most 10.000 keys
                for r in range(first, st["row"] + 1):
                    scan.percent[r] = st["percent"]
        elif local == "table":
            st["scan"] = None

    parser = _safe_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        _parse_part(zf, ODS_CONTENT, parser)
    except _Refused as exc:
        if str(exc) == "sheets":
            order.append("…")
        elif not any(s.far_cell for s in scans.values()):
            raise
    return order, scans


def read_ods(data: bytes) -> ReadFile:
    """An OpenDocument spreadsheet: the zip checked like an XLSX's, content.xml pre-scanned
    (scan_ods), and only then opened by calamine, which reads all its sheets at once."""
    result = ReadFile(fmt=FORMAT_ODS)
    messages = result.messages
    zf = _open_zip(data, messages)
    if zf is None:
        return result
    with zf:
        try:
            problem = _zip_problem(zf, data)
            if problem is None:
                order, scans = scan_ods(zf)
        except SCAN_ERRORS as exc:
            problem = _corrupt(f"cấu trúc bảng tính không hợp lệ: {type(exc).__name__}: {exc}")
    if problem is not None:
        messages.append(problem)
        return result
    if len(order) > MAX_SHEETS:
        messages.append(make_message("FILE_TOO_MANY_SHEETS", found=f"hơn {MAX_SHEETS}", expected=str(MAX_SHEETS)))
        return result
    for name in order:
        if scans[name].far_cell is not None:
            messages.append(_too_large(shown(name), scans[name].far_cell))  # type: ignore[arg-type]
            return result
    if not order:
        messages.append(_corrupt("bảng tính OpenDocument không có trang nào"))
        return result
    opened = _open_workbook(data, result)
    if opened is None:
        return result
    wb, sheets, table_names = opened
    scans_read = {c: scans.get(sheets[c], SheetScan()) for c in (INFO_SHEET, *table_names) if c in sheets}
    _read_sheets(wb, sheets, scans_read, table_names, result)
    return result


def _too_large(sheet: str, far_cell: str) -> Message:
    limit = cell_name(MAX_SHEET_ROWS, MAX_SHEET_COLUMNS)
    return make_message(
        "FILE_SHEET_TOO_LARGE", sheet=sheet, found=far_cell,
        expected=f"{_vi_int(MAX_SHEET_ROWS)} dòng × {MAX_SHEET_COLUMNS} cột (đến ô {limit})",
        expected_en=f"{MAX_SHEET_ROWS:,} rows × {MAX_SHEET_COLUMNS} columns (up to cell {limit})")


def _sheet_names(names: list[str], hidden: set[str], messages: list[Message]) -> dict[str, str] | None:
    """Folded name -> sheet name, or None after a message: too many sheets, a name with
    characters that cannot be stored, two sheets the readers would not tell apart."""
    if len(names) > MAX_SHEETS:
        messages.append(make_message("FILE_TOO_MANY_SHEETS", found=str(len(names)), expected=str(MAX_SHEETS)))
        return None
    for name in names:
        problem = _text_problem(name)
        if problem:
            code, fields = problem
            messages.append(make_message(code, **fields))
            return None
    sheets: dict[str, str] = {}
    for name in names:
        key = fold_key(name)
        if key in sheets and key in _READ_SHEETS:
            first = sheets[key]
            described = [f"'{n}'" + (" (đang ẩn)" if n in hidden else "") for n in (first, name)]
            described_en = [f"'{n}'" + (" (hidden)" if n in hidden else "") for n in (first, name)]
            messages.append(make_message("FILE_SHEET_AMBIGUOUS", found=" và ".join(described), expected=key,
                                         found_en=" and ".join(described_en)))
            return None
        sheets.setdefault(key, name)
    return sheets


def _scan(zf: zipfile.ZipFile, name: str, parts: list[str], messages: list[Message],
          percent_styles: frozenset[int] = frozenset()) -> SheetScan | None:
    if len(parts) != 1:
        why = "không tìm thấy phần dữ liệu" if not parts else "có nhiều phần dữ liệu cùng khớp"
        messages.append(_corrupt(f"trang '{name}': {why}"))
        return None
    try:
        scan = scan_sheet(zf, parts[0], percent_styles)
    except (_Refused, expat.ExpatError, zipfile.BadZipFile, EOFError, ValueError) as exc:
        messages.append(_corrupt(f"trang '{name}': {exc}"))
        return None
    if scan.far_cell is not None:
        messages.append(_too_large(name, scan.far_cell))
        return None
    return scan


def _cell_checked(value: Any, scan: SheetScan, row: int, col: int, messages: list[Message], /,
                  **place: Any) -> Any:
    """A cell as the reader keeps it: an error cell or a formula without its value, which
    calamine reads as empty, is a message instead (row and col are 1-based)."""
    cell = cell_name(row, col)
    if (row, col) in scan.errors:
        messages.append(make_message("CELL_ERROR_VALUE", found=scan.errors[(row, col)], cell=cell, **place))
        return None
    if (row, col) in scan.uncalculated:
        messages.append(make_message("CELL_FORMULA_NO_VALUE", found=scan.uncalculated[(row, col)], cell=cell,
                                     **place))
        return None
    return _kept(value, messages, **place)


def _read_sheets(wb: CalamineWorkbook, sheets: dict[str, str], scans: dict[str, SheetScan],
                 table_names: tuple[str, ...], result: ReadFile) -> None:
    messages = result.messages

    def rows_of(canonical: str) -> list[list[Any]] | None:
        name = sheets.get(canonical)
        if name is None:
            return None
        assert canonical in scans  # calamine is only asked for a sheet the pre-scan passed
        sheet = wb.get_sheet_by_name(name)
        end = sheet.end  # the used range as calamine holds it (what an XLS is checked by)
        if end is not None and (end[0] >= MAX_SHEET_ROWS or end[1] >= MAX_SHEET_COLUMNS):
            raise _SheetTooLarge(name, cell_name(end[0] + 1, end[1] + 1))
        return sheet.to_python(skip_empty_area=False)

    try:
        info_rows = rows_of(INFO_SHEET)
        if info_rows is None:
            messages.append(make_message("SHEET_MISSING", expected=INFO_SHEET))
        else:
            result.info_sheet = sheets[INFO_SHEET]
            scan = scans[INFO_SHEET]
            for i, row in enumerate(info_rows, start=1):
                if len(row) >= 1 and not _blank(row[0]) and isinstance(row[0], str | int | float):
                    key = fold_key(row[0])
                    if key in INFO_KEYS and key not in result.info:
                        value = row[1] if len(row) > 1 else None
                        if scan.is_percent(i, 2):
                            value = percent_as_shown(value)
                        value = _cell_checked(value, scan, i, 2, messages, sheet=result.info_sheet, row=i,
                                              column=key)
                        result.info[key] = (value, i)
        for canonical in table_names:
            raw_rows = rows_of(canonical)
            if raw_rows is None:
                messages.append(make_message("SHEET_MISSING", expected=canonical))
                continue
            table = _table_from_rows(sheets[canonical], canonical, raw_rows, messages, first_row=1,
                                     scan=scans[canonical])
            if table is not None:
                result.tables[canonical] = table
    except _SheetTooLarge as exc:
        messages.append(_too_large(*exc.args))
    except Exception as exc:  # a sheet that fails to decode is a broken file, not a crash
        messages.append(_corrupt(type(exc).__name__ + ": " + str(exc)[:200]))


class _SheetTooLarge(Exception):
    """A sheet whose used range, as calamine read it, is beyond the limits: (sheet, far cell)."""


def _kind(names: Container[str]) -> tuple[str, tuple[str, ...]] | None:
    """The kind of file its sheets (or top-level keys, folded) say, and the tables it must hold."""
    if PLAN_SHEET in names:
        return KIND_PLAN, PLAN_SHEETS
    if INDICATOR_SHEET in names:
        return KIND_SUBMISSION, SUBMISSION_SHEETS
    return None


def _table_from_rows(sheet: str, canonical: str, raw_rows: list[list[Any]], messages: list[Message],
                     *, first_row: int, scan: SheetScan | None = None) -> Table | None:
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
            messages.append(make_message("COLUMN_DUPLICATE", sheet=sheet, row=header_row_number, found=shown(cell)))
            continue
        positions[key] = pos
        header = str(cell).strip()
        columns[key] = header if shown(header, MAX_TEXT_CHARS) == header else key
    missing = [c for c in REQUIRED_COLUMNS[canonical] if c not in positions]
    for col in missing:
        messages.append(make_message("COLUMN_MISSING", sheet=sheet, row=header_row_number, expected=col))
    if missing:
        return None
    rows: list[tuple[int, dict[str, Any]]] = []
    marked = scan if scan is not None and (scan.errors or scan.uncalculated) else None
    percent = scan.percent if scan is not None else {}
    for offset, row in enumerate(raw_rows[header_idx + 1:], start=1):
        number = header_row_number + offset
        values: dict[str, Any] = {k: (row[p] if p < len(row) else None) for k, p in positions.items()}
        if percent and number in percent:
            shown_as_percent = percent[number]
            for k, p in positions.items():
                if p + 1 in shown_as_percent:
                    values[k] = percent_as_shown(values[k])
        flagged = marked is not None and any(
            (number, p + 1) in marked.errors or (number, p + 1) in marked.uncalculated for p in positions.values())
        if all(_blank(v) for v in values.values()) and not flagged:
            continue
        if len(rows) >= MAX_TABLE_ROWS:
            messages.append(make_message("TABLE_TOO_MANY_ROWS", sheet=sheet, row=number,
                                         expected=_vi_int(MAX_TABLE_ROWS)))
            break
        kept: dict[str, Any] = {}
        for k, v in values.items():
            if isinstance(v, str):
                v = v.strip()
            if flagged:
                kept[k] = _cell_checked(v, marked, number, positions[k] + 1, messages,  # type: ignore[arg-type]
                                        sheet=sheet, row=number, column=columns[k])
            elif isinstance(v, str | list | dict) and not _plainly_kept(v):
                kept[k] = _kept(v, messages, sheet=sheet, row=number, column=columns[k])
            else:
                kept[k] = v
        rows.append((number, kept))
    return Table(sheet=sheet, columns=columns, rows=rows, positions={k: p + 1 for k, p in positions.items()})


# ---------------------------------------------------------------------------- JSON

# A JSON string (escapes included), removed before counting brackets.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKET_STEP = bytes(1 if b in b"[{" else 255 if b in b"]}" else 0 for b in range(256))  # 255 = -1 as int8
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects, counted outside strings without parsing
    (Python's parser recurses, and a RecursionError must not escape)."""
    brackets = _JSON_STRING.sub(b"", data).translate(_BRACKET_STEP, _NOT_BRACKETS)
    if not brackets:
        return 0
    return int(np.cumsum(np.frombuffer(brackets, dtype=np.int8), dtype=np.int64).max())


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it saw twice (json keeps the last one silently)."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def _parse_int(text: str) -> int | Decimal:
    # Beyond Python's digit limit int() raises; a Decimal is checked against the limits later.
    return int(text) if len(text) <= 18 else Decimal(text)


def _duplicate_keys(value: Any, path: str, found: list[tuple[str, str]]) -> None:
    """(path, key) of every key given twice in one object, anywhere in the document."""
    if isinstance(value, _Object):
        found.extend((path, key) for key in value.duplicates)
        for key, item in value.items():
            _duplicate_keys(item, f"{path}.{key}" if path else key, found)
    elif isinstance(value, list):
        for i, item in enumerate(value, start=1):
            _duplicate_keys(item, f"{path}[{i}]", found)


def _path_place(path: str, key: str) -> dict[str, Any]:
    """Where a duplicate key is, in the contract's terms: a section, an item number, a field."""
    m = re.match(r"^([^.\[]+)\[(\d+)\]", path)
    if m:
        return {"sheet": shown(m[1]), "row": int(m[2]), "column": shown(key)}
    return {"sheet": shown(path) if path else None, "column": shown(key)}


def _folded(obj: dict[str, Any], messages: list[Message], path: str, **place: Any) -> dict[str, tuple[str, Any]]:
    """Folded key -> (key as written, value); two keys folding alike are a duplicate too."""
    out: dict[str, tuple[str, Any]] = {}
    for k, v in obj.items():
        key = fold_key(k)
        if key in out:
            where = {**place, "column": shown(k)} if place else _path_place(path, k)
            messages.append(make_message("FILE_JSON_DUPLICATE_KEY", fmt=FORMAT_JSON,
                                         found=shown(f"{out[key][0]}, {k}"), **where))
            continue
        out[key] = (k, v)
    return out


def read_json(data: bytes) -> ReadFile:
    result = ReadFile(fmt=FORMAT_JSON)
    messages = result.messages
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        messages.append(make_message("FILE_JSON_TOO_DEEP", found=str(depth), expected=str(MAX_JSON_DEPTH),
                                     fmt=FORMAT_JSON))
        return result
    try:
        # Decimal keeps 12500.5 exact; floats would turn money into 12500.499999...
        doc = json.loads(data.decode("utf-8-sig"), parse_float=Decimal, parse_int=_parse_int,
                         object_pairs_hook=_object)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        messages.append(_corrupt(f"JSON không hợp lệ: {exc}", fmt=FORMAT_JSON))
        return result
    if not isinstance(doc, dict):
        messages.append(_corrupt("JSON không phải một đối tượng {...}", fmt=FORMAT_JSON))
        return result
    duplicates: list[tuple[str, str]] = []
    _duplicate_keys(doc, "", duplicates)
    for path, key in duplicates:
        messages.append(make_message("FILE_JSON_DUPLICATE_KEY", fmt=FORMAT_JSON,
                                     found=shown(f"{path}.{key}" if path else key), **_path_place(path, key)))
    top = _folded(doc, messages, "")
    if messages:
        return result
    kind = _kind(top)
    if kind is None:
        messages.append(make_message("FILE_KIND_UNKNOWN", found=shown(", ".join(doc), 200), fmt=FORMAT_JSON))
        return result
    result.kind, table_names = kind
    keep: Callable[..., Any] = lambda v, **place: _kept(v, messages, fmt=FORMAT_JSON, **place)  # noqa: E731
    info_block = top.get(INFO_SHEET, (None, None))[1]
    if isinstance(info_block, dict):
        for key, (_k, v) in _folded(info_block, messages, INFO_SHEET, sheet=INFO_SHEET).items():
            if key in INFO_KEYS:
                result.info[key] = (keep(v, column=key), None)
    for key in INFO_KEYS:  # top-level ma_huyen / ky_bao_cao / nam win over thong_tin
        if key in top:
            result.info[key] = (keep(top[key][1], column=key), None)
    for canonical in table_names:
        items = top.get(canonical, (None, None))[1]
        if items is None:
            messages.append(make_message("SHEET_MISSING", expected=canonical, fmt=FORMAT_JSON))
            continue
        if not isinstance(items, list):
            messages.append(make_message("FILE_CORRUPT", sheet=canonical, fmt=FORMAT_JSON,
                                         found=f"'{canonical}' phải là một danh sách [...]"))
            continue
        if len(items) > MAX_TABLE_ROWS:
            messages.append(make_message("TABLE_TOO_MANY_ROWS", sheet=canonical, row=MAX_TABLE_ROWS + 1,
                                         expected=_vi_int(MAX_TABLE_ROWS), fmt=FORMAT_JSON))
            items = items[:MAX_TABLE_ROWS]
        known = COLUMNS[canonical]
        rows: list[tuple[int, dict[str, Any]]] = []
        seen_columns: dict[str, str] = {}
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                messages.append(make_message("FILE_CORRUPT", sheet=canonical, row=index, fmt=FORMAT_JSON,
                                             found="mục không phải đối tượng {...}"))
                continue
            values: dict[str, Any] = {}
            for key, (k, v) in _folded(item, messages, "", sheet=canonical, row=index).items():
                if key in known:
                    v = v.strip() if isinstance(v, str) else v
                    values[key] = keep(v, sheet=canonical, row=index, column=key)
                    seen_columns.setdefault(key, k if shown(k, MAX_TEXT_CHARS) == k else key)
            missing = [c for c in REQUIRED_COLUMNS[canonical] if c not in values]
            for col in missing:
                messages.append(make_message("COLUMN_MISSING", sheet=canonical, row=index,
                                             expected=col, fmt=FORMAT_JSON))
            rows.append((index, {c: values.get(c) for c in known}))
        result.tables[canonical] = Table(sheet=canonical, columns=seen_columns, rows=rows)
    return result
