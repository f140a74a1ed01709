"""monitor_submissions: daily, judge every expected district-month against the reporting
calendar (on_time, late, missing, rejected) and send the reminders, late notices and
escalations that are due, each once. `as_of` (run conf) replays any day."""

from __future__ import annotations

from airflow.sdk import CronTriggerTimetable, Param, dag, get_current_context, task

from etl.orchestration.dag_defaults import AS_OF_PATTERN, START, TIMEZONE, default_args


@dag(schedule=CronTriggerTimetable("0 8 * * *", timezone=TIMEZONE), start_date=START, catchup=False,
     max_active_runs=1, default_args=default_args(), tags=["baocao"], doc_md=__doc__,
     params={"as_of": Param(None, type=["null", "string"], format="date-time", pattern=AS_OF_PATTERN,
                            description="Replay: the moment to judge as of, ISO 8601 with its UTC offset "
                                        "(2026-11-20T08:00:00+07:00)")})
def monitor_submissions() -> None:
    @task
    def as_of() -> str:
        from datetime import datetime

        ctx = get_current_context()
        if ctx["params"].get("as_of"):
            return datetime.fromisoformat(ctx["params"]["as_of"]).isoformat()
        # Manual runs have no logical date (Airflow 3): fall back to when the run was due.
        moment = ctx.get("logical_date") or ctx["dag_run"].run_after
        return moment.isoformat()

    @task
    def judge(moment: str) -> dict:
        from datetime import datetime

        from sqlalchemy import text

        from etl.orchestration.landing import warehouse_engine

        with warehouse_engine().connect() as conn:
            rows = conn.execute(text("SELECT status, count(*) FROM core.submission_status_at(:t) GROUP BY 1"),
                                {"t": datetime.fromisoformat(moment)}).all()
        return dict(rows)

    @task
    def send(moment: str) -> dict:
        from datetime import datetime

        from etl.alerts.send import send_alerts
        from etl.orchestration.landing import warehouse_engine

        r = send_alerts(warehouse_engine(), datetime.fromisoformat(moment))
        return {"due": r.due, "sent": r.sent, "already_sent": r.already_sent, "failed": r.failed,
                "no_channel": r.no_channel}

    moment = as_of()
    judge(moment)
    send(moment)


monitor_submissions()
