"""Backups (docs/production.md, "Upgrading and operating": Backups, Restoring): a `pg_dump -Fc` of
the warehouse, restored with `pg_restore` into a new database of the same server or onto a new server
(its roles made first, as compose's warehouse-init makes them), is the same warehouse: every archived
file byte for byte, the marts and their partitions row for row. `baocao db upgrade` finds nothing to
migrate (it gives baocao_owner back its right to create schemas in the new database, which a dump
does not carry), and the ETL's login goes on loading and rolling up, the next refresh equal to a
full rebuild."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from etl.marts.rollup import refresh
from etl.orchestration.celery_stack import scratch_database
from etl.warehouse.db import create_database_if_missing, embedded_server_package, normalize_url
from etl.warehouse.ingest import ingest_paths
from etl.warehouse.schema import upgrade
from tests import builders as b
from tests.mart_compare import assert_incremental_equals_full, mart_snapshot, partitions
from tests.test_rollup import TAM_DUONG, TZ, VINH_YEN, arrive_together

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def server_major(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SHOW server_version_num")).scalar()) // 10000


def pg_tool(name: str, major: int) -> str:
    """`pg_dump` or `pg_restore` of the server's major version: a newer pg_dump writes settings an
    older server refuses. From the PATH, Debian's /usr/lib/postgresql/N/bin (a server's package
    brings its client's), or the embedded server's wheel (its own version's). None of them is a
    broken machine, said as a failure rather than a skip that would hide it."""
    wheel = Path(embedded_server_package().__file__).parent
    candidates = [shutil.which(name), f"/usr/lib/postgresql/{major}/bin/{name}",
                  *(str(p / "bin" / name) for p in sorted(wheel.glob("pginstall*")))]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout
            found = re.search(r"(\d+)(?:\.\d+)?", version)
            if found and int(found.group(1)) == major:
                return candidate
    pytest.fail(f"no {name} of PostgreSQL {major}: install postgresql-client-{major}")


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq takes it (no driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def restore(dump: Path, target_url: str, major: int) -> None:
    done = subprocess.run([pg_tool("pg_restore", major), "--exit-on-error", "--no-password",
                           "-d", libpq_url(target_url), str(dump)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


def archived_files(engine: Engine) -> list[tuple[int, str, str]]:
    """Each archived file's id, its sha256 as recorded, and the sha256 of the bytes stored."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT file_id, sha256, content FROM raw.file ORDER BY file_id")).all()
    return [(file_id, sha256, hashlib.sha256(content).hexdigest()) for file_id, sha256, content in rows]


@pytest.fixture
def backed_up(db: Engine, warehouse_url: str, tmp_path: Path) -> Path:
    """Two districts' first quarters of 2023 and 2024 and a plan, rebuilt in two sessions (the mart's
    partitions of 2023 and of 2024-2025), then a late correction refreshed incrementally (partial
    sums stored, a queue emptied); dumped as the superuser, as docs/production.md says."""
    arrivals = [(b.month(unit, f"{year}-{m:02d}", {"NN05": 100 + 10 * m + year % 10, "NS01": 10 * m + len(unit),
                                                    "XH01": 100, "XH02": 1000}), None)
                for year in (2023, 2024) for m in range(1, 4) for unit in (TAM_DUONG, VINH_YEN)]
    arrive_together(db, tmp_path, arrivals)
    [plan] = ingest_paths(db, [b.write_json(tmp_path / "plan.json", b.plan(TAM_DUONG, 2024))])
    assert plan.status.startswith("accepted"), plan.errors
    refresh(db, full=True, sessions=2)
    arrive_together(db, tmp_path, [(b.month(TAM_DUONG, "2024-02", {"NN05": 999, "NS01": 21, "XH01": 100,
                                                                    "XH02": 1000}), f"2024-04-02T09:00:00{TZ}")])
    assert refresh(db).mode == "incremental"
    dump = tmp_path / "baocao.dump"
    done = subprocess.run([pg_tool("pg_dump", server_major(db)), "-Fc", "--no-password", "-f", str(dump),
                           libpq_url(warehouse_url)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return dump


@pytest.fixture
def new_database(warehouse_url: str) -> Iterator[str]:
    """An empty database on the test warehouse's server; dropped after."""
    admin = make_url(warehouse_url).set(database="postgres").render_as_string(hide_password=False)
    with scratch_database(admin, "baocao_restored") as url:
        yield url


def assert_same_warehouse(original: Engine, restored: Engine) -> None:
    files = archived_files(restored)
    assert files == archived_files(original)
    assert all(recorded == stored for _, recorded, stored in files)
    assert partitions(restored) == partitions(original)
    assert [p[0] for p in partitions(restored)] == [
        "ops.indicator_rollup_default", "ops.indicator_rollup_y2023_2023", "ops.indicator_rollup_y2024_2025"]
    assert mart_snapshot(restored) == mart_snapshot(original)


def goes_on(restored: Engine, loader: Engine, tmp_path: Path) -> None:
    """The ETL's login loads a correction and refreshes; the refresh equals a full rebuild (in two
    sessions: the restored partitions replaced)."""
    path = b.write_json(tmp_path / "correction.json",
                        b.month(VINH_YEN, "2024-03", {"NN05": 480, "NS01": 99, "XH01": 30, "XH02": 3000}))
    [result] = ingest_paths(loader, [path], received_at=datetime.fromisoformat(f"2024-04-20T09:00:00{TZ}"))
    assert result.status.startswith("accepted"), result.errors
    assert refresh(loader).mode == "incremental"
    assert_incremental_equals_full(restored)


def test_a_dump_restored_into_a_new_database_upgrades_and_goes_on(backed_up: Path, db: Engine, new_database: str,
                                                                   tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    restored = create_engine(new_database)
    migrator_name = f"test_migrator_{uuid.uuid4().hex[:8]}"
    with db.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{migrator_name}" LOGIN IN ROLE baocao_owner'))
    migrator = create_engine(make_url(new_database).set(username=migrator_name, password=None))
    try:
        restore(backed_up, new_database, server_major(restored))
        with restored.connect() as conn:
            checksum_at = conn.execute(text("SELECT applied_at FROM ops.repeatable_checksum")).scalar()
        # A database's own privileges are not in a dump of its contents: baocao_owner may not create
        # schemas in the new one. The owner's login, which may not grant that, still upgrades (nothing
        # to do), and says what to run.
        with caplog.at_level("WARNING", logger="etl.warehouse.schema"):
            upgrade(migrator)
        assert "python -m etl.warehouse.schema roles" in caplog.text
        # As the superuser, as after any restore: the right given again (the upgrade was refused).
        upgrade(restored)
        with restored.connect() as conn:
            assert conn.execute(text("SELECT applied_at FROM ops.repeatable_checksum")).scalar() == checksum_at
            assert conn.execute(text("SELECT has_database_privilege('baocao_owner', current_database(), "
                                     "'CREATE')")).scalar()
        assert_same_warehouse(db, restored)
        name = f"test_loader_{uuid.uuid4().hex[:8]}"
        with restored.begin() as conn:
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN IN ROLE baocao_loader'))
        loader = create_engine(make_url(new_database).set(username=name, password=None))
        try:
            goes_on(restored, loader, tmp_path)
        finally:
            loader.dispose()
            restored.dispose()  # its sessions end before the login is dropped
            with db.begin() as conn:
                conn.execute(text(f'DROP ROLE "{name}"'))
    finally:
        restored.dispose()
        migrator.dispose()
        with db.begin() as conn:
            conn.execute(text(f'DROP ROLE "{migrator_name}"'))


def test_a_dump_restored_on_a_new_server_after_its_roles(backed_up: Path, db: Engine, tmp_path: Path) -> None:
    """A new machine: the embedded server's binaries in a new data folder, no baocao role on it. The
    roles and logins first (`python -m etl.warehouse.schema roles`, what warehouse-init runs), then
    pg_restore, then `baocao db upgrade` as the owner's login, then the ETL's login loads."""
    server = embedded_server_package().get_server(tmp_path / "new-server", cleanup_mode="delete")
    with server:
        admin = normalize_url(server.get_uri())
        create_database_if_missing(admin, "baocao")
        superuser_url = normalize_url(server.get_uri(database="baocao"))
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "WAREHOUSE"))},
               "BACKUP_TEST_PASSWORD": "not-checked-here"}  # the embedded server trusts its socket
        roles = subprocess.run([sys.executable, "-m", "etl.warehouse.schema", "roles", "--url", superuser_url,
                                "--login", "bk_migrator=baocao_owner:BACKUP_TEST_PASSWORD",
                                "--login", "bk_etl=baocao_loader:BACKUP_TEST_PASSWORD"],
                               cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
        assert roles.returncode == 0, roles.stderr[-3000:]
        restored = create_engine(superuser_url)
        migrator = make_url(superuser_url).set(username="bk_migrator").render_as_string(hide_password=False)
        loader = create_engine(make_url(superuser_url).set(username="bk_etl"))
        try:
            restore(backed_up, superuser_url, server_major(restored))
            upgraded = subprocess.run([str(Path(sys.executable).parent / "baocao"), "db", "upgrade"], cwd=PROJECT_ROOT,
                                      env={**env, "WAREHOUSE_URL": migrator}, capture_output=True, text=True)
            assert upgraded.returncode == 0, upgraded.stdout[-2000:] + upgraded.stderr[-3000:]
            assert_same_warehouse(db, restored)
            goes_on(restored, loader, tmp_path)
        finally:
            loader.dispose()
            restored.dispose()
