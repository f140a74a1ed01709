"""Issue 11, geography in time (the legacy side): units exist for a span of time, with the commune
count of each period, from vietnamadminunits and reference/unit_changes.csv; the 2025 communes
and provinces are loaded."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from etl.warehouse.ingest import FileResult, ingest_paths
from tests import builders as b

YEN_THE, YEN_DUNG, CHU, VIET_YEN = "215", "221", "224", "222"


def ingest_one(db: Engine, tmp_path: Path, doc: dict[str, Any], received: str) -> FileResult:
    path = b.write_json(tmp_path / f"{doc['ma_huyen']}_{doc['ky_bao_cao']}.json", doc)
    [result] = ingest_paths(db, [path], received_at=datetime.fromisoformat(received))
    return result


def month_of(district: str, period: str, **values: Any) -> dict[str, Any]:
    doc = b.submission(district, period)
    doc["nhiem_vu"] = []
    for code, value in values.items():
        doc["chi_tieu"].append({"ma_chi_tieu": code, "don_vi_tinh": "xã", "thuc_hien_thang": value})
    return doc


def test_the_communes_and_provinces_of_2025_are_loaded(db: Engine) -> None:
    with db.connect() as conn:
        communes = "SELECT count(*) FROM mart.reporting_unit WHERE level = 'commune'"
        assert conn.execute(text(communes)).scalar() == 3321
        provinces = "SELECT count(DISTINCT province_2025_code) FROM mart.reporting_unit WHERE level = 'commune'"
        assert conn.execute(text(provinces)).scalar() == 34
        # The successors of the four seed districts lie in the 2025 province of their district.
        successors = conn.execute(text("""
            SELECT DISTINCT d.unit_code, c.province_2025_name
            FROM mart.reporting_unit AS d
            JOIN mart.reporting_unit AS c ON c.level = 'commune' AND c.province_2025_code = d.province_2025_code
            WHERE d.level = 'district' AND d.unit_code IN ('215', '639', '247', '252') AND d.valid_to = '2025-06-30'
        """)).all()
    assert dict(successors) == {"215": "Tỉnh Bắc Ninh", "639": "Tỉnh Gia Lai", "247": "Tỉnh Phú Thọ",
                                "252": "Tỉnh Phú Thọ"}


def test_units_have_life_spans_and_commune_counts_by_period(db: Engine) -> None:
    with db.connect() as conn:
        rows = conn.execute(text("""
            SELECT unit_code, unit_name, commune_count, valid_from, valid_to, change, legal_act, ended_by,
                   successor_code
            FROM mart.reporting_unit WHERE unit_code IN ('215', '221', '222', '224')
            ORDER BY unit_code, valid_from NULLS FIRST""")).all()
    by_code: dict[str, list[Any]] = {}
    for r in rows:
        by_code.setdefault(r.unit_code, []).append(r)
    assert [(r.commune_count, str(r.valid_from), str(r.valid_to)) for r in by_code[YEN_THE]] == [
        (21, "None", "2019-12-31"), (19, "2020-01-01", "2024-12-31"), (17, "2025-01-01", "2025-06-30")]
    assert by_code[YEN_THE][-1].ended_by == "abolished"
    last_yen_dung = by_code[YEN_DUNG][-1]
    assert (str(last_yen_dung.valid_to), last_yen_dung.ended_by, last_yen_dung.successor_code) == (
        "2024-12-31", "merged_into", "213")
    assert [(r.unit_name, str(r.valid_from)) for r in by_code[VIET_YEN]][-2:] == [
        ("Huyện Việt Yên", "2020-01-01"), ("Thị xã Việt Yên", "2024-02-01")]
    assert [(str(r.valid_from), r.change, r.legal_act) for r in by_code[CHU]] == [
        ("2025-01-01", "established", "1191/NQ-UBTVQH15")]


def test_a_district_that_ended_before_the_snapshot_reports_for_its_own_years(db: Engine, tmp_path: Path) -> None:
    result = ingest_one(db, tmp_path, month_of(YEN_DUNG, "2023-05"), "2023-05-16T09:00:00+07:00")
    assert result.status in ("accepted", "accepted_with_warnings"), result.errors
    late = ingest_one(db, tmp_path, month_of(YEN_DUNG, "2025-02"), "2025-02-16T09:00:00+07:00")
    assert late.status == "rejected"
    [error] = late.errors
    assert error["code"] == "UNIT_NOT_IN_PERIOD"
    assert "31/12/2024" in error["message"] and "Thành phố Bắc Giang" in error["message"]
    assert "1191/NQ-UBTVQH15" in error["message"]


def test_a_district_report_after_the_reform_names_the_communes_that_report_now(db: Engine, tmp_path: Path) -> None:
    result = ingest_one(db, tmp_path, month_of(b.CHU_PUH, "2026-10"), "2026-10-16T09:00:00+07:00")
    assert result.status == "rejected"
    [error] = result.errors
    assert error["code"] == "UNIT_NOT_IN_PERIOD"
    message = error["message"]
    assert "30/06/2025" in message and "01/07/2025" in message and "72/2025/QH15" in message
    # Xã Chư Pưh (a 2025 commune, 23942) is named among those who report now: not Huyện Chư Pưh.
    assert "UBND xã Chư Pưh, xã Ia Hrú" in message and "Tỉnh Gia Lai" in message


def test_a_unit_established_later_has_no_earlier_report(db: Engine, tmp_path: Path) -> None:
    early = ingest_one(db, tmp_path, month_of(CHU, "2024-05"), "2024-05-16T09:00:00+07:00")
    assert early.status == "rejected"
    assert early.errors[0]["code"] == "UNIT_NOT_IN_PERIOD" and "01/01/2025" in early.errors[0]["message"]
    on_time = ingest_one(db, tmp_path, month_of(CHU, "2025-03"), "2025-03-16T09:00:00+07:00")
    assert on_time.status in ("accepted", "accepted_with_warnings"), on_time.errors


def test_the_commune_count_rule_reads_the_count_of_the_period(db: Engine, tmp_path: Path) -> None:
    # "11/19 xã, thị trấn" (Yên Thế 2021): 18 communes meeting the standard is possible in 2021 (19
    # communes), not in 2025 (17).
    in_2021 = ingest_one(db, tmp_path, month_of(YEN_THE, "2021-05", NN08=18), "2021-05-16T09:00:00+07:00")
    assert in_2021.status in ("accepted", "accepted_with_warnings"), in_2021.errors
    assert not [m for m in in_2021.errors + in_2021.warnings if "NN08" in m["message"]]
    in_2025 = ingest_one(db, tmp_path, month_of(YEN_THE, "2025-05", NN08=18), "2025-05-16T09:00:00+07:00")
    broken = [m for m in in_2025.errors if "NN08" in m["message"]]
    assert in_2025.status == "rejected" and broken and "(17)" in broken[0]["message"]


def test_loading_the_units_twice_changes_nothing(db: Engine) -> None:
    from etl.warehouse.reference import load_reporting_units
    with db.begin() as conn:
        before = conn.execute(text("SELECT * FROM core.dim_reporting_unit ORDER BY unit_key")).all()
        assert load_reporting_units(conn) == {"written": 0, "deleted": 0, "districts_queued": 0}
        assert conn.execute(text("SELECT * FROM core.dim_reporting_unit ORDER BY unit_key")).all() == before


def test_no_template_for_a_district_after_the_reform(db: Engine, tmp_path: Path) -> None:
    from etl.reporting.template import write_template

    with pytest.raises(ValueError, match="xã Chư Pưh") as refused:
        write_template(db, b.CHU_PUH, "2026-10", tmp_path / "639_2026-10.xlsx")
    assert "30/06/2025" in str(refused.value) and not (tmp_path / "639_2026-10.xlsx").exists()
    write_template(db, b.CHU_PUH, "2025-06", tmp_path / "639_2025-06.xlsx")  # its last month
    assert (tmp_path / "639_2025-06.xlsx").exists()


# ----------------------------------------------------------------------------- communes, from 1/7/2025

XA_CHU_PUH, XA_IA_HRU = "23942", "23971"  # two of the four communes on Huyện Chư Pưh's area (Gia Lai, 52)


def commune_month(code: str, period: str, key: str = "ma_xa", **values: Any) -> dict[str, Any]:
    doc = b.month(code, period, values)
    doc[key] = doc.pop("ma_huyen")
    return doc


def ingest_all(db: Engine, tmp_path: Path, docs: list[dict[str, Any]]) -> list[FileResult]:
    paths, results = [], []
    for n, doc in enumerate(docs):
        paths.append(b.write_json(tmp_path / f"f{n}.json", doc))
    for path, doc in zip(paths, docs, strict=True):
        month = doc["ky_bao_cao"]
        [result] = ingest_paths(db, [path], received_at=datetime.fromisoformat(f"{month}-16T09:00:00+07:00"))
        results.append(result)
    return results


def test_a_commune_reports_from_the_reform_on(db: Engine, tmp_path: Path) -> None:
    before = ingest_one_doc(db, tmp_path, commune_month(XA_CHU_PUH, "2025-05", DN01=3), "2025-05-16T09:00:00+07:00")
    assert before.status == "rejected"
    assert before.errors[0]["code"] == "UNIT_NOT_IN_PERIOD"
    assert "Xã Chư Pưh được thành lập từ ngày 01/07/2025" in before.errors[0]["message"]
    for key in ("ma_xa", "ma_don_vi"):
        after = ingest_one_doc(db, tmp_path, commune_month(XA_CHU_PUH, "2025-08", key, DN01=3 if key == "ma_xa" else 4),
                               "2025-08-16T09:00:00+07:00")
        assert after.status in ("accepted", "accepted_with_warnings"), after.errors
        assert after.district_code == XA_CHU_PUH
    # A commune's code typed as a number loses its leading zero; ma_xa gives it back (07246: Yên Thế's area).
    numeric = commune_month("07246", "2025-09", DN01=1)
    numeric["ma_xa"] = 7246
    assert ingest_one_doc(db, tmp_path, numeric, "2025-09-16T09:00:00+07:00").district_code == "07246"


def ingest_one_doc(db: Engine, tmp_path: Path, doc: dict[str, Any], received: str) -> FileResult:
    path = b.write_json(tmp_path / f"doc_{len(list(tmp_path.iterdir()))}.json", doc)
    [result] = ingest_paths(db, [path], received_at=datetime.fromisoformat(received))
    return result


def test_a_2025_province_runs_on_across_the_reform(db: Engine, tmp_path: Path) -> None:
    from etl.marts.rollup import refresh
    # H2 2024: two legacy districts of Gia Lai (Chư Pưh, Phú Thiện) send DN01 = 10 a month;
    # H2 2025: two communes on Chư Pưh's area send DN01 = 7 a month.
    docs = [b.month(d, f"2024-{m:02d}", {"DN01": 10}) for d in (b.CHU_PUH, "638") for m in range(7, 13)]
    docs += [commune_month(c, f"2025-{m:02d}", DN01=7) for c in (XA_CHU_PUH, XA_IA_HRU) for m in range(7, 13)]
    results = ingest_all(db, tmp_path, docs)
    assert all(r.status in ("accepted", "accepted_with_warnings") for r in results), [r.errors for r in results]
    refresh(db, full=True)
    with db.connect() as conn:
        half = conn.execute(text("""
            SELECT level, unit_code, year, value, same_period_last_year, reporting_units, expected_units
            FROM mart.indicator_semiannual
            WHERE indicator_code = 'DN01' AND half = 2 AND (level = 'province_2025' AND unit_code = '52'
                                                            OR level = 'commune' AND unit_code = :c)
            ORDER BY level, year""").bindparams(c=XA_CHU_PUH)).all()
        rate = conn.execute(text("""
            SELECT year, month, expected, received FROM mart.reporting_rate
            WHERE level = 'province_2025' AND unit_code = '52' AND (year, month) IN ((2025, 6), (2025, 7))
            ORDER BY month""")).all()
        statuses = conn.execute(text("""
            SELECT level, count(*) FROM mart.submission_status
            WHERE province_2025_code = '52' AND year = 2025 AND month = 7 GROUP BY level""")).all()
    by = {(r.level, r.year): r for r in half}
    assert float(by[("commune", 2025)].value) == 42
    province_2025 = by[("province_2025", 2025)]
    assert float(province_2025.value) == 84  # the communes' H2 2025
    assert float(province_2025.same_period_last_year) == 120  # the legacy districts' H2 2024: like for like
    assert float(by[("province_2025", 2024)].value) == 120
    # Expected follows the units alive: until June 2025 the 17 districts of legacy Gia Lai (Bình Định, never
    # heard from and not assigned, is not expected); from July the 135 communes of the new Gia Lai, one
    # province that has been reporting; never a district after June, never a commune before July.
    assert dict(statuses) == {"commune": 135}
    june, july = rate
    assert (june.expected, july.expected) == (17, 135)
    assert july.received == 2


def test_the_year_of_the_reform_sums_each_unit_over_its_own_months(db: Engine, tmp_path: Path) -> None:
    from etl.marts.rollup import refresh
    # 2025 in the new Gia Lai (52): Huyện Chư Pưh January to June (DN01 10 a month, 1.000 households),
    # then two of the communes on its area July to December (DN01 7 a month, 300 households each).
    docs = [b.month(b.CHU_PUH, f"2025-{m:02d}", {"DN01": 10, "XH02": 1000}) for m in range(1, 7)]
    docs += [commune_month(c, f"2025-{m:02d}", DN01=7) | {"chi_tieu": [
        {"ma_chi_tieu": "DN01", "don_vi_tinh": "doanh nghiệp", "thuc_hien_thang": 7},
        {"ma_chi_tieu": "XH02", "don_vi_tinh": "hộ", "thuc_hien_thang": 300}]}
        for c in (XA_CHU_PUH, XA_IA_HRU) for m in range(7, 13)]
    results = ingest_all(db, tmp_path, docs)
    assert all(r.status in ("accepted", "accepted_with_warnings") for r in results), [r.errors for r in results]
    incremental = refresh(db)
    with db.connect() as conn:
        rows = conn.execute(text("""
            SELECT level, unit_code, indicator_code, value, reporting_units, expected_units
            FROM mart.indicator_annual WHERE year = 2025 AND indicator_code IN ('DN01', 'XH02')
              AND (level = 'province_2025' AND unit_code = '52' OR level IN ('district', 'commune'))""")).all()
    by = {(r.level, r.unit_code, r.indicator_code): r for r in rows}
    # A flow: each unit's own months, the district's half year and the communes' (144 = 60 + 2 x 42); each
    # unit complete over the months it existed.
    assert float(by[("province_2025", "52", "DN01")].value) == 144
    assert by[("province_2025", "52", "DN01")].reporting_units == 3
    assert by[("district", b.CHU_PUH, "DN01")].reporting_units == 1
    # A stock: the level at the end of the year, the communes' December; not the district's June on top.
    assert float(by[("province_2025", "52", "XH02")].value) == 600
    assert ("district", b.CHU_PUH, "XH02") not in by
    # Expected in the year: the 17 districts of legacy Gia Lai (January-June) and the 135 communes after.
    assert by[("province_2025", "52", "DN01")].expected_units == 17 + 135
    full = refresh(db, full=True)
    assert (incremental.indicator_rows > 0, full.mode) == (True, "full")
    with db.connect() as conn:
        again = conn.execute(text("""
            SELECT value FROM mart.indicator_annual
            WHERE year = 2025 AND level = 'province_2025' AND unit_code = '52' AND indicator_code = 'DN01'""")).scalar()
    assert float(again) == 144


def test_the_report_of_a_2025_province_across_the_reform_says_like_for_like(db: Engine, tmp_path: Path) -> None:
    from etl.marts.rollup import refresh
    from etl.reporting.markdown_report import render_markdown
    from etl.reporting.model import build_report
    docs = [b.month(b.CHU_PUH, f"2024-{m:02d}", {"DN01": 10}) for m in range(7, 13)]
    docs += [commune_month(XA_CHU_PUH, f"2025-{m:02d}", DN01=7) for m in range(7, 13)]
    assert all(r.status != "rejected" for r in ingest_all(db, tmp_path, docs))
    refresh(db, full=True)
    province = build_report(db, "52", "2025-H2", "province_2025")
    assert province.completeness is not None
    assert "/135 xã" in province.completeness  # the new Gia Lai's communes
    assert "cùng kỳ năm trước tổng hợp từ các huyện cũ trên cùng địa bàn" in province.completeness
    [dn01] = [line for line in province.indicators if line.code == "DN01"]
    assert (float(dn01.value), float(dn01.same_period_last_year)) == (42, 60)
    commune = build_report(db, XA_CHU_PUH, "2025-H2")  # a 5-digit code is a commune
    assert commune.level == "commune" and "Xã Chư Pưh (mã 23942, cấp xã)" in render_markdown(commune)


def test_a_stock_across_the_reform_expects_the_units_alive_at_the_periods_end(db: Engine, tmp_path: Path) -> None:
    from etl.marts.rollup import refresh
    docs = [b.month(b.CHU_PUH, f"2025-{m:02d}", {"DN01": 10, "XH02": 1000}) for m in range(1, 7)]
    docs += [commune_month(XA_CHU_PUH, f"2025-{m:02d}") | {"chi_tieu": [
        {"ma_chi_tieu": "DN01", "don_vi_tinh": "doanh nghiệp", "thuc_hien_thang": 7},
        {"ma_chi_tieu": "XH02", "don_vi_tinh": "hộ", "thuc_hien_thang": 300}]} for m in range(7, 13)]
    assert all(r.status != "rejected" for r in ingest_all(db, tmp_path, docs))
    refresh(db, full=True)
    with db.connect() as conn:
        expected = dict(conn.execute(text("""
            SELECT indicator_code, expected_units FROM mart.indicator_annual
            WHERE year = 2025 AND level = 'province_2025' AND unit_code = '52'
              AND indicator_code IN ('DN01', 'XH02')""")).all())
    # The year's flow: every unit expected in some month (17 districts, then 135 communes); its
    # households at the end of the year: the 135 communes only, so one commune's 300 is 1 of 135.
    assert expected == {"DN01": 17 + 135, "XH02": 135}
