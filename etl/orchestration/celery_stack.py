"""The production topology as local processes: docker-compose.yml's CeleryExecutor stack (Redis,
scheduler, dag-processor, api-server, triggerer, one Celery worker; metadata and warehouse on
PostgreSQL) started from this project's own environment, to test and measure it for real.

`stack_settings()` is the one source of the settings' names: docker-compose.yml's common
environment sets exactly these names (tests/unit/test_compose.py checks it), and `CeleryStack`
runs with them plus LOCAL_SETTINGS, the ports and homes that containers get from being
separate hosts. tests/test_celery_topology.py and bench/celery_topology.py use it."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from etl.config import (
    CONN_SMTP,
    CONN_WAREHOUSE,
    CONN_WEBHOOK,
    ENV_DATA_DIR,
    ENV_EMAIL_PER_MINUTE,
    ENV_ENGINEERS_EMAIL,
    ENV_INGEST_BATCH_SIZE,
    ENV_LANDING_SETTLE_SECONDS,
    ENV_LANDING_URL,
    ENV_PROVINCE_DESK_EMAIL,
    ENV_WAREHOUSE_URL,
    ENV_WEBHOOK_PER_MINUTE,
    connection_env_var,
)
from etl.paths import PROJECT_ROOT

# The long-running components, in the order they start: the api-server first (workers call its
# Execution API), the worker last.
COMPONENTS: dict[str, list[str]] = {
    "api-server": ["api-server"],
    "scheduler": ["scheduler"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer"],
    "celery-worker": ["celery", "worker"],
}
# Settings a container gets from being its own host (ports, a home); on one machine each run
# picks free ones. The landing settle time is set to 0: the files are written before the run.
LOCAL_SETTINGS = ("AIRFLOW_HOME", "AIRFLOW__API__HOST", "AIRFLOW__API__PORT",
                  "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT",
                  "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT", "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT",
                  ENV_LANDING_SETTLE_SECONDS)
FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
START_TIMEOUT_S = 240.0


@dataclass(frozen=True)
class Peers:
    """Where each part of the stack finds the others, and the baocao settings it runs with."""

    metadata_url: str  # SQLAlchemy URL of Airflow's metadata database
    broker_url: str  # redis://:password@host:port/0
    execution_api_url: str  # http://host:port/execution/
    warehouse_url: str  # SQLAlchemy URL of the warehouse (the ETL's login)
    smtp_connection: str  # AIRFLOW_CONN_BAOCAO_SMTP (JSON form)
    webhook_connection: str  # AIRFLOW_CONN_BAOCAO_WEBHOOK (JSON form)
    data_dir: str
    landing: str
    province_desk_email: str
    engineers_email: str
    dags_folder: str = str(PROJECT_ROOT / "dags")
    worker_concurrency: int = 2
    ingest_batch_size: int = 100
    email_per_minute: float = 0
    webhook_per_minute: float = 60


@dataclass(frozen=True)
class Keys:
    """The stack's shared secrets: every component must hold the same ones."""

    fernet_key: str
    api_secret_key: str
    jwt_secret: str

    @classmethod
    def generate(cls) -> Keys:
        from cryptography.fernet import Fernet

        return cls(Fernet.generate_key().decode(), secrets.token_urlsafe(32), secrets.token_urlsafe(32))


def stack_settings(peers: Peers, keys: Keys) -> dict[str, str]:
    """Every component's environment, by the names docker-compose.yml uses (x-airflow-common)."""
    metadata = make_url(peers.metadata_url)
    warehouse = make_url(peers.warehouse_url)
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__AUTH_MANAGER": FAB_AUTH_MANAGER,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata.set(drivername="postgresql+psycopg2")
        .render_as_string(hide_password=False),
        "AIRFLOW__CELERY__BROKER_URL": peers.broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata.set(drivername="postgresql")
        .render_as_string(hide_password=False),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(peers.worker_concurrency),
        "AIRFLOW__CORE__FERNET_KEY": keys.fernet_key,
        "AIRFLOW__API__SECRET_KEY": keys.api_secret_key,
        "AIRFLOW__API_AUTH__JWT_SECRET": keys.jwt_secret,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": peers.execution_api_url,
        "AIRFLOW__CORE__DAGS_FOLDER": peers.dags_folder,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "true",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "true",
        "AIRFLOW__EMAIL__EMAIL_CONN_ID": CONN_SMTP,
        ENV_WAREHOUSE_URL: warehouse.render_as_string(hide_password=False),
        ENV_DATA_DIR: peers.data_dir,
        ENV_LANDING_URL: peers.landing,
        ENV_PROVINCE_DESK_EMAIL: peers.province_desk_email,
        ENV_ENGINEERS_EMAIL: peers.engineers_email,
        ENV_INGEST_BATCH_SIZE: str(peers.ingest_batch_size),
        ENV_EMAIL_PER_MINUTE: f"{peers.email_per_minute:g}",
        ENV_WEBHOOK_PER_MINUTE: f"{peers.webhook_per_minute:g}",
        connection_env_var(CONN_WAREHOUSE): warehouse.set(drivername="postgres").render_as_string(hide_password=False),
        connection_env_var(CONN_SMTP): peers.smtp_connection,
        connection_env_var(CONN_WEBHOOK): peers.webhook_connection,
    }


