"""Reporting periods (kỳ báo cáo): parse, key, previous month, data window, half, year.

The one definition of a period for the whole pipeline. A period is a month, a half-year or
a year; its key is the integer the warehouse stores (core.dim_period.period_key): YYYYMM for
a month, YYYY*100+90+half for a half (202491), YYYY*100 for a year."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

PeriodKind = Literal["month", "half", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "half", "year")
# Years a submission may be about, and that core.dim_period holds.
FIRST_YEAR, LAST_YEAR = 2015, 2035
PERIOD_YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
# Decree 09/2019/NĐ-CP: a month's data run from the 15th of the previous month to the 14th.
DEFAULT_CUTOFF_DAY = 14

_SPEC = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|[Hh](?P<half>[12])))?$")
_MONTH_ISO = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_VN = re.compile(r"^(\d{1,2})/(\d{4})$")


class PeriodError(ValueError):
    """A period that cannot be read: the message is Vietnamese, then English."""


def period_key(year: int, month: int | None = None, half: int | None = None) -> int:
    if month is not None:
        return year * 100 + month
    if half is not None:
        return year * 100 + 90 + half
    return year * 100


def half_of(month: int) -> int:
    """Months 1-6 are H1, 7-12 are H2 (Decree 09)."""
    return 1 if month <= 6 else 2


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_window(year: int, month: int, cutoff_day: int = DEFAULT_CUTOFF_DAY) -> tuple[date, date]:
    """Decree 09 data window of month m: (cutoff+1) of the previous month to cutoff of m."""
    prev_year, prev_month = previous_month(year, month)
    return date(prev_year, prev_month, cutoff_day + 1), date(year, month, cutoff_day)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    year: int
    month: int | None = None
    half: int | None = None

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        return cls("month", year, month=month)

    @classmethod
    def of_half(cls, year: int, half: int) -> Period:
        return cls("half", year, half=half)

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls("year", year)

    @property
    def key(self) -> int:
        return period_key(self.year, self.month, self.half)

    @property
    def code(self) -> str:
        """As the command line takes it and core.dim_period stores it: 2024-05, 2024-H1, 2024."""
        if self.kind == "month":
            return f"{self.year}-{self.month:02d}"
        if self.kind == "half":
            return f"{self.year}-H{self.half}"
        return str(self.year)

    @property
    def label(self) -> str:
        """As a review names it: tháng 05/2024, 6 tháng đầu năm 2024, năm 2024."""
        if self.kind == "month":
            return f"tháng {self.month:02d}/{self.year}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self.half == 1 else 'cuối'} năm {self.year}"
        return f"năm {self.year}"

    @property
    def months(self) -> str:
        if self.kind == "month":
            return f"tháng {self.month}"
        if self.kind == "half":
            return "tháng 1-6" if self.half == 1 else "tháng 7-12"
        return "tháng 1-12"

    @property
    def first_month(self) -> int:
        if self.kind == "month":
            return self.month  # type: ignore[return-value]
        return 7 if self.half == 2 else 1

    @property
    def last_month(self) -> int:
        if self.kind == "month":
            return self.month  # type: ignore[return-value]
        return 6 if self.half == 1 else 12

    @property
    def start_date(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end_date(self) -> date:
        return date(self.year, self.last_month, monthrange(self.year, self.last_month)[1])

    def window(self, cutoff_day: int = DEFAULT_CUTOFF_DAY) -> tuple[date, date]:
        """Data window: from the first month's window start to the last month's cut-off."""
        return (month_window(self.year, self.first_month, cutoff_day)[0],
                month_window(self.year, self.last_month, cutoff_day)[1])

    def previous(self) -> Period:
        """The month before a month (the previous month's YTD, TT07 carried over)."""
        if self.kind != "month":
            raise ValueError("only a month has a previous month")
        return Period.of_month(*previous_month(self.year, self.month))  # type: ignore[arg-type]


def periods_of_year(year: int) -> list[Period]:
    """Every period of a year, as core.dim_period holds them: the months, the halves, the year."""
    return [*(Period.of_month(year, m) for m in range(1, 13)), Period.of_half(year, 1), Period.of_half(year, 2),
            Period.of_year(year)]


def parse_period(value: str) -> Period:
    """A period as operators type it: YYYY-MM, YYYY-H1, YYYY-H2 or YYYY."""
    match = _SPEC.match(value.strip())
    month = int(match["month"]) if match and match["month"] else None
    if not match or (month is not None and not 1 <= month <= 12):
        raise PeriodError(f"kỳ báo cáo '{value}' không hợp lệ: dùng YYYY-MM, YYYY-H1, YYYY-H2 hoặc YYYY / "
                          f"invalid period '{value}': use YYYY-MM, YYYY-H1, YYYY-H2 or YYYY")
    year = int(match["year"])
    if month is not None:
        return Period.of_month(year, month)
    if match["half"]:
        return Period.of_half(year, int(match["half"]))
    return Period.of_year(year)


def parse_month(value: Any) -> tuple[int, int] | None:
    """ky_bao_cao as districts write it: YYYY-MM, MM/YYYY, or a date cell (Excel makes one of
    '05/2024'). None when it cannot be read."""
    if isinstance(value, date | datetime):
        return value.year, value.month
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    if m := _MONTH_ISO.match(s):
        year, month = int(m[1]), int(m[2])
    elif m := _MONTH_VN.match(s):
        year, month = int(m[2]), int(m[1])
    else:
        return None
    return (year, month) if 1 <= month <= 12 else None
