"""Strict reader (and writer) of numbers in Vietnamese notation for district value cells.

Vietnamese notation: '.' groups thousands, ',' is the decimal mark ('3.941,68' = 3941.68).
Babel's `parse_decimal(..., locale='vi', strict=True)` does the actual reading and catches
misplaced group separators; this module only pre-classifies what Babel cannot tell apart
(hedges, ranges, fractions, words, percent signs, space grouping) so a clerk gets a precise
reason, and never guesses a value. Behaviours of Babel 2.18 this code relies on / guards against:

* strict checking only happens when the text contains '.'; '04', '00,5', '5,' and ',5' pass;
* it accepts '+5' but rejects '+1.170' (it compares with its own formatting, which has no '+');
* it accepts 'NaN', 'Infinity', '1e5', '1_000' and non-ASCII digits ('٣', '１２') because it
  falls back to `decimal.Decimal`; hence the character whitelist below;
* it rejects surrounding whitespace only when grouped ('  1.000  ' fails, ' 12 ' passes);
* space grouping is only understood in non-strict mode and only for space-grouping locales;
* beyond 28 significant digits strict mode raises `decimal.InvalidOperation`, not
  `NumberFormatError`.

With `bounded=True` (what the structural checks use), a value must also be below
etl.intake.limits.MAX_ABS_VALUE and have at most MAX_DECIMAL_PLACES decimals, whatever the
notation: beyond that pandas, the gate or PostgreSQL would fail on it.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from babel import Locale
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from etl.domain.text import strip_diacritics
from etl.intake.limits import MAX_ABS_VALUE, MAX_DECIMAL_PLACES

__all__ = ["PROBLEM_CODES", "NumberProblem", "format_vi", "read_number"]

PROBLEM_CODES = (
    "VALUE_MALFORMED",
    "VALUE_HEDGED",
    "VALUE_RANGE",
    "VALUE_FRACTION",
    "VALUE_NOT_A_NUMBER",
    "VALUE_NOT_INTEGER",
    "VALUE_NEGATIVE",
    "VALUE_PERCENT_NOT_ALLOWED",
    "VALUE_TOO_LARGE",
)

_LIMIT_VI = f"{int(MAX_ABS_VALUE):,}".replace(",", ".")

# Parsing the locale costs ~2.5 µs per call when passed as 'vi'; parse it once.
_VI = Locale.parse("vi")

# Characters allowed to group thousands besides '.': space, NBSP, narrow NBSP.
_SPACE_GROUPS = " \u00a0\u202f"
# Invisible characters that copy-paste from Word/web leaves around cell text.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_MINUS_SIGNS = "-\u2212"  # ASCII hyphen-minus and the typographic minus sign
_BODY_CHARS = frozenset("0123456789.," + _SPACE_GROUPS)

# Hedge markers, matched on lower-cased text without diacritics so that clerks typing
# 'khoang 50' (no accents) or 'Khoảng 50' (NFD from some Office builds) are caught too.
_HEDGE_WORDS = (
    "khoang",  # khoảng
    "chung",  # chừng, khoảng chừng
    "tam",  # tầm
    "gan",  # gần, gần như
    "tren",  # trên, trên dưới
    "hon",  # hơn
    "duoi",  # dưới
    "uoc",  # ước, ước tính, ước đạt
    "du kien",  # dự kiến
    "du tinh",  # dự tính
    "toi thieu",  # tối thiểu
    "toi da",  # tối đa
    "it nhat",  # ít nhất
    "nhieu nhat",  # nhiều nhất
    "xap xi",  # xấp xỉ
    "tro len",  # trở lên
    "tro xuong",  # trở xuống
    "khong qua",  # không quá
    "vuot",  # vượt
    "tam tinh",  # tạm tính
)
_HEDGE_RE = re.compile(
    r"(?<![^\W\d_])(?P<w>" + "|".join(re.escape(w) for w in _HEDGE_WORDS) + r")(?![^\W\d_])"
    r"|(?P<s>[~≈≃><≥≤±]|\d\s*\+(?!\s*\d))"
)
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
# A dash or 'đến'/'tới' between two numbers: '9-10', '9 - 10%', '1–4', '9 đến 10'.
_RANGE_RE = re.compile(rf"\d\s*%?\s*(?:[{_DASHES}]|\bden\b|\btoi\b)\s*[{_DASHES}]?\s*\d")
_FRACTION_RE = re.compile(r"\d\s*[/\u2044\u2215÷]\s*\d")
_WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class NumberProblem:
    code: str  # one of PROBLEM_CODES; stable, used by reports and tests
    found: str  # the raw value as written
    detail_vi: str  # for the district clerk
    detail_en: str
    suggestion: str | None = None  # Babel's single "did you mean"; shown, never applied


def read_number(
    raw: object,
    *,
    percent_unit: bool = False,
    integer: bool = False,
    allow_negative: bool = False,
    bounded: bool = False,
) -> tuple[Decimal | None, NumberProblem | None]:
    """Read one value cell. Exactly one of the two is set, or both None for an empty cell."""
    value, problem = _read(raw, percent_unit, integer, allow_negative)
    if bounded and value is not None:
        return _bounded(value, _found(raw))
    return value, problem


def _read(
    raw: object, percent_unit: bool, integer: bool, allow_negative: bool
) -> tuple[Decimal | None, NumberProblem | None]:
    # Fast paths first: most cells are plain digit strings or XLSX/JSON numbers.
    if type(raw) is str:
        if raw.isdigit() and raw.isascii():
            return Decimal(raw), None
        return _read_text(raw, percent_unit, integer, allow_negative)
    if raw is None:
        return None, None
    if type(raw) is int:
        value = Decimal(raw)
    elif type(raw) is float:
        if not math.isfinite(raw):
            # The contract rejects NaN; a reader that goes through pandas (empty cell -> NaN)
            # must map its empties to None before calling.
            return None, _not_a_number(raw)
        value = Decimal(repr(raw))  # repr keeps 0.1 as 0.1, not 0.1000000000000000055...
    elif isinstance(raw, bool):
        # True/False in a value cell is a wrong cell type, not 1/0.
        return None, _not_a_number(raw)
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            return None, _not_a_number(raw)
        value = raw
    elif isinstance(raw, numbers.Integral):  # numpy/pandas integer scalars
        value = Decimal(int(raw))
    elif isinstance(raw, numbers.Real):  # numpy/pandas float scalars
        as_float = float(raw)
        if not math.isfinite(as_float):
            return None, _not_a_number(raw)
        value = Decimal(repr(as_float))
    elif isinstance(raw, str):  # str subclasses
        return _read_text(str(raw), percent_unit, integer, allow_negative)
    else:
        return None, _not_a_number(raw)
    return _check(value, _found(raw), integer=integer, allow_negative=allow_negative)


def _found(raw: object) -> str:
    return raw if isinstance(raw, str) else repr(raw) if isinstance(raw, float) else str(raw)


def _check(
    value: Decimal, found: str, *, integer: bool, allow_negative: bool
) -> tuple[Decimal | None, NumberProblem | None]:
    """Unit rules shared by numeric cells and text: sign, then integrality."""
    if value.is_zero():
        value = value.copy_abs()  # '-0' is zero, not a negative value
    if value < 0 and not allow_negative:
        return None, NumberProblem(
            "VALUE_NEGATIVE",
            found,
            "số âm không hợp lệ cho chỉ tiêu này",
            "a negative value is not allowed for this indicator",
        )
    if integer:
        whole = value.to_integral_value()
        if whole != value:
            return None, NumberProblem(
                "VALUE_NOT_INTEGER",
                found,
                "đơn vị tính là số đếm (hộ, người, ...), phải là số nguyên, không có phần thập phân",
                "the unit is a count (households, persons, ...); the value must be a whole number",
            )
        value = whole  # '12,0' hộ reads as 12
    return value, None


def _bounded(value: Decimal, found: str) -> tuple[Decimal | None, NumberProblem | None]:
    """A read value within etl.intake.limits (size and decimal places), or the problem."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite: NaN and infinities are refused before
    if exponent < -MAX_DECIMAL_PLACES:
        if value.is_zero():
            value = Decimal(0)
        else:
            return None, _malformed(
                found,
                f"có quá nhiều chữ số thập phân (tối đa {MAX_DECIMAL_PLACES}); hãy làm tròn số",
                f"too many decimal places (at most {MAX_DECIMAL_PLACES}); round the value",
            )
    if value.copy_abs() >= MAX_ABS_VALUE:
        return None, NumberProblem(
            "VALUE_TOO_LARGE",
            found,
            f"giá trị tuyệt đối phải nhỏ hơn {_LIMIT_VI}; có thể thừa chữ số hoặc nhầm đơn vị tính",
            f"the absolute value must be below {MAX_ABS_VALUE:.0e}; a digit too many or the wrong unit?",
        )
    return value, None


