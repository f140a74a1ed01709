"""The external contract's names (../shared/contract.md, v2): sheets, columns, info keys,
the Vietnamese headers of the template, and every status list the warehouse stores.

One definition: readers, structural checks, writers, the template and the loaders import
these, and tests/test_contract.py checks that the SQL CHECK lists equal the status lists."""

from __future__ import annotations

from etl.domain.text import fold_key

# Sheets (XLSX) or top-level lists (JSON) of each kind of file.
INFO_SHEET = "thong_tin"
INDICATOR_SHEET = "chi_tieu"
TASK_SHEET = "nhiem_vu"
PLAN_SHEET = "ke_hoach"
SUBMISSION_SHEETS = (INDICATOR_SHEET, TASK_SHEET)
PLAN_SHEETS = (PLAN_SHEET,)

# Columns of each table, in template order.
COLUMNS: dict[str, tuple[str, ...]] = {
    INDICATOR_SHEET: ("ma_chi_tieu", "ten_chi_tieu", "don_vi_tinh", "thuc_hien_thang", "luy_ke_nam", "ghi_chu"),
    TASK_SHEET: ("ma_nhiem_vu", "ten_nhiem_vu", "co_quan_giao", "van_ban_giao", "ngay_giao", "han_hoan_thanh",
                 "trang_thai", "ngay_hoan_thanh", "tien_do", "ghi_chu"),
    PLAN_SHEET: ("ma_chi_tieu", "don_vi_tinh", "ke_hoach_nam", "ten_chi_tieu", "ghi_chu"),
}
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    INDICATOR_SHEET: ("ma_chi_tieu", "don_vi_tinh"),
    TASK_SHEET: ("ma_nhiem_vu", "ten_nhiem_vu", "co_quan_giao", "trang_thai"),
    PLAN_SHEET: ("ma_chi_tieu", "don_vi_tinh", "ke_hoach_nam"),
}
# The column whose header marks the header row of each sheet.
KEY_COLUMN = {INDICATOR_SHEET: "ma_chi_tieu", TASK_SHEET: "ma_nhiem_vu", PLAN_SHEET: "ma_chi_tieu"}
# Value columns of the indicator tables (text as typed is kept beside the number).
MONTH_VALUE_COLUMNS = ("thuc_hien_thang", "luy_ke_nam")
PLAN_VALUE_COLUMNS = ("ke_hoach_nam",)
# Task date columns.
TASK_DATE_COLUMNS = ("ngay_giao", "han_hoan_thanh", "ngay_hoan_thanh")

# thong_tin keys: of a monthly submission, and of an annual plan. The reporting unit is named by
# ma_don_vi (contract v2: 3 digits a district, 5 a commune), or by its v1 name ma_huyen, or ma_xa.
INFO_UNIT = "ma_don_vi"
INFO_DISTRICT = "ma_huyen"
INFO_COMMUNE = "ma_xa"
UNIT_INFO_KEYS = (INFO_UNIT, INFO_DISTRICT, INFO_COMMUNE)  # the first one present names the unit
INFO_PERIOD = "ky_bao_cao"
INFO_PREPARED_ON = "ngay_lap"
INFO_PREPARED_BY = "nguoi_lap"
INFO_EMAIL = "email_lien_he"
INFO_YEAR = "nam"
INFO_DOCUMENT = "van_ban"
# Written by `baocao template` (an extension of the contract): the file lists every indicator its
# unit reports, so a row missing from it was deleted, and the indicator is not reported.
INFO_TEMPLATE = "mau_bao_cao"
SUBMISSION_INFO_KEYS = (*UNIT_INFO_KEYS, INFO_PERIOD, INFO_PREPARED_ON, INFO_PREPARED_BY, INFO_EMAIL, INFO_TEMPLATE)
PLAN_INFO_KEYS = (*UNIT_INFO_KEYS, INFO_YEAR, INFO_DOCUMENT)
INFO_KEYS = tuple(dict.fromkeys((*SUBMISSION_INFO_KEYS, *PLAN_INFO_KEYS)))

# Headers of the district template; matched to the names above ignoring case, spacing,
# Unicode form and diacritics (etl.domain.text.fold_key).
VI_HEADERS = {
    "ma_chi_tieu": "Mã chỉ tiêu",
    "ten_chi_tieu": "Tên chỉ tiêu",
    "don_vi_tinh": "Đơn vị tính",
    "thuc_hien_thang": "Thực hiện tháng",
    "luy_ke_nam": "Lũy kế năm",
    "ghi_chu": "Ghi chú",
    "ma_nhiem_vu": "Mã nhiệm vụ",
    "ten_nhiem_vu": "Tên nhiệm vụ",
    "co_quan_giao": "Cơ quan giao",
    "van_ban_giao": "Văn bản giao",
    "ngay_giao": "Ngày giao",
    "han_hoan_thanh": "Hạn hoàn thành",
    "trang_thai": "Trạng thái",
    "ngay_hoan_thanh": "Ngày hoàn thành",
    "tien_do": "Tiến độ",
    "ke_hoach_nam": "Kế hoạch năm",
}

