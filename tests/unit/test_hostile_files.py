"""Hostile and ambiguous files, generated here: each is refused with the exact code and place,
read_file + check_file never raise, and the sheets beyond the limits never reach python-calamine."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from etl.intake import readers
from etl.intake.limits import MAX_JSON_DEPTH, MAX_SHEET_ROWS, MAX_TASK_ID_CHARS
from etl.intake.readers import read_file
from etl.intake.structure import CheckedFile, check_file
from etl.quality.messages import CODES, Message
from tests import builders as b
from tests.hostile import (
    CORPUS,
    INDICATOR_PART,
    LIBREOFFICE_TAIL,
    cell_replaced,
    far_space_cell,
    json_bytes,
    million_rows,
    ods,
    ods_renamed,
    patched,
    sheets_with_extra,
    task_with,
    xlsx,
)

AT = datetime.fromisoformat("2024-05-16T09:30:00+07:00")
ROOT = Path(__file__).resolve().parents[2]


def check(name: str, data: bytes) -> CheckedFile:
    return check_file(read_file(name, data), b.offline_ref(), AT)


def only(result: CheckedFile, code: str) -> Message:
    found = [m for m in result.messages if m.code == code]
    assert found, f"{code} not reported; got {[(m.code, m.message) for m in result.messages]}"
    assert all(m.code in CODES for m in result.messages)
    assert result.outcome == "rejected"
    assert not re.search(r"\{[a-z_]+\}", found[0].message + found[0].message_en)
    return found[0]


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_hostile_file_is_refused_with_its_code_and_place(case: str) -> None:
    name, build, code, place = CORPUS[case]
    message = only(check(name, build()), code)
    if place is not None:
        assert (message.sheet, message.row, message.column) == place, message
    assert "\x00" not in message.message and not re.search("[\ud800-\udfff]", message.message)


def test_far_cell_is_named_and_calamine_is_never_asked_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = readers.CalamineWorkbook

    class Spy:
        @staticmethod
        def from_filelike(f: Any) -> Any:
            wb = real.from_filelike(f)

            class Workbook:
                sheet_names = wb.sheet_names
                sheets_metadata = wb.sheets_metadata

                @staticmethod
                def get_sheet_by_name(name: str) -> Any:
                    asked.append(name)
                    return wb.get_sheet_by_name(name)

            return Workbook()

    monkeypatch.setattr(readers, "CalamineWorkbook", Spy)
    message = only(check("s.xlsx", far_space_cell()), "FILE_SHEET_TOO_LARGE")
    assert message.found == "XFD1048576" and "ô XFD1048576" in message.message
    assert "chi_tieu" not in asked
    rows = only(check("s.xlsx", million_rows()), "FILE_SHEET_TOO_LARGE")
    assert rows.found == f"A{MAX_SHEET_ROWS + 1}"
    assert "chi_tieu" not in asked


def _peak_rss_mib(builder: str) -> float:
    """Peak resident memory of a fresh process that reads the file (the build happens first,
    in the same process, so the figure bounds building plus reading)."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent (pytest) across exec.
    code = (
        "import re\n"
        "from tests.hostile import far_space_cell, million_rows\n"
        "from tests.unit.test_hostile_files import check\n"
        f"data = {builder}()\n"
        "check('s.xlsx', data)\n"
        "print(int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]) / 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=True)
    return float(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("builder", ["far_space_cell", "million_rows"])
def test_far_cells_are_refused_with_bounded_memory(builder: str) -> None:
    # Before: 549.755.813.888 cells (abort) and 5,2 GiB; the process imports pandas and GX's deps.
    assert _peak_rss_mib(builder) < 600


def test_deep_json_never_raises_recursion_error() -> None:
    for depth in (MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 10**6):
        data = b'{"ma_huyen": "639", "chi_tieu": ' + b"[" * depth + b"]" * depth + b"}"
        result = check("s.json", data)
        assert ("FILE_JSON_TOO_DEEP" in {m.code for m in result.messages}) == (depth + 1 > MAX_JSON_DEPTH)


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    sub = task_with(ghi_chu="[" * 1000 + '\\"{' * 100)
    assert "FILE_JSON_TOO_DEEP" not in {m.code for m in check("s.json", json_bytes(sub)).messages}


def test_task_id_at_the_limit_is_accepted() -> None:
    result = check("s.json", json_bytes(task_with(ma_nhiem_vu="Đ" * MAX_TASK_ID_CHARS)))
    assert "TASK_ID_TOO_LONG" not in {m.code for m in result.messages}


def test_hidden_sheet_is_named_as_hidden() -> None:
    message = only(check("s.xlsx", sheets_with_extra("Chỉ tiêu", hidden=True)), "FILE_SHEET_AMBIGUOUS")
    assert "'chi_tieu'" in message.message and "'Chỉ tiêu' (đang ẩn)" in message.message


def test_ods_renamed_xlsx_is_named_as_opendocument() -> None:
    message = only(check("s.xlsx", ods()), "FILE_FORMAT_MISMATCH")
    assert "OpenDocument" in message.message and ".xlsx" in message.message and ".ods" in message.message


def test_ods_without_sheets_is_corrupt() -> None:
    assert only(check("s.ods", ods_renamed()), "FILE_CORRUPT")


def test_libreoffice_tail_of_empty_rows_is_accepted() -> None:
    assert check("s.ods", ods(tail=LIBREOFFICE_TAIL)).outcome == "accepted"


def test_error_cell_names_cell_and_error() -> None:
    data = patched(xlsx(), INDICATOR_PART, cell_replaced("D7", '<c r="D7" t="e"><f>1/0</f><v>#DIV/0!</v></c>'))
    message = only(check("s.xlsx", data), "CELL_ERROR_VALUE")
    assert message.found == "#DIV/0!" and "Ô D7" in message.message


def test_values_refused_are_not_kept() -> None:
    """What a reader refuses is not passed on (staging, the gate), only shown safely in the message."""
    result = check("s.json", json_bytes(task_with(ten_nhiem_vu="a\u0000b", ma_nhiem_vu="x" * 300,
                                                  han_hoan_thanh="30/06/2925")))
    row = result.task_rows[0]
    assert row.ten_nhiem_vu is None and row.ma_nhiem_vu is None and row.han_hoan_thanh is None
    [nul] = [m for m in result.messages if m.code == "TEXT_INVALID_CHARACTER"]
    assert nul.found == "a<U+0000>b" and "U+0000" in nul.message
