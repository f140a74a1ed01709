"""Issue 15, "How it is shown": two ingests of the same folder running at once, in two processes
as two Airflow workers or two `baocao ingest` commands would, end as one ingest does: each file
archived, judged and loaded once, versions and the task dimension as one run leaves them."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from tests.conftest import empty_warehouse

# What identifies each row without its surrogate keys, which two runs at once hand out in another
# order: the file by its bytes' hash, the task version by its district, code and hash.
NATURAL_ROWS = {
    "submissions": """
        SELECT f.sha256, s.district_code, s.period_key, s.version, s.is_current, s.status, s.received_at
        FROM core.fct_submission AS s JOIN raw.file AS f USING (file_id)""",
    "indicator values": """
        SELECT f.sha256, v.indicator_code, v.value, v.ytd_value, v.value_source, v.ytd_source
        FROM core.fct_indicator_value AS v JOIN core.fct_submission AS s USING (submission_id)
        JOIN raw.file AS f USING (file_id)""",
    "task versions": """
        SELECT t.district_code, t.ma_nhiem_vu, t.row_hash, t.valid_from, t.valid_to, t.is_current, f.sha256
        FROM core.dim_task AS t JOIN core.fct_submission AS s ON s.submission_id = t.first_submission_id
        JOIN raw.file AS f USING (file_id)""",
    "task snapshots": """
        SELECT f.sha256, t.ma_nhiem_vu, t.row_hash, x.trang_thai, x.derived_status, x.as_of_date
        FROM core.fct_task_snapshot AS x JOIN core.dim_task AS t USING (task_key)
        JOIN core.fct_submission AS s ON s.submission_id = x.submission_id
        JOIN raw.file AS f ON f.file_id = s.file_id""",
    "plans": """
        SELECT f.sha256, p.district_code, p.year, p.version, p.is_current, p.status
        FROM core.fct_plan AS p JOIN raw.file AS f USING (file_id)""",
    "outcomes": """
        SELECT f.sha256, o.outcome, o.district_code, o.period_code, o.error_count, o.warning_count
        FROM ops.file_outcome AS o JOIN raw.file AS f USING (file_id)""",
    "messages": """
        SELECT f.sha256, m.code, m.sheet, m.row_number, m.column_name
        FROM ops.validation_message AS m JOIN raw.file AS f USING (file_id)""",
    "staged rows": """
        SELECT f.sha256, count(*) FROM staging.stg_indicator_row AS r JOIN raw.file AS f USING (file_id)
        GROUP BY f.sha256""",
    "archived files": "SELECT sha256, octet_length(content) FROM raw.file",
    "queue": "SELECT district_code, year FROM ops.rollup_queue",
}


def natural_rows(db: Engine) -> dict[str, list[tuple]]:
    with db.connect() as conn:
        return {name: sorted(map(tuple, conn.execute(text(sql))), key=repr) for name, sql in NATURAL_ROWS.items()}


def _ingest(url: str, deliveries: list[tuple[str, str]], start: Any, results: Any) -> None:
    """One run over the whole folder, in a process of its own, started with the other run."""
    from etl.warehouse.ingest import files_from_paths, ingest_files, load_ref_context

    engine = create_engine(url)
    files = [f for path, at in deliveries for f in files_from_paths([Path(path)], datetime.fromisoformat(at))]
    ref = load_ref_context(engine)
    start.wait(timeout=120)
    results.put([(r.file, r.status, r.earlier.status if r.earlier else None)
                 for r in ingest_files(engine, files, ref=ref)])
    engine.dispose()


def test_two_ingests_of_the_same_folder_at_once_end_as_one(db: Engine, tmp_path: Path) -> None:
    from etl.demo.run import build_year
    from etl.warehouse.ingest import files_from_paths, ingest_files

    # Four districts' first months of the demo year: plans, versions, corrections, a re-delivery.
    deliveries = sorted((d for d in build_year(2024, tmp_path / "gen")
                         if d.district in ("623", "624", "628", "637") and d.received_at.month <= 4),
                        key=lambda d: d.received_at)
    folder = [(str(d.path), d.received_at.isoformat()) for d in deliveries]
    assert len(folder) > 15

    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    url = db.url.render_as_string(hide_password=False)
    runs = [context.Process(target=_ingest, args=(url, folder, start, results)) for _ in range(2)]
    for run in runs:
        run.start()
    both = [results.get(timeout=300) for _ in runs]
    for run in runs:
        run.join(timeout=60)
        assert run.exitcode == 0
    concurrent = natural_rows(db)
    with db.connect() as conn:
        paths = [p for (p,) in conn.execute(text("SELECT load_path FROM ops.ingest_run ORDER BY run_id"))]

    empty_warehouse(db)
    alone = ingest_files(db, [f for d in deliveries for f in files_from_paths([d.path], d.received_at)])
    assert natural_rows(db) == concurrent
    assert len(concurrent["submissions"]) > 15 and concurrent["task versions"] and concurrent["plans"]

    # Each file's verdict was given once, by one run or the other; the other run found it done.
    verdicts = Counter((file, status) for run in both for file, status, _ in run if status != "duplicate")
    assert verdicts == Counter((r.file, r.status) for r in alone if r.status != "duplicate")
    assert Counter(file for run in both for file, _, _ in run) == Counter(r.file for r in alone for _ in range(2))
    # A duplicate's reply says what became of the file, whichever run judged it.
    judged: dict[str, set[str]] = {}
    for r in alone:
        judged.setdefault(r.file, set()).add(r.earlier.status if r.earlier else r.status)
    assert all(earlier in judged[file] for run in both for file, status, earlier in run if status == "duplicate")
    # The run whose load waited for the other's left out what that one had loaded, in its batch: no
    # file failed on its keys, so neither run fell back to loading file by file (it did before).
    # "nothing" for a run that started late enough to find every file done when archiving it.
    assert "batch" in paths and set(paths) <= {"batch", "nothing"}, paths
