"""Loading checked files into the warehouse, in the caller's transaction.

Set-based over the whole batch: rows go in with one COPY per table (staging, facts,
messages), submissions, plans, versions and the rollup queue with one statement each over
every file, and the task dimension and snapshot are merged from staging in a few waves, so
a batch costs a fixed couple of dozen statements whatever its size. The same code loads a
single file (the fallback of etl.warehouse.ingest when a batch fails)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, text

from etl.domain.contract import (
    DONE_LATE,
    DONE_ON_TIME,
    ERROR,
    FLOW,
    IN_PROGRESS,
    INDICATOR_SHEET,
    KIND_PLAN,
    KIND_SUBMISSION,
    OVERDUE,
    REJECTED,
    SOURCE_FORMATS,
    TASK_DONE,
    VALUE_DERIVED_FROM_YTD,
    VALUE_MISSING,
    VALUE_SUBMITTED,
    WARNING,
    YTD_DERIVED,
    YTD_NOT_APPLICABLE,
)
from etl.domain.periods import period_key, previous_month
from etl.intake.rows import IndicatorRow, PlanRow, TaskRow, field_names
from etl.intake.structure import CheckedFile, RefContext
from etl.quality.messages import Message, make_message
from etl.quality.places import locate

# Staging tables hold the typed rows as they are, field for field, beside the file's id.
STAGING_TABLES: dict[str, type[IndicatorRow | TaskRow | PlanRow]] = {
    "staging.stg_indicator_row": IndicatorRow,
    "staging.stg_task_row": TaskRow,
    "staging.stg_plan_row": PlanRow,
}
FACT_VALUE_COLUMNS = (
    "submission_id", "indicator_key", "district_key", "period_key", "indicator_code", "district_code", "year",
    "month", "value", "ytd_value", "value_source", "ytd_source", "submitted_unit", "conversion_factor",
    "source_row", "note",
)
LOAD_WORK_MEM = "64MB"  # a national month's task rows sort in memory (4,5 MB spilled to disk at the default 4 MB)
MESSAGE_COLUMNS = (
    "file_id", "code", "severity", "sheet", "row_number", "column_name", "found", "expected", "message_vi",
    "message_en", "source", "rule_id", "cell", "item_code", "item_name",
)

# Attributes of a task whose change opens a new version in core.dim_task (also recomputed by
# etl.warehouse.reference.canonicalise_task_bodies).
TASK_HASH = ("md5(concat_ws('|', r.ten_nhiem_vu, r.co_quan_giao, coalesce(r.van_ban_giao, '-'), "
              "coalesce(r.ngay_giao::text, '-'), coalesce(r.han_hoan_thanh::text, '-')))")


def copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows into table on the connection's own transaction."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def unnest(columns: dict[str, tuple[str, list[Any]]], alias: str = "f") -> tuple[str, dict[str, Any]]:
    """Parallel lists as a relation: `unnest(...) WITH ORDINALITY AS alias(name, ..., ord)`, and
    its parameters. Lets one statement work over a batch of files (or over one)."""
    sql = ("unnest(" + ", ".join(f"CAST(:{alias}_{name} AS {pg_type}[])" for name, (pg_type, _) in columns.items())
           + f") WITH ORDINALITY AS {alias}({', '.join(columns)}, ord)")
    return sql, {f"{alias}_{name}": values for name, (_, values) in columns.items()}


@dataclass(frozen=True)
class FileToLoad:
    """A checked file, archived as `file_id`, ready to load."""

    file_id: int
    sha256: str
    received_at: datetime
    checked: CheckedFile

    @property
    def is_submission(self) -> bool:
        c = self.checked
        return c.kind == KIND_SUBMISSION and c.district is not None and c.year is not None and c.month is not None

    @property
    def is_plan(self) -> bool:
        c = self.checked
        return c.kind == KIND_PLAN and c.district is not None and c.year is not None


def load_files(conn: Connection, files: Sequence[FileToLoad], ref: RefContext,
               batch_months: frozenset[tuple[str, int]] = frozenset()) -> dict[int, int | None]:
    """Load checked files, in order of arrival, in the caller's transaction: stage every row,
    record the submissions and plans with their facts, tasks and versions, and each file's
    outcome and messages. Set-based: a fixed number of statements per batch, not per file.

    `batch_months` are the (district_code, period_key) of the batch's usable submissions.
    Returns file_id -> submission_id or plan_id (None where unit or period is unknown)."""
    files = sorted(files, key=lambda f: (f.received_at, f.file_id))
    ids: dict[int, int | None] = {f.file_id: None for f in files}
    # The merges' plans are cheap but estimated dear (an unnest of unknown size), so PostgreSQL
    # would JIT-compile them: 0,6 s of a 1,2 s task merge for the national month. Sorts of a
    # batch's rows fit in memory. And a batch's rows meet the tables by hash or by index, never by
    # sorting both sides on their text keys to merge them (the planner, blind to the size of a
    # temp table never analyzed, sorted a national month's tasks twice: 60 ms). All end with the
    # transaction.
    conn.execute(text("SELECT set_config('jit', 'off', true), set_config('work_mem', :mem, true), "
                      "set_config('enable_mergejoin', 'off', true)"), {"mem": LOAD_WORK_MEM})
    _lock(conn, files)
    _stage(conn, files)
    submission_ids = _load_submissions(conn, [f for f in files if f.is_submission], ref, batch_months)
    ids.update(submission_ids)
    ids.update(_load_plans(conn, [f for f in files if f.is_plan]))
    batch_submissions = list(submission_ids.values())
    check_references(conn, {"submission_id": batch_submissions, "first_submission_id": batch_submissions,
                            "file_id": [f.file_id for f in files]})
    for f in files:  # every message placed here, once all are known (loading adds YTD_PREVIOUS_MISSING)
        locate(f.checked, ref.catalog)
    record_outcomes(conn, [(f.file_id, f.checked.kind, f.checked.fmt, f.checked.outcome, f.checked.district_code,
                            f.checked.period_code, f.checked.messages) for f in files])
    return ids


def _lock(conn: Connection, files: Sequence[FileToLoad]) -> None:
    lock_keys(conn, {f"submission:{f.checked.district_code}:{period_key(f.checked.year, f.checked.month)}"  # type: ignore[arg-type]
                     for f in files if f.is_submission}
              | {f"plan:{f.checked.district_code}:{f.checked.year}" for f in files if f.is_plan})


def lock_keys(conn: Connection, keys: Iterable[str]) -> None:
    """Two workers loading the same district-month must not interleave version numbering. The
    keys are taken in one statement, in one order, so two runs that share some wait rather than
    deadlock."""
    ordered = sorted(set(keys))
    if ordered:
        conn.execute(text("SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM unnest(CAST(:keys AS text[])) AS k"),
                     {"keys": ordered})


def _stage(conn: Connection, files: Sequence[FileToLoad]) -> None:
    """Every row read from the files, rejected ones included (for inspection)."""
    staged = [f for f in files if f.checked.kind in (KIND_SUBMISSION, KIND_PLAN)]
    for table, row_type in STAGING_TABLES.items():
        columns = field_names(row_type)
        values = attrgetter(*columns)  # one C call a row, not a getattr a field (0,4 s of a national month)
        rows = [(f.file_id, *values(r)) for f in staged for r in _rows_of(f.checked, row_type)]
        if rows:
            copy_rows(conn, table, ("file_id", *columns), rows)


def _rows_of(checked: CheckedFile, row_type: type) -> list[Any]:
    return {IndicatorRow: checked.indicator_rows, TaskRow: checked.task_rows, PlanRow: checked.plan_rows}[row_type]


MonthYtd = dict[tuple[str, int], tuple[datetime, dict[str, Decimal]]]


def _previous_ytds(conn: Connection, files: Sequence[FileToLoad]) -> MonthYtd:
    """The current version's YTD values of each file's previous month, with its arrival time."""
    months = {(f.checked.district_code, period_key(*previous_month(f.checked.year, f.checked.month)))  # type: ignore[arg-type]
              for f in files if f.checked.month != 1}
    if not months:
        return {}
    relation, params = unnest({"district_code": ("text", [d for d, _ in months]),
                               "period_key": ("int", [p for _, p in months])})
    out: MonthYtd = {}
    for district_code, pk, received_at, code, ytd in conn.execute(text(f"""
        SELECT s.district_code, s.period_key, s.received_at, v.indicator_code, v.ytd_value
        FROM {relation}
        JOIN core.fct_submission AS s ON s.district_code = f.district_code AND s.period_key = f.period_key
        LEFT JOIN core.fct_indicator_value AS v ON v.submission_id = s.submission_id AND v.ytd_value IS NOT NULL
        WHERE s.is_current
    """), params):
        _, values = out.setdefault((district_code, pk), (received_at, {}))
        if code is not None:
            values[code] = ytd
    return out


@dataclass
class FactValue:
    """One indicator's month and year-to-date values as stored in core.fct_indicator_value."""

    row: IndicatorRow
    value: Decimal | None
    ytd_value: Decimal | None
    value_source: str  # contract.VALUE_SOURCES
    ytd_source: str  # contract.YTD_SOURCES


