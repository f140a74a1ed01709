"""Which alerts are due as of a moment (any moment, so any day can be replayed).

An invalid submission right after validation; a reminder some days before the deadline
to districts with nothing accepted; the late notice the day after the deadline; the
escalation to the province desk some days later (reference/reporting_calendar.yaml).
Only what happened within the alert window is looked at. Sending each alert once is
etl.alerts.send; the words are etl.alerts.texts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text

from etl.alerts.feedback import feedback_file_name
from etl.alerts.recipients import district_contacts, recipients
from etl.alerts.texts import (
    INTERNAL_ERROR,
    AlertText,
    addressee,
    escalation_text,
    invalid_submission_text,
    late_text,
    reminder_text,
    signature,
)
from etl.config import settings
from etl.domain.calendar import AlertSettings, load_calendar
from etl.domain.periods import Period


@dataclass(frozen=True)
class ErrorMessage:
    code: str
    message_vi: str


@dataclass(frozen=True)
class RejectedFile:
    """A file rejected at validation, with its error messages."""

    file_id: int
    file_name: str
    received_at: datetime
    district_code: str | None  # None when the file did not say which district it is
    district_name: str | None
    period_code: str | None
    attempt: int  # 1, then one more for each `baocao reprocess` of the file
    errors: tuple[ErrorMessage, ...]
    province_name: str | None = None  # who signs: the unit's province desk
    # A re-delivery of the same bytes after the rejection (raw.file_delivery): its id, and when
    # the file first arrived (file_name and received_at are then the re-delivery's).
    delivery_id: int | None = None
    first_received_at: datetime | None = None
    content: bytes | None = None  # the file, when its unit could not be read (sent to the desk to route)
    warnings: tuple[ErrorMessage, ...] = ()
    feedback_name: str | None = None  # the feedback workbook to attach (etl.alerts.feedback)


@dataclass(frozen=True)
class DistrictMonth:
    """A district-month with nothing accepted as of the moment: pending, missing or rejected."""

    district_code: str
    district_name: str
    year: int
    month: int
    status: str
    deadline: datetime
    versions_received: int
    province_name: str | None = None

    @property
    def period(self) -> Period:
        return Period.of_month(self.year, self.month)


@dataclass
class Alert:
    key: str  # with the channel, unique in ops.alert_log: what makes "once" hold
    kind: str  # invalid_submission | reminder | late | escalation
    district_code: str | None
    period_code: str | None
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    file_id: int | None = None
    attachments: tuple[tuple[str, bytes], ...] = ()  # (file name, bytes), by e-mail only
    feedback: bool = False  # the file's feedback workbook goes with it (built when sent: etl.alerts.send)
    line: str = ""  # the alert as a line of a digest (etl.alerts.send groups reminders, late notices, escalations)
    addressee: str | None = None  # whom the body addresses ("UBND huyện ..."; None: the desk)
    signature: str = ""


def due_alerts(engine: Engine, as_of: datetime) -> list[Alert]:
    cfg = load_calendar().alerts
    desk = settings().province_desk_email
    since = as_of - timedelta(days=cfg.alert_window_days)
    with engine.connect() as conn:
        rejected = rejected_files(conn, as_of, since)
        owing = district_months(conn, as_of, since)
        late_sent = late_notices_sent(conn)
        contacts = district_contacts(conn, {f.district_code for f in rejected if f.district_code}
                                     | {m.district_code for m in owing})
    alerts = [_invalid_submission(f, contacts, desk) for f in rejected]
    for m in owing:
        alerts += _deadline_alerts(m, as_of, cfg, contacts, desk, late_sent)
    return alerts


def late_notices_sent(conn: Connection) -> dict[str, datetime]:
    """When each late notice was first sent (its key -> the moment judged), on any channel."""
    return dict(conn.execute(text(
        "SELECT idempotency_key, min(as_of) FROM ops.alert_log WHERE kind = 'late' AND status = 'sent' "
        "GROUP BY 1")).tuples().all())


def _invalid_submission(file: RejectedFile, contacts: dict[str, str], desk: str | None) -> Alert:
    # A file whose unit cannot be read (or is unknown) goes to the province desk, the file attached.
    to, cc = recipients(file.district_code if file.district_name else None, contacts, desk)
    words = invalid_submission_text(file)
    # A reprocessed file (baocao reprocess) that is rejected again is a new verdict: a new alert;
    # so is each re-delivery of a rejected file (the district sent it again: it is told again).
    key = f"invalid:{file.file_id}" if file.attempt == 1 else f"invalid:{file.file_id}:{file.attempt}"
    if file.delivery_id is not None:
        key = f"invalid:{file.file_id}:delivery:{file.delivery_id}"
    return Alert(
        key=key, kind="invalid_submission", district_code=file.district_code, period_code=file.period_code,
        to=to, cc=cc, file_id=file.file_id, subject=words.subject, body=words.body,
        attachments=((file.file_name, file.content),) if file.content is not None else (),
        feedback=file.feedback_name is not None,
    )


def _deadline_alerts(m: DistrictMonth, as_of: datetime, cfg: AlertSettings, contacts: dict[str, str],
                     desk: str | None, late_sent: dict[str, datetime] | None = None) -> list[Alert]:
    """The reminder, late notice and escalation due for a district-month (several once it is late)."""
    period = m.period.code
    district_to, desk_cc = recipients(m.district_code, contacts, desk)
    days = (as_of - m.deadline).days

    def alert(kind: str, to: list[str], cc: list[str], words: AlertText) -> Alert:
        return Alert(key=f"{kind}:{m.district_code}:{period}", kind=kind, district_code=m.district_code,
                     period_code=period, to=to, cc=cc, subject=words.subject, body=words.body, line=words.line,
                     addressee=addressee(m.district_name) if kind != "escalation" else None,
                     signature=signature(m.province_name))

    reminder_from = m.deadline - timedelta(days=cfg.reminder_days_before)
    due = []
    if m.status in ("pending", "rejected") and reminder_from <= as_of < m.deadline:
        due.append(alert("reminder", district_to, [], reminder_text(m)))
    if m.status in ("missing", "rejected") and as_of >= m.deadline + timedelta(days=1):
        due.append(alert("late", district_to, desk_cc, late_text(m, days)))
    if m.status in ("missing", "rejected") and as_of >= m.deadline + timedelta(days=cfg.escalate_after_days):
        late_at = (late_sent or {}).get(f"late:{m.district_code}:{period}")
        due.append(alert("escalation", [desk] if desk else district_to, [], escalation_text(m, days, late_at)))
    return due


def rejected_files(conn: Connection, as_of: datetime, since: datetime) -> list[RejectedFile]:
    """Files rejected that arrived in [since, as_of], in order of arrival, with their errors; and
    every later delivery of a rejected file's same bytes (raw.file_delivery) that arrived then."""
    rows = conn.execute(text("""
        WITH rejected AS (
            SELECT f.file_id, f.received_at AS first_received_at, o.district_code, o.period_code, d.district_name,
                   coalesce(d.province_name, d.province_2025_name) AS province_name,
                   1 + (SELECT count(*) FROM ops.superseded_outcome AS s WHERE s.file_id = o.file_id) AS attempt,
                   (SELECT min(fd.delivery_id) FROM raw.file_delivery fd WHERE fd.file_id = f.file_id) AS first_delivery
            FROM ops.file_outcome o
            JOIN raw.file f USING (file_id)
            LEFT JOIN core.dim_district d ON d.district_code = o.district_code AND d.is_current
            WHERE o.outcome = 'rejected'
              AND (f.received_at BETWEEN :since AND :as_of
                   OR EXISTS (SELECT 1 FROM raw.file_delivery fd WHERE fd.file_id = f.file_id
                              AND fd.received_at BETWEEN :since AND :as_of))
        )
        SELECT r.*, f.file_name, f.received_at, NULL::bigint AS delivery_id,
               CASE WHEN r.district_name IS NULL THEN f.content END AS content
        FROM rejected r JOIN raw.file f USING (file_id)
        WHERE f.received_at <= :as_of AND f.received_at >= :since
        UNION ALL
        SELECT r.*, fd.file_name, fd.received_at, fd.delivery_id,
               CASE WHEN r.district_name IS NULL THEN f.content END AS content
        FROM rejected r JOIN raw.file_delivery fd USING (file_id) JOIN raw.file f USING (file_id)
        WHERE fd.delivery_id > r.first_delivery AND fd.received_at <= :as_of AND fd.received_at >= :since
        ORDER BY received_at, file_id, delivery_id NULLS FIRST
    """), {"as_of": as_of, "since": since}).all()
    messages = _messages_by_file(conn, sorted({r.file_id for r in rows}))
    out = []
    for r in rows:
        errors = tuple(m for m in messages.get(r.file_id, ()) if m.severity == "error")
        internal = bool(errors) and all(e.code == INTERNAL_ERROR for e in errors)
        out.append(RejectedFile(
            r.file_id, r.file_name, r.received_at, r.district_code, r.district_name, r.period_code, r.attempt,
            tuple(ErrorMessage(m.code, m.message_vi) for m in errors), r.province_name, r.delivery_id,
            r.first_received_at if r.delivery_id is not None else None,
            bytes(r.content) if r.content is not None else None,
            warnings=tuple(ErrorMessage(m.code, m.message_vi) for m in messages.get(r.file_id, ())
                           if m.severity == "warning"),
            # Nothing to fix after a failure of baocao itself: no workbook of places to fix.
            feedback_name=None if internal else feedback_file_name(r.file_name)))
    return out


