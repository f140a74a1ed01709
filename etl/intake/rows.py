"""Typed rows: what the structural checks make of each row of a file, passed on to the
quality gate and the loader. Names are the contract's; `*_raw` keeps the text as typed.

The fields of each row are the columns of its staging table (staging.stg_indicator_row,
stg_task_row, stg_plan_row, after file_id): etl.warehouse.load copies them by name, and
tests/test_contract.py checks the tables against them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal


@dataclass
class IndicatorRow:
    """A row of sheet chi_tieu. Values are in the catalog unit (converted with conversion_factor);
    indicator_code stays None for an unknown code or a blank template row (not reported)."""

    row_number: int
    ma_chi_tieu: str | None
    ten_chi_tieu: str | None
    don_vi_tinh: str | None
    ghi_chu: str | None
    thuc_hien_thang_raw: str | None = None
    luy_ke_nam_raw: str | None = None
    thuc_hien_thang: Decimal | None = None
    luy_ke_nam: Decimal | None = None
    indicator_code: str | None = None
    conversion_factor: Decimal | None = None


@dataclass
class PlanRow:
    """A row of sheet ke_hoach: an indicator's annual target, in the catalog unit."""

    row_number: int
    ma_chi_tieu: str | None
    don_vi_tinh: str | None
    ke_hoach_nam_raw: str | None = None
    ke_hoach_nam: Decimal | None = None
    indicator_code: str | None = None
    conversion_factor: Decimal | None = None


@dataclass
class TaskRow:
    """A row of sheet nhiem_vu; trang_thai is spelled canonically when recognised."""

    row_number: int
    ma_nhiem_vu: str | None
    ten_nhiem_vu: str | None
    co_quan_giao: str | None
    van_ban_giao: str | None
    ghi_chu: str | None
    ngay_giao: date | None = None
    han_hoan_thanh: date | None = None
    trang_thai: str | None = None
    ngay_hoan_thanh: date | None = None
    tien_do: Decimal | None = None


def field_names(row_type: type[IndicatorRow | PlanRow | TaskRow]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(row_type))
