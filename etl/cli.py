"""`baocao`: the operators' command line (contract section 4)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from etl.warehouse.ingest import FileResult

app = typer.Typer(help="baocao: district reports warehouse (kho dữ liệu báo cáo cấp huyện).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Warehouse schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _engine():
    from etl.warehouse.db import get_engine

    return get_engine()


def _parse_moment(value: str | None, option: str = "--as-of") -> datetime | None:
    """An --as-of or --since moment (etl.domain.calendar.parse_moment: ISO with its UTC offset, or a
    date); anything else stops the command, saying so."""
    if value is None:
        return None
    from etl.domain.calendar import MomentError, parse_moment

    try:
        return parse_moment(value)
    except MomentError as exc:
        typer.echo(f"{option}: {exc}", err=True)
        raise typer.Exit(2) from exc


def _parse_iso(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        # A bare local time is read on the reporting calendar's clock, where the districts are.
        from etl.domain.calendar import local_zone

        parsed = parsed.replace(tzinfo=local_zone())
    return parsed


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the warehouse schema and load reference data."""
    from etl.warehouse.schema import current_revision, upgrade

    engine = _engine()
    upgrade(engine)
    with engine.connect() as conn:
        from sqlalchemy import text

        counts = conn.execute(text("""
            SELECT (SELECT count(*) FROM core.dim_province WHERE is_current),
                   (SELECT count(*) FROM core.dim_district WHERE is_current AND level = 'district'),
                   (SELECT count(*) FROM core.dim_indicator WHERE is_current),
                   (SELECT count(*) FROM core.dim_period),
                   (SELECT count(*) FROM core.dim_province_2025 WHERE is_current),
                   (SELECT count(*) FROM core.dim_reporting_unit WHERE level = 'commune' AND valid_to IS NULL)
        """)).one()
    typer.echo(f"schema at revision {current_revision(engine)}; {counts[0]} provinces, {counts[1]} districts, "
               f"{counts[2]} indicators, {counts[3]} periods; since 1/7/2025 {counts[4]} provinces and "
               f"{counts[5]} communes")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest")],
    received_at: Annotated[str | None, typer.Option(
        help="Arrival time (ISO), for backfills and replays: recorded as an operator override; "
             "default: the moment of this call")] = None,
    operator: Annotated[str | None, typer.Option(
        help="Who overrides the arrival time (recorded with --received-at); default: the OS user")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of outcomes")] = False,
    data_docs: Annotated[bool, typer.Option("--data-docs", help="Also build the GX Data Docs (HTML)")] = False,
) -> None:
    """Ingest submission and plan files: archive, read, check, load."""
    from etl.warehouse.ingest import ingest_paths

    try:
        results = ingest_paths(_engine(), paths, received_at=_parse_iso(received_at), operator=operator,
                               data_docs=data_docs)
    except FileNotFoundError as exc:
        typer.echo(f"không tìm thấy / not found: {exc}", err=True)
        raise typer.Exit(2) from exc
    _print_results(results, as_json)
    if data_docs:
        from etl.quality.expectations import data_docs_dir

        typer.echo(f"Data Docs: {data_docs_dir() / 'index.html'}")


def _print_results(results: list[FileResult], as_json: bool) -> None:
    """Outcomes of ingested files: the contract's JSON, or a line per file with its messages."""
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
def reprocess(
    file_ids: Annotated[list[int] | None, typer.Argument(help="raw.file ids to run again (rejected or never "
                                                         "processed); default: the rejected files with --code")]
    = None,
    code: Annotated[str, typer.Option(help="Without ids: run again the rejected files with this message code")]
    = "INTERNAL_ERROR",
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of outcomes")] = False,
) -> None:
    """Run archived files again, from their stored bytes: after an internal error is fixed, or
    after the reference data changed. The earlier attempt is kept in ops.superseded_outcome."""
    from etl.warehouse.reprocess import NotReprocessable
    from etl.warehouse.reprocess import reprocess as run_again

    try:
        results = run_again(_engine(), file_ids or [], code=code)
    except NotReprocessable as exc:
        typer.echo(f"không xử lý lại được / cannot reprocess: {exc}", err=True)
        raise typer.Exit(2) from exc
    if not results and not as_json:
        typer.echo(f"nothing to reprocess: no rejected file with a {code} message")
        return
    _print_results(results, as_json)


