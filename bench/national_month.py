"""Benchmark: one national month through ingest, printed as figures (never asserted).

Every legacy district of May 2024 (696) sends its May submission as XLSX (the clerks'
template, on time), then a corrected version as JSON two days later, so both readers and the
versioning path are measured. Then the 2025 geography: every commune (3.321) sends its August
2025 as XLSX, the full catalog, each a fraction of a district. Prints files/s and rows/s per phase (archive, read,
check, load), the load's rows/s next to a raw COPY of the same fact rows into a bare
table, and the process's peak memory. With --profile, where each phase's load spends its time:
the seconds of each statement and COPY it runs, and the rest (Python, between them).

    make bench                      # or: .venv/bin/python -m bench.national_month [--quick] [--profile]
    WAREHOUSE_URL=... make bench    # against another server (a fresh database is still made)
"""

from __future__ import annotations

import argparse
import re
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

from bench.common import PeakMemory, bench_database
from etl.demo import synth
from etl.demo.writers import write_submission_json, write_submission_xlsx
from etl.domain import admin_units
from etl.domain.catalog import load_catalog
from etl.domain.periods import Period
from etl.domain.unit_history import district_versions, load_unit_changes, version_on
from etl.quality import expectations
from etl.warehouse import ingest, load
from etl.warehouse.ingest import files_from_paths, ingest_files, load_ref_context
from etl.warehouse.load import FACT_VALUE_COLUMNS, copy_rows
from etl.warehouse.schema import upgrade

RECEIVED = datetime.fromisoformat("2024-05-16T09:00:00+07:00")
COMMUNE_RECEIVED = datetime.fromisoformat("2025-08-16T09:00:00+07:00")
QUICK_UNITS = 30


def legacy_units(year: int, month: int, limit: int | None) -> list[tuple[str, int, float]]:
    """The districts that existed in the month (696 in May 2024: Yên Dũng, not yet Thị xã Chũ), with
    their commune count then, as (code, communes, smallest size)."""
    day = Period.of_month(year, month).end_date
    histories = district_versions(admin_units.legacy_districts().to_dict("records"), load_unit_changes())
    units = [(code, v.commune_count or 0, 0.25) for code, versions in sorted(histories.items())
             if (v := version_on(versions, day)) is not None]
    return units[:limit] if limit else units


def commune_units(limit: int | None) -> list[tuple[str, int, float]]:
    """The 3.321 communes of 2025, each the size of the legacy communes merged into it (about 3 of a
    district's ~19), as (code, legacy communes, smallest size)."""
    codes = admin_units.communes_2025()["commune_code"].tolist()
    units = [(code, admin_units.legacy_communes_merged(code), 0.02) for code in codes]
    return units[:limit] if limit else units


def generate(out: Path, year: int, month: int, units: list[tuple[str, int, float]],
             corrections: bool = True, first_month: int = 1) -> tuple[list[Path], list[Path], float, int]:
    catalog = load_catalog()
    xlsx_dir, json_dir = out / "xlsx", out / "json"
    xlsx_dir.mkdir(parents=True)
    json_dir.mkdir(parents=True)
    t0 = time.perf_counter()
    xlsx, jsons, rows = [], [], 0
    for code, communes, smallest in units:
        # Island districts (Bạch Long Vĩ, Côn Đảo...) have no communes; the generator needs one.
        profile = synth.make_profile(code, max(int(communes), 1), seed=int(code), smallest=smallest)
        sub = synth.generate_month(profile, year, month, catalog=catalog, first_month=first_month)
        rows += len(sub["chi_tieu"]) + len(sub["nhiem_vu"])
        xlsx.append(write_submission_xlsx(sub, xlsx_dir / f"{code}_{year}-{month:02d}.xlsx"))
        if not corrections:
            continue
        corrected = synth.as_text(sub, 0.3, synth.random.Random(int(code)))  # half the figures as Vietnamese text
        jsons.append(write_submission_json(corrected, json_dir / f"{code}_{year}-{month:02d}_v2.json"))
    return xlsx, jsons, time.perf_counter() - t0, rows


_WRITES = re.compile(r"\b(INSERT INTO|UPDATE(?!\s+SET\b)|DELETE FROM|CREATE TEMP TABLE|DROP TABLE)\s+([\w.]+)",
                     re.IGNORECASE)
