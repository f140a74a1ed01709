"""Rollups checked against figures computed by hand, incremental = full, the analyst role."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError

from etl.marts.rollup import refresh, step_files
from etl.warehouse.ingest import IncomingFile, files_from_paths, ingest_files, ingest_paths
from tests import builders as b
from tests.mart_compare import build_tables, partitions

TZ = "+07:00"
# Vĩnh Phúc (26): 9 districts; Tam Dương 247 and Vĩnh Yên 243 report, the 7 others do not.
TAM_DUONG, VINH_YEN = "247", "243"


def arrive(db: Engine, tmp_path: Path, doc: dict[str, Any], at: str | None = None) -> None:
    """One file arrives (on the 16th of its month unless `at`) in an ingest run of its own."""
    arrive_together(db, tmp_path, [(doc, at)])


def arrive_together(db: Engine, tmp_path: Path, arrivals: list[tuple[dict[str, Any], str | None]]) -> None:
    """Files that arrived at their own moments, loaded in one ingest run, which numbers versions
    by arrival as runs one after another would (tests/test_ingest.py shows the two load alike):
    one run of the gate instead of one per file, for a test's data."""
    ingest_accepted(db, arrival_files(tmp_path, arrivals))


def arrival_files(tmp_path: Path, arrivals: list[tuple[dict[str, Any], str | None]]) -> list[IncomingFile]:
    """Each submission written as JSON, arriving on the 16th of its month unless given a moment."""
    files = []
    for doc, at in arrivals:
        year, month = map(int, doc["ky_bao_cao"].split("-"))
        when = datetime.fromisoformat(at) if at else datetime.fromisoformat(f"{year}-{month:02d}-16T09:00:00{TZ}")
        name = f"{doc['ma_huyen']}_{doc['ky_bao_cao']}_{len(list(tmp_path.iterdir()))}.json"
        files += files_from_paths([b.write_json(tmp_path / name, doc)], when)
    return files


def ingest_accepted(db: Engine, files: list[IncomingFile]) -> None:
    """One ingest run of `files`, every one of which must be accepted."""
    results = ingest_files(db, files)
    assert len(results) == len(files)
    for result in results:
        assert result.status.startswith("accepted"), (result.file, result.errors)


def row(db: Engine, view: str, where: str, **params: Any) -> dict[str, Any]:
    with db.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM mart.{view} WHERE {where}"), params).mappings().all()
    assert len(rows) == 1, rows
    return dict(rows[0])


@pytest.fixture
def half_year(db: Engine, tmp_path: Path) -> Engine:
    """Tam Dương Jan-Jun 2024: a stock, a flow, an opening balance; Vĩnh Yên June only."""
    arrive_together(db, tmp_path, [
        *((b.month(TAM_DUONG, f"2024-{m:02d}", {"NN05": 100 + 10 * (m - 1), "NS01": 10 * m, "TT01": 3 + 2 * m,
                                               "XH01": 100, "XH02": 1000}), None) for m in range(1, 7)),
        (b.month(VINH_YEN, "2024-06", {"NN05": 500, "NS01": 70, "XH01": 30, "XH02": 3000}), None)])
    refresh(db, full=True)
    return db


def test_stock_half_year_is_june_flow_is_the_sum_opening_is_january(half_year: Engine) -> None:
    h1 = "level = 'district' AND unit_code = :u AND year = 2024 AND half = 1 AND indicator_code = :c"
    assert row(half_year, "indicator_semiannual", h1, u=TAM_DUONG, c="NN05")["value"] == 150  # not 750
    assert row(half_year, "indicator_semiannual", h1, u=TAM_DUONG, c="NS01")["value"] == 210  # 10+20+...+60
    assert row(half_year, "indicator_semiannual", h1, u=TAM_DUONG, c="TT01")["value"] == 5  # January's
    # Vĩnh Yên sent June only: its stock is complete for H1, its flow is not.
    assert row(half_year, "indicator_semiannual", h1, u=VINH_YEN, c="NN05")["reporting_units"] == 1
    assert row(half_year, "indicator_semiannual", h1, u=VINH_YEN, c="NS01")["reporting_units"] == 0


def test_year_without_its_last_months_takes_the_last_reported_and_is_marked_incomplete(half_year: Engine) -> None:
    year = "level = :l AND unit_code = :u AND year = 2024 AND indicator_code = :c"
    got = {
        c: (r["value"], r["reporting_units"])
        for c in ("NN05", "NS01", "TT01")
        for r in [row(half_year, "indicator_annual", year, l="district", u=TAM_DUONG, c=c)]
    }
    # Only January-June reported: the stock is June's (no December), the flow the six months'
    # (not twelve), both incomplete; the opening balance is January's and complete.
    assert got == {"NN05": (150, 0), "NS01": (210, 0), "TT01": (5, 1)}
    province = row(half_year, "indicator_annual", year, l="province", u="26", c="NN05")
    assert (province["value"], province["reporting_units"]) == (650, 0)  # 150 + 500, neither district complete


def test_province_rate_is_recomputed_not_averaged(half_year: Engine) -> None:
    june = "level = :l AND unit_code = :u AND year = 2024 AND month = 6 AND indicator_code = 'XH03'"
    assert row(half_year, "indicator_monthly", june, l="district", u=TAM_DUONG)["value"] == 10  # 100/1000
    assert row(half_year, "indicator_monthly", june, l="district", u=VINH_YEN)["value"] == 1  # 30/3000
    province = row(half_year, "indicator_monthly", june, l="province", u="26")
    assert province["value"] == Decimal("3.25")  # 130/4000, not the mean of 10 and 1 (5.5)
    assert province["yoy_change_pct"] is None


