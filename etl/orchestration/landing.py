"""What the Airflow DAGs do, as plain functions (the DAG files only wire them).

The landing area is any fsspec URL (a local folder by default, s3://... in production).
A file is ingested from the landing root, then moved out of it: to archive/YYYY/MM/DD/
when accepted or already known, to quarantine/ when rejected, its name prefixed with
its raw.file id. So a retried or re-run task finds nothing left to do, and the bytes
stay in the warehouse (raw.file) either way.

A file is taken only once its upload is complete. On an object store (S3, GCS, Azure) a put
is atomic: an object is listed only once whole. On a folder (local, NFS, SMB, SFTP) the
file must be unchanged (size and modification time) for BAOCAO_LANDING_SETTLE_SECONDS, at
discovery and again when it is read, and its bytes must be as long as the size listed; a
file still being written is left for the next run. Uploaders that write under a hidden
name (.name.part) and rename when done need no wait: hidden files are never taken.

Files that are not submissions by their name (etl.intake.names: Office lock files ~$*.xlsx,
Thumbs.db, desktop.ini, .DS_Store) are moved to set_aside/ with a log line: never ingested,
archived or alerted, nothing deleted, and the landing root stays clean."""

from __future__ import annotations

import logging
import posixpath
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import fsspec
from sqlalchemy import Engine

from etl.config import CONN_WAREHOUSE, ENV_WAREHOUSE_URL, connection_env_var, settings
from etl.domain.contract import (
    ARRIVAL_CALL,
    ARRIVAL_INODE_CHANGE,
    ARRIVAL_OBJECT_STORE,
    ARRIVAL_OVERRIDE,
    DEFERRED,
    INGEST_STATUSES,
    REJECTED,
)
from etl.intake.names import not_a_submission
from etl.warehouse.ingest import IncomingFile, ingest_files
from etl.warehouse.transient import TransientFailure

log = logging.getLogger(__name__)


def warehouse_engine() -> Engine:
    """Inside Airflow: the connection baocao_warehouse wherever Airflow finds it (the environment,
    a secrets backend, the metadata database), else WAREHOUSE_URL. Never the embedded PostgreSQL:
    a worker with neither fails at once, without retries, saying which to set, rather than later
    on a missing table of another database (`make airflow` sets WAREHOUSE_URL to its embedded
    server itself)."""
    from airflow.sdk.exceptions import AirflowFailException

    from etl.warehouse.db import get_engine, normalize_url

    url = airflow_connection_uri(CONN_WAREHOUSE) or settings().warehouse_url
    if not url:
        raise AirflowFailException(
            f"no warehouse: define the Airflow connection {CONN_WAREHOUSE} (airflow connections add, "
            f"{connection_env_var(CONN_WAREHOUSE)} or a secrets backend) or set {ENV_WAREHOUSE_URL}")
    return get_engine(normalize_url(url))


