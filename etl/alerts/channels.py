"""Alert channels: SMTP e-mail and a Slack-compatible webhook, configured as Airflow
connections (baocao_smtp, baocao_webhook), so the DAGs and `baocao alerts` share them.

Outside Airflow the connections come from AIRFLOW_CONN_BAOCAO_SMTP and
AIRFLOW_CONN_BAOCAO_WEBHOOK (URI or JSON form), parsed by Airflow's own Connection class.
Sending uses the standard library (smtplib, urllib): the provider hooks need a running
Airflow for their connection lookups, and these two protocols need nothing more."""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from etl.alerts.escaping import visible
from etl.config import CONN_SMTP, CONN_WEBHOOK, connection_from_env

# How the message goes on the wire: headers folded at RFC 5322's hard limit (998), not at 78.
# Python 3.11 folds a long non-ASCII subject into encoded words and drops the space between two
# of them ("Thành phố" arrives as "Thànhphố"); a subject that fits one line is never folded
# (etl.alerts.texts keeps subjects short enough). The body is encoded before this policy applies,
# in lines of 78 as RFC 2045 wants.
log = logging.getLogger(__name__)

WIRE_POLICY = policy.default.clone(max_line_length=998)
# The one webhook connection shape the district alerts and the engineers' notifier both read.
WEBHOOK_SHAPE = '{"conn_type": "slackwebhook", "password": "https://hooks.example/T0/B0/x"}'
XLSX_TYPE = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # application/...


def _truthy(value: Any) -> bool:
    # URI-form extras arrive as strings, and "false" is a non-empty string (facts sheet pitfall 7).
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _connection(conn_id: str) -> Any | None:
    conn = connection_from_env(conn_id)
    if conn is not None:
        return conn
    try:  # inside Airflow: the metadata DB or a secrets backend may hold it
        from airflow.sdk import BaseHook

        return BaseHook.get_connection(conn_id)
    except Exception:
        return None


@dataclass(frozen=True)
class EmailChannel:
    host: str
    port: int
    login: str | None
    password: str | None
    from_email: str
    use_ssl: bool
    starttls: bool
    timeout: float = 30.0

    @classmethod
    def from_connection(cls, conn: Any) -> EmailChannel:
        extra = conn.extra_dejson or {}
        use_ssl = not _truthy(extra.get("disable_ssl", False))
        return cls(host=conn.host, port=int(conn.port or (465 if use_ssl else 25)), login=conn.login or None,
                   password=conn.password or None,
                   from_email=extra.get("from_email") or f"baocao@{conn.host}",
                   use_ssl=use_ssl, starttls=not use_ssl and not _truthy(extra.get("disable_tls", False)),
                   timeout=float(extra.get("timeout", 30)))

    def send(self, to: list[str], subject: str, body: str, cc: list[str] | None = None,
             attachments: Sequence[tuple[str, bytes]] = ()) -> None:
        msg = message(self.from_email, to, subject, body, cc, attachments)
        smtp: smtplib.SMTP
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.login:
                smtp.login(self.login, self.password or "")
            smtp.send_message(msg)


def message(from_email: str, to: list[str], subject: str, body: str, cc: list[str] | None = None,
            attachments: Sequence[tuple[str, bytes]] = ()) -> EmailMessage:
    """The e-mail of an alert. The subject is made one line whatever it holds (a CR or LF in a
    header is refused by the email package: the alert would fail on every run). `attachments`
    (name, bytes): files (the file as received, the feedback workbook), each under its name made
    visible (a name is the sender's: no control character reaches the header); a workbook as
    such, anything else as application/octet-stream."""
    msg = EmailMessage(policy=policy.default)
    msg["From"] = formataddr(("baocao", from_email))
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = visible(subject)
    msg.set_content(body, charset="utf-8")  # encoded here, in lines of 78
    for name, data in attachments:
        maintype, subtype = ("application", XLSX_TYPE) if name.lower().endswith(".xlsx") else (
            "application", "octet-stream")
        msg.add_attachment(data, maintype=maintype, subtype=subtype,
                           filename=visible(name).replace("/", "_").replace("\\", "_") or "tep")
    msg.policy = WIRE_POLICY  # what smtplib flattens the message with
    return msg


@dataclass(frozen=True)
class WebhookChannel:
    url: str
    timeout: float = 15.0

    @classmethod
    def from_connection(cls, conn: Any) -> WebhookChannel:
        """As the Slack provider's hook reads it, which the engineers' failure notifier uses: the
        full URL in the password (the documented shape), or host + token path in the password. A
        connection without password is refused, not half-used: the district alerts would go and
        the engineers' failure notices would not ("does not contain password")."""
        password = (conn.password or "").strip()
        if not password:
            raise ValueError(f"the connection {conn.conn_id} has no password: put the webhook's URL in its "
                             f"password, e.g. {WEBHOOK_SHAPE}")
        if "://" in password:
            url = password
        else:
            host = conn.host or "https://hooks.slack.com/services"
            if not host.startswith(("http://", "https://")):
                host = f"{conn.schema or 'https'}://{host}" + (f":{conn.port}" if conn.port else "")
            url = host.rstrip("/") + "/" + password.lstrip("/")
        return cls(url=url)

    def send(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        payload: dict[str, Any] = {"text": text}
        if blocks:
            payload["blocks"] = blocks
        request = urllib.request.Request(self.url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                         headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # the configured webhook URL
            if response.status >= 300:
                raise RuntimeError(f"webhook answered HTTP {response.status}")


@dataclass(frozen=True)
class Channels:
    email: EmailChannel | None
    webhook: WebhookChannel | None


def configured_channels() -> Channels:
    smtp, hook = _connection(CONN_SMTP), _connection(CONN_WEBHOOK)
    webhook = None
    if hook:
        try:
            webhook = WebhookChannel.from_connection(hook)
        except ValueError as refused:  # mail still goes; every webhook alert is recorded as not sent
            log.error("%s", refused)
    return Channels(email=EmailChannel.from_connection(smtp) if smtp and smtp.host else None, webhook=webhook)
