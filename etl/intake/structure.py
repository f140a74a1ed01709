"""Structural checks: turn what a reader found (etl.intake.readers) into typed rows
(etl.intake.rows), their values in the catalog unit (etl.intake.units), plus messages.

An error anywhere rejects the whole file (contract 1.4); warnings are recorded and the
file loads. Checks never raise on bad input: every problem becomes a Message naming
sheet, row and column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from etl.domain.bodies import canonical_body, closest_body
from etl.domain.calendar import DEFAULT_PROVINCE, load_calendar
from etl.domain.catalog import Catalog, indicator_code_key
from etl.domain.contract import (
    ACCEPTED,
    ACCEPTED_WITH_WARNINGS,
    ERROR,
    FLOW,
    FORMAT_JSON,
    INDICATOR_SHEET,
    INFO_COMMUNE,
    INFO_DISTRICT,
    INFO_DOCUMENT,
    INFO_EMAIL,
    INFO_KEYS,
    INFO_PERIOD,
    INFO_PREPARED_BY,
    INFO_PREPARED_ON,
    INFO_TEMPLATE,
    INFO_UNIT,
    INFO_YEAR,
    KEY_COLUMN,
    KIND_SUBMISSION,
    KIND_UNKNOWN,
    LEVEL_NAMES_VI,
    MONTH_VALUE_COLUMNS,
    PLAN_SHEET,
    PLAN_VALUE_COLUMNS,
    RATE,
    REJECTED,
    TASK_DATE_COLUMNS,
    TASK_SHEET,
    TASK_STATUS_BY_KEY,
    UNIT_INFO_KEYS,
    WARNING,
    reporting_level,
)
from etl.domain.numbers import read_number
from etl.domain.periods import FIRST_YEAR, LAST_YEAR, Period, month_window, parse_month
from etl.domain.text import fold_key
from etl.intake.limits import MAX_ABS_VALUE, MAX_DATE, MAX_TASK_ID_CHARS, MAX_TEXT_CHARS, MIN_DATE
from etl.intake.readers import ReadFile, Table, column_letters, shown
from etl.intake.rows import IndicatorRow, PlanRow, TaskRow
from etl.intake.units import convert, factor_to_catalog_unit
from etl.quality.messages import Message, make_message

_DATE_VN = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMIT_VI = f"{int(MAX_ABS_VALUE):,}".replace(",", ".")


@dataclass(frozen=True)
class UnitSpan:
    """One version of a district in business time (core.dim_reporting_unit)."""

    valid_from: date | None
    valid_to: date | None
    name: str
    commune_count: int | None
    ended_by: str | None = None  # on the last span: merged_into | abolished
    ended_by_act: str | None = None
    successor_code: str | None = None

    def overlaps(self, first: date, last: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= last)
                and (self.valid_to is None or first <= self.valid_to))


@dataclass(frozen=True)
class DistrictRef:
    district_key: int
    province_code: str | None  # None for a commune
    name: str
    commune_count: int | None = 0  # None for a commune
    spans: tuple[UnitSpan, ...] = ()  # empty: no history known, every period allowed
    province_2025_name: str = ""

    def in_period(self, first: date, last: date) -> DistrictRef | None:
        """The district as it was in [first, last] (its last version there: name, commune count),
        or None if it did not exist then."""
        if not self.spans:
            return self
        alive = [v for v in self.spans if v.overlaps(first, last)]
        if not alive:
            return None
        v = alive[-1]
        return replace(self, name=v.name, commune_count=v.commune_count)


@dataclass
class RefContext:
    """What the checks need from the warehouse, loaded once per ingest batch."""

    catalog: Catalog
    districts: dict[str, DistrictRef]
    indicator_keys: dict[str, int]


@dataclass
class CheckedFile:
    fmt: str
    kind: str
    messages: list[Message] = field(default_factory=list)
    district_code: str | None = None
    district: DistrictRef | None = None
    year: int | None = None
    month: int | None = None
    window_start: date | None = None
    window_end: date | None = None
    ngay_lap: date | None = None
    nguoi_lap: str | None = None
    email_lien_he: str | None = None
    van_ban: str | None = None
    indicator_rows: list[IndicatorRow] = field(default_factory=list)
    task_rows: list[TaskRow] = field(default_factory=list)
    plan_rows: list[PlanRow] = field(default_factory=list)
    # Names as written in the file, so later checks report places the clerk recognises.
    sheet_names: dict[str, str] = field(default_factory=dict)  # canonical -> sheet name
    table_columns: dict[str, dict[str, str]] = field(default_factory=dict)  # canonical -> column header
    # sheet as written -> column (header as written, or canonical name) -> its letters; no cells in JSON
    cell_columns: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(1 for m in self.messages if m.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for m in self.messages if m.severity == WARNING)

    @property
    def outcome(self) -> str:
        if self.errors:
            return REJECTED
        return ACCEPTED_WITH_WARNINGS if self.warnings else ACCEPTED

    @property
    def period_code(self) -> str | None:
        """The month of a submission, the year of a plan (as ops.file_outcome stores it)."""
        if self.year is None:
            return None
        return (Period.of_month(self.year, self.month) if self.month else Period.of_year(self.year)).code


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    return s or None


def parse_date(value: Any) -> date | None:
    """DD/MM/YYYY (as clerks type), ISO, or a real date cell; None if unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = _text(value)
    if s is None:
        return None
    try:
        if m := _DATE_VN.match(s):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := _DATE_ISO.match(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return None


def _district_code(value: Any, key: str = INFO_DISTRICT) -> str | None:
    s = _text(value)
    if s is None:
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool) and s.isdigit():
        # Excel turns a typed 001 into the number 1; a numeric cell can only have lost its zeros:
        # back to a commune's 5 digits under ma_xa (or when there are 4 of them), else a district's 3.
        # Text is taken as written: "63" might be a province code typed by mistake.
        s = s.zfill(5 if key == INFO_COMMUNE or len(s) == 4 else 3)
    return s


