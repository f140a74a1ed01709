"""docs/data_dictionary.md is the generator's output and covers the catalog and every mart column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from etl.cli import app
from etl.domain.catalog import load_catalog
from etl.marts.dictionary import INTERNAL_TABLES, MART_OBJECTS, render_dictionary, select_columns, table_columns
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
    order, under its own heading, with the comment the database carries (where it has one)."""
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
    assert set(documented) == set(live) - set(INTERNAL_TABLES) == set(MART_OBJECTS)
    for table, columns in live.items():
        if table in INTERNAL_TABLES:
            continue
        listed = re.findall(r"^\| `(\w+)` \| (.*) \|$", documented[table], flags=re.MULTILINE)
        assert [c for c, _ in listed] == [c for c, _ in columns], table
        for (column, comment), (_, description) in zip(columns, listed, strict=True):
            if comment is not None:
                assert description == comment, (table, column)


def test_sql_column_parsers() -> None:
    assert select_columns("CREATE VIEW mart.x AS SELECT a.b, round(100.0 * count(*) FILTER (WHERE s IN ('x', 'y'))"
                          " / count(*), 2) AS pct, 'district' AS level, c::text AS d FROM t") == [
        "b", "pct", "level", "d"]
    assert select_columns("CREATE OR REPLACE VIEW v AS SELECT DISTINCT x, y FROM a UNION SELECT 1, 2 FROM b") == [
        "x", "y"]
    assert table_columns("CREATE TABLE t (\n a int NOT NULL CHECK (a IN (1, 2)),\n b text,\n"
                         " PRIMARY KEY (a, b)\n);") == ["a", "b"]


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
