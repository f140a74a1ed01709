"""`baocao explain`: where a figure of the marts comes from (contract section 4).

`explain` reads the figure (a row of mart.indicator_monthly / _semiannual / _annual, or of their
`_at` functions as of a moment), its lineage (mart.figure_sources: every submitted cell the rollup
read, with the sign it enters with, its file, version and cell), who was expected and did not
report (mart.expected_district_at, mart.submission_status_at) and the plan it was compared with
(the plans in force: core.fct_plan, core.plan_in_force). It then combines the sources as the
rollup does (a sum with signs; a rate, numerator over denominator times the catalog's scale) and
says whether that gives the mart's figure: a disagreement is printed, never smoothed over.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, text

from etl.domain.calendar import MomentError, parse_moment
from etl.domain.catalog import AGGREGATION_TYPE, Indicator, load_catalog
from etl.domain.contract import FLOW, LEVELS, OPENING, RATE, REPORTING_LEVELS, STOCK
from etl.domain.periods import Period, parse_period
from etl.reporting.model import default_level  # the same default level as `baocao report`
from etl.reporting.sentences import LEVEL_LABELS, decimals_for, vi_number

# Relative tolerance for a rate: numeric division in PostgreSQL and in Python round differently
# in the last digits; sums (flows, stocks, opening balances) must agree exactly.
RATE_TOLERANCE = Decimal("1e-9")
MISSING_SHOWN = 40  # units listed in the text (a 2025 province expects up to 168 communes); --json has all

_VIEWS = {"month": "mart.indicator_monthly", "half": "mart.indicator_semiannual", "year": "mart.indicator_annual"}
_PERIOD_FILTER = {"month": "month = :m", "half": "half = :h", "year": "TRUE"}

ROLE_VI = {
    "month value": "thực hiện tháng",
    "month value (subtracted)": "thực hiện tháng (trừ đi)",
    "year to date": "lũy kế năm",
    "previous year to date (subtracted)": "lũy kế trước đó (trừ đi)",
    "last month reported": "tháng cuối có báo cáo trong kỳ",
    "first month reported": "tháng đầu có báo cáo trong kỳ",
    "submitted rate": "tỷ lệ đơn vị tự báo cáo (không kèm số thành phần)",
}
RATE_PART_VI = {"numerator": "tử số", "denominator": "mẫu số"}
STATUS_VI = {"on_time": "đúng hạn", "late": "muộn", "missing": "chưa nộp (quá hạn)", "rejected": "bị trả lại",
             "pending": "chưa đến hạn"}
KIND_VI = {FLOW: "chỉ tiêu dòng (cộng dồn theo thời gian)", STOCK: "chỉ tiêu thời điểm", OPENING: "số đầu kỳ",
           RATE: "tỷ lệ"}
# How each kind makes a figure (sql/rollup/05-07), Vietnamese then English.
RULES = {
    FLOW: ("tháng: số thực hiện tháng (không có thì lũy kế tháng đó trừ lũy kế tháng trước); 6 tháng đầu năm: "
           "lũy kế tháng 6; 6 tháng cuối năm: lũy kế tháng 12 trừ lũy kế tháng 6; cả năm: lũy kế tháng 12; không có "
           "lũy kế thì cộng các tháng (đủ khi có đủ các tháng); cấp tỉnh cộng các đơn vị",
           "a month is its month value (else its year to date minus the previous month's); H1 is June's year to "
           "date, H2 December's minus June's, the year December's; without them, the sum of the months (complete "
           "only with every month); provinces sum their units"),
    STOCK: ("lấy tháng cuối cùng có báo cáo trong kỳ, không cộng các tháng (đủ khi có tháng cuối kỳ); cấp tỉnh cộng "
            "các đơn vị còn tồn tại cuối kỳ",
            "the period's last month reported, never the months' sum (complete with the period's last month); "
            "provinces sum the units that existed at the period's end"),
    OPENING: ("lấy tháng đầu tiên có báo cáo trong kỳ (đủ khi có tháng đầu kỳ); cấp tỉnh cộng các đơn vị có ở đầu kỳ",
              "the period's first month reported (complete with its first month); provinces sum the units that "
              "existed at its start"),
    RATE: ("tính lại từ tổng tử số và tổng mẫu số của các đơn vị, không cộng hay lấy bình quân các tỷ lệ; chỉ khi có "
           "đủ các chỉ tiêu thành phần",
           "recomputed from the summed numerator and denominator of the units, never summed or averaged; only "
           "where every component is there"),
}


class ExplainError(ValueError):
    """A figure that cannot be explained as asked: the message is Vietnamese, then English."""


def parse_as_of(value: str) -> datetime:
    """--as-of: an ISO datetime with its UTC offset (2024-06-19T17:00:00+07:00); a date or a bare
    local time is refused (etl.domain.calendar.parse_moment)."""
    try:
        return parse_moment(value, dates=False)
    except MomentError as exc:
        raise ExplainError(str(exc)) from exc


@dataclass(frozen=True)
class Source:
    """One submitted cell the figure was computed from (a row of mart.figure_sources)."""

    unit_code: str
    unit_name: str
    year: int
    month: int
    indicator_code: str  # a rate's component's code
    rate_part: str | None  # numerator | denominator (a rate's components), else None
    role: str
    sign: Decimal
    value: Decimal  # catalog unit
    raw: str | None  # as typed
    submitted_unit: str
    conversion_factor: Decimal
    value_source: str
    file: str
    sha256: str
    received_at: datetime
    version: int
    submission_id: int
    source_format: str  # xlsx | json
    sheet: str | None  # None for JSON: it has no sheets
    row: int
    column: str
    unit_value: Decimal  # the unit's figure of this indicator, which its sources make
    unit_complete: bool

    @property
    def place(self) -> str:
        """Where the cell is, as the district's clerk would look for it."""
        if self.source_format == "json":
            return f"tệp JSON (không có trang tính): mục 'chi_tieu' số {self.row}, trường '{self.column}'"
        return f"trang '{self.sheet}', dòng {self.row}, cột '{self.column}'"

    def as_json(self) -> dict[str, Any]:
        return {"unit_code": self.unit_code, "unit_name": self.unit_name, "year": self.year, "month": self.month,
                "indicator_code": self.indicator_code, "rate_part": self.rate_part, "role": self.role,
                "sign": _number(self.sign), "value": _number(self.value), "raw": self.raw,
                "submitted_unit": self.submitted_unit, "conversion_factor": _number(self.conversion_factor),
                "value_source": self.value_source, "file": self.file, "sha256": self.sha256,
                "received_at": self.received_at.isoformat(), "version": self.version,
                "submission_id": self.submission_id, "format": self.source_format, "sheet": self.sheet,
                "row": self.row, "column": self.column}


