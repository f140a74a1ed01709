"""The contract's names in etl/domain/contract.py (and the period kinds of etl/domain/periods.py)
are the ones the warehouse enforces: every enumerated CHECK constraint lists exactly them; the
staging tables hold the typed rows field for field; and the deadline the SQL computes is the
reporting calendar's (etl.domain.calendar). Constraints are found by table and column, not name."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from etl.domain import contract, unit_history
from etl.domain.calendar import load_calendar
from etl.domain.periods import PERIOD_KINDS
from etl.intake.rows import field_names
from etl.warehouse.load import STAGING_TABLES

# (schema.table, column) -> the list its CHECK must allow.
ENUMERATED: dict[tuple[str, str], tuple[str, ...]] = {
    ("core.fct_task_snapshot", "trang_thai"): contract.TASK_STATUSES,
    ("core.fct_task_snapshot", "derived_status"): contract.DERIVED_TASK_STATUSES,
    ("ops.file_outcome", "outcome"): contract.FILE_OUTCOMES,
    ("core.fct_submission", "status"): contract.FILE_OUTCOMES,
    ("core.fct_plan", "status"): contract.FILE_OUTCOMES,
    ("ops.file_outcome", "file_kind"): contract.FILE_KINDS,
    ("core.fct_submission", "source_format"): contract.SOURCE_FORMATS,
    ("ops.validation_message", "severity"): contract.SEVERITIES,
    ("ops.validation_message", "source"): contract.MESSAGE_SOURCES,
    ("core.fct_indicator_value", "value_source"): contract.VALUE_SOURCES,
    ("core.fct_indicator_value", "ytd_source"): contract.YTD_SOURCES,
    ("mart.submission_status_rollup", "status"): contract.SUBMISSION_STATUSES,
    ("core.dim_indicator", "kind"): contract.INDICATOR_KINDS,
    ("core.dim_indicator", "direction"): contract.DIRECTIONS,
    ("mart.indicator_rollup", "level"): contract.LEVELS,
    ("mart.task_rollup", "level"): contract.LEVELS,
    ("ops.alert_log", "kind"): contract.ALERT_KINDS,
    ("ops.ingest_run", "load_path"): contract.LOAD_PATHS,
    ("raw.file", "received_at_rule"): contract.RECEIVED_AT_RULES,
    ("raw.file_delivery", "received_at_rule"): contract.RECEIVED_AT_RULES,
    ("ops.alert_log", "channel"): contract.ALERT_CHANNELS,
    ("ops.alert_log", "status"): contract.ALERT_SEND_STATUSES,
    ("core.dim_period", "period_type"): PERIOD_KINDS,
    ("core.reporting_calendar", "report_type"): PERIOD_KINDS,
    ("core.dim_reporting_unit", "level"): unit_history.UNIT_LEVELS,
    ("core.dim_district", "level"): unit_history.UNIT_LEVELS,
    ("core.dim_reporting_unit", "change"): unit_history.VERSION_CHANGES,
    ("core.dim_reporting_unit", "ended_by"): unit_history.ENDINGS,
}
_LITERAL = re.compile(r"'((?:[^']|'')*)'::text")


def enumerated_checks(db: Engine) -> dict[tuple[str, str], list[list[str]]]:
    """Every single-column CHECK of the warehouse that lists text values (col = ANY (ARRAY[...])),
    as (table, column) -> the lists of its CHECKs (a column may have more than one). A partition's are
    its partitioned table's (mart.indicator_rollup's, revision 0025)."""
    with db.connect() as conn:
        rows = conn.execute(text("""
            SELECT n.nspname || '.' || c.relname, a.attname, pg_get_constraintdef(k.oid)
            FROM pg_constraint AS k
            JOIN pg_class AS c ON c.oid = k.conrelid
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            JOIN pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
            WHERE k.contype = 'c' AND cardinality(k.conkey) = 1
              AND n.nspname IN ('raw', 'staging', 'core', 'mart', 'ops') AND NOT c.relispartition
        """)).all()
    found: dict[tuple[str, str], list[list[str]]] = {}
    for table, column, definition in rows:
        values = [v.replace("''", "'") for v in _LITERAL.findall(definition)]
        if "= ANY" in definition and values:  # not numeric lists (dim_period.half IN (1, 2))
            found.setdefault((table, column), []).append(values)
    return found


@pytest.fixture(scope="module")
def checks(engine: Engine) -> dict[tuple[str, str], list[list[str]]]:
    return enumerated_checks(engine)


@pytest.mark.parametrize(("table", "column"), sorted(ENUMERATED))
def test_check_lists_equal_the_contract(checks: dict[tuple[str, str], list[list[str]]], table: str,
                                        column: str) -> None:
    expected = ENUMERATED[(table, column)]
    assert (table, column) in checks, f"{table}.{column} has no CHECK listing its values"
    [values] = checks[(table, column)]
    assert sorted(values) == sorted(expected)
    assert len(values) == len(set(values))


def test_every_enumerated_check_has_its_contract_list(checks: dict[tuple[str, str], list[list[str]]]) -> None:
    assert set(checks) <= set(ENUMERATED), f"CHECK lists without a contract name: {set(checks) - set(ENUMERATED)}"


def test_staging_tables_hold_the_typed_rows(engine: Engine) -> None:
    with engine.connect() as conn:
        for table, row_type in STAGING_TABLES.items():
            schema, name = table.split(".")
            columns = conn.execute(text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = :s AND table_name = :t"),
                {"s": schema, "t": name}).scalars().all()
            assert sorted(columns) == sorted(["file_id", *field_names(row_type)]), table


@pytest.mark.parametrize(("province", "district"), [("64", "639"), ("26", "247")])
def test_the_sql_deadline_is_the_calendars(db: Engine, province: str, district: str) -> None:
    """mart.submission_status_at judges every expected district-month against the deadline of
    core.reporting_calendar; it must be Calendar.deadline (Gia Lai overrides the default)."""
    calendar = load_calendar()
    as_of = datetime(2025, 1, 31, 12, tzinfo=calendar.zone)
    with db.connect() as conn:
        transaction = conn.begin()
        try:  # expect the province's districts for 2024 without sending anything; never committed
            conn.execute(text("INSERT INTO core.reporting_assignment (province_code, report_type, from_period_key) "
                              "VALUES (:p, 'month', 202401) ON CONFLICT DO NOTHING"), {"p": province})
            rows: list[Any] = conn.execute(text("""
                SELECT year, month, deadline FROM mart.submission_status_at(:as_of)
                WHERE district_code = :d AND year = 2024 ORDER BY month
            """), {"as_of": as_of, "d": district}).all()
        finally:
            transaction.rollback()
    assert [r.month for r in rows] == list(range(1, 13))
    for r in rows:
        assert r.deadline == calendar.deadline(province, r.year, r.month), (province, r.month)
