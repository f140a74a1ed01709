"""ingest_submissions: pick up new files from the landing area, archive, check and load
them in batches (one mapped task per batch, so one bad file never fails the others),
alert districts about invalid files, and announce that the warehouse changed. A file's
arrival is the landing folder's inode change time (or the object store's timestamp);
`arrivals` (run conf: file name -> ISO time, with `operator`) replays files with the times
they first arrived, recorded as an operator's override."""

from __future__ import annotations

from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from etl.orchestration.dag_defaults import START, WAREHOUSE, default_args


@dag(schedule="@hourly", start_date=START, catchup=False, max_active_runs=1, default_args=default_args(),
     tags=["baocao"], doc_md=__doc__,
     params={"arrivals": Param({}, type="object", description="Replay: file name -> ISO arrival time"),
             "operator": Param(None, type=["null", "string"], description="Who replays (with arrivals)")})
def ingest_submissions() -> None:
    @task
    def discover() -> list[list[str]]:
        from etl.orchestration.landing import batches, discover_landed

        return batches(discover_landed())

    @task(max_active_tis_per_dagrun=4)
    def ingest_batch(paths: list[str]) -> dict:
        from etl.orchestration.landing import ingest_landed, replayed_arrivals, warehouse_engine

        params = get_current_context()["params"]
        return ingest_landed(warehouse_engine(), paths, arrivals=replayed_arrivals(params.get("arrivals")),
                             operator=params.get("operator"))

    @task
    def alert_invalid(outcomes: list[dict]) -> int:
        from datetime import UTC, datetime

        from etl.alerts.send import send_alerts
        from etl.domain.contract import REJECTED
        from etl.orchestration.landing import warehouse_engine

        if not any(o[REJECTED] for o in outcomes):
            return 0
        return send_alerts(warehouse_engine(), datetime.now(UTC), kinds={"invalid_submission"}).sent

    @task(outlets=[WAREHOUSE])
    def publish(outcomes: list[dict]) -> dict:
        from etl.domain.contract import ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED

        loaded = sum(o[ACCEPTED] + o[ACCEPTED_WITH_WARNINGS] for o in outcomes)
        if not loaded:
            raise AirflowSkipException("nothing new was loaded; the marts need no refresh")
        return {"loaded": loaded, "rejected": sum(o[REJECTED] for o in outcomes)}

    outcomes = ingest_batch.expand(paths=discover())
    alert_invalid(outcomes)
    publish(outcomes)


ingest_submissions()
