"""Where the project's files live. The repo is the deployment unit: SQL, catalog and
suites are read from the checkout (or the image that copies it). Local state (the data
directory) is a setting: etl.config.data_dir."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
REFERENCE_DIR = PROJECT_ROOT / "reference"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
