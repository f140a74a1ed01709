"""One definition of "expected" (issue 10): mart.expected_district_at, read by
mart.submission_status(_at), mart.reporting_rate, the indicator marts' expected_units and the
alerts; a missing month has no days late; the status refresh recomputes what a moved first
month changes, so incremental equals full. Figures computed by hand."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from etl.alerts.due import due_alerts
from etl.marts.rollup import refresh
from etl.warehouse.ingest import ingest_paths
from tests import builders as b
from tests.mart_compare import assert_incremental_equals_full

TZ = "+07:00"
# Vĩnh Phúc (26): 9 districts, in the 2025 province Phú Thọ (25) with Phú Thọ and Hòa Bình.
VINH_PHUC, TAM_DUONG, VINH_YEN, PHUC_YEN = "26", "247", "243", "244"
# Gia Lai (64): 17 districts; Bình Định (52): 11; both now in the 2025 province Gia Lai.
GIA_LAI, CHU_PUH = "64", "639"
BINH_DINH, QUY_NHON = "52", "540"


def at(moment: str) -> datetime:
    return datetime.fromisoformat(f"{moment}{TZ}")


def arrive(db: Engine, tmp_path: Path, doc: dict[str, Any], moment: str, status: str = "accepted") -> None:
    name = f"{doc['ma_huyen']}_{doc['ky_bao_cao']}_{len(list(tmp_path.iterdir()))}.json"
    [result] = ingest_paths(db, [b.write_json(tmp_path / name, doc)], received_at=at(moment))
    assert result.status.startswith(status), result.errors


def query(db: Engine, sql: str, **params: Any) -> list[Any]:
    with db.connect() as conn:
        return conn.execute(text(sql), params).all()


def expected_months(db: Engine, province: str, as_of: str) -> dict[int, int]:
    """Districts of the province expected per month (YYYYMM) as of a moment."""
    return {r[0]: r[1] for r in query(db, """
        SELECT year * 100 + month, count(*) FROM mart.submission_status_at(:t)
        WHERE province_code = :p GROUP BY 1 ORDER BY 1""", t=at(as_of), p=province)}


def test_a_province_is_expected_from_its_own_first_accepted_month(db: Engine, tmp_path: Path) -> None:
    # Tam Dương opens Vĩnh Phúc's reporting with May 2024 (on the 16th); a rejected April from
    # Phúc Yên before it does not count; Chư Pưh (Gia Lai) sends an old 2022 file afterwards.
    arrive(db, tmp_path, b.month(PHUC_YEN, "2024-04", {"NN05": "khoảng 5"}), "2024-05-10T09:00:00", "rejected")
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NN05": 1}), "2024-05-16T09:00:00")
    arrive(db, tmp_path, b.month(CHU_PUH, "2022-01", {"NN05": 1}), "2024-06-03T09:00:00")

    # Before the May file arrived nothing of Vĩnh Phúc was accepted: not expected (the rejected
    # April makes no first month).
    assert expected_months(db, VINH_PHUC, "2024-05-15T09:00:00") == {}
    # From then: May on, all 9 districts; not April (rejected only), and not 2022 because of
    # another province's old file (the old rule made every province expected from 2022-01).
    assert expected_months(db, VINH_PHUC, "2024-06-20T09:00:00") == {202405: 9, 202406: 9}
    # Gia Lai: expected from its own January 2022, once that file had arrived, not before.
    assert expected_months(db, GIA_LAI, "2024-06-01T09:00:00") == {}
    gia_lai = expected_months(db, GIA_LAI, "2024-06-20T09:00:00")
    assert (min(gia_lai), max(gia_lai), len(gia_lai), set(gia_lai.values())) == (202201, 202406, 30, {17})

    # The one definition itself, as of the end: Vĩnh Phúc from May 2024, Gia Lai from January 2022.
    starts = dict(query(db, "SELECT DISTINCT province_code, first_period_key FROM mart.expected_district_at(:t) "
                            "WHERE level = 'district'", t=at("2024-06-20T09:00:00")))
    assert starts == {VINH_PHUC: 202405, GIA_LAI: 202201}
    # Their territories go on reporting through their communes, from the first month of the commune level.
    communes = dict(query(db, "SELECT province_2025_code, min(first_period_key) FROM mart.expected_district_at(:t) "
                              "WHERE level = 'commune' GROUP BY 1", t=at("2024-06-20T09:00:00")))
    assert communes == {"25": 202507, "52": 202507}  # Phú Thọ (with Vĩnh Phúc), Gia Lai (with legacy Gia Lai)


def test_expected_units_and_reporting_rate_agree_for_a_province(db: Engine, tmp_path: Path) -> None:
    # Vĩnh Phúc 2024: Tam Dương sends March on time, April on time; Vĩnh Yên April late (21st,
    # after the 18th). Nobody else in Phú Thọ (25) or Vĩnh Phúc sends.
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-03", {"NN05": 100, "NS01": 10}), "2024-03-16T09:00:00")
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-04", {"NN05": 110, "NS01": 20}), "2024-04-16T09:00:00")
    arrive(db, tmp_path, b.month(VINH_YEN, "2024-04", {"NN05": 50, "NS01": 5}), "2024-04-21T09:00:00")
    refresh(db, full=True)

    rate = {(r.level, r.unit_code, r.month): (r.expected, r.received, r.on_time, r.reporting_rate_pct,
                                             r.on_time_rate_pct)
            for r in query(db, "SELECT * FROM mart.reporting_rate WHERE year = 2024 AND month IN (2, 3, 4)")}
    # Expected from March (Vĩnh Phúc's first accepted month): 9 districts; none in February.
    ninth, two_ninths = Decimal("11.11"), Decimal("22.22")
    assert rate[("province", VINH_PHUC, 3)] == (9, 1, 1, ninth, ninth)
    assert rate[("province", VINH_PHUC, 4)] == (9, 2, 1, two_ninths, ninth)
    assert rate[("province_2025", "25", 4)] == (9, 2, 1, two_ninths, ninth)  # Phú Thọ, Hòa Bình: never heard from
    assert ("province", VINH_PHUC, 2) not in rate

    def figure(level: str, unit: str, period_key: int) -> tuple[int, int]:
        [r] = query(db, "SELECT reporting_units, expected_units FROM mart.indicator_rollup WHERE level = :l "
                        "AND unit_code = :u AND indicator_code = 'NS01' AND period_key = :k", l=level, u=unit,
                    k=period_key)
        return r.reporting_units, r.expected_units

    # The same 9 in the indicator marts, at both province levels (was 9 and every district of Phú Thọ).
    assert figure("province", VINH_PHUC, 202404) == (2, 9)
    assert figure("province_2025", "25", 202404) == (2, 9)
    assert figure("province", VINH_PHUC, 202491)[1] == 9  # H1: expected in any month of it
    assert figure("province", VINH_PHUC, 202400)[1] == 9
    assert figure("district", TAM_DUONG, 202404) == (1, 1)
    # And generally: every province-level month of the indicator marts expects what reporting_rate does.
    assert not query(db, """
        SELECT r.level, r.unit_code, r.period_key, r.expected_units, rr.expected
        FROM mart.indicator_rollup r
        JOIN mart.reporting_rate rr ON rr.level = r.level AND rr.unit_code = r.unit_code
                                   AND rr.year = r.year AND rr.month = r.month
        WHERE r.period_type = 'month' AND r.expected_units <> rr.expected""")


def test_a_missing_month_has_no_days_late_and_keeps_none(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NN05": 1}), "2024-05-16T09:00:00")
    arrive(db, tmp_path, b.month(VINH_YEN, "2024-05", {"NN05": 1}), "2024-05-21T09:00:00")  # 3 days late

    def days_late(as_of: str) -> dict[str, tuple[str, int | None]]:
        return {r[0]: (r[1], r[2]) for r in query(db, """
            SELECT district_code, status, days_late FROM mart.submission_status_at(:t)
            WHERE year = 2024 AND month = 5""", t=at(as_of))}

    for as_of in ("2024-05-23T00:00:00", "2024-06-30T00:00:00", "2026-12-25T00:00:00"):  # 4, 42, 951 days on
        got = days_late(as_of)
        assert got[VINH_YEN] == ("late", 3) and got[TAM_DUONG] == ("on_time", 0)
        assert got["246"] == ("missing", None), as_of  # was 4, 42, 951: grew with the clock
    refresh(db)
    refresh(db)  # and after any number of refreshes
    stored = {r[0]: r[1] for r in query(db, "SELECT status, days_late FROM mart.submission_status "
                                            "WHERE year = 2024 AND month = 5 AND status = 'missing'")}
    assert stored == {"missing": None}


def test_alerts_follow_the_same_definition(db: Engine, tmp_path: Path) -> None:
    # Chư Pưh (Gia Lai) sends March 2024 on 10 April; Tam Dương opens Vĩnh Phúc with May on the
    # 14th. On 16 May Vĩnh Phúc owes May only: a reminder to its 8 silent districts, no late
    # notice for April (the old rule expected Vĩnh Phúc from Gia Lai's March).
    arrive(db, tmp_path, b.month(CHU_PUH, "2024-03", {"NN05": 1}), "2024-04-10T09:00:00")
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NN05": 1}), "2024-05-14T09:00:00")
    as_of = at("2024-05-16T10:00:00")
    alerts = due_alerts(db, as_of)
    vinh_phuc = {r[0] for r in query(db, "SELECT district_code FROM core.dim_district "
                                         "WHERE province_code = :p AND is_current", p=VINH_PHUC)}
    ours = {(a.kind, a.period_code) for a in alerts if a.district_code in vinh_phuc}
    assert ours == {("reminder", "2024-05")}
    assert len([a for a in alerts if a.district_code in vinh_phuc]) == 8
    # Exactly the district-months mart.submission_status_at owes within the window, nothing more.
    owed = {(r[0], f"{r[1]}-{r[2]:02d}") for r in query(db, """
        SELECT district_code, year, month FROM mart.submission_status_at(:t)
        WHERE status IN ('pending', 'missing', 'rejected') AND deadline >= :since""",
        t=as_of, since=at("2024-04-01T10:00:00"))}
    assert {(a.district_code, a.period_code) for a in alerts if a.kind != "invalid_submission"} == owed


def test_a_new_province_is_expected_in_full_after_an_incremental_refresh(db: Engine, tmp_path: Path) -> None:
    # The 1.473 vs 1.833 rows: Vĩnh Phúc reports from January 2023; Gia Lai first reports
    # June 2024. The old rule expected Gia Lai from 2023-01, but the incremental refresh recomputed
    # statuses from 2024 only.
    arrive(db, tmp_path, b.month(TAM_DUONG, "2023-01", {"NN05": 1}), "2023-01-16T09:00:00")
    refresh(db, full=True)
    arrive(db, tmp_path, b.month(CHU_PUH, "2024-06", {"NN05": 1}), "2024-06-16T09:00:00")
    assert_incremental_equals_full(db)
    first = query(db, "SELECT min(year * 100 + month), count(DISTINCT district_code) FROM mart.submission_status "
                      "WHERE province_code = :p", p=GIA_LAI)
    assert first == [(202406, 17)]


def test_an_older_first_month_changes_later_years_expected_units(db: Engine, tmp_path: Path) -> None:
    # Quy Nhơn (Bình Định) reports January 2024; the 2025 province Gia Lai expects Bình Định's 11.
    # Then Chư Pưh sends June 2022: Gia Lai is expected from 2022-06, so the 2025 province's
    # January 2024 now expects 11 + 17 = 28, although 2024 was not queued (2022 and 2023 were).
    [merged] = {r[0] for r in query(db, "SELECT DISTINCT province_2025_code FROM core.dim_district "
                                        "WHERE province_code IN (:a, :b) AND is_current", a=GIA_LAI, b=BINH_DINH)}
    arrive(db, tmp_path, b.month(QUY_NHON, "2024-01", {"NN05": 1}), "2024-01-16T09:00:00")
    refresh(db, full=True)

    def january() -> int:
        [(units,)] = query(db, "SELECT expected_units FROM mart.indicator_rollup WHERE level = 'province_2025' "
                               "AND unit_code = :u AND period_key = 202401 AND indicator_code = 'NN05'", u=merged)
        return units

    assert january() == 11
    arrive(db, tmp_path, b.month(CHU_PUH, "2022-06", {"NN05": 1}), "2024-02-01T09:00:00")
    result = assert_incremental_equals_full(db)
    assert result.mode == "incremental"
    assert january() == 28
