"""The strict Vietnamese-notation number reader: every messy form below comes from real reports."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import get_decimal_symbol, get_group_symbol
from hypothesis import given
from hypothesis import strategies as st

from etl.domain.numbers import PROBLEM_CODES, NumberProblem, format_vi, read_number


def ok(raw: object, **kwargs: bool) -> Decimal:
    value, problem = read_number(raw, **kwargs)
    assert problem is None, problem
    assert value is not None
    return value


def problem_of(raw: object, **kwargs: bool) -> NumberProblem:
    value, problem = read_number(raw, **kwargs)
    assert value is None, value
    assert problem is not None
    return problem


def test_babel_vi_symbols() -> None:
    # The whole reader relies on Babel's 'vi' data using '.' for groups and ',' for decimals.
    assert get_group_symbol("vi") == "."
    assert get_decimal_symbol("vi") == ","


# ---- round trip -----------------------------------------------------------------------------

_MAX = 10**15
_values = st.one_of(
    st.integers(min_value=-_MAX, max_value=_MAX).map(Decimal),
    st.builds(
        lambda units, places: Decimal(units).scaleb(-places),
        st.integers(min_value=-_MAX * 10**4, max_value=_MAX * 10**4),
        st.integers(min_value=0, max_value=4),
    ),
)


@given(_values, st.sampled_from(["dot", " ", "\u00a0", "\u202f", "none"]))
def test_format_vi_round_trips(value: Decimal, grouping: str) -> None:
    written = format_vi(value)
    int_part, _, _ = written.partition(",")
    if grouping != "dot":
        # Only the integer part has group separators; replace them there only.
        new_int = int_part.replace(".", "" if grouping == "none" else grouping)
        written = new_int + written[len(int_part) :]
    read = ok(written, allow_negative=True)
    assert read == value, (value, written)


@given(_values, st.integers(min_value=0, max_value=4))
def test_format_vi_with_decimals_round_trips(value: Decimal, decimals: int) -> None:
    written = format_vi(value, decimals)
    expected = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    assert ok(written, allow_negative=True) == expected
    if decimals:
        assert len(written.partition(",")[2]) == decimals


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (Decimal("1234567.5"), None, "1.234.567,5"),
        (1234567.5, None, "1.234.567,5"),
        (1234567, None, "1.234.567"),
        (Decimal("1234567.00"), None, "1.234.567"),
        (Decimal("0.0001"), None, "0,0001"),  # Babel's default pattern would write '0'
        (0.1, None, "0,1"),
        (Decimal("-3941.68"), None, "-3.941,68"),
        (Decimal("-0"), None, "0"),
        (Decimal("2.5"), 0, "3"),  # half-up, not Babel's half-even '2'
        (Decimal("1.005"), 2, "1,01"),
        (Decimal("1000"), 2, "1.000,00"),
        (Decimal("-0.001"), 2, "0,00"),
        (Decimal("1E+15"), None, "1.000.000.000.000.000"),
    ],
)
def test_format_vi_examples(value: Decimal | int | float, decimals: int | None, expected: str) -> None:
    assert format_vi(value, decimals) == expected


def test_format_vi_rejects_non_numbers() -> None:
    with pytest.raises(TypeError):
        format_vi(True)
    with pytest.raises(ValueError):
        format_vi(float("nan"))


# ---- well-formed text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.170", "1170"),
        ("3.941,68", "3941.68"),
        ("11,5", "11.5"),
        ("2432", "2432"),
        ("04", "4"),
        ("0", "0"),
        ("22,178", "22.178"),  # decimal comma: twenty-two point one seven eight
        ("1.234.567,5", "1234567.5"),
        ("1 170 000", "1170000"),
        ("1\u00a0170\u00a0000", "1170000"),
        ("1\u202f170\u202f000", "1170000"),
        ("1 000,25", "1000.25"),
        ("  1.000  ", "1000"),  # Babel alone rejects this (strict compares the whole string)
        ("\t2432\n", "2432"),
        ("\u00a012,5\u00a0", "12.5"),
        ("\ufeff123\u200b", "123"),
        ("+1.170", "1170"),  # Babel alone rejects '+' with grouping but accepts '+5'
        ("-0", "0"),
    ],
)
def test_reads_vietnamese_notation(raw: str, expected: str) -> None:
    assert ok(raw) == Decimal(expected)


def test_decimal_places_are_kept_as_written() -> None:
    assert str(ok("0,1")) == "0.1"
    assert str(ok("1.000,50")) == "1000.50"


# ---- messy forms from real reports ----------------------------------------------------------

MESSY: list[tuple[str, dict[str, bool], str]] = [
    # malformed grouping: the '.' is a thousands separator in the wrong place
    ("3.8650.000", {}, "VALUE_MALFORMED"),
    ("10.039.3", {}, "VALUE_MALFORMED"),
    ("27.1", {}, "VALUE_MALFORMED"),
    ("1.2345", {}, "VALUE_MALFORMED"),
    ("1,234.5", {}, "VALUE_MALFORMED"),  # English notation
    ("1,000,000", {}, "VALUE_MALFORMED"),
    ("1..000", {}, "VALUE_MALFORMED"),
    ("1.000.", {}, "VALUE_MALFORMED"),
    ("0001.000", {}, "VALUE_MALFORMED"),
    ("1 170.000", {}, "VALUE_MALFORMED"),  # mixed space and dot grouping
    ("1 00", {}, "VALUE_MALFORMED"),
    ("189, 2%", {"percent_unit": True}, "VALUE_MALFORMED"),  # space inside the decimal part
    ("189 ,2", {}, "VALUE_MALFORMED"),
    (",5", {}, "VALUE_MALFORMED"),  # Babel alone reads 0.5
    ("5,", {}, "VALUE_MALFORMED"),  # Babel alone reads 5
    ("--5", {"allow_negative": True}, "VALUE_MALFORMED"),
    ("1_000", {}, "VALUE_MALFORMED"),  # Babel alone reads 1000
    ("１２", {}, "VALUE_MALFORMED"),  # full-width digits; Babel alone reads 12
    ("٣", {}, "VALUE_MALFORMED"),  # Arabic-Indic digit; Babel alone reads 3
    ("(5)", {}, "VALUE_MALFORMED"),
    ("50%%", {"percent_unit": True}, "VALUE_MALFORMED"),
    ("12.345.678.901.234.567.890.123.456.789,5", {}, "VALUE_MALFORMED"),
    # hedges
    ("khoảng 50", {}, "VALUE_HEDGED"),
    ("Khoảng 50", {}, "VALUE_HEDGED"),
    ("Khoa\u0309ng 50", {}, "VALUE_HEDGED"),  # NFD as some Office builds write it
    ("khoang 50", {}, "VALUE_HEDGED"),  # typed without diacritics
    ("trên 10.120", {}, "VALUE_HEDGED"),
    ("gần 100", {}, "VALUE_HEDGED"),
    ("ước 5.000", {}, "VALUE_HEDGED"),
    ("hơn 200", {}, "VALUE_HEDGED"),
    ("dưới 5", {}, "VALUE_HEDGED"),
    ("tối thiểu 3", {}, "VALUE_HEDGED"),
    ("xấp xỉ 7,5", {}, "VALUE_HEDGED"),
    ("50 trở lên", {}, "VALUE_HEDGED"),
    ("~50", {}, "VALUE_HEDGED"),
    (">10", {}, "VALUE_HEDGED"),
    ("≥ 10", {}, "VALUE_HEDGED"),
    ("100+", {}, "VALUE_HEDGED"),
    ("khoảng 9-10", {}, "VALUE_HEDGED"),  # a hedged range is reported as the hedge
    # ranges
    ("9-10", {}, "VALUE_RANGE"),
    ("9 - 10%", {"percent_unit": True}, "VALUE_RANGE"),
    ("9 - 10%", {}, "VALUE_RANGE"),
    ("1–4", {}, "VALUE_RANGE"),
    ("9%-10%", {"percent_unit": True}, "VALUE_RANGE"),
    ("9 đến 10", {}, "VALUE_RANGE"),
    ("1.000-2.000", {}, "VALUE_RANGE"),
    # fractions
    ("17/19", {}, "VALUE_FRACTION"),
    ("40.124/300.901", {}, "VALUE_FRACTION"),
    ("1 / 2", {}, "VALUE_FRACTION"),
    # words
    ("22,178 triệu", {}, "VALUE_NOT_A_NUMBER"),
    ("1 tỷ cây", {}, "VALUE_NOT_A_NUMBER"),
    ("không có", {}, "VALUE_NOT_A_NUMBER"),
    ("abc", {}, "VALUE_NOT_A_NUMBER"),
    ("-", {}, "VALUE_NOT_A_NUMBER"),
    ("x", {}, "VALUE_NOT_A_NUMBER"),
    ("1e5", {}, "VALUE_NOT_A_NUMBER"),  # Babel alone reads 100000
    ("NaN", {}, "VALUE_NOT_A_NUMBER"),  # Babel alone reads Decimal('NaN')
    ("Infinity", {}, "VALUE_NOT_A_NUMBER"),
    ("%", {"percent_unit": True}, "VALUE_NOT_A_NUMBER"),
    # unit rules
    ("1,5", {"integer": True}, "VALUE_NOT_INTEGER"),  # 1,5 hộ
    ("3.941,68", {"integer": True}, "VALUE_NOT_INTEGER"),
    ("-5", {}, "VALUE_NEGATIVE"),
    ("-1.170,5", {}, "VALUE_NEGATIVE"),
    ("− 5", {}, "VALUE_NEGATIVE"),  # typographic minus
    ("50%", {}, "VALUE_PERCENT_NOT_ALLOWED"),
    ("11,5 %", {}, "VALUE_PERCENT_NOT_ALLOWED"),
]


@pytest.mark.parametrize(("raw", "kwargs", "code"), MESSY, ids=[f"{r!r}-{c}" for r, _, c in MESSY])
def test_messy_forms_are_rejected(raw: str, kwargs: dict[str, bool], code: str) -> None:
    problem = problem_of(raw, **kwargs)
    assert problem.code == code
    assert problem.code in PROBLEM_CODES
    assert problem.found == raw
    assert problem.detail_vi and problem.detail_en


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [("3.8650.000", "38.650.000"), ("-3.8650.000", "-38.650.000"), ("1.000.", "1.000"), (",5", "0,5")],
)
def test_single_suggestion_is_offered_not_used(raw: str, suggestion: str) -> None:
    problem = problem_of(raw, allow_negative=True)
    assert problem.suggestion == suggestion
    assert suggestion in problem.detail_vi


def test_ambiguous_grouping_offers_both_readings_but_no_suggestion() -> None:
    problem = problem_of("27.1")
    assert problem.suggestion is None
    assert "271" in problem.detail_vi and "27,1" in problem.detail_vi


def test_hedge_detail_names_the_word_as_written() -> None:
    assert "'Khoảng'" in problem_of("Khoảng 50").detail_vi
    assert "'triệu'" in problem_of("22,178 triệu").detail_vi


# ---- numeric cells, empty cells, units ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(2432, "2432"), (0.1, "0.1"), (3941.68, "3941.68"), (1e16, "1E+16"), (Decimal("7.25"), "7.25")],
)
def test_numeric_cells_are_taken_as_they_are(raw: object, expected: str) -> None:
    value = ok(raw)
    assert value == Decimal(expected)
    assert str(value) == str(Decimal(expected))  # 0.1 stays 0.1, not 0.1000000000000000055...


@pytest.mark.parametrize("raw", [True, False, float("nan"), float("inf"), -float("inf"), Decimal("NaN"), [1]])
def test_non_numeric_cells(raw: object) -> None:
    assert problem_of(raw).code == "VALUE_NOT_A_NUMBER"


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0", "\u202f\t\n", "\u200b"])
def test_empty_cell_is_no_value(raw: object) -> None:
    assert read_number(raw) == (None, None)
    assert read_number(raw, integer=True, percent_unit=True) == (None, None)


def test_percent_unit() -> None:
    assert ok("50%", percent_unit=True) == 50
    assert ok("11,5 %", percent_unit=True) == Decimal("11.5")
    assert ok("11,5", percent_unit=True) == Decimal("11.5")  # the sign is optional
    assert ok("120,3%", percent_unit=True) == Decimal("120.3")  # growth rates exceed 100
    assert ok(0.5, percent_unit=True) == Decimal("0.5")  # numeric cells are not rescaled
    assert problem_of("-3,2%", percent_unit=True).code == "VALUE_NEGATIVE"
    assert ok("-3,2%", percent_unit=True, allow_negative=True) == Decimal("-3.2")


def test_integer_units() -> None:
    assert ok("1.170", integer=True) == 1170
    assert ok("12,0", integer=True) == 12
    assert str(ok(3.0, integer=True)) == "3"
    assert problem_of(1.5, integer=True).code == "VALUE_NOT_INTEGER"
    assert problem_of("0,5", integer=True).code == "VALUE_NOT_INTEGER"


def test_negative_values() -> None:
    assert problem_of(-2).code == "VALUE_NEGATIVE"
    assert problem_of(-0.5).code == "VALUE_NEGATIVE"
    assert ok(-2, allow_negative=True) == -2
    assert ok("-1.170,5", allow_negative=True) == Decimal("-1170.5")
    assert ok("−5", allow_negative=True) == -5
    assert ok("- 1 170", allow_negative=True) == -1170
    assert ok(-0.0) == 0


def test_problem_is_frozen() -> None:
    problem = problem_of("abc")
    with pytest.raises(AttributeError):
        problem.code = "X"  # type: ignore[misc]
