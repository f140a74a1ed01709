"""mart.task_overdue and etl.reporting.overdue (issue 17, point 2): the tasks behind the task
marts' overdue and done_late, against a case worked by hand, and counted, the marts' own figures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from etl.marts.rollup import refresh
from etl.reporting.overdue import OverdueTask, overdue_tasks
from tests import builders as b
from tests.test_tasks import arrive  # one submission received on the 16th of its month

TZ = "+07:00"
# Vĩnh Phúc (26): Tam Dương and Vĩnh Yên. A month's data cut-off is the 14th (Decree 09/2019).
TAM_DUONG, VINH_YEN, VINH_PHUC = "247", "243", "26"
DONE, DOING = "Hoàn thành", "Đang thực hiện"
PROVINCE_BODY, PARTY_BODY = "UBND tỉnh", "Huyện ủy"


def task(task_id: str, body: str, status: str, deadline: str, done: str | None = None) -> dict[str, Any]:
    row = b.task(task_id, body, status, deadline, done)
    row["van_ban_giao"] = f"{task_id}/QĐ-UBND"
    return row


def load_the_case(db: Engine, tmp_path: Path) -> None:
    """Tam Dương reports January to March 2024, Vĩnh Yên January only.

    Tam Dương, cut-offs 14/01, 14/02, 14/03:
    - A (UBND tỉnh, deadline 05/01): open in January and February, done on 10/03.
    - B (UBND tỉnh, deadline 05/01): done on 10/01, late; left out of the later files (done).
    - C (UBND tỉnh, deadline 31/01): done on 10/01, on time: never listed.
    - D (UBND tỉnh, deadline 31/03): in progress throughout: never listed.
    - E (Huyện ủy, deadline 31/01): open in January, then left out of February's and March's files
      (TASK_DISAPPEARED): carried open, overdue from February's cut-off on.
    Vĩnh Yên: F (UBND tỉnh, deadline 03/01) open in January."""
    a_open = task("A", PROVINCE_BODY, DOING, "05/01/2024")
    b_late = task("B", PROVINCE_BODY, DONE, "05/01/2024", "10/01/2024")
    c_on_time = task("C", PROVINCE_BODY, DONE, "31/01/2024", "10/01/2024")
    d_open = task("D", PROVINCE_BODY, DOING, "31/03/2024")
    e_open = task("E", PARTY_BODY, DOING, "31/01/2024")
    a_done = task("A", PROVINCE_BODY, DONE, "05/01/2024", "10/03/2024")
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-01", {"NN05": 100}, [a_open, b_late, c_on_time, d_open, e_open]))
    assert "TASK_DISAPPEARED" in arrive(db, tmp_path, b.month(TAM_DUONG, "2024-02", {"NN05": 100}, [a_open, d_open]))
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-03", {"NN05": 100}, [a_done, d_open]))
    arrive(db, tmp_path, b.month(VINH_YEN, "2024-01", {"NN05": 100},
                                 [task("F", PROVINCE_BODY, DOING, "03/01/2024")]))
    refresh(db, full=True)


def rows(db: Engine, where: str, **params: Any) -> list[tuple[Any, ...]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT district_code, task_id, status, days_overdue, completed_on, cut_off, last_reported_month "
            f"FROM mart.task_overdue WHERE {where} ORDER BY district_code, task_id"), params)]


def test_overdue_and_late_tasks_by_hand(db: Engine, tmp_path: Path) -> None:
    load_the_case(db, tmp_path)
    district = "level = 'district' AND unit_code = :u AND year = 2024 AND "
    jan, feb, mar = date(2024, 1, 14), date(2024, 2, 14), date(2024, 3, 14)
    # January: A 9 days past 05/01 at 14/01; B done 5 days late. C (on time) and D, E (in progress) absent.
    assert rows(db, district + "period_type = 'month' AND month = 1", u=TAM_DUONG) == [
        (TAM_DUONG, "A", "overdue", 9, None, jan, 1),
        (TAM_DUONG, "B", "done_late", 5, date(2024, 1, 10), jan, 1),
    ]
    # February: A 40 days at 14/02; B, left out, stays done late by 5 days; E, left out while open,
    # is carried and past its 31/01 deadline: 14 days.
    assert rows(db, district + "period_type = 'month' AND month = 2", u=TAM_DUONG) == [
        (TAM_DUONG, "A", "overdue", 40, None, feb, 2),
        (TAM_DUONG, "B", "done_late", 5, date(2024, 1, 10), feb, 1),
        (TAM_DUONG, "E", "overdue", 14, None, feb, 1),
    ]
    # March, H1 and the year (March is the last month reported): A done on 10/03, 65 days late
    # (2024 is a leap year); E 43 days at 14/03.
    march = [
        (TAM_DUONG, "A", "done_late", 65, date(2024, 3, 10), mar, 3),
        (TAM_DUONG, "B", "done_late", 5, date(2024, 1, 10), mar, 1),
        (TAM_DUONG, "E", "overdue", 43, None, mar, 1),
    ]
    assert rows(db, district + "period_type = 'month' AND month = 3", u=TAM_DUONG) == march
    assert rows(db, district + "period_type = 'half' AND half = 1", u=TAM_DUONG) == march
    assert rows(db, district + "period_type = 'year'", u=TAM_DUONG) == march
    assert rows(db, district + "period_type = 'half' AND half = 2", u=TAM_DUONG) == []
    # Vĩnh Yên's H1 is judged at its own last month reported, January.
    assert rows(db, district + "period_type = 'half' AND half = 1", u=VINH_YEN) == [
        (VINH_YEN, "F", "overdue", 11, None, jan, 1)]
    # The province lists both districts' tasks, each judged at its own district's cut-off.
    assert rows(db, "level = 'province' AND unit_code = :u AND year = 2024 AND period_type = 'half' AND half = 1",
                u=VINH_PHUC) == [(VINH_YEN, "F", "overdue", 11, None, jan, 1), *march]
    with db.connect() as conn:
        row = conn.execute(text(
            "SELECT * FROM mart.task_overdue WHERE level = 'province_2025' AND year = 2024 AND period_type = 'month' "
            "AND month = 2 AND task_id = 'E'")).mappings().one()
    assert (row["district_name"], row["assigning_body"], row["document"], row["title"], row["deadline"],
            row["half"], row["period_key"]) == ("Huyện Tam Dương", PARTY_BODY, "E/QĐ-UBND", "E", date(2024, 1, 31),
                                                1, 202402)
    # The analysts' role reads it (90_analyst_grants.sql), and still not the core tables under it.
    with db.connect() as conn:
        conn.execute(text("SET LOCAL ROLE baocao_analyst"))
        assert conn.execute(text("SELECT count(*) FROM mart.task_overdue WHERE level = 'province' AND unit_code = :u "
                                 "AND year = 2024 AND period_type = 'year'"), {"u": VINH_PHUC}).scalar() == 4
        assert not conn.execute(text("SELECT has_schema_privilege('core', 'USAGE')")).scalar()
        conn.rollback()


def test_counts_agree_with_the_task_marts(db: Engine, tmp_path: Path) -> None:
    """Every (level, unit, period, assigning body) of mart.task_rollup, months, halves and years at
    every level: its overdue and done_late are this view's rows counted by status."""
    load_the_case(db, tmp_path)
    # A fourth month and a second half for Tam Dương, so the months differ from their half and year.
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-08", {"NN05": 100}, [
        task("D", PROVINCE_BODY, DOING, "31/03/2024"),
        task("G", PARTY_BODY, DONE, "30/06/2024", "01/08/2024")]))
    refresh(db)
    with db.connect() as conn:
        keys = "level, unit_code, period_key, period_type, year, half, month, assigning_body"
        marts = conn.execute(text(f"SELECT {keys}, overdue, done_late FROM mart.task_rollup "
                                  "WHERE overdue > 0 OR done_late > 0")).all()
        listed = conn.execute(text(f"""
            SELECT {keys}, count(*) FILTER (WHERE status = 'overdue'), count(*) FILTER (WHERE status = 'done_late')
            FROM mart.task_overdue GROUP BY {keys}""")).all()
        views = conn.execute(text("""
            SELECT 'month', year, month, assigning_body, overdue, done_late FROM mart.task_monthly
            WHERE level = 'province' AND unit_code = :p UNION ALL
            SELECT 'half', year, half, assigning_body, overdue, done_late FROM mart.task_semiannual
            WHERE level = 'province' AND unit_code = :p UNION ALL
            SELECT 'year', year, NULL, assigning_body, overdue, done_late FROM mart.task_annual
            WHERE level = 'province' AND unit_code = :p"""), {"p": VINH_PHUC}).all()
    assert sorted(map(tuple, listed), key=repr) == sorted(map(tuple, marts), key=repr)
    assert len(listed) > 20  # four months, two halves and the year at three levels: not a trivial agreement
    # The views analysts read (task_monthly, ...) say the same for the province.
    by_view = {(kind, year, n, body): (o, d) for kind, year, n, body, o, d in views if o or d}
    by_list = {(r.period_type, r.year, r.month if r.period_type == "month" else r.half if r.period_type == "half"
                else None, r.assigning_body): (r[-2], r[-1])
               for r in listed if r.level == "province" and r.unit_code == VINH_PHUC}
    assert by_view == by_list
    # The year, as at August's cut-off (14/08): D (deadline 31/03) overdue, G done 32 days late, E
    # carried from January 196 days past its deadline; A and B keep their days late.
    aug = date(2024, 8, 14)
    assert rows(db, "level = 'district' AND unit_code = :u AND year = 2024 AND period_type = 'year'", u=TAM_DUONG) == [
        (TAM_DUONG, "A", "done_late", 65, date(2024, 3, 10), aug, 3),
        (TAM_DUONG, "B", "done_late", 5, date(2024, 1, 10), aug, 1),
        (TAM_DUONG, "D", "overdue", 136, None, aug, 8),
        (TAM_DUONG, "E", "overdue", 196, None, aug, 1),
        (TAM_DUONG, "G", "done_late", 32, date(2024, 8, 1), aug, 8),
    ]


