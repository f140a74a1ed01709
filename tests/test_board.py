"""`baocao board` against a real warehouse: the grid's statuses for a hand-made case, the rates,
the charts as data (Vega-Lite specs), the page's self-containment, the command and the DAG's task.

Vĩnh Phúc (26, 9 districts). Tam Dương (247) sends January on time, February 3 days late, nothing
for March, a rejected file for April, May on time (then a correction), and 2023's January (last
year's figure). The monthly deadline is the 18th, 23:59:59 (reference/reporting_calendar.yaml). As of
10/06/2024 noon, June is not due yet; the other 8 districts sent nothing."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from etl.marts.rollup import refresh
from etl.reporting.board import (
    KEY_INDICATORS,
    NOT_EXPECTED,
    BoardError,
    build_board,
    charts,
    default_level,
    refresh_boards,
    write_board,
)
from etl.warehouse.ingest import ingest_paths
from tests import builders as b
from tests.conftest import empty_warehouse

TAM_DUONG, VINH_PHUC = "247", "26"
TZ = "+07:00"
AS_OF = datetime.fromisoformat(f"2024-06-10T12:00:00{TZ}")
# Reported in May: one overdue since 31/03, one done late, one in progress within its deadline.
OPEN_TASKS = [b.task("QĐ 12", "UBND tỉnh", "Đang thực hiện", "31/03/2024"),
              b.task("QĐ 13", "UBND tỉnh", "Hoàn thành", "31/03/2024", "10/04/2024"),
              b.task("QĐ 14", "Huyện ủy", "Đang thực hiện", "31/12/2024")]


def _at(moment: str) -> datetime:
    return datetime.fromisoformat(f"{moment}{TZ}")


def _ingest(engine: Engine, folder: Path, name: str, doc: dict[str, Any], received: str) -> str:
    [result] = ingest_paths(engine, [b.write_json(folder / name, doc)], received_at=_at(received))
    return result.status


@pytest.fixture(scope="module")
def vinh_phuc(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Built once for the module; starts from an empty warehouse like `db`."""
    empty_warehouse(engine)
    db, tmp_path = engine, tmp_path_factory.mktemp("board")

    def month(period: str, ns01: Any, ytd: Any) -> dict[str, Any]:
        tasks = OPEN_TASKS if period == "2024-05" else None
        return b.month(TAM_DUONG, period, {"NS01": ns01, "NN08": 5, "XH01": 80, "XH02": 1000}, tasks, ytd={"NS01": ytd})

    assert _ingest(db, tmp_path, "2023-01.json", month("2023-01", 9000, 9000), "2023-01-16T09:00:00") == "accepted"
    assert _ingest(db, tmp_path, "plan.json", b.plan(district=TAM_DUONG, ke_hoach=[
        {"ma_chi_tieu": "NS01", "don_vi_tinh": "triệu đồng", "ke_hoach_nam": 120000}]),
        "2024-01-05T09:00:00") == "accepted"
    assert _ingest(db, tmp_path, "01.json", month("2024-01", 10000, 10000), "2024-01-16T09:00:00") == "accepted"
    # 2,4 days after 18/02 23:59:59: counted as 3 days late (a started day counts).
    assert _ingest(db, tmp_path, "02.json", month("2024-02", 10000, 20000), "2024-02-21T10:00:00") == "accepted"
    bad = month("2024-04", 10000, 40000)
    b.indicator(bad, "NS01")["luy_ke_nam"] = "3.8650.000"  # the seeds' malformed grouping: rejected
    assert _ingest(db, tmp_path, "04.json", bad, "2024-04-15T09:00:00") == "rejected"
    assert _ingest(db, tmp_path, "05.json", month("2024-05", 10000, 50000), "2024-05-17T09:00:00") == "accepted"
    fixed = month("2024-05", 12000, 52000)
    assert _ingest(db, tmp_path, "05b.json", fixed, "2024-05-20T09:00:00") == "accepted"  # a correction
    refresh(db, full=True)
    return db


def _statuses(board: Any, unit: str) -> list[tuple[str, int | None]]:
    [row] = [r for r in board.units if r.code == unit]
    return [(c.status, c.days_late) for c in row.cells]


