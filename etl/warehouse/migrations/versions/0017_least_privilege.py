"""Issue 13, least privilege: the owner, loader and analyst roles, the analysts' session limits,
raw.file append-only by trigger, and raw.file_delivery (every delivery of a file). Two SQL files
beside this one: 0017_least_privilege_roles.sql (the server's roles, which
etl.warehouse.schema.ensure_roles also runs before every upgrade) and 0017_least_privilege.sql
(this database's objects, ownership and grants).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    here = Path(__file__)
    cursor = op.get_bind().connection.driver_connection.cursor()
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    for sql in (here.with_name(f"{here.stem}_roles.sql"), here.with_suffix(".sql")):
        cursor.execute(sql.read_text(encoding="utf-8"))


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
