"""Issue 14, the clerk's round trip: Excel 97-2003 (.xls) and OpenDocument (.ods) submissions are
read like .xlsx, so core.fct_submission.source_format admits them (etl.domain.contract.SOURCE_FORMATS).
The SQL is in 0018_office_formats.sql beside this file.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    cursor = op.get_bind().connection.driver_connection.cursor()
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    cursor.execute(Path(__file__).with_suffix(".sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
