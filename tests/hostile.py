"""A corpus of hostile and ambiguous submissions, generated small: each attack of issue 13 as
it was reproduced, with the code and place it must be refused with. Used by
tests/unit/test_hostile_files.py (read and check), tests/test_error_codes.py,
tests/test_faults.py (through a real ingest, in one batch with valid files) and
`python -m bench.faults` (the fault table)."""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.intake.limits import MAX_TABLE_ROWS
from tests import builders as b

# xlsxwriter writes the sheets in order: thong_tin, chi_tieu, nhiem_vu.
INFO_PART, INDICATOR_PART, TASK_PART = (f"xl/worksheets/sheet{i}.xml" for i in (1, 2, 3))


# ------------------------------------------------------------------------------ builders

def xlsx(sub: dict[str, Any] | None = None, sheets: dict[str, list[list[Any]]] | None = None) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        path = b.write_sheets(Path(d) / "s.xlsx", sheets or b.submission_sheets(sub or b.submission()))
        return path.read_bytes()


def patched(data: bytes, part: str, edit: Callable[[str], str] | None = None, *,
            add: dict[str, bytes] | None = None) -> bytes:
    """The workbook with one part's XML edited (and parts added), rezipped."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == part and edit is not None:
                content = edit(content.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, content)
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def appended(xml: str) -> Callable[[str], str]:
    """Append rows (as XML) at the end of sheetData."""
    return lambda s: s.replace("</sheetData>", xml + "</sheetData>") if "</sheetData>" in s \
        else s.replace("<sheetData/>", f"<sheetData>{xml}</sheetData>")


def cell_replaced(ref: str, xml: str) -> Callable[[str], str]:
    """Replace cell `ref` (written by xlsxwriter) by this <c> element."""
    def edit(s: str) -> str:
        new, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', xml, s, count=1)
        assert n == 1, ref
        return new
    return edit


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def far_space_cell() -> bytes:
    """One space in XFD1048576 of the chi_tieu sheet (the 11 KB file that aborted calamine)."""
    return patched(xlsx(), INDICATOR_PART, appended(f'<row r="1048576">{inline("XFD1048576", " ")}</row>'))


def million_rows() -> bytes:
    """chi_tieu with 1.000.000 rows, the sheet XML written directly (a few hundred KB zipped)."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(12, 1_000_012))
    return patched(xlsx(), INDICATOR_PART, appended(rows))