def setting_names() -> set[str]:
    """The names stack_settings() gives (what the compose file must set, no more, no less)."""
    dummy = Peers(metadata_url="postgresql://u@h/m", broker_url="redis://h", execution_api_url="http://h/execution/",
                  warehouse_url="postgresql+psycopg://u@h/w", smtp_connection="{}", webhook_connection="{}",
                  data_dir="/d", landing="/l", province_desk_email="d@e", engineers_email="e@e")
    return set(stack_settings(dummy, Keys("f", "s", "j")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_redis_server() -> str | None:
    """Debian's redis-server (`apt-get install -y redis-server`), if installed."""
    debian = ("/usr/bin/redis-server", "/usr/sbin/redis-server")
    return shutil.which("redis-server") or next((p for p in debian if os.access(p, os.X_OK)), None)


def redis_server_binary() -> str:
    found = find_redis_server()
    if not found:
        raise RuntimeError("redis-server not found: install Debian's package (apt-get install -y redis-server)")
    return found


@dataclass
class CeleryStack:
    """A started stack: its settings, folders, metadata database and processes."""

    env: dict[str, str]
    work_dir: Path
    metadata: Engine
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def landing(self) -> Path:
        return Path(self.env[ENV_LANDING_URL])

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.env['AIRFLOW__API__PORT']}"

    def log(self, name: str) -> Path:
        return self.work_dir / "logs" / f"{name}.log"

    def start(self, name: str, args: list[str]) -> None:
        log = self.log(name).open("ab")
        self.processes[name] = subprocess.Popen(args, env=self._environ(), stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, start_new_session=True, cwd=self.work_dir)
        log.close()

    def airflow(self, *args: str, timeout: float = 180) -> str:
        """An `airflow` CLI command against the stack; its output. Fails loudly with it."""
        done = subprocess.run([airflow_binary(), *args], env=self._environ(), capture_output=True, text=True,
                              timeout=timeout, cwd=self.work_dir)
        if done.returncode:
            raise RuntimeError(f"airflow {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def _environ(self) -> dict[str, str]:
        # Only what a container would have: the stack's settings over a clean PATH and locale.
        base = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "TZ")}
        base["PATH"] = os.path.dirname(sys.executable) + os.pathsep + base.get("PATH", "/usr/bin:/bin")
        return {**base, **self.env}

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.processes.items() if p.poll() is not None}
        if dead:
            raise RuntimeError(f"stack component(s) stopped: {dead}\n{self.tails(list(dead))}")

    def tails(self, names: list[str] | None = None, lines: int = 25) -> str:
        out = []
        for name in names or list(self.processes):
            path = self.log(name)
            text_ = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            out.append(f"--- {name} ({path}) ---\n" + "\n".join(text_))
        return "\n".join(out)

    def wait(self, what: str, probe: Any, timeout: float = START_TIMEOUT_S, every: float = 0.5) -> Any:
        """Poll `probe` until it returns something truthy; a component dying or the timeout fails
        with the components' last log lines."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                got = probe()
            except Exception:  # not up yet
                got = None
            if got:
                return got
            time.sleep(every)
        raise TimeoutError(f"{what}: not within {timeout:.0f} s\n{self.tails()}")

    def dag_runs(self, dag_id: str) -> list[dict[str, Any]]:
        with self.metadata.connect() as conn:
            rows = conn.execute(text("""
                SELECT run_id, run_type, state, queued_at, start_date, end_date FROM dag_run
                WHERE dag_id = :d ORDER BY id"""), {"d": dag_id}).mappings()
            return [dict(r) for r in rows]

    def wait_for_run(self, dag_id: str, *, run_type: str | None = None, after: datetime | None = None,
                     timeout: float = 600) -> dict[str, Any]:
        """The first run of `dag_id` (of `run_type`, queued after `after`) to finish; a failed one
        fails with its task states."""

        def finished() -> dict[str, Any] | None:
            for run in self.dag_runs(dag_id):
                if (run_type and run["run_type"] != run_type) or (after and run["queued_at"] < after):
                    continue
                if run["state"] in ("success", "failed"):
                    return run
            return None

        run = self.wait(f"a finished {run_type or ''} run of {dag_id}", finished, timeout=timeout, every=1.0)
        if run["state"] != "success":
            tasks = self.task_states(dag_id, run["run_id"])
            raise AssertionError(f"{dag_id} {run['run_id']}: {run['state']}; tasks {tasks}\n{self.tails()}")
        return run

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        with self.metadata.connect() as conn:
            rows = conn.execute(text("""
                SELECT task_id, map_index, state FROM task_instance WHERE dag_id = :d AND run_id = :r
                ORDER BY task_id, map_index"""), {"d": dag_id, "r": run_id})
            return {f"{t}[{m}]" if m >= 0 else t: s for t, m, s in rows}

    def task_log_errors(self, dag_id: str, run_id: str) -> list[str]:
        """The error-level events in a run's task logs (AIRFLOW_HOME/logs, JSON lines)."""
        folder = Path(self.env["AIRFLOW_HOME"]) / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
        errors = []
        for path in sorted(folder.rglob("*.log")):
            for line in path.read_text(errors="replace").splitlines():
                with suppress(ValueError):
                    event = json.loads(line)
                    if event.get("level") == "error":
                        errors.append(f"{path.relative_to(folder)}: {event.get('event')}")
        return errors

    def stop(self, grace_s: float = 30) -> None:
        """SIGTERM to every component's process group (the worker finishes its task: a warm
        shutdown), then SIGKILL what is left after `grace_s`."""
        for proc in reversed(list(self.processes.values())):
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for proc in self.processes.values():
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            _signal_group(proc, signal.SIGKILL)  # the group's children (task runners) too
            proc.wait()
        self.metadata.dispose()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def airflow_binary() -> str:
    return shutil.which("airflow", path=os.path.dirname(sys.executable)) or "airflow"


@contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A database of its own on `admin_url`'s server, dropped afterwards; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def celery_stack(admin_url: str, work_dir: Path, *, smtp_connection: str, webhook_connection: str,
                 province_desk_email: str = "bandulieu@tinh.example.gov.vn",
                 engineers_email: str = "kythuat@tinh.example.gov.vn", worker_concurrency: int = 2,
                 ingest_batch_size: int = 100, warehouse_url: str | None = None,
                 baocao_settings: dict[str, str] | None = None) -> Iterator[CeleryStack]:
    """Start the topology on `admin_url`'s PostgreSQL server (a metadata database and, unless
    `warehouse_url` is given, a warehouse database of its own, migrated), wait until the
    api-server answers and the DAGs are parsed; stop everything and drop the databases after.
    `baocao_settings` adds optional etl/config.py settings (BAOCAO_RETRIES...)."""
    from etl.warehouse.schema import upgrade

    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "logs").mkdir(exist_ok=True)
    with ExitStack() as cleanup:
        metadata_url = cleanup.enter_context(scratch_database(admin_url, "baocao_stack_airflow"))
        if warehouse_url is None:
            warehouse_url = cleanup.enter_context(scratch_database(admin_url, "baocao_stack_warehouse"))
            engine = create_engine(warehouse_url)
            upgrade(engine)
            engine.dispose()
        redis_port, api_port = free_port(), free_port()
        redis_password = secrets.token_urlsafe(16)
        peers = Peers(metadata_url=metadata_url, broker_url=f"redis://:{redis_password}@127.0.0.1:{redis_port}/0",
                      execution_api_url=f"http://127.0.0.1:{api_port}/execution/", warehouse_url=warehouse_url,
                      smtp_connection=smtp_connection, webhook_connection=webhook_connection,
                      data_dir=str(work_dir / "data"), landing=str(work_dir / "landing"),
                      province_desk_email=province_desk_email, engineers_email=engineers_email,
                      worker_concurrency=worker_concurrency, ingest_batch_size=ingest_batch_size)
        Path(peers.landing).mkdir(exist_ok=True)
        env = {**stack_settings(peers, Keys.generate()),
               "AIRFLOW_HOME": str(work_dir / "airflow"),
               "AIRFLOW__API__HOST": "127.0.0.1",
               "AIRFLOW__API__PORT": str(api_port),
               "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
               "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
               "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
               ENV_LANDING_SETTLE_SECONDS: "0",
               **(baocao_settings or {})}
        metadata = create_engine(make_url(metadata_url).set(drivername="postgresql+psycopg"))
        stack = CeleryStack(env=env, work_dir=work_dir, metadata=metadata)
        cleanup.callback(stack.stop)
        stack.start("redis", [redis_server_binary(), "--port", str(redis_port), "--bind", "127.0.0.1",
                              "--requirepass", redis_password, "--save", "", "--appendonly", "no",
                              "--dir", str(work_dir)])
        stack.airflow("db", "migrate", timeout=300)
        for name, args in COMPONENTS.items():
            stack.start(name, [airflow_binary(), *args])
        stack.wait("the api-server's health", lambda: _http_ok(f"{stack.api_url}/api/v2/monitor/health"))
        stack.wait("the DAGs parsed by the dag-processor", lambda: _parsed(metadata) >= 3)
        yield stack


def _http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback: our own api-server
        return response.status == 200 and bool(json.loads(response.read() or b"{}"))


def _parsed(metadata: Engine) -> int:
    with metadata.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM dag")).scalar() or 0
