"""ops.repeatable_checksum: the checksum of the views, functions, grants and mart comments last
applied, so `baocao db upgrade` re-creates them only when they changed. DDL in
0010_repeatable_checksum.sql beside this file.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    ddl = Path(__file__).with_suffix(".sql").read_text(encoding="utf-8")
    op.get_bind().connection.driver_connection.cursor().execute(ddl)


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
