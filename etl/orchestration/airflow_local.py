"""`make airflow`: Airflow standalone on this machine, to watch the DAGs in the UI.

Its metadata database lives on the embedded PostgreSQL (database `airflow`), next to the
embedded warehouse (or WAREHOUSE_URL's), which is migrated first; DAGs come from dags/, files
are picked up from data/landing. The UI listens on http://127.0.0.1:8080 only; the admin
password is in AIRFLOW_HOME's generated password file, whose path every start prints.

`make airflow-cli ARGS="dags list"` (or `python -m etl.orchestration.airflow_local cli dags
list`) runs the `airflow` command against the same home and metadata database."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from etl.config import ENV_LANDING_URL, ENV_WAREHOUSE_URL, data_dir, settings
from etl.intake.isolation import usable_cores
from etl.paths import PROJECT_ROOT

UI_HOST = "127.0.0.1"  # a development UI: not on the machine's other interfaces
UI_PORT = 8080


def airflow_home() -> Path:
    return data_dir() / "airflow-standalone"


def password_file(home: Path) -> Path:
    """Where Airflow's simple auth manager writes the generated admin password (its default)."""
    return home / "simple_auth_manager_passwords.json.generated"


def environment(metadata_url: str, warehouse_url: str, landing_url: str, home: Path) -> dict[str, str]:
    """The settings of the standalone Airflow and of its CLI: one place, so both read the same
    metadata database."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": make_url(metadata_url).set(drivername="postgresql+psycopg2")
        .render_as_string(hide_password=False),
        # The LocalExecutor starts `parallelism` worker processes up front (32 by default: about
        # 5,7 GiB idle on a 2-core machine); one per core keeps the cores busy.
        "AIRFLOW__CORE__PARALLELISM": str(max(2, usable_cores())),
        "AIRFLOW__API__HOST": UI_HOST,
        "AIRFLOW__API__PORT": str(UI_PORT),
        ENV_WAREHOUSE_URL: warehouse_url,
        ENV_LANDING_URL: landing_url,
    }


def local_environment() -> dict[str, str]:
    """environment() for this machine: the embedded server's databases unless WAREHOUSE_URL is set."""
    from etl.warehouse.db import embedded_server_url

    home = airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    return environment(embedded_server_url("airflow"), settings().warehouse_url or embedded_server_url(),
                       settings().landing_url, home)


def _exec_airflow(args: list[str], env: dict[str, str]) -> None:
    merged = {**os.environ, **env}
    # standalone starts its parts as `airflow ...` subprocesses: this venv's first on PATH.
    merged["PATH"] = os.path.dirname(sys.executable) + os.pathsep + merged.get("PATH", "")
    airflow = shutil.which("airflow", path=os.path.dirname(sys.executable)) or "airflow"
    os.execve(airflow, [airflow, *args], merged)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    env = local_environment()
    if argv[:1] == ["cli"]:
        _exec_airflow(argv[1:], env)
    from sqlalchemy import create_engine

    from etl.warehouse.schema import upgrade

    engine = create_engine(env[ENV_WAREHOUSE_URL])
    upgrade(engine)  # the DAGs' first run would otherwise fail on a missing table
    engine.dispose()
    home = Path(env["AIRFLOW_HOME"])
    print(f"Airflow standalone: DAGs {env['AIRFLOW__CORE__DAGS_FOLDER']}; warehouse migrated; "
          f"{env['AIRFLOW__CORE__PARALLELISM']} worker processes\n"
          f"  UI: http://{UI_HOST}:{UI_PORT}, user admin, password in {password_file(home)} "
          "(written at the first start)\n"
          f"  land files in {env[ENV_LANDING_URL]}: the hourly ingest_submissions picks them up, or at once:\n"
          '    make airflow-cli ARGS="dags trigger ingest_submissions"; watch it in the UI under Dags\n'
          '  the airflow CLI on the same database: make airflow-cli ARGS="dags list"', flush=True)
    _exec_airflow(["standalone"], env)


if __name__ == "__main__":
    main()