@dataclass(frozen=True)
class UnitPart:
    """One unit's figure of one indicator (a rate: of one component, in one part), from its sources."""

    unit_code: str
    unit_name: str
    indicator_code: str
    rate_part: str | None
    value: Decimal  # as mart.figure_sources gives it (the rollup's figure of the unit)
    combined: Decimal  # sum(sign * value) of its sources
    complete: bool
    sources: tuple[Source, ...]

    def as_json(self) -> dict[str, Any]:
        return {"unit_code": self.unit_code, "unit_name": self.unit_name, "indicator_code": self.indicator_code,
                "rate_part": self.rate_part, "value": _number(self.value), "complete": self.complete,
                "derivation": self.derivation}

    @property
    def derivation(self) -> str:
        """'780 (lũy kế T12/2024) − 210 (lũy kế T06/2024) = 570'."""
        terms: list[str] = []
        # What is added, then what is subtracted, each in month order: "780 (T12) − 210 (T06)".
        for s in sorted(self.sources, key=lambda s: (s.sign < 0, s.month, s.column)):
            label = f"{ROLE_VI.get(s.role, s.role).split(' (')[0]} T{s.month:02d}/{s.year}"
            number = f"{vi_number(abs(s.value))} ({label})"
            terms.append(number if not terms and s.sign > 0 else f"{'+' if s.sign > 0 else '−'} {number}")
            if abs(s.sign) != 1:  # not seen in the rollup's rules; shown rather than hidden
                terms[-1] += f" × {vi_number(abs(s.sign))}"
        return f"{' '.join(terms)} = {vi_number(self.combined)}"


@dataclass(frozen=True)
class MissingUnit:
    """An expected unit whose figure is not complete: absent, or made of part of the period."""

    unit_code: str
    unit_name: str
    contributed: bool  # in the figure, incomplete (a flow's half without a month), or not at all
    months: tuple[tuple[int, int, str], ...]  # (year, month, status) of the period's months not on time/late

    def as_json(self) -> dict[str, Any]:
        return {"unit_code": self.unit_code, "unit_name": self.unit_name, "in_figure": self.contributed,
                "months": [{"year": y, "month": m, "status": s} for y, m, s in self.months]}


