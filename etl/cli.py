"""`baocao`: the operators' command line (contract section 4).

A failure the operator can act on (a bad argument, a warehouse that cannot be reached, a
database that does not exist, a schema never upgraded) is one line on stderr saying what to
do, exit status 2, whatever the command: `BaocaoGroup` maps them for every command at once.
`baocao --debug ...` shows the Python traceback instead. Anything else is a bug and keeps its
traceback."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click.exceptions import NoArgsIsHelpError  # typer vendors click (0.29): its exceptions live here
from typer.core import TyperGroup
from typer.exceptions import TyperException

from etl.alerts.escaping import visible
from etl.domain.contract import DEFERRED, INGEST_STATUSES, REJECTED

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from etl.warehouse.ingest import FileResult

USAGE_ERROR = 2  # the exit status of every failure the operator can act on
FAILED = 1  # a warehouse that failed otherwise (a dropped connection, a lock timeout): said in one line too
UPGRADE = "run `baocao db upgrade`"
# SQLSTATEs of an object the code expects and the database lacks: a schema never created or older
# than the code (undefined table, schema, function, column).
_UNDEFINED_OBJECT = {"42P01", "3F000", "42883", "42703"}
_MISSING_DATABASE = re.compile(r'database "([^"]+)" does not exist')
_UNREACHABLE = ("connection failed", "could not connect", "connection refused", "timeout expired",
                "could not translate host name", "no route to host", "network is unreachable")

_warehouse_url: str | None = None  # the URL of the engine the command uses, for the error line


class BaocaoGroup(TyperGroup):
    """The `baocao` group: usage errors on one line, and the warehouse's failures mapped to a line
    saying what to do (see the module's docstring). Typer builds the command with this class for
    `baocao` (pyproject's script: etl.cli:app) and for typer.testing.CliRunner alike."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        global _warehouse_url
        _warehouse_url = None  # one command, one warehouse (CliRunner calls this once per command)
        if not standalone_mode:  # a caller that handles click's exceptions itself
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            returned = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = returned if isinstance(returned, int) else 0  # typer.Exit(n) comes back as n
        except NoArgsIsHelpError as exc:  # `baocao` alone: the help
            exc.show()
            code = exc.exit_code
        except TyperException as exc:  # click's usage errors: a bad or missing argument or option
            typer.echo(visible(_usage_line(exc)), err=True)
            code = exc.exit_code
        except typer.Abort:
            typer.echo("Aborted!", err=True)
            code = 1
        sys.exit(code)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            failure = None if ctx.params.get("debug") else failure_line(exc)
            if failure is None:
                raise
            line, code = failure
            typer.echo(visible(line), err=True)
            raise typer.Exit(code) from exc


def _usage_line(exc: TyperException) -> str:
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return f"baocao: {exc.format_message()}"
    return f"{ctx.command_path}: {exc.format_message()} (see {ctx.command_path} --help)"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and those it was raised from or during."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [e.__cause__, e.__context__]


def failure_line(exc: BaseException) -> tuple[str, int] | None:
    """One line saying what happened and what to do, with the exit status, for a failure of the
    warehouse the operator can act on (unreachable, no such database, schema not upgraded: 2; any
    other failure of the server: 1); None for anything else (a bug, which keeps its traceback)."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    for e in _chain(exc):
        error = e.orig if isinstance(e, DBAPIError) else e
        if isinstance(error, psycopg.Error):
            return _database_line(error)
    return None


def _database_line(error: Any) -> tuple[str, int] | None:
    import psycopg

    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    server, database = _where()
    where = f" at {server}/{database}" if server else ""
    missing = _MISSING_DATABASE.search(reason)
    if missing:
        on = f" on {server}" if server else ""
        return (f"cơ sở dữ liệu '{missing[1]}' không tồn tại / database '{missing[1]}' does not exist{on}: create "
                f"it (createdb {missing[1]}) and {UPGRADE}, or set WAREHOUSE_URL to the warehouse"), USAGE_ERROR
    if getattr(error, "sqlstate", None) in _UNDEFINED_OBJECT:
        state = _schema_state()
        if state is None:  # the schema is current: a query of ours is wrong, not the warehouse
            return None
        return f"kho dữ liệu chưa được tạo hoặc nâng cấp / {state} ({reason}): {UPGRADE}", USAGE_ERROR
    if isinstance(error, psycopg.OperationalError):
        if any(marker in reason.lower() for marker in _UNREACHABLE):
            short = reason.rsplit("failed: ", 1)[-1]
            return (f"không kết nối được kho dữ liệu / cannot reach the warehouse{where} ({short}): check "
                    "WAREHOUSE_URL and that PostgreSQL is running there"), USAGE_ERROR
        return (f"lỗi kho dữ liệu / the warehouse failed{where} ({reason}): check the server, then run the command "
                "again (--debug shows the traceback)"), FAILED
    return None


def _where() -> tuple[str, str]:
    """(host:port, database) of the warehouse the command used, never its password; empty if none yet."""
    if _warehouse_url is None:
        return "", ""
    from sqlalchemy.engine import make_url

    url = make_url(_warehouse_url)
    return f"{url.host or 'localhost'}:{url.port or 5432}", url.database or ""


def _schema_state() -> str | None:
    """How the warehouse's schema stands against this code: never created, at an older revision,
    or (when that cannot be read) missing or out of date; None when it is at the head."""
    if _warehouse_url is None:
        return "the warehouse schema is missing or out of date"
    from sqlalchemy import create_engine, text

    from etl.warehouse.schema import head_revision

    engine = create_engine(_warehouse_url)
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT to_regclass('ops.alembic_version')")).scalar() is None:
                return "the warehouse schema was never created"
            revision = conn.execute(text("SELECT version_num FROM ops.alembic_version")).scalar()
    except Exception:
        return "the warehouse schema is missing or out of date"
    finally:
        engine.dispose()
    head = head_revision()
    return None if revision == head else f"the warehouse schema is at revision {revision}, this baocao needs {head}"


app = typer.Typer(cls=BaocaoGroup,
                  help="baocao: the warehouse of the local People's Committees' monthly reports "
                       "(kho dữ liệu báo cáo của UBND cấp huyện, cấp xã).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Warehouse schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show the Python traceback of a failure instead of the one line saying what to do")] = False,
) -> None:
    # Read by BaocaoGroup.invoke from the context's parameters.
    del debug


def _engine() -> Engine:
    global _warehouse_url
    from etl.warehouse.db import get_engine

    engine = get_engine()
    _warehouse_url = engine.url.render_as_string(hide_password=False)
    return engine


def _parse_moment(value: str | None, option: str = "--as-of") -> datetime | None:
    """An --as-of or --since moment (etl.domain.calendar.parse_moment: ISO with its UTC offset, or a
    date); anything else is a usage error naming the option."""
    if value is None:
        return None
    from etl.domain.calendar import MomentError, parse_moment

    try:
        return parse_moment(value)
    except MomentError as exc:
        raise typer.BadParameter(str(exc), param_hint=f"'{option}'") from exc


def _parse_iso(value: str | None, option: str = "--as-of") -> datetime | None:
    """An ISO moment; a bare local time is on the reporting calendar's clock."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise typer.BadParameter(f"thời điểm '{value}' không hợp lệ / not an ISO 8601 moment, e.g. "
                                 "2024-05-20T08:00:00+07:00", param_hint=f"'{option}'") from exc
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
        results = ingest_paths(_engine(), paths, received_at=_parse_iso(received_at, "--received-at"),
                               operator=operator, data_docs=data_docs)
    except FileNotFoundError as exc:
        typer.echo(visible(f"không tìm thấy / not found: {exc}"), err=True)
        raise typer.Exit(2) from exc
    _print_results(results, as_json)
    if data_docs:
        from etl.quality.expectations import data_docs_dir

        typer.echo(f"Data Docs: {data_docs_dir() / 'index.html'}")
    raise typer.Exit(_ingest_exit_code(results))


def _ingest_exit_code(results: list[FileResult]) -> int:
    """Contract section 4: 0 when every file was accepted or was a duplicate of an accepted file,
    1 when any was rejected or was a duplicate of a rejected file, 2 on a system error: a file left
    `deferred` by a persistent transient failure (usage errors exit 2 before any file is read)."""
    from etl.domain.contract import DUPLICATE

    statuses = {r.status for r in results}
    rejected = REJECTED in statuses or any(
        r.status == DUPLICATE and r.earlier is not None and r.earlier.status == REJECTED for r in results)
    return 2 if DEFERRED in statuses else 1 if rejected else 0


def _short_local_time(moment: datetime) -> str:
    """'9:02 16/5/2024' in the calendar's time zone."""
    from etl.domain.calendar import local_zone

    t = moment.astimezone(local_zone())
    return f"{t.hour}:{t.minute:02d} {t.day}/{t.month}/{t.year}"


def _print_results(results: list[FileResult], as_json: bool) -> None:
    """Outcomes of ingested files: the contract's JSON, or a line per file with its messages; a
    duplicate says what became of the same file received before ("đã nhận tệp này lúc ...")."""
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2, default=str))
        return
    verdict_vi = {REJECTED: "bị trả lại vì", "accepted": "đã được tiếp nhận",
                  "accepted_with_warnings": "đã được tiếp nhận (có cảnh báo)"}
    for r in results:  # file names and messages (values found) come from the files: shown escaped
        where = f" {visible(r.district_code or '?')} {visible(r.period or '?')}"
        if r.status == "duplicate" and r.earlier is None:
            where = ""
        typer.echo(f"{r.status:<24}{visible(r.file)}{where}")
        if r.earlier is not None:
            when = f" lúc {_short_local_time(r.earlier.received_at)}" if r.earlier.received_at else ""
            verdict = verdict_vi.get(r.earlier.status, r.earlier.status)
            typer.echo(f"    đã nhận tệp này{when}: {verdict}" + (":" if r.earlier.errors else ""))
            for m in r.earlier.errors:
                typer.echo(f"    [{m['severity']}] {visible(m['code'])}: {visible(m['message'])}")
        for m in r.errors + r.warnings:
            typer.echo(f"    [{m['severity']}] {visible(m['code'])}: {visible(m['message'])}")
    summary = {s: sum(r.status == s for r in results) for s in (*INGEST_STATUSES, DEFERRED)}
    typer.echo(", ".join(f"{v} {k}" for k, v in summary.items() if v or k != DEFERRED))


