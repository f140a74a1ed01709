"""Small, explicit submission builders for tests (the realistic generator is etl.demo.synth)."""

from __future__ import annotations

import copy
import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import xlsxwriter

from etl.domain.contract import COLUMNS, INDICATOR_SHEET, TASK_SHEET
from etl.intake.structure import DistrictRef, RefContext, UnitSpan

CHU_PUH = "639"  # Gia Lai
TAM_DUONG = "247"  # Vĩnh Phúc

INDICATOR_HEADERS = list(COLUMNS[INDICATOR_SHEET])
TASK_HEADERS = list(COLUMNS[TASK_SHEET])


@cache
def offline_ref() -> RefContext:
    """The reference data `baocao db upgrade` loads, from the same sources, without a warehouse
    (district and indicator keys numbered here), for structural checks in unit tests."""
    from etl.domain import admin_units
    from etl.domain.catalog import load_catalog
    from etl.domain.unit_history import district_versions, ending_of, load_unit_changes

    districts = admin_units.legacy_districts()
    catalog = load_catalog()
    changes = load_unit_changes()
    histories = district_versions(districts.to_dict("records"), changes)
    provinces_2025 = dict(zip(*admin_units.provinces_2025()[["province_2025_code", "province_2025_name"]].T.values,
                              strict=True))
    to_2025 = dict(zip(*admin_units.legacy_provinces()[["province_code", "province_2025_code"]].T.values,
                       strict=True))

    def spans(code: str) -> tuple[UnitSpan, ...]:
        versions, end = histories[code], ending_of(code, changes)
        return tuple(UnitSpan(v.valid_from, v.valid_to, v.unit_name, v.commune_count,
                              *((end.change, end.legal_act, end.successor_code or None)
                                if end and v is versions[-1] else (None, None, None)))
                     for v in versions)

    refs = {code: DistrictRef(key, history[-1].province_code, history[-1].unit_name, history[-1].commune_count,
                              spans(code), provinces_2025[to_2025[history[-1].province_code]])
            for key, (code, history) in enumerate(sorted(histories.items()), start=1)}
    # The 2025 communes, from the first day of the commune level.
    first_day = date(2025, 7, 1)
    for key, c in enumerate(admin_units.communes_2025().itertuples(index=False), start=len(refs) + 1):
        refs[c.commune_code] = DistrictRef(key, None, c.commune_name, None,
                                           (UnitSpan(first_day, None, c.commune_name, None),),
                                           provinces_2025[c.province_2025_code])
    return RefContext(catalog=catalog, districts=refs,
                      indicator_keys={code: key for key, code in enumerate(catalog.indicators, start=1)})


def submission(district: str = CHU_PUH, period: str = "2024-05", **overrides: Any) -> dict[str, Any]:
    """A valid monthly submission in the contract's JSON shape, with figures like the seeds'."""
    sub: dict[str, Any] = {
        "ma_huyen": district,
        "ky_bao_cao": period,
        "thong_tin": {
            "ngay_lap": "16/05/2024",
            "nguoi_lap": "Nguyễn Thị Lan",
            "email_lien_he": f"vanphong.{district}@example.gov.vn",
        },
        "chi_tieu": [
            {
                "ma_chi_tieu": "NS01",
                "don_vi_tinh": "triệu đồng",
                "thuc_hien_thang": "12.500,5",
                "luy_ke_nam": "61.250,5",
            },
            {"ma_chi_tieu": "KT01", "don_vi_tinh": "tỷ đồng", "thuc_hien_thang": "390,5"},
            {"ma_chi_tieu": "KT02", "don_vi_tinh": "tỷ đồng", "thuc_hien_thang": "150,5"},
            {"ma_chi_tieu": "KT03", "don_vi_tinh": "tỷ đồng", "thuc_hien_thang": 140},
            {"ma_chi_tieu": "KT04", "don_vi_tinh": "tỷ đồng", "thuc_hien_thang": 100},
            {"ma_chi_tieu": "NN05", "don_vi_tinh": "con", "thuc_hien_thang": "92.000"},
            {"ma_chi_tieu": "XH01", "don_vi_tinh": "hộ", "thuc_hien_thang": "1.170"},
            {"ma_chi_tieu": "XH02", "don_vi_tinh": "hộ", "thuc_hien_thang": "24.310"},
            {"ma_chi_tieu": "HC02", "don_vi_tinh": "văn bản", "thuc_hien_thang": 1250, "luy_ke_nam": 6100},
        ],
        "nhiem_vu": [
            {
                "ma_nhiem_vu": "3466/QĐ-UBND#12",
                "ten_nhiem_vu": "Xây dựng Đề án phát triển cây dược liệu",
                "co_quan_giao": "UBND tỉnh",
                "van_ban_giao": "3466/QĐ-UBND",
                "ngay_giao": "22/12/2023",
                "han_hoan_thanh": "30/06/2024",
                "trang_thai": "Đang thực hiện",
                "tien_do": 60,
            },
            {
                "ma_nhiem_vu": "3466/QĐ-UBND#13",
                "ten_nhiem_vu": "Hoàn thành giải phóng mặt bằng tuyến đường ĐT.665",
                "co_quan_giao": "Chủ tịch UBND tỉnh",
                "van_ban_giao": "3466/QĐ-UBND",
                "ngay_giao": "22/12/2023",
                "han_hoan_thanh": "31/03/2024",
                "trang_thai": "Hoàn thành",
                "ngay_hoan_thanh": "28/03/2024",
            },
            {
                "ma_nhiem_vu": "15/NQ-HĐND#2",
                "ten_nhiem_vu": "Rà soát hộ nghèo, hộ cận nghèo",
                "co_quan_giao": "HĐND huyện",
                "han_hoan_thanh": "30/04/2024",
                "trang_thai": "Đang thực hiện",
            },
            {
                "ma_nhiem_vu": "TX-01",
                "ten_nhiem_vu": "Tiếp công dân định kỳ",
                "co_quan_giao": "UBND huyện",
                "trang_thai": "Đang thực hiện",
            },
        ],
    }
    sub.update(overrides)
    return sub