def test_partial_province_total_says_how_many_reported(half_year: Engine) -> None:
    june = "level = :l AND unit_code = :u AND year = 2024 AND month = 6 AND indicator_code = 'NN05'"
    province = row(half_year, "indicator_monthly", june, l="province", u="26")
    assert (province["value"], province["reporting_units"], province["expected_units"]) == (650, 2, 9)
    merged = row(half_year, "indicator_monthly", june, l="province_2025", u="25")  # Phú Thọ now holds Vĩnh Phúc
    # Issue 10: expected as mart.reporting_rate counts it: Phú Thọ and Hòa Bình never sent anything
    # and are not assigned, so only Vĩnh Phúc's 9 districts are expected (was every district of Phú Thọ).
    assert merged["value"] == 650 and merged["expected_units"] == 9
    assert merged["unit_name"] == "Tỉnh Phú Thọ"


def test_same_period_last_year_relative_for_stocks_points_for_rates(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2023-06", {"NN05": 80000, "XH01": 100, "XH02": 1000}))
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-06", {"NN05": 92000, "XH01": 80, "XH02": 1000}))
    refresh(db, full=True)
    june = "level = 'district' AND unit_code = :u AND year = 2024 AND month = 6 AND indicator_code = :c"
    pigs = row(db, "indicator_monthly", june, u=TAM_DUONG, c="NN05")
    assert (pigs["same_period_last_year"], pigs["yoy_change_pct"], pigs["yoy_change_points"]) == (80000, 15, None)
    poverty = row(db, "indicator_monthly", june, u=TAM_DUONG, c="XH03")
    assert poverty["value"] == 8 and poverty["same_period_last_year"] == 10
    assert (poverty["yoy_change_points"], poverty["yoy_change_pct"]) == (-2, None)


def test_a_province_change_says_how_many_districts_last_year_had(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2023-06", {"NN05": 80000}))
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-06", {"NN05": 92000}))
    arrive(db, tmp_path, b.month(VINH_YEN, "2024-06", {"NN05": 8000}))  # nothing from Vĩnh Yên in 2023
    refresh(db, full=True)
    june = "level = :l AND unit_code = :u AND year = :y AND month = 6 AND indicator_code = 'NN05'"
    province = row(db, "indicator_monthly", june, l="province", u="26", y=2024)
    # +25 % is 92.000 + 8.000 against Tam Dương alone: 2 districts this year, 1 last year
    assert (province["value"], province["same_period_last_year"], province["yoy_change_pct"]) == (100000, 80000, 25)
    assert (province["reporting_units"], province["last_year_reporting_units"]) == (2, 1)
    assert row(db, "indicator_monthly", june, l="district", u=TAM_DUONG, y=2024)["last_year_reporting_units"] == 1
    assert row(db, "indicator_monthly", june, l="province", u="26", y=2023)["last_year_reporting_units"] is None


def test_plan_attainment_follows_the_indicator_direction(db: Engine, tmp_path: Path) -> None:
    for m in range(1, 13):
        arrive(db, tmp_path, b.month(TAM_DUONG, f"2024-{m:02d}", {"NS01": 1000, "XH01": 80, "XH02": 1000}))
    plan = b.plan(district=TAM_DUONG, ke_hoach=[
        {"ma_chi_tieu": "NS01", "don_vi_tinh": "triệu đồng", "ke_hoach_nam": 12500},  # revenue: higher is better
        {"ma_chi_tieu": "XH03", "don_vi_tinh": "%", "ke_hoach_nam": "8,5"},  # poverty: lower is better
    ])
    ingest_paths(db, [b.write_json(tmp_path / "plan.json", plan)],
                 received_at=datetime.fromisoformat(f"2024-01-10T08:00:00{TZ}"))
    refresh(db, full=True)
    year = "level = 'district' AND unit_code = :u AND year = 2024 AND indicator_code = :c"
    revenue = row(db, "indicator_annual", year, u=TAM_DUONG, c="NS01")
    assert (revenue["value"], revenue["pct_of_annual_plan"], revenue["plan_attained"]) == (12000, 96, False)
    poverty = row(db, "indicator_annual", year, u=TAM_DUONG, c="XH03")
    assert (poverty["value"], poverty["plan_attained"]) == (8, True)  # 8 % is below the 8,5 % target: attained
    h1 = row(db, "indicator_semiannual", year + " AND half = 1", u=TAM_DUONG, c="NS01")
    assert h1["pct_of_annual_plan"] == 48  # 6.000 of 12.500


def test_task_rollup_counts_status_at_the_end_of_the_period(db: Engine, tmp_path: Path) -> None:
    task = b.task
    tasks = [task("A", "UBND tỉnh", "Hoàn thành", "31/03/2024", "20/03/2024"),
             task("B", "UBND tỉnh", "Hoàn thành", "31/03/2024", "10/04/2024"),
             task("C", "UBND tỉnh", "Đang thực hiện", "31/05/2024"),
             task("D", "UBND tỉnh", "Đang thực hiện", "31/12/2024"),
             task("E", "Huyện ủy", "Đang thực hiện", None)]
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-06", {"NN05": 1}, tasks))
    refresh(db, full=True)
    h1 = row(db, "task_semiannual", "unit_code = :u AND half = 1 AND assigning_body = 'UBND tỉnh'", u=TAM_DUONG)
    assert {k: h1[k] for k in ("tasks_total", "done_on_time", "done_late", "in_progress", "overdue")} == {
        "tasks_total": 4, "done_on_time": 1, "done_late": 1, "in_progress": 1, "overdue": 1}
    assert h1["on_time_rate"] == 25
    province = row(db, "task_semiannual", "level = 'province' AND unit_code = '26' AND half = 1 "
                                          "AND assigning_body = 'Huyện ủy'")
    assert (province["tasks_total"], province["in_progress"]) == (1, 1)


def test_incremental_refresh_after_a_correction_equals_a_full_rebuild(half_year: Engine, tmp_path: Path) -> None:
    db = half_year
    arrive(db, tmp_path, b.month(VINH_YEN, "2024-07", {"NN05": 520, "NS01": 80}))
    corrected = b.month(TAM_DUONG, "2024-03", {"NN05": 125, "NS01": 35, "TT01": 9, "XH01": 90, "XH02": 1000})
    arrive(db, tmp_path, corrected, at=f"2024-03-20T09:00:00{TZ}")
    result = refresh(db)
    assert result.mode == "incremental"
    assert 0 < result.units < 12  # two districts, their provinces, 2024 and 2025: not everything
    incremental = _marts(db)
    assert refresh(db, full=True).mode == "full"
    assert _marts(db) == incremental
    h1 = "level = 'district' AND unit_code = :u AND year = 2024 AND half = 1 AND indicator_code = 'NS01'"
    assert row(db, "indicator_semiannual", h1, u=TAM_DUONG)["value"] == 215  # 210 - 30 + 35
    assert refresh(db).mode == "nothing"


def test_a_figure_a_correction_takes_back_leaves_the_mart(half_year: Engine, tmp_path: Path) -> None:
    """March sent again without the stock NN05: its March row goes (an incremental refresh that only
    updated and inserted rows would keep it), and the marts equal a full rebuild's."""
    db = half_year
    where = "level = 'district' AND unit_code = :u AND year = 2024 AND month = 3 AND indicator_code = :c"
    assert row(db, "indicator_monthly", where, u=TAM_DUONG, c="NN05")["value"] == 120
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-03", {"NS01": 35, "TT01": 9, "XH01": 100, "XH02": 1000}),
           at=f"2024-03-20T09:00:00{TZ}")
    assert refresh(db).mode == "incremental"
    assert row(db, "indicator_monthly", where, u=TAM_DUONG, c="NS01")["value"] == 35
    with db.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM mart.indicator_monthly WHERE {where}"),
                            {"u": TAM_DUONG, "c": "NN05"}).scalar() == 0
    incremental = _marts(db)
    assert refresh(db, full=True).mode == "full"
    assert _marts(db) == incremental