@dataclass(frozen=True)
class PlanUsed:
    """A unit's annual plan in force for the figure's year, and the file it came in."""

    unit_code: str
    unit_name: str
    van_ban: str | None
    version: int
    received_at: datetime
    file: str
    sha256: str
    target_value: Decimal  # catalog unit
    raw: str | None
    submitted_unit: str
    conversion_factor: Decimal
    in_figure: bool  # the unit is in the figure: the mart's annual_plan sums these

    def as_json(self) -> dict[str, Any]:
        return {"unit_code": self.unit_code, "unit_name": self.unit_name, "van_ban": self.van_ban,
                "version": self.version, "received_at": self.received_at.isoformat(), "file": self.file,
                "sha256": self.sha256, "target_value": _number(self.target_value), "raw": self.raw,
                "submitted_unit": self.submitted_unit, "conversion_factor": _number(self.conversion_factor),
                "in_figure": self.in_figure}


@dataclass
class Explanation:
    level: str
    unit_code: str
    unit_name: str
    period: Period
    indicator: Indicator
    as_of: datetime | None
    figure_from: str  # the mart view (or its _at function) the figure was read from; 'sources' if none
    mart: dict[str, Any] | None  # the mart row (None: the mart has no such figure)
    current_value: Decimal | None  # as_of without the _at functions: today's mart figure, for comparison
    combined: Decimal | None  # the sources combined as the rollup does
    numerator: Decimal | None
    denominator: Decimal | None
    agrees: bool
    disagreements: list[str]
    sources: list[Source]
    parts: list[UnitPart]
    expected: list[str]  # unit codes expected in the period
    missing: list[MissingUnit]
    plans: list[PlanUsed]
    notes: list[str] = field(default_factory=list)

    @property
    def value(self) -> Decimal | None:
        """The figure: the mart's (as of the moment, where the marts can say), else the sources'."""
        if self.mart is not None:
            return _decimal(self.mart["value"])
        return self.combined if self.figure_from == "sources" else None

    def as_json(self) -> dict[str, Any]:
        m = self.mart or {}
        ind = self.indicator
        return {
            "level": self.level, "unit_code": self.unit_code, "unit_name": self.unit_name,
            "period": self.period.code, "indicator_code": ind.code, "indicator_name": ind.name, "unit": ind.unit,
            "kind": ind.kind, "aggregation": AGGREGATION_TYPE[ind.kind],
            "rule": {"vi": RULES[ind.kind][0], "en": RULES[ind.kind][1]},
            "components": ({"numerator": list(ind.numerator), "denominator": list(ind.denominator),
                            "scale": _number(ind.scale)} if ind.kind == RATE else None),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "figure_from": self.figure_from,
            "value": _number(self.value),
            "ytd_value": _number(_decimal(m.get("ytd_value"))),
            "current_value": _number(self.current_value),
            "reporting_units": m.get("reporting_units"), "expected_units": m.get("expected_units"),
            "carried_forward_units": m.get("carried_forward_units"),
            "combination": {"value": _number(self.combined), "numerator": _number(self.numerator),
                            "denominator": _number(self.denominator)},
            "agrees": self.agrees, "disagreements": self.disagreements,
            "units": [p.as_json() for p in self.parts],
            "sources": [s.as_json() for s in self.sources],
            "expected": self.expected,
            "missing_units": [u.as_json() for u in self.missing],
            "plan": {"annual_plan": _number(_decimal(m.get("annual_plan"))), "plan_units": m.get("plan_units"),
                     "pct_of_annual_plan": _number(_decimal(m.get("pct_of_annual_plan"))),
                     "plans": [p.as_json() for p in self.plans]},
            "notes": self.notes,
        }

    def as_text(self) -> str:
        ind, m = self.indicator, self.mart or {}
        unit = ind.unit
        out = [f"Nguồn gốc số liệu: {ind.code} {ind.name} — {self.unit_name} (mã {self.unit_code}, "
               f"{LEVEL_LABELS[self.level]}), {self.period.label}"]
        if self.as_of is not None:
            out.append(f"Tính đến thời điểm: {self.as_of.isoformat()} (các phiên bản có hiệu lực lúc đó)")
        else:
            out.append("Theo các phiên bản hiện hành")
        value = self.value
        shown = "không có số liệu" if value is None else _with_unit(value, unit)
        where = {"sources": "tính từ các nguồn dưới đây; mart chỉ giữ số hiện hành"}.get(self.figure_from,
                                                                                      self.figure_from)
        out.append(f"Số liệu: {shown} ({where})")
        if m.get("ytd_value") is not None and ind.kind == FLOW:
            out.append(f"Lũy kế năm: {_with_unit(_decimal(m['ytd_value']), unit)}"
                       + (f" (trong đó {m['carried_forward_units']} đơn vị lấy lũy kế tháng trước)"
                          if m.get("carried_forward_units") else ""))
        if self.current_value is not None and self.current_value != value:
            out.append(f"Số hiện hành trong mart: {_with_unit(self.current_value, unit)} "
                       "(đã điều chỉnh sau thời điểm này)")
        if m:
            out.append(f"Đơn vị có số liệu đủ kỳ: {m['reporting_units']}/{m['expected_units']}")
        out.append(f"Loại chỉ tiêu: {KIND_VI[ind.kind]} ({ind.kind}, {AGGREGATION_TYPE[ind.kind]}): "
                   f"{RULES[ind.kind][0]}")
        if ind.kind == RATE:
            out.append(f"Công thức: ({' + '.join(ind.numerator)}) / ({' + '.join(ind.denominator)}) × "
                       f"{vi_number(ind.scale)}")

        out += ["", "Cách tính:"]
        for p in self.parts:
            part = f" [{RATE_PART_VI[p.rate_part]} {p.indicator_code}]" if p.rate_part else (
                f" [{p.indicator_code}]" if p.indicator_code != ind.code else "")
            mark = "đủ kỳ" if p.complete else "chưa đủ kỳ"
            out.append(f"  {p.unit_name} ({p.unit_code}){part}: {p.derivation} ({mark})")
        if not self.parts:
            out.append("  (không có ô nguồn nào)")
        out.append("  " + self._combination_line())
        if self.agrees:
            out.append("  Khớp với số liệu trong mart." if self.mart is not None else
                       "  (mart không có số liệu này để đối chiếu)")
        for d in self.disagreements:
            out.append(f"  KHÔNG KHỚP: {d}")

        out += ["", f"Các ô nguồn ({len(self.sources)}):"]
        catalog = load_catalog().indicators
        for s in self.sources:
            sign = "+" if s.sign > 0 else "−"
            part = f"{RATE_PART_VI[s.rate_part]} " if s.rate_part else ""
            cell_unit = catalog[s.indicator_code].unit if s.indicator_code in catalog else ""
            typed = f'ghi "{s.raw}" {s.submitted_unit}'
            if s.conversion_factor != 1:
                typed += f" × {vi_number(s.conversion_factor)}"
            out.append(f"  {sign} {s.unit_code} {s.indicator_code} T{s.month:02d}/{s.year} {part}"
                       f"{ROLE_VI.get(s.role, s.role)}: {_with_unit(s.value, cell_unit)} ({typed})")
            out.append(f"      tệp {s.file}, phiên bản {s.version}, nhận {_local(s.received_at)}; {s.place}")
            out.append(f"      sha256 {s.sha256}")

        out += ["", f"Đơn vị phải báo cáo trong kỳ: {len(self.expected)}"]
        if self.missing:
            out.append(f"Chưa có số liệu đủ kỳ ({len(self.missing)}):")
            for u in self.missing[:MISSING_SHOWN]:
                state = "có trong tổng nhưng chưa đủ kỳ" if u.contributed else "không có trong tổng"
                months = _month_runs(u.months)
                out.append(f"  {u.unit_code} {u.unit_name}: {state}" + (f" ({months})" if months else ""))
            if len(self.missing) > MISSING_SHOWN:
                out.append(f"  … và {len(self.missing) - MISSING_SHOWN} đơn vị khác (--json liệt kê đủ)")
        else:
            out.append("Không thiếu đơn vị nào.")

        out += ["", "Kế hoạch năm so sánh:"]
        if m.get("annual_plan") is not None:
            pct = f", đạt {vi_number(_decimal(m['pct_of_annual_plan']), 2)}%" if m.get(
                "pct_of_annual_plan") is not None else ""
            out.append(f"  {_with_unit(_decimal(m['annual_plan']), unit)} (kế hoạch của {m['plan_units']} đơn vị){pct}")
        for p in self.plans:
            used = "" if p.in_figure else " (không tính: đơn vị không có trong số liệu)"
            out.append(f"  {p.unit_code} {p.unit_name}: {_with_unit(p.target_value, unit)}, văn bản "
                       f"{p.van_ban or '(không ghi)'}, phiên bản {p.version}, nhận {_local(p.received_at)}, "
                       f"tệp {p.file}{used}")
        if not self.plans:
            out.append("  (không có kế hoạch)")
        if self.notes:
            out += ["", "Ghi chú:"] + [f"  - {n}" for n in self.notes]
        return "\n".join(out) + "\n"

    def _combination_line(self) -> str:
        if self.indicator.kind == RATE and self.numerator is not None:
            den = "không có" if self.denominator is None else vi_number(self.denominator)
            got = "không tính được" if self.combined is None else f"{vi_number(self.combined, 2)}%"
            return (f"Tỷ lệ = tử số {vi_number(self.numerator)} / mẫu số {den} × "
                    f"{vi_number(self.indicator.scale)} = {got}")
        if self.combined is None:
            return "Tổng: không có"
        totals = [p.combined for p in self.parts]
        if len(totals) > 1:
            return f"Tổng: {' + '.join(vi_number(t) for t in totals)} = {vi_number(self.combined)}"
        return f"Tổng: {vi_number(self.combined)}"

    def as_json_text(self) -> str:
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2)


