"""Shared DAG settings: retries with backoff and the engineers' failure notifiers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset

from etl.config import CONN_SMTP, CONN_WEBHOOK, settings
from etl.domain.calendar import load_calendar

# Emitted by ingest_submissions when the warehouse changed; rollup_marts listens.
WAREHOUSE = Asset(name="baocao_warehouse", uri="x-baocao://warehouse/core")
# Schedules run on the reporting calendar's clock (08:00 is 08:00 in the province).
TIMEZONE = load_calendar().timezone
START = pendulum.datetime(2024, 1, 1, tz=TIMEZONE)


def failure_notifiers() -> list[Any]:
    """Task failures reach the engineers by e-mail and on the webhook (the providers' notifiers)."""
    from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    # The exception may quote a file's name or values: escaped for Slack markup and HTML alike.
    exception = "{{ exception | string | replace('&', '&amp;') | replace('<', '&lt;') | replace('>', '&gt;') }}"
    text = ("[baocao] {{ dag.dag_id }}.{{ ti.task_id }} thất bại / failed (lần thử {{ ti.try_number }}): "
            + exception)
    notifiers: list[Any] = [SlackWebhookNotifier(slack_webhook_conn_id=CONN_WEBHOOK, text=text)]
    if settings().engineers_email:
        notifiers.append(SmtpNotifier(to=settings().engineers_email, smtp_conn_id=CONN_SMTP,
                                      subject="[baocao] {{ dag.dag_id }}.{{ ti.task_id }} failed",
                                      html_content="<p>" + text + "</p><p>run {{ run_id }}</p>"))
    return notifiers


def default_args() -> dict[str, Any]:
    config = settings()
    return {
        "retries": config.retries,
        "retry_delay": timedelta(seconds=config.retry_delay_seconds),
        "retry_exponential_backoff": 2.0,  # a float multiplier in Airflow 3
        "max_retry_delay": timedelta(minutes=30),
        "on_failure_callback": failure_notifiers(),
    }

# A replayed moment (monitor_submissions' `as_of`): ISO 8601 with its UTC offset, refused when the
# run is triggered rather than three failed tries later. A moment without its offset is ambiguous
# by seven hours; 20/11/2026 is not ISO.
AS_OF_PATTERN = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"