def template_indicators(catalog: Catalog, level: str) -> list[str]:
    """The indicators of a unit's monthly template, in catalog order: those its level reports,
    but the rates (the warehouse computes them from their components)."""
    return [i.code for i in catalog.indicators.values() if i.kind != RATE and level in i.reported_by]


def cell_columns(read: ReadFile) -> dict[str, dict[str, str]]:
    """Each sheet's columns by the names messages give them, as column letters (an office file)."""
    if read.fmt == FORMAT_JSON:
        return {}
    out: dict[str, dict[str, str]] = {read.info_sheet: dict.fromkeys(INFO_KEYS, column_letters(2))}
    for table in read.tables.values():
        letters = out.setdefault(table.sheet, {})
        for canonical, position in table.positions.items():
            letters[canonical] = letters[table.columns.get(canonical, canonical)] = column_letters(position)
    return out


class _Checker:
    def __init__(self, read: ReadFile, ref: RefContext, received_at: datetime) -> None:
        self.read = read
        self.ref = ref
        self.received_at = received_at
        self.out = CheckedFile(fmt=read.fmt, kind=read.kind, messages=list(read.messages),
                               sheet_names={k: t.sheet for k, t in read.tables.items()},
                               table_columns={k: t.columns for k, t in read.tables.items()},
                               cell_columns=cell_columns(read))
        self.not_reported: list[str] = []

    def msg(self, code: str, **kw: Any) -> None:
        self.out.messages.append(make_message(code, fmt=self.read.fmt, **kw))

    def info(self, key: str) -> tuple[Any, int | None]:
        return self.read.info.get(key, (None, None))

    def info_place(self, key: str) -> dict[str, Any]:
        _value, row = self.info(key)
        if self.read.fmt == FORMAT_JSON:
            return {"sheet": None, "row": None, "column": key}
        return {"sheet": self.read.info_sheet, "row": row, "column": key}

    # -- thong_tin -------------------------------------------------------------
    def check_district(self) -> None:
        key = next((k for k in UNIT_INFO_KEYS if _text(self.info(k)[0]) is not None), INFO_UNIT)
        raw, _ = self.info(key)
        code = _district_code(raw, key)
        place = self.info_place(key)
        if code is None:
            self.msg("FIELD_MISSING", expected=f"{INFO_UNIT} (hoặc {INFO_DISTRICT}, {INFO_COMMUNE})", **place)
            return
        if not (len(code) in (3, 5) and code.isdigit()):
            self.msg("DISTRICT_INVALID", found=code, **place)
            return
        self.out.district_code = code
        district = self.ref.districts.get(code)
        if district is None:
            self.msg("DISTRICT_UNKNOWN", found=code, **place)
            return
        self.out.district = district

    def check_month_period(self) -> None:
        raw, _ = self.info(INFO_PERIOD)
        place = self.info_place(INFO_PERIOD)
        if _text(raw) is None and not isinstance(raw, date):
            self.msg("FIELD_MISSING", expected=INFO_PERIOD, **place)
            return
        parsed = parse_month(raw)
        if parsed is None:
            self.msg("PERIOD_INVALID", found=_text(raw), expected="YYYY-MM (ví dụ 2024-05) hoặc MM/YYYY", **place)
            return
        year, month = parsed
        if not FIRST_YEAR <= year <= LAST_YEAR:
            self.msg("PERIOD_OUT_OF_RANGE", found=f"{year}-{month:02d}",
                     expected=f"{FIRST_YEAR}-{LAST_YEAR}", **place)
            return
        if self.out.district is not None and not self.in_unit_life(Period.of_month(year, month), place):
            return
        self.out.year, self.out.month = year, month
        # A commune has no legacy province: the default calendar.
        province = (self.out.district.province_code if self.out.district else None) or DEFAULT_PROVINCE
        calendar = load_calendar()
        rule = calendar.rule(province, "month")
        self.out.window_start, self.out.window_end = month_window(year, month, rule.cutoff_day)
        received_day = self.received_at.astimezone(calendar.zone).date()
        if received_day < self.out.window_start:
            self.msg("PERIOD_FUTURE", found=f"{year}-{month:02d}", expected=self.out.window_start.strftime("%d/%m/%Y"),
                     received=received_day.strftime("%d/%m/%Y"), **place)

    def in_unit_life(self, period: Period, place: dict[str, Any]) -> bool:
        """Whether the district existed in the period; if it did, it is taken as it was then (its
        name, its commune count for the rules); if not, the message says when it existed and who
        reports for its area instead."""
        district = self.out.district
        assert district is not None
        as_then = district.in_period(period.start_date, period.end_date)
        if as_then is not None:
            self.out.district = as_then
            return True
        detail = not_in_period_detail(self.out.district_code or "", district, period, self.ref.districts)
        self.msg("UNIT_NOT_IN_PERIOD", found=period.label, detail=detail[0], detail_en=detail[1], **place)
        return False

    def check_optional_info(self) -> None:
        raw, _ = self.info(INFO_PREPARED_ON)
        if _text(raw) is not None or isinstance(raw, date):
            parsed = parse_date(raw)
            if parsed is not None and not MIN_DATE <= parsed <= MAX_DATE:
                parsed = None  # a mistyped year; only a warning here, as an unreadable date
            if parsed is None:
                self.msg("DATE_INVALID_INFO", found=_text(raw), **self.info_place(INFO_PREPARED_ON))
            self.out.ngay_lap = parsed
        self.out.nguoi_lap = _text(self.info(INFO_PREPARED_BY)[0])
        email = _text(self.info(INFO_EMAIL)[0])
        if email is not None:
            if _EMAIL.match(email):
                self.out.email_lien_he = email
            else:
                self.msg("EMAIL_INVALID", found=email, **self.info_place(INFO_EMAIL))

    # -- values ------------------------------------------------------------------
    def number(self, raw: Any, *, sheet: str, row: int, column: str, unit: str) -> Decimal | None:
        """Read a value cell. Only what cannot be read is reported here; whether a readable value
        is allowed (sign, whole number, range) is the quality gate's Great Expectations suite."""
        value, problem = read_number(raw, percent_unit=unit == "%", integer=False, allow_negative=True,
                                     bounded=True)
        if problem is None:
            return value
        # A too-large value may be thousands of digits long (JSON); other texts are bounded by the reader.
        found = shown(problem.found, 200 if problem.code == "VALUE_TOO_LARGE" else MAX_TEXT_CHARS)
        self.msg(problem.code, sheet=sheet, row=row, column=column, found=found,
                 expected=problem.suggestion or "số theo cách viết Việt Nam", detail=problem.detail_vi,
                 detail_en=problem.detail_en)
        return None

    def _column(self, table_key: str, canonical: str) -> str:
        table = self.read.tables.get(table_key)
        return table.columns.get(canonical, canonical) if table else canonical

    def check_indicators(self, table_key: str) -> None:
        """The indicator rows of chi_tieu (month and YTD values) or ke_hoach (annual targets)."""
        table = self.read.tables.get(table_key)
        if table is None:
            return
        catalog = self.ref.catalog
        is_plan = table_key == PLAN_SHEET
        value_columns = PLAN_VALUE_COLUMNS if is_plan else MONTH_VALUE_COLUMNS
        code_column = self._column(table_key, KEY_COLUMN[table_key])
        seen: dict[str, int] = {}
        for row, cells in table.rows:
            sheet = table.sheet
            typed = self._plan_row(row, cells) if is_plan else self._indicator_row(row, cells)
            raw_code = typed.ma_chi_tieu
            if raw_code is None:
                self.msg("INDICATOR_CODE_MISSING", sheet=sheet, row=row, column=code_column)
                continue
            code = indicator_code_key(raw_code)
            indicator = catalog.indicators.get(code)
            if indicator is None:
                self.msg("INDICATOR_UNKNOWN", sheet=sheet, row=row, column=code_column,
                         found=raw_code, expected="mã trong danh mục chỉ tiêu")
                self._read_values_only(table_key, typed, cells, value_columns)
                continue
            level = reporting_level(self.out.district_code or "")
            if level not in indicator.reported_by:  # the catalog says which levels report it
                self.msg("INDICATOR_NOT_FOR_LEVEL", sheet=sheet, row=row, column=code_column, found=code,
                         expected=" và ".join(f"cấp {LEVEL_NAMES_VI[lv]}" for lv in indicator.reported_by),
                         detail=f"cấp {LEVEL_NAMES_VI[level]}", detail_en=level)
                continue
            if code in seen:
                self.msg("INDICATOR_DUPLICATE", sheet=sheet, row=row, column=code_column,
                         found=code, first_row=seen[code])
                continue
            seen[code] = row
            typed.indicator_code = code
            factor, unit_problem = factor_to_catalog_unit(catalog, indicator, typed.don_vi_tinh)
            if factor is None:
                self.msg(unit_problem, sheet=sheet, row=row, column=self._column(table_key, "don_vi_tinh"),
                         found=typed.don_vi_tinh, expected=indicator.unit)
                self._read_values_only(table_key, typed, cells, value_columns)
                continue
            for col in value_columns:
                setattr(typed, col, self.number(cells.get(col), sheet=sheet, row=row,
                                                column=self._column(table_key, col), unit=typed.don_vi_tinh))
            convert(typed, factor, value_columns)
            self._check_converted(typed, value_columns, sheet, row, table_key, catalog_unit=indicator.unit)
            if isinstance(typed, PlanRow):
                if typed.ke_hoach_nam is None and typed.ke_hoach_nam_raw is None:
                    self.msg("VALUE_REQUIRED", sheet=sheet, row=row, column=self._column(table_key, "ke_hoach_nam"),
                             expected="kế hoạch năm (ke_hoach_nam)")
                continue
            self._check_required_values(indicator.kind, indicator.code, typed, sheet, row, table_key)
        absent = [] if is_plan else self._absent_from_template(table)
        if self.not_reported or absent:
            blank, gone = ", ".join(self.not_reported), ", ".join(absent)
            detail = [f"để trống: {blank}"] if blank else []
            detail_en = [f"left blank: {blank}"] if blank else []
            if gone:
                detail.append(f"không có dòng trong tệp (dòng của mẫu đã bị xóa): {gone}")
                detail_en.append(f"no row in the file (deleted from the template): {gone}")
            self.msg("INDICATOR_NOT_REPORTED", sheet=table.sheet, found=", ".join(self.not_reported + absent),
                     n=len(self.not_reported) + len(absent), detail="; ".join(detail), detail_en="; ".join(detail_en))

    def _absent_from_template(self, table: Table) -> list[str]:
        """The indicators of the unit's template (`baocao template`: every indicator its level
        reports but the rates) with no row in a file made from it: a row deleted is not reported.
        A file made from the template says so (thong_tin mau_bao_cao); one from before that key,
        or re-typed, is taken for a template when it has rows for most of those indicators."""
        if self.out.district_code is None:
            return []
        expected = template_indicators(self.ref.catalog, reporting_level(self.out.district_code))
        present = {indicator_code_key(r.ma_chi_tieu) for r in self.out.indicator_rows if r.ma_chi_tieu}
        marked = _text(self.info(INFO_TEMPLATE)[0]) is not None
        if not marked and (self.read.fmt == FORMAT_JSON or len(present & set(expected)) * 2 < len(expected)):
            return []
        return [code for code in expected if code not in present]

    def _read_values_only(self, table_key: str, typed: IndicatorRow | PlanRow, cells: dict[str, Any],
                          value_columns: tuple[str, ...]) -> None:
        """A row whose code or unit is wrong still has its values read, so a malformed one is
        reported in the same reply; they are not kept (nothing converts them to the catalog unit)."""
        for col in value_columns:
            if _text(cells.get(col)) is not None:
                self.number(cells.get(col), sheet=self.read.tables[table_key].sheet, row=typed.row_number,
                            column=self._column(table_key, col), unit=typed.don_vi_tinh or "")

    def _check_converted(self, typed: IndicatorRow | PlanRow, value_columns: tuple[str, ...], sheet: str, row: int,
                         table_key: str, *, catalog_unit: str) -> None:
        """A value within the limit as written may pass it in the catalog unit (tỷ đồng x 1000)."""
        for col in value_columns:
            value = getattr(typed, col)
            if value is not None and value.copy_abs() >= MAX_ABS_VALUE:
                self.msg("VALUE_TOO_LARGE", sheet=sheet, row=row, column=self._column(table_key, col),
                         found=shown(getattr(typed, f"{col}_raw")), expected=f"dưới {_LIMIT_VI}",
                         detail=f"đổi sang {catalog_unit} thì vượt giới hạn {_LIMIT_VI}",
                         detail_en=f"in {catalog_unit} it is over the limit of {MAX_ABS_VALUE:.0e}")
                setattr(typed, col, None)

    def _indicator_row(self, row: int, cells: dict[str, Any]) -> IndicatorRow:
        typed = IndicatorRow(
            row_number=row, ma_chi_tieu=_text(cells.get("ma_chi_tieu")), ten_chi_tieu=_text(cells.get("ten_chi_tieu")),
            don_vi_tinh=_text(cells.get("don_vi_tinh")), ghi_chu=_text(cells.get("ghi_chu")),
            thuc_hien_thang_raw=_text(cells.get("thuc_hien_thang")), luy_ke_nam_raw=_text(cells.get("luy_ke_nam")),
        )
        self.out.indicator_rows.append(typed)
        return typed

    def _plan_row(self, row: int, cells: dict[str, Any]) -> PlanRow:
        typed = PlanRow(row_number=row, ma_chi_tieu=_text(cells.get("ma_chi_tieu")),
                        don_vi_tinh=_text(cells.get("don_vi_tinh")), ke_hoach_nam_raw=_text(cells.get("ke_hoach_nam")))
        self.out.plan_rows.append(typed)
        return typed

    def _check_required_values(self, kind: str, code: str, typed: IndicatorRow, sheet: str, row: int,
                               table_key: str) -> None:
        has_month = typed.thuc_hien_thang_raw is not None
        has_ytd = typed.luy_ke_nam_raw is not None
        if not has_month and not has_ytd:
            # A template row left blank: no figure this month (reported once per file, below).
            self.not_reported.append(code)
            typed.indicator_code = None
            return
        if kind != FLOW:  # only a flow has a year-to-date figure
            if not has_month:
                self.msg("VALUE_REQUIRED", sheet=sheet, row=row, column=self._column(table_key, "thuc_hien_thang"),
                         expected=f"chỉ tiêu {code} cần 'thuc_hien_thang'")
            if has_ytd:
                self.msg("YTD_NOT_APPLICABLE", sheet=sheet, row=row, column=self._column(table_key, "luy_ke_nam"),
                         found=typed.luy_ke_nam_raw, indicator=code)
                typed.luy_ke_nam = None

    # -- tasks -------------------------------------------------------------------
    def check_tasks(self) -> None:
        table = self.read.tables.get(TASK_SHEET)
        if table is None:
            return
        seen: dict[str, int] = {}
        col = lambda c: self._column(TASK_SHEET, c)  # noqa: E731
        for row, cells in table.rows:
            sheet = table.sheet
            task_id = _text(cells.get("ma_nhiem_vu"))
            rec = TaskRow(
                row_number=row, ma_nhiem_vu=task_id, ten_nhiem_vu=_text(cells.get("ten_nhiem_vu")),
                co_quan_giao=_text(cells.get("co_quan_giao")), van_ban_giao=_text(cells.get("van_ban_giao")),
                ghi_chu=_text(cells.get("ghi_chu")),
            )
            self.out.task_rows.append(rec)
            if task_id is None:
                self.msg("TASK_ID_MISSING", sheet=sheet, row=row, column=col("ma_nhiem_vu"))
                continue
            if len(task_id) > MAX_TASK_ID_CHARS:
                self.msg("TASK_ID_TOO_LONG", sheet=sheet, row=row, column=col("ma_nhiem_vu"), found=shown(task_id),
                         n=len(task_id), expected=str(MAX_TASK_ID_CHARS))
                rec.ma_nhiem_vu = None  # never a key of the task tables
                continue
            if task_id in seen:
                self.msg("TASK_DUPLICATE", sheet=sheet, row=row, column=col("ma_nhiem_vu"), found=task_id,
                         first_row=seen[task_id])
                continue
            seen[task_id] = row
            self._assigning_body(rec, sheet, row, col("co_quan_giao"))
            for date_col in TASK_DATE_COLUMNS:
                raw = cells.get(date_col)
                if _text(raw) is None and not isinstance(raw, date):
                    continue
                parsed = parse_date(raw)
                if parsed is None:
                    self.msg("DATE_INVALID", sheet=sheet, row=row, column=col(date_col), found=_text(raw))
                elif not MIN_DATE <= parsed <= MAX_DATE:
                    self.msg("DATE_OUT_OF_RANGE", sheet=sheet, row=row, column=col(date_col), found=_text(raw),
                             expected=f"{MIN_DATE.year}-{MAX_DATE.year}", year=parsed.year)
                    parsed = None  # pandas cannot hold every year a date can
                setattr(rec, date_col, parsed)
            # Canonical spelling when recognised; otherwise as written, for the suite to reject.
            status_raw = _text(cells.get("trang_thai"))
            rec.trang_thai = TASK_STATUS_BY_KEY.get(fold_key(status_raw), status_raw) if status_raw else None
            raw_progress = cells.get("tien_do")
            if _text(raw_progress) is not None:
                progress, problem = read_number(raw_progress, percent_unit=True, allow_negative=True, bounded=True)
                if problem is not None:
                    self.msg("TASK_PROGRESS_INVALID", sheet=sheet, row=row, column=col("tien_do"),
                             found=shown(_text(raw_progress), MAX_TEXT_CHARS))
                rec.tien_do = progress

    def _assigning_body(self, rec: TaskRow, sheet: str, row: int, column: str) -> None:
        """The canonical name of a known body (so one body is one row of the task marts); an
        unknown one is kept as written, with a warning naming the closest known body."""
        if rec.co_quan_giao is None:
            return  # required: the task suite reports it
        canonical = canonical_body(rec.co_quan_giao)
        if canonical is not None:
            rec.co_quan_giao = canonical
            return
        closest = closest_body(rec.co_quan_giao)
        self.msg("TASK_BODY_UNKNOWN", sheet=sheet, row=row, column=column, found=rec.co_quan_giao,
                 expected=closest, closest_vi=f"có phải là '{closest}'? " if closest else "",
                 closest_en=f"did you mean '{closest}'? " if closest else "")

    # -- plans -------------------------------------------------------------------
    def check_plan_header(self) -> None:
        raw, _ = self.info(INFO_YEAR)
        place = self.info_place(INFO_YEAR)
        s = _text(raw)
        if s is None:
            self.msg("FIELD_MISSING", expected=INFO_YEAR, **place)
        elif not (s.isdigit() and len(s) <= 4 and FIRST_YEAR <= int(s) <= LAST_YEAR):
            self.msg("PLAN_YEAR_INVALID", found=s, expected=f"{FIRST_YEAR}-{LAST_YEAR}", **place)
        elif self.out.district is None or self.in_unit_life(Period.of_year(int(s)), place):
            self.out.year = int(s)
        self.out.van_ban = _text(self.info(INFO_DOCUMENT)[0])
        if self.out.van_ban is None:
            self.msg("PLAN_DOCUMENT_MISSING", **self.info_place(INFO_DOCUMENT))