def explain(engine: Engine, level: str | None, unit_code: str, period: str, indicator_code: str,
            as_of: datetime | None = None) -> Explanation:
    """How the figure of `indicator_code` for `unit_code` at `level` in `period` was made, from the
    current versions or, with `as_of` (aware), from those in force at that moment."""
    unit_code = unit_code.strip()
    parsed = parse_period(period)
    level = level or default_level(unit_code)
    if level not in LEVELS:
        raise ExplainError(f"cấp '{level}' không hợp lệ: dùng {', '.join(LEVELS)} / "
                           f"invalid level '{level}': use {', '.join(LEVELS)}")
    code = indicator_code.strip().upper()
    indicator = load_catalog().indicators.get(code)
    if indicator is None:
        raise ExplainError(f"không có chỉ tiêu '{indicator_code}' trong danh mục / no indicator '{indicator_code}' "
                           "in the catalog (reference/indicators.yaml)")
    if as_of is not None and as_of.tzinfo is None:
        raise ExplainError("as_of cần múi giờ / as_of needs a UTC offset")
    with engine.connect() as conn:
        unit_name = conn.execute(text("SELECT unit_name FROM mart.unit_name WHERE level = :l AND unit_code = :u"),
                                 {"l": level, "u": unit_code}).scalar()
        if unit_name is None:
            elsewhere = conn.execute(text("SELECT level FROM mart.unit_name WHERE unit_code = :u ORDER BY level"),
                                     {"u": unit_code}).scalars().all()
            levels = ", ".join(elsewhere)
            hint = f" (có ở cấp {levels} / it exists at level {levels})" if elsewhere else ""
            raise ExplainError(f"không có đơn vị mã {unit_code} ở cấp {level} / no unit {unit_code} at level "
                               f"{level}{hint}")
        units = dict(conn.execute(text("""
            SELECT du.district_code, own.unit_name FROM mart.district_unit AS du
            JOIN mart.district_unit AS own ON own.district_code = du.district_code
                                          AND own.level IN ('district', 'commune')
            WHERE du.level = :l AND du.unit_code = :u
            ORDER BY 1"""), {"l": level, "u": unit_code}).all())
        mart, figure_from, current = _mart_row(conn, level, unit_code, parsed, code, as_of)
        sources = _sources(conn, level, unit_code, parsed, code, as_of, units)
        explanation = _combine(level, unit_code, unit_name, parsed, indicator, as_of, mart, figure_from, current,
                               sources)
        explanation.expected, explanation.missing = _missing(conn, explanation, units)
        explanation.plans = _plans(conn, explanation, units)
        _check_plan(explanation)
        if explanation.disagreements:
            queued = conn.execute(text("SELECT count(*) FROM ops.rollup_queue WHERE district_code = ANY(:u)"),
                                  {"u": list(units)}).scalar()
            if queued:
                explanation.notes.append(
                    f"{queued} đơn vị-năm của số liệu này đang chờ làm mới mart (ops.rollup_queue): chạy `baocao "
                    "rollup` rồi xem lại / the marts were not refreshed since these files loaded: run baocao rollup")
    return explanation


