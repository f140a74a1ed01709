"""docs/data_dictionary.md is the generator's output and covers the catalog and every mart column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from etl.cli import app
from etl.domain.catalog import load_catalog
from etl.marts.dictionary import MART_OBJECTS, internal_tables, render_dictionary
from etl.marts.docs import MartDoc, apply_mart_comments, check_against, live_mart_columns, load_mart_docs
from etl.paths import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "data_dictionary.md"


def sections(doc: str) -> dict[str, str]:
    """The text under each '### mart.<name>' heading."""
    parts = re.split(r"^### mart\.(\w+) \((?:view|table)\)$", doc, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_committed_dictionary_is_the_generated_one() -> None:
    assert DOC.read_text(encoding="utf-8") == render_dictionary(), (
        "docs/data_dictionary.md is stale: run `baocao dictionary -o docs/data_dictionary.md`")


def test_every_catalog_indicator_and_unit_is_listed() -> None:
    doc = render_dictionary()
    catalog = load_catalog()
    for ind in catalog.indicators.values():
        row = next((line for line in doc.splitlines() if line.startswith(f"| {ind.code} | ")), None)
        assert row is not None, ind.code
        assert f"| {ind.name} | {ind.name_en} | {ind.unit} | {ind.kind} | " in row
    assert "| TT08 | " in doc and "(TT04 + TT05) / (TT04 + TT05 + TT06) × 100" in doc
    assert "| NN05 | " in doc and "±30% / tháng" in doc
    assert "| m² | area | 1 m² = 0,0001 ha |" in doc
    assert "| tỷ đồng | money | 1 tỷ đồng = 1.000.000.000 đồng |" in doc
    for unit in catalog.units:
        assert f"\n| {unit} | " in doc, unit


def test_every_mart_column_of_the_live_warehouse_is_documented(engine: Engine) -> None:
    """Against the migrated database: every relation analysts read in schema mart, each column in
    order, under its own heading, with the comment the database carries."""
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT c.table_name, c.column_name, col_description(format('mart.%I', c.table_name)::regclass,
                                                                c.ordinal_position) AS comment
            FROM information_schema.columns AS c
            WHERE c.table_schema = 'mart'
            ORDER BY c.table_name, c.ordinal_position
        """)).all()
    live: dict[str, list[tuple[str, str | None]]] = {}
    for table, column, comment in rows:
        live.setdefault(table, []).append((column, comment))
    documented = sections(render_dictionary())
    assert set(documented) == set(live) - set(internal_tables()) == set(MART_OBJECTS)
    for table, columns in live.items():
        if table in internal_tables():
            continue
        listed = re.findall(r"^\| `(\w+)` \| (.*) \|$", documented[table], flags=re.MULTILINE)
        assert [c for c, _ in listed] == [c for c, _ in columns], table
        for (column, comment), (_, description) in zip(columns, listed, strict=True):
            assert description == comment, (table, column)


def test_mart_docs_are_the_database_comments(engine: Engine) -> None:
    """reference/marts/: one file per table and view of schema mart (the internal tables too), its
    columns those of the database in order, and after `db upgrade` every object and column carries
    the file's text as its comment."""
    docs = load_mart_docs()
    with engine.connect() as conn:
        assert check_against(live_mart_columns(conn), docs) == []
        for name, doc in docs.items():
            comment = conn.execute(text("SELECT obj_description(:r ::regclass, 'pg_class')"),
                                   {"r": f"mart.{name}"}).scalar()
            assert comment == doc.description, name
            columns = conn.execute(text("""
                SELECT attname, col_description(attrelid, attnum) FROM pg_attribute
                WHERE attrelid = :r ::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum
            """), {"r": f"mart.{name}"}).all()
            assert [tuple(c) for c in columns] == list(doc.columns.items()), name
    assert internal_tables() == ["indicator_rollup", "submission_status_rollup", "task_rollup"]


def test_docs_that_do_not_match_the_database_stop_the_upgrade(engine: Engine) -> None:
    docs = load_mart_docs()
    unit_name = docs["unit_name"]
    swapped = dict(reversed(list(unit_name.columns.items())))
    wrong = {**docs, "unit_name": MartDoc(unit_name.name, "table", unit_name.description, swapped,
                                          unit_name.internal, unit_name.path)}
    del wrong["district_unit"]
    wrong["gone"] = MartDoc("gone", "view", "x", {"a": "b"}, False, unit_name.path.with_name("gone.yaml"))
    with engine.connect() as conn:
        problems = check_against(live_mart_columns(conn), wrong)
        assert problems == [
            "mart.district_unit has no marts/district_unit.yaml",
            "gone.yaml: mart.gone is not in the database",
            "unit_name.yaml: mart.unit_name is a view, not a table",
            f"unit_name.yaml: columns {list(swapped)} are not mart.unit_name's {list(unit_name.columns)}",
        ]
        with pytest.raises(ValueError, match="does not match schema mart"):
            apply_mart_comments(conn, wrong)  # before any COMMENT; the connection rolls back anyway


def test_cli_writes_and_prints_the_dictionary(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "dd.md"
    result = runner.invoke(app, ["dictionary", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == render_dictionary()
    printed = runner.invoke(app, ["dictionary"])
    assert printed.exit_code == 0 and printed.stdout == render_dictionary()


def test_module_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    from etl.marts.dictionary import main

    main()
    assert capsys.readouterr().out == render_dictionary()
