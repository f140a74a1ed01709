"""Deterministic generator of realistic district submissions (báo cáo tháng) and annual plans.

Used by the tests, the demo and the benchmarks. Everything derives from a seeded
`random.Random` keyed by (seed, district, year, component), so the same arguments always give
the same output, and one year can be generated without generating the years before it while
staying continuous with them (December's stocks and pending dossiers of year Y-1 are exactly
what January of year Y starts from).

Magnitudes come from the five seed reports, as inventoried in /work/shared/research/
(cited below as "<report> r<row>", the row number in <report>_indicators.csv or _tasks.csv):
000 = Yên Thế 2021, 001 = Tam Dương 6M-2021, 002 = Tân Yên 2023, 003 = Yên Thế 2023,
004 = Chư Pưh 2020. A profile of size 1.0 is a rural district like Yên Thế (19 communes,
~30.6k households, ~103k people).

Output is the JSON shape of contract 1.2 (submissions) and 1.3 (plans); `etl.demo.writers` turns
it into files. Variety switches (`as_text`, `with_units_variant`, `only_ytd`) and error
injections (`inject_*`) return modified copies and never touch their input.
"""

from __future__ import annotations

import argparse
import copy
import math
import random
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from etl.domain.catalog import Catalog, load_catalog
from etl.domain.contract import FLOW, RATE, reporting_level

Submission = dict[str, Any]
Plan = dict[str, Any]

BASE_YEAR = 2023  # the research figures are 2020-2023; levels are set for 2023 and trended
# Decree 09/2019/NĐ-CP: month m covers 15/(m-1) .. 14/m, so the period of a monthly report ends
# on the 14th. Task completion dates never go past it, which also keeps them inside the
# calendar month whichever definition the warehouse uses.
PERIOD_END_DAY = 14

ASSIGNING_BODIES = ("UBND tỉnh", "Chủ tịch UBND tỉnh", "HĐND huyện", "Huyện ủy", "UBND huyện")
STATUS_NOT_STARTED, STATUS_DOING, STATUS_DONE = "Chưa thực hiện", "Đang thực hiện", "Hoàn thành"

# Decimal places written for the non-count catalog units ("money with at most 1-2 decimals").
# Values are kept as integers in these scaled units so month sums and YTD are exact.
_DECIMALS = {"tỷ đồng": 2, "triệu đồng": 1, "ha": 2, "tấn": 1}


def period_end(year: int, month: int) -> date:
    """Last day of the data window of the monthly report for `year`-`month`."""
    return date(year, month, PERIOD_END_DAY)


# --------------------------------------------------------------------------------------------
# Magnitudes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FlowSpec:
    annual: float  # size-1.0 district, BASE_YEAR, catalog unit
    growth: float  # factor per year
    season: tuple[float, ...]  # relative weight of each month (Jan..Dec)
    noise: float  # month-to-month multiplicative noise (sd)
    size_exp: float = 1.0  # paperwork grows slower than the district
    spread: float = 0.25  # between-district lognormal sd


_FLAT = (8.0, 6.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 9.0, 9.0, 11.0)  # Tết dip in Feb, year-end rush

