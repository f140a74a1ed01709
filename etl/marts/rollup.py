"""`baocao rollup`: refresh the marts (contract section 3).

The rollups are tables (mart.indicator_rollup, mart.task_rollup, mart.submission_status)
read through views. A refresh runs in one transaction, so analysts never see half of
one. Incrementally (the default) it rebuilds only what depends on the district-years
queued by loads since the last refresh: those districts, their legacy and 2025 provinces,
for that year and the next (whose same-period-last-year figures read it).

The indicator rollup runs in steps over temp tables (sql/mart/), so the planner sees real
row counts: integer ids for units and indicators (rollup_keys.sql), every figure of the
scope into one table (rollup_district_figures, rollup_province_figures, rollup_rate_figures),
then the comparisons, plan and mart rows (refresh_indicator_rollup). What makes a national
full rebuild fast (bench.rollup_decade: 137 s at first, 34 s now): sorts and groupings on
integers rather than text (text keys sorted ~3x slower), no per-group sorts (halves and
years by ROLLUP and DISTINCT ON, not array_agg ORDER BY), one window sort for last year and
the year total, rows written in the key's order and the key built once afterwards, and no
foreign key checks on the derived mart tables.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import yaml
from psycopg import sql
from sqlalchemy import Connection, Engine, text

from etl.paths import REFERENCE_DIR, SQL_DIR

MART_COLUMNS_PATH = REFERENCE_DIR / "mart_columns.yaml"
ROLLUP_TABLES = ("mart.indicator_rollup", "mart.task_rollup")


@dataclass
class RollupResult:
    mode: str  # full | year | incremental | nothing
    units: int  # (level, unit, year) scopes rebuilt
    indicator_rows: int
    task_rows: int
    status_rows: int
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step, for the benchmark


def mart_column_docs() -> dict[str, Any]:
    return yaml.safe_load(MART_COLUMNS_PATH.read_text(encoding="utf-8"))


def apply_mart_comments(conn: Connection) -> None:
    """COMMENT ON every column of the analysts' views, from reference/mart_columns.yaml."""
    docs = mart_column_docs()
    cursor = conn.connection.driver_connection.cursor()  # COMMENT takes no bind parameters: quote as literals
    for view, description in docs["views"].items():
        cursor.execute(sql.SQL("COMMENT ON VIEW mart.{} IS {}").format(sql.Identifier(view), sql.Literal(description)))
        columns = conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'mart' AND table_name = :v"),
            {"v": view}).scalars().all()
        for column in columns:
            if column not in docs["columns"]:
                raise ValueError(f"{MART_COLUMNS_PATH}: column {column} of mart.{view} is not documented")
            cursor.execute(sql.SQL("COMMENT ON COLUMN mart.{}.{} IS {}").format(
                sql.Identifier(view), sql.Identifier(column), sql.Literal(docs["columns"][column])))


def _sql(name: str) -> str:
    return (SQL_DIR / "mart" / name).read_text(encoding="utf-8")


def _fill_scope(conn: Connection, mode: str, year: int | None) -> int:
    """Number the units and indicators (rollup_keys.sql), then put the (unit, year) to
    rebuild into the temp table rollup_scope and, with the year before each (read for the
    same period last year), into rollup_needed."""
    conn.execute(text(_sql("rollup_keys.sql")))
    conn.execute(text("CREATE TEMP TABLE rollup_scope (unit_id int, level text COLLATE \"C\", "
                      "unit_code text COLLATE \"C\", expected_units int, year smallint) ON COMMIT DROP"))
    if mode == "full":
        source = "SELECT DISTINCT district_code, year FROM core.fct_submission UNION SELECT district_code, year " \
                 "FROM core.fct_plan"
    elif mode == "year":
        source = f"SELECT district_code, {int(year)} AS year FROM core.dim_district WHERE is_current"  # type: ignore[arg-type]
    else:
        source = "SELECT district_code, year FROM ops.rollup_queue"
    # A year's figures are the next year's "same period last year": rebuild both.
    units = conn.execute(text(f"""
        INSERT INTO rollup_scope (unit_id, level, unit_code, expected_units, year)
        SELECT DISTINCT u.unit_id, u.level, u.unit_code, u.expected_units, y.year
        FROM ({source}) AS changed
        JOIN mart.district_unit AS du ON du.district_code = changed.district_code
        JOIN rollup_unit AS u ON u.level = du.level AND u.unit_code = du.unit_code
        CROSS JOIN LATERAL (VALUES (changed.year), (changed.year + 1)) AS y(year)
    """)).rowcount
    conn.execute(text("""
        CREATE TEMP TABLE rollup_needed ON COMMIT DROP AS
        SELECT unit_id, level, unit_code, year FROM rollup_scope
        UNION
        SELECT unit_id, level, unit_code, year - 1 FROM rollup_scope
    """))
    for table in ("rollup_unit", "rollup_district", "rollup_indicator", "rollup_rate_component", "rollup_scope",
                  "rollup_needed"):
        conn.execute(text(f"ANALYZE {table}"))
    return units


