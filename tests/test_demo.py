"""The demo year: every scenario it promises shows up, and a second run changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from etl.demo import run_demo
from tests.test_ingest import snapshot


def test_demo_year_has_every_scenario_and_reruns_as_duplicates(db: Engine, tmp_path: Path) -> None:
    lines: list[str] = []
    first = run_demo(db, year=2024, workdir=tmp_path / "demo", echo=lines.append)
    assert first["statuses"]["accepted"] > 400
    assert first["statuses"]["rejected"] > 0 and first["statuses"]["duplicate"] > 0
    assert 0 < first["expected"] - first["covered"] < 20  # a few months never sent
    assert first["late"] > 0
    assert first["statuses"]["accepted_with_warnings"] > 0  # e.g. more insurance cards than residents
    summary = "\n".join(lines)
    for code in ("VALUE_MALFORMED", "RULE_KT01_COMPONENTS", "RULE_RATE_MATCHES_COMPONENTS", "RULE_TT_BALANCE"):
        assert code in summary  # the seeds' mistakes are caught by the structure checks and the rules
    before = snapshot(db)
    second = run_demo(db, year=2024, workdir=tmp_path / "demo", echo=lines.append)
    assert set(second["statuses"]) == {"duplicate"}
    assert snapshot(db) == before
