"""Consistency rules: one case per rule, the seeds' own inconsistencies rebuilt as
submissions, rules across months and tasks, and severities taken from the data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, text

from etl.intake.readers import read_json
from etl.intake.structure import check_file
from etl.quality.expectations import GateItem
from etl.quality.rules import RULES_PATH, evaluate_indicator_rules, load_rules
from etl.warehouse.ingest import FileResult, ingest_paths, load_ref_context
from tests import builders as b

MAY = datetime.fromisoformat("2024-05-16T09:30:00+07:00")
APRIL = datetime.fromisoformat("2024-04-16T09:30:00+07:00")


def sub_with(rows: dict[str, Any], period: str = "2024-05", tasks: list[dict[str, Any]] | None = None) -> dict:
    """A submission with exactly these indicator rows: code -> month value, or (unit, month, ytd)."""
    from etl.domain.catalog import load_catalog

    catalog = load_catalog()
    chi_tieu = []
    for code, spec in rows.items():
        unit, month, ytd = spec if isinstance(spec, tuple) else (catalog.indicators[code].unit, spec, None)
        row = {"ma_chi_tieu": code, "don_vi_tinh": unit}
        if month is not None:
            row["thuc_hien_thang"] = month
        if ytd is not None:
            row["luy_ke_nam"] = ytd
        chi_tieu.append(row)
    return b.submission(period=period, chi_tieu=chi_tieu, nhiem_vu=tasks if tasks is not None else [])


def ingest_one(db: Engine, tmp_path: Path, doc: dict, at: datetime = MAY, name: str = "s.json") -> FileResult:
    [result] = ingest_paths(db, [b.write_json(tmp_path / name, doc)], received_at=at)
    return result


def codes(result: FileResult) -> dict[str, str]:
    return {m["code"]: m["severity"] for m in result.errors + result.warnings}


# ----------------------------------------------------------------------------- one submission

# rule id -> (indicator rows violating it, expected severity, a row set that satisfies it)
SINGLE: dict[str, tuple[dict[str, Any], str, dict[str, Any]]] = {
    # Components that do not add up ("244 + 80 = 324 ≠ 304", seed 003).
    "KT01_COMPONENTS": ({"KT01": "404", "KT02": "244", "KT03": "80", "KT04": "0"}, "error",
                        {"KT01": "324,1", "KT02": "244", "KT03": "80", "KT04": "0"}),
    # Seed 004: 10.075 received, 4.442 + 5.476 + 79 resolved, 73 pending: the balance does not close.
    "TT_BALANCE": ({"TT01": 0, "TT02": "10.075", "TT04": "4.442", "TT05": "5.476", "TT06": 79, "TT07": 73}, "error",
                   {"TT01": 0, "TT02": "10.075", "TT04": "4.442", "TT05": "5.476", "TT06": 79, "TT07": 78}),
    "XH01_LE_XH02": ({"XH01": "24.311", "XH02": "24.310"}, "error", {"XH01": "1.170", "XH02": "24.310"}),
    "HC03_LE_HC02": ({"HC02": 120, "HC03": 121}, "error", {"HC02": 120, "HC03": 120}),
    "TT03_LE_TT02": ({"TT02": "1.200", "TT03": "1.201"}, "error", {"TT02": "1.200", "TT03": "1.100"}),
    "NN08_LE_COMMUNES": ({"NN08": 10}, "error", {"NN08": 9}),  # Chư Pưh has 9 communes
    # Seed 003: 104.538 health-insurance cards for 103.169 residents.
    "XH05_LE_XH06": ({"XH05": "104.538", "XH06": "103.169"}, "warning", {"XH05": "100.538", "XH06": "103.169"}),
    # Seed 004: 2.977/6.193 stated as 32,49 % (the fraction gives 48,07 %).
    "RATE_MATCHES_COMPONENTS": ({"XH01": "2.977", "XH02": "6.193", "XH03": "32,49"}, "error",
                                {"XH01": "2.977", "XH02": "6.193", "XH03": "48,07"}),
}


@pytest.mark.parametrize("rule_id", sorted(SINGLE))
def test_rule_within_one_submission(rule_id: str, db: Engine, tmp_path: Path) -> None:
    bad, severity, good = SINGLE[rule_id]
    result = ingest_one(db, tmp_path, sub_with(bad), name="bad.json")
    assert codes(result).get(f"RULE_{rule_id}") == severity, result.errors + result.warnings
    assert result.status == ("rejected" if severity == "error" else "accepted_with_warnings")
    message = next(m for m in result.errors + result.warnings if m["code"] == f"RULE_{rule_id}")
    assert message["sheet"] == "chi_tieu" and message["row"] is not None
    assert message["column"] == "thuc_hien_thang"
    ok = ingest_one(db, tmp_path, sub_with(good), name="good.json")
    assert f"RULE_{rule_id}" not in codes(ok), ok.errors + ok.warnings
    with db.connect() as conn:
        stored = conn.execute(text("SELECT severity, message_vi FROM ops.validation_message WHERE code = :c"),
                              {"c": f"RULE_{rule_id}"}).one()
    assert stored.severity == severity


def test_rate_message_states_both_numbers_in_vietnamese_notation(db: Engine, tmp_path: Path) -> None:
    result = ingest_one(db, tmp_path, sub_with(SINGLE["RATE_MATCHES_COMPONENTS"][0]))
    [m] = [m for m in result.errors if m["code"] == "RULE_RATE_MATCHES_COMPONENTS"]
    assert "32,49" in m["message"] and "48,07" in m["message"] and "XH03" in m["message"]
    assert m["row"] == 3  # the XH03 row


# ----------------------------------------------------------------------------- across months

CROSS: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "YTD_NOT_DECREASING": ({"NS01": ("triệu đồng", "2.000", "10.000")}, {"NS01": ("triệu đồng", "1.000", "9.000")},
                           "error"),
    "YTD_CONTINUES": ({"NS01": ("triệu đồng", "2.000", "10.000")}, {"NS01": ("triệu đồng", "2.000", "12.500")},
                      "warning"),
    "TT01_OPENS_WITH_PREVIOUS_TT07": ({"TT07": 73}, {"TT01": 80}, "warning"),
    "STOCK_JUMP": ({"NN05": "92.000"}, {"NN05": "150.000"}, "warning"),  # +63 % > 30 %
}


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


def test_january_ytd_is_checked_against_zero_not_december(db: Engine, tmp_path: Path) -> None:
    dec = b.write_json(tmp_path / "dec.json", sub_with({"NS01": ("triệu đồng", "30.000", "300.000")}, "2023-12"))
    jan = b.write_json(tmp_path / "jan.json", sub_with({"NS01": ("triệu đồng", "25.000", "25.000")}, "2024-01"))
    results = ingest_paths(db, [dec, jan], received_at=datetime.fromisoformat("2024-01-16T08:00:00+07:00"))
    assert [r.status for r in results] == ["accepted", "accepted"], [r.errors + r.warnings for r in results]


# ----------------------------------------------------------------------------- tasks

def _task(task_id: str, status: str, deadline: str | None = "30/06/2024", done: str | None = None) -> dict:
    row = {"ma_nhiem_vu": task_id, "ten_nhiem_vu": f"Nhiệm vụ {task_id}", "co_quan_giao": "UBND tỉnh",
           "ngay_giao": "05/01/2024", "trang_thai": status}
    if deadline:
        row["han_hoan_thanh"] = deadline
    if done:
        row["ngay_hoan_thanh"] = done
    return row


TASKS: dict[str, tuple[list[dict], list[dict], str]] = {
    "TASK_REOPENED": ([_task("A", "Hoàn thành", done="10/04/2024")], [_task("A", "Đang thực hiện")], "trang_thai"),
    "TASK_DISAPPEARED": ([_task("A", "Đang thực hiện"), _task("B", "Đang thực hiện")],
                         [_task("A", "Đang thực hiện")], ""),
    "TASK_DEADLINE_CHANGED": ([_task("A", "Đang thực hiện")], [_task("A", "Đang thực hiện", deadline="31/08/2024")],
                              "han_hoan_thanh"),
}


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
    ingest_one(db, tmp_path, sub_with({"NN05": 100}, "2024-04", [_task("A", "Hoàn thành", done="01/04/2024")]),
               at=APRIL, name="april.json")
    assert ingest_one(db, tmp_path, sub_with({"NN05": 100}, tasks=[]), name="may.json").status == "accepted"


# ----------------------------------------------------------------------------- coverage, data, batches

def test_every_rule_has_a_case() -> None:
    rules, task_rules = load_rules()
    assert {r.id for r in rules} == set(SINGLE) | set(CROSS)
    assert set(task_rules) == set(TASKS)


def test_severity_comes_from_the_data(db: Engine, tmp_path: Path) -> None:
    data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    for rule in data["rules"]:
        if rule["id"] == "XH05_LE_XH06":
            rule["severity"] = "error"
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rules, _ = load_rules(path)
    ref = load_ref_context(db)
    doc = sub_with(SINGLE["XH05_LE_XH06"][0])
    checked = check_file(read_json(b.write_json(tmp_path / "s.json", doc).read_bytes()), ref, MAY)
    items = [GateItem(1, "s.json", MAY, checked)]
    with db.connect() as conn:
        evaluate_indicator_rules(items, ref, conn, rules)
    assert [(m.code, m.severity) for m in checked.messages] == [("RULE_XH05_LE_XH06", "error")]
    assert checked.outcome == "rejected"


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


