"""Issue 15, an incremental refresh under half a second: mart.submission_status gets an index on each
legacy province's districts' months, so the rollup's step 03 finds a province's first stored month
with one probe instead of a pass over every status, and on the month, so that step 12 finds the
statuses it recomputes without reading every one. And ops.rollup_build (0021) goes to
baocao_owner where a fresh install left it to the login. The SQL is in
0022_submission_status_first_month.sql beside this file.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-27
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    cursor = op.get_bind().connection.driver_connection.cursor()
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    cursor.execute(Path(__file__).with_suffix(".sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
