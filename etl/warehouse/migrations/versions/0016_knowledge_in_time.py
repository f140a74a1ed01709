"""Issue 12, knowledge in time: how each file's arrival time was established (and who overrode
it), and the rollup's steps kept in the database for the as-of figures. SQL in
0016_knowledge_in_time.sql beside this file.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    ddl = Path(__file__).with_suffix(".sql").read_text(encoding="utf-8")
    op.get_bind().connection.driver_connection.cursor().execute(ddl)


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
