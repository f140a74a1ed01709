"""Issue 14, the clerk's round trip: every message names its cell as the clerk's office suite shows it
("D13") and the indicator or task of its row (code and name), for the reply, the feedback workbook
and the analysts' queries. The SQL is in 0019_message_places.sql beside this file.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    cursor = op.get_bind().connection.driver_connection.cursor()
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    cursor.execute(Path(__file__).with_suffix(".sql").read_text(encoding="utf-8"))


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