def _messages_by_file(conn: Connection, file_ids: list[int]) -> dict[int, list[Any]]:
    if not file_ids:
        return {}
    rows = conn.execute(text("""
        SELECT file_id, code, severity, message_vi FROM ops.validation_message
        WHERE file_id = ANY(:f) ORDER BY file_id, message_id
    """), {"f": file_ids})
    out: dict[int, list[Any]] = {}
    for row in rows:
        out.setdefault(row.file_id, []).append(row)
    return out


def district_months(conn: Connection, as_of: datetime, since: datetime) -> list[DistrictMonth]:
    """District-months with nothing accepted as of the moment whose deadline is after `since`.
    Which district-months are owed is core.expected_district_at, through core.submission_status_at:
    the definition mart.submission_status, mart.reporting_rate and expected_units use too."""
    rows = conn.execute(text("""
        SELECT s.district_code, s.district_name, s.year, s.month, s.status, s.deadline, s.versions_received,
               coalesce(d.province_name, d.province_2025_name) AS province_name
        FROM core.submission_status_at(:as_of) s
        LEFT JOIN core.dim_district d ON d.district_code = s.district_code AND d.is_current
        WHERE s.status IN ('pending', 'missing', 'rejected') AND s.deadline >= :since
        ORDER BY s.province_code, s.district_code, s.year, s.month
    """), {"as_of": as_of, "since": since}).mappings()
    return [DistrictMonth(**r) for r in rows]
