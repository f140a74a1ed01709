"""Foundation: raw, staging, core star schema and ops logs.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

from etl.warehouse.schema import run_sql_files

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Order matters only for foreign keys.
SQL_FILES = [
    "raw/file.sql",
    "staging/stg_indicator_row.sql",
    "staging/stg_task_row.sql",
    "staging/stg_plan_row.sql",
    "core/dim_unit.sql",
    "core/dim_province.sql",
    "core/dim_province_2025.sql",
    "core/dim_district.sql",
    "core/dim_period.sql",
    "core/reporting_calendar.sql",
    "core/dim_indicator.sql",
    "core/fct_submission.sql",
    "core/fct_indicator_value.sql",
    "core/dim_task.sql",
    "core/fct_task_snapshot.sql",
    "core/fct_plan.sql",
    "core/fct_plan_target.sql",
    "core/indicator_value_current.sql",
    "ops/file_outcome.sql",
    "ops/validation_message.sql",
    "ops/ingest_run.sql",
]


def upgrade() -> None:
    run_sql_files(op.get_bind(), SQL_FILES)


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
