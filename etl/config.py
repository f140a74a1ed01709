"""Configuration names, in one place: environment variables and Airflow connection ids.

Secrets never live in the repo: the warehouse, SMTP and webhook come from the
environment or from Airflow connections (AIRFLOW_CONN_<ID> in production)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from etl.paths import data_dir

# Environment variables read by etl (CLI and DAGs alike).
ENV_WAREHOUSE_URL = "WAREHOUSE_URL"  # SQLAlchemy URL of the warehouse; unset: embedded PostgreSQL
ENV_DATA_DIR = "BAOCAO_DATA_DIR"  # local state: embedded PostgreSQL, demo files, Data Docs
ENV_LANDING_URL = "BAOCAO_LANDING_URL"  # where districts' files land: a folder or any fsspec URL (s3://...)
ENV_PROVINCE_DESK_EMAIL = "BAOCAO_PROVINCE_DESK_EMAIL"  # the province data desk (escalations, copies)
ENV_ENGINEERS_EMAIL = "BAOCAO_ENGINEERS_EMAIL"  # DAG and task failures
ENV_INGEST_BATCH_SIZE = "BAOCAO_INGEST_BATCH_SIZE"  # files per mapped ingest task

# Airflow connection ids used by the DAGs (AIRFLOW_CONN_BAOCAO_WAREHOUSE etc. in production).
CONN_WAREHOUSE = "baocao_warehouse"  # postgres
CONN_SMTP = "baocao_smtp"  # smtp
CONN_WEBHOOK = "baocao_webhook"  # http: a Slack-compatible incoming webhook

ENVIRONMENT_VARIABLES = (ENV_WAREHOUSE_URL, ENV_DATA_DIR, ENV_LANDING_URL, ENV_PROVINCE_DESK_EMAIL,
                         ENV_ENGINEERS_EMAIL, ENV_INGEST_BATCH_SIZE)
AIRFLOW_CONNECTIONS = (CONN_WAREHOUSE, CONN_SMTP, CONN_WEBHOOK)

DEFAULT_INGEST_BATCH_SIZE = 100


@dataclass(frozen=True)
class Settings:
    landing_url: str
    province_desk_email: str | None
    engineers_email: str | None
    ingest_batch_size: int


def settings() -> Settings:
    return Settings(
        landing_url=os.environ.get(ENV_LANDING_URL) or str(Path(data_dir()) / "landing"),
        province_desk_email=os.environ.get(ENV_PROVINCE_DESK_EMAIL),
        engineers_email=os.environ.get(ENV_ENGINEERS_EMAIL),
        ingest_batch_size=int(os.environ.get(ENV_INGEST_BATCH_SIZE, DEFAULT_INGEST_BATCH_SIZE)),
    )
