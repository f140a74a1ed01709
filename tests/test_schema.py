"""The schema: what a fresh install builds (docs/schema.sql), frozen revisions, repeatable
objects, and an upgrade from the previous head with data in it."""

from __future__ import annotations

import ast
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from etl.config import ENV_WAREHOUSE_URL
from etl.domain.contract import SOURCE_FORMATS
from etl.marts.docs import load_mart_docs
from etl.marts.rollup import refresh
from etl.marts.rollup import steps as rollup_steps
from etl.paths import PROJECT_ROOT, SQL_DIR
from etl.warehouse.ingest import ingest_paths
from etl.warehouse.schema import (
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    dump_schema,
    head_revision,
    repeatable_files,
    repeatables_checksum,
    upgrade,
)
from tests import builders as b

SCHEMA_DUMP = PROJECT_ROOT / "docs" / "schema.sql"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
# Revisions are append-only: once merged, a revision's files never change (a warehouse that ran
# it would not run it again). Record a new revision's files here when adding it.
FROZEN_REVISIONS = {
    "0009_baseline.py": "5009535a6a719d241a4702ca6b66c9e479336f857c18130f27f2108e1ba018cb",
    "0009_baseline.sql": "215cdcd913d2e0e10cbf5210bf6879bb6858531f39808e41af967f27d39a5730",
    "0010_repeatable_checksum.py": "498192eaf1c9a3ec425fe6fa8df1805038e412d35311b4c17488e4cb9ec4d9b0",
    "0010_repeatable_checksum.sql": "30b66db684adb38982a384851bab5ad4b622c0de537a63a0080dc927cea027b2",
    "0011_plan_attained_every_period.py": "691627f74a916276c287c150687bcfe6dfe7544c98f4234038400146b1d3e06d",
    "0011_plan_attained_every_period.sql": "bd84169a7cdda49163961b6d2453ae9d8e22f5a4de460be56c843541b6366582",
    "0012_figures_that_stay_right.py": "328d98415ca0642efd04f77fde0ae47083029d42e40a93a8edf862f78631533b",
    "0012_figures_that_stay_right.sql": "ce0c6e05cec15e7eb8a271b3145adf0735c816f487c8cad1159825984e472d6b",
    "0013_units_in_time.py": "acf782ddcc3cd0fbdba82e821dfcb12bd5e96dc3a969e4a480fb9cdffb63b06b",
    "0013_units_in_time.sql": "cebe2560cff32582d857fe756f8011a74b1ad6ce46935b3910e49c0bb2e0d067",
    "0014_communes_report.py": "83f4f01ee4a6e438fc67a7aa9a4a7ae25a468c4fec4142580bbb6f456d3e2893",
    "0014_communes_report.sql": "659d47f8b2614a765a85c5adad5e6af91db6fca44efef9d35d15d30664d6c7e3",
    "0015_ingest_run_load_path.py": "608c9197c9637456f0e04dd46fbfb719c15487ef23cdd7d737e30b48b79bde66",
    "0015_ingest_run_load_path.sql": "cf1f5644ad76ff02cb76dfe70fb178c2c27d3a2fac84534000e5ad6bc1ab8a49",
    "0016_knowledge_in_time.py": "860a4a6e283d7169b4e94e38c2bad74b7ccc54285bbddd5c305c5db3c3442255",
    "0016_knowledge_in_time.sql": "f723a779215d12b9ee223bf7224aa0e53047a2b07fe61bf917d80c500fcff981",
    "0017_least_privilege.py": "4c6bad4ba535e9cd3c9a7c3675046fc9adfe7269b3d4af436f011ecf4a086ded",
    "0017_least_privilege.sql": "32059c13e6019e9837f468ff306b865f2884cf8904d4c0dddce50590742fef1f",
    "0017_least_privilege_roles.sql": "ad9d46cec848e14058190ed68f1d95d8d1aba9b2e150128d378196887e45835b",
    "0018_office_formats.py": "e8069ba21cd4ca9e885309eed9efb8b888440a871a1ba0ac1759e8fefd9dd67c",
    "0018_office_formats.sql": "a8a6ee8b22d1da7d2f40eeddcb710a372ee10c51445b45e0cab8fb78655d09bc",
    "0019_message_places.py": "9ac21fd47ca7d2d3b69659e1c5075ccc1c255bc5e3fedde36401eb133c72ec81",
    "0019_message_places.sql": "e5c7daba6eaaaef55d2bb5f025b86d10745272dc73b50c0a6d2fbad25dd1554e",
    "0020_fact_references_checked_per_batch.py": "20f9e2a3d05a6bae6d05d997d50f01e4e693431128c3708a532c9068c0965e56",
    "0020_fact_references_checked_per_batch.sql": "0ebc38c890407570616fa40b97393c835d760f951789dd748e93c1abc85428df",
    "0021_rollup_build_table.py": "1cef54f2f8ad0b3fa0b256da1626803769c92e5a39bcd3afbf9f29ec1419d292",
    "0021_rollup_build_table.sql": "628dac88aa4108bc02562a3a85f47bb3e4e549d02ac125cd7556e9e12839cedb",
    "0022_submission_status_first_month.py": "d7e8dd9a7a02ff63d9c29771e4c40c1db2000eb9e10751d3bb82ca694a0b9336",
    "0022_submission_status_first_month.sql": "6e22ababc6536f75a76b76945f381666db22f8bcc41424bbca1a05c30ef2392f",
    "0023_submission_status_view.py": "5220770520e535d7a66ead1f3c4ebb37344513e613b66f0bf76b76a9987c959d",
    "0023_submission_status_view.sql": "eacec48583e332fb34acdf9b1b22876613d8e2267923e90a3ad4d821a6be1834",
    "0024_rollup_partial_sums.py": "28cab6065e084ea48de15638eea62813ab6b7113c1406231944d3c1d8f4a9b46",
    "0024_rollup_partial_sums.sql": "d47dc49173049a5d904c72fb894864b11fa3c5c175c55e5d7800e9ca4873e805",
    "0025_indicator_rollup_partitions.py": "c7b4ed7d1c97c8c1e1109d158fe8d8a19be19eddcbc55ef91abdaad301798e6b",
    "0025_indicator_rollup_partitions.sql": "e6768e2a95063732856586152bc55cae442f75a6f80b19a415887e3c1094cbad",
}
# Tables whose rows the newest revision is meant to change: 0025 drops ops.rollup_build (empty) and
# partitions mart.indicator_rollup, whose rows (read through it) stay as they were.
CHANGED_BY_THE_NEWEST_REVISION: frozenset[str] = frozenset({"ops.rollup_build"})
CHECKED_BY_THE_LOAD = ("core.fct_indicator_value", "core.fct_task_snapshot", "staging.stg_indicator_row",
                       "staging.stg_task_row", "staging.stg_plan_row")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def test_revisions_are_frozen() -> None:
    files = {p.name: _sha256(p) for p in VERSIONS_DIR.iterdir() if p.suffix in (".py", ".sql")}
    assert files == FROZEN_REVISIONS, (
        "a revision was edited, or a new one is not recorded: revisions are append-only (write a new "
        "revision instead); record a new revision's files in tests/test_schema.py FROZEN_REVISIONS")


