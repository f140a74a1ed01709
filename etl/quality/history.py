"""The previous month the consistency rules compare a submission with.

For each submission of a batch, the previous month of its district comes from a file of
the same batch for that month (the latest one by arrival), otherwise from the warehouse.
`fetch` reads what the warehouse knows (previous months' values and year-to-date values,
previous task lists, the current deadline of every task) in one place, before the rules
run; the rules then evaluate on the batch and this History, without a connection.

Which batch file counts is decided when a rule asks (`History.previous_values`,
`History.previous_tasks`), not at fetch time: a file rejected by an earlier layer or
rule no longer stands for its month, and the warehouse answers in its place. So the
fetch covers every previous month a usable submission may ask for.

For the plausibility warnings (etl.quality.plausibility) it also brings, for every dated
submission (`dated`: unit and month known, errors allowed), the district's latest few months
with a figure (`History.recent`, up to RECENT_MONTHS within the LOOKBACK_MONTHS before the
file's month) and the annual plan in force for the file's year (`History.plans`); here too an
earlier file of the same batch stands for its month (`recent_values`) and a plan file of the
same batch for its year (`plan_values`), decided when asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from etl.domain.catalog import load_catalog
from etl.domain.contract import KIND_PLAN, KIND_SUBMISSION
from etl.domain.periods import period_key, previous_month
from etl.intake.structure import CheckedFile

if TYPE_CHECKING:
    from etl.quality.gate import GateItem

MonthRef = tuple[str, int]  # (district_code, period_key)
PlanRef = tuple[str, int]  # (district_code, year)
RecentMonths = dict[str, list[tuple[int, float]]]  # indicator code -> [(period_key, value)], newest first

# How many previous months give a figure's usual scale, and how far back they are looked for:
# a year, so a district that skipped a few months still has a scale, and an old level does not.
RECENT_MONTHS = 3
LOOKBACK_MONTHS = 12


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
    # (district, the file's period_key) -> the warehouse's latest nonzero month values before it
    recent: dict[MonthRef, RecentMonths] = field(default_factory=dict)
    plans: dict[PlanRef, dict[str, float]] = field(default_factory=dict)  # current annual targets, catalog unit

    def previous_values(self, items: list[GateItem], latest: dict[MonthRef, int], key: MonthRef) -> dict[str, float]:
        """The month's values: from the batch file `latest` names for it, else the warehouse."""
        return submitted_values(items[latest[key]]) if key in latest else self.values.get(key, {})

    def previous_tasks(self, items: list[GateItem], latest: dict[MonthRef, int],
                       key: MonthRef) -> dict[str, TaskState]:
        """The month's task list: from the batch file `latest` names for it, else the warehouse."""
        return task_states(items[latest[key]]) if key in latest else self.tasks.get(key, {})

    def recent_values(self, items: list[GateItem], latest: dict[MonthRef, int], key: MonthRef) -> RecentMonths:
        """Per indicator, the nonzero month values of up to RECENT_MONTHS latest months before
        key's month (within LOOKBACK_MONTHS), newest first. A batch file `latest` names for a
        month stands for that whole month (it will be the current version), else the warehouse."""
        district, period = key
        # The months of the look-back looked up, not every file of the batch scanned for each file
        # (a national month: 3.321 x 3.321, 1,6 s).
        batch = {p: latest[(district, p)] for p in months_between(lookback_start(period), period)
                 if (district, p) in latest}
        merged: dict[str, list[tuple[int, float]]] = {}
        for code, months in self.recent.get(key, {}).items():
            merged[code] = [(p, v) for p, v in months if p not in batch]
        for p, i in batch.items():
            for code, v in submitted_values(items[i]).items():
                if not code.startswith("ytd_") and v != 0:
                    merged.setdefault(code, []).append((p, v))
        return {code: sorted(months, reverse=True)[:RECENT_MONTHS] for code, months in merged.items() if months}

    def plan_values(self, items: list[GateItem], plans: dict[PlanRef, int], key: PlanRef) -> dict[str, float]:
        """The year's targets: from the batch plan file `plans` names for it, else the warehouse."""
        return plan_targets(items[plans[key]]) if key in plans else self.plans.get(key, {})


def usable(item: GateItem) -> bool:
    """A submission the rules evaluate, and that may stand for its month: no error so far."""
    c = item.checked
    return c.kind == KIND_SUBMISSION and c.district is not None and c.month is not None and not c.errors


def dated(item: GateItem) -> bool:
    """A submission whose unit and month are known, errors or not: what a plausibility check
    can place against the unit's own months and plan."""
    c = item.checked
    return c.kind == KIND_SUBMISSION and c.district is not None and c.year is not None and c.month is not None


