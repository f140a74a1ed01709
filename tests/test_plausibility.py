"""The 1.000× plausibility warning through ingest, against the warehouse: a district's previous
months (or its annual plan) read by the history fetch, a slip in either direction named with
its units at the right row and column, and the cases that must stay silent. The decision rule
itself is tested case by case in tests/unit/test_plausibility_rule.py."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from etl.quality import history
from etl.quality.gate import GateItem
from etl.warehouse.ingest import FileResult, ingest_paths
from tests import builders as b
from tests.unit.test_rules import gate_items

CODE = "VALUE_SCALE_SUSPECT"


def at(year: int, month: int) -> datetime:
    """On time for the month's report."""
    return datetime.fromisoformat(f"{year}-{month:02d}-16T09:30:00+07:00")


def rows(spec: dict[str, tuple[str, Any]]) -> list[dict[str, Any]]:
    """Indicator rows: code -> (unit as written, month value)."""
    return [{"ma_chi_tieu": code, "don_vi_tinh": unit, "thuc_hien_thang": value}
            for code, (unit, value) in spec.items()]


def doc(period: str, spec: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    return b.submission(period=period, chi_tieu=rows(spec), nhiem_vu=[])


def ingest(db: Engine, tmp_path: Path, docs: dict[str, dict[str, Any]], when: datetime) -> dict[str, FileResult]:
    paths = [b.write_json(tmp_path / name, d) for name, d in docs.items()]
    return {r.file: r for r in ingest_paths(db, paths, received_at=when)}


def load_previous_months(db: Engine, tmp_path: Path) -> None:
    """February to April 2024 of Chư Pưh: KT01 in tỷ đồng, NS01 in triệu đồng, both in scale."""
    for month, kt01, ns01 in ((2, "401", "11.900"), (3, "380", "13.100"), (4, "390,5", "12.500,5")):
        [result] = ingest(db, tmp_path, {f"m{month}.json": doc(f"2024-{month:02d}", {
            "KT01": ("tỷ đồng", kt01), "NS01": ("triệu đồng", ns01)})}, at(2024, month)).values()
        assert result.status == "accepted", result.errors + result.warnings


def scale_warnings(result: FileResult) -> list[dict[str, Any]]:
    return [m for m in result.warnings if m["code"] == CODE]


def test_trieu_typed_with_the_unit_ty(db: Engine, tmp_path: Path) -> None:
    load_previous_months(db, tmp_path)
    may = doc("2024-05", {"NS01": ("triệu đồng", "12.800"), "KT01": ("tỷ đồng", "390.500")})
    result = ingest(db, tmp_path, {"may.json": may}, at(2024, 5))["may.json"]
    assert result.status == "accepted_with_warnings", result.errors
    [m] = scale_warnings(result)
    assert (m["severity"], m["sheet"], m["row"], m["column"]) == ("warning", "chi_tieu", 2, "thuc_hien_thang")
    assert (m["found"], m["expected"]) == ("390.500", "390,5")
    assert "1.000 lần số các tháng trước của đơn vị (390,5 tỷ đồng)" in m["message"]
    assert "có thể đã ghi số theo triệu đồng nhưng chọn đơn vị tỷ đồng" in m["message"]


def test_ty_typed_with_the_unit_trieu(db: Engine, tmp_path: Path) -> None:
    load_previous_months(db, tmp_path)
    may = doc("2024-05", {"KT01": ("tỷ đồng", "395"), "NS01": ("triệu đồng", "12,8")})
    [m] = scale_warnings(ingest(db, tmp_path, {"may.json": may}, at(2024, 5))["may.json"])
    assert (m["row"], m["column"], m["found"], m["expected"]) == (2, "thuc_hien_thang", "12,8", "12.500,5")
    assert "gấp khoảng 1/1.000 số các tháng trước" in m["message"]
    assert "có thể đã ghi số theo tỷ đồng nhưng chọn đơn vị triệu đồng" in m["message"]


def test_an_ordinary_month_is_silent(db: Engine, tmp_path: Path) -> None:
    load_previous_months(db, tmp_path)
    may = doc("2024-05", {"KT01": ("tỷ đồng", "507,6"), "NS01": ("triệu đồng", "16.250")})  # × 1,3
    result = ingest(db, tmp_path, {"may.json": may}, at(2024, 5))["may.json"]
    assert result.status == "accepted", result.warnings


def test_the_annual_plan_when_there_are_no_previous_months(db: Engine, tmp_path: Path) -> None:
    plan = b.plan(ke_hoach=[{"ma_chi_tieu": "NN05", "don_vi_tinh": "nghìn con", "ke_hoach_nam": 95}])
    assert ingest(db, tmp_path, {"plan.json": plan}, at(2024, 1))["plan.json"].status == "accepted"
    may = doc("2024-05", {"NN05": ("con", "92")})  # the herd in nghìn con, the unit left at con
    result = ingest(db, tmp_path, {"may.json": may}, at(2024, 5))["may.json"]
    assert result.status == "accepted_with_warnings"
    [m] = scale_warnings(result)
    assert (m["row"], m["column"], m["found"], m["expected"]) == (1, "thuc_hien_thang", "92", "95.000")
    assert "1/1.000 kế hoạch năm (95.000 con)" in m["message"]
    assert "có thể đã ghi số theo nghìn con nhưng chọn đơn vị con" in m["message"]


def test_a_thousand_times_with_nothing_to_compare_is_silent(db: Engine, tmp_path: Path) -> None:
    # The district's first report: nothing says 390.500 tỷ is not its scale.
    result = ingest(db, tmp_path, {"may.json": doc("2024-05", {"KT01": ("tỷ đồng", "390.500")})}, at(2024, 5))
    assert result["may.json"].status == "accepted", result["may.json"].warnings


def test_previous_months_in_the_same_batch(db: Engine, tmp_path: Path) -> None:
    docs = {f"m{m}.json": doc(f"2024-{m:02d}", {"KT01": ("tỷ đồng", v)}) for m, v in ((3, "380"), (4, "390,5"))}
    docs["m5.json"] = doc("2024-05", {"KT01": ("tỷ đồng", "390.500")})
    results = ingest(db, tmp_path, docs, at(2024, 5))
    assert [len(scale_warnings(results[name])) for name in docs] == [0, 0, 1]


def test_the_hint_comes_with_the_error_it_explains(db: Engine, tmp_path: Path) -> None:
    load_previous_months(db, tmp_path)
    may = doc("2024-05", {"KT01": ("tỷ đồng", "390.500"), "KT02": ("tỷ đồng", "150,5"),
                          "KT03": ("tỷ đồng", "140"), "KT04": ("tỷ đồng", "100")})
    result = ingest(db, tmp_path, {"may.json": may}, at(2024, 5))["may.json"]
    assert result.status == "rejected"
    assert [m["code"] for m in result.errors] == ["RULE_KT01_COMPONENTS"]
    assert [m["row"] for m in scale_warnings(result)] == [1]


# ----------------------------------------------------------------------------- the fetch itself

def test_fetch_brings_the_latest_three_current_nonzero_months_and_the_plan(db: Engine, tmp_path: Path) -> None:
    for year, month, value in ((2023, 12, "2"), (2024, 1, "3"), (2024, 2, "0"), (2024, 3, "5"), (2024, 4, "6")):
        ingest(db, tmp_path, {f"{year}{month}.json": doc(f"{year}-{month:02d}", {"NS01": ("triệu đồng", value)})},
               at(year, month))
    # April sent again: its current version counts.
    ingest(db, tmp_path, {"april2.json": doc("2024-04", {"NS01": ("triệu đồng", "7")})}, at(2024, 4).replace(day=20))
    ingest(db, tmp_path, {"plan.json": b.plan()}, at(2024, 1))
    # Tam Dương: one month inside the year before May, one just outside it.
    for year, value in ((2023, "1"), (2024, "6")):
        other = doc(f"{year}-04", {"NS01": ("triệu đồng", value)}) | {"ma_huyen": b.TAM_DUONG}
        ingest(db, tmp_path, {f"td{year}.json": other}, at(year, 4))
    may = {"may.json": doc("2024-05", {"NS01": ("triệu đồng", "8"), "XH01": ("hộ", "1.170")}),
           "td.json": doc("2024-05", {"NS01": ("triệu đồng", "8")}) | {"ma_huyen": b.TAM_DUONG}}
    items: list[GateItem] = gate_items(may)
    with db.connect() as conn:
        fetched = history.fetch(conn, items)
    # Chư Pưh: February is zero, December fourth: April (as resent), March, January.
    assert fetched.recent == {(b.CHU_PUH, 202405): {"NS01": [(202404, 7.0), (202403, 5.0), (202401, 3.0)]},
                              (b.TAM_DUONG, 202405): {"NS01": [(202404, 6.0)]}}
    # NN05 is not in the batch's rows, XH03 is a rate: only NS01 is brought.
    assert fetched.plans == {(b.CHU_PUH, 2024): {"NS01": 150_500.0}}
    assert fetched.values[(b.CHU_PUH, 202404)]["NS01"] == 7.0  # the rules' previous month, as before
