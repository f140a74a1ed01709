"""One webhook connection shape for both senders: the district alerts (etl.alerts.channels) and the
engineers' failure notifier (the Slack provider's hook). The shape .env.example offers must work
for both; a shape only one of them reads is refused with the reason."""

from __future__ import annotations

import json
from typing import Any

import pytest
from airflow.models.connection import Connection
from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook
from airflow.sdk.exceptions import AirflowNotFoundException

from etl.alerts.channels import WEBHOOK_SHAPE, WebhookChannel
from etl.config import CONN_WEBHOOK
from tests.unit.test_compose import env_example


def connection(value: str) -> Connection:
    return Connection.from_json(value, conn_id=CONN_WEBHOOK)


def provider_url(conn: Any) -> str:
    return SlackWebhookHook(slack_webhook_conn_id=CONN_WEBHOOK)._build_conn_params(conn)["url"]


@pytest.mark.parametrize("value", [env_example()["BAOCAO_WEBHOOK_CONN"], WEBHOOK_SHAPE], ids=["env_example", "doc"])
def test_the_documented_shape_gives_both_senders_the_same_url(value: str) -> None:
    conn = connection(value)
    assert json.loads(value)["conn_type"] == "slackwebhook"
    assert WebhookChannel.from_connection(conn).url == provider_url(conn) == json.loads(value)["password"]


def test_a_token_path_with_a_host_is_read_alike() -> None:
    conn = connection('{"conn_type": "slackwebhook", "host": "https://hooks.slack.com/services", '
                      '"password": "T000/B000/XXXX"}')
    assert WebhookChannel.from_connection(conn).url == provider_url(conn) == (
        "https://hooks.slack.com/services/T000/B000/XXXX")


def test_a_host_only_connection_is_refused_by_both_with_the_reason() -> None:
    # The shape .env.example used to offer: the district alerts went, the engineers' notices did not.
    conn = connection('{"conn_type": "http", "host": "https://hooks.example.invalid/baocao"}')
    with pytest.raises(AirflowNotFoundException, match="does not contain password"):
        provider_url(conn)
    with pytest.raises(ValueError, match="has no password: put the webhook's URL in its password"):
        WebhookChannel.from_connection(conn)


def test_a_refused_webhook_is_logged_and_mail_still_goes(monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    from etl.alerts.channels import configured_channels
    from etl.config import CONN_SMTP, connection_env_var

    monkeypatch.setenv(connection_env_var(CONN_WEBHOOK), '{"conn_type": "http", "host": "https://hooks.example.invalid/x"}')
    monkeypatch.setenv(connection_env_var(CONN_SMTP), '{"conn_type": "smtp", "host": "127.0.0.1", "port": 25}')
    channels = configured_channels()
    assert channels.webhook is None and channels.email is not None
    assert "baocao_webhook has no password" in caplog.text
