"""The `baocao` commands as operators type them, against the test warehouse."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from etl.cli import app
from tests import builders as b


@pytest.fixture
def cli(db: Engine, cli_runner: CliRunner) -> CliRunner:
    return cli_runner


def test_ingest_json_output_has_the_contract_shape(cli: CliRunner, tmp_path: Path) -> None:
    good = b.write_json(tmp_path / "good.json", b.submission())
    sub = b.submission(district=b.TAM_DUONG)
    b.indicator(sub, "XH02")["thuc_hien_thang"] = "khoảng 24.000"
    bad = b.write_json(tmp_path / "bad.json", sub)
    result = cli.invoke(app, ["ingest", str(good), str(bad), "--received-at", "2024-05-16T09:00:00", "--json"])
    assert result.exit_code == 0, result.output
    out = {r["file"]: r for r in json.loads(result.output)}
    assert set(out["good.json"]) >= {"file", "district_code", "period", "status", "submission_id", "errors", "warnings"}
    assert out["good.json"]["status"] == "accepted" and isinstance(out["good.json"]["submission_id"], int)
    [error] = out["bad.json"]["errors"]
    assert {k: error[k] for k in ("code", "sheet", "row", "column")} == {
        "code": "VALUE_HEDGED",
        "sheet": "chi_tieu",
        "row": 8,
        "column": "thuc_hien_thang",
    }
    assert "khoảng 24.000" in error["message"]
    again = json.loads(cli.invoke(app, ["ingest", str(good), "--json"]).output)
    assert again[0]["status"] == "duplicate"


def test_rollup_json_says_what_it_rebuilt_and_how_long_each_step_took(cli: CliRunner, tmp_path: Path) -> None:
    path = b.write_json(tmp_path / "good.json", b.submission())
    cli.invoke(app, ["ingest", str(path), "--received-at", "2024-05-16T09:00:00"])
    first = json.loads(cli.invoke(app, ["rollup", "--json"]).output)
    assert first["mode"] == "full" and first["indicator_rows"] > 0  # never built: a first refresh is full
    assert {"district_figures", "province_figures", "rate_figures", "indicator_rollup"} <= set(first["steps"])
    again = json.loads(cli.invoke(app, ["rollup", "--json"]).output)
    assert (again["mode"], again["indicator_rows"]) == ("nothing", 0)  # nothing queued since


def test_ingest_text_output_and_missing_path(cli: CliRunner, tmp_path: Path) -> None:
    path = b.write_json(tmp_path / "good.json", b.submission())
    result = cli.invoke(app, ["ingest", str(path), "--received-at", "2024-05-16T09:00:00"])
    assert result.exit_code == 0
    assert "accepted" in result.output and "639 2024-05" in result.output
    assert cli.invoke(app, ["ingest", str(tmp_path / "nope.json")]).exit_code == 2


def test_template_has_open_tasks_and_round_trips(cli: CliRunner, tmp_path: Path) -> None:
    cli.invoke(
        app,
        ["ingest", str(b.write_json(tmp_path / "may.json", b.submission())), "--received-at", "2024-05-16T09:00:00"],
    )
    out = tmp_path / "june.xlsx"
    result = cli.invoke(app, ["template", "--district", "639", "--period", "2024-06", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 open tasks" in result.output  # the May task that was done is not carried over
    wb = CalamineWorkbook.from_path(str(out))
    assert wb.sheet_names == ["thong_tin", "chi_tieu", "nhiem_vu"]
    tasks = wb.get_sheet_by_name("nhiem_vu").to_python()
    assert [row[0] for row in tasks[1:]] == ["3466/QĐ-UBND#12", "15/NQ-HĐND#2", "TX-01"]
    # A clerk fills two numbers and marks a task done; the file is accepted as it is.
    import openpyxl

    book = openpyxl.load_workbook(out)
    book["chi_tieu"]["D2"] = "1.234,5"  # KT01 in tỷ đồng
    book["chi_tieu"]["D3"] = 500
    book["nhiem_vu"]["G2"] = "Hoàn thành"
    book["nhiem_vu"]["H2"] = "10/06/2024"
    book.save(out)
    filled = json.loads(cli.invoke(app, ["ingest", str(out), "--received-at", "2024-06-16T09:00:00", "--json"]).output)
    assert filled[0]["status"] in ("accepted", "accepted_with_warnings"), filled[0]["errors"]


def test_template_rejects_unknown_district(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["template", "--district", "999", "--period", "2024-06", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2


def test_db_upgrade_reports_counts(cli: CliRunner) -> None:
    result = cli.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    # 696 districts in vietnamadminunits, and Yên Dũng (merged on 1/1/2025) from reference/unit_changes.csv
    assert "63 provinces, 697 districts" in result.output
    assert "since 1/7/2025 34 provinces and 3321 communes" in result.output


def test_an_arrival_time_is_the_call_unless_an_operator_sets_it(cli: CliRunner, db: Engine, tmp_path: Path) -> None:
    """A file's modification time (set by cp -p, rsync -a, unzip, touch -d) is not its arrival:
    a file dated 14/05/2024 handed to baocao today arrived today, so May 2024 is late. A time set
    with --received-at (a backfill) is recorded as an override, with who and when."""
    backfilled = b.write_json(tmp_path / "chu_puh.json", b.submission())
    copied = b.write_json(tmp_path / "tam_duong.json", b.submission(district=b.TAM_DUONG))
    dated = datetime.fromisoformat("2024-05-14T09:00:00+07:00").timestamp()
    os.utime(copied, (dated, dated))
    started = datetime.now(UTC)
    result = cli.invoke(app, ["ingest", str(backfilled), "--received-at", "2024-05-16T09:00:00+07:00",
                              "--operator", "nguyen.van.a"])
    assert result.exit_code == 0, result.output
    assert cli.invoke(app, ["ingest", str(copied)]).exit_code == 0
    with db.connect() as conn:
        files = {r.file_name: r for r in conn.execute(text(
            "SELECT file_name, received_at, received_at_rule, override_by, override_at FROM raw.file"))}
        status = dict(conn.execute(text(
            "SELECT district_code, status FROM mart.submission_status_at(now()) "
            "WHERE year = 2024 AND month = 5 AND district_code IN ('639', '247')")).all())
    assert files["chu_puh.json"].received_at == datetime.fromisoformat("2024-05-16T09:00:00+07:00")
    assert (files["chu_puh.json"].received_at_rule, files["chu_puh.json"].override_by) == ("override", "nguyen.van.a")
    assert files["chu_puh.json"].override_at >= started
    assert files["tam_duong.json"].received_at >= started  # not 14/05/2024
    assert (files["tam_duong.json"].received_at_rule, files["tam_duong.json"].override_by) == ("call", None)
    assert status == {b.CHU_PUH: "on_time", b.TAM_DUONG: "late"}