@app.command()
def status(
    period: Annotated[str, typer.Option("--period", help="Reporting month YYYY-MM")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge as of this moment (ISO); default now")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Submission status of every expected district for a month: on_time, late, missing, rejected, pending."""
    from datetime import UTC, datetime

    from etl.domain.periods import parse_month
    from etl.marts.status import STATUS_VI, period_status
    from etl.reporting.sentences import cut_off_line

    parsed = parse_month(period)
    if parsed is None:
        typer.echo(f"kỳ báo cáo '{period}' không hợp lệ; cần YYYY-MM / period must be YYYY-MM", err=True)
        raise typer.Exit(2)
    moment = _parse_moment(as_of) or datetime.now(UTC)
    rows = period_status(_engine(), *parsed, moment)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    from etl.domain.calendar import local_zone

    local = local_zone()  # times as the districts read them
    for r in rows:
        received = r["accepted_at"] or r["first_received_at"]
        r["deadline"] = r["deadline"].astimezone(local)
        arrival = f"nhận {received.astimezone(local):%d/%m %H:%M}" if received else ""
        late = f"muộn {r['days_late']} ngày" if r["days_late"] else ""
        typer.echo(f"{r['district_code']:<5}  {r['district_name']:<28}{r['status']:<10}{STATUS_VI[r['status']]:<20}"
                   f"hạn {r['deadline']:%d/%m %H:%M}  {arrival:<18}{late}")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    typer.echo(f"{cut_off_line(moment)}: {len(rows)} đơn vị / units; "
               + ", ".join(f"{v} {k}" for k, v in counts.items()))


@app.command()
def alerts(
    as_of: Annotated[str, typer.Option("--as-of", help="Judge as of this moment (ISO), e.g. a past day to replay")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the due alerts; send and record nothing")] = False,
) -> None:
    """Send the late, reminder, escalation and invalid-submission alerts that are due, each once."""
    from etl.alerts.send import send_alerts

    result = send_alerts(_engine(), _parse_iso(as_of), dry_run=dry_run)  # type: ignore[arg-type]
    for a in result.alerts:
        typer.echo(f"{a.kind:<20}{a.key:<28}{', '.join(a.to) or '-':<40}{a.subject}")
    typer.echo(f"{result.due} due; {result.sent} sent, {result.already_sent} already sent, {result.failed} failed, "
               f"{result.no_channel} without a channel" + (" (dry run: nothing sent)" if dry_run else ""))


@app.command()
def rollup(
    year: Annotated[int | None, typer.Option(help="Rebuild this year (and the next, which compares with it)")] = None,
    full: Annotated[bool, typer.Option(help="Rebuild every mart from scratch")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, with the seconds of each step")] = False,
) -> None:
    """Refresh the marts: incrementally (what changed since the last refresh) by default."""
    from dataclasses import asdict

    from etl.marts.rollup import refresh

    r = refresh(_engine(), year=year, full=full)
    if as_json:
        typer.echo(json.dumps(asdict(r), indent=2))
        return
    typer.echo(f"rollup ({r.mode}): {r.units} unit-years, {r.indicator_rows:,} indicator rows, {r.task_rows:,} task "
               f"rows, {r.status_rows:,} submission statuses in {r.seconds:.2f} s")


@app.command()
def template(
    district: Annotated[str, typer.Option(
        "--unit", "--district", help="Reporting unit: a district (3 digits, until 2025-06) or a commune "
                                     "(5 digits, from 2025-07); --district is a synonym")],
    period: Annotated[str, typer.Option("--period", help="Reporting month YYYY-MM")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the .xlsx")],
) -> None:
    """Write a blank submission template for a reporting unit and month, open tasks filled in."""
    from etl.reporting.template import write_template

    try:
        n_tasks = write_template(_engine(), district, period, output)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"wrote {output} ({n_tasks} open tasks)")


@app.command()
def report(
    unit: Annotated[str, typer.Option("--unit", help="District (3 digits) or province (2 digits) code")],
    period: Annotated[str, typer.Option("--period", help="YYYY-MM, YYYY-H1, YYYY-H2 or YYYY")],
    level: Annotated[str | None, typer.Option(
        "--level", help="district | province | province_2025; default: district for 3 digits, else province")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md | xlsx | csv")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write; default stdout "
                                                                      "(md, csv); required for xlsx")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The figures as they stood at this moment (ISO with its UTC offset, e.g. "
                        "2024-06-19T17:00:00+07:00): what had arrived by then; indicators only")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Mark the figures revised since a previous issue of this report, cut off at this "
                        "moment (ISO with its UTC offset, or a date)")] = None,
) -> None:
    """The report tables of a district or province for a period, numbers in Vietnamese notation."""
    from etl.reporting.csv_report import render_csv
    from etl.reporting.markdown_report import render_markdown
    from etl.reporting.model import build_report
    from etl.reporting.xlsx_report import write_xlsx

    if fmt not in ("md", "xlsx", "csv"):
        typer.echo(f"định dạng '{fmt}' không hợp lệ: md, xlsx hoặc csv / unknown format '{fmt}': md, xlsx or csv",
                   err=True)
        raise typer.Exit(2)
    if fmt == "xlsx" and output is None:
        typer.echo("định dạng xlsx cần -o FILE / --format xlsx needs -o FILE", err=True)
        raise typer.Exit(2)
    try:
        built = build_report(_engine(), unit, period, level, as_of=_parse_moment(as_of),
                             since=_parse_moment(since, "--since"))
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    if fmt == "xlsx":
        write_xlsx(built, output)
    else:
        rendered = render_markdown(built) if fmt == "md" else render_csv(built)
        if output is None:
            typer.echo(rendered, nl=False)
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(rendered.encode("utf-8"))  # bytes: keep the CSV's CRLF and BOM as they are
    typer.echo(f"wrote {output}")


@app.command("explain")
def explain_command(
    unit: Annotated[str, typer.Option("--unit", help="District (3 digits), commune (5) or province (2) code")],
    period: Annotated[str, typer.Option("--period", help="YYYY-MM, YYYY-H1, YYYY-H2 or YYYY")],
    indicator: Annotated[str, typer.Option("--indicator", help="Indicator code (reference/indicators.yaml): NS01")],
    level: Annotated[str | None, typer.Option(
        "--level", help="district | commune | province | province_2025; default: district for 3 digits, commune "
                        "for 5, else province")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The versions in force at this moment: ISO with a UTC offset (2024-06-19T17:00+07:00); "
                        "default: the current ones")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: the figure, its `sources` and the rest")]
    = False,
) -> None:
    """Where a figure comes from: its rule, every cell it was made of (file, sha256, arrival, version, row,
    column, text as typed, conversion), the units missing, the plan. Exits 1 when the figure and its
    sources disagree (printed), 2 on a usage error."""
    from etl.domain.periods import PeriodError
    from etl.reporting.explain import ExplainError, explain, parse_as_of

    try:
        moment = None if as_of is None else parse_as_of(as_of)  # no offset: refused, not guessed
        explained = explain(_engine(), level, unit, period, indicator, moment)
    except (ExplainError, PeriodError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(explained.as_json_text() if as_json else explained.as_text(), nl=as_json)
    if not explained.agrees:
        raise typer.Exit(1)


@app.command()
def dictionary(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write; default stdout")] = None,
) -> None:
    """The data dictionary (indicators, units, mart views) in Markdown, from the reference files."""
    from etl.marts.dictionary import render_dictionary

    text = render_dictionary()
    if output is None:
        typer.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}")


@app.command()
def demo(
    year: Annotated[int, typer.Option(help="Year of generated submissions")] = 2024,
    workdir: Annotated[Path | None, typer.Option(help="Where to write the generated files")] = None,
    fresh: Annotated[bool, typer.Option(help="Start from an empty embedded warehouse")] = False,
) -> None:
    """The main job end to end on the embedded default: schema, reference data, a year of
    generated submissions (on time, late, missing, invalid, corrected), and a summary."""
    from etl.config import ENV_WAREHOUSE_URL, settings
    from etl.demo.run import run_demo

    if fresh:
        if settings().warehouse_url:
            typer.echo(f"--fresh only resets the embedded warehouse; unset {ENV_WAREHOUSE_URL}", err=True)
            raise typer.Exit(2)
        from etl.warehouse.db import reset_embedded_database

        reset_embedded_database()
    run_demo(_engine(), year=year, workdir=workdir, echo=typer.echo)


@app.command()
def codes() -> None:
    """List every validation message code with its severity and Vietnamese text."""
    from etl.quality.messages import CODES
    from etl.quality.rules import rule_codes

    for code, spec in {**CODES, **rule_codes()}.items():
        typer.echo(f"{code:<34}{spec.severity:<9}{spec.vi}")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    app()


if __name__ == "__main__":
    main()