def test_overdue_tasks_for_the_report(db: Engine, tmp_path: Path) -> None:
    load_the_case(db, tmp_path)
    with db.connect() as conn:
        h1 = overdue_tasks(conn, level="province", unit_code=VINH_PHUC, year=2024, period_type="half", half=1)
        january = overdue_tasks(conn, level="province", unit_code=VINH_PHUC, year=2024, period_type="month", month=1)
        district = overdue_tasks(conn, level="district", unit_code=TAM_DUONG, year=2024, period_type="year")
        none = overdue_tasks(conn, level="district", unit_code=TAM_DUONG, year=2024, period_type="half", half=2)
    # By assigning body in the list's order (UBND tỉnh before Huyện ủy), then most days overdue first.
    assert h1 == [
        OverdueTask(TAM_DUONG, "Huyện Tam Dương", PROVINCE_BODY, "A/QĐ-UBND", "A", date(2024, 1, 5), "done_late", 65),
        OverdueTask(VINH_YEN, "Thành phố Vĩnh Yên", PROVINCE_BODY, "F/QĐ-UBND", "F", date(2024, 1, 3), "overdue", 11),
        OverdueTask(TAM_DUONG, "Huyện Tam Dương", PROVINCE_BODY, "B/QĐ-UBND", "B", date(2024, 1, 5), "done_late", 5),
        OverdueTask(TAM_DUONG, "Huyện Tam Dương", PARTY_BODY, "E/QĐ-UBND", "E", date(2024, 1, 31), "overdue", 43),
    ]
    assert [(t.unit_code, t.title, t.days_overdue) for t in january] == [
        (VINH_YEN, "F", 11), (TAM_DUONG, "A", 9), (TAM_DUONG, "B", 5)]
    assert [(t.title, t.status, t.days_overdue) for t in district] == [
        ("A", "done_late", 65), ("B", "done_late", 5), ("E", "overdue", 43)]
    assert none == []


def test_one_province_and_period_reads_only_its_units(db: Engine, tmp_path: Path) -> None:
    """The filters reach the tables: in the plan of one province's month, no subquery is filtered
    on level, unit, year or period after the fact (which would mean computing every unit's tasks
    first), and dim_period is read for that month alone."""
    load_the_case(db, tmp_path)
    with db.connect() as conn:
        [[plan]] = conn.execute(text(
            "EXPLAIN (FORMAT JSON) SELECT * FROM mart.task_overdue WHERE level = 'province' AND unit_code = '26' "
            "AND year = 2024 AND period_type = 'month' AND month = 2")).all()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    nodes = []

    def walk(node: dict[str, Any]) -> None:
        nodes.append(node)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    late_filters = [n.get("Filter", "") for n in nodes if n["Node Type"] == "Subquery Scan"]
    assert not [f for f in late_filters if any(c in f for c in ("level", "unit_code", "year", "month"))], late_filters
    periods = [n for n in nodes if n.get("Relation Name") == "dim_period"]
    assert periods and all("month = 2" in n.get("Filter", "") + n.get("Index Cond", "") for n in periods), periods
    windows = [n for n in nodes if n["Node Type"] == "WindowAgg"]
    assert windows  # the spans, computed below the filters
