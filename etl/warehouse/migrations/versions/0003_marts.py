"""Marts: materialized indicator and task rollups, submission status, reporting rates,
the analysts' read-only role.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

from etl.warehouse.schema import run_sql_files

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQL_FILES = [
    "ops/rollup_queue.sql",
    "mart/district_unit.sql",
    "mart/unit_name.sql",
    "mart/indicator_rollup.sql",
    "mart/task_rollup.sql",
    "mart/indicator_monthly.sql",
    "mart/indicator_semiannual.sql",
    "mart/indicator_annual.sql",
    "mart/task_monthly.sql",
    "mart/task_semiannual.sql",
    "mart/task_annual.sql",
    "mart/submission_status_at.sql",
    "mart/submission_status.sql",
    "mart/reporting_rate.sql",
    "mart/analyst_role.sql",
]


def upgrade() -> None:
    from etl.marts.rollup import apply_mart_comments

    bind = op.get_bind()
    run_sql_files(bind, SQL_FILES)
    apply_mart_comments(bind)


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
