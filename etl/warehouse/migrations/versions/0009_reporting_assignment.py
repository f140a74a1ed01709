"""Reporting assignments: the provinces whose districts are expected before they ever send,
and submission_status_at reading them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

from etl.warehouse.schema import run_sql_files

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_files(op.get_bind(), ["core/reporting_assignment.sql", "mart/submission_status_at.sql"])


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
