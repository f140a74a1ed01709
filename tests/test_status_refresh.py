"""mart.submission_status brought up to date by every refresh without rewriting every status (rollup
step 12): a refresh recomputes the statuses whose unit's data changed, whose month began or whose
deadline passed since the last refresh, or all of them when the calendar or its assignments changed;
every row shows that refresh's moment as its as_of. The clock's cases are set up by moving the last
refresh's moment (ops.status_refresh) back, with the status it would then have stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Engine, text

from etl.marts.rollup import refresh
from etl.warehouse.ingest import ingest_paths
from etl.warehouse.reference import load_reporting_calendar
from tests import builders as b
from tests.mart_compare import assert_incremental_equals_full
from tests.test_rollup import TAM_DUONG, TZ, VINH_YEN, arrive

SILENT = "246"  # a district of Vĩnh Phúc that never reports


def may_status(db: Engine, district: str) -> tuple[str, int]:
    with db.connect() as conn:
        return tuple(conn.execute(text(
            "SELECT status, versions_received FROM mart.submission_status "
            "WHERE district_code = :d AND year = 2024 AND month = 5"), {"d": district}).one())


def test_every_status_shows_the_last_refresh_as_its_as_of(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NN05": 1}))
    refresh(db)
    with db.connect() as conn:
        first = conn.execute(text("SELECT as_of FROM ops.status_refresh")).scalar_one()
    # Nothing queued, no month begun, no deadline passed: no status is rewritten, every one is
    # still true, and says so with the new refresh's moment (overdue = as_of - deadline).
    again = refresh(db)
    assert (again.mode, again.status_rows) == ("nothing", 0)
    with db.connect() as conn:
        latest = conn.execute(text("SELECT as_of FROM ops.status_refresh")).scalar_one()
        assert latest > first
        assert conn.execute(text("SELECT array_agg(DISTINCT as_of) FROM mart.submission_status")).scalar() == [latest]
        assert conn.execute(text("SELECT array_agg(DISTINCT refreshed_at) FROM mart.reporting_rate")
                            ).scalar() == [latest]
        assert conn.execute(text("SELECT count(*) FROM mart.submission_status")).scalar() > 9 * 12


def test_a_deadline_passed_since_the_last_refresh_turns_pending_into_missing(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NN05": 1}))
    refresh(db)
    assert may_status(db, SILENT) == ("missing", 0)

    def as_if_refreshed_at(moment: str) -> None:
        """The stored state of a refresh at `moment`, the day before May's deadline for SILENT."""
        with db.begin() as conn:
            conn.execute(text("UPDATE mart.submission_status_rollup SET status = 'pending' "
                              "WHERE district_code = :d AND year = 2024 AND month = 5"), {"d": SILENT})
            conn.execute(text("UPDATE ops.status_refresh SET as_of = :t"), {"t": datetime.fromisoformat(moment)})

    # The last refresh before the deadline (18 May): the one after it finds May's passed deadline.
    as_if_refreshed_at(f"2024-05-17T09:00:00{TZ}")
    assert may_status(db, SILENT) == ("pending", 0)
    assert refresh(db).mode == "nothing"
    assert may_status(db, SILENT) == ("missing", 0)
    assert_incremental_equals_full(db)

    # Control: a last refresh after every deadline and month start recomputes nothing, so a status
    # is only ever recomputed because something that decides it moved.
    as_if_refreshed_at(datetime.now(UTC).isoformat())
    assert refresh(db).status_rows == 0
    assert may_status(db, SILENT) == ("pending", 0)


