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

Locks. A full rebuild truncates mart.indicator_rollup and mart.task_rollup (step 04) and swaps
the key, which takes ACCESS EXCLUSIVE locks: behind one analyst's open transaction the TRUNCATE
would wait, and every new analyst query would queue behind it. So after the rollup's own
advisory lock (a second rollup waits for the first, as long as it takes) the transaction sets a
short lock_timeout (LOCK_TIMEOUT): a lock not granted by then gives up (LockNotAvailable,
SQLSTATE 55P03), the whole transaction rolls back, the queued readers go on, and the refresh
starts again after a growing pause (LOCK_BACKOFF_SECONDS), logged each time, up to LOCK_ATTEMPTS
attempts; then RollupLockTimeout says so (and where to look). Swapping the key needs the table's
owner: a login without it (baocao_loader) rebuilds with the key in place, only slower.

The indicator rollup runs over temp tables, analyzed, so the planner sees real row counts
(CTE estimates of 1 row turned the joins into nested loops): integer ids for units and
indicators (02), the scope (03), every figure of the scope into one table (05-07), then the
comparisons, plan and mart rows (08). What makes a national full rebuild fast
(bench.rollup_decade: 137 s at first, 35-45 s now, depending on the machine): sorts and
groupings on integers rather than text (text keys sorted ~3x slower), no per-group sorts
(DISTINCT ON, not array_agg ORDER BY), one window sort for last year (an H2 row carries its
year's figure), plan coverage summed in the pass that sums the provinces, a district's plan joined
once (05) and carried by its figures rather than joined again in 06 and 08, a year's stock or
opening balance taken from its halves (05: a sixth of the rows to sort), the province-only
expected_units subscript skipped for the districts' rows (08), hash joins where the planner
underestimates and would sort millions of rows to merge or loop over them (05 in modes full and
year: the indicator values scanned once, not looked up per submission), rows written in the key's
order and the key built once afterwards, sorts in memory (work_mem, 01), and no foreign key
checks on the derived mart tables.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from etl.paths import SQL_DIR

STEPS_DIR = SQL_DIR / "rollup"
log = logging.getLogger(__name__)

# How long a refresh waits for a table lock before it gives up and tries again later (a
# transaction-local lock_timeout), how often it tries, and the first pause (doubled each time,
# with some jitter): about 25 s in all before RollupLockTimeout.
LOCK_TIMEOUT = "2s"
LOCK_ATTEMPTS = 5
LOCK_BACKOFF_SECONDS = 1.0


class RollupLockTimeout(RuntimeError):
    """The refresh could not get its table locks in LOCK_ATTEMPTS attempts."""


@dataclass
class RollupResult:
    mode: str  # full | year | incremental | nothing
    units: int  # (level, unit, year) scopes rebuilt
    indicator_rows: int
    task_rows: int
    status_rows: int
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step (sql/rollup/), for the benchmark
    lock_retries: int = 0  # attempts given up on a lock (LockNotAvailable) before this one succeeded


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


def refresh(engine: Engine, *, year: int | None = None, full: bool = False, lock_timeout: str = LOCK_TIMEOUT,
            attempts: int = LOCK_ATTEMPTS, backoff_seconds: float = LOCK_BACKOFF_SECONDS) -> RollupResult:
    """Refresh the marts: everything (`full`), one year and the next (`year`), or what the
    loads queued since the last refresh (default; a first refresh is full). A lock not granted
    within `lock_timeout` rolls the attempt back; the refresh tries again after a pause, up to
    `attempts` times, then raises RollupLockTimeout."""
    started = time.perf_counter()
    for attempt in range(1, attempts + 1):
        try:
            result = _refresh_once(engine, year=year, full=full, lock_timeout=lock_timeout)
        except (DBAPIError, psycopg.Error) as error:
            cause = error.orig if isinstance(error, DBAPIError) else error
            if not isinstance(cause, pg_errors.LockNotAvailable):
                raise
            if attempt == attempts:
                raise RollupLockTimeout(
                    f"rollup gave up: a table lock was not granted within {lock_timeout} in {attempts} attempts "
                    f"(an open transaction on mart.indicator_rollup or mart.task_rollup? see pg_stat_activity, "
                    f"pg_locks): {str(cause).strip()}") from error
            pause = backoff_seconds * 2 ** (attempt - 1) * random.uniform(0.75, 1.25)
            log.warning("rollup: lock not granted within %s (attempt %d of %d): %s; trying again in %.1f s",
                        lock_timeout, attempt, attempts, str(cause).strip(), pause)
            time.sleep(pause)
            continue
        result.lock_retries = attempt - 1
        result.seconds = time.perf_counter() - started
        return result
    raise AssertionError("unreachable")  # the loop returns or raises


def _refresh_once(engine: Engine, *, year: int | None, full: bool, lock_timeout: str) -> RollupResult:
    started = time.perf_counter()
    with engine.begin() as conn:  # statistics first, in their own transaction (ops.analyze_stale says why)
        analyzed = conn.execute(text("SELECT ops.analyze_stale()")).scalar_one()
    if analyzed:
        log.info("rollup: analyzed %s first (changed since their statistics)", ", ".join(analyzed))
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('baocao rollup'))"))
        # After the advisory lock: waiting for another rollup holds no table lock anyone queues behind.
        conn.execute(text("SELECT set_config('lock_timeout', :timeout, true)"), {"timeout": lock_timeout})
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
    it once, on rows already in its order, rather than row by row. Only the table's owner (or a
    member) may; another login (baocao_loader) keeps the key during the load."""
    if not conn.execute(text("SELECT pg_has_role(relowner, 'USAGE') FROM pg_class "
                             "WHERE oid = 'mart.indicator_rollup'::regclass")).scalar():
        yield
        return
    key = conn.execute(text(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'indicator_rollup_pkey' "
        "AND conrelid = 'mart.indicator_rollup'::regclass")).scalar_one()
    conn.execute(text("ALTER TABLE mart.indicator_rollup DROP CONSTRAINT indicator_rollup_pkey"))
    yield
    conn.execute(text(f"ALTER TABLE mart.indicator_rollup ADD CONSTRAINT indicator_rollup_pkey {key}"))
