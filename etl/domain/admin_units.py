"""Vietnam's administrative units, read from the `vietnamadminunits` package.

Two eras matter for district reports:

* legacy (63 provinces, ~700 districts): the units the reports were written against;
* 2025 (34 provinces, no district level, from 1 July 2025): the province that now owns them.

Codes are the official GSO codes as strings (leading zeros kept). Legacy and 2025 province
codes share one code space but not one meaning: "24" is Bắc Giang in the legacy era and the
new Bắc Ninh in 2025, so never compare `province_code` with `province_2025_code`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import cache

import pandas as pd

from etl.domain.text import fold_key

__all__ = [
    "communes_2025",
    "district_communes_2025",
    "find_district",
    "legacy_communes_merged",
    "legacy_districts",
    "legacy_provinces",
    "name_key",
    "provinces_2025",
]

_LEGACY = "admin_units_legacy"
_NEW = "admin_units"
_PROVINCE_TYPES = ("Thành phố", "Tỉnh")

# Leading unit-type words and the canonical type they stand for. Accented forms are always
# types; unaccented ones only where no unit name starts with them: "huyen" would eat the
# ward "Huyền Hội", "quan" the district "Quan Hóa"/"Quản Bạ", "tinh" the town "Tịnh Biên".
# Unaccented "quan" is therefore a type only before a number ("quan 1").
_TYPE_WORDS: dict[str, str] = {
    "thành phố": "Thành phố",
    "thanh pho": "Thành phố",
    "tp": "Thành phố",
    "thị xã": "Thị xã",
    "thi xa": "Thị xã",
    "tx": "Thị xã",
    "huyện": "Huyện",
    "quận": "Quận",
    "tỉnh": "Tỉnh",
}
_TYPE_PREFIX = re.compile(
    r"^(?P<type>" + "|".join(re.escape(w) for w in _TYPE_WORDS) + r"|quan(?=[\s.]*\d))[\s.]+(?=\S)"
)
# The package disambiguates same-named units in one province as "Kỳ Anh (Huyện)".
_PAREN_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")


def _split_type(name: str) -> tuple[str | None, str]:
    """'Huyện Chư Pưh' -> ('Huyện', 'chư pưh'); NFC + casefold first so NFD input matches too."""
    text = " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())
    match = _TYPE_PREFIX.match(text)
    if match is None:
        return None, text
    # The only word missing from _TYPE_WORDS is the bare "quan" before a number.
    return _TYPE_WORDS.get(match.group("type"), "Quận"), text[match.end() :]


def name_key(name: str) -> str:
    """Matching key for a unit name: no case, diacritics, Unicode form or leading type word.

    'Chư Pưh', 'Chư Puh', 'huyện Chư Pưh' and the NFD spelling all give 'chu_puh'; 'Hoà' and
    'Hòa' (old/new tone-mark placement) both give 'hoa' because all marks are dropped.
    """
    return fold_key(_split_type(name)[1])


# Vietnamese tone marks; every other mark (circumflex, breve, horn) changes the letter itself.
_TONES = {"\u0300": "1", "\u0301": "2", "\u0303": "3", "\u0309": "4", "\u0323": "5"}
_SYLLABLE_SEPARATORS = re.compile(r"[\s_\-./]+")


def _accent_key(name: str) -> str:
    """Stricter key keeping diacritics: 'Tam Dương' and 'Tam Đường' differ, 'Hoà' and 'Hòa' don't.

    Each syllable's tone mark is moved to its end, so old ('hoà') and new ('hòa') placement agree.
    """
    syllables = []
    for syllable in _SYLLABLE_SEPARATORS.split(unicodedata.normalize("NFD", _split_type(name)[1])):
        base = unicodedata.normalize("NFC", "".join(ch for ch in syllable if ch not in _TONES))
        syllables.append(base + "".join(_TONES[ch] for ch in syllable if ch in _TONES))
    return "_".join(s for s in syllables if s)


def _query(sql: str) -> pd.DataFrame:
    # Imported here: importing the package loads its parser (geopy, ~4 MB of JSON), ~0.6 s,
    # which callers that only import this module should not pay.
    from vietnamadminunits.database import query

    return pd.DataFrame(query(sql))


def _province_map_2025() -> dict[str, str]:
    """Legacy province key -> 2025 province key, from the package's converter table."""
    from vietnamadminunits.converter.converter_2025 import DICT_PROVINCE

    absorbed: dict[str, list[str]] = defaultdict(list)
    for new_key, old_keys in DICT_PROVINCE.items():
        for old_key in old_keys:
            absorbed[old_key].append(new_key)
    split = {old: new for old, new in absorbed.items() if len(new) != 1}
    if split:
        # A province split over several new ones would make the mapping a guess.
        raise ValueError(f"legacy provinces not mapped to exactly one 2025 province: {split}")
    return {old: new[0] for old, new in absorbed.items()}


