"""The quality gate's Great Expectations suites, run once per batch of files.

The structural checks (etl.intake.structure) decide whether each cell can be read; the suites in
expectations/*.json decide whether what was read is allowed (signs, whole numbers,
ranges, required task fields, statuses, date order). All files of a batch go into one
frame per suite and are validated in one run; every unexpected row is mapped back to
its file, sheet, row and column as a Message with the code named in the expectation's
meta. etl.quality.gate runs this layer, then the consistency rules (etl.quality.rules)."""

from __future__ import annotations

import json
import logging
import numbers
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from etl.config import data_dir
from etl.domain.calendar import local_zone
from etl.domain.catalog import Catalog
from etl.domain.contract import KIND_PLAN, KIND_SUBMISSION
from etl.domain.numbers import format_vi
from etl.paths import EXPECTATIONS_DIR
from etl.quality.messages import make_message

if TYPE_CHECKING:
    from etl.quality.gate import GateItem

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------ frames

def _integral(value: Decimal | None) -> bool | None:
    return None if value is None else value == value.to_integral_value()


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


INDICATOR_COLUMNS = ("item", "row_number", "indicator_code", "unit", "kind", "is_integer_unit", "allow_negative",
                     "min_value", "max_value", "month_value", "ytd_value", "month_integral", "ytd_integral",
                     "month_raw", "ytd_raw")
TASK_COLUMNS = ("item", "row_number", "ma_nhiem_vu", "ten_nhiem_vu", "co_quan_giao", "trang_thai", "ngay_giao",
                "han_hoan_thanh", "ngay_hoan_thanh", "received_date", "tien_do")
PLAN_COLUMNS = ("item", "row_number", "indicator_code", "unit", "is_integer_unit", "allow_negative", "target_value",
                "min_value", "max_value", "target_integral", "target_raw")


def indicator_frame(items: list[GateItem], catalog: Catalog) -> pd.DataFrame:
    rows = []
    for i, item in enumerate(items):
        if item.checked.kind != KIND_SUBMISSION:
            continue
        for r in item.checked.indicator_rows:
            code = r.indicator_code
            if code is None or r.conversion_factor is None:
                continue  # unknown code, blank or unconvertible row: already reported
            ind = catalog.indicators[code]
            rows.append((
                i, r.row_number, code, ind.unit, ind.kind, catalog.units[ind.unit].integer, ind.allow_negative,
                # the catalog's range (reference/indicators.yaml), NaN where it sets no bound
                _float(ind.min_value), _float(ind.max_value), _float(r.thuc_hien_thang), _float(r.luy_ke_nam),
                _integral(r.thuc_hien_thang), _integral(r.luy_ke_nam), r.thuc_hien_thang_raw, r.luy_ke_nam_raw,
            ))
    return _frame(rows, INDICATOR_COLUMNS, {"month_value": "float64", "ytd_value": "float64",
                                            "min_value": "float64", "max_value": "float64"})


def task_frame(items: list[GateItem]) -> pd.DataFrame:
    rows = []
    for i, item in enumerate(items):
        if item.checked.kind != KIND_SUBMISSION:
            continue
        received = item.received_at.astimezone(local_zone()).date()
        rows.extend((i, r.row_number, r.ma_nhiem_vu, r.ten_nhiem_vu, r.co_quan_giao, r.trang_thai, r.ngay_giao,
                     r.han_hoan_thanh, r.ngay_hoan_thanh, received, _float(r.tien_do))
                    for r in item.checked.task_rows if r.ma_nhiem_vu is not None)
    # dates stay Python dates until here: one conversion a column, not a Timestamp a cell
    dates = {c: "datetime64[ns]" for c in ("ngay_giao", "han_hoan_thanh", "ngay_hoan_thanh", "received_date")}
    return _frame(rows, TASK_COLUMNS, {**dates, "tien_do": "float64"})


def plan_frame(items: list[GateItem], catalog: Catalog) -> pd.DataFrame:
    rows = []
    for i, item in enumerate(items):
        if item.checked.kind != KIND_PLAN:
            continue
        for r in item.checked.plan_rows:
            code = r.indicator_code
            if code is None or r.conversion_factor is None:
                continue
            ind = catalog.indicators[code]
            rows.append((
                i, r.row_number, code, ind.unit, catalog.units[ind.unit].integer, ind.allow_negative,
                _float(r.ke_hoach_nam), _float(ind.min_value), _float(ind.max_value), _integral(r.ke_hoach_nam),
                r.ke_hoach_nam_raw,
            ))
    return _frame(rows, PLAN_COLUMNS, {"target_value": "float64", "min_value": "float64", "max_value": "float64"})


