"""mart.indicator_rollup: key columns in the order a full rebuild writes the rows
(level, unit_code, indicator_code, period_key), so the key is built on sorted rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE mart.indicator_rollup DROP CONSTRAINT indicator_rollup_pkey")
    op.execute("ALTER TABLE mart.indicator_rollup ADD CONSTRAINT indicator_rollup_pkey "
               "PRIMARY KEY (level, unit_code, indicator_code, period_key)")


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
