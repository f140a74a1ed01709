"""Alerts through a real SMTP server and a real HTTP webhook on loopback: the right
recipients, Vietnamese text, each alert exactly once, on-time districts left alone,
any day replayable."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from etl.alerts.send import send_alerts
from etl.cli import app
from etl.warehouse.ingest import ingest_paths
from tests import builders as b
from tests.conftest import HookSink, MailSink

TZ = "+07:00"
DESK = "bandulieu@tinh.example.gov.vn"
# Vĩnh Phúc (26), May 2024, deadline 18/05 23:59:59: Tam Dương on time, Vĩnh Yên silent
# (but known from April), Phúc Yên sends an invalid file on the 17th, five others silent.
ON_TIME, SILENT, INVALID = "247", "243", "244"


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}{TZ}")


def send(db: Engine, day: str) -> object:
    return send_alerts(db, at(day))


# A digest's subject says how many alerts it carries (etl.alerts.send.digest).
DIGEST = re.compile(r": (\d+) báo cáo \((?:REMINDER|LATE|ESCALATION)\)")


def carried(subjects: Iterable[str]) -> int:
    """How many alerts the messages carry: a digest its count, any other message one."""
    return sum(int(m.group(1)) if (m := DIGEST.search(s)) else 1 for s in subjects)


def about_may(sink: MailSink) -> int:
    """The alerts about May the mails carry: a digest's lines about May, another mail's subject."""
    return sum(sum(line.startswith("  - ") and "05/2024" in line for line in m.get_content().splitlines())
               if DIGEST.search(m["Subject"]) else "05/2024" in m["Subject"] for m in sink.messages)


def mails(sink: MailSink) -> list[tuple[str, str]]:
    """(envelope recipients, alert code) for each mail about May received (the April data of
    Vĩnh Yên makes April an expected month too, with alerts of its own)."""
    return sorted((m["X-Envelope-To"], m["Subject"].rsplit("(", 1)[1].rstrip(")")) for m in sink.messages
                  if "05/2024" in m["Subject"] or "INVALID" in m["Subject"])


@pytest.fixture
def may(db: Engine, tmp_path: Path) -> Engine:
    april = b.month(SILENT, "2024-04", {"NN05": 1})
    ingest_paths(db, [b.write_json(tmp_path / "april.json", april)], received_at=at("2024-04-16T09:00:00"))
    ingest_paths(db, [b.write_json(tmp_path / "ontime.json", b.month(ON_TIME, "2024-05", {"NN05": 1}))],
                 received_at=at("2024-05-14T09:00:00"))
    return db


def test_reminder_invalid_late_and_escalation_each_once(may: Engine, tmp_path: Path, alert_channels: None,
                                                        smtp_server: MailSink, webhook_server: HookSink) -> None:
    db = may
    # 16/05: two days before the deadline: reminders to everyone with nothing accepted, except April-only data.
    # One message per recipient and kind: Vĩnh Yên its own; the seven without an address on file go
    # to the desk as one digest, a line each.
    send(db, "2024-05-16T08:00:00")
    reminded = mails(smtp_server)
    assert reminded == sorted([(f"vanphong.{SILENT}@example.gov.vn", "REMINDER"), (DESK, "REMINDER")])
    digest = next(m for m in smtp_server.messages if m["X-Envelope-To"] == DESK and "05/2024" in m["Subject"])
    assert digest["Subject"] == "[baocao] Nhắc hạn gửi báo cáo tháng 05/2024: 7 báo cáo (REMINDER)"
    lines = [line for line in digest.get_content().splitlines() if line.startswith("  - ")]
    assert len(lines) == 7 and all(": tháng 05/2024, hạn 23:59 ngày 18/05/2024" in line for line in lines), lines
    assert not any(ON_TIME in to for to, _ in reminded)
    assert not any("Tam Dương" in m.get_content() and "05/2024" in m["Subject"] for m in smtp_server.messages)
    smtp_server.messages.clear()

    bad = b.month(INVALID, "2024-05", {"NN05": "khoảng 5"})
    bad["thong_tin"]["email_lien_he"] = "vanphong.phucyen@example.gov.vn"
    ingest_paths(db, [b.write_json(tmp_path / "phucyen.xlsx.json", bad)], received_at=at("2024-05-17T09:00:00"))
    send(db, "2024-05-17T10:00:00")
    [invalid] = [m for m in smtp_server.messages if "INVALID" in m["Subject"]]
    # A rejected file's address is not the district's: Phúc Yên has no accepted one, the desk gets it.
    assert invalid["X-Envelope-To"] == DESK
    assert "INVALID_SUBMISSION" in invalid["Subject"] and "phucyen.xlsx.json" in invalid["Subject"]
    body = invalid.get_body(("plain",)).get_content()
    assert "khoảng 5" in body and "VALUE_HEDGED" in body and "gửi lại" in body
    smtp_server.messages.clear()

    # 20/05: the day after the deadline and more: late notices, to the district with the desk in
    # copy; the districts without an address, to the desk in one digest.
    late = send(db, "2024-05-20T08:00:00")
    got = mails(smtp_server)
    assert got == sorted([(f"vanphong.{SILENT}@example.gov.vn, {DESK}", "LATE"), (DESK, "LATE")])
    late_mail = next(m for m in smtp_server.messages if SILENT in m["X-Envelope-To"])
    assert "Quá hạn" in late_mail["Subject"] and "Đề nghị gửi ngay" in late_mail.get_content()
    assert late.already_sent > 0
    smtp_server.messages.clear()

    # Running the monitor again the same day, or the day after, sends nothing new.
    assert send(db, "2024-05-20T08:00:00").sent == 0
    send(db, "2024-05-21T08:00:00")
    assert mails(smtp_server) == []

    # 24/05: five days after the deadline: escalation to the province desk only, one message for
    # the eight units, each line saying when its late notice went.
    send(db, "2024-05-24T08:00:00")
    got = mails(smtp_server)
    assert got == [(DESK, "ESCALATION")]
    escalations = next(m for m in smtp_server.messages if "05/2024" in m["Subject"])
    lines = [line for line in escalations.get_content().splitlines() if line.startswith("  - ")]
    assert len(lines) == 8
    assert all("đã được gửi thông báo quá hạn lúc 08:00 ngày 20/05/2024" in line for line in lines), lines

    # The webhook received each kind once: the reminders, the invalid file, the late notices and
    # the escalations, as Slack-compatible JSON.
    texts = [p["text"] for p in webhook_server.posts if "05/2024" in p["text"] or "INVALID" in p["text"]]
    assert len(texts) == len(set(texts)) == 4
    with db.connect() as conn:
        once = conn.execute(text("SELECT count(*), count(DISTINCT (idempotency_key, channel)) FROM ops.alert_log "
                                 "WHERE status = 'sent' AND period_code IS DISTINCT FROM '2024-04'")).one()
    assert once[0] == once[1] == 2 * (8 + 1 + 8 + 8)  # never twice for a key and channel; every alert logged


def test_late_notice_and_escalation_in_one_run_say_so(may: Engine, alert_channels: None, smtp_server: MailSink,
                                                      webhook_server: HookSink) -> None:
    # The monitor did not run until six days after the deadline: the late notice and the escalation
    # go together, and the escalation does not claim a reminder the day after the deadline.
    send(may, "2024-05-24T08:00:00")
    [escalation] = [m for m in smtp_server.messages if "(ESCALATION)" in m["Subject"] and "05/2024" in m["Subject"]]
    body = escalation.get_content()
    assert "được gửi thông báo quá hạn cùng lúc với thư này" in body and "đã được gửi" not in body
    assert "ngày hôm sau hạn" not in body


def test_units_late_together_get_one_message_per_recipient_and_kind(
        may: Engine, alert_channels: None, smtp_server: MailSink, webhook_server: HookSink) -> None:
    # The monitor runs a week after the deadline: the late notices and escalations of April and May
    # are due at once (a national month loaded late made 2.648 deliveries in 10 s before digests).
    result = send(may, "2024-05-25T08:00:00")
    assert result.due >= 2 * 8
    per_recipient = [(m["X-Envelope-To"], m["Subject"].rsplit("(", 1)[1]) for m in smtp_server.messages]
    assert len(per_recipient) == len(set(per_recipient))  # at most one per recipient and kind
    assert carried(m["Subject"] for m in smtp_server.messages) == result.due  # each alert in one of them
    kinds = [p["text"].rsplit("(", 1)[1] for p in webhook_server.posts]
    assert len(kinds) == len(set(kinds)) == 2  # one post per kind: late notices, escalations
    assert carried(p["text"] for p in webhook_server.posts) == result.due
    assert result.sent == 2 * result.due  # every alert sent once on each channel, in whatever message


def test_a_channel_is_paced(monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.alerts import send as send_module

    slept: list[float] = []
    clock = [100.0]
    monkeypatch.setattr(send_module.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(send_module.time, "sleep", lambda s: (slept.append(s), clock.__setitem__(0, clock[0] + s)))
    pace = send_module.Pace({"webhook": 60.0, "email": 0.0})
    for _ in range(3):
        pace.wait("webhook")
        pace.wait("email")
    assert slept == [1.0, 1.0]  # one a second on the webhook; no limit on e-mail


def test_replaying_a_past_day_with_as_of(may: Engine, alert_channels: None, smtp_server: MailSink,
                                         webhook_server: HookSink, cli_runner: CliRunner) -> None:
    runner = cli_runner
    dry = runner.invoke(app, ["alerts", "--as-of", "2024-05-20T08:00:00", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "late:243:2024-05" in dry.output and "dry run" in dry.output
    assert smtp_server.messages == []  # a dry run sends and records nothing
    real = runner.invoke(app, ["alerts", "--as-of", "2024-05-20T08:00:00"])
    assert real.exit_code == 0, real.output
    assert "0 already sent" in real.output and about_may(smtp_server) == 8
    sent_before = len(smtp_server.messages)
    again = runner.invoke(app, ["alerts", "--as-of", "2024-05-20T08:00:00"])
    assert "due; 0 sent" in again.output and len(smtp_server.messages) == sent_before


def test_a_failed_send_is_retried_on_the_next_run(may: Engine, alert_channels: None, smtp_server: MailSink,
                                                  webhook_server: HookSink, monkeypatch: pytest.MonkeyPatch) -> None:
    real_port = smtp_server.port
    monkeypatch.setenv("AIRFLOW_CONN_BAOCAO_SMTP", '{"conn_type": "smtp", "host": "127.0.0.1", "port": 1, '
                                                   '"extra": {"disable_ssl": true, "disable_tls": true}}')
    down = send(may, "2024-05-20T08:00:00")
    assert down.failed == down.due and down.sent == down.due  # mail failed, the webhook still went out
    monkeypatch.setenv("AIRFLOW_CONN_BAOCAO_SMTP", f'{{"conn_type": "smtp", "host": "127.0.0.1", "port": {real_port}, '
                                                   '"extra": {"disable_ssl": true, "disable_tls": true}}')
    up = send(may, "2024-05-20T09:00:00")
    assert up.sent == down.due and carried(m["Subject"] for m in smtp_server.messages) == down.due
    assert carried(p["text"] for p in webhook_server.posts) == down.due  # not posted twice


def _log_rows(db: Engine) -> int:
    with db.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM ops.alert_log")).scalar_one()


def test_without_channels_alerts_are_logged_once_and_sent_once_a_channel_works(
        may: Engine, smtp_server: MailSink, monkeypatch: pytest.MonkeyPatch, cli_runner: CliRunner) -> None:
    """Issue 14: alerts logged while no channel was configured are sent once one is (within the
    alert window), once per channel; until then they wait, logged once, never "already sent"."""
    from etl.config import CONN_SMTP, connection_env_var

    for name in ("AIRFLOW_CONN_BAOCAO_SMTP", "AIRFLOW_CONN_BAOCAO_WEBHOOK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BAOCAO_PROVINCE_DESK_EMAIL", DESK)
    first = send(may, "2024-05-20T08:00:00")
    assert first.no_channel == 2 * first.due > 0 and first.sent == 0
    logged = _log_rows(may)
    assert logged == 2 * first.due
    waiting = send(may, "2024-05-20T08:00:00")
    assert (waiting.no_channel, waiting.already_sent, waiting.sent) == (2 * first.due, 0, 0)
    assert _log_rows(may) == logged  # still waiting: not logged again

    # The SMTP channel is configured: every waiting alert goes by e-mail, once; the webhook still waits.
    monkeypatch.setenv(connection_env_var(CONN_SMTP), f'{{"conn_type": "smtp", "host": "127.0.0.1", '
                                                      f'"port": {smtp_server.port}, '
                                                      '"extra": {"disable_ssl": true, "disable_tls": true}}')
    dry = cli_runner.invoke(app, ["alerts", "--as-of", "2024-05-20T09:00:00", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "late:243:2024-05" in dry.output and smtp_server.messages == []
    up = send(may, "2024-05-20T09:00:00")
    assert (up.sent, up.no_channel, up.already_sent) == (first.due, first.due, 0)
    assert carried(m["Subject"] for m in smtp_server.messages) == first.due
    late = next(m for m in smtp_server.messages if SILENT in m["X-Envelope-To"] and "LATE" in m["Subject"])
    assert late.get_content().startswith("Kính gửi: UBND thành phố Vĩnh Yên\n")
    assert "Bộ phận tổng hợp số liệu, UBND tỉnh Vĩnh Phúc" in late.get_content()

    # The next run sends nothing again, and a dry run lists nothing to send by e-mail.
    again = send(may, "2024-05-21T08:00:00")
    assert again.sent == 0 and again.already_sent >= first.due
    assert carried(m["Subject"] for m in smtp_server.messages) == first.due
    quiet = cli_runner.invoke(app, ["alerts", "--as-of", "2024-05-20T09:00:00", "--dry-run"])
    assert "late:243:2024-05" not in quiet.output, quiet.output
    with may.connect() as conn:
        once = conn.execute(text("SELECT count(*), count(DISTINCT (idempotency_key, channel)) FROM ops.alert_log "
                                 "WHERE status = 'sent'")).one()
    assert once[0] == once[1] == first.due


def test_a_rejected_file_does_not_change_where_alerts_go(may: Engine, tmp_path: Path, alert_channels: None,
                                                          smtp_server: MailSink, webhook_server: HookSink) -> None:
    """Vĩnh Yên's address is the one of its accepted April file; a rejected file naming another
    address (anyone can send one) changes nothing: neither its own rejection nor the late notice
    goes there. An accepted file's address does count."""
    from etl.alerts.recipients import district_contacts

    district = f"vanphong.{SILENT}@example.gov.vn"
    forged = b.month(SILENT, "2024-05", {"NN05": "khoảng 5"})
    forged["thong_tin"]["email_lien_he"] = "ketoan@attacker.example"
    ingest_paths(may, [b.write_json(tmp_path / "forged.json", forged)], received_at=at("2024-05-17T09:00:00"))
    send(may, "2024-05-17T10:00:00")
    send(may, "2024-05-20T08:00:00")
    about_243 = [m for m in smtp_server.messages
                 if ("Vĩnh Yên" in m["Subject"] and "05/2024" in m["Subject"]) or "forged.json" in m["Subject"]]
    codes = {m["Subject"].rsplit("(", 1)[1].rstrip(")"): m["X-Envelope-To"] for m in about_243}
    assert codes == {"REMINDER": district, "INVALID_SUBMISSION": f"{district}, {DESK}", "LATE": f"{district}, {DESK}"}
    assert not any("attacker" in m["X-Envelope-To"] for m in smtp_server.messages)
    with may.connect() as conn:
        assert district_contacts(conn, {SILENT})[SILENT] == district
    corrected = b.month(SILENT, "2024-05", {"NN05": 5})
    corrected["thong_tin"]["email_lien_he"] = "vanphong.moi@example.gov.vn"
    ingest_paths(may, [b.write_json(tmp_path / "fixed.json", corrected)], received_at=at("2024-05-21T09:00:00"))
    with may.connect() as conn:
        assert district_contacts(conn, {SILENT})[SILENT] == "vanphong.moi@example.gov.vn"