def test_revisions_import_nothing_from_the_application() -> None:
    for path in VERSIONS_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in modules if m == "etl" or m.startswith("etl.")], path.name


def test_sql_reads_the_time_zone_from_the_calendar() -> None:
    for path in [*SQL_DIR.rglob("*.sql"), *VERSIONS_DIR.glob("*.sql")]:
        assert "Asia/Ho_Chi_Minh" not in path.read_text(encoding="utf-8"), path


def _server_major(dump: str) -> str | None:
    found = re.search(r"^-- Dumped on PostgreSQL (\d+)\.$", dump, flags=re.MULTILINE)
    return found.group(1) if found else None


def _without_qualifiers(dump: str) -> str:
    """The dump with `name.` before identifiers left out: PostgreSQL 18 prints a one-table view's
    columns without the table's name, 15 and 16 with it."""
    dump = re.sub(r"^-- Dumped on PostgreSQL \d+\.$", "", dump, flags=re.MULTILINE)
    return re.sub(r"\b[a-z_][a-z0-9_]*\.(?=[a-z_])", "", dump)


def test_committed_schema_dump_is_current(engine: Engine) -> None:
    """docs/schema.sql is the schema `baocao db upgrade` builds in an empty database."""
    with engine.connect() as conn:
        live = dump_schema(conn)
    committed = SCHEMA_DUMP.read_text(encoding="utf-8")
    stale = ("docs/schema.sql is stale: run `python -m etl.warehouse.schema dump > docs/schema.sql` (it upgrades "
             "a new, empty database) and commit it with the change")
    if _server_major(committed) == _server_major(live):
        assert committed == live, stale
    else:
        assert _without_qualifiers(committed) == _without_qualifiers(live), (
            f"{stale} (compared without qualifiers: dumped on PostgreSQL {_server_major(committed)}, "
            f"this server is {_server_major(live)})")


