"""`make airflow` and `make airflow-cli`: Airflow standalone sized to the machine, on localhost, and
its CLI on the same metadata database (the embedded PostgreSQL's `airflow` database)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from etl.intake.isolation import usable_cores
from etl.orchestration.airflow_local import UI_HOST, environment, password_file

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_the_settings_fit_the_machine_and_stay_on_localhost(tmp_path: Path) -> None:
    env = environment("postgresql://u@h/airflow", "postgresql+psycopg://u@h/baocao", str(tmp_path / "landing"),
                      tmp_path / "home")
    assert env["AIRFLOW__CORE__PARALLELISM"] == str(max(2, usable_cores()))
    assert env["AIRFLOW__API__HOST"] == UI_HOST == "127.0.0.1"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql+psycopg2://u@h/airflow"
    assert password_file(tmp_path / "home").parent == tmp_path / "home"


def test_the_cli_reads_the_standalones_settings(tmp_path: Path, warehouse_url: str) -> None:
    # What `make airflow-cli ARGS=...` runs, from a shell that has no Airflow settings of its own.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(BAOCAO_DATA_DIR=str(tmp_path / "data"), WAREHOUSE_URL=warehouse_url)

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "etl.orchestration.airflow_local", "cli", *args], env=env,
                              cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]

    try:
        check_cli(cli, tmp_path)
    finally:  # the embedded server the CLI started is left running by design: not by a test
        stop_embedded_server(tmp_path / "data" / "pgdata")


def stop_embedded_server(pgdata: Path) -> None:
    pid_file = pgdata / "postmaster.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown
        for _ in range(100):
            if not pid_file.exists():
                return
            time.sleep(0.1)


def check_cli(cli: Callable[..., str], tmp_path: Path) -> None:
    assert cli("config", "get-value", "core", "parallelism") == str(max(2, usable_cores()))
    assert cli("config", "get-value", "api", "host") == "127.0.0.1"
    metadata = unquote(cli("config", "get-value", "database", "sql_alchemy_conn"))
    assert "/airflow?" in metadata and str(tmp_path / "data" / "pgdata") in metadata  # the embedded server's
    cli("db", "check")  # and it answers
    assert cli("config", "get-value", "core", "dags_folder") == str(PROJECT_ROOT / "dags")
