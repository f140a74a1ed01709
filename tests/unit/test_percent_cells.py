"""Issue 14, point 4c: a numeric cell formatted as a percentage is read as the clerk sees it. A cell
showing "97,56 %" stores 0.9756; the readers give Decimal('97.56') (exactly, not 97.56000000000002),
in XLSX (custom and built-in formats, both pre-scan paths) and ODS (office:value-type="percentage").
A '%' that is only a character of the format ('0.00"%"', '0\\%') is not a percentage, and a file
with no percent format reads as it did."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter

from etl.intake import readers
from etl.intake.readers import ReadFile, percent_as_shown, percent_format, read_file
from etl.intake.rows import IndicatorRow
from etl.intake.structure import CheckedFile, check_file
from tests import builders as b
from tests.hostile import INFO_PART, ods, patched

AT = datetime.fromisoformat("2024-05-16T09:30:00+07:00")
# The columns of chi_tieu (0-based, as xlsxwriter counts) and the row each indicator is written on.
MONTH_COL, YTD_COL = b.INDICATOR_HEADERS.index("thuc_hien_thang"), b.INDICATOR_HEADERS.index("luy_ke_nam")

Formats = dict[tuple[str, int, int], str | int]  # (sheet, row, col), 0-based -> xlsxwriter num_format


def with_rates(**values: Any) -> dict[str, Any]:
    """The builders' submission with rate rows (unit %) added: code -> thuc_hien_thang."""
    sub = b.submission()
    sub["chi_tieu"] += [{"ma_chi_tieu": code, "don_vi_tinh": "%", "thuc_hien_thang": v} for code, v in values.items()]
    return sub


def row_of(sub: dict[str, Any], code: str) -> int:
    """The 0-based sheet row of an indicator in submission_sheets (a header row first)."""
    return 1 + [r["ma_chi_tieu"] for r in sub["chi_tieu"]].index(code)