def derive_values(checked: CheckedFile, ref: RefContext, previous_ytd: dict[str, Decimal],
                  previous_in_batch: bool = False) -> list[FactValue]:
    """Month and YTD values in the catalog unit, deriving the missing one for flows.

    Given only YTD, the month is YTD minus the previous month's YTD (January: the YTD).
    Given only the month, YTD is the previous YTD plus the month. What is derived here is
    informational (value_source / ytd_source say so): it depends on what had loaded before,
    so the rollup ignores it and derives from the submitted values of the current versions
    (sql/rollup/05_district_figures.sql). A month that cannot be derived for want of the
    previous month gets a YTD_PREVIOUS_MISSING warning, unless that month is in the same batch
    (`previous_in_batch`: it has arrived, merely loads after this file).
    """
    assert checked.month is not None
    out = []
    for r in checked.indicator_rows:
        if r.indicator_code is None:  # a blank template row: not reported
            continue
        ind = ref.catalog.indicators[r.indicator_code]
        month_v, ytd_v = r.thuc_hien_thang, r.luy_ke_nam
        value_source = VALUE_SUBMITTED if month_v is not None else VALUE_MISSING
        ytd_source = YTD_NOT_APPLICABLE
        if ind.kind == FLOW:
            prev = Decimal(0) if checked.month == 1 else previous_ytd.get(ind.code)
            ytd_source = VALUE_SUBMITTED if ytd_v is not None else VALUE_MISSING
            if month_v is None and ytd_v is not None:
                if prev is not None:
                    month_v, value_source = ytd_v - prev, VALUE_DERIVED_FROM_YTD
                elif not previous_in_batch:
                    checked.messages.append(make_message(
                        "YTD_PREVIOUS_MISSING", sheet=checked.sheet_names.get(INDICATOR_SHEET, INDICATOR_SHEET),
                        row=r.row_number, column=checked.table_columns.get(INDICATOR_SHEET, {}).get(
                            "luy_ke_nam", "luy_ke_nam"),
                        found=r.luy_ke_nam_raw, indicator=ind.code, fmt=checked.fmt))
            elif ytd_v is None and month_v is not None and prev is not None:
                ytd_v, ytd_source = prev + month_v, YTD_DERIVED
        out.append(FactValue(r, month_v, ytd_v, value_source, ytd_source))
    return out


