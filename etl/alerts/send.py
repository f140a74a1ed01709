"""Send the due alerts, each once per channel, and log every outcome in ops.alert_log.

The log's unique index on (idempotency_key, channel) is what makes "once" hold: a key
sent (or with no channel to send it on) is skipped; a failed one is tried again by the
next run."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, text

from etl.alerts.channels import Channels, configured_channels
from etl.alerts.due import Alert, due_alerts
from etl.alerts.texts import webhook_text
from etl.domain.contract import ALERT_CHANNELS

log = logging.getLogger(__name__)


@dataclass
class SendResult:
    due: int
    sent: int
    already_sent: int
    failed: int
    no_channel: int
    alerts: list[Alert]


def send_alerts(engine: Engine, as_of: datetime, *, dry_run: bool = False, channels: Channels | None = None,
                kinds: set[str] | None = None) -> SendResult:
    """Send every due alert (of `kinds`, default all) not sent before, on each channel; record each outcome."""
    due = [a for a in due_alerts(engine, as_of) if kinds is None or a.kind in kinds]
    if dry_run:
        return SendResult(len(due), 0, 0, 0, 0, due)
    channels = channels or configured_channels()
    sent = already = failed = no_channel = 0
    with engine.begin() as conn:
        # One sender at a time: two monitors racing could otherwise both send.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('baocao alerts'))"))
        done = {(k, c) for k, c in conn.execute(text(
            "SELECT idempotency_key, channel FROM ops.alert_log WHERE status IN ('sent', 'no_channel')"))}
        for alert in due:
            for channel in ALERT_CHANNELS:
                if (alert.key, channel) in done:
                    already += 1
                    continue
                status, error = _deliver(alert, channel, channels)
                sent += status == "sent"
                failed += status == "failed"
                no_channel += status == "no_channel"
                conn.execute(text("""
                    INSERT INTO ops.alert_log (idempotency_key, kind, channel, district_code, period_code, file_id,
                                               recipients, subject, body, status, error, as_of)
                    VALUES (:k, :kind, :ch, :d, :p, :f, :to, :s, :b, :status, :err, :as_of)
                """), {"k": alert.key, "kind": alert.kind, "ch": channel, "d": alert.district_code,
                       "p": alert.period_code, "f": alert.file_id,
                       "to": alert.to + alert.cc if channel == "email" else ["webhook"], "s": alert.subject,
                       "b": alert.body, "status": status, "err": error, "as_of": as_of})
    return SendResult(len(due), sent, already, failed, no_channel, due)


def _deliver(alert: Alert, channel: str, channels: Channels) -> tuple[str, str | None]:
    """(status, error) of one attempt: sent, no_channel or failed."""
    try:
        if channel == "email":
            if channels.email is None:
                return "no_channel", "no SMTP connection (baocao_smtp)"
            if not alert.to:
                return "no_channel", "no recipient: no district contact and no BAOCAO_PROVINCE_DESK_EMAIL"
            channels.email.send(alert.to, alert.subject, alert.body, cc=alert.cc)
        else:
            if channels.webhook is None:
                return "no_channel", "no webhook connection (baocao_webhook)"
            channels.webhook.send(webhook_text(alert.subject, alert.body))
        return "sent", None
    except Exception as exc:  # a mail server down must not stop the other alerts; retried next run
        log.warning("alert %s on %s failed: %s", alert.key, channel, exc)
        return "failed", f"{type(exc).__name__}: {exc}"[:500]
