"""The words of each alert, rendered from reference/alert_texts.yaml (no database): word for
word what districts and the province desk receive, moments in the calendar's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from etl.alerts.due import DistrictMonth, ErrorMessage, RejectedFile
from etl.alerts.texts import (
    escalation_text,
    invalid_submission_text,
    late_text,
    read_alert_texts,
    reminder_text,
    webhook_text,
)

RECEIVED = datetime(2024, 5, 16, 2, 30, tzinfo=UTC)  # 09:30 in the calendar's zone (UTC+7)
DEADLINE = datetime(2024, 5, 17, 10, tzinfo=UTC)  # 17:00 there
HEDGED = ErrorMessage("VALUE_HEDGED", "Trang 'chi_tieu', dòng 27, cột 'Thực hiện tháng': Giá trị 'trên 572' không "
                                      "hợp lệ: là số ước lượng ('trên'), cần số chính xác.")
INTERNAL = ErrorMessage("INTERNAL_ERROR", "Hệ thống gặp lỗi khi xử lý tệp này; bộ phận kỹ thuật đã được báo. Tệp "
                                          "đã được lưu lại.")


SIGNED = "Bộ phận tổng hợp số liệu, UBND tỉnh Vĩnh Phúc"


def rejected(*errors: ErrorMessage, district: str | None = "Huyện Tam Dương", period: str | None = "2024-05",
             first_received_at: datetime | None = None) -> RejectedFile:
    return RejectedFile(7, "bad.json", RECEIVED, "247" if district else None, district, period, 1, errors,
                        "Tỉnh Vĩnh Phúc" if district else None, 12 if first_received_at else None, first_received_at)


def month(versions_received: int = 0) -> DistrictMonth:
    return DistrictMonth("639", "Huyện Chư Pưh", 2024, 5, "missing", DEADLINE, versions_received, "Tỉnh Gia Lai")


def test_invalid_submission_lists_every_error_and_asks_to_resend() -> None:
    words = invalid_submission_text(rejected(HEDGED, HEDGED))
    assert words.subject == "[baocao] Báo cáo bị trả lại: Huyện Tam Dương, tệp bad.json (INVALID_SUBMISSION)"
    assert words.body == (
        "Kính gửi: UBND huyện Tam Dương\n\nTệp 'bad.json' nhận lúc 09:30 ngày 16/05/2024 cho kỳ 2024-05 chưa được "
        "tiếp nhận vì có lỗi sau:\n"
        f"  - [VALUE_HEDGED] {HEDGED.message_vi}\n  - [VALUE_HEDGED] {HEDGED.message_vi}\n\n"
        "Đề nghị sửa các lỗi trên và gửi lại tệp. Số liệu của tệp này chưa được đưa vào tổng hợp.\n\n"
        f"{SIGNED}\n\n"
        "(English: submission rejected, code INVALID_SUBMISSION; the errors above name sheet, row and column.)\n")


def test_an_unknown_district_and_period_are_said_so() -> None:
    words = invalid_submission_text(rejected(HEDGED, district=None, period=None))
    assert words.subject == ("[baocao] Báo cáo bị trả lại: (không xác định được huyện), tệp bad.json "
                             "(INVALID_SUBMISSION)")
    # It goes to the province desk, which routes it (the file is attached: tests/test_resend.py).
    assert words.body.startswith("Kính gửi: Bộ phận tổng hợp số liệu, Văn phòng UBND tỉnh\n\nTệp 'bad.json' nhận "
                                 "lúc 09:30 ngày 16/05/2024 chưa được tiếp nhận vì có lỗi sau:\n")
    assert "Không đọc được đơn vị gửi tệp này: tệp được đính kèm" in words.body
    assert "Bộ phận tổng hợp số liệu, UBND tỉnh\n" in words.body


def test_a_resent_rejected_file_says_when_it_was_first_received() -> None:
    first = datetime(2024, 5, 15, 2, 2, tzinfo=UTC)
    body = invalid_submission_text(rejected(HEDGED, first_received_at=first)).body
    assert ("Tệp này giống hệt tệp đã nhận lúc 09:02 ngày 15/05/2024, đã bị trả lại vì các lỗi trên; gửi lại "
            "nguyên tệp không khắc phục được lỗi.\n\nĐề nghị sửa") in body


@pytest.mark.parametrize(("name", "salutation"), [
    ("Huyện Yên Thế", "Kính gửi: UBND huyện Yên Thế\n"),
    ("Thành phố Bắc Giang", "Kính gửi: UBND thành phố Bắc Giang\n"),
    ("Thị xã Phúc Yên", "Kính gửi: UBND thị xã Phúc Yên\n"),
    ("Xã Chư Pưh", "Kính gửi: UBND xã Chư Pưh\n"),
    ("Phường Ba Đình", "Kính gửi: UBND phường Ba Đình\n"),
    ("Côn Đảo", "Kính gửi: UBND Côn Đảo\n"),
])
def test_salutation_in_administrative_style(name: str, salutation: str) -> None:
    words = invalid_submission_text(rejected(HEDGED, district=name))
    assert words.body.startswith(salutation)
    assert words.body.split("\n\n")[-2] == SIGNED  # signed by the province's data desk


def test_an_internal_error_asks_for_nothing() -> None:
    words = invalid_submission_text(rejected(INTERNAL))
    assert words.subject == ("[baocao] Tệp chưa xử lý được do lỗi hệ thống, không cần gửi lại: Huyện Tam Dương, "
                             "tệp bad.json (INVALID_SUBMISSION)")
    assert words.body == (
        "Kính gửi: UBND huyện Tam Dương\n\nTệp 'bad.json' nhận lúc 09:30 ngày 16/05/2024 cho kỳ 2024-05 chưa được "
        f"tiếp nhận vì có lỗi sau:\n  - [INTERNAL_ERROR] {INTERNAL.message_vi}\n\n"
        "Lỗi này do hệ thống, không do tệp: anh/chị không cần sửa hay gửi lại. Tệp đã được lưu và sẽ được xử lý lại "
        "khi lỗi được khắc phục; nếu tệp có lỗi khác, hệ thống sẽ báo tiếp.\n\n"
        f"{SIGNED}\n\n"
        "(English: internal error, code INTERNAL_ERROR; nothing to fix or resend, the file will be reprocessed.)\n")
    # another error beside it is the district's to fix
    assert "Đề nghị sửa" in invalid_submission_text(rejected(INTERNAL, HEDGED)).body


def test_reminder_late_and_escalation() -> None:
    reminder = reminder_text(month())
    assert reminder.subject == "[baocao] Nhắc hạn gửi báo cáo tháng 05/2024: Huyện Chư Pưh (REMINDER)"
    gia_lai = "Bộ phận tổng hợp số liệu, UBND tỉnh Gia Lai"
    assert reminder.body == (
        "Kính gửi: UBND huyện Chư Pưh\n\nHạn gửi báo cáo tháng 05/2024 là 17:00 ngày 17/05/2024. Hệ thống chưa nhận "
        "được báo cáo của huyện. Đề nghị gửi báo cáo trước hạn.\n\n"
        f"{gia_lai}\n\n"
        "(English: reminder, code REMINDER; deadline 2024-05-17T10:00:00+00:00.)\n")
    late = late_text(month(versions_received=1), 1)
    assert late.subject == "[baocao] Quá hạn gửi báo cáo tháng 05/2024: Huyện Chư Pưh (LATE)"
    assert late.body == (
        "Kính gửi: UBND huyện Chư Pưh\n\nĐã quá hạn gửi báo cáo tháng 05/2024 (17:00 ngày 17/05/2024) 1 ngày mà hệ "
        "thống chưa có báo cáo hợp lệ của huyện. Đề nghị gửi ngay.\n\n"
        f"{gia_lai}\n\n"
        "(English: report overdue, code LATE; 1 day(s) past the deadline.)\n")
    late_sent = datetime.fromisoformat("2024-05-18T08:00:00+07:00")
    escalation = escalation_text(month(), 7, late_sent)
    assert escalation.subject == "[baocao] Huyện chưa báo cáo tháng 05/2024 sau 7 ngày: Huyện Chư Pưh (ESCALATION)"
    assert escalation.body == (
        "Kính gửi: Bộ phận tổng hợp số liệu, Văn phòng UBND tỉnh\n\nHuyện Chư Pưh (mã 639) chưa nhận được báo cáo "
        "tháng 05/2024, đã quá hạn 7 ngày (hạn 17:00 ngày 17/05/2024). Huyện đã được gửi thông báo quá hạn lúc "
        "08:00 ngày 18/05/2024.\n\n"
        f"{gia_lai}\n\n"
        "(English: escalation, code ESCALATION.)\n")
    # The late notice not sent before: it goes in the same run, and the desk is told so.
    assert "Huyện được gửi thông báo quá hạn cùng lúc với thư này." in escalation_text(month(), 7, None).body
    assert escalation.line == ("Huyện Chư Pưh (mã 639): tháng 05/2024, quá hạn 7 ngày; Huyện đã được gửi thông báo "
                               "quá hạn lúc 08:00 ngày 18/05/2024.")


def test_the_webhook_gets_the_subject_in_bold_then_the_body() -> None:
    assert webhook_text("[baocao] X (LATE)", "Kính gửi ...\n") == "*[baocao] X (LATE)*\nKính gửi ...\n"


def test_every_alert_kind_needs_its_texts(tmp_path: Path) -> None:
    path = tmp_path / "alert_texts.yaml"
    path.write_text("reminder:\n  subject: s\n  body: b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no subject or body for invalid_submission, late, escalation"):
        read_alert_texts(path)


def test_a_commune_is_called_a_commune() -> None:
    from etl.alerts.texts import escalation_text, late_text

    deadline = datetime.fromisoformat("2025-08-20T17:00:00+07:00")
    month = DistrictMonth("23942", "Xã Chư Pưh", 2025, 8, "missing", deadline, 0)
    assert "của xã" in late_text(month, 3).body
    assert escalation_text(month, 10, None).subject.startswith("[baocao] Xã chưa báo cáo tháng 08/2025")
    assert late_text(month, 3).body.startswith("Kính gửi: UBND xã Chư Pưh\n")
    assert "Xã được gửi thông báo quá hạn cùng lúc với thư này" in escalation_text(month, 10, None).body
