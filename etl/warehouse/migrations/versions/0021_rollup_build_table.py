"""Issue 15, rollups that scale: a full rebuild computes its figures in several sessions at once,
each over its share of the years, and they hand their rows to the refresh's own transaction
through an unlogged table, ops.rollup_build (etl/marts/rollup.py). And a load at the speed of
COPY: core.dim_task loses its foreign key to the first submission, which the load checks once per
batch (as revision 0020 did for the facts). And a change loaded while a refresh runs is never
lost: the loader may move a queued district-year's queued_at. The SQL is in
0021_rollup_build_table.sql beside this file.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    cursor = op.get_bind().connection.driver_connection.cursor()
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    cursor.execute(Path(__file__).with_suffix(".sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