def renumber_versions(conn: Connection, table: str, id_col: str, key_columns: tuple[str, str],
                      keys: Iterable[tuple[str, int]]) -> None:
    """Versions of each key (district and month, or district and year) in order of arrival;
    the latest accepted one is current. In two steps: at most one current row per key, always."""
    keys = sorted(set(keys))
    if not keys:
        return
    a, b = key_columns
    relation, params = unnest({"a": ("text", [k[0] for k in keys]), "b": ("int", [k[1] for k in keys])})
    ranked = f"""ranked AS (
        SELECT t.{id_col},
               row_number() OVER (PARTITION BY t.{a}, t.{b} ORDER BY t.received_at, t.{id_col}) AS version,
               t.status <> :rejected AND t.{id_col} = first_value(t.{id_col}) OVER (
                   PARTITION BY t.{a}, t.{b}
                   ORDER BY (t.status <> :rejected) DESC, t.received_at DESC, t.{id_col} DESC) AS is_current
        FROM {relation} JOIN {table} AS t ON t.{a} = f.a AND t.{b} = f.b
    )"""
    params["rejected"] = REJECTED
    conn.execute(text(f"""
        WITH {ranked}
        UPDATE {table} AS t SET version = r.version, is_current = t.is_current AND r.is_current
        FROM ranked AS r
        WHERE t.{id_col} = r.{id_col}
          AND (t.version IS DISTINCT FROM r.version OR (t.is_current AND NOT r.is_current))
    """), params)
    conn.execute(text(f"""
        WITH {ranked}
        UPDATE {table} AS t SET is_current = true
        FROM ranked AS r
        WHERE t.{id_col} = r.{id_col} AND r.is_current AND NOT t.is_current
    """), params)


