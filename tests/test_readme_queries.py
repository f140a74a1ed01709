"""Issue 10, "How it is shown": the example queries of README.md ("For analysts") give the same
figures as `baocao report`, for a province with a district that missed a month.

The queries are read from README.md itself (the block after "The sentences of a review"), so this
test fails when the README stops matching the marts. The data fills the README's own literals:

- Bắc Giang (24): Yên Thế (215) sends every month of 2024 but May, each with NS01's month value
  10·m and its year to date 5·m·(m+1) (December: 780; the eleven months would sum 730), NN05 48.000
  every month, and in December four tasks of UBND tỉnh; Tân Yên (216) sends all twelve months with
  NS01 20·m, year to date 10·m·(m+1) (December: 1.560). Plans: Yên Thế NS01 700, NN05 50.000; Tân
  Yên NS01 1.500. The province's year: 780 + 1.560 = 2.340 of a plan 2.200 = 106,36 %.
- Vĩnh Phúc (26): Tam Dương (247) has 82.000 pigs in June 2023 and 92.000 in June 2024 (+12,2 %).

The worked example's query ("How a period's figure is made") is run on its own data: Tam Dương
without September beside Vĩnh Yên (243), month by month against the report of each month."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from etl.marts.rollup import refresh
from etl.paths import PROJECT_ROOT
from etl.reporting.model import IndicatorLine, Report, build_report
from etl.warehouse.ingest import files_from_paths
from tests import builders as b
from tests.test_rollup import TZ, arrival_files, arrive_together, ingest_accepted

BAC_GIANG, YEN_THE, TAN_YEN = "24", "215", "216"
VINH_PHUC, TAM_DUONG, VINH_YEN = "26", "247", "243"
DONE, DOING = "Hoàn thành", "Đang thực hiện"


def readme_queries(after: str) -> list[str]:
    """The statements of the README's first SQL block after `after` in "For analysts", comments removed."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For analysts", 1)[1]
    block = re.search(re.escape(after) + r".*?```sql\n(.*?)```", section, re.S)
    assert block, f"README.md: no SQL block after {after!r}"
    lines = [line for line in block.group(1).splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def run(db: Engine, sql: str) -> list[dict[str, Any]]:
    """As the analyst runs it: the statement as written, no parameters."""
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql)).mappings().all()]


def line(report: Report, code: str) -> IndicatorLine:
    [found] = [x for x in report.indicators if x.code == code]
    return found


@pytest.fixture
def bac_giang(db: Engine, tmp_path: Path) -> Engine:
    tasks = [
        b.task("A", "UBND tỉnh", DONE, "30/06/2024", "10/06/2024"),  # done on time
        b.task("B", "UBND tỉnh", DONE, "31/03/2024", "15/04/2024"),  # done late
        b.task("C", "UBND tỉnh", DOING, "31/12/2024"),  # in progress, deadline after the 14/12 cut-off
        b.task("D", "UBND tỉnh", DOING, "31/10/2024"),  # overdue
    ]
    arrivals: list[tuple[dict[str, Any], str | None]] = []
    for m in range(1, 13):
        if m != 5:  # Yên Thế misses May: June's year to date (210) carries the year over it
            arrivals.append((b.month(YEN_THE, f"2024-{m:02d}", {"NS01": 10 * m, "NN05": 48000},
                                     tasks if m == 12 else None, ytd={"NS01": 5 * m * (m + 1)}), None))
        arrivals.append((b.month(TAN_YEN, f"2024-{m:02d}", {"NS01": 20 * m}, ytd={"NS01": 10 * m * (m + 1)}), None))
    arrivals += [(b.month(TAM_DUONG, "2023-06", {"NN05": 82000}), None),
                 (b.month(TAM_DUONG, "2024-06", {"NN05": 92000}), None)]
    plans = [
        b.plan(district=YEN_THE, ke_hoach=[
            {"ma_chi_tieu": "NS01", "don_vi_tinh": "triệu đồng", "ke_hoach_nam": 700},
            {"ma_chi_tieu": "NN05", "don_vi_tinh": "nghìn con", "ke_hoach_nam": 50}]),
        b.plan(district=TAN_YEN, ke_hoach=[{"ma_chi_tieu": "NS01", "don_vi_tinh": "triệu đồng", "ke_hoach_nam": 1500}]),
    ]
    plan_paths = [b.write_json(tmp_path / f"plan_{i}.json", plan) for i, plan in enumerate(plans)]
    ingest_accepted(db, [*arrival_files(tmp_path, arrivals),
                         *files_from_paths(plan_paths, datetime.fromisoformat(f"2024-01-10T08:00:00{TZ}"))])
    refresh(db, full=True)
    return db


