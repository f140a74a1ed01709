"""Consistency rules through ingest, against the warehouse: messages stored with their
severity, the previous month and task history read from the warehouse, a batch with one
inconsistent file. The rules themselves, case by case, are tested on typed rows in
tests/unit/test_rules.py."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from etl.warehouse.ingest import FileResult, ingest_paths
from tests import builders as b
from tests.unit.test_rules import APRIL, CROSS, MAY, SINGLE, TASKS, sub_with, task_row


def ingest_one(db: Engine, tmp_path: Path, doc: dict, at: datetime = MAY, name: str = "s.json") -> FileResult:
    [result] = ingest_paths(db, [b.write_json(tmp_path / name, doc)], received_at=at)
    return result


def codes(result: FileResult) -> dict[str, str]:
    return {m["code"]: m["severity"] for m in result.errors + result.warnings}


# ----------------------------------------------------------------------------- one submission

def test_rule_messages_are_stored_with_their_severity(db: Engine, tmp_path: Path) -> None:
    bad = {rule_id: b.write_json(tmp_path / f"bad_{rule_id}.json", sub_with(SINGLE[rule_id][0])) for rule_id in SINGLE}
    results = {r.file: r for r in ingest_paths(db, list(bad.values()), received_at=MAY)}
    good = [b.write_json(tmp_path / f"good_{rule_id}.json", sub_with(SINGLE[rule_id][2])) for rule_id in SINGLE]
    for result in ingest_paths(db, good, received_at=MAY):
        assert not {c for c in codes(result) if c.startswith("RULE_")}, result.errors + result.warnings
    for rule_id, (_, severity, _) in SINGLE.items():
        result = results[f"bad_{rule_id}.json"]
        assert codes(result).get(f"RULE_{rule_id}") == severity, result.errors + result.warnings
        assert result.status == ("rejected" if severity == "error" else "accepted_with_warnings")
        with db.connect() as conn:
            stored = conn.execute(text("SELECT severity, message_vi FROM ops.validation_message WHERE code = :c"),
                                  {"c": f"RULE_{rule_id}"}).one()
        assert stored.severity == severity


# ----------------------------------------------------------------------------- the warehouse's previous month

@pytest.mark.parametrize("rule_id", sorted(CROSS))
@pytest.mark.parametrize("same_batch", [False, True], ids=["april-in-warehouse", "april-in-same-batch"])
def test_rule_across_months(rule_id: str, same_batch: bool, db: Engine, tmp_path: Path) -> None:
    april, may, severity = CROSS[rule_id]
    april_path = b.write_json(tmp_path / "april.json", sub_with(april, period="2024-04"))
    may_path = b.write_json(tmp_path / "may.json", sub_with(may))
    if same_batch:
        results = {r.file: r for r in ingest_paths(db, [april_path, may_path], received_at=MAY)}
    else:
        results = {"april.json": ingest_paths(db, [april_path], received_at=APRIL)[0],
                   "may.json": ingest_paths(db, [may_path], received_at=MAY)[0]}
    assert results["april.json"].status == "accepted"
    assert codes(results["may.json"]).get(f"RULE_{rule_id}") == severity


@pytest.mark.parametrize("code", sorted(TASKS))
def test_task_history_rule(code: str, db: Engine, tmp_path: Path) -> None:
    april, may, column = TASKS[code]
    ingest_one(db, tmp_path, sub_with({"NN05": 100}, "2024-04", april), at=APRIL, name="april.json")
    result = ingest_one(db, tmp_path, sub_with({"NN05": 100}, tasks=may), name="may.json")
    assert codes(result) == {code: "warning"}
    [m] = result.warnings
    assert (m["column"] or "") == column
    assert result.status == "accepted_with_warnings"


def test_done_task_that_disappears_is_fine(db: Engine, tmp_path: Path) -> None:
    ingest_one(db, tmp_path, sub_with({"NN05": 100}, "2024-04", [task_row("A", "Hoàn thành", done="01/04/2024")]),
               at=APRIL, name="april.json")
    assert ingest_one(db, tmp_path, sub_with({"NN05": 100}, tasks=[]), name="may.json").status == "accepted"


# ----------------------------------------------------------------------------- batches

def test_one_inconsistent_file_in_a_batch_of_many(db: Engine, tmp_path: Path) -> None:
    from etl.domain import admin_units
    folder = tmp_path / "batch"
    folder.mkdir()
    districts = admin_units.legacy_districts()
    gia_lai = list(districts[districts["province_code"] == "64"]["district_code"])
    for code in gia_lai:
        b.write_json(folder / f"{code}.json", b.submission(district=code))
    bad = b.submission(district=gia_lai[3])
    b.indicator(bad, "KT01")["thuc_hien_thang"] = "500"
    b.write_json(folder / f"{gia_lai[3]}.json", bad)
    results = {r.file: r for r in ingest_paths(db, [folder], received_at=MAY)}
    assert results[f"{gia_lai[3]}.json"].status == "rejected"
    assert sum(r.status == "accepted" for r in results.values()) == len(gia_lai) - 1
    with db.connect() as conn:
        report = conn.execute(text("""
            SELECT m.code, m.sheet, m.row_number, o.quarantined FROM ops.validation_message m
            JOIN ops.file_outcome o USING (file_id) JOIN raw.file f USING (file_id) WHERE f.file_name = :n"""),
            {"n": f"{gia_lai[3]}.json"}).all()
        loaded = conn.execute(text("SELECT count(DISTINCT district_code) FROM core.indicator_value_current")).scalar()
    assert [tuple(r) for r in report] == [("RULE_KT01_COMPONENTS", "chi_tieu", 2, True)]
    assert loaded == len(gia_lai) - 1
