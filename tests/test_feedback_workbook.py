"""Issue 14, point 3: the feedback workbook (etl.alerts.feedback). The clerk's own .xlsx comes back
with the cells at fault filled and commented and a first sheet listing every message, linked to its
cell; an .xls, .ods or JSON comes back as a workbook of its values annotated the same way; a file
that could not be read gets the list alone. No database: everything here is files.

The LibreOffice tests (an .xls made from the template, the comments read back from an .ods export)
are skipped only when soffice is not installed."""

from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from etl.alerts import feedback
from etl.alerts.feedback import (
    COMMENT_MARK,
    ERROR_COLOR,
    LIST_SHEET,
    WARNING_COLOR,
    FeedbackItem,
    build_feedback_workbook,
    feedback_file_name,
)
from etl.demo.writers import write_submission_xlsx
from etl.intake.readers import ReadFile, cell_name, read_file
from tests import builders as b
from tests.hostile import ods

HEADER_ROW = 5  # title, counts, instruction, a blank row, then the list's header


# ------------------------------------------------------------------------------ helpers

def template_xlsx(tmp_path: Path) -> bytes:
    """A submission written the way the project writes its template (Vietnamese headers, text cells)."""
    return write_submission_xlsx(b.submission(), tmp_path / "639_2024-05.xlsx").read_bytes()


def cell_of(read: ReadFile, table: str, row: int, column: str) -> str:
    """The cell a check's message names, from the reader's own positions (what a caller does)."""
    return cell_name(row, read.tables[table].positions[column])


def office_items(data: bytes) -> list[FeedbackItem]:
    read = read_file("639_2024-05.xlsx", data)
    assert read.ok and read.tables, read.messages
    month, status = cell_of(read, "chi_tieu", 3, "thuc_hien_thang"), cell_of(read, "nhiem_vu", 4, "trang_thai")
    return [
        FeedbackItem("error", "NUMBER_INVALID", "chi_tieu", 3, "Thực hiện tháng", month,
                     "Trang 'chi_tieu', dòng 3, cột 'Thực hiện tháng': giá trị '390,5' không đọc được."),
        FeedbackItem("warning", "VALUE_SCALE_SUSPECT", "chi_tieu", 3, "Thực hiện tháng", month,
                     "Trang 'chi_tieu', dòng 3: số liệu lớn bất thường so với tháng trước."),
        FeedbackItem("error", "STATUS_INVALID", "nhiem_vu", 4, "Trạng thái", status,
                     "Trang 'nhiem_vu', dòng 4, cột 'Trạng thái': trạng thái không hợp lệ."),
        FeedbackItem("warning", "ROW_DUPLICATE", "chi_tieu", 5, None, None,
                     "Trang 'chi_tieu', dòng 5: chỉ tiêu khai hai lần."),
        FeedbackItem("error", "PERIOD_FUTURE", None, None, None, None,
                     "Kỳ báo cáo '2024-05' chưa bắt đầu vào ngày nhận tệp."),
    ]


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def list_rows(wb: openpyxl.Workbook) -> list[tuple[Any, ...]]:
    ws = wb[LIST_SHEET]
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=6)]


def links(wb: openpyxl.Workbook) -> dict[str, str | None]:
    """Message code -> where its Ô cell links (None: no link)."""
    ws = wb[LIST_SHEET]
    out: dict[str, str | None] = {}
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        link = ws.cell(r, 5).hyperlink
        out[ws.cell(r, 3).value] = link.location if link is not None else None
    return out


def fill_of(cell: Any) -> str | None:
    return str(cell.fill.fgColor.rgb)[-6:] if cell.fill is not None and cell.fill.fill_type == "solid" else None


def values(ws: Any) -> dict[str, Any]:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


# ------------------------------------------------------------------------------ the clerk's .xlsx

