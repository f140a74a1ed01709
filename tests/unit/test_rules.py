"""Consistency rules on typed rows, without a database: one case per rule, the seeds' own
inconsistencies rebuilt as submissions, rules across months (the previous month from the
same batch or from a History built here), tasks, and severities taken from the data.
tests/test_rules.py runs the same rules through ingest, against the warehouse."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from etl.domain.catalog import load_catalog
from etl.intake.readers import read_file
from etl.intake.structure import CheckedFile, check_file
from etl.quality import expectations, rules
from etl.quality.gate import GateItem
from etl.quality.history import History, submitted_values, task_states
from etl.quality.rules import RULES_PATH, evaluate_indicator_rules, load_rules
from tests import builders as b

MAY = datetime.fromisoformat("2024-05-16T09:30:00+07:00")
APRIL = datetime.fromisoformat("2024-04-16T09:30:00+07:00")
APRIL_KEY = (b.CHU_PUH, 202404)


def sub_with(rows: dict[str, Any], period: str = "2024-05", tasks: list[dict[str, Any]] | None = None) -> dict:
    """A submission with exactly these indicator rows: code -> month value, or (unit, month, ytd)."""
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


def task_row(task_id: str, status: str, deadline: str | None = "30/06/2024", done: str | None = None) -> dict:
    row = {"ma_nhiem_vu": task_id, "ten_nhiem_vu": f"Nhiệm vụ {task_id}", "co_quan_giao": "UBND tỉnh",
           "ngay_giao": "05/01/2024", "trang_thai": status}
    if deadline:
        row["han_hoan_thanh"] = deadline
    if done:
        row["ngay_hoan_thanh"] = done
    return row


def gate_items(files: dict[str, dict | bytes], at: datetime = MAY) -> list[GateItem]:
    """Files (name -> JSON document or bytes) read and structurally checked, in the order ingest takes them."""
    items = []
    for i, (name, content) in enumerate(sorted(files.items()), start=1):
        data = content if isinstance(content, bytes) else json.dumps(content, ensure_ascii=False).encode()
        items.append(GateItem(i, name, at, check_file(read_file(name, data), b.offline_ref(), at)))
    return items


def through_gate(items: list[GateItem], previous: History | None = None) -> dict[str, CheckedFile]:
    """The gate's layers after the history fetch: suites, then rules on the given history."""
    expectations.validate(items, b.offline_ref().catalog)
    rules.evaluate(items, b.offline_ref(), previous or History())
    return {item.name: item.checked for item in items}


def gate(files: dict[str, dict | bytes], previous: History | None = None) -> dict[str, CheckedFile]:
    return through_gate(gate_items(files), previous)


def codes(checked: CheckedFile) -> dict[str, str]:
    return {m.code: m.severity for m in checked.messages}


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
def test_rule_within_one_submission(rule_id: str) -> None:
    bad, severity, good = SINGLE[rule_id]
    checked = gate({"bad.json": sub_with(bad)})["bad.json"]
    assert codes(checked).get(f"RULE_{rule_id}") == severity, checked.messages
    assert checked.outcome == ("rejected" if severity == "error" else "accepted_with_warnings")
    message = next(m for m in checked.messages if m.code == f"RULE_{rule_id}")
    assert message.sheet == "chi_tieu" and message.row is not None
    assert message.column == "thuc_hien_thang"
    assert message.source == "rule" and message.rule_id == rule_id
    ok = gate({"good.json": sub_with(good)})["good.json"]
    assert f"RULE_{rule_id}" not in codes(ok), ok.messages


def test_rate_message_states_both_numbers_in_vietnamese_notation() -> None:
    checked = gate({"s.json": sub_with(SINGLE["RATE_MATCHES_COMPONENTS"][0])})["s.json"]
    [m] = [m for m in checked.messages if m.severity == "error" and m.code == "RULE_RATE_MATCHES_COMPONENTS"]
    assert "32,49" in m.message and "48,07" in m.message and "XH03" in m.message
    assert m.row == 3  # the XH03 row



def test_a_rate_over_a_zero_denominator_is_not_compared_but_a_bound_beside_it_still_is() -> None:
    """No households, no poverty rate to recompute: the rate rule makes no claim (0/0 is no
    number), while XH01 <= XH02, in the same batch and over the same zero, still rejects."""
    checked = gate({"a.json": sub_with({"XH01": 0, "XH02": 0, "XH03": "12,5"}),
                    "b.json": sub_with({"XH01": 3, "XH02": 0, "XH03": "12,5"})})
    assert "RULE_RATE_MATCHES_COMPONENTS" not in codes(checked["a.json"]), checked["a.json"].messages
    assert "RULE_RATE_MATCHES_COMPONENTS" not in codes(checked["b.json"]), checked["b.json"].messages
    assert "RULE_XH01_LE_XH02" not in codes(checked["a.json"])
    assert codes(checked["b.json"]).get("RULE_XH01_LE_XH02") == "error"


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
@pytest.mark.parametrize("same_batch", [False, True], ids=["april-in-history", "april-in-same-batch"])
def test_rule_across_months(rule_id: str, same_batch: bool) -> None:
    april, may, severity = CROSS[rule_id]
    if same_batch:
        results = gate({"april.json": sub_with(april, period="2024-04"), "may.json": sub_with(may)})
    else:
        results = gate({"april.json": sub_with(april, period="2024-04")})
        [april_item] = gate_items({"april.json": sub_with(april, period="2024-04")})
        results |= gate({"may.json": sub_with(may)}, History(values={APRIL_KEY: submitted_values(april_item)}))
    assert results["april.json"].outcome == "accepted"
    assert codes(results["may.json"]).get(f"RULE_{rule_id}") == severity