def indicator(sub: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in sub["chi_tieu"] if r["ma_chi_tieu"] == code)


def modified(sub: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(sub)


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def write_sheets(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """An XLSX with exactly these sheets and cells (None leaves a cell empty)."""
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write_string(r, c, value) if isinstance(value, str) else ws.write(r, c, value)
    wb.close()
    return path


def submission_sheets(
    sub: dict[str, Any], *, indicator_headers: list[str] | None = None, task_headers: list[str] | None = None
) -> dict[str, list[list[Any]]]:
    info = [["ma_huyen", sub["ma_huyen"]], ["ky_bao_cao", sub["ky_bao_cao"]]]
    info += [[k, v] for k, v in sub.get("thong_tin", {}).items()]
    ind_rows = [indicator_headers or INDICATOR_HEADERS]
    ind_rows += [[r.get(k) for k in INDICATOR_HEADERS] for r in sub["chi_tieu"]]
    task_rows = [task_headers or TASK_HEADERS]
    task_rows += [[r.get(k) for k in TASK_HEADERS] for r in sub["nhiem_vu"]]
    return {"thong_tin": info, "chi_tieu": ind_rows, "nhiem_vu": task_rows}


def write_submission_xlsx(path: Path, sub: dict[str, Any], **kw: Any) -> Path:
    return write_sheets(path, submission_sheets(sub, **kw))


def plan(district: str = CHU_PUH, year: int = 2024, **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "ma_huyen": district,
        "nam": year,
        "van_ban": "2115/QĐ-UBND",
        "ke_hoach": [
            {"ma_chi_tieu": "NS01", "don_vi_tinh": "tỷ đồng", "ke_hoach_nam": "150,5"},
            {"ma_chi_tieu": "XH03", "don_vi_tinh": "%", "ke_hoach_nam": "4,5"},
            {"ma_chi_tieu": "NN05", "don_vi_tinh": "nghìn con", "ke_hoach_nam": 95},
        ],
    }
    doc.update(overrides)
    return doc


def month(district: str, period: str, values: dict[str, Any], tasks: list[dict[str, Any]] | None = None,
          ytd: dict[str, Any] | None = None) -> dict[str, Any]:
    """A submission with exactly these month values (catalog units) and optional YTD values."""
    from etl.domain.catalog import load_catalog

    catalog = load_catalog()
    rows = []
    for code, value in values.items():
        row: dict[str, Any] = {"ma_chi_tieu": code, "don_vi_tinh": catalog.indicators[code].unit,
                               "thuc_hien_thang": value}
        if ytd and code in ytd:
            row["luy_ke_nam"] = ytd[code]
        rows.append(row)
    return submission(district=district, period=period, chi_tieu=rows, nhiem_vu=tasks or [])


def task(task_id: str, body: str, status: str, deadline: str | None, done: str | None = None) -> dict[str, Any]:
    """A task row assigned on 02/01/2024 (title = id), with an optional deadline and completion date."""
    row: dict[str, Any] = {"ma_nhiem_vu": task_id, "ten_nhiem_vu": task_id, "co_quan_giao": body,
                           "trang_thai": status, "ngay_giao": "02/01/2024"}
    if deadline:
        row["han_hoan_thanh"] = deadline
    if done:
        row["ngay_hoan_thanh"] = done
    return row


def break_a_suite(tmp_path: Path, monkeypatch: Any) -> None:
    """Make the quality gate's suites unrunnable (an expectation on a column that does not
    exist): GX cannot run them, so the whole batch is quarantined with INTERNAL_ERROR."""
    import shutil

    from etl.paths import EXPECTATIONS_DIR
    from etl.quality import expectations

    broken = tmp_path / "suites"
    shutil.copytree(EXPECTATIONS_DIR, broken)
    spec = json.loads((broken / "task_rows.json").read_text(encoding="utf-8"))
    spec["expectations"][0]["kwargs"]["column"] = "no_such_column"
    (broken / "task_rows.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setattr(expectations, "suites", lambda: expectations.suites.__wrapped__(broken))