def _marts(db: Engine) -> dict[str, list[tuple]]:
    from tests.mart_compare import mart_objects

    with db.connect() as conn:
        columns = mart_objects(conn)  # without the clock columns (refreshed_at)
        return {t: sorted(map(tuple, conn.execute(text(
            f"SELECT {', '.join(columns[t])} FROM mart.{t}")).all()), key=repr)
            for t in ("indicator_monthly", "indicator_semiannual", "indicator_annual", "task_monthly",
                      "task_semiannual", "task_annual")}


def test_rollup_of_one_year_rebuilds_that_year_and_the_next(half_year: Engine) -> None:
    before = _marts(half_year)
    result = refresh(half_year, year=2024)
    assert result.mode == "year"
    # every unit (the package's 696 districts and Yên Dũng, the 3.321 communes), 2024 and 2025
    assert result.units == 2 * (697 + 63 + 34 + 3321)
    assert _marts(half_year) == before


def test_every_rollup_step_says_what_it_reads_writes_and_takes() -> None:
    steps = step_files()
    assert [int(p.name[:2]) for p in steps] == list(range(1, len(steps) + 1))  # run in this order
    for path in steps:
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[:next(i for i, line in enumerate(lines) if not line.startswith("--"))]
        assert header[0].startswith(f"-- Step {path.name[:2]} of the rollup"), path.name
        labels = {line.split(":")[0] for line in header}
        assert {"-- Reads", "-- Parameters"} <= labels and labels & {"-- Creates", "-- Writes"}, path.name


def test_submission_status_as_of_any_day(db: Engine, tmp_path: Path) -> None:
    deadline = datetime.fromisoformat(f"2024-05-18T23:59:59{TZ}")  # Vĩnh Phúc uses the default, the 18th
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NN05": 1}), at=f"2024-05-16T09:00:00{TZ}")
    arrive(db, tmp_path, b.month(VINH_YEN, "2024-05", {"NN05": 1}), at=f"2024-05-21T09:00:00{TZ}")
    bad = b.month("244", "2024-05", {"NN05": "khoảng 5"})
    ingest_paths(db, [b.write_json(tmp_path / "bad.json", bad)],
                 received_at=datetime.fromisoformat(f"2024-05-17T09:00:00{TZ}"))

    def status(as_of: datetime) -> dict[str, tuple]:
        with db.connect() as conn:
            rows = conn.execute(text("SELECT district_code, status, days_late, versions_received "
                                     "FROM mart.submission_status_at(:t) WHERE year = 2024 AND month = 5"),
                                {"t": as_of}).all()
        return {r[0]: tuple(r[1:]) for r in rows}

    before = status(deadline - timedelta(days=1))
    assert before[TAM_DUONG] == ("on_time", 0, 1)
    # Issue 10: nothing accepted, no days late (a missing month's count grew until the refresh).
    assert before["244"] == ("rejected", None, 1)
    assert before["246"] == ("pending", None, 0)
    after = status(deadline + timedelta(days=5))
    assert after[VINH_YEN] == ("late", 3, 1)
    assert after["246"] == ("missing", None, 0)
    assert len(after) == 9  # every district of Vĩnh Phúc is expected


