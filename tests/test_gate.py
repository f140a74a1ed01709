"""The quality gate through ingest: every layer's timing reported, messages stored with
their layer and expectation, Data Docs written, a broken suite quarantines. The suites on
typed rows, without a database, are tested in tests/unit/test_gate.py."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from etl.quality import expectations
from etl.warehouse.ingest import files_from_paths, ingest_files, ingest_paths
from tests import builders as b

MAY = datetime.fromisoformat("2024-05-16T09:30:00+07:00")


def test_each_layer_is_timed(db: Engine, tmp_path: Path) -> None:
    timings: Counter[str] = Counter()
    files = files_from_paths([b.write_json(tmp_path / "s.json", b.submission())], MAY)
    [result] = ingest_files(db, files, timings=timings)
    assert result.status == "accepted"
    assert timings["gate_expectations_s"] > 0 and timings["gate_rules_s"] > 0


def test_failures_are_stored_with_their_layer_and_expectation(db: Engine, tmp_path: Path) -> None:
    sheets = b.submission_sheets(b.submission())
    sheets["chi_tieu"][0] = ["Mã chỉ tiêu", "Tên", "Đơn vị tính", "Thực hiện tháng", "Lũy kế năm", "Ghi chú"]
    sheets["chi_tieu"][7][3] = "1,5"  # XH01 in hộ, row 8
    sheets["nhiem_vu"][2][6] = "Xong rồi"  # status of the second task, row 3
    good = b.write_json(tmp_path / "good.json", b.submission(district="637"))
    bad = b.write_sheets(tmp_path / "bad.xlsx", sheets)
    results = {r.file: r for r in ingest_paths(db, [good, bad], received_at=MAY)}
    assert results["good.json"].status == "accepted"
    got = {(m["code"], m["sheet"], m["row"], m["column"], m["found"]) for m in results["bad.xlsx"].errors}
    assert got == {
        ("VALUE_NOT_INTEGER", "chi_tieu", 8, "Thực hiện tháng", "1,5"),
        ("TASK_STATUS_INVALID", "nhiem_vu", 3, "trang_thai", "Xong rồi"),
    }
    with db.connect() as conn:
        stored = conn.execute(text("SELECT code, source, rule_id FROM ops.validation_message ORDER BY 1")).all()
    assert [tuple(r) for r in stored] == [
        ("TASK_STATUS_INVALID", "expectation", "expect_column_values_to_be_in_set"),
        ("VALUE_NOT_INTEGER", "expectation", "expect_column_values_to_be_in_set"),
    ]


def test_data_docs_are_written(db: Engine, tmp_path: Path) -> None:
    ingest_paths(db, [b.write_json(tmp_path / "s.json", b.submission())], received_at=MAY, data_docs=True)
    index = expectations.data_docs_dir() / "index.html"
    assert index.exists()
    html = index.read_text(encoding="utf-8")
    assert "indicator_rows" in html and "task_rows" in html


def test_a_suite_that_cannot_run_quarantines_the_batch(db: Engine, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    b.break_a_suite(tmp_path, monkeypatch)
    paths = [b.write_json(tmp_path / f"{c}.json", b.submission(district=c)) for c in ("637", "639")]
    results = ingest_paths(db, paths, received_at=MAY)
    assert [r.status for r in results] == ["rejected", "rejected"]
    assert {r.errors[0]["code"] for r in results} == {"INTERNAL_ERROR"}
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM raw.file")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM core.fct_indicator_value")).scalar() == 0
