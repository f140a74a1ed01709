"""Reference data loaded by `baocao db upgrade`: units, indicator catalog, periods,
reporting calendar and administrative units (and the stored assigning bodies renamed to the
canonical names of reference/assigning_bodies.yaml). Every load is an idempotent merge: the
dimensions keep type 2 history (etl.warehouse.scd), so a changed name or parent closes the old row."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, text

from etl.domain.bodies import load_bodies
from etl.domain.calendar import Assignment, Calendar, read_calendar
from etl.domain.catalog import Catalog, load_catalog
from etl.domain.periods import PERIOD_YEARS, half_of, periods_of_year
from etl.warehouse.load import TASK_HASH
from etl.warehouse.scd import merge_type2


def _units_rows(catalog: Catalog) -> list[dict[str, Any]]:
    return [
        {"unit": u.name, "dimension": u.dimension, "factor": u.factor, "is_integer": u.integer}
        for u in catalog.units.values()
    ]


def load_units(conn: Connection, catalog: Catalog) -> None:
    rows = _units_rows(catalog)
    conn.execute(text("""
        INSERT INTO core.dim_unit (unit, dimension, factor, is_integer)
        VALUES (:unit, :dimension, :factor, :is_integer)
        ON CONFLICT (unit) DO UPDATE SET dimension = EXCLUDED.dimension, factor = EXCLUDED.factor,
            is_integer = EXCLUDED.is_integer
        WHERE (core.dim_unit.dimension, core.dim_unit.factor, core.dim_unit.is_integer)
              IS DISTINCT FROM (EXCLUDED.dimension, EXCLUDED.factor, EXCLUDED.is_integer)
    """), rows)


INDICATOR_COLUMNS = [
    "indicator_code", "indicator_name", "indicator_name_en", "unit", "kind", "aggregation_type",
    "direction", "numerator_codes", "denominator_codes", "scale", "rule", "allow_negative",
    "is_integer", "max_month_change_pct", "catalog_version",
]


def load_indicators(conn: Connection, catalog: Catalog, today: date) -> dict[str, int]:
    rows = [
        {
            "indicator_code": i.code, "indicator_name": i.name, "indicator_name_en": i.name_en,
            "unit": i.unit, "kind": i.kind, "aggregation_type": i.aggregation_type,
            "direction": i.direction, "numerator_codes": list(i.numerator),
            "denominator_codes": list(i.denominator), "scale": i.scale, "rule": i.rule,
            "allow_negative": i.allow_negative, "is_integer": catalog.units[i.unit].integer,
            "max_month_change_pct": i.max_month_change_pct,
            # The catalog version is bookkeeping, not an attribute: bumping it alone
            # must not open new versions of unchanged indicators.
            "catalog_version": catalog.version,
        }
        for i in catalog.indicators.values()
    ]
    hashed = [c for c in INDICATOR_COLUMNS if c not in ("indicator_code", "catalog_version")]
    return merge_type2(conn, "core.dim_indicator", ["indicator_code"], INDICATOR_COLUMNS, rows,
                       today=today, hash_columns=hashed)


def load_assignments(conn: Connection, assignments: list[Assignment]) -> None:
    """Replace core.reporting_assignment (the YAML is the source of truth)."""
    conn.execute(text("DELETE FROM core.reporting_assignment"))
    if assignments:
        conn.execute(text("""
            INSERT INTO core.reporting_assignment (province_code, report_type, from_period_key)
            VALUES (:province_code, :report_type, :from_period_key)
        """), [a.__dict__ for a in assignments])


def load_reporting_calendar(conn: Connection, calendar: Calendar | None = None) -> None:
    """Replace core.reporting_calendar and core.reporting_assignment with the calendar's (the YAML
    is the source of truth)."""
    calendar = calendar or read_calendar()
    load_assignments(conn, list(calendar.assignments))
    rows = [
        {"province_code": p, "report_type": t, "cutoff_day": r.cutoff_day, "deadline_day": r.deadline_day,
         "deadline_time": r.deadline_time, "timezone": r.timezone}
        for (p, t), r in calendar.rules.items()
    ]
    # The YAML is the source of truth: replace, in the same transaction.
    conn.execute(text("DELETE FROM core.reporting_calendar"))
    conn.execute(text("""
        INSERT INTO core.reporting_calendar (province_code, report_type, cutoff_day, deadline_day,
                                             deadline_time, timezone)
        VALUES (:province_code, :report_type, :cutoff_day, :deadline_day, :deadline_time, :timezone)
    """), rows)


def period_rows(years: range = PERIOD_YEARS) -> list[dict[str, Any]]:
    """core.dim_period: every month, half and year, with its Decree 09 data window (H1 and the
    year count from 15 December of the previous year; H2 from 15 June)."""
    rows: list[dict[str, Any]] = []
    for year in years:
        for p in periods_of_year(year):
            window_start, window_end = p.window()
            rows.append({"period_key": p.key, "period_code": p.code, "period_type": p.kind, "year": p.year,
                         "half": half_of(p.month) if p.month else p.half, "month": p.month,
                         "start_date": p.start_date, "end_date": p.end_date,
                         "window_start": window_start, "window_end": window_end})
    return rows


def load_periods(conn: Connection) -> None:
    conn.execute(text("""
        INSERT INTO core.dim_period (period_key, period_code, period_type, year, half, month,
                                     start_date, end_date, window_start, window_end)
        VALUES (:period_key, :period_code, :period_type, :year, :half, :month,
                :start_date, :end_date, :window_start, :window_end)
        ON CONFLICT (period_key) DO NOTHING
    """), period_rows())


def load_admin_units(conn: Connection, today: date) -> dict[str, dict[str, int]]:
    from etl.domain import admin_units
    provinces = admin_units.legacy_provinces()
    new_provinces = admin_units.provinces_2025()
    districts = admin_units.legacy_districts().merge(
        provinces[["province_code", "province_name", "province_2025_code", "province_2025_name"]],
        on="province_code", how="left", validate="many_to_one",
    )
    if districts["province_name"].isna().any():
        raise ValueError("vietnamadminunits: a district refers to an unknown province")
    prov_cols = ["province_code", "province_name", "province_short", "province_type",
                 "province_2025_code", "province_2025_name"]
    new_cols = ["province_2025_code", "province_2025_name", "province_2025_short"]
    dist_cols = ["district_code", "district_name", "district_short", "district_type", "commune_count",
                 "province_code", "province_name", "province_2025_code", "province_2025_name"]
    districts["commune_count"] = districts["commune_count"].astype(int)
    return {
        "dim_province_2025": merge_type2(conn, "core.dim_province_2025", ["province_2025_code"], new_cols,
                                         _records(new_provinces[new_cols]), today=today),
        "dim_province": merge_type2(conn, "core.dim_province", ["province_code"], prov_cols,
                                    _records(provinces[prov_cols]), today=today),
        "dim_district": merge_type2(conn, "core.dim_district", ["district_code"], dist_cols,
                                    _records(districts[dist_cols]), today=today),
    }


def canonicalise_task_bodies(conn: Connection) -> int:
    """Assigning bodies stored before reference/assigning_bodies.yaml knew them (or before an
    alias was added to it) renamed to their canonical name, so old and new tasks of one body
    are one row of the task marts; the hash that tells task versions apart is recomputed (the
    next file naming the task then matches its version) and the districts' years are queued for
    the rollup. Returns the number of task versions renamed."""
    bodies = load_bodies()
    written = conn.execute(text("SELECT DISTINCT co_quan_giao FROM core.dim_task")).scalars().all()
    renames = {w: c for w in written if (c := bodies.canonical(w)) is not None and c != w}
    districts: set[str] = set()
    renamed = 0
    for old, new in renames.items():
        rows = conn.execute(text(f"""
            UPDATE core.dim_task AS r SET co_quan_giao = :new,
                   row_hash = {TASK_HASH.replace("r.co_quan_giao", "CAST(:new AS text)")}
            WHERE r.co_quan_giao = :old
            RETURNING r.district_code
        """), {"old": old, "new": new}).scalars().all()
        districts.update(rows)
        renamed += len(rows)
    if districts:
        conn.execute(text("""
            INSERT INTO ops.rollup_queue (district_code, year)
            SELECT DISTINCT district_code, year FROM core.fct_submission WHERE district_code = ANY(:d)
            ON CONFLICT DO NOTHING
        """), {"d": sorted(districts)})
    return renamed


def _records(df: Any) -> list[dict[str, Any]]:
    # Plain Python values (no numpy scalars) for the driver.
    return [{k: (int(v) if hasattr(v, "item") and not isinstance(v, str) else v) for k, v in r.items()}
            for r in df.to_dict("records")]


def load_reference_data(engine: Engine, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    catalog = load_catalog()
    with engine.begin() as conn:
        load_units(conn, catalog)
        load_periods(conn)
        load_reporting_calendar(conn)
        result: dict[str, Any] = {"dim_indicator": load_indicators(conn, catalog, today)}
        result.update(load_admin_units(conn, today))
        canonicalise_task_bodies(conn)
    return result