def test_a_calendar_change_recomputes_every_status(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NN05": 1}), at=f"2024-05-19T09:00:00{TZ}")
    refresh(db)
    assert may_status(db, TAM_DUONG) == ("late", 1)  # the default deadline: the 18th
    try:
        with db.begin() as conn:
            conn.execute(text("UPDATE core.reporting_calendar SET deadline_day = 20 "
                              "WHERE province_code = '*' AND report_type = 'month'"))
        result = refresh(db)
        assert result.mode == "nothing" and result.status_rows > 9 * 12
        assert may_status(db, TAM_DUONG) == ("on_time", 1)
        with db.connect() as conn:
            days = conn.execute(text("SELECT array_agg(DISTINCT extract(day FROM deadline AT TIME ZONE '+07:00')::int) "
                                     "FROM mart.submission_status")).scalar()
        assert days == [20]  # every month's, not only the last ones'
        assert_incremental_equals_full(db)
    finally:
        with db.begin() as conn:
            load_reporting_calendar(conn)  # back to reference/reporting_calendar.yaml


def test_a_version_dated_ahead_of_its_load_counts_once_the_clock_reaches_it(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(VINH_YEN, "2024-05", {"NN05": 1}))  # Vĩnh Phúc is expected from May 2024
    dated = datetime.now(UTC) - timedelta(minutes=1)
    [result] = ingest_paths(db, [b.write_json(tmp_path / "ahead.json", b.month(TAM_DUONG, "2024-05", {"NN05": 2}))],
                            received_at=dated)
    assert result.status.startswith("accepted"), result.errors
    refresh(db)
    assert may_status(db, TAM_DUONG) == ("late", 1)
    # The stored state of a refresh that ran after the load (which the refresh emptied the queue of) but
    # before the moment the version is dated: the month had nothing yet.
    with db.begin() as conn:
        conn.execute(text("UPDATE mart.submission_status_rollup SET status = 'missing', versions_received = 0, "
                          "first_received_at = NULL, accepted_at = NULL, days_late = NULL, errors = 0, warnings = 0 "
                          "WHERE district_code = :d AND year = 2024 AND month = 5"), {"d": TAM_DUONG})
        conn.execute(text("UPDATE ops.status_refresh SET as_of = :t"), {"t": dated - timedelta(seconds=1)})
    assert may_status(db, TAM_DUONG) == ("missing", 0)
    # Nothing queued: the refresh finds the version that arrived since the last one.
    assert refresh(db).mode == "nothing"
    assert may_status(db, TAM_DUONG) == ("late", 1)
    assert_incremental_equals_full(db)


def test_a_month_begun_since_the_last_refresh_gets_its_statuses(db: Engine, tmp_path: Path) -> None:
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NN05": 1}))  # Vĩnh Phúc's territory expected since
    refresh(db)
    now = datetime.now(timezone(timedelta(hours=7)))
    begun = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # The stored state of a refresh an hour before this month began: none of its statuses yet (so no
    # stored deadline of it either: only the month's start can bring them).
    with db.begin() as conn:
        removed = conn.execute(text("DELETE FROM mart.submission_status_rollup WHERE year = :y AND month = :m"),
                               {"y": now.year, "m": now.month}).rowcount
        conn.execute(text("UPDATE ops.status_refresh SET as_of = :t"), {"t": begun - timedelta(hours=1)})
    assert removed > 0  # the communes of Vĩnh Phúc's 2025 province owe this month
    assert refresh(db).mode == "nothing"
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM mart.submission_status WHERE year = :y AND month = :m"),
                            {"y": now.year, "m": now.month}).scalar() == removed
    assert_incremental_equals_full(db)


def test_an_assignment_recomputes_every_status(db: Engine, tmp_path: Path) -> None:
    """Gia Lai (64) never reported: assigned from 08/2025, after its districts ended, only the communes
    of its 2025 province owe reports, from that month (no district's first month moved)."""
    from etl.domain.calendar import parse_assignments
    from etl.warehouse.reference import load_assignments

    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-05", {"NN05": 1}))
    refresh(db)

    def gia_lai_months() -> set[tuple[int, int]]:
        with db.connect() as conn:
            return set(conn.execute(text(
                "SELECT DISTINCT s.year, s.month FROM mart.submission_status AS s "
                "JOIN core.dim_district AS d ON d.district_code = s.district_code AND d.is_current "
                "WHERE s.level = 'commune' AND d.province_2025_code = (SELECT province_2025_code "
                "FROM core.dim_district WHERE is_current AND province_code = '64' LIMIT 1)")).tuples().all())

    assert gia_lai_months() == set()
    try:
        with db.begin() as conn:
            load_assignments(conn, parse_assignments([{"province_code": "64", "from": "2025-08"}]))
        assert refresh(db).mode == "nothing"
        months = gia_lai_months()
        assert min(months) == (2025, 8) and len(months) >= 12
        assert_incremental_equals_full(db)
    finally:
        with db.begin() as conn:
            load_reporting_calendar(conn)  # back to reference/reporting_calendar.yaml
