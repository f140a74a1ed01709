"""Unit tests run without PostgreSQL (`pytest tests/unit` with the server stopped): a test here
that asks for the warehouse (engine, db, cli_runner...) fails at once instead of starting one."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def warehouse_url() -> str:
    pytest.fail("tests/unit has no database: a test that needs the warehouse belongs in tests/")
