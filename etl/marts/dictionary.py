"""The data dictionary (từ điển dữ liệu): docs/data_dictionary.md, generated from the
reference files so that it cannot drift from what the warehouse does.

Sources: the indicator catalog and its units (reference/indicators.yaml, via etl.domain.catalog)
and the mart docs (reference/marts/<object>.yaml, via etl.marts.docs: each object's description
and columns in order, the same text `baocao db upgrade` puts into COMMENT ON). No database and
no SQL is read.

`python -m etl.marts.dictionary` prints it; `baocao dictionary -o docs/data_dictionary.md` writes it;
tests/test_dictionary.py fails when the committed file is not the generator's output."""

from __future__ import annotations

from decimal import Decimal

from etl.domain.catalog import AGGREGATION_TYPE, CATALOG_PATH, Catalog, Indicator, load_catalog
from etl.domain.numbers import format_vi
from etl.marts.docs import MART_DOCS_DIR, MartDoc, load_mart_docs
from etl.paths import PROJECT_ROOT

__all__ = ["MART_OBJECTS", "internal_tables", "mart_objects", "render_dictionary"]

# The analysts' objects in schema mart, in the order the dictionary lists them: the contract's
# (section 3) first, then the helper views. Every other documented object is internal storage.
MART_OBJECTS = (
    "indicator_monthly",
    "indicator_semiannual",
    "indicator_annual",
    "task_monthly",
    "task_semiannual",
    "task_annual",
    "task_overdue",
    "submission_status",
    "reporting_rate",
    "district_unit",
    "unit_name",
    "reporting_unit",
    "figure_revision",
)

KIND_TEXT = {
    "flow": ("lưu lượng: cộng các tháng của kỳ; lũy kế từ đầu năm", "summed over the period; year to date"),
    "stock": ("thời điểm: lấy giá trị tháng cuối kỳ", "the level at the end of the period (last month)"),
    "opening": ("số đầu kỳ: lấy giá trị tháng đầu kỳ", "the balance at the start of the period (first month)"),
    "rate": ("tỷ lệ: tính lại từ tử số và mẫu số ở mọi cấp, không cộng, không lấy trung bình",
             "recomputed from numerator and denominator at every level, never summed or averaged"),
}
DIRECTION_TEXT = {
    "higher_is_better": ("cao hơn là tốt: đạt kế hoạch khi giá trị ≥ kế hoạch", "plan met when value ≥ plan"),
    "lower_is_better": ("thấp hơn là tốt: đạt kế hoạch khi giá trị ≤ kế hoạch", "plan met when value ≤ plan"),
    "none": ("không đánh giá đạt/không đạt", "no plan attainment"),
}
LEVEL_TEXT = (
    ("district", "huyện, quận, thị xã, thành phố thuộc tỉnh (mã 3 chữ số)", "district (3-digit code)"),
    ("province", "tỉnh theo địa giới trước 1/7/2025 (63 tỉnh, mã 2 chữ số)", "legacy province (63, 2-digit code)"),
    ("province_2025", "tỉnh sau sắp xếp từ 1/7/2025 (34 tỉnh) chứa huyện đó",
     "the merged province (34) that now contains the district"),
)


def mart_objects() -> list[MartDoc]:
    """The analysts' objects in the dictionary's order; every documented object is either one of
    them or internal."""
    docs = load_mart_docs()
    listed = {name for name, doc in docs.items() if not doc.internal}
    if listed != set(MART_OBJECTS):
        raise ValueError(f"{MART_DOCS_DIR}: the objects not marked internal {sorted(listed)} are not "
                         f"etl.marts.dictionary.MART_OBJECTS {sorted(MART_OBJECTS)}")
    return [docs[name] for name in MART_OBJECTS]


def internal_tables() -> list[str]:
    return [name for name, doc in load_mart_docs().items() if doc.internal]


# --- Markdown -----------------------------------------------------------------------------


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _sum_text(codes: tuple[str, ...]) -> str:
    joined = " + ".join(codes)
    return f"({joined})" if len(codes) > 1 else joined


def _formula(ind: Indicator) -> str:
    parts = []
    if ind.kind == "rate":
        parts.append(f"{_sum_text(ind.numerator)} / {_sum_text(ind.denominator)} × {format_vi(ind.scale)}")
    if ind.rule:
        parts.append(ind.rule)
    if ind.allow_negative:
        parts.append("được phép âm / may be negative")
    if ind.min_value is not None or ind.max_value is not None:
        low = "" if ind.min_value is None else format_vi(ind.min_value)
        high = "" if ind.max_value is None else format_vi(ind.max_value)
        parts.append(f"giá trị trong [{low}; {high}] / range [{low}; {high}]")
    return "; ".join(parts)


def _indicator_rows(catalog: Catalog) -> list[list[object]]:
    rows = []
    for ind in catalog.indicators.values():
        threshold = "" if ind.max_month_change_pct is None else f"±{format_vi(ind.max_month_change_pct)}% / tháng"
        rows.append([ind.code, ind.name, ind.name_en, ind.unit, ind.kind, AGGREGATION_TYPE[ind.kind], ind.direction,
                     _formula(ind), threshold, "mở rộng / extension" if ind.extension else "hợp đồng v1 / contract v1"])
    return rows


def _unit_rows(catalog: Catalog) -> list[list[object]]:
    base = {u.dimension: u.name for u in catalog.units.values() if u.factor == 1}
    used: dict[str, list[str]] = {}
    for ind in catalog.indicators.values():
        used.setdefault(ind.unit, []).append(ind.code)
    rows = []
    for unit in catalog.units.values():
        if unit.factor == 1:
            conversion = "đơn vị gốc / base unit"
        else:
            conversion = f"1 {unit.name} = {format_vi(Decimal(unit.factor))} {base.get(unit.dimension, '?')}"
        rows.append([unit.name, unit.dimension, conversion, "có / yes" if unit.integer else "",
                     ", ".join(unit.aliases), ", ".join(used.get(unit.name, []))])
    return rows


