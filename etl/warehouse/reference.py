"""Reference data loaded by `baocao db upgrade`: units, indicator catalog, periods,
reporting calendar and administrative units (and the stored assigning bodies renamed to the
canonical names of reference/assigning_bodies.yaml). Every load is an idempotent merge: the
dimensions keep type 2 history (etl.warehouse.scd), so a changed name or parent closes the old row."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, text

from etl.domain.bodies import load_bodies
from etl.domain.calendar import Assignment, Calendar, read_calendar
from etl.domain.catalog import Catalog, load_catalog
from etl.domain.periods import PERIOD_YEARS, half_of, periods_of_year
from etl.domain.unit_history import district_versions, ending_of, level_end, load_unit_changes
from etl.warehouse.load import REQUEUE, TASK_HASH
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


def _districts_known_from_history() -> pd.DataFrame:
    """The package's legacy districts (the units of 30/6/2025) and those that ended before it,
    known from reference/unit_changes.csv only (Yên Dũng): their attributes at their end."""
    from etl.domain import admin_units
    snapshot = admin_units.legacy_districts()
    histories = district_versions(snapshot.to_dict("records"), load_unit_changes())
    gone = [versions[-1] for code, versions in histories.items() if code not in set(snapshot["district_code"])]
    return pd.concat([snapshot, pd.DataFrame({
        "district_code": [v.unit_code for v in gone],
        "district_name": [v.unit_name for v in gone],
        "district_short": [v.unit_name.removeprefix(v.unit_type).strip() for v in gone],
        "district_type": [v.unit_type for v in gone],
        "province_code": [v.province_code for v in gone],
        "commune_count": [v.commune_count or 0 for v in gone],
    })], ignore_index=True).sort_values("district_code", ignore_index=True)


def load_reporting_units(conn: Connection) -> dict[str, int]:
    """core.dim_reporting_unit: every legacy district's versions in business time and the 2025
    communes, from the first day of the commune level. The same data gives the same rows (an
    upsert on (level, unit_code, valid_from) and a delete of versions the data no longer has).
    A district whose versions changed (a new line in reference/unit_changes.csv) changes who is
    expected when: its district-years are queued for the rollup, from the first year with data to
    this year. Returns the rows written and deleted, and the districts queued."""
    from etl.domain import admin_units
    before = set(conn.execute(text(_DISTRICT_VERSIONS)).all())
    changes = load_unit_changes()
    snapshot = admin_units.legacy_districts()
    to_2025 = dict(zip(*admin_units.legacy_provinces()[["province_code", "province_2025_code"]].T.values, strict=True))
    rows: list[dict[str, Any]] = []
    for code, versions in district_versions(snapshot.to_dict("records"), changes).items():
        ending = ending_of(code, changes)
        rows += [{"level": "district", "unit_code": v.unit_code, "unit_name": v.unit_name, "unit_type": v.unit_type,
                  "province_code": v.province_code, "province_2025_code": to_2025[v.province_code],
                  "commune_count": v.commune_count, "valid_from": v.valid_from, "valid_to": v.valid_to,
                  "change": v.change, "legal_act": v.legal_act, "date_confirmed": v.date_confirmed,
                  **({"ended_by": ending.change, "ended_by_act": ending.legal_act,
                      "successor_code": ending.successor_code or None}
                     if ending and v is versions[-1] else {"ended_by": None, "ended_by_act": None,
                                                           "successor_code": None})}
                 for v in versions]
    end = level_end(changes, "district")
    communes_from = end.effective if end else None
    rows += [{"level": "commune", "unit_code": c.commune_code, "unit_name": c.commune_name, "unit_type": c.commune_type,
              "province_code": None, "province_2025_code": c.province_2025_code, "commune_count": None,
              "valid_from": communes_from, "valid_to": None, "change": "established",
              "legal_act": end.legal_act if end else None, "date_confirmed": end.date_confirmed if end else True,
              "ended_by": None, "ended_by_act": None, "successor_code": None}
             for c in admin_units.communes_2025().itertuples(index=False)]
    written = conn.execute(text("""
        INSERT INTO core.dim_reporting_unit (level, unit_code, unit_name, unit_type, province_code, province_2025_code,
                                             commune_count, valid_from, valid_to, change, legal_act, date_confirmed,
                                             ended_by, ended_by_act, successor_code)
        VALUES (:level, :unit_code, :unit_name, :unit_type, :province_code, :province_2025_code, :commune_count,
                :valid_from, :valid_to, :change, :legal_act, :date_confirmed, :ended_by, :ended_by_act,
                :successor_code)
        ON CONFLICT ON CONSTRAINT dim_reporting_unit_version DO UPDATE SET
            unit_name = excluded.unit_name, unit_type = excluded.unit_type, province_code = excluded.province_code,
            province_2025_code = excluded.province_2025_code, commune_count = excluded.commune_count,
            valid_to = excluded.valid_to, change = excluded.change, legal_act = excluded.legal_act,
            date_confirmed = excluded.date_confirmed, ended_by = excluded.ended_by,
            ended_by_act = excluded.ended_by_act, successor_code = excluded.successor_code
        WHERE (dim_reporting_unit.unit_name, dim_reporting_unit.unit_type, dim_reporting_unit.province_code,
               dim_reporting_unit.province_2025_code, dim_reporting_unit.commune_count, dim_reporting_unit.valid_to,
               dim_reporting_unit.change, dim_reporting_unit.legal_act, dim_reporting_unit.date_confirmed,
               dim_reporting_unit.ended_by, dim_reporting_unit.ended_by_act, dim_reporting_unit.successor_code)
              IS DISTINCT FROM
              (excluded.unit_name, excluded.unit_type, excluded.province_code, excluded.province_2025_code,
               excluded.commune_count, excluded.valid_to, excluded.change, excluded.legal_act, excluded.date_confirmed,
               excluded.ended_by, excluded.ended_by_act, excluded.successor_code)
    """), rows).rowcount
    deleted = conn.execute(text("""
        DELETE FROM core.dim_reporting_unit AS u
        WHERE NOT EXISTS (
            SELECT 1 FROM unnest(CAST(:levels AS text[]), CAST(:codes AS text[]), CAST(:froms AS date[])) AS k(l, c, f)
            WHERE k.l = u.level AND k.c = u.unit_code AND k.f IS NOT DISTINCT FROM u.valid_from)
    """), {"levels": [r["level"] for r in rows], "codes": [r["unit_code"] for r in rows],
           "froms": [r["valid_from"] for r in rows]}).rowcount
    changed = sorted({code for code, _ in before ^ set(conn.execute(text(_DISTRICT_VERSIONS)).all())})
    if changed:
        conn.execute(text(f"""
            INSERT INTO ops.rollup_queue (district_code, year)
            SELECT d.district_code, y.year
            FROM core.dim_district AS d
            CROSS JOIN generate_series((SELECT min(year) FROM core.fct_submission),
                                       extract(year FROM now())::int) AS y(year)
            WHERE d.is_current AND d.district_code = ANY(:codes)
            {REQUEUE}
        """), {"codes": changed})
    return {"written": max(written, 0), "deleted": deleted, "districts_queued": len(changed)}


# A district's versions as one comparable row each (what a change of the data changes).
_DISTRICT_VERSIONS = """
    SELECT unit_code, CAST(ROW(unit_name, unit_type, province_code, province_2025_code, commune_count, valid_from,
                               valid_to, change, legal_act, date_confirmed, ended_by, ended_by_act, successor_code)
                           AS text)
    FROM core.dim_reporting_unit WHERE level = 'district'
