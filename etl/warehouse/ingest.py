"""Ingest: archive every file first, then read and check each, and load the batch in one
transaction (one per file if that fails). One bad file never stops the others; a
byte-identical re-delivery changes nothing. The CLI and the Airflow DAG both call
`ingest_files`."""

from __future__ import annotations

import getpass
import hashlib
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from etl.domain.catalog import load_catalog
from etl.domain.contract import (
    ACCEPTED,
    ACCEPTED_WITH_WARNINGS,
    ARRIVAL_CALL,
    ARRIVAL_OVERRIDE,
    DUPLICATE,
    ERROR,
    INGEST_STATUSES,
    KIND_UNKNOWN,
    LOAD_BATCH,
    LOAD_NOTHING,
    LOAD_PER_FILE,
    REJECTED,
    WARNING,
)
from etl.domain.periods import period_key
from etl.intake.readers import read_file
from etl.intake.structure import CheckedFile, DistrictRef, RefContext, UnitSpan, check_file
from etl.quality.gate import GateItem
from etl.quality.history import usable
from etl.quality.messages import make_message
from etl.warehouse.load import FileToLoad, load_files, record_outcomes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomingFile:
    name: str
    data: bytes
    source_uri: str
    received_at: datetime
    received_at_rule: str = ARRIVAL_CALL  # contract.RECEIVED_AT_RULES
    override_by: str | None = None  # who set received_at by hand (ARRIVAL_OVERRIDE)

    @cached_property  # asked for several times per file; hash the bytes once
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class FileResult:
    file: str
    status: str  # contract.INGEST_STATUSES
    district_code: str | None = None
    period: str | None = None
    submission_id: int | None = None
    kind: str | None = None
    file_id: int | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Contract section 4 shape (plus kind and file_id, which are extensions)."""
        return {"file": self.file, "district_code": self.district_code, "period": self.period,
                "status": self.status, "submission_id": self.submission_id, "kind": self.kind,
                "file_id": self.file_id, "errors": self.errors, "warnings": self.warnings}


def load_ref_context(engine: Engine) -> RefContext:
    with engine.connect() as conn:
        spans: dict[str, list[UnitSpan]] = defaultdict(list)
        for code, *span in conn.execute(text(
                "SELECT unit_code, valid_from, valid_to, unit_name, commune_count, ended_by, ended_by_act, "
                "successor_code FROM core.dim_reporting_unit "  # a commune's code has 5 digits, a district's 3
                "ORDER BY unit_code, valid_from NULLS FIRST")):
            spans[code].append(UnitSpan(*span))
        districts = {
            code: DistrictRef(key, province, name, communes, tuple(spans.get(code, ())), province_2025_name)
            for code, key, province, name, communes, province_2025_name in conn.execute(text(
                "SELECT district_code, district_key, province_code, district_name, commune_count, province_2025_name "
                "FROM core.dim_district WHERE is_current"))
        }
        indicator_keys = dict(conn.execute(text(
            "SELECT indicator_code, indicator_key FROM core.dim_indicator WHERE is_current")).all())
    return RefContext(catalog=load_catalog(), districts=districts, indicator_keys=indicator_keys)


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files under the given paths (folders recursively), hidden files skipped, sorted."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(f for f in sorted(p.rglob("*")) if f.is_file() and not f.name.startswith("."))
        elif p.is_file():
            found.append(p)
        else:
            raise FileNotFoundError(p)
    return found


def files_from_paths(paths: Sequence[Path], received_at: datetime | None = None,
                     operator: str | None = None) -> list[IncomingFile]:
    """Read files handed to baocao directly: they arrive now, at the call (never at their
    modification time, which the sender's copy sets). `received_at` is an operator's override
    (a backfill, a replay), recorded with who set it (`operator`, default the OS user)."""
    if received_at is None:
        now = datetime.now(UTC)
        return [IncomingFile(p.name, p.read_bytes(), str(p.resolve()), now) for p in paths]
    by = operator or getpass.getuser()
    return [IncomingFile(p.name, p.read_bytes(), str(p.resolve()), received_at, ARRIVAL_OVERRIDE, by)
            for p in paths]


def archive(engine: Engine, files: Sequence[IncomingFile]) -> tuple[dict[str, int], set[int]]:
    """Store every new file in raw.file (one transaction, before any parsing).

    Returns sha256 -> file_id for all files, and the ids already processed earlier.
    """
    shas = [f.sha256 for f in files]
    with engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO raw.file (sha256, file_name, source_uri, size_bytes, content, received_at, received_at_rule,
                                  override_by, override_at)
            VALUES (:sha, :name, :uri, :size, :content, :at, :rule, :by,
                    CASE WHEN :rule = 'override' THEN now() END)
            ON CONFLICT (sha256) DO NOTHING
        """), [{"sha": f.sha256, "name": f.name, "uri": f.source_uri, "size": len(f.data), "content": f.data,
                "at": f.received_at, "rule": f.received_at_rule, "by": f.override_by} for f in files])
        ids = dict(conn.execute(text("SELECT sha256, file_id FROM raw.file WHERE sha256 = ANY(:s)"),
                                {"s": shas}).all())
        processed = {fid for (fid,) in conn.execute(
            text("SELECT file_id FROM ops.file_outcome WHERE file_id = ANY(:ids)"), {"ids": list(ids.values())})}
    return ids, processed