# Flows generated independently (KT*, HC03, TT*, KN02, XH08 are derived, see _simulate_year).
_FLOWS: dict[str, _FlowSpec] = {
    # Budget revenue 266,8 tỷ (000 r55), 277.268 triệu (003 r32); land-use fees make it lumpy.
    "NS01": _FlowSpec(270_000, 1.05, (7, 6, 8, 8, 8, 8, 8, 8, 8, 9, 10, 12), 0.20, spread=0.40),
    # Local expenditure 1.107.750 triệu (003 r34); 487.658 in 6 months (001 r25). Year-end settlement.
    "NS02": _FlowSpec(1_000_000, 1.08, (6, 7, 7, 7, 7, 8, 7, 7, 8, 8, 10, 18), 0.10, spread=0.35),
    # Public investment: district plan 300.901 triệu, 40.124 disbursed by May (001 r21); back-loaded.
    "DT01": _FlowSpec(250_000, 1.06, (2, 3, 5, 6, 7, 8, 8, 9, 10, 11, 13, 18), 0.15, spread=0.45),
    # Sown area 11.427,4 ha (000 r37), 32.556 ha (004 r10); spring, summer and winter crops.
    "NN01": _FlowSpec(12_000, 1.00, (8, 25, 17, 3, 2, 10, 17, 4, 6, 5, 2, 1), 0.10, spread=0.45),
    # Cereal output 40.342 tấn (000 r38); two harvests (May-Jun, Sep-Oct).
    "NN02": _FlowSpec(40_000, 1.01, (1, 1, 1, 3, 20, 25, 3, 2, 12, 22, 8, 2), 0.10, spread=0.45),
    # New forest 1.720 ha (000 r48), 1.475 ha (003 r44); many lowland districts plant little.
    "NN07": _FlowSpec(500, 1.00, (3, 15, 25, 15, 5, 4, 10, 12, 6, 2, 2, 1), 0.25, spread=0.90),
    # New enterprises 42 (004 r18).
    "DN01": _FlowSpec(45, 1.05, (6, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 10), 0.0, spread=0.50),
    # New jobs 2.737 (000 r69).
    "XH04": _FlowSpec(2_700, 1.02, (5, 4, 8, 9, 9, 9, 9, 9, 9, 9, 9, 11), 0.12),
    # Incoming documents 5.245 in 6 months (001 r9).
    "HC01": _FlowSpec(11_000, 1.02, _FLAT, 0.08, size_exp=0.5),
    # Documents issued 15.679 (000 r3), "trên 10.120" (002 r18), 3.194 in 6 months (001 r2-8).
    "HC02": _FlowSpec(10_000, 1.02, _FLAT, 0.08, size_exp=0.5, spread=0.30),
    # New dossiers 10.070/year (004 r58), 3.590 at the district desk alone (000 r118).
    "TT02": _FlowSpec(14_400, 1.04, (9, 6, 9, 9, 8, 8, 8, 8, 8, 9, 9, 9), 0.08, spread=0.35),
    # Petitions received 58 (003 r241), 36 (000 r182), 72 in 6 months (001 r47).
    "KN01": _FlowSpec(60, 1.00, (7, 5, 9, 9, 9, 9, 9, 9, 9, 9, 8, 8), 0.0, size_exp=0.5, spread=0.40),
    # Citizen receptions 82 (003 r238), 51 in 6 months (001 r46).
    "KN03": _FlowSpec(90, 1.00, (7, 5, 9, 9, 9, 9, 9, 9, 9, 9, 8, 8), 0.0, size_exp=0.5, spread=0.30),
    # Enlisted 195 (001 r27); the call-up ceremony is in February.
    "QP01": _FlowSpec(200, 1.00, (0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0.0, spread=0.20),
}

# Gross output at 2010 prices, total 7.124,8 tỷ (003 r21) and 3.619,61 tỷ (004 r2); shares
# agriculture 43,61/44,96/42,6 %, industry 33,54/30,89/30,4 % (003 r29-31, 004 r6-8, 000 r34-36);
# growth 4,96/15,57/8,89 % (003 r26-28).
_KT_TOTAL = 5_000.0
_KT_SECTORS = {
    "KT02": (1.04, (6, 5, 7, 8, 10, 11, 7, 7, 8, 11, 11, 9)),
    "KT03": (1.12, (6, 5, 8, 8, 8, 8, 8, 8, 9, 9, 10, 13)),
    "KT04": (1.09, (10, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 11)),
}


@dataclass(frozen=True)
class _StockSpec:
    level: float  # December level, size-1.0 district, BASE_YEAR
    growth: float  # factor per year
    season: tuple[float, ...]  # multiplier per month, December = 1 so years join up
    wobble: float  # monthly random-walk sd (bridged to the December anchors)
    spread: float


_STOCKS: dict[str, _StockSpec] = {
    # Buffalo 1.650 (001 r15), slowly declining.
    "NN03": _StockSpec(1_650, 0.97, (1,) * 12, 0.006, 0.70),
    # Cattle 13.450 (001 r16); "gia súc lớn 10.000" (000 r43).
    "NN04": _StockSpec(13_450, 1.00, (1,) * 12, 0.006, 0.60),
    # Pigs 92.000 (001 r17), 70.000 (000 r44); slaughter before Tết.
    "NN05": _StockSpec(80_000, 1.02, (0.99, 0.965, 0.975, 0.985, 0.99, 1, 1, 1, 1, 1, 1.005, 1), 0.010, 0.50),
    # Poultry 3.865.000 (001 r18), 3,9 triệu (000 r41), 70.650 (004 r13): very uneven.
    "NN06": _StockSpec(900_000, 1.03, (1.01, 0.95, 0.96, 0.98, 0.99, 1, 1.01, 1.02, 1.02, 1.02, 1.03, 1), 0.012, 0.90),
}

# Households 30.630 and people 103.169 (003 r8-9).
_HOUSEHOLDS = 30_600
_POPULATION_PER_HOUSEHOLD = 3.37
# Poverty rate 2,83 % (003 r196), 2,45 % (000 r72); mountain districts are much higher.
_POVERTY_RATE = 0.028
# BHYT coverage 99 % (000 r74); 104.538 cards for 103.169 people (003 r189) is a seed error
# the generator does not reproduce (it keeps XH05 <= XH06).
# Schools: 42 public schools in 13 communes (001 r29), 59 standard schools in 19 (003 r84).
_SCHOOLS_PER_COMMUNE = 3.1
# OCOP: 33 products by 2023 (003 r43), 6 new in 2023 (003 r41); the programme began in 2019.
_OCOP_PER_YEAR = 5.0
# Dossier mix 4.442 early / 5.476 on time / 79 late of 9.988 (004 r63-65), 49 late of 3.561
# (000 r121); 73 pending at year end for ~840 a month (004 r66), 29 for ~300 (000 r122);
# online 276 of 10.070 in 2020 (004 r59), 77,73 % in 2023 (003 r226).
# Petitions resolved 50 of 50 (003 r250), 25 of 26 (000 r179).


def _weights(season: Sequence[float]) -> list[float]:
    total = float(sum(season))
    return [w / total for w in season]


# --------------------------------------------------------------------------------------------
# Profile
# --------------------------------------------------------------------------------------------

_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Ngô", "Đặng", "Dương", "Hà")
_GIVEN = (
    "Thị Hương",
    "Văn Minh",
    "Thị Thu Hà",
    "Quang Huy",
    "Thị Lan",
    "Đức Thắng",
    "Thị Mai",
    "Văn Hùng",
    "Thị Ngọc Ánh",
    "Minh Tuấn",
    "Thị Hồng",
    "Văn Sơn",
    "Thị Thanh Huyền",
    "Hữu Nghĩa",
)
_MINORITY_NAMES = ("Siu H'Nga", "Rơ Châm Vinh", "Ksor H'Bia", "Lò Văn Pưởng", "Hoàng Thị Slay")


@dataclass(frozen=True)
class DistrictProfile:
    """What stays fixed about a district: its size and baseline levels (BASE_YEAR, catalog units).

    `levels` holds annual totals for flows and December levels for stocks. The `*_share`,
    `*_rate` and `*_frac` fields drive the derived indicators.
    """

    district_code: str
    commune_count: int
    seed: int
    size: float
    levels: Mapping[str, float]
    kt_shares: tuple[float, float, float]  # agriculture, industry-construction, services
    decision_share: float  # HC03 / HC02
    online_cap: float  # long-run share of dossiers filed online
    early_share: float  # TT04 / resolved
    late_share: float  # TT06 / resolved
    pending_frac: float  # TT07 / TT02 of the month
    petition_resolve: float  # KN02 / (backlog + KN01)
    poverty_rate: float  # XH01 / XH02 in BASE_YEAR
    poverty_decay: float  # factor per year
    bhyt_coverage: float  # XH05 / XH06 in BASE_YEAR
    persons_per_household: float
    schools_total: int
    school_std_share: float  # GD01 / schools_total in BASE_YEAR
    ntm_share: float  # NN08 / communes in BASE_YEAR
    ntm_speed: float  # share of communes recognised per year
    ocop_per_year: float
    preparer: str

    @property
    def email(self) -> str:
        return f"vanphong.{self.district_code}@example.gov.vn"


def unit_key(code: str) -> str:
    """The thong_tin key a unit's file names it by: ma_huyen for a district (as clerks know it),
    ma_don_vi for a commune (contract v2)."""
    return "ma_don_vi" if reporting_level(code) == "commune" else "ma_huyen"


def make_profile(district_code: str, commune_count: int, seed: int, *, smallest: float = 0.25) -> DistrictProfile:
    """A reporting unit's size and baselines, drawn deterministically from (seed, district_code).
    A district's commune_count is its communes; a 2025 commune's is the legacy communes merged into
    it (about 3), so it is a fraction of a district (`smallest` lowered for it)."""
    if commune_count < 1:
        raise ValueError("commune_count must be positive")
    rng = random.Random(f"{seed}|{district_code}|profile")
    # A 19-commune district like Yên Thế is size 1; communes explain most of the size.
    size = max(smallest, min(5.0, commune_count / 19 * math.exp(rng.gauss(0, 0.25))))
    # A flow grows less than in proportion to a district's size (size_exp); a commune's is its share
    # of a district's, in proportion, so a territory's communes sum to about what its districts did.
    commune = reporting_level(district_code) == "commune"
    levels: dict[str, float] = {}
    for code, spec in _FLOWS.items():
        levels[code] = spec.annual * (size if commune else size**spec.size_exp) * math.exp(rng.gauss(0, spec.spread))
    for code, stock in _STOCKS.items():
        levels[code] = stock.level * size * math.exp(rng.gauss(0, stock.spread))
    levels["KT"] = _KT_TOTAL * size * math.exp(rng.gauss(0, 0.35))
    levels["XH02"] = _HOUSEHOLDS * size * math.exp(rng.gauss(0, 0.10))
    agri = rng.uniform(0.25, 0.55)
    industry = rng.uniform(0.25, min(0.45, 0.9 - agri))
    mountain = rng.random() < 0.3  # poorer, bigger households, minority-language names
    preparer = (
        rng.choice(_MINORITY_NAMES)
        if mountain and rng.random() < 0.5
        else f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)}"
    )
    return DistrictProfile(
        district_code=district_code,
        commune_count=commune_count,
        seed=seed,
        size=size,
        levels=levels,
        kt_shares=(agri, industry, 1.0 - agri - industry),
        decision_share=rng.uniform(0.35, 0.72),
        online_cap=rng.uniform(0.70, 0.95),
        early_share=rng.uniform(0.35, 0.55),
        late_share=rng.uniform(0.003, 0.02),
        pending_frac=rng.uniform(0.05, 0.12),
        petition_resolve=rng.uniform(0.80, 0.97),
        poverty_rate=_POVERTY_RATE * math.exp(rng.gauss(0.9 if mountain else 0.0, 0.45)),
        poverty_decay=rng.uniform(0.86, 0.93),
        bhyt_coverage=rng.uniform(0.90, 0.985),
        persons_per_household=(_POPULATION_PER_HOUSEHOLD + (0.8 if mountain else 0.0)) * rng.uniform(0.95, 1.08),
        schools_total=max(4, round(commune_count * _SCHOOLS_PER_COMMUNE * rng.uniform(0.85, 1.15))),
        school_std_share=rng.uniform(0.80, 0.98),
        ntm_share=rng.uniform(0.25, 0.95),
        ntm_speed=rng.uniform(0.03, 0.10),
        ocop_per_year=_OCOP_PER_YEAR * size**0.5 * rng.uniform(0.4, 1.4),
        preparer=preparer,
    )


