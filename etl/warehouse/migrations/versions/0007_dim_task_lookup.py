"""core.dim_task: an index on every version of a task (district_code, ma_nhiem_vu).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

from etl.warehouse.schema import run_sql_files

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_files(op.get_bind(), ["core/dim_task_lookup.sql"])


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