def test_grid_as_of_a_day_has_each_status_and_the_days_late(vinh_phuc: Engine) -> None:
    board = build_board(vinh_phuc, VINH_PHUC, 2024, as_of=AS_OF)
    assert (board.level, board.province_name, board.as_of) == ("province", "Tỉnh Vĩnh Phúc", AS_OF)
    assert len(board.units) == 9 and all(len(r.cells) == 12 for r in board.units)
    assert _statuses(board, TAM_DUONG) == [("on_time", 0), ("late", 3), ("missing", None), ("rejected", None),
                                           ("on_time", 0), ("pending", None)] + [(NOT_EXPECTED, None)] * 6
    for row in board.units:
        if row.code != TAM_DUONG:  # expected from the province's first month heard from, sending nothing
            assert [c.status for c in row.cells[:6]] == ["missing"] * 5 + ["pending"]
    assert board.counts() == {"on_time": 2, "late": 1, "missing": 1 + 8 * 5, "rejected": 1, "pending": 9}
    february = board.rates[1]
    assert (february.month, february.expected, february.received, february.on_time) == (2, 9, 1, 0)
    assert february.reporting_rate_pct == Decimal("11.11") and february.on_time_rate_pct == 0
    [row] = [r for r in board.units if r.code == TAM_DUONG]
    assert row.cells[1].deadline == _at("2024-02-18T23:59:59")
    assert row.cells[1].received_at == _at("2024-02-21T10:00:00")


def test_grid_and_rates_from_the_marts(vinh_phuc: Engine) -> None:
    board = build_board(vinh_phuc, VINH_PHUC, 2024)
    assert _statuses(board, TAM_DUONG)[5:] == [("missing", None)] * 7  # every month of 2024 is past its deadline
    assert sum(c.status != NOT_EXPECTED for r in board.units for c in r.cells) == 9 * 12
    with vinh_phuc.connect() as conn:
        mart = conn.execute(text("SELECT month, expected, received, on_time, reporting_rate_pct, on_time_rate_pct "
                                 "FROM mart.reporting_rate WHERE level = 'province' AND unit_code = '26' "
                                 "AND year = 2024 ORDER BY month")).all()
    assert [tuple(vars(r).values()) for r in board.rates] == [tuple(r) for r in mart]
    # The same rates recomputed from the statuses as of a moment after every deadline.
    later = build_board(vinh_phuc, VINH_PHUC, 2024, as_of=_at("2026-01-01T00:00:00"))
    assert later.rates == board.rates


def test_key_indicators_this_year_last_year_and_plan(vinh_phuc: Engine) -> None:
    board = build_board(vinh_phuc, VINH_PHUC, 2024)
    assert [s.code for s in board.indicators] == list(KEY_INDICATORS)
    [ns01] = [s for s in board.indicators if s.code == "NS01"]
    assert ns01.measure == "ytd"  # a flow: its year to date, against the annual plan
    assert ns01.this_year[1] == 10000 and ns01.this_year[5] == 52000  # May as corrected
    assert ns01.last_year == {1: 9000}
    assert ns01.annual_plan == 120000
    spec = charts(board)["chi_tieu_NS01"].to_dict()
    lines, plan = spec["layer"]
    values = spec["datasets"][lines["data"]["name"]]
    assert {"Tháng": "T1", "Kỳ": "Năm 2023", "Giá trị": 9000.0} in values
    assert {"Tháng": "T5", "Kỳ": "Năm 2024", "Giá trị": 52000.0} in values
    assert plan["mark"]["type"] == "rule" and spec["datasets"][plan["data"]["name"]] == [
        {"Kỳ": "Kế hoạch năm", "Giá trị": 120000.0}]
    assert spec["title"]["subtitle"] == ["lũy kế năm, triệu đồng", "kế hoạch năm 120.000 triệu đồng",
                                         "T5 đạt 43,33% kế hoạch"]
    [xh03] = [s for s in board.indicators if s.code == "XH03"]
    assert xh03.this_year[1] == 8 and xh03.annual_plan is None  # 80/1.000 households, %; no province plan
    assert len(charts(board)["chi_tieu_XH03"].to_dict()["layer"]) == 1


def test_latest_revisions_and_tasks(vinh_phuc: Engine) -> None:
    board = build_board(vinh_phuc, VINH_PHUC, 2024)
    [revision] = [r for r in board.revisions if r.indicator_code == "NS01"]
    assert (revision.unit_name, revision.month, revision.old, revision.new, revision.after_deadline) == (
        "Huyện Tam Dương", 5, 10000, 12000, True)
    if board.task_source == "overdue":  # mart.task_overdue: the open tasks past their deadline
        assert [(t["unit_name"], t["title"], t["deadline"]) for t in board.tasks] == [
            ("Huyện Tam Dương", "QĐ 12", date(2024, 3, 31))]
    else:  # the counts by assigning body
        assert board.task_source == "rollup"
        assert {t["assigning_body"]: (t["tasks_total"], t["done_late"], t["overdue"]) for t in board.tasks} == {
            "UBND tỉnh": (2, 1, 1), "Huyện ủy": (1, 0, 0)}
    as_then = build_board(vinh_phuc, VINH_PHUC, 2024, as_of=_at("2024-05-19T00:00:00"))
    assert as_then.revisions == ()  # the correction arrived on the 20th


