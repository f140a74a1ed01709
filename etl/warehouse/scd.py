"""Slowly changing dimensions, type 2: a changed attribute closes the current version of a row
and opens a new one, so facts keep pointing at the version that was true when they happened.

Used by the reference loads (etl.warehouse.reference: indicators, provinces, districts)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

# The first version of a reference row holds "since always": facts of any past year
# find it. Later changes start on the day they were loaded.
BEGINNING_OF_TIME = date(1900, 1, 1)


def _row_hash(row: dict[str, Any], columns: list[str]) -> str:
    payload = json.dumps([row[c] for c in columns], ensure_ascii=False, default=str)
    return hashlib.md5(payload.encode("utf-8")).hexdigest()


def merge_type2(
    conn: Connection,
    table: str,
    natural_key: list[str],
    columns: list[str],
    rows: list[dict[str, Any]],
    *,
    today: date,
    hash_columns: list[str] | None = None,
) -> dict[str, int]:
    """Slowly changing dimension type 2 merge of `rows` into `table`.

    Rows whose attributes changed get their current version closed (valid_to = today)
    and a new version opened; keys that disappeared are closed; new keys are opened.
    Returns counts of opened and closed versions.
    """
    attrs = hash_columns or [c for c in columns if c not in natural_key]
    for row in rows:
        row["row_hash"] = _row_hash(row, attrs)
    all_cols = [*columns, "row_hash"]
    key_match = " AND ".join(f"t.{k} = i.{k}" for k in natural_key)
    conn.execute(text(f"CREATE TEMP TABLE incoming ON COMMIT DROP AS SELECT {', '.join(all_cols)} "
                      f"FROM {table} WITH NO DATA"))
    if rows:
        placeholders = ", ".join(f":{c}" for c in all_cols)
        conn.execute(text(f"INSERT INTO incoming ({', '.join(all_cols)}) VALUES ({placeholders})"), rows)
    closed = conn.execute(text(f"""
        UPDATE {table} AS t SET valid_to = :today, is_current = false
        WHERE t.is_current AND NOT EXISTS (
            SELECT 1 FROM incoming AS i WHERE {key_match} AND i.row_hash = t.row_hash)
    """), {"today": today}).rowcount
    opened = conn.execute(text(f"""
        INSERT INTO {table} ({', '.join(all_cols)}, valid_from, valid_to, is_current)
        SELECT {', '.join('i.' + c for c in all_cols)},
               CASE WHEN EXISTS (SELECT 1 FROM {table} AS t WHERE {key_match})
                    THEN CAST(:today AS date) ELSE CAST(:beginning AS date) END,
               NULL, true
        FROM incoming AS i
        WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {key_match} AND t.is_current)
    """), {"today": today, "beginning": BEGINNING_OF_TIME}).rowcount
    conn.execute(text("DROP TABLE incoming"))
    return {"opened": opened, "closed": closed}
