"""`baocao rollup`: refresh the marts (contract section 3).

The rollups are tables (mart.indicator_rollup, mart.task_rollup, mart.submission_status_rollup)
read through views. A refresh runs in one transaction, so analysts never see half of
one. Incrementally (the default) it rebuilds only what depends on the district-years
queued by loads since the last refresh: those districts, their legacy and 2025 provinces,
for that year and the next (whose same-period-last-year figures read it). It computes the
figures of the changed years only: the year before (what they compare with) and the year
after (whose own figures did not change; only its comparisons are updated, step 09) are
read from the mart, unchanged since the last refresh or they would be queued (step 03). A province
whose sums before the windows an earlier incremental refresh stored (ops.rollup_partial, revision
0024), over the same units and catalog, is summed from them while at most half its units changed:
minus its changed units' figures as the mart held them, plus their figures now (steps 03, 05-07),
not from all its units (a 2025 province's 126 communes: half of a refresh at commune scale; past
half, as in a national month's batch, summing them all costs less); every refresh that sums a
province of its scope stores its sums (step 09). RollupResult.from_partial_sums counts the
province-years summed that way.

The refresh is the numbered SQL steps in sql/rollup/, run in order; each file's header
says what it reads, creates or writes, and which parameters it takes. This module only
takes the lock, decides the mode, runs the steps (timing each) and, on a full rebuild in one
session, drops the key of mart.indicator_rollup before step 08 and builds it again after (in
parallel sessions, it shares the figures out and attaches the sessions' tables, below). The
parameters are transaction-local settings (baocao.rollup_mode, baocao.rollup_year and, as of a
moment, baocao.rollup_as_of, baocao.rollup_level, baocao.rollup_unit; set_parameters), read
with current_setting(): unlike bind parameters they reach DO blocks (step 04 truncates or
deletes) and let a file hold several statements, sent as one. Every mode runs every step;
a step that does not concern the mode does nothing (with nothing queued the scope is empty,
and the submission statuses the clock moved on are still recomputed, step 12). RollupResult counts the rows the steps
insert: units (03), indicator_rows (09), task_rows (10), status_rows (12). To run the steps
by hand in psql:
BEGIN; SET LOCAL baocao.rollup_mode = 'full'; SET LOCAL baocao.rollup_year = ''; (and the
three as-of settings, ''), then each file in order.

A full rebuild of a big warehouse (PARALLEL_MIN_UNIT_YEARS unit-years or more) computes its figures
in parallel: before step 04, the scope's years are shared out (split_years) among default_sessions()
sessions (one per core, at most 4) and a table made for each (ops.rollup_partition_build); after it,
each session, a connection of its own in REPEATABLE READ on the snapshot the refresh's transaction
exports, runs steps 01-03 for its years (baocao.rollup_years) and 05-08, writes its rows into its
table and builds its key (ops.rollup_partition_key), and commits. In place of step 09 the refresh's
own transaction then attaches those tables as the partitions of mart.indicator_rollup (partitioned
by range of period_key, revision 0025) for their years, in place of the old ones, with an empty
default partition for any other period (ops.rollup_partitions_swap): analysts still see the whole
old mart or the whole new one. The three functions act as the mart's owner, so the ETL's login
(baocao_loader) rebuilds the same way. A failed session fails the refresh (the others are
cancelled); the sessions' tables, never attached, are dropped by the next rebuild. So the rows are
written once and the keys built by the sessions at once, not by the refresh after them, one after
the other (ten national years: 34,7-36,7 s before, 28,6-29,1 s; at commune scale 133-137 s, 115-118
s).

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
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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
    # province-level unit-years summed from their stored partial sums (incremental; revision 0024), the
    # others of the scope from all their units
    from_partial_sums: int = 0

    def summary(self) -> dict[str, Any]:
        """Every figure of the refresh, times rounded to 10 ms: what the rollup_marts DAG's task returns,
        so an engineer reads in its XCom why one refresh took longer than another (its scope, the
        provinces summed from stored sums, the locks it waited for, each step's time)."""
        return {**asdict(self), "seconds": round(self.seconds, 2),
                "steps": {step: round(secs, 2) for step, secs in self.steps.items()}}


# The steps' parameters (transaction-local settings), as a refresh and its sessions set them; the
# as-of ones are set by core.rollup_as_of (empty here).
SET_PARAMETERS = ("SELECT set_config('baocao.rollup_mode', %(mode)s, true), "
                  "set_config('baocao.rollup_year', %(year)s, true), "
                  "set_config('baocao.rollup_as_of', '', true), set_config('baocao.rollup_level', '', true), "
                  "set_config('baocao.rollup_unit', '', true), set_config('baocao.rollup_years', %(years)s, true)")


def set_parameters(cursor: psycopg.Cursor, mode: str, *, year: int | None = None,
                   years: list[int] | None = None) -> None:
    """Set the steps' parameters for this transaction: the mode, the year (year mode) and, for a
    session of a parallel full rebuild, its share of the years (all when None)."""
    cursor.execute(SET_PARAMETERS, {"mode": mode, "year": "" if year is None else str(year),
                                    "years": "" if years is None else "{" + ",".join(map(str, years)) + "}"})


# Step 03's temp views and step 08's (the mart rows) would outlive the transaction: views cannot
# drop on commit.
DROP_TEMP_VIEWS = "DROP VIEW IF EXISTS pg_temp.rollup_submission, pg_temp.rollup_plan, pg_temp.rollup_indicator_rows"
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
            attempts: int = LOCK_ATTEMPTS, backoff_seconds: float = LOCK_BACKOFF_SECONDS,
            sessions: int | None = None) -> RollupResult:
    """Refresh the marts: everything (`full`), one year and the next (`year`), or what the
    loads queued since the last refresh (default; a first refresh is full). A lock not granted
    within `lock_timeout` rolls the attempt back; the refresh tries again after a pause, up to
    `attempts` times, then raises RollupLockTimeout. A full rebuild computes its figures in
    `sessions` parallel sessions (1: in the refresh's own), at most one per year; by default
    (None) in default_sessions() when it has PARALLEL_MIN_UNIT_YEARS unit-years or more."""
    started = time.perf_counter()
    for attempt in range(1, attempts + 1):
        try:
            result = _refresh_once(engine, year=year, full=full, lock_timeout=lock_timeout, sessions=sessions)
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


