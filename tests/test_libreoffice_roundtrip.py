"""Issue 14: the template as a clerk's office suite gives it back. `baocao template` filled with a
handful of the seed's real figures (Yên Thế, 12/2023) and saved again by LibreOffice headless as
.xlsx, .xls (MS Excel 97) and .ods loads the figures that were typed, each from its row.

Always: the files LibreOffice made, checked in under tests/fixtures/office/ (make_fixtures.py says
how; it also holds the values typed and the figures expected, which both sides use). With soffice
installed (`make test` installs it as root on Debian): the same steps live, and two mistakes a
clerk makes (a unit of another kind, a malformed number) that LibreOffice keeps as typed and the
warehouse reports with their code, row and column. Messages are compared by their fields, never by
their text."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from etl.cli import app
from etl.domain.contract import INDICATOR_SHEET, TASK_SHEET
from etl.domain.text import fold_key
from etl.warehouse.ingest import ingest_paths
from tests.fixtures.office import make_fixtures as mf

needs_soffice = pytest.mark.skipif(
    mf.soffice() is None,
    reason="LibreOffice headless (soffice) is not installed; `make test` installs libreoffice-calc-nogui as root")

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The clerk's mistakes: indicator -> (column, what is typed, the error it must give).
MISTAKES = {
    "NS01": ("don_vi_tinh", "con", "UNIT_NOT_CONVERTIBLE"),  # a head count's unit on money
    "XH02": ("thuc_hien_thang", "1.234,5,6", "VALUE_MALFORMED"),
}


def _figures(db: Engine, submission_id: int) -> list[tuple[Any, ...]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(text("""
            SELECT indicator_code, value, ytd_value, submitted_unit, value_source, ytd_source
            FROM core.fct_indicator_value WHERE submission_id = :s ORDER BY indicator_code"""), {"s": submission_id})]


def _source_rows(db: Engine, submission_id: int) -> dict[str, int]:
    with db.connect() as conn:
        rows = conn.execute(text("SELECT indicator_code, source_row FROM core.fct_indicator_value "
                                 "WHERE submission_id = :s"), {"s": submission_id})
        return {code: row for code, row in rows}


def _tasks(db: Engine, submission_id: int) -> list[tuple[Any, ...]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(text("""
            SELECT t.ma_nhiem_vu, t.co_quan_giao, t.van_ban_giao, t.han_hoan_thanh, s.trang_thai, s.tien_do
            FROM core.fct_task_snapshot AS s JOIN core.dim_task AS t USING (task_key)
            WHERE s.submission_id = :s ORDER BY t.ma_nhiem_vu"""), {"s": submission_id})]


def _submission(db: Engine, submission_id: int) -> dict[str, Any]:
    with db.connect() as conn:
        row = conn.execute(text("""
            SELECT district_code, source_format, ngay_lap, nguoi_lap, email_lien_he
            FROM core.fct_submission WHERE submission_id = :s"""), {"s": submission_id}).one()
        return dict(row._mapping)


def _place(m: dict[str, Any]) -> tuple[str, str | None, int | None, str | None]:
    """A message's code and place; the column folded to the contract's name ('Đơn vị tính' = don_vi_tinh)."""
    return (m["code"], m["sheet"], m["row"], fold_key(m["column"]) if m["column"] else None)


def assert_loaded_as_filled(db: Engine, result: dict[str, Any], path: Path, fmt: str) -> None:
    """The file gave exactly the figures, tasks and details typed in (make_fixtures), each from its row."""
    assert result["status"] == "accepted_with_warnings", result  # blank template rows always warn
    assert result["errors"] == []
    assert (result["district_code"], result["period"]) == (mf.UNIT, mf.PERIOD)
    rows = mf.indicator_rows(path)
    assert sorted(m["code"] for m in result["warnings"]) == sorted(
        ["INDICATOR_NOT_REPORTED"] + ["YTD_PREVIOUS_MISSING"] * len(mf.YTD_ONLY)), result["warnings"]
    ytd_places = {_place(m) for m in result["warnings"] if m["code"] == "YTD_PREVIOUS_MISSING"}
    assert ytd_places == {("YTD_PREVIOUS_MISSING", INDICATOR_SHEET, rows[c], mf.YTD) for c in mf.YTD_ONLY}
    [not_reported] = [m for m in result["warnings"] if m["code"] == "INDICATOR_NOT_REPORTED"]
    assert set(re.findall(r"\b[A-Z]{2}\d{2}\b", not_reported["found"])) == set(rows) - {f.code for f in mf.FILLED}

    sid = result["submission_id"]
    assert _figures(db, sid) == mf.FIGURES
    assert _source_rows(db, sid) == {f.code: rows[f.code] for f in mf.FILLED}
    assert _tasks(db, sid) == mf.TASK_FIGURES
    assert _submission(db, sid) == {"district_code": mf.UNIT, "source_format": fmt, **mf.INFO_FIGURES}


def _written_by_libreoffice(path: Path, fmt: str) -> bool:
    data = path.read_bytes()
    if fmt == "xls":  # BIFF8 in a compound file; LibreOffice leaves no name in it
        return data.startswith(OLE2)
    with zipfile.ZipFile(path) as zf:
        meta = zf.read("docProps/app.xml" if fmt == "xlsx" else "meta.xml").decode("utf-8")
    return "LibreOffice/" in meta


@pytest.mark.parametrize("fmt", mf.FORMATS)
def test_a_checked_in_libreoffice_file_loads_the_figures_typed(db: Engine, tmp_path: Path, fmt: str) -> None:
    fixture = mf.FIXTURES[fmt]
    assert _written_by_libreoffice(fixture, fmt), f"{fixture.name} was not saved by LibreOffice"
    path = tmp_path / fixture.name
    shutil.copyfile(fixture, path)
    [result] = ingest_paths(db, [path], received_at=mf.RECEIVED_AT, operator="test")
    assert_loaded_as_filled(db, result.as_json(), path, fmt)


@pytest.mark.parametrize("fmt", mf.FORMATS)
def test_libreoffice_keeps_codes_as_text_and_dates_as_typed(fmt: str) -> None:
    """What the re-save keeps: the unit code and month stay text ('215', never 215), a deadline typed
    as a date stays a date, one typed as text stays text."""
    book = CalamineWorkbook.from_path(str(mf.FIXTURES[fmt]))
    assert book.sheet_names == ["thong_tin", INDICATOR_SHEET, TASK_SHEET]
    info = {row[0]: row[1] for row in book.get_sheet_by_name("thong_tin").to_python() if row and row[0]}
    assert (info["ma_huyen"], info["ky_bao_cao"], info["ngay_lap"]) == (mf.UNIT, mf.PERIOD, "28/12/2023")
    tasks = book.get_sheet_by_name(TASK_SHEET).to_python()
    deadlines = [row[5] for row in tasks[1:] if row and row[0]]
    assert [type(d) for d in deadlines] in ([date, str], [datetime, str]), deadlines
    assert deadlines[1] == "31/12/2023"


def _template(cli: CliRunner, tmp_path: Path) -> Path:
    template = tmp_path / "template" / f"{mf.NAME}.xlsx"
    result = cli.invoke(app, ["template", "--unit", mf.UNIT, "--period", mf.PERIOD, "-o", str(template)])
    assert result.exit_code == 0, result.output
    return template


def _ingest(cli: CliRunner, path: Path) -> tuple[int, dict[str, Any]]:
    result = cli.invoke(app, ["ingest", str(path), "--received-at", mf.RECEIVED_AT.isoformat(), "--json"])
    [out] = json.loads(result.output)
    return result.exit_code, out


@needs_soffice
@pytest.mark.parametrize("fmt", mf.FORMATS)
def test_the_template_filled_and_resaved_by_libreoffice_loads_the_same_figures(
        db: Engine, cli_runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    filled = tmp_path / "filled" / f"{mf.NAME}.xlsx"
    filled.parent.mkdir()
    mf.fill_template(_template(cli_runner, tmp_path), filled)
    resaved = mf.convert(filled, fmt, tmp_path / "libreoffice", tmp_path)
    assert _written_by_libreoffice(resaved, fmt)
    exit_code, result = _ingest(cli_runner, resaved)
    assert exit_code == 0, result
    assert_loaded_as_filled(db, result, resaved, fmt)


@needs_soffice
@pytest.mark.parametrize("fmt", mf.FORMATS)
def test_a_clerks_mistakes_survive_the_resave_and_are_reported_at_their_row(
        db: Engine, cli_runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    filled = tmp_path / "filled" / f"{mf.NAME}.xlsx"
    filled.parent.mkdir()
    mf.fill_template(_template(cli_runner, tmp_path), filled)
    book = openpyxl.load_workbook(filled)
    sheet = book[INDICATOR_SHEET]
    letters = {fold_key(str(c.value)): c.column_letter for c in sheet[1] if c.value}
    rows = {str(r[0].value): r[0].row for r in sheet.iter_rows(min_row=2, max_col=1) if r[0].value}
    for code, (column, typed, _error) in MISTAKES.items():
        sheet[f"{letters[column]}{rows[code]}"] = typed
    book.save(filled)

    resaved = mf.convert(filled, fmt, tmp_path / "libreoffice", tmp_path)
    exit_code, result = _ingest(cli_runner, resaved)
    assert (exit_code, result["status"]) == (1, "rejected"), result
    assert mf.indicator_rows(resaved) == rows  # LibreOffice moved no row
    errors = {_place(m): m for m in result["errors"]}
    expected = {(error, INDICATOR_SHEET, rows[code], column): typed
                for code, (column, typed, error) in MISTAKES.items()}
    assert set(errors) == set(expected), result["errors"]
    for place, typed in expected.items():
        m = errors[place]
        assert m["severity"] == "error" and m["found"] == typed  # kept as the clerk typed it
        column = place[3]
        assert m.get("cell") in (None, f"{letters[column]}{place[2]}")  # the cell, once messages carry it
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM core.fct_indicator_value")).scalar() == 0


@needs_soffice
@pytest.mark.parametrize("fmt", mf.FORMATS)
def test_a_communes_code_keeps_its_leading_zero_through_libreoffice(
        db: Engine, cli_runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    template = tmp_path / "template" / "07246_2025-07.xlsx"
    made = cli_runner.invoke(app, ["template", "--unit", "07246", "--period", "2025-07", "-o", str(template)])
    assert made.exit_code == 0, made.output
    resaved = mf.convert(template, fmt, tmp_path / "libreoffice", tmp_path)
    info = CalamineWorkbook.from_path(str(resaved)).get_sheet_by_name("thong_tin").to_python()
    assert [row[:2] for row in info[:2]] == [["ma_don_vi", "07246"], ["ky_bao_cao", "2025-07"]]
    _exit_code, result = _ingest(cli_runner, resaved)
    assert (result["district_code"], result["period"]) == ("07246", "2025-07"), result
