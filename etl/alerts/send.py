"""Send the due alerts, each once per channel, and log every outcome in ops.alert_log.

An alert is sent once per channel: a key and channel with a `sent` row is never sent again. One
that cannot go (no channel configured, no recipient, a failed send) waits: it is tried by every
run while it is due (the alert window), and sent once a channel works. A failed send is logged
at each attempt; "no channel" is logged once while it lasts (status `failed`, the error starting
with `no_channel:`). The log's unique index on (idempotency_key, channel) covers `sent` rows only
(revision 0018), so exactly one `sent` row can follow.

A run sends at most one message per recipient and kind: several reminders, late notices or
escalations to the same addresses go as one digest (`messages`, `digest`), and each alert is
logged under its own key with the message that carried it. Messages are paced per channel
(`Pace`: BAOCAO_EMAIL_PER_MINUTE, BAOCAO_WEBHOOK_PER_MINUTE)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from etl.alerts.channels import Channels, configured_channels
from etl.alerts.due import Alert, due_alerts
from etl.alerts.feedback import feedback_for_file
from etl.alerts.texts import digest_text, signature, webhook_text
from etl.config import data_dir, settings
from etl.domain.contract import ALERT_CHANNELS
from etl.domain.periods import parse_period

log = logging.getLogger(__name__)

# Kinds sent as one message per recipient and kind when several are due in a run.
DIGEST_KINDS = frozenset({"reminder", "late", "escalation"})
NO_CHANNEL = "no_channel: "  # the error of a logged attempt that had no channel (or no recipient)


@dataclass
class SendResult:
    due: int
    sent: int
    already_sent: int  # (alert, channel) pairs sent by an earlier run
    failed: int
    no_channel: int  # (alert, channel) pairs with no channel or recipient this run (logged once, kept waiting)
    alerts: list[Alert]  # what was tried (a dry run: what would be sent)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (key, channel) tried, or would be


def _state(conn: Connection) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(sent, waiting for a channel) pairs of ops.alert_log."""
    sent: set[tuple[str, str]] = set()
    waiting: set[tuple[str, str]] = set()
    for key, channel, status in conn.execute(text(
            "SELECT idempotency_key, channel, status FROM ops.alert_log "
            "WHERE status = 'sent' OR error LIKE 'no\\_channel: %'")):
        (sent if status == "sent" else waiting).add((key, channel))
    return sent, waiting


def _reason_without_channel(alert: Alert, channel: str, channels: Channels) -> str | None:
    """Why the alert cannot go on the channel now, or None when it can be tried."""
    if channel == "email":
        if channels.email is None:
            return "no SMTP connection (baocao_smtp)"
        if not alert.to:
            return "no recipient: no district contact and no BAOCAO_PROVINCE_DESK_EMAIL"
    elif channels.webhook is None:
        return "no webhook connection (baocao_webhook)"
    return None


def send_alerts(engine: Engine, as_of: datetime, *, dry_run: bool = False, channels: Channels | None = None,
                kinds: set[str] | None = None) -> SendResult:
    """Send every due alert (of `kinds`, default all) not sent before, on each channel; record each
    outcome. A dry run sends and records nothing and lists only what would be sent."""
    due = [a for a in due_alerts(engine, as_of) if kinds is None or a.kind in kinds]
    channels = channels or configured_channels()
    if dry_run:
        with engine.connect() as conn:
            sent_before, _ = _state(conn)
        pairs = [(a.key, ch) for a in due for ch in ALERT_CHANNELS
                 if (a.key, ch) not in sent_before and _reason_without_channel(a, ch, channels) is None]
        keys = {k for k, _ in pairs}
        return SendResult(len(due), 0, sum((a.key, ch) in sent_before for a in due for ch in ALERT_CHANNELS),
                          0, 0, [a for a in due if a.key in keys], pairs=pairs)
    sent = already = failed = no_channel = 0
    pairs: list[tuple[str, str]] = []
    feedback: dict[str, Feedback | str] = {}  # built once per alert, when it is first sent
    pace = Pace({"email": settings().email_per_minute, "webhook": settings().webhook_per_minute})
    with engine.begin() as conn:
        # One sender at a time: two monitors racing could otherwise both send.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('baocao alerts'))"))
        sent_before, waiting = _state(conn)
        pending: list[tuple[Alert, str]] = []
        for alert in due:
            for channel in ALERT_CHANNELS:
                pair = (alert.key, channel)
                if pair in sent_before:
                    already += 1
                    continue
                reason = _reason_without_channel(alert, channel, channels)
                if reason is not None:
                    no_channel += 1
                    if pair not in waiting:  # logged once while it lasts
                        _log(conn, alert, channel, "failed", NO_CHANNEL + reason, as_of)
                        waiting.add(pair)
                    continue
                pending.append((alert, channel))
        for channel, members in messages(pending):
            message = members[0] if len(members) == 1 else digest(members)
            if message.feedback and message.key not in feedback:
                feedback[message.key] = _feedback(conn, message)
            pace.wait(channel)
            status, error = _deliver(message, channel, channels, feedback.get(message.key))
            for alert in members:  # each alert's own key: "once" holds per alert, whatever it went in
                pairs.append((alert.key, channel))
                sent += status == "sent"
                failed += status == "failed"
                _log(conn, alert, channel, status, error, as_of, sent_as=message)
    return SendResult(len(due), sent, already, failed, no_channel, due, pairs)


