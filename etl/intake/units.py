"""Units: a figure as the district wrote it (don_vi_tinh: tỷ đồng, nghìn con, m²) turned into
the indicator's catalog unit (triệu đồng, con, ha).

The catalog (reference/indicators.yaml) gives every unit a dimension, a factor and its
aliases; Catalog.conversion_factor matches the unit as written and divides the factors.
A unit left out, unknown, or of another dimension (ha for money) is a message, never a guess;
the typed row keeps the factor it was converted with (staging, core.fct_indicator_value)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from etl.domain.catalog import Catalog, Indicator
from etl.intake.rows import IndicatorRow, PlanRow


def factor_to_catalog_unit(catalog: Catalog, indicator: Indicator,
                           written: str | None) -> tuple[Decimal | None, str | None]:
    """The multiplier from the unit as written to the indicator's unit, or the message code
    saying why there is none (UNIT_MISSING, UNIT_NOT_CONVERTIBLE)."""
    if written is None:
        return None, "UNIT_MISSING"
    factor = catalog.conversion_factor(written, indicator.unit)
    if factor is None:
        return None, "UNIT_NOT_CONVERTIBLE"
    return factor, None


def convert(row: IndicatorRow | PlanRow, factor: Decimal, value_columns: Sequence[str]) -> None:
    """Put the row's values, read in the unit as written, in the catalog unit, and record the factor."""
    row.conversion_factor = factor
    for column in value_columns:
        value = getattr(row, column)
        if value is not None:
            setattr(row, column, value * factor)
