"""mart: last_year_reporting_units beside same_period_last_year, so a year-on-year change
between different sets of districts shows.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

from etl.warehouse.schema import run_sql_files

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from etl.marts.rollup import apply_mart_comments

    bind = op.get_bind()
    # A new install already has it (sql/mart/indicator_rollup.sql); the next refresh fills it.
    op.execute("ALTER TABLE mart.indicator_rollup ADD COLUMN IF NOT EXISTS last_year_reporting_units integer")
    run_sql_files(bind, ["mart/indicator_monthly.sql", "mart/indicator_semiannual.sql", "mart/indicator_annual.sql"])
    apply_mart_comments(bind)
    # Fill it for the rows already built: queue every district-year for the next refresh.
    op.execute("INSERT INTO ops.rollup_queue (district_code, year) SELECT DISTINCT district_code, year "
               "FROM core.fct_submission ON CONFLICT DO NOTHING")


def downgrade() -> None:
    raise RuntimeError("baocao migrations are forward-only; restore from backup to go back")
