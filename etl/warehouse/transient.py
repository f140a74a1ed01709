"""Transient database failures: told apart from verdicts, retried with backoff.

A lost connection, a server restarting, a serialization failure or a deadlock says nothing
about a district's file: the same statement succeeds a moment later. Such a failure is
retried; if it persists, the work is left undone (the file stays archived without an
outcome, for the next run or `baocao reprocess --unprocessed`), never recorded as a
rejection."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
T = TypeVar("T")

# SQLSTATE classes and codes that clear up by themselves (PostgreSQL appendix A):
# 08 connection exception, 40001 serialization failure, 40P01 deadlock, 53 insufficient
# resources (too many connections, out of memory or disk), 55P03 lock not available,
# 57P01-57P05 the server shutting down, crashed, starting up or idle-killed.
TRANSIENT_SQLSTATE_PREFIXES = ("08", "40001", "40P01", "53", "55P03", "57P")
# What the server says when it refuses a login for good (the message, as no SQLSTATE comes).
PERMANENT_LOGIN_FAILURES = ("does not exist", "authentication failed", "no pg_hba.conf entry",
                            "permission denied")
# Seconds to wait before each retry; the work is left for the next run after the last.
BACKOFF_SECONDS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)


class TransientFailure(RuntimeError):
    """A transient failure that persisted through every retry."""


def is_transient(exc: BaseException) -> bool:
    """Whether the failure is the database's passing state, not the data's fault."""
    if isinstance(exc, TransientFailure):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig if exc.orig is not None else exc
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(TRANSIENT_SQLSTATE_PREFIXES)
    # psycopg raises OperationalError without a SQLSTATE when the socket closes or the server
    # cannot be reached; a refusal at login (no such database or role, a wrong password) comes
    # the same way and is no passing state.
    import psycopg

    if not isinstance(exc, psycopg.OperationalError):
        return False
    return not any(words in str(exc) for words in PERMANENT_LOGIN_FAILURES)


def retry_transient(work: Callable[[], T], what: str, backoff: tuple[float, ...] | None = None) -> T:
    """Run `work`; on a transient failure wait and run it again. `work` must be a whole
    transaction (it is re-run from its start). Raises TransientFailure when the failure
    outlasts every retry; any other exception passes through at once."""
    delays = BACKOFF_SECONDS if backoff is None else backoff
    for attempt in range(len(delays) + 1):
        try:
            return work()
        except Exception as exc:
            if not is_transient(exc):
                raise
            if attempt == len(delays):
                raise TransientFailure(f"{what}: {type(exc).__name__}: {str(exc).strip()[:300]}") from exc
            log.warning("%s failed transiently (%s: %s); retry %d of %d in %.1f s", what, type(exc).__name__,
                        str(exc).strip()[:200], attempt + 1, len(delays), delays[attempt])
            time.sleep(delays[attempt])
    raise AssertionError("unreachable")