def _recorded_meanwhile(conn: Connection, file_id: int) -> bool:
    """Whether another run (a CLI ingest beside the DAG, `baocao reprocess`) recorded this
    file since this one found it unprocessed. Asked only when loading failed: the second of
    two loads of one file always fails on the file's keys, once the first has committed."""
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('file:' || :f))"), {"f": str(file_id)})
    return bool(conn.execute(text("SELECT EXISTS (SELECT 1 FROM ops.file_outcome WHERE file_id = :f)"),
                             {"f": file_id}).scalar())


def _internal_error(engine: Engine, f: IncomingFile, file_id: int, exc: BaseException,
                    checked: CheckedFile | None) -> FileResult:
    """A bug must neither lose the file nor stop the batch: quarantine it with the reason."""
    message = make_message("INTERNAL_ERROR", found=f"{type(exc).__name__}: {exc}"[:300])
    with engine.begin() as conn:
        if _recorded_meanwhile(conn, file_id):
            log.info("%s (file_id %s) was recorded by another run meanwhile: a duplicate", f.name, file_id)
            return FileResult(file=f.name, status=DUPLICATE, file_id=file_id)
        log.error("processing %s (file_id %s) failed", f.name, file_id, exc_info=exc)
        record_outcomes(conn, [(file_id, checked.kind if checked else KIND_UNKNOWN, checked.fmt if checked else None,
                                REJECTED, checked.district_code if checked else None,
                                checked.period_code if checked else None, [message])])
    return FileResult(file=f.name, status=REJECTED, file_id=file_id, errors=[message.as_dict()],
                      kind=checked.kind if checked else None)


def _result(f: IncomingFile, item: GateItem, record_id: int | None) -> FileResult:
    c = item.checked
    return FileResult(
        file=f.name, status=c.outcome, district_code=c.district_code, period=c.period_code,
        submission_id=record_id, kind=c.kind, file_id=item.file_id,
        errors=[m.as_dict() for m in c.messages if m.severity == ERROR],
        warnings=[m.as_dict() for m in c.messages if m.severity == WARNING],
    )


def _load(engine: Engine, pending: Sequence[tuple[int, IncomingFile, GateItem]], ref: RefContext,
          batch_months: frozenset[tuple[str, int]], results: dict[int, FileResult]) -> str:
    """Load the batch in one transaction; if that fails, each file in its own, so a file that
    cannot load never keeps the others out. Returns the path taken (contract.LOAD_PATHS)."""
    if not pending:
        return LOAD_NOTHING
    # Loading adds messages (YTD_PREVIOUS_MISSING): a failed attempt must not leave them twice.
    messages = {item.file_id: list(item.checked.messages) for _, _, item in pending}
    try:
        with engine.begin() as conn:
            ids = load_files(conn, [FileToLoad(item.file_id, f.sha256, f.received_at, item.checked)
                                    for _, f, item in pending], ref, batch_months)
    except Exception as exc:
        log.warning("loading the batch of %d files in one transaction failed (%s: %s); loading them one by one",
                    len(pending), type(exc).__name__, exc)
    else:
        for position, f, item in pending:
            results[position] = _result(f, item, ids[item.file_id])
        return LOAD_BATCH
    for position, f, item in pending:
        item.checked.messages[:] = messages[item.file_id]
        try:
            with engine.begin() as conn:
                ids = load_files(conn, [FileToLoad(item.file_id, f.sha256, f.received_at, item.checked)], ref,
                                 batch_months)
            results[position] = _result(f, item, ids[item.file_id])
        except Exception as exc:
            results[position] = _internal_error(engine, f, item.file_id, exc, item.checked)
    return LOAD_PER_FILE


