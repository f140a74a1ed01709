"""Settings, in one place: every environment variable and Airflow connection id baocao reads.

Secrets never live in the repo: the warehouse, SMTP and webhook come from the environment
or from Airflow connections (AIRFLOW_CONN_<ID> in production). No other module reads
os.environ for a baocao setting; the README lists every ENV_* and CONN_* name below
(tests/unit/test_config.py checks it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.paths import PROJECT_ROOT

# Environment variables read by etl (CLI and DAGs alike).
ENV_WAREHOUSE_URL = "WAREHOUSE_URL"  # SQLAlchemy URL of the warehouse; unset: embedded PostgreSQL
ENV_DATA_DIR = "BAOCAO_DATA_DIR"  # local state: embedded PostgreSQL, demo files, Data Docs
ENV_LANDING_URL = "BAOCAO_LANDING_URL"  # where districts' files land: a folder or any fsspec URL (s3://...)
ENV_PROVINCE_DESK_EMAIL = "BAOCAO_PROVINCE_DESK_EMAIL"  # the province data desk (escalations, copies)
ENV_ENGINEERS_EMAIL = "BAOCAO_ENGINEERS_EMAIL"  # DAG and task failures
ENV_INGEST_BATCH_SIZE = "BAOCAO_INGEST_BATCH_SIZE"  # files per mapped ingest task
ENV_RETRIES = "BAOCAO_RETRIES"  # task retries in the DAGs
ENV_RETRY_DELAY_SECONDS = "BAOCAO_RETRY_DELAY_SECONDS"  # first retry delay; doubles each time
ENV_READER_PROCESSES = "BAOCAO_READER_PROCESSES"  # processes reading files; 0: the caller's, unisolated
ENV_LANDING_SETTLE_SECONDS = "BAOCAO_LANDING_SETTLE_SECONDS"  # a landed file unchanged this long is complete
ENV_EMAIL_PER_MINUTE = "BAOCAO_EMAIL_PER_MINUTE"  # alert e-mails a minute at most; 0: no limit
ENV_WEBHOOK_PER_MINUTE = "BAOCAO_WEBHOOK_PER_MINUTE"  # webhook posts a minute at most; 0: no limit
ENV_BOARD_DIR = "BAOCAO_BOARD_DIR"  # where rollup_marts writes the status boards (baocao board)

# Airflow connection ids used by the DAGs (AIRFLOW_CONN_BAOCAO_WAREHOUSE etc. in production).
CONN_WAREHOUSE = "baocao_warehouse"  # postgres
CONN_SMTP = "baocao_smtp"  # smtp
CONN_WEBHOOK = "baocao_webhook"  # http: a Slack-compatible incoming webhook

# Development only: the PostgreSQL server on which the tests and the benchmarks create (and
# drop) databases of their own. Unset: 127.0.0.1:5432 when it answers, else the embedded one.
ENV_TEST_ADMIN_URL = "BAOCAO_TEST_ADMIN_URL"  # tests/conftest.py
ENV_BENCH_ADMIN_URL = "BAOCAO_BENCH_ADMIN_URL"  # bench/; WAREHOUSE_URL, when set, wins

# What a deployment sets (docker-compose.yml, .env.example); the development ones are not.
ENVIRONMENT_VARIABLES = (ENV_WAREHOUSE_URL, ENV_DATA_DIR, ENV_LANDING_URL, ENV_PROVINCE_DESK_EMAIL,
                         ENV_ENGINEERS_EMAIL, ENV_INGEST_BATCH_SIZE, ENV_RETRIES, ENV_RETRY_DELAY_SECONDS,
                         ENV_READER_PROCESSES, ENV_LANDING_SETTLE_SECONDS, ENV_EMAIL_PER_MINUTE,
                         ENV_WEBHOOK_PER_MINUTE, ENV_BOARD_DIR)
DEVELOPMENT_VARIABLES = (ENV_TEST_ADMIN_URL, ENV_BENCH_ADMIN_URL)
AIRFLOW_CONNECTIONS = (CONN_WAREHOUSE, CONN_SMTP, CONN_WEBHOOK)

DEFAULT_INGEST_BATCH_SIZE = 100
DEFAULT_RETRIES = 2
DEFAULT_RETRY_DELAY_SECONDS = 60.0
# An upload that has not changed for this long is finished (an SFTP or SMB upload writes in
# bursts seconds apart); uploaders that write under a hidden name and rename need no wait.
DEFAULT_LANDING_SETTLE_SECONDS = 30.0
# Slack accepts about one message a second on an incoming webhook; a relay's limits vary (0: none).
DEFAULT_EMAIL_PER_MINUTE = 0.0
DEFAULT_WEBHOOK_PER_MINUTE = 60.0


def connection_env_var(conn_id: str) -> str:
    """The environment variable that defines an Airflow connection outside the metadata database."""
    return f"AIRFLOW_CONN_{conn_id.upper()}"


def connection_from_env(conn_id: str) -> Any | None:
    """The Airflow connection AIRFLOW_CONN_<ID> defines (URI or JSON form), parsed by Airflow's
    own Connection class; None when the variable is unset."""
    raw = (os.environ.get(connection_env_var(conn_id)) or "").strip()
    if not raw:
        return None
    from airflow.models.connection import Connection

    return Connection.from_json(raw, conn_id=conn_id) if raw.startswith("{") else Connection(conn_id=conn_id, uri=raw)


def secret_from_env(variable: str) -> str | None:
    """A secret whose variable the operator names on the command line (a login's password for
    `python -m etl.warehouse.schema roles`): never a setting of its own, never logged."""
    return os.environ.get(variable) or None


def data_dir() -> Path:
    """Local state (embedded PostgreSQL, demo files, Data Docs); BAOCAO_DATA_DIR overrides."""
    path = Path(os.environ.get(ENV_DATA_DIR) or PROJECT_ROOT / "data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def board_dir() -> Path:
    """Where the rollup_marts DAG writes the provinces' status boards; BAOCAO_BOARD_DIR overrides
    (default: board/ under the data directory)."""
    return Path(os.environ.get(ENV_BOARD_DIR) or data_dir() / "board")


@dataclass(frozen=True)
class Settings:
    warehouse_url: str | None
    landing_url: str
    province_desk_email: str | None
    engineers_email: str | None
    ingest_batch_size: int
    retries: int
    retry_delay_seconds: float
    reader_processes: int | None  # None: one per core
    landing_settle_seconds: float
    email_per_minute: float  # 0: no limit
    webhook_per_minute: float


def settings() -> Settings:
    return Settings(
        warehouse_url=os.environ.get(ENV_WAREHOUSE_URL) or None,
        landing_url=os.environ.get(ENV_LANDING_URL) or str(data_dir() / "landing"),
        province_desk_email=os.environ.get(ENV_PROVINCE_DESK_EMAIL) or None,
        engineers_email=os.environ.get(ENV_ENGINEERS_EMAIL) or None,
        ingest_batch_size=int(os.environ.get(ENV_INGEST_BATCH_SIZE) or DEFAULT_INGEST_BATCH_SIZE),
        retries=int(os.environ.get(ENV_RETRIES) or DEFAULT_RETRIES),
        retry_delay_seconds=float(os.environ.get(ENV_RETRY_DELAY_SECONDS) or DEFAULT_RETRY_DELAY_SECONDS),
        reader_processes=int(os.environ[ENV_READER_PROCESSES]) if os.environ.get(ENV_READER_PROCESSES) else None,
        landing_settle_seconds=float(os.environ.get(ENV_LANDING_SETTLE_SECONDS) or DEFAULT_LANDING_SETTLE_SECONDS),
        email_per_minute=float(os.environ.get(ENV_EMAIL_PER_MINUTE) or DEFAULT_EMAIL_PER_MINUTE),
        webhook_per_minute=float(os.environ.get(ENV_WEBHOOK_PER_MINUTE) or DEFAULT_WEBHOOK_PER_MINUTE),
    )


def admin_url_for_tests() -> str | None:
    return os.environ.get(ENV_TEST_ADMIN_URL) or None


def admin_url_for_benchmarks() -> str | None:
    return os.environ.get(ENV_WAREHOUSE_URL) or os.environ.get(ENV_BENCH_ADMIN_URL) or None