@app.command()
def reprocess(
    file_ids: Annotated[list[int] | None, typer.Argument(help="raw.file ids to run again (rejected or never "
                                                         "processed); default: the rejected files with --code")]
    = None,
    code: Annotated[str | None, typer.Option(
        help="Without ids: run again the rejected files with this message code [default: INTERNAL_ERROR]")] = None,
    unprocessed: Annotated[bool, typer.Option(
        "--unprocessed", help="Run the archived files that have no outcome (a run killed between archiving and "
                              "recording, or files left deferred); takes no ids or --code")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of outcomes")] = False,
) -> None:
    """Run archived files again, from their stored bytes: after an internal error is fixed, after
    the reference data changed, or files never processed (--unprocessed). The earlier attempt is
    kept in ops.superseded_outcome."""
    from etl.warehouse.reprocess import DEFAULT_CODE, NotReprocessable
    from etl.warehouse.reprocess import reprocess as run_again

    if unprocessed and (file_ids or code):
        raise typer.BadParameter("chọn một trong hai / takes no file ids or --code: it picks the files without an "
                                 "outcome itself", param_hint="'--unprocessed'")
    try:
        if unprocessed:
            results = run_again(_engine(), unprocessed=True)
        else:
            results = run_again(_engine(), file_ids or [], code=code or DEFAULT_CODE)
    except NotReprocessable as exc:
        typer.echo(visible(f"không xử lý lại được / cannot reprocess: {exc}"), err=True)
        raise typer.Exit(2) from exc
    if not results and not as_json:
        typer.echo("nothing to reprocess: no archived file without an outcome" if unprocessed
                   else f"nothing to reprocess: no rejected file with a {visible(code or DEFAULT_CODE)} message")
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
        typer.echo(visible(f"{a.kind:<20}{a.key:<28}{', '.join(a.to) or '-':<40}{a.subject}"))
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
def feedback(
    file_id: Annotated[int, typer.Option("--file-id", help="The archived file (raw.file.file_id; `ingest --json` "
                                                           "prints it as file_id)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the .xlsx")],
) -> None:
    """Write the feedback workbook of an archived file: the clerk's workbook with every message at
    its cell (the one attached to the invalid-submission e-mail; also for a file accepted with warnings)."""
    from sqlalchemy.exc import NoResultFound

    from etl.alerts.feedback import feedback_for_file

    try:
        with _engine().connect() as conn:
            _name, content = feedback_for_file(conn, file_id)
    except NoResultFound as exc:
        typer.echo(f"không có tệp số {file_id} trong kho / no archived file {file_id}", err=True)
        raise typer.Exit(2) from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(content)
    typer.echo(f"wrote {output}")


@app.command()
def report(
    unit: Annotated[str, typer.Option("--unit", help="District (3 digits) or province (2 digits) code")],
    period: Annotated[str, typer.Option("--period", help="YYYY-MM, YYYY-H1, YYYY-H2 or YYYY")],
    level: Annotated[str | None, typer.Option(
        "--level", help="district | province | province_2025; default: district for 3 digits, else province")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md | xlsx | csv | docx")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write; default stdout "
                                                                      "(md, csv); required for xlsx, docx")] = None,
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

    if fmt not in ("md", "xlsx", "csv", "docx"):
        typer.echo(f"định dạng '{fmt}' không hợp lệ: md, xlsx, csv hoặc docx / unknown format '{fmt}': md, xlsx, "
                   "csv or docx", err=True)
        raise typer.Exit(2)
    if fmt in ("xlsx", "docx") and output is None:
        typer.echo(f"định dạng {fmt} cần -o FILE / --format {fmt} needs -o FILE", err=True)
        raise typer.Exit(2)
    engine = _engine()
    try:
        built = build_report(engine, unit, period, level, as_of=_parse_moment(as_of),
                             since=_parse_moment(since, "--since"))
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    if fmt == "xlsx":
        write_xlsx(built, output)
    elif fmt == "docx":
        from etl.reporting.docx_report import fetch_overdue, write_docx

        overdue, why_not = fetch_overdue(engine, built)
        if why_not:
            typer.echo(why_not, err=True)
        write_docx(built, output, overdue=overdue)
    else:
        rendered = render_markdown(built) if fmt == "md" else render_csv(built)
        if output is None:
            typer.echo(rendered, nl=False)
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(rendered.encode("utf-8"))  # bytes: keep the CSV's CRLF and BOM as they are
    typer.echo(f"wrote {output}")


@app.command()
def board(
    province: Annotated[str, typer.Option("--province", help="Province code (2 digits)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write index.html and the charts' PNGs")],
    year: Annotated[int | None, typer.Option(help="Year; default: the current year")] = None,
    level: Annotated[str | None, typer.Option(
        "--level", help="province (legacy, until 06/2025) | province_2025; default: province before 2025, "
                        "province_2025 from 2025")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Statuses and figures as they stood at this moment (ISO with its UTC offset, or a date)")]
    = None,
) -> None:
    """A province's status board for a year: a static HTML page (no network, no JavaScript) with the
    unit x month grid of submission statuses, the reporting rates, key indicators against last year
    and the plan, the latest revisions and the tasks; the charts also as PNG files."""
    import time

    from etl.reporting.board import BoardError, build_board, write_board

    started = time.perf_counter()
    try:
        built = build_board(_engine(), province, year, level=level, as_of=_parse_moment(as_of))
    except BoardError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    page, *images = write_board(built, output)
    typer.echo(f"wrote {page} and {len(images)} charts (PNG) in {time.perf_counter() - started:.1f} s")


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
    # The text quotes cells as typed in the districts' files: each line shown escaped.
    typer.echo(explained.as_json_text() if as_json else "\n".join(map(visible, explained.as_text().split("\n"))),
               nl=as_json)
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
