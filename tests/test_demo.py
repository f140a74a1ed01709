"""The demo year through the real DAGs: every scenario it promises shows up, and a
second run changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from etl.demo.run import run_demo
from tests.test_ingest import snapshot


def test_demo_year_through_the_dags_then_again_as_duplicates(db: Engine, tmp_path: Path, airflow_db: None,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # run_demo points the DAGs at this warehouse through the environment; restore it afterwards.
    monkeypatch.setenv("WAREHOUSE_URL", "set-by-the-demo")
    monkeypatch.setenv("BAOCAO_LANDING_URL", "set-by-the-demo")
    lines: list[str] = []
    first = run_demo(db, year=2024, workdir=tmp_path / "demo", echo=lines.append)
    summary = "\n".join(lines)
    assert "DAG runs success/success/success" in summary and "failed" not in summary
    # It ends with the province's status board and a review to sign, and says where they are.
    assert first["board"] in summary and first["review_docx"] in summary
    assert Path(first["board"]).read_text(encoding="utf-8").count("data-month=") > 12
    assert Path(first["review_docx"]).read_bytes()[:2] == b"PK"  # a .docx is a zip
    assert first["statuses"]["accepted"] > 400
    assert first["statuses"]["rejected"] > 0 and first["statuses"]["duplicate"] > 0
    assert first["statuses"]["accepted_with_warnings"] > 0  # e.g. more insurance cards than residents
    assert 0 < first["expected"] - first["covered"] < 20  # a few months never sent
    assert first["late"] > 0
    for code in ("VALUE_MALFORMED", "RULE_KT01_COMPONENTS", "RULE_RATE_MATCHES_COMPONENTS", "RULE_TT_BALANCE"):
        assert code in summary  # the seeds' mistakes are caught by the structure checks and the rules
    with db.connect() as conn:
        alerted = dict(conn.execute(text("SELECT kind, count(*) FROM ops.alert_log GROUP BY 1")).all())
        marts = conn.execute(text("SELECT count(*) FROM mart.indicator_annual WHERE year = 2024")).scalar()
    assert {"late", "escalation", "invalid_submission"} <= set(alerted)
    assert marts > 0
    # 2025 across the reform: districts to June, communes from July, mistakes on both sides; each 2025
    # province's H2 compared with its former districts' H2 2024, said so.
    reform = first["reform"]
    assert reform["statuses"]["accepted"] > 1000 and reform["statuses"]["rejected"] > 0
    assert set(reform["reports"]) == {"24", "25", "52"}
    assert all("cùng kỳ năm trước tổng hợp từ các huyện cũ" in text for text in reform["reports"].values())
    with db.connect() as conn:
        sides = dict(conn.execute(text("""
            SELECT CASE WHEN month <= 6 THEN 'districts' ELSE 'communes' END, count(DISTINCT district_code)
            FROM core.fct_submission WHERE year = 2025 AND status <> 'rejected' GROUP BY 1""")).all())
    assert sides["districts"] == 36 and 150 < sides["communes"] <= 171
    before = snapshot(db)
    second = run_demo(db, year=2024, workdir=tmp_path / "demo", echo=lines.append, via_airflow=False)
    assert set(second["statuses"]) == {"duplicate"} and set(second["reform"]["statuses"]) == {"duplicate"}
    after = snapshot(db)  # nothing changed but the record of the deliveries from a new place:
    deliveries_before, deliveries_after = before.pop("raw.file_delivery"), after.pop("raw.file_delivery")
    assert after == before
    # 2024's files, which came through the landing folder and now straight from the generator's;
    # 2025's came from the same place at the same moment both times: the same deliveries.
    assert len(deliveries_after) == len(deliveries_before) + sum(second["statuses"].values())