# ------------------------------------------------------------------------------------ reading


def _has_function(conn: Connection, signature: str) -> bool:
    return conn.execute(text("SELECT to_regprocedure(:s) IS NOT NULL"), {"s": signature}).scalar()


def _mart_row(conn: Connection, level: str, unit_code: str, period: Period, code: str,
              as_of: datetime | None) -> tuple[dict[str, Any] | None, str, Decimal | None]:
    """The figure's mart row, where it was read from, and (as of a moment the marts cannot compute)
    today's value for comparison."""
    view = _VIEWS[period.kind]
    params = {"l": level, "u": unit_code, "y": period.year, "m": period.month, "h": period.half, "c": code,
              "as_of": as_of}
    where = f"level = :l AND unit_code = :u AND year = :y AND {_PERIOD_FILTER[period.kind]} AND indicator_code = :c"
    row = conn.execute(text(f"SELECT * FROM {view} WHERE {where}"), params).mappings().first()
    current = dict(row) if row is not None else None
    if as_of is None:
        return current, view, None
    at = f"{view}_at"
    if _has_function(conn, f"{at}(timestamptz, text, text, integer)"):
        # The as-of computation is the rollup's own (mart.indicator_*_at), asked for this unit and year only.
        row = conn.execute(text(f"SELECT * FROM {at}(:as_of, :l, :u, :y) WHERE {where}"), params).mappings().first()
        return (dict(row) if row is not None else None), at, _decimal(current["value"]) if current else None
    return None, "sources", _decimal(current["value"]) if current else None