def _not_a_number(raw: object, word: str | None = None) -> NumberProblem:
    found = _found(raw)
    if found.strip() in ("-", "–", "—", "x", "X"):
        return NumberProblem(
            "VALUE_NOT_A_NUMBER",
            found,
            f"'{found.strip()}' không phải là số: để trống nếu không có số liệu, ghi 0 nếu bằng 0",
            f"'{found.strip()}' is not a number: leave the cell empty if there is no data, write 0 for zero",
        )
    if word:
        return NumberProblem(
            "VALUE_NOT_A_NUMBER",
            found,
            f"có chữ ('{word}') trong ô số liệu, chỉ được ghi số",
            f"the value contains words ('{word}'); write the number only",
        )
    return NumberProblem(
        "VALUE_NOT_A_NUMBER",
        found,
        "không phải là số",
        "not a number",
    )


def _malformed(found: str, vi: str, en: str, suggestion: str | None = None) -> NumberProblem:
    return NumberProblem("VALUE_MALFORMED", found, vi, en, suggestion)


def _read_text(
    raw: str, percent_unit: bool, integer: bool, allow_negative: bool
) -> tuple[Decimal | None, NumberProblem | None]:
    text = raw.strip().strip(_INVISIBLE).strip()
    if not text:
        return None, None
    # Classification only matters when the text has something besides digits, separators,
    # a sign and '%'; skipping it for plain-looking text halves the cost of grouped numbers.
    core = text.lstrip("+" + _MINUS_SIGNS).rstrip("%")
    if not (_BODY_CHARS.issuperset(core) and any(ch.isdigit() for ch in core)):
        problem = _classify(raw, text)
        if problem is not None:
            return None, problem

    body = text
    has_percent = body.endswith("%")
    if has_percent:
        body = body[:-1].rstrip()  # '50%' and '50 %'
    sign = ""
    if body[:1] in _MINUS_SIGNS or body[:1] == "+":
        sign = "-" if body[0] in _MINUS_SIGNS else ""
        body = body[1:].lstrip()

    if not body or not _BODY_CHARS.issuperset(body):
        # '1_000', '(5)', '--5', '50%%', '１２' (Babel would read the last as 12).
        return None, _malformed(
            raw,
            "có ký tự không hợp lệ trong số (chỉ dùng chữ số, dấu chấm hàng nghìn, dấu phẩy thập phân)",
            "contains characters not allowed in a number (digits, '.' thousands, ',' decimals only)",
        )
    if body.count(",") > 1:
        return None, _malformed(
            raw,
            "có nhiều dấu phẩy: dấu phẩy là dấu thập phân, chỉ được một dấu; hàng nghìn dùng dấu chấm",
            "more than one ',': the comma is the decimal mark; group thousands with '.'",
        )
    int_part, comma, frac_part = body.partition(",")
    if comma and (not int_part or not frac_part):
        # Babel reads ',5' and '5,' but a dangling mark may be a truncated value.
        fixed = sign + (int_part if int_part else "0" + body).rstrip(_SPACE_GROUPS)
        return None, _malformed(
            raw,
            f"dấu phẩy thập phân ở đầu hoặc cuối số; có phải là {fixed}?",
            f"the decimal comma is at the start or end of the number; did you mean {fixed}?",
            fixed,
        )
    if any(ch in _SPACE_GROUPS for ch in frac_part):
        return None, _malformed(
            raw,
            "có khoảng trắng trong phần thập phân",
            "a space inside the decimal part",
        )
    if any(ch in _SPACE_GROUPS for ch in int_part):
        if "." in int_part:
            return None, _malformed(
                raw,
                "dùng lẫn dấu chấm và khoảng trắng để phân cách hàng nghìn",
                "mixes '.' and spaces as thousands separators",
            )
        # Space grouping ('1 170 000') becomes dot grouping so Babel checks group sizes.
        int_part = int_part.translate(_SPACE_TO_DOT)
        body = int_part + comma + frac_part
        space_grouped = True
    else:
        space_grouped = False

    try:
        value = parse_decimal(body, locale=_VI, strict=True)
    except NumberFormatError as exc:
        suggestions = exc.suggestions or []
        if space_grouped:
            # Babel's second reading treats the separator as a decimal point ('1 00' -> 1);
            # nobody writes decimals with a space, so keep only the regrouped reading.
            suggestions = suggestions[:1]
        return None, _babel_problem(raw, sign, suggestions, space_grouped)
    except InvalidOperation:  # more digits than Babel's strict check can format
        return None, _malformed(raw, "số quá dài", "the number has too many digits")

    if has_percent and not percent_unit:
        return None, NumberProblem(
            "VALUE_PERCENT_NOT_ALLOWED",
            raw,
            "có dấu %, nhưng đơn vị tính của chỉ tiêu không phải là %",
            "has a '%' sign but the indicator's unit is not %",
        )
    if sign:
        value = -value
    return _check(value, raw, integer=integer, allow_negative=allow_negative)