def messages(pending: list[tuple[Alert, str]]) -> list[tuple[str, list[Alert]]]:
    """What a run sends, as (channel, alerts) in the order first due: reminders, late notices and
    escalations of one kind to the same recipients go as one message (a national month loaded
    late would otherwise send an escalation per unit to the desk, and as many webhook posts); an
    invalid submission goes alone, with its file's feedback workbook."""
    groups: dict[tuple[Any, ...], list[Alert]] = {}
    for alert, channel in pending:
        if alert.kind in DIGEST_KINDS:
            group: tuple[Any, ...] = ((channel, alert.kind, tuple(alert.to), tuple(alert.cc)) if channel == "email"
                                      else (channel, alert.kind))
        else:
            group = (channel, alert.key)
        groups.setdefault(group, []).append(alert)
    return [(group[0], members) for group, members in groups.items()]


def digest(alerts: list[Alert]) -> Alert:
    """Several alerts of a kind to the same recipients as one message, a line each."""
    first = alerts[0]
    signatures = {a.signature for a in alerts}
    # Deadline alerts always name their month ("2024-05"): its label, in month order.
    periods = [parse_period(code).label for code in sorted({a.period_code for a in alerts if a.period_code})]
    words = digest_text(first.kind, [a.line for a in alerts], periods,
                        first.addressee if len({a.addressee for a in alerts}) == 1 else None,
                        first.signature if len(signatures) == 1 else signature(None))
    return Alert(key=f"digest:{first.key}", kind=first.kind, district_code=None, period_code=None, to=first.to,
                 cc=first.cc, subject=words.subject, body=words.body)


class Pace:
    """At most `per_minute[channel]` messages a minute on each channel (0: no limit), spaced evenly."""

    def __init__(self, per_minute: dict[str, float]) -> None:
        self.interval = {ch: 60.0 / n for ch, n in per_minute.items() if n > 0}
        self.last: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        interval = self.interval.get(channel)
        if interval is None:
            return
        now = time.monotonic()
        if channel in self.last and now < self.last[channel] + interval:
            time.sleep(self.last[channel] + interval - now)
        self.last[channel] = time.monotonic()


def _log(conn: Connection, alert: Alert, channel: str, status: str, error: str | None, as_of: datetime,
         sent_as: Alert | None = None) -> None:
    """The attempt of an alert on a channel, with the message that carried it (itself, or a digest)."""
    message = sent_as or alert
    conn.execute(text("""
        INSERT INTO ops.alert_log (idempotency_key, kind, channel, district_code, period_code, file_id,
                                   recipients, subject, body, status, error, as_of)
        VALUES (:k, :kind, :ch, :d, :p, :f, :to, :s, :b, :status, :err, :as_of)
    """), {"k": alert.key, "kind": alert.kind, "ch": channel, "d": alert.district_code,
           "p": alert.period_code, "f": alert.file_id,
           "to": message.to + message.cc if channel == "email" else ["webhook"], "s": message.subject,
           "b": message.body, "status": status, "err": error, "as_of": as_of})


@dataclass(frozen=True)
class Feedback:
    """An alert's feedback workbook: attached to the e-mail, written where the webhook says."""

    name: str
    content: bytes
    path: Path | None  # None when it could not be written there (the e-mail still carries it)


def feedback_dir() -> Path:
    return data_dir() / "feedback"


def _feedback(conn: Connection, alert: Alert) -> Feedback | str:
    """The feedback workbook of the alert's file, also written to feedback_dir(); or why it could
    not be read from the warehouse (the alert then waits for the next run, like a failed send:
    its text promises the workbook). Building itself never fails (etl.alerts.feedback)."""
    assert alert.file_id is not None
    try:
        with conn.begin_nested():  # a failed read must not abort the run's log of what was sent
            name, content = feedback_for_file(conn, alert.file_id)
    except Exception as exc:
        log.warning("the feedback workbook of file %s could not be read: %s: %s", alert.file_id,
                    type(exc).__name__, exc)
        return f"feedback workbook: {type(exc).__name__}: {exc}"[:500]
    path: Path | None = feedback_dir() / str(alert.file_id) / name
    try:
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        log.warning("the feedback workbook of file %s could not be written to %s: %s", alert.file_id, path, exc)
        path = None
    return Feedback(name, content, path)


def _deliver(alert: Alert, channel: str, channels: Channels,
             feedback: Feedback | str | None = None) -> tuple[str, str | None]:
    """(status, error) of one attempt on a configured channel: sent or failed."""
    if isinstance(feedback, str):
        return "failed", feedback
    try:
        if channel == "email":
            assert channels.email is not None
            attachments = [*alert.attachments, *([(feedback.name, feedback.content)] if feedback else [])]
            channels.email.send(alert.to, alert.subject, alert.body, cc=alert.cc, attachments=attachments)
        else:
            assert channels.webhook is not None
            path = str(feedback.path) if feedback and feedback.path else None
            channels.webhook.send(webhook_text(alert.subject, alert.body, path))
        return "sent", None
    except Exception as exc:  # a mail server down must not stop the other alerts; retried next run
        log.warning("alert %s on %s failed: %s", alert.key, channel, exc)
        return "failed", f"{type(exc).__name__}: {exc}"[:500]
