"""Issue 14, the clerk's round trip: a district re-sends a file. Through real files, the CLI and a
real SMTP server on loopback: a re-sent rejected file is answered with the unit, period and the
earlier reasons, and the district is told again (once per delivery); a re-sent accepted file
alerts nobody; a file whose unit cannot be read reaches the province desk with the file attached;
`baocao ingest` exits 0, 1 or 2."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from etl.alerts.send import send_alerts
from etl.cli import _ingest_exit_code, app
from etl.warehouse.ingest import EarlierVerdict, FileResult
from tests import builders as b
from tests.conftest import HookSink, MailSink

DESK = "bandulieu@tinh.example.gov.vn"
BAC_GIANG = "213"  # Thành phố Bắc Giang, tỉnh Bắc Giang


def at(moment: str) -> datetime:
    return datetime.fromisoformat(f"{moment}+07:00")


def invalid_mails(sink: MailSink) -> list:
    return [m for m in sink.messages if "INVALID_SUBMISSION" in m["Subject"]]


def body(mail: object) -> str:
    return mail.get_body(("plain",)).get_content()  # type: ignore[attr-defined]


def ingest(cli: CliRunner, path: Path, moment: str, *extra: str) -> object:
    return cli.invoke(app, ["ingest", str(path), "--received-at", f"{moment}+07:00", *extra])


def test_a_rejected_file_resent_is_answered_and_the_district_told_again(
        db: Engine, tmp_path: Path, cli_runner: CliRunner, alert_channels: None, smtp_server: MailSink,
        webhook_server: HookSink) -> None:
    bad = b.month(BAC_GIANG, "2024-05", {"NN05": "khoảng 5"})
    path = b.write_json(tmp_path / "bacgiang_t5.json", bad)
    first = ingest(cli_runner, path, "2024-05-16T09:02:00")
    assert first.exit_code == 1, first.output  # rejected
    assert send_alerts(db, at("2024-05-16T10:00:00"), kinds={"invalid_submission"}).sent == 2
    [mail] = invalid_mails(smtp_server)
    text = body(mail)
    assert text.startswith("Kính gửi: UBND thành phố Bắc Giang\n\n")  # Decree 30/2020 style, a thành phố
    assert "\n\nBộ phận tổng hợp số liệu, UBND tỉnh Bắc Giang\n\n" in text
    assert "Thành phố Bắc Giang" in mail["Subject"]  # the subject arrives unfolded, word for word

    # The clerk sends the same file again: the reply names the unit, the period and the earlier verdict.
    again = ingest(cli_runner, path, "2024-05-17T08:00:00")
    assert again.exit_code == 1, again.output  # a duplicate of a rejected file
    assert f"duplicate               bacgiang_t5.json {BAC_GIANG} 2024-05" in again.output
    assert "đã nhận tệp này lúc 9:02 16/5/2024: bị trả lại vì:" in again.output
    assert "VALUE_HEDGED" in again.output and "khoảng 5" in again.output

    # ... and the district is told again, once for that delivery.
    smtp_server.messages.clear()
    resent = send_alerts(db, at("2024-05-17T09:00:00"), kinds={"invalid_submission"})
    assert resent.sent == 2 and resent.already_sent == 2
    [mail] = invalid_mails(smtp_server)
    assert "Tệp này giống hệt tệp đã nhận lúc 09:02 ngày 16/05/2024, đã bị trả lại" in body(mail)
    assert "nhận lúc 08:00 ngày 17/05/2024" in body(mail) and "VALUE_HEDGED" in body(mail)
    assert send_alerts(db, at("2024-05-17T09:30:00"), kinds={"invalid_submission"}).sent == 0
    assert len(invalid_mails(smtp_server)) == 1

    # --json: the contract's fields, status still "duplicate", the earlier verdict as an extension.
    as_json = ingest(cli_runner, path, "2024-05-17T11:00:00", "--json")
    assert as_json.exit_code == 1, as_json.output
    [r] = json.loads(as_json.output)
    assert (r["status"], r["district_code"], r["period"], r["kind"]) == ("duplicate", BAC_GIANG, "2024-05",
                                                                          "submission")
    assert r["earlier"]["status"] == "rejected"
    assert datetime.fromisoformat(r["earlier"]["received_at"]) == at("2024-05-16T09:02:00")
    assert r["earlier"]["processed_at"] is not None
    assert [e["code"] for e in r["earlier"]["errors"]] == ["VALUE_HEDGED"] and r["errors"] == []
    assert send_alerts(db, at("2024-05-17T12:00:00"), kinds={"invalid_submission"}).sent == 2
    assert len(invalid_mails(smtp_server)) == 2


def test_an_accepted_file_resent_alerts_nobody(db: Engine, tmp_path: Path, cli_runner: CliRunner,
                                               alert_channels: None, smtp_server: MailSink,
                                               webhook_server: HookSink) -> None:
    path = b.write_json(tmp_path / "good.json", b.month(BAC_GIANG, "2024-05", {"NN05": 5}))
    assert ingest(cli_runner, path, "2024-05-16T09:02:00").exit_code == 0
    again = ingest(cli_runner, path, "2024-05-17T08:00:00")
    assert again.exit_code == 0, again.output  # a duplicate of an accepted file
    assert "đã nhận tệp này lúc 9:02 16/5/2024: đã được tiếp nhận" in again.output
    assert "bacgiang" not in again.output and f"good.json {BAC_GIANG} 2024-05" in again.output
    result = send_alerts(db, at("2024-05-17T09:00:00"), kinds={"invalid_submission"})
    assert result.due == 0 and invalid_mails(smtp_server) == []


def test_a_file_whose_unit_cannot_be_read_reaches_the_desk_with_the_file(
        db: Engine, tmp_path: Path, cli_runner: CliRunner, alert_channels: None, smtp_server: MailSink,
        webhook_server: HookSink) -> None:
    doc = b.month(BAC_GIANG, "2024-05", {"NN05": 5})
    doc["ma_huyen"] = "không rõ"
    path = b.write_json(tmp_path / "khong_ro.json", doc)
    assert ingest(cli_runner, path, "2024-05-16T09:02:00").exit_code == 1
    result = send_alerts(db, at("2024-05-16T10:00:00"), kinds={"invalid_submission"})
    assert result.sent == 2
    [mail] = invalid_mails(smtp_server)
    assert mail["X-Envelope-To"] == DESK
    text = body(mail)
    assert text.startswith("Kính gửi: Bộ phận tổng hợp số liệu, Văn phòng UBND tỉnh\n")
    assert "tệp được đính kèm" in text
    # The file as it arrived, to route, and its feedback workbook.
    attached = {a.get_filename(): a for a in mail.iter_attachments()}
    assert set(attached) == {"khong_ro.json", "khong_ro_phan_hoi.xlsx"}
    assert attached["khong_ro.json"].get_content() == path.read_bytes()


def test_ingest_exit_status(db: Engine, tmp_path: Path, cli_runner: CliRunner) -> None:
    good = b.write_json(tmp_path / "good.json", b.month(BAC_GIANG, "2024-05", {"NN05": 5}))
    bad = b.write_json(tmp_path / "bad.json", b.month(b.TAM_DUONG, "2024-05", {"NN05": "khoảng 5"}))
    assert ingest(cli_runner, good, "2024-05-16T09:00:00").exit_code == 0
    assert ingest(cli_runner, good, "2024-05-16T10:00:00").exit_code == 0  # duplicate of an accepted file
    assert ingest(cli_runner, bad, "2024-05-16T09:00:00").exit_code == 1
    both = ingest(cli_runner, good, "2024-05-16T11:00:00")
    assert both.exit_code == 0
    assert cli_runner.invoke(app, ["ingest", str(good), str(bad)]).exit_code == 1  # one duplicate of a rejected
    # The same rejected bytes twice in one batch: the second is a duplicate naming the first's verdict.
    copy = tmp_path / "copy"
    copy.mkdir()
    twice = b.write_json(copy / "again.json", b.month(b.TAM_DUONG, "2024-06", {"NN05": "khoảng 6"}))
    (copy / "again2.json").write_bytes(twice.read_bytes())
    batch = cli_runner.invoke(app, ["ingest", str(copy), "--json"])
    assert batch.exit_code == 1
    statuses = [(r["status"], (r.get("earlier") or {}).get("status")) for r in json.loads(batch.output)]
    assert statuses == [("rejected", None), ("duplicate", "rejected")]
    assert cli_runner.invoke(app, ["ingest", str(tmp_path / "nope.json")]).exit_code == 2  # usage error
    # A file left deferred (a transient database failure through every retry) is a system error.
    deferred = [FileResult(file="a.json", status="accepted"), FileResult(file="b.json", status="deferred")]
    assert _ingest_exit_code(deferred) == 2
    dup = FileResult(file="c.json", status="duplicate", earlier=EarlierVerdict("accepted_with_warnings", None, None))
    assert _ingest_exit_code([dup]) == 0
