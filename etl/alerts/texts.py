"""The words of every alert: subjects and bodies rendered from reference/alert_texts.yaml,
as the rule messages are rendered from reference/validation_rules.yaml. Moments are written
in the reporting calendar's time zone.

Every piece of data (file names, unit names, codes, messages with the values found) goes in
through `escaping.visible`, so the texts stay what the templates say: no line of a body, and no
header, comes from a file. The webhook text escapes the whole e-mail text for Slack's markup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from etl.alerts.escaping import shortened, slack_escape, visible
from etl.domain.calendar import local_zone
from etl.domain.contract import ALERT_KINDS, LEVEL_NAMES_VI, reporting_level
from etl.paths import REFERENCE_DIR

if TYPE_CHECKING:
    from etl.alerts.due import DistrictMonth, RejectedFile

ALERT_TEXTS_PATH = REFERENCE_DIR / "alert_texts.yaml"
INTERNAL_ERROR = "INTERNAL_ERROR"  # the code of a file the system failed on (etl.quality.messages)
# A subject must fit the mail's header line (etl.alerts.channels, 998 characters encoded) to be
# sent unfolded; the body names the file in full.
SUBJECT_FILE_NAME_CHARS = 100


@dataclass(frozen=True)
class AlertText:
    subject: str
    body: str
    line: str = ""  # the alert as one line of a digest (reminder, late, escalation)


def read_alert_texts(path: Path = ALERT_TEXTS_PATH) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = [kind for kind in ALERT_KINDS if not {"subject", "body"} <= set(data.get(kind) or {})]
    if missing:  # fail at the first alert run, not at the first alert of that kind
        raise ValueError(f"{path}: no subject or body for {', '.join(missing)}")
    return data


@cache
def alert_texts() -> dict[str, Any]:
    """The texts of this deployment (read once per process)."""
    return read_alert_texts()


def local_time(moment: datetime) -> str:
    """'17:00 ngày 17/05/2024'."""
    return moment.astimezone(local_zone()).strftime(alert_texts()["time_format"])


def _split_kind(name: str) -> tuple[str, str]:
    """('thành phố', 'Bắc Giang') from 'Thành phố Bắc Giang'; ('', name) for a name without a known kind."""
    for kind in sorted(alert_texts()["unit_kinds"], key=len, reverse=True):
        if name.lower().startswith(kind.lower() + " "):
            return kind.lower(), name[len(kind) + 1:]
    return "", name


def addressee(unit_name: str | None, default_kind: str = "") -> str | None:
    """'UBND huyện Yên Thế' for 'Huyện Yên Thế' (Decree 30/2020/NĐ-CP style); None without a name."""
    if not unit_name:
        return None
    kind, rest = _split_kind(visible(unit_name))
    return " ".join(alert_texts()["addressee"].format(kind=kind or default_kind, name=rest).split())


def signature(province_name: str | None) -> str:
    """'Bộ phận tổng hợp số liệu, UBND tỉnh Vĩnh Phúc'."""
    texts = alert_texts()
    return texts["signature"].format(province=addressee(province_name, "tỉnh") or texts["province_unknown"])


def _render(kind: str, subject_fields: dict[str, Any] | None = None, **fields: Any) -> AlertText:
    """The kind's subject and body; `subject_fields` overrides fields in the subject only."""
    spec = alert_texts()[kind]
    return AlertText(spec["subject"].format(**{**fields, **(subject_fields or {})}), spec["body"].format(**fields),
                     spec.get("line", "").format(**fields))


