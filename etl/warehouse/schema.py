"""`baocao db upgrade`: the schema migrations, the repeatable SQL objects and the reference data.

The schema is written in three places, each applied its own way:

- **Revisions** (etl/warehouse/migrations/versions/NNNN_<name>.py, their DDL in NNNN_<name>.sql
  beside them): tables, indexes, constraints, schemas, grants. Alembic runs each once, in order;
  they are append-only and import nothing from the application. 0009 is the baseline (0001-0009
  squashed). A revision's server-level part (roles, their settings) is in NNNN_<name>_roles.sql:
  roles belong to the server, so every upgrade runs these files first, each in its own short
  transaction (ensure_roles), and the revision runs its own again.
- **Roles** (revision 0017): baocao_owner owns the schemas and every object in them; once it
  does, the upgrade runs as it (SET LOCAL ROLE: the upgrading login is a superuser or a member),
  so what a later revision or the repeatable files create is the owner's and gets its default
  privileges. baocao_loader is the ETL's, baocao_analyst the analysts' (mart only).
  `python -m etl.warehouse.schema roles --login NAME=GROUP:PASSWORD_VARIABLE` (as a superuser)
  sets up the roles and the logins of a stack whose migrating login may not create roles.
  baocao_owner may create schemas in the database (ensure_owner_may_create): a privilege on the
  database, which a dump of its contents or a copy of it does not carry.
- **Repeatable objects** (sql/repeatable/NN_<schema>.<object>.sql, run in name order; a file
  without a schema, like NN_analyst_grants.sql, holds statements only): the views, functions and
  their grants. Whenever a revision is pending or their checksum (ops.repeatable_checksum)
  changed, the upgrade drops them in reverse order before the revisions (so a revision may alter
  the tables under them) and creates them again after, in the same transaction: a view may
  change its columns, which CREATE OR REPLACE cannot do. With nothing new, it touches nothing.
- **Mart comments** (reference/marts/<object>.yaml, etl.marts.docs), applied after the
  repeatable objects and counted in their checksum.
- **Rollup steps** (sql/rollup/NN_<step>.sql): run from the files by `baocao rollup`, and stored
  in ops.rollup_step with the repeatable objects (counted in their checksum) for the database's
  own as-of runs (core.rollup_as_of).

`python -m etl.warehouse.schema dump` prints the resulting schema from the catalog, as
docs/schema.sql holds it (tests/test_schema.py fails when that file is stale).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
import sys
import uuid
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from etl.marts.docs import MartDoc, apply_mart_comments, comment_statements, load_mart_docs
from etl.marts.rollup import steps as rollup_steps
from etl.paths import PROJECT_ROOT, SQL_DIR
from etl.warehouse.db import session_lock

log = logging.getLogger(__name__)

MIGRATIONS_DIR = PROJECT_ROOT / "etl" / "warehouse" / "migrations"
REPEATABLE_DIR = SQL_DIR / "repeatable"
VERSION_TABLE_SCHEMA = "ops"  # where Alembic keeps its version table (migrations/env.py)


def alembic_config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


# --- Repeatable objects ---------------------------------------------------------------------


def repeatable_files() -> list[Path]:
    """sql/repeatable/*.sql in the order they are created (each after what it reads)."""
    files = sorted(REPEATABLE_DIR.glob("*.sql"))
    numbers = [re.match(r"(\d{2})_", f.name) for f in files]
    if not all(numbers) or len({m.group(1) for m in numbers if m}) != len(files):
        raise ValueError(f"{REPEATABLE_DIR}: every file is named NN_<name>.sql with its own NN: "
                         f"{[f.name for f in files]}")
    return files


def _object_of(path: Path) -> tuple[str, str] | None:
    """(schema, name) of the object a repeatable file creates, from its name; None for statements."""
    schema, dot, name = path.stem.split("_", 1)[1].partition(".")
    return (schema, name) if dot else None


def repeatables_checksum(docs: dict[str, MartDoc]) -> str:
    """SHA-256 of what re-creating the repeatable objects runs: the files (names and text) and
    the mart comments."""
    digest = hashlib.sha256()
    for path in repeatable_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for statement in comment_statements(docs):
        digest.update(statement.encode() + b"\0")
    for step in rollup_steps():  # stored in ops.rollup_step with them
        digest.update(f"{step.position}{step.name}{step.runs_as_of}".encode() + step.statements.encode() + b"\0")
    return digest.hexdigest()


def store_rollup_steps(conn: Connection) -> None:
    """The rollup's steps as the files say now, for the database's own as-of runs (core.rollup_as_of)."""
    conn.execute(text("DELETE FROM ops.rollup_step"))
    conn.execute(text("INSERT INTO ops.rollup_step (position, name, statements, runs_as_of) "
                      "VALUES (:position, :name, :statements, :runs_as_of)"),
                 [vars(step) for step in rollup_steps()])


def drop_repeatables(conn: Connection) -> None:
    """Drop the views and functions of sql/repeatable/, last file first (dependents before what
    they read). Without CASCADE: an object of someone else's built on them stops the upgrade
    rather than disappearing."""
    for path in reversed(repeatable_files()):
        obj = _object_of(path)
        if obj is None:
            continue
        found = conn.execute(text("""
            SELECT 'VIEW', format('%I.%I', n.nspname, c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = :schema AND c.relname = :name AND c.relkind = 'v'
            UNION ALL
            SELECT 'FUNCTION', format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = :schema AND p.proname = :name
        """), {"schema": obj[0], "name": obj[1]}).all()
        for kind, name in found:
            conn.execute(text(f"DROP {kind} {name}"))


def create_repeatables(conn: Connection) -> None:
    cursor = conn.connection.driver_connection.cursor()
    for path in repeatable_files():
        # Straight to psycopg without parameters, so a '%' or ':name' in the SQL is just text.
        cursor.execute(path.read_text(encoding="utf-8"))


def _pending_revisions(conn: Connection) -> bool:
    current = MigrationContext.configure(conn, opts={"version_table_schema": VERSION_TABLE_SCHEMA})
    return current.get_current_revision() != head_revision()


# One upgrade of a database at a time (etl.warehouse.db.session_lock's key). Two deployments starting
# together (two `baocao db upgrade`, two containers) would both create the schemas of a new database,
# or both drop and re-create the repeatable objects, and one fail: the second waits for the first, as
# behind Airflow's global lock for `airflow db migrate`, then finds nothing left to do.
UPGRADE_LOCK = "baocao db upgrade"


def upgrade(engine: Engine, *, load_reference: bool = True) -> None:
    """Migrate the schema to head, re-create the repeatable objects if anything changed, then
    load the reference data. Idempotent: a second run changes nothing; a second at the same
    time waits for the first (UPGRADE_LOCK)."""
    with session_lock(engine, UPGRADE_LOCK):
        _upgrade(engine, load_reference=load_reference)


def _upgrade(engine: Engine, *, load_reference: bool) -> None:
    docs = load_mart_docs()
    checksum = repeatables_checksum(docs)
    ensure_roles(engine)
    ensure_owner_may_create(engine)
    with engine.begin() as conn:
        act_as_owner(conn)  # a warehouse at 0017 or later: the owner's from the start
        # The checksum table exists once no revision is pending (revision 0010 creates it).
        stale = _pending_revisions(conn) or conn.execute(
            text("SELECT checksum FROM ops.repeatable_checksum")).scalar() != checksum
        if stale:
            drop_repeatables(conn)
        # Each revision after 0017 (which hands the warehouse to baocao_owner) runs as the owner: the
        # migrations' environment calls act_as_owner after every revision (env.py).
        command.upgrade(alembic_config(conn), "head")
        if stale:
            create_repeatables(conn)
            apply_mart_comments(conn, docs)
            store_rollup_steps(conn)
            conn.execute(text("""
                INSERT INTO ops.repeatable_checksum (checksum) VALUES (:checksum)
                ON CONFLICT (singleton) DO UPDATE SET checksum = excluded.checksum, applied_at = now()
            """), {"checksum": checksum})
    if load_reference:
        from etl.warehouse.reference import load_reference_data

        load_reference_data(engine)


def role_files() -> list[Path]:
    """The revisions' server-level parts (NNNN_<name>_roles.sql), in revision order."""
    return sorted((MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*_roles.sql"))


def ensure_roles(engine: Engine) -> None:
    """The roles belong to the server, not the database: two databases of one server upgraded at
    the same moment (parallel test workers, two environments) would both create them, and the
    second fail. The revisions' role files look before they change anything and tolerate the
    other upgrade; each runs here in its own short transaction, before the revisions (which run
    them again, for an upgrade from the alembic command line)."""
    for path in role_files():
        with engine.begin() as conn:
            conn.connection.driver_connection.cursor().execute(path.read_text(encoding="utf-8"))


def ensure_owner_may_create(engine: Engine) -> None:
    """baocao_owner's CREATE on this database (revision 0017 gave it; the owner creates the schemas).
    A privilege on a database is the server's, not part of the database's contents: a dump restored
    into a new database (docs/production.md) or a copy (CREATE DATABASE ... TEMPLATE) comes without
    it, and the upgrade, run as the owner, was refused. Given again when the login may give it (a
    superuser, the database's owner); else said, with what to run."""
    with engine.begin() as conn:
        database, owner_exists, owner_may, login_may_grant = conn.execute(text("""
            SELECT current_database(), to_regrole('baocao_owner') IS NOT NULL,
                   to_regrole('baocao_owner') IS NOT NULL
                       AND has_database_privilege('baocao_owner', current_database(), 'CREATE'),
                   has_database_privilege(current_database(), 'CREATE WITH GRANT OPTION')
        """)).one()
        if not owner_exists or owner_may:
            return
        if login_may_grant:
            conn.connection.driver_connection.cursor().execute(
                "DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO baocao_owner', current_database()); END $$")
            return
    log.warning("baocao_owner may not create schemas in database %s (a restored dump or a copy of a database "
                "comes without that privilege); a revision that creates one will be refused. As a superuser, "
                "run once: python -m etl.warehouse.schema roles --url <superuser URL of the database>", database)


def act_as_owner(conn: Connection) -> None:
    """SET LOCAL ROLE baocao_owner once it owns the warehouse (revision 0017) and the login may
    (a superuser or a member): what the upgrade creates then is the owner's, with its default
    privileges. Before 0017, the login runs the revisions, as it always did. Called before the
    revisions and after each one (env.py), so that on a fresh install the revisions after 0017 run
    as the owner too, as they do on an upgrade."""
    if conn.execute(text("""
        SELECT to_regrole('baocao_owner') IS NOT NULL AND current_user <> 'baocao_owner'
           AND pg_has_role('baocao_owner', 'MEMBER')
           AND EXISTS (SELECT FROM pg_namespace WHERE nspname = 'ops' AND nspowner = to_regrole('baocao_owner'))
    """)).scalar():
        conn.execute(text("SET LOCAL ROLE baocao_owner"))


LOGIN_GROUPS = ("baocao_owner", "baocao_loader", "baocao_analyst")


def ensure_logins(engine: Engine, logins: list[tuple[str, str, str]]) -> None:
    """Create or update each (login, group, password) as a LOGIN role in its group (needs a
    superuser, or CREATEROLE). The password is set every time (a rotated one takes effect)."""
    from psycopg import sql

    with engine.begin() as conn:
        cursor = conn.connection.driver_connection.cursor()
        for name, group, password in logins:
            if group not in LOGIN_GROUPS:
                raise ValueError(f"{name}: group {group!r} is none of {', '.join(LOGIN_GROUPS)}")
            if not password:
                raise ValueError(f"{name}: empty password")
            exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar()
            cursor.execute(sql.SQL("{} ROLE {} LOGIN PASSWORD {}").format(
                sql.SQL("ALTER" if exists else "CREATE"), sql.Identifier(name), sql.Literal(password)))
            if not conn.execute(text("SELECT pg_has_role(:n, :g, 'MEMBER')"), {"n": name, "g": group}).scalar():
                cursor.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(name)))


def bootstrap_roles(engine: Engine, logins: list[tuple[str, str, str]]) -> None:
    """`python -m etl.warehouse.schema roles`, as a superuser: the group roles (with the analysts'
    session limits), the logins, and CREATE on the database for baocao_owner, so that a login in
    baocao_owner without CREATEROLE can run `baocao db upgrade`. A warehouse built before revision
    0017 by a superuser is upgraded here once: 0017 hands its objects to baocao_owner, which only
    their owner may do."""
    ensure_roles(engine)
    ensure_logins(engine, logins)
    ensure_roles(engine)  # the analysts' session limits copied to the new analyst logins
    ensure_owner_may_create(engine)
    with engine.begin() as conn:
        built_by_a_superuser = conn.execute(text("""
            SELECT r.rolsuper FROM pg_namespace AS n JOIN pg_roles AS r ON r.oid = n.nspowner
            WHERE n.nspname = 'ops'""")).scalar()
    if built_by_a_superuser:
        upgrade(engine)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM ops.alembic_version")).scalar()


def head_revision() -> str:
    """The newest migration in etl/warehouse/migrations: what `upgrade` brings a database to."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


# --- Schema dump ----------------------------------------------------------------------------
# From the catalog rather than pg_dump, whose version must match the server's. Deterministic:
# objects sorted by name (in Python: the database's collation may sort otherwise), no OIDs,
# no owner and none of the owner's own privileges (they name whoever ran the upgrade).

OURS = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT IN ('information_schema', 'public')"
_PRIVILEGES = """
    SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee,
           string_agg(a.privilege_type || CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END, ', '
                      ORDER BY a.privilege_type) AS privileges
    FROM aclexplode(coalesce({acl}, acldefault('{kind}', {owner}))) AS a
    LEFT JOIN pg_roles r ON r.oid = a.grantee
    WHERE a.grantee <> {owner}
    GROUP BY 1
"""


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _grants(conn: Connection, catalog: str, prefix: str, oid: int, target: str) -> list[str]:
    """GRANT statements for one object of `catalog` (pg_class, pg_proc or pg_namespace, whose
    columns start with `prefix`), the owner's own privileges left out."""
    kind = {"pg_class": "r", "pg_proc": "f", "pg_namespace": "n"}[catalog]
    query = _PRIVILEGES.format(acl=f"o.{prefix}acl", kind=kind, owner=f"o.{prefix}owner")
    rows = conn.execute(text(f"SELECT g.* FROM {catalog} o CROSS JOIN LATERAL ({query}) AS g WHERE o.oid = :oid"),
                        {"oid": oid}).all()
    return sorted(f"GRANT {privileges} ON {target} TO {grantee};" for grantee, privileges in rows)


def _relation_comments(conn: Connection, oid: int, kind: str, name: str) -> list[str]:
    out = []
    described = conn.execute(text("SELECT obj_description(:oid, 'pg_class')"), {"oid": oid}).scalar()
    if described is not None:
        out.append(f"COMMENT ON {kind} {name} IS {_literal(described)};")
    for column, comment in conn.execute(text("""
        SELECT quote_ident(attname), col_description(attrelid, attnum) FROM pg_attribute
        WHERE attrelid = :oid AND attnum > 0 AND NOT attisdropped AND col_description(attrelid, attnum) IS NOT NULL
        ORDER BY attnum"""), {"oid": oid}):
        out.append(f"COMMENT ON COLUMN {name}.{column} IS {_literal(comment)};")
    return out


def _relation_grants(conn: Connection, oid: int, name: str) -> list[str]:
    return _grants(conn, "pg_class", "rel", oid, f"TABLE {name}")


def _relations(conn: Connection, kinds: str) -> list[tuple[str, int]]:
    rows = conn.execute(text(f"""
        SELECT format('%I.%I', n.nspname, c.relname), c.oid::int FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {OURS} AND c.relkind = ANY(:kinds) AND NOT c.relispartition"""), {"kinds": list(kinds)}).all()
    return sorted((name, oid) for name, oid in rows)


def _dump_schemas(conn: Connection) -> list[str]:
    out = ["-- Schemas", ""]
    rows = conn.execute(text(f"""
        SELECT quote_ident(n.nspname), obj_description(n.oid, 'pg_namespace'), n.oid::int
        FROM pg_namespace n WHERE {OURS}""")).all()
    for name, comment, oid in sorted(rows):
        out.append(f"CREATE SCHEMA {name};")
        if comment is not None:
            out.append(f"COMMENT ON SCHEMA {name} IS {_literal(comment)};")
        out += _grants(conn, "pg_namespace", "nsp", oid, f"SCHEMA {name}")
    return out


def _dump_tables(conn: Connection) -> list[str]:
    out = []
    for name, oid in _relations(conn, "rp"):
        columns = conn.execute(text("""
            SELECT quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                || CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END
                || CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'
                                      WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END
                || CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid)
                                                       || ') STORED'
                        WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END
                || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_collation co ON co.oid = a.attcollation
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = :oid AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum"""), {"oid": oid}).scalars().all()
        # A partitioned table's partitions are not listed: which there are is data (mart.indicator_rollup's
        # are made by each full rebuild, etl.marts.rollup).
        partitioned = conn.execute(text("SELECT pg_get_partkeydef(:oid)"), {"oid": oid}).scalar()
        out += ["", f"CREATE TABLE {name} (", ",\n".join(f"    {c}" for c in columns),
                f") PARTITION BY {partitioned};" if partitioned else ");"]
        # Not-null constraints (PostgreSQL 18 catalogs them) are the columns' NOT NULL above.
        constraints = conn.execute(text("""
            SELECT quote_ident(conname), pg_get_constraintdef(oid, true) FROM pg_constraint
            WHERE conrelid = :oid AND contype <> 'n'"""), {"oid": oid}).all()
        out += [f"ALTER TABLE {name} ADD CONSTRAINT {c} {d};" for c, d in sorted(constraints)]
        indexes = conn.execute(text("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
            WHERE i.indrelid = :oid AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid)
        """), {"oid": oid}).all()
        out += [f"{d};" for _, d in sorted(indexes)]
        triggers = conn.execute(text("""
            SELECT tgname, pg_get_triggerdef(oid, true) FROM pg_trigger WHERE tgrelid = :oid AND NOT tgisinternal
        """), {"oid": oid}).all()
        out += [f"{d};" for _, d in sorted(triggers)]
        out += _relation_comments(conn, oid, "TABLE", name) + _relation_grants(conn, oid, name)
    return ["-- Tables", *out]


def _dump_sequences(conn: Connection) -> list[str]:
    # Identity columns' sequences are part of their column; only free-standing ones are listed.
    rows = conn.execute(text(f"""
        SELECT format('CREATE SEQUENCE %I.%I AS %s START %s INCREMENT %s;', n.nspname, c.relname,
                      format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid
        WHERE {OURS} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i')
    """)).scalars().all()
    return ["-- Sequences", "", *sorted(rows)] if rows else []


def _dump_types(conn: Connection) -> list[str]:
    # None today; named so that a revision adding an enum, domain or composite type shows here.
    rows = conn.execute(text(f"""
        SELECT format('-- type %I.%I (typtype %s)', n.nspname, t.typname, t.typtype)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE {OURS} AND t.typtype IN ('e', 'd', 'r', 'm')
           OR {OURS} AND t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'
    """)).scalars().all()
    return ["-- Types", "", *sorted(rows)] if rows else []


def _dump_views(conn: Connection) -> list[str]:
    out = ["-- Views"]
    for name, oid in _relations(conn, "vm"):
        kind = "MATERIALIZED VIEW" if conn.execute(
            text("SELECT relkind = 'm' FROM pg_class WHERE oid = :oid"), {"oid": oid}).scalar() else "VIEW"
        definition = conn.execute(text("SELECT pg_get_viewdef(:oid, true)"), {"oid": oid}).scalar()
        out += ["", f"CREATE {kind} {name} AS", definition.rstrip()]
        out += _relation_comments(conn, oid, kind, name) + _relation_grants(conn, oid, name)
    return out


def _dump_functions(conn: Connection) -> list[str]:
    out = ["-- Functions"]
    rows = conn.execute(text(f"""
        SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), p.oid::int
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE {OURS} AND p.prokind IN ('f', 'p')""")).all()
    for signature, oid in sorted(rows):
        definition = conn.execute(text("SELECT pg_get_functiondef(:oid)"), {"oid": oid}).scalar()
        out += ["", definition.rstrip() + ";"]
        comment = conn.execute(text("SELECT obj_description(:oid, 'pg_proc')"), {"oid": oid}).scalar()
        if comment is not None:
            out.append(f"COMMENT ON FUNCTION {signature} IS {_literal(comment)};")
        out += _grants(conn, "pg_proc", "pro", oid, f"FUNCTION {signature}")
    return out


def _dump_default_privileges(conn: Connection) -> list[str]:
    kinds = {"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS", "T": "TYPES", "n": "SCHEMAS"}
    rows = conn.execute(text("""
        SELECT coalesce(' IN SCHEMA ' || quote_ident(n.nspname), ''), d.defaclobjtype::text,
               CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END,
               string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
        FROM pg_default_acl d
        LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
        CROSS JOIN LATERAL aclexplode(d.defaclacl) a
        LEFT JOIN pg_roles r ON r.oid = a.grantee
        WHERE a.grantee <> d.defaclrole
        GROUP BY 1, 2, 3""")).all()
    lines = sorted(f"ALTER DEFAULT PRIVILEGES{schema} GRANT {privileges} ON {kinds[kind]} TO {grantee};"
                   for schema, kind, grantee, privileges in rows)
    header = "-- Default privileges (for objects baocao_owner creates: the upgrade runs as it)"
    return [header, "", *lines] if lines else []


def _dump_roles(conn: Connection, dumped: str) -> list[str]:
    """The roles granted something above, with their comment and settings (roles belong to the
    server)."""
    out = []
    rows = conn.execute(text("""
        SELECT quote_ident(rolname), rolcanlogin, shobj_description(oid, 'pg_authid') FROM pg_roles
        WHERE rolname !~ '^pg_'""")).all()
    for name, can_login, comment in sorted(rows):
        if not re.search(rf" TO {re.escape(name)}( WITH|;)", dumped):
            continue
        out.append(f"CREATE ROLE {name} {'LOGIN' if can_login else 'NOLOGIN'};")
        if comment is not None:
            out.append(f"COMMENT ON ROLE {name} IS {_literal(comment)};")
        settings = conn.execute(text("""
            SELECT unnest(s.setconfig) FROM pg_db_role_setting AS s
            WHERE s.setdatabase = 0 AND s.setrole = CAST(:name AS regrole)"""), {"name": name}).scalars().all()
        for setting in sorted(settings):
            key, _, value = setting.partition("=")
            out.append(f"ALTER ROLE {name} SET {key} = {_literal(value)};")
    return ["-- Roles", "", *out] if out else []


def dump_schema(conn: Connection) -> str:
    """The schema of the warehouse `conn` is connected to, as deterministic SQL-like text
    (a description to read and compare, not a restore script)."""
    revision = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE_SCHEMA}.alembic_version")).scalar()
    # View definitions are printed by the server, and differently by major version (18 leaves out
    # the table name before the columns of a one-table SELECT).
    major = conn.execute(text("SELECT current_setting('server_version_num')::int / 10000")).scalar()
    sections = [_dump_schemas(conn), _dump_types(conn), _dump_sequences(conn), _dump_tables(conn),
                _dump_views(conn), _dump_functions(conn), _dump_default_privileges(conn)]
    body = "\n\n".join("\n".join(s) for s in sections if s)
    roles = _dump_roles(conn, body)
    header = [
        f"-- The warehouse schema at revision {revision}, as `baocao db upgrade` leaves an empty database.",
        "-- Generated from the catalog by `python -m etl.warehouse.schema dump > docs/schema.sql`: do not edit;",
        "-- tests/test_schema.py fails when it is stale. Owners (baocao_owner, since revision 0017) and the owner's",
        "-- privileges are left out.",
        f"-- Dumped on PostgreSQL {major}.",
    ]
    return "\n".join(header) + "\n\n" + "\n\n".join(x for x in ("\n".join(roles), body) if x) + "\n"


def fresh_schema_dump(server_url: str) -> str:
    """Create an empty database on the server of `server_url` (the role needs CREATEDB), upgrade
    it without reference data, dump its schema and drop it."""
    name = f"baocao_schema_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    url = make_url(server_url).set(database=name)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine = create_engine(url)
        try:
            upgrade(engine, load_reference=False)
            with engine.connect() as conn:
                return dump_schema(conn)
        finally:
            engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m etl.warehouse.schema")
    commands = parser.add_subparsers(dest="command", required=True)
    dump = commands.add_parser("dump", help="print the schema (what docs/schema.sql holds)")
    dump.add_argument("--url", help="dump this migrated warehouse instead of a new, empty database "
                                    "upgraded on the server of WAREHOUSE_URL (or the embedded one)")
    roles = commands.add_parser("roles", help="as a superuser: create the group roles and the logins (compose's "
                                              "bootstrap, before `baocao db upgrade` as the owner's login)")
    roles.add_argument("--url", help="a superuser's URL to the warehouse database (default WAREHOUSE_URL)")
    roles.add_argument("--login", action="append", default=[], metavar="NAME=GROUP:PASSWORD_VARIABLE",
                       help="a login in GROUP (baocao_owner, baocao_loader or baocao_analyst) whose password is in "
                            "the environment variable PASSWORD_VARIABLE (never on the command line); repeatable")
    args = parser.parse_args(argv)
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8")  # Vietnamese comments whatever the console's locale
    from etl.config import secret_from_env
    from etl.warehouse.db import get_engine, normalize_url

    if args.command == "roles":
        logins = []
        for spec in args.login:
            name, _, rest = spec.partition("=")
            group, _, variable = rest.partition(":")
            if not (name and group and variable):
                parser.error(f"--login {spec}: expected NAME=GROUP:PASSWORD_VARIABLE")
            password = secret_from_env(variable)
            if not password:
                parser.error(f"--login {spec}: the environment variable {variable} is not set")
            logins.append((name, group, password))
        engine = create_engine(normalize_url(args.url)) if args.url else get_engine()
        bootstrap_roles(engine, logins)
        engine.dispose()
        return
    if args.url:
        engine = create_engine(normalize_url(args.url))
        with engine.connect() as conn:
            sys.stdout.write(dump_schema(conn))
        engine.dispose()
    else:
        sys.stdout.write(fresh_schema_dump(get_engine().url.render_as_string(hide_password=False)))


if __name__ == "__main__":
    main()
