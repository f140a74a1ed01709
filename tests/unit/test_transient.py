"""Which database failures are passing states (retried) and which are verdicts (not)."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

from etl.warehouse import transient
from etl.warehouse.transient import TransientFailure, is_transient, retry_transient


@pytest.mark.parametrize(("exc", "expected"), [
    (errors.AdminShutdown("terminating connection due to administrator command"), True),
    (errors.SerializationFailure("could not serialize access"), True),
    (errors.DeadlockDetected("deadlock detected"), True),
    (errors.LockNotAvailable("canceling statement due to lock timeout"), True),
    (errors.TooManyConnections("sorry, too many clients already"), True),
    (psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"), True),
    (psycopg.OperationalError('connection failed: FATAL:  database "nope" does not exist'), False),
    (psycopg.OperationalError('FATAL:  password authentication failed for user "x"'), False),
    (errors.UniqueViolation("duplicate key value violates unique constraint"), False),
    (errors.ProgramLimitExceeded("index row size 3000 exceeds btree version 4 maximum 2704"), False),
    (ValueError("a bug"), False),
])
def test_transient_or_not(exc: BaseException, expected: bool) -> None:
    assert is_transient(exc) is expected


def test_a_transient_failure_is_retried_then_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise errors.AdminShutdown("terminating connection")
        return "done"

    assert retry_transient(flaky, "work", backoff=(0, 0, 0)) == "done" and len(calls) == 3
    monkeypatch.setattr(transient, "BACKOFF_SECONDS", (0, 0))
    with pytest.raises(TransientFailure, match="work"):
        retry_transient(lambda: (_ for _ in ()).throw(errors.DeadlockDetected("deadlock")), "work")


def test_a_verdict_is_never_retried() -> None:
    calls = []

    def bug() -> None:
        calls.append(1)
        raise errors.UniqueViolation("duplicate key")

    with pytest.raises(errors.UniqueViolation):
        retry_transient(bug, "work", backoff=(0, 0))
    assert len(calls) == 1
