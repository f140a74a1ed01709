"""Issue 15, a full rebuild that writes the mart once: mart.indicator_rollup becomes a table
partitioned by range of period_key, so the sessions of a parallel full rebuild each write their share
of the years into a table of their own, with its key, at once, and the refresh attaches those tables
instead of copying every row through ops.rollup_build (dropped) and building the key after
(etl/marts/rollup.py). The SQL is in 0025_indicator_rollup_partitions.sql beside this file.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-28
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    cursor = op.get_bind().connection.driver_connection.cursor()
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    cursor.execute(Path(__file__).with_suffix(".sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