def _with_type(full: str, unit_type: str) -> str:
    """Canonical casing of the type word: the data has 'Thành Phố Bắc Kạn', 'Thị Xã Việt Yên'."""
    if full.casefold().startswith(unit_type.casefold() + " "):
        return unit_type + full[len(unit_type) :]
    return full


@cache
def _provinces_2025() -> pd.DataFrame:
    raw = _query(f"SELECT DISTINCT provinceCode, province, provinceShort, provinceKey FROM {_NEW}")
    return raw.rename(
        columns={
            "provinceCode": "province_2025_code",
            "province": "province_2025_name",
            "provinceShort": "province_2025_short",
            "provinceKey": "province_2025_key",
        }
    ).sort_values("province_2025_code", ignore_index=True)


@cache
def _legacy_provinces() -> pd.DataFrame:
    raw = _query(f"SELECT DISTINCT provinceCode, province, provinceShort, provinceKey FROM {_LEGACY}")
    types = [next((t for t in _PROVINCE_TYPES if p.startswith(t + " ")), None) for p in raw["province"]]
    if None in types:
        raise ValueError(f"province name without a known type: {raw['province'][types.index(None)]}")
    new = _provinces_2025().set_index("province_2025_key")
    new_key = raw["provinceKey"].map(_province_map_2025())
    if new_key.isna().any() or not new_key.isin(new.index).all():
        raise ValueError(f"no 2025 province for: {raw.loc[~new_key.isin(new.index), 'province'].tolist()}")
    out = pd.DataFrame(
        {
            "province_code": raw["provinceCode"],
            "province_name": raw["province"],
            "province_short": raw["provinceShort"],
            "province_type": types,
            # The converter knows the 2025 province by key only; its code comes from admin_units.
            "province_2025_code": new_key.map(new["province_2025_code"]),
            "province_2025_name": new_key.map(new["province_2025_name"]),
        }
    )
    return out.sort_values("province_code", ignore_index=True)


@cache
def _legacy_districts() -> pd.DataFrame:
    # COUNT(ward) skips the island districts' single ward-less row (Côn Đảo, Hoàng Sa, ...),
    # which have no commune level and so correctly count 0.
    raw = _query(
        "SELECT districtCode, district, districtShort, districtType, provinceCode, COUNT(ward) AS n "
        f"FROM {_LEGACY} GROUP BY districtCode, district, districtShort, districtType, provinceCode"
    )
    out = pd.DataFrame(
        {
            "district_code": raw["districtCode"],
            "district_name": [
                _with_type(d, t) for d, t in zip(raw["district"], raw["districtType"], strict=True)
            ],
            "district_short": raw["districtShort"].str.replace(_PAREN_QUALIFIER, "", regex=True),
            "district_type": raw["districtType"],
            "province_code": raw["provinceCode"],
            "commune_count": raw["n"].astype("int64"),
        }
    )
    return out.sort_values("district_code", ignore_index=True)


def legacy_provinces() -> pd.DataFrame:
    """The 63 legacy provinces with the 2025 province each now belongs to."""
    # Copies: the cached frame is shared, and a caller's in-place edit must not leak into it.
    return _legacy_provinces().copy()


def legacy_districts() -> pd.DataFrame:
    """All legacy district-level units with their number of communes/wards/towns."""
    return _legacy_districts().copy()


def provinces_2025() -> pd.DataFrame:
    """The 34 provinces from 1 July 2025."""
    return _provinces_2025().drop(columns="province_2025_key")


@cache
def _communes_2025() -> pd.DataFrame:
    raw = _query(f"SELECT wardCode, ward, wardShort, wardType, provinceCode, provinceKey, wardKey FROM {_NEW}")
    return pd.DataFrame(
        {
            "commune_code": raw["wardCode"],
            "commune_name": [_with_type(w, t) for w, t in zip(raw["ward"], raw["wardType"], strict=True)],
            "commune_short": raw["wardShort"],
            "commune_type": raw["wardType"],
            "province_2025_code": raw["provinceCode"],
            "province_2025_key": raw["provinceKey"],
            "commune_key": raw["wardKey"],
        }
    ).sort_values("commune_code", ignore_index=True)