def test_an_assigned_province_is_expected_before_any_district_sends(db: Engine) -> None:
    from etl.alerts.due import due_alerts
    from etl.domain.calendar import parse_assignments
    from etl.warehouse.reference import load_assignments, load_reporting_calendar

    with db.begin() as conn:
        load_assignments(conn, parse_assignments([{"province_code": "26", "from": "2024-05"}]))
    try:
        def status(as_of: str) -> set[tuple[str, int, str]]:
            with db.connect() as conn:
                return {(r[0], r[1], r[2]) for r in conn.execute(text(
                    "SELECT district_code, month, status FROM mart.submission_status_at(:t) WHERE year = 2024"),
                    {"t": datetime.fromisoformat(as_of)})}

        # Nothing was ever sent: still, all 9 districts of Vĩnh Phúc owe May (not April: assigned from May).
        before = status(f"2024-05-16T09:00:00{TZ}")
        assert len(before) == 9 and {(m, s) for _, m, s in before} == {(5, "pending")}
        after = status(f"2024-05-20T09:00:00{TZ}")
        assert len(after) == 9 and {(m, s) for _, m, s in after} == {(5, "missing")}
        reminders = [a for a in due_alerts(db, datetime.fromisoformat(f"2024-05-16T09:00:00{TZ}"))
                     if a.kind == "reminder"]
        assert len(reminders) == 9
    finally:
        with db.begin() as conn:
            load_reporting_calendar(conn)  # back to reference/reporting_calendar.yaml
    assert status(f"2024-05-20T09:00:00{TZ}") == set()  # unassigned and silent: not expected


def test_analyst_role_reads_mart_and_nothing_else(half_year: Engine) -> None:
    with half_year.connect() as conn:
        conn.execute(text("SET ROLE baocao_analyst"))
        assert conn.execute(text("SELECT count(*) FROM mart.indicator_monthly")).scalar() > 0
        assert conn.execute(text("SELECT count(*) FROM mart.reporting_rate")).scalar() > 0
        for statement in ("SELECT count(*) FROM raw.file", "SELECT count(*) FROM core.fct_submission",
                          "SELECT count(*) FROM ops.validation_message",
                          "DELETE FROM mart.indicator_rollup", "INSERT INTO mart.submission_status_rollup SELECT * "
                          "FROM mart.submission_status_rollup", "UPDATE mart.submission_status SET errors = 0",
                          "CREATE TABLE mart.x (a int)"):
            savepoint = conn.begin_nested()
            with pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text(statement))
            savepoint.rollback()
        conn.rollback()