def _classify(raw: str, text: str) -> NumberProblem | None:
    """Name what Babel would only call 'not a valid decimal number'."""
    # Only a precise message is decided here; the value is always Babel's.
    # Order: hedge > range > fraction > words, as a hedged range is a hedge first.
    folded = strip_diacritics(unicodedata.normalize("NFC", text)).casefold()
    has_digit = any(ch.isdigit() for ch in text)
    if has_digit:
        hedge = _HEDGE_RE.search(folded)
        if hedge:
            marker = _original_span(text, folded, hedge)
            return NumberProblem(
                "VALUE_HEDGED",
                raw,
                f"là số ước lượng ('{marker}'), cần số chính xác",
                f"an approximate value ('{marker}'); an exact number is required",
            )
        if _RANGE_RE.search(folded):
            return NumberProblem(
                "VALUE_RANGE",
                raw,
                "là một khoảng giá trị (từ ... đến ...), cần một số duy nhất",
                "a range of values; a single number is required",
            )
        if _FRACTION_RE.search(folded):
            return NumberProblem(
                "VALUE_FRACTION",
                raw,
                "là phân số hoặc tỷ lệ 'a/b', cần ghi kết quả là một số",
                "a fraction or 'a/b' ratio; write the resulting single number",
            )
    word = _WORD_RE.search(text)
    if word or not has_digit:
        return _not_a_number(raw, word.group() if word else None)
    return None


