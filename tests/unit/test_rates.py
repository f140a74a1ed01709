"""Issue 10, rates: percentage ranges live with the indicator in the catalog, and a rate sent
without its components is a warning (no database: the gate's layers on files read in memory)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from etl.domain.catalog import CATALOG_PATH, load_catalog
from etl.quality import expectations
from tests import builders as b
from tests.unit.test_rules import codes, gate, gate_items, sub_with


def test_ranges_are_the_catalogs() -> None:
    catalog = load_catalog()
    # Shares of a whole cannot pass 100 %; coverage can (more cards than residents).
    assert (catalog.indicators["XH03"].min_value, catalog.indicators["XH03"].max_value) == (0, 100)
    assert (catalog.indicators["TT08"].min_value, catalog.indicators["TT08"].max_value) == (0, 100)
    assert (catalog.indicators["XH07"].min_value, catalog.indicators["XH07"].max_value) == (None, None)


def test_a_range_upside_down_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    next(i for i in data["indicators"] if i["code"] == "XH03")["range"] = [100, 0]
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="XH03 range"):
        load_catalog(path)


def test_the_suite_reads_the_range_from_the_frame() -> None:
    items = gate_items({"s.json": sub_with({"XH07": "101,33", "TT08": "99,5"})})
    frame = expectations.indicator_frame(items, load_catalog())
    bounds = {r.indicator_code: (r.min_value, r.max_value) for r in frame.itertuples()}
    assert bounds["TT08"] == (0, 100)
    assert all(v != v for v in bounds["XH07"])  # NaN: no bound, the suite skips the row


@pytest.mark.parametrize(("rows", "expected"), [
    # The seed's 104.538 cards for 103.169 residents: XH07 = 101,33 % loads with the catalog's warning.
    ({"XH05": "104.538", "XH06": "103.169", "XH07": "101,33"}, {"RULE_XH05_LE_XH06": "warning"}),
    # A share of a whole above 100 % is an error whatever the rules say; they run too (one reply lists
    # every problem): 101 is also not the 90 % its components give.
    ({"TT04": 10, "TT05": 80, "TT06": 10, "TT08": 101},
     {"VALUE_OUT_OF_RANGE": "error", "RULE_RATE_MATCHES_COMPONENTS": "error"}),
    ({"XH03": "-0,5"},
     {"VALUE_NEGATIVE": "error", "VALUE_OUT_OF_RANGE": "error", "RATE_WITHOUT_COMPONENTS": "warning"}),
    ({"XH07": "92,5"}, {"RATE_WITHOUT_COMPONENTS": "warning"}),
    ({"XH07": "92,5", "XH05": 925}, {"RATE_WITHOUT_COMPONENTS": "warning"}),  # XH06 still missing
    ({"XH05": 925, "XH06": 1000, "XH07": "92,5"}, {}),
])
def test_rates_are_judged_by_the_catalog(rows: dict[str, object], expected: dict[str, str]) -> None:
    checked = gate({"s.json": sub_with(rows)})["s.json"]
    assert codes(checked) == expected


def test_rate_alone_names_what_is_missing() -> None:
    checked = gate({"s.json": sub_with({"NN05": 100, "XH07": "92,5", "XH05": 925})})["s.json"]
    [message] = checked.messages
    assert (message.row, message.column, message.found) == (2, "thuc_hien_thang", "92,5")
    assert "thiếu chỉ tiêu thành phần XH06" in message.message
    assert message.expected == "XH05 / XH06 × 100"
    assert Decimal(message.found.replace(",", ".")) == Decimal("92.5")


@pytest.mark.parametrize(("code", "target", "expected"), [
    ("XH03", "104,5", {"VALUE_OUT_OF_RANGE": "error"}),  # a poverty rate cannot pass 100 %
    ("XH07", "101,5", {}),  # a coverage target above 100 % is allowed, as the figure is
])
def test_plan_targets_take_the_same_ranges(code: str, target: str, expected: dict[str, str]) -> None:
    doc = b.plan(ke_hoach=[{"ma_chi_tieu": code, "don_vi_tinh": "%", "ke_hoach_nam": target}])
    assert codes(gate({"p.json": doc})["p.json"]) == expected