# Task status as the district states it (trang_thai), canonical spelling.
TASK_DONE = "Hoàn thành"
TASK_STATUSES = (TASK_DONE, "Đang thực hiện", "Chưa thực hiện")
TASK_STATUS_BY_KEY = {fold_key(s): s for s in TASK_STATUSES}
# Task status as the warehouse derives it from the dates (core.fct_task_snapshot.derived_status).
DONE_ON_TIME, DONE_LATE, IN_PROGRESS, OVERDUE = "done_on_time", "done_late", "in_progress", "overdue"
DERIVED_TASK_STATUSES = (DONE_ON_TIME, DONE_LATE, IN_PROGRESS, OVERDUE)

# Kinds of file, their formats, and what became of each (ops.file_outcome, core.fct_submission).
KIND_SUBMISSION, KIND_PLAN, KIND_UNKNOWN = "submission", "plan", "unknown"
FILE_KINDS = (KIND_SUBMISSION, KIND_PLAN, KIND_UNKNOWN)
FORMAT_XLSX, FORMAT_XLS, FORMAT_ODS, FORMAT_JSON = "xlsx", "xls", "ods", "json"
SOURCE_FORMATS = (FORMAT_XLSX, FORMAT_XLS, FORMAT_ODS, FORMAT_JSON)
ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED = "accepted", "accepted_with_warnings", "rejected"
FILE_OUTCOMES = (ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED)
DUPLICATE = "duplicate"  # the same bytes again: nothing recorded, reported by `baocao ingest`
INGEST_STATUSES = (*FILE_OUTCOMES, DUPLICATE)  # what `baocao ingest` reports per file
# Extension: the database failed transiently through every retry; the file is archived
# without an outcome, for the next run or `baocao reprocess --unprocessed`. Never a verdict.
DEFERRED = "deferred"
# How a file's received_at was established (raw.file.received_at_rule): never a time the sender
# can set (see README, "When a file arrived").
ARRIVAL_INODE_CHANGE, ARRIVAL_OBJECT_STORE, ARRIVAL_CALL, ARRIVAL_OVERRIDE = (
    "inode_change", "object_store", "call", "override")
RECEIVED_AT_RULES = (ARRIVAL_INODE_CHANGE, ARRIVAL_OBJECT_STORE, ARRIVAL_CALL, ARRIVAL_OVERRIDE, "unrecorded")
# How a run loaded its files (ops.ingest_run.load_path): all in one transaction, one transaction
# each (after the batch's failed), or none to load.
LOAD_BATCH, LOAD_PER_FILE, LOAD_NOTHING = "batch", "per_file", "nothing"
LOAD_PATHS = (LOAD_BATCH, LOAD_PER_FILE, LOAD_NOTHING)
ERROR, WARNING = "error", "warning"
SEVERITIES = (ERROR, WARNING)
MESSAGE_SOURCES = ("structure", "expectation", "rule")

# How a stored value came to be (core.fct_indicator_value).
VALUE_SUBMITTED, VALUE_DERIVED_FROM_YTD, VALUE_MISSING = "submitted", "derived_from_ytd", "missing"
YTD_DERIVED, YTD_NOT_APPLICABLE = "derived", "not_applicable"  # YTD = previous YTD + month; not a flow
VALUE_SOURCES = (VALUE_SUBMITTED, VALUE_DERIVED_FROM_YTD, VALUE_MISSING)
YTD_SOURCES = (VALUE_SUBMITTED, YTD_DERIVED, YTD_NOT_APPLICABLE, VALUE_MISSING)

# A district-month as of a moment (mart.submission_status).
SUBMISSION_STATUSES = ("on_time", "late", "missing", "rejected", "pending")

# Indicator kinds and directions (catalog, core.dim_indicator).
FLOW, STOCK, OPENING, RATE = "flow", "stock", "opening", "rate"
INDICATOR_KINDS = (FLOW, STOCK, OPENING, RATE)
DIRECTIONS = ("higher_is_better", "lower_is_better", "none")

# Mart levels (contract section 3).
LEVELS = ("district", "province", "province_2025", "commune")
# The levels of the units that report themselves (a district until 30/6/2025, a commune after).
REPORTING_LEVELS = ("district", "commune")
# How each is called in a message to a clerk.
LEVEL_NAMES_VI = {"district": "huyện", "commune": "xã"}


def reporting_level(code: str) -> str:
    """A reporting unit's level from its official code: 5 digits a commune, else a district."""
    return "commune" if len(code) == 5 else "district"

# Alerts (ops.alert_log).
ALERT_KINDS = ("invalid_submission", "reminder", "late", "escalation")
ALERT_CHANNELS = ("email", "webhook")
ALERT_SEND_STATUSES = ("sent", "failed", "no_channel")
