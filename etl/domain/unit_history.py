"""Reporting units in time: when each legacy district existed, what it was called and how many
communes it had, month by month; and the 2025 communes that report since the district level ended.

`vietnamadminunits` knows one snapshot per era: the legacy units as they stood on 30/6/2025 and
the 2025 units from 1/7/2025. Everything that changed before the reform is data, kept in
reference/unit_changes.csv (one line per change: established, merged_into, renamed,
type_changed, commune_count, abolished; with its legal act, its effective date and whether that
date was confirmed). A unit's history is the snapshot walked back through its changes; a unit the
snapshot no longer holds (Yên Dũng, merged on 1/1/2025) is known from its last change alone.
A line with unit_code `*` applies to every unit of its level: the district level's end.
Adding a change is a line of that file and `baocao db upgrade`.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from etl.paths import REFERENCE_DIR

UNIT_CHANGES_FILE = REFERENCE_DIR / "unit_changes.csv"
UNIT_LEVELS = ("district", "commune")
VERSION_CHANGES = ("established", "renamed", "type_changed", "commune_count")  # start a version
ENDINGS = ("merged_into", "abolished")  # end a unit
CHANGE_KINDS = VERSION_CHANGES + ENDINGS
ALL_UNITS = "*"


@dataclass(frozen=True)
class UnitChange:
    effective: date  # the first day the change holds
    change: str
    level: str
    unit_code: str  # or ALL_UNITS
    unit_name: str  # from the change on (for an ending change: its name at the end)
    unit_type: str
    province_code: str
    name_before: str
    type_before: str
    successor_code: str  # merged_into: the unit it became part of
    communes_before: int | None
    communes_after: int | None
    legal_act: str
    legal_act_date: date | None
    date_confirmed: bool
    source: str
    note: str


@dataclass(frozen=True)
class UnitVersion:
    """One span of a unit's life with the same name, type and commune count. valid_from None:
    before the first recorded change; valid_to None: still in force."""

    level: str
    unit_code: str
    unit_name: str
    unit_type: str
    province_code: str
    commune_count: int | None
    valid_from: date | None
    valid_to: date | None
    change: str | None  # what started this version (None: the earliest known)
    legal_act: str | None
    date_confirmed: bool = True

    def holds_on(self, day: date) -> bool:
        return self.overlaps(day, day)

    def overlaps(self, first: date, last: date) -> bool:
        """Whether the version held on some day of [first, last]."""
        return ((self.valid_from is None or self.valid_from <= last)
                and (self.valid_to is None or first <= self.valid_to))


@dataclass(frozen=True)
class UnitEnd:
    """How a unit's life ended: on which day (its last), by which change and act, and into what."""

    last_day: date
    change: str
    legal_act: str
    successor_code: str


class UnitChangeError(ValueError):
    """reference/unit_changes.csv contradicts itself or the package's snapshot."""