def _load_submissions(conn: Connection, files: Sequence[FileToLoad], ref: RefContext,
                      batch_months: frozenset[tuple[str, int]]) -> dict[int, int]:
    """Record each submission as a version of its district-month, and the facts of those without errors."""
    if not files:
        return {}
    current = _previous_ytds(conn, files)
    values: dict[int, list[FactValue]] = {}
    for f in files:  # in order of arrival: a month derives from the version current when it loads
        c = f.checked
        assert c.year is not None and c.month is not None and c.district_code is not None
        if c.errors:
            continue
        month = (c.district_code, period_key(c.year, c.month))
        previous = (c.district_code, period_key(*previous_month(c.year, c.month)))
        values[f.file_id] = derive_values(c, ref, current.get(previous, (f.received_at, {}))[1],
                                          previous_in_batch=c.month > 1 and previous in batch_months)
        if month in current and f.received_at < current[month][0]:
            continue  # a version that arrived before the current one does not replace it
        current[month] = (f.received_at, {v.row.indicator_code: v.ytd_value for v in values[f.file_id]
                                          if v.ytd_value is not None and v.row.indicator_code is not None})

    cs = [f.checked for f in files]
    relation, params = unnest({
        "file_id": ("bigint", [f.file_id for f in files]),
        "district_key": ("bigint", [c.district.district_key for c in cs]),  # type: ignore[union-attr]
        "district_code": ("text", [c.district_code for c in cs]),
        "period_key": ("int", [period_key(c.year, c.month) for c in cs]),  # type: ignore[arg-type]
        "year": ("smallint", [c.year for c in cs]),
        "month": ("smallint", [c.month for c in cs]),
        "fmt": ("text", [c.fmt for c in cs]),
        "received_at": ("timestamptz", [f.received_at for f in files]),
        "sha256": ("text", [f.sha256 for f in files]),
        "status": ("text", [c.outcome for c in cs]),  # after derive_values: its warnings count
        "errors": ("int", [c.errors for c in cs]),
        "warnings": ("int", [c.warnings for c in cs]),
        "window_start": ("date", [c.window_start for c in cs]),
        "window_end": ("date", [c.window_end for c in cs]),
        "ngay_lap": ("date", [c.ngay_lap for c in cs]),
        "nguoi_lap": ("text", [c.nguoi_lap for c in cs]),
        "email": ("text", [c.email_lien_he for c in cs]),
    })
    ids: dict[int, int] = dict(conn.execute(text(f"""
        INSERT INTO core.fct_submission (file_id, district_key, district_code, period_key, year, month,
            source_format, received_at, sha256, version, status, error_count, warning_count, window_start,
            window_end, ngay_lap, nguoi_lap, email_lien_he)
        SELECT file_id, district_key, district_code, period_key, year, month, fmt, received_at, sha256, 0, status,
               errors, warnings, window_start, window_end, ngay_lap, nguoi_lap, email
        FROM {relation}
        ORDER BY ord
        RETURNING file_id, submission_id
    """), params).all())
    by_id = {f.file_id: f for f in files}
    copy_rows(conn, "core.fct_indicator_value", FACT_VALUE_COLUMNS, (
        (ids[file_id], ref.indicator_keys[v.row.indicator_code], c.district.district_key,
         period_key(c.year, c.month), v.row.indicator_code, c.district_code, c.year, c.month, v.value, v.ytd_value,
         v.value_source, v.ytd_source, v.row.don_vi_tinh, v.row.conversion_factor, v.row.row_number, v.row.ghi_chu)
        for file_id, vs in values.items() for c in (by_id[file_id].checked,) for v in vs  # type: ignore[union-attr]
    ))
    _merge_tasks(conn, [f for f in files if not f.checked.errors and f.checked.task_rows], ids)
    renumber_versions(conn, "core.fct_submission", "submission_id", ("district_code", "period_key"),
                      {(c.district_code, period_key(c.year, c.month)) for c in cs})  # type: ignore[arg-type,misc]
    # A rejected version changes the month's status too.
    queue_rollups(conn, {(c.district_code, c.year) for c in cs})  # type: ignore[misc]
    return ids


