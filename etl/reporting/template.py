"""`baocao template`: the XLSX a district fills in for one month.

It carries the district code and month, every catalog indicator the unit's level reports
(rates are computed by the warehouse, so they are left out), a mark that it is the template
(thong_tin mau_bao_cao: a row deleted from it is then reported as not reported), and the district's open
tasks from its latest accepted submission before that month, so the clerk only updates
statuses. Tasks already done are not listed: the warehouse keeps every task of the year in
its latest reported state (sql/rollup/10_task_rollup.sql), so a month sent without them
counts them all the same. Dropdowns keep units and statuses to the accepted values."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from sqlalchemy import Engine, text

from etl.domain.catalog import load_catalog
from etl.domain.contract import (
    COLUMNS,
    INDICATOR_SHEET,
    INFO_DISTRICT,
    INFO_TEMPLATE,
    INFO_UNIT,
    TASK_DONE,
    TASK_SHEET,
    TASK_STATUSES,
    VI_HEADERS,
    reporting_level,
)
from etl.domain.periods import Period, parse_month, period_key
from etl.intake.structure import not_in_period_detail, template_indicators
from etl.warehouse.ingest import load_ref_context

INDICATOR_HEADERS = [VI_HEADERS[c] for c in COLUMNS[INDICATOR_SHEET]]
TEMPLATE_MARK = "baocao v2"  # thong_tin mau_bao_cao: the template's version and the unit's level
TASK_HEADERS = [VI_HEADERS[c] for c in COLUMNS[TASK_SHEET]]


def open_tasks(engine: Engine, district_code: str, before_period_key: int) -> list[dict[str, object]]:
    """Tasks not done in the district's latest current submission before the given month."""
    with engine.connect() as conn:
        rows = conn.execute(text("""
            WITH latest AS (
                SELECT submission_id FROM core.fct_submission
                WHERE district_code = :d AND is_current AND period_key < :p
                ORDER BY period_key DESC LIMIT 1
            )
            SELECT t.ma_nhiem_vu, t.ten_nhiem_vu, t.co_quan_giao, t.van_ban_giao, t.ngay_giao, t.han_hoan_thanh,
                   s.trang_thai, s.tien_do
            FROM core.fct_task_snapshot AS s
            JOIN latest USING (submission_id)
            JOIN core.dim_task AS t ON t.task_key = s.task_key
            WHERE s.trang_thai <> :done
            ORDER BY s.source_row
        """), {"d": district_code, "p": before_period_key, "done": TASK_DONE})
        return [dict(r._mapping) for r in rows]


def write_template(engine: Engine, district_code: str, period: str, output: Path) -> int:
    parsed = parse_month(period)
    if parsed is None:
        raise ValueError(f"kỳ báo cáo '{period}' không hợp lệ; cần YYYY-MM / period must be YYYY-MM")
    year, month = parsed
    districts = load_ref_context(engine).districts
    known = districts.get(district_code)
    if known is None:
        raise ValueError(f"mã đơn vị '{district_code}' không có trong danh mục / unknown unit code")
    month_period = Period.of_month(year, month)
    as_then = known.in_period(month_period.start_date, month_period.end_date)
    if as_then is None:  # no template for a month the district did not exist: say who reports instead
        vi, en = not_in_period_detail(district_code, known, month_period, districts)
        raise ValueError(f"không có mẫu {month_period.label} cho mã {district_code}: {vi} / {en}")
    district = as_then.name
    catalog = load_catalog()
    tasks = open_tasks(engine, district_code, period_key(year, month))

    output.parent.mkdir(parents=True, exist_ok=True)
    # Text from districts (a task titled "=HYPERLINK(...)") is written as text, never as a formula.
    wb = xlsxwriter.Workbook(str(output), {"strings_to_formulas": False})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    as_text = wb.add_format({"num_format": "@"})

    info = wb.add_worksheet("thong_tin")
    info.set_column(0, 0, 16)
    info.set_column(1, 1, 40)
    # A district's template keeps the v1 key its clerks know; a commune's names its unit with ma_don_vi.
    unit_key = INFO_DISTRICT if reporting_level(district_code) == "district" else INFO_UNIT
    level = reporting_level(district_code)
    for r, (key, value) in enumerate([(unit_key, district_code), ("ky_bao_cao", f"{year}-{month:02d}"),
                                      ("ngay_lap", ""), ("nguoi_lap", ""), ("email_lien_he", ""),
                                      (INFO_TEMPLATE, f"{TEMPLATE_MARK} {level}")]):
        info.write_string(r, 0, key, bold)
        info.write_string(r, 1, value, as_text)  # text cells: keep "001" and "2024-05" as written
    info.write_string(7, 0, f"{district}: báo cáo tháng {month:02d}/{year}")

    sheet = wb.add_worksheet("chi_tieu")
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, 5, 16)
    sheet.write_row(0, 0, INDICATOR_HEADERS, bold)
    reported = [catalog.indicators[code] for code in template_indicators(catalog, level)]
    for r, ind in enumerate(reported, start=1):
        sheet.write_row(r, 0, [ind.code, ind.name, ind.unit])
        convertible = [u.name for u in catalog.units.values() if u.dimension == catalog.units[ind.unit].dimension]
        sheet.data_validation(r, 2, r, 2, {"validate": "list", "source": convertible})
    sheet.freeze_panes(1, 0)

    task_sheet = wb.add_worksheet("nhiem_vu")
    task_sheet.set_column(0, 0, 20)
    task_sheet.set_column(1, 1, 60)
    task_sheet.set_column(2, 9, 16)
    task_sheet.write_row(0, 0, TASK_HEADERS, bold)
    for r, t in enumerate(tasks, start=1):
        task_sheet.write_row(r, 0, [
            t["ma_nhiem_vu"], t["ten_nhiem_vu"], t["co_quan_giao"], t["van_ban_giao"] or "",
            t["ngay_giao"].strftime("%d/%m/%Y") if t["ngay_giao"] else "",
            t["han_hoan_thanh"].strftime("%d/%m/%Y") if t["han_hoan_thanh"] else "",
            t["trang_thai"],
        ])
    task_sheet.data_validation(1, 6, max(len(tasks), 1) + 200, 6, {"validate": "list", "source": list(TASK_STATUSES)})
    task_sheet.freeze_panes(1, 0)
    wb.close()
    return len(tasks)
