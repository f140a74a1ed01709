"""Benchmark: one national month through the ingest_submissions DAG with dag.test(), for several
batch sizes, each on a fresh warehouse. Printed, never asserted. The month is the 2025 geography's
(3.321 commune XLSX files, August 2025) or, with --scale legacy, May 2024's 696 districts.

dag.test() runs the mapped tasks one after another in this process, so the figures show
the per-batch overhead (a task, a gate run, a GX validation per batch), not the speed-up
that parallel Celery workers give.

    .venv/bin/python -m bench.dag_national_month [--scale commune|legacy] [--batch-sizes 350,1000] [--quick]
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

from bench.common import PeakMemory, admin_url, bench_database
from bench.national_month import COMMUNE_RECEIVED, QUICK_UNITS, RECEIVED, commune_units, generate, legacy_units
from etl.config import ENV_INGEST_BATCH_SIZE, ENV_LANDING_SETTLE_SECONDS, ENV_LANDING_URL, ENV_WAREHOUSE_URL

QUICK_BATCH = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("commune", "legacy"), default="commune")
    parser.add_argument("--batch-sizes", default="350,1000")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_UNITS} units, one batch size (a smoke run)")
    args = parser.parse_args()
    limit = QUICK_UNITS if args.quick else None
    sizes = [QUICK_BATCH] if args.quick else [int(s) for s in args.batch_sizes.split(",")]
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

    from etl.warehouse.db import get_engine
    from etl.warehouse.schema import upgrade

    with contextlib.redirect_stdout(io.StringIO()):
        initdb()
    if args.scale == "commune":
        units, (year, month), first_month, received = commune_units(limit), (2025, 8), 7, COMMUNE_RECEIVED
    else:
        units, (year, month), first_month, received = legacy_units(2024, 5, limit), (2024, 5), 1, RECEIVED
    generated, _, _, rows = generate(tmp / "generated", year, month, units, corrections=False, first_month=first_month)
    mtime = received.timestamp()
    print(f"{len(generated)} {args.scale} XLSX files of {month:02d}/{year} ({rows:,} indicator + task rows)",
          flush=True)
    admin = admin_url()  # once: each run points WAREHOUSE_URL at its own database, dropped after it
    for size in sizes:
        with bench_database(admin=admin) as url:
            upgrade(create_engine(url))
            landing = tmp / f"landing_{size}"
            landing.mkdir()
            for f in generated:
                (landing / f.name).write_bytes(f.read_bytes())
                os.utime(landing / f.name, (mtime, mtime))
            # Copied a moment ago (a fresh ctime): the landing's settle time would leave them for the next run.
            os.environ.update({ENV_WAREHOUSE_URL: url, ENV_LANDING_URL: str(landing), ENV_INGEST_BATCH_SIZE: str(size),
                               ENV_LANDING_SETTLE_SECONDS: "0"})
            get_engine.cache_clear()
            dag = DagBag(os.environ["AIRFLOW__CORE__DAGS_FOLDER"]).get_dag("ingest_submissions")
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()), PeakMemory() as memory:
                run = dag.test()
            seconds = time.perf_counter() - t0
            with create_engine(url).connect() as conn:
                loaded = conn.execute(text("SELECT count(*) FROM core.fct_submission WHERE is_current")).scalar()
            get_engine.cache_clear()
            n = len(generated)
            print(
                f"batch size {size:>4}: {-(-n // size):>3} mapped ingest tasks, run {run.state}, {loaded} submissions "
                f"loaded, {seconds:.1f} s end to end ({n / seconds:.0f} files/s, {rows / seconds:,.0f} rows/s); "
                f"peak memory {memory}",
                flush=True,
            )


if __name__ == "__main__":
    main()