class LoadReferenceError(RuntimeError):
    """Rows of the batch point at a row that does not exist (a bug, never a clerk's error): the
    batch's transaction ends, and ingest loads its files one by one."""


# Each reference the load writes without a foreign key (revision 0020): (table, the column naming
# the batch's rows, the referring column, the referenced table, its key, code columns that must
# agree with the referenced row). Foreign keys check these row by row, with a query and a row lock
# each; the load checks them once per batch.
LOAD_REFERENCES = (
    ("core.fct_indicator_value", "submission_id", "district_key", "core.dim_district", "district_key",
     ("district_code",)),
    ("core.fct_indicator_value", "submission_id", "indicator_key", "core.dim_indicator", "indicator_key",
     ("indicator_code",)),
    ("core.fct_indicator_value", "submission_id", "period_key", "core.dim_period", "period_key", ()),
    ("core.fct_task_snapshot", "submission_id", "task_key", "core.dim_task", "task_key",
     ("district_code", "ma_nhiem_vu")),
    ("core.fct_task_snapshot", "submission_id", "period_key", "core.dim_period", "period_key", ()),
    # revision 0021: the task versions the batch's submissions reported first
    ("core.dim_task", "first_submission_id", "first_submission_id", "core.fct_submission", "submission_id",
     ("district_code",)),
    ("staging.stg_indicator_row", "file_id", "file_id", "raw.file", "file_id", ()),
    ("staging.stg_task_row", "file_id", "file_id", "raw.file", "file_id", ()),
    ("staging.stg_plan_row", "file_id", "file_id", "raw.file", "file_id", ()),
)


def check_references(conn: Connection, batch: dict[str, Sequence[int]]) -> None:
    """The batch's rows (`batch`: its submission ids, as submission_id and first_submission_id, and
    file ids) all point at existing rows with the same codes: one anti-join per reference over the
    batch. The submission ids themselves were inserted by this transaction (RETURNING), so the
    facts' submission_id needs no check."""
    checks = " UNION ALL ".join(
        f"""(SELECT '{table}.{column}' AS reference, count(*) AS n,
                    (array_agg(DISTINCT r.{column}::text))[1:3] AS sample
             FROM {table} AS r
             WHERE r.{by} IN (SELECT unnest(CAST(:{by} AS bigint[])))  -- hashed; = ANY compares each row with each id
               AND NOT EXISTS (SELECT 1 FROM {target} AS t WHERE t.{key} = r.{column}
                               {"".join(f" AND t.{c} = r.{c}" for c in codes)})
             HAVING count(*) > 0)"""
        for table, by, column, target, key, codes in LOAD_REFERENCES)
    broken = conn.execute(text(checks), {by: list(batch.get(by, ())) for by in {r[1] for r in LOAD_REFERENCES}}).all()
    if broken:
        raise LoadReferenceError("rows without the row they refer to: " + "; ".join(
            f"{reference} {n} rows (keys {', '.join(sample)})" for reference, n, sample in broken))


