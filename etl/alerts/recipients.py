"""Who receives an alert: the district's latest e-mail (email_lien_he of its accepted
submissions), else reference/contacts.yaml; the province desk (BAOCAO_PROVINCE_DESK_EMAIL) in
copy, or directly when the district has no address.

A rejected file's address is never used: anyone can send a file that fails validation, and
its info sheet would otherwise redirect the district's alerts (its own rejection included)."""

from __future__ import annotations

from functools import cache

import yaml
from sqlalchemy import Connection, text

from etl.domain.contract import ACCEPTED, ACCEPTED_WITH_WARNINGS
from etl.paths import REFERENCE_DIR

CONTACTS_PATH = REFERENCE_DIR / "contacts.yaml"


@cache
def reference_contacts() -> dict[str, str]:
    data = yaml.safe_load(CONTACTS_PATH.read_text(encoding="utf-8")) or {}
    # Keys are unit codes: a district's 3 digits, a commune's 5 (YAML may read 07246 as the number 7246).
    units = {**(data.get("districts") or {}), **(data.get("units") or {})}
    return {str(k).zfill(5 if len(str(k)) == 4 else 3) if isinstance(k, int) else str(k): v for k, v in units.items()}


def district_contacts(conn: Connection, districts: set[str]) -> dict[str, str]:
    """The latest e-mail a district gave in an accepted submission, else reference/contacts.yaml."""
    found = dict(reference_contacts())
    rows = conn.execute(text("""
        SELECT DISTINCT ON (district_code) district_code, email_lien_he FROM core.fct_submission
        WHERE email_lien_he IS NOT NULL AND district_code = ANY(:d) AND status = ANY(:accepted)
        ORDER BY district_code, received_at DESC, submission_id DESC
    """), {"d": sorted(districts), "accepted": [ACCEPTED, ACCEPTED_WITH_WARNINGS]})
    found.update({d: e for d, e in rows})
    return found


def recipients(district: str | None, contacts: dict[str, str], desk: str | None) -> tuple[list[str], list[str]]:
    """(to, cc) of an alert about a district."""
    to = [contacts[district]] if district and district in contacts else []
    cc = [desk] if desk else []
    if not to:  # no contact on file: the province desk gets it directly
        to, cc = cc, []
    return to, cc