def airflow_connection_uri(conn_id: str) -> str | None:
    """The connection's URI as Airflow resolves it for a task, through every configured source;
    None when no source defines it."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id).get_uri()
    except AirflowNotFoundException:
        return None


def _fs(url: str) -> tuple[Any, str]:
    fs, root = fsspec.core.url_to_fs(url)
    return fs, root.rstrip("/")


# Protocols whose writes are atomic: an object is listed only once its upload is complete.
ATOMIC_PUT_PROTOCOLS = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "memory"})


def _protocol(fs: Any) -> str:
    return fs.protocol[0] if isinstance(fs.protocol, tuple | list) else fs.protocol


def settled(info: dict[str, Any], protocol: str, now: datetime | None = None) -> bool:
    """Whether a listed file's upload is complete: always on an object store; on a folder,
    when it has not been modified for the settle time."""
    if protocol in ATOMIC_PUT_PROTOCOLS:
        return True
    # The later of the modification and the inode change: `cp -p` sets an old mtime on a
    # file it is still writing, but every write moves the ctime.
    times = [t for t in (_modified(info, ("mtime", *STORE_TIMESTAMPS)), _modified(info, ("created",))) if t]
    if not times:
        return True  # a filesystem that gives no time: nothing to wait on
    quiet = ((now or datetime.now(UTC)) - max(times)).total_seconds()
    return quiet >= settings().landing_settle_seconds


def discover_landed(landing_url: str | None = None) -> list[str]:
    """Files waiting at the landing root (sub-folders and hidden files ignored), complete
    (`settled`), oldest first. Files that are not submissions by their name are moved to
    set_aside/ (`set_aside`) instead."""
    url = landing_url or settings().landing_url
    fs, root = _fs(url)
    fs.makedirs(root, exist_ok=True)
    protocol = _protocol(fs)
    listed = [e for e in fs.ls(root, detail=True) if e["type"] == "file"]
    set_aside(fs, root, [e["name"] for e in listed if not_a_submission(posixpath.basename(e["name"]))])
    entries = [e for e in listed if not posixpath.basename(e["name"]).startswith(".")
               and not not_a_submission(posixpath.basename(e["name"]))]
    waiting = [e["name"] for e in entries if not settled(e, protocol)]
    if waiting:
        log.info("%d file(s) still being written, left for the next run: %s", len(waiting), ", ".join(waiting))
    entries = [e for e in entries if e["name"] not in waiting]
    entries.sort(key=lambda e: (_modified(e) or datetime.min.replace(tzinfo=UTC), e["name"]))
    return [e["name"] if protocol in ("file", "local") else f"{protocol}://{e['name']}" for e in entries]


def set_aside(fs: Any, root: str, paths: list[str]) -> None:
    """Move files that are not submissions (an Office lock file, Thumbs.db) to set_aside/ under the
    landing root, beside archive/ and quarantine/: not ingested, not archived, no alert. A name
    already there gets a numbered suffix: nothing is overwritten."""
    if not paths:
        return
    folder = f"{root}/set_aside"
    fs.makedirs(folder, exist_ok=True)
    for path in paths:
        name = posixpath.basename(path)
        target, n = f"{folder}/{name}", 1
        while fs.exists(target):
            n += 1
            target = f"{folder}/{name}.{n}"
        try:
            fs.mv(path, target)
        except FileNotFoundError:
            continue  # gone meanwhile (Office deletes its lock file when the document closes)
        log.info("set aside %s (not a submission by its name) as %s", name, target)


# The timestamp each object store writes itself (fsspec's info keys): S3, GCS, Azure.
STORE_TIMESTAMPS = ("LastModified", "updated", "last_modified")


def _modified(info: dict[str, Any], keys: tuple[str, ...] = ("mtime", *STORE_TIMESTAMPS, "created")) -> datetime | None:
    value = next((info[k] for k in keys if info.get(k)), None)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def batches(paths: list[str], size: int | None = None) -> list[list[str]]:
    size = size or settings().ingest_batch_size
    return [paths[i:i + size] for i in range(0, len(paths), size)]


def arrival(info: dict[str, Any], protocol: str) -> tuple[datetime, str]:
    """When a landed file arrived, by a clock the sender does not hold: for a local folder the
    inode change time, which the kernel sets when the file is written, moved or renamed into
    the folder and again whenever a tool sets its modification time (cp -p, rsync -a, unzip and
    touch -d set the mtime, never the ctime): it can be later than the arrival, never earlier;
    for an object store, the store's own timestamp (when the object was written). Anything else
    (an SFTP server keeps the sender's mtime): the moment baocao reads the file."""
    if protocol in ("file", "local"):
        changed = info.get("created")  # fsspec's local info: st_ctime
        if isinstance(changed, int | float):
            return datetime.fromtimestamp(changed, tz=UTC), ARRIVAL_INODE_CHANGE
    stored = _modified(info, STORE_TIMESTAMPS)
    if stored is not None:
        return stored, ARRIVAL_OBJECT_STORE
    return datetime.now(UTC), ARRIVAL_CALL


def replayed_arrivals(arrivals: dict[str, str] | None) -> dict[str, datetime]:
    """A replay's arrival times (file name -> ISO time with its UTC offset), checked."""
    out = {}
    for name, value in (arrivals or {}).items():
        at = datetime.fromisoformat(value)
        if at.tzinfo is None:
            raise ValueError(f"arrival time of {name} has no UTC offset: {value!r} (write e.g. {value}+07:00)")
        out[name] = at
    return out


def ingest_landed(engine: Engine, paths: list[str], landing_url: str | None = None,
                  arrivals: dict[str, datetime] | None = None, operator: str | None = None) -> dict[str, Any]:
    """Ingest the given landed files that are still there (one gate run for all of them),
    then move each out of the landing root. Returns outcome counts. `arrivals` (file name ->
    time) are an operator's overrides of the arrival time (a replay), recorded with `operator`."""
    url = landing_url or settings().landing_url
    fs, root = _fs(url)
    protocol = _protocol(fs)
    overrides = arrivals or {}
    if overrides and not operator:
        raise ValueError("an arrival time set by hand must say who set it (operator)")
    incoming: list[IncomingFile] = []
    for path in paths:
        local = fsspec.core.url_to_fs(path)[1]
        if not fs.exists(local):
            continue  # moved by an earlier attempt of this task
        name = posixpath.basename(local)
        before = fs.info(local)
        data = fs.cat_file(local)
        after = fs.info(local)
        # The second look: unchanged since the first, and read whole.
        if not settled(after, protocol) or (before.get("size"), _modified(before)) != (
                after.get("size"), _modified(after)) or len(data) != after.get("size", len(data)):
            log.info("%s is still being written; left for the next run", name)
            continue
        if name in overrides:
            at, rule, by = overrides[name], ARRIVAL_OVERRIDE, operator
        else:
            (at, rule), by = arrival(after, protocol), None
        incoming.append(IncomingFile(name=name, data=data, source_uri=path, received_at=at,
                                     received_at_rule=rule, override_by=by))
    results = ingest_files(engine, incoming, caller="airflow")
    moved: dict[str, str] = {}
    for f, r in zip(sorted(incoming, key=lambda f: (f.received_at, f.name)), results, strict=True):
        if r.status == DEFERRED:
            continue  # archived, no outcome: stays in landing for the next run
        day = f.received_at.strftime("%Y/%m/%d")
        folder = f"{root}/quarantine" if r.status == REJECTED else f"{root}/archive/{day}"
        fs.makedirs(folder, exist_ok=True)
        target = f"{folder}/{r.file_id}_{f.name}"
        source = fsspec.core.url_to_fs(f.source_uri)[1]
        if fs.exists(source):
            fs.mv(source, target)
        moved[f.name] = target
    deferred = [r.file for r in results if r.status == DEFERRED]
    if deferred:  # the task fails, so Airflow retries it and, at the last retry, tells the engineers
        raise TransientFailure(f"{len(deferred)} file(s) left in landing after a transient database failure "
                               f"(the others were recorded and moved): {', '.join(deferred)}")
    counts = Counter(r.status for r in results)
    return {"files": len(results), **{k: counts.get(k, 0) for k in INGEST_STATUSES},
            "rejected_files": [r.file for r in results if r.status == REJECTED], "moved": moved}