def lookback_start(period: int) -> int:
    """The first period_key of the LOOKBACK_MONTHS before a month's key (YYYYMM)."""
    months = (period // 100) * 12 + period % 100 - 1 - LOOKBACK_MONTHS
    return (months // 12) * 100 + months % 12 + 1


def months_between(first: int, end: int) -> list[int]:
    """The month keys (YYYYMM) from `first` up to, not including, `end`."""
    months = []
    while first < end:
        months.append(first)
        first = first + 1 if first % 100 < 12 else (first // 100 + 1) * 100 + 1
    return months


def month_key(checked: CheckedFile) -> MonthRef:
    assert checked.district_code is not None and checked.year is not None and checked.month is not None
    return checked.district_code, period_key(checked.year, checked.month)


def year_key(checked: CheckedFile) -> PlanRef:
    assert checked.district_code is not None and checked.year is not None
    return checked.district_code, checked.year


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


def batch_plans(items: list[GateItem]) -> dict[PlanRef, int]:
    """(district, year) -> index of the latest plan file of the batch without errors for it."""
    latest: dict[PlanRef, int] = {}
    for i, item in enumerate(items):
        c = item.checked
        if c.kind == KIND_PLAN and c.district_code is not None and c.year is not None and not c.errors:
            key = (c.district_code, c.year)
            if key not in latest or items[latest[key]].received_at <= item.received_at:
                latest[key] = i
    return latest


def plan_targets(item: GateItem) -> dict[str, float]:
    return {r.indicator_code: float(r.ke_hoach_nam) for r in item.checked.plan_rows
            if r.indicator_code is not None and r.ke_hoach_nam is not None}


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
    """The warehouse's previous months, current task deadlines, recent months and plans for the
    batch's dated submissions: every one whose unit and month are known, errors or not, as the
    rules and the plausibility check look at them all (one reply lists every problem)."""
    dated_subs = [item.checked for item in items if dated(item)]
    if not dated_subs:
        return History()
    months = {previous_key(c) for c in dated_subs}
    districts = {c.district_code for c in dated_subs if c.district_code is not None}
    # Only the indicators the check takes that the batch sends figures for: a third of the catalog.
    from etl.quality.plausibility import checkable  # here: plausibility reads this module
    wanted = checkable(load_catalog())
    codes = sorted({r.indicator_code for c in dated_subs for r in c.indicator_rows
                    if r.indicator_code is not None and r.indicator_code in wanted and r.conversion_factor is not None})
    return History(
        _values(conn, months),
        _tasks(conn, months) if months else {},
        _deadlines(conn, districts) if districts else {},
        _recent(conn, {month_key(c) for c in dated_subs}, codes) if codes else {},
        _plans(conn, {year_key(c) for c in dated_subs}, codes) if codes else {},
    )


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


def _recent(conn: Connection, months: set[MonthRef], codes: list[str]) -> dict[MonthRef, RecentMonths]:
    """For each (district, period) and indicator: the latest RECENT_MONTHS nonzero current values
    in the LOOKBACK_MONTHS before it. One query: for each pair, a LIMIT read backwards on the
    (district_code, indicator_code, period_key) index, so the cost does not grow with the
    months a district has sent."""
    districts, periods = zip(*sorted(months), strict=True)
    rows = conn.execute(text("""
        SELECT k.district_code, k.period_key, c.code, r.period_key, r.value
        FROM unnest(CAST(:d AS text[]), CAST(:p AS int[]), CAST(:low AS int[])) AS k(district_code, period_key, low)
        CROSS JOIN unnest(CAST(:codes AS text[])) AS c(code)
        CROSS JOIN LATERAL (
            SELECT v.period_key, v.value FROM core.indicator_value_current AS v
            WHERE v.district_code = k.district_code AND v.indicator_code = c.code
              AND v.period_key >= k.low AND v.period_key < k.period_key AND v.value <> 0
            ORDER BY v.period_key DESC
            LIMIT :depth
        ) AS r
    """), {"d": list(districts), "p": list(periods), "low": [lookback_start(p) for p in periods],
           "codes": codes, "depth": RECENT_MONTHS})
    out: dict[MonthRef, RecentMonths] = {}
    for d, p, code, month, value in rows:
        out.setdefault((d, p), {}).setdefault(code, []).append((month, float(value)))
    return out


def _plans(conn: Connection, years: set[PlanRef], codes: list[str]) -> dict[PlanRef, dict[str, float]]:
    """The targets of the plan in force for each (district, year)."""
    districts, ys = zip(*sorted(years), strict=True)
    rows = conn.execute(text("""
        SELECT p.district_code, p.year, t.indicator_code, t.target_value
        FROM core.fct_plan AS p
        JOIN unnest(CAST(:d AS text[]), CAST(:y AS int[])) AS k(district_code, year)
          ON p.district_code = k.district_code AND p.year = k.year
        JOIN core.fct_plan_target AS t ON t.plan_id = p.plan_id
        WHERE p.is_current AND t.indicator_code = ANY(CAST(:codes AS text[]))
    """), {"d": list(districts), "y": list(ys), "codes": codes})
    out: dict[PlanRef, dict[str, float]] = {}
    for d, y, code, target in rows:
        out.setdefault((d, int(y)), {})[code] = float(target)
    return out
