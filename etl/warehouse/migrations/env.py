"""Alembic environment (the harness, not a revision): runs on the connection that
etl.warehouse.schema.upgrade hands over, or on WAREHOUSE_URL / the embedded server when alembic is
called from the command line (`alembic -c alembic.ini ...`)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

config = context.config


def run_on(connection: Connection) -> None:
    from etl.warehouse.schema import act_as_owner

    # Alembic keeps its version table in ops, which must exist before it looks (the baseline
    # creates the other schemas). Only made when missing: CREATE SCHEMA IF NOT EXISTS needs the
    # right to create one in the database even when it exists.
    if connection.execute(text("SELECT to_regnamespace('ops')")).scalar() is None:
        connection.execute(text("CREATE SCHEMA ops"))
    # After each revision: once 0017 has handed the warehouse to baocao_owner, the next ones run as
    # the owner, on a fresh install as on an upgrade (a table created by the login would be the login's).
    context.configure(connection=connection, version_table_schema="ops",
                      on_version_apply=lambda ctx, **_: act_as_owner(ctx.connection))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from etl.warehouse.db import get_engine  # only from the command line: the warehouse's URL

    with get_engine().begin() as conn:
        run_on(conn)


run_migrations_online()
