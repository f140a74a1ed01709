"""Issue 10, plan coverage and rates, against a real warehouse with figures computed by hand.

Vĩnh Phúc (26) has 9 districts: Tam Dương (247), Vĩnh Yên (243) and Phúc Yên (244) appear below.
Plans: a province's % of plan compares the same districts on both sides. Rates: a rate sent without
its components is kept at its district with a warning; coverage above 100 % is the catalog's
warning (XH05 > XH06), not a range error; a rate whose definition caps it at 100 % still errors."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from etl.marts.rollup import refresh
from etl.reporting.model import build_report
from etl.warehouse.ingest import ingest_paths
from tests import builders as b
from tests.test_rollup import _marts

TZ = "+07:00"
TAM_DUONG, VINH_YEN, PHUC_YEN, VINH_PHUC = "247", "243", "244", "26"


def send(db: Engine, tmp_path: Path, doc: dict[str, Any]) -> Any:
    period = doc.get("ky_bao_cao") or f"{doc['nam']}-plan"
    name = f"{doc['ma_huyen']}_{period}_{len(list(tmp_path.iterdir()))}.json"
    [result] = ingest_paths(db, [b.write_json(tmp_path / name, doc)],
                            received_at=datetime.fromisoformat(f"2024-12-16T09:00:00{TZ}"))
    return result


def arrive(db: Engine, tmp_path: Path, doc: dict[str, Any]) -> Any:
    result = send(db, tmp_path, doc)
    assert result.status.startswith("accepted"), result.errors
    return result


def one(db: Engine, view: str, where: str, **params: Any) -> dict[str, Any]:
    with db.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM mart.{view} WHERE {where}"), params).mappings().all()
    assert len(rows) == 1, rows
    return dict(rows[0])


def pig_plan(district: str, thousand_head: int) -> dict[str, Any]:
    return b.plan(district=district, ke_hoach=[
        {"ma_chi_tieu": "NN05", "don_vi_tinh": "nghìn con", "ke_hoach_nam": thousand_head}])


YEAR = "level = :l AND unit_code = :u AND year = 2024 AND indicator_code = 'NN05'"
DECEMBER = YEAR + " AND month = 12"


# ------------------------------------------------------------------------------ plan coverage

@pytest.fixture
def pigs(db: Engine, tmp_path: Path) -> Engine:
    """December 2024 pig herds: Tam Dương 92.000 (plan 95.000), Vĩnh Yên 53.825 (no plan);
    Phúc Yên has a plan of 40.000 but sends nothing."""
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-12", {"NN05": 92000}))
    arrive(db, tmp_path, b.month(VINH_YEN, "2024-12", {"NN05": 53825}))
    arrive(db, tmp_path, pig_plan(TAM_DUONG, 95))
    arrive(db, tmp_path, pig_plan(PHUC_YEN, 40))
    refresh(db, full=True)
    return db


def test_province_percent_of_plan_is_not_a_sum_over_two_districts_against_the_plan_of_one(pigs: Engine) -> None:
    province = one(pigs, "indicator_annual", YEAR, l="province", u=VINH_PHUC)
    # Before issue 10: 145.825 / (95.000 + 40.000) = 108,02 %, or with Phúc Yên's plan left out
    # 145.825 / 95.000 = "đạt 153,5% kế hoạch": the herds of two districts against one's plan.
    assert (province["value"], province["reporting_units"]) == (145825, 2)
    # The plan of the districts in the total that have one (Tam Dương); Phúc Yên sent no figure.
    assert (province["annual_plan"], province["plan_units"]) == (95000, 1)
    # Coverage is partial (1 plan for 2 districts): no % and no "met", rather than a wrong one.
    assert province["pct_of_annual_plan"] is None and province["plan_attained"] is None
    month = one(pigs, "indicator_monthly", DECEMBER, l="province", u=VINH_PHUC)
    assert (month["annual_plan"], month["plan_units"], month["pct_of_annual_plan"]) == (95000, 1, None)
    half = one(pigs, "indicator_semiannual", YEAR + " AND half = 2", l="province", u=VINH_PHUC)
    assert (half["annual_plan"], half["plan_units"], half["pct_of_annual_plan"]) == (95000, 1, None)


def test_each_district_compares_its_own_plan(pigs: Engine) -> None:
    tam_duong = one(pigs, "indicator_annual", YEAR, l="district", u=TAM_DUONG)
    # 92.000 / 95.000 = 96,842 %
    assert (tam_duong["pct_of_annual_plan"], tam_duong["plan_attained"]) == (Decimal("96.84"), False)
    assert tam_duong["plan_units"] == 1
    vinh_yen = one(pigs, "indicator_annual", YEAR, l="district", u=VINH_YEN)
    assert (vinh_yen["annual_plan"], vinh_yen["plan_units"], vinh_yen["pct_of_annual_plan"]) == (None, 0, None)


def test_full_plan_coverage_gives_the_percent_of_plan(pigs: Engine, tmp_path: Path) -> None:
    arrive(pigs, tmp_path, pig_plan(VINH_YEN, 50))
    refresh(pigs)
    province = one(pigs, "indicator_annual", YEAR, l="province", u=VINH_PHUC)
    # (92.000 + 53.825) / (95.000 + 50.000) = 100,5689 %; Phúc Yên's plan (no figure) stays out
    assert (province["annual_plan"], province["plan_units"], province["reporting_units"]) == (145000, 2, 2)
    assert (province["pct_of_annual_plan"], province["plan_attained"]) == (Decimal("100.57"), True)
    incremental = _marts(pigs)  # the plan's arrival queued Vĩnh Yên: the same as rebuilding everything
    refresh(pigs, full=True)
    assert _marts(pigs) == incremental


def test_report_says_whose_plan_the_province_figure_has(pigs: Engine) -> None:
    report = build_report(pigs, VINH_PHUC, "2024")
    [line] = [line for line in report.indicators if line.code == "NN05"]
    assert "kế hoạch của 1/2 đơn vị" in line.sentence, line.sentence
    assert "153,5" not in line.sentence and "%" not in line.sentence.split("kế hoạch")[-1]


# ------------------------------------------------------------------------------ rates

def test_rate_sent_alone_is_kept_at_its_district_with_a_warning(db: Engine, tmp_path: Path) -> None:
    result = arrive(db, tmp_path, b.month(VINH_YEN, "2024-12", {"NN05": 53825, "XH07": "92,5"}))
    assert result.status == "accepted_with_warnings"
    [warning] = [m for m in result.warnings if m["code"] == "RATE_WITHOUT_COMPONENTS"]
    assert (warning["severity"], warning["row"], warning["column"]) == ("warning", 2, "thuc_hien_thang")
    assert "XH05" in warning["message"] and "XH06" in warning["message"]
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-12", {"XH05": 95000, "XH06": 100000}))
    refresh(db, full=True)
    where = "level = :l AND unit_code = :u AND year = 2024 AND month = 12 AND indicator_code = 'XH07'"
    # Vĩnh Yên's row shows its own 92,5 %: before issue 10 it was in no mart at all.
    assert one(db, "indicator_monthly", where, l="district", u=VINH_YEN)["value"] == Decimal("92.5")
    # The province recomputes from components, which only Tam Dương sent: 95 %, from 1 district.
    province = one(db, "indicator_monthly", where, l="province", u=VINH_PHUC)
    assert (province["value"], province["reporting_units"], province["expected_units"]) == (95, 1, 9)
    # Components arrive later (a corrected December): the district's rate is recomputed from them.
    arrive(db, tmp_path, b.month(VINH_YEN, "2024-12", {"XH05": 46000, "XH06": 50000, "XH07": "92"}))
    refresh(db)
    assert one(db, "indicator_monthly", where, l="district", u=VINH_YEN)["value"] == 92
    province = one(db, "indicator_monthly", where, l="province", u=VINH_PHUC)
    # (95.000 + 46.000) / (100.000 + 50.000) = 94 %
    assert (province["value"], province["reporting_units"]) == (94, 2)


def test_coverage_above_100_percent_is_the_catalogs_warning_not_a_range_error(db: Engine, tmp_path: Path) -> None:
    # The seed's own figures: 104.538 cards for 103.169 residents, stated as 101,33 %.
    doc = b.month(TAM_DUONG, "2024-12", {"XH05": "104.538", "XH06": "103.169", "XH07": "101,33"})
    result = arrive(db, tmp_path, doc)
    assert result.status == "accepted_with_warnings"
    assert [m["code"] for m in result.warnings] == ["RULE_XH05_LE_XH06"]
    refresh(db, full=True)
    where = "level = 'district' AND unit_code = :u AND year = 2024 AND month = 12 AND indicator_code = 'XH07'"
    value = one(db, "indicator_monthly", where, u=TAM_DUONG)["value"]
    assert round(value, 2) == Decimal("101.33")  # 104.538 / 103.169 × 100 = 101,3269


def test_a_rate_that_cannot_exceed_100_percent_still_errors(db: Engine, tmp_path: Path) -> None:
    result = send(db, tmp_path, b.month(TAM_DUONG, "2024-12", {"TT08": 101}))
    assert result.status == "rejected"
    [error] = [m for m in result.errors if m["code"] == "VALUE_OUT_OF_RANGE"]
    assert "100" in error["message"] and error["row"] == 1
    # A poverty rate above 100 % too (XH03: XH01 ≤ XH02 by definition).
    result = send(db, tmp_path, b.month(TAM_DUONG, "2024-11", {"XH03": "100,5"}))
    assert [m["code"] for m in result.errors] == ["VALUE_OUT_OF_RANGE"]


def test_a_province_rate_counts_only_the_units_that_sent_every_component(db: Engine, tmp_path: Path) -> None:
    """Poverty rate XH03 = XH01 / XH02 × 100. Tam Dương sends both (100 of 1.000 households), Vĩnh
    Yên its poor households only (50): the province's rate is 10 % from 1 district, not 150 over
    1.000 = 15 %; and its lineage lists Tam Dương's two cells only."""
    from etl.reporting.explain import explain
    from tests.test_rollup import arrive, row

    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"XH01": 100, "XH02": 1000}))
    arrive(db, tmp_path, b.month(VINH_YEN, "2024-05", {"XH01": 50}))
    refresh(db, full=True)
    rate = row(db, "indicator_monthly", "level = 'province' AND unit_code = '26' AND year = 2024 AND month = 5 "
               "AND indicator_code = 'XH03'")
    assert (rate["value"], rate["reporting_units"]) == (10, 1)
    made = explain(db, "province", VINH_PHUC, "2024-05", "XH03")
    assert made.agrees, made.disagreements
    assert sorted((s.unit_code, s.indicator_code) for s in made.sources) == [(TAM_DUONG, "XH01"), (TAM_DUONG, "XH02")]