def _sources(conn: Connection, level: str, unit_code: str, period: Period, code: str, as_of: datetime | None,
             names: Mapping[str, str]) -> list[Source]:
    rows = conn.execute(text("SELECT * FROM mart.figure_sources(:l, :u, :p, :c, :as_of)"),
                        {"l": level, "u": unit_code, "p": period.code, "c": code, "as_of": as_of}).mappings().all()
    return [Source(unit_code=r["unit_code"], unit_name=names.get(r["unit_code"], r["unit_code"]), year=r["year"],
                   month=r["month"], indicator_code=r["indicator_code"], rate_part=r["rate_part"], role=r["role"],
                   sign=Decimal(r["sign"]), value=Decimal(r["value"]), raw=r["raw"],
                   submitted_unit=r["submitted_unit"], conversion_factor=Decimal(r["conversion_factor"]),
                   value_source=r["value_source"], file=r["file_name"], sha256=r["sha256"],
                   received_at=r["received_at"], version=r["version"], submission_id=r["submission_id"],
                   source_format=r["source_format"], sheet=r["sheet"], row=r["row_number"], column=r["column_name"],
                   unit_value=Decimal(r["unit_value"]), unit_complete=r["unit_complete"])
            for r in rows]


def _combine(level: str, unit_code: str, unit_name: str, period: Period, indicator: Indicator,
             as_of: datetime | None, mart: dict[str, Any] | None, figure_from: str, current: Decimal | None,
             sources: list[Source]) -> Explanation:
    """The sources combined as the rollup combines them, and every way that differs from the mart."""
    groups: dict[tuple[str | None, str, str], list[Source]] = {}
    for s in sources:
        groups.setdefault((s.rate_part, s.indicator_code, s.unit_code), []).append(s)
    parts = []
    disagreements = []
    part_order = {None: 0, "numerator": 1, "denominator": 2}
    for (rate_part, code, unit), members in sorted(groups.items(),
                                                   key=lambda g: (part_order[g[0][0]], g[0][1], g[0][2])):
        combined = sum((s.sign * s.value for s in members), Decimal(0))
        first = members[0]
        parts.append(UnitPart(unit, first.unit_name, code, rate_part, first.unit_value, combined,
                              first.unit_complete, tuple(members)))
        if combined != first.unit_value:
            disagreements.append(f"{unit} {code}: các ô nguồn cộng lại được {vi_number(combined)} nhưng số của đơn vị "
                                 f"là {vi_number(first.unit_value)} / its cells give {combined}, its figure is "
                                 f"{first.unit_value}")
    numerator = denominator = combined_value = None
    if sources and indicator.kind == RATE and any(s.rate_part for s in sources):
        numerator = sum((s.sign * s.value for s in sources if s.rate_part == "numerator"), Decimal(0))
        denominator = sum((s.sign * s.value for s in sources if s.rate_part == "denominator"), Decimal(0))
        combined_value = numerator / denominator * indicator.scale if denominator else None
    elif sources:
        combined_value = sum((s.sign * s.value for s in sources), Decimal(0))

    mart_value = _decimal(mart["value"]) if mart is not None else None
    if figure_from != "sources":
        if mart is None and sources:
            disagreements.append("mart không có số liệu này nhưng có ô nguồn / the mart has no such figure, yet "
                                 "there are cells it would be made of")
        elif mart is not None and not _same(mart_value, combined_value, indicator.kind):
            disagreements.append(f"số liệu trong mart là {_or_none(mart_value)} nhưng các nguồn cho "
                                 f"{_or_none(combined_value)} / the mart holds {mart_value}, the sources give "
                                 f"{combined_value}")
        if mart is not None and indicator.kind != RATE and mart_value is not None:
            complete = len({p.unit_code for p in parts if p.complete})
            if complete != mart["reporting_units"]:
                disagreements.append(f"mart ghi {mart['reporting_units']} đơn vị đủ kỳ nhưng các nguồn cho {complete} "
                                     f"/ the mart counts {mart['reporting_units']} complete units, the sources "
                                     f"{complete}")
    explanation = Explanation(level, unit_code, unit_name, period, indicator, as_of, figure_from, mart, current,
                              combined_value, numerator, denominator, not disagreements, disagreements, sources,
                              parts, [], [], [])
    if figure_from == "sources" and as_of is not None:
        explanation.notes.append("mart chỉ giữ số hiện hành; số liệu tại thời điểm này được tính lại từ các nguồn / "
                                 "the marts hold today's figures; this one is the sources combined")
    if any(s.role == "submitted rate" for s in sources):
        explanation.notes.append("đơn vị gửi tỷ lệ mà không gửi các chỉ tiêu thành phần: giữ nguyên số đơn vị báo cáo "
                                 "cho tháng này, không kiểm tra được và không cộng lên tỉnh / a rate sent without its "
                                 "components: kept for the month as sent, unchecked and not summed into the province")
    return explanation


