"""rollup_marts: refresh the marts incrementally whenever the warehouse changed, and
nightly (submission statuses move with the clock: a month becomes missing at its deadline);
then write each province's status board for the current year into BAOCAO_BOARD_DIR.

The board is its own task after the refresh: the refresh has committed by then, so a board
that fails (and is retried, and reported to the engineers) never undoes or blocks the data."""

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

        return refresh_marts(warehouse_engine()).summary()

    @task
    def board() -> dict[str, str]:
        from etl.config import board_dir
        from etl.orchestration.landing import warehouse_engine
        from etl.reporting.board import refresh_boards

        return refresh_boards(warehouse_engine(), board_dir())  # province -> its page

    refresh() >> board()


rollup_marts()
