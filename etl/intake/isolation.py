"""Reading untrusted files in worker processes, one file per task, each within limits.

The readers check sizes before they parse (etl.intake.limits), but a file may still find a
way through a parser's own code (a decompressor, the XLSX library) to exhaust memory, loop
or crash. So every file is read in a pool of worker processes (pebble), sized to the
machine: a worker has an address-space limit, a file has a time limit, and a worker that
dies or overruns takes only its own file with it (FILE_UNREADABLE, a district error: the
file is too big or too complex to read; the file stays archived). The pool also reads on
every core. Results come back in the order the files were given.

BAOCAO_READER_PROCESSES=0 reads in the calling process instead (no isolation), for profiling.
A process that cannot start the pool reads unisolated too, logged as an error."""

from __future__ import annotations

import atexit
import importlib.machinery
import logging
import multiprocessing
import multiprocessing.util
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import PurePath

from etl.config import settings
from etl.intake.readers import ReadFile, read_file
from etl.quality.messages import make_message

log = logging.getLogger(__name__)

# A reader process may map this much memory: ten times what the largest legitimate file
# needs (a 20 MiB workbook reads in well under 200 MiB), far below what the machine has.
READER_MEMORY_BYTES = 2 * 1024**3
# A file's reading may take this long; a district template reads in well under a second.
READER_SECONDS = 60.0
# A worker is replaced after this many tasks, so no parser's leak accumulates.
READER_TASKS_PER_PROCESS = 100
# Files per task at most (a chunk of templates reads in well under a second).
CHUNK_FILES = 25

_lock = threading.Lock()
_pool: object | None = None  # pebble.ProcessPool, created on first use
_pool_pid: int | None = None  # the process that created it (a forked child must make its own)


