"""Baseline: the schema as revisions 0001-0009 left a fresh install, squashed into one revision
whose DDL is 0009_baseline.sql beside this file.

Its id is "0009", the id of the last revision it replaces, so a warehouse built before the squash
(at 0009) is already at the baseline and upgrades from there; a new warehouse runs the baseline.
Revisions are append-only from here: neither this file nor its SQL is ever edited. Views,
functions and their grants are not revisions but sql/repeatable/ (etl/warehouse/schema.py).

Revision ID: 0009
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0009"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
    ddl = Path(__file__).with_suffix(".sql").read_text(encoding="utf-8")
    op.get_bind().connection.driver_connection.cursor().execute(ddl)


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
