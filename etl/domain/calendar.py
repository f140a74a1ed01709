"""The reporting calendar (reference/reporting_calendar.yaml), read once: the time zone,
each province's cut-off day and submission deadline per report type, who must report from
when (assignments), and the alert settings.

`baocao db upgrade` copies the rules and assignments into core.reporting_calendar and
core.reporting_assignment, which the SQL reads; Python reads them from here. Both come from
the same file, so the deadline is one fact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from etl.domain.periods import PERIOD_KINDS, period_key
from etl.paths import REFERENCE_DIR

CALENDAR_PATH = REFERENCE_DIR / "reporting_calendar.yaml"
DEFAULT_PROVINCE = "*"


@dataclass(frozen=True)
class CalendarRule:
    cutoff_day: int
    deadline_day: int
    deadline_time: time
    timezone: str


@dataclass(frozen=True)
class Assignment:
    """A province whose districts must send a report type from a period on (DHIS2: data set assignment)."""

    province_code: str
    report_type: str
    from_period_key: int


@dataclass(frozen=True)
class AlertSettings:
    reminder_days_before: int
    escalate_after_days: int
    alert_window_days: int


@dataclass(frozen=True)
class Calendar:
    timezone: str
    rules: dict[tuple[str, str], CalendarRule]  # (province_code or '*', report_type) -> rule
    assignments: tuple[Assignment, ...]
    alerts: AlertSettings

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    def rule(self, province_code: str, report_type: str = "month") -> CalendarRule:
        return self.rules.get((province_code, report_type)) or self.rules[(DEFAULT_PROVINCE, report_type)]

    def deadline(self, province_code: str, year: int, month: int, report_type: str = "month") -> datetime:
        """Submission deadline (hạn gửi) of a period for a province, as an aware datetime.

        Monthly: deadline_day of the reporting month; half-year and year: of its last month.
        The SQL computes the same from core.reporting_calendar (core.submission_status_at)."""
        rule = self.rule(province_code, report_type)
        return datetime.combine(date(year, month, rule.deadline_day), rule.deadline_time, tzinfo=self.zone)


def _rules(path: Path, timezone: str, data: dict[str, Any]) -> dict[tuple[str, str], CalendarRule]:
    rules: dict[tuple[str, str], CalendarRule] = {}

    def add(province: str, spec: dict[str, dict[str, Any]]) -> None:
        for report_type, r in spec.items():
            if report_type not in PERIOD_KINDS:
                raise ValueError(f"{path}: {province}: unknown report type {report_type!r}")
            rule = CalendarRule(int(r["cutoff_day"]), int(r["deadline_day"]),
                                time.fromisoformat(str(r["deadline_time"])), timezone)
            if not 1 <= rule.cutoff_day < rule.deadline_day <= 28:
                raise ValueError(f"{path}: {province}/{report_type} needs 1 <= cutoff < deadline <= 28")
            rules[(province, report_type)] = rule

    add(DEFAULT_PROVINCE, data["default"])
    for province, spec in (data.get("provinces") or {}).items():
        add(str(province).zfill(2), spec)
    return rules


def parse_assignments(entries: list[dict[str, Any]] | None, path: Path = CALENDAR_PATH) -> list[Assignment]:
    """The `assignments` of the calendar, checked."""
    out: list[Assignment] = []
    for entry in entries or []:
        province, start = str(entry.get("province_code", "")).zfill(2), str(entry.get("from", ""))
        report_type = str(entry.get("report_type", "month"))
        if not (len(province) == 2 and province.isdigit()):
            raise ValueError(f"{path}: assignment province_code {entry.get('province_code')!r} "
                             "is not a legacy province code (2 digits)")
        try:
            year, month = (int(x) for x in start.split("-"))
            if not 1 <= month <= 12:
                raise ValueError
        except ValueError:
            raise ValueError(f"{path}: assignment of {province}: from {start!r} is not YYYY-MM") from None
        if report_type != "month":
            raise ValueError(f"{path}: assignment of {province}: only monthly reports are assigned")
        out.append(Assignment(province, report_type, period_key(year, month)))
    return out


def read_calendar(path: Path = CALENDAR_PATH) -> Calendar:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    timezone = str(data["timezone"])
    ZoneInfo(timezone)  # an unknown zone fails here, not at the first deadline
    alerts = data.get("alerts") or {}
    return Calendar(
        timezone=timezone,
        rules=_rules(path, timezone, data),
        assignments=tuple(parse_assignments(data.get("assignments"), path)),
        alerts=AlertSettings(int(alerts.get("reminder_days_before", 3)), int(alerts.get("escalate_after_days", 5)),
                             int(alerts.get("alert_window_days", 45))),
    )


@cache
def load_calendar() -> Calendar:
    """The calendar of this deployment (read once per process)."""
    return read_calendar()


def local_zone() -> tzinfo:
    """The time zone in which deadlines, windows and alert times are read (the calendar's)."""
    return load_calendar().zone


class MomentError(ValueError):
    """A moment (--as-of, --since) that cannot be read: the message is Vietnamese, then English."""


def parse_moment(value: str, *, dates: bool = True) -> datetime:
    """A moment the figures are read as of: ISO 8601 with its UTC offset, or (with `dates`) a bare
    date, the end of that day on the calendar's clock ("as known on 19/06/2024"). A bare time is
    refused: which version was in force depends on the very hour, so the zone is not guessed."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise MomentError(f"thời điểm '{value}' không hợp lệ: dùng ISO 8601 có múi giờ, ví dụ 2024-06-19T17:00+07:00"
                          f"{', hoặc một ngày 2024-06-19' if dates else ''} / invalid moment '{value}': use ISO 8601 "
                          f"with a UTC offset, e.g. 2024-06-19T17:00+07:00{', or a date' if dates else ''}") from exc
    if parsed.tzinfo is None and dates and len(value.strip()) == 10:
        return parsed.replace(hour=23, minute=59, second=59, tzinfo=local_zone())
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise MomentError(f"thời điểm '{value}' thiếu múi giờ: thêm +07:00 (giờ Việt Nam) hoặc Z (UTC) / "
                          f"moment '{value}' has no UTC offset: add +07:00 (Vietnam) or Z (UTC)")
    return parsed