_READS = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_]+\.[a-z_]+)", re.IGNORECASE)


def statement_label(sql: str) -> str:
    """Its line in the profile: what the statement writes (verb and table), else the tables it reads,
    else its first words."""
    sql = re.sub(r"--[^\n]*", "", sql)
    written = dict.fromkeys(f"{re.sub(r' (INTO|FROM)$', '', ' '.join(verb.upper().split()))} {table.lower()}"
                            for verb, table in _WRITES.findall(sql))
    if written:
        return ", ".join(written)
    read = list(dict.fromkeys(t.lower() for t in _READS.findall(sql)))
    if read:
        return "SELECT from " + ", ".join(read[:3]) + (", ..." if len(read) > 3 else "")
    return " ".join(sql.split())[:40]


@contextmanager
def load_profile(engine: Engine) -> Iterator[Counter[tuple[str, str]]]:
    """Seconds and calls of each statement and COPY the load runs (etl.warehouse.load.load_files), by
    statement_label; ("load", "total") is load_files' own time. A profiler's hooks: SQLAlchemy's
    cursor events, and the two functions wrapped for the time of the run."""
    seconds: Counter[tuple[str, str]] = Counter()
    active = False
    started: dict[int, float] = {}

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        began = started.pop(id(cursor), None)
        if active and began is not None:
            label = statement_label(statement)
            seconds[("sql", label)] += time.perf_counter() - began
            seconds[("calls", label)] += 1

    def timed_copy(conn: Any, table: str, columns: Any, rows: Any) -> None:
        began = time.perf_counter()
        original_copy(conn, table, columns, rows)
        if active:
            seconds[("sql", f"COPY {table}")] += time.perf_counter() - began
            seconds[("calls", f"COPY {table}")] += 1

    def timed_load(*args: Any, **kwargs: Any) -> Any:
        nonlocal active
        active, began = True, time.perf_counter()
        try:
            return original_load(*args, **kwargs)
        finally:
            active = False
            seconds[("load", "total")] += time.perf_counter() - began

    original_copy: Callable[..., None] = load.copy_rows
    original_load: Callable[..., Any] = ingest.load_files
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    load.copy_rows, ingest.load_files = timed_copy, timed_load  # type: ignore[assignment]
    try:
        yield seconds
    finally:
        load.copy_rows, ingest.load_files = original_copy, original_load  # type: ignore[assignment]
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def print_load_profile(seconds: Counter[tuple[str, str]]) -> None:
    total = seconds[("load", "total")]
    statements = sorted(((s, label) for (kind, label), s in seconds.items() if kind == "sql"), reverse=True)
    in_statements = sum(s for s, _ in statements)
    print(f"  the load by statement (--profile): {total:.3f} s in load_files")
    for secs, label in statements:
        print(f"    {secs:7.3f} s {seconds[('calls', label)]:>4}x  {label}")
    print(f"    {total - in_statements:7.3f} s        between statements (Python: rows built, values derived, "
          f"messages placed)")


def phase(engine: Engine, paths: list[Path], received_at: datetime, label: str, rows: int,
          profile: bool = False) -> dict[str, float]:
    timings: Counter[str] = Counter()
    ref = load_ref_context(engine)
    t0 = time.perf_counter()
    files = files_from_paths(paths, received_at)
    t_files = time.perf_counter() - t0
    with load_profile(engine) if profile else nullcontext() as by_statement:
        results = ingest_files(engine, files, caller="bench", ref=ref, timings=timings)
    wall = time.perf_counter() - t0
    statuses = Counter(r.status for r in results)
    n = len(paths)
    print(f"\n{label}: {n} files, {rows:,} rows (indicator + task rows), outcomes {dict(statuses)}")
    print(f"  {'phase':<12}{'seconds':>9}{'files/s':>10}{'rows/s':>12}")
    gate_s = timings["gate_expectations_s"] + timings["gate_rules_s"]
    for name, secs in [
        ("open", t_files),
        ("archive", timings["archive_s"]),
        ("read", timings["read_s"]),
        ("check", timings["check_s"]),
        ("gate: GX", timings["gate_expectations_s"]),
        ("gate: rules", timings["gate_rules_s"]),
        ("load", timings["load_s"]),
        ("end-to-end", wall),
    ]:
        print(f"  {name:<12}{secs:>9.2f}{n / secs:>10.0f}{rows / secs:>12,.0f}")
    print(f"  quality gate: {gate_s:.2f} s, {100 * gate_s / wall:.0f}% of end-to-end")
    if by_statement is not None:
        print_load_profile(by_statement)
    return {"wall": wall, "gate": gate_s, **timings}


