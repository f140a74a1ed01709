"""What the benchmarks share: a fresh warehouse database of their own, dropped afterwards, and a
peak-memory sampler."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from etl.config import admin_url_for_benchmarks
from etl.warehouse.db import embedded_server_url, normalize_url

LOCAL_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    """WAREHOUSE_URL's server when set (or BAOCAO_BENCH_ADMIN_URL's), else the local server, else the
    embedded one."""
    url = admin_url_for_benchmarks()
    if url:
        return normalize_url(url)
    probe = create_engine(LOCAL_SERVER, connect_args={"connect_timeout": 2})
    try:
        with probe.connect():
            return LOCAL_SERVER
    except Exception:
        return embedded_server_url("postgres")
    finally:
        probe.dispose()


@contextmanager
def bench_database(keep: bool = False, admin: str | None = None) -> Iterator[str]:
    """Create a database for one benchmark run (on `admin`'s server, default `admin_url()`);
    yield its URL; drop it unless `keep`."""
    admin = admin or admin_url()
    name = f"baocao_bench_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin_engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


class PeakMemory:
    """The peak of this process's and its children's resident memory together (the reading pool's
    workers included, which ru_maxrss does not see), sampled every 50 ms in a thread. Shared pages
    count once per process, so it is an upper bound."""

    def __init__(self, interval_s: float = 0.05) -> None:
        self.interval_s = interval_s
        self.peak_bytes = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total, n = 0, 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                    n += 1
                except psutil.Error:  # ended between listing and reading
                    continue
            if total > self.peak_bytes:
                self.peak_bytes, self.peak_processes = total, n
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def __str__(self) -> str:
        return f"{self.peak_bytes / 2**20:,.0f} MiB over {self.peak_processes} processes (sum of RSS)"
