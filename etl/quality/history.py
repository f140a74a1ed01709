"""The previous month the consistency rules compare a submission with.

For each submission of a batch, the previous month of its district comes from a file of
the same batch for that month (the latest one by arrival), otherwise from the warehouse.
`fetch` reads what the warehouse knows (previous months' values and year-to-date values,
previous task lists, the current deadline of every task) in one place, before the rules
run; the rules then evaluate on the batch and this History, without a connection.

Which batch file counts is decided when a rule asks (`History.previous_values`,
`History.previous_tasks`), not at fetch time: a file rejected by an earlier layer or
rule no longer stands for its month, and the warehouse answers in its place. So the
fetch covers every previous month a usable submission may ask for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from etl.domain.contract import KIND_SUBMISSION
from etl.domain.periods import period_key, previous_month
from etl.intake.structure import CheckedFile

if TYPE_CHECKING:
    from etl.quality.gate import GateItem

MonthRef = tuple[str, int]  # (district_code, period_key)


@dataclass(frozen=True)
class TaskState:
    status: str | None
    deadline: date | None
    title: str | None


@dataclass(frozen=True)
class History:
    """What the warehouse holds of the months before a batch's submissions."""

    values: dict[MonthRef, dict[str, float]] = field(default_factory=dict)  # code / ytd_<code> -> value
    tasks: dict[MonthRef, dict[str, TaskState]] = field(default_factory=dict)  # ma_nhiem_vu -> state
    deadlines: dict[tuple[str, str], date | None] = field(default_factory=dict)  # (district, task) -> current

    def previous_values(self, items: list[GateItem], latest: dict[MonthRef, int], key: MonthRef) -> dict[str, float]:
        """The month's values: from the batch file `latest` names for it, else the warehouse."""
        return submitted_values(items[latest[key]]) if key in latest else self.values.get(key, {})

    def previous_tasks(self, items: list[GateItem], latest: dict[MonthRef, int],
                       key: MonthRef) -> dict[str, TaskState]:
        """The month's task list: from the batch file `latest` names for it, else the warehouse."""
        return task_states(items[latest[key]]) if key in latest else self.tasks.get(key, {})


def usable(item: GateItem) -> bool:
    """A submission the rules evaluate, and that may stand for its month: no error so far."""
    c = item.checked
    return c.kind == KIND_SUBMISSION and c.district is not None and c.month is not None and not c.errors


def previous_key(checked: CheckedFile) -> MonthRef:
    assert checked.district_code is not None and checked.year is not None and checked.month is not None
    return checked.district_code, period_key(*previous_month(checked.year, checked.month))


def batch_latest(items: list[GateItem]) -> dict[MonthRef, int]:
    """(district, period_key) -> index of the latest usable file of the batch for it."""
    latest: dict[MonthRef, int] = {}
    for i, item in enumerate(items):
        if usable(item):
            c = item.checked
            assert c.district_code is not None and c.year is not None
            key = (c.district_code, period_key(c.year, c.month))
            if key not in latest or items[latest[key]].received_at <= item.received_at:
                latest[key] = i
    return latest


def submitted_values(item: GateItem) -> dict[str, float]:
    """A file's month values by indicator code, and its year-to-date values as ytd_<code>."""
    out: dict[str, float] = {}
    for r in item.checked.indicator_rows:
        code = r.indicator_code
        if code is None:
            continue
        if r.thuc_hien_thang is not None:
            out[code] = float(r.thuc_hien_thang)
        if r.luy_ke_nam is not None:
            out[f"ytd_{code}"] = float(r.luy_ke_nam)
    return out


def task_states(item: GateItem) -> dict[str, TaskState]:
    return {r.ma_nhiem_vu: TaskState(r.trang_thai, r.han_hoan_thanh, r.ten_nhiem_vu)
            for r in item.checked.task_rows if r.ma_nhiem_vu}


def fetch(conn: Connection, items: list[GateItem]) -> History:
    """The warehouse's previous months (and current task deadlines) for the batch's usable submissions."""
    subs = [item.checked for item in items if usable(item)]
    if not subs:
        return History()
    months = {previous_key(c) for c in subs}
    districts = {c.district_code for c in subs if c.district_code is not None}
    return History(_values(conn, months), _tasks(conn, months), _deadlines(conn, districts))


def _values(conn: Connection, months: set[MonthRef]) -> dict[MonthRef, dict[str, float]]:
    districts, periods = zip(*sorted(months), strict=True)
    rows = conn.execute(text("""
        SELECT v.district_code, v.period_key, v.indicator_code, v.value, v.ytd_value
        FROM core.indicator_value_current AS v
        JOIN unnest(CAST(:d AS text[]), CAST(:p AS int[])) AS k(district_code, period_key)
          ON v.district_code = k.district_code AND v.period_key = k.period_key
    """), {"d": list(districts), "p": list(periods)})
    out: dict[MonthRef, dict[str, float]] = {}
    for d, p, code, value, ytd in rows:
        vals = out.setdefault((d, p), {})
        if value is not None:
            vals[code] = float(value)
        if ytd is not None:
            vals[f"ytd_{code}"] = float(ytd)
    return out


def _tasks(conn: Connection, months: set[MonthRef]) -> dict[MonthRef, dict[str, TaskState]]:
    districts, periods = zip(*sorted(months), strict=True)
    rows = conn.execute(text("""
        SELECT s.district_code, s.period_key, s.ma_nhiem_vu, s.trang_thai, t.han_hoan_thanh, t.ten_nhiem_vu
        FROM core.fct_task_snapshot AS s
        JOIN core.fct_submission AS sub ON sub.submission_id = s.submission_id AND sub.is_current
        JOIN core.dim_task AS t ON t.task_key = s.task_key
        JOIN unnest(CAST(:d AS text[]), CAST(:p AS int[])) AS k(district_code, period_key)
          ON s.district_code = k.district_code AND s.period_key = k.period_key
    """), {"d": list(districts), "p": list(periods)})
    out: dict[MonthRef, dict[str, TaskState]] = {}
    for d, p, task, status, deadline, title in rows:
        out.setdefault((d, p), {})[task] = TaskState(status, deadline, title)
    return out


def _deadlines(conn: Connection, districts: set[str]) -> dict[tuple[str, str], date | None]:
    rows = conn.execute(text("""
        SELECT district_code, ma_nhiem_vu, han_hoan_thanh FROM core.dim_task
        WHERE is_current AND district_code = ANY(:d)
    """), {"d": sorted(districts)})
    return {(d, t): h for d, t, h in rows}