def _refresh_once(engine: Engine, *, year: int | None, full: bool, lock_timeout: str,
                  sessions: int | None) -> RollupResult:
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
        inserted: dict[str, int] = {}
        steps: dict[str, float] = {}
        parallel = False  # a full rebuild's figures computed by parallel sessions (when they pay)
        shares: list[list[int]] = []  # their years, by session
        tables: list[str] = []  # the tables they write, by session
        built_rows = 0  # the rows they wrote
        # The raw cursor sends a file's statements in one round trip (possible without bind parameters).
        with conn.connection.driver_connection.cursor() as cursor:
            set_parameters(cursor, mode, year=year)
            for path in step_files():
                name = path.stem.split("_", 1)[1]  # 09_indicator_rollup -> indicator_rollup
                clock = time.perf_counter()
                if mode == "full" and name == "clear":
                    shares = _year_shares(cursor, sessions) if sessions is not None else _year_shares(
                        cursor, default_sessions(), PARALLEL_MIN_UNIT_YEARS)
                    parallel = len(shares) > 1
                    if parallel:  # their tables made before step 04 locks the mart (_build_tables)
                        tables = _build_tables(engine, shares, lock_timeout)
                        steps["tables for the sessions"] = time.perf_counter() - clock
                        clock = time.perf_counter()
                if parallel and name in FIGURE_STEPS:
                    if name == FIGURE_STEPS[0]:
                        built_rows, timings = _build_in_sessions(engine, cursor, shares, tables, lock_timeout)
                        steps.update(timings)
                    continue
                if parallel and name == "indicator_rollup":
                    # the sessions' tables become the mart's partitions: their rows are written already
                    cursor.execute("SELECT ops.rollup_partitions_swap(%s, %s)",
                                   ([s[0] for s in shares], [s[-1] for s in shares]))
                    inserted[name] = built_rows
                    steps["indicator_rollup: partitions attached"] = time.perf_counter() - clock
                    continue
                with _key_built_after(conn, steps) if mode == "full" and name == "indicator_rollup" else nullcontext():
                    inserted[name] = _run(cursor, path.read_text(encoding="utf-8"))
                    steps[name] = time.perf_counter() - clock
            cursor.execute("SELECT count(*) FROM rollup_delta_unit")  # (step 03)
            from_partial_sums = int(cursor.fetchone()[0])  # type: ignore[index]
        if mode == "full":  # its tables' statistics as new as their rows (ops.analyze_rebuilt says why)
            clock = time.perf_counter()
            conn.execute(text("SELECT ops.analyze_rebuilt()"))
            steps["analyze"] = time.perf_counter() - clock
        # Step 03's temp views would outlive the transaction (views cannot drop on commit), and a
        # session's view on core.fct_submission would stop a later revision altering its columns.
        conn.execute(text(DROP_TEMP_VIEWS))
    return RollupResult(mode, inserted["scope"], inserted["indicator_rollup"], inserted["task_rollup"],
                        inserted["submission_status"], time.perf_counter() - started, steps,
                        from_partial_sums=from_partial_sums)


