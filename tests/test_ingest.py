"""Ingest end to end against the real warehouse: readers, loading, versions, idempotency."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from etl.warehouse import ingest as ingest_module
from etl.warehouse import load as load_module
from etl.warehouse.ingest import FileResult, IncomingFile, ingest_files, ingest_paths
from tests import builders as b
from tests.conftest import DATA_TABLES, empty_warehouse

ON_TIME = datetime.fromisoformat("2024-05-16T09:30:00+07:00")


def run(db: Engine, *paths: Path, at: datetime | None = ON_TIME) -> list[FileResult]:
    return ingest_paths(db, list(paths), received_at=at)


def one(db: Engine, sql: str, **params: Any) -> Any:
    with db.connect() as conn:
        return conn.execute(text(sql), params).one()


def rows_of(db: Engine, sql: str, **params: Any) -> list[Any]:
    with db.connect() as conn:
        return list(conn.execute(text(sql), params))


def values(db: Engine, district: str = b.CHU_PUH, period_key: int = 202405) -> dict[str, tuple]:
    with db.connect() as conn:
        rows = conn.execute(
            text("""
            SELECT indicator_code, value, ytd_value, value_source, ytd_source
            FROM core.indicator_value_current WHERE district_code = :d AND period_key = :p
        """),
            {"d": district, "p": period_key},
        )
        return {r[0]: tuple(r[1:]) for r in rows}


def snapshot(db: Engine) -> dict[str, list[tuple]]:
    """Every row of every data table, for before/after comparisons (run log excluded)."""
    out = {}
    with db.connect() as conn:
        for table in DATA_TABLES:
            if table == "ops.ingest_run":
                continue
            cols = [
                c
                for (c,) in conn.execute(
                    text(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_schema || '.' || table_name = :t "
                        # when a row was written, not what it says (as_of: a refresh recomputes the
                        # recent statuses at its own moment)
                        "AND column_name NOT IN ('loaded_at', 'archived_at', 'processed_at', 'created_at', 'as_of', "
                        "'recorded_at', "
                        "'override_at') "
                        "ORDER BY 1"
                    ),
                    {"t": table},
                )
            ]
            out[table] = sorted(map(tuple, conn.execute(text(f"SELECT {', '.join(cols)} FROM {table}"))), key=repr)
    return out


# -------------------------------------------------------------------------- reading paths


def test_json_submission_is_loaded_in_catalog_units(db: Engine, tmp_path: Path) -> None:
    [result] = run(db, b.write_json(tmp_path / "s.json", b.submission()))
    assert result.status == "accepted", result.errors + result.warnings
    assert (result.district_code, result.period) == ("639", "2024-05")
    v = values(db)
    assert v["NS01"][:2] == (Decimal("12500.5"), Decimal("61250.5"))
    assert v["KT01"][0] == Decimal("390.5")
    assert v["NN05"] == (Decimal("92000"), None, "submitted", "not_applicable")
    assert v["XH01"][0] == 1170
    sub = one(
        db,
        "SELECT version, is_current, status, source_format, email_lien_he, window_start, window_end "
        "FROM core.fct_submission",
    )
    assert sub[:5] == (1, True, "accepted", "json", "vanphong.639@example.gov.vn")
    assert (sub.window_start.isoformat(), sub.window_end.isoformat()) == ("2024-04-15", "2024-05-14")


def test_xlsx_with_vietnamese_headers_title_rows_and_extra_columns(db: Engine, tmp_path: Path) -> None:
    sub = b.submission()
    headers = ["Mã chỉ tiêu", "TÊN CHỈ TIÊU", "Đơn vị tính", "Thực hiện tháng", "Luỹ kế năm", "Ghi chú"]
    # NFD (decomposed) text, as some Office builds write it, must match too.
    headers = [unicodedata.normalize("NFD", h) for h in headers]
    sheets = b.submission_sheets(
        sub, indicator_headers=headers, task_headers=[h.replace("_", " ").upper() for h in b.TASK_HEADERS]
    )
    sheets["chi_tieu"] = [["BIỂU SỐ 01: CHỈ TIÊU KINH TẾ - XÃ HỘI"], [], *sheets["chi_tieu"]]
    sheets["chi_tieu"] = [[*row, "x"] for row in sheets["chi_tieu"]]  # a trailing extra column
    sheets["Chỉ tiêu"] = sheets.pop("chi_tieu")
    [result] = run(db, b.write_sheets(tmp_path / "s.xlsx", sheets))
    assert result.status == "accepted", result.errors
    assert values(db)["NS01"][:2] == (Decimal("12500.5"), Decimal("61250.5"))
    assert one(db, "SELECT min(row_number) FROM staging.stg_indicator_row")[0] == 4  # title, blank, header


def test_numeric_district_code_cell_keeps_its_code(db: Engine, tmp_path: Path) -> None:
    sheets = b.submission_sheets(b.submission(district="639"))
    sheets["thong_tin"][0][1] = 639  # typed as a number in Excel
    [result] = run(db, b.write_sheets(tmp_path / "s.xlsx", sheets))
    assert (result.status, result.district_code) == ("accepted", "639")


def test_unit_conversion_to_catalog_unit(db: Engine, tmp_path: Path) -> None:
    sub = b.submission()
    b.indicator(sub, "NS01").update(don_vi_tinh="tỷ đồng", thuc_hien_thang="12,5005", luy_ke_nam="61,2505")
    b.indicator(sub, "NN05").update(don_vi_tinh="nghìn con", thuc_hien_thang="92")
    sub["chi_tieu"].append({"ma_chi_tieu": "NN07", "don_vi_tinh": "m²", "thuc_hien_thang": "25.000"})
    [result] = run(db, b.write_json(tmp_path / "s.json", sub))
    assert result.status == "accepted", result.errors
    v = values(db)
    assert v["NS01"][:2] == (Decimal("12500.5"), Decimal("61250.5"))
    assert v["NN05"][0] == 92000
    assert v["NN07"][0] == Decimal("2.5")
    row = one(db, "SELECT submitted_unit, conversion_factor FROM core.fct_indicator_value WHERE indicator_code='NN07'")
    assert (row[0], row[1]) == ("m²", Decimal("0.0001"))


# -------------------------------------------------------------------------- YTD


def test_month_value_derived_from_ytd_across_months(db: Engine, tmp_path: Path) -> None:
    def month(m: int, **ns01: Any) -> Path:
        sub = b.submission(period=f"2024-{m:02d}")
        sub["chi_tieu"] = [{"ma_chi_tieu": "NS01", "don_vi_tinh": "triệu đồng", **ns01}]
        sub["nhiem_vu"] = []
        return b.write_json(tmp_path / f"m{m}.json", sub)

    run(db, month(1, luy_ke_nam="10.000"), at=datetime.fromisoformat("2024-01-16T08:00:00+07:00"))
    run(db, month(2, luy_ke_nam="25.500,5"), at=datetime.fromisoformat("2024-02-16T08:00:00+07:00"))
    run(db, month(3, thuc_hien_thang="4.000"), at=datetime.fromisoformat("2024-03-16T08:00:00+07:00"))
    assert values(db, period_key=202401)["NS01"] == (10000, 10000, "derived_from_ytd", "submitted")
    assert values(db, period_key=202402)["NS01"] == (
        Decimal("15500.5"),
        Decimal("25500.5"),
        "derived_from_ytd",
        "submitted",
    )
    assert values(db, period_key=202403)["NS01"] == (4000, Decimal("29500.5"), "submitted", "derived")


def test_ytd_only_without_previous_month_loads_with_warning(db: Engine, tmp_path: Path) -> None:
    sub = b.submission()
    b.indicator(sub, "HC02").pop("thuc_hien_thang")
    [result] = run(db, b.write_json(tmp_path / "s.json", sub))
    assert result.status == "accepted_with_warnings"
    assert [w["code"] for w in result.warnings] == ["YTD_PREVIOUS_MISSING"]
    assert values(db)["HC02"] == (None, 6100, "missing", "submitted")
    assert one(db, "SELECT warning_count FROM core.fct_submission")[0] == 1


# -------------------------------------------------------------------------- versions, duplicates, idempotency


def test_byte_identical_redelivery_is_duplicate_and_changes_nothing(db: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "landing"
    folder.mkdir()
    b.write_json(folder / "a.json", b.submission())
    b.write_submission_xlsx(folder / "b.xlsx", b.submission(district=b.TAM_DUONG))
    (folder / "bad.json").write_text("{not json", encoding="utf-8")
    first = run(db, folder)
    before = snapshot(db)
    second = run(db, folder)
    assert sorted(r.status for r in first) == ["accepted", "accepted", "rejected"]
    assert [r.status for r in second] == ["duplicate"] * 3
    assert snapshot(db) == before
    # The same bytes under another name are still the same file: only the delivery is recorded.
    (tmp_path / "copy.json").write_bytes((folder / "a.json").read_bytes())
    assert run(db, tmp_path / "copy.json")[0].status == "duplicate"
    after = snapshot(db)
    deliveries = after.pop("raw.file_delivery")
    assert after == {k: v for k, v in before.items() if k != "raw.file_delivery"}
    assert len(deliveries) == len(before["raw.file_delivery"]) + 1


def test_corrected_version_supersedes_and_history_stays(db: Engine, tmp_path: Path) -> None:
    v1 = b.submission()
    v2 = b.modified(v1)
    b.indicator(v2, "NN05")["thuc_hien_thang"] = "93.500"
    bad = b.modified(v1)
    b.indicator(bad, "NN05")["thuc_hien_thang"] = "khoảng 95.000"
    run(db, b.write_json(tmp_path / "v1.json", v1), at=datetime.fromisoformat("2024-05-16T09:00:00+07:00"))
    run(db, b.write_json(tmp_path / "v2.json", v2), at=datetime.fromisoformat("2024-05-17T09:00:00+07:00"))
    [rejected] = run(
        db, b.write_json(tmp_path / "v3.json", bad), at=datetime.fromisoformat("2024-05-18T09:00:00+07:00")
    )
    assert rejected.status == "rejected"
    with db.connect() as conn:
        subs = conn.execute(text("SELECT version, status, is_current FROM core.fct_submission ORDER BY version")).all()
        history = conn.execute(
            text(
                "SELECT s.version, v.value FROM core.fct_indicator_value v "
                "JOIN core.fct_submission s USING (submission_id) "
                "WHERE v.indicator_code = 'NN05' ORDER BY 1"
            )
        ).all()
    assert [tuple(s) for s in subs] == [(1, "accepted", False), (2, "accepted", True), (3, "rejected", False)]
    assert [tuple(h) for h in history] == [(1, 92000), (2, 93500)]
    assert values(db)["NN05"][0] == 93500


def test_versions_follow_arrival_time_not_ingest_order(db: Engine, tmp_path: Path) -> None:
    early, late = b.submission(), b.submission()
    b.indicator(late, "NN05")["thuc_hien_thang"] = "99.000"
    run(db, b.write_json(tmp_path / "late.json", late), at=datetime.fromisoformat("2024-05-18T09:00:00+07:00"))
    run(db, b.write_json(tmp_path / "early.json", early), at=datetime.fromisoformat("2024-05-16T09:00:00+07:00"))
    assert values(db)["NN05"][0] == 99000
    with db.connect() as conn:
        order = conn.execute(
            text(
                "SELECT f.file_name, s.version FROM core.fct_submission s "
                "JOIN raw.file f USING (file_id) ORDER BY s.version"
            )
        ).all()
    assert [tuple(o) for o in order] == [("early.json", 1), ("late.json", 2)]


def test_rejected_file_is_archived_byte_for_byte_and_leaves_no_facts(db: Engine, tmp_path: Path) -> None:
    sub = b.submission()
    b.indicator(sub, "NS01")["luy_ke_nam"] = "3.8650.000"  # the seeds' typo
    path = b.write_json(tmp_path / "typo.json", sub)
    [result] = run(db, path)
    assert result.status == "rejected"
    [error] = result.errors
    assert (error["code"], error["sheet"], error["row"], error["column"]) == (
        "VALUE_MALFORMED",
        "chi_tieu",
        1,
        "luy_ke_nam",
    )
    assert "38.650.000" in error["message"] and error["expected"] == "38.650.000"
    assert one(db, "SELECT content FROM raw.file")[0] == path.read_bytes()
    assert one(db, "SELECT count(*) FROM core.fct_indicator_value")[0] == 0
    assert one(db, "SELECT count(*) FROM core.fct_task_snapshot")[0] == 0
    assert one(db, "SELECT count(*) FROM staging.stg_indicator_row")[0] == len(sub["chi_tieu"])
    assert one(db, "SELECT outcome, quarantined FROM ops.file_outcome") == ("rejected", True)
    assert one(db, "SELECT status, is_current FROM core.fct_submission") == ("rejected", False)


def test_one_bad_file_does_not_stop_the_others(db: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for i, district in enumerate(["639", "637", "638", "247"]):
        b.write_json(folder / f"{i}.json", b.submission(district=district))
    (folder / "zz_truncated.xlsx").write_bytes(
        b.write_submission_xlsx(tmp_path / "t.xlsx", b.submission()).read_bytes()[:700]
    )
    results = run(db, folder)
    assert sorted(r.status for r in results) == ["accepted"] * 4 + ["rejected"]
    assert one(db, "SELECT count(DISTINCT district_code) FROM core.indicator_value_current")[0] == 4


def load_paths(db: Engine) -> list[str]:
    return [p for (p,) in rows_of(db, "SELECT load_path FROM ops.ingest_run ORDER BY run_id")]


def test_a_crash_while_loading_is_recorded_and_the_batch_goes_on(
    db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ingest_module.load_files

    def crash_for_638(conn, files, *args):
        if any(f.checked.district_code == "638" for f in files):
            raise RuntimeError("simulated bug")
        return real(conn, files, *args)

    monkeypatch.setattr(ingest_module, "load_files", crash_for_638)
    a = b.write_json(tmp_path / "a.json", b.submission(district="638"))
    c = b.write_json(tmp_path / "c.json", b.submission(district="639"))
    results = {r.file: r for r in run(db, a, c)}
    assert results["a.json"].status == "rejected"
    assert results["a.json"].errors[0]["code"] == "INTERNAL_ERROR"
    assert results["c.json"].status == "accepted"
    # Nothing of the crashed load survived its rolled-back transaction, but the file did.
    assert one(db, "SELECT count(*) FROM core.fct_submission WHERE district_code = '638'")[0] == 0
    assert one(db, "SELECT count(*) FROM raw.file")[0] == 2
    assert load_paths(db) == ["per_file"]


def test_a_batch_loads_in_one_transaction(db: Engine, tmp_path: Path) -> None:
    paths = [b.write_json(tmp_path / f"{d}.json", b.submission(district=d)) for d in ("637", "638", "639")]
    assert [r.status for r in run(db, *paths)] == ["accepted"] * 3
    assert [r.status for r in run(db, *paths)] == ["duplicate"] * 3
    assert load_paths(db) == ["batch", "nothing"]


def test_a_file_that_cannot_load_falls_back_to_one_transaction_per_file(db: Engine, tmp_path: Path) -> None:
    # The database refuses one file's row (a constraint the checks do not know, as a bug would
    # leave): the batch's transaction fails; the files are then loaded one by one and only that
    # one is lost.
    with db.begin() as conn:
        conn.execute(text("ALTER TABLE core.fct_submission ADD CONSTRAINT test_refuse_638 "
                          "CHECK (district_code <> '638') NOT VALID"))
    try:
        paths = [b.write_json(tmp_path / "a.json", b.submission(district="637")),
                 b.write_json(tmp_path / "b.json", b.submission(district="638")),
                 b.write_json(tmp_path / "c.json", b.submission(district="639"))]
        results = {r.file: r for r in run(db, *paths)}
    finally:
        with db.begin() as conn:
            conn.execute(text("ALTER TABLE core.fct_submission DROP CONSTRAINT test_refuse_638"))
    assert {f: r.status for f, r in results.items()} == {"a.json": "accepted", "b.json": "rejected",
                                                          "c.json": "accepted"}
    assert results["b.json"].errors[0]["code"] == "INTERNAL_ERROR"
    assert load_paths(db) == ["per_file"]
    assert rows_of(db, "SELECT district_code FROM core.fct_submission ORDER BY 1") == [("637",), ("639",)]


def test_a_fact_row_without_its_dimension_row_fails_the_batch_and_only_its_file(
    db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The facts have no foreign keys (revision 0020): the load checks their references once per
    # batch. A bug that writes a key no dimension has, for one district, must end the batch's
    # transaction like a violated key would, and lose only that district's file.
    real = load_module.copy_rows

    def bad_key_for_638(conn, table, columns, rows):
        if table == "core.fct_indicator_value":
            at = columns.index("indicator_key"), columns.index("district_code")
            rows = [(*r[:at[0]], -r[at[0]], *r[at[0] + 1:]) if r[at[1]] == "638" else r for r in rows]
        return real(conn, table, columns, rows)

    monkeypatch.setattr(load_module, "copy_rows", bad_key_for_638)
    paths = [b.write_json(tmp_path / f"{d}.json", b.submission(district=d)) for d in ("637", "638", "639")]
    results = {r.file: r for r in run(db, *paths)}
    assert {f: r.status for f, r in results.items()} == {"637.json": "accepted", "638.json": "rejected",
                                                          "639.json": "accepted"}
    assert results["638.json"].errors[0]["code"] == "INTERNAL_ERROR"
    found = results["638.json"].errors[0]["found"]
    assert re.search(r"core\.fct_indicator_value\.indicator_key \d+ rows \(keys -\d+", found), found
    assert load_paths(db) == ["per_file"]
    assert one(db, "SELECT count(*) FROM core.fct_indicator_value WHERE indicator_key < 0")[0] == 0


@pytest.mark.parametrize("reference", load_module.LOAD_REFERENCES, ids=lambda r: f"{r[0]}.{r[2]}")
def test_every_reference_the_load_writes_is_checked(db: Engine, tmp_path: Path, reference: tuple) -> None:
    table, by, column, _, _, codes = reference
    run(db, b.write_json(tmp_path / "a.json", b.submission(district="638")),
        b.write_json(tmp_path / "plan.json", b.plan(district="638")))
    submissions = [s for (s,) in rows_of(db, "SELECT submission_id FROM core.fct_submission")]
    batch = {"submission_id": submissions, "first_submission_id": submissions,
             "file_id": [f for (f,) in rows_of(db, "SELECT file_id FROM raw.file")]}
    assert one(db, f"SELECT count(*) FROM {table}")[0] > 0
    with db.connect() as conn:
        load_module.check_references(conn, batch)  # as loaded: no complaint
        for broken in [f"{column} = -{column}"] + [f"{c} = {c} || 'x'" for c in codes]:
            with conn.begin_nested() as savepoint:
                conn.execute(text(f"UPDATE {table} SET {broken} WHERE ctid = (SELECT min(ctid) FROM {table})"))
                if by == column:  # the row left the batch with its key: name it in the batch as a bug would
                    batch_of_bug = {**batch, by: [*batch[by], *(k for (k,) in conn.execute(
                        text(f"SELECT {by} FROM {table} WHERE {by} < 0")))]}
                else:
                    batch_of_bug = batch
                with pytest.raises(load_module.LoadReferenceError, match=f"{table}.{column} 1 rows"):
                    load_module.check_references(conn, batch_of_bug)
                savepoint.rollback()
        conn.rollback()


def test_the_batch_load_equals_the_per_file_load(db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A demo year for a few districts (versions, corrections, re-deliveries, rejections, late
    months, task deadlines changing, plans): loaded as batches, and again with every batch
    failing over to one transaction per file, leaves the same rows."""
    from etl.demo.run import build_year
    from etl.warehouse.ingest import files_from_paths, ingest_files, load_ref_context

    deliveries = [d for d in build_year(2024, tmp_path / "gen") if d.district in ("623", "624", "628", "637")]
    months: dict[int, list[Any]] = {}
    for d in deliveries:
        months.setdefault(d.received_at.month, []).append(d)
    ref = load_ref_context(db)

    def ingest_months() -> dict[str, list[tuple]]:
        for batch in months.values():
            ingest_files(db, [f for d in batch for f in files_from_paths([d.path], d.received_at)], ref=ref)
        rows = snapshot(db)
        # A batch numbers the task versions of its districts in another order than file by file:
        # compare tasks by what identifies them, not by their surrogate key.
        task = "t.district_code, t.ma_nhiem_vu, t.row_hash, t.valid_from"
        rows["core.dim_task"] = rows_of(db, f"""
            SELECT {task}, t.valid_to, t.is_current, t.han_hoan_thanh, s.file_id FROM core.dim_task AS t
            JOIN core.fct_submission AS s ON s.submission_id = t.first_submission_id ORDER BY 1, 2, 3, 4""")
        rows["core.fct_task_snapshot"] = rows_of(db, f"""
            SELECT s.file_id, {task}, x.trang_thai, x.derived_status, x.as_of_date, x.source_row
            FROM core.fct_task_snapshot AS x JOIN core.dim_task AS t USING (task_key)
            JOIN core.fct_submission AS s ON s.submission_id = x.submission_id ORDER BY 1, 2, 3, 4""")
        return rows

    as_batches = ingest_months()
    assert set(load_paths(db)) == {"batch"}
    assert len(as_batches["core.fct_submission"]) > 50 and len(as_batches["core.dim_task"]) > 40
    empty_warehouse(db)
    real = ingest_module.load_files

    def no_batches(conn, files, *args):
        if len(files) > 1:
            raise RuntimeError("the batch fails")
        return real(conn, files, *args)

    monkeypatch.setattr(ingest_module, "load_files", no_batches)
    assert ingest_months() == as_batches
    assert set(load_paths(db)) == {"per_file"}


