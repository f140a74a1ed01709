"""rollup_marts: refresh the marts incrementally whenever the warehouse changed, and
nightly (submission statuses move with the clock: a month becomes missing at its deadline)."""

from __future__ import annotations

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from etl.orchestration.dag_defaults import START, TIMEZONE, WAREHOUSE, default_args


@dag(schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("30 1 * * *", timezone=TIMEZONE), assets=[WAREHOUSE]),
     start_date=START, catchup=False, max_active_runs=1, default_args=default_args(), tags=["baocao"],
     doc_md=__doc__)
def rollup_marts() -> None:
    @task
    def refresh() -> dict:
        from etl.marts.rollup import refresh as refresh_marts
        from etl.orchestration.landing import warehouse_engine

        r = refresh_marts(warehouse_engine())
        return {"mode": r.mode, "units": r.units, "indicator_rows": r.indicator_rows, "task_rows": r.task_rows,
                "seconds": round(r.seconds, 2), "steps": {k: round(v, 2) for k, v in r.steps.items()}}

    refresh()


rollup_marts()
