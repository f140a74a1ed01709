"""The `baocao` commands as operators type them, against the test warehouse."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from etl.cli import app
from etl.config import ENV_WAREHOUSE_URL
from etl.orchestration.celery_stack import scratch_database
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
    assert result.exit_code == 1, result.output  # contract: 1 when any file was rejected
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


# --- what the operator sees when something is wrong ------------------------------------------


def one_line(result: object) -> str:
    """The single line a failure prints on stderr (no traceback)."""
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output  # type: ignore[attr-defined]
    return lines[0]


def point_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    from etl.warehouse import db as db_module

    monkeypatch.setenv(ENV_WAREHOUSE_URL, url)
    db_module.get_engine.cache_clear()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound, never listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def test_an_unreadable_moment_is_one_line(cli: CliRunner, tmp_path: Path) -> None:
    for args in (["alerts", "--as-of", "hôm qua"], ["ingest", str(tmp_path), "--received-at", "20/05/2024 8h"],
                 ["status", "--period", "2024-05", "--as-of", "yesterday"],
                 ["report", "--unit", "247", "--period", "2024-05", "--since", "2024-13-01"]):
        result = cli.invoke(app, args)
        assert result.exit_code == 2, result.output
        option = args[-2]
        assert f"Invalid value for '{option}'" in one_line(result) and f" {args[0]} --help)" in result.stderr
    missing = cli.invoke(app, ["alerts"])
    assert missing.exit_code == 2 and "Missing option '--as-of'" in one_line(missing)


def test_an_unreachable_warehouse_is_one_line(cli_runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                               closed_port: int) -> None:
    point_at(monkeypatch, f"postgresql://postgres:s3cret@127.0.0.1:{closed_port}/baocao")
    for args in (["status", "--period", "2024-05"], ["db", "upgrade"], ["rollup"]):
        result = cli_runner.invoke(app, args)
        assert result.exit_code == 2
        line = one_line(result)
        assert f"cannot reach the warehouse at 127.0.0.1:{closed_port}/baocao" in line and "WAREHOUSE_URL" in line
        assert "s3cret" not in line
    debug = cli_runner.invoke(app, ["--debug", "status", "--period", "2024-05"])
    from sqlalchemy.exc import OperationalError

    assert isinstance(debug.exception, OperationalError)  # --debug: the exception itself, with its traceback


def test_the_installed_command_prints_a_traceback_only_with_debug(closed_port: int) -> None:
    baocao = Path(sys.executable).with_name("baocao")
    command = [str(baocao)] if baocao.exists() else [sys.executable, "-c", "from etl.cli import app; app()"]
    env = {**os.environ, ENV_WAREHOUSE_URL: f"postgresql://postgres@127.0.0.1:{closed_port}/baocao"}
    plain = subprocess.run([*command, "status", "--period", "2024-05"], capture_output=True, text=True, env=env,
                           timeout=120)
    assert plain.returncode == 2 and plain.stdout == ""
    assert len(plain.stderr.splitlines()) == 1 and "cannot reach the warehouse" in plain.stderr
    debug = subprocess.run([*command, "--debug", "status", "--period", "2024-05"], capture_output=True, text=True,
                           env=env, timeout=120)
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "OperationalError" in debug.stderr


def test_a_database_that_does_not_exist_is_one_line(cli_runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                                     warehouse_url: str) -> None:
    name = f"baocao_nowhere_{uuid.uuid4().hex[:8]}"
    point_at(monkeypatch, make_url(warehouse_url).set(database=name).render_as_string(hide_password=False))
    for args in (["status", "--period", "2024-05"], ["db", "upgrade"]):
        result = cli_runner.invoke(app, args)
        assert result.exit_code == 2
        line = one_line(result)
        assert f"database '{name}' does not exist" in line and f"createdb {name}" in line
        assert "baocao db upgrade" in line


@pytest.fixture
def empty_database(warehouse_url: str) -> Iterator[str]:
    """A database just created, never upgraded; dropped afterwards."""
    admin = make_url(warehouse_url).set(database="postgres").render_as_string(hide_password=False)
    with scratch_database(admin, "baocao_empty") as url:
        yield url


def test_a_schema_never_upgraded_is_one_line(cli_runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                             empty_database: str, tmp_path: Path) -> None:
    point_at(monkeypatch, empty_database)
    path = b.write_json(tmp_path / "good.json", b.submission())
    for args in (["status", "--period", "2024-05"], ["alerts", "--as-of", "2024-05-20T08:00:00+07:00"],
                 ["report", "--unit", "247", "--period", "2024-05"], ["ingest", str(path)], ["rollup"],
                 ["reprocess"]):
        result = cli_runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        line = one_line(result)
        assert "the warehouse schema was never created" in line and line.endswith("run `baocao db upgrade`")


def test_a_bug_keeps_its_traceback(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error that is not the operator's to fix (here a query of ours on a table that does not
    exist, in an up-to-date schema) is not dressed up as one."""
    import etl.marts.status as status_module

    def broken(engine: Engine, *args: object) -> list[object]:
        with engine.connect() as conn:
            conn.execute(text("SELECT * FROM core.no_such_table"))
        return []

    monkeypatch.setattr(status_module, "period_status", broken)
    result = cli.invoke(app, ["status", "--period", "2024-05"])
    assert result.exit_code == 1 and "no_such_table" in str(result.exception)


