"""The tasks overdue or done late at the end of a period, for a report's list of them (issue 17,
point 2): read from mart.task_overdue, the analysts' view, whose rows counted by status are the
overdue and done_late of mart.task_monthly, task_semiannual and task_annual."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

from etl.domain.bodies import load_bodies
from etl.domain.contract import LEVELS
from etl.domain.periods import PERIOD_KINDS
from etl.domain.text import fold_key


@dataclass(frozen=True)
class OverdueTask:
    unit_code: str  # the reporting unit (district or commune) that reported the task
    unit_name: str
    assigning_body: str
    document: str | None
    title: str
    deadline: date
    status: str  # 'overdue' | 'done_late'
    days_overdue: int  # overdue: the period's cut-off minus the deadline; done late: completion minus deadline


def overdue_tasks(conn: Connection, *, level: str, unit_code: str, year: int, period_type: str,
                  half: int | None = None, month: int | None = None) -> list[OverdueTask]:
    """Ordered by assigning body, days overdue (most first), unit name."""
    if level not in LEVELS:
        raise ValueError(f"level {level!r} is none of {', '.join(LEVELS)}")
    if period_type not in PERIOD_KINDS:
        raise ValueError(f"period_type {period_type!r} is none of {', '.join(PERIOD_KINDS)}")
    # A month row carries its half too (mart.task_rollup's keys): only the period's own number filters.
    if (period_type == "month" and month is None) or (period_type == "half" and half is None):
        raise ValueError(f"a {period_type} period needs its {'month' if period_type == 'month' else 'half'}")
    where = {"month": "month = :month", "half": "half = :half", "year": "TRUE"}[period_type]
    rows = conn.execute(text(f"""
        SELECT district_code, district_name, assigning_body, document, title, deadline, status, days_overdue
        FROM mart.task_overdue
        WHERE level = :level AND unit_code = :unit_code AND year = :year AND period_type = :period_type AND {where}
    """), {"level": level, "unit_code": unit_code, "year": year, "period_type": period_type, "half": half,
           "month": month}).all()
    tasks = [OverdueTask(r.district_code, r.district_name, r.assigning_body, r.document, r.title, r.deadline,
                         r.status, r.days_overdue) for r in rows]
    # Bodies in reference/assigning_bodies.yaml's order, as the report's task table lists them.
    rank = {fold_key(body): i for i, body in enumerate(load_bodies().names)}
    return sorted(tasks, key=lambda t: (rank.get(fold_key(t.assigning_body), len(rank)), fold_key(t.assigning_body),
                                        -t.days_overdue, fold_key(t.unit_name), t.unit_code, t.title))
