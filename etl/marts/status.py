"""`baocao status`: what became of every expected district's report for a month, as of
any moment (core.submission_status_at, the same function the alerts and the rollup use:
sql/rollup/12_submission_status.sql stores it for mart.submission_status)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

STATUS_VI = {"on_time": "đúng hạn", "late": "muộn", "missing": "chưa nộp (quá hạn)", "rejected": "bị trả lại",
             "pending": "chưa đến hạn"}


def period_status(engine: Engine, year: int, month: int, as_of: datetime) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT * FROM core.submission_status_at(:as_of) WHERE year = :y AND month = :m
            ORDER BY province_code, district_code
        """), {"as_of": as_of, "y": year, "m": month}).mappings().all()
    return [dict(r) for r in rows]
