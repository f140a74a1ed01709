"""`baocao`: the operators' command line (contract section 4)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="baocao: district reports warehouse (kho dữ liệu báo cáo cấp huyện).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Warehouse schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _engine():
    from etl.db import get_engine

    return get_engine()


def _parse_iso(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        # A bare local time is read in Vietnam's time zone, where the districts are.
        from zoneinfo import ZoneInfo

        parsed = parsed.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    return parsed


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the warehouse schema and load reference data."""
    from etl.schema import current_revision, upgrade

    engine = _engine()
    upgrade(engine)
    with engine.connect() as conn:
        from sqlalchemy import text

        counts = conn.execute(text("""
            SELECT (SELECT count(*) FROM core.dim_province WHERE is_current),
                   (SELECT count(*) FROM core.dim_district WHERE is_current),
                   (SELECT count(*) FROM core.dim_indicator WHERE is_current),
                   (SELECT count(*) FROM core.dim_period)
        """)).one()
    typer.echo(f"schema at revision {current_revision(engine)}; {counts[0]} provinces, {counts[1]} districts, "
               f"{counts[2]} indicators, {counts[3]} periods")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest")],
    received_at: Annotated[str | None, typer.Option(help="Arrival time (ISO); default: each file's mtime")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of outcomes")] = False,
) -> None:
    """Ingest submission and plan files: archive, read, check, load."""
    from etl.ingest import ingest_paths

    try:
        results = ingest_paths(_engine(), paths, received_at=_parse_iso(received_at))
    except FileNotFoundError as exc:
        typer.echo(f"không tìm thấy / not found: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2, default=str))
        return
    for r in results:
        where = f" {r.district_code or '?'} {r.period or '?'}" if r.status != "duplicate" else ""
        typer.echo(f"{r.status:<24}{r.file}{where}")
        for m in r.errors + r.warnings:
            typer.echo(f"    [{m['severity']}] {m['code']}: {m['message']}")
    summary = {s: sum(r.status == s for r in results)
               for s in ("accepted", "accepted_with_warnings", "rejected", "duplicate")}
    typer.echo(", ".join(f"{v} {k}" for k, v in summary.items()))


@app.command()
def rollup(
    year: Annotated[int | None, typer.Option(help="Rebuild this year (and the next, which compares with it)")] = None,
    full: Annotated[bool, typer.Option(help="Rebuild every mart from scratch")] = False,
) -> None:
    """Refresh the marts: incrementally (what changed since the last refresh) by default."""
    from etl.rollup import refresh

    r = refresh(_engine(), year=year, full=full)
    typer.echo(f"rollup ({r.mode}): {r.units} unit-years, {r.indicator_rows:,} indicator rows, {r.task_rows:,} task "
               f"rows, {r.status_rows:,} submission statuses in {r.seconds:.2f} s")


@app.command()
def template(
    district: Annotated[str, typer.Option("--district", help="District code, 3 digits")],
    period: Annotated[str, typer.Option("--period", help="Reporting month YYYY-MM")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the .xlsx")],
) -> None:
    """Write a blank submission template for a district and month, open tasks filled in."""
    from etl.template import write_template

    try:
        n_tasks = write_template(_engine(), district, period, output)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"wrote {output} ({n_tasks} open tasks)")


@app.command()
def demo(
    year: Annotated[int, typer.Option(help="Year of generated submissions")] = 2024,
    workdir: Annotated[Path | None, typer.Option(help="Where to write the generated files")] = None,
    fresh: Annotated[bool, typer.Option(help="Start from an empty embedded warehouse")] = False,
) -> None:
    """The main job end to end on the embedded default: schema, reference data, a year of
    generated submissions (on time, late, missing, invalid, corrected), and a summary."""
    import os

    from etl.demo import run_demo

    if fresh:
        if os.environ.get("WAREHOUSE_URL"):
            typer.echo("--fresh only resets the embedded warehouse; unset WAREHOUSE_URL", err=True)
            raise typer.Exit(2)
        from etl.db import reset_embedded_database

        reset_embedded_database()
    run_demo(_engine(), year=year, workdir=workdir, echo=typer.echo)


@app.command()
def codes() -> None:
    """List every validation message code with its severity and Vietnamese text."""
    from etl.messages import CODES
    from etl.rules import rule_codes

    for code, spec in {**CODES, **rule_codes()}.items():
        typer.echo(f"{code:<34}{spec.severity:<9}{spec.vi}")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    app()


if __name__ == "__main__":
    main()
