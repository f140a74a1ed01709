"""Issue 15, an incremental refresh that rewrites only the statuses that changed: mart.submission_status
becomes a view over the stored statuses (mart.submission_status_rollup, without as_of) and the moment of
the last refresh that brought them all up to date (ops.status_refresh), which every row shows as its
as_of; core.fct_submission gets an index on received_at, for the arrivals since that refresh. The SQL is
in 0023_submission_status_view.sql beside this file.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-27
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    cursor = op.get_bind().connection.driver_connection.cursor()
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    cursor.execute(Path(__file__).with_suffix(".sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
