"""Ingest: archive every file first, then read and check each, and load the batch in one
transaction (one per file if that fails). One bad file never stops the others; a
byte-identical re-delivery changes nothing. The CLI and the Airflow DAG both call
`ingest_files`."""

from __future__ import annotations

import gc
import getpass
import hashlib
import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
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
    DEFERRED,
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
from etl.intake.isolation import iter_read_files
from etl.intake.limits import MAX_MESSAGES_PER_FILE
from etl.intake.structure import CheckedFile, DistrictRef, RefContext, UnitSpan, check_file
from etl.quality.gate import GateItem
from etl.quality.history import usable
from etl.quality.messages import Message, make_message
from etl.warehouse.load import FileToLoad, load_files, lock_keys, record_outcomes
from etl.warehouse.transient import TransientFailure, retry_transient

log = logging.getLogger(__name__)

# The cyclic garbage collector's thresholds while a batch is ingested. A batch makes millions of
# objects that live until it is loaded (cells, rows, messages): at Python's default (700, 10, 10)
# the oldest generation was walked again and again over all of them: 0,3-0,4 s of each 3,1-3,7 s
# phase of the legacy national month (timed with the collector's callbacks). Young collections
# still run, every 50.000 allocations, so cycles are still freed; the process's own thresholds come
# back when its last batch ends.
BATCH_GC_THRESHOLDS = (50_000, 20, 100)
_gc_guard = threading.Lock()
_gc_batches = 0
_gc_saved: tuple[int, int, int] | None = None


@contextmanager
def _batch_collections() -> Iterator[None]:
    """BATCH_GC_THRESHOLDS while at least one batch of this process runs (threads share them)."""
    global _gc_batches, _gc_saved
    with _gc_guard:
        if _gc_batches == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(*BATCH_GC_THRESHOLDS)
        _gc_batches += 1
    try:
        yield
    finally:
        with _gc_guard:
            _gc_batches -= 1
            if _gc_batches == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)


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
    # A duplicate (extension): the verdict on the same bytes received before: its outcome
    # (accepted, accepted_with_warnings, rejected), when it arrived and was processed, its errors.
    earlier: EarlierVerdict | None = None

    def as_json(self) -> dict[str, Any]:
        """Contract section 4 shape (plus kind, file_id and, for a duplicate, earlier: extensions)."""
        out = {"file": self.file, "district_code": self.district_code, "period": self.period,
               "status": self.status, "submission_id": self.submission_id, "kind": self.kind,
               "file_id": self.file_id, "errors": self.errors, "warnings": self.warnings}
        if self.status == DUPLICATE:
            out["earlier"] = self.earlier.as_json() if self.earlier else None
        return out


@dataclass
class EarlierVerdict:
    """What became of a file when it was first received: a duplicate's reply to the sender."""

    status: str  # accepted | accepted_with_warnings | rejected
    received_at: datetime | None
    processed_at: datetime | None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status,
                "received_at": self.received_at.isoformat() if self.received_at else None,
                "processed_at": self.processed_at.isoformat() if self.processed_at else None,
                "errors": self.errors}


