"""Quality gate: record which suite or rule produced each validation message.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

from etl.warehouse.schema import run_sql_files

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_files(op.get_bind(), ["ops/validation_message_source.sql"])


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
