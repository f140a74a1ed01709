"""Files that are not submissions by their name (etl.intake.names): set aside by the landing step,
skipped by `baocao ingest` of a folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config import ENV_LANDING_SETTLE_SECONDS
from etl.intake.names import not_a_submission, skipped
from etl.orchestration.landing import discover_landed
from etl.warehouse.ingest import discover

NOT_SUBMISSIONS = ["~$báo cáo.xlsx", "~$639_2024-05.XLSX", "Thumbs.db", "THUMBS.DB", "desktop.ini", ".DS_Store"]


@pytest.mark.parametrize("name", NOT_SUBMISSIONS)
def test_lock_files_and_desktop_files_are_not_submissions(name: str) -> None:
    assert not_a_submission(name) and skipped(name)


@pytest.mark.parametrize("name", ["639_2024-05.xlsx", "báo cáo.xls", "x~$.ods", "thumbs.db.json"])
def test_submissions_are_taken(name: str) -> None:
    assert not not_a_submission(name) and not skipped(name)


def test_landing_sets_them_aside_and_lists_the_submission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_LANDING_SETTLE_SECONDS, "0")
    landing = tmp_path / "landing"
    landing.mkdir()
    for name in NOT_SUBMISSIONS[:1] + NOT_SUBMISSIONS[2:3] + NOT_SUBMISSIONS[-1:]:
        (landing / name).write_bytes(b"x")
    (landing / ".639.json.part").write_bytes(b"{")  # an upload under way: left alone
    (landing / "639.json").write_bytes(b"{}")
    assert discover_landed(str(landing)) == [str(landing / "639.json")]
    assert sorted(p.name for p in (landing / "set_aside").iterdir()) == [".DS_Store", "Thumbs.db", "~$báo cáo.xlsx"]
    assert sorted(p.name for p in landing.iterdir()) == [".639.json.part", "639.json", "set_aside"]
    (landing / "Thumbs.db").write_bytes(b"y")  # again: kept beside the first, nothing overwritten
    discover_landed(str(landing))
    assert (landing / "set_aside" / "Thumbs.db").read_bytes() == b"x"
    assert (landing / "set_aside" / "Thumbs.db.2").read_bytes() == b"y"


def test_cli_folder_discovery_skips_them(tmp_path: Path) -> None:
    for name in [*NOT_SUBMISSIONS, "639.json", ".hidden.json"]:
        (tmp_path / name).write_bytes(b"x")
    assert discover([tmp_path]) == [tmp_path / "639.json"]
