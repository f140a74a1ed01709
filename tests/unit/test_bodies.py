"""Assigning bodies matched like headers to reference/assigning_bodies.yaml (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.demo.synth import ASSIGNING_BODIES
from etl.domain.bodies import canonical_body, closest_body, load_bodies, read_bodies
from etl.reporting.model import BODY_ORDER


@pytest.mark.parametrize("written", [
    "UBND tỉnh", "UBND Tỉnh", "UBND  tỉnh", "UBND tinh", "Ủy ban nhân dân tỉnh", "Uỷ ban nhân dân tỉnh", " ubnd TỈNH ",
    "U\u0309y ban nha\u0302n da\u0302n ti\u0309nh",  # decomposed (NFD)
])
def test_the_spellings_of_one_body_are_one_body(written: str) -> None:
    assert canonical_body(written) == "UBND tỉnh"


@pytest.mark.parametrize(("written", "canonical"), [
    ("Chủ tịch Ủy ban nhân dân tỉnh", "Chủ tịch UBND tỉnh"),
    ("CT UBND huyện", "Chủ tịch UBND huyện"),
    ("Hội đồng nhân dân huyện", "HĐND huyện"),
    ("HDND tinh", "HĐND tỉnh"),
    ("BTV Huyện ủy", "Ban Thường vụ Huyện ủy"),
    ("Ban thường vụ tỉnh uỷ", "Ban Thường vụ Tỉnh ủy"),
    ("Thường trực HĐND tỉnh", "Thường trực HĐND tỉnh"),
    ("Sở ngành tỉnh", "Sở, ngành tỉnh"),
    ("Thủ tướng", "Thủ tướng Chính phủ"),
])
def test_long_and_short_forms_and_aliases(written: str, canonical: str) -> None:
    assert canonical_body(written) == canonical


def test_province_and_district_bodies_stay_apart() -> None:
    # The nearest spelling must not merge two real bodies: 'tỉnh' and 'huyện' differ by one word.
    assert canonical_body("UBND huyện") == "UBND huyện"
    assert canonical_body("Chủ tịch UBND tỉnh") == "Chủ tịch UBND tỉnh"
    assert canonical_body("Huyện ủy") != canonical_body("Tỉnh ủy")


def test_an_unknown_body_has_no_canonical_name_but_a_closest_one() -> None:
    assert canonical_body("UBND tỉnhh") is None
    assert closest_body("UBND tỉnhh") == "UBND tỉnh"
    assert closest_body("Chủ tịch UBND tỉnh Bắc Giang") == "Chủ tịch UBND tỉnh"
    assert closest_body("Công an") is None  # nothing alike: no suggestion rather than a wrong one


def test_report_order_is_the_list_order() -> None:
    assert load_bodies().names == BODY_ORDER
    assert BODY_ORDER.index("UBND tỉnh") < BODY_ORDER.index("Chủ tịch UBND tỉnh") < BODY_ORDER.index("Huyện ủy")


def test_the_demo_writes_canonical_names() -> None:
    assert all(canonical_body(b) == b for b in ASSIGNING_BODIES)


def test_one_spelling_for_two_bodies_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bodies.yaml"
    path.write_text("abbreviations: {UBND: Ủy ban nhân dân}\n"
                    "bodies:\n  - name: UBND tỉnh\n  - name: Ủy ban tỉnh\n    aliases: [Ủy ban nhân dân tỉnh]\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match="matches both"):
        read_bodies(path)
