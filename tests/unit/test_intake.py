"""Intake without a warehouse: readers (bytes -> sheets of rows), structural checks (typed
rows + messages) and unit conversion, on real files. tests/test_ingest.py and
tests/test_error_codes.py run the same files through ingest, against the warehouse."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from etl.domain.catalog import load_catalog
from etl.domain.contract import (
    COLUMNS,
    INDICATOR_SHEET,
    KEY_COLUMN,
    MONTH_VALUE_COLUMNS,
    PLAN_SHEET,
    PLAN_VALUE_COLUMNS,
    REQUIRED_COLUMNS,
    TASK_SHEET,
    VI_HEADERS,
)
from etl.domain.text import fold_key
from etl.intake.readers import read_file
from etl.intake.rows import IndicatorRow, PlanRow, TaskRow, field_names
from etl.intake.structure import CheckedFile, check_file
from etl.intake.units import convert, factor_to_catalog_unit
from etl.quality.messages import CODES
from tests import builders as b
from tests.test_error_codes import CASES, RECEIVED_AT

AT = datetime.fromisoformat("2024-05-16T09:30:00+07:00")
# Codes of tests/test_error_codes.py that the quality gate (suites, rules) or the loader
# emits: a structural check reads what it can and leaves judging readable values to them.
LATER_CODES = {
    "VALUE_NEGATIVE", "VALUE_NOT_INTEGER", "VALUE_OUT_OF_RANGE", "YTD_BELOW_MONTH", "YTD_PREVIOUS_MISSING",
    "TASK_DONE_AFTER_RECEIPT", "TASK_DEADLINE_BEFORE_ASSIGNED", "TASK_FIELD_MISSING", "TASK_STATUS_INVALID",
    "TASK_DONE_WITHOUT_DATE", "TASK_PROGRESS_INVALID", "RATE_WITHOUT_COMPONENTS", "RULE_NOT_EVALUATED",
    "VALUE_SCALE_SUSPECT",  # the plausibility check, against the unit's own months and plan
    "MESSAGES_TRUNCATED",  # ingest caps a file's messages once the gate has added its own
}
STRUCTURAL_CODES = sorted(set(CASES) - LATER_CODES)


def checked(path: Path, at: datetime = AT) -> CheckedFile:
    return check_file(read_file(path.name, path.read_bytes()), b.offline_ref(), at)


def values(result: CheckedFile) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    return {r.indicator_code: (r.thuc_hien_thang, r.luy_ke_nam) for r in result.indicator_rows if r.indicator_code}


# -------------------------------------------------------------------------- messages


@pytest.mark.parametrize("code", STRUCTURAL_CODES)
def test_structural_code_is_reported_with_its_place(code: str, tmp_path: Path) -> None:
    build, sheet, row, column = CASES[code]
    result = checked(build(tmp_path), RECEIVED_AT.get(code, AT))
    found = [m for m in result.messages if m.code == code]
    assert found, f"{code} not reported; got {[m.code for m in result.messages]}"
    message = found[0]
    severity = CODES[code].severity
    assert message.severity == severity
    assert result.outcome == ("rejected" if severity == "error" else "accepted_with_warnings")
    if sheet is not None:
        assert message.sheet == sheet
    if row is not None:
        assert message.row == row
    if column is not None:
        assert message.column == column
    assert any(ord(ch) > 127 for ch in message.message), message.message
    assert "{" not in message.message and "{" not in message.message_en


@pytest.mark.parametrize("code", sorted(LATER_CODES))
def test_readable_values_are_left_to_the_gate(code: str, tmp_path: Path) -> None:
    build, *_ = CASES[code]
    built = build(tmp_path)
    for path in built if isinstance(built, list) else [built]:
        assert code not in {m.code for m in checked(path).messages}


def test_a_valid_submission_has_no_message(tmp_path: Path) -> None:
    result = checked(b.write_json(tmp_path / "s.json", b.submission()))
    assert result.messages == []
    assert (result.outcome, result.kind, result.fmt, result.district_code, result.period_code) == (
        "accepted", "submission", "json", "639", "2024-05")
    assert (result.window_start.isoformat(), result.window_end.isoformat()) == ("2024-04-15", "2024-05-14")
    assert result.email_lien_he == "vanphong.639@example.gov.vn"


# -------------------------------------------------------------------------- readers


def test_xlsx_headers_match_ignoring_case_form_and_diacritics(tmp_path: Path) -> None:
    sub = b.submission()
    headers = [unicodedata.normalize("NFD", h) for h in
               ["Mã chỉ tiêu", "TÊN CHỈ TIÊU", "Đơn vị tính", "Thực hiện tháng", "Luỹ kế năm", "Ghi chú"]]
    sheets = b.submission_sheets(
        sub, indicator_headers=headers, task_headers=[h.replace("_", " ").upper() for h in b.TASK_HEADERS])
    sheets["chi_tieu"] = [["BIỂU SỐ 01: CHỈ TIÊU KINH TẾ - XÃ HỘI"], [], *sheets["chi_tieu"]]
    sheets["chi_tieu"] = [[*row, "x"] for row in sheets["chi_tieu"]]  # a trailing extra column
    sheets["Chỉ tiêu"] = sheets.pop("chi_tieu")
    path = b.write_sheets(tmp_path / "s.xlsx", sheets)
    read = read_file(path.name, path.read_bytes())
    table = read.tables[INDICATOR_SHEET]
    assert (read.kind, table.sheet) == ("submission", "Chỉ tiêu")
    assert set(table.columns) == set(COLUMNS[INDICATOR_SHEET])
    assert table.columns["luy_ke_nam"] == headers[4]  # as written, for messages the clerk recognises
    assert table.rows[0][0] == 4  # title, blank, header
    result = check_file(read, b.offline_ref(), AT)
    assert result.messages == []
    assert values(result)["NS01"] == (Decimal("12500.5"), Decimal("61250.5"))


def test_numeric_district_code_cell_keeps_its_code(tmp_path: Path) -> None:
    sheets = b.submission_sheets(b.submission(district="639"))
    sheets["thong_tin"][0][1] = 639  # typed as a number in Excel
    result = checked(b.write_sheets(tmp_path / "s.xlsx", sheets))
    assert (result.outcome, result.district_code) == ("accepted", "639")


def test_json_top_level_keys_win_over_thong_tin(tmp_path: Path) -> None:
    sub = b.submission()
    sub["thong_tin"]["ma_huyen"] = "247"
    path = b.write_json(tmp_path / "s.json", sub)
    read = read_file(path.name, path.read_bytes())
    assert read.info["ma_huyen"] == ("639", None)
    assert (read.kind, read.fmt, sorted(read.tables)) == ("submission", "json", [INDICATOR_SHEET, TASK_SHEET])


def test_plan_file_is_read_as_a_plan(tmp_path: Path) -> None:
    result = checked(b.write_json(tmp_path / "plan.json", b.plan()), at=datetime.fromisoformat(
        "2024-01-05T08:00:00+07:00"))
    assert (result.outcome, result.kind, result.period_code, result.van_ban) == (
        "accepted", "plan", "2024", "2115/QĐ-UBND")
    targets = {r.indicator_code: (r.ke_hoach_nam, r.conversion_factor) for r in result.plan_rows}
    assert targets == {"NS01": (Decimal("150500"), Decimal("1000")), "XH03": (Decimal("4.5"), Decimal("1")),
                       "NN05": (Decimal("95000"), Decimal("1000"))}


# -------------------------------------------------------------------------- rows and units


def test_values_are_converted_to_the_catalog_unit(tmp_path: Path) -> None:
    sub = b.submission()
    b.indicator(sub, "NS01").update(don_vi_tinh="tỷ đồng", thuc_hien_thang="12,5005", luy_ke_nam="61,2505")
    b.indicator(sub, "NN05").update(don_vi_tinh="nghìn con", thuc_hien_thang="92")
    sub["chi_tieu"].append({"ma_chi_tieu": "NN07", "don_vi_tinh": "m²", "thuc_hien_thang": "25.000"})
    result = checked(b.write_json(tmp_path / "s.json", sub))
    assert result.messages == []
    got = values(result)
    assert got["NS01"] == (Decimal("12500.5"), Decimal("61250.5"))
    assert got["NN05"][0] == 92000
    assert got["NN07"][0] == Decimal("2.5")
    nn07 = next(r for r in result.indicator_rows if r.indicator_code == "NN07")
    assert (nn07.don_vi_tinh, nn07.conversion_factor, nn07.thuc_hien_thang_raw) == ("m²", Decimal("0.0001"), "25.000")


def test_unit_factor_and_its_problems() -> None:
    catalog = load_catalog()
    ns01 = catalog.indicators["NS01"]  # triệu đồng
    assert factor_to_catalog_unit(catalog, ns01, "Tỷ  đồng") == (Decimal("1000"), None)
    assert factor_to_catalog_unit(catalog, ns01, "triệu đồng") == (Decimal("1"), None)
    assert factor_to_catalog_unit(catalog, ns01, None) == (None, "UNIT_MISSING")
    assert factor_to_catalog_unit(catalog, ns01, "ha") == (None, "UNIT_NOT_CONVERTIBLE")
    assert factor_to_catalog_unit(catalog, ns01, "đồng La Mã") == (None, "UNIT_NOT_CONVERTIBLE")
    row = IndicatorRow(1, "NS01", None, "tỷ đồng", None, thuc_hien_thang=Decimal("1.5"))
    convert(row, Decimal("1000"), MONTH_VALUE_COLUMNS)
    assert (row.thuc_hien_thang, row.luy_ke_nam, row.conversion_factor) == (Decimal("1500.0"), None, Decimal("1000"))


def test_a_blank_template_row_is_not_reported_not_loaded(tmp_path: Path) -> None:
    sub = b.submission()
    b.indicator(sub, "NN05").pop("thuc_hien_thang")
    result = checked(b.write_json(tmp_path / "s.json", sub))
    assert [m.code for m in result.messages] == ["INDICATOR_NOT_REPORTED"]
    assert "NN05" not in values(result)
    assert any(r.ma_chi_tieu == "NN05" for r in result.indicator_rows)  # staged all the same


def test_task_rows_are_typed(tmp_path: Path) -> None:
    result = checked(b.write_json(tmp_path / "s.json", b.submission()))
    done = next(r for r in result.task_rows if r.ma_nhiem_vu == "3466/QĐ-UBND#13")
    assert (done.trang_thai, done.ngay_hoan_thanh.isoformat(), done.han_hoan_thanh.isoformat()) == (
        "Hoàn thành", "2024-03-28", "2024-03-31")
    first = result.task_rows[0]
    assert (first.tien_do, first.ngay_giao.isoformat()) == (Decimal("60"), "2023-12-22")


def test_typed_row_fields_are_contract_columns() -> None:
    """Every field is a column of its sheet, the text of a value column as typed (`*_raw`), or
    what the checks add (the row number, the catalog code and the unit factor)."""
    added = {"row_number", "indicator_code", "conversion_factor"}
    for row_type, sheet, value_columns in ((IndicatorRow, INDICATOR_SHEET, MONTH_VALUE_COLUMNS),
                                           (PlanRow, PLAN_SHEET, PLAN_VALUE_COLUMNS), (TaskRow, TASK_SHEET, ())):
        allowed = {*COLUMNS[sheet], *(f"{c}_raw" for c in value_columns), *added}
        assert set(field_names(row_type)) <= allowed, row_type
        assert set(REQUIRED_COLUMNS[sheet]) <= set(field_names(row_type)), row_type


def test_contract_names_hold_together() -> None:
    for sheet, columns in COLUMNS.items():
        assert set(REQUIRED_COLUMNS[sheet]) <= set(columns)
        assert KEY_COLUMN[sheet] in REQUIRED_COLUMNS[sheet]
        assert all(fold_key(VI_HEADERS[c]) == c for c in columns), sheet  # the template's header reads back