def test_the_clerks_xlsx_comes_back_annotated_with_a_first_sheet_of_messages(tmp_path: Path) -> None:
    data = template_xlsx(tmp_path)
    items = office_items(data)
    month, status = items[0].cell, items[2].cell
    out = build_feedback_workbook(data, "xlsx", "639_2024-05.xlsx", items)
    wb, original = load(out), load(data)

    # The list first and shown first; the clerk's sheets after it, every value as it was.
    assert wb.sheetnames == [LIST_SHEET, *original.sheetnames]
    assert wb.active.title == LIST_SHEET
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == [LIST_SHEET]
    for name in original.sheetnames:
        assert values(wb[name]) == values(original[name]), name
    assert wb.calculation.fullCalcOnLoad is True

    # Each cell at fault: one comment with all its messages, red when any is an error.
    chi_tieu, nhiem_vu = wb["chi_tieu"], wb["nhiem_vu"]
    note = chi_tieu[month].comment.text
    assert note.startswith(COMMENT_MARK)
    assert items[0].message in note and items[1].message in note
    assert fill_of(chi_tieu[month]) == ERROR_COLOR
    assert items[2].message in nhiem_vu[status].comment.text and fill_of(nhiem_vu[status]) == ERROR_COLOR
    # A row without a cell: its first used cell (A5) carries the warning, in yellow.
    assert items[3].message in chi_tieu["A5"].comment.text and fill_of(chi_tieu["A5"]) == WARNING_COLOR
    commented = {(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                 if c.comment is not None}
    assert commented == {("chi_tieu", month), ("nhiem_vu", status), ("chi_tieu", "A5")}
    assert fill_of(chi_tieu["B3"]) is None  # nothing else coloured

    # The list: errors first, each message once, the Ô cell a link to its cell.
    rows = list_rows(wb)
    assert [r[:5] for r in rows] == [
        (1, "Lỗi", "NUMBER_INVALID", "chi_tieu", month),
        (2, "Lỗi", "STATUS_INVALID", "nhiem_vu", status),
        (3, "Lỗi", "PERIOD_FUTURE", None, None),
        (4, "Cảnh báo", "VALUE_SCALE_SUSPECT", "chi_tieu", month),
        (5, "Cảnh báo", "ROW_DUPLICATE", "chi_tieu", "dòng 5"),
    ]
    assert sorted(r[5] for r in rows) == sorted(i.message for i in items)
    assert links(wb) == {"NUMBER_INVALID": f"'chi_tieu'!{month}", "STATUS_INVALID": f"'nhiem_vu'!{status}",
                         "PERIOD_FUTURE": None, "VALUE_SCALE_SUSPECT": f"'chi_tieu'!{month}",
                         "ROW_DUPLICATE": "'chi_tieu'!A5"}

    # Title, counts, instruction; frozen header, wrapped, printable on landscape pages one page wide.
    ws = wb[LIST_SHEET]
    assert "639_2024-05.xlsx" in ws["A1"].value
    assert ws["A2"].value == "3 lỗi phải sửa, 2 cảnh báo cần xem lại."
    assert "tô màu" in ws["A3"].value and "gửi lại" in ws["A3"].value
    assert [c.value for c in ws[HEADER_ROW]] == ["STT", "Mức độ", "Mã", "Trang", "Ô", "Nội dung"]
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws[f"F{HEADER_ROW + 1}"].alignment.wrap_text
    assert ws.column_dimensions["F"].width >= 60
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def _clerks_own_workbook(path: Path) -> bytes:
    """A district's workbook with what a template does not have: a comment of the clerk's, a formula,
    a merged cell and a sheet whose name needs quoting."""
    wb = xlsxwriter.Workbook(str(path))
    info = wb.add_worksheet("thong_tin")
    for r, (k, v) in enumerate([("ma_huyen", "639"), ("ky_bao_cao", "2024-05")]):
        info.write_string(r, 0, k)
        info.write_string(r, 1, v)
    sheet = wb.add_worksheet("chi_tieu")
    sheet.write_row(0, 0, ["Mã chỉ tiêu", "Đơn vị tính", "Thực hiện tháng", "Lũy kế năm"])
    sheet.write_row(1, 0, ["NS01", "triệu đồng", 12500.5])
    sheet.write_formula(1, 3, "=C2*5", None, 62502.5)
    sheet.write_comment(1, 2, "Số liệu tạm tính, chờ Chi cục Thống kê", {"author": "Lan"})
    own = wb.add_worksheet("Lan's ghi chú")
    own.merge_range("A1:C1", "Ghi chú riêng của xã")
    own.write_string(1, 1, "=không phải công thức")
    wb.close()
    return path.read_bytes()


def test_a_comment_is_appended_to_and_a_second_round_replaces_the_first(tmp_path: Path) -> None:
    data = _clerks_own_workbook(tmp_path / "own.xlsx")
    items = [
        FeedbackItem("error", "NUMBER_INVALID", "chi_tieu", 2, "Thực hiện tháng", "C2", "C2 sai lần một."),
        FeedbackItem("warning", "NOTE", "Lan's ghi chú", 1, None, "B1", "Ô gộp A1:C1."),
        FeedbackItem("warning", "ROW_NOTE", "chi_tieu", 2, None, None, "Dòng 2 cần xem lại."),
    ]
    first = load(build_feedback_workbook(data, "xlsx", "own.xlsx", items))
    c2 = first["chi_tieu"]["C2"]
    assert c2.comment.text.startswith("Số liệu tạm tính, chờ Chi cục Thống kê")
    assert "C2 sai lần một." in c2.comment.text and fill_of(c2) == ERROR_COLOR
    assert first["chi_tieu"]["D2"].value == "=C2*5"  # the formula kept (recalculated on opening)
    assert first.calculation.fullCalcOnLoad is True
    # A merged cell is annotated through the range's first cell; the sheet name is quoted, ' doubled.
    assert "Ô gộp A1:C1." in first["Lan's ghi chú"]["A1"].comment.text
    assert links(first)["NOTE"] == "'Lan''s ghi chú'!A1"
    assert first["Lan's ghi chú"]["B2"].value == "=không phải công thức"
    assert first["Lan's ghi chú"]["B2"].data_type == "s"
    assert fill_of(first["chi_tieu"]["A2"]) == WARNING_COLOR  # the row's first used cell

    # The clerk sends the feedback workbook back as it is: the last round's list, notes and fills go.
    again = io.BytesIO()
    first.save(again)
    second_items = [FeedbackItem("warning", "VALUE_SCALE_SUSPECT", "chi_tieu", 2, "Thực hiện tháng", "C2",
                                 "C2 vẫn lớn bất thường.")]
    second = load(build_feedback_workbook(again.getvalue(), "xlsx", "own_phan_hoi.xlsx", second_items))
    assert second.sheetnames.count(LIST_SHEET) == 1 and second.sheetnames[0] == LIST_SHEET
    text = second["chi_tieu"]["C2"].comment.text
    assert text.count(COMMENT_MARK) == 1 and "C2 vẫn lớn bất thường." in text and "lần một" not in text
    assert text.startswith("Số liệu tạm tính")
    assert fill_of(second["chi_tieu"]["C2"]) == WARNING_COLOR
    assert second["chi_tieu"]["A2"].comment is None and fill_of(second["chi_tieu"]["A2"]) is None
    assert second["Lan's ghi chú"]["A1"].comment is None
    assert [r[2] for r in list_rows(second)] == ["VALUE_SCALE_SUSPECT"]


# ------------------------------------------------------------------------------ LibreOffice

soffice = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(soffice is None, reason="LibreOffice (soffice) is not installed")
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"


@pytest.fixture(scope="module")
def lo_profile() -> Iterator[str]:
    """A LibreOffice user profile of this module's own (two instances must not share one)."""
    folder = Path(tempfile.gettempdir()) / "fb" / f"lo_profile_{uuid.uuid4().hex}"
    try:
        yield folder.as_uri()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def convert(source: Path, to: str, profile: str) -> Path:
    out = source.parent / f"{to}_out"
    subprocess.run([soffice or "soffice", "--headless", "--norestore", f"-env:UserInstallation={profile}",
                    "--convert-to", to, "--outdir", str(out), str(source)],
                   check=True, timeout=120, capture_output=True)
    converted = out / f"{source.stem}.{to}"
    assert converted.exists(), f"LibreOffice wrote nothing for {source.name}"
    return converted


def ods_notes(path: Path) -> tuple[list[str], dict[tuple[str, str], str], set[str]]:
    """(sheet names in order, (sheet, cell) -> annotation text, link targets) of an .ods."""
    with zipfile.ZipFile(path) as zf:
        root = ElementTree.fromstring(zf.read("content.xml"))
    names: list[str] = []
    notes: dict[tuple[str, str], str] = {}
    for table in root.iter(f"{TABLE}table"):
        name = table.get(f"{TABLE}name") or ""
        names.append(name)
        r = 0
        for row in table.iter(f"{TABLE}table-row"):
            c = 0
            for cell in row:
                annotation = cell.find(f"{OFFICE}annotation")
                if annotation is not None:
                    text = "\n".join("".join(p.itertext()) for p in annotation.iter(f"{TEXT}p"))
                    notes[(name, f"{get_column_letter(c + 1)}{r + 1}")] = text
                c += int(cell.get(f"{TABLE}number-columns-repeated", "1"))
            r += int(row.get(f"{TABLE}number-rows-repeated", "1"))
    targets = {a.get(f"{XLINK}href") or "" for a in root.iter(f"{TEXT}a")}
    return names, notes, targets


@needs_soffice
def test_libreoffice_opens_it_and_finds_the_comments_at_their_cells(tmp_path: Path, lo_profile: str) -> None:
    data = template_xlsx(tmp_path)
    items = office_items(data)
    month, status = items[0].cell, items[2].cell
    path = tmp_path / feedback_file_name("639_2024-05.xlsx")
    path.write_bytes(build_feedback_workbook(data, "xlsx", "639_2024-05.xlsx", items))
    names, notes, targets = ods_notes(convert(path, "ods", lo_profile))
    assert names == [LIST_SHEET, "thong_tin", "chi_tieu", "nhiem_vu"]
    assert set(notes) == {("chi_tieu", month), ("nhiem_vu", status), ("chi_tieu", "A5")}
    assert items[0].message in notes[("chi_tieu", month)] and items[1].message in notes[("chi_tieu", month)]
    assert items[2].message in notes[("nhiem_vu", status)]
    assert items[3].message in notes[("chi_tieu", "A5")]
    # LibreOffice's own spelling of the links: #'sheet'.D13
    assert {t.replace("'", "") for t in targets} == {f"#chi_tieu.{month}", f"#nhiem_vu.{status}", "#chi_tieu.A5"}


@needs_soffice
def test_an_xls_comes_back_as_a_workbook_of_its_values_annotated(tmp_path: Path, lo_profile: str) -> None:
    source = tmp_path / "639_2024-05.xlsx"
    source.write_bytes(template_xlsx(tmp_path))
    xls = convert(source, "xls", lo_profile).read_bytes()
    items = office_items(source.read_bytes())
    wb = load(build_feedback_workbook(xls, "xls", "639_2024-05.xls", items))
    assert wb.sheetnames == [LIST_SHEET, "thong_tin", "chi_tieu", "nhiem_vu"]
    assert _calamine_values(xls) == {name: values(wb[name]) for name in wb.sheetnames[1:]}
    assert items[0].message in wb["chi_tieu"][items[0].cell].comment.text
    assert fill_of(wb["nhiem_vu"][items[2].cell]) == ERROR_COLOR
    assert links(wb)["STATUS_INVALID"] == f"'nhiem_vu'!{items[2].cell}"


# ------------------------------------------------------------------------------ .ods and JSON

def _calamine_values(data: bytes) -> dict[str, dict[str, Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    out: dict[str, dict[str, Any]] = {}
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        out[name] = {f"{get_column_letter(c)}{r}": v for r, row in enumerate(rows, start=1)
                     for c, v in enumerate(row, start=1) if v not in (None, "")}
    return out


def test_an_ods_comes_back_as_a_workbook_of_its_values_annotated() -> None:
    data = ods(b.submission_sheets(b.submission()))
    items = [
        FeedbackItem("error", "NUMBER_INVALID", "chi_tieu", 3, "thuc_hien_thang", "D3", "D3 không đọc được."),
        FeedbackItem("warning", "ROW_NOTE", "nhiem_vu", 2, None, None, "Dòng 2 của nhiệm vụ."),
        FeedbackItem("error", "DISTRICT_UNKNOWN", "thong_tin", 1, "ma_huyen", "B1", "Mã đơn vị sai."),
    ]
    wb = load(build_feedback_workbook(data, "ods", "639_2024-05.ods", items))
    assert wb.sheetnames == [LIST_SHEET, "thong_tin", "chi_tieu", "nhiem_vu"]
    assert _calamine_values(data) == {name: values(wb[name]) for name in wb.sheetnames[1:]}
    assert wb["chi_tieu"]["D3"].value == "390,5" and "D3 không đọc được." in wb["chi_tieu"]["D3"].comment.text
    assert fill_of(wb["chi_tieu"]["D3"]) == ERROR_COLOR
    assert "Dòng 2 của nhiệm vụ." in wb["nhiem_vu"]["A2"].comment.text
    assert fill_of(wb["thong_tin"]["B1"]) == ERROR_COLOR
    assert links(wb) == {"NUMBER_INVALID": "'chi_tieu'!D3", "ROW_NOTE": "'nhiem_vu'!A2",
                         "DISTRICT_UNKNOWN": "'thong_tin'!B1"}
    assert "tệp gốc" in wb[LIST_SHEET]["A3"].value  # the clerk fixes the .ods, not this copy


def test_a_json_comes_back_as_one_sheet_a_section_annotated() -> None:
    sub = b.submission()
    sub["nhiem_vu"][3]["ghi_chu"] = "=HYPERLINK(\"http://x\")"
    data = json.dumps(sub, ensure_ascii=False).encode("utf-8")
    items = [
        FeedbackItem("error", "NUMBER_INVALID", "chi_tieu", 2, "thuc_hien_thang", None, "Mục 2: số sai."),
        FeedbackItem("error", "DATE_INVALID", "nhiem_vu", 2, "ngay_hoan_thanh", None, "Mục 2: ngày sai."),
        FeedbackItem("error", "PERIOD_INVALID", None, None, "ky_bao_cao", None, "Kỳ báo cáo sai."),
        FeedbackItem("warning", "ROW_NOTE", "chi_tieu", 4, None, None, "Mục 4 cần xem lại."),
        FeedbackItem("error", "PERIOD_FUTURE", None, None, None, None, "Cả tệp."),
    ]
    wb = load(build_feedback_workbook(data, "json", "639_2024-05.json", items))
    assert wb.sheetnames == [LIST_SHEET, "thong_tin", "chi_tieu", "nhiem_vu"]
    info, chi_tieu, nhiem_vu = wb["thong_tin"], wb["chi_tieu"], wb["nhiem_vu"]
    # thong_tin: the top-level keys, then the section's, as key/value rows.
    assert [(r[0].value, r[1].value) for r in info.iter_rows(max_col=2)] == [
        ("ma_huyen", "639"), ("ky_bao_cao", "2024-05"), ("ngay_lap", "16/05/2024"),
        ("nguoi_lap", "Nguyễn Thị Lan"), ("email_lien_he", "vanphong.639@example.gov.vn")]
    # Tables: the field names in the order first seen (ngay_hoan_thanh first appears in item 2), item N on row N+1.
    assert [c.value for c in chi_tieu[1]] == ["ma_chi_tieu", "don_vi_tinh", "thuc_hien_thang", "luy_ke_nam"]
    assert [c.value for c in nhiem_vu[1]][-3:] == ["tien_do", "ngay_hoan_thanh", "ghi_chu"]
    assert chi_tieu["A3"].value == "KT01" and chi_tieu["C3"].value == "390,5" and chi_tieu["C5"].value == 140
    assert nhiem_vu["I3"].value == "28/03/2024"
    assert nhiem_vu["J5"].value.startswith("=HYPERLINK") and nhiem_vu["J5"].data_type == "s"  # text, not a formula

    assert "Mục 2: số sai." in chi_tieu["C3"].comment.text and fill_of(chi_tieu["C3"]) == ERROR_COLOR
    assert "Mục 2: ngày sai." in nhiem_vu["I3"].comment.text
    assert "Kỳ báo cáo sai." in info["B2"].comment.text
    assert "Mục 4 cần xem lại." in chi_tieu["A5"].comment.text and fill_of(chi_tieu["A5"]) == WARNING_COLOR
    assert links(wb) == {"NUMBER_INVALID": "'chi_tieu'!C3", "DATE_INVALID": "'nhiem_vu'!I3",
                         "PERIOD_INVALID": "'thong_tin'!B2", "ROW_NOTE": "'chi_tieu'!A5", "PERIOD_FUTURE": None}


# ------------------------------------------------------------------------------ files that cannot be shown

def _zip_bomb() -> bytes:
    """A 'workbook' whose one part inflates 100 MiB of zeros from ~100 KB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (100 * 1024 * 1024))
    return buf.getvalue()


def _only_the_list(data: bytes, messages: list[str]) -> None:
    wb = load(data)
    assert wb.sheetnames == [LIST_SHEET]
    assert [r[5] for r in list_rows(wb)] == messages
    assert all(v is None for v in links(wb).values())


def test_an_unreadable_file_gets_the_list_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[bytes] = []

    def never(content: bytes) -> None:  # recorded, since the fallback would swallow an exception
        opened.append(content)
        raise AssertionError("an unreadable file must not be opened")

    monkeypatch.setattr(feedback, "_open_xlsx", never)
    monkeypatch.setattr(feedback, "_copy_spreadsheet", never)
    monkeypatch.setattr(feedback, "_json_book", never)
    bomb = [FeedbackItem("error", "FILE_TOO_LARGE", None, None, None, None, "Tệp giải nén ra quá lớn."),
            FeedbackItem("error", "COLUMN_MISSING", "chi_tieu", 1, None, None, "Thiếu cột.")]
    _only_the_list(build_feedback_workbook(_zip_bomb(), "xlsx", "bom.xlsx", bomb),
                   ["Tệp giải nén ra quá lớn.", "Thiếu cột."])
    broken = [FeedbackItem("error", "FILE_CORRUPT", None, None, None, None, "Không mở được tệp.")]
    _only_the_list(build_feedback_workbook(b"{not json", "json", "x.json", broken), ["Không mở được tệp."])
    _only_the_list(build_feedback_workbook(b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024), "xlsx", "big.xlsx",
                                           [FeedbackItem("error", "X", None, None, None, None, "Quá lớn.")]),
                   ["Quá lớn."])
    _only_the_list(build_feedback_workbook(b"a;b", "csv", "a.csv",
                                           [FeedbackItem("error", "Y", None, None, None, None, "Không hỗ trợ.")]),
                   ["Không hỗ trợ."])
    assert opened == []


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls", "json"])
def test_a_file_that_breaks_the_annotation_falls_back_to_the_list(fmt: str, caplog: pytest.LogCaptureFixture
                                                                  ) -> None:
    """No FILE_ message, yet the bytes cannot be opened: a warning logged, the list sent, nothing raised."""
    items = [FeedbackItem("error", "NUMBER_INVALID", "chi_tieu", 3, "x", "D3", "D3 sai.")]
    with caplog.at_level(logging.WARNING, logger="etl.alerts.feedback"):
        data = build_feedback_workbook(_zip_bomb() if fmt in ("xlsx", "ods") else b"\xd0\xcf\x11\xe0garbage",
                                       fmt, f"x.{fmt}", items)
    _only_the_list(data, ["D3 sai."])
    assert any("could not be annotated" in r.getMessage() for r in caplog.records)


def test_a_workbook_with_a_dtd_is_not_opened(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A DTD in a part the readers never parse (sharedStrings): openpyxl is not given it."""
    data = template_xlsx(tmp_path)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "xl/sharedStrings.xml":
                part = part.replace(b"?>", b'?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]>', 1)
            dst.writestr(info.filename, part)
    items = [FeedbackItem("error", "NUMBER_INVALID", "chi_tieu", 3, "x", "D3", "D3 sai.")]
    with caplog.at_level(logging.WARNING, logger="etl.alerts.feedback"):
        _only_the_list(build_feedback_workbook(out.getvalue(), "xlsx", "x.xlsx", items), ["D3 sai."])
    assert any("DTD" in r.getMessage() for r in caplog.records)


def test_places_that_are_not_cells_are_listed_without_a_link(tmp_path: Path) -> None:
    items = [
        FeedbackItem("error", "A", "chi_tieu", None, None, "ZZZZ1", "Ô không có thật."),
        FeedbackItem("error", "B", "không_có_trang_này", 2, None, "B2", "Trang không có."),
        FeedbackItem("warning", "C", "chi_tieu", None, None, None, "Cả trang."),
        FeedbackItem("warning", "D", "chi_tieu", 900, None, None, "Dòng trống."),
    ]
    wb = load(build_feedback_workbook(template_xlsx(tmp_path), "xlsx", "x.xlsx", items))
    assert links(wb) == {"A": "'chi_tieu'!A1", "B": None, "C": "'chi_tieu'!A1", "D": "'chi_tieu'!A900"}
    assert not any(c.comment for ws in wb.worksheets[1:] for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize(("name", "expected"), [
    ("bao_cao_thang_5.xlsx", "bao_cao_thang_5_phan_hoi.xlsx"),
    ("639_2024-05.ods", "639_2024-05_phan_hoi.xlsx"),
    ("Báo cáo tháng 5.json", "Báo cáo tháng 5_phan_hoi.xlsx"),
    ("C:\\Users\\xa\\bc.xls", "bc_phan_hoi.xlsx"),
    ("../a:b?.xlsx", "a_b__phan_hoi.xlsx"),
    ("", "phan_hoi.xlsx"),
])
def test_feedback_file_name(name: str, expected: str) -> None:
    assert feedback_file_name(name) == expected