def national_profiles(n_districts: int = 705, seed: int = 1) -> list[DistrictProfile]:
    """Profiles for a synthetic country (codes "001".."n"), e.g. for the national benchmark."""
    rng = random.Random(f"{seed}|national")
    return [make_profile(f"{i:03d}", rng.randint(8, 30), seed) for i in range(1, n_districts + 1)]


# --------------------------------------------------------------------------------------------
# Indicator simulation
# --------------------------------------------------------------------------------------------


def _rng(profile: DistrictProfile, *parts: object) -> random.Random:
    # String seeds are hashed with SHA-512 by `random`, so this is stable across processes.
    return random.Random("|".join(str(p) for p in (profile.seed, profile.district_code, *parts)))


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:  # normal approximation is plenty for counts this large
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _scale(unit: str) -> int:
    return 10 ** _DECIMALS.get(unit, 0)


def _trend(growth: float, year: int) -> float:
    return growth ** (year - BASE_YEAR)


def _flow_series(profile: DistrictProfile, code: str, year: int, scale: int) -> list[int]:
    spec = _FLOWS[code]
    rng = _rng(profile, code, year)
    annual = profile.levels[code] * _trend(spec.growth, year) * math.exp(rng.gauss(0, 0.04))
    out = []
    for w in _weights(spec.season):
        expected = annual * w
        if code == "QP01":  # the enlistment quota is met exactly, in one ceremony
            out.append(round(expected))
        elif spec.noise == 0.0:  # small counts: Poisson noise is the realistic kind
            out.append(_poisson(rng, expected))
        else:
            out.append(max(0, round(expected * math.exp(rng.gauss(0, spec.noise)) * scale)))
    if code == "NS01":  # land-use fee auctions land in one or two months (000 r56: 155 tỷ of 266,8)
        for _ in range(rng.randint(1, 2)):
            out[rng.randint(3, 11)] += round(annual * rng.uniform(0.05, 0.15) * scale)
    return out


def _stock_anchor(profile: DistrictProfile, code: str, year: int) -> float:
    """December level of `year`: continuity across years hangs on these anchors."""
    spec = _STOCKS[code]
    rng = _rng(profile, code, "anchor", year)
    return profile.levels[code] * _trend(spec.growth, year) * math.exp(rng.gauss(0, 0.02))


def _bridge(rng: random.Random, sd: float) -> list[float]:
    """Random walk over 12 months pinned to 0 at both ends (so years join up smoothly)."""
    walk, total = [], 0.0
    for _ in range(12):
        total += rng.gauss(0, sd)
        walk.append(total)
    return [walk[m] - walk[11] * (m + 1) / 12 for m in range(12)]


def _stock_series(profile: DistrictProfile, code: str, year: int) -> list[int]:
    spec = _STOCKS[code]
    start, end = _stock_anchor(profile, code, year - 1), _stock_anchor(profile, code, year)
    bridge = _bridge(_rng(profile, code, "path", year), spec.wobble)
    return [round((start + (end - start) * (m + 1) / 12) * spec.season[m] * (1 + bridge[m])) for m in range(12)]


def _households(profile: DistrictProfile, year: int, month: int) -> int:
    # Smooth 1,2 %/year growth; a deterministic function of time, so Dec -> Jan joins up.
    t = year - BASE_YEAR + month / 12 - 1
    return round(profile.levels["XH02"] * 1.012**t)


def _population(profile: DistrictProfile, year: int, month: int) -> int:
    t = year - BASE_YEAR + month / 12 - 1
    return round(profile.levels["XH02"] * profile.persons_per_household * 1.009**t)


def _poor_anchor(profile: DistrictProfile, year: int) -> int:
    rate = min(0.35, profile.poverty_rate) * profile.poverty_decay ** (year - BASE_YEAR)
    return round(_households(profile, year, 12) * rate)


def _coverage(profile: DistrictProfile, year: int) -> float:
    rng = _rng(profile, "bhyt", year)
    return min(0.995, profile.bhyt_coverage * 1.004 ** (year - BASE_YEAR) * (1 + rng.uniform(-0.01, 0.01)))


def _count_within(value: float, cap: int) -> int:
    return max(0, min(cap, math.floor(value)))


def _steps_within_year(
    profile: DistrictProfile, code: str, year: int, start: int, end: int, months: Sequence[int]
) -> list[int]:
    """A cumulative count that rises from `start` (Dec of last year) to `end` (Dec) in a few
    recognition decisions, e.g. NTM communes recognised in Q4 (000 r58, 003 r38)."""
    rng = _rng(profile, code, "steps", year)
    increments = [0] * 12
    for _ in range(max(0, end - start)):
        increments[rng.choice(months) - 1] += 1
    out, level = [], start
    for m in range(12):
        level += increments[m]
        out.append(level)
    out[11] = end
    return out


def _ntm_anchor(profile: DistrictProfile, year: int) -> int:
    share = profile.ntm_share + profile.ntm_speed * (year - BASE_YEAR)
    return _count_within(profile.commune_count * share, profile.commune_count)


def _school_anchor(profile: DistrictProfile, year: int) -> int:
    share = profile.school_std_share + 0.02 * (year - BASE_YEAR)
    return _count_within(profile.schools_total * share, profile.schools_total)


def _ocop_anchor(profile: DistrictProfile, year: int) -> int:
    return max(0, math.floor(profile.ocop_per_year * (year - 2018.5)))


def _pending_anchor(profile: DistrictProfile, year: int) -> int:
    """Dossiers pending on 14 December of `year` (TT07 of December = TT01 of next January)."""
    rng = _rng(profile, "TT07", "anchor", year)
    monthly = profile.levels["TT02"] / 12 * _trend(_FLOWS["TT02"].growth, year)
    return round(monthly * profile.pending_frac * rng.uniform(0.8, 1.2))


def _online_share(profile: DistrictProfile, year: int) -> float:
    # 2,7 % online in 2020 (004 r59) -> ~75 % in 2023 (003 r226): a logistic take-off.
    return profile.online_cap / (1 + math.exp(-(year - 2021.5) * 1.6))


@dataclass(frozen=True)
class _YearValues:
    """Month values (scaled ints, index 0 = January) of every indicator for one year."""

    values: dict[str, list[int]]
    scales: dict[str, int]


