"""Alembic environment: runs on the connection that etl.warehouse.schema.upgrade hands over, or on
WAREHOUSE_URL / the embedded server when alembic is called from the command line."""

from __future__ import annotations

from alembic import context

from etl.warehouse.db import get_engine

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, version_table_schema="ops")
        with context.begin_transaction():
            context.run_migrations()
        return
    with get_engine().connect() as conn:
        context.configure(connection=conn, version_table_schema="ops")
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
