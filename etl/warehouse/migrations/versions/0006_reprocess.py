"""Reprocessing: earlier attempts at a file that `baocao reprocess` ran again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

from etl.warehouse.schema import run_sql_files

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_files(op.get_bind(), ["ops/superseded_outcome.sql"])


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