def _date(text: str, where: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise UnitChangeError(f"{where}: date '{text}' is not YYYY-MM-DD") from e


def _int(text: str, where: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise UnitChangeError(f"{where}: commune count '{text}' is not a whole number")
    return int(text)


def read_unit_changes(path: Path = UNIT_CHANGES_FILE) -> list[UnitChange]:
    """The changes, checked line by line, in date order."""
    changes: list[UnitChange] = []
    with path.open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            where = f"{path.name}, line {n}"
            effective = _date(row["effective_date"], where)
            if effective is None:
                raise UnitChangeError(f"{where}: effective_date is required")
            if row["change"] not in CHANGE_KINDS:
                raise UnitChangeError(f"{where}: change '{row['change']}' is not one of {', '.join(CHANGE_KINDS)}")
            if row["level"] not in UNIT_LEVELS:
                raise UnitChangeError(f"{where}: level '{row['level']}' is not one of {', '.join(UNIT_LEVELS)}")
            code = row["unit_code"].strip()
            if code != ALL_UNITS and not (code.isdigit() and len(code) == (3 if row["level"] == "district" else 5)):
                raise UnitChangeError(f"{where}: unit_code '{code}' is not a {row['level']} code")
            if row["change"] == "merged_into" and not row["successor_code"].strip():
                raise UnitChangeError(f"{where}: merged_into needs successor_code")
            if row["date_confirmed"] not in ("yes", "no"):
                raise UnitChangeError(f"{where}: date_confirmed must be yes or no")
            changes.append(UnitChange(
                effective=effective, change=row["change"], level=row["level"], unit_code=code,
                unit_name=row["unit_name"].strip(), unit_type=row["unit_type"].strip(),
                province_code=row["province_code"].strip(), name_before=row["name_before"].strip(),
                type_before=row["type_before"].strip(), successor_code=row["successor_code"].strip(),
                communes_before=_int(row["communes_before"], where), communes_after=_int(row["communes_after"], where),
                legal_act=row["legal_act"].strip(), legal_act_date=_date(row["legal_act_date"], where),
                date_confirmed=row["date_confirmed"] == "yes", source=row["source"].strip(), note=row["note"].strip()))
    return sorted(changes, key=lambda c: (c.effective, c.unit_code))


@cache
def load_unit_changes() -> tuple[UnitChange, ...]:
    return tuple(read_unit_changes())


def level_end(changes: Iterable[UnitChange], level: str) -> UnitChange | None:
    """The change that ended a whole level (the district level: 1/7/2025), if any."""
    ends = [c for c in changes if c.level == level and c.unit_code == ALL_UNITS and c.change == "abolished"]
    return min(ends, key=lambda c: c.effective) if ends else None


def district_level_last_day() -> date | None:
    """The last day of the district level (30/6/2025), from reference/unit_changes.csv."""
    end = level_end(load_unit_changes(), "district")
    return end.effective - timedelta(days=1) if end else None


def district_versions(snapshot: Sequence[Mapping[str, object]],
                      changes: Sequence[UnitChange]) -> dict[str, list[UnitVersion]]:
    """Every legacy district's versions, oldest first. `snapshot`: the package's districts as they
    stood the day before the level ended (district_code, district_name, district_type,
    commune_count, province_code)."""
    end = level_end(changes, "district")
    own: dict[str, list[UnitChange]] = defaultdict(list)
    for c in changes:
        if c.level == "district" and c.unit_code != ALL_UNITS:
            own[c.unit_code].append(c)
    histories: dict[str, list[UnitVersion]] = {}
    known = {str(r["district_code"]): r for r in snapshot}
    for code in sorted(set(known) | set(own)):
        unit_changes = sorted(own.get(code, []), key=lambda c: c.effective)
        ending = [c for c in unit_changes if c.change in ENDINGS]
        if len(ending) > 1:
            days = ", ".join(str(c.effective) for c in ending)
            raise UnitChangeError(f"district {code}: more than one change ends it ({days})")
        if code in known:
            if ending:
                raise UnitChangeError(
                    f"district {code} ends on {ending[0].effective} but vietnamadminunits still lists it")
            r = known[code]
            last = UnitVersion("district", code, str(r["district_name"]), str(r["district_type"]),
                               str(r["province_code"]), int(str(r["commune_count"])), None,
                               end.effective - timedelta(days=1) if end else None, None, None)
        elif ending:
            stop = ending[0]
            last = UnitVersion("district", code, stop.unit_name, stop.unit_type, stop.province_code,
                               stop.communes_before, None, stop.effective - timedelta(days=1), None, None)
            unit_changes = [c for c in unit_changes if c is not stop]
        else:
            raise UnitChangeError(f"district {code} has changes but neither vietnamadminunits nor an ending change "
                                  f"says what it was at its end")
        histories[code] = _walk_back(last, unit_changes)
    return histories


def _walk_back(last: UnitVersion, changes: list[UnitChange]) -> list[UnitVersion]:
    versions = [last]
    for c in reversed(changes):
        current = versions[0]
        if c.effective > (current.valid_to or date.max):
            raise UnitChangeError(f"district {last.unit_code}: change of {c.effective} after the unit's end")
        if c.communes_after is not None and current.commune_count is not None \
                and c.communes_after != current.commune_count:
            raise UnitChangeError(
                f"district {last.unit_code}: the change of {c.effective} leaves {c.communes_after} communes, but the "
                f"next record has {current.commune_count}: a change is missing between them")
        versions[0] = replace(current, valid_from=c.effective, change=c.change, legal_act=c.legal_act,
                              date_confirmed=c.date_confirmed)
        if c.change == "established":
            break
        before = replace(current, valid_from=None, valid_to=c.effective - timedelta(days=1), change=None,
                         legal_act=None, date_confirmed=True,
                         unit_name=c.name_before or current.unit_name, unit_type=c.type_before or current.unit_type,
                         commune_count=c.communes_before if c.communes_before is not None else current.commune_count)
        versions.insert(0, before)
    return versions


def version_on(versions: Sequence[UnitVersion], day: date) -> UnitVersion | None:
    """The version in force on `day`, if the unit existed then."""
    return next((v for v in versions if v.holds_on(day)), None)


def life_span(versions: Sequence[UnitVersion]) -> tuple[date | None, date | None]:
    """First and last day of the unit (None: before the records / still exists)."""
    return versions[0].valid_from if versions[0].change == "established" else None, versions[-1].valid_to


def ending_of(code: str, changes: Sequence[UnitChange], level: str = "district") -> UnitEnd | None:
    """How the unit ended: its own merger or abolition, else the end of its whole level."""
    own = [c for c in changes if c.level == level and c.unit_code == code and c.change in ENDINGS]
    chosen = own[0] if own else level_end(changes, level)
    if chosen is None:
        return None
    return UnitEnd(chosen.effective - timedelta(days=1), chosen.change, chosen.legal_act, chosen.successor_code)
