"""Reporting periods (etl.domain.periods): what operators and districts type, keys, windows."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from etl.domain.periods import (
    PeriodError,
    half_of,
    month_window,
    parse_month,
    parse_period,
    period_key,
    periods_of_year,
    previous_month,
)


@pytest.mark.parametrize(("text", "kind", "key", "code"), [
    ("2024-05", "month", 202405, "2024-05"),
    (" 2024-12 ", "month", 202412, "2024-12"),
    ("2024-H1", "half", 202491, "2024-H1"),
    ("2024-h2", "half", 202492, "2024-H2"),
    ("2024", "year", 202400, "2024"),
])
def test_parse_period(text: str, kind: str, key: int, code: str) -> None:
    period = parse_period(text)
    assert (period.kind, period.key, period.code) == (kind, key, code)


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "2024-5", "2024-H3", "05/2024", "24", "", "2024-05-01"])
def test_parse_period_rejects_in_both_languages(text: str) -> None:
    with pytest.raises(PeriodError, match=r"không hợp lệ.*invalid period"):
        parse_period(text)


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-05", (2024, 5)),
    ("2024-5", (2024, 5)),
    ("05/2024", (2024, 5)),
    ("5/2024", (2024, 5)),
    (" 12/2024 ", (2024, 12)),
    (date(2024, 5, 1), (2024, 5)),  # Excel turns a typed 05/2024 into a date cell
    (datetime(2024, 5, 1, 0, 0), (2024, 5)),
])
def test_parse_month_as_districts_write_it(value: object, expected: tuple[int, int]) -> None:
    assert parse_month(value) == expected


@pytest.mark.parametrize("value", [None, "", "tháng 5/2024", "2024-13", "13/2024", "00/2024", "2024", 2024.0,
                                   "2024-05-01"])
def test_parse_month_unreadable(value: object) -> None:
    assert parse_month(value) is None


def test_period_key() -> None:
    assert period_key(2024, 5) == 202405
    assert period_key(2024, half=1) == 202491
    assert period_key(2024, half=2) == 202492
    assert period_key(2024) == 202400


def test_previous_month_crosses_the_year() -> None:
    assert previous_month(2024, 5) == (2024, 4)
    assert previous_month(2024, 1) == (2023, 12)
    assert parse_period("2024-01").previous().code == "2023-12"
    with pytest.raises(ValueError, match="only a month"):
        parse_period("2024-H1").previous()


def test_month_window_follows_decree_09() -> None:
    assert month_window(2024, 5) == (date(2024, 4, 15), date(2024, 5, 14))
    assert month_window(2024, 1) == (date(2023, 12, 15), date(2024, 1, 14))
    assert month_window(2024, 3, cutoff_day=20) == (date(2024, 2, 21), date(2024, 3, 20))


@pytest.mark.parametrize(("month", "half"), [(1, 1), (6, 1), (7, 2), (12, 2)])
def test_half_of(month: int, half: int) -> None:
    assert half_of(month) == half


def test_halves_and_year_span_their_months_and_windows() -> None:
    h1, h2, year = parse_period("2024-H1"), parse_period("2024-H2"), parse_period("2024")
    assert (h1.start_date, h1.end_date) == (date(2024, 1, 1), date(2024, 6, 30))
    assert (h2.start_date, h2.end_date) == (date(2024, 7, 1), date(2024, 12, 31))
    assert h1.window() == (date(2023, 12, 15), date(2024, 6, 14))
    assert h2.window() == (date(2024, 6, 15), date(2024, 12, 14))
    assert year.window() == (date(2023, 12, 15), date(2024, 12, 14))
    assert parse_period("2024-02").end_date == date(2024, 2, 29)


def test_labels_name_the_period_as_a_review_does() -> None:
    assert parse_period("2024-05").label == "tháng 05/2024"
    assert parse_period("2024-H1").label == "6 tháng đầu năm 2024"
    assert parse_period("2024-H2").label == "6 tháng cuối năm 2024"
    assert parse_period("2024").label == "năm 2024"


def test_periods_of_year_are_the_months_the_halves_and_the_year() -> None:
    periods = periods_of_year(2024)
    assert [p.code for p in periods] == [f"2024-{m:02d}" for m in range(1, 13)] + ["2024-H1", "2024-H2", "2024"]
    assert len({p.key for p in periods}) == 15
