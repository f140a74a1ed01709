"""The indicator catalog (danh mục chỉ tiêu), read from reference/indicators.yaml."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

import yaml

from etl.domain.contract import DIRECTIONS, FLOW, INDICATOR_KINDS, OPENING, RATE, REPORTING_LEVELS, STOCK
from etl.domain.text import fold_key
from etl.paths import REFERENCE_DIR

CATALOG_PATH = REFERENCE_DIR / "indicators.yaml"

# DHIS2 aggregation types for each kind, for analysts who know that vocabulary.
AGGREGATION_TYPE = {FLOW: "SUM", STOCK: "LAST", OPENING: "FIRST", RATE: "RECOMPUTE"}


@dataclass(frozen=True)
class Unit:
    name: str
    dimension: str
    factor: Decimal
    integer: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    name_en: str
    unit: str
    kind: str
    direction: str
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    scale: Decimal = Decimal(1)
    rule: str | None = None
    allow_negative: bool = False
    max_month_change_pct: Decimal | None = None
    extension: bool = False
    # The levels whose units report it (contract.REPORTING_LEVELS): a district's count of new-rural
    # communes means nothing for a commune, which is recognised or not.
    reported_by: tuple[str, ...] = REPORTING_LEVELS
    # The values the definition allows (`range: [0, 100]` for a share that cannot exceed the
    # whole); None: no bound beyond the sign. A coverage rate may pass 100 % (more cards than
    # residents): its rules say what that means, not a blanket 0-100.
    min_value: Decimal | None = None
    max_value: Decimal | None = None

    @property
    def aggregation_type(self) -> str:
        return AGGREGATION_TYPE[self.kind]


@dataclass(frozen=True)
class Catalog:
    version: int
    units: dict[str, Unit]
    indicators: dict[str, Indicator]
    _unit_keys: dict[str, str] = field(default_factory=dict, repr=False)

    def unit(self, name: str) -> Unit | None:
        """The unit written as `name` (case, spacing, NFC/NFD and aliases ignored)."""
        canonical = self._unit_keys.get(unit_key(name))
        return self.units[canonical] if canonical else None

    def conversion_factor(self, from_unit: str, to_unit: str) -> Decimal | None:
        """Multiply a value in `from_unit` by this to get `to_unit`; None if not convertible."""
        src, dst = self.unit(from_unit), self.unit(to_unit)
        if src is None or dst is None or src.dimension != dst.dimension:
            return None
        return src.factor / dst.factor


def unit_key(name: str) -> str:
    # Units keep their diacritics ("tấn" and "tân" must not merge), so fold only case,
    # Unicode form and spacing. "m2" is handled by aliases.
    return _unit_key(name if isinstance(name, str) else str(name))


@lru_cache(maxsize=1 << 12)  # three look-ups a value row, over a few dozen spellings of units
def _unit_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).lower().split())


def _decimal(value: object) -> Decimal:
    return Decimal(str(value))


def _range(path: Path, spec: dict[str, object]) -> dict[str, Decimal | None]:
    bounds = spec.get("range")
    if bounds is None:
        return {}
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise ValueError(f"{path}: {spec['code']} range must be [min, max] (null for no bound)")
    low, high = (None if b is None else _decimal(b) for b in bounds)
    if low is not None and high is not None and low > high:
        raise ValueError(f"{path}: {spec['code']} range {bounds} has its minimum above its maximum")
    return {"min_value": low, "max_value": high}


@cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    units: dict[str, Unit] = {}
    keys: dict[str, str] = {}
    for name, spec in data["units"].items():
        unit = Unit(
            name=name,
            dimension=spec["dimension"],
            factor=_decimal(spec["factor"]),
            integer=bool(spec.get("integer", False)),
            aliases=tuple(spec.get("aliases", ())),
        )
        units[name] = unit
        for alias in (name, *unit.aliases):
            keys[unit_key(alias)] = name
    indicators: dict[str, Indicator] = {}
    for spec in data["indicators"]:
        ind = Indicator(
            code=spec["code"],
            name=spec["name"],
            name_en=spec["name_en"],
            unit=spec["unit"],
            kind=spec["kind"],
            direction=spec.get("direction", "none"),
            numerator=tuple(spec.get("numerator", ())),
            denominator=tuple(spec.get("denominator", ())),
            scale=_decimal(spec.get("scale", 1)),
            rule=spec.get("rule"),
            allow_negative=bool(spec.get("allow_negative", False)),
            max_month_change_pct=(
                _decimal(spec["max_month_change_pct"]) if "max_month_change_pct" in spec else None
            ),
            extension=bool(spec.get("extension", False)),
            reported_by=tuple(spec.get("reported_by", REPORTING_LEVELS)),
            **_range(path, spec),
        )
        if not set(ind.reported_by) <= set(REPORTING_LEVELS):
            raise ValueError(f"{path}: {ind.code} reported_by must be among {REPORTING_LEVELS}")
        if ind.kind not in INDICATOR_KINDS:
            raise ValueError(f"{path}: {ind.code} has unknown kind {ind.kind!r}")
        if ind.direction not in DIRECTIONS:
            raise ValueError(f"{path}: {ind.code} has unknown direction {ind.direction!r}")
        if ind.unit not in units:
            raise ValueError(f"{path}: {ind.code} has unit {ind.unit!r} missing from `units`")
        if ind.code in indicators:
            raise ValueError(f"{path}: {ind.code} is listed twice")
        if ind.kind == RATE and not (ind.numerator and ind.denominator):
            raise ValueError(f"{path}: rate {ind.code} needs numerator and denominator")
        indicators[ind.code] = ind
    for ind in indicators.values():
        for comp in (*ind.numerator, *ind.denominator):
            if comp not in indicators:
                raise ValueError(f"{path}: {ind.code} refers to unknown indicator {comp}")
    return Catalog(version=int(data["version"]), units=units, indicators=indicators, _unit_keys=keys)


def indicator_code_key(code: object) -> str:
    """Codes are matched ignoring case and surrounding spaces ("kt01 " is KT01)."""
    return fold_key(str(code)).upper()
