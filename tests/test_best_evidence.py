"""Issue 10, bullets 1 and 2: period figures from the best evidence (a district's year-to-date
where it has one), and month / year-to-date values derived in the rollup from the submitted
values of the current versions, whatever the order files arrive or load in.

Figures are computed by hand. A flow NS01 whose month m is 10*m triệu đồng has the year to date
5*m*(m+1): 10, 30, 60, 100, 150, 210 (June), 280, 360, 450 (September), 550, 660, 780 (December)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from etl.marts.rollup import refresh
from etl.warehouse.ingest import IncomingFile, ingest_files, ingest_paths
from tests import builders as b
from tests.conftest import empty_warehouse
from tests.test_rollup import TAM_DUONG, TZ, VINH_YEN, _marts, arrive, arrive_together, row

YEAR = "level = :l AND unit_code = :u AND year = 2024 AND indicator_code = 'NS01'"
HALF = YEAR + " AND half = :h"
MONTH = YEAR + " AND month = :m"


def ytd(m: int) -> int:
    return 5 * m * (m + 1)


def send_year(db: Engine, tmp_path: Path, district: str, skip: set[int]) -> None:
    """Every month of 2024 but `skip`, each with its month value and its year to date."""
    arrive_together(db, tmp_path, [(b.month(district, f"2024-{m:02d}", {"NS01": 10 * m}, ytd={"NS01": ytd(m)}), None)
                                   for m in range(1, 13) if m not in skip])


def figure(db: Engine, view: str, where: str, **params: Any) -> tuple[Any, ...]:
    r = row(db, view, where, **params)
    return r["value"], r["reporting_units"]


# ------------------------------------------------------------------ bullet 1: periods from the best evidence


def test_a_district_that_missed_september_has_its_year_from_decembers_ytd(db: Engine, tmp_path: Path) -> None:
    send_year(db, tmp_path, TAM_DUONG, skip={9})
    plan = b.plan(district=TAM_DUONG, ke_hoach=[{"ma_chi_tieu": "NS01", "don_vi_tinh": "triệu đồng",
                                                 "ke_hoach_nam": 780}])
    ingest_paths(db, [b.write_json(tmp_path / "plan.json", plan)],
                 received_at=datetime.fromisoformat(f"2024-01-10T08:00:00{TZ}"))
    refresh(db, full=True)
    # The sum of the eleven months would be 780 - 90 = 690, marked incomplete.
    year = row(db, "indicator_annual", YEAR, l="district", u=TAM_DUONG)
    assert (year["value"], year["reporting_units"]) == (780, 1)
    assert (year["pct_of_annual_plan"], year["plan_attained"]) == (100, True)
    # H2 = December's year to date minus June's: 780 - 210, complete (not 570 - 90 = 480).
    assert figure(db, "indicator_semiannual", HALF, l="district", u=TAM_DUONG, h=2) == (570, 1)
    assert figure(db, "indicator_semiannual", HALF, l="district", u=TAM_DUONG, h=1) == (210, 1)


def test_a_district_that_missed_april_has_its_first_half_from_junes_ytd(db: Engine, tmp_path: Path) -> None:
    send_year(db, tmp_path, VINH_YEN, skip={4})
    refresh(db, full=True)
    # not 210 - 40 = 170 from five months
    assert figure(db, "indicator_semiannual", HALF, l="district", u=VINH_YEN, h=1) == (210, 1)
    assert figure(db, "indicator_annual", YEAR, l="district", u=VINH_YEN) == (780, 1)


def test_a_half_whose_last_month_is_missing_takes_its_ytd_from_the_next_month(db: Engine, tmp_path: Path) -> None:
    send_year(db, tmp_path, TAM_DUONG, skip={6})
    refresh(db, full=True)
    # June's year to date = July's (280) minus July's month (70) = 210
    assert figure(db, "indicator_semiannual", HALF, l="district", u=TAM_DUONG, h=1) == (210, 1)
    assert figure(db, "indicator_semiannual", HALF, l="district", u=TAM_DUONG, h=2) == (570, 1)  # 780 - 210


def test_a_half_with_a_missing_month_and_no_ytd_is_the_partial_sum(db: Engine, tmp_path: Path) -> None:
    # month values only: nothing carries the year to date over April
    arrive_together(db, tmp_path, [(b.month(TAM_DUONG, f"2024-{m:02d}", {"NS01": 10 * m}), None)
                                   for m in (1, 2, 3, 5, 6)])
    refresh(db, full=True)
    assert figure(db, "indicator_semiannual", HALF, l="district", u=TAM_DUONG, h=1) == (170, 0)
    # January-March: year to date from the months; May, June: not known (April is missing)
    march = row(db, "indicator_monthly", MONTH, l="district", u=TAM_DUONG, m=3)
    assert march["ytd_value"] == 60
    assert row(db, "indicator_monthly", MONTH, l="district", u=TAM_DUONG, m=5)["ytd_value"] is None


def test_a_province_ytd_carries_a_district_that_skipped_the_month(db: Engine, tmp_path: Path) -> None:
    send_year(db, tmp_path, TAM_DUONG, skip={9})
    send_year(db, tmp_path, VINH_YEN, skip=set())
    refresh(db, full=True)

    def month(m: int) -> tuple[Any, ...]:
        r = row(db, "indicator_monthly", MONTH, l="province", u="26", m=m)
        return r["value"], r["ytd_value"], r["reporting_units"], r["carried_forward_units"]

    # September: the month's value is Vĩnh Yên's alone (90, 1 district), its year to date counts
    # Tam Dương's August (360) carried forward beside Vĩnh Yên's September (450): not 450 alone.
    assert month(9) == (90, 810, 1, 1)
    assert month(8) == (160, 720, 2, 0)
    assert month(10) == (200, 1100, 2, 0)
    merged = row(db, "indicator_monthly", MONTH, l="province_2025", u="25", m=9)
    assert (merged["ytd_value"], merged["carried_forward_units"]) == (810, 1)
    assert figure(db, "indicator_annual", YEAR, l="province", u="26") == (1560, 2)
    district = row(db, "indicator_monthly", MONTH, l="district", u=VINH_YEN, m=9)
    assert district["carried_forward_units"] == 0


# ------------------------------------------------------------------ bullet 2: derived in the rollup


def ytd_only(district: str, period: str, value: int) -> dict[str, Any]:
    doc = b.month(district, period, {"NS01": None}, ytd={"NS01": value})
    doc["chi_tieu"][0].pop("thuc_hien_thang")
    return doc


def test_a_month_sent_as_ytd_follows_a_corrected_previous_month(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-01", {"NS01": 200}, ytd={"NS01": 200}))
    arrive(db, tmp_path, ytd_only(TAM_DUONG, "2024-02", 500))
    arrive(db, tmp_path, ytd_only(TAM_DUONG, "2024-03", 1500))
    refresh(db, full=True)

    def month(m: int) -> tuple[Any, ...]:
        r = row(db, "indicator_monthly", MONTH, l="district", u=TAM_DUONG, m=m)
        return r["value"], r["ytd_value"]

    assert (month(2), month(3)) == ((300, 500), (1000, 1500))
    arrive(db, tmp_path, ytd_only(TAM_DUONG, "2024-02", 1000), at=f"2024-03-20T09:00:00{TZ}")  # corrected
    assert refresh(db).mode == "incremental"
    assert (month(2), month(3)) == ((800, 1000), (500, 1500))  # March follows: 1.500 - 1.000
    incremental = _marts(db)
    refresh(db, full=True)
    assert _marts(db) == incremental


def test_a_month_loaded_before_its_previous_month_gets_its_value_when_it_arrives(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-01", {"NS01": 200}, ytd={"NS01": 200}))
    march = b.write_json(tmp_path / "march.json", ytd_only(TAM_DUONG, "2024-03", 1500))
    [result] = ingest_paths(db, [march], received_at=datetime.fromisoformat(f"2024-03-16T09:00:00{TZ}"))
    # February had not arrived: the district is told, and the mart shows the year to date with
    # no month value yet, not complete
    assert [w["code"] for w in result.warnings] == ["YTD_PREVIOUS_MISSING"]
    refresh(db)
    r = row(db, "indicator_monthly", MONTH, l="district", u=TAM_DUONG, m=3)
    assert (r["value"], r["ytd_value"], r["reporting_units"]) == (None, 1500, 0)
    arrive(db, tmp_path, ytd_only(TAM_DUONG, "2024-02", 500), at=f"2024-03-18T09:00:00{TZ}")
    refresh(db)
    r = row(db, "indicator_monthly", MONTH, l="district", u=TAM_DUONG, m=3)
    assert (r["value"], r["ytd_value"], r["reporting_units"]) == (1000, 1500, 1)
    assert figure(db, "indicator_monthly", MONTH, l="district", u=TAM_DUONG, m=2) == (300, 1)


def test_no_warning_when_the_previous_month_is_in_the_same_batch(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-01", {"NS01": 200}, ytd={"NS01": 200}))
    # March arrived first (so loads first), February later in the same batch
    files = [IncomingFile(name=f"{m}.json", data=json.dumps(doc).encode(), source_uri=m,
                          received_at=datetime.fromisoformat(at))
             for m, doc, at in (("march", ytd_only(TAM_DUONG, "2024-03", 1500), f"2024-03-16T09:00:00{TZ}"),
                                ("feb", ytd_only(TAM_DUONG, "2024-02", 500), f"2024-03-17T09:00:00{TZ}"))]
    results = ingest_files(db, files)
    assert [(r.period, r.warnings) for r in results] == [("2024-03", []), ("2024-02", [])]
    refresh(db)
    assert figure(db, "indicator_monthly", MONTH, l="district", u=TAM_DUONG, m=3) == (1000, 1)


def test_two_batches_give_the_same_marts_in_either_order(db: Engine, tmp_path: Path) -> None:
    august = b.write_json(tmp_path / "aug.json", b.month(TAM_DUONG, "2024-08", {"NS01": 80}, ytd={"NS01": 360}))
    september = b.write_json(tmp_path / "sep.json", ytd_only(TAM_DUONG, "2024-09", 450))
    at = {august: f"2024-08-16T09:00:00{TZ}", september: f"2024-09-16T09:00:00{TZ}"}

    def load(order: list[Path]) -> dict[str, list[tuple]]:
        empty_warehouse(db)
        for path in order:  # one batch each, as parallel DAG tasks finishing in this order
            ingest_paths(db, [path], received_at=datetime.fromisoformat(at[path]))
        refresh(db)
        return _marts(db)

    september_first = load([september, august])
    assert figure(db, "indicator_monthly", MONTH, l="district", u=TAM_DUONG, m=9) == (90, 1)  # 450 - 360
    assert load([august, september]) == september_first


def test_a_rate_is_not_made_from_a_component_month_not_derivable_yet(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-01", {"TT04": 10, "TT05": 20, "TT06": 10}))
    march = b.month(TAM_DUONG, "2024-03", {"TT04": 5, "TT05": None, "TT06": 5}, ytd={"TT05": 60})
    b.indicator(march, "TT05").pop("thuc_hien_thang")  # February missing: March's TT05 is not known yet
    arrive(db, tmp_path, march)
    refresh(db, full=True)
    rate = "level = 'district' AND unit_code = :u AND year = 2024 AND month = :m AND indicator_code = 'TT08'"
    assert row(db, "indicator_monthly", rate, u=TAM_DUONG, m=1)["value"] == 75  # (10 + 20) / 40
    with db.connect() as conn:  # not 50 % from TT04 and TT06 alone
        assert conn.execute(text(f"SELECT count(*) FROM mart.indicator_monthly WHERE {rate}"),
                            {"u": TAM_DUONG, "m": 3}).scalar() == 0