def xlsx(sheets: dict[str, list[list[Any]]], formats: Formats) -> bytes:
    """An XLSX of these cells, the ones named in `formats` written with that number format."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    styles = {f: wb.add_format({"num_format": f}) for f in set(formats.values())}
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                style = styles.get(formats[(name, r, c)]) if (name, r, c) in formats else None
                if isinstance(value, str):
                    ws.write_string(r, c, value, style)
                elif value is not None:
                    ws.write(r, c, value, style)
    wb.close()
    return buf.getvalue()


def submission_xlsx(sub: dict[str, Any], formats: dict[str, str | int]) -> bytes:
    """The submission as XLSX, the month value of each indicator in `formats` with that format."""
    cells_formats: Formats = {("chi_tieu", row_of(sub, code), MONTH_COL): f for code, f in formats.items()}
    return xlsx(b.submission_sheets(sub), cells_formats)


def cells(read: ReadFile, code: str) -> dict[str, Any]:
    return next(row for _n, row in read.tables["chi_tieu"].rows if row["ma_chi_tieu"] == code)


def checked_row(result: CheckedFile, code: str) -> IndicatorRow:
    return next(r for r in result.indicator_rows if r.ma_chi_tieu == code)


def no_value_messages(result: CheckedFile) -> None:
    bad = [(m.code, m.row, m.found) for m in result.messages if m.code.startswith("VALUE_") or m.severity == "error"]
    assert not bad, bad


# ------------------------------------------------------------------------------ the conversion

@pytest.mark.parametrize(("stored", "shown"), [
    (0.9756, "97.56"), (0.045, "4.5"), (1.0, "100"), (1, "100"), (0.5, "50"), (0.1 + 0.2, "30.000000000000004"),
    (-0.125, "-12.5"), (0.0, "0"), (-0.0, "0"), (12.0, "1200"), (1e-9, "1E-7"),
])
def test_a_stored_fraction_becomes_the_percentage_shown_exactly(stored: float | int, shown: str) -> None:
    value = percent_as_shown(stored)
    assert isinstance(value, Decimal) and str(value) == shown
    assert value == Decimal(shown)  # not 97.56000000000002


@pytest.mark.parametrize("value", [True, False, "4,5%", "97.56", None, float("nan"), float("inf")])
def test_what_is_not_a_finite_number_is_left_as_it_is(value: Any) -> None:
    assert percent_as_shown(value) is value


@pytest.mark.parametrize(("code", "percent"), [
    ("0%", True), ("0.00%", True), ("0.0%", True), ("#,##0.0 %", True), ("0.0%;[Red]-0.0%", True),
    ("[Red]0.0%", True), ('"Tỷ lệ: "0.0%', True), ("0;-0%", True),
    ('0.00"%"', False), ("0\\%", False), ("[Red]0.0", False), ("0_%", False), ("0*%", False),
    ("[$%-409]0.0", False), ('0;0;0;@"%"', False), ("0;0;0;@%", False), ("General", False), ("@", False),
])
def test_which_format_codes_are_percentages(code: str, percent: bool) -> None:
    assert percent_format(code) is percent


# ------------------------------------------------------------------------------ XLSX

def test_a_coverage_formatted_as_a_percentage_is_read_as_shown() -> None:
    sub = with_rates(XH07=0.9756)
    data = submission_xlsx(sub, {"XH07": "0.00%"})
    read = read_file("s.xlsx", data)
    assert read.ok, read.messages
    assert cells(read, "XH07")["thuc_hien_thang"] == Decimal("97.56")
    assert isinstance(cells(read, "NS01")["thuc_hien_thang"], str)  # the other cells as they were
    result = check_file(read, b.offline_ref(), AT)
    no_value_messages(result)
    row = checked_row(result, "XH07")
    assert row.thuc_hien_thang == Decimal("97.56")
    assert row.thuc_hien_thang_raw == "97.56"  # the text kept beside the value, as explain shows it


@pytest.mark.parametrize(("num_format", "stored", "expected"), [
    ("0.0%", 0.045, Decimal("4.5")),  # a custom format
    (9, 0.5, Decimal("50")),  # built-in 9, '0%'
    (10, 0.9756, Decimal("97.56")),  # built-in 10, '0.00%'
    ("0.0%;[Red]-0.0%", 0.123, Decimal("12.3")),
])
def test_custom_and_built_in_percent_formats(num_format: str | int, stored: float, expected: Decimal) -> None:
    sub = with_rates(XH03=stored)
    read = read_file("s.xlsx", submission_xlsx(sub, {"XH03": num_format}))
    assert cells(read, "XH03")["thuc_hien_thang"] == expected
    result = check_file(read, b.offline_ref(), AT)
    no_value_messages(result)
    assert checked_row(result, "XH03").thuc_hien_thang == expected


@pytest.mark.parametrize("num_format", ['0.00"%"', "0\\%", "[Red]0.0", "0.00_%", "#,##0.00"])
def test_a_percent_sign_that_is_only_a_character_is_not_a_percentage(num_format: str) -> None:
    sub = with_rates(XH07=97.56)
    read = read_file("s.xlsx", submission_xlsx(sub, {"XH07": num_format}))
    value = cells(read, "XH07")["thuc_hien_thang"]
    assert value == 97.56 and isinstance(value, float)


def test_text_in_a_percent_formatted_cell_is_untouched() -> None:
    sub = with_rates(XH07="97,56%", XH03="4,5")
    read = read_file("s.xlsx", submission_xlsx(sub, {"XH07": "0.00%", "XH03": "0.0%"}))
    assert cells(read, "XH07")["thuc_hien_thang"] == "97,56%"
    assert cells(read, "XH03")["thuc_hien_thang"] == "4,5"
    result = check_file(read, b.offline_ref(), AT)
    assert checked_row(result, "XH07").thuc_hien_thang == Decimal("97.56")
    assert checked_row(result, "XH03").thuc_hien_thang == Decimal("4.5")


def test_the_year_to_date_and_task_progress_columns_too() -> None:
    sub = b.submission()
    b.indicator(sub, "HC02")["luy_ke_nam"] = 0.25  # a count formatted as % by mistake: read as shown, 25
    sub["nhiem_vu"][0]["tien_do"] = 0.6
    sheets = b.submission_sheets(sub)
    progress = b.TASK_HEADERS.index("tien_do")
    read = read_file("s.xlsx", xlsx(sheets, {("chi_tieu", row_of(sub, "HC02"), YTD_COL): "0%",
                                             ("nhiem_vu", 1, progress): "0%"}))
    assert cells(read, "HC02")["luy_ke_nam"] == Decimal(25)
    assert read.tables["nhiem_vu"].rows[0][1]["tien_do"] == Decimal(60)
    assert check_file(read, b.offline_ref(), AT).task_rows[0].tien_do == Decimal(60)


def test_a_percent_formatted_info_cell_does_not_break_the_file() -> None:
    sub = b.submission()
    sheets = b.submission_sheets(sub)
    sheets["thong_tin"][0][1] = 6.39  # ma_huyen 639 typed into a cell formatted as %: shown "639%"
    sheets["thong_tin"][2][1] = 0.5  # ngay_lap, a number shown "50%"
    read = read_file("s.xlsx", xlsx(sheets, {("thong_tin", 0, 1): "0%", ("thong_tin", 2, 1): "0%"}))
    assert read.ok, read.messages
    assert read.info["ma_huyen"] == (Decimal(639), 1)
    assert read.info["ngay_lap"] == (Decimal(50), 3)
    result = check_file(read, b.offline_ref(), AT)
    assert result.district_code == "639"
    assert "DATE_INVALID_INFO" in {m.code for m in result.messages}  # "50" is no date: a warning, as before
    assert result.outcome != "rejected", [(m.code, m.found) for m in result.messages]


def test_quick_look_and_streaming_parse_find_the_same_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    sub = with_rates(XH07=0.9756, XH03=0.045)
    data = submission_xlsx(sub, {"XH07": "0.00%", "XH03": 10})
    quick = read_file("s.xlsx", data)
    monkeypatch.setattr(readers, "QUICK_LOOK_BYTES", 0)  # every part streamed through expat
    streamed = read_file("s.xlsx", data)
    assert quick == streamed
    assert cells(streamed, "XH07")["thuc_hien_thang"] == Decimal("97.56")
    assert cells(streamed, "XH03")["thuc_hien_thang"] == Decimal("4.5")


def _styles_edited(data: bytes, edit: Any) -> bytes:
    return patched(data, "xl/styles.xml", edit)


def test_style_zero_as_a_percentage_applies_to_cells_without_a_style() -> None:
    # Every cell without `s` has style 0: with it formatted '0%', 140 shows 14000% (what Excel shows).
    sub = b.submission()
    first_style = '<cellXfs count="1"><xf numFmtId="0"'
    data = _styles_edited(xlsx(b.submission_sheets(sub), {}),
                          lambda s: s.replace(first_style, first_style.replace('"0"', '"9"')))
    read = read_file("s.xlsx", data)
    assert cells(read, "KT03")["thuc_hien_thang"] == Decimal(14000)
    assert cells(read, "NS01")["thuc_hien_thang"] == "12.500,5"


def test_a_style_spelt_with_a_character_reference_is_found() -> None:
    sub = with_rates(XH07=0.9756)
    data = submission_xlsx(sub, {"XH07": "0.00%"})
    data = _styles_edited(data, lambda s: s.replace('formatCode="0.00%"', 'formatCode="0.00&#37;"'))
    data = patched(data, "xl/worksheets/sheet2.xml", lambda s: re.sub(r'(<c r="D\d+") s="1"', r'\1 s="&#49;"', s))
    assert cells(read_file("s.xlsx", data), "XH07")["thuc_hien_thang"] == Decimal("97.56")


@pytest.mark.parametrize("quick_look_bytes", [readers.QUICK_LOOK_BYTES, 0])
def test_a_rows_percent_style_does_not_make_its_cells_percentages(
        monkeypatch: pytest.MonkeyPatch, quick_look_bytes: int) -> None:
    # <row s="1" customFormat="1"> styles the row's empty cells; a written cell without `s` has style 0.
    monkeypatch.setattr(readers, "QUICK_LOOK_BYTES", quick_look_bytes)
    sub = with_rates(XH07=0.9756, XH03=0.045)
    data = submission_xlsx(sub, {"XH07": "0.00%"})
    xh03_row = row_of(sub, "XH03") + 1
    row_tag = f'<row r="{xh03_row}" '

    def styled_row(xml: str) -> str:
        assert row_tag in xml
        return xml.replace(row_tag, row_tag + 's="1" customFormat="1" ', 1)

    data = patched(data, "xl/worksheets/sheet2.xml", styled_row)
    read = read_file("s.xlsx", data)
    assert cells(read, "XH03")["thuc_hien_thang"] == 0.045
    assert cells(read, "XH07")["thuc_hien_thang"] == Decimal("97.56")


# ------------------------------------------------------------------------------ nothing else changes

def _without_percent_detection(monkeypatch: pytest.MonkeyPatch, data: bytes) -> ReadFile:
    with monkeypatch.context() as m:
        m.setattr(readers, "percent_styles", lambda _zf, _part: frozenset())
        return read_file("s.xlsx", data)


def test_a_file_without_percent_formats_reads_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    sub = with_rates(XH07=97.56, XH03=4.5)
    data = xlsx(b.submission_sheets(sub), {("chi_tieu", row_of(sub, "XH07"), MONTH_COL): "#,##0.00"})
    read = read_file("s.xlsx", data)
    assert read == _without_percent_detection(monkeypatch, data)
    assert cells(read, "XH07")["thuc_hien_thang"] == 97.56


def test_percent_styles_not_used_by_cells_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Excel's "Percent" cell style (cellStyleXfs) and a conditional format's '%' (dxfs) are not cell formats.
    sub = with_rates(XH07=0.9756)
    data = _styles_edited(xlsx(b.submission_sheets(sub), {}), lambda s: (
        s.replace('<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>',
                  '<cellStyleXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
                  '<xf numFmtId="9" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>')
        .replace('<dxfs count="0"/>', '<dxfs count="1"><dxf><numFmt numFmtId="165" formatCode="0.0%"/></dxf></dxfs>')))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert b'numFmtId="9"' in zf.read("xl/styles.xml") and readers.percent_styles(zf, "xl/styles.xml") == set()
    read = read_file("s.xlsx", data)
    assert read == _without_percent_detection(monkeypatch, data)
    assert cells(read, "XH07")["thuc_hien_thang"] == 0.9756


def test_a_styles_part_with_a_dtd_is_refused_not_expanded() -> None:
    sub = with_rates(XH07=0.9756)
    data = _styles_edited(submission_xlsx(sub, {"XH07": "0.00%"}), lambda s: s.replace(
        "<styleSheet", '<!DOCTYPE x [<!ENTITY a "aaaa">]><styleSheet', 1))
    read = read_file("s.xlsx", data)
    assert [m.code for m in read.messages] == ["FILE_CORRUPT"]


def test_an_info_sheet_untouched_by_percent_styles_elsewhere() -> None:
    sub = with_rates(XH07=0.9756)
    data = submission_xlsx(sub, {"XH07": "0.00%"})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert ' s="' not in zf.read(INFO_PART).decode()
    assert read_file("s.xlsx", data).info["ma_huyen"] == ("639", 1)


# ------------------------------------------------------------------------------ ODS

def _ods_row(*cells_xml: str, repeat: int = 1) -> str:
    rows = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rows}>{''.join(cells_xml)}</table:table-row>"


def _text(value: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def _percentage(value: str, shown: str, repeat: int = 1) -> str:
    cols = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (f'<table:table-cell office:value-type="percentage" calcext:value-type="percentage" '
            f'office:value="{value}"{cols}><text:p>{shown}</text:p></table:table-cell>')


def test_an_ods_percentage_cell_is_read_as_shown() -> None:
    sub = b.submission()
    data = ods(b.submission_sheets(sub), rows_xml={"chi_tieu": _ods_row(
        _text("XH07"), "<table:table-cell/>", _text("%"), _percentage("0.9756", "97,56%"))})
    read = read_file("s.ods", data)
    assert read.ok, read.messages
    assert cells(read, "XH07")["thuc_hien_thang"] == Decimal("97.56")
    assert cells(read, "HC02")["thuc_hien_thang"] == 1250  # a float cell as it was
    result = check_file(read, b.offline_ref(), AT)
    no_value_messages(result)
    assert checked_row(result, "XH07").thuc_hien_thang == Decimal("97.56")
    assert checked_row(result, "XH07").thuc_hien_thang_raw == "97.56"


def test_repeated_ods_percentage_cells_are_each_read_as_shown() -> None:
    sub = b.submission()
    repeated = _ods_row(_text("XH03"), "<table:table-cell/>", _text("%"), _percentage("0.045", "4,5%", repeat=2),
                        repeat=2)
    read = read_file("s.ods", ods(b.submission_sheets(sub), rows_xml={"chi_tieu": repeated}))
    rows = [r for _n, r in read.tables["chi_tieu"].rows if r["ma_chi_tieu"] == "XH03"]
    assert [(r["thuc_hien_thang"], r["luy_ke_nam"]) for r in rows] == [(Decimal("4.5"), Decimal("4.5"))] * 2
    assert all(not r["ghi_chu"] for r in rows)  # the column after them is not a percentage


def test_an_ods_percentage_info_cell_does_not_break_the_file() -> None:
    sheets = b.submission_sheets(b.submission())
    del sheets["thong_tin"][0]
    info_row = _ods_row(_text("ma_huyen"), _percentage("6.39", "639%"))
    read = read_file("s.ods", ods(sheets, rows_xml={"thong_tin": info_row}))
    assert read.info["ma_huyen"][0] == Decimal(639)
    assert check_file(read, b.offline_ref(), AT).district_code == "639"


def test_an_ods_percentage_repeated_down_the_sheet_costs_one_set() -> None:
    sheets = b.submission_sheets(b.submission())
    block = _ods_row(_percentage("0.5", "50%", repeat=200), repeat=9_000)
    data = ods(sheets, rows_xml={"nhiem_vu": block})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        _order, scans = readers.scan_ods(zf)
    percent = scans["nhiem_vu"].percent
    first = len(sheets["nhiem_vu"]) + 1
    assert sorted(percent) == list(range(first, first + 9_000))
    assert len({id(columns) for columns in percent.values()}) == 1 and percent[first] == set(range(1, 201))
    assert scans["chi_tieu"].percent == {}
