"""Validation messages: a stable code, a place, what was found and expected, and a
sentence in Vietnamese for district staff (with an English one for engineers).

Every code baocao can emit is registered in CODES, so the list is documented in one
place (`baocao codes` prints it) and a typo in a code fails at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from etl.domain.text import fold_key

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class CodeSpec:
    severity: Severity
    vi: str  # template; may use {found}, {expected} and extra keyword fields
    en: str


CODES: dict[str, CodeSpec] = {
    # Whole file
    "FILE_EMPTY": CodeSpec("error", "Tệp rỗng (0 byte); cần tệp XLSX hoặc JSON theo mẫu báo cáo.",
                           "The file is empty (0 bytes); an XLSX or JSON submission was expected."),
    "FILE_TYPE_UNSUPPORTED": CodeSpec(
        "error", "Tệp có phần mở rộng '{found}' không được hỗ trợ; cần tệp .xlsx, .xls, .ods hoặc .json.",
        "Extension '{found}' is not supported; expected .xlsx, .xls, .ods or .json."),
    "FILE_FORMAT_MISMATCH": CodeSpec(
        "error", "Tên tệp là '{found}' nhưng nội dung không phải {expected}; hãy lưu lại đúng định dạng rồi gửi lại.",
        "The file is named '{found}' but its content is not {expected}."),
    "FILE_CORRUPT": CodeSpec(
        "error", "Không mở được tệp ({found}); tệp có thể bị hỏng hoặc tải lên chưa hết. Hãy gửi lại tệp.",
        "The file cannot be opened ({found}); it may be corrupt or truncated."),
    "FILE_TOO_LARGE": CodeSpec(
        "error", "Tệp giải nén ra quá lớn ({found}); giới hạn là {expected}. Hãy dùng đúng mẫu báo cáo.",
        "The file expands to {found}, over the limit of {expected} (possible zip bomb)."),
    "FILE_KIND_UNKNOWN": CodeSpec(
        "error", "Không nhận ra loại báo cáo: không có trang 'chi_tieu' (báo cáo tháng) hay 'ke_hoach' "
                 "(kế hoạch năm). Hãy dùng đúng mẫu.",
        "Neither a monthly submission (chi_tieu) nor an annual plan (ke_hoach) was found."),
    "INTERNAL_ERROR": CodeSpec(
        "error", "Hệ thống gặp lỗi khi xử lý tệp này; bộ phận kỹ thuật đã được báo. Tệp đã được lưu lại.",
        "baocao failed while processing this file ({found}); the file is archived: `baocao reprocess` runs it again "
        "once the cause is fixed."),
    "FILE_UNREADABLE": CodeSpec(
        "error", "Hệ thống không đọc hết được tệp trong giới hạn cho phép ({found}); tệp quá lớn hoặc quá phức tạp "
                 "so với mẫu báo cáo. Hãy chép số liệu sang một bản mẫu mới (chỉ gồm các trang và dòng của mẫu), "
                 "lưu lại rồi gửi lại.",
        "Reading the file did not finish within baocao's limits ({detail_en}); it is too large or too complex "
        "for a submission. The file is archived and quarantined."),
    "MESSAGES_TRUNCATED": CodeSpec(
        "error", "Tệp có quá nhiều lỗi: chỉ liệt kê {shown} thông báo đầu tiên, còn {found} thông báo khác "
                 "({detail}). Hãy sửa các lỗi trên rồi gửi lại; tệp gửi lại sẽ được kiểm tra đầy đủ.",
        "Too many messages: the first {shown} are listed, {found} more are not ({detail_en})."),
    # Structure
    "SHEET_MISSING": CodeSpec("error", "Thiếu trang tính '{expected}'.", "Sheet '{expected}' is missing."),
    "COLUMN_MISSING": CodeSpec("error", "Thiếu cột bắt buộc '{expected}'.", "Required column '{expected}' is missing."),
    "COLUMN_DUPLICATE": CodeSpec("error", "Cột '{found}' xuất hiện hai lần; mỗi cột chỉ được có một.",
                                 "Column '{found}' appears twice."),
    "FIELD_MISSING": CodeSpec("error", "Thiếu thông tin bắt buộc '{expected}'.",
                              "Required field '{expected}' is missing."),
    "DISTRICT_INVALID": CodeSpec(
        "error", "Mã đơn vị '{found}' không hợp lệ; cần mã huyện 3 chữ số hoặc mã xã 5 chữ số, giữ số 0 ở đầu "
                 "(ví dụ '001', '07246').",
        "Unit code '{found}' is invalid; expected a district's 3 digits or a commune's 5, with leading zeros."),
    "DISTRICT_UNKNOWN": CodeSpec(
        "error", "Mã đơn vị '{found}' không có trong danh mục đơn vị hành chính.",
        "Unit code '{found}' is not in the administrative-unit list."),
    "UNIT_NOT_IN_PERIOD": CodeSpec(
        "error", "Đơn vị không tồn tại trong kỳ báo cáo {found}: {detail}.",
        "The unit did not exist in {found}: {detail_en}."),
    "PERIOD_INVALID": CodeSpec(
        "error", "Kỳ báo cáo '{found}' không đọc được; cần dạng {expected}.",
        "Reporting period '{found}' is unreadable; expected {expected}."),
    "PERIOD_OUT_OF_RANGE": CodeSpec(
        "error", "Kỳ báo cáo '{found}' nằm ngoài khoảng hệ thống quản lý ({expected}).",
        "Reporting period '{found}' is outside the supported range {expected}."),
    "PERIOD_FUTURE": CodeSpec(
        "error", "Kỳ báo cáo '{found}' chưa bắt đầu vào ngày nhận tệp ({received}); kỳ này bắt đầu từ {expected}. "
                 "Hãy kiểm tra lại kỳ báo cáo.",
        "Reporting period '{found}' starts on {expected}, after the file was received ({received})."),
    "DATE_INVALID": CodeSpec(
        "error", "Ngày '{found}' không đọc được; cần dạng DD/MM/YYYY (ví dụ 16/05/2024).",
        "Date '{found}' is unreadable; expected DD/MM/YYYY or YYYY-MM-DD."),
    "DATE_INVALID_INFO": CodeSpec(
        "warning", "Ngày lập '{found}' không đọc được; cần dạng DD/MM/YYYY. Báo cáo vẫn được nhận.",
        "Preparation date '{found}' is unreadable; the submission is still accepted."),
    "EMAIL_INVALID": CodeSpec(
        "warning", "Địa chỉ email '{found}' không hợp lệ; thông báo sẽ gửi về địa chỉ đã đăng ký của huyện.",
        "E-mail address '{found}' is invalid; alerts go to the district's registered address."),
    # Indicator rows
    "INDICATOR_CODE_MISSING": CodeSpec(
        "error", "Dòng có số liệu nhưng thiếu mã chỉ tiêu.", "The row has values but no indicator code."),
    "INDICATOR_UNKNOWN": CodeSpec(
        "error", "Mã chỉ tiêu '{found}' không có trong danh mục chỉ tiêu.",
        "Indicator code '{found}' is not in the catalog."),
    "INDICATOR_NOT_FOR_LEVEL": CodeSpec(
        "warning", "Chỉ tiêu {found} chỉ báo cáo ở {expected}, không báo cáo ở {detail}; dòng này không được "
                   "đưa vào tổng hợp, có thể xóa dòng này khỏi tệp.",
        "Indicator {found} is not reported at {detail_en} level; this row is not loaded."),
    "INDICATOR_DUPLICATE": CodeSpec(
        "error", "Chỉ tiêu '{found}' được khai báo hai lần (đã có ở dòng {first_row}); mỗi chỉ tiêu chỉ một dòng.",
        "Indicator '{found}' is given twice (first at row {first_row})."),
    "UNIT_MISSING": CodeSpec(
        "error", "Thiếu đơn vị tính; đơn vị của chỉ tiêu này là '{expected}'.",
        "Unit is missing; the catalog unit is '{expected}'."),
    "UNIT_NOT_CONVERTIBLE": CodeSpec(
        "error", "Đơn vị '{found}' không quy đổi được sang đơn vị của chỉ tiêu ('{expected}').",
        "Unit '{found}' cannot be converted to the catalog unit '{expected}'."),
    "INDICATOR_NOT_REPORTED": CodeSpec(
        "warning", "{n} chỉ tiêu chưa có số liệu, coi như chưa báo cáo tháng này: {detail}.",
        "{n} indicators have no figure and count as not reported this month: {detail_en}."),
    "VALUE_REQUIRED": CodeSpec(
        "error", "Thiếu số liệu: {expected}.", "A value is missing: {expected}."),
    "YTD_NOT_APPLICABLE": CodeSpec(
        "warning", "Chỉ tiêu '{indicator}' là chỉ tiêu thời điểm, không có lũy kế năm; giá trị '{found}' bị bỏ qua.",
        "Indicator '{indicator}' is not a flow; its year-to-date value '{found}' is ignored."),
    "YTD_PREVIOUS_MISSING": CodeSpec(
        "warning", "Chỉ có lũy kế năm cho chỉ tiêu '{indicator}' nhưng chưa có lũy kế tháng trước, nên chưa tính được "
                   "số thực hiện tháng. Hãy gửi báo cáo tháng trước hoặc ghi số thực hiện tháng.",
        "Only the year-to-date value of '{indicator}' was given and the previous month's is not in the "
        "warehouse (nor in the same batch), so the month value cannot be derived until it arrives."),
    "VALUE_MALFORMED": CodeSpec(
        "error", "Giá trị '{found}' không đọc được: {detail}. Cần viết số kiểu Việt Nam: dấu chấm ngăn cách "
                 "hàng nghìn, dấu phẩy thập phân (ví dụ 3.941,68).",
        "Value '{found}' is unreadable: {detail_en}. Expected Vietnamese notation, e.g. 3.941,68."),
    "VALUE_HEDGED": CodeSpec("error", "Giá trị '{found}' không hợp lệ: {detail}.",
                             "Value '{found}' is not exact: {detail_en}."),
    "VALUE_RANGE": CodeSpec("error", "Giá trị '{found}' không hợp lệ: {detail}.",
                            "Value '{found}' is a range: {detail_en}."),
    "VALUE_FRACTION": CodeSpec(
        "error", "Giá trị '{found}' không hợp lệ: {detail}. Nếu là tử số/mẫu số, hãy ghi vào hai chỉ tiêu riêng.",
        "Value '{found}' is a fraction: {detail_en}."),
    "VALUE_NOT_A_NUMBER": CodeSpec("error", "Giá trị '{found}' không phải là số: {detail}.",
                                   "Value '{found}' is not a number: {detail_en}."),
    "VALUE_NOT_INTEGER": CodeSpec("error", "Giá trị '{found}' không hợp lệ: {detail}.",
                                  "Value '{found}' is not a whole number: {detail_en}."),
    "VALUE_NEGATIVE": CodeSpec("error", "Giá trị '{found}' không hợp lệ: {detail}.",
                               "Value '{found}' is negative: {detail_en}."),
    "VALUE_PERCENT_NOT_ALLOWED": CodeSpec("error", "Giá trị '{found}' không hợp lệ: {detail}.",
                                          "Value '{found}' has a percent sign: {detail_en}."),
    "VALUE_OUT_OF_RANGE": CodeSpec("error", "Giá trị '{found}' nằm ngoài khoảng cho phép: {detail}.",
                                   "Value '{found}' is out of range: {detail_en}."),
    "RATE_WITHOUT_COMPONENTS": CodeSpec(
        "warning", "Tỷ lệ {indicator} ({name}) = {found}% được gửi mà thiếu chỉ tiêu thành phần {missing} (công thức "
                   "{expected}), nên không kiểm tra được và không tổng hợp được lên tỉnh; số liệu vẫn được nhận và "
                   "hiện ở cấp huyện. Hãy ghi thêm các chỉ tiêu thành phần.",
        "Rate {indicator} = {found}% was sent without its components {missing} ({expected}): it cannot be checked "
        "against them nor aggregated to the province; it is kept at the district's level only."),
    "VALUE_SCALE_SUSPECT": CodeSpec(
        "warning", "Giá trị {found} {unit} gấp khoảng {ratio} {basis} ({expected} {unit}); {cause}. Hãy kiểm tra "
                   "lại số và đơn vị tính; nếu số liệu đúng thì không cần sửa.",
        "Value {found} {unit} is about {ratio_en} {basis_en} ({expected} {unit}); {cause_en}. The file is accepted; "
        "the clerk is asked to check the number and the unit."),
    "YTD_BELOW_MONTH": CodeSpec(
        "error", "Lũy kế năm '{found}' nhỏ hơn số thực hiện tháng ({expected}); lũy kế phải gồm cả tháng này.",
        "Year-to-date '{found}' is below the month's value ({expected})."),
    "RULE_NOT_EVALUATED": CodeSpec(
        "warning", "Chưa kiểm tra được quy tắc {rule} vì {inputs} không đọc được (xem các lỗi ở trên); quy tắc "
                   "này sẽ được kiểm tra khi tệp được gửi lại.",
        "Rule {rule_ref} ({rule}) could not be evaluated: {inputs_en} could not be read (see the errors above); it "
        "is evaluated when the file is sent again."),
    # Task rows
    "TASK_ID_MISSING": CodeSpec("error", "Dòng nhiệm vụ thiếu mã nhiệm vụ.", "The task row has no task id."),
    "TASK_FIELD_MISSING": CodeSpec("error", "Nhiệm vụ '{task}' thiếu '{expected}'.",
                                   "Task '{task}' is missing '{expected}'."),
    "TASK_BODY_UNKNOWN": CodeSpec(
        "warning", "Cơ quan giao '{found}' không có trong danh mục cơ quan giao; {closest_vi}Nhiệm vụ vẫn được "
                   "nhận với cơ quan giao như đã ghi, nhưng sẽ được thống kê riêng.",
        "Assigning body '{found}' is not in reference/assigning_bodies.yaml; {closest_en}the task is kept with "
        "the body as written and counted separately."),
    "TASK_DUPLICATE": CodeSpec(
        "error", "Mã nhiệm vụ '{found}' xuất hiện hai lần (đã có ở dòng {first_row}).",
        "Task id '{found}' appears twice (first at row {first_row})."),
    "TASK_STATUS_INVALID": CodeSpec(
        "error", "Trạng thái '{found}' không hợp lệ; cần một trong: Hoàn thành, Đang thực hiện, Chưa thực hiện.",
        "Status '{found}' is invalid; expected Hoàn thành, Đang thực hiện or Chưa thực hiện."),
    "TASK_DONE_WITHOUT_DATE": CodeSpec(
        "error", "Nhiệm vụ '{task}' báo 'Hoàn thành' nhưng thiếu ngày hoàn thành.",
        "Task '{task}' is reported done without a completion date."),
    "TASK_PROGRESS_INVALID": CodeSpec(
        "error", "Tiến độ '{found}' không hợp lệ; cần số từ 0 đến 100.", "Progress '{found}' must be 0-100."),
    "TASK_DONE_AFTER_RECEIPT": CodeSpec(
        "error", "Ngày hoàn thành '{found}' sau ngày gửi báo cáo ({expected}); "
                 "chỉ báo hoàn thành khi nhiệm vụ đã xong.",
        "Completion date '{found}' is after the report was received ({expected})."),
    "TASK_DEADLINE_BEFORE_ASSIGNED": CodeSpec(
        "error", "Hạn hoàn thành '{found}' trước ngày giao ({expected}).",
        "Deadline '{found}' is before the assignment date ({expected})."),
    # Plan files
    "PLAN_YEAR_INVALID": CodeSpec("error", "Năm kế hoạch '{found}' không hợp lệ; cần năm 4 chữ số ({expected}).",
                                  "Plan year '{found}' is invalid; expected a year in {expected}."),
    "PLAN_DOCUMENT_MISSING": CodeSpec(
        "warning", "Chưa ghi số văn bản giao kế hoạch (van_ban).", "The plan has no deciding document (van_ban)."),
    # Limits and strict parsing
    "FILE_SIZE_EXCEEDED": CodeSpec(
        "error", "Tệp nặng {found}, vượt giới hạn {expected}; mẫu báo cáo chỉ nặng vài trăm KB. Hãy kiểm tra lại "
                 "đúng tệp báo cáo (không kèm ảnh, dữ liệu khác) rồi gửi lại.",
        "The file is {found}, over the limit of {expected}; a report template is a few hundred KB."),
    "FILE_TOO_MANY_SHEETS": CodeSpec(
        "error", "Bảng tính có {found} trang tính, vượt giới hạn {expected}; hãy chỉ gửi các trang của mẫu báo cáo "
                 "(thong_tin, chi_tieu, nhiem_vu hoặc ke_hoach).",
        "The workbook has {found} sheets, over the limit of {expected}."),
    "FILE_SHEET_AMBIGUOUS": CodeSpec(
        "error", "Có hai trang tính cùng được hiểu là '{expected}': {found}; không biết trang nào là báo cáo. "
                 "Hãy xóa hoặc đổi tên một trang (kể cả trang đang ẩn) rồi gửi lại.",
        "Two sheets both read as '{expected}': {found_en}; delete or rename one of them (hidden sheets included)."),
    "FILE_SHEET_TOO_LARGE": CodeSpec(
        "error", "Trang tính có dữ liệu hoặc định dạng tới tận ô {found}, vượt giới hạn {expected}; phần này không "
                 "được đọc. Hãy xóa các ô, dòng, cột thừa ở cuối trang (chọn chúng, bấm chuột phải, chọn Xóa - "
                 "Delete), lưu lại rồi gửi lại.",
        "The sheet has a cell as far as {found}, beyond the limit of {expected_en}; it is not read. Delete the stray "
        "cells at the end of the sheet and send the file again."),
    "FILE_JSON_TOO_DEEP": CodeSpec(
        "error", "Tệp JSON lồng nhau {found} tầng, vượt giới hạn {expected} tầng; báo cáo theo mẫu chỉ cần 3 tầng. "
                 "Hãy kiểm tra phần mềm tạo tệp.",
        "The JSON nests {found} levels deep, over the limit of {expected}; a submission needs 3."),
    "FILE_JSON_DUPLICATE_KEY": CodeSpec(
        "error", "Khóa '{found}' được ghi hai lần trong cùng một đối tượng JSON, nên không biết giá trị nào đúng; "
                 "mỗi khóa chỉ được ghi một lần. Hãy sửa phần mềm tạo tệp rồi gửi lại.",
        "Key '{found}' is given twice in one JSON object; which value is meant cannot be known."),
    "CELL_ERROR_VALUE": CodeSpec(
        "error", "Ô {cell} có giá trị lỗi '{found}' của Excel (công thức tính lỗi), không phải số liệu. Hãy sửa công "
                 "thức hoặc ghi giá trị trực tiếp vào ô rồi gửi lại.",
        "Cell {cell} holds the Excel error '{found}', not a value; fix the formula or type the value."),
    "CELL_FORMULA_NO_VALUE": CodeSpec(
        "error", "Ô {cell} có công thức '{found}' nhưng tệp không lưu kết quả tính (tệp được tạo bằng phần mềm không "
                 "tính công thức). Hãy mở tệp bằng Excel hoặc LibreOffice để tính lại, lưu rồi gửi lại, hoặc ghi "
                 "giá trị trực tiếp vào ô.",
        "Cell {cell} has the formula '{found}' but no calculated value is stored; open and save the file in a "
        "spreadsheet program, or type the value."),
    "TEXT_INVALID_CHARACTER": CodeSpec(
        "error", "Nội dung '{found}' có ký tự điều khiển không in được ({char}, ở ký tự thứ {position}), thường do "
                 "sao chép từ phần mềm khác. Hãy gõ lại nội dung ô này rồi gửi lại.",
        "'{found}' contains the non-printable character {char} (at character {position}); retype it."),
    "TEXT_TOO_LONG": CodeSpec(
        "error", "Nội dung dài {n} ký tự, vượt giới hạn {expected} ('{found}'); hãy rút gọn nội dung ô này.",
        "The text is {n} characters long, over the limit of {expected} ('{found}')."),
    "VALUE_NOT_SCALAR": CodeSpec(
        "error", "Trường này chứa một {kind} ('{found}'), nhưng chỉ được ghi một giá trị (một số hoặc một chuỗi).",
        "The field holds {kind_en} ('{found}') where a single value (a number or a string) belongs."),
    "VALUE_TOO_LARGE": CodeSpec(
        "error", "Giá trị '{found}' quá lớn: {detail}. Hãy kiểm tra lại số và đơn vị tính.",
        "Value '{found}' is too large: {detail_en}."),
    "TASK_ID_TOO_LONG": CodeSpec(
        "error", "Mã nhiệm vụ dài {n} ký tự ('{found}'), vượt giới hạn {expected} ký tự; mã nhiệm vụ là một mã ngắn, "
                 "giữ nguyên hằng tháng (ví dụ 3466/QĐ-UBND#12). Nội dung nhiệm vụ ghi ở cột tên nhiệm vụ.",
        "The task id is {n} characters long ('{found}'), over the limit of {expected}; the title goes in "
        "ten_nhiem_vu."),
    "DATE_OUT_OF_RANGE": CodeSpec(
        "error", "Ngày '{found}' có năm {year}, ngoài khoảng hợp lý {expected}; có thể gõ nhầm năm. Hãy sửa lại "
                 "(dạng DD/MM/YYYY).",
        "Date '{found}' has the year {year}, outside {expected}; probably a typing mistake."),
    "TABLE_TOO_MANY_ROWS": CodeSpec(
        "error", "Bảng có hơn {expected} dòng số liệu; các dòng từ đây trở đi không được đọc. Hãy kiểm tra và xóa "
                 "các dòng thừa.",
        "The table has more than {expected} rows; the rows from here on are not read."),
}


@dataclass(frozen=True)
class Message:
    code: str
    severity: Severity
    sheet: str | None
    row: int | None
    column: str | None
    found: str | None
    expected: str | None
    text_vi: str  # what is wrong; `message` puts the place in front
    text_en: str
    source: str = "structure"  # structure | expectation (Great Expectations suite) | rule (consistency rule)
    rule_id: str | None = None  # the expectation or rule that produced it
    fmt: str = "xlsx"  # how the place reads: a sheet's cell, or a JSON item's field
    cell: str | None = None  # "D13", as the clerk's office suite names it (set by etl.quality.places)
    item_code: str | None = None  # the indicator code or task id of the row
    item_name: str | None = None  # its name in the catalog, or the task's title

    @property
    def message(self) -> str:
        """Vietnamese, the place first: what a clerk reads."""
        where = place_vi(self.sheet, self.row, self.column, self.fmt, self.cell, self.item_code, self.item_name)
        return f"{where}: {self.text_vi}" if where else self.text_vi

    @property
    def message_en(self) -> str:
        where = place_en(self.sheet, self.row, self.column, self.fmt, self.cell, self.item_code, self.item_name)
        return f"{where}: {self.text_en}" if where else self.text_en

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "row": self.row,
                "column": self.column, "cell": self.cell, "item_code": self.item_code, "item_name": self.item_name,
                "found": self.found, "expected": self.expected, "message": self.message,
                "message_en": self.message_en, "source": self.source, "rule_id": self.rule_id}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


ITEM_NAME_CHARS = 80  # a task title is cut here in a place; the message is about a cell, not the title


def item_kind(sheet: str | None) -> tuple[str, str]:
    """What a row of the sheet is, in Vietnamese and English (a task or an indicator)."""
    return ("nhiệm vụ", "task") if sheet is not None and fold_key(sheet) == "nhiem_vu" else ("chỉ tiêu", "indicator")


def _item(sheet: str | None, code: str | None, name: str | None, en: bool) -> str | None:
    if code is None:
        return None
    kind = item_kind(sheet)[1 if en else 0]
    if name:
        name = name if len(name) <= ITEM_NAME_CHARS else name[:ITEM_NAME_CHARS - 1] + "…"
        return f"{kind} {code} ({name})"
    return f"{kind} {code}"


def place_vi(sheet: str | None, row: int | None, column: str | None, fmt: str, cell: str | None = None,
             item_code: str | None = None, item_name: str | None = None) -> str:
    parts = []
    item = _item(sheet, item_code, item_name, en=False)
    if fmt == "json":
        if sheet and row is not None:
            parts.append(f"Mục '{sheet}' số {row}" + (f" ({item})" if item else ""))
        elif sheet:
            parts.append(f"Mục '{sheet}'")
        if column:
            parts.append(f"trường '{column}'")
        return ", ".join(parts)
    if sheet:
        parts.append(f"Trang '{sheet}'")
    if cell:
        parts.append(f"ô {cell}" + (f" (cột '{column}')" if column else ""))
    else:
        if row is not None:
            parts.append(f"dòng {row}")
        if column:
            parts.append(f"cột '{column}'")
    if item:
        parts.append(item)
    return ", ".join(parts)


def place_en(sheet: str | None, row: int | None, column: str | None, fmt: str, cell: str | None = None,
             item_code: str | None = None, item_name: str | None = None) -> str:
    parts = []
    item = _item(sheet, item_code, item_name, en=True)
    if fmt == "json":
        if sheet:
            parts.append(f"section '{sheet}'")
        if row is not None:
            parts.append(f"item {row}" + (f" ({item})" if item else ""))
        if column:
            parts.append(f"field '{column}'")
        return ", ".join(parts)
    if sheet:
        parts.append(f"sheet '{sheet}'")
    if cell:
        parts.append(f"cell {cell}" + (f" (column '{column}')" if column else ""))
    else:
        if row is not None:
            parts.append(f"row {row}")
        if column:
            parts.append(f"column '{column}'")
    if item:
        parts.append(item)
    return ", ".join(parts)


def make_message(
    code: str,
    /,
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    found: object = None,
    expected: object = None,
    fmt: str = "xlsx",
    severity: Severity | None = None,
    spec: CodeSpec | None = None,
    source: str = "structure",
    rule_id: str | None = None,
    **fields: Any,
) -> Message:
    """A message for a registered code, or for a rule that brings its own `spec`."""
    spec = spec or CODES[code]  # KeyError on an unregistered code is a bug, on purpose
    found_s = None if found is None else str(found)
    expected_s = None if expected is None else str(expected)
    values = _Blank(found=found_s or "", expected=expected_s or "", **fields)
    # Details may end in a question ("có phải là 38.650.000?"); no full stop after it.
    text_vi = spec.vi.format_map(values).replace("?.", "?")
    text_en = spec.en.format_map(values).replace("?.", "?")
    return Message(
        code=code,
        severity=severity or spec.severity,
        sheet=sheet,
        row=row,
        column=column,
        found=found_s,
        expected=expected_s,
        text_vi=text_vi,
        text_en=text_en,
        source=source,
        rule_id=rule_id,
        fmt=fmt,
    )
