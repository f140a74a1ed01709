"""Issue 14, point 5: an OpenDocument (.ods) submission loads like its JSON, an .ods renamed .xlsx
is still refused (FILE_FORMAT_MISMATCH, tests/hostile.py), and the landing step sets aside what
is not a submission by its name.
An .xls is not tested here: no XLS writer is installed (no LibreOffice, no xlwt)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from etl.config import ENV_LANDING_SETTLE_SECONDS
from etl.orchestration.landing import discover_landed, ingest_landed
from etl.warehouse.ingest import ingest_paths
from tests import builders as b
from tests.conftest import empty_warehouse
from tests.hostile import ods

FIGURES = """
    SELECT v.indicator_code, v.value, v.ytd_value, v.submitted_unit, v.value_source
    FROM core.fct_indicator_value AS v JOIN core.fct_submission AS s USING (submission_id)
    WHERE s.district_code = :d ORDER BY 1"""


def _figures(db: Engine, district: str) -> list[tuple[object, ...]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(text(FIGURES), {"d": district})]


@pytest.mark.parametrize("name", ["639_2024-05.ods"])
def test_an_ods_submission_loads_the_figures_of_its_json(db: Engine, tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(ods(b.submission_sheets(b.submission(district="639"))))
    b.write_json(tmp_path / "247.json", b.submission(district=b.TAM_DUONG))
    results = {r.file: r for r in ingest_paths(db, [tmp_path / name, tmp_path / "247.json"])}
    ods_result, json_result = results[name], results["247.json"]
    assert json_result.status == "accepted"
    assert ods_result.status == "accepted", ods_result
    with db.connect() as conn:
        formats = conn.execute(text("SELECT district_code, source_format FROM core.fct_submission ORDER BY 1"))
        assert formats.all() == [("247", "json"), ("639", "ods")], ods_result
        codes = conn.execute(text("SELECT code FROM ops.validation_message")).scalars().all()
    assert codes == []
    # The same submission as JSON, in a warehouse of its own content: the same figures.
    ods_figures = _figures(db, "639")
    db_json = tmp_path / "json"
    db_json.mkdir()
    b.write_json(db_json / "639.json", b.submission(district="639"))
    empty_warehouse(db)
    [result] = ingest_paths(db, [db_json / "639.json"])
    assert result.status == "accepted"
    assert _figures(db, "639") == ods_figures and ods_figures


def test_landing_sets_aside_lock_files_and_ingests_the_submission(
        db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_LANDING_SETTLE_SECONDS, "0")
    landing = tmp_path / "landing"
    landing.mkdir()
    for name in ("~$báo cáo.xlsx", "Thumbs.db", ".DS_Store"):
        (landing / name).write_bytes(b"\x00lock")
    (landing / "báo cáo.ods").write_bytes(ods(b.submission_sheets(b.submission(district="639"))))
    outcome = ingest_landed(db, discover_landed(str(landing)), str(landing))
    assert outcome["files"] == 1 and outcome["accepted"] == 1
    assert sorted(p.name for p in (landing / "set_aside").iterdir()) == [".DS_Store", "Thumbs.db", "~$báo cáo.xlsx"]
    with db.connect() as conn:
        assert conn.execute(text("SELECT file_name FROM raw.file")).scalars().all() == ["báo cáo.ods"]
        assert conn.execute(text("SELECT count(*) FROM ops.alert_log")).scalar() == 0