def _merge_tasks(conn: Connection, files: Sequence[FileToLoad], submission_ids: dict[int, int]) -> None:
    """Tasks of the files, set-based in waves: the n-th file of each district in the n-th, so a
    district's files merge in order of arrival and the files of one wave never meet."""
    waves: list[list[FileToLoad]] = []
    seen: Counter[str] = Counter()
    for f in files:
        n = seen[f.checked.district_code or ""]
        seen[f.checked.district_code or ""] += 1
        if n == len(waves):
            waves.append([])
        waves[n].append(f)
    for wave in waves:
        _merge_task_wave(conn, wave, submission_ids)


def _merge_task_wave(conn: Connection, files: Sequence[FileToLoad], submission_ids: dict[int, int]) -> None:
    relation, params = unnest({
        "file_id": ("bigint", [f.file_id for f in files]),
        "district_code": ("text", [f.checked.district_code for f in files]),
        "period_key": ("int", [period_key(f.checked.year, f.checked.month) for f in files]),  # type: ignore[arg-type]
        "received_at": ("timestamptz", [f.received_at for f in files]),
        "submission_id": ("bigint", [submission_ids[f.file_id] for f in files]),
        "as_of": ("date", [f.checked.window_end for f in files]),
    })
    # A changed deadline (or title, body, document) is a new version of the same task. The
    # current version is the latest month's: a late correction of an earlier month (a task
    # already reported for a later one) must not rewrite it; its rows are matched to the
    # version they describe, or kept as a version of their own that is not current.
    # The wave's rows, their hash, whether a later month reported them (looked for only in the
    # districts with a later month: a month's usual file is its district's latest) and the current
    # version, computed once for the statements below. Not analyzed (0,2 s for a national month):
    # the planner sizes a table never analyzed by its pages.
    conn.execute(text(f"""
        CREATE TEMP TABLE load_task_wave ON COMMIT DROP AS
        SELECT r.*, f.district_code AS f_district, f.period_key AS f_period, f.received_at AS f_at,
               f.submission_id AS f_submission, f.as_of AS f_as_of, {TASK_HASH} AS row_hash,
               f.has_later AND EXISTS (SELECT 1 FROM core.fct_task_snapshot AS later
                                       WHERE later.district_code = f.district_code AND later.ma_nhiem_vu = r.ma_nhiem_vu
                                         AND later.period_key > f.period_key) AS reported_later,
               c.task_key AS current_key, c.row_hash AS current_hash
        FROM (SELECT f.*, EXISTS (SELECT 1 FROM core.fct_task_snapshot AS later
                                  WHERE later.district_code = f.district_code AND later.period_key > f.period_key)
                          AS has_later
              FROM {relation}
              OFFSET 0) AS f  -- once a file, not once a row: kept from being pulled up into the join
        JOIN staging.stg_task_row AS r ON r.file_id = f.file_id
        LEFT JOIN core.dim_task AS c ON c.is_current AND c.district_code = f.district_code
                                    AND c.ma_nhiem_vu = r.ma_nhiem_vu
    """), params)
    # The current version of a task whose row changed is closed (by its key: usually none is).
    conn.execute(text("""
        UPDATE core.dim_task AS t SET valid_to = r.f_at, is_current = false
        FROM load_task_wave AS r
        WHERE t.task_key = r.current_key AND r.current_hash <> r.row_hash AND NOT r.reported_later
    """))
    # A new version where the task is new or changed (a row reported later: where no version has its
    # hash), and each row's snapshot of the version it describes: the one just added, else the
    # current one (the same hash, hence the same deadline), else, reported later, the version with
    # its hash, the current first. One statement: the snapshots take the new keys as returned.
    conn.execute(text("""
        WITH added AS (
            INSERT INTO core.dim_task (district_code, ma_nhiem_vu, ten_nhiem_vu, co_quan_giao, van_ban_giao,
                ngay_giao, han_hoan_thanh, row_hash, first_submission_id, valid_from, valid_to, is_current)
            SELECT r.f_district, r.ma_nhiem_vu, r.ten_nhiem_vu, r.co_quan_giao, r.van_ban_giao, r.ngay_giao,
                   r.han_hoan_thanh, r.row_hash, r.f_submission, r.f_at, CASE WHEN r.reported_later THEN r.f_at END,
                   NOT r.reported_later
            FROM load_task_wave AS r
            WHERE CASE WHEN r.reported_later
                       THEN NOT EXISTS (SELECT 1 FROM core.dim_task AS t
                                        WHERE t.district_code = r.f_district AND t.ma_nhiem_vu = r.ma_nhiem_vu
                                          AND t.row_hash = r.row_hash)
                       ELSE r.current_key IS NULL OR r.current_hash <> r.row_hash END
            RETURNING task_key, district_code, ma_nhiem_vu
        )
        INSERT INTO core.fct_task_snapshot (submission_id, task_key, district_code, period_key, ma_nhiem_vu,
            trang_thai, ngay_hoan_thanh, tien_do, as_of_date, derived_status, source_row, note)
        SELECT r.f_submission, coalesce(a.task_key, CASE WHEN NOT r.reported_later THEN r.current_key END,
                                        earlier.task_key),
               r.f_district, r.f_period, r.ma_nhiem_vu, r.trang_thai, r.ngay_hoan_thanh, r.tien_do, r.f_as_of,
               -- Status is judged from the dates at the end of the data window, not the district's word,
               -- against the version's deadline (the row's own: the versions match it by hash).
               CASE WHEN r.trang_thai = :done THEN
                        CASE WHEN r.han_hoan_thanh IS NULL OR r.ngay_hoan_thanh <= r.han_hoan_thanh
                             THEN :done_on_time ELSE :done_late END
                    WHEN r.han_hoan_thanh IS NOT NULL AND r.han_hoan_thanh < r.f_as_of THEN :overdue
                    ELSE :in_progress END,
               r.row_number, r.ghi_chu
        FROM load_task_wave AS r
        LEFT JOIN added AS a ON a.district_code = r.f_district AND a.ma_nhiem_vu = r.ma_nhiem_vu
        LEFT JOIN LATERAL (
            SELECT v.task_key FROM core.dim_task AS v
            WHERE r.reported_later
              AND v.district_code = r.f_district AND v.ma_nhiem_vu = r.ma_nhiem_vu AND v.row_hash = r.row_hash
            ORDER BY v.is_current DESC, v.task_key DESC
            LIMIT 1
        ) AS earlier ON true
    """), {"done": TASK_DONE, "done_on_time": DONE_ON_TIME, "done_late": DONE_LATE, "overdue": OVERDUE,
           "in_progress": IN_PROGRESS})
    conn.execute(text("DROP TABLE load_task_wave"))  # the next wave makes its own