def ingest_files(engine: Engine, files: Sequence[IncomingFile], *, caller: str = "cli",
                 ref: RefContext | None = None, timings: Counter[str] | None = None,
                 data_docs: bool = False) -> list[FileResult]:
    """Archive every file, read and check each, run the quality gate over the whole batch
    (Great Expectations suites, then consistency rules), then load the batch in one transaction
    (each file in its own if that fails: `_load`), in order of arrival so versions number in
    that order.

    `timings`, when given, accumulates seconds per phase (archive, read, check, gate, load).
    """
    from etl.quality import expectations, gate
    clock = timings if timings is not None else Counter()
    started = datetime.now(UTC)
    ref = ref or load_ref_context(engine)
    ordered = sorted(files, key=lambda f: (f.received_at, f.name))
    t0 = time.perf_counter()
    ids, processed = archive(engine, ordered)
    clock["archive_s"] += time.perf_counter() - t0

    results: dict[int, FileResult] = {}
    pending: list[tuple[int, IncomingFile, gate.GateItem]] = []
    seen_in_batch: set[str] = set()
    for position, f in enumerate(ordered):
        file_id = ids[f.sha256]
        if file_id in processed or f.sha256 in seen_in_batch:
            results[position] = FileResult(file=f.name, status=DUPLICATE, file_id=file_id)
            continue
        seen_in_batch.add(f.sha256)
        checked: CheckedFile | None = None
        try:
            t0 = time.perf_counter()
            read = read_file(f.name, f.data)
            t1 = time.perf_counter()
            checked = check_file(read, ref, f.received_at)
            clock["read_s"] += t1 - t0
            clock["check_s"] += time.perf_counter() - t1
        except Exception as exc:
            results[position] = _internal_error(engine, f, file_id, exc, checked)
            continue
        pending.append((position, f, gate.GateItem(file_id, f.name, f.received_at, checked)))

    items = [item for _, _, item in pending]
    try:
        clock.update(gate.check_batch(items, ref, engine))
    except Exception as exc:  # a broken suite or rule must not let unchecked figures through
        for position, f, item in pending:
            results[position] = _internal_error(engine, f, item.file_id, exc, item.checked)
        pending = []

    # The months the batch brings: a month sent as year to date whose previous month is among
    # them is not warned about (that month has arrived; it only loads later).
    batch_months = frozenset((item.checked.district_code, period_key(item.checked.year, item.checked.month))
                             for item in items if usable(item))
    t0 = time.perf_counter()
    load_path = _load(engine, pending, ref, batch_months, results)
    clock["load_s"] += time.perf_counter() - t0
    if data_docs and items:
        t0 = time.perf_counter()
        expectations.build_data_docs()
        clock["data_docs_s"] += time.perf_counter() - t0
    ordered_results = [results[i] for i in range(len(ordered))]
    _log_run(engine, caller, started, ordered_results, load_path)
    return ordered_results


def _log_run(engine: Engine, caller: str, started: datetime, results: list[FileResult], load_path: str) -> None:
    counts = {s: sum(r.status == s for r in results) for s in INGEST_STATUSES}
    with engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO ops.ingest_run (started_at, finished_at, caller, files_seen, accepted,
                                        accepted_with_warnings, rejected, duplicates, load_path)
            VALUES (:s, now(), :c, :n, :a, :aw, :r, :d, :load_path)
        """), {"s": started, "c": caller, "n": len(results), "a": counts[ACCEPTED],
               "aw": counts[ACCEPTED_WITH_WARNINGS], "r": counts[REJECTED], "d": counts[DUPLICATE],
               "load_path": load_path})


def ingest_paths(engine: Engine, paths: Iterable[str | Path], *, received_at: datetime | None = None,
                 operator: str | None = None, caller: str = "cli", data_docs: bool = False) -> list[FileResult]:
    return ingest_files(engine, files_from_paths(discover(paths), received_at, operator), caller=caller,
                        data_docs=data_docs)