def json_bytes(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def task_with(**fields: Any) -> dict[str, Any]:
    sub = b.submission()
    sub["nhiem_vu"][0].update(fields)
    return sub


def value_of(code: str, value: str) -> bytes:
    """A JSON submission whose thuc_hien_thang of `code` is the literal JSON `value`."""
    sub = b.submission()
    b.indicator(sub, code)["thuc_hien_thang"] = "@@"
    return json_bytes(sub).replace(b'"@@"', value.encode())


def sheets_with_extra(name: str, hidden: bool) -> bytes:
    sheets = b.submission_sheets(b.submission())
    sheets[name] = [list(r) for r in sheets["chi_tieu"]]
    data = xlsx(sheets=sheets)
    if hidden:
        data = patched(data, "xl/workbook.xml", lambda s: s.replace(f'name="{name}"', f'name="{name}" state="hidden"'))
    return data


def ods_renamed() -> bytes:
    """An OpenDocument spreadsheet with no sheet at all, to be named .xlsx."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')
# What LibreOffice writes after the last row of a sheet whose empty rows carry a format: one row
# repeated to the end of the sheet, and the empty cells of each row repeated to its last column.
LIBREOFFICE_TAIL = ('<table:table-row table:number-rows-repeated="1048000">'
                    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')


def ods_cell(value: Any) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        return (f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(value).lower()}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    if isinstance(value, int | float):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def ods(sheets: dict[str, list[list[Any]]] | None = None, *, tail: str = LIBREOFFICE_TAIL,
        rows_xml: dict[str, str] | None = None) -> bytes:
    """An OpenDocument spreadsheet written as LibreOffice does (mimetype first and stored, then
    content.xml), each sheet ending with `tail`; `rows_xml` appends raw rows to a sheet."""
    sheets = sheets if sheets is not None else b.submission_sheets(b.submission())
    tables = []
    for name, rows in sheets.items():
        body = "".join(f"<table:table-row>{''.join(map(ods_cell, row))}"
                       '<table:table-cell table:number-columns-repeated="1000"/></table:table-row>' for row in rows)
        tables.append(f'<table:table table:name="{name}"><table:table-column table:number-columns-repeated="1024"/>'
                      f"{body}{(rows_xml or {}).get(name, '')}{tail}</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.3">'
               f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
               "</office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                    '<manifest:file-entry manifest:full-path="/" '
                    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                    "</manifest:manifest>")
    return buf.getvalue()


_X = ods_cell("x")


# ------------------------------------------------------------------------------ the corpus

# name -> (file name, bytes builder, code, expected (sheet, row, column); None = not checked)
Place = tuple[str | None, int | None, str | None] | None
CORPUS: dict[str, tuple[str, Callable[[], bytes], str, Place]] = {
    "xfd1048576_space": ("s.xlsx", far_space_cell, "FILE_SHEET_TOO_LARGE", ("chi_tieu", None, None)),
    "z1000000": ("s.xlsx", lambda: patched(xlsx(), INDICATOR_PART,
                                           appended(f'<row r="1000000">{inline("Z1000000", "x")}</row>')),
                 "FILE_SHEET_TOO_LARGE", ("chi_tieu", None, None)),
    "million_rows": ("s.xlsx", million_rows, "FILE_SHEET_TOO_LARGE", ("chi_tieu", None, None)),
    "deep_json": ("s.json", lambda: b'{"ma_huyen": "639", "chi_tieu": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                  "FILE_JSON_TOO_DEEP", None),
    "duplicate_key": ("s.json", lambda: json_bytes(b.submission()).replace(
        b'"ma_huyen": "639"', b'"ma_huyen": "215", "ma_huyen": "216"'), "FILE_JSON_DUPLICATE_KEY",
        (None, None, "ma_huyen")),
    "duplicate_key_in_item": ("s.json", lambda: json_bytes(b.submission()).replace(
        b'"thuc_hien_thang": "92.000"', b'"thuc_hien_thang": "92.000", "thuc_hien_thang": "93.000"'),
        "FILE_JSON_DUPLICATE_KEY", ("chi_tieu", 6, "thuc_hien_thang")),
    "duplicate_folded_key": ("s.json", lambda: json_bytes({**b.submission(), "Mã huyện": "216"}),
                             "FILE_JSON_DUPLICATE_KEY", (None, None, "Mã huyện")),
    "value_1e28": ("s.json", lambda: value_of("NN05", "1e28"), "VALUE_TOO_LARGE",
                   ("chi_tieu", 6, "thuc_hien_thang")),
    "value_minus_1e400": ("s.json", lambda: value_of("NS01", "-1e400"), "VALUE_TOO_LARGE",
                          ("chi_tieu", 1, "thuc_hien_thang")),
    "value_1e999999999": ("s.json", lambda: value_of("NS01", "1e999999999"), "VALUE_TOO_LARGE",
                          ("chi_tieu", 1, "thuc_hien_thang")),
    "value_5000_digits": ("s.json", lambda: value_of("NN05", "9" * 5000), "VALUE_TOO_LARGE",
                          ("chi_tieu", 6, "thuc_hien_thang")),
    "value_nan": ("s.json", lambda: value_of("NN05", "NaN"), "VALUE_NOT_A_NUMBER",
                  ("chi_tieu", 6, "thuc_hien_thang")),
    "value_large_after_conversion": ("s.json", lambda: json_bytes(_ns01_in_billions("900.000.000.000.000")),
                                     "VALUE_TOO_LARGE", ("chi_tieu", 1, "thuc_hien_thang")),
    "value_tiny_exponent": ("s.json", lambda: value_of("NS01", "1e-999999999"), "VALUE_MALFORMED",
                            ("chi_tieu", 1, "thuc_hien_thang")),
    "progress_huge": ("s.json", lambda: json_bytes(task_with(tien_do="1" * 30)), "TASK_PROGRESS_INVALID",
                      ("nhiem_vu", 1, "tien_do")),
    "nul_json": ("s.json", lambda: json_bytes(task_with(ten_nhiem_vu="Đề án\u0000")), "TEXT_INVALID_CHARACTER",
                 ("nhiem_vu", 1, "ten_nhiem_vu")),
    "lone_surrogate": ("s.json", lambda: json_bytes(b.submission()).replace(b'"Nguy', b'"\\ud800Nguy'),
                       "TEXT_INVALID_CHARACTER", (None, None, "nguoi_lap")),
    "nul_xlsx_shared_string": ("s.xlsx", lambda: patched(xlsx(task_with(ten_nhiem_vu="Đề án ZZNUL")),
                                                         "xl/sharedStrings.xml",
                                                         lambda s: s.replace("ZZNUL", "_x0000_")),
                               "TEXT_INVALID_CHARACTER",
                               ("nhiem_vu", 2, "ten_nhiem_vu")),
    "control_in_info": ("s.xlsx", lambda: patched(xlsx(), INFO_PART, cell_replaced("B1", inline("B1", "639_x0001_"))),
                        "TEXT_INVALID_CHARACTER", ("thong_tin", 1, "ma_huyen")),
    "long_text": ("s.json", lambda: json_bytes(task_with(ghi_chu="x" * 5000)), "TEXT_TOO_LONG",
                  ("nhiem_vu", 1, "ghi_chu")),
    "long_task_id": ("s.json", lambda: json_bytes(task_with(ma_nhiem_vu="Đ" * 3000)), "TASK_ID_TOO_LONG",
                     ("nhiem_vu", 1, "ma_nhiem_vu")),
    "list_in_text_field": ("s.json", lambda: json_bytes(task_with(co_quan_giao=["UBND tỉnh"])), "VALUE_NOT_SCALAR",
                           ("nhiem_vu", 1, "co_quan_giao")),
    "object_in_info": ("s.json", lambda: json_bytes({**b.submission(), "ky_bao_cao": {"thang": 5}}),
                       "VALUE_NOT_SCALAR", (None, None, "ky_bao_cao")),
    "folding_sheets": ("s.xlsx", lambda: sheets_with_extra("Chỉ tiêu", hidden=False), "FILE_SHEET_AMBIGUOUS",
                       None),
    "folding_sheets_hidden": ("s.xlsx", lambda: sheets_with_extra("Chỉ tiêu", hidden=True), "FILE_SHEET_AMBIGUOUS",
                              None),
    "too_many_sheets": ("s.xlsx", lambda: xlsx(sheets={**b.submission_sheets(b.submission()),
                                                       **{f"S{i}": [["x"]] for i in range(60)}}),
                        "FILE_TOO_MANY_SHEETS", None),
    "div0": ("s.xlsx", lambda: patched(xlsx(), INDICATOR_PART,
                                       cell_replaced("D7", '<c r="D7" t="e"><f>1/0</f><v>#DIV/0!</v></c>')),
             "CELL_ERROR_VALUE", ("chi_tieu", 7, "thuc_hien_thang")),
    "ref_in_info": ("s.xlsx", lambda: patched(xlsx(), INFO_PART,
                                              cell_replaced("B2", '<c r="B2" t="e"><v>#REF!</v></c>')),
                    "CELL_ERROR_VALUE", ("thong_tin", 2, "ky_bao_cao")),
    "formula_without_value": ("s.xlsx", lambda: patched(xlsx(), INDICATOR_PART,
                                                        cell_replaced("D7", '<c r="D7"><f>SUM(D2:D6)</f></c>')),
                              "CELL_FORMULA_NO_VALUE", ("chi_tieu", 7, "thuc_hien_thang")),
    "ods_renamed": ("s.xlsx", ods_renamed, "FILE_FORMAT_MISMATCH", None),
    "ods_without_sheets": ("s.ods", ods_renamed, "FILE_CORRUPT", None),
    "odt_renamed": ("s.ods", lambda: patched(ods_renamed(), "mimetype",
                                              lambda _: "application/vnd.oasis.opendocument.text"),
                    "FILE_FORMAT_MISMATCH", None),
    "ods_row_1048000": ("s.ods", lambda: ods(rows_xml={"chi_tieu": '<table:table-row table:number-rows-repeated='
                                                       f'"1048000"><table:table-cell/></table:table-row>'
                                                       f"<table:table-row>{_X}</table:table-row>"}),
                        "FILE_SHEET_TOO_LARGE", ("chi_tieu", None, None)),
    "ods_full_rows": ("s.ods", lambda: ods(rows_xml={"nhiem_vu": '<table:table-row table:number-rows-repeated='
                                                     f'"1048000">{_X}</table:table-row>'}),
                      "FILE_SHEET_TOO_LARGE", ("nhiem_vu", None, None)),
    "ods_full_columns": ("s.ods", lambda: ods(rows_xml={"thong_tin": "<table:table-row>"
                                                        '<table:table-cell office:value-type="string" '
                                                        'table:number-columns-repeated="16000"><text:p>x</text:p>'
                                                        "</table:table-cell></table:table-row>"}),
                         "FILE_SHEET_TOO_LARGE", ("thong_tin", None, None)),
    "deadline_2925": ("s.json", lambda: json_bytes(task_with(han_hoan_thanh="30/06/2925")), "DATE_OUT_OF_RANGE",
                      ("nhiem_vu", 1, "han_hoan_thanh")),
    "deadline_year_1": ("s.json", lambda: json_bytes(task_with(ngay_giao="0001-01-01")), "DATE_OUT_OF_RANGE",
                        ("nhiem_vu", 1, "ngay_giao")),
    "too_many_rows_json": ("s.json", lambda: json_bytes(b.submission(nhiem_vu=[
        b.task(f"T{i}", "UBND tỉnh", "Đang thực hiện", None) for i in range(MAX_TABLE_ROWS + 10)])),
        "TABLE_TOO_MANY_ROWS", ("nhiem_vu", MAX_TABLE_ROWS + 1, None)),
    "too_many_rows_xlsx": ("s.xlsx", lambda: patched(xlsx(), TASK_PART, appended("".join(
        f'<row r="{r}">{inline(f"A{r}", f"T{r}")}</row>' for r in range(6, MAX_TABLE_ROWS + 20)))),
        "TABLE_TOO_MANY_ROWS", ("nhiem_vu", MAX_TABLE_ROWS + 2, None)),
    "size_json": ("s.json", lambda: b" " * (21 * 1024 * 1024) + json_bytes(b.submission()), "FILE_SIZE_EXCEEDED",
                  None),
    "lying_zip_size": ("s.xlsx", lambda: _lying_size(xlsx()), "FILE_CORRUPT", None),
    "doctype_entities": ("s.xlsx", lambda: patched(xlsx(), INDICATOR_PART, lambda s: s.replace(
        "<worksheet", '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><worksheet', 1)),
        "FILE_CORRUPT", None),
}


def _ns01_in_billions(value: str) -> dict[str, Any]:
    """NS01 (catalog unit triệu đồng) sent in tỷ đồng: within the limit as written, x1000 after."""
    sub = b.submission()
    b.indicator(sub, "NS01").update(don_vi_tinh="tỷ đồng", thuc_hien_thang=value, luy_ke_nam=None)
    return sub


def _lying_size(data: bytes) -> bytes:
    """A part whose deflate stream holds more than the size its headers declare."""
    src = zipfile.ZipFile(io.BytesIO(data))
    big = src.read(INDICATOR_PART).replace(b"</sheetData>", b"<row r='9000'/>" * 10 + b"</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, big if info.filename == INDICATOR_PART else src.read(info))
    raw = bytearray(out.getvalue())
    small = len(src.read(INDICATOR_PART))
    # Declare the original (smaller) size in the central directory and the local header.
    name = INDICATOR_PART.encode()
    for sig, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        i = 0
        while (i := raw.find(sig, i)) != -1:
            name_at = 46 if sig == b"PK\x01\x02" else 30
            if raw[i + name_at:i + name_at + len(name)] == name:
                raw[i + size_at:i + size_at + 4] = small.to_bytes(4, "little")
            i += 4
    return bytes(raw)


# The fault table's categories (bench.faults), by the code a file is refused with.
CATEGORIES = {
    "limits": ("FILE_SHEET_TOO_LARGE", "TABLE_TOO_MANY_ROWS", "FILE_SIZE_EXCEEDED", "FILE_JSON_TOO_DEEP",
               "FILE_TOO_MANY_SHEETS"),
    "numbers": ("VALUE_TOO_LARGE", "VALUE_NOT_A_NUMBER", "VALUE_MALFORMED", "TASK_PROGRESS_INVALID"),
    "dates": ("DATE_OUT_OF_RANGE",),
    "characters and lengths": ("TEXT_INVALID_CHARACTER", "TEXT_TOO_LONG", "TASK_ID_TOO_LONG"),
    "ambiguous": ("FILE_JSON_DUPLICATE_KEY", "FILE_SHEET_AMBIGUOUS", "CELL_ERROR_VALUE", "CELL_FORMULA_NO_VALUE",
                  "VALUE_NOT_SCALAR"),
    "containers": ("FILE_FORMAT_MISMATCH", "FILE_CORRUPT"),
}


@dataclass(frozen=True)
class Hostile:
    category: str
    name: str
    data: bytes
    code: str = ""  # the code it must be refused with ("" for generated documents)


def corpus() -> Iterator[Hostile]:
    """Every file of CORPUS, named after its case."""
    category = {code: cat for cat, codes in CATEGORIES.items() for code in codes}
    for case, (name, build, code, _) in sorted(CORPUS.items()):
        yield Hostile(category[code], f"{case}{Path(name).suffix}", build(), code)
