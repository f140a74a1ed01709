"""mart.indicator_rollup.plan_attained for months and halves where the plan is a threshold: queue
every district-year so the next refresh fills it. SQL in 0011_plan_attained_every_period.sql beside
this file.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    ddl = Path(__file__).with_suffix(".sql").read_text(encoding="utf-8")
    op.get_bind().connection.driver_connection.cursor().execute(ddl)


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
