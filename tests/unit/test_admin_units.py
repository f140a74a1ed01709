"""Administrative units from `vietnamadminunits`: counts, codes, 2025 mapping, name matching."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pandas as pd
import pytest

from etl.domain.admin_units import (
    find_district,
    legacy_districts,
    legacy_provinces,
    name_key,
    provinces_2025,
)

# Island districts with no commune level (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo).
ISLAND_DISTRICTS = {"318", "471", "498", "536", "755"}

# (name, district code, legacy province, commune count, 2025 province code, 2025 province name).
# The legacy era is frozen history, so exact counts are safe to pin.
SEED_DISTRICTS = [
    ("Yên Thế", "215", "24", 17, "24", "Tỉnh Bắc Ninh"),
    ("Tân Yên", "216", "24", 19, "24", "Tỉnh Bắc Ninh"),
    ("Tam Dương", "247", "26", 12, "25", "Tỉnh Phú Thọ"),
    ("Chư Pưh", "639", "64", 9, "52", "Tỉnh Gia Lai"),
]


@pytest.fixture(scope="module")
def provinces() -> pd.DataFrame:
    return legacy_provinces()


@pytest.fixture(scope="module")
def districts() -> pd.DataFrame:
    return legacy_districts()


@pytest.fixture(scope="module")
def new_provinces() -> pd.DataFrame:
    return provinces_2025()


# --- shape and counts -------------------------------------------------------------------


def test_columns(provinces: pd.DataFrame, districts: pd.DataFrame, new_provinces: pd.DataFrame) -> None:
    assert list(provinces.columns) == [
        "province_code",
        "province_name",
        "province_short",
        "province_type",
        "province_2025_code",
        "province_2025_name",
    ]
    assert list(districts.columns) == [
        "district_code",
        "district_name",
        "district_short",
        "district_type",
        "province_code",
        "commune_count",
    ]
    assert list(new_provinces.columns) == ["province_2025_code", "province_2025_name", "province_2025_short"]


def test_counts(provinces: pd.DataFrame, districts: pd.DataFrame, new_provinces: pd.DataFrame) -> None:
    assert len(provinces) == 63
    assert len(new_provinces) == 34
    assert len(districts) == 696
    assert districts["commune_count"].sum() == 10035


def test_codes_are_unique_zero_padded_strings(
    provinces: pd.DataFrame, districts: pd.DataFrame, new_provinces: pd.DataFrame
) -> None:
    for column, width in [
        (provinces["province_code"], 2),
        (districts["district_code"], 3),
        (new_provinces["province_2025_code"], 2),
    ]:
        assert column.is_unique, column.name
        assert column.map(lambda c, w=width: isinstance(c, str) and len(c) == w and c.isdigit()).all()
    assert provinces.loc[provinces["province_short"] == "Hà Nội", "province_code"].item() == "01"
    assert districts.loc[districts["district_short"] == "Ba Đình", "district_code"].item() == "001"


def test_every_district_in_a_known_province(provinces: pd.DataFrame, districts: pd.DataFrame) -> None:
    assert districts["province_code"].isin(provinces["province_code"]).all()
    # And no province is left without districts.
    assert set(provinces["province_code"]) == set(districts["province_code"])


# --- names and types ----------------------------------------------------------------------


def test_province_names_and_types(provinces: pd.DataFrame) -> None:
    assert set(provinces["province_type"]) == {"Tỉnh", "Thành phố"}
    assert (provinces["province_type"] + " " + provinces["province_short"]).equals(provinces["province_name"])
    by_code = provinces.set_index("province_code")
    assert by_code.loc["64", ["province_name", "province_short", "province_type"]].tolist() == [
        "Tỉnh Gia Lai",
        "Gia Lai",
        "Tỉnh",
    ]
    assert by_code.loc["01", "province_name"] == "Thành phố Hà Nội"
    assert by_code.loc["01", "province_type"] == "Thành phố"


def test_district_names_and_types(districts: pd.DataFrame) -> None:
    assert set(districts["district_type"]) == {"Huyện", "Quận", "Thị xã", "Thành phố"}
    assert all(
        name.startswith(kind + " ")
        for name, kind in zip(districts["district_name"], districts["district_type"], strict=True)
    )
    # The package's '(Huyện)' disambiguators must not leak into short names.
    assert not districts["district_short"].str.contains("(", regex=False).any()
    row = districts.set_index("district_code").loc["639"]
    assert (row["district_name"], row["district_short"], row["district_type"]) == (
        "Huyện Chư Pưh",
        "Chư Pưh",
        "Huyện",
    )
    # Source data says 'Thành Phố Bắc Kạn'; the type word is normalised.
    assert districts.set_index("district_code").loc["058", "district_name"] == "Thành phố Bắc Kạn"


# --- 2025 mapping -------------------------------------------------------------------------


def test_every_legacy_province_maps_to_exactly_one_2025_province(
    provinces: pd.DataFrame, new_provinces: pd.DataFrame
) -> None:
    assert provinces["province_2025_code"].notna().all()
    new_by_code = new_provinces.set_index("province_2025_code")["province_2025_name"]
    assert provinces["province_2025_code"].isin(new_by_code.index).all()
    assert (provinces["province_2025_code"].map(new_by_code) == provinces["province_2025_name"]).all()
    # Every new province absorbed at least one old one.
    assert set(provinces["province_2025_code"]) == set(new_by_code.index)


def test_converter_table_assigns_each_legacy_province_once(provinces: pd.DataFrame) -> None:
    from vietnamadminunits.converter.converter_2025 import DICT_PROVINCE
    from vietnamadminunits.database import get_data

    seen = Counter(old for olds in DICT_PROVINCE.values() for old in olds)
    legacy_keys = {r["provinceKey"] for r in get_data("provinceKey", table="admin_units_legacy")}
    assert set(seen) == legacy_keys
    assert set(seen.values()) == {1}


@pytest.mark.parametrize(
    ("legacy", "new"),
    [("Bắc Giang", "Bắc Ninh"), ("Vĩnh Phúc", "Phú Thọ"), ("Gia Lai", "Gia Lai"), ("Bình Định", "Gia Lai")],
)
def test_known_province_merges(provinces: pd.DataFrame, new_provinces: pd.DataFrame, legacy: str, new: str) -> None:
    row = provinces.set_index("province_short").loc[legacy]
    expected = new_provinces.set_index("province_2025_short").loc[new]
    assert row["province_2025_code"] == expected["province_2025_code"]
    assert row["province_2025_name"] == expected["province_2025_name"]


# --- seed districts -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "code", "province", "communes", "code_2025", "name_2025"), SEED_DISTRICTS)
def test_seed_districts(
    provinces: pd.DataFrame,
    districts: pd.DataFrame,
    name: str,
    code: str,
    province: str,
    communes: int,
    code_2025: str,
    name_2025: str,
) -> None:
    row = districts.set_index("district_code").loc[code]
    assert row["district_short"] == name
    assert row["province_code"] == province
    assert row["commune_count"] == communes
    assert 0 < row["commune_count"] < 60
    assert find_district(name) == code
    assert find_district(name, province) == code
    mapped = provinces.set_index("province_code").loc[province]
    assert (mapped["province_2025_code"], mapped["province_2025_name"]) == (code_2025, name_2025)


def test_commune_counts_are_sane(districts: pd.DataFrame) -> None:
    assert districts["commune_count"].dtype == "int64"
    zero = set(districts.loc[districts["commune_count"] == 0, "district_code"])
    assert zero == ISLAND_DISTRICTS
    assert districts["commune_count"].between(0, 60).all()


# --- name_key / find_district -------------------------------------------------------------

CHU_PUH_VARIANTS = [
    "Chư Pưh",
    "Chư Puh",
    "huyện Chư Pưh",
    "Huyện Chư Pưh",
    "HUYỆN CHƯ PƯH",
    "  Chư   Pưh ",
    unicodedata.normalize("NFD", "Chư Pưh"),
    unicodedata.normalize("NFD", "Huyện Chư Pưh"),
    "chu puh",
]


@pytest.mark.parametrize("variant", CHU_PUH_VARIANTS)
def test_name_key_variants(variant: str) -> None:
    assert name_key(variant) == name_key("Chư Pưh") == "chu_puh"


@pytest.mark.parametrize("variant", CHU_PUH_VARIANTS)
def test_find_district_variants(variant: str) -> None:
    assert find_district(variant) == "639"
    assert find_district(variant, "64") == "639"


def test_name_key_tone_placement_and_type_words() -> None:
    assert name_key("Thanh Hoà") == name_key("Thanh Hóa") == name_key("thanh hoa")
    assert name_key("Thị xã Mường Lay") == name_key("Mường Lay")
    assert name_key("Thành phố Pleiku") == name_key("TP. Pleiku") == name_key("Pleiku")
    assert name_key("Quận Ba Đình") == name_key("Ba Đình")
    assert name_key("Tỉnh Gia Lai") == name_key("Gia Lai")
    assert name_key("Quận 1") == name_key("quan 1") == "1"
    # Names that merely start like a type word keep it.
    assert name_key("Quan Hóa") == "quan_hoa"
    assert name_key("Quản Bạ") == "quan_ba"
    assert name_key("Tịnh Biên") == "tinh_bien"
    assert name_key("Huyền Hội") == "huyen_hoi"


def test_find_district_unknown_wrong_province_and_ambiguous(districts: pd.DataFrame) -> None:
    assert find_district("Không Có Huyện Này") is None
    assert find_district("") is None
    assert find_district("Chư Pưh", "24") is None
    # 'Châu Thành' exists in several provinces: ambiguous alone, unique with the province.
    chau_thanh = districts[districts["district_short"] == "Châu Thành"]
    assert len(chau_thanh) > 1
    assert find_district("Châu Thành") is None
    for code, province in zip(chau_thanh["district_code"], chau_thanh["province_code"], strict=True):
        assert find_district("Châu Thành", province) == code


def test_find_district_prefers_exact_diacritics() -> None:
    # 'Tam Dương' (Vĩnh Phúc) and 'Tam Đường' (Lai Châu) share a name_key.
    assert name_key("Tam Dương") == name_key("Tam Đường")
    assert find_district("Tam Dương") == "247"
    assert find_district("Tam Đường") == "106"
    assert find_district("Tam Duong") is None
    assert find_district("Tam Duong", "26") == "247"


def test_find_district_type_word_disambiguates() -> None:
    assert find_district("Kỳ Anh") is None
    assert find_district("Thị xã Kỳ Anh") == "449"
    assert find_district("TX Kỳ Anh") == "449"
    assert find_district("Huyện Kỳ Anh") == "447"
    # Việt Yên became a thị xã; an older report's 'Huyện Việt Yên' still resolves.
    assert find_district("Huyện Việt Yên") == "222"


def test_every_district_found_by_full_name(districts: pd.DataFrame) -> None:
    for code, name, province in zip(
        districts["district_code"], districts["district_name"], districts["province_code"], strict=True
    ):
        assert find_district(name, province) == code, name


def test_returned_frames_are_not_shared_with_the_cache() -> None:
    first = legacy_districts()
    first.loc[:, "commune_count"] = -1
    assert (legacy_districts()["commune_count"] >= 0).all()