def raw_copy_comparison(engine: Engine) -> None:
    """COPY the loaded fact rows into a bare table (no keys, no indexes) in one go."""
    with engine.begin() as conn:
        rows = conn.execute(text(f"SELECT {', '.join(FACT_VALUE_COLUMNS)} FROM core.fct_indicator_value")).all()
        conn.execute(text("CREATE TABLE bench_bare AS SELECT * FROM core.fct_indicator_value WITH NO DATA"))
        t0 = time.perf_counter()
        copy_rows(conn, "bench_bare", FACT_VALUE_COLUMNS, rows)
        secs = time.perf_counter() - t0
        conn.execute(text("DROP TABLE bench_bare"))
    print(
        f"\nraw COPY of the {len(rows):,} indicator fact rows into a bare table: {secs:.2f} s, "
        f"{len(rows) / secs:,.0f} rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=None, help="limit (default: all legacy districts)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_UNITS} districts and communes (a smoke run)")
    parser.add_argument("--profile", action="store_true",
                        help="print each phase's load by statement (its time in each statement and COPY)")
    args = parser.parse_args()

    with bench_database(keep=args.keep) as url:
        run(create_engine(url), QUICK_UNITS if args.quick else args.districts, profile=args.profile)


def run(engine: Engine, districts: int | None, profile: bool = False) -> None:
    try:
        t0 = time.perf_counter()
        upgrade(engine)
        print(f"schema + reference data: {time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        expectations.suites()
        print(f"Great Expectations import and context, once per process: {time.perf_counter() - t0:.2f} s")
        with tempfile.TemporaryDirectory() as tmp:
            xlsx, jsons, gen_s, rows = generate(Path(tmp), 2024, 5, legacy_units(2024, 5, districts))
            print(f"generated {len(xlsx)} XLSX + {len(jsons)} JSON files in {gen_s:.2f} s (not part of the figures)")
            with PeakMemory() as legacy_memory:
                first = phase(engine, xlsx, RECEIVED, "XLSX, first versions", rows, profile)
                second = phase(engine, jsons, RECEIVED + timedelta(days=2), "JSON, corrected versions", rows,
                               profile)
        raw_copy_comparison(engine)
        with engine.connect() as conn:
            facts = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM core.fct_indicator_value), "
                    "(SELECT count(*) FROM core.fct_task_snapshot)"
                )
            ).one()
        load_rows = facts[0] + facts[1]
        load_s = first["load_s"] + second["load_s"]
        print(
            f"load step overall: {load_rows:,} fact rows (values + task snapshots) in {load_s:.2f} s, "
            f"{load_rows / load_s:,.0f} rows/s"
        )
        print(
            f"national month end to end (both versions): {first['wall'] + second['wall']:.2f} s; "
            f"first versions alone: {first['wall']:.2f} s; quality gate in it: {first['gate']:.2f} s"
        )
        print(f"peak memory of the legacy month's ingest: {legacy_memory}")
        # The 2025 geography: every commune sends its August 2025 (first versions, XLSX).
        with tempfile.TemporaryDirectory() as tmp:
            # A commune's year to date counts from July 2025, its first month.
            xlsx, _, gen_s, rows = generate(Path(tmp), 2025, 8, commune_units(districts), corrections=False,
                                            first_month=7)
            print(f"\n2025 geography: generated {len(xlsx)} commune XLSX files ({rows:,} indicator + task rows, "
                  f"{rows / max(len(xlsx), 1):.0f} a file) in {gen_s:.2f} s (not part of the figures)")
            with PeakMemory() as commune_memory:
                communes = phase(engine, xlsx, COMMUNE_RECEIVED, "communes, August 2025, XLSX", rows, profile)
        print(f"communes' national month end to end: {communes['wall']:.2f} s; peak memory of its ingest: "
              f"{commune_memory}; max RSS of this process alone, all phases: "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