def _load_plans(conn: Connection, files: Sequence[FileToLoad]) -> dict[int, int]:
    """Record each annual plan as a version of its district-year, and the targets of those without errors."""
    if not files:
        return {}
    cs = [f.checked for f in files]
    relation, params = unnest({
        "file_id": ("bigint", [f.file_id for f in files]),
        "district_key": ("bigint", [c.district.district_key for c in cs]),  # type: ignore[union-attr]
        "district_code": ("text", [c.district_code for c in cs]),
        "year": ("smallint", [c.year for c in cs]),
        "van_ban": ("text", [c.van_ban for c in cs]),
        "received_at": ("timestamptz", [f.received_at for f in files]),
        "status": ("text", [c.outcome for c in cs]),
        "errors": ("int", [c.errors for c in cs]),
        "warnings": ("int", [c.warnings for c in cs]),
    })
    ids: dict[int, int] = dict(conn.execute(text(f"""
        INSERT INTO core.fct_plan (file_id, district_key, district_code, year, van_ban, received_at, version,
                                   status, error_count, warning_count)
        SELECT file_id, district_key, district_code, year, van_ban, received_at, 0, status, errors, warnings
        FROM {relation}
        ORDER BY ord
        RETURNING file_id, plan_id
    """), params).all())
    valid = [f for f in files if not f.checked.errors]
    if valid:
        relation, params = unnest({
            "file_id": ("bigint", [f.file_id for f in valid]),
            "plan_id": ("bigint", [ids[f.file_id] for f in valid]),
            "district_code": ("text", [f.checked.district_code for f in valid]),
            "year": ("smallint", [f.checked.year for f in valid]),
        })
        conn.execute(text(f"""
            INSERT INTO core.fct_plan_target (plan_id, indicator_key, indicator_code, district_code, year,
                                              target_value, submitted_unit, conversion_factor)
            SELECT f.plan_id, i.indicator_key, r.indicator_code, f.district_code, f.year, r.ke_hoach_nam,
                   r.don_vi_tinh, r.conversion_factor
            FROM {relation}
            JOIN staging.stg_plan_row AS r ON r.file_id = f.file_id
            JOIN core.dim_indicator AS i ON i.is_current AND i.indicator_code = r.indicator_code
            WHERE r.ke_hoach_nam IS NOT NULL
            ORDER BY f.ord, r.row_number
        """), params)
    renumber_versions(conn, "core.fct_plan", "plan_id", ("district_code", "year"),
                      {(c.district_code, c.year) for c in cs})  # type: ignore[misc]
    queue_rollups(conn, {(f.checked.district_code, f.checked.year) for f in valid})  # type: ignore[misc]
    return ids