def _missing(conn: Connection, e: Explanation, units: Mapping[str, str]) -> tuple[list[str], list[MissingUnit]]:
    """The units expected in the period (mart.expected_district_at, by what the figure is made of: any
    month for a flow or rate, the last for a stock, the first for an opening balance) whose figure is
    not complete, with the status of the period's months they did not deliver."""
    moment = e.as_of or datetime.now(UTC)
    first = e.period.year * 100 + e.period.first_month
    last = e.period.year * 100 + e.period.last_month
    start, end = {STOCK: (last, last), OPENING: (first, first)}.get(e.indicator.kind, (last, first))
    expected = conn.execute(text("""
        SELECT x.district_code FROM mart.expected_district_at(:moment) AS x
        WHERE x.district_code = ANY(:units) AND x.first_period_key <= :start
          AND coalesce(x.last_period_key, 999999) >= :end
        ORDER BY 1"""), {"moment": moment, "units": list(units), "start": start, "end": end}).scalars().all()
    if e.indicator.kind == RATE:  # complete where every component is
        complete = {u for u in {p.unit_code for p in e.parts}
                    if all(p.complete for p in e.parts if p.unit_code == u)}
    else:
        complete = {p.unit_code for p in e.parts if p.complete}
    contributed = {p.unit_code for p in e.parts}
    short = [u for u in expected if u not in complete]
    if e.mart is not None and e.indicator.kind != RATE and len(expected) != e.mart["expected_units"]:
        e.notes.append(f"mart ghi {e.mart['expected_units']} đơn vị phải báo cáo, danh sách hiện có {len(expected)} "
                       "(người phải báo cáo đã thay đổi sau lần làm mới mart) / the mart's expected_units differs from "
                       "who is expected now")
    statuses: dict[str, list[tuple[int, int, str]]] = {}
    if short:
        for r in conn.execute(text("""
            SELECT district_code, year, month, status FROM mart.submission_status_at(:moment, :from_period, :units)
            WHERE year * 100 + month BETWEEN :first AND :last AND status NOT IN ('on_time', 'late')
            ORDER BY district_code, year, month"""),
                              {"moment": moment, "from_period": first, "units": short, "first": first, "last": last}):
            statuses.setdefault(r.district_code, []).append((r.year, r.month, r.status))
    return list(expected), [MissingUnit(u, units.get(u, u), u in contributed, tuple(statuses.get(u, [])))
                            for u in short]


