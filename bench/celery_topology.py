"""Benchmark: landing to refreshed marts through the CeleryExecutor topology (Redis, scheduler,
dag-processor, api-server, triggerer, one Celery worker, as local processes: etl/orchestration/
celery_stack.py). Printed, never asserted.

Two rounds on one stack: a province's month (40 district files of May 2024) picked up by the
scheduled ingest_submissions run, then a national month (3.321 commune files of August 2025, or
--scale legacy: 696 districts of June 2024) by a triggered run; each ends when the asset-triggered
rollup_marts run has refreshed the marts. Times come from the metadata database (the ingest run's
queued_at to the end of the rollup run's refresh task; the status boards it writes next are
printed apart), so they include the scheduler's and the executor's
latencies but not the hourly schedule's wait.

    .venv/bin/python -m bench.celery_topology [--scale commune|legacy] [--batch-size 850] [--concurrency N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.common import PeakMemory, admin_url
from bench.national_month import COMMUNE_RECEIVED, QUICK_UNITS, RECEIVED, commune_units, generate, legacy_units
from etl.intake.isolation import usable_cores
from etl.orchestration.celery_stack import CeleryStack, celery_stack

PROVINCE_FILES = 40
UNUSED_SMTP = json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": 9,
                          "extra": {"disable_ssl": True, "disable_tls": True}})
UNUSED_WEBHOOK = json.dumps({"conn_type": "slackwebhook", "password": "http://127.0.0.1:9/hook"})


def land(files: list[Path], landing: Path, received: datetime) -> None:
    mtime = received.timestamp()
    for f in files:
        shutil.copyfile(f, landing / f.name)
        os.utime(landing / f.name, (mtime, mtime))


def refresh_ended(stack: CeleryStack, run: dict) -> datetime:
    """When the rollup run's refresh task ended (the marts are refreshed; the board follows)."""
    with stack.metadata.connect() as conn:
        return conn.execute(text("SELECT end_date FROM task_instance WHERE dag_id = 'rollup_marts' "
                                 "AND run_id = :r AND task_id = 'refresh'"), {"r": run["run_id"]}).scalar_one()


def report(stack: CeleryStack, label: str, files: int, ingest: dict, rollup: dict) -> None:
    queued, started, ended = ingest["queued_at"], ingest["start_date"], ingest["end_date"]
    refreshed = refresh_ended(stack, rollup)
    total = (refreshed - queued).total_seconds()
    tasks = stack.task_states("ingest_submissions", ingest["run_id"])
    batches = sum(1 for t in tasks if t.startswith("ingest_batch"))
    print(f"{label}: {files} files, {batches} mapped ingest task(s): landing to refreshed marts {total:.1f} s "
          f"(queued to running {(started - queued).total_seconds():.1f} s, ingest run "
          f"{(ended - started).total_seconds():.1f} s, rollup queued "
          f"{(rollup['queued_at'] - started).total_seconds():.1f} s after the ingest started, refresh ended "
          f"{(refreshed - rollup['start_date']).total_seconds():.1f} s after the rollup run started; the status "
          f"boards then {(rollup['end_date'] - refreshed).total_seconds():.1f} s more); "
          f"{files / total * 60:,.0f} files a minute", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("commune", "legacy"), default="commune")
    parser.add_argument("--batch-size", type=int, default=850, help="BAOCAO_INGEST_BATCH_SIZE (files per mapped task)")
    parser.add_argument("--concurrency", type=int, default=usable_cores(), help="Celery worker slots")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_UNITS} units in the national round")
    args = parser.parse_args()
    # Stopped with SIGTERM (timeout, kill), the stack's processes are stopped too: they run in
    # sessions of their own, which only celery_stack's exit reaches.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    limit = QUICK_UNITS if args.quick else None
    tmp = Path(tempfile.mkdtemp(prefix="baocao-bench-celery-"))
    province = generate(tmp / "province", 2024, 5, legacy_units(2024, 5, 10 if args.quick else PROVINCE_FILES),
                        corrections=False)[0]
    if args.scale == "commune":
        national, rows = generate(tmp / "national", 2025, 8, commune_units(limit), corrections=False,
                                  first_month=7)[::3]
        received = COMMUNE_RECEIVED
    else:
        national, rows = generate(tmp / "national", 2024, 6, legacy_units(2024, 6, limit), corrections=False)[::3]
        received = RECEIVED.replace(month=6)
    print(f"{len(province)} district files of 05/2024, then {len(national)} {args.scale} files ({rows:,} rows); "
          f"Celery worker with {args.concurrency} slots, {args.batch_size} files per mapped task, "
          f"{usable_cores()} cores", flush=True)
    t0 = time.perf_counter()
    with celery_stack(admin_url(), tmp / "stack", smtp_connection=UNUSED_SMTP, webhook_connection=UNUSED_WEBHOOK,
                      worker_concurrency=args.concurrency, ingest_batch_size=args.batch_size,
                      baocao_settings={"BAOCAO_RETRIES": "0"}) as stack:
        print(f"stack started in {time.perf_counter() - t0:.1f} s (metadata migrated, DAGs parsed)", flush=True)
        # rollup_marts' own latest scheduled run first, so that it does not share the first round's time.
        stack.airflow("dags", "unpause", "rollup_marts", "-y")
        stack.wait_for_run("rollup_marts", run_type="scheduled")

        land(province, stack.landing, RECEIVED)
        stack.airflow("dags", "unpause", "ingest_submissions", "-y")
        ingest = stack.wait_for_run("ingest_submissions", run_type="scheduled")
        rollup = stack.wait_for_run("rollup_marts", run_type="asset_triggered", after=ingest["start_date"])
        report(stack, "a province's month, scheduled run", len(province), ingest, rollup)

        land(national, stack.landing, received)
        with PeakMemory() as memory:
            stack.airflow("dags", "trigger", "ingest_submissions")
            ingest = stack.wait_for_run("ingest_submissions", run_type="manual", timeout=1800)
            rollup = stack.wait_for_run("rollup_marts", run_type="asset_triggered", after=ingest["start_date"],
                                        timeout=1800)
        report(stack, f"the {args.scale} national month, triggered run", len(national), ingest, rollup)
        print(f"peak memory of the stack's processes (Redis and the Airflow components with their task and reader "
              f"processes; PostgreSQL not included): {memory}", flush=True)
        with create_engine(stack.env["WAREHOUSE_URL"]).connect() as conn:
            loaded = conn.execute(text("SELECT count(*) FROM core.fct_submission WHERE is_current")).scalar()
        print(f"{loaded} current submissions in the warehouse", flush=True)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
