"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from __future__ import annotations

from alembic import op

from etl.warehouse.schema import run_sql_files

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_files(op.get_bind(), [])


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