def test_january_ytd_is_checked_against_zero_not_december() -> None:
    results = gate({"dec.json": sub_with({"NS01": ("triệu đồng", "30.000", "300.000")}, "2023-12"),
                    "jan.json": sub_with({"NS01": ("triệu đồng", "25.000", "25.000")}, "2024-01")})
    assert [c.outcome for c in results.values()] == ["accepted", "accepted"], [c.messages for c in results.values()]


def test_a_batch_file_rejected_by_a_rule_does_not_stand_for_its_month() -> None:
    # April breaks an indicator rule: its task list is not May's previous month, the history's is.
    april_tasks = [task_row("A", "Đang thực hiện"), task_row("B", "Đang thực hiện")]
    items = gate_items({"april.json": sub_with({"XH01": "24.311", "XH02": "24.310"}, "2024-04", april_tasks),
                        "may.json": sub_with({"NN05": 100}, tasks=[task_row("A", "Đang thực hiện")])})
    results = through_gate(items, History(tasks={APRIL_KEY: {}}))
    assert results["april.json"].outcome == "rejected"
    assert results["may.json"].outcome == "accepted"


# ----------------------------------------------------------------------------- tasks

TASKS: dict[str, tuple[list[dict], list[dict], str]] = {
    "TASK_REOPENED": ([task_row("A", "Hoàn thành", done="10/04/2024")], [task_row("A", "Đang thực hiện")],
                      "trang_thai"),
    "TASK_DISAPPEARED": ([task_row("A", "Đang thực hiện"), task_row("B", "Đang thực hiện")],
                         [task_row("A", "Đang thực hiện")], ""),
    "TASK_DEADLINE_CHANGED": ([task_row("A", "Đang thực hiện")],
                              [task_row("A", "Đang thực hiện", deadline="31/08/2024")], "han_hoan_thanh"),
}


def _april_history(tasks: list[dict]) -> History:
    """What the warehouse holds once April (with these tasks) is loaded."""
    [april] = gate_items({"april.json": sub_with({"NN05": 100}, "2024-04", tasks)}, at=APRIL)
    states = task_states(april)
    return History(values={APRIL_KEY: submitted_values(april)}, tasks={APRIL_KEY: states},
                   deadlines={(b.CHU_PUH, task): state.deadline for task, state in states.items()})


@pytest.mark.parametrize("code", sorted(TASKS))
@pytest.mark.parametrize("same_batch", [False, True], ids=["april-in-history", "april-in-same-batch"])
def test_task_history_rule(code: str, same_batch: bool) -> None:
    april, may, column = TASKS[code]
    may_doc = sub_with({"NN05": 100}, tasks=may)
    if same_batch:
        result = gate({"april.json": sub_with({"NN05": 100}, "2024-04", april), "may.json": may_doc})["may.json"]
    else:
        result = gate({"may.json": may_doc}, _april_history(april))["may.json"]
    assert codes(result) == {code: "warning"}
    [m] = result.messages
    assert (m.column or "") == column
    assert result.outcome == "accepted_with_warnings"


def test_done_task_that_disappears_is_fine() -> None:
    history = _april_history([task_row("A", "Hoàn thành", done="01/04/2024")])
    assert gate({"may.json": sub_with({"NN05": 100}, tasks=[])}, history)["may.json"].outcome == "accepted"


def test_a_deadline_known_only_to_the_task_dimension_counts() -> None:
    # No April at all, but the warehouse knows task A's current deadline from an earlier month.
    history = History(deadlines={(b.CHU_PUH, "A"): None})
    result = gate({"may.json": sub_with({"NN05": 100}, tasks=[task_row("A", "Đang thực hiện")])}, history)["may.json"]
    assert codes(result) == {"TASK_DEADLINE_CHANGED": "warning"}


# ----------------------------------------------------------------------------- coverage, data

def test_every_rule_has_a_case() -> None:
    rules_, task_rules = load_rules()
    assert {r.id for r in rules_} == set(SINGLE) | set(CROSS)
    assert set(task_rules) == set(TASKS)


def test_severity_comes_from_the_data(tmp_path: Path) -> None:
    data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    for rule in data["rules"]:
        if rule["id"] == "XH05_LE_XH06":
            rule["severity"] = "error"
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rules_, _ = load_rules(path)
    items = gate_items({"s.json": sub_with(SINGLE["XH05_LE_XH06"][0])})
    evaluate_indicator_rules(items, b.offline_ref(), History(), rules_)
    checked = items[0].checked
    assert [(m.code, m.severity) for m in checked.messages] == [("RULE_XH05_LE_XH06", "error")]
    assert checked.outcome == "rejected"