def test_a_fresh_install_is_the_owners_every_revision_after_0017_included(engine: Engine) -> None:
    """The revisions after 0017 run as baocao_owner on a fresh install as on an upgrade (env.py): the
    session's warehouse, installed fresh, has no table or view of the login's (0021's ops.rollup_build
    was the login's before)."""
    with engine.connect() as conn:
        owners = conn.execute(text("""
            SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('raw', 'staging', 'core', 'mart', 'ops') AND c.relkind IN ('r', 'v', 'S')
        """)).scalars().all()
    assert owners == ["baocao_owner"]


def test_every_view_and_function_is_a_repeatable_file(engine: Engine) -> None:
    """sql/repeatable/NN_<schema>.<object>.sql creates exactly the views and functions there are, so
    every one of them is dropped and re-created by the upgrade, and none is left behind. Trigger
    functions are their tables' revision's (raw.refuse_change, 0017): the triggers depend on them,
    and the upgrade drops the repeatable objects without CASCADE."""
    named = {f.stem.split("_", 1)[1] for f in repeatable_files() if "." in f.stem}
    with engine.connect() as conn:
        live = set(conn.execute(text("""
            SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('raw', 'staging', 'core', 'mart', 'ops') AND c.relkind IN ('v', 'm')
            UNION ALL
            SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname IN ('raw', 'staging', 'core', 'mart', 'ops') AND p.prorettype <> 'trigger'::regtype
        """)).scalars())
    assert named == live


# --- Upgrading a warehouse with data --------------------------------------------------------