def test_what_a_file_carries_arrives_as_text(db: Engine, tmp_path: Path, alert_channels: None,
                                             smtp_server: MailSink, webhook_server: HookSink) -> None:
    """A file name with a Slack mention and CR/LF, an indicator code that is a disguised link: the
    e-mail is delivered (the CR/LF shown as \\r\\n, no header injected), the webhook shows them as
    text, and the subject arrives word for word ("Thành phố", not "Thànhphố")."""
    doc = b.month(SILENT, "2024-05", {"NN05": 5})
    doc["chi_tieu"].append({"ma_chi_tieu": "<http://evil.example|bấm vào đây>", "don_vi_tinh": "con",
                            "thuc_hien_thang": 1})
    name = "<!here> tháng 5\r\nBcc: x@attacker.example.json"
    ingest_paths(db, [b.write_json(tmp_path / name, doc)], received_at=at("2024-05-17T09:00:00"))
    result = send_alerts(db, at("2024-05-17T10:00:00"), kinds={"invalid_submission"})
    assert (result.due, result.sent, result.failed) == (1, 2, 0)  # delivered by e-mail and webhook, first time
    assert send_alerts(db, at("2024-05-17T11:00:00"), kinds={"invalid_submission"}).sent == 0

    [alert] = result.alerts
    [mail] = smtp_server.messages
    visible_name = "<!here> tháng 5\\r\\nBcc: x@attacker.example.json"
    assert mail["Subject"] == alert.subject  # unfolded: no space lost between encoded words
    assert "Thành phố Vĩnh Yên" in mail["Subject"] and visible_name in mail["Subject"]
    assert mail["Bcc"] is None and "attacker" not in mail["X-Envelope-To"]
    body = mail.get_body(("plain",)).get_content()
    assert f"Tệp '{visible_name}'" in body and "'<http://evil.example|bấm vào đây>'" in body

    [post] = webhook_server.posts
    assert "<!here>" not in post["text"] and "<http" not in post["text"]
    assert "&lt;!here&gt; tháng 5\\r\\nBcc" in post["text"]
    assert "&lt;http://evil.example|bấm vào đây&gt;" in post["text"]
    assert post["text"].startswith("*[baocao] ")  # the template's own markup is kept

