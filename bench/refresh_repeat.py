"""Benchmark: the incremental refresh, repeated on a warehouse kept by `bench.rollup_decade --keep`,
printed as figures (never asserted).

Each round changes one unit-month's value of May in place and queues its year, as a load would
(bench.rollup_decade.changed_in_place: 2024, then 2023, whose next year has figures to compare
again), vacuums what a refresh rewrites (what autovacuum does between refreshes, off on some
servers), and refreshes. Prints the median and every run of each year, and each step's median. One
refresh right after a full rebuild (what `bench.rollup_decade` prints) is noisier: its caches are
cold and the rebuild's dead rows not yet vacuumed.

    .venv/bin/python -m bench.rollup_decade [--scale commune] --keep   # prints the kept database's URL
    .venv/bin/python -m bench.refresh_repeat URL [--rounds 7]

`bench.rollup_decade --quick` runs one round of it on its own warehouse (the smoke run of both).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics

from sqlalchemy import Engine, create_engine, text

from bench.rollup_decade import changed_in_place
from etl.marts.rollup import RollupResult, refresh

YEARS = (2024, 2023)
# What a refresh rewrites: its statuses, rollup rows and queue; and the value changed in place.
VACUUMED = ("mart.submission_status_rollup", "mart.indicator_rollup", "core.fct_indicator_value", "ops.rollup_queue")


def vacuum(engine: Engine) -> None:
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in VACUUMED:
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def rounds(engine: Engine, count: int) -> dict[int, list[RollupResult]]:
    refresh(engine)  # whatever an earlier run left queued
    results: dict[int, list[RollupResult]] = {year: [] for year in YEARS}
    for _ in range(count):
        for year in YEARS:
            with contextlib.redirect_stdout(io.StringIO()):  # its own line about the value changed
                changed_in_place(engine, year)
            vacuum(engine)
            results[year].append(refresh(engine))
    return results


def report(engine: Engine, count: int) -> None:
    for year, runs in rounds(engine, count).items():
        seconds = [r.seconds for r in runs]
        partial = sum(r.from_partial_sums > 0 for r in runs)
        print(f"incremental refresh after a change to 05/{year}: median {statistics.median(seconds):.3f} s "
              f"of {len(runs)} ({' '.join(f'{s:.3f}' for s in seconds)}; {partial} of them summing the provinces "
              f"from their stored partial sums)")
        medians = {step: statistics.median(r.steps[step] for r in runs) for step in runs[0].steps}
        print("  step medians: " + ", ".join(f"{k} {v:.3f} s" for k, v in medians.items() if v >= 0.005),
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the warehouse `bench.rollup_decade --keep` left (a SQLAlchemy URL)")
    parser.add_argument("--rounds", type=int, default=7, help="refreshes per year")
    args = parser.parse_args()
    engine = create_engine(args.url)
    try:
        report(engine, args.rounds)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