def _earlier_verdicts(engine: Engine, file_ids: Collection[int]) -> dict[int, FileResult]:
    """The recorded outcome of each file (ops.file_outcome, its error messages, raw.file's
    arrival), in one query, as the duplicate result of a re-delivery (file name to be set)."""
    if not file_ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT o.file_id, o.outcome, o.district_code, o.period_code, o.file_kind, o.processed_at, f.received_at,
                   s.submission_id,
                   coalesce((SELECT json_agg(json_build_object(
                                 'code', m.code, 'severity', m.severity, 'sheet', m.sheet, 'row', m.row_number,
                                 'column', m.column_name, 'cell', m.cell, 'item_code', m.item_code,
                                 'item_name', m.item_name, 'found', m.found, 'expected', m.expected,
                                 'message', m.message_vi, 'message_en', m.message_en) ORDER BY m.message_id)
                             FROM ops.validation_message m WHERE m.file_id = o.file_id AND m.severity = 'error'),
                            '[]'::json) AS errors
            FROM ops.file_outcome o
            JOIN raw.file f USING (file_id)
            LEFT JOIN LATERAL (SELECT submission_id FROM core.fct_submission fs WHERE fs.file_id = o.file_id
                               LIMIT 1) s ON true
            WHERE o.file_id = ANY(:ids)
        """), {"ids": sorted(file_ids)}).all()
    return {r.file_id: FileResult(file="", status=DUPLICATE, district_code=r.district_code, period=r.period_code,
                                  submission_id=r.submission_id, kind=r.file_kind, file_id=r.file_id,
                                  earlier=EarlierVerdict(r.outcome, r.received_at, r.processed_at, list(r.errors)))
            for r in rows}


def _duplicate(f: IncomingFile, file_id: int, verdicts: dict[int, FileResult]) -> FileResult:
    known = verdicts.get(file_id)
    if known is None:  # the same bytes earlier in this batch: its verdict is filled in at the end
        return FileResult(file=f.name, status=DUPLICATE, file_id=file_id)
    return replace(known, file=f.name, earlier=replace(known.earlier) if known.earlier else None)


def _fill_in_meanwhile_verdicts(engine: Engine, results: dict[int, FileResult],
                                read: Sequence[tuple[int, IncomingFile]]) -> None:
    """A file this run read but another recorded meanwhile (`_recorded_meanwhile`) gets that run's
    verdict, as a re-delivery does: the sender's reply says what became of it."""
    late = {position: f for position, f in read if results[position].status == DUPLICATE}
    if not late:
        return
    try:
        verdicts = retry_transient(lambda: _earlier_verdicts(engine, {results[p].file_id for p in late}),
                                   "reading the verdicts another run gave meanwhile")
    except TransientFailure as failure:  # the files are recorded; only the reply's detail is missing
        log.error("the verdicts of %d files another run recorded meanwhile could not be read: %s", len(late), failure)
        return
    for position, f in late.items():
        results[position] = _duplicate(f, results[position].file_id, verdicts)  # type: ignore[arg-type]


def _fill_in_batch_duplicates(results: dict[int, FileResult], first: dict[int, int],
                              received: dict[int, datetime]) -> None:
    """A duplicate of a file earlier in the same batch gets that file's verdict."""
    for r in results.values():
        if r.status != DUPLICATE or r.earlier is not None or r.file_id not in first:
            continue
        original = results[first[r.file_id]]
        if original.status == DUPLICATE and original.earlier is not None:  # another run's, meanwhile
            r.district_code, r.period, r.kind = original.district_code, original.period, original.kind
            r.submission_id, r.earlier = original.submission_id, replace(original.earlier)
        elif original.status in INGEST_STATUSES and original.status != DUPLICATE:
            r.district_code, r.period, r.kind = original.district_code, original.period, original.kind
            r.submission_id = original.submission_id
            r.earlier = EarlierVerdict(original.status, received.get(r.file_id), None, list(original.errors))


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
    """Files under the given paths (folders recursively), hidden files and files that are not
    submissions by their name (etl.intake.names: ~$ lock files, Thumbs.db) skipped, sorted."""
    from etl.intake.names import skipped

    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(f for f in sorted(p.rglob("*")) if f.is_file() and not skipped(f.name))
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
    """Store every new file in raw.file and every delivery in raw.file_delivery (one
    transaction, before any parsing).

    Returns sha256 -> file_id for all files, and the ids already processed earlier.
    """
    if not files:
        return {}, set()
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
        # Every delivery, the same bytes again included, with its own name and arrival; a rerun
        # of the same delivery (same place, same arrival) adds nothing.
        conn.execute(text("""
            INSERT INTO raw.file_delivery (file_id, file_name, source_uri, received_at, received_at_rule, override_by)
            VALUES (:id, :name, :uri, :at, :rule, :by)
            ON CONFLICT ON CONSTRAINT file_delivery_once DO NOTHING
        """), [{"id": ids[f.sha256], "name": f.name, "uri": f.source_uri, "at": f.received_at,
                "rule": f.received_at_rule, "by": f.override_by} for f in files])
        processed = {fid for (fid,) in conn.execute(
            text("SELECT file_id FROM ops.file_outcome WHERE file_id = ANY(:ids)"), {"ids": list(ids.values())})}
    return ids, processed


def _recorded_meanwhile(conn: Connection, file_ids: Collection[int], redo: Collection[int]) -> set[int]:
    """Those of the files another run (two ingests of one folder at once, a CLI ingest beside the
    DAG, `baocao reprocess`) recorded since this one found them unprocessed; a file redone has its
    outcome on purpose. Every file's lock is taken first, in one statement and one order, before
    any other lock of the transaction, and held to its end: a run recording one of them finishes
    before this one looks."""
    lock_keys(conn, [f"file:{file_id}" for file_id in file_ids])
    asked = [file_id for file_id in file_ids if file_id not in redo]
    if not asked:
        return set()
    return set(conn.execute(text("SELECT file_id FROM ops.file_outcome WHERE file_id = ANY(:ids)"),
                            {"ids": asked}).scalars())


