"""The 1.000× plausibility rule without a database: the decision function case by case, the
causes drawn from the catalog's units, and `evaluate` on typed files with a History built
here (tests/test_plausibility.py runs it through ingest, against the warehouse)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.domain.catalog import load_catalog
from etl.domain.contract import FLOW, STOCK
from etl.quality import plausibility, rules
from etl.quality.history import History, lookback_start
from etl.quality.messages import Message
from etl.quality.plausibility import (
    HISTORY,
    MONTH,
    PLAN,
    PLAN_MONTH,
    PLAN_TO_DATE,
    YTD,
    YTD_CONTINUES,
    Finding,
    cause,
    checkable,
    judge,
    scale_step,
    usual_scale,
)
from tests import builders as b
from tests.unit.test_rules import gate_items, sub_with

MAY_KEY = (b.CHU_PUH, 202405)
KT01_MONTHS = [(202404, 390.5), (202403, 380.0), (202402, 401.0)]  # tỷ đồng, median 390,5


# ----------------------------------------------------------------------------- the ratio

@pytest.mark.parametrize(("found", "expected", "step"), [
    (1000, 1, 1), (317, 1, 1), (3100, 1, 1), (1, 1000, -1), (1, 317, -1), (1, 3100, -1),
    (300, 1, 0), (3300, 1, 0), (1.3, 1, 0), (10_000, 1, 0), (1, 300, 0),
    (0, 1, 0), (1000, 0, 0), (-1000, 1, 0),
])
def test_scale_step_is_a_factor_of_about_three_around_a_thousand(found: float, expected: float, step: int) -> None:
    assert scale_step(found, expected) == step


def test_usual_scale_is_the_median_of_months_that_agree() -> None:
    assert usual_scale([390.5, 380, 401]) == 390.5
    assert usual_scale([12]) == 12
    assert usual_scale([0, 12]) == 12  # a zero month gives no scale
    assert usual_scale([]) is None
    assert usual_scale([390.5, 390_500]) is None  # an earlier slip: no scale, rather than a wrong one
    assert usual_scale([1, 25]) is None  # too seasonal to say


# ----------------------------------------------------------------------------- the decision

def test_a_month_a_thousand_times_its_previous_months() -> None:
    assert judge(FLOW, 5, 390_500, None, [390.5, 380, 401], None, None) == Finding(MONTH, 390_500, 390.5, 1, HISTORY)
    assert judge(FLOW, 5, 0.39, None, [390.5, 380, 401], None, None) == Finding(MONTH, 0.39, 390.5, -1, HISTORY)
    assert judge(STOCK, 5, 92, None, [92_000, 91_500, 91_800], None, None) == Finding(MONTH, 92, 91_800, -1, HISTORY)


def test_an_ordinary_month_is_fine() -> None:
    assert judge(FLOW, 5, 390.5 * 1.3, None, [390.5, 380, 401], None, None) is None
    assert judge(FLOW, 5, 390.5 * 20, None, [390.5, 380, 401], None, None) is None  # odd, but no unit slip


def test_nothing_to_compare_with_gives_nothing() -> None:
    assert judge(FLOW, 5, 390_500, None, [], None, None) is None
    assert judge(FLOW, 5, 390_500, None, [1, 25], None, None) is None  # previous months disagree, no plan


def test_the_plan_when_there_are_no_previous_months() -> None:
    # A stock against the plan itself.
    assert judge(STOCK, 5, 92, None, [], 95_000, None) == Finding(MONTH, 92, 95_000, -1, PLAN)
    assert judge(STOCK, 5, 92_000, None, [], 95_000, None) is None
    # A flow against the plan's average month.
    assert judge(FLOW, 5, 12_500_000, None, [], 150_000, None) == Finding(MONTH, 12_500_000, 12_500, 1, PLAN_MONTH)
    assert judge(FLOW, 5, 12_500, None, [], 150_000, None) is None
    # Previous months that disagree give way to the plan.
    assert judge(STOCK, 5, 92, None, [92_000, 92], 95_000, None) == Finding(MONTH, 92, 95_000, -1, PLAN)


def test_a_quiet_month_of_a_flow_is_not_a_slip_unless_its_year_to_date_is_one_too() -> None:
    # Sown area: 12 ha in a quiet month against a plan of 150.000 ha (12.500 a month on average).
    assert judge(FLOW, 5, 12, None, [], 150_000, None) is None
    assert judge(FLOW, 5, 12, 60_000, [], 150_000, None) is None
    assert judge(FLOW, 5, 12.5, 61.2, [], 150_000, None) == Finding(MONTH, 12.5, 12_500, -1, PLAN_MONTH)


def test_the_plan_is_not_consulted_when_the_previous_months_agree() -> None:
    # A plan loaded in another unit must not turn a month in line with its history into a warning.
    assert judge(FLOW, 5, 390.5, None, [390.5, 380, 401], 4_700_000, None) is None


def test_year_to_date_alone() -> None:
    # Month in line; year-to-date typed in triệu with the unit tỷ: against last month's YTD plus this month.
    assert judge(FLOW, 5, 390.5, 1_950_000, [390.5, 380, 401], None, 1560) == \
        Finding(YTD, 1_950_000, 1950.5, 1, YTD_CONTINUES)
    # January: this month alone.
    assert judge(FLOW, 1, 390.5, 390_500, [], None, 0.0) == Finding(YTD, 390_500, 390.5, 1, YTD_CONTINUES)
    # Without last month, the plan pro rata (5 months of 4.700 a year).
    assert judge(FLOW, 5, None, 1_950_000, [], 4700, None) == Finding(YTD, 1_950_000, 4700 * 5 / 12, 1, PLAN_TO_DATE)
    # A stock has no year-to-date to check.
    assert judge(STOCK, 5, 92_000, 92, [92_000], None, 92_000) is None


def test_last_months_slip_is_not_blamed_on_this_year_to_date() -> None:
    # April's year-to-date was loaded 1.000 times too large; May's row is right.
    assert judge(FLOW, 5, 390.5, 1950.5, [390.5, 380, 401], None, 1_560_000) is None
    # With a plan, the year-to-date is held against it instead, and is in line.
    assert judge(FLOW, 5, 390.5, 1950.5, [390.5, 380, 401], 4700, 1_560_000) is None


def test_a_whole_row_in_the_wrong_unit_that_the_month_cannot_show() -> None:
    # A quiet month of sown area (months too seasonal to give a scale, the plan's average month
    # far above any quiet month): the year-to-date against the plan pro rata shows it.
    assert judge(FLOW, 7, 0.003, 7.5, [4000, 200, 7000], 12_000, 7500) == Finding(YTD, 7.5, 7000, -1, PLAN_TO_DATE)


def test_one_finding_per_row_the_month_first() -> None:
    # The whole row in the wrong unit: month and year-to-date both 1.000 times; one finding, on the month.
    assert judge(FLOW, 5, 390_500, 1_950_500, [390.5, 380, 401], None, 1560) == \
        Finding(MONTH, 390_500, 390.5, 1, HISTORY)


# ----------------------------------------------------------------------------- units and causes

def test_checked_indicators() -> None:
    codes = checkable(load_catalog())
    assert {"KT01", "NS01", "NN01", "NN02", "NN05", "DT01"} <= codes
    assert not codes & {"XH03", "XH07", "TT08", "HC02", "XH01", "NN08", "TT01"}  # rates, one-unit counts


@pytest.mark.parametrize(("chosen", "step", "vi"), [
    ("tỷ đồng", 1, "có thể đã ghi số theo triệu đồng nhưng chọn đơn vị tỷ đồng"),
    ("triệu đồng", -1, "có thể đã ghi số theo tỷ đồng nhưng chọn đơn vị triệu đồng"),
    ("con", -1, "có thể đã ghi số theo nghìn con nhưng chọn đơn vị con"),
    ("kg", -1, "có thể đã ghi số theo tấn nhưng chọn đơn vị kg"),
    ("đồng", 1, "có thể đã ghi số theo đơn vị nhỏ hơn 1.000 lần so với đơn vị đã chọn (đồng)"),
    ("ha", -1, "có thể đã ghi số theo đơn vị lớn hơn 1.000 lần so với đơn vị đã chọn (ha)"),
])
def test_the_cause_names_the_units(chosen: str, step: int, vi: str) -> None:
    catalog = load_catalog()
    unit = catalog.unit(chosen)
    assert unit is not None
    assert cause(catalog, unit, step)[0] == vi


def test_lookback_start() -> None:
    assert lookback_start(202405) == 202305
    assert lookback_start(202401) == 202301
    assert lookback_start(202412) == 202312


# ----------------------------------------------------------------------------- evaluate, no warehouse

def scale_warnings(files: dict[str, dict | bytes], history: History) -> dict[str, list[Message]]:
    items = gate_items(files)
    plausibility.evaluate(items, b.offline_ref(), history)
    return {item.name: [m for m in item.checked.messages if m.code == "VALUE_SCALE_SUSPECT"] for item in items}


def test_evaluate_warns_at_the_row_with_the_units() -> None:
    history = History(recent={MAY_KEY: {"KT01": KT01_MONTHS}})
    doc = sub_with({"NN05": "92.000", "KT01": ("tỷ đồng", "390.500", None)})
    [m] = scale_warnings({"may.json": doc}, history)["may.json"]
    assert (m.severity, m.sheet, m.row, m.column, m.source, m.rule_id) == \
        ("warning", "chi_tieu", 2, "thuc_hien_thang", "rule", "VALUE_SCALE_SUSPECT")
    assert (m.found, m.expected) == ("390.500", "390,5")
    assert "gấp khoảng 1.000 lần số các tháng trước của đơn vị (390,5 tỷ đồng)" in m.message
    assert "có thể đã ghi số theo triệu đồng nhưng chọn đơn vị tỷ đồng" in m.message
    assert "1000 times the unit's previous months" in m.message_en and "{" not in m.message_en
    ok = sub_with({"KT01": ("tỷ đồng", "507,6", None)})  # × 1,3
    assert scale_warnings({"may.json": ok}, history)["may.json"] == []


def test_evaluate_reports_in_the_unit_the_clerk_chose() -> None:
    # KT01 in triệu đồng, figure typed in tỷ: 390,5 triệu = 0,3905 tỷ against 390,5 tỷ.
    history = History(recent={MAY_KEY: {"KT01": KT01_MONTHS}})
    [m] = scale_warnings({"may.json": sub_with({"KT01": ("triệu đồng", "390,5", None)})}, history)["may.json"]
    assert (m.found, m.expected) == ("390,5", "390.500")
    assert "gấp khoảng 1/1.000" in m.message
    assert "có thể đã ghi số theo tỷ đồng nhưng chọn đơn vị triệu đồng" in m.message


def test_evaluate_names_the_column_as_written(tmp_path: Path) -> None:
    history = History(recent={MAY_KEY: {"KT01": KT01_MONTHS}})
    doc = sub_with({"KT01": ("tỷ đồng", "390.500", None)})
    headers = ["Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Thực hiện tháng", "Lũy kế năm", "Ghi chú"]
    path = b.write_submission_xlsx(tmp_path / "may.xlsx", doc, indicator_headers=headers)
    [m] = scale_warnings({"may.xlsx": path.read_bytes()}, history)["may.xlsx"]
    assert (m.sheet, m.row, m.column) == ("chi_tieu", 2, "Thực hiện tháng")


def test_earlier_months_of_the_same_batch_count() -> None:
    files: dict[str, dict | bytes] = {
        f"{p}.json": sub_with({"KT01": ("tỷ đồng", v, None)}, period=p)
        for p, v in (("2024-02", "401"), ("2024-03", "380"), ("2024-04", "390,5"))}
    files["2024-05.json"] = sub_with({"KT01": ("tỷ đồng", "390.500", None)})
    warnings = scale_warnings(files, History())
    assert [len(v) for v in warnings.values()] == [0, 0, 0, 1]
    # A batch month stands for the whole month: here April in the batch replaces April in the warehouse.
    history = History(recent={MAY_KEY: {"KT01": [(202404, 390_500.0)]}})
    april = {"2024-04.json": sub_with({"KT01": ("tỷ đồng", "390,5", None)}, period="2024-04")}
    assert scale_warnings({**april, "2024-05.json": sub_with({"KT01": ("tỷ đồng", "400", None)})},
                          history)["2024-05.json"] == []


def test_a_plan_file_of_the_same_batch_counts() -> None:
    plan = b.plan(ke_hoach=[{"ma_chi_tieu": "NN05", "don_vi_tinh": "nghìn con", "ke_hoach_nam": 95}])
    may = sub_with({"NN05": ("con", "92", None)})
    assert [m.found for m in scale_warnings({"plan.json": plan, "may.json": may}, History())["may.json"]] == ["92"]
    assert scale_warnings({"may.json": may}, History())["may.json"] == []
    in_warehouse = History(plans={(b.CHU_PUH, 2024): {"NN05": 95_000.0}})
    assert len(scale_warnings({"may.json": may}, in_warehouse)["may.json"]) == 1


def test_a_file_with_errors_still_gets_the_hint() -> None:
    # KT01 typed in triệu with the unit tỷ, its sectors right: the rules reject it; the warning says why.
    history = History(recent={MAY_KEY: {"KT01": KT01_MONTHS}})
    items = gate_items({"may.json": sub_with({"KT01": ("tỷ đồng", "390.500", None), "KT02": "150,5",
                                              "KT03": "140", "KT04": "100"})})
    rules.evaluate(items, b.offline_ref(), history)
    plausibility.evaluate(items, b.offline_ref(), history)
    assert {m.code for m in items[0].checked.messages} == {"RULE_KT01_COMPONENTS", "VALUE_SCALE_SUSPECT"}


def test_the_look_back_months_cross_the_new_year() -> None:
    from etl.quality.history import lookback_start, months_between

    assert months_between(202411, 202502) == [202411, 202412, 202501]
    assert months_between(202502, 202502) == []
    assert len(months_between(lookback_start(202508), 202508)) == 12