# The steps that compute the indicator figures (05-08), which the sessions of a parallel full
# rebuild run over their share of the years, each writing its rows into a table of its own, which
# the refresh's own transaction attaches as the mart's partitions in place of step 09. A session
# runs the steps that set up what they read first.
FIGURE_STEPS = ("district_figures", "province_figures", "rate_figures", "indicator_rows")
SESSION_SETUP_STEPS = ("work_mem", "keys", "scope")
# Below this many unit-years a full rebuild stays in one session: the sessions' own setup (steps
# 01-03 each, a connection each) costs more than it saves on a province's few years.
PARALLEL_MIN_UNIT_YEARS = 2_000
_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+-[0-9]+$")


def default_sessions() -> int:
    """Sessions of a parallel full rebuild: one per core of this machine (the reader pool's rule),
    at most 4; each is a PostgreSQL backend busy on one core of the server."""
    from etl.intake.isolation import usable_cores

    return min(usable_cores(), 4)


def _year_shares(cursor: psycopg.Cursor, sessions: int, min_unit_years: int = 0) -> list[list[int]]:
    """The scope's years (step 03), shared out among `sessions` (split_years)."""
    cursor.execute("SELECT year, count(*) FROM rollup_scope GROUP BY year ORDER BY year")
    return split_years([(int(year), int(n)) for year, n in cursor.fetchall()], sessions, min_unit_years)


def split_years(counts: list[tuple[int, int]], sessions: int,
                min_unit_years: int = PARALLEL_MIN_UNIT_YEARS) -> list[list[int]]:
    """Years and their unit-years, in year order, as at most `sessions` runs of consecutive years
    with about as many unit-years each (each session also computes the year before its first, for
    last year's figures: consecutive years keep that to one year a session); one share when a
    parallel build would not pay (one session, one year, fewer than `min_unit_years`)."""
    total = sum(n for _, n in counts)
    if sessions < 2 or len(counts) < 2 or total < min_unit_years:
        return [[year for year, _ in counts]] if counts else []
    shares: dict[int, list[int]] = {}
    done = 0
    for year, n in counts:  # a year goes to the session its middle unit-year falls in
        shares.setdefault(min(sessions - 1, int((done + n / 2) * sessions / total)), []).append(year)
        done += n
    return list(shares.values())


def _build_tables(engine: Engine, shares: list[list[int]], lock_timeout: str) -> list[str]:
    """The empty tables the sessions of a parallel full rebuild write their years into, one per share
    (ops.rollup_partition_build), committed, before the refresh's transaction locks the mart (step 04):
    made from the mart's definition, which a statement waiting for that lock could not read while the
    refresh waits for the sessions. Their names, by share."""
    with engine.begin() as other:
        other.execute(text("SELECT set_config('lock_timeout', :timeout, true)"), {"timeout": lock_timeout})
        return [other.execute(text("SELECT ops.rollup_partition_build(:first, :last)"),
                              {"first": years[0], "last": years[-1]}).scalar_one() for years in shares]


