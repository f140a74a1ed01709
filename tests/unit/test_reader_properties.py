"""Property: whatever JSON document or XLSX cell values a district sends, read_file + check_file
never raise, every message code is registered, and nothing kept can break pandas or PostgreSQL."""

from __future__ import annotations

import json
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.intake.limits import MAX_ABS_VALUE, MAX_DATE, MIN_DATE
from etl.intake.readers import read_file
from etl.intake.structure import CheckedFile, check_file
from etl.quality.messages import CODES
from tests import builders as b

AT = datetime.fromisoformat("2024-05-16T09:30:00+07:00")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_text = st.text(max_size=30)
_scalar = st.one_of(
    st.none(), st.booleans(), _text, st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1.170", "3.941,68", "30/06/2925", "0001-01-01", "\u0000", "_x0000_", "#DIV/0!", "9" * 40]),
)
_json_value = st.recursive(_scalar, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(_text, inner, max_size=3), max_leaves=8)


def _assert_safe(result: CheckedFile) -> None:
    assert all(m.code in CODES for m in result.messages), [m.code for m in result.messages]
    for m in result.messages:
        for text in (m.message, m.message_en, m.found or "", m.sheet or "", m.column or ""):
            text.encode("utf-8")  # no lone surrogate
            assert "\x00" not in text
    for row in (*result.indicator_rows, *result.plan_rows, *result.task_rows):
        for value in vars(row).values():
            if isinstance(value, str):
                value.encode("utf-8")
                assert "\x00" not in value
            if isinstance(value, Decimal):
                assert value.is_finite() and value.copy_abs() < MAX_ABS_VALUE * 10**9
            if isinstance(value, date):
                assert MIN_DATE <= value <= MAX_DATE


def _check(name: str, data: bytes) -> CheckedFile:
    result = check_file(read_file(name, data), b.offline_ref(), AT)
    _assert_safe(result)
    return result


@SETTINGS
@given(field=st.sampled_from(["thuc_hien_thang", "luy_ke_nam", "don_vi_tinh", "ma_chi_tieu", "ghi_chu"]),
       value=_json_value)
def test_any_indicator_field_value(field: str, value: Any) -> None:
    sub = b.submission()
    sub["chi_tieu"][0][field] = value
    _check("s.json", json.dumps(sub, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"))


@SETTINGS
@given(field=st.sampled_from(["ma_nhiem_vu", "ten_nhiem_vu", "co_quan_giao", "ngay_giao", "han_hoan_thanh",
                              "trang_thai", "ngay_hoan_thanh", "tien_do"]),
       value=_json_value)
def test_any_task_field_value(field: str, value: Any) -> None:
    sub = b.submission()
    sub["nhiem_vu"][0][field] = value
    _check("s.json", json.dumps(sub, default=str).encode("ascii"))


@SETTINGS
@given(doc=_json_value)
def test_any_json_document(doc: Any) -> None:
    _check("s.json", json.dumps(doc, default=str).encode("ascii"))


@SETTINGS
@given(top=st.dictionaries(st.sampled_from(["ma_huyen", "ky_bao_cao", "thong_tin", "chi_tieu", "nhiem_vu",
                                            "ke_hoach", "nam", "Mã huyện"]), _json_value, max_size=5))
def test_any_top_level_keys(top: dict[str, Any]) -> None:
    _check("s.json", json.dumps({**b.submission(), **top}, default=str).encode("ascii"))


_cell = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.sampled_from(["_x0000_", "_x001F_", "30/06/2925", "1e999", "#REF!", "9" * 40]),
)


@SETTINGS
@given(cells=st.lists(st.tuples(st.sampled_from(["thong_tin", "chi_tieu", "nhiem_vu"]),
                                st.integers(min_value=0, max_value=6), st.integers(min_value=0, max_value=9), _cell),
                      min_size=1, max_size=6))
def test_any_xlsx_cell_values(cells: list[tuple[str, int, int, Any]]) -> None:
    sheets = b.submission_sheets(b.submission())
    for sheet, r, c, value in cells:
        rows = sheets[sheet]
        while len(rows) <= r:
            rows.append([])
        rows[r] = list(rows[r]) + [None] * max(0, c + 1 - len(rows[r]))
        rows[r][c] = value
    with tempfile.TemporaryDirectory() as d:
        path = b.write_sheets(Path(d) / "s.xlsx", sheets)
        _check("s.xlsx", path.read_bytes())
