"""Issue 14, point 4: a row deleted from the template is not silent. `baocao template` marks its
file (thong_tin mau_bao_cao) and lists every indicator the unit's level reports; an indicator
whose row was deleted is listed as not reported, beside the rows left blank. A commune's template
has no district-only indicator, so a blank commune template raises nothing about levels."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import Engine

from etl.domain.catalog import load_catalog
from etl.domain.contract import reporting_level
from etl.intake.structure import template_indicators
from etl.reporting.template import write_template
from etl.warehouse.ingest import ingest_paths
from tests import builders as b

AT = datetime.fromisoformat("2024-05-16T09:30:00+07:00")


def _filled_template(db: Engine, tmp_path: Path, unit: str, period: str, values: dict[str, float],
                     delete: tuple[str, ...] = (), unmark: bool = False) -> Path:
    path = tmp_path / f"{unit}_{period}.xlsx"
    write_template(db, unit, period, path)
    wb = load_workbook(path)
    sheet = wb["chi_tieu"]
    for row in range(sheet.max_row, 1, -1):
        code = sheet.cell(row, 1).value
        if code in delete:
            sheet.delete_rows(row)
        elif code in values:
            sheet.cell(row, 4).value = values[code]
    if unmark:
        info = wb["thong_tin"]
        for row in range(1, info.max_row + 1):
            if info.cell(row, 1).value == "mau_bao_cao":
                info.delete_rows(row)
                break
    wb.save(path)
    return path


def _not_reported(result: object) -> dict[str, object]:
    [warning] = [m for m in result.warnings if m["code"] == "INDICATOR_NOT_REPORTED"]  # type: ignore[attr-defined]
    return warning


def test_a_row_deleted_from_the_template_is_listed_as_not_reported(db: Engine, tmp_path: Path) -> None:
    path = _filled_template(db, tmp_path, b.CHU_PUH, "2024-05", {"NN05": 92000, "XH02": 24310},
                            delete=("XH01", "GD01"))
    [result] = ingest_paths(db, [path], received_at=AT)
    assert result.status == "accepted_with_warnings", result.errors
    warning = _not_reported(result)
    expected = template_indicators(load_catalog(), reporting_level(b.CHU_PUH))
    listed = set(str(warning["found"]).split(", "))
    assert listed == set(expected) - {"NN05", "XH02"}  # blank rows and deleted rows alike
    assert "không có dòng trong tệp (dòng của mẫu đã bị xóa): XH01, GD01" in str(warning["message"])
    assert "để trống:" in str(warning["message"])


def test_an_old_template_without_the_mark_is_still_recognised(db: Engine, tmp_path: Path) -> None:
    path = _filled_template(db, tmp_path, b.CHU_PUH, "2024-05", {"NN05": 92000}, delete=("XH01",), unmark=True)
    [result] = ingest_paths(db, [path], received_at=AT)
    assert "XH01" in str(_not_reported(result)["found"])


def test_a_file_of_a_few_rows_of_its_own_is_not_a_template(db: Engine, tmp_path: Path) -> None:
    [result] = ingest_paths(db, [b.write_submission_xlsx(tmp_path / "s.xlsx", b.submission())], received_at=AT)
    assert result.status == "accepted", [m["code"] for m in result.warnings]


def test_a_communes_template_lists_only_what_communes_report(db: Engine, tmp_path: Path) -> None:
    commune = "23942"  # Xã Chư Pưh, from 1/7/2025
    path = _filled_template(db, tmp_path, commune, "2025-08", {"NN05": 1200})
    codes = {row[0].value for row in load_workbook(path)["chi_tieu"].iter_rows(min_row=2)}
    assert codes == set(template_indicators(load_catalog(), "commune")) and "NN08" not in codes
    [result] = ingest_paths(db, [path], received_at=datetime.fromisoformat("2025-08-16T09:30:00+07:00"))
    assert result.status == "accepted_with_warnings" and result.errors == []
    assert [m["code"] for m in result.warnings] == ["INDICATOR_NOT_REPORTED"]
