"""Loading one checked file into the warehouse, in the caller's transaction.

Set-based: rows go in with COPY (staging, facts, messages) and the task dimension and
snapshot are merged with INSERT ... SELECT from staging, so a submission costs a fixed
dozen statements whatever its size."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text

from etl.domain.contract import (
    DONE_LATE,
    DONE_ON_TIME,
    ERROR,
    FLOW,
    IN_PROGRESS,
    INDICATOR_SHEET,
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
MESSAGE_COLUMNS = (
    "file_id", "code", "severity", "sheet", "row_number", "column_name", "found", "expected", "message_vi",
    "message_en", "source", "rule_id",
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


def _stage(conn: Connection, file_id: int, checked: CheckedFile) -> None:
    """Every row read from the file, rejected files included (for inspection)."""
    rows_by_type = {IndicatorRow: checked.indicator_rows, TaskRow: checked.task_rows, PlanRow: checked.plan_rows}
    for table, row_type in STAGING_TABLES.items():
        rows = rows_by_type[row_type]
        if rows:
            columns = field_names(row_type)
            copy_rows(conn, table, ("file_id", *columns),
                      ((file_id, *(getattr(r, c) for c in columns)) for r in rows))


def lock_key(conn: Connection, key: str) -> None:
    # Two workers loading the same district-month must not interleave version numbering.
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


def _previous_ytd(conn: Connection, district_code: str, year: int, month: int) -> dict[str, Decimal]:
    if month == 1:
        return {}
    rows = conn.execute(text("""
        SELECT indicator_code, ytd_value FROM core.indicator_value_current
        WHERE district_code = :d AND period_key = :p AND ytd_value IS NOT NULL
    """), {"d": district_code, "p": period_key(*previous_month(year, month))})
    return {code: ytd for code, ytd in rows}


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
                        "YTD_PREVIOUS_MISSING", sheet=INDICATOR_SHEET, row=r.row_number, column="luy_ke_nam",
                        found=r.luy_ke_nam_raw, indicator=ind.code, fmt=checked.fmt))
            elif ytd_v is None and month_v is not None and prev is not None:
                ytd_v, ytd_source = prev + month_v, YTD_DERIVED
        out.append(FactValue(r, month_v, ytd_v, value_source, ytd_source))
    return out


def renumber_versions(conn: Connection, table: str, id_col: str, where: str, params: dict[str, Any]) -> None:
    """Versions in order of arrival; the latest accepted one is current."""
    conn.execute(text(f"""
        UPDATE {table} AS t SET version = v.rn
        FROM (SELECT {id_col}, row_number() OVER (ORDER BY received_at, {id_col}) AS rn
              FROM {table} WHERE {where}) AS v
        WHERE t.{id_col} = v.{id_col} AND t.version IS DISTINCT FROM v.rn
    """), params)
    conn.execute(text(f"UPDATE {table} SET is_current = false WHERE {where} AND is_current"), params)
    conn.execute(text(f"""
        UPDATE {table} SET is_current = true
        WHERE {id_col} = (SELECT {id_col} FROM {table} WHERE {where} AND status <> :rejected
                          ORDER BY received_at DESC, {id_col} DESC LIMIT 1)
    """), {**params, "rejected": REJECTED})


def load_submission(conn: Connection, file_id: int, sha256: str, received_at: datetime, checked: CheckedFile,
                    ref: RefContext, batch_months: frozenset[tuple[str, int]] = frozenset()) -> int | None:
    """Stage, then (when district and month are known) record the submission and its facts.

    `batch_months` are the (district_code, period_key) of the batch's usable submissions."""
    _stage(conn, file_id, checked)
    if checked.district is None or checked.year is None or checked.month is None:
        return None
    district_code = checked.district_code
    pk = period_key(checked.year, checked.month)
    lock_key(conn, f"submission:{district_code}:{pk}")
    values: list[FactValue] = []
    if not checked.errors:
        previous = (district_code, period_key(*previous_month(checked.year, checked.month)))
        values = derive_values(checked, ref, _previous_ytd(conn, district_code, checked.year, checked.month),
                               previous_in_batch=checked.month > 1 and previous in batch_months)
    submission_id = conn.execute(text("""
        INSERT INTO core.fct_submission (file_id, district_key, district_code, period_key, year, month,
            source_format, received_at, sha256, version, status, error_count, warning_count, window_start,
            window_end, ngay_lap, nguoi_lap, email_lien_he)
        VALUES (:file_id, :district_key, :district_code, :period_key, :year, :month, :fmt, :received_at, :sha,
            0, :status, :errors, :warnings, :ws, :we, :ngay_lap, :nguoi_lap, :email)
        RETURNING submission_id
    """), {
        "file_id": file_id, "district_key": checked.district.district_key, "district_code": district_code,
        "period_key": pk, "year": checked.year, "month": checked.month, "fmt": checked.fmt,
        "received_at": received_at, "sha": sha256, "status": checked.outcome, "errors": checked.errors,
        "warnings": checked.warnings, "ws": checked.window_start, "we": checked.window_end,
        "ngay_lap": checked.ngay_lap, "nguoi_lap": checked.nguoi_lap, "email": checked.email_lien_he,
    }).scalar_one()
    if not checked.errors:
        copy_rows(conn, "core.fct_indicator_value", FACT_VALUE_COLUMNS, (
            (submission_id, ref.indicator_keys[v.row.indicator_code], checked.district.district_key, pk,
             v.row.indicator_code, district_code, checked.year, checked.month, v.value, v.ytd_value,
             v.value_source, v.ytd_source, v.row.don_vi_tinh, v.row.conversion_factor, v.row.row_number,
             v.row.ghi_chu)
            for v in values
        ))
        _merge_tasks(conn, file_id, submission_id, district_code, pk, received_at, checked)
    renumber_versions(conn, "core.fct_submission", "submission_id", "district_code = :d AND period_key = :p",
                      {"d": district_code, "p": pk})
    queue_rollup(conn, district_code, checked.year)  # a rejected version changes the month's status too
    return submission_id