def _meanwhile(f: IncomingFile, file_id: int) -> FileResult:
    log.info("%s (file_id %s) was recorded by another run meanwhile: a duplicate", f.name, file_id)
    return FileResult(file=f.name, status=DUPLICATE, file_id=file_id)


def _supersede_redone(conn: Connection, file_ids: Iterable[int], redo: Collection[int]) -> None:
    """A reprocessed file's earlier outcome is superseded in the transaction that records its
    new one: a reprocess killed half-way leaves every file with one outcome, old or new."""
    again = sorted(set(file_ids) & set(redo))
    if again:
        from etl.warehouse.reprocess import supersede

        supersede(conn, again)


def _deferred(f: IncomingFile, file_id: int, exc: BaseException) -> FileResult:
    log.error("%s (file_id %s) left unprocessed after a transient failure: %s", f.name, file_id, exc)
    return FileResult(file=f.name, status=DEFERRED, file_id=file_id)


def _internal_error(engine: Engine, f: IncomingFile, file_id: int, exc: BaseException,
                    checked: CheckedFile | None, redo: Collection[int] = ()) -> FileResult:
    """A bug must neither lose the file nor stop the batch: quarantine it with the reason.
    A transient failure is no bug: the file is left for the next run (DEFERRED)."""
    if isinstance(exc, TransientFailure):
        return _deferred(f, file_id, exc)
    message = make_message("INTERNAL_ERROR", found=f"{type(exc).__name__}: {exc}"[:300])

    def record() -> bool:
        with engine.begin() as conn:
            if _recorded_meanwhile(conn, [file_id], redo):
                return False
            _supersede_redone(conn, [file_id], redo)
            record_outcomes(conn, [(file_id, checked.kind if checked else KIND_UNKNOWN,
                                    checked.fmt if checked else None, REJECTED,
                                    checked.district_code if checked else None,
                                    checked.period_code if checked else None, [message])])
        return True

    try:
        recorded = retry_transient(record, f"recording the failure of {f.name}")
    except TransientFailure as failure:
        return _deferred(f, file_id, failure)
    if not recorded:
        return _meanwhile(f, file_id)
    log.error("processing %s (file_id %s) failed", f.name, file_id, exc_info=exc)
    return FileResult(file=f.name, status=REJECTED, file_id=file_id, errors=[message.as_dict()],
                      kind=checked.kind if checked else None)


def cap_messages(checked: CheckedFile, limit: int = MAX_MESSAGES_PER_FILE) -> None:
    """Keep the first `limit` messages of a file and one summary of the rest (by code). The
    summary is an error when any message it stands for is, so the outcome never changes."""
    messages = checked.messages
    if len(messages) <= limit:
        return
    kept, dropped = messages[:limit - 1], messages[limit - 1:]
    by_code = Counter(m.code for m in dropped)
    detail = ", ".join(f"{code} ×{n}" for code, n in by_code.most_common())
    severity = ERROR if any(m.severity == ERROR for m in dropped) else WARNING
    summary: Message = make_message("MESSAGES_TRUNCATED", found=len(dropped), shown=len(kept), detail=detail,
                                    detail_en=detail, severity=severity)
    messages[:] = [*kept, summary]


def _result(f: IncomingFile, item: GateItem, record_id: int | None) -> FileResult:
    c = item.checked
    return FileResult(
        file=f.name, status=c.outcome, district_code=c.district_code, period=c.period_code,
        submission_id=record_id, kind=c.kind, file_id=item.file_id,
        errors=[m.as_dict() for m in c.messages if m.severity == ERROR],
        warnings=[m.as_dict() for m in c.messages if m.severity == WARNING],
    )


