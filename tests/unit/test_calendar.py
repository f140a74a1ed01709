"""The reporting calendar (etl.domain.calendar): deadlines, the per-province override,
assignments and alert settings, read from reference/reporting_calendar.yaml.
That the SQL computes the same deadlines is tests/test_contract.py's."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from etl.domain.calendar import (
    Assignment,
    load_calendar,
    local_zone,
    parse_assignments,
    read_calendar,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
GIA_LAI, VINH_PHUC = "64", "26"


def test_default_deadline_is_the_18th_at_midnight_in_vietnam() -> None:
    deadline = load_calendar().deadline(VINH_PHUC, 2024, 5)
    assert deadline == datetime(2024, 5, 18, 23, 59, 59, tzinfo=HCM)
    assert deadline.utcoffset().total_seconds() == 7 * 3600


def test_gia_lai_overrides_the_monthly_deadline_only() -> None:
    calendar = load_calendar()
    assert calendar.deadline(GIA_LAI, 2024, 5) == datetime(2024, 5, 17, 17, 0, tzinfo=HCM)
    assert calendar.rule(GIA_LAI, "month").deadline_time == time(17, 0)
    # Half-year and annual reports fall back to the default.
    assert calendar.deadline(GIA_LAI, 2024, 6, "half") == datetime(2024, 6, 20, 23, 59, 59, tzinfo=HCM)
    assert calendar.rule(GIA_LAI, "year") == calendar.rule("*", "year")


def test_cutoff_day_and_zone() -> None:
    calendar = load_calendar()
    assert calendar.rule(VINH_PHUC).cutoff_day == 14
    assert calendar.timezone == "Asia/Ho_Chi_Minh"
    assert local_zone() == HCM


def test_alert_settings_and_no_assignments_by_default() -> None:
    calendar = load_calendar()
    assert (calendar.alerts.reminder_days_before, calendar.alerts.escalate_after_days,
            calendar.alerts.alert_window_days) == (3, 5, 45)
    assert calendar.assignments == ()


def test_assignments_are_parsed_and_checked() -> None:
    assert parse_assignments([{"province_code": 26, "from": "2025-01"}]) == [Assignment("26", "month", 202501)]
    with pytest.raises(ValueError, match="not a legacy province code"):
        parse_assignments([{"province_code": "abc", "from": "2025-01"}])
    with pytest.raises(ValueError, match="is not YYYY-MM"):
        parse_assignments([{"province_code": "26", "from": "2025-13"}])
    with pytest.raises(ValueError, match="only monthly reports"):
        parse_assignments([{"province_code": "26", "from": "2025-01", "report_type": "year"}])


def _calendar_file(tmp_path: Path, month_rule: str, timezone: str = "Asia/Ho_Chi_Minh") -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(f"timezone: {timezone}\ndefault:\n  month: {month_rule}\n", encoding="utf-8")
    return path


def test_a_calendar_file_is_checked_when_read(tmp_path: Path) -> None:
    ok = read_calendar(_calendar_file(tmp_path, '{cutoff_day: 10, deadline_day: 15, deadline_time: "08:00:00"}'))
    assert ok.deadline("01", 2024, 2) == datetime(2024, 2, 15, 8, 0, tzinfo=HCM)
    with pytest.raises(ValueError, match="cutoff < deadline"):
        read_calendar(_calendar_file(tmp_path, '{cutoff_day: 18, deadline_day: 15, deadline_time: "08:00:00"}'))
    with pytest.raises(Exception, match="Mars"):
        read_calendar(_calendar_file(tmp_path, '{cutoff_day: 10, deadline_day: 15, deadline_time: "08:00:00"}',
                                     timezone="Mars/Olympus"))