def communes_2025() -> pd.DataFrame:
    """The 3.321 commune-level units (xã, phường, đặc khu) from 1 July 2025, 5-digit codes.
    Their codes often reuse a legacy commune's: never compare codes across the two eras."""
    return _communes_2025().drop(columns=["province_2025_key", "commune_key"])


@cache
def _crosswalk_2025() -> tuple[tuple[str, str], ...]:
    """(legacy district code, 2025 commune code) for every legacy commune (or ward-less island
    district) and each 2025 commune it went into, from the package's converter (by name keys;
    a split legacy commune gives one pair per part)."""
    from vietnamadminunits.converter.converter_2025 import (
        DICT_PROVINCE_WARD_DIVIDED,
        DICT_PROVINCE_WARD_NO_DIVIDED,
    )

    legacy = _query(f"SELECT provinceKey, districtKey, wardKey, districtCode FROM {_LEGACY}")
    district_of = {f"{p}_{d}_{'' if pd.isna(w) else w}": c for p, d, w, c in legacy.itertuples(index=False)}
    new = _communes_2025().set_index(["province_2025_key", "commune_key"])["commune_code"]
    pairs: list[tuple[str, str]] = []
    for province, wards in DICT_PROVINCE_WARD_NO_DIVIDED.items():
        for ward, old_keys in wards.items():
            pairs += [(district_of[old], new[(province, ward)]) for old in old_keys]
    for province, olds in DICT_PROVINCE_WARD_DIVIDED.items():
        for old, parts in olds.items():
            pairs += [(district_of[old], new[(province, part["newWardKey"])]) for part in parts]
    return tuple(pairs)


@cache
def _district_communes_2025() -> dict[str, tuple[str, ...]]:
    found: dict[str, set[str]] = defaultdict(set)
    for district, commune in _crosswalk_2025():
        found[district].add(commune)
    return {district: tuple(sorted(codes)) for district, codes in found.items()}


def legacy_communes_merged(commune_code: str) -> int:
    """How many legacy communes (or parts of one) a 2025 commune was made from (about 3)."""
    return _merged_counts().get(commune_code, 1)


@cache
def _merged_counts() -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for _district, commune in _crosswalk_2025():
        counts[commune] += 1
    return dict(counts)


def district_communes_2025(district_code: str) -> tuple[str, ...]:
    """The 2025 communes that cover a legacy district's area (empty if the package does not know it)."""
    return _district_communes_2025().get(district_code, ())


_Index = dict[tuple[bool, str, str | None], list[tuple[str, str]]]


@cache
def _district_index() -> _Index:
    """(strict?, key, type or None) -> [(district_code, province_code)]."""
    index: _Index = defaultdict(list)
    districts = _legacy_districts()
    for code, short, unit_type, province in zip(
        districts["district_code"],
        districts["district_short"],
        districts["district_type"],
        districts["province_code"],
        strict=True,
    ):
        for strict, key in ((True, _accent_key(short)), (False, name_key(short))):
            for wanted_type in (unit_type, None):
                index[(strict, key, wanted_type)].append((code, province))
    return dict(index)


def find_district(name: str, province_code: str | None = None) -> str | None:
    """Legacy district code for a name, or None when unknown or ambiguous.

    Tried from strictest to loosest, the first step with any hit decides:
    1. with diacritics, so 'Tam Dương' (Vĩnh Phúc) is not confused with 'Tam Đường' (Lai Châu);
    2. without them (name_key), for 'Chư Puh' or 'TAM DUONG' (ambiguous there without province).
    Within each, a type word picks between same-named units ('Thị xã Kỳ Anh' vs 'Huyện Kỳ
    Anh'); if it matches nothing (a unit upgraded since the report, e.g. 'Huyện Việt Yên' now
    a thị xã) the name alone is used.
    """
    unit_type, _ = _split_type(name)
    province = None if province_code is None else str(province_code).strip().zfill(2)
    index = _district_index()
    for strict, key in ((True, _accent_key(name)), (False, name_key(name))):
        for wanted_type in (unit_type, None) if unit_type else (None,):
            hits = index.get((strict, key, wanted_type), [])
            codes = [code for code, prov in hits if province in (None, prov)]
            if codes:
                return codes[0] if len(codes) == 1 else None
    return None
