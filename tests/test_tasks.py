"""Tasks through the year and assigning bodies, against counts made by hand (issue 10, points 5
and 6): a task done stays done when a later month omits it (the template lists open tasks only),
an open task omitted is carried with its last known state, and the spellings of one assigning
body are one row of the task marts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from etl.marts.rollup import refresh
from etl.warehouse.ingest import ingest_paths
from tests import builders as b

TZ = "+07:00"
# Vĩnh Phúc (26): Tam Dương and Vĩnh Yên. A month's data cut-off (the tasks' as-of date) is the 14th.
TAM_DUONG, VINH_YEN, VINH_PHUC = "247", "243", "26"
COUNTS = ("tasks_total", "done_on_time", "done_late", "in_progress", "overdue")
DONE, DOING = "Hoàn thành", "Đang thực hiện"


def arrive(db: Engine, tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    """Ingest one submission (received on the 16th); the codes of its warnings."""
    year, month = map(int, doc["ky_bao_cao"].split("-"))
    name = f"{doc['ma_huyen']}_{doc['ky_bao_cao']}_{len(list(tmp_path.iterdir()))}.json"
    [result] = ingest_paths(db, [b.write_json(tmp_path / name, doc)],
                            received_at=datetime.fromisoformat(f"{year}-{month:02d}-16T09:00:00{TZ}"))
    assert result.status.startswith("accepted"), result.errors
    return [m["code"] for m in result.warnings]


def counts(db: Engine, view: str, where: str, **params: Any) -> dict[str, Any]:
    with db.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM mart.{view} WHERE year = 2024 AND {where}"), params).mappings().all()
    assert len(rows) == 1, rows
    return {k: rows[0][k] for k in COUNTS}


def as_counts(total: int, on_time: int, late: int, in_progress: int, overdue: int) -> dict[str, int]:
    return dict(zip(COUNTS, (total, on_time, late, in_progress, overdue), strict=True))


def tasks_month(district: str, period: str, tasks: list[dict[str, Any]]) -> dict[str, Any]:
    return b.month(district, period, {"NN05": 100}, tasks)


DISTRICT = "level = 'district' AND unit_code = :u AND assigning_body = 'UBND tỉnh'"


def test_a_done_task_omitted_later_still_counts_done(db: Engine, tmp_path: Path) -> None:
    a_done = b.task("A", "UBND tỉnh", DONE, "31/01/2024", "10/01/2024")
    b_open = b.task("B", "UBND tỉnh", DOING, "31/12/2024")
    c_open = b.task("C", "UBND tỉnh", DOING, "31/03/2024")
    arrive(db, tmp_path, tasks_month(TAM_DUONG, "2024-01", [a_done, b_open, c_open]))
    # February's file is the template filled in: the open tasks only. No warning: A was done.
    assert "TASK_DISAPPEARED" not in arrive(db, tmp_path, tasks_month(TAM_DUONG, "2024-02", [b_open, c_open]))
    refresh(db, full=True)
    jan = counts(db, "task_monthly", DISTRICT + " AND month = 1", u=TAM_DUONG)
    assert jan == as_counts(3, 1, 0, 2, 0)
    # A (done on time in January) still counts in February, H1 and the year: 3 tasks, 1 on time, not 2 and 0.
    assert counts(db, "task_monthly", DISTRICT + " AND month = 2", u=TAM_DUONG) == as_counts(3, 1, 0, 2, 0)
    assert counts(db, "task_semiannual", DISTRICT + " AND half = 1", u=TAM_DUONG) == as_counts(3, 1, 0, 2, 0)
    assert counts(db, "task_annual", DISTRICT, u=TAM_DUONG) == as_counts(3, 1, 0, 2, 0)


def test_an_open_task_omitted_is_carried_and_judged_at_the_period_end(db: Engine, tmp_path: Path) -> None:
    a_done = b.task("A", "UBND tỉnh", DONE, "31/01/2024", "10/01/2024")
    b_open = b.task("B", "UBND tỉnh", DOING, "31/12/2024")
    c_open = b.task("C", "UBND tỉnh", DOING, "31/01/2024")
    arrive(db, tmp_path, tasks_month(TAM_DUONG, "2024-01", [a_done, b_open, c_open]))
    # February omits C while it is open: the warning it already was, and C is still counted.
    assert "TASK_DISAPPEARED" in arrive(db, tmp_path, tasks_month(TAM_DUONG, "2024-02", [b_open]))
    refresh(db, full=True)
    # As at 14/01 C was in progress; as at 14/02 it is past its 31/01 deadline: overdue, with its last
    # known status (not done) judged at February's cut-off like any task reported in February.
    assert counts(db, "task_monthly", DISTRICT + " AND month = 1", u=TAM_DUONG) == as_counts(3, 1, 0, 2, 0)
    assert counts(db, "task_monthly", DISTRICT + " AND month = 2", u=TAM_DUONG) == as_counts(3, 1, 0, 1, 1)
    assert counts(db, "task_annual", DISTRICT, u=TAM_DUONG) == as_counts(3, 1, 0, 1, 1)


def test_a_task_done_last_year_is_not_counted_this_year(db: Engine, tmp_path: Path) -> None:
    old = b.task("OLD", "UBND tỉnh", DONE, "31/12/2023", "10/12/2023")
    old["ngay_giao"] = "02/01/2023"
    arrive(db, tmp_path, b.submission(district=TAM_DUONG, period="2023-12", chi_tieu=[], nhiem_vu=[old])
           | {"chi_tieu": [{"ma_chi_tieu": "NN05", "don_vi_tinh": "con", "thuc_hien_thang": 100}]})
    arrive(db, tmp_path, tasks_month(TAM_DUONG, "2024-01", [b.task("NEW", "UBND tỉnh", DOING, "31/12/2024")]))
    refresh(db, full=True)
    assert counts(db, "task_annual", DISTRICT, u=TAM_DUONG) == as_counts(1, 0, 0, 1, 0)


def test_the_annual_count_does_not_depend_on_whether_done_tasks_are_sent_again(db: Engine, tmp_path: Path) -> None:
    """The issue's Yên Thế at small scale: Tam Dương sends every task each month, Vĩnh Yên fills in
    the template (open tasks only, so a task done in one month is absent from the next)."""
    def t(task_id: str, status: str, done: str | None = None) -> dict[str, Any]:
        deadlines = {"T1": "31/01/2024", "T2": "31/05/2024", "T3": "30/09/2024", "T4": "31/12/2024"}
        return b.task(task_id, "UBND tỉnh", status, deadlines[task_id], done)

    t1, t2, t4 = t("T1", DONE, "10/01/2024"), t("T2", DONE, "10/06/2024"), t("T4", DONE, "05/12/2024")
    full = {"2024-01": [t1, t("T2", DOING), t("T3", DOING), t("T4", DOING)],
            "2024-06": [t1, t2, t("T3", DOING), t("T4", DOING)],
            "2024-12": [t1, t2, t("T3", DOING), t4]}
    template = {"2024-01": full["2024-01"],
                "2024-06": [t2, t("T3", DOING), t("T4", DOING)],  # T1 done in January: not listed
                "2024-12": [t("T3", DOING), t4]}  # T1 and T2 done: not listed
    for period in full:
        arrive(db, tmp_path, tasks_month(TAM_DUONG, period, full[period]))
        arrive(db, tmp_path, tasks_month(VINH_YEN, period, template[period]))
    refresh(db, full=True)
    # H1 as at 14/06: T1 on time, T2 late (10/06 after 31/05), T3 and T4 in progress.
    # The year as at 14/12: T1 and T4 on time, T2 late, T3 overdue (30/09).
    for unit in (TAM_DUONG, VINH_YEN):
        assert counts(db, "task_semiannual", DISTRICT + " AND half = 1", u=unit) == as_counts(4, 1, 1, 2, 0)
        assert counts(db, "task_annual", DISTRICT, u=unit) == as_counts(4, 2, 1, 0, 1)
    province = "level = 'province' AND unit_code = :u AND assigning_body = 'UBND tỉnh'"
    assert counts(db, "task_annual", province, u=VINH_PHUC) == as_counts(8, 4, 2, 0, 2)
    with db.connect() as conn:
        rate = conn.execute(text("SELECT on_time_rate FROM mart.task_annual WHERE year = 2024 AND " + province),
                            {"u": VINH_PHUC}).scalar_one()
    assert rate == 50


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_five_spellings_of_one_body_are_one_row(db: Engine, tmp_path: Path, fmt: str) -> None:
    spellings = ["UBND tỉnh", "UBND Tỉnh", "UBND  tỉnh", "UBND tinh", "Ủy ban nhân dân tỉnh"]
    tasks = [b.task(f"T{i}", body, DOING, "31/12/2024") for i, body in enumerate(spellings)]
    doc = tasks_month(TAM_DUONG, "2024-05", tasks)
    path = (b.write_json(tmp_path / "s.json", doc) if fmt == "json"
            else b.write_submission_xlsx(tmp_path / "s.xlsx", doc))
    [result] = ingest_paths(db, [path], received_at=datetime.fromisoformat(f"2024-05-16T09:00:00{TZ}"))
    assert result.status.startswith("accepted"), result.errors
    assert "TASK_BODY_UNKNOWN" not in [m["code"] for m in result.warnings]
    refresh(db, full=True)
    with db.connect() as conn:
        bodies = conn.execute(text("SELECT assigning_body, tasks_total FROM mart.task_monthly "
                                   "WHERE level = 'district' AND unit_code = :u AND year = 2024 AND month = 5"),
                              {"u": TAM_DUONG}).all()
    assert [tuple(r) for r in bodies] == [("UBND tỉnh", 5)]


def test_an_unknown_body_is_kept_as_written_with_a_warning_naming_the_closest(db: Engine, tmp_path: Path) -> None:
    doc = tasks_month(TAM_DUONG, "2024-05", [b.task("X", "Chủ tịch UBND tỉnh Vĩnh Phúc", DOING, "31/12/2024")])
    path = b.write_json(tmp_path / "s.json", doc)
    [result] = ingest_paths(db, [path], received_at=datetime.fromisoformat(f"2024-05-16T09:00:00{TZ}"))
    [warning] = [m for m in result.warnings if m["code"] == "TASK_BODY_UNKNOWN"]
    assert result.status == "accepted_with_warnings"
    assert (warning["row"], warning["column"], warning["expected"]) == (1, "co_quan_giao", "Chủ tịch UBND tỉnh")
    assert "có phải là 'Chủ tịch UBND tỉnh'?" in warning["message"]
    with db.connect() as conn:
        body = conn.execute(text("SELECT co_quan_giao FROM core.dim_task WHERE ma_nhiem_vu = 'X'")).scalar_one()
    assert body == "Chủ tịch UBND tỉnh Vĩnh Phúc"


def test_bodies_stored_before_the_list_are_renamed_by_the_upgrade(db: Engine, tmp_path: Path) -> None:
    from etl.warehouse.load import TASK_HASH
    from etl.warehouse.reference import load_reference_data

    x, y = b.task("X", "UBND tỉnh", DOING, "31/12/2024"), b.task("Y", "UBND tỉnh", DOING, "31/12/2024")
    arrive(db, tmp_path, tasks_month(TAM_DUONG, "2024-01", [x, y]))
    old_hash = TASK_HASH.replace("r.co_quan_giao", "CAST(:body AS text)")
    with db.begin() as conn:  # X as a warehouse loaded before the list kept it: as written
        conn.execute(text(f"UPDATE core.dim_task AS r SET co_quan_giao = :body, row_hash = {old_hash} "
                          "WHERE ma_nhiem_vu = 'X'"), {"body": "Ủy ban nhân dân  Tỉnh"})
    refresh(db, full=True)
    with db.connect() as conn:
        bodies = conn.execute(text("SELECT count(*) FROM mart.task_monthly WHERE level = 'district' "
                                   "AND unit_code = :u AND year = 2024 AND month = 1"), {"u": TAM_DUONG}).scalar()
    assert bodies == 2  # the old spelling and the canonical name
    load_reference_data(db)  # what `baocao db upgrade` runs
    arrive(db, tmp_path, tasks_month(TAM_DUONG, "2024-02", [x, y]))
    refresh(db)  # incremental: the renamed district-year was queued
    with db.connect() as conn:
        versions = conn.execute(text("SELECT count(*) FROM core.dim_task WHERE ma_nhiem_vu = 'X'")).scalar()
    assert versions == 1  # the renamed version's hash matches February's row: no new version
    assert counts(db, "task_monthly", DISTRICT + " AND month = 1", u=TAM_DUONG) == as_counts(2, 0, 0, 2, 0)
    assert counts(db, "task_monthly", DISTRICT + " AND month = 2", u=TAM_DUONG) == as_counts(2, 0, 0, 2, 0)
