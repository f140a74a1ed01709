"""The data dictionary (từ điển dữ liệu): docs/data_dictionary.md, generated from the
reference files so that it cannot drift from what the warehouse does.

Sources: the indicator catalog and its units (reference/indicators.yaml, via etl.domain.catalog),
the column descriptions of the analysts' views (reference/mart_columns.yaml, the same text
`baocao db upgrade` puts into COMMENT ON COLUMN), and the mart SQL in sql/mart/ for each
view's columns in order and for the objects documented by their own COMMENT statements
(mart.submission_status, mart.reporting_rate). No database is needed.

`python -m etl.marts.dictionary` prints it; `baocao dictionary -o docs/data_dictionary.md` writes it;
tests/test_dictionary.py fails when the committed file is not the generator's output."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from etl.domain.catalog import AGGREGATION_TYPE, CATALOG_PATH, Catalog, Indicator, load_catalog
from etl.domain.numbers import format_vi
from etl.marts.rollup import MART_COLUMNS_PATH, mart_column_docs
from etl.paths import PROJECT_ROOT, SQL_DIR

__all__ = ["MART_OBJECTS", "MartObject", "mart_objects", "render_dictionary", "select_columns"]

# The analysts' objects in schema mart, in the order the dictionary lists them: the contract's
# (section 3) first, then the helper views. Objects listed in mart_columns.yaml take their
# column descriptions from there; the others from COMMENT statements in their SQL file.
MART_OBJECTS = (
    "indicator_monthly",
    "indicator_semiannual",
    "indicator_annual",
    "task_monthly",
    "task_semiannual",
    "task_annual",
    "submission_status",
    "reporting_rate",
    "district_unit",
    "unit_name",
)
# Materialized storage behind the views; analysts query the views.
INTERNAL_TABLES = ("indicator_rollup", "task_rollup")

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


@dataclass(frozen=True)
class MartObject:
    name: str
    kind: str  # view | table
    description: str
    columns: list[tuple[str, str]]  # (column, description) in the object's order
    source: str  # sql file, relative to the project


def _top_level(text: str) -> Iterator[tuple[int, str]]:
    """(position, character) of the characters outside parentheses and quotes."""
    depth, quoted = 0, False
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            yield i, ch


def _split_top_level(text: str) -> list[str]:
    """Split a select list on the commas outside parentheses and quotes."""
    parts, start = [], 0
    for i, ch in _top_level(text):
        if ch == ",":
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def select_columns(sql: str) -> list[str]:
    """Output column names of `CREATE ... VIEW ... AS SELECT ...` (the first SELECT of a UNION)."""
    body = _strip_comments(sql)
    match = re.search(r"\bVIEW\s+\S+\s+AS\s+SELECT\s+(?:DISTINCT\s+)?", body, re.IGNORECASE)
    if not match:
        raise ValueError("not a CREATE VIEW ... AS SELECT statement")
    text = body[match.end():]
    end = next((i for i, _ in _top_level(text)
                if re.match(r"\bFROM\b", text[i:i + 5], re.IGNORECASE) and not text[i - 1].isalnum()), None)
    if end is None:
        raise ValueError("SELECT list without FROM")
    names = []
    for item in _split_top_level(text[:end]):
        alias = re.search(r"\bAS\s+(\w+)\s*$", item, re.IGNORECASE)
        names.append(alias.group(1) if alias else item.split(".")[-1].strip())
    return names


def table_columns(sql: str) -> list[str]:
    """Column names of `CREATE TABLE x (...)`, constraints left out."""
    body = _strip_comments(sql)
    match = re.search(r"\bCREATE\s+TABLE\s+\S+\s*\(", body, re.IGNORECASE)
    if not match:
        raise ValueError("not a CREATE TABLE statement")
    depth, end = 1, None
    for i in range(match.end(), len(body)):
        depth += {"(": 1, ")": -1}.get(body[i], 0)
        if depth == 0:
            end = i
            break
    items = _split_top_level(body[match.end():end])
    skip = ("PRIMARY", "UNIQUE", "CONSTRAINT", "CHECK", "FOREIGN", "EXCLUDE")
    return [item.split()[0] for item in items if item.split()[0].upper() not in skip]


def _sql_comments(sql: str, name: str) -> tuple[str | None, dict[str, str]]:
    """COMMENT ON TABLE/VIEW mart.name and COMMENT ON COLUMN mart.name.col in a SQL file."""
    literal = r"'((?:[^']|'')*)'"
    obj = re.search(rf"COMMENT ON (?:TABLE|VIEW) mart\.{name} IS\s+{literal}", sql)
    columns = {m.group(1): m.group(2).replace("''", "'")
               for m in re.finditer(rf"COMMENT ON COLUMN mart\.{name}\.(\w+) IS\s+{literal}", sql)}
    return (obj.group(1).replace("''", "'") if obj else None), columns


def mart_objects() -> list[MartObject]:
    docs = mart_column_docs()
    objects = []
    for name in MART_OBJECTS:
        path = SQL_DIR / "mart" / f"{name}.sql"
        sql = path.read_text(encoding="utf-8")
        is_view = re.search(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?VIEW\b", sql, re.IGNORECASE) is not None
        columns = select_columns(sql) if is_view else table_columns(sql)
        if name in docs["views"]:
            description, described = docs["views"][name], docs["columns"]
            where = MART_COLUMNS_PATH.relative_to(PROJECT_ROOT)
        else:
            description, described = _sql_comments(sql, name)
            where = path.relative_to(PROJECT_ROOT)
        missing = [c for c in columns if c not in described]
        if description is None or missing:
            raise ValueError(f"{where}: mart.{name} is not documented (object or columns {missing})")
        objects.append(MartObject(name, "view" if is_view else "table", description,
                                  [(c, described[c]) for c in columns], str(path.relative_to(PROJECT_ROOT))))
    return objects


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
    columns_src = MART_COLUMNS_PATH.relative_to(PROJECT_ROOT)
    lines = [
        "# Từ điển dữ liệu / Data dictionary",
        "",
        f"<!-- Sinh tự động bởi `baocao dictionary -o docs/data_dictionary.md` từ {catalog_src}, {columns_src} "
        "và sql/mart/; không sửa tay. Generated, do not edit: change the sources and regenerate. -->",
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
        f"`mart.{'`, `mart.'.join(INTERNAL_TABLES)}` là bảng lưu trữ phía sau các view, do `baocao rollup` làm mới; "
        "hãy đọc các view. They are the materialized storage behind the views. Hàm "
        "`mart.submission_status_at(as_of)` cho tình trạng nộp báo cáo tại một thời điểm bất kỳ, cùng các cột "
        "như `mart.submission_status` (trừ `as_of`) / gives the submission status as of any moment.",
    ]
    for obj in mart_objects():
        lines += ["", f"### mart.{obj.name} ({obj.kind})", "", obj.description, "",
                  *_table(["Cột / column", "Mô tả / description"], [[f"`{c}`", d] for c, d in obj.columns])]
    return "\n".join(lines) + "\n"


def main() -> None:
    import sys

    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8")  # Vietnamese text whatever the console's locale
    sys.stdout.write(render_dictionary())


if __name__ == "__main__":
    main()
