"""Data shown to people made safe for where it is shown (no database): control characters made
visible, Slack markup escaped, spreadsheet formulas neutralised, subjects that survive the mail."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from etl.alerts.channels import message
from etl.alerts.due import ErrorMessage, RejectedFile
from etl.alerts.escaping import shortened, slack_escape, visible
from etl.alerts.texts import SUBJECT_FILE_NAME_CHARS, invalid_submission_text, webhook_text
from etl.reporting.csv_report import number_cell, text_cell


@pytest.mark.parametrize(("raw", "shown"), [
    ("bad\r\nBcc: x@evil.example.json", "bad\\r\\nBcc: x@evil.example.json"),
    ("a\tb\x00c\x7fd", "a\\tb\\x00c\\x7fd"),
    ("\x1b[31mđỏ\x1b[0m", "\\x1b[31mđỏ\\x1b[0m"),  # a terminal escape sequence
    ("next\x85line\u2028sep\u2029", "next\\x85line\\u2028sep\\u2029"),  # C1 NEL, line and paragraph separators
    ("hoa_don\u202egpj.exe", "hoa_don\\u202egpj.exe"),  # a bidi override disguising the extension
])
def test_control_characters_become_visible_escapes(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert visible(shown) == shown  # nothing left to escape


def test_vietnamese_text_is_left_alone() -> None:
    nfd = "Thành phố Vĩnh Yên".encode().decode()  # combining marks (NFD) are letters' parts, not controls
    import unicodedata

    for text in ("Báo cáo tháng 5 - Thành phố Vĩnh Yên (bản sửa).xlsx", unicodedata.normalize("NFD", nfd)):
        assert visible(text) == text


def test_shortened() -> None:
    assert shortened("abc", 3) == "abc"
    assert shortened("abcdef", 4) == "abc…"


def test_slack_escape_turns_mentions_and_links_into_text() -> None:
    assert slack_escape("<!here> & <http://evil.example|click>") == "&lt;!here&gt; &amp; &lt;http://evil.example|click&gt;"
    assert slack_escape("&lt;") == "&amp;lt;"  # an entity typed in a file stays what was typed


def test_the_webhook_escapes_the_alert_but_keeps_its_own_markup() -> None:
    text = webhook_text("[baocao] Báo cáo bị trả lại: tệp <!channel>.json (INVALID_SUBMISSION)",
                        "Mã chỉ tiêu '<http://evil.example|bấm vào>' không có trong danh mục.\n")
    assert text == ("*[baocao] Báo cáo bị trả lại: tệp &lt;!channel&gt;.json (INVALID_SUBMISSION)*\n"
                    "Mã chỉ tiêu '&lt;http://evil.example|bấm vào&gt;' không có trong danh mục.\n")


def _rejected(file_name: str, *errors: ErrorMessage) -> RejectedFile:
    return RejectedFile(7, file_name, datetime(2024, 5, 16, 2, 30, tzinfo=UTC), "243", "Thành phố Vĩnh Yên",
                        "2024-05", 1, errors)


def test_an_alert_about_a_file_has_no_line_of_the_files() -> None:
    forged = ErrorMessage("VALUE_HEDGED", "Giá trị 'khoảng 5\n\nĐề nghị chuyển khoản' không hợp lệ.")
    words = invalid_submission_text(_rejected("bad\r\nBcc: x@evil.example.json", forged))
    assert "\n" not in words.subject and "\r" not in words.subject
    assert "tệp bad\\r\\nBcc: x@evil.example.json (INVALID_SUBMISSION)" in words.subject
    assert "Tệp 'bad\\r\\nBcc: x@evil.example.json' nhận lúc" in words.body
    assert "  - [VALUE_HEDGED] Giá trị 'khoảng 5\\n\\nĐề nghị chuyển khoản' không hợp lệ.\n" in words.body


def test_a_long_file_name_is_shortened_in_the_subject_only() -> None:
    name = "Báo cáo tình hình kinh tế xã hội " * 10 + ".xlsx"
    words = invalid_submission_text(_rejected(name, ErrorMessage("X", "x")))
    assert shortened(name, SUBJECT_FILE_NAME_CHARS) in words.subject and name not in words.subject
    assert f"Tệp '{name}'" in words.body


@pytest.mark.parametrize("subject", [
    "[baocao] Báo cáo bị trả lại: Thành phố Vĩnh Yên, tệp báo cáo tháng 5 thành phố.xlsx (INVALID_SUBMISSION)",
    "[baocao] Báo cáo bị trả lại: Huyện Mường Tè, tệp Báo cáo tháng 05 năm 2024 huyện Mường Tè đã sửa lần 2.xlsx "
    "(INVALID_SUBMISSION)",
    "[baocao] Báo cáo bị trả lại: Thành phố Vĩnh Yên, tệp " + shortened("Báo cáo tình hình kinh tế xã hội " * 10,
                                                                          SUBJECT_FILE_NAME_CHARS)
    + " (INVALID_SUBMISSION)",
])
def test_a_subject_arrives_word_for_word(subject: str) -> None:
    """Folded at 78, Python 3.11 drops the space between two encoded words ("Thànhphố")."""
    body = "Kính gửi Thành phố Vĩnh Yên,\n\n" + "Tệp nhận lúc 09:30 chưa được tiếp nhận vì có lỗi sau. " * 5 + "\n"
    sent = message("baocao@tinh.example.gov.vn", ["a@example.gov.vn"], subject, body)
    wire = sent.as_bytes()
    received = message_from_bytes(wire, policy=policy.default)
    assert received["Subject"] == subject
    assert received.get_content() == body
    head, encoded = wire.split(b"\n\n", 1)
    assert max(len(line) for line in head.splitlines()) <= 998
    assert max(len(line) for line in encoded.splitlines()) <= 78  # the body is encoded as before


def test_a_subject_with_a_line_break_still_makes_a_message() -> None:
    sent = message("baocao@tinh.example.gov.vn", ["a@example.gov.vn"], "tệp a\r\nBcc: x@evil.example", "x\n")
    received = message_from_bytes(sent.as_bytes(), policy=policy.default)
    assert received["Subject"] == "tệp a\\r\\nBcc: x@evil.example" and received["Bcc"] is None


@pytest.mark.parametrize(("cell", "safe"), [
    ('=HYPERLINK("http://evil.example","Bấm")', '\'=HYPERLINK("http://evil.example","Bấm")'),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("+84 912 345 678", "'+84 912 345 678"),
    ("-3,5", "'-3,5"),  # in a text column, text: a body named "-3,5" is not a number
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("UBND tỉnh", "UBND tỉnh"),
    ("", ""),
])
def test_text_cells_never_start_a_formula(cell: str, safe: str) -> None:
    assert text_cell(cell) == safe


@pytest.mark.parametrize("cell", ["-3,5", "-1.234.567,25", "92.000", "16.250,5*", "+62,51%", "-2 điểm %", "50%",
                                  "2/9", "0", "1250", ""])
def test_number_cells_stay_numbers(cell: str) -> None:
    assert number_cell(cell) == cell


@pytest.mark.parametrize("cell", ["-1+1", "=1", "+cmd|' /C calc'!A0", "-2 điểm %=1", "@1"])
def test_a_number_cell_that_is_no_number_is_text(cell: str) -> None:
    assert number_cell(cell) == "'" + cell


def test_the_engineers_failure_notice_escapes_the_exception() -> None:
    """The notifiers' templates (rendered by Airflow's Jinja): an exception quoting a file name
    such as `<!here>` or a disguised link arrives as text on the webhook and in the HTML mail."""
    import jinja2
    from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

    from etl.orchestration.dag_defaults import failure_notifiers

    [slack, *_] = [n for n in failure_notifiers() if isinstance(n, SlackWebhookNotifier)]
    rendered = jinja2.Environment().from_string(slack.text).render(
        dag={"dag_id": "ingest_submissions"}, ti={"task_id": "ingest_batch", "try_number": 1},
        exception=ValueError("tệp <!here> & <http://evil.example|bấm>"))
    assert "&lt;!here&gt; &amp; &lt;http://evil.example|bấm&gt;" in rendered and "<!here>" not in rendered