"""


def load_admin_units(conn: Connection, today: date) -> dict[str, dict[str, int]]:
    from etl.domain import admin_units
    provinces = admin_units.legacy_provinces()
    new_provinces = admin_units.provinces_2025()
    districts = _districts_known_from_history().merge(
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
    district_records = [dict(r, level="district") for r in _records(districts[dist_cols])]
    # The 2025 communes report from 1/7/2025: units of the same dimension, without legacy province.
    communes = admin_units.communes_2025().merge(new_provinces[["province_2025_code", "province_2025_name"]],
                                                 on="province_2025_code", how="left", validate="many_to_one")
    commune_records = [
        {"district_code": c.commune_code, "district_name": c.commune_name, "district_short": c.commune_short,
         "district_type": c.commune_type, "commune_count": None, "province_code": None, "province_name": None,
         "province_2025_code": c.province_2025_code, "province_2025_name": c.province_2025_name, "level": "commune"}
        for c in communes.itertuples(index=False)]
    return {
        "dim_province_2025": merge_type2(conn, "core.dim_province_2025", ["province_2025_code"], new_cols,
                                         _records(new_provinces[new_cols]), today=today),
        "dim_province": merge_type2(conn, "core.dim_province", ["province_code"], prov_cols,
                                    _records(provinces[prov_cols]), today=today),
        # level is not hashed: it follows from the code's length, and the districts' versions of before
        # it existed keep their hash (and their keys).
        "dim_district": merge_type2(conn, "core.dim_district", ["district_code"], [*dist_cols, "level"],
                                    district_records + commune_records, today=today, hash_columns=dist_cols[1:]),
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
        conn.execute(text(f"""
            INSERT INTO ops.rollup_queue (district_code, year)
            SELECT DISTINCT district_code, year FROM core.fct_submission WHERE district_code = ANY(:d)
            {REQUEUE}
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
        result["dim_reporting_unit"] = load_reporting_units(conn)
        canonicalise_task_bodies(conn)
    return result
