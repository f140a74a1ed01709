"""What every table and view of schema mart means: reference/marts/<object>.yaml, one file per
object (kind, description, every column in the object's order, Vietnamese / English).

The one source for the COMMENT ON statements that `baocao db upgrade` applies after re-creating
the views (etl/warehouse/schema.py) and for the mart sections of docs/data_dictionary.md
(etl/marts/dictionary.py). Reading them needs no database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from psycopg import sql
from sqlalchemy import Connection, text

from etl.paths import REFERENCE_DIR

MART_DOCS_DIR = REFERENCE_DIR / "marts"


@dataclass(frozen=True)
class MartDoc:
    name: str
    kind: str  # view | table
    description: str
    columns: dict[str, str]  # column -> description, in the object's order
    internal: bool  # storage behind the views: commented, not listed in the data dictionary
    path: Path


def _read(path: Path) -> MartDoc:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kind, description, columns = data.get("kind"), data.get("description"), data.get("columns")
    if kind not in ("view", "table") or not isinstance(description, str) or not isinstance(columns, dict):
        raise ValueError(f"{path}: needs kind (view or table), description and columns")
    undocumented = [c for c, d in columns.items() if not isinstance(d, str) or not d.strip()]
    if undocumented:
        raise ValueError(f"{path}: columns without a description: {undocumented}")
    return MartDoc(path.stem, kind, description, dict(columns), bool(data.get("internal", False)), path)


def load_mart_docs() -> dict[str, MartDoc]:
    """Every documented mart object by name."""
    return {doc.name: doc for doc in map(_read, sorted(MART_DOCS_DIR.glob("*.yaml")))}


def comment_statements(docs: dict[str, MartDoc]) -> list[str]:
    """COMMENT ON the object and each of its columns, as SQL text (quoted here: COMMENT takes no
    bind parameters)."""
    statements = []
    for doc in docs.values():
        obj = sql.Identifier("mart", doc.name)
        statements.append(sql.SQL("COMMENT ON {} {} IS {}").format(
            sql.SQL(doc.kind.upper()), obj, sql.Literal(doc.description)).as_string())
        statements += [sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
            obj, sql.Identifier(column), sql.Literal(description)).as_string()
            for column, description in doc.columns.items()]
    return statements


def live_mart_columns(conn: Connection) -> dict[str, tuple[str, list[str]]]:
    """Each table and view of schema mart in the database: (view | table, its columns in order)."""
    rows = conn.execute(text("""
        SELECT c.relname, CASE WHEN c.relkind = 'v' THEN 'view' ELSE 'table' END, a.attname
        FROM pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relnamespace = 'mart'::regnamespace AND c.relkind IN ('r', 'p', 'v')
        ORDER BY c.relname, a.attnum
    """)).all()
    live: dict[str, tuple[str, list[str]]] = {}
    for name, kind, column in rows:
        live.setdefault(name, (kind, []))[1].append(column)
    return live


def check_against(live: dict[str, tuple[str, list[str]]], docs: dict[str, MartDoc]) -> list[str]:
    """Where the docs and the database disagree: objects missing on either side, a wrong kind,
    columns not equal in name and order. Empty when they agree."""
    problems = [f"mart.{name} has no {MART_DOCS_DIR.name}/{name}.yaml" for name in sorted(live.keys() - docs.keys())]
    problems += [f"{docs[name].path.name}: mart.{name} is not in the database"
                 for name in sorted(docs.keys() - live.keys())]
    for name in sorted(live.keys() & docs.keys()):
        kind, columns = live[name]
        doc = docs[name]
        if doc.kind != kind:
            problems.append(f"{doc.path.name}: mart.{name} is a {kind}, not a {doc.kind}")
        if list(doc.columns) != columns:
            problems.append(f"{doc.path.name}: columns {list(doc.columns)} are not mart.{name}'s {columns}")
    return problems


def apply_mart_comments(conn: Connection, docs: dict[str, MartDoc] | None = None) -> None:
    """COMMENT ON every mart object and column from reference/marts/, after checking the docs
    describe exactly the objects and columns the database has (an undocumented column fails the
    upgrade, as it fails tests/test_dictionary.py)."""
    docs = load_mart_docs() if docs is None else docs
    problems = check_against(live_mart_columns(conn), docs)
    if problems:
        raise ValueError(f"{MART_DOCS_DIR} does not match schema mart:\n  " + "\n  ".join(problems))
    cursor = conn.connection.driver_connection.cursor()  # raw psycopg: a '%' in a comment is just a '%'
    for statement in comment_statements(docs):
        cursor.execute(statement)
