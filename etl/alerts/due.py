"""Alerts on invalid, late and missing submissions, each sent exactly once.

`due_alerts` decides, as of any moment (so any day can be replayed), which alerts are
due: an invalid submission right after validation; a reminder some days before the
deadline to districts with nothing accepted; the late notice the day after the
deadline; escalation to the province desk some days later. `send_alerts` sends those
not sent yet on every configured channel and records them in ops.alert_log, whose
unique index on (idempotency_key, channel) is what makes "once" hold."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import yaml
from sqlalchemy import Connection, Engine, text

from etl.alerts.channels import Channels, configured_channels
from etl.config import settings
from etl.domain.calendar import load_calendar
from etl.paths import REFERENCE_DIR

log = logging.getLogger(__name__)
CONTACTS_PATH = REFERENCE_DIR / "contacts.yaml"


@cache
def reference_contacts() -> dict[str, str]:
    data = yaml.safe_load(CONTACTS_PATH.read_text(encoding="utf-8")) or {}
    return {str(k).zfill(3): v for k, v in (data.get("districts") or {}).items()}


@dataclass
class Alert:
    key: str
    kind: str  # invalid_submission | reminder | late | escalation
    district_code: str | None
    period_code: str | None
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    file_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _period_vi(year: int, month: int) -> str:
    return f"tháng {month:02d}/{year}"


def _fmt_time(value: datetime) -> str:

    return value.astimezone(load_calendar().zone).strftime("%H:%M ngày %d/%m/%Y")


def _contacts(conn: Connection, districts: set[str]) -> dict[str, str]:
    """The latest e-mail a district gave in a submission, else reference/contacts.yaml."""
    found = dict(reference_contacts())
    rows = conn.execute(text("""
        SELECT DISTINCT ON (district_code) district_code, email_lien_he FROM core.fct_submission
        WHERE email_lien_he IS NOT NULL AND district_code = ANY(:d)
        ORDER BY district_code, received_at DESC
    """), {"d": sorted(districts)})
    found.update({d: e for d, e in rows})
    return found


def _recipients(district: str | None, contacts: dict[str, str], desk: str | None) -> tuple[list[str], list[str]]:
    to = [contacts[district]] if district and district in contacts else []
    cc = [desk] if desk else []
    if not to:  # no contact on file: the province desk gets it directly
        to, cc = cc, []
    return to, cc


def due_alerts(engine: Engine, as_of: datetime) -> list[Alert]:
    cfg = load_calendar().alerts
    desk = settings().province_desk_email
    window_start = as_of - timedelta(days=cfg.alert_window_days)
    alerts: list[Alert] = []
    with engine.connect() as conn:
        invalid = conn.execute(text("""
            SELECT f.file_id, f.file_name, f.received_at, o.district_code, o.period_code, d.district_name,
                   1 + (SELECT count(*) FROM ops.superseded_outcome AS s WHERE s.file_id = o.file_id) AS attempt
            FROM ops.file_outcome o
            JOIN raw.file f USING (file_id)
            LEFT JOIN core.dim_district d ON d.district_code = o.district_code AND d.is_current
            WHERE o.outcome = 'rejected' AND f.received_at <= :as_of AND f.received_at >= :since
            ORDER BY f.received_at, f.file_id
        """), {"as_of": as_of, "since": window_start}).all()
        statuses = conn.execute(text("""
            SELECT district_code, district_name, province_code, year, month, status, deadline, versions_received
            FROM mart.submission_status_at(:as_of)
            WHERE status IN ('pending', 'missing', 'rejected') AND deadline >= :since
            ORDER BY province_code, district_code, year, month
        """), {"as_of": as_of, "since": window_start}).all()
        messages = _messages_by_file(conn, [r.file_id for r in invalid])
        contacts = _contacts(conn, {r.district_code for r in invalid if r.district_code}
                             | {r.district_code for r in statuses})
    for r in invalid:
        to, cc = _recipients(r.district_code, contacts, desk)
        who = r.district_name or "(không xác định được huyện)"
        found = messages.get(r.file_id, [])
        lines = "\n".join(f"  - [{m.code}] {m.message_vi}" for m in found)
        if found and all(m.code == "INTERNAL_ERROR" for m in found):  # our fault: nothing for the district to fix
            headline = "Tệp chưa xử lý được do lỗi hệ thống, không cần gửi lại"
            ask = ("Lỗi này do hệ thống, không do tệp: anh/chị không cần sửa hay gửi lại. Tệp đã được lưu và sẽ "
                   "được xử lý lại khi lỗi được khắc phục; nếu tệp có lỗi khác, hệ thống sẽ báo tiếp.")
            english = "internal error, code INTERNAL_ERROR; nothing to fix or resend, the file will be reprocessed."
        else:
            headline = "Báo cáo bị trả lại"
            ask = ("Đề nghị sửa các lỗi trên và gửi lại tệp. Số liệu của tệp này chưa được đưa vào tổng hợp.")
            english = ("submission rejected, code INVALID_SUBMISSION; the errors above name sheet, row and "
                       "column.")
        alerts.append(Alert(
            # A reprocessed file (baocao reprocess) that is rejected again is a new verdict: a new alert.
            key=f"invalid:{r.file_id}" if r.attempt == 1 else f"invalid:{r.file_id}:{r.attempt}",
            kind="invalid_submission", district_code=r.district_code,
            period_code=r.period_code, to=to, cc=cc, file_id=r.file_id,
            subject=f"[baocao] {headline}: {who}, tệp {r.file_name} (INVALID_SUBMISSION)",
            body=(f"Kính gửi {who},\n\nTệp '{r.file_name}' nhận lúc {_fmt_time(r.received_at)}"
                  f"{' cho kỳ ' + r.period_code if r.period_code else ''} chưa được tiếp nhận vì có lỗi sau:\n"
                  f"{lines}\n\n{ask}\n\n(English: {english})\n"),
        ))
    for r in statuses:
        period = f"{r.year}-{r.month:02d}"
        to, cc = _recipients(r.district_code, contacts, desk)
        nothing = "chưa có báo cáo hợp lệ" if r.versions_received else "chưa nhận được báo cáo"
        reminder_from = r.deadline - timedelta(days=cfg.reminder_days_before)
        if r.status in ("pending", "rejected") and reminder_from <= as_of < r.deadline:
            alerts.append(Alert(
                key=f"reminder:{r.district_code}:{period}", kind="reminder", district_code=r.district_code,
                period_code=period, to=to, cc=[],
                subject=f"[baocao] Nhắc hạn gửi báo cáo {_period_vi(r.year, r.month)}: {r.district_name} (REMINDER)",
                body=(f"Kính gửi {r.district_name},\n\nHạn gửi báo cáo {_period_vi(r.year, r.month)} là "
                      f"{_fmt_time(r.deadline)}. Hệ thống {nothing} của huyện. Đề nghị gửi báo cáo trước hạn.\n\n"
                      f"(English: reminder, code REMINDER; deadline {r.deadline.isoformat()}.)\n"),
            ))
        if r.status in ("missing", "rejected") and as_of >= r.deadline + timedelta(days=1):
            days = (as_of - r.deadline).days
            alerts.append(Alert(
                key=f"late:{r.district_code}:{period}", kind="late", district_code=r.district_code,
                period_code=period, to=to, cc=cc,
                subject=f"[baocao] Quá hạn gửi báo cáo {_period_vi(r.year, r.month)}: {r.district_name} (LATE)",
                body=(f"Kính gửi {r.district_name},\n\nĐã quá hạn gửi báo cáo {_period_vi(r.year, r.month)} "
                      f"({_fmt_time(r.deadline)}) {days} ngày mà hệ thống {nothing} của huyện. Đề nghị gửi ngay.\n\n"
                      f"(English: report overdue, code LATE; {days} day(s) past the deadline.)\n"),
            ))
        if r.status in ("missing", "rejected") and as_of >= r.deadline + timedelta(days=cfg.escalate_after_days):
            days = (as_of - r.deadline).days
            alerts.append(Alert(
                key=f"escalation:{r.district_code}:{period}", kind="escalation", district_code=r.district_code,
                period_code=period, to=[desk] if desk else to, cc=[],
                subject=f"[baocao] Huyện chưa báo cáo {_period_vi(r.year, r.month)} sau {days} ngày: "
                        f"{r.district_name} (ESCALATION)",
                body=(f"Kính gửi Văn phòng UBND tỉnh,\n\n{r.district_name} (mã {r.district_code}) {nothing} "
                      f"{_period_vi(r.year, r.month)}, đã quá hạn {days} ngày (hạn {_fmt_time(r.deadline)}). "
                      f"Huyện đã được nhắc ngày hôm sau hạn.\n\n(English: escalation, code ESCALATION.)\n"),
            ))
    return alerts


@dataclass
class _Msg:
    code: str
    message_vi: str


def _messages_by_file(conn: Connection, file_ids: list[int]) -> dict[int, list[_Msg]]:
    if not file_ids:
        return {}
    rows = conn.execute(text("""
        SELECT file_id, code, message_vi FROM ops.validation_message
        WHERE file_id = ANY(:f) AND severity = 'error' ORDER BY file_id, message_id
    """), {"f": file_ids})
    out: dict[int, list[_Msg]] = {}
    for file_id, code, message in rows:
        out.setdefault(file_id, []).append(_Msg(code, message))
    return out


@dataclass
class SendResult:
    due: int
    sent: int
    already_sent: int
    failed: int
    no_channel: int
    alerts: list[Alert]


def send_alerts(engine: Engine, as_of: datetime, *, dry_run: bool = False, channels: Channels | None = None,
                kinds: set[str] | None = None) -> SendResult:
    """Send every due alert (of `kinds`, default all) not sent before, on each channel; record each outcome."""
    due = [a for a in due_alerts(engine, as_of) if kinds is None or a.kind in kinds]
    if dry_run:
        return SendResult(len(due), 0, 0, 0, 0, due)
    channels = channels or configured_channels()
    sent = already = failed = no_channel = 0
    with engine.begin() as conn:
        # One sender at a time: two monitors racing could otherwise both send.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('baocao alerts'))"))
        done = {(k, c) for k, c in conn.execute(text(
            "SELECT idempotency_key, channel FROM ops.alert_log WHERE status IN ('sent', 'no_channel')"))}
        for alert in due:
            for channel in ("email", "webhook"):
                if (alert.key, channel) in done:
                    already += 1
                    continue
                status, error = _deliver(alert, channel, channels)
                sent += status == "sent"
                failed += status == "failed"
                no_channel += status == "no_channel"
                conn.execute(text("""
                    INSERT INTO ops.alert_log (idempotency_key, kind, channel, district_code, period_code, file_id,
                                               recipients, subject, body, status, error, as_of)
                    VALUES (:k, :kind, :ch, :d, :p, :f, :to, :s, :b, :status, :err, :as_of)
                """), {"k": alert.key, "kind": alert.kind, "ch": channel, "d": alert.district_code,
                       "p": alert.period_code, "f": alert.file_id,
                       "to": alert.to + alert.cc if channel == "email" else ["webhook"], "s": alert.subject,
                       "b": alert.body, "status": status, "err": error, "as_of": as_of})
    return SendResult(len(due), sent, already, failed, no_channel, due)


def _deliver(alert: Alert, channel: str, channels: Channels) -> tuple[str, str | None]:
    try:
        if channel == "email":
            if channels.email is None:
                return "no_channel", "no SMTP connection (baocao_smtp)"
            if not alert.to:
                return "no_channel", "no recipient: no district contact and no BAOCAO_PROVINCE_DESK_EMAIL"
            channels.email.send(alert.to, alert.subject, alert.body, cc=alert.cc)
        else:
            if channels.webhook is None:
                return "no_channel", "no webhook connection (baocao_webhook)"
            channels.webhook.send(f"*{alert.subject}*\n{alert.body}")
        return "sent", None
    except Exception as exc:  # a mail server down must not stop the other alerts; retried next run
        log.warning("alert %s on %s failed: %s", alert.key, channel, exc)
        return "failed", f"{type(exc).__name__}: {exc}"[:500]
