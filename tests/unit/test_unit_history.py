"""Units in time from the package's snapshot and reference/unit_changes.csv (no database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl.domain import admin_units
from etl.domain.unit_history import (
    UnitChangeError,
    district_versions,
    ending_of,
    life_span,
    load_unit_changes,
    read_unit_changes,
    version_on,
)

HEADER = ("effective_date,change,level,unit_code,unit_name,unit_type,province_code,name_before,type_before,"
          "successor_code,communes_before,communes_after,legal_act,legal_act_date,date_confirmed,source,note\n")
LEVEL_END = "2025-07-01,abolished,district,*,,,,,,,,,72/2025/QH15,,yes,,\n"
SNAPSHOT = [{"district_code": "101", "district_name": "Huyện Một", "district_type": "Huyện", "commune_count": 12,
             "province_code": "01"}]


def changes_of(tmp_path: Path, *lines: str) -> list:
    path = tmp_path / "unit_changes.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return read_unit_changes(path)


def test_the_history_walks_the_snapshot_back_through_its_changes() -> None:
    histories = district_versions(admin_units.legacy_districts().to_dict("records"), load_unit_changes())
    yen_the = histories["215"]
    assert [v.commune_count for v in yen_the] == [21, 19, 17]
    assert version_on(yen_the, date(2021, 5, 31)).commune_count == 19  # "11/19 xã, thị trấn" (seed, 2021)
    assert version_on(yen_the, date(2025, 7, 1)) is None  # the district level ended on 1/7/2025
    assert life_span(histories["224"]) == (date(2025, 1, 1), date(2025, 6, 30))  # Thị xã Chũ
    assert life_span(histories["221"]) == (None, date(2024, 12, 31))  # Yên Dũng, not in the package
    assert ending_of("221", load_unit_changes()).successor_code == "213"
    assert ending_of("639", load_unit_changes()).legal_act == "72/2025/QH15"
    # Every district of the package ends with the district level, on 30/6/2025.
    assert {versions[-1].valid_to for code, versions in histories.items() if code != "221"} == {date(2025, 6, 30)}


def test_a_missing_change_between_two_records_is_an_error(tmp_path: Path) -> None:
    changes = changes_of(tmp_path, "2020-01-01,commune_count,district,101,Huyện Một,Huyện,01,,,,15,14,1/NQ,,yes,,\n",
                         LEVEL_END)
    with pytest.raises(UnitChangeError, match="leaves 14 communes, but the next record has 12"):
        district_versions(SNAPSHOT, changes)


def test_one_line_adds_a_change(tmp_path: Path) -> None:
    changes = changes_of(tmp_path, "2020-01-01,commune_count,district,101,Huyện Một,Huyện,01,,,,15,12,1/NQ,,no,,\n",
                         "2022-03-01,renamed,district,101,Huyện Một,Huyện,01,Huyện Cũ,,,,,2/NQ,,yes,,\n", LEVEL_END)
    versions = district_versions(SNAPSHOT, changes)["101"]
    assert [(v.unit_name, v.commune_count, v.valid_from, v.valid_to, v.date_confirmed) for v in versions] == [
        ("Huyện Cũ", 15, None, date(2019, 12, 31), True),
        ("Huyện Cũ", 12, date(2020, 1, 1), date(2022, 2, 28), False),
        ("Huyện Một", 12, date(2022, 3, 1), date(2025, 6, 30), True),
    ]


def test_a_unit_that_ended_needs_its_ending_line(tmp_path: Path) -> None:
    merged = "2024-01-01,merged_into,district,102,Huyện Hai,Huyện,01,,,101,9,,3/NQ,,yes,,\n"
    versions = district_versions(SNAPSHOT, changes_of(tmp_path, merged, LEVEL_END))["102"]
    assert [(v.unit_name, v.commune_count, v.valid_to) for v in versions] == [("Huyện Hai", 9, date(2023, 12, 31))]
    with pytest.raises(UnitChangeError, match="still lists it"):
        district_versions(SNAPSHOT, changes_of(tmp_path, merged.replace(",102,", ",101,"), LEVEL_END))
    with pytest.raises(UnitChangeError, match="neither vietnamadminunits nor an ending change"):
        district_versions(SNAPSHOT, changes_of(tmp_path, "2020-01-01,renamed,district,103,Huyện Ba,Huyện,01,X,,,,,"
                                                        "4/NQ,,yes,,\n"))


@pytest.mark.parametrize(("line", "message"), [
    ("2020-13-01,renamed,district,101,A,Huyện,01,B,,,,,1/NQ,,yes,,\n", "not YYYY-MM-DD"),
    ("2020-01-01,split,district,101,A,Huyện,01,B,,,,,1/NQ,,yes,,\n", "change 'split' is not one of"),
    ("2020-01-01,renamed,district,1010,A,Huyện,01,B,,,,,1/NQ,,yes,,\n", "not a district code"),
    ("2020-01-01,merged_into,district,101,A,Huyện,01,,,,,,1/NQ,,yes,,\n", "needs successor_code"),
    ("2020-01-01,renamed,district,101,A,Huyện,01,B,,,,,1/NQ,,maybe,,\n", "yes or no"),
])
def test_a_bad_line_names_its_line(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(UnitChangeError, match=f"unit_changes.csv, line 2: .*{message}"):
        changes_of(tmp_path, line)