def _frame(rows: list[tuple[Any, ...]], columns: tuple[str, ...], dtypes: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows, columns=columns)
    if df.empty:
        return df
    return df.astype(dtypes).reset_index(drop=True)


# ------------------------------------------------------------------------------ GX

def _quiet_great_expectations() -> None:
    # GX logs ~200 INFO lines per run; its import resets one child logger, hence twice.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations  # noqa: F401

    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)


def data_docs_dir() -> Path:
    return data_dir() / "data_docs"


@dataclass
class Suites:
    context: Any
    definitions: dict[str, Any]  # suite name -> ValidationDefinition


@cache
def suites(directory: Path = EXPECTATIONS_DIR) -> Suites:
    """The GX context with every suite of expectations/ loaded (once per process)."""
    _quiet_great_expectations()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    ctx.update_data_docs_site("local_site", {
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir())},
    })
    source = ctx.data_sources.add_pandas("submission_batches")
    definitions = {}
    for path in sorted(directory.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        suite = ctx.suites.add(gx.ExpectationSuite(**spec))
        if len(suite.expectations) != len(spec["expectations"]):
            # GX drops expectation types it does not know, silently; a typo must not pass.
            raise ValueError(f"{path}: GX loaded {len(suite.expectations)} of {len(spec['expectations'])} expectations")
        batch = source.add_dataframe_asset(spec["name"]).add_batch_definition_whole_dataframe("batch")
        definitions[spec["name"]] = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=f"{spec['name']}_batch", data=batch, suite=suite))
    return Suites(ctx, definitions)


def build_data_docs() -> Path:
    """Write the Data Docs (suites and every validation of this process) as static HTML."""
    suites().context.build_data_docs(site_names=["local_site"])
    return data_docs_dir() / "index.html"


def _fmt(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return format_vi(value)
    if isinstance(value, numbers.Real):  # numpy scalars included; repr(np.float64) is not a number
        return format_vi(Decimal(repr(float(value))).normalize())
    return str(value)


def validate(items: list[GateItem], catalog: Catalog) -> None:
    """Run every suite once over the batch; append messages to the items."""
    frames = {"indicator_rows": indicator_frame(items, catalog), "task_rows": task_frame(items),
              "plan_rows": plan_frame(items, catalog)}
    gate = suites()
    for name, df in frames.items():
        if df.empty:
            continue
        result = gate.definitions[name].run(batch_parameters={"dataframe": df},
                                            result_format={"result_format": "COMPLETE"})
        for r in result.results:
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(f"expectation {r.expectation_config.type} on {name} failed to run: "
                                   f"{r.exception_info.get('exception_message')}")
            if r.success:
                continue
            meta = r.expectation_config.meta or {}
            for index in r.result.get("unexpected_index_list") or []:
                row = df.iloc[index]
                _report(items[int(row["item"])], row, meta, r.expectation_config.type)


def _report(item: GateItem, row: pd.Series, meta: dict[str, Any], expectation: str) -> None:
    checked = item.checked
    sheet, column = meta["sheet"], meta.get("column")
    value_column = {"luy_ke_nam": "ytd_value", "ke_hoach_nam": "target_value"}.get(column or "", "month_value")
    fields = {"unit": row.get("unit", ""), "value": _fmt(row.get(value_column)),
              "min_value": _fmt(row.get("min_value")), "max_value": _fmt(row.get("max_value"))}
    found = _fmt(row[meta["found"]]) if meta.get("found") else None
    expected = _fmt(row[meta["expected"]]) if meta.get("expected") in row.index else meta.get("expected")
    checked.messages.append(make_message(
        meta["code"], sheet=checked.sheet_names.get(sheet, sheet), row=int(row["row_number"]),
        column=checked.table_columns.get(sheet, {}).get(column, column) if column else None,
        found=found, expected=expected, fmt=checked.fmt,
        detail=meta.get("detail_vi", "").format(**fields), detail_en=meta.get("detail_en", "").format(**fields),
        task=row.get("ma_nhiem_vu", ""), source="expectation", rule_id=expectation,
    ))
