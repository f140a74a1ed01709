"""Where a message points, as the clerk sees it: the cell ("ô D13") and the row's indicator or
task (code and name), added to every message of a file once all its checks have run.

The checks name places by sheet, row and column header (what they know); the column's letter
and the row's subject come from the file as read, so every layer (reading, structure, the
Great Expectations suites, the rules) gets them the same way, from this one place."""

from __future__ import annotations

from dataclasses import replace

from etl.domain.catalog import Catalog, indicator_code_key
from etl.domain.contract import INDICATOR_SHEET, PLAN_SHEET, TASK_SHEET
from etl.intake.structure import CheckedFile
from etl.quality.messages import Message


def row_items(checked: CheckedFile, catalog: Catalog) -> dict[tuple[str, int], tuple[str, str | None]]:
    """(sheet as written, row) -> (indicator code or task id, its name or title)."""
    items: dict[tuple[str, int], tuple[str, str | None]] = {}
    for canonical, rows in ((INDICATOR_SHEET, checked.indicator_rows), (PLAN_SHEET, checked.plan_rows)):
        sheet = checked.sheet_names.get(canonical, canonical)
        for r in rows:
            if r.ma_chi_tieu is None:
                continue
            code = indicator_code_key(r.ma_chi_tieu)
            indicator = catalog.indicators.get(code)
            if indicator is not None:
                items[sheet, r.row_number] = (code, indicator.name)
            else:  # unknown to the catalog: as the clerk wrote it
                items[sheet, r.row_number] = (r.ma_chi_tieu, getattr(r, "ten_chi_tieu", None))
    sheet = checked.sheet_names.get(TASK_SHEET, TASK_SHEET)
    for t in checked.task_rows:
        if t.ma_nhiem_vu is not None:
            items[sheet, t.row_number] = (t.ma_nhiem_vu, t.ten_nhiem_vu)
    return items


def locate(checked: CheckedFile, catalog: Catalog) -> None:
    """Give every message of the file its cell and the indicator or task of its row."""
    if not any(m.row is not None and m.sheet is not None for m in checked.messages):
        return  # most files: nothing to place (the rows are only indexed for a file with messages)
    items = row_items(checked, catalog)
    checked.messages = [_located(m, checked, items) for m in checked.messages]


def _located(m: Message, checked: CheckedFile, items: dict[tuple[str, int], tuple[str, str | None]]) -> Message:
    if m.sheet is None or m.row is None:
        return m
    cell = m.cell
    if cell is None and m.column is not None:
        letters = checked.cell_columns.get(m.sheet, {}).get(m.column)
        cell = f"{letters}{m.row}" if letters else None
    code, name = items.get((m.sheet, m.row), (m.item_code, m.item_name))
    return replace(m, cell=cell, item_code=code, item_name=name)
