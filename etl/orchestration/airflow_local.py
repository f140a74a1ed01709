"""`make airflow`: Airflow standalone on this machine, to watch the DAGs in the UI.

Its metadata database lives on the embedded PostgreSQL (database `airflow`), next to the
embedded warehouse; DAGs come from dags/, files are picked up from data/landing. The UI
is on http://localhost:8080 (the admin password is printed by Airflow at start)."""

from __future__ import annotations

import os
import shutil
import sys

from sqlalchemy.engine import make_url

from etl.config import ENV_LANDING_URL, ENV_WAREHOUSE_URL, data_dir, settings
from etl.paths import PROJECT_ROOT
from etl.warehouse.db import embedded_server_url


def environment() -> dict[str, str]:
    warehouse = embedded_server_url()
    metadata = make_url(embedded_server_url("airflow")).set(drivername="postgresql+psycopg2")
    home = data_dir() / "airflow-standalone"
    home.mkdir(parents=True, exist_ok=True)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata.render_as_string(hide_password=False),
        ENV_WAREHOUSE_URL: settings().warehouse_url or warehouse,
        ENV_LANDING_URL: settings().landing_url,
    }


def main() -> None:
    env = {**os.environ, **environment()}
    # standalone starts its parts as `airflow ...` subprocesses: this venv's first on PATH.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    airflow = shutil.which("airflow", path=os.path.dirname(sys.executable)) or "airflow"
    print(f"Airflow standalone: DAGs {env['AIRFLOW__CORE__DAGS_FOLDER']}, landing {env[ENV_LANDING_URL]}, "
          "UI http://localhost:8080", flush=True)
    os.execve(airflow, [airflow, "standalone"], env)


if __name__ == "__main__":
    main()
