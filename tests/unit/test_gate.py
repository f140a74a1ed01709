"""The Great Expectations side of the gate on typed rows, without a database: suites load
whole, one validation per suite per batch, failures mapped to their cell. tests/test_gate.py
runs the gate through ingest: messages stored, Data Docs written, a broken suite quarantines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.paths import EXPECTATIONS_DIR
from etl.quality import expectations
from tests import builders as b
from tests.unit.test_rules import gate


def _validation_count() -> int:
    return len(expectations.suites().context.validation_results_store.list_keys())


def test_suites_load_every_expectation() -> None:
    loaded = expectations.suites()
    for path in EXPECTATIONS_DIR.glob("*.json"):
        spec = json.loads(path.read_text(encoding="utf-8"))
        suite = loaded.definitions[spec["name"]].suite
        assert len(suite.expectations) == len(spec["expectations"])
        assert all(e.meta.get("code") for e in suite.expectations), "every expectation names its message code"


def test_a_misspelt_expectation_type_is_refused(tmp_path: Path) -> None:
    spec = json.loads((EXPECTATIONS_DIR / "plan_rows.json").read_text(encoding="utf-8"))
    spec["expectations"][0]["type"] = "expect_column_values_to_be_betwen"
    (tmp_path / "plan_rows.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ValueError, match="loaded 3 of 4"):
        expectations.suites(tmp_path)


def test_one_validation_per_suite_for_a_whole_batch() -> None:
    files: dict[str, dict | bytes] = {f"{code}.json": b.submission(district=code) for code in ("637", "638", "639")}
    files["plan.json"] = b.plan()
    before = _validation_count()
    results = gate(files)
    assert {c.outcome for c in results.values()} == {"accepted"}
    assert _validation_count() - before == 3  # indicator_rows, task_rows, plan_rows: once each


def test_failures_map_back_to_file_sheet_row_and_column(tmp_path: Path) -> None:
    sheets = b.submission_sheets(b.submission())
    sheets["chi_tieu"][0] = ["Mã chỉ tiêu", "Tên", "Đơn vị tính", "Thực hiện tháng", "Lũy kế năm", "Ghi chú"]
    sheets["chi_tieu"][7][3] = "1,5"  # XH01 in hộ, row 8
    sheets["nhiem_vu"][2][6] = "Xong rồi"  # status of the second task, row 3
    bad = b.write_sheets(tmp_path / "bad.xlsx", sheets).read_bytes()
    results = gate({"good.json": b.submission(district="637"), "bad.xlsx": bad})
    assert results["good.json"].outcome == "accepted"
    got = {(m.code, m.sheet, m.row, m.column, m.found) for m in results["bad.xlsx"].messages if m.severity == "error"}
    assert got == {
        ("VALUE_NOT_INTEGER", "chi_tieu", 8, "Thực hiện tháng", "1,5"),
        ("TASK_STATUS_INVALID", "nhiem_vu", 3, "trang_thai", "Xong rồi"),
    }
