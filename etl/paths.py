"""Where the project's files live. The repo is the deployment unit: SQL, catalog and
suites are read from the checkout (or the image that copies it)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
REFERENCE_DIR = PROJECT_ROOT / "reference"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"


def data_dir() -> Path:
    """Local state (embedded PostgreSQL, demo files, Data Docs); BAOCAO_DATA_DIR overrides."""
    path = Path(os.environ.get("BAOCAO_DATA_DIR", PROJECT_ROOT / "data"))
    path.mkdir(parents=True, exist_ok=True)
    return path
