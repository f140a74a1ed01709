"""`baocao rollup`: refresh the marts (contract section 3).

The rollups are tables (mart.indicator_rollup, mart.task_rollup, mart.submission_status)
read through views. A refresh runs in one transaction, so analysts never see half of
one. Incrementally (the default) it rebuilds only what depends on the district-years
queued by loads since the last refresh: those districts, their legacy and 2025 provinces,
for that year and the next (whose same-period-last-year figures read it).

The refresh is the numbered SQL steps in sql/rollup/, run in order; each file's header
says what it reads, creates or writes, and which parameters it takes. This module only
takes the lock, decides the mode, runs the steps (timing each) and, on a full rebuild,
drops the key of mart.indicator_rollup before step 08 and builds it again after. The
parameters are transaction-local settings (baocao.rollup_mode, baocao.rollup_year and, as of a
moment, baocao.rollup_as_of, baocao.rollup_level, baocao.rollup_unit; SET_PARAMETERS), read
with current_setting(): unlike bind parameters they reach DO blocks (step 04 truncates or
deletes) and let a file hold several statements, sent as one. Every mode runs every step;
a step that does not concern the mode does nothing (with nothing queued the scope is empty,
and the submission statuses are still recomputed). RollupResult counts the rows the steps
insert: units (03), indicator_rows (09), task_rows (10), status_rows (12). To run the steps
by hand in psql:
BEGIN; SET LOCAL baocao.rollup_mode = 'full'; SET LOCAL baocao.rollup_year = ''; (and the
three as-of settings, ''), then each file in order.

As of a moment, the database runs the steps itself: `baocao db upgrade` stores them in
ops.rollup_step, and core.rollup_as_of (called by mart.indicator_*_at) runs those whose header
says "Runs as of: yes" (the ones that compute figures, into temp tables) in mode as_of, over
the versions and plans in force then, for the units and years asked for.

The indicator rollup runs over temp tables, analyzed, so the planner sees real row counts
(CTE estimates of 1 row turned the joins into nested loops): integer ids for units and
indicators (02), the scope (03), every figure of the scope into one table (05-07), then the
comparisons, plan and mart rows (08). What makes a national full rebuild fast
(bench.rollup_decade: 137 s at first, 35-45 s now, depending on the machine): sorts and
groupings on integers rather than text (text keys sorted ~3x slower), no per-group sorts
(DISTINCT ON, not array_agg ORDER BY), one window sort for last year (an H2 row carries its
year's figure), plan coverage summed in the pass that sums the provinces, hash joins where the
planner underestimates and would sort millions of rows to merge, rows written in the key's
order and the key built once afterwards, sorts in memory (work_mem, 01), and no foreign key
checks on the derived mart tables.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy import Connection, Engine, text

from etl.paths import SQL_DIR

STEPS_DIR = SQL_DIR / "rollup"


@dataclass
class RollupResult:
    mode: str  # full | year | incremental | nothing
    units: int  # (level, unit, year) scopes rebuilt
    indicator_rows: int
    task_rows: int
    status_rows: int
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step (sql/rollup/), for the benchmark


# The steps' parameters (transaction-local settings). The as-of ones are set by core.rollup_as_of.
SET_PARAMETERS = ("SELECT set_config('baocao.rollup_mode', :mode, true), "
                  "set_config('baocao.rollup_year', :year, true), "
                  "set_config('baocao.rollup_as_of', :as_of, true), set_config('baocao.rollup_level', :level, true), "
                  "set_config('baocao.rollup_unit', :unit, true)")
_RUNS_AS_OF = re.compile(r"^-- Runs as of: (yes|no)$", re.M)


@dataclass(frozen=True)
class Step:
    position: int
    name: str  # 05_district_figures -> district_figures
    statements: str
    runs_as_of: bool  # computes figures (the header's "Runs as of: yes"); an as-of run writes no mart table


def step_files() -> list[Path]:
    """The refresh's steps, in the order they run (their numbers)."""
    return sorted(STEPS_DIR.glob("[0-9][0-9]_*.sql"))


def steps() -> list[Step]:
    """The steps as `baocao db upgrade` stores them in ops.rollup_step for core.rollup_as_of."""
    out = []
    for path in step_files():
        statements = path.read_text(encoding="utf-8")
        flag = _RUNS_AS_OF.search(statements)
        if flag is None:
            raise ValueError(f"{path}: the header says whether the step runs as of a moment ('-- Runs as of: yes|no')")
        number, name = path.stem.split("_", 1)
        out.append(Step(int(number), name, statements, flag.group(1) == "yes"))
    return out


def refresh(engine: Engine, *, year: int | None = None, full: bool = False) -> RollupResult:
    """Refresh the marts: everything (`full`), one year and the next (`year`), or what the
    loads queued since the last refresh (default; a first refresh is full)."""
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('baocao rollup'))"))
        mode = _mode(conn, year, full)
        conn.execute(text(SET_PARAMETERS), {"mode": mode, "year": "" if year is None else str(year), "as_of": "",
                                            "level": "", "unit": ""})
        inserted: dict[str, int] = {}
        steps: dict[str, float] = {}
        # The raw cursor sends a file's statements in one round trip (possible without bind parameters).
        with conn.connection.driver_connection.cursor() as cursor:
            for path in step_files():
                name = path.stem.split("_", 1)[1]  # 09_indicator_rollup -> indicator_rollup
                clock = time.perf_counter()
                with _key_built_after(conn) if mode == "full" and name == "indicator_rollup" else nullcontext():
                    inserted[name] = _run(cursor, path.read_text(encoding="utf-8"))
                steps[name] = time.perf_counter() - clock
        # Step 03's temp views would outlive the transaction (views cannot drop on commit), and a
        # session's view on core.fct_submission would stop a later revision altering its columns.
        conn.execute(text("DROP VIEW IF EXISTS pg_temp.rollup_submission, pg_temp.rollup_plan"))
    return RollupResult(mode, inserted["scope"], inserted["indicator_rollup"], inserted["task_rollup"],
                        inserted["submission_status"], time.perf_counter() - started, steps)


def _mode(conn: Connection, year: int | None, full: bool) -> str:
    never_built = conn.execute(text("SELECT NOT EXISTS (SELECT 1 FROM mart.indicator_rollup)")).scalar()
    if full or (year is None and never_built):
        return "full"
    if year is not None:
        return "year"
    return "incremental" if conn.execute(text("SELECT EXISTS (SELECT 1 FROM ops.rollup_queue)")).scalar() else "nothing"


def _run(cursor: psycopg.Cursor, statements: str) -> int:
    """Run a step file's statements; the rows they inserted (what RollupResult counts)."""
    cursor.execute(statements)
    rows = 0
    while True:
        if (cursor.statusmessage or "").startswith("INSERT"):
            rows += cursor.rowcount
        if not cursor.nextset():
            return rows


@contextmanager
def _key_built_after(conn: Connection) -> Iterator[None]:
    """Drop the key of mart.indicator_rollup and build it again afterwards: a bulk load builds
    it once, on rows already in its order, rather than row by row."""
    key = conn.execute(text(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'indicator_rollup_pkey' "
        "AND conrelid = 'mart.indicator_rollup'::regclass")).scalar_one()
    conn.execute(text("ALTER TABLE mart.indicator_rollup DROP CONSTRAINT indicator_rollup_pkey"))
    yield
    conn.execute(text(f"ALTER TABLE mart.indicator_rollup ADD CONSTRAINT indicator_rollup_pkey {key}"))
