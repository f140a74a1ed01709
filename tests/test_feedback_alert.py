"""Issue 14, point 3 through the alert: a rejected workbook's invalid-submission alert, first
logged while no channel was configured, is sent once one works, through a real SMTP server on
loopback, with the clerk's own workbook back: each cell at fault coloured and commented, a first
sheet listing every message linked to its cell; the webhook names where the workbook was written.
LibreOffice headless opens the attached workbook and reads the comments back."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from etl.alerts.feedback import LIST_SHEET
from etl.alerts.send import send_alerts
from etl.cli import app
from etl.config import CONN_SMTP, CONN_WEBHOOK, connection_env_var
from etl.warehouse.ingest import ingest_paths
from tests import builders as b
from tests.conftest import HookSink, MailSink
from tests.test_feedback_workbook import convert, ods_notes

BAC_GIANG = "213"
AT = datetime.fromisoformat("2024-05-16T09:02:00+07:00")
SENT_AT = datetime.fromisoformat("2024-05-16T10:00:00+07:00")
LATER = datetime.fromisoformat("2024-05-16T11:00:00+07:00")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rejected_workbook(tmp_path: Path) -> Path:
    sub = b.month(BAC_GIANG, "2024-05", {"NN05": "khoảng 92.000", "XH01": "1.170", "XH02": "24.310"})
    b.indicator(sub, "XH01")["don_vi_tinh"] = "ha"  # a unit that does not convert
    return b.write_submission_xlsx(tmp_path / "bacgiang_t5.xlsx", sub)


def _no_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (connection_env_var(CONN_SMTP), connection_env_var(CONN_WEBHOOK)):
        monkeypatch.delenv(name, raising=False)


def test_the_waiting_alert_goes_with_the_clerks_workbook_marked(
        db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: MailSink,
        webhook_server: HookSink) -> None:
    path = _rejected_workbook(tmp_path)
    [result] = ingest_paths(db, [path], received_at=AT)
    assert result.status == "rejected"
    errors = {m["code"]: m for m in result.errors}
    assert {"VALUE_HEDGED", "UNIT_NOT_CONVERTIBLE"} <= set(errors)

    _no_channels(monkeypatch)
    monkeypatch.setenv("BAOCAO_PROVINCE_DESK_EMAIL", "bandulieu@tinh.example.gov.vn")
    waiting = send_alerts(db, SENT_AT, kinds={"invalid_submission"})
    assert (waiting.sent, waiting.no_channel) == (0, 2) and smtp_server.messages == []

    monkeypatch.setenv(connection_env_var(CONN_SMTP), json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": smtp_server.port,
        "extra": {"disable_ssl": True, "disable_tls": True}}))
    monkeypatch.setenv(connection_env_var(CONN_WEBHOOK), json.dumps({"conn_type": "slackwebhook",
                                                                     "password": webhook_server.url}))
    sent = send_alerts(db, LATER, kinds={"invalid_submission"})
    assert sent.sent == 2
    [mail] = smtp_server.messages
    body = mail.get_body(("plain",)).get_content()
    assert "bacgiang_t5_phan_hoi.xlsx" in body and "Lỗi cần sửa" in body
    [attached] = list(mail.iter_attachments())
    assert attached.get_filename() == "bacgiang_t5_phan_hoi.xlsx" and attached.get_content_type() == XLSX
    workbook = attached.get_content()

    wb = load_workbook(io.BytesIO(workbook))
    assert wb.sheetnames[0] == LIST_SHEET and set(wb.sheetnames[1:]) == {"thong_tin", "chi_tieu", "nhiem_vu"}
    listed = [row for row in wb[LIST_SHEET].iter_rows(values_only=True) if row and row[2] in errors]
    assert {row[2] for row in listed} == set(errors)
    links = {c.value: c.hyperlink.location for row in wb[LIST_SHEET].iter_rows() for c in row
             if c.hyperlink is not None}
    for code in ("VALUE_HEDGED", "UNIT_NOT_CONVERTIBLE"):
        cell = errors[code]["cell"]
        assert cell and wb["chi_tieu"][cell].comment is not None, code
        assert errors[code]["message"] in wb["chi_tieu"][cell].comment.text
        assert wb["chi_tieu"][cell].fill.fgColor.rgb.endswith("FFC7CE")  # light red: an error
        assert any(location.endswith(f"!{cell}") for location in links.values()), links

    # The webhook says where the same workbook was written.
    [post] = webhook_server.posts
    written = Path(post["text"].rsplit(": ", 1)[1])
    assert written.read_bytes() == workbook

    # Sent once: a later run sends nothing again.
    assert send_alerts(db, LATER, kinds={"invalid_submission"}).sent == 0
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ops.alert_log WHERE status = 'sent'")).scalar() == 2

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: the workbook was checked with openpyxl only")
    comments = _comments_read_by_libreoffice(workbook, tmp_path)
    for code in ("VALUE_HEDGED", "UNIT_NOT_CONVERTIBLE"):
        assert errors[code]["message"] in comments.get(("chi_tieu", errors[code]["cell"]), ""), (code, comments)


def _comments_read_by_libreoffice(workbook: bytes, tmp_path: Path) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> comment text, as LibreOffice reads the workbook (converted to .ods)."""
    source = tmp_path / "phan_hoi.xlsx"
    source.write_bytes(workbook)
    profile = Path(tempfile.gettempdir()) / f"baocao-lo-{uuid.uuid4().hex}"
    try:
        return ods_notes(convert(source, "ods", profile.as_uri()))[1]
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_the_workbook_of_a_file_accepted_with_warnings_on_demand(db: Engine, tmp_path: Path,
                                                                  cli_runner: CliRunner) -> None:
    sub = b.month(BAC_GIANG, "2024-05", {"NN05": "92.000"})
    sub["thong_tin"]["email_lien_he"] = "vanphong at bacgiang"  # a warning, not a reason to refuse
    path = b.write_submission_xlsx(tmp_path / "canh_bao.xlsx", sub)
    ingested = cli_runner.invoke(app, ["ingest", str(path), "--received-at", AT.isoformat(), "--json"])
    [result] = json.loads(ingested.output)
    assert result["status"] == "accepted_with_warnings"
    [warning] = result["warnings"]
    out = tmp_path / "phan_hoi.xlsx"
    made = cli_runner.invoke(app, ["feedback", "--file-id", str(result["file_id"]), "-o", str(out)])
    assert made.exit_code == 0, made.output
    wb = load_workbook(out)
    assert wb.sheetnames[0] == LIST_SHEET
    assert warning["message"] in wb["thong_tin"][warning["cell"]].comment.text
    missing = cli_runner.invoke(app, ["feedback", "--file-id", "999999", "-o", str(out)])
    assert missing.exit_code == 2 and "999999" in missing.output