def test_a_file_another_run_loads_meanwhile_is_a_duplicate_not_a_crash(
    db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl.quality import rules
    path = b.write_json(tmp_path / "s.json", b.submission())
    real = rules.evaluate

    def another_run_first(items, ref, conn):  # between "not processed yet" and loading it
        monkeypatch.setattr(rules, "evaluate", real)
        assert [r.status for r in run(db, path)] == ["accepted"]
        return real(items, ref, conn)

    monkeypatch.setattr(rules, "evaluate", another_run_first)
    assert [r.status for r in run(db, path)] == ["duplicate"]
    assert one(db, "SELECT count(*) FROM core.fct_submission")[0] == 1
    assert one(db, "SELECT count(*) FROM ops.file_outcome")[0] == 1


# -------------------------------------------------------------------------- tasks


def test_task_status_is_derived_from_dates(db: Engine, tmp_path: Path) -> None:
    sub = b.submission()
    sub["nhiem_vu"] += [
        {
            "ma_nhiem_vu": "A#1",
            "ten_nhiem_vu": "Xong muộn",
            "co_quan_giao": "UBND tỉnh",
            "han_hoan_thanh": "31/03/2024",
            "trang_thai": "Hoàn thành",
            "ngay_hoan_thanh": "10/04/2024",
        },
    ]
    run(db, b.write_json(tmp_path / "s.json", sub))
    with db.connect() as conn:
        got = dict(conn.execute(text("SELECT ma_nhiem_vu, derived_status FROM core.fct_task_snapshot")).all())
    assert got == {
        "3466/QĐ-UBND#12": "in_progress",  # deadline 30/06, after the window end 14/05
        "3466/QĐ-UBND#13": "done_on_time",
        "15/NQ-HĐND#2": "overdue",  # deadline 30/04 passed, reported in progress
        "TX-01": "in_progress",  # standing task, no deadline
        "A#1": "done_late",
    }


def test_changed_deadline_is_a_new_version_of_the_same_task(db: Engine, tmp_path: Path) -> None:
    may = b.submission()
    june = b.submission(period="2024-06")
    june["nhiem_vu"][2]["han_hoan_thanh"] = "31/07/2024"  # deadline extended
    run(db, b.write_json(tmp_path / "may.json", may))
    run(db, b.write_json(tmp_path / "june.json", june), at=datetime.fromisoformat("2024-06-16T09:00:00+07:00"))
    with db.connect() as conn:
        versions = conn.execute(
            text(
                "SELECT han_hoan_thanh, is_current FROM core.dim_task "
                "WHERE ma_nhiem_vu = '15/NQ-HĐND#2' ORDER BY valid_from"
            )
        ).all()
        june_status = conn.execute(
            text(
                "SELECT derived_status FROM core.fct_task_snapshot "
                "WHERE ma_nhiem_vu = '15/NQ-HĐND#2' AND period_key = 202406"
            )
        ).scalar()
    assert [(v[0].isoformat(), v[1]) for v in versions] == [("2024-04-30", False), ("2024-07-31", True)]
    assert june_status == "in_progress"
    assert one(db, "SELECT count(*) FROM core.dim_task")[0] == 5  # 4 tasks, one with two versions


def test_a_deadline_changed_back_is_current_again(db: Engine, tmp_path: Path) -> None:
    may, june, july = b.submission(), b.submission(period="2024-06"), b.submission(period="2024-07")
    june["nhiem_vu"][2]["han_hoan_thanh"] = "31/07/2024"  # extended in June, back to 30/04 in July
    for doc, day in ((may, "2024-05-16"), (june, "2024-06-16"), (july, "2024-07-16")):
        run(db, b.write_json(tmp_path / f"{doc['ky_bao_cao']}.json", doc),
            at=datetime.fromisoformat(f"{day}T09:00:00+07:00"))
    versions = rows_of(db, "SELECT han_hoan_thanh, is_current FROM core.dim_task "
                           "WHERE ma_nhiem_vu = '15/NQ-HĐND#2' ORDER BY task_key")
    assert [(v[0].isoformat(), v[1]) for v in versions] == [
        ("2024-04-30", False), ("2024-07-31", False), ("2024-04-30", True)]


def test_a_late_correction_of_an_earlier_month_does_not_rewrite_the_current_task(db: Engine, tmp_path: Path) -> None:
    may, june = b.submission(), b.submission(period="2024-06")
    june["nhiem_vu"][2]["han_hoan_thanh"] = "31/07/2024"  # June extends the deadline
    run(db, b.write_json(tmp_path / "may.json", may))
    run(db, b.write_json(tmp_path / "june.json", june), at=datetime.fromisoformat("2024-06-16T09:00:00+07:00"))
    corrected_may = b.submission()  # May corrected after June arrived: old deadline, one title reworded
    corrected_may["nhiem_vu"][0]["ten_nhiem_vu"] += " (sửa tên)"
    [result] = run(db, b.write_json(tmp_path / "may_fix.json", corrected_may),
                   at=datetime.fromisoformat("2024-06-20T09:00:00+07:00"))
    assert result.status.startswith("accepted")
    # The task as it stands is still June's; May's deadline is the version May's report is judged by.
    current = one(db, "SELECT han_hoan_thanh FROM core.dim_task WHERE ma_nhiem_vu = '15/NQ-HĐND#2' AND is_current")
    assert current[0].isoformat() == "2024-07-31"
    may_fix = one(db, """
        SELECT t.han_hoan_thanh, s.derived_status FROM core.fct_task_snapshot AS s
        JOIN core.dim_task AS t USING (task_key)
        WHERE s.submission_id = :s AND s.ma_nhiem_vu = '15/NQ-HĐND#2'""", s=result.submission_id)
    assert (may_fix[0].isoformat(), may_fix[1]) == ("2024-04-30", "overdue")
    # The reworded title is kept as a version of its own, not made current.
    first_task = corrected_may["nhiem_vu"][0]["ma_nhiem_vu"]
    titles = [tuple(r) for r in rows_of(db, "SELECT ten_nhiem_vu, is_current FROM core.dim_task "
                                        "WHERE ma_nhiem_vu = :t ORDER BY task_key", t=first_task)]
    assert titles == [(may["nhiem_vu"][0]["ten_nhiem_vu"], True), (corrected_may["nhiem_vu"][0]["ten_nhiem_vu"], False)]
    assert one(db, "SELECT count(*) FROM core.dim_task")[0] == 6  # 4 tasks; a deadline and a title version more


# -------------------------------------------------------------------------- plans


def test_annual_plan_xlsx_and_json_later_plan_replaces_earlier(db: Engine, tmp_path: Path) -> None:
    first = b.plan()
    sheets = {
        "thong_tin": [["ma_huyen", "639"], ["nam", 2024], ["van_ban", "2115/QĐ-UBND"]],
        "ke_hoach": [
            ["ma_chi_tieu", "don_vi_tinh", "ke_hoach_nam"],
            *[[r["ma_chi_tieu"], r["don_vi_tinh"], r["ke_hoach_nam"]] for r in first["ke_hoach"]],
        ],
    }
    [r1] = run(
        db, b.write_sheets(tmp_path / "plan.xlsx", sheets), at=datetime.fromisoformat("2024-01-05T08:00:00+07:00")
    )
    revised = b.plan(van_ban="1201/QĐ-UBND")
    revised["ke_hoach"][0]["ke_hoach_nam"] = "160"
    [r2] = run(
        db, b.write_json(tmp_path / "plan2.json", revised), at=datetime.fromisoformat("2024-07-05T08:00:00+07:00")
    )
    assert (r1.status, r1.kind, r1.period, r2.status) == ("accepted", "plan", "2024", "accepted")
    with db.connect() as conn:
        targets = dict(
            conn.execute(
                text(
                    "SELECT t.indicator_code, t.target_value FROM core.fct_plan_target t "
                    "JOIN core.fct_plan p USING (plan_id) "
                    "WHERE p.is_current"
                )
            ).all()
        )
        plans = conn.execute(text("SELECT version, van_ban, is_current FROM core.fct_plan ORDER BY version")).all()
    assert targets == {"NS01": 160000, "XH03": Decimal("4.5"), "NN05": 95000}
    assert [tuple(p) for p in plans] == [(1, "2115/QĐ-UBND", False), (2, "1201/QĐ-UBND", True)]


def test_a_batch_derives_a_month_from_the_version_current_when_it_loads(db: Engine, tmp_path: Path) -> None:
    """February's corrected year to date (500) is current; a batch replays February's original
    (450, received before the correction, so not current) with March sent as year to date only:
    March is 1.500 - 500, as when each file loads alone, not 1.500 - 450."""
    def sent(name: str, period: str, ytd: int, at: str) -> IncomingFile:
        doc = b.month(b.TAM_DUONG, period, {"NS01": None}, ytd={"NS01": ytd})
        b.indicator(doc, "NS01").pop("thuc_hien_thang")
        return IncomingFile(f"{name}.json", json.dumps(doc).encode(), name, datetime.fromisoformat(at))

    ingest_files(db, [sent("jan", "2024-01", 200, "2024-01-16T09:00:00+07:00")])
    ingest_files(db, [sent("feb_corrected", "2024-02", 500, "2024-03-20T09:00:00+07:00")])
    results = ingest_files(db, [sent("feb", "2024-02", 450, "2024-03-15T09:00:00+07:00"),
                                sent("mar", "2024-03", 1500, "2024-04-16T09:00:00+07:00")])
    assert [r.status for r in results] == ["accepted", "accepted"], [r.errors for r in results]
    assert load_paths(db)[-1] == "batch"
    assert values(db, b.TAM_DUONG, 202403)["NS01"][:3] == (Decimal(1000), Decimal(1500), "derived_from_ytd")