def queue_rollups(conn: Connection, district_years: Iterable[tuple[str, int]]) -> None:
    """Mark district-years for the incremental rollup, atomically with the data. One already queued
    gets a new queued_at: a refresh running meanwhile may have read its figures before this load, and
    deletes only the queue rows it saw as it saw them (rollup step 11), so it stays queued."""
    pairs = sorted(set(district_years))
    if pairs:
        relation, params = unnest({"district_code": ("text", [d for d, _ in pairs]),
                                   "year": ("int", [y for _, y in pairs])})
        conn.execute(text(f"INSERT INTO ops.rollup_queue (district_code, year) SELECT district_code, year "
                          f"FROM {relation} {REQUEUE}"), params)


# How every writer of ops.rollup_queue queues a district-year that is already there (queue_rollups).
REQUEUE = "ON CONFLICT (district_code, year) DO UPDATE SET queued_at = clock_timestamp()"


Outcome = tuple[int, str, str | None, str, str | None, str | None, list[Message]]


def record_outcomes(conn: Connection, outcomes: Sequence[Outcome]) -> None:
    """Each file's outcome (file_id, kind, format, outcome, unit, period, messages) and its messages."""
    copy_rows(conn, "ops.validation_message", MESSAGE_COLUMNS, (
        (file_id, m.code, m.severity, m.sheet, m.row, m.column, m.found, m.expected, m.message, m.message_en,
         m.source, m.rule_id, m.cell, m.item_code, m.item_name)
        for file_id, *_, messages in outcomes for m in messages
    ))
    relation, params = unnest({
        "file_id": ("bigint", [o[0] for o in outcomes]),
        "kind": ("text", [o[1] for o in outcomes]),
        "fmt": ("text", [o[2] if o[2] in SOURCE_FORMATS else None for o in outcomes]),
        "outcome": ("text", [o[3] for o in outcomes]),
        "district_code": ("text", [o[4] for o in outcomes]),
        "period_code": ("text", [o[5] for o in outcomes]),
        "errors": ("int", [sum(m.severity == ERROR for m in o[6]) for o in outcomes]),
        "warnings": ("int", [sum(m.severity == WARNING for m in o[6]) for o in outcomes]),
    })
    conn.execute(text(f"""
        INSERT INTO ops.file_outcome (file_id, file_kind, source_format, outcome, district_code, period_code,
                                      error_count, warning_count, quarantined)
        SELECT file_id, kind, fmt, outcome, district_code, period_code, errors, warnings, outcome = :rejected
        FROM {relation}
        ORDER BY ord
    """), {**params, "rejected": REJECTED})