def reader_processes() -> int:
    """Worker processes: BAOCAO_READER_PROCESSES, else one per core this process may use."""
    configured = settings().reader_processes
    if configured is not None:
        return configured
    return usable_cores()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _limit_worker(memory_bytes: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def _get_pool(workers: int) -> object:
    global _pool, _pool_pid
    import pebble

    with _lock:
        if _pool is None or _pool_pid != os.getpid() or not _pool.active:  # type: ignore[attr-defined]
            _allow_children()
            _keep_main_script_out_of_workers()
            _pool = pebble.ProcessPool(max_workers=workers, max_tasks=READER_TASKS_PER_PROCESS,
                                       initializer=_limit_worker, initargs=(READER_MEMORY_BYTES,),
                                       context=multiprocessing.get_context("spawn"))
            _pool_pid = os.getpid()
            # A process started by multiprocessing ends without running atexit's functions, after
            # joining its children: the pool's workers, never stopped, would keep it alive forever.
            multiprocessing.util.Finalize(None, shutdown, exitpriority=10)
        return _pool


def _allow_children() -> None:
    """Celery's prefork pool (billiard) marks its workers daemonic and gives them an authkey only
    billiard may pickle; Airflow's task process, forked from one, inherits both, and
    multiprocessing then refuses to start children ("daemonic processes are not allowed to have
    children", celery/celery#1709) or to spawn them. The reader pool is this process's own and
    stops with it (its workers also exit when their pipe closes), which is what the daemon rule
    protects: the inherited mark is cleared and the key made a plain one."""
    from multiprocessing.process import AuthenticationString

    me = multiprocessing.current_process()
    if me.daemon or type(me._config.get("authkey")) is not AuthenticationString:  # type: ignore[attr-defined]
        log.info("process %s inherited a daemon mark or a foreign authkey: made fit to start the reader pool",
                 me.name)
        me._config["daemon"] = False  # type: ignore[attr-defined]
        me._config["authkey"] = AuthenticationString(bytes(me.authkey))  # type: ignore[attr-defined]


def _keep_main_script_out_of_workers() -> None:
    """multiprocessing's spawn runs the parent's main script again in each worker (for functions
    defined there), or imports its main module again when it was run with -m. The readers are
    importable by name, and the caller's main may not bear a second run: in an Airflow task it is
    the `airflow` script, whose import fails there (the task blocks Airflow's database); a module
    run with -m (`python -m bench.national_month`) had each worker import all it imports, again
    whenever one is replaced (0,6-1,0 s of the legacy national month's reading). The main module
    is given the spec name `__main__`, which spawn does not import again (its own relative imports
    keep `__package__`)."""
    main = sys.modules.get("__main__")
    if main is None:
        return
    spec = getattr(main, "__spec__", None)
    if (spec is None and getattr(main, "__file__", None)) or (spec is not None and spec.name != "__main__"):
        main.__spec__ = importlib.machinery.ModuleSpec("__main__", None)


@atexit.register
def shutdown() -> None:
    """Stop the worker processes (at exit, also of a process multiprocessing started, or when a
    caller wants them gone)."""
    global _pool
    with _lock:
        if _pool is not None and _pool_pid == os.getpid():
            _pool.stop()  # type: ignore[attr-defined]
            _pool.join()  # type: ignore[attr-defined]
        _pool = None


def _unreadable(name: str, found_vi: str, detail_en: str) -> ReadFile:
    result = ReadFile(fmt=PurePath(name).suffix.lower().lstrip(".") or "unknown")
    result.messages.append(make_message("FILE_UNREADABLE", found=found_vi, detail_en=detail_en))
    return result


Reader = Callable[[str, bytes], ReadFile]


def _read_here(name: str, data: bytes, reader: Reader = read_file) -> ReadFile | Exception:
    try:
        return reader(name, data)
    except Exception as exc:
        return exc


def read_files(files: Sequence[tuple[str, bytes]], reader: Reader = read_file) -> list[ReadFile | Exception]:
    """Read each (name, bytes) in a worker process; in the order given. A reader bug (an
    exception other than running out of memory) comes back in the file's place, for the
    caller to record against that file: it is baocao's fault, not the district's. `reader`
    must be importable by name (the workers are spawned): the tests pass one that crashes."""
    return list(iter_read_files(files, reader))


def iter_read_files(files: Sequence[tuple[str, bytes]], reader: Reader = read_file) -> Iterator[ReadFile | Exception]:
    """read_files, each result given as soon as it and those before it are read, so the
    caller checks the first files while the workers read the next ones."""
    workers = reader_processes()
    if workers == 0 or not files:
        yield from (_read_here(name, data, reader) for name, data in files)
        return
    import pebble

    # Files go to the workers in chunks (a task per file costs more in messages than reading a
    # template); a chunk that crashes or overruns is read again file by file, to find which.
    size = max(1, min(CHUNK_FILES, len(files) // (workers * 4)))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    try:
        pool = _get_pool(workers)
        futures = [pool.schedule(_read_chunk, args=(chunk, reader), timeout=READER_SECONDS)  # type: ignore[attr-defined]
                   for chunk in chunks]
    except (AssertionError, OSError, RuntimeError) as exc:  # pebble starts its workers at the first schedule
        log.error("cannot start reader processes (%s); reading in this process, without isolation", exc)
        shutdown()
        yield from (_read_here(name, data, reader) for name, data in files)
        return
    broken = False
    for chunk, future in zip(chunks, futures, strict=True):
        if broken:  # a broken pool never settles its other futures: the rest is read here
            future.cancel()
            yield from (_unisolated(name, data, reader) for name, data in chunk)
            continue
        try:
            got = future.result()
        except (FutureTimeout, MemoryError, pebble.ProcessExpired) as exc:
            if len(chunk) == 1:
                yield _failed(chunk[0][0], exc)
                continue
            singles = [pool.schedule(reader, args=item, timeout=READER_SECONDS)  # type: ignore[attr-defined]
                       for item in chunk]
            for (name, data), single in zip(chunk, singles, strict=True):
                try:
                    yield single.result()
                except (FutureTimeout, MemoryError, pebble.ProcessExpired) as one:
                    yield _failed(name, one)
                except BrokenProcessPool:
                    yield _unisolated(name, data, reader)
                except Exception as bug:
                    yield bug
            continue
        except BrokenProcessPool:  # the workers cannot start at all: a deployment fault, said loudly
            broken = True
            yield from (_unisolated(name, data, reader) for name, data in chunk)
            continue
        yield from (_failed(name, r) if isinstance(r, MemoryError) else r
                    for (name, _), r in zip(chunk, got, strict=True))


def _read_chunk(items: Sequence[tuple[str, bytes]], reader: Reader) -> list[ReadFile | Exception]:
    return [_read_here(name, data, reader) for name, data in items]


def _unisolated(name: str, data: bytes, reader: Reader) -> ReadFile | Exception:
    log.error("reader processes cannot start; reading %s in this process, without isolation", name)
    return _read_here(name, data, reader)


def _failed(name: str, exc: BaseException) -> ReadFile:
    """The file's FILE_UNREADABLE for a reader that overran its time or memory, or died."""
    import pebble

    if isinstance(exc, FutureTimeout):
        log.warning("reading %s took over %.0f s: stopped", name, READER_SECONDS)
        return _unreadable(name, f"đọc quá {READER_SECONDS:.0f} giây", f"over {READER_SECONDS:.0f} s")
    if isinstance(exc, MemoryError):
        mib = READER_MEMORY_BYTES // 2**20
        log.warning("reading %s needed over %d MiB: stopped", name, mib)
        return _unreadable(name, f"cần hơn {mib} MiB bộ nhớ", f"over {mib} MiB of memory")
    code = exc.exitcode if isinstance(exc, pebble.ProcessExpired) else None
    log.warning("the process reading %s died (exit code %s)", name, code)
    return _unreadable(name, f"trình đọc tệp dừng đột ngột, mã {code}", f"the reader process died, exit code {code}")
