"""The production topology, started for real: Redis (Debian's redis-server), the scheduler, the
dag-processor, the api-server, the triggerer and one Celery worker from this environment, with the
settings docker-compose.yml uses (etl/orchestration/celery_stack.py). Files landed are picked up
by the scheduled ingest, archived or quarantined, loaded; the asset starts rollup_marts; the
rejected file's district gets one alert on the loopback SMTP server. Then everything stops."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from etl.config import ENV_RETRIES, ENV_RETRY_DELAY_SECONDS
from etl.orchestration.celery_stack import CeleryStack, celery_stack, find_redis_server
from tests import builders as b
from tests.conftest import HookSink, MailSink, _admin_url

pytestmark = [pytest.mark.stack, pytest.mark.skipif(
    find_redis_server() is None,
    reason="redis-server is not installed; `make test` installs Debian's redis-server as root")]


@pytest.fixture
def stack(tmp_path: Path, smtp_server: MailSink, webhook_server: HookSink) -> Iterator[CeleryStack]:
    smtp = json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": smtp_server.port,
                       "extra": {"from_email": "baocao@tinh.example.gov.vn", "disable_ssl": True,
                                 "disable_tls": True}})
    webhook = json.dumps({"conn_type": "slackwebhook", "password": webhook_server.url})
    with celery_stack(_admin_url(), tmp_path / "stack", smtp_connection=smtp, webhook_connection=webhook,
                      ingest_batch_size=2, baocao_settings={ENV_RETRIES: "1", ENV_RETRY_DELAY_SECONDS: "2"}) as started:
        yield started
    assert all(p.poll() is not None for p in started.processes.values())  # nothing left running


def test_the_celery_topology_ingests_on_schedule_and_the_asset_refreshes_the_marts(
        stack: CeleryStack, smtp_server: MailSink) -> None:
    landing = stack.landing
    for district in ("637", "638", "639"):
        b.write_json(landing / f"{district}.json", b.submission(district=district))
    bad = b.submission(district="247")
    b.indicator(bad, "NS01")["luy_ke_nam"] = "3.8650.000"
    b.write_json(landing / "247.json", bad)

    # Unpaused, both DAGs get their latest scheduled run at once (catchup=False).
    stack.airflow("dags", "unpause", "--treat-dag-id-as-regex", "-y", "^(ingest_submissions|rollup_marts)$")
    ingest = stack.wait_for_run("ingest_submissions", run_type="scheduled")
    tasks = stack.task_states("ingest_submissions", ingest["run_id"])
    assert tasks == {"discover": "success", "ingest_batch[0]": "success", "ingest_batch[1]": "success",
                     "alert_invalid": "success", "publish": "success"}
    # Nothing went wrong on the way (the reader pool started inside the Celery worker's task, say).
    assert stack.task_log_errors("ingest_submissions", ingest["run_id"]) == []
    rollup = stack.wait_for_run("rollup_marts", run_type="asset_triggered")
    assert rollup["queued_at"] >= ingest["start_date"]

    warehouse = create_engine(stack.env["WAREHOUSE_URL"])
    with warehouse.connect() as conn:
        loaded = conn.execute(text("SELECT count(DISTINCT district_code) FROM core.indicator_value_current")).scalar()
        rejected = conn.execute(text("SELECT count(*) FROM ops.file_outcome WHERE outcome = 'rejected'")).scalar()
        marts = conn.execute(text(
            "SELECT count(DISTINCT unit_code) FROM mart.indicator_monthly WHERE unit_code IN ('637', '638', '639')"
        )).scalar()
        queued = conn.execute(text("SELECT count(*) FROM ops.rollup_queue")).scalar()
    warehouse.dispose()
    assert (loaded, rejected, marts, queued) == (3, 1, 3, 0)
    assert sorted(p.name for p in landing.iterdir()) == ["archive", "quarantine"]
    assert sorted(p.name.split("_", 1)[1] for p in (landing / "archive").rglob("*.json")) == [
        "637.json", "638.json", "639.json"]
    assert [p.name.split("_", 1)[1] for p in (landing / "quarantine").iterdir()] == ["247.json"]
    [alert] = smtp_server.messages
    assert alert["Subject"].endswith("(INVALID_SUBMISSION)") and "247.json" in alert["Subject"]