def test_reprocess_unprocessed(cli: CliRunner, tmp_path: Path) -> None:
    assert "--unprocessed" in cli.invoke(app, ["reprocess", "--help"]).output
    real = cli.invoke(app, ["reprocess", "--unprocessed"])
    assert real.exit_code == 0, real.output
    assert "nothing to reprocess: no archived file without an outcome" in real.output
    refused = cli.invoke(app, ["reprocess", "--unprocessed", "7"])
    assert refused.exit_code == 2 and "--unprocessed" in one_line(refused)

    # What a run killed between archiving and recording leaves: a file archived, no outcome.
    from etl.warehouse.db import get_engine
    from etl.warehouse.ingest import archive, files_from_paths

    path = b.write_json(tmp_path / "killed.json", b.submission())
    ids, _ = archive(get_engine(), files_from_paths([path], datetime.fromisoformat("2024-05-16T09:00:00+07:00"),
                                                    "test"))
    taken = cli.invoke(app, ["reprocess", "--unprocessed"])
    assert taken.exit_code == 0, taken.output
    assert "accepted" in taken.output and "killed.json" in taken.output
    # Named by id, the file (accepted now) is refused: a correction is a new file.
    (file_id,) = ids.values()
    named = cli.invoke(app, ["reprocess", str(file_id)])
    assert named.exit_code == 2 and "accepted" in one_line(named)


def test_file_names_and_values_are_shown_escaped(cli: CliRunner, tmp_path: Path) -> None:
    """A file name or a cell with CR/LF or a terminal escape cannot forge lines or colour the
    operator's terminal: both are written as visible escapes."""
    sub = b.submission()
    b.indicator(sub, "NS01")["thuc_hien_thang"] = "khoảng\r\n\x1b[2J 50"
    path = b.write_json(tmp_path / "bad\x1b[31m\r\naccepted  fake.json", sub)
    result = cli.invoke(app, ["ingest", str(path), "--received-at", "2024-05-16T09:00:00"])
    assert result.exit_code == 1, result.output  # the file is rejected
    assert "\x1b" not in result.output and "\r" not in result.output
    assert "bad\\x1b[31m\\r\\naccepted  fake.json" in result.output
    assert len(result.output.splitlines()) == 3  # the file, its one error, the summary


def test_a_schema_at_an_older_revision_says_which(cli_runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                                 empty_database: str) -> None:
    engine = create_engine(empty_database)
    with engine.begin() as conn:  # what an old release left: its revision, none of the newer objects
        conn.execute(text("CREATE SCHEMA ops; CREATE TABLE ops.alembic_version (version_num text); "
                          "INSERT INTO ops.alembic_version VALUES ('0009')"))
    engine.dispose()
    point_at(monkeypatch, empty_database)
    result = cli_runner.invoke(app, ["status", "--period", "2024-05"])
    assert result.exit_code == 2
    line = one_line(result)
    assert "the warehouse schema is at revision 0009, this baocao needs" in line and "baocao db upgrade" in line