def _load(engine: Engine, pending: Sequence[tuple[int, IncomingFile, GateItem]], ref: RefContext,
          batch_months: frozenset[tuple[str, int]], results: dict[int, FileResult],
          redo: Collection[int] = ()) -> str:
    """Load the batch in one transaction; if that fails, each file in its own, so a file that
    cannot load never keeps the others out. A transient failure retries the transaction and,
    if it persists, leaves the files unprocessed (DEFERRED). Returns the path taken
    (contract.LOAD_PATHS)."""
    if not pending:
        return LOAD_NOTHING
    # Loading adds messages (YTD_PREVIOUS_MISSING): a failed attempt must not leave them twice.
    messages = {item.file_id: list(item.checked.messages) for _, _, item in pending}
    meanwhile: set[int] = set()  # files another run recorded first: left out, duplicates

    def load(part: Sequence[tuple[int, IncomingFile, GateItem]]) -> dict[int, int]:
        for _, _, item in part:
            item.checked.messages[:] = messages[item.file_id]
        with engine.begin() as conn:
            # Another run of the same files (two ingests of one folder at once) may have loaded some
            # since this one archived them: they are left out here, not failed on their keys, which
            # would send the whole batch down the per-file path.
            meanwhile.update(_recorded_meanwhile(conn, [item.file_id for _, _, item in part], redo))
            part = [one for one in part if one[2].file_id not in meanwhile]
            if not part:
                return {}
            _supersede_redone(conn, [item.file_id for _, _, item in part], redo)
            loaded = load_files(conn, [FileToLoad(item.file_id, f.sha256, f.received_at, item.checked)
                                       for _, f, item in part], ref, batch_months)
            # The rows it changed counted where the next refresh looks (ops.analyze_stale) at once,
            # not when this pooled connection has idled for ten seconds.
            conn.execute(text("SELECT pg_stat_force_next_flush()"))
            return loaded

    try:
        ids = retry_transient(lambda: load(pending), f"loading a batch of {len(pending)} files")
    except TransientFailure as failure:
        for position, f, item in pending:
            results[position] = _deferred(f, item.file_id, failure)
        return LOAD_NOTHING
    except Exception as exc:
        log.warning("loading the batch of %d files in one transaction failed (%s: %s); loading them one by one",
                    len(pending), type(exc).__name__, exc)
    else:
        for position, f, item in pending:
            results[position] = (_meanwhile(f, item.file_id) if item.file_id in meanwhile
                                 else _result(f, item, ids[item.file_id]))
        return LOAD_BATCH
    for one in pending:
        position, f, item = one
        if item.file_id in meanwhile:
            results[position] = _meanwhile(f, item.file_id)
            continue
        try:
            ids = retry_transient(lambda one=one: load([one]), f"loading {f.name}")
            results[position] = (_meanwhile(f, item.file_id) if item.file_id in meanwhile
                                 else _result(f, item, ids[item.file_id]))
        except Exception as exc:
            results[position] = _internal_error(engine, f, item.file_id, exc, item.checked, redo)
    return LOAD_PER_FILE


def _gate(engine: Engine, pending: list[tuple[int, IncomingFile, GateItem]], ref: RefContext,
          clock: Counter[str], results: dict[int, FileResult],
          redo: Collection[int]) -> list[tuple[int, IncomingFile, GateItem]]:
    """Run the quality gate over the batch. When it fails, find the files it fails on alone
    (each an INTERNAL_ERROR: a value the structural checks let through that a suite or rule
    cannot take is baocao's bug) and run it again over the others, never rejecting the
    innocent. A transient failure (the history fetch) is retried, then defers the batch."""
    from etl.quality import gate

    before = {item.file_id: list(item.checked.messages) for _, _, item in pending}

    def run(part: list[tuple[int, IncomingFile, GateItem]]) -> dict[str, float]:
        def attempt() -> dict[str, float]:
            for _, _, item in part:
                item.checked.messages[:] = before[item.file_id]
            return gate.check_batch([item for _, _, item in part], ref, engine)

        return retry_transient(attempt, "the quality gate")

    try:
        clock.update(run(pending))
        return pending
    except TransientFailure as failure:
        for position, f, item in pending:
            results[position] = _deferred(f, item.file_id, failure)
        return []
    except Exception as exc:
        log.warning("the quality gate failed on the batch (%s: %s); finding the file it fails on",
                    type(exc).__name__, exc)
    innocent: list[tuple[int, IncomingFile, GateItem]] = []
    alone: dict[int, list[Message]] = {}  # each innocent file's messages from its run alone
    for one in pending:
        position, f, item = one
        try:
            run([one])
            innocent.append(one)
            alone[item.file_id] = list(item.checked.messages)
        except Exception as exc:  # a broken suite or rule must not let unchecked figures through
            results[position] = _internal_error(engine, f, item.file_id, exc, item.checked, redo)
    try:
        clock.update(run(innocent))  # together again: the rules compare a batch's months with each other
    except Exception as exc:
        log.warning("the gate still fails on the batch without the failing files (%s); each file keeps the "
                    "messages of its run alone", exc)
        for _, _, item in innocent:
            item.checked.messages[:] = alone[item.file_id]
    return innocent


