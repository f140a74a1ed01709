"""Issue 15, a load at the speed of COPY: the tables a load writes in bulk (the facts
core.fct_indicator_value and core.fct_task_snapshot, the staging rows) lose their foreign keys,
which PostgreSQL checks with one query and one row lock per inserted row; the load checks the
same references once per batch, set-based, inside its transaction (etl/warehouse/load.py,
check_references), as Kimball's surrogate key pipeline does. The SQL is in
0020_fact_references_checked_per_batch.sql beside this file.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-27
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    cursor = op.get_bind().connection.driver_connection.cursor()
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    cursor.execute(Path(__file__).with_suffix(".sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