def _build_in_sessions(engine: Engine, cursor: psycopg.Cursor, shares: list[list[int]], tables: list[str],
                       lock_timeout: str) -> tuple[int, dict[str, float]]:
    """Steps 05-08 of a full rebuild in one session per share of the years, at once, on the snapshot
    of the refresh's transaction (exported): each writes its rows of mart.indicator_rollup into the
    table made for its years (_build_tables, ops.rollup_partition_build, the mart's owner's), builds its key
    (ops.rollup_partition_key) and commits; the refresh's transaction then attaches those tables as
    the mart's partitions (ops.rollup_partitions_swap, in place of step 09): analysts see the old mart
    or the new one, never a part. The rows written, and each session's step times (session N: step);
    the first failure raises, after every session has ended. A session that fails leaves nothing (its
    transaction rolls back, its table stays empty); the tables of a refresh that failed are dropped by
    the next rebuild. A session waits for a lock no longer than the refresh does (`lock_timeout`): the
    refresh's transaction holds the mart locked from step 04 while it waits for the sessions."""
    cursor.execute("SELECT pg_export_snapshot()")  # of the refresh's transaction (the caller's cursor)
    snapshot = cursor.fetchone()[0]  # type: ignore[index]
    if not _SNAPSHOT_ID.match(snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    timings: dict[str, float] = {}
    written: list[int] = []
    errors: list[BaseException] = []
    running: set[psycopg.Connection] = set()
    guard = threading.Lock()

    def session(number: int, years: list[int], table: str) -> None:
        try:
            raw = engine.raw_connection()
        except BaseException as error:  # reported by the caller, in this thread
            errors.append(error)
            return
        dbapi = raw.driver_connection
        with guard:
            running.add(dbapi)
        try:
            dbapi.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # to import a snapshot
            with dbapi.cursor() as c:
                c.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                c.execute("SELECT set_config('lock_timeout', %s, true)", (lock_timeout,))
                set_parameters(c, "full", years=years)
                for path in step_files():
                    name = path.stem.split("_", 1)[1]
                    if name in SESSION_SETUP_STEPS or name in FIGURE_STEPS:
                        clock = time.perf_counter()
                        _run(c, path.read_text(encoding="utf-8"))
                        timings[f"session {number}: {name}"] = time.perf_counter() - clock
                clock = time.perf_counter()
                c.execute("SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
                          "WHERE attrelid = 'pg_temp.rollup_indicator_rows'::regclass AND attnum > 0")
                columns = c.fetchone()[0]  # type: ignore[index]
                # (table: ops.rollup_partition_build's quoted name; columns: the view's, quoted)
                c.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM rollup_indicator_rows")
                written.append(c.rowcount)
                timings[f"session {number}: build rows"] = time.perf_counter() - clock
                clock = time.perf_counter()
                c.execute("SELECT ops.rollup_partition_key(%s, %s)", (years[0], years[-1]))
                timings[f"session {number}: its key"] = time.perf_counter() - clock
                c.execute(DROP_TEMP_VIEWS)  # as the refresh's own transaction does
            dbapi.commit()
        except BaseException as error:  # reported by the caller, in this thread
            errors.append(error)
            with guard:
                running.discard(dbapi)
                for other in running:  # the others would compute for nothing
                    other.cancel_safe()
            with suppress(psycopg.Error):  # a broken connection has nothing to roll back
                dbapi.rollback()
        finally:
            with guard:
                running.discard(dbapi)
            with suppress(psycopg.Error):
                dbapi.isolation_level = None  # the pool's default again
            raw.close()

    clock = time.perf_counter()
    threads = [threading.Thread(target=session, args=(n, years, table), name=f"rollup session {n}")
               for n, (years, table) in enumerate(zip(shares, tables, strict=True), 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        # A cancelled session's QueryCanceled follows the first failure: report that one.
        raise next((e for e in errors if not isinstance(e, pg_errors.QueryCanceled)), errors[0])
    timings[f"figures in {len(shares)} sessions ({', '.join(f'{s[0]}-{s[-1]}' for s in shares)})"] = (
        time.perf_counter() - clock)
    return sum(written), timings


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
def _key_built_after(conn: Connection, steps: dict[str, float]) -> Iterator[None]:
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
    clock = time.perf_counter()
    conn.execute(text(f"ALTER TABLE mart.indicator_rollup ADD CONSTRAINT indicator_rollup_pkey {key}"))
    steps["indicator_rollup: its key"] = time.perf_counter() - clock