def ingest_files(engine: Engine, files: Sequence[IncomingFile], *, caller: str = "cli",
                 ref: RefContext | None = None, timings: Counter[str] | None = None,
                 data_docs: bool = False, redo: Collection[int] = ()) -> list[FileResult]:
    """Archive every file, read each in a worker process (etl.intake.isolation) and check it,
    run the quality gate over the whole batch (Great Expectations suites, then consistency
    rules), then load the batch in one transaction (each file in its own if that fails:
    `_load`), in order of arrival so versions number in that order.

    `redo` names archived files to run again although they have an outcome (`baocao
    reprocess`): the earlier outcome is superseded in the transaction that records the new one.
    A transient database failure that outlasts its retries leaves a file DEFERRED (archived,
    no outcome); when archiving itself cannot be done, TransientFailure is raised.
    `timings`, when given, accumulates seconds per phase (archive, read, check, gate, load).
    """
    with _batch_collections():
        return _ingest_files(engine, files, caller=caller, ref=ref, timings=timings, data_docs=data_docs, redo=redo)


def _ingest_files(engine: Engine, files: Sequence[IncomingFile], *, caller: str, ref: RefContext | None,
                  timings: Counter[str] | None, data_docs: bool, redo: Collection[int]) -> list[FileResult]:
    from etl.quality import expectations
    clock = timings if timings is not None else Counter()
    started = datetime.now(UTC)
    ref = ref or retry_transient(lambda: load_ref_context(engine), "reading the reference data")
    ordered = sorted(files, key=lambda f: (f.received_at, f.name))
    t0 = time.perf_counter()
    ids, processed = retry_transient(lambda: archive(engine, ordered), f"archiving {len(ordered)} files")
    clock["archive_s"] += time.perf_counter() - t0

    results: dict[int, FileResult] = {}
    to_read: list[tuple[int, IncomingFile, int]] = []
    seen_in_batch: set[str] = set()
    first_in_batch: dict[int, int] = {}  # file_id -> position of its first delivery in the batch
    received: dict[int, datetime] = {}
    again = {ids[f.sha256] for f in ordered} & (processed - set(redo))
    verdicts = retry_transient(lambda: _earlier_verdicts(engine, again), "reading earlier verdicts")
    for position, f in enumerate(ordered):
        file_id = ids[f.sha256]
        if (file_id in processed and file_id not in redo) or f.sha256 in seen_in_batch:
            results[position] = _duplicate(f, file_id, verdicts)
            continue
        seen_in_batch.add(f.sha256)
        first_in_batch[file_id], received[file_id] = position, f.received_at
        to_read.append((position, f, file_id))
    # Each file is checked here while the reader processes read the next ones: `read_s` is the
    # time spent waiting for them, `check_s` the checking.
    reads = iter_read_files([(f.name, f.data) for _, f, _ in to_read])
    pending: list[tuple[int, IncomingFile, GateItem]] = []
    for position, f, file_id in to_read:
        t0 = time.perf_counter()
        read = next(reads)
        t1 = time.perf_counter()
        clock["read_s"] += t1 - t0
        checked: CheckedFile | None = None
        try:
            if isinstance(read, BaseException):
                raise read
            checked = check_file(read, ref, f.received_at)
        except Exception as exc:
            results[position] = _internal_error(engine, f, file_id, exc, checked, redo)
            continue
        finally:
            clock["check_s"] += time.perf_counter() - t1
        pending.append((position, f, GateItem(file_id, f.name, f.received_at, checked)))

    pending = _gate(engine, pending, ref, clock, results, redo)
    for _, _, item in pending:
        cap_messages(item.checked)

    # The months the batch brings: a month sent as year to date whose previous month is among
    # them is not warned about (that month has arrived; it only loads later).
    batch_months = frozenset((item.checked.district_code, period_key(item.checked.year, item.checked.month))
                             for _, _, item in pending if usable(item))
    t0 = time.perf_counter()
    load_path = _load(engine, pending, ref, batch_months, results, redo)
    clock["load_s"] += time.perf_counter() - t0
    if data_docs and pending:
        t0 = time.perf_counter()
        expectations.build_data_docs()
        clock["data_docs_s"] += time.perf_counter() - t0
    _fill_in_meanwhile_verdicts(engine, results, [(position, f) for position, f, _ in to_read])
    _fill_in_batch_duplicates(results, first_in_batch, received)
    ordered_results = [results[i] for i in range(len(ordered))]
    try:
        retry_transient(lambda: _log_run(engine, caller, started, ordered_results, load_path), "logging the run")
    except TransientFailure as failure:  # the outcomes are recorded; only the run's summary row is lost
        log.error("the ingest run could not be logged in ops.ingest_run: %s", failure)
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