def refresh(engine: Engine, *, year: int | None = None, full: bool = False) -> RollupResult:
    """Refresh the marts: everything (`full`), one year and the next (`year`), or what the
    loads queued since the last refresh (default; a first refresh is full)."""
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('baocao rollup'))"))
        never_built = conn.execute(text("SELECT NOT EXISTS (SELECT 1 FROM mart.indicator_rollup)")).scalar()
        mode = "full" if full or (year is None and never_built) else ("year" if year is not None else "incremental")
        if mode == "incremental" and not conn.execute(text("SELECT EXISTS (SELECT 1 FROM ops.rollup_queue)")).scalar():
            mode = "nothing"
        # Sorts and hashes in memory: a national full rebuild sorts ~5 M rows.
        conn.execute(text(f"SET LOCAL work_mem = '{'1GB' if mode == 'full' else '256MB'}'"))
        units = indicator_rows = task_rows = 0
        steps: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            steps[name] = now - clock
            clock = now

        if mode != "nothing":
            units = _fill_scope(conn, mode, year)
            lap("scope")
            for table in ROLLUP_TABLES:
                if mode == "full":
                    conn.execute(text(f"TRUNCATE {table}"))
                else:
                    conn.execute(text(f"DELETE FROM {table} AS r USING rollup_scope AS s WHERE r.level = s.level "
                                      "AND r.unit_code = s.unit_code AND r.year = s.year"))
            lap("delete")
            # Steps in temp tables so the planner sees real row counts (CTE estimates of 1 row
            # turned the joins into nested loops).
            conn.execute(text(_sql("rollup_district_figures.sql")))
            conn.execute(text("ANALYZE rollup_figures"))
            lap("district_figures")
            conn.execute(text(_sql("rollup_province_figures.sql")))
            lap("province_figures")
            conn.execute(text(_sql("rollup_rate_figures.sql")))
            conn.execute(text("ANALYZE rollup_figures"))
            lap("rate_figures")
            key = None
            if mode == "full":  # a bulk load: build the key once afterwards (on rows already in its order)
                key = conn.execute(text(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'indicator_rollup_pkey' "
                    "AND conrelid = 'mart.indicator_rollup'::regclass")).scalar_one()
                conn.execute(text("ALTER TABLE mart.indicator_rollup DROP CONSTRAINT indicator_rollup_pkey"))
            indicator_rows = conn.execute(text(_sql("refresh_indicator_rollup.sql"))).rowcount
            if key:
                conn.execute(text(f"ALTER TABLE mart.indicator_rollup ADD CONSTRAINT indicator_rollup_pkey {key}"))
            lap("indicator_rollup")
            task_rows = conn.execute(text(_sql("refresh_task_rollup.sql"))).rowcount
            lap("task_rollup")
            if mode == "full":
                conn.execute(text("DELETE FROM ops.rollup_queue"))
            else:
                conn.execute(text("DELETE FROM ops.rollup_queue AS q USING rollup_scope AS s, mart.district_unit AS du "
                                  "WHERE du.district_code = q.district_code AND du.level = 'district' "
                                  "AND s.level = 'district' AND s.unit_code = du.unit_code AND s.year = q.year"))
        status_rows = refresh_submission_status(conn, None if mode == "full" else _status_from(conn))
        lap("submission_status")
    return RollupResult(mode, units, indicator_rows, task_rows, status_rows, time.perf_counter() - started, steps)


def _status_from(conn: Connection) -> int:
    """First month whose status may have changed since the last refresh: the earliest year
    rebuilt, and the last three months (deadlines pass with the clock)."""
    earliest = conn.execute(text("SELECT min(year) FROM rollup_scope")).scalar() if conn.execute(
        text("SELECT to_regclass('pg_temp.rollup_scope') IS NOT NULL")).scalar() else None
    recent = conn.execute(text("SELECT CAST(to_char(now() - interval '3 months', 'YYYYMM') AS int)")).scalar()
    return min(recent, earliest * 100 + 1) if earliest else recent


def refresh_submission_status(conn: Connection, from_period: int | None = None) -> int:
    """Statuses depend on the clock (a month becomes missing at its deadline), so every refresh
    recomputes them: all months when `from_period` is None, else from that month on."""
    start = from_period or 0
    conn.execute(text("DELETE FROM mart.submission_status WHERE year * 100 + month >= :p"), {"p": start})
    return conn.execute(text("""
        INSERT INTO mart.submission_status (district_code, district_name, province_code, year, month, status, deadline,
            first_received_at, accepted_at, days_late, versions_received, errors, warnings, as_of)
        SELECT s.*, now() FROM mart.submission_status_at(now(), :p) AS s
    """), {"p": start}).rowcount
