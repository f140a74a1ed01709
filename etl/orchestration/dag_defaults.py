"""Shared DAG settings: retries with backoff and the engineers' failure notifiers."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset

from etl.config import CONN_SMTP, CONN_WEBHOOK, settings

# Emitted by ingest_submissions when the warehouse changed; rollup_marts listens.
WAREHOUSE = Asset(name="baocao_warehouse", uri="x-baocao://warehouse/core")
START = pendulum.datetime(2024, 1, 1, tz="Asia/Ho_Chi_Minh")
VN = "Asia/Ho_Chi_Minh"


def failure_notifiers() -> list[Any]:
    """Task failures reach the engineers by e-mail and on the webhook (the providers' notifiers)."""
    from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    text = "[baocao] {{ dag.dag_id }}.{{ ti.task_id }} thất bại / failed (lần thử {{ ti.try_number }}): {{ exception }}"
    notifiers: list[Any] = [SlackWebhookNotifier(slack_webhook_conn_id=CONN_WEBHOOK, text=text)]
    if settings().engineers_email:
        notifiers.append(SmtpNotifier(to=settings().engineers_email, smtp_conn_id=CONN_SMTP,
                                      subject="[baocao] {{ dag.dag_id }}.{{ ti.task_id }} failed",
                                      html_content="<p>" + text + "</p><p>run {{ run_id }}</p>"))
    return notifiers


def default_args() -> dict[str, Any]:
    delay = float(os.environ.get("BAOCAO_RETRY_DELAY_SECONDS", "60"))
    return {
        "retries": int(os.environ.get("BAOCAO_RETRIES", "2")),
        "retry_delay": timedelta(seconds=delay),
        "retry_exponential_backoff": 2.0,  # a float multiplier in Airflow 3
        "max_retry_delay": timedelta(minutes=30),
        "on_failure_callback": failure_notifiers(),
    }
