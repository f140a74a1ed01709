"""Reference data loaded by `baocao db upgrade`: units, indicator catalog, periods,
reporting calendar and administrative units. Every load is an idempotent merge: the
dimensions keep type 2 history, so a changed name or parent closes the old row."""

from __future__ import annotations

import hashlib
import json
from calendar import monthrange
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, text

from etl.domain.calendar import Assignment, Calendar, read_calendar
from etl.domain.catalog import Catalog, load_catalog
from etl.domain.periods import PERIOD_YEARS, month_window, period_key

# The first version of a reference row holds "since always": facts of any past year
# find it. Later changes start on the day they were loaded.
BEGINNING_OF_TIME = date(1900, 1, 1)


def row_hash(row: dict[str, Any], columns: list[str]) -> str:
    payload = json.dumps([row[c] for c in columns], ensure_ascii=False, default=str)
    return hashlib.md5(payload.encode("utf-8")).hexdigest()


def merge_type2(
    conn: Connection,
    table: str,
    natural_key: list[str],
    columns: list[str],
    rows: list[dict[str, Any]],
    *,
    today: date,
    hash_columns: list[str] | None = None,
) -> dict[str, int]:
    """Slowly changing dimension type 2 merge of `rows` into `table`.

    Rows whose attributes changed get their current version closed (valid_to = today)
    and a new version opened; keys that disappeared are closed; new keys are opened.
    Returns counts of opened and closed versions.
    """
    attrs = hash_columns or [c for c in columns if c not in natural_key]
    for row in rows:
        row["row_hash"] = row_hash(row, attrs)
    all_cols = [*columns, "row_hash"]
    key_match = " AND ".join(f"t.{k} = i.{k}" for k in natural_key)
    conn.execute(text(f"CREATE TEMP TABLE incoming ON COMMIT DROP AS SELECT {', '.join(all_cols)} "
                      f"FROM {table} WITH NO DATA"))
    if rows:
        placeholders = ", ".join(f":{c}" for c in all_cols)
        conn.execute(text(f"INSERT INTO incoming ({', '.join(all_cols)}) VALUES ({placeholders})"), rows)
    closed = conn.execute(text(f"""
        UPDATE {table} AS t SET valid_to = :today, is_current = false
        WHERE t.is_current AND NOT EXISTS (
            SELECT 1 FROM incoming AS i WHERE {key_match} AND i.row_hash = t.row_hash)
    """), {"today": today}).rowcount
    opened = conn.execute(text(f"""
        INSERT INTO {table} ({', '.join(all_cols)}, valid_from, valid_to, is_current)
        SELECT {', '.join('i.' + c for c in all_cols)},
               CASE WHEN EXISTS (SELECT 1 FROM {table} AS t WHERE {key_match})
                    THEN CAST(:today AS date) ELSE CAST(:beginning AS date) END,
               NULL, true
        FROM incoming AS i
        WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {key_match} AND t.is_current)
    """), {"today": today, "beginning": BEGINNING_OF_TIME}).rowcount
    conn.execute(text("DROP TABLE incoming"))
    return {"opened": opened, "closed": closed}


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


def load_calendar(conn: Connection, calendar: Calendar | None = None) -> None:
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
    rows: list[dict[str, Any]] = []
    for y in years:
        for m in range(1, 13):
            ws, we = month_window(y, m)
            rows.append({"period_key": period_key(y, m), "period_code": f"{y}-{m:02d}", "period_type": "month",
                         "year": y, "half": 1 if m <= 6 else 2, "month": m,
                         "start_date": date(y, m, 1), "end_date": date(y, m, monthrange(y, m)[1]),
                         "window_start": ws, "window_end": we})
        for h in (1, 2):
            first, last = (1, 6) if h == 1 else (7, 12)
            rows.append({"period_key": period_key(y, half=h), "period_code": f"{y}-H{h}", "period_type": "half",
                         "year": y, "half": h, "month": None,
                         "start_date": date(y, first, 1), "end_date": date(y, last, monthrange(y, last)[1]),
                         # Decree 09: both halves' reports count from 15 Dec of the previous year
                         # for H1; H2's own window is 15 Jun to 14 Dec.
                         "window_start": month_window(y, first)[0], "window_end": month_window(y, last)[1]})
        rows.append({"period_key": period_key(y), "period_code": str(y), "period_type": "year",
                     "year": y, "half": None, "month": None,
                     "start_date": date(y, 1, 1), "end_date": date(y, 12, 31),
                     "window_start": month_window(y, 1)[0], "window_end": month_window(y, 12)[1]})
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
        load_calendar(conn)
        result: dict[str, Any] = {"dim_indicator": load_indicators(conn, catalog, today)}
        result.update(load_admin_units(conn, today))
    return result
