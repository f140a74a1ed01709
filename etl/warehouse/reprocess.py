"""`baocao reprocess`: run files again from the bytes archived in raw.file.

For a file rejected by an internal error (a bug, a broken suite), once the cause is fixed;
for files rejected with some other code after the reference data changed (an indicator
added to the catalog, say); and, named by id, for a file archived but never processed (a
crash between archiving and recording its outcome). Accepted files are not reprocessed:
their figures are in the warehouse, and a correction is a new version sent by the district.

The files go through `ingest_files` like any delivery, with their original arrival time, so
versions keep their order and the rollup queue is fed as usual. In the transaction that
records a file's new outcome, the earlier attempt's outcome and messages move to
ops.superseded_outcome and whatever it left in staging and core (a rejected version) is
removed: a reprocess killed half-way leaves each file with its old outcome or its new one.
`--unprocessed` picks up archived files that have no outcome at all."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, text

from etl.domain.contract import ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED
from etl.warehouse.db import session_lock
from etl.warehouse.ingest import FileResult, IncomingFile, ingest_files
from etl.warehouse.load import STAGING_TABLES, lock_keys, queue_rollups, renumber_versions

DEFAULT_CODE = "INTERNAL_ERROR"
REPROCESS_LOCK = "baocao reprocess"  # one reprocess at a time (etl.warehouse.db.session_lock)


class NotReprocessable(ValueError):
    """A file named for reprocessing that is not archived, or was accepted."""


def select_files(conn: Connection, file_ids: Sequence[int] = (), code: str = DEFAULT_CODE) -> list[int]:
    """The files to run again: those named (each must be archived and not accepted), else
    every rejected file with a message of `code`, in order of arrival."""
    if file_ids:
        outcomes = dict(conn.execute(text("""
            SELECT f.file_id, coalesce(o.outcome, 'never processed')
            FROM raw.file AS f LEFT JOIN ops.file_outcome AS o USING (file_id)
            WHERE f.file_id = ANY(:ids)
        """), {"ids": list(file_ids)}).all())
        unknown = sorted(set(file_ids) - outcomes.keys())
        if unknown:
            raise NotReprocessable(f"no archived file with id {', '.join(map(str, unknown))} (see raw.file)")
        accepted = sorted(i for i, o in outcomes.items() if o in (ACCEPTED, ACCEPTED_WITH_WARNINGS))
        if accepted:
            raise NotReprocessable(
                f"file {', '.join(map(str, accepted))} was accepted: its figures are in the warehouse; "
                "a correction is a new file from the district")
        return sorted(outcomes)
    return list(conn.execute(text("""
        SELECT o.file_id
        FROM ops.file_outcome AS o
        JOIN raw.file AS f USING (file_id)
        WHERE o.outcome = :rejected
          AND EXISTS (SELECT 1 FROM ops.validation_message AS m WHERE m.file_id = o.file_id AND m.code = :code)
        ORDER BY f.received_at, o.file_id
    """), {"code": code, "rejected": REJECTED}).scalars())


def supersede(conn: Connection, file_ids: list[int]) -> None:
    """Keep the earlier attempt in ops.superseded_outcome, then clear it and what it left."""
    conn.execute(text("""
        INSERT INTO ops.superseded_outcome (file_id, attempt, outcome, error_count, warning_count, processed_at,
                                            messages)
        SELECT o.file_id,
               1 + (SELECT count(*) FROM ops.superseded_outcome AS s WHERE s.file_id = o.file_id),
               o.outcome, o.error_count, o.warning_count, o.processed_at,
               coalesce((SELECT jsonb_agg(to_jsonb(m) - 'file_id' ORDER BY m.message_id)
                         FROM ops.validation_message AS m WHERE m.file_id = o.file_id), '[]'::jsonb)
        FROM ops.file_outcome AS o
        WHERE o.file_id = ANY(:ids)
    """), {"ids": file_ids})
    conn.execute(text("DELETE FROM ops.validation_message WHERE file_id = ANY(:ids)"), {"ids": file_ids})
    conn.execute(text("DELETE FROM ops.file_outcome WHERE file_id = ANY(:ids)"), {"ids": file_ids})
    for table in STAGING_TABLES:
        conn.execute(text(f"DELETE FROM {table} WHERE file_id = ANY(:ids)"), {"ids": file_ids})
    # A rejected version holds no figures or tasks; removing it renumbers the versions left
    # and changes the month's status (versions received, errors), hence the rollup queue.
    months = conn.execute(text("""
        DELETE FROM core.fct_submission WHERE file_id = ANY(:ids) AND status = :rejected
        RETURNING district_code, period_key, year
    """), {"ids": file_ids, "rejected": REJECTED}).all()
    lock_keys(conn, [f"submission:{district_code}:{period_key}" for district_code, period_key, _ in months])
    renumber_versions(conn, "core.fct_submission", "submission_id", ("district_code", "period_key"),
                      [(d, p) for d, p, _ in months])
    queue_rollups(conn, [(d, y) for d, _, y in months])
    plans = conn.execute(text("""
        DELETE FROM core.fct_plan WHERE file_id = ANY(:ids) AND status = :rejected
        RETURNING district_code, year
    """), {"ids": file_ids, "rejected": REJECTED}).all()
    lock_keys(conn, [f"plan:{district_code}:{year}" for district_code, year in plans])
    renumber_versions(conn, "core.fct_plan", "plan_id", ("district_code", "year"), plans)


def select_unprocessed(conn: Connection) -> list[int]:
    """Archived files with no outcome (a run killed between archiving and recording, or left
    DEFERRED by a persistent transient failure), in order of arrival."""
    return list(conn.execute(text("""
        SELECT f.file_id FROM raw.file AS f
        WHERE NOT EXISTS (SELECT 1 FROM ops.file_outcome AS o WHERE o.file_id = f.file_id)
        ORDER BY f.received_at, f.file_id
    """)).scalars())


def reprocess(engine: Engine, file_ids: Sequence[int] = (), *, code: str = DEFAULT_CODE, unprocessed: bool = False,
              caller: str = "reprocess") -> list[FileResult]:
    """Run the selected files again (see `select_files`; with `unprocessed`, the archived files
    that have no outcome); returns their new outcomes. Atomic per file: a file's earlier
    outcome is superseded in the transaction that records its new one (ingest's `redo`), so a
    reprocess killed half-way leaves each file with its old outcome or its new one."""
    with session_lock(engine, REPROCESS_LOCK):  # one reprocess at a time, for the whole run
        with engine.begin() as conn:
            ids = select_unprocessed(conn) if unprocessed else select_files(conn, file_ids, code)
            rows = conn.execute(text("""
                SELECT file_id, file_name, content, source_uri, received_at, received_at_rule, override_by
                FROM raw.file WHERE file_id = ANY(:ids)
            """), {"ids": ids}).all() if ids else []
        if not rows:
            return []
        files = [IncomingFile(name=r.file_name, data=bytes(r.content), source_uri=r.source_uri,
                              received_at=r.received_at, received_at_rule=r.received_at_rule,
                              override_by=r.override_by) for r in rows]
        return ingest_files(engine, files, caller=caller, redo=frozenset(ids))