def test_the_page_is_self_contained_vietnamese_and_has_a_cell_per_unit_month(vinh_phuc: Engine,
                                                                           tmp_path: Path) -> None:
    board = build_board(vinh_phuc, VINH_PHUC, 2024, as_of=AS_OF)
    page, *pngs = write_board(board, tmp_path / "board")
    html = page.read_text(encoding="utf-8")
    assert '<html lang="vi">' in html and "Bảng theo dõi báo cáo — Tỉnh Vĩnh Phúc, năm 2024" in html
    cells = re.findall(r'<td class="st-(\w+)" data-unit="(\d+)" data-month="(\d+)"', html)
    assert len(cells) == 9 * 12 and len({(u, m) for _, u, m in cells}) == 9 * 12
    assert ("late", TAM_DUONG, "2") in cells and 'data-days-late="3"' in html
    assert "hạn 18/02/2024 23:59; nhận 21/02/2024 10:00" in html  # dates dd/mm/yyyy, local time
    assert "Số liệu tính đến 10/6/2024 12:00" in html
    assert html.count("<svg") == 1 + len(KEY_INDICATORS)
    # Nothing to fetch: no script, stylesheet, image or font from anywhere.
    assert not re.search(r"<script|<link|<img|@import|url\(|https?://(?!www\.w3\.org/)", html)
    assert sorted(p.name for p in pngs) == sorted(["ty_le_bao_cao.png"] + [f"chi_tieu_{c}.png" for c in KEY_INDICATORS])
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    # Vietnamese notation on the axes (d3's locale): 120.000, not 120,000.
    assert "120.000" in html and "120,000" not in html


def test_default_level_and_errors(vinh_phuc: Engine) -> None:
    assert (default_level(2024), default_level(2025), default_level(2026)) == ("province", "province_2025",
                                                                               "province_2025")
    with pytest.raises(BoardError, match="không có tỉnh mã '99'"):
        build_board(vinh_phuc, "99", 2024)
    with pytest.raises(BoardError, match="không hợp lệ"):
        build_board(vinh_phuc, VINH_PHUC, 2024, level="district")


def test_the_command_writes_the_board(vinh_phuc: Engine, cli_runner: Any, tmp_path: Path) -> None:
    from etl.cli import app

    result = cli_runner.invoke(app, ["board", "--province", VINH_PHUC, "--year", "2024", "-o", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'b' / 'index.html'} and {1 + len(KEY_INDICATORS)} charts (PNG)" in result.output
    unknown = cli_runner.invoke(app, ["board", "--province", "99", "--year", "2024", "-o", str(tmp_path / "c")])
    assert unknown.exit_code == 2 and "không có tỉnh mã '99'" in unknown.output


def test_refresh_boards_writes_one_per_province_with_data(vinh_phuc: Engine, tmp_path: Path) -> None:
    written = refresh_boards(vinh_phuc, tmp_path, 2024)
    assert written == {VINH_PHUC: str(tmp_path / "26_2024" / "index.html")}
    assert refresh_boards(vinh_phuc, tmp_path, 2023) == {VINH_PHUC: str(tmp_path / "26_2023" / "index.html")}
    assert refresh_boards(vinh_phuc, tmp_path / "none", 2019) == {}


def test_rollup_dag_writes_the_boards_after_the_refresh(vinh_phuc: Engine, warehouse_url: str, airflow_db: None,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The DAG's board task: this year's board of each province with data (a commune of Gia Lai's
    that sent January), into BAOCAO_BOARD_DIR. Last in the module: it adds to the shared warehouse."""
    from airflow.dag_processing.dagbag import DagBag

    from etl.domain import admin_units
    from etl.domain.calendar import local_zone
    from etl.warehouse import db as db_module

    year = datetime.now(local_zone()).year
    communes = admin_units.communes_2025()
    commune = sorted(communes[communes.province_2025_code == "52"].commune_code)[0]
    doc = b.month(commune, f"{year}-01", {"NS01": 100, "DN01": 2})
    assert _ingest(vinh_phuc, tmp_path, "commune.json", doc, f"{year}-01-01T00:00:01").startswith("accepted")
    monkeypatch.setenv("WAREHOUSE_URL", warehouse_url)
    monkeypatch.setenv("BAOCAO_BOARD_DIR", str(tmp_path / "boards"))
    db_module.get_engine.cache_clear()

    dag = DagBag(str(Path(__file__).resolve().parent.parent / "dags")).get_dag("rollup_marts")
    run = dag.test()
    assert {ti.task_id: ti.state for ti in run.get_task_instances()} == {"refresh": "success", "board": "success"}
    page = tmp_path / "boards" / f"52_{year}" / "index.html"
    assert sorted(p.name for p in (tmp_path / "boards").iterdir()) == [f"52_{year}"]
    assert f"Bảng theo dõi báo cáo — Tỉnh Gia Lai, năm {year}" in page.read_text(encoding="utf-8")
