"""${message}

Its DDL is the .sql file of the same name beside this one (write it when creating the revision).
Revisions are append-only: once merged, neither file is edited. A revision imports nothing from
the application (etl.*), so it does today what it did the day it was written. Views and functions
are not revisions: edit them in sql/repeatable/ (re-created by every upgrade that changes them).

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    ddl = Path(__file__).with_suffix(".sql").read_text(encoding="utf-8")
    op.get_bind().connection.driver_connection.cursor().execute(ddl)


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