def _plans(conn: Connection, e: Explanation, units: Mapping[str, str]) -> list[PlanUsed]:
    """The plans in force for the year, of the figure's units; in_figure for those the mart sums
    (step 06: the units with a figure row; a flow's month has a row even without a value)."""
    in_force = ("SELECT plan_id, district_code, year FROM core.fct_plan WHERE is_current" if e.as_of is None
                else "SELECT plan_id, district_code, year FROM core.plan_in_force(:as_of, :units)")
    rows = conn.execute(text(f"""
        SELECT p.district_code, fp.van_ban, fp.version, fp.received_at, f.file_name, f.sha256::text AS sha256,
               t.target_value, t.submitted_unit, t.conversion_factor,
               (SELECT r.ke_hoach_nam_raw FROM staging.stg_plan_row AS r
                WHERE r.file_id = fp.file_id AND r.indicator_code = t.indicator_code
                ORDER BY r.row_number LIMIT 1) AS raw
        FROM ({in_force}) AS p
        JOIN core.fct_plan AS fp ON fp.plan_id = p.plan_id
        JOIN core.fct_plan_target AS t ON t.plan_id = p.plan_id AND t.indicator_code = :c
        JOIN raw.file AS f ON f.file_id = fp.file_id  -- name and hash only
        WHERE p.year = :y AND p.district_code = ANY(:units)
        ORDER BY p.district_code"""),
                        {"as_of": e.as_of, "units": list(units), "c": e.indicator.code, "y": e.period.year}).mappings()
    in_figure = {p.unit_code for p in e.parts}
    if e.indicator.kind == FLOW and e.period.kind == "month":
        in_figure |= _flow_month_units(conn, e, units)
    if e.indicator.kind == RATE and e.level not in REPORTING_LEVELS:
        in_figure = set()  # a province's rate has no plan (sql/rollup/07 writes none)
    return [PlanUsed(r["district_code"], units.get(r["district_code"], r["district_code"]), r["van_ban"],
                     r["version"], r["received_at"], r["file_name"], r["sha256"], Decimal(r["target_value"]), r["raw"],
                     r["submitted_unit"], Decimal(r["conversion_factor"]), r["district_code"] in in_figure)
            for r in rows]


def _flow_month_units(conn: Connection, e: Explanation, units: Mapping[str, str]) -> set[str]:
    """The units whose version of the month submitted the flow at all (value or year to date)."""
    in_force = ("SELECT submission_id, district_code, year, month FROM core.fct_submission WHERE is_current"
                if e.as_of is None else
                "SELECT submission_id, district_code, year, month FROM core.submission_in_force(:as_of, :units)")
    return set(conn.execute(text(f"""
        SELECT DISTINCT s.district_code FROM ({in_force}) AS s
        JOIN core.fct_indicator_value AS v ON v.submission_id = s.submission_id AND v.indicator_code = :c
        WHERE s.year = :y AND s.month = :m AND s.district_code = ANY(:units)
          AND (v.value_source = 'submitted' OR v.ytd_source = 'submitted')"""),
                            {"as_of": e.as_of, "units": list(units), "c": e.indicator.code, "y": e.period.year,
                             "m": e.period.month}).scalars())


def _check_plan(e: Explanation) -> None:
    """The mart's annual_plan and plan_units against the plans of the units in the figure."""
    if e.mart is None or (e.figure_from == "sources"):
        return
    used = [p for p in e.plans if p.in_figure]
    total = sum((p.target_value for p in used), Decimal(0)) if used else None
    mart_plan = _decimal(e.mart.get("annual_plan"))
    if total != mart_plan or (e.mart.get("plan_units") or 0) != len(used):
        e.disagreements.append(f"kế hoạch trong mart là {_or_none(mart_plan)} ({e.mart.get('plan_units')} đơn vị) "
                               "nhưng kế hoạch có hiệu lực của các đơn vị trong số liệu cộng lại được "
                               f"{_or_none(total)} "
                               f"({len(used)} đơn vị) / the mart's plan is {mart_plan}, the plans in force sum to "
                               f"{total}")
        e.agrees = False


# ------------------------------------------------------------------------------------ helpers


def _month_runs(months: tuple[tuple[int, int, str], ...]) -> str:
    """(2025, 7, 'missing') ... (2025, 12, 'missing') -> 'T07-T12/2025 chưa nộp (quá hạn)'."""
    runs: list[list[Any]] = []  # [year, first month, last month, status]
    for year, month, status in months:
        if runs and runs[-1][0] == year and runs[-1][2] == month - 1 and runs[-1][3] == status:
            runs[-1][2] = month
        else:
            runs.append([year, month, month, status])
    return ", ".join((f"T{a:02d}/{y}" if a == b else f"T{a:02d}-T{b:02d}/{y}") + f" {STATUS_VI.get(st, st)}"
                     for y, a, b, st in runs)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _same(a: Decimal | None, b: Decimal | None, kind: str) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if kind == RATE:
        return abs(a - b) <= RATE_TOLERANCE * max(Decimal(1), abs(a))
    return a == b


def _number(value: Decimal | None) -> int | float | None:
    """A number for JSON: an integer when whole (92000, not 92000.000), else its float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _or_none(value: Decimal | None) -> str:
    return "không có" if value is None else vi_number(value)


def _with_unit(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "không có"
    number = vi_number(value, decimals_for(unit))
    return f"{number}%" if unit == "%" else f"{number} {unit}"


def _local(moment: datetime) -> str:
    from etl.domain.calendar import local_zone

    return f"{moment.astimezone(local_zone()):%d/%m/%Y %H:%M}"