def _merge_tasks(conn: Connection, file_id: int, submission_id: int, district_code: str, pk: int,
                 received_at: datetime, checked: CheckedFile) -> None:
    if not checked.task_rows:
        return
    params = {"f": file_id, "d": district_code, "s": submission_id, "p": pk, "at": received_at,
              "as_of": checked.window_end, "done": TASK_DONE, "done_on_time": DONE_ON_TIME, "done_late": DONE_LATE,
              "overdue": OVERDUE, "in_progress": IN_PROGRESS}
    # A changed deadline (or title, body, document) is a new version of the same task. The
    # current version is the latest month's: a late correction of an earlier month (a task
    # already reported for a later one) must not rewrite it; its rows are matched to the
    # version they describe, or kept as a version of their own that is not current.
    staged = f"""staged AS (
        SELECT r.*, {TASK_HASH} AS row_hash,
               EXISTS (SELECT 1 FROM core.fct_task_snapshot AS later
                       WHERE later.district_code = :d AND later.ma_nhiem_vu = r.ma_nhiem_vu
                         AND later.period_key > :p) AS reported_later
        FROM staging.stg_task_row AS r
        WHERE r.file_id = :f
    )"""
    conn.execute(text(f"""
        WITH {staged}
        UPDATE core.dim_task AS t SET valid_to = :at, is_current = false
        FROM staged AS r
        WHERE t.is_current AND t.district_code = :d AND t.ma_nhiem_vu = r.ma_nhiem_vu
          AND t.row_hash <> r.row_hash AND NOT r.reported_later
    """), params)
    conn.execute(text(f"""
        INSERT INTO core.dim_task (district_code, ma_nhiem_vu, ten_nhiem_vu, co_quan_giao, van_ban_giao,
            ngay_giao, han_hoan_thanh, row_hash, first_submission_id, valid_from, valid_to, is_current)
        WITH {staged}
        SELECT :d, r.ma_nhiem_vu, r.ten_nhiem_vu, r.co_quan_giao, r.van_ban_giao, r.ngay_giao,
               r.han_hoan_thanh, r.row_hash, :s, :at, CASE WHEN r.reported_later THEN :at END, NOT r.reported_later
        FROM staged AS r
        WHERE NOT EXISTS (
            SELECT 1 FROM core.dim_task AS t
            WHERE t.district_code = :d AND t.ma_nhiem_vu = r.ma_nhiem_vu
              AND CASE WHEN r.reported_later THEN t.row_hash = r.row_hash ELSE t.is_current END)
    """), params)
    # Status is judged from the dates at the end of the data window, not the district's word,
    # against the version the row describes (the current one, unless a later month changed it).
    conn.execute(text(f"""
        INSERT INTO core.fct_task_snapshot (submission_id, task_key, district_code, period_key, ma_nhiem_vu,
            trang_thai, ngay_hoan_thanh, tien_do, as_of_date, derived_status, source_row, note)
        WITH {staged}
        SELECT :s, t.task_key, :d, :p, r.ma_nhiem_vu, r.trang_thai, r.ngay_hoan_thanh, r.tien_do, :as_of,
               CASE WHEN r.trang_thai = :done THEN
                        CASE WHEN t.han_hoan_thanh IS NULL OR r.ngay_hoan_thanh <= t.han_hoan_thanh
                             THEN :done_on_time ELSE :done_late END
                    WHEN t.han_hoan_thanh IS NOT NULL AND t.han_hoan_thanh < :as_of THEN :overdue
                    ELSE :in_progress END,
               r.row_number, r.ghi_chu
        FROM staged AS r
        CROSS JOIN LATERAL (
            SELECT v.task_key, v.han_hoan_thanh FROM core.dim_task AS v
            WHERE v.district_code = :d AND v.ma_nhiem_vu = r.ma_nhiem_vu AND v.row_hash = r.row_hash
            ORDER BY v.is_current DESC, v.task_key DESC
            LIMIT 1
        ) AS t
    """), params)


