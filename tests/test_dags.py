"""The DAGs, run with dag.test() against the real warehouse (Airflow's own metadata DB is
SQLite in a temporary AIRFLOW_HOME, see conftest)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from etl.warehouse import db as db_module
from etl.warehouse import transient
from tests import builders as b
from tests.conftest import HookSink, MailSink
from tests.test_ingest import snapshot

TZ = "+07:00"


def get_dag(dag_id: str) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(Path(__file__).resolve().parent.parent / "dags"))
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag(dag_id)


@pytest.fixture
def airflow_env(db: Engine, warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                airflow_db: None) -> Path:
    """The DAGs' configuration: this test's warehouse and a landing folder."""
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("WAREHOUSE_URL", warehouse_url)
    monkeypatch.setenv("BAOCAO_LANDING_URL", str(landing))
    monkeypatch.setenv("BAOCAO_INGEST_BATCH_SIZE", "2")
    db_module.get_engine.cache_clear()
    return landing


def states(run: Any) -> dict[str, str]:
    return {f"{ti.task_id}[{ti.map_index}]" if ti.map_index >= 0 else ti.task_id: ti.state
            for ti in run.get_task_instances()}


def test_ingest_dag_loads_new_files_quarantines_the_bad_one_and_reruns_idempotently(
        db: Engine, airflow_env: Path) -> None:
    for district in ("637", "638", "639"):
        b.write_json(airflow_env / f"{district}.json", b.submission(district=district))
    bad = b.submission(district="247")
    b.indicator(bad, "NS01")["luy_ke_nam"] = "3.8650.000"
    b.write_json(airflow_env / "247.json", bad)
    dag = get_dag("ingest_submissions")
    run = dag.test()
    assert run.state == "success", states(run)
    got = states(run)
    assert [k for k in got if k.startswith("ingest_batch")] == ["ingest_batch[0]", "ingest_batch[1]"]  # 2 per batch
    assert got["publish"] == "success"
    with db.connect() as conn:
        loaded = conn.execute(text("SELECT count(DISTINCT district_code) FROM core.indicator_value_current")).scalar()
        rejected = conn.execute(text("SELECT count(*) FROM ops.file_outcome WHERE outcome = 'rejected'")).scalar()
    assert (loaded, rejected) == (3, 1)
    assert sorted(p.name for p in airflow_env.iterdir()) == ["archive", "quarantine"]  # the landing root is empty
    assert [p.name.split("_", 1)[1] for p in (airflow_env / "quarantine").iterdir()] == ["247.json"]

    before = snapshot(db)
    again = dag.test()  # nothing new: nothing to do, nothing announced
    assert again.state == "success", states(again)
    assert states(again)["publish"] == "skipped"
    assert snapshot(db) == before
    # The same bytes landing again are recognised and filed away, changing nothing but the
    # record of the delivery.
    archived = next((airflow_env / "archive").rglob("*639.json"))
    (airflow_env / "639-again.json").write_bytes(archived.read_bytes())
    third = dag.test()
    assert third.state == "success" and states(third)["publish"] == "skipped"
    after = snapshot(db)
    deliveries = after.pop("raw.file_delivery")
    assert after == {k: v for k, v in before.items() if k != "raw.file_delivery"}
    assert "639-again.json" in {row[2] for row in deliveries} and len(deliveries) == len(
        before["raw.file_delivery"]) + 1


def test_rollup_dag_refreshes_the_marts(db: Engine, airflow_env: Path) -> None:
    from etl.warehouse.ingest import ingest_paths

    ingest_paths(db, [b.write_json(airflow_env.parent / "s.json", b.submission())],
                 received_at=datetime.fromisoformat(f"2024-05-16T09:00:00{TZ}"))
    run = get_dag("rollup_marts").test()
    assert run.state == "success", states(run)
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM mart.indicator_monthly WHERE unit_code = '639'")).scalar() > 0
        assert conn.execute(text("SELECT count(*) FROM ops.rollup_queue")).scalar() == 0
    # What the engineer reads in the refresh task's XCom: every figure of the refresh (RollupResult.summary).
    [ti] = [t for t in run.get_task_instances() if t.task_id == "refresh"]
    summary = ti.xcom_pull(task_ids="refresh")
    assert summary["mode"] == "full" and summary["indicator_rows"] > 0 and summary["status_rows"] > 0
    assert {"from_partial_sums", "lock_retries", "units", "task_rows", "seconds"} <= summary.keys()
    assert {"scope", "indicator_rollup", "submission_status"} <= summary["steps"].keys()


def test_monitor_dag_sends_due_alerts_once(db: Engine, airflow_env: Path, alert_channels: None,
                                           smtp_server: MailSink, webhook_server: HookSink) -> None:
    from etl.warehouse.ingest import ingest_paths

    ingest_paths(db, [b.write_json(airflow_env.parent / "s.json", b.submission(district="639"))],
                 received_at=datetime.fromisoformat(f"2024-05-16T09:00:00{TZ}"))
    dag = get_dag("monitor_submissions")
    run = dag.test(run_conf={"as_of": f"2024-05-20T08:00:00{TZ}"})
    assert run.state == "success", states(run)
    # Gia Lai's other 16 districts, none with an address on file: one digest to the desk, a line
    # each; Chư Pưh was on time.
    [late] = [m for m in smtp_server.messages if "(LATE)" in m["Subject"]]
    assert late["Subject"] == "[baocao] Quá hạn gửi báo cáo tháng 05/2024: 16 báo cáo (LATE)"
    lines = [line for line in late.get_content().splitlines() if line.startswith("  - ")]
    assert len(lines) == 16 and not any("Chư Pưh" in line for line in lines)
    count = len(smtp_server.messages)
    assert dag.test(run_conf={"as_of": f"2024-05-20T08:00:00{TZ}"}).state == "success"
    assert len(smtp_server.messages) == count  # exactly once across runs


def test_a_failing_task_retries_then_tells_the_engineers(db: Engine, airflow_env: Path, alert_channels: None,
                                                         smtp_server: MailSink, webhook_server: HookSink,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    b.write_json(airflow_env / "639.json", b.submission())
    # The warehouse goes away: every attempt of the ingest task fails, each after its own transient
    # retries (as many as in production, each a moment instead of up to 4 s).
    monkeypatch.setenv("WAREHOUSE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    monkeypatch.setattr(transient, "BACKOFF_SECONDS", (0.01,) * len(transient.BACKOFF_SECONDS))
    db_module.get_engine.cache_clear()
    run = get_dag("ingest_submissions").test()
    assert run.state == "failed"
    [ti] = [t for t in run.get_task_instances() if t.task_id == "ingest_batch"]
    assert ti.try_number == 3  # the first attempt and two retries
    assert any("ingest_batch" in p["text"] and "failed" in p["text"] for p in webhook_server.posts)
    assert any(m["To"] == "kythuat@tinh.example.gov.vn" and "ingest_batch" in m["Subject"]
               for m in smtp_server.messages)
    assert (airflow_env / "639.json").exists()  # nothing lost: the file waits for the next run


def test_a_landed_file_arrives_when_it_lands_not_at_its_modification_time(db: Engine, airflow_env: Path) -> None:
    """cp -p / rsync -a / touch -d give a file the modification time 14/05/2024; it lands now:
    the inode change time says so, and May 2024 is late. A replay sets arrival times by hand,
    recorded with who replayed."""
    import os

    copied = b.write_json(airflow_env / "639.json", b.submission())
    dated = datetime.fromisoformat(f"2024-05-14T09:00:00{TZ}").timestamp()
    os.utime(copied, (dated, dated))
    b.write_json(airflow_env / "247.json", b.submission(district="247"))
    dag = get_dag("ingest_submissions")
    run = dag.test(run_conf={"arrivals": {"247.json": f"2024-05-16T08:00:00{TZ}"}, "operator": "replay.ops"})
    assert run.state == "success", states(run)
    with db.connect() as conn:
        files = {r.file_name: r for r in conn.execute(text(
            "SELECT file_name, received_at, received_at_rule, override_by FROM raw.file"))}
        status = dict(conn.execute(text(
            "SELECT district_code, status FROM mart.submission_status_at(now()) "
            "WHERE year = 2024 AND month = 5 AND district_code IN ('639', '247')")).all())
    assert files["639.json"].received_at_rule == "inode_change"
    assert files["639.json"].received_at.year >= 2026 and files["639.json"].override_by is None
    assert (files["247.json"].received_at_rule, files["247.json"].override_by) == ("override", "replay.ops")
    assert status == {"639": "late", "247": "on_time"}


def test_a_replayed_arrival_must_say_who_and_carry_its_offset(db: Engine, airflow_env: Path) -> None:
    b.write_json(airflow_env / "639.json", b.submission())
    dag = get_dag("ingest_submissions")
    for conf in ({"arrivals": {"639.json": f"2024-05-16T08:00:00{TZ}"}},  # no operator
                 {"arrivals": {"639.json": "2024-05-16T08:00:00"}, "operator": "replay.ops"}):  # no offset
        run = dag.test(run_conf=conf)
        assert run.state == "failed"
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM raw.file")).scalar() == 0


def test_a_warehouse_connection_kept_only_in_the_metadata_database_is_used(
        db: Engine, airflow_env: Path, warehouse_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # As `airflow connections add baocao_warehouse ...` leaves it: no environment variable at all.
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy.engine import make_url

    monkeypatch.delenv("WAREHOUSE_URL")
    monkeypatch.delenv("AIRFLOW_CONN_BAOCAO_WAREHOUSE", raising=False)
    url = make_url(warehouse_url)
    with create_session() as session:
        session.add(Connection(conn_id="baocao_warehouse", conn_type="postgres", host=url.host, port=url.port,
                               login=url.username, password=url.password, schema=url.database))
    try:
        b.write_json(airflow_env / "638.json", b.submission(district="638"))
        run = get_dag("ingest_submissions").test()
    finally:
        with create_session() as session:
            session.query(Connection).filter(Connection.conn_id == "baocao_warehouse").delete()
    assert run.state == "success", states(run)
    with db.connect() as conn:
        assert conn.execute(text("SELECT district_code FROM core.fct_submission")).scalars().all() == ["638"]


def test_a_worker_without_a_warehouse_fails_at_once_saying_which_to_set(
        db: Engine, airflow_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("WAREHOUSE_URL")
    monkeypatch.delenv("AIRFLOW_CONN_BAOCAO_WAREHOUSE", raising=False)
    monkeypatch.setenv("BAOCAO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BAOCAO_RETRIES", "2")
    db_module.get_engine.cache_clear()
    run = get_dag("rollup_marts").test()
    assert run.state == "failed"
    [ti] = [t for t in run.get_task_instances() if t.task_id == "refresh"]
    assert ti.state == "failed" and ti.try_number == 1  # not retried: waiting would not set it
    assert states(run)["board"] == "upstream_failed"  # the board waits for a refresh that worked
    out = capsys.readouterr()
    assert "no warehouse: define the Airflow connection baocao_warehouse" in out.out + out.err
    assert not (tmp_path / "data" / "pgdata").exists()  # no embedded PostgreSQL started in its place


@pytest.mark.parametrize("as_of", ["20/11/2026", "2026-11-20T08:00:00", "2026-11-20", "hôm qua"])
def test_a_replay_moment_without_its_offset_is_refused_when_triggered(db: Engine, airflow_env: Path,
                                                                    as_of: str) -> None:
    from airflow.sdk.exceptions import ParamValidationError

    dag = get_dag("monitor_submissions")
    with pytest.raises(ParamValidationError, match="as_of"):
        dag.test(run_conf={"as_of": as_of})
    param = dag.params.get_param("as_of")  # what the API and the trigger form check the conf with
    with pytest.raises(ParamValidationError):
        param.resolve(as_of)
    for good in ("2026-11-20T08:00:00+07:00", "2026-11-20T01:00:00Z", "2026-11-20 08:00+07:00", None):
        assert param.resolve(good) == good