def _simulate_year(profile: DistrictProfile, year: int, catalog: Catalog) -> _YearValues:
    units = {code: ind.unit for code, ind in catalog.indicators.items()}
    scales = {code: _scale(unit) for code, unit in units.items()}
    v: dict[str, list[int]] = {}

    # Gross output: sectors in cents of tỷ đồng, total = exact sum (KT01 = KT02 + KT03 + KT04).
    rng = _rng(profile, "KT", year)
    for (code, (growth, season)), share in zip(_KT_SECTORS.items(), profile.kt_shares, strict=True):
        annual = profile.levels["KT"] * share * _trend(growth, year) * math.exp(rng.gauss(0, 0.03))
        v[code] = [round(annual * w * math.exp(rng.gauss(0, 0.05)) * 100) for w in _weights(season)]
    v["KT01"] = [a + b + c for a, b, c in zip(v["KT02"], v["KT03"], v["KT04"], strict=True)]

    for code in _FLOWS:
        v[code] = _flow_series(profile, code, year, scales[code])

    # Decisions are a share of documents issued (HC03 <= HC02).
    rng = _rng(profile, "HC03", year)
    v["HC03"] = [min(n, round(n * profile.decision_share * rng.uniform(0.9, 1.1))) for n in v["HC02"]]

    # Dossiers: carried over + received = early + on time + late + pending, month by month.
    rng = _rng(profile, "TT", year)
    online = _online_share(profile, year)
    opening = _pending_anchor(profile, year - 1)
    tt: dict[str, list[int]] = {c: [] for c in ("TT01", "TT03", "TT04", "TT05", "TT06", "TT07")}
    for m, received in enumerate(v["TT02"]):
        if m == 11:
            # December must end on the anchor that next January opens with; in the (very
            # unlikely) case the month cannot cover it, receive a few more dossiers.
            pending = _pending_anchor(profile, year)
            received = v["TT02"][11] = max(received, pending - opening)
        else:
            pending = min(opening + received, round(received * profile.pending_frac * rng.uniform(0.7, 1.3)))
        resolved = opening + received - pending
        late = min(resolved, round(resolved * profile.late_share * rng.uniform(0.5, 1.5)))
        early = min(resolved - late, round(resolved * profile.early_share * rng.uniform(0.9, 1.1)))
        tt["TT01"].append(opening)
        tt["TT03"].append(min(received, round(received * online * rng.uniform(0.93, 1.07))))
        tt["TT04"].append(early)
        tt["TT05"].append(resolved - late - early)
        tt["TT06"].append(late)
        tt["TT07"].append(pending)
        opening = pending
    v.update(tt)

    # Petitions resolved out of a small backlog plus those received.
    rng = _rng(profile, "KN02", year)
    backlog, resolved_list = rng.randint(0, 3), []
    for received in v["KN01"]:
        open_ = backlog + received
        done = min(open_, round(open_ * profile.petition_resolve * rng.uniform(0.85, 1.1)))
        resolved_list.append(done)
        backlog = open_ - done
    v["KN02"] = resolved_list

    for code in _STOCKS:
        v[code] = _stock_series(profile, code, year)

    v["XH02"] = [_households(profile, year, m) for m in range(1, 13)]
    v["XH06"] = [_population(profile, year, m) for m in range(1, 13)]

    # BHYT cards follow coverage, which moves from last December's to this December's value.
    c0, c1 = _coverage(profile, year - 1), _coverage(profile, year)
    v["XH05"] = [min(pop, round(pop * (c0 + (c1 - c0) * (m + 1) / 12))) for m, pop in enumerate(v["XH06"])]

    # Poor households: a trickle leaves poverty during the year, the annual review in
    # December does the rest; XH08 (left poverty) is exactly the decrease plus newly poor.
    rng = _rng(profile, "XH01", year)
    start, end = _poor_anchor(profile, year - 1), _poor_anchor(profile, year)
    level, poor, left = start, [], []
    for _ in range(11):
        out = min(level, _poisson(rng, start * 0.004))
        level -= out
        poor.append(level)
        left.append(out)
    newly_poor = _poisson(rng, max(0.0, start * 0.03))
    left.append(max(0, level + newly_poor - end))
    poor.append(end)
    v["XH01"], v["XH08"] = poor, left
    v["XH01"] = [min(p, h) for p, h in zip(v["XH01"], v["XH02"], strict=True)]

    v["NN08"] = _steps_within_year(
        profile, "NN08", year, _ntm_anchor(profile, year - 1), _ntm_anchor(profile, year), (9, 10, 11, 12)
    )
    v["GD01"] = _steps_within_year(
        profile, "GD01", year, _school_anchor(profile, year - 1), _school_anchor(profile, year), (3, 5, 8, 11, 12)
    )
    v["NN09"] = _steps_within_year(
        profile, "NN09", year, _ocop_anchor(profile, year - 1), _ocop_anchor(profile, year), (6, 7, 11, 12)
    )

    # Indicators added to the catalog after this generator was written get plain filler
    # values, so the demo keeps running; tests insist the list stays empty.
    for code in unmodelled_indicators(catalog):
        rng = _rng(profile, code, "filler", year)
        if catalog.indicators[code].kind == FLOW:
            v[code] = [_poisson(rng, 10 * profile.size) * scales[code] for _ in range(12)]
        else:  # a constant level joins up across years by construction
            v[code] = [round(100 * profile.size) * scales[code]] * 12
    return _YearValues(values=v, scales=scales)


_MODELLED = frozenset(
    {*_FLOWS, *_STOCKS, *_KT_SECTORS, "KT01", "HC03", "TT01", "TT03", "TT04", "TT05", "TT06", "TT07", "KN02"}
    | {"XH01", "XH02", "XH05", "XH06", "XH08", "NN08", "GD01", "NN09"}
)


def unmodelled_indicators(catalog: Catalog | None = None) -> list[str]:
    """Non-rate catalog codes this generator has no specific model for (filled generically)."""
    catalog = catalog or load_catalog()
    return [c for c, ind in catalog.indicators.items() if ind.kind != RATE and c not in _MODELLED]


def _number(scaled: int, scale: int) -> int | float:
    # n / 10**d is the closest double to the decimal, and repr() prints it back exactly.
    return scaled if scale == 1 else scaled / scale


# --------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------