def invalid_submission_text(file: RejectedFile) -> AlertText:
    """Every error of the file, and what to do: fix and resend, or nothing after an internal error."""
    spec = alert_texts()["invalid_submission"]
    internal = bool(file.errors) and all(e.code == INTERNAL_ERROR for e in file.errors)
    file_name = visible(file.file_name)
    unit = addressee(file.district_name)
    resent = (spec["resent"].format(first_received_at=local_time(file.first_received_at)) + "\n\n"
              if file.first_received_at else "")
    return _render(
        "invalid_submission",
        subject_fields={"file_name": shortened(file_name, SUBJECT_FILE_NAME_CHARS)},
        **spec["internal_error" if internal else "rejected"],
        district=visible(file.district_name) if file.district_name else spec["unknown_district"],
        addressee=unit or alert_texts()["desk_addressee"],
        resent=resent, route="" if unit else spec["route"] + "\n\n",
        signature=signature(file.province_name),
        file_name=file_name,
        received_at=local_time(file.received_at),
        for_period=spec["for_period"].format(period_code=visible(file.period_code)) if file.period_code else "",
        errors="\n".join(spec["error_line"].format(code=visible(e.code), message=visible(e.message_vi))
                         for e in file.errors),
        warnings="\n".join([spec["warnings_head"], *(spec["error_line"].format(
            code=visible(w.code), message=visible(w.message_vi)) for w in file.warnings)]) + "\n"
        if file.warnings and not internal else "",
        feedback=spec["feedback"].format(feedback_name=visible(file.feedback_name)) + "\n\n"
        if file.feedback_name and not internal else "",
    )


def _month_fields(month: DistrictMonth) -> dict[str, Any]:
    texts = alert_texts()
    kind = LEVEL_NAMES_VI[reporting_level(month.district_code)]  # a commune reports since 1/7/2025
    return {"district": visible(month.district_name), "district_code": visible(month.district_code),
            "addressee": addressee(month.district_name), "desk": texts["desk_addressee"],
            "signature": signature(month.province_name),
            "period": month.period.label,
            "unit_kind": kind, "Unit_kind": kind.capitalize(),
            "deadline": local_time(month.deadline), "deadline_iso": month.deadline.isoformat(),
            "nothing": texts["nothing_valid"] if month.versions_received else texts["nothing_received"]}


def reminder_text(month: DistrictMonth) -> AlertText:
    return _render("reminder", **_month_fields(month))


def late_text(month: DistrictMonth, days: int) -> AlertText:
    return _render("late", **_month_fields(month), days=days)


def escalation_text(month: DistrictMonth, days: int, late_sent_at: datetime | None) -> AlertText:
    """What the desk is told of the late notice follows what was sent: when it went (`late_sent_at`),
    or that it goes in the same run (the late notice is due whenever the escalation is)."""
    fields = _month_fields(month)
    spec = alert_texts()["escalation"]
    reminded = (spec["reminded_before"].format(sent_at=local_time(late_sent_at), **fields) if late_sent_at
                else spec["reminded_now"].format(**fields))
    return _render("escalation", **fields, days=days, reminded=reminded)


def digest_text(kind: str, lines: list[str], periods: list[str], addressee_: str | None,
                signature_: str) -> AlertText:
    """One message for several alerts of a kind to the same recipients: a line each."""
    spec = alert_texts()["digest"]
    fields = {"title": spec["titles"][kind], "count": len(lines), "code": kind.upper(), "kind": kind,
              "periods": ", ".join(periods),
              "addressee": addressee_ or alert_texts()["desk_addressee"], "signature": signature_,
              "lines": "\n".join(spec["line"].format(line=line) for line in lines)}
    return AlertText(spec["subject"].format(**fields), spec["body"].format(**fields))


def webhook_text(subject: str, body: str, feedback_path: str | None = None) -> str:
    """The alert for a Slack-compatible webhook: the e-mail's plain text, escaped for Slack's
    markup, in the template's markup (bold subject); and where its feedback workbook is."""
    texts = alert_texts()
    out = texts["webhook"].format(subject=slack_escape(subject), body=slack_escape(body))
    if feedback_path:
        out += "\n" + texts["webhook_feedback"].format(path=slack_escape(feedback_path))
    return out
