"""The sentences and tables of a report, from lines built here (no database): the wording of
each clause, the plan read from the mart's row, and the Markdown laid out from a Report."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from etl.domain.periods import parse_period
from etl.reporting.markdown_report import render_markdown
from etl.reporting.model import IndicatorLine, Report, TaskLine
from etl.reporting.sentences import indicator_sentence, task_sentence, task_total_sentence, vi_count, vi_number

H1 = parse_period("2024-H1")
JUNE = parse_period("2024-06")


FIGURES = ("value", "ytd_value", "annual_plan", "pct_of_annual_plan", "same_period_last_year", "yoy_change_pct",
           "yoy_change_points")


def line(code: str = "NN05", name: str = "Tổng đàn lợn", unit: str = "con", kind: str = "stock",
         direction: str = "higher_is_better", *, plan_attained: bool | None = None, reporting_units: int = 1,
         expected_units: int = 1, last_year_reporting_units: int | None = None,
         **figures: int | str) -> IndicatorLine:
    """An indicator line as build_report makes it from a mart row; figures as Decimal."""
    values = {f: Decimal(str(figures[f])) if f in figures else None for f in FIGURES}
    return IndicatorLine(code, name, unit, kind, direction, **values, plan_attained=plan_attained,
                         reporting_units=reporting_units, expected_units=expected_units,
                         last_year_reporting_units=last_year_reporting_units)


POVERTY = {"code": "XH03", "name": "Tỷ lệ hộ nghèo", "unit": "%", "kind": "rate", "direction": "lower_is_better"}


def test_period_parsing_and_number_helpers() -> None:
    assert parse_period("2024-05").label == "tháng 05/2024"
    assert parse_period("2024-h2").label == "6 tháng cuối năm 2024"
    assert parse_period("2024").code == "2024"
    assert vi_number(Decimal("61250.50")) == "61.250,5"
    assert vi_number(Decimal("92000.000")) == "92.000"
    assert vi_number(Decimal("3.33333"), 2) == "3,33"
    assert [vi_count(n) for n in (0, 1, 9, 10, 1200)] == ["0", "01", "09", "10", "1.200"]


def test_change_and_plan_clauses() -> None:
    pigs = line(value=92000, same_period_last_year=80000, yoy_change_pct=15, annual_plan=80000,
                pct_of_annual_plan=115)
    assert indicator_sentence(pigs, H1, "district") == (
        "Tổng đàn lợn 92.000 con, tăng 15% so với cùng kỳ; đạt 115% kế hoạch năm")
    assert indicator_sentence(line(value=5), H1, "district") == "Tổng đàn lợn 5 con"
    assert indicator_sentence(line(), H1, "district") == "Tổng đàn lợn: chưa có số liệu"
    # last year 0: no relative change; a plan of 0: no percentage
    zero = line(value=5, same_period_last_year=0, annual_plan=0)
    assert indicator_sentence(zero, H1, "district") == "Tổng đàn lợn 5 con, cùng kỳ 0 con; kế hoạch năm 0 con"
    same = line(value=5, same_period_last_year=5, yoy_change_pct=0)
    assert indicator_sentence(same, H1, "district") == "Tổng đàn lợn 5 con, bằng cùng kỳ"
    # a flow whose lower is better reaches a ceiling, it does not achieve it
    overdue = line("TT06", "Hồ sơ giải quyết quá hạn", "hồ sơ", "flow", "lower_is_better", value=12,
                   annual_plan=100, pct_of_annual_plan=12)
    assert indicator_sentence(overdue, H1, "district") == "Hồ sơ giải quyết quá hạn 12 hồ sơ, bằng 12% kế hoạch năm"
    # a monthly flow adds its year to date, which the plan compares with
    revenue = line("NS01", "Thu ngân sách", "triệu đồng", "flow", value="11250.5", ytd_value="61250.5",
                   same_period_last_year=10000, yoy_change_pct="12.505", annual_plan=122501, pct_of_annual_plan=50)
    assert indicator_sentence(revenue, JUNE, "district") == (
        "Thu ngân sách 11,25 tỷ đồng, tăng 12,51% so với cùng tháng năm trước; lũy kế từ đầu năm 61,25 tỷ đồng, "
        "đạt 50% kế hoạch năm")


def test_a_threshold_plan_is_the_marts_verdict() -> None:
    rate = {**POVERTY, "value": 8, "same_period_last_year": 10, "yoy_change_points": -2, "annual_plan": "8.5"}
    # halves, months and years alike: the sentence says what the mart's plan_attained says
    assert indicator_sentence(line(**rate, plan_attained=True), H1, "district") == (
        "Tỷ lệ hộ nghèo 8%, giảm 2 điểm phần trăm so với cùng kỳ; đạt kế hoạch (≤ 8,5%)")
    assert indicator_sentence(line(**{**rate, "value": 9}, plan_attained=False), H1, "district").endswith(
        "; chưa đạt kế hoạch (≤ 8,5%)")
    assert indicator_sentence(line(**rate, plan_attained=False), parse_period("2024"), "district").endswith(
        "; chưa đạt kế hoạch (≤ 8,5%)")
    # a mart row not refreshed since the plan arrived: the target, no verdict guessed
    assert indicator_sentence(line(**rate), H1, "district").endswith("; kế hoạch năm 8,5%")
    coverage = line("XH07", "Tỷ lệ bao phủ BHYT", "%", "rate", value=91, annual_plan=90, plan_attained=True)
    assert indicator_sentence(coverage, H1, "district") == "Tỷ lệ bao phủ BHYT 91%, đạt kế hoạch (≥ 90%)"
    # a rate with no better direction has a plan, not a verdict
    share = line("XX01", "Tỷ lệ dân số thành thị", "%", "rate", "none", value=30, annual_plan=32)
    assert indicator_sentence(share, H1, "district") == "Tỷ lệ dân số thành thị 30%, kế hoạch năm 32%"


def test_partial_figures_are_marked() -> None:
    partial = line(value=100000, same_period_last_year=80000, yoy_change_pct=25, reporting_units=2,
                   expected_units=9, last_year_reporting_units=1)
    assert indicator_sentence(partial, H1, "province") == (
        "Tổng đàn lợn 100.000 con, tăng 25% so với cùng kỳ (*tổng hợp từ 2/9 đơn vị) (**)")
    assert indicator_sentence(partial, H1, "district") == (
        "Tổng đàn lợn 100.000 con, tăng 25% so với cùng kỳ (*chưa đủ số liệu các tháng trong kỳ) (**)")


def test_task_sentences() -> None:
    body = TaskLine("UBND tỉnh", 32, 31, 1, 0, 0, Decimal("96.88"))
    # No task in progress: not "0 đang thực hiện"; none overdue: "không có", as the seeds write it.
    assert task_sentence(body) == ("UBND tỉnh giao 32 nhiệm vụ, 31 hoàn thành đúng hạn, 01 hoàn thành quá hạn, "
                                   "không có nhiệm vụ quá hạn")
    total = TaskLine("Tổng cộng", 6, 2, 1, 2, 1, Decimal("33.33"))
    assert task_total_sentence(total) == ("Tổng cộng 06 nhiệm vụ, 02 hoàn thành đúng hạn, 01 hoàn thành quá hạn, "
                                          "02 đang thực hiện trong hạn, 01 quá hạn; tỷ lệ hoàn thành đúng hạn 50% "
                                          "(02/04 nhiệm vụ đã đến hạn)")  # the two in progress are not due yet


def test_markdown_of_a_report_built_here() -> None:
    pigs = line(value=92000, same_period_last_year=80000, yoy_change_pct=15, annual_plan=80000,
                pct_of_annual_plan=115, reporting_units=1, expected_units=2)
    pigs = replace(pigs, sentence=indicator_sentence(pigs, H1, "province"))
    body = TaskLine("UBND tỉnh", 1, 1, 0, 0, 0, Decimal(100))
    body = replace(body, sentence=task_sentence(body))
    total = TaskLine("Tổng cộng", 1, 1, 0, 0, 0, Decimal(100))
    report = Report("26", "Tỉnh Vĩnh Phúc", "province", H1, "Báo cáo 6 tháng đầu năm 2024 — Tỉnh Vĩnh Phúc",
                    "Số liệu tổng hợp từ 1/2 huyện (chưa đầy đủ)", [pigs], [body],
                    replace(total, sentence=task_total_sentence(total)))
    assert render_markdown(report).splitlines() == [
        "# Báo cáo 6 tháng đầu năm 2024 — Tỉnh Vĩnh Phúc",
        "",
        "- Đơn vị: Tỉnh Vĩnh Phúc (mã 26, cấp tỉnh, địa giới trước 1/7/2025)",
        "- Kỳ báo cáo: 6 tháng đầu năm 2024 (tháng 1-6)",
        "- Số liệu tổng hợp từ 1/2 huyện (chưa đầy đủ)",
        "",
        "## I. Chỉ tiêu",
        "",
        "- Tổng đàn lợn 92.000 con, tăng 15% so với cùng kỳ; đạt 115% kế hoạch năm (*tổng hợp từ 1/2 đơn vị).",
        "",
        "| Mã | Chỉ tiêu | ĐVT | Thực hiện | KH năm | % KH năm | Cùng kỳ năm trước | So với cùng kỳ | Số đơn vị |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| NN05 | Tổng đàn lợn | con | 92.000* | 80.000 | 115% | 80.000 | +15% | 1/2 |",
        "",
        "(*) Số liệu chưa đầy đủ: chỉ tổng hợp được từ số đơn vị có đủ số liệu của kỳ (cột Số đơn vị)",
        "",
        "## II. Nhiệm vụ",
        "",
        "- UBND tỉnh giao 01 nhiệm vụ, 01 hoàn thành đúng hạn, không có nhiệm vụ quá hạn.",
        "",
        "| Cơ quan giao | Tổng số | Hoàn thành đúng hạn | Hoàn thành quá hạn | Đang thực hiện trong hạn | Quá hạn | "
        "Tỷ lệ đúng hạn |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| UBND tỉnh | 1 | 1 | 0 | 0 | 0 | 100% |",
        "| **Tổng cộng** | **1** | **1** | **0** | **0** | **0** | **100%** |",
        "",
        "Tình trạng nhiệm vụ tại cuối kỳ, theo báo cáo tháng cuối cùng trong kỳ của mỗi đơn vị; đúng hạn, quá hạn "
        "được tính từ ngày hoàn thành và hạn hoàn thành; tỷ lệ đúng hạn tính trên số nhiệm vụ đã đến hạn (đã hoàn "
        "thành hoặc quá hạn), không tính nhiệm vụ đang thực hiện trong hạn.",
    ]