# Titles adapted from the research task inventories. "{y}" is the assignment year.
_TITLES: dict[str, tuple[str, ...]] = {
    "UBND tỉnh": (
        "Hoàn thành bồi thường, giải phóng mặt bằng dự án đường tỉnh trên địa bàn",  # 000 r71
        "Tổ chức đấu giá thành công quyền sử dụng đất theo kế hoạch năm {y}",  # 000 r86
        "Hoàn thành khu xử lý rác thải tập trung của huyện",  # 000 r88
        "Xử lý dứt điểm vi phạm đất đai theo Chỉ thị 19-CT/TU",  # 003 r18
        "Quản lý, sử dụng quỹ đất nông nghiệp công ích do UBND cấp xã quản lý",  # 002 r71
        "Xử lý vi phạm pháp luật về đê điều và phòng, chống thiên tai",  # 002 r64
        "Triển khai thực hiện kế hoạch sử dụng đất năm {y}",  # 003 r47
        "Giải ngân kế hoạch vốn đầu tư công năm {y}",  # 002 r45
        "Điều tra, rà soát hộ nghèo, hộ cận nghèo năm {y}",  # 003 r29
        "Rà soát, xây dựng phương án sắp xếp đơn vị hành chính cấp xã",  # 002 r101
        "Tổ chức diễn tập khu vực phòng thủ huyện năm {y}",  # 000 r68
        "Lập và trình phê duyệt quy hoạch vùng huyện",  # 003 r15
        "Quyết toán dự án đầu tư công hoàn thành",  # 001 r37
        "Xây dựng đề án vị trí việc làm và cơ cấu ngạch công chức",  # 000 r42
    ),
    "Chủ tịch UBND tỉnh": (
        "Thu ngân sách nhà nước vượt dự toán UBND tỉnh giao năm {y}",  # 000 r69
        "Hoàn thành xây dựng thêm 01 xã đạt chuẩn nông thôn mới",  # 000 r70
        "Giải quyết dứt điểm đơn thư khiếu nại, tố cáo tồn đọng, không để phát sinh điểm nóng",  # 000 r76
        "Hoàn thành xây dựng trường học đạt chuẩn quốc gia theo kế hoạch",  # 000 r85
        "Thu tiền sử dụng đất theo kế hoạch năm {y}",  # 000 r87
        "Nhân rộng mô hình sản xuất giống gà ứng dụng công nghệ cao",  # 000 r90
        "Quản lý, sử dụng biên chế hiệu quả, hợp lý",  # 000 r82
        "Thực hiện tốt, đồng bộ công tác cải cách hành chính",  # 000 r83
        "Thực hiện tốt Quy chế dân chủ trong cơ quan, đơn vị, địa phương",  # 000 r84
        "Đẩy nhanh tiến độ giải phóng mặt bằng các dự án trọng điểm của tỉnh",  # 002 r69
    ),
    "HĐND huyện": (
        "Triển khai Nghị quyết HĐND huyện về phát triển kinh tế - xã hội và dự toán NSNN năm {y}",  # 001 r43
        "Quyết định phân bổ dự toán ngân sách nhà nước năm {y}",  # 002 r37
        "Giải quyết ý kiến, kiến nghị của cử tri sau kỳ họp HĐND huyện",  # 002 r116
        "Chuẩn bị nội dung kỳ họp HĐND huyện giữa năm {y}",  # 001 r17
        "Báo cáo kết quả công tác chỉ đạo, điều hành năm {y} trình kỳ họp HĐND huyện",  # 000 r2
        "Điều chỉnh kế hoạch đầu tư công trung hạn 2021-2025, kế hoạch đầu tư công năm {y}",  # 002 r48
        "Công khai dự toán, quyết toán ngân sách đối với đơn vị dự toán",  # 002 r47
    ),
    "Huyện ủy": (
        "Thực hiện Nghị quyết 19-NQ/HU về phổ biến, giáo dục pháp luật giai đoạn 2021-2025",  # 002 r92
        "Xây dựng mô hình 'Chính quyền thân thiện' tại các xã, thị trấn",  # 003 r40
        "Kiểm tra hoạt động Tổ dân vận cộng đồng và Cuộc thi 'Dân vận khéo'",  # 003 r58
        "Tổ chức hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền với Nhân dân",  # 003 r54
        "Đẩy mạnh thu hút đầu tư vào khu, cụm công nghiệp",  # 002 r40
        "Thu gom, xử lý rác thải sinh hoạt theo Chỉ thị 17-CT/TU",  # 002 r74
        "Xây dựng xã nông thôn mới nâng cao, nông thôn mới kiểu mẫu",  # 002 r58
        "Rà soát, bổ sung quy hoạch cán bộ nhiệm kỳ 2025-2030",
    ),
    "UBND huyện": (
        "Xây dựng và ban hành Chương trình công tác năm {y}",  # 002 r9
        "Ban hành Kế hoạch thực hiện Nghị quyết 01/NQ-CP của Chính phủ năm {y}",  # 002 r4
        "Thực hiện Kế hoạch cải cách hành chính năm {y}",  # 001 r26
        "Duy trì, cải tiến hệ thống quản lý chất lượng TCVN ISO 9001:2015",  # 001 r27
        "Kiểm tra công trình thủy lợi, đê điều, an toàn hồ đập trước mùa mưa bão",  # 002 r63
        "Tổ chức gặp mặt doanh nhân, doanh nghiệp trên địa bàn năm {y}",  # 002 r67
        "Diễn tập phòng, chống thiên tai và tìm kiếm cứu nạn năm {y}",  # 002 r107
        "Huấn luyện chiến sỹ mới dân quân năm {y}",  # 002 r108
        "Tổ chức tuyển sinh lớp 6, lớp 10 năm học {y}-{y1}",  # 001 r41
        "Kê khai, công khai minh bạch tài sản, thu nhập năm {y}",  # 002 r113
        "Thanh tra trách nhiệm về phòng, chống tham nhũng",  # 002 r114
        "Quyết toán các công trình XDCB đã hoàn thành bàn giao đưa vào sử dụng",  # 002 r46
        "Rà soát chỉ tiêu kế hoạch nhà nước năm {y}, xây dựng kế hoạch năm {y1}",  # 002 r49
        "Phát triển đối tượng tham gia BHXH, BHYT năm {y}",  # 002 r77
        "Gửi, nhận văn bản điện tử có chữ ký số trên Trục liên thông văn bản quốc gia",  # 001 r25
    ),
}
# Standing tasks (thường xuyên): no deadline, never "done".
_STANDING = (
    "Bảo vệ rừng, phòng cháy, chữa cháy rừng",  # 002 r62
    "Tiếp công dân định kỳ của Chủ tịch UBND huyện",  # 002 r28
    "Kiểm tra, xử lý buôn lậu, gian lận thương mại, hàng giả",  # 002 r66
    "Phòng, chống đuối nước, tai nạn thương tích trẻ em",  # 002 r79
    "Phòng, chống dịch bệnh cây trồng, vật nuôi",  # 002 r56
    "Bảo đảm trật tự an toàn giao thông, an ninh trật tự trên địa bàn",  # 002 r110
)
# Tasks that arrive during the year by letter or meeting conclusion (004 r10-23, 002 r73).
_IN_YEAR = (
    "Báo cáo khắc phục kiến nghị kiểm toán",
    "Hướng dẫn UBND xã giải quyết dứt điểm quỹ đất công ích 5%",
    "Hoàn chỉnh hồ sơ thẩm định, xét công nhận xã đạt chuẩn nông thôn mới",
    "Xác định ranh giới đất của các công ty nông, lâm nghiệp trên địa bàn",
    "Tham mưu bổ sung kinh phí cho các đơn vị",
    "Tổ chức lấy ý kiến Nhân dân đối với dự thảo Luật Đất đai (sửa đổi)",
    "Đánh giá thực trạng sản xuất nông nghiệp, tổ chức hội nghị liên kết sản xuất",
    "Báo cáo tình hình thực hiện nhiệm vụ giải phóng mặt bằng",
    "Kiểm tra, xử lý phản ánh của công dân về ô nhiễm môi trường",
    "Rà soát, báo cáo số liệu đất lúa chuyển mục đích sử dụng",
)
_OVERDUE_NOTES = ("Chậm do vướng mắc GPMB", "Đang hoàn thiện hồ sơ", "Chờ ý kiến của sở, ngành", None)


@dataclass(frozen=True)
class _Task:
    ma: str
    ten: str
    body: str
    van_ban: str
    giao: date
    han: date | None
    start: date
    done: date | None
    note: str | None

    def status_at(self, as_of: date) -> tuple[str, int | None, date | None]:
        """(trang_thai, tien_do, ngay_hoan_thanh) as the district reports it on `as_of`."""
        if self.done is not None and self.done <= as_of:
            return STATUS_DONE, 100, self.done
        if self.han is None:
            return (STATUS_DOING, None, None) if self.start <= as_of else (STATUS_NOT_STARTED, 0, None)
        if self.start > as_of:
            return STATUS_NOT_STARTED, 0, None
        # Progress grows with time towards the (eventual or hoped-for) completion date.
        target = self.done or self.han + timedelta(days=120)
        frac = (as_of - self.start).days / max(1, (target - self.start).days)
        return STATUS_DOING, int(min(95, max(5, 5 * round((10 + 85 * frac) / 5)))), None


