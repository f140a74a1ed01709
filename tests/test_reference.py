"""Reference data as loaded by `baocao db upgrade`: counts, the 2025 mapping, type 2
history, the period dimension and idempotency of the loads."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, text

from etl.domain.catalog import load_catalog
from etl.warehouse.reference import load_reference_data
from etl.warehouse.scd import merge_type2
from etl.warehouse.schema import current_revision, head_revision, upgrade


def rows(db: Engine, sql: str, **params: Any) -> list[tuple]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_administrative_unit_counts(db: Engine) -> None:
    assert rows(db, "SELECT count(*) FROM core.dim_province WHERE is_current") == [(63,)]
    assert rows(db, "SELECT count(*) FROM core.dim_province_2025 WHERE is_current") == [(34,)]
    # The package's 696 districts of 30/6/2025 (10.035 communes), and Yên Dũng (18 communes at its end,
    # 31/12/2024), known from reference/unit_changes.csv.
    assert rows(db, "SELECT count(*) FROM core.dim_district WHERE is_current AND level = 'district'") == [(697,)]
    assert rows(db, "SELECT sum(commune_count) FROM core.dim_district WHERE is_current") == [(10035 + 18,)]
    # And the 3.321 communes that report since 1/7/2025, in the same dimension, without legacy province.
    assert rows(db, "SELECT count(*), count(province_code) FROM core.dim_district WHERE is_current "
                    "AND level = 'commune'") == [(3321, 0)]
    assert rows(db, "SELECT count(*) FROM mart.reporting_unit WHERE level = 'district' AND valid_to = '2025-06-30'") \
        == [(696,)]


def test_seed_districts_and_their_2025_provinces(db: Engine) -> None:
    got = rows(
        db,
        """
        SELECT district_code, district_short, province_code, province_2025_name FROM core.dim_district
        WHERE is_current AND district_code IN ('215', '216', '247', '639') ORDER BY 1""",
    )
    assert got == [
        ("215", "Yên Thế", "24", "Tỉnh Bắc Ninh"),
        ("216", "Tân Yên", "24", "Tỉnh Bắc Ninh"),
        ("247", "Tam Dương", "26", "Tỉnh Phú Thọ"),
        ("639", "Chư Pưh", "64", "Tỉnh Gia Lai"),
    ]


def test_catalog_loaded_with_contract_units_and_kinds(db: Engine) -> None:
    got = dict(
        (
            (code, (unit, kind))
            for code, unit, kind in rows(
                db, "SELECT indicator_code, unit, kind FROM core.dim_indicator WHERE is_current"
            )
        )
    )
    assert got["KT01"] == ("tỷ đồng", "flow")
    assert got["TT01"] == ("hồ sơ", "opening")
    assert got["XH03"] == ("%", "rate")
    assert got["NN08"] == ("xã", "stock")
    assert len(got) == len(load_catalog().indicators)


def test_period_windows_follow_decree_09(db: Engine) -> None:
    got = {
        code: (ws.isoformat(), we.isoformat())
        for code, ws, we in rows(
            db,
            "SELECT period_code, window_start, window_end FROM core.dim_period "
            "WHERE period_code IN ('2024-01', '2024-05', '2024-H1', '2024-H2', '2024')",
        )
    }
    assert got == {
        "2024-01": ("2023-12-15", "2024-01-14"),
        "2024-05": ("2024-04-15", "2024-05-14"),
        "2024-H1": ("2023-12-15", "2024-06-14"),
        "2024-H2": ("2024-06-15", "2024-12-14"),
        "2024": ("2023-12-15", "2024-12-14"),
    }


def test_reporting_calendar_default_and_province_override(db: Engine) -> None:
    got = dict(
        (
            (p, d)
            for p, d in rows(
                db, "SELECT province_code, deadline_day FROM core.reporting_calendar WHERE report_type = 'month'"
            )
        )
    )
    assert got["*"] == 18 and got["64"] == 17


def test_reloading_reference_data_changes_nothing(db: Engine) -> None:
    before = rows(db, "SELECT count(*), max(district_key) FROM core.dim_district")
    result = load_reference_data(db)
    units = result.pop("dim_reporting_unit")
    assert units == {"written": 0, "deleted": 0, "districts_queued": 0}
    assert all(v == {"opened": 0, "closed": 0} for v in result.values()), result
    assert rows(db, "SELECT count(*), max(district_key) FROM core.dim_district") == before
    upgrade(db)  # the whole `db upgrade` is idempotent too
    assert current_revision(db) == head_revision()


def test_type2_merge_keeps_history_when_a_unit_changes(engine: Engine) -> None:
    cols = ["province_2025_code", "province_2025_name", "province_2025_short"]
    with engine.connect() as conn:
        trans = conn.begin()
        current = [
            dict(r._mapping)
            for r in conn.execute(text(f"SELECT {', '.join(cols)} FROM core.dim_province_2025 WHERE is_current"))
        ]
        renamed = [dict(r) for r in current]
        target = next(r for r in renamed if r["province_2025_short"] == "Gia Lai")
        target["province_2025_name"] = "Tỉnh Gia Lai (tên mới)"
        counts = merge_type2(
            conn, "core.dim_province_2025", ["province_2025_code"], cols, renamed, today=date(2026, 1, 1)
        )
        history = conn.execute(
            text("""
            SELECT province_2025_name, valid_from, valid_to, is_current FROM core.dim_province_2025
            WHERE province_2025_code = :c ORDER BY valid_from"""),
            {"c": target["province_2025_code"]},
        ).all()
        trans.rollback()  # leave the shared reference data as it was
    assert counts == {"opened": 1, "closed": 1}
    assert [tuple(h) for h in history] == [
        ("Tỉnh Gia Lai", date(1900, 1, 1), date(2026, 1, 1), False),
        ("Tỉnh Gia Lai (tên mới)", date(2026, 1, 1), None, True),
    ]


def test_reporting_assignments_are_checked() -> None:
    from etl.domain.calendar import Assignment, parse_assignments

    assert parse_assignments([{"province_code": 26, "from": "2024-05"}]) == [Assignment("26", "month", 202405)]
    assert parse_assignments(None) == []
    with pytest.raises(ValueError, match="2 digits"):
        parse_assignments([{"province_code": "2601", "from": "2024-05"}])
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_assignments([{"province_code": "26", "from": "05/2024"}])