def test_every_mart_column_is_documented_in_both_languages(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT c.table_name, c.column_name, col_description(format('mart.%I', c.table_name)::regclass,
                                                                 c.ordinal_position)
            FROM information_schema.columns c
            JOIN information_schema.views v ON v.table_schema = c.table_schema AND v.table_name = c.table_name
            WHERE c.table_schema = 'mart'
        """)).all()
    missing = [(t, c) for t, c, d in rows if not d or " / " not in d]
    assert rows and not missing, missing


def test_the_rollup_first_analyzes_the_tables_a_load_changed(db: Engine, tmp_path: Path) -> None:
    """ops.analyze_stale: the refresh runs seconds after a load, before autovacuum would analyze
    what it changed; planned on the statistics of an emptier warehouse, a national month's refresh
    ran for minutes (bench.celery_topology)."""
    import time

    with db.begin() as conn:
        conn.execute(text("SELECT ops.analyze_stale()"))  # the reference data loaded by the fixture
    for m in range(1, 13):  # 12 x 5 indicator values: past autovacuum's threshold of 50 rows
        values = {"NN05": 100 + 10 * (m - 1), "NS01": 10 * m, "TT01": 3 + 2 * m, "XH01": 100, "XH02": 1000}
        arrive(db, tmp_path, b.month(TAM_DUONG, f"2024-{m:02d}", values))

    def analyzed() -> list[str]:
        with db.begin() as conn:
            return list(conn.execute(text("SELECT ops.analyze_stale()")).scalar_one())

    deadline = time.monotonic() + 15  # the counters reach pg_stat_user_tables when the loader's session idles
    while "core.fct_indicator_value" not in (got := analyzed()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "core.fct_indicator_value" in got
    assert "core.fct_indicator_value" not in analyzed()  # analyzed now: nothing to do until the next load
    with db.connect() as conn:
        assert conn.execute(text("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
                                 "WHERE schemaname = 'core' AND relname = 'fct_indicator_value'")).scalar()


@pytest.fixture
def two_years(db: Engine, tmp_path: Path) -> Engine:
    """Tam Dương and Vĩnh Yên, a quarter of 2023 and of 2024 each, with corrections and a plan."""
    arrivals: list[tuple[dict[str, Any], str | None]] = []
    for year in (2023, 2024):
        for m in range(1, 4):
            arrivals.append((b.month(TAM_DUONG, f"{year}-{m:02d}", {
                "NN05": 100 + 10 * m + year % 10, "NS01": 10 * m, "TT01": 3 + 2 * m, "XH01": 100, "XH02": 1000}), None))
            arrivals.append((b.month(VINH_YEN, f"{year}-{m:02d}", {"NN05": 500 - m, "NS01": 70 + m, "XH01": 30,
                                                                   "XH02": 3000}), None))
    arrivals.append((b.month(TAM_DUONG, "2023-02", {"NN05": 999, "NS01": 21, "XH01": 100, "XH02": 1000}),
                     f"2023-04-02T09:00:00{TZ}"))
    arrive_together(db, tmp_path, arrivals)
    return db


def test_a_full_rebuild_in_parallel_sessions_equals_one_in_a_single_session(two_years: Engine, tmp_path: Path) -> None:
    """Issue 15: the figures of a full rebuild computed by a session per share of the years, on the
    refresh's snapshot, each written into a table of its own that the refresh attaches as the mart's
    partition for those years (revision 0025), are row for row those of one session; the old
    partitions are gone, and a later refresh of a year no partition has goes to the default one."""
    from tests.mart_compare import differences, mart_snapshot

    single = refresh(two_years, full=True, sessions=1)
    one = mart_snapshot(two_years)
    parallel = refresh(two_years, full=True, sessions=2)
    assert not any(step.startswith("session") for step in single.steps)
    assert "figures in 2 sessions (2023-2023, 2024-2025)" in parallel.steps, parallel.steps
    assert {f"session {n}: {step}" for n in (1, 2) for step in ("scope", "district_figures", "build rows",
                                                                 "its key")} <= set(parallel.steps)
    assert one["indicator_rollup"] and not differences(one, mart_snapshot(two_years))
    assert (parallel.units, parallel.indicator_rows, parallel.task_rows, parallel.status_rows) == (
        single.units, single.indicator_rows, single.task_rows, single.status_rows)
    assert partitions(two_years) == [
        ("ops.indicator_rollup_default", "DEFAULT", 0, "baocao_owner", True),
        ("ops.indicator_rollup_y2023_2023", "FOR VALUES FROM (202300) TO (202400)",
         rows_of(two_years, 2023), "baocao_owner", True),
        ("ops.indicator_rollup_y2024_2025", "FOR VALUES FROM (202400) TO (202600)",
         rows_of(two_years, 2024) + rows_of(two_years, 2025), "baocao_owner", True)]
    refresh(two_years, full=True, sessions=2)  # again: the partitions of the same years replaced
    assert [p[:3] for p in partitions(two_years)] == [
        ("ops.indicator_rollup_default", "DEFAULT", 0),
        ("ops.indicator_rollup_y2023_2023", "FOR VALUES FROM (202300) TO (202400)", rows_of(two_years, 2023)),
        ("ops.indicator_rollup_y2024_2025", "FOR VALUES FROM (202400) TO (202600)",
         rows_of(two_years, 2024) + rows_of(two_years, 2025))]
    assert not differences(one, mart_snapshot(two_years))
    # A year no partition has (a commune's first month of 2026, refreshed: 2026, and 2027 compared with it) goes to the
    # default partition; a rebuild in one session writes into the partitions there are.
    arrive(two_years, tmp_path, b.month("08872", "2026-01", {"NN05": 500, "NS01": 20, "XH01": 90, "XH02": 1000}),
           at=f"2026-02-05T09:00:00{TZ}")
    assert refresh(two_years).mode == "incremental"
    in_2026 = rows_of(two_years, 2026) + rows_of(two_years, 2027)
    assert in_2026 > 0 and partitions(two_years)[0][:3] == ("ops.indicator_rollup_default", "DEFAULT", in_2026)
    again = mart_snapshot(two_years)
    refresh(two_years, full=True, sessions=1)
    assert not differences(again, mart_snapshot(two_years))
    assert [p[2] for p in partitions(two_years)] == [in_2026, rows_of(two_years, 2023),
                                                      rows_of(two_years, 2024) + rows_of(two_years, 2025)]


def rows_of(db: Engine, year: int) -> int:
    with db.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM mart.indicator_rollup WHERE year = :y"),
                            {"y": year}).scalar_one()


def test_an_incremental_refresh_reads_the_year_before_from_the_mart_and_equals_a_full_rebuild(
        two_years: Engine, tmp_path: Path) -> None:
    """Issue 15: a corrected 2024 month rebuilds 2024 and 2025, and compares with 2023 as the mart holds
    it (unchanged, else it would be queued) instead of computing 2023 again: a third less work."""
    from tests.mart_compare import assert_incremental_equals_full

    db = two_years
    refresh(db, full=True)
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-02", {"NN05": 777, "NS01": 25, "XH01": 90, "XH02": 1000}),
           at=f"2024-03-20T09:00:00{TZ}")
    february = "level = :l AND unit_code = :u AND year = :y AND month = 2 AND indicator_code = 'NN05'"
    # Read, not computed: a 2023 figure changed in the mart (as no refresh would) is what 2024 compares with.
    with db.begin() as conn:
        conn.execute(text("UPDATE mart.indicator_rollup SET value = 1, reporting_units = 7 WHERE level = 'province' "
                          "AND unit_code = '26' AND indicator_code = 'NN05' AND period_key = 202302"))
    assert refresh(db).mode == "incremental"
    province = row(db, "indicator_monthly", february, l="province", u="26", y=2024)
    assert (province["value"], province["same_period_last_year"], province["last_year_reporting_units"]) == (
        777 + 498, 1, 7)
    refresh(db, full=True)  # the 2023 figure as computed again
    assert row(db, "indicator_monthly", february, l="province", u="26", y=2024)["same_period_last_year"] == 999 + 498
    # Incremental equals full with the mart as a refresh left it: 2023's row of the district itself too.
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-02", {"NN05": 778, "NS01": 25, "XH01": 90, "XH02": 1000}),
           at=f"2024-03-21T09:00:00{TZ}")
    assert assert_incremental_equals_full(db).mode == "incremental"
    district = row(db, "indicator_monthly", february, l="district", u=TAM_DUONG, y=2024)
    assert (district["value"], district["same_period_last_year"]) == (778, 999)


def test_an_incremental_refresh_only_compares_the_year_after_a_changed_one_again(
        two_years: Engine, tmp_path: Path) -> None:
    """Issue 15: a 2023 month that arrives late changes 2023, and of 2024 only the comparison with the same
    period last year (its own figures are as they were): 2024's rows are updated in place, not computed
    again, and the marts equal a full rebuild's."""
    from tests.mart_compare import assert_incremental_equals_full

    db = two_years
    refresh(db, full=True)
    february = "level = :l AND unit_code = :u AND year = :y AND month = 2 AND indicator_code = 'NN05'"
    before = row(db, "indicator_monthly", february, l="province", u="26", y=2024)
    assert (before["same_period_last_year"], before["last_year_reporting_units"]) == (999 + 498, 2)
    arrive(db, tmp_path, b.month("244", "2023-02", {"NN05": 300}), at=f"2024-01-10T09:00:00{TZ}")
    # Not computed again: a 2024 figure changed in the mart (as no refresh would) stays, its comparison moves.
    with db.begin() as conn:
        conn.execute(text("UPDATE mart.indicator_rollup SET value = 1 WHERE level = 'province' AND unit_code = '26' "
                          "AND indicator_code = 'NN05' AND period_key = 202402"))
    assert refresh(db).mode == "incremental"
    after = row(db, "indicator_monthly", february, l="province", u="26", y=2024)
    assert (after["value"], after["same_period_last_year"], after["last_year_reporting_units"]) == (
        1, 999 + 498 + 300, 3)
    assert row(db, "indicator_monthly", february, l="province", u="26", y=2023)["reporting_units"] == 3
    refresh(db, full=True)
    assert row(db, "indicator_monthly", february, l="province", u="26", y=2024)["value"] == before["value"]
    # Without the change made by hand: incremental equals full.
    arrive(db, tmp_path, b.month("244", "2023-03", {"NN05": 310}), at=f"2024-01-11T09:00:00{TZ}")
    assert assert_incremental_equals_full(db).mode == "incremental"
    march = row(db, "indicator_monthly", february.replace("month = 2", "month = 3"), l="province", u="26", y=2024)
    assert march["last_year_reporting_units"] == 3


def test_a_session_that_fails_fails_the_rebuild_and_the_marts_stay_as_they_were(
        two_years: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One session of a parallel rebuild fails: the refresh raises that session's error, the marts
    keep the last refresh's rows, and the next rebuild drops the tables the sessions wrote."""
    from etl.marts import rollup
    from tests.mart_compare import mart_snapshot

    refresh(two_years, full=True)
    before = mart_snapshot(two_years)
    arrive(two_years, tmp_path, b.month(VINH_YEN, "2024-04", {"NN05": 480, "NS01": 80, "XH01": 30, "XH02": 3000}))
    run = rollup._run

    def failing_for_2023(cursor: Any, statements: str) -> int:
        cursor.execute("SELECT current_setting('baocao.rollup_years', true)")
        if "Step 06 of the rollup" in statements and "2023" in (cursor.fetchone()[0] or ""):
            cursor.execute("SELECT 1 / 0")  # a real error, from the server
        return run(cursor, statements)

    monkeypatch.setattr(rollup, "_run", failing_for_2023)
    with pytest.raises(Exception, match="division by zero"):
        refresh(two_years, full=True, sessions=2)
    assert mart_snapshot(two_years) == before  # nothing of the failed rebuild, not even its TRUNCATE
    # the sessions' tables, made before they started (empty, or 2024-2025's rows if that session
    # committed before it was cancelled), not attached
    assert build_tables(two_years) == ["indicator_rollup_build_2023_2023", "indicator_rollup_build_2024_2025"]

    monkeypatch.setattr(rollup, "_run", run)
    done = refresh(two_years, full=True, sessions=2)
    assert done.mode == "full" and done.indicator_rows > 0
    assert build_tables(two_years) == []
    with two_years.connect() as conn:
        assert conn.execute(text("SELECT value FROM mart.indicator_monthly WHERE level = 'district' "
                                 "AND unit_code = :u AND year = 2024 AND month = 4 AND indicator_code = 'NN05'"),
                            {"u": VINH_YEN}).scalar() == 480


def test_a_session_that_waits_for_the_marts_lock_gives_up_instead_of_hanging(
        two_years: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refresh's transaction holds mart.indicator_rollup locked (step 04's TRUNCATE) while it waits
    for its sessions: a session statement that needs that lock would wait for ever. It waits no longer
    than the refresh's lock_timeout, and the refresh gives up as for any lock (RollupLockTimeout), the
    marts as they were. And the next rebuild drops every table the sessions of a failed one left,
    whatever its years."""
    from etl.marts import rollup
    from tests.mart_compare import mart_snapshot

    refresh(two_years, full=True)
    before = mart_snapshot(two_years)
    run = rollup._run

    def reading_the_mart(cursor: Any, statements: str) -> int:
        if "Step 06 of the rollup" in statements:
            cursor.execute("SELECT count(*) FROM mart.indicator_rollup")  # waits for the refresh's lock
        return run(cursor, statements)

    monkeypatch.setattr(rollup, "_run", reading_the_mart)
    outcome: list[BaseException] = []

    def rebuild() -> None:
        try:
            refresh(two_years, full=True, sessions=2, lock_timeout="300ms", attempts=1)
        except BaseException as error:
            outcome.append(error)

    waiting = threading.Thread(target=rebuild, daemon=True)  # a hang fails the test, not the run
    waiting.start()
    waiting.join(60)
    assert not waiting.is_alive(), "the rebuild still waits for its session after 60 s"
    assert len(outcome) == 1 and isinstance(outcome[0], rollup.RollupLockTimeout), outcome
    assert "lock timeout" in str(outcome[0])
    assert mart_snapshot(two_years) == before
    monkeypatch.setattr(rollup, "_run", run)
    with two_years.begin() as conn:  # as a rebuild of other years that failed would leave it
        conn.execute(text("SELECT ops.rollup_partition_build(2019, 2022)"))
    assert build_tables(two_years) == ["indicator_rollup_build_2019_2022", "indicator_rollup_build_2023_2023",
                                       "indicator_rollup_build_2024_2025"]
    refresh(two_years, full=True, sessions=2)
    assert build_tables(two_years) == []
    assert [p[0] for p in partitions(two_years)] == [
        "ops.indicator_rollup_default", "ops.indicator_rollup_y2023_2023", "ops.indicator_rollup_y2024_2025"]


def test_a_full_rebuild_leaves_the_marts_analyzed_and_the_next_refresh_analyzes_no_mart(half_year: Engine) -> None:
    """A full rebuild analyzes the tables it rewrote before it commits (ops.analyze_rebuilt);
    ops.analyze_stale looks at core only: the statuses every refresh rewrites are not analyzed
    again each time (0,2 s of an incremental refresh on ten national years)."""
    with half_year.connect() as conn:
        analyzed = dict(conn.execute(text(
            "SELECT relname, last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE schemaname = 'mart'")).all())
        assert analyzed == {"indicator_rollup": True, "task_rollup": True, "submission_status_rollup": True}
        assert conn.execute(text("SELECT reltuples > 0 FROM pg_class WHERE oid = 'mart.indicator_rollup'::regclass")
                            ).scalar()
    import time

    with half_year.begin() as conn:
        conn.execute(text("DELETE FROM mart.submission_status_rollup"))  # every row changed: past any threshold
        conn.execute(text("SELECT pg_stat_force_next_flush()"))
    deadline = time.monotonic() + 15  # the counters reach pg_stat_user_tables when the session idles
    while time.monotonic() < deadline:
        with half_year.connect() as conn:
            if conn.execute(text("SELECT n_mod_since_analyze > 0 FROM pg_stat_user_tables "
                                 "WHERE schemaname = 'mart' AND relname = 'submission_status_rollup'")).scalar():
                break
        time.sleep(0.2)
    else:
        raise AssertionError("the deleted statuses never reached pg_stat_user_tables")
    with half_year.begin() as conn:
        assert not [t for t in conn.execute(text("SELECT ops.analyze_stale()")).scalar_one() if t.startswith("mart.")]


def test_a_correction_loaded_while_a_refresh_runs_stays_queued(db: Engine, tmp_path: Path) -> None:
    """The refresh's steps run by hand, to interleave: the refresh reads Tam Dương's March (step 05),
    a second correction of it is loaded and committed, then the refresh deletes the queue (step 11).
    The refresh shows what it read; the correction it did not read stays queued, and the next
    refresh shows it (as a full rebuild would)."""
    from etl.marts.rollup import DROP_TEMP_VIEWS, _run, set_parameters
    from tests.mart_compare import assert_incremental_equals_full

    def march(ns01: int) -> dict[str, Any]:
        return b.month(TAM_DUONG, "2024-03", {"NN05": 120, "NS01": ns01, "XH01": 100, "XH02": 1000})

    def ns01() -> Any:
        return row(db, "indicator_monthly", "level = 'district' AND unit_code = :u AND year = 2024 AND month = 3 "
                   "AND indicator_code = 'NS01'", u=TAM_DUONG)["value"]

    arrive(db, tmp_path, march(30))
    refresh(db, full=True)
    arrive(db, tmp_path, march(31), at=f"2024-04-02T09:00:00{TZ}")  # queues (247, 2024)
    with db.connect() as conn:
        transaction = conn.begin()
        with conn.connection.driver_connection.cursor() as cursor:
            set_parameters(cursor, "incremental")
            steps = step_files()
            for path in steps[:5]:  # 01-05: the scope, and the district's figures read
                _run(cursor, path.read_text(encoding="utf-8"))
            arrive(db, tmp_path, march(32), at=f"2024-04-03T09:00:00{TZ}")  # committed meanwhile
            for path in steps[5:]:
                _run(cursor, path.read_text(encoding="utf-8"))
        conn.execute(text(DROP_TEMP_VIEWS))
        transaction.commit()
    assert ns01() == 31  # what the refresh read
    with db.connect() as conn:
        assert conn.execute(text("SELECT district_code, year FROM ops.rollup_queue")).all() == [(TAM_DUONG, 2024)]
    assert assert_incremental_equals_full(db).mode == "incremental"
    assert ns01() == 32


def test_an_incremental_refresh_sums_a_province_from_its_stored_partial_sums(two_years: Engine, tmp_path: Path) -> None:
    """Issue 15: the refresh after a correction sums the corrected district's provinces from the sums the
    refresh before stored (ops.rollup_partial), minus the district's figures as the mart held them, plus
    its figures now, rather than from all their districts: the same marts as a full rebuild, for values,
    years to date, plans and rates; and from all their districts again when what the sums were made over
    changed."""
    from tests.mart_compare import assert_incremental_equals_full

    db = two_years
    refresh(db, full=True)  # which stores no partial sums: the first refresh of a province-year sums it all
    march = "level = :l AND unit_code = :u AND year = 2024 AND month = 3 AND indicator_code = :i"

    def tam_duong_march(pigs: int, day: int) -> None:  # Tam Dương's March corrected, arriving on `day` April
        arrive(db, tmp_path, b.month(TAM_DUONG, "2024-03", {"NN05": pigs, "NS01": 31, "TT01": 9, "XH01": 90,
                                                            "XH02": 1000}), at=f"2024-04-{day}T09:00:00{TZ}")

    tam_duong_march(140, 20)
    assert assert_incremental_equals_full(db).from_partial_sums == 0
    with db.connect() as conn:
        stored = conn.execute(text("SELECT level, unit_code, year FROM ops.rollup_partial_unit ORDER BY 1, 2, 3")).all()
    assert ("province", "26", 2024) in stored

    # Vĩnh Yên's March corrected, a year to date only for NS01, and a plan: its provinces from their sums.
    corrected = b.month(VINH_YEN, "2024-03", {"NN05": 480, "NS01": 0, "XH01": 45, "XH02": 3000}, ytd={"NS01": 250})
    b.indicator(corrected, "NS01").pop("thuc_hien_thang", None)
    plan = b.plan(district=VINH_YEN, year=2024, ke_hoach=[{"ma_chi_tieu": "NN05", "don_vi_tinh": "con",
                                                           "ke_hoach_nam": 6000}])
    ingest_accepted(db, [*arrival_files(tmp_path, [(corrected, f"2024-04-21T09:00:00{TZ}")]),
                         *files_from_paths([b.write_json(tmp_path / "plan.json", plan)],
                                           datetime.fromisoformat(f"2024-01-05T09:00:00{TZ}"))])
    result = assert_incremental_equals_full(db)
    assert result.mode == "incremental" and result.from_partial_sums >= 1, result
    assert row(db, "indicator_monthly", march, l="province", u="26", i="NN05")["value"] == 140 + 480

    # Read, not recomputed: a stored sum changed by hand (as no refresh would) shows in the province.
    with db.begin() as conn:
        assert conn.execute(text("UPDATE ops.rollup_partial SET value = value + 1000 WHERE level = 'province' "
                                 "AND unit_code = '26' AND indicator_code = 'NN05' AND period_key = 202403")).rowcount
    tam_duong_march(141, 22)
    assert refresh(db).from_partial_sums >= 1
    assert row(db, "indicator_monthly", march, l="province", u="26", i="NN05")["value"] == 1000 + 141 + 480

    # What the sums were made over changed (here: said so by hand): summed from all its districts again.
    with db.begin() as conn:
        conn.execute(text("UPDATE ops.rollup_partial_unit SET basis = 'changed' WHERE level = 'province'"))
    tam_duong_march(142, 23)
    # (the legacy province from all its districts, its 2025 province from its sums; then the other way round)
    assert assert_incremental_equals_full(db).from_partial_sums == 1
    assert row(db, "indicator_monthly", march, l="province", u="26", i="NN05")["value"] == 142 + 480
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ops.rollup_partial_unit WHERE basis = 'changed'")).scalar() == 0
    with db.begin() as conn:
        conn.execute(text("UPDATE ops.rollup_partial_unit SET basis = 'changed' WHERE level = 'province_2025'"))
    tam_duong_march(143, 24)
    assert assert_incremental_equals_full(db).from_partial_sums == 1
    assert row(db, "indicator_monthly", march, l="province_2025", u="25", i="NN05")["value"] == 143 + 480


def test_a_province_half_of_whose_districts_changed_is_summed_from_them_all(db: Engine, tmp_path: Path) -> None:
    """Issue 15: stored sums pay while few of a province's units changed. Past half of the units they
    were made of (a national month's batch), reading the changed units' old figures from the mart
    and taking them away costs more than summing every unit: a national commune month's refresh took
    35-38 s by the sums against 24-28 s from all the communes. Vĩnh Phúc's nine districts report;
    four corrected: the province and its 2025 province (whose sums are of the same nine in 2024) from
    their sums; five: from all their districts. Either way the marts of a full rebuild."""
    from tests.mart_compare import assert_incremental_equals_full

    with db.connect() as conn:
        vinh_phuc = conn.execute(text("SELECT district_code FROM mart.district_unit WHERE level = 'province' "
                                      "AND unit_code = '26' ORDER BY district_code")).scalars().all()
    assert len(vinh_phuc) == 9

    def months(districts: list[str], months: range, nn05: int, day: int | None = None) -> None:
        arrive_together(db, tmp_path, [
            (b.month(d, f"2024-{m:02d}", {"NN05": nn05, "NS01": 40, "XH01": 50, "XH02": 2000}),
             f"2024-04-{day}T09:00:00{TZ}" if day else None) for d in districts for m in months])

    months(vinh_phuc, range(1, 4), 300)
    refresh(db, full=True)
    months([vinh_phuc[0]], range(3, 4), 320, day=20)
    assert assert_incremental_equals_full(db).from_partial_sums == 0  # the first: their sums stored
    with db.connect() as conn:
        assert conn.execute(text("SELECT level, max(figure_units) FROM ops.rollup_partial WHERE year = 2024 "
                                 "GROUP BY level ORDER BY level")).all() == [("province", 9), ("province_2025", 9)]
    months(vinh_phuc[:4], range(3, 4), 321, day=21)
    assert assert_incremental_equals_full(db).from_partial_sums == 2
    months(vinh_phuc[4:], range(3, 4), 322, day=22)
    result = assert_incremental_equals_full(db)
    assert result.mode == "incremental" and result.from_partial_sums == 0, result
    march = "level = :l AND unit_code = :u AND year = 2024 AND month = 3 AND indicator_code = 'NN05'"
    for level, unit in (("province", "26"), ("province_2025", "25")):
        assert row(db, "indicator_monthly", march, l=level, u=unit)["value"] == 4 * 321 + 5 * 322


def test_a_load_committed_while_a_refresh_runs_leaves_no_partial_sums_behind_the_mart(
        two_years: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15: a correction that commits while a refresh runs, after it read the queue, is in the figures
    it sums a province from (each statement reads what has committed by its start) but not in that
    district's own mart rows: the refresh stores no partial sums for that province-year, the next one sums
    it from all its districts (else it would subtract the district's old rows from sums that already hold
    its new figures, and count the change twice), and equals a full rebuild."""
    import etl.marts.rollup as rollup
    from tests.mart_compare import assert_incremental_equals_full

    db = two_years
    refresh(db, full=True)
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-03", {"NN05": 140, "NS01": 31, "TT01": 9, "XH01": 90, "XH02": 1000}),
           at=f"2024-04-20T09:00:00{TZ}")
    run_step = rollup._run

    def load_after_the_scope(cursor: Any, statements: str) -> int:
        rows = run_step(cursor, statements)
        if statements.startswith("-- Step 03 of the rollup"):  # the queue is read: Vĩnh Yên's March corrected
            arrive(db, tmp_path, b.month(VINH_YEN, "2024-03", {"NN05": 470, "NS01": 75, "XH01": 30, "XH02": 3000}),
                   at=f"2024-04-21T09:00:00{TZ}")
        return rows

    monkeypatch.setattr(rollup, "_run", load_after_the_scope)
    assert refresh(db).mode == "incremental"
    monkeypatch.setattr(rollup, "_run", run_step)
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ops.rollup_queue WHERE district_code = :d AND year = 2024"),
                            {"d": VINH_YEN}).scalar() == 1  # still queued, for the next refresh
        assert not conn.execute(text("SELECT count(*) FROM ops.rollup_partial_unit WHERE level = 'province' "
                                     "AND unit_code = '26' AND year = 2024")).scalar()
    assert assert_incremental_equals_full(db).from_partial_sums == 0
    march = "level = 'province' AND unit_code = '26' AND year = 2024 AND month = 3 AND indicator_code = 'NN05'"
    assert row(db, "indicator_monthly", march)["value"] == 140 + 470