def render_dictionary() -> str:
    catalog = load_catalog()
    catalog_src = CATALOG_PATH.relative_to(PROJECT_ROOT)
    docs_src = MART_DOCS_DIR.relative_to(PROJECT_ROOT)
    lines = [
        "# Từ điển dữ liệu / Data dictionary",
        "",
        f"<!-- Sinh tự động bởi `baocao dictionary -o docs/data_dictionary.md` từ {catalog_src} và {docs_src}/; "
        "không sửa tay. Generated, do not edit: change the sources and regenerate. -->",
        "",
        "Mọi số trong tài liệu viết theo kiểu Việt Nam: dấu chấm phân cách hàng nghìn, dấu phẩy thập phân "
        "(1.000 = một nghìn; 0,0001). Numbers are written in Vietnamese notation.",
        "",
        "## 1. Chỉ tiêu / Indicators",
        "",
        f"Danh mục phiên bản {catalog.version}, {len(catalog.indicators)} chỉ tiêu ({catalog_src}). "
        "Giá trị luôn được lưu theo đơn vị của danh mục (mục 2). Loại chỉ tiêu quyết định cách tổng hợp theo "
        "thời gian; giữa các huyện mọi loại trừ tỷ lệ đều cộng. Catalog version "
        f"{catalog.version}, {len(catalog.indicators)} indicators; across districts everything but rates sums.",
        "",
        "### Loại chỉ tiêu / Kinds",
        "",
        *_table(["Loại / kind", "DHIS2 aggregation type", "Tổng hợp theo thời gian", "Over time"],
                [[k, AGGREGATION_TYPE[k], *KIND_TEXT[k]] for k in KIND_TEXT]),
        "",
        "### Chiều đánh giá / Directions",
        "",
        *_table(["Chiều / direction", "Ý nghĩa", "Meaning"], [[d, *DIRECTION_TEXT[d]] for d in DIRECTION_TEXT]),
        "",
        "### Danh mục / Catalog",
        "",
        "Ngưỡng bất thường: chỉ tiêu thời điểm thay đổi so với tháng trước quá ngưỡng này thì có cảnh báo. "
        "Outlier threshold: a month-on-month change above it is a warning.",
        "",
        *_table(["Mã / code", "Tên chỉ tiêu", "Name", "ĐVT / unit", "Loại / kind", "DHIS2", "Chiều / direction",
                 "Công thức, quy tắc / formula, rule", "Ngưỡng bất thường / outlier", "Nguồn / source"],
                _indicator_rows(catalog)),
        "",
        "## 2. Đơn vị tính và quy đổi / Units and conversions",
        "",
        "Một giá trị gửi theo đơn vị khác cùng nhóm được quy đổi về đơn vị của danh mục (tỷ đồng → triệu đồng, "
        "nghìn con → con, m² → ha). Đơn vị đếm (số nguyên) không nhận phần thập phân. A value in another unit of "
        "the same dimension is converted to the catalog unit; count units take whole numbers only.",
        "",
        *_table(["Đơn vị / unit", "Nhóm / dimension", "Quy đổi / conversion", "Số nguyên / integer",
                 "Cách viết khác / aliases", "Chỉ tiêu dùng đơn vị này / indicators"], _unit_rows(catalog)),
        "",
        "## 3. Schema mart / Mart views",
        "",
        "Chuyên viên phân tích đọc schema `mart` bằng vai trò chỉ đọc `baocao_analyst`. Analysts read schema "
        "`mart` with the read-only role `baocao_analyst`. Cấp tổng hợp / levels (`level`):",
        "",
        *_table(["level", "Ý nghĩa", "Meaning"], [list(row) for row in LEVEL_TEXT]),
        "",
        f"`mart.{'`, `mart.'.join(internal_tables())}` là bảng lưu trữ phía sau các view, do `baocao rollup` làm mới; "
        "hãy đọc các view. They are the materialized storage behind the views. Hàm "
        "`mart.submission_status_at(as_of)` cho tình trạng nộp báo cáo tại một thời điểm bất kỳ, cùng các cột "
        "như `mart.submission_status` (trừ `as_of`) / gives the submission status as of any moment. Hàm "
        "`mart.expected_district_at(as_of)` là định nghĩa duy nhất của \"phải báo cáo\" (district_code, "
        "province_code, first_period_key, last_period_key): huyện hiện hành của tỉnh được giao từ tháng được giao, "
        "của tỉnh khác từ tháng đầu tiên có báo cáo hợp lệ của chính tỉnh đó, tính tại as_of, và chỉ trong thời gian "
        "huyện tồn tại (`mart.reporting_unit`; mọi huyện đến tháng 6/2025); `submission_status`, "
        "`reporting_rate`, `expected_units` và các cảnh báo đều dùng nó / the one definition of \"expected\", "
        "used by submission_status, reporting_rate, expected_units and the alerts.",
    ]
    for obj in mart_objects():
        lines += ["", f"### mart.{obj.name} ({obj.kind})", "", obj.description, "",
                  *_table(["Cột / column", "Mô tả / description"], [[f"`{c}`", d] for c, d in obj.columns.items()])]
    return "\n".join(lines) + "\n"


def main() -> None:
    import sys

    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8")  # Vietnamese text whatever the console's locale
    sys.stdout.write(render_dictionary())


if __name__ == "__main__":
    main()