@pytest.fixture
def scratch(warehouse_url: str) -> Iterator[Engine]:
    """A new, empty database beside the session's (same server, same credentials)."""
    url = make_url(warehouse_url)
    name = f"{url.database}_upgrade"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(url.set(database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def previous_head() -> str:
    script = ScriptDirectory.from_config(alembic_config())
    previous = script.get_revision(head_revision()).down_revision
    assert isinstance(previous, str), "the head has no previous revision to upgrade from"
    return previous


def previous_code(into: Path) -> str:
    """The code that deployed the previous head, unpacked into `into`: the commit before the one
    that added the newest revision, or HEAD while that revision is not committed yet. Returns the
    commit. A warehouse is built and filled by its own code, as a real one was."""
    newest = next(VERSIONS_DIR.glob(f"{head_revision()}_*.py"))
    git = ["git", "-C", str(PROJECT_ROOT)]
    added = subprocess.run([*git, "log", "--diff-filter=A", "--format=%H", "-1", "--", str(newest)],
                           capture_output=True, text=True, check=True).stdout.strip()
    commit = f"{added}^" if added else "HEAD"
    commit = subprocess.run([*git, "rev-parse", commit], capture_output=True, text=True, check=True).stdout.strip()
    archive = subprocess.run([*git, "archive", "--format=tar", commit], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit


# Run by the previous head's own code (its tests/test_schema.py `fill`, or the same steps), in a
# separate interpreter: `baocao db upgrade` of that version, then data of every kind.
BUILD_AND_FILL = """
import sys
from pathlib import Path
from sqlalchemy import create_engine
from etl.warehouse.schema import upgrade
from tests.test_schema import fill
engine = create_engine(sys.argv[1])
upgrade(engine)
Path(sys.argv[2]).mkdir(parents=True, exist_ok=True)
fill(engine, Path(sys.argv[2]))
engine.dispose()
"""


def build_at_previous_head(engine: Engine, workdir: Path) -> str:
    code = workdir / "previous"
    commit = previous_code(code)
    env = {**os.environ, "PYTHONPATH": str(code), "BAOCAO_DATA_DIR": str(workdir / "data")}
    env.pop(ENV_WAREHOUSE_URL, None)
    done = subprocess.run([sys.executable, "-c", BUILD_AND_FILL, engine.url.render_as_string(hide_password=False),
                           str(workdir / "files")], cwd=code, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"the previous head's code ({commit}) failed:\n{done.stderr[-3000:]}"
    return commit


def fill(engine: Engine, folder: Path) -> None:
    """Files of every kind through the real ingest (accepted, with a warning, rejected, a plan),
    the marts refreshed, and rows in the tables the ingest does not write. The next version's test
    runs this function of this version, to fill a warehouse at this version's head."""
    folder.mkdir(parents=True, exist_ok=True)
    bad = b.submission(district=b.TAM_DUONG, period="2024-05")
    b.indicator(bad, "NS01")["thuc_hien_thang"] = "khoảng 50"
    docs = {
        "639_2024-04.json": b.submission(period="2024-04"),
        "639_2024-05.json": b.submission(),
        "247_2024-05.json": bad,
        "247_2024-06.json": b.month(b.TAM_DUONG, "2024-06", {"NN05": 92000, "NS01": 120}),
        "639_2024_plan.json": b.plan(),
    }
    for name, doc in docs.items():
        ingest_paths(engine, [b.write_json(folder / name, doc)], received_at=datetime.fromisoformat(
            "2024-06-16T09:00:00+07:00"))
    refresh(engine, full=True)
    with engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO ops.alert_log (idempotency_key, kind, channel, district_code, period_code, recipients,
                                       subject, body, status, as_of)
            VALUES ('late:639:2024-05', 'late', 'email', '639', '2024-05', ARRAY['a@example.gov.vn'], 'Muộn',
                    'Báo cáo muộn', 'sent', '2024-05-19T08:00:00+07:00')"""))
        conn.execute(text("""
            INSERT INTO ops.superseded_outcome (file_id, attempt, outcome, error_count, warning_count, messages)
            SELECT file_id, 1, 'rejected', 1, 0, '[]' FROM raw.file ORDER BY file_id LIMIT 1"""))
        conn.execute(text("INSERT INTO ops.rollup_queue (district_code, year) VALUES ('639', 2023)"))


def contents(engine: Engine) -> dict[str, tuple[Any, ...]]:
    """Row count and checksum of every table of the warehouse: its data. Views and functions are
    the version's code (a new version may change what they compute), so they are not compared. A
    partitioned table's rows are read through it: its partitions are how they are stored."""
    with engine.connect() as conn:
        relations = conn.execute(text("""
            SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('raw', 'staging', 'core', 'mart', 'ops') AND c.relkind IN ('r', 'p')
              AND NOT c.relispartition
        """)).scalars().all()
        queries = {r: f"SELECT * FROM {r}" for r in relations}
        return {name: tuple(conn.execute(text(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM ({q}) AS t"
        )).one()) for name, q in queries.items()}


def relation_oids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(text("""
            SELECT n.nspname || '.' || c.relname, c.oid::int
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('core', 'mart') AND c.relkind = 'v'""")).tuples().all())


def foreign_keys_of(engine: Engine, tables: tuple[str, ...]) -> int:
    with engine.connect() as conn:
        return conn.execute(text("""
            SELECT count(*) FROM pg_constraint
            WHERE contype = 'f' AND conrelid = ANY(CAST(:tables AS regclass[]))"""),
            {"tables": list(tables)}).scalar_one()


def schema_of(engine: Engine) -> str:
    with engine.connect() as conn:
        return dump_schema(conn)


def test_upgrading_the_previous_head_keeps_the_data_and_builds_the_fresh_schema(
        scratch: Engine, engine: Engine, tmp_path: Path) -> None:
    """A warehouse built and filled by the previous head's own code (data of every kind, marts
    refreshed), upgraded to head: every table's rows are unchanged (except what the newest revision
    is meant to change), its schema is exactly a fresh install's, and a second upgrade changes
    nothing, not even a view."""
    previous = previous_head()
    build_at_previous_head(scratch, tmp_path)
    assert current_revision(scratch) == previous
    before = contents(scratch)
    empty = {name for name, (count, _) in before.items() if count == 0}
    # Reference data the upgrade reloads from reference/reporting_calendar.yaml, which assigns nobody;
    # tables the previous code did not have rows for; ops.rollup_build, which a refresh empties as it commits;
    # the partial sums, which a second incremental refresh of a province-year fills (fill() runs a full one).
    assert not empty - {"core.reporting_assignment", "ops.repeatable_checksum", "ops.rollup_build",
                        "ops.rollup_partial_unit", "ops.rollup_partial"}, (
        f"fill() leaves these empty, so no change would show: {empty}")
    assert foreign_keys_of(scratch, (*CHECKED_BY_THE_LOAD, "core.dim_task")) == 0  # dropped by 0020 and 0021
    status_columns = ("district_code, district_name, province_code, year, month, status, deadline, first_received_at, "
                      "accepted_at, days_late, versions_received, errors, warnings, level, province_2025_code")
    with scratch.connect() as conn:  # 0024 is the previous head: the statuses stored, the mart not partitioned
        statuses = conn.execute(text(f"SELECT {status_columns} FROM mart.submission_status ORDER BY 1, 4, 5")).all()
        assert statuses
        assert conn.execute(text("SELECT relkind FROM pg_class WHERE oid = 'mart.indicator_rollup'::regclass")
                            ).scalar() == "r"

    upgrade(scratch)

    assert current_revision(scratch) == head_revision()
    after = contents(scratch)
    # The version, and when the repeatables were re-created (any pending revision re-creates them),
    # with the rollup's steps, stored beside them for the as-of functions: this version's.
    unchanged = set(before) - CHANGED_BY_THE_NEWEST_REVISION - {"ops.alembic_version", "ops.repeatable_checksum",
                                                                "ops.rollup_step"}
    assert {t: after[t] for t in unchanged} == {t: before[t] for t in unchanged}
    with scratch.connect() as conn:
        stored = conn.execute(text("SELECT position, name, statements, runs_as_of FROM ops.rollup_step "
                                   "ORDER BY position")).all()
        assert [tuple(r) for r in stored] == [tuple(vars(step).values()) for step in rollup_steps()]
        # 0020: the load checks these tables' references (etl/warehouse/load.py), no foreign key does.
        assert foreign_keys_of(scratch, CHECKED_BY_THE_LOAD) == 0
        # 0021: the load checks the task dimension's first submission too (etl/warehouse/load.py).
        assert foreign_keys_of(scratch, ("core.dim_task",)) == 0
        # 0025: mart.indicator_rollup partitioned by range of period_key, its rows (compared above, through it)
        # kept in the table it was, now its default partition; ops.rollup_build gone (the sessions of a
        # parallel rebuild write the partitions, etl/marts/rollup.py); the ETL's login still writes it.
        assert conn.execute(text("SELECT pg_get_partkeydef('mart.indicator_rollup'::regclass)")).scalar() == (
            "RANGE (period_key)")
        assert conn.execute(text(
            "SELECT array_agg(inhrelid::regclass::text) FROM pg_inherits "
            "WHERE inhparent = 'mart.indicator_rollup'::regclass")).scalar() == ["ops.indicator_rollup_default"]
        assert conn.execute(text("SELECT count(*) FROM ops.indicator_rollup_default")).scalar() == after[
            "mart.indicator_rollup"][0] > 0
        assert conn.execute(text("SELECT to_regclass('ops.rollup_build')")).scalar() is None
        # And UPDATE (rollup step 09 updates a year's comparisons in place: tests/test_roles.py).
        assert all(conn.execute(text("SELECT has_table_privilege('baocao_loader', 'mart.indicator_rollup', :p)"),
                                {"p": p}).scalar() for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"))
        # 0021: a load moves an already queued district-year's queued_at (etl/warehouse/load.py, REQUEUE).
        assert conn.execute(text("SELECT has_table_privilege('baocao_loader', 'ops.rollup_queue', 'UPDATE')")).scalar()
        # 0022: a province's first stored month is one probe (rollup step 03, rollup_moved); renamed by 0023.
        assert conn.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'submission_status_rollup_district_first_month'")
        ).scalar() == ("CREATE INDEX submission_status_rollup_district_first_month ON mart.submission_status_rollup "
                       "USING btree (province_code, year, month) WHERE (level = 'district'::text)")
        # 0022: step 12 finds the months it recomputes by index; renamed by 0023.
        assert conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'submission_status_rollup_month'")
                            ).scalar() == ("CREATE INDEX submission_status_rollup_month ON "
                                           "mart.submission_status_rollup USING btree (year, month)")
        # 0023: the stored statuses, shown by the view of the old table's name.
        assert conn.execute(text(f"SELECT {status_columns} FROM mart.submission_status ORDER BY 1, 4, 5")
                            ).all() == statuses
        assert conn.execute(text("SELECT relkind FROM pg_class WHERE oid = 'mart.submission_status'::regclass")
                            ).scalar() == "v"
        # 0023: the refresh (the ETL's login) rewrites the statuses and records its moment.
        assert all(conn.execute(text("SELECT has_table_privilege('baocao_loader', :t, :p)"), {"t": t, "p": p}).scalar()
                   for t, ps in (("mart.submission_status_rollup", ("SELECT", "INSERT", "DELETE")),
                                 ("ops.status_refresh", ("SELECT", "INSERT", "UPDATE")))
                   for p in ps)
        # 0024: the partial sums of the province-level figures (rollup steps 03-09): unlogged, empty until
        # the next incremental refresh, which the ETL's login runs.
        for table in ("ops.rollup_partial_unit", "ops.rollup_partial"):
            assert conn.execute(text("SELECT relpersistence FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                                {"t": table}).scalar() == "u"
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
            assert all(conn.execute(text("SELECT has_table_privilege('baocao_loader', :t, :p)"),
                                    {"t": table, "p": p}).scalar() for p in ("SELECT", "INSERT", "DELETE", "TRUNCATE"))
        # 0018: the formats the readers record, xls and ods among them
        check = conn.execute(text("""
            SELECT pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conname = 'fct_submission_source_format_check'""")).scalar_one()
        assert all(f"'{fmt}'" in check for fmt in SOURCE_FORMATS), check
        owners = conn.execute(text("""
            SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('raw', 'staging', 'core', 'mart', 'ops') AND c.relkind IN ('r', 'v')
        """)).scalars().all()
        assert owners == ["baocao_owner"]  # the tables of the previous head and the views created again
    assert schema_of(scratch) == schema_of(engine)  # the session's warehouse: a fresh install

    oids = relation_oids(scratch)
    upgrade(scratch)
    assert contents(scratch) == after
    assert relation_oids(scratch) == oids  # nothing new: the views were left alone
    assert schema_of(scratch) == schema_of(engine)
    refresh(scratch)  # and the upgraded warehouse refreshes with this version's rollup


def test_changed_repeatables_are_re_created(scratch: Engine) -> None:
    """When the views, functions or mart comments differ from what was applied (their checksum), the
    upgrade drops and re-creates them, and records the new checksum."""
    upgrade(scratch, load_reference=False)
    oids = relation_oids(scratch)
    expected = schema_of(scratch)
    with scratch.begin() as conn:
        conn.execute(text("UPDATE ops.repeatable_checksum SET checksum = repeat('0', 64)"))
        conn.execute(text("COMMENT ON VIEW mart.unit_name IS 'edited by hand'"))
    upgrade(scratch, load_reference=False)
    assert schema_of(scratch) == expected
    assert set(relation_oids(scratch).values()).isdisjoint(oids.values())
    with scratch.connect() as conn:
        assert conn.execute(text("SELECT checksum FROM ops.repeatable_checksum")).scalar() != "0" * 64


def _upgrade_at_once(url: str, runs: int = 2) -> list[subprocess.CompletedProcess[str]]:
    code = ("import sys; from sqlalchemy import create_engine; from etl.warehouse.schema import upgrade; "
            "upgrade(create_engine(sys.argv[1]))")
    started = [subprocess.Popen([sys.executable, "-c", code, url], cwd=PROJECT_ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(runs)]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=300), *p.communicate()) for p in started]


def test_two_upgrades_at_once_end_as_one(scratch: Engine) -> None:
    """Two deployments starting together (two `baocao db upgrade`, two containers) on a new database,
    then on one whose repeatable objects changed: the second waits for the first and finds nothing
    left to do, as Airflow's `airflow db migrate` does behind its global lock. Before, one of them
    failed creating a schema the other had just created."""
    url = scratch.url.render_as_string(hide_password=False)
    for case in ("a new database", "changed repeatable objects"):
        done = _upgrade_at_once(url)
        assert [d.returncode for d in done] == [0, 0], (case, [d.stderr[-1500:] for d in done])
        with scratch.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM ops.alembic_version")).scalar() == head_revision()
            assert conn.execute(text("SELECT checksum FROM ops.repeatable_checksum")).scalar() == \
                repeatables_checksum(load_mart_docs())
            assert conn.execute(text("SELECT count(*) FROM core.dim_indicator")).scalar() > 30
        with scratch.begin() as conn:  # as if a new release changed a view: the next upgrades re-create them
            conn.execute(text("UPDATE ops.repeatable_checksum SET checksum = 'changed'"))


def test_an_upgrade_whose_lock_connection_broke_raises_its_own_error(scratch: Engine,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The connection holding the upgrade's lock dropped (a restarted server, a killed session) while
    the upgrade failed: the upgrade's error is raised, not the unlock's, and the next upgrade runs."""
    from etl.warehouse import schema

    def fails_after_the_lock_is_lost(engine: Engine, *, load_reference: bool) -> None:
        with engine.connect() as other:
            assert other.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).scalar() == 1
        raise RuntimeError("the upgrade's own error")

    monkeypatch.setattr(schema, "_upgrade", fails_after_the_lock_is_lost)
    with pytest.raises(RuntimeError, match="the upgrade's own error"):
        upgrade(scratch)
    monkeypatch.undo()
    upgrade(scratch)
    with scratch.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM ops.alembic_version")).scalar() == head_revision()
