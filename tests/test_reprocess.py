"""`baocao reprocess`: files rejected by an internal error load once the cause is fixed, from
the bytes archived in raw.file; the earlier attempt is kept; districts hear the new verdict."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from etl.alerts.send import send_alerts
from etl.cli import app
from etl.warehouse import ingest as ingest_module
from etl.warehouse.ingest import ingest_paths
from etl.warehouse.reprocess import NotReprocessable, reprocess
from tests import builders as b
from tests.conftest import MailSink

MAY = datetime.fromisoformat("2024-05-16T09:30:00+07:00")


def rows(db: Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_files_rejected_by_a_broken_suite_load_once_it_is_fixed(db: Engine, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    b.break_a_suite(tmp_path, monkeypatch)
    paths = [b.write_json(tmp_path / f"{c}.json", b.submission(district=c)) for c in ("637", "639")]
    assert [r.status for r in ingest_paths(db, paths, received_at=MAY)] == ["rejected", "rejected"]
    monkeypatch.undo()  # the suite is fixed

    results = reprocess(db)
    assert sorted((r.district_code, r.status) for r in results) == [("637", "accepted"), ("639", "accepted")]
    assert rows(db, "SELECT count(DISTINCT district_code) FROM core.fct_indicator_value") == [(2,)]
    # The file keeps its arrival time; the first attempt is kept with its message.
    assert rows(db, "SELECT DISTINCT received_at FROM core.fct_submission") == [(MAY,)]
    superseded = rows(db, "SELECT attempt, outcome, messages FROM ops.superseded_outcome ORDER BY file_id")
    assert [(a, o, [m["code"] for m in msgs]) for a, o, msgs in superseded] == [
        (1, "rejected", ["INTERNAL_ERROR"]), (1, "rejected", ["INTERNAL_ERROR"])]
    assert rows(db, "SELECT count(*) FROM ops.validation_message WHERE code = 'INTERNAL_ERROR'") == [(0,)]
    # Nothing left to do: running it again, or the same bytes arriving again, changes nothing.
    assert reprocess(db) == []
    assert [r.status for r in ingest_paths(db, paths, received_at=MAY)] == ["duplicate", "duplicate"]
    assert rows(db, "SELECT count(*) FROM core.fct_submission") == [(2,)]


def test_a_rejected_version_run_again_replaces_itself_and_versions_keep_their_order(db: Engine,
                                                                                    tmp_path: Path) -> None:
    bad = b.submission(district=b.TAM_DUONG)
    b.indicator(bad, "XH02")["thuc_hien_thang"] = "khoảng 24.000"
    [rejected] = ingest_paths(db, [b.write_json(tmp_path / "bad.json", bad)], received_at=MAY)
    later = datetime.fromisoformat("2024-05-17T09:00:00+07:00")
    [good] = ingest_paths(db, [b.write_json(tmp_path / "good.json", b.submission(district=b.TAM_DUONG))],
                          received_at=later)
    before = rows(db, "SELECT version, status, is_current FROM core.fct_submission ORDER BY version")
    assert before == [(1, "rejected", False), (2, "accepted", True)]

    [again] = reprocess(db, [rejected.file_id])
    assert again.status == "rejected" and again.errors[0]["code"] == "VALUE_HEDGED"
    # One rejected version still (not two), first by arrival; its messages once; the accepted one current.
    assert rows(db, "SELECT version, status, is_current, file_id FROM core.fct_submission ORDER BY version") == [
        (1, "rejected", False, rejected.file_id), (2, "accepted", True, good.file_id)]
    # (VALUE_HEDGED, and RULE_NOT_EVALUATED: XH01 <= XH02 could not be checked without XH02.)
    assert rows(db, "SELECT count(*) FROM ops.validation_message WHERE file_id = :f", f=rejected.file_id) == [
        (len(rejected.errors) + len(rejected.warnings),)] == [(2,)]
    assert rows(db, "SELECT attempt FROM ops.superseded_outcome") == [(1,)]
    reprocess(db, [rejected.file_id])
    assert rows(db, "SELECT attempt FROM ops.superseded_outcome ORDER BY attempt") == [(1,), (2,)]


def test_a_rejected_plan_run_again_leaves_one_version(db: Engine, tmp_path: Path) -> None:
    bad = b.plan()
    bad["ke_hoach"][0]["ke_hoach_nam"] = "khoảng 150"
    [rejected] = ingest_paths(db, [b.write_json(tmp_path / "plan.json", bad)], received_at=MAY)
    assert rejected.status == "rejected" and rejected.kind == "plan"
    [again] = reprocess(db, [rejected.file_id])
    assert (again.status, again.kind) == ("rejected", "plan")
    assert rows(db, "SELECT version, status, file_id FROM core.fct_plan") == [(1, "rejected", rejected.file_id)]
    assert rows(db, "SELECT count(*) FROM staging.stg_plan_row WHERE file_id = :f", f=rejected.file_id) == [(3,)]


def test_accepted_and_unknown_files_are_not_reprocessed(db: Engine, tmp_path: Path) -> None:
    [ok] = ingest_paths(db, [b.write_json(tmp_path / "ok.json", b.submission())], received_at=MAY)
    with pytest.raises(NotReprocessable, match="accepted"):
        reprocess(db, [ok.file_id])
    with pytest.raises(NotReprocessable, match="no archived file with id 999"):
        reprocess(db, [999])
    assert rows(db, "SELECT count(*) FROM ops.superseded_outcome") == [(0,)]


def test_the_district_is_told_not_to_resend_after_an_internal_error_then_told_the_real_errors(
    db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, alert_channels: None, smtp_server: MailSink
) -> None:
    def crash(*args: Any) -> None:
        raise RuntimeError("simulated bug")

    bad = b.submission(district=b.TAM_DUONG)
    b.indicator(bad, "XH02")["thuc_hien_thang"] = "khoảng 24.000"  # an error the bug hid
    with monkeypatch.context() as patch:  # (monkeypatch.undo would also undo the alert channels)
        patch.setattr(ingest_module, "load_files", crash)
        [first] = ingest_paths(db, [b.write_json(tmp_path / "bad.json", bad)], received_at=MAY)
    assert first.errors[0]["code"] == "INTERNAL_ERROR"
    send_alerts(db, MAY)
    [mail] = [m for m in smtp_server.messages if "INVALID" in m["Subject"]]
    assert "không cần sửa hay gửi lại" in mail.get_content()
    assert "lỗi hệ thống, không cần gửi lại" in mail["Subject"]  # not "returned": nothing to resend
    smtp_server.messages.clear()

    reprocess(db)  # the bug is fixed
    send_alerts(db, MAY)
    [mail] = [m for m in smtp_server.messages if "INVALID" in m["Subject"]]
    body = mail.get_body(("plain",)).get_content()
    assert "VALUE_HEDGED" in body and "khoảng 24.000" in body and "Đề nghị sửa" in body
    assert "Báo cáo bị trả lại" in mail["Subject"]
    smtp_server.messages.clear()
    send_alerts(db, MAY)  # still once per attempt
    assert not [m for m in smtp_server.messages if "INVALID" in m["Subject"]]


def test_cli_reprocess(db: Engine, cli_runner: CliRunner, tmp_path: Path) -> None:
    cli = cli_runner
    assert "nothing to reprocess" in cli.invoke(app, ["reprocess"]).output
    [ok] = ingest_paths(db, [b.write_json(tmp_path / "ok.json", b.submission())], received_at=MAY)
    refused = cli.invoke(app, ["reprocess", str(ok.file_id)])
    assert refused.exit_code == 2 and "accepted" in refused.output
    bad = b.submission(district=b.TAM_DUONG)
    b.indicator(bad, "XH02")["thuc_hien_thang"] = "khoảng 24.000"
    ingest_paths(db, [b.write_json(tmp_path / "bad.json", bad)], received_at=MAY)
    out = json.loads(cli.invoke(app, ["reprocess", "--code", "VALUE_HEDGED", "--json"]).output)
    assert [(r["file"], r["status"]) for r in out] == [("bad.json", "rejected")]