def test_the_readme_queries_give_the_figures_of_the_report(bac_giang: Engine) -> None:
    db = bac_giang
    # The README's six queries, in its order: one more or fewer and this test must be revised with it
    pigs, budget, attained, tasks, late, rate = readme_queries("The sentences of a review")

    # "Tổng đàn lợn 92.000 con, tăng 12,2% so với cùng kỳ": 92.000 / 82.000 - 1 = 12,195 %
    [r] = run(db, pigs)
    h1 = line(build_report(db, TAM_DUONG, "2024-H1"), "NN05")
    assert (r["value"], r["unit"], r["yoy_change_pct"]) == (h1.value, h1.unit, h1.yoy_change_pct)
    assert r["value"] == 92000 and round(r["yoy_change_pct"], 1) == Decimal("12.2")

    # "Thu ngân sách đạt 106,36% dự toán": the year of Yên Thế is December's year to date (780),
    # not its eleven months (730) nor, as before issue 10, marked incomplete
    [r] = run(db, budget)
    ns01 = line(build_report(db, BAC_GIANG, "2024"), "NS01")
    assert (r["value"], r["annual_plan"], r["pct_of_annual_plan"], r["reporting_units"], r["expected_units"]) == (
        ns01.value, ns01.annual_plan, ns01.pct_of_annual_plan, ns01.reporting_units, ns01.expected_units)
    assert (r["value"], r["annual_plan"], r["pct_of_annual_plan"], r["reporting_units"]) == (
        780 + 1560, 700 + 1500, Decimal("106.36"), 2)  # 2.340 / 2.200 = 106,3636 %
    district = line(build_report(db, YEN_THE, "2024"), "NS01")
    assert (district.value, district.reporting_units, district.pct_of_annual_plan) == (780, 1, Decimal("111.43"))

    # "1/2 chỉ tiêu đạt và vượt kế hoạch": NS01 780 ≥ 700, NN05 48.000 < 50.000
    year = build_report(db, YEN_THE, "2024")
    with_plan = [x.plan_attained for x in year.indicators if x.plan_attained is not None]
    assert [list(x.values()) for x in run(db, attained)] == [[f"{sum(with_plan)}/{len(with_plan)}"]]
    assert sum(with_plan) == 1 and len(with_plan) == 2

    # "UBND tỉnh giao 4 nhiệm vụ, 1 hoàn thành đúng hạn"
    [r] = run(db, tasks)
    [body] = [t for t in year.tasks if t.assigning_body == "UBND tỉnh"]
    counts = ("tasks_total", "done_on_time", "done_late", "in_progress", "overdue")
    assert tuple(r[k] for k in counts) == tuple(getattr(body, k) for k in counts) == (4, 1, 1, 1, 1)

    # Who is late in May: Yên Thế is missing (no accepted version: no days late); Tân Yên is not listed
    may = [x for x in run(db, late) if x["district_name"] in ("Huyện Yên Thế", "Huyện Tân Yên")]
    assert may == [{"district_name": "Huyện Yên Thế", "status": "missing", "days_late": None}]

    # The province's May: 1 district of the expected received, as the report's May line counts
    rates = {x["unit_code"]: x for x in run(db, rate)}
    may_ns01 = line(build_report(db, BAC_GIANG, "2024-05"), "NS01")
    assert (rates[BAC_GIANG]["received"], rates[BAC_GIANG]["expected"]) == (
        may_ns01.reporting_units, may_ns01.expected_units)
    assert (rates[BAC_GIANG]["received"], rates[BAC_GIANG]["expected"]) == (1, 10)  # Bắc Giang's 10 districts
    assert ns01.expected_units == 10


def test_the_readmes_worked_example_of_a_province_month_gives_the_figures_of_the_report(
        db: Engine, tmp_path: Path) -> None:
    """Vĩnh Phúc (26): Tam Dương sends every month of 2024 but September, Vĩnh Yên all twelve,
    each with NS01's month 10·m and year to date 5·m·(m+1) (the README's worked example)."""
    arrive_together(db, tmp_path, [(b.month(district, f"2024-{m:02d}", {"NS01": 10 * m}, ytd={"NS01": 5 * m * (m + 1)}),
                                    None)
                                   for district, skip in ((TAM_DUONG, 9), (VINH_YEN, None))
                                   for m in range(1, 13) if m != skip])
    refresh(db, full=True)
    [monthly] = readme_queries("**How a period's figure is made (flows).**")
    rows = run(db, monthly)
    assert [r["month"] for r in rows] == list(range(1, 13))
    for r in rows:
        report = line(build_report(db, VINH_PHUC, f"2024-{r['month']:02d}"), "NS01")
        assert (r["value"], r["ytd_value"], r["reporting_units"]) == (
            report.value, report.ytd_value, report.reporting_units), r
    september = rows[8]
    # The README's figures: Vĩnh Yên's 90 alone as the month, 450 + Tam Dương's August 360 carried
    assert (september["value"], september["ytd_value"], september["reporting_units"],
            september["carried_forward_units"]) == (90, 810, 1, 1)
    # December: both districts' year to date, 780 + 780
    assert (rows[11]["ytd_value"], rows[11]["reporting_units"], rows[11]["carried_forward_units"]) == (1560, 2, 0)
    year = line(build_report(db, VINH_PHUC, "2024"), "NS01")
    assert (year.value, year.reporting_units) == (1560, 2)
