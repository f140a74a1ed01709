"""Benchmark: one national month (696 XLSX files) through the ingest_submissions DAG with
dag.test(), for several batch sizes, each on a fresh warehouse. Printed, never asserted.

dag.test() runs the mapped tasks one after another in this process, so the figures show
the per-batch overhead (a task, a gate run, a GX validation per batch), not the speed-up
that parallel Celery workers give.

    .venv/bin/python -m bench.dag_national_month [--batch-sizes 25,100,350]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.common import admin_url, bench_database
from etl.config import ENV_INGEST_BATCH_SIZE, ENV_LANDING_URL, ENV_WAREHOUSE_URL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", default="25,100,350")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="baocao-bench-dag-"))
    home = tmp / "airflow"
    home.mkdir()
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(Path(__file__).parent.parent / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        }
    )
    from airflow.dag_processing.dagbag import DagBag
    from airflow.utils.db import initdb

    from etl.demo import synth
    from etl.demo.writers import write_submission_xlsx
    from etl.domain import admin_units
    from etl.warehouse.db import get_engine
    from etl.warehouse.schema import upgrade

    with contextlib.redirect_stdout(io.StringIO()):
        initdb()
    generated = tmp / "generated"
    generated.mkdir()
    districts = admin_units.legacy_districts()
    for code, communes in zip(districts["district_code"], districts["commune_count"], strict=True):
        sub = synth.generate_month(synth.make_profile(code, max(int(communes), 1), seed=int(code)), 2024, 5)
        write_submission_xlsx(sub, generated / f"{code}_2024-05.xlsx")
    mtime = time.mktime((2024, 5, 16, 9, 0, 0, 0, 0, -1))
    admin = admin_url()  # once: each run points WAREHOUSE_URL at its own database, dropped after it
    for size in (int(s) for s in args.batch_sizes.split(",")):
        with bench_database(admin=admin) as url:
            upgrade(create_engine(url))
            landing = tmp / f"landing_{size}"
            landing.mkdir()
            for f in generated.iterdir():
                (landing / f.name).write_bytes(f.read_bytes())
                os.utime(landing / f.name, (mtime, mtime))
            os.environ.update({ENV_WAREHOUSE_URL: url, ENV_LANDING_URL: str(landing), ENV_INGEST_BATCH_SIZE: str(size)})
            get_engine.cache_clear()
            dag = DagBag(os.environ["AIRFLOW__CORE__DAGS_FOLDER"]).get_dag("ingest_submissions")
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                run = dag.test()
            seconds = time.perf_counter() - t0
            with create_engine(url).connect() as conn:
                loaded = conn.execute(text("SELECT count(*) FROM core.fct_submission WHERE is_current")).scalar()
            get_engine.cache_clear()
            mapped = -(-696 // size)
            print(
                f"batch size {size:>4}: {mapped:>3} mapped ingest tasks, run {run.state}, {loaded} submissions "
                f"loaded, {seconds:.1f} s end to end ({696 / seconds:.0f} files/s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
