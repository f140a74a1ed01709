"""Issue 15, the incremental refresh at commune scale: the stored partial sums of every province-level
figure (ops.rollup_partial, unlogged) and what they were summed over (ops.rollup_partial_unit), so a
refresh after one corrected commune adds that commune's change to its province instead of summing the
province's 126 communes again. The SQL is in 0024_rollup_partial_sums.sql beside this file.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-28
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    cursor = op.get_bind().connection.driver_connection.cursor()
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    cursor.execute(Path(__file__).with_suffix(".sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