def _doc_number(rng: random.Random, when: date, per_year: int, year: int, used: set[str], kind: str) -> str:
    """Numbers run through the year, so a December decision has a high number ("3466/QĐ-UBND"
    of 22/12/2022, 002 r20). Parity follows the year so consecutive years never share one."""
    day = when.timetuple().tm_yday
    while True:
        n = max(1, round(per_year * day / 366 + rng.randint(-15, 15)))
        if n % 2 != year % 2:
            n += 1
        doc = f"{n}-{kind}" if kind.startswith(("NQ/", "KL/")) else f"{n}/{kind}"
        if doc not in used:
            used.add(doc)
            return doc


def _deadline(rng: random.Random, year: int) -> date:
    month, day = rng.choices(((6, 30), (9, 30), (11, 30), (12, 15), (12, 31)), weights=(3, 3, 2, 2, 3))[0]
    return date(year, month, day)


def _lifecycle(rng: random.Random, giao: date, han: date | None) -> tuple[date, date | None]:
    """(start, done) for a task: mostly on time, some late, some long overdue (004 r6: 31 of 32
    on time; 004 r9-25: 10 + 6 + 10 overdue per department). Every dated task is done within
    300 days of its deadline, so a task is carried into the next year at most once and never
    vanishes from the reports while still open."""
    if han is None:
        return giao + timedelta(days=rng.randint(0, 10)), None
    span = max(2, (han - giao).days)
    start = giao + timedelta(days=rng.randint(0, max(1, min(30, span // 3))))
    draw = rng.random()
    if draw < 0.72:  # on time
        done = start + timedelta(days=max(1, round((han - start).days * rng.uniform(0.4, 1.0))))
        return start, min(done, han)
    if draw < 0.88:  # late
        return start, han + timedelta(days=rng.randint(3, 75))
    return start, han + timedelta(days=rng.randint(100, 300))  # overdue for months


def _tasks_assigned(profile: DistrictProfile, year: int) -> list[_Task]:
    """Tasks whose assignment belongs to `year` (given from 15 Dec of year-1 to October)."""
    rng = _rng(profile, "tasks", year)
    used: set[str] = set()
    tasks: list[_Task] = []
    y = {"y": year, "y1": year + 1}

    standing_pool = rng.sample(_STANDING, len(_STANDING))  # each standing title once a year

    def add_batch(body: str, kind: str, per_year: int, giao: date, titles: Sequence[str], standing: int = 0) -> None:
        van_ban = _doc_number(rng, giao, per_year, year, used, kind)
        # The district's tasks are a subset of the document's list, hence gaps in "#k".
        numbers = sorted(rng.sample(range(1, 31), len(titles) + standing))
        standing_titles = [standing_pool.pop() for _ in range(standing)]
        for k, title in zip(numbers, [*titles, *standing_titles], strict=True):
            is_standing = title in _STANDING
            han = None if is_standing else _deadline(rng, year)
            start, done = _lifecycle(rng, giao, han)
            note = rng.choice(_OVERDUE_NOTES) if han is not None else None  # shown only while overdue
            tasks.append(_Task(f"{van_ban}#{k}", title.format(**y), body, van_ban, giao, han, start, done, note))

    def pick(body: str, lo: int, hi: int) -> list[str]:
        return rng.sample(_TITLES[body], rng.randint(lo, hi))

    # Province key-task decision, late December (3466/QĐ-UBND of 22/12/2022, 002 r20).
    add_batch("UBND tỉnh", "QĐ-UBND", 3600, date(year - 1, 12, rng.randint(15, 28)), pick("UBND tỉnh", 6, 8))
    # Key tasks agreed with the provincial chairman, early in the year (307/QĐ-UBND, 000 r15).
    add_batch(
        "Chủ tịch UBND tỉnh", "QĐ-UBND", 3600, date(year, 1, rng.randint(3, 12)), pick("Chủ tịch UBND tỉnh", 5, 7)
    )
    # District council resolution at the December session.
    add_batch("HĐND huyện", "NQ-HĐND", 60, date(year - 1, 12, rng.randint(15, 22)), pick("HĐND huyện", 4, 5))
    add_batch(
        "Huyện ủy",
        rng.choice(("NQ/HU", "KL/HU")),
        150,
        date(year, 1, rng.randint(4, 14)),
        pick("Huyện ủy", 3, 4),
        standing=1,
    )
    # District plan (14/KH-UBND of 08/02/2023, 002 r4): some tasks are standing.
    add_batch(
        "UBND huyện",
        "KH-UBND",
        250,
        date(year, 1, 2) + timedelta(days=rng.randint(0, 38)),
        pick("UBND huyện", 6, 8),
        standing=rng.randint(2, 3),
    )
    # New tasks arriving during the year.
    for title in rng.sample(_IN_YEAR, rng.randint(3, 6)):
        body = rng.choice(("UBND tỉnh", "Chủ tịch UBND tỉnh", "UBND huyện"))
        giao = date(year, 3, 1) + timedelta(days=rng.randint(0, 244))
        kind = {"UBND tỉnh": "UBND-KTN", "Chủ tịch UBND tỉnh": "TB-UBND", "UBND huyện": "TB-UBND"}[body]
        van_ban = _doc_number(rng, giao, 5000 if body != "UBND huyện" else 900, year, used, kind)
        han = giao + timedelta(days=rng.randint(20, 90))
        start, done = _lifecycle(rng, giao, han)
        note = rng.choice(_OVERDUE_NOTES)
        tasks.append(_Task(f"{van_ban}#1", title, body, van_ban, giao, han, start, done, note))
    return tasks


def _tasks_for_year(profile: DistrictProfile, year: int) -> list[_Task]:
    """This year's tasks plus last year's that were still open at last December's report
    (standing tasks are re-issued each year, so they are not carried)."""
    last_report = period_end(year - 1, 12)
    carried = [t for t in _tasks_assigned(profile, year - 1) if t.done is not None and t.done > last_report]
    tasks = sorted([*carried, *_tasks_assigned(profile, year)], key=lambda t: (t.giao, t.ma))
    if reporting_level(profile.district_code) == "commune":  # fewer tasks: about 15 of a district's ~40
        tasks = [t for t in tasks if zlib.crc32(f"{profile.district_code}|{t.ma}".encode()) % 5 < 2]
    return tasks


def _fmt_date(d: date | None) -> str | None:
    return None if d is None else f"{d.day:02d}/{d.month:02d}/{d.year:04d}"  # strftime is slower


# --------------------------------------------------------------------------------------------
# Submissions
# --------------------------------------------------------------------------------------------


def _submission(
    profile: DistrictProfile, year: int, month: int, sim: _YearValues, tasks: list[_Task], catalog: Catalog,
    first_month: int = 1,
) -> Submission:
    m = month - 1
    rows = []
    for code, ind in catalog.indicators.items():
        if ind.kind == RATE:
            continue  # the warehouse computes rates from their components
        scale = sim.scales[code]
        series = sim.values[code]
        row: dict[str, Any] = {
            "ma_chi_tieu": code,
            "ten_chi_tieu": ind.name,
            "don_vi_tinh": ind.unit,
            "thuc_hien_thang": _number(series[m], scale),
        }
        if ind.kind == FLOW:  # from January, or from the unit's first month (a commune in 2025: July)
            row["luy_ke_nam"] = _number(sum(series[first_month - 1: m + 1]), scale)
        rows.append(row)

    as_of = period_end(year, month)
    task_rows = []
    for t in tasks:
        if t.giao > as_of:
            continue
        status, progress, done = t.status_at(as_of)
        overdue = status != STATUS_DONE and t.han is not None and t.han < as_of
        task_rows.append(
            {
                "ma_nhiem_vu": t.ma,
                "ten_nhiem_vu": t.ten,
                "co_quan_giao": t.body,
                "van_ban_giao": t.van_ban,
                "ngay_giao": _fmt_date(t.giao),
                "han_hoan_thanh": _fmt_date(t.han),
                "trang_thai": status,
                "ngay_hoan_thanh": _fmt_date(done),
                "tien_do": progress,
                "ghi_chu": t.note if overdue else None,
            }
        )

    rng = _rng(profile, "info", year, month)
    return {
        unit_key(profile.district_code): profile.district_code,
        "ky_bao_cao": f"{year:04d}-{month:02d}",
        "thong_tin": {
            "ngay_lap": _fmt_date(as_of + timedelta(days=rng.randint(0, 4))),
            "nguoi_lap": profile.preparer,
            "email_lien_he": profile.email,
        },
        # A commune leaves out what only districts report (the catalog's reported_by: NN08).
        "chi_tieu": [r for r in rows
                     if reporting_level(profile.district_code) in catalog.indicators[r["ma_chi_tieu"]].reported_by],
        "nhiem_vu": task_rows,
    }


def generate_year(profile: DistrictProfile, year: int, *, catalog: Catalog | None = None,
                  first_month: int = 1) -> list[Submission]:
    """The 12 monthly submissions (January..December) of one district and year; a unit that began
    in the year (a commune in 2025: first_month 7) counts its year to date from its first month."""
    catalog = catalog or load_catalog()
    sim = _simulate_year(profile, year, catalog)
    tasks = _tasks_for_year(profile, year)
    return [_submission(profile, year, month, sim, tasks, catalog, first_month) for month in range(1, 13)]


def generate_month(profile: DistrictProfile, year: int, month: int, *, catalog: Catalog | None = None,
                   first_month: int = 1) -> Submission:
    """One monthly submission; identical to generate_year(profile, year)[month - 1]."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    catalog = catalog or load_catalog()
    sim = _simulate_year(profile, year, catalog)
    return _submission(profile, year, month, sim, _tasks_for_year(profile, year), catalog, first_month)


# --------------------------------------------------------------------------------------------
# Annual plan (contract 1.3)
# --------------------------------------------------------------------------------------------

# The codes a district plan decision sets (cf. "17 chỉ tiêu" of 2115/QĐ-UBND, 002 r2/r5):
# output, budget, agriculture, NTM, poverty, health insurance, schools, enlistment.
PLAN_CODES = (
    "KT01",
    "KT02",
    "KT03",
    "KT04",
    "NS01",
    "NS02",
    "DT01",
    "NN01",
    "NN02",
    "NN03",
    "NN04",
    "NN05",
    "NN06",
    "NN07",
    "NN08",
    "NN09",
    "DN01",
    "XH01",
    "XH03",
    "XH04",
    "XH07",
    "GD01",
    "QP01",
)


def generate_plan(profile: DistrictProfile, year: int, *, catalog: Catalog | None = None) -> Plan:
    """Annual targets close to what generate_year will produce: roughly half above the
    outcome (not attained) and half below (attained), as plans are set before the year."""
    catalog = catalog or load_catalog()
    sim = _simulate_year(profile, year, catalog)
    rng = _rng(profile, "plan", year)
    values = sim.values

    def outcome(code: str) -> float:
        ind = catalog.indicators[code]
        scale = sim.scales.get(code, 1)
        if ind.kind == FLOW:
            return sum(values[code]) / scale
        if ind.kind == RATE:
            num = sum(values[c][11] for c in ind.numerator)
            den = sum(values[c][11] for c in ind.denominator)
            return float(ind.scale) * num / den if den else 0.0
        return values[code][11] / scale

    rows = []
    for code in PLAN_CODES:
        ind = catalog.indicators[code]
        actual = outcome(code)
        if ind.kind == RATE:
            target = round(actual + rng.uniform(-0.4, 0.4), 2)
        elif code in ("NN08", "GD01", "NN09"):  # whole recognitions: the plan is off by 0 or 1
            target = max(0, round(actual) + rng.choice((-1, 0, 0, 1)))
            if code == "NN08":
                target = min(target, profile.commune_count)
        else:
            target = actual * rng.uniform(0.9, 1.1)
        if catalog.units[ind.unit].integer:
            target = round(target)
        elif ind.unit in _DECIMALS:
            target = round(target, _DECIMALS[ind.unit])
        rows.append({"ma_chi_tieu": code, "don_vi_tinh": ind.unit, "ke_hoach_nam": target})
    # The plan's total output is the sum of its sectors, in whole cents of tỷ đồng.
    by_code = {r["ma_chi_tieu"]: r for r in rows}
    cents = sum(round(by_code[c]["ke_hoach_nam"] * 100) for c in ("KT02", "KT03", "KT04"))
    by_code["KT01"]["ke_hoach_nam"] = cents / 100
    number = rng.randint(1800, 2400)
    return {
        unit_key(profile.district_code): profile.district_code,
        "nam": year,
        "van_ban": f"{number}/QĐ-UBND",  # like 2115/QĐ-UBND of 29/12/2022 (002 r5)
        "ke_hoach": rows,
    }


# --------------------------------------------------------------------------------------------
# Variety switches
# --------------------------------------------------------------------------------------------

_VALUE_FIELDS = ("thuc_hien_thang", "luy_ke_nam")


def vn_number(value: int | float | Decimal) -> str:
    """Vietnamese notation: '.' groups thousands, ',' marks decimals (61250.5 -> "61.250,5")."""
    d = Decimal(str(value))
    sign = "-" if d < 0 else ""
    text = format(abs(d), "f")
    whole, _, frac = text.partition(".")
    groups = f"{int(whole):,}".replace(",", ".")
    frac = frac.rstrip("0")
    return f"{sign}{groups},{frac}" if frac else f"{sign}{groups}"


def _numeric(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def as_text(sub: Submission, share: float, rng: random.Random) -> Submission:
    """A copy where about `share` of the numeric indicator values are text in Vietnamese
    notation ("61.250,5"), as district staff type them into the template."""
    out = copy.deepcopy(sub)
    for row in out["chi_tieu"]:
        for key in _VALUE_FIELDS:
            if _numeric(row.get(key)) and rng.random() < share:
                row[key] = vn_number(row[key])
    return out


# Units a district may legitimately use instead of the catalog unit (contract 1.1), with the
# number of catalog units in one of them.
_UNIT_VARIANTS: dict[str, tuple[str, Decimal]] = {
    "triệu đồng": ("tỷ đồng", Decimal(1000)),  # 266,8 tỷ (000 r55) vs 277.268 triệu (003 r32)
    "con": ("nghìn con", Decimal(1000)),  # "3,9 triệu con" (000 r41)
}


def with_units_variant(sub: Submission, rng: random.Random, share: float = 0.5) -> Submission:
    """A copy where some money rows are in "tỷ đồng" instead of "triệu đồng" and some herds in
    "nghìn con" instead of "con" (values divided by 1000), so loaders must convert."""
    out = copy.deepcopy(sub)
    for row in out["chi_tieu"]:
        variant = _UNIT_VARIANTS.get(row.get("don_vi_tinh"))
        if variant is None or rng.random() >= share:
            continue
        if not all(_numeric(row.get(k)) or row.get(k) is None for k in _VALUE_FIELDS):
            continue  # text values are left alone rather than re-formatted
        unit, factor = variant
        row["don_vi_tinh"] = unit
        for key in _VALUE_FIELDS:
            if row.get(key) is not None:
                row[key] = float(Decimal(str(row[key])) / factor)
    return out


def only_ytd(sub: Submission, codes: Iterable[str], *, catalog: Catalog | None = None) -> Submission:
    """A copy where the given flows carry only `luy_ke_nam` (the month value must then be
    derived from the previous month's YTD). Raises for codes that are not flows."""
    catalog = catalog or load_catalog()
    wanted = set(codes)
    not_flows = sorted(c for c in wanted if c not in catalog.indicators or catalog.indicators[c].kind != FLOW)
    if not_flows:
        raise ValueError(f"only flows can be reported as YTD only: {not_flows}")
    out = copy.deepcopy(sub)
    for row in out["chi_tieu"]:
        if row["ma_chi_tieu"] in wanted:
            row.pop("thuc_hien_thang", None)
    return out


# --------------------------------------------------------------------------------------------
# Error injections: each imitates a defect seen in the seed reports
# --------------------------------------------------------------------------------------------


def _row(sub: Submission, code: str | None, preferred: Sequence[str]) -> dict[str, Any]:
    rows = sub["chi_tieu"]
    for candidate in [code] if code else list(preferred):
        for row in rows:
            if row["ma_chi_tieu"] == candidate:
                return row
    if code:
        raise KeyError(f"{code} is not in the submission")
    return next(r for r in rows if _numeric(r.get("thuc_hien_thang")))


def inject_malformed_number(sub: Submission, *, code: str | None = None) -> Submission:
    """Malformed thousands grouping. Seed: Tam Dương 6M-2021 (seed 001, line 49) writes the
    poultry flock as "3.8650.000 con" (3.865.000 with a stray digit); it must be rejected, not
    guessed. Default target: NN06."""
    out = copy.deepcopy(sub)
    row = _row(out, code, ("NN06", "NN05"))
    value = Decimal(str(row["thuc_hien_thang"] if _numeric(row.get("thuc_hien_thang")) else 3865000))
    whole = max(int(value), 1000)
    groups = f"{whole:,}".split(",")
    # A group of four digits after a dot can never be valid grouping: "3.8650.000", "912.3450".
    groups[1 if len(groups) >= 3 else -1] += "0"
    row["thuc_hien_thang"] = ".".join(groups)
    return out


def inject_hedge(sub: Submission, *, code: str | None = None, word: str = "trên") -> Submission:
    """A hedged figure. Seeds: Tân Yên 2023 "ban hành trên 10.120 văn bản" (seed 002, line 39;
    002 r18), Yên Thế 2021 "khoảng 15 tỷ đồng" (000 r26), "gần 30 tỷ đồng" (003 r153).
    Default target: HC02."""
    out = copy.deepcopy(sub)
    row = _row(out, code, ("HC02",))
    value = row.get("thuc_hien_thang")
    row["thuc_hien_thang"] = f"{word} {vn_number(value) if _numeric(value) else '10.120'}"
    return out


def inject_unknown_indicator(sub: Submission, *, code: str = "NN99") -> Submission:
    """A row whose code is not in the catalog. Seed: Yên Thế 2021 reports tea output
    "4.600 tấn chè búp tươi" (000 r39), which a district might add under a made-up code."""
    out = copy.deepcopy(sub)
    out["chi_tieu"].append(
        {
            "ma_chi_tieu": code,
            "ten_chi_tieu": "Sản lượng chè búp tươi",
            "don_vi_tinh": "tấn",
            "thuc_hien_thang": 383.3,
            "luy_ke_nam": 4600,
        }
    )
    return out


def inject_bad_unit(sub: Submission, *, code: str = "NS01", unit: str = "ha") -> Submission:
    """A unit of the wrong dimension ("ha" for budget revenue). Seeds mix units for the same
    quantity (tỷ vs triệu đồng, 000 r55 / 003 r32; ha vs m², 000 r169); a unit that cannot be
    converted at all must be rejected."""
    out = copy.deepcopy(sub)
    _row(out, code, ())["don_vi_tinh"] = unit
    return out


def inject_duplicate_row(sub: Submission, *, code: str = "NS01", change_value: bool = True) -> Submission:
    """The same indicator twice. Seed: Yên Thế 2021 states budget revenue in the text and
    again in the annex (000 r55, r160); the domain brief notes "a figure stated twice with two
    values". With change_value the copy differs by ~2 %."""
    out = copy.deepcopy(sub)
    rows = out["chi_tieu"]
    index = next(i for i, r in enumerate(rows) if r["ma_chi_tieu"] == code)
    dup = copy.deepcopy(rows[index])
    value = dup.get("thuc_hien_thang")
    if change_value and _numeric(value):
        dup["thuc_hien_thang"] = round(float(value) * 1.02, 1)
    rows.insert(index + 1, dup)
    return out


# --------------------------------------------------------------------------------------------
# National benchmark: python -m etl.demo.synth national --period 2024-05 --out /tmp/nat
# --------------------------------------------------------------------------------------------


def _write_chunk(args: tuple[list[DistrictProfile], int, int, str, str]) -> tuple[float, float, int]:
    from etl.demo.writers import write_submission_json, write_submission_xlsx

    profiles, year, month, out_dir, fmt = args
    catalog = load_catalog()
    gen = write = 0.0
    for profile in profiles:
        t0 = time.perf_counter()
        sub = generate_month(profile, year, month, catalog=catalog)
        t1 = time.perf_counter()
        stem = Path(out_dir) / f"{profile.district_code}_{year:04d}-{month:02d}"
        if fmt == "xlsx":
            write_submission_xlsx(sub, stem.with_suffix(".xlsx"))
        else:
            write_submission_json(sub, stem.with_suffix(".json"))
        gen += t1 - t0
        write += time.perf_counter() - t1
    return gen, write, len(profiles)


def national_month(
    out_dir: Path,
    year: int,
    month: int,
    *,
    n_districts: int = 705,
    seed: int = 1,
    fmt: str = "xlsx",
    workers: int = 1,
) -> dict[str, float]:
    """Generate and write one month for every district; returns timings in seconds."""
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    profiles = national_profiles(n_districts, seed)
    t_profiles = time.perf_counter() - t0
    chunks = [(profiles[i::workers], year, month, str(out_dir), fmt) for i in range(workers)]
    if workers == 1:
        results = [_write_chunk(chunks[0])]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_write_chunk, chunks))
    return {
        "districts": float(sum(r[2] for r in results)),
        "profiles_s": t_profiles,
        "generate_s_cpu": sum(r[0] for r in results),
        "write_s_cpu": sum(r[1] for r in results),
        "wall_s": time.perf_counter() - t0,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m etl.demo.synth", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    nat = sub.add_parser("national", help="generate and write one month for ~700 districts, timed")
    nat.add_argument("--period", default="2024-05", help="YYYY-MM")
    nat.add_argument("--out", type=Path, required=True)
    nat.add_argument("--districts", type=int, default=705)
    nat.add_argument("--seed", type=int, default=1)
    nat.add_argument("--format", choices=("xlsx", "json"), default="xlsx")
    nat.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    year, month = (int(p) for p in args.period.split("-"))
    timings = national_month(
        args.out, year, month, n_districts=args.districts, seed=args.seed, fmt=args.format, workers=args.workers
    )
    print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in timings.items()))


if __name__ == "__main__":
    main()
