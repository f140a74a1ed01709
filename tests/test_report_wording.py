"""Issue 17, point 1.3: wording an official would not correct, one case each, on report lines
made by hand (no warehouse: the sentences are a function of the lines)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from etl.domain.periods import parse_period
from etl.reporting import sentences
from etl.reporting.model import IndicatorLine, TaskLine
from etl.reporting.tables import TASK_HEADERS

D = Decimal
H1, JUNE, YEAR = parse_period("2024-H1"), parse_period("2024-06"), parse_period("2024")


def line(code: str = "NN05", name: str = "Tổng đàn lợn", unit: str = "con", kind: str = "stock",
         value: str | None = "92000", **kw: Any) -> IndicatorLine:
    fields: dict[str, Any] = {"direction": "higher_is_better", "ytd_value": None, "annual_plan": None,
                              "pct_of_annual_plan": None, "same_period_last_year": None, "yoy_change_pct": None,
                              "yoy_change_points": None, "plan_attained": None, "reporting_units": 10,
                              "expected_units": 10}
    fields.update(kw)
    for key in ("ytd_value", "annual_plan", "pct_of_annual_plan", "same_period_last_year", "yoy_change_pct",
                "yoy_change_points", "ytd_last_year"):
        if isinstance(fields.get(key), str):
            fields[key] = D(fields[key])
    return IndicatorLine(code, name, unit, kind, value=None if value is None else D(value), **fields)


def test_completeness_agrees_with_partial_lines_and_names_the_missing_unit() -> None:
    full = line(reporting_units=10)
    partial = line(code="NS01", name="Thu ngân sách", unit="triệu đồng", kind="flow", value="500",
                   reporting_units=9)
    text = sentences.completeness([full, partial], "province", H1, "huyện", ["Huyện Lục Ngạn"])
    # never "đủ 10/10" when a line says "(*tổng hợp từ 9/10 huyện)"
    assert "đủ 10/10" not in text
    assert text == ("Số liệu tổng hợp từ 10/10 huyện (chưa đầy đủ); 01 chỉ tiêu tổng hợp từ số đơn vị ít hơn (9/10), "
                    "ghi chú (*) ở từng chỉ tiêu; chưa gửi đủ báo cáo các tháng trong kỳ: Huyện Lục Ngạn")
    assert sentences.indicator_sentence(partial, H1, "province", "huyện").endswith("(*tổng hợp từ 9/10 huyện)")
    assert sentences.completeness([full], "province", H1, "huyện") == "Số liệu tổng hợp từ đủ 10/10 huyện"


def test_units_are_called_by_their_type_or_đơn_vị() -> None:
    assert sentences.unit_type_word(["Huyện Tam Dương", "Huyện Sông Lô"]) == "huyện"
    assert sentences.unit_type_word(["Thành phố Vĩnh Yên", "Huyện Tam Dương"]) == "huyện, thành phố"
    assert sentences.unit_type_word(["Thị xã Chũ"]) == "thị xã"
    assert sentences.unit_type_word(["Phường Pleiku", "Xã Ia Hla"]) == "xã, phường"
    assert sentences.unit_type_word(["Chư Pưh"]) == "đơn vị"  # a name without its type
    assert sentences.unit_type_word(["Đặc khu Phú Quốc"]) == "đặc khu"
    partial = line(reporting_units=2, expected_units=9)
    assert sentences.indicator_sentence(partial, H1, "province", "huyện, thành phố").endswith(
        "(*tổng hợp từ 2/9 huyện, thành phố)")
    assert sentences.indicator_sentence(partial, H1, "province").endswith("(*tổng hợp từ 2/9 đơn vị)")  # unknown


def test_a_change_of_a_rate_is_in_điểm_phần_trăm() -> None:
    rate = line(code="XH03", name="Tỷ lệ hộ nghèo", unit="%", kind="rate", value="8", same_period_last_year="10",
                yoy_change_points="-2")
    assert sentences.indicator_sentence(rate, H1, "district") == ("Tỷ lệ hộ nghèo 8%, giảm 2 điểm phần trăm so với "
                                                                  "cùng kỳ")


def test_the_on_time_rate_counts_only_tasks_due() -> None:
    # 10 tasks: 6 on time, 1 late, 2 still in time (not due), 1 overdue: 6 of the 8 due (not 6/10)
    total = TaskLine(sentences.TOTAL, 10, 6, 1, 2, 1, None)
    total = replace(total, on_time_rate=sentences.on_time_rate(total))
    assert total.on_time_rate == D("75")
    assert sentences.task_total_sentence(total).endswith("tỷ lệ hoàn thành đúng hạn 75% (06/08 nhiệm vụ đã "
                                                         "đến hạn)")
    assert sentences.on_time_rate(TaskLine("Huyện ủy", 2, 0, 0, 2, 0, None)) is None  # none due yet
    assert "Tỷ lệ đúng hạn" in TASK_HEADERS


def test_plan_column_and_sentence_agree() -> None:
    # 95 % of a higher-is-better target: "đạt 95%", never "chưa đạt" next to a column that says 95 %
    under = line(annual_plan="100000", pct_of_annual_plan="95", value="95000", plan_attained=False)
    assert sentences.indicator_sentence(under, YEAR, "district") == "Tổng đàn lợn 95.000 con, đạt 95% kế hoạch năm"
    # a ceiling (lower is better, a level): the column shows 100 % (99,996 rounded), the sentence says đạt
    ceiling = line(code="TT07", name="Hồ sơ đang giải quyết cuối kỳ", unit="hồ sơ", direction="lower_is_better",
                   value="99996", annual_plan="100000", pct_of_annual_plan="99.996", plan_attained=False)
    assert sentences.plan_pct_shown(ceiling) == D("100")
    assert sentences.indicator_sentence(ceiling, YEAR, "district").endswith("đạt kế hoạch (≤ 100.000 hồ sơ)")
    over = replace(ceiling, value=D("105000"), pct_of_annual_plan=D("105"), plan_attained=True)
    assert sentences.indicator_sentence(over, YEAR, "district").endswith("chưa đạt kế hoạch (≤ 100.000 hồ sơ)")


def test_year_to_date_compares_with_last_years_year_to_date() -> None:
    revenue = line(code="NS01", name="Thu ngân sách nhà nước trên địa bàn", unit="triệu đồng", kind="flow",
                   value="11250.5", ytd_value="61250.5", same_period_last_year="10000", yoy_change_pct="12.505",
                   ytd_last_year="50000", annual_plan="122501", pct_of_annual_plan="50")
    assert sentences.indicator_sentence(revenue, JUNE, "district") == (
        "Thu ngân sách nhà nước trên địa bàn 11,25 tỷ đồng, tăng 12,51% so với cùng tháng năm trước; lũy kế từ đầu "
        "năm 61,25 tỷ đồng, tăng 22,5% so với cùng kỳ, đạt 50% kế hoạch năm")
    no_last_year = replace(revenue, ytd_last_year=None, same_period_last_year=None, yoy_change_pct=None)
    assert sentences.indicator_sentence(no_last_year, JUNE, "district") == (
        "Thu ngân sách nhà nước trên địa bàn 11,25 tỷ đồng; lũy kế từ đầu năm 61,25 tỷ đồng, đạt 50% kế hoạch năm")


def test_amounts_in_tỷ_đồng_from_a_thousand_triệu() -> None:
    big = line(code="NS01", name="Thu ngân sách", unit="triệu đồng", kind="flow", value="266800")
    assert sentences.indicator_sentence(big, YEAR, "district") == "Thu ngân sách 266,8 tỷ đồng"
    small = replace(big, value=D("950.5"))
    assert sentences.indicator_sentence(small, YEAR, "district") == "Thu ngân sách 950,5 triệu đồng"
    # the plan decides too: every figure of a line in one unit
    planned = replace(small, annual_plan=D("2000"), pct_of_annual_plan=D("47.525"))
    assert sentences.indicator_sentence(planned, YEAR, "district") == ("Thu ngân sách 0,95 tỷ đồng, đạt 47,53% kế "
                                                                       "hoạch năm")


def test_a_reported_zero_is_không_có() -> None:
    none = line(code="KN01", name="Đơn thư khiếu nại, tố cáo tiếp nhận", unit="đơn", kind="flow", value="0",
                same_period_last_year="3", yoy_change_pct="-100")
    assert sentences.indicator_sentence(none, YEAR, "district") == ("Đơn thư khiếu nại, tố cáo tiếp nhận: không có "
                                                                    "(cùng kỳ năm trước 3 đơn)")
    tasks = TaskLine("UBND tỉnh", 32, 31, 0, 1, 0, None)
    assert sentences.task_sentence(tasks) == ("UBND tỉnh giao 32 nhiệm vụ, 31 hoàn thành đúng hạn, 01 đang thực "
                                              "hiện trong hạn, không có nhiệm vụ quá hạn")
    rate = line(code="XH03", name="Tỷ lệ hộ nghèo", unit="%", kind="rate", value="0")
    assert sentences.indicator_sentence(rate, YEAR, "district") == "Tỷ lệ hộ nghèo 0%"  # a rate stays a figure


def test_the_last_year_note_is_a_footnote_once() -> None:
    lines = [line(code=c, reporting_units=2, expected_units=9, last_year_reporting_units=1,
                  same_period_last_year="1", yoy_change_pct="10") for c in ("NN05", "NN06")]
    said = [sentences.indicator_sentence(x, H1, "province", "huyện") for x in lines]
    assert all(s.endswith("(*tổng hợp từ 2/9 huyện) (**)") and "cùng kỳ năm trước" not in s for s in said)
    notes = sentences.footnotes(lines, "province", H1, "huyện")
    assert notes == ["(*) Số liệu chưa đầy đủ: chỉ tổng hợp được từ số huyện có đủ số liệu của kỳ (cột Số đơn vị)",
                     "(**) Cùng kỳ năm trước chưa đầy đủ (tổng hợp từ 1/9 huyện): so sánh không cùng phạm vi, cần "
                     "thận trọng khi sử dụng (NN05, NN06)"]
