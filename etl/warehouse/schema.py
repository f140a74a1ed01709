"""Schema migrations (Alembic) and the reference data that `baocao db upgrade` loads."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from etl.paths import PROJECT_ROOT, SQL_DIR

MIGRATIONS_DIR = PROJECT_ROOT / "etl" / "warehouse" / "migrations"


def run_sql_files(conn: Connection, relative_paths: list[str]) -> None:
    """Execute sql/<path> files in order (used by the migration revisions)."""
    cursor = conn.connection.driver_connection.cursor()
    for rel in relative_paths:
        # Straight to psycopg without parameters, so a '%' in SQL or comments is just a '%'.
        cursor.execute((SQL_DIR / rel).read_text(encoding="utf-8"))


def alembic_config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def upgrade(engine: Engine, *, load_reference: bool = True) -> None:
    """Create or migrate the schema to head, then load reference data (idempotent)."""
    with engine.begin() as conn:
        # Alembic keeps its version table in ops, which must exist before it looks.
        conn.execute(text((SQL_DIR / "schemas.sql").read_text(encoding="utf-8")))
        command.upgrade(alembic_config(conn), "head")
    if load_reference:
        from etl.warehouse.reference import load_reference_data

        load_reference_data(engine)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM ops.alembic_version")).scalar()


def head_revision() -> str:
    """The newest migration in etl/warehouse/migrations: what `upgrade` brings a database to."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head
