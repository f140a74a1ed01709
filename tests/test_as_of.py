"""Issue 12, bullet 2: figures and statuses as they stood on a day, for the analyst role.

Vĩnh Phúc (26), NS01 (a flow, triệu đồng) for the first half of 2024: Tam Dương (247) sends
every month on the 16th, 10*m; its May is corrected on 25/06 to 150; Vĩnh Yên (243) sends its
months late, all on 10/07. By hand, the province's H1 as known:
  on 19/06/2024: Tam Dương Jan-Jun (June came on 16/06): 10+20+30+40+50+60 = 210;
                 Vĩnh Yên nothing: 210, from 1 of 9 districts;
  on 30/06/2024: May corrected: 210 - 50 + 150 = 310, still 1 district;
  today:         310 + Vĩnh Yên's 6 * 7 = 42: 352, from 2 districts."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError

from etl.marts.rollup import refresh
from tests import builders as b
from tests.test_rollup import TAM_DUONG, TZ, VINH_YEN, arrive, arrive_together

H1 = "level = 'province' AND unit_code = '26' AND year = 2024 AND half = 1 AND indicator_code = 'NS01'"


@pytest.fixture
def corrected(db: Engine, tmp_path: Path) -> Engine:
    arrive_together(db, tmp_path, [
        *((b.month(TAM_DUONG, f"2024-{m:02d}", {"NS01": 10 * m}), None) for m in range(1, 7)),
        (b.month(TAM_DUONG, "2024-05", {"NS01": 150}), f"2024-06-25T10:00:00{TZ}"),
        *((b.month(VINH_YEN, f"2024-{m:02d}", {"NS01": 7}), f"2024-07-10T10:00:00{TZ}") for m in range(1, 7))])
    refresh(db, full=True)
    return db


def as_analyst(db: Engine, sql: str, **params: Any) -> list[dict[str, Any]]:
    with db.connect() as conn:
        conn.execute(text("SET ROLE baocao_analyst"))
        rows = [dict(r) for r in conn.execute(text(sql), params).mappings()]
        conn.rollback()
    return rows


def h1_as_of(db: Engine, moment: str) -> tuple[Any, ...]:
    [r] = as_analyst(db, f"SELECT * FROM mart.indicator_semiannual_at(:t, 'province', '26', 2024) WHERE {H1}",
                     t=datetime.fromisoformat(moment))
    return r["value"], r["reporting_units"], r["expected_units"]


def test_figures_as_known_before_and_after_a_correction_and_a_late_district(corrected: Engine) -> None:
    assert h1_as_of(corrected, f"2024-06-19T17:00:00{TZ}") == (Decimal(210), 1, 9)
    assert h1_as_of(corrected, f"2024-06-30T17:00:00{TZ}") == (Decimal(310), 1, 9)
    assert h1_as_of(corrected, f"2024-07-11T17:00:00{TZ}") == (Decimal(352), 2, 9)
    # Before anything arrived: nothing to say.
    assert as_analyst(corrected, "SELECT * FROM mart.indicator_semiannual_at(:t, 'province', '26', 2024)",
                      t=datetime.fromisoformat(f"2024-01-10T17:00:00{TZ}")) == []


def test_as_of_now_is_the_mart(corrected: Engine) -> None:
    """The as-of functions are the rollup's own steps: as of now they give the mart's rows."""
    now = datetime.now().astimezone()
    for view in ("indicator_monthly", "indicator_semiannual", "indicator_annual"):
        for level, unit in (("province", "26"), ("district", TAM_DUONG), ("province_2025", "25")):
            where = "level = :l AND unit_code = :u AND year = 2024"
            with corrected.connect() as conn:
                mart = sorted((tuple(v for k, v in r.items() if k != "refreshed_at") for r in conn.execute(
                    text(f"SELECT * FROM mart.{view} WHERE {where}"), {"l": level, "u": unit}).mappings()), key=repr)
            at = sorted((tuple(v for k, v in r.items() if k != "refreshed_at") for r in as_analyst(
                corrected, f"SELECT * FROM mart.{view}_at(:t, :l, :u, 2024)", t=now, l=level, u=unit)), key=repr)
            assert at == mart and mart, (view, level, unit)


def test_two_as_of_calls_in_one_transaction(corrected: Engine) -> None:
    with corrected.connect() as conn:
        conn.execute(text("SET ROLE baocao_analyst"))
        first = conn.execute(text(f"SELECT value FROM mart.indicator_semiannual_at(:t, 'province', '26', 2024) "
                                  f"WHERE {H1}"), {"t": datetime.fromisoformat(f"2024-06-19T17:00:00{TZ}")}).scalar()
        second = conn.execute(text(f"SELECT value FROM mart.indicator_semiannual_at(:t, 'province', '26', 2024) "
                                   f"WHERE {H1}"), {"t": datetime.fromisoformat(f"2024-06-30T17:00:00{TZ}")}).scalar()
        conn.rollback()
    assert (first, second) == (210, 310)


def test_status_as_of_counts_only_what_had_arrived_for_the_analyst(corrected: Engine) -> None:
    rows = as_analyst(corrected, "SELECT district_code, month, status FROM mart.submission_status_at(:t) "
                                 "WHERE district_code IN (:a, :b) AND year = 2024",
                      t=datetime.fromisoformat(f"2024-06-30T17:00:00{TZ}"), a=TAM_DUONG, b=VINH_YEN)
    statuses = {(r["district_code"], r["month"]): r["status"] for r in rows}
    assert {statuses[(TAM_DUONG, m)] for m in range(1, 6)} == {"on_time"}
    assert {statuses[(VINH_YEN, m)] for m in range(1, 6)} == {"missing"}  # its files came on 10/07
    later = as_analyst(corrected, "SELECT status FROM mart.submission_status_at(:t) WHERE district_code = :d "
                                  "AND year = 2024 AND month = 5", t=datetime.fromisoformat(f"2024-07-11T00:00:00{TZ}"),
                       d=VINH_YEN)
    assert later == [{"status": "late"}]


def test_a_province_heard_from_after_the_day_was_not_expected_on_it(db: Engine, tmp_path: Path) -> None:
    """Who is expected follows what had arrived by as_of: a province whose first file came
    later owed nothing that day."""
    arrive(db, tmp_path, b.month(TAM_DUONG, "2024-04", {"NS01": 10}), at=f"2024-06-10T10:00:00{TZ}")
    before = as_analyst(db, "SELECT count(*) AS n FROM mart.submission_status_at(:t) WHERE province_code = '26'",
                        t=datetime.fromisoformat(f"2024-06-01T00:00:00{TZ}"))
    after = as_analyst(db, "SELECT count(*) AS n FROM mart.submission_status_at(:t) WHERE province_code = '26'",
                       t=datetime.fromisoformat(f"2024-06-11T00:00:00{TZ}"))
    assert (before, after) == ([{"n": 0}], [{"n": 9 * 3}])  # April, May, June for its 9 districts


def test_the_analyst_calls_the_as_of_functions_but_still_cannot_read_core(corrected: Engine) -> None:
    with corrected.connect() as conn:
        conn.execute(text("SET ROLE baocao_analyst"))
        for statement in ("SELECT count(*) FROM core.fct_submission", "SELECT * FROM core.submission_in_force(now())",
                          "SELECT core.rollup_as_of(now(), NULL, NULL, NULL, 'mart.indicator_annual')",
                          "SELECT count(*) FROM ops.rollup_step", "SELECT count(*) FROM raw.file"):
            savepoint = conn.begin_nested()
            with pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text(statement))
            savepoint.rollback()
        conn.rollback()


def test_report_and_status_as_of_a_day_state_their_cut_off(corrected: Engine, cli_runner: Any) -> None:
    from etl.cli import app

    report = cli_runner.invoke(app, ["report", "--unit", "26", "--period", "2024-H1", "--format", "csv",
                                     "--as-of", "2024-06-19"])
    assert report.exit_code == 0, report.output
    assert "Số liệu tính đến 19/6/2024 23:59" in report.output
    ns01 = next(line for line in report.output.splitlines() if line.startswith("NS01"))
    assert ns01.split(",")[3].rstrip("*") == "210" and "1/9" in ns01  # as known that day, not 352 from 2/9
    today = cli_runner.invoke(app, ["report", "--unit", "26", "--period", "2024-H1", "--format", "csv"])
    assert "Số liệu tính đến" not in today.output
    ns01_today = next(row for row in csv.reader(io.StringIO(today.output)) if row and row[0] == "NS01")
    assert ns01_today[3] == "352" and ns01_today[-2] == "*"  # a number, flagged partial in its own column
    status = cli_runner.invoke(app, ["status", "--period", "2024-05", "--as-of", f"2024-06-30T17:00:00{TZ}"])
    assert status.exit_code == 0, status.output
    assert "Số liệu tính đến 30/6/2024 17:00" in status.output
    assert " missing " in next(line for line in status.output.splitlines() if line.startswith(VINH_YEN))
    for bad in ("20/11/2026", "2024-06-19T17:00:00"):  # not ISO; no UTC offset
        refused = cli_runner.invoke(app, ["report", "--unit", "26", "--period", "2024-H1", "--as-of", bad])
        assert refused.exit_code == 2 and "--as-of" in refused.output


def test_the_revision_log_after_two_corrections(corrected: Engine, tmp_path: Path) -> None:
    """May of Tam Dương: 50 (16/05), corrected to 150 (25/06, after the deadline), then to 160 with
    NN05 added (20/07). Vĩnh Yên's months came once each, late: not revisions."""
    arrive(corrected, tmp_path, b.month(TAM_DUONG, "2024-05", {"NS01": 160, "NN05": 500}),
           at=f"2024-07-20T10:00:00{TZ}")
    refresh(corrected)
    rows = as_analyst(corrected, "SELECT unit_code, month, indicator_code, previous_version, version, old_value, "
                                 "new_value, revised_at, after_deadline FROM mart.figure_revision "
                                 "WHERE year = 2024 ORDER BY revised_at, indicator_code")
    assert [(r["unit_code"], r["month"], r["indicator_code"], r["previous_version"], r["version"], r["old_value"],
             r["new_value"], r["after_deadline"]) for r in rows] == [
        (TAM_DUONG, 5, "NS01", 1, 2, 50, 150, True),
        (TAM_DUONG, 5, "NN05", 2, 3, None, 500, True),
        (TAM_DUONG, 5, "NS01", 2, 3, 150, 160, True),
    ]
    assert rows[0]["revised_at"] == datetime.fromisoformat(f"2024-06-25T10:00:00{TZ}")


def test_a_report_marks_the_figures_revised_since_its_previous_issue(corrected: Engine, cli_runner: Any) -> None:
    from etl.cli import app

    result = cli_runner.invoke(app, ["report", "--unit", "26", "--period", "2024-H1", "--since", "2024-06-19"])
    assert result.exit_code == 0, result.output
    assert "Số liệu điều chỉnh so với báo cáo tính đến 19/6/2024 23:59: 1 chỉ tiêu (NS01)" in result.output
    assert "đã điều chỉnh: báo cáo tính đến 19/6/2024 23:59 ghi 210 triệu đồng" in result.output
    unchanged = cli_runner.invoke(app, ["report", "--unit", "26", "--period", "2024-H1", "--since", "2024-07-11"])
    assert "Không có số liệu điều chỉnh so với báo cáo tính đến 11/7/2024 23:59" in unchanged.output