def load_plan(conn: Connection, file_id: int, received_at: datetime, checked: CheckedFile) -> int | None:
    _stage(conn, file_id, checked)
    if checked.district is None or checked.year is None:
        return None
    lock_key(conn, f"plan:{checked.district_code}:{checked.year}")
    plan_id = conn.execute(text("""
        INSERT INTO core.fct_plan (file_id, district_key, district_code, year, van_ban, received_at, version,
                                   status, error_count, warning_count)
        VALUES (:f, :dk, :d, :y, :vb, :at, 0, :status, :e, :w)
        RETURNING plan_id
    """), {"f": file_id, "dk": checked.district.district_key, "d": checked.district_code, "y": checked.year,
           "vb": checked.van_ban, "at": received_at, "status": checked.outcome, "e": checked.errors,
           "w": checked.warnings}).scalar_one()
    if not checked.errors:
        conn.execute(text("""
            INSERT INTO core.fct_plan_target (plan_id, indicator_key, indicator_code, district_code, year,
                                              target_value, submitted_unit, conversion_factor)
            SELECT :pid, i.indicator_key, r.indicator_code, :d, :y, r.ke_hoach_nam, r.don_vi_tinh,
                   r.conversion_factor
            FROM staging.stg_plan_row AS r
            JOIN core.dim_indicator AS i ON i.is_current AND i.indicator_code = r.indicator_code
            WHERE r.file_id = :f AND r.ke_hoach_nam IS NOT NULL
        """), {"pid": plan_id, "d": checked.district_code, "y": checked.year, "f": file_id})
    renumber_versions(conn, "core.fct_plan", "plan_id", "district_code = :d AND year = :y",
                      {"d": checked.district_code, "y": checked.year})
    if not checked.errors:
        queue_rollup(conn, checked.district_code, checked.year)
    return plan_id


def queue_rollup(conn: Connection, district_code: str, year: int) -> None:
    """Mark the district-year for the incremental rollup, atomically with the data."""
    conn.execute(text("INSERT INTO ops.rollup_queue (district_code, year) VALUES (:d, :y) ON CONFLICT DO NOTHING"),
                 {"d": district_code, "y": year})


def record_outcome(conn: Connection, file_id: int, kind: str, fmt: str | None, outcome: str,
                   district_code: str | None, period_code: str | None, messages: list[Message]) -> None:
    if messages:
        copy_rows(conn, "ops.validation_message", MESSAGE_COLUMNS, (
            (file_id, m.code, m.severity, m.sheet, m.row, m.column, m.found, m.expected, m.message, m.message_en,
             m.source, m.rule_id)
            for m in messages
        ))
    conn.execute(text("""
        INSERT INTO ops.file_outcome (file_id, file_kind, source_format, outcome, district_code, period_code,
                                      error_count, warning_count, quarantined)
        VALUES (:f, :k, :fmt, :o, :d, :p, :e, :w, :q)
    """), {"f": file_id, "k": kind, "fmt": fmt if fmt in SOURCE_FORMATS else None, "o": outcome,
           "d": district_code, "p": period_code,
           "e": sum(m.severity == ERROR for m in messages), "w": sum(m.severity == WARNING for m in messages),
           "q": outcome == REJECTED})