_SPACE_TO_DOT = str.maketrans(dict.fromkeys(_SPACE_GROUPS, "."))


def _babel_problem(raw: str, sign: str, suggestions: list[str], space_grouped: bool) -> NumberProblem:
    """A Babel rejection. With suggestions it was a misplaced '.' (strict mode); otherwise
    the text is not a number in this notation at all (e.g. '1,2,3')."""
    options = [sign + s for s in suggestions]
    if not options:
        return _malformed(
            raw,
            "không đọc được số (dấu chấm phân cách hàng nghìn, dấu phẩy thập phân)",
            "cannot be read as a number ('.' groups thousands, ',' is the decimal mark)",
        )
    if space_grouped:
        vi, en = "khoảng trắng phân cách hàng nghìn đặt sai vị trí", "a thousands space is misplaced"
    else:
        vi, en = "dấu chấm phân cách hàng nghìn đặt sai vị trí", "a thousands separator '.' is misplaced"
    if len(options) == 1:
        only = options[0]
        return _malformed(raw, f"{vi}; có phải là {only}?", f"{en}; did you mean {only}?", only)
    # Two readings ('27.1' -> 271 or 27,1): offering either as *the* suggestion would guess.
    alternatives_vi = " hoặc ".join(options)
    alternatives_en = " or ".join(options)
    return _malformed(
        raw,
        f"{vi} (số thập phân dùng dấu phẩy); có thể là {alternatives_vi}",
        f"{en} (decimals use ','); it could be {alternatives_en}",
    )


def _original_span(text: str, folded: str, match: re.Match[str]) -> str:
    """The hedge marker as the clerk wrote it; folding keeps length for NFC Vietnamese."""
    start, end = match.span()
    if match.group("s") is not None:
        return match.group("s").strip("0123456789 ")
    nfc = unicodedata.normalize("NFC", text)
    return nfc[start:end] if len(nfc) == len(folded) else match.group()


def format_vi(value: Decimal | int | float, decimals: int | None = None) -> str:
    """Write a number in Vietnamese notation: 1234567.5 -> '1.234.567,5'.

    With `decimals=None` all significant decimals are kept (integers have none); with
    `decimals=n` the value is rounded half-up (the convention in reports; Babel would
    round half-even) and exactly n decimals are written. The output reads back unchanged
    with `read_number`.
    """
    if isinstance(value, bool):
        raise TypeError("format_vi() takes a number, not bool")
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    else:
        number = Decimal(int(value))
    if not number.is_finite():
        raise ValueError(f"cannot write {value!r} as a Vietnamese number")
    digits = len(number.as_tuple().digits) + max(number.adjusted(), 0) + (decimals or 0) + 2
    # Babel formats in the current decimal context; widen it so long values are not rounded.
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, digits)
        if decimals is None:
            if number.is_zero():
                number = Decimal(0)  # no '-0' and no '0,000'
            return format_decimal(number, locale=_VI, decimal_quantization=False)
        if decimals < 0:
            raise ValueError("decimals must be >= 0")
        rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if rounded.is_zero():
            rounded = rounded.copy_abs()
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(rounded, format=pattern, locale=_VI)