def not_in_period_detail(code: str, district: DistrictRef, period: Period,
                         districts: dict[str, DistrictRef]) -> tuple[str, str]:
    """Why a district that did not exist in the period cannot report for it (Vietnamese, English):
    when it was established, or how it ended and who reports for its area since."""
    first, last = district.spans[0], district.spans[-1]
    if first.valid_from is not None and period.end_date < first.valid_from:
        return (f"{first.name} được thành lập từ ngày {first.valid_from:%d/%m/%Y}, nên chưa có kỳ này",
                f"{first.name} was established on {first.valid_from:%d/%m/%Y}")
    return unit_end_detail(code, last, district.province_2025_name, districts)


def unit_end_detail(code: str, last: UnitSpan, province_2025_name: str,
                    districts: dict[str, DistrictRef]) -> tuple[str, str]:
    """How a district ended and who reports for its area since, in Vietnamese and English."""
    assert last.valid_to is not None
    until = f"{last.valid_to:%d/%m/%Y}"
    if last.ended_by == "merged_into" and last.successor_code:
        successor = districts.get(last.successor_code)
        name = successor.name if successor else last.successor_code
        return (f"{last.name} chỉ tồn tại đến ngày {until}, khi nhập vào {name} ({last.ended_by_act}); "
                f"báo cáo của địa bàn từ đó do {name} (mã {last.successor_code}) gửi",
                f"{last.name} existed until {until}, when it was merged into {name} ({last.ended_by_act}); "
                f"its area reports as {last.successor_code} since")
    from etl.domain.admin_units import communes_2025, district_communes_2025
    successors = set(district_communes_2025(code))
    names = [n for c, n in communes_2025()[["commune_code", "commune_name"]].itertuples(index=False)
             if c in successors]
    since = f"{last.valid_to + timedelta(days=1):%d/%m/%Y}"
    # "UBND xã Chư Pưh": after UBND the unit's type is written in lower case.
    listed = ", ".join(n[:1].lower() + n[1:] for n in names) if names else "các xã, phường của địa bàn"
    return (f"{last.name} chỉ tồn tại đến ngày {until}: từ {since} không còn cấp huyện ({last.ended_by_act}); "
            f"báo cáo do UBND {listed} gửi thẳng {province_2025_name or 'tỉnh'}, mỗi xã một báo cáo với mã xã 5 chữ số",
            f"{last.name} existed until {until}: the district level ended on {since} ({last.ended_by_act}); "
            f"its area now reports commune by commune ({', '.join(sorted(successors)) or 'its communes'}) "
            f"straight to the province")


def check_file(read: ReadFile, ref: RefContext, received_at: datetime) -> CheckedFile:
    checker = _Checker(read, ref, received_at)
    if read.kind == KIND_UNKNOWN or any(m.code.startswith("FILE_") and m.severity == "error" for m in read.messages):
        return checker.out
    checker.check_district()
    if read.kind == KIND_SUBMISSION:
        checker.check_month_period()
        checker.check_optional_info()
        checker.check_indicators(INDICATOR_SHEET)
        checker.check_tasks()
    else:
        checker.check_plan_header()
        checker.check_indicators(PLAN_SHEET)
    return checker.out
