"""Benchmark: rollups over ten years of national data, printed as figures (never asserted).

Ten years (2015-2024) x every legacy district (696) x 12 months x every non-rate catalog
indicator are bulk-loaded straight into the warehouse with COPY (3,2 million indicator
values, plus an annual plan per district and year): going through `ingest` would time
the loader, which bench.national_month measures, not the rollup. Task snapshots are not
generated. Then, in one run: the full rebuild of the marts, one corrected submission
ingested the normal way (May of the last year), and the incremental refresh it triggers, twice (the
first sums the provinces from all their units and stores their partial sums, the second sums them from
those); then the same for May of the year before, whose next year has figures (compared again, not
computed again); then a national month's batch: every unit's December of the last year changed in
place and queued, and the refresh after it (its provinces summed from all their units: etl.marts.rollup).

`--scale commune`: the same over the post-2025 geography, every current commune (3.321) for
each year, as if the communes had reported since 2015 (before 07/2025 they did not exist and are
not expected: the figures still roll up to their 2025 provinces; the submission statuses only count
from 07/2025). A commune cannot send a file for a month before 07/2025, so the incremental refresh
follows one commune-month's value changed in place and its year queued, as a load queues it.
`--quick`: two years of the districts of three provinces, a few seconds, for CI smoke runs; then one
round of bench.refresh_repeat on the same warehouse.

    .venv/bin/python -m bench.rollup_decade [--years 10] [--scale district|commune] [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bench.common import bench_database
from etl.demo.writers import write_submission_json
from etl.domain import admin_units
from etl.domain.catalog import load_catalog
from etl.domain.unit_history import district_versions, life_span, load_unit_changes
from etl.marts.rollup import refresh
from etl.warehouse.ingest import ingest_paths
from etl.warehouse.load import REQUEUE
from etl.warehouse.schema import upgrade

# The generated files' arrival times are set by the benchmark: an operator's override.
GENERATED_ARRIVAL = {"received_at_rule": "override", "override_by": "bench.rollup_decade",
                     "override_at": pd.Timestamp.now(tz="UTC")}


def copy_frame(engine: Engine, table: str, df: pd.DataFrame) -> None:
    buf = io.StringIO()
    df.to_csv(buf, index=False, header=False)
    buf.seek(0)
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {table} ({', '.join(df.columns)}) FROM STDIN WITH (FORMAT csv)") as cp,
        ):
            while chunk := buf.read(1 << 20):
                cp.write(chunk)


# --quick: the districts of these provinces (Vĩnh Phúc, whose district 247 gets the corrected
# submission, and two more).
QUICK_PROVINCES = ("26", "25", "27")


def bulk_load(engine: Engine, first_year: int, years: int, level: str = "district",
              provinces: tuple[str, ...] | None = None) -> tuple[int, int]:
    """COPY `years` years of every current unit of `level` (of `provinces` only, when given); the
    indicator values loaded and the most units in a year."""
    catalog = load_catalog()
    codes = [c for c, i in catalog.indicators.items() if i.kind != "rate"]
    with engine.connect() as conn:
        keys = dict(
            conn.execute(text("SELECT indicator_code, indicator_key FROM core.dim_indicator WHERE is_current")).all()
        )
        all_districts = pd.DataFrame(
            conn.execute(
                text("SELECT district_code, district_key FROM core.dim_district WHERE is_current "
                     "AND level = :level AND (CAST(:provinces AS text[]) IS NULL "
                     "OR province_code = ANY (CAST(:provinces AS text[]))) ORDER BY 1"),
                {"level": level, "provinces": list(provinces) if provinces else None},
            ).all(),
            columns=["district_code", "district_key"],
        )
    lives = {code: life_span(versions) for code, versions in
             district_versions(admin_units.legacy_districts().to_dict("records"), load_unit_changes()).items()}
    rng = np.random.default_rng(7)
    total = 0
    most_units = 0
    submission_id = 0
    for year in range(first_year, first_year + years):
        # The districts that existed the whole year (696 in each of 2015-2024: Yên Dũng, not Thị xã Chũ);
        # every commune (the geography of 07/2025 taken back in time).
        whole_year = [code for code, (first, last) in lives.items()
                      if (first is None or first <= date(year, 1, 1)) and (last is None or last >= date(year, 12, 31))]
        districts = (all_districts if level == "commune" else
                     all_districts[all_districts["district_code"].isin(whole_year)].reset_index(drop=True))
        most_units = max(most_units, len(districts))
        months = pd.DataFrame({"month": range(1, 13)})
        subs = districts.merge(months, how="cross")
        n = len(subs)
        subs["submission_id"] = np.arange(submission_id + 1, submission_id + n + 1)
        subs["file_id"] = subs["submission_id"]
        submission_id += n
        subs["year"] = year
        subs["period_key"] = year * 100 + subs["month"]
        subs["sha256"] = [hashlib.sha256(f"bench-{i}".encode()).hexdigest() for i in subs["submission_id"]]
        received = pd.to_datetime(dict(year=subs["year"], month=subs["month"], day=16)).dt.tz_localize(
            "Asia/Ho_Chi_Minh"
        )
        files = pd.DataFrame(
            {
                "file_id": subs["file_id"],
                "sha256": subs["sha256"],
                "file_name": "bench.json",
                "source_uri": "bench",
                "size_bytes": 0,
                "content": "\\x",
                "received_at": received,
                **GENERATED_ARRIVAL,
            }
        )
        copy_frame(engine, "raw.file", files)
        window_end = pd.to_datetime(dict(year=subs["year"], month=subs["month"], day=14)).dt.date
        window_start = (
            pd.to_datetime(dict(year=subs["year"], month=subs["month"], day=15)) - pd.DateOffset(months=1)
        ).dt.date
        copy_frame(
            engine,
            "core.fct_submission",
            pd.DataFrame(
                {
                    "submission_id": subs["submission_id"],
                    "file_id": subs["file_id"],
                    "district_key": subs["district_key"],
                    "district_code": subs["district_code"],
                    "period_key": subs["period_key"],
                    "year": year,
                    "month": subs["month"],
                    "source_format": "json",
                    "received_at": received,
                    "sha256": subs["sha256"],
                    "version": 1,
                    "status": "accepted",
                    "is_current": True,
                    "error_count": 0,
                    "warning_count": 0,
                    "window_start": window_start,
                    "window_end": window_end,
                }
            ),
        )
        values = subs[["submission_id", "district_key", "district_code", "period_key", "month"]].merge(
            pd.DataFrame({"indicator_code": codes}), how="cross"
        )
        values["indicator_key"] = values["indicator_code"].map(keys)
        values["year"] = year
        values["value"] = rng.integers(1, 100_000, len(values))
        flows = values["indicator_code"].map(lambda c: catalog.indicators[c].kind == "flow")
        values["ytd_value"] = values["value"].where(flows)
        values.loc[flows, "ytd_value"] = values[flows].groupby(["district_code", "indicator_code"])["value"].cumsum()
        values["value_source"] = "submitted"
        values["ytd_source"] = np.where(flows, "submitted", "not_applicable")
        values["submitted_unit"] = values["indicator_code"].map(lambda c: catalog.indicators[c].unit)
        values["conversion_factor"] = 1
        values["source_row"] = 1
        copy_frame(
            engine,
            "core.fct_indicator_value",
            values[
                [
                    "submission_id",
                    "indicator_key",
                    "district_key",
                    "period_key",
                    "indicator_code",
                    "district_code",
                    "year",
                    "month",
                    "value",
                    "ytd_value",
                    "value_source",
                    "ytd_source",
                    "submitted_unit",
                    "conversion_factor",
                    "source_row",
                ]
            ].astype({"ytd_value": "Int64"}),
        )
        total += len(values)
        # An annual plan per district: ~12 times a month's value for flows. File ids apart per year
        # for up to 10.000 units (the communes: 3.321).
        plans = districts.copy()
        plans["plan_file_id"] = np.arange(10_000_000 + year * 10_000, 10_000_000 + year * 10_000 + len(plans))
        plan_files = pd.DataFrame(
            {
                "file_id": plans["plan_file_id"],
                "sha256": [hashlib.sha256(f"plan-{i}".encode()).hexdigest() for i in plans["plan_file_id"]],
                "file_name": "plan.json",
                "source_uri": "bench",
                "size_bytes": 0,
                "content": "\\x",
                "received_at": pd.Timestamp(f"{year}-01-05", tz="Asia/Ho_Chi_Minh"),
                **GENERATED_ARRIVAL,
            }
        )
        copy_frame(engine, "raw.file", plan_files)
        copy_frame(
            engine,
            "core.fct_plan",
            pd.DataFrame(
                {
                    "plan_id": plans["plan_file_id"],
                    "file_id": plans["plan_file_id"],
                    "district_key": plans["district_key"],
                    "district_code": plans["district_code"],
                    "year": year,
                    "van_ban": "2115/QĐ-UBND",
                    "received_at": pd.Timestamp(f"{year}-01-05", tz="Asia/Ho_Chi_Minh"),
                    "version": 1,
                    "status": "accepted",
                    "is_current": True,
                    "error_count": 0,
                    "warning_count": 0,
                }
            ),
        )
        targets = plans[["plan_file_id", "district_code"]].merge(
            pd.DataFrame({"indicator_code": codes[:20]}), how="cross"
        )
        copy_frame(
            engine,
            "core.fct_plan_target",
            pd.DataFrame(
                {
                    "plan_id": targets["plan_file_id"],
                    "indicator_key": targets["indicator_code"].map(keys),
                    "indicator_code": targets["indicator_code"],
                    "district_code": targets["district_code"],
                    "year": year,
                    "target_value": rng.integers(100_000, 1_000_000, len(targets)),
                    "submitted_unit": "x",
                    "conversion_factor": 1,
                }
            ),
        )
    with engine.begin() as conn:
        # The identities were bypassed by COPY; move them past the bulk-loaded ids.
        for table, column in (
            ("raw.file", "file_id"),
            ("core.fct_submission", "submission_id"),
            ("core.fct_plan", "plan_id"),
        ):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max({column}) FROM {table}))"
                )
            )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    return total, most_units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, help="years of data, ending in 2024 (default 10; --quick: 2)")
    parser.add_argument("--scale", choices=("district", "commune"), default="district",
                        help="the legacy districts (696, default) or the post-2025 communes (3.321)")
    parser.add_argument("--quick", action="store_true", help="the districts of three provinces, two years")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.quick and args.scale == "commune":
        parser.error("--quick runs at district scale")
    years = args.years or (2 if args.quick else 10)
    with bench_database(keep=args.keep) as url:
        if args.keep:
            print(f"kept database (bench.refresh_repeat takes it): {make_url(url).render_as_string()}", flush=True)
        engine = create_engine(url)
        try:
            run(engine, years, args.scale, QUICK_PROVINCES if args.quick else None)
            if args.quick:  # the smoke run of bench.refresh_repeat too, on this warehouse
                from bench.refresh_repeat import report  # here: it imports this module

                report(engine, 1)
        finally:
            engine.dispose()


def run(engine: Engine, years: int, scale: str = "district", provinces: tuple[str, ...] | None = None) -> None:
    first_year = 2025 - years
    upgrade(engine)
    # The bulk load writes the identity columns itself: allow it in the benchmark database.
    with engine.begin() as conn:
        for table, column in (
            ("raw.file", "file_id"),
            ("core.fct_submission", "submission_id"),
            ("core.fct_plan", "plan_id"),
        ):
            conn.execute(text(f"ALTER TABLE {table} ALTER COLUMN {column} SET GENERATED BY DEFAULT"))
    t0 = time.perf_counter()
    rows, units = bulk_load(engine, first_year, years, scale, provinces)
    where = f" of provinces {', '.join(provinces)}" if provinces else ""
    print(
        f"bulk-loaded {rows:,} indicator values ({years} years x {units:,} {scale}s{where} x 12 months) "
        f"in {time.perf_counter() - t0:.1f} s (COPY, not part of the figures)",
        flush=True,
    )
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM ops.rollup_queue"))
    full = refresh(engine, full=True)
    print(
        f"full rebuild: {full.seconds:.2f} s ({full.units:,} unit-years, {full.indicator_rows:,} indicator "
        f"rows, {full.status_rows:,} submission statuses)"
    )
    print("  steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in full.steps.items()), flush=True)
    # The last year's month, then one of the year before, whose next year has figures to compare again;
    # each twice: the first refresh of a province-year after the rebuild sums it from all its units and
    # stores its sums, the next one sums it from them (etl.marts.rollup).
    for year in (2024, 2023):
        for attempt in range(2):
            if scale == "commune":
                changed_in_place(engine, year)
            else:
                corrected_submission(engine, year, 93500 + attempt)
            incremental = refresh(engine)
            print(
                f"incremental refresh after it: {incremental.seconds:.2f} s ({incremental.units} unit-years, "
                f"{incremental.indicator_rows:,} indicator rows rewritten, {incremental.from_partial_sums} "
                f"province-years from their stored partial sums)"
            )
            print("  steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in incremental.steps.items()), flush=True)
    national_month_in_place(engine, 2024, 12)
    batch = refresh(engine)  # its provinces' sums were stored by the refreshes above
    print(
        f"incremental refresh after a national month: {batch.seconds:.2f} s ({batch.units:,} unit-years, "
        f"{batch.indicator_rows:,} indicator rows rewritten, {batch.from_partial_sums} province-years from their "
        f"stored partial sums)"
    )
    print("  steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in batch.steps.items()), flush=True)
    if scale == "district":  # province 26's legacy figures
        as_of_figures(engine)


def national_month_in_place(engine: Engine, year: int, month: int) -> None:
    """Every unit's month changed and its year queued, as a national month's batch would (in place:
    the bulk-loaded months are no files' rows)."""
    with engine.begin() as conn:
        values = conn.execute(text("UPDATE core.fct_indicator_value SET value = value + 1 "
                                   "WHERE year = :y AND month = :m AND value IS NOT NULL"),
                              {"y": year, "m": month}).rowcount
        units = conn.execute(text(f"INSERT INTO ops.rollup_queue (district_code, year) "
                                  f"SELECT DISTINCT district_code, year FROM core.fct_indicator_value "
                                  f"WHERE year = :y AND month = :m {REQUEUE}"), {"y": year, "m": month}).rowcount
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE core.fct_indicator_value"))
    print(f"a national month: {values:,} values of {month:02d}/{year} changed in place, {units:,} units' year queued")


def changed_in_place(engine: Engine, year: int) -> None:
    """One commune-month's value changed and its year queued, as a load would (no file: a commune
    cannot report a month before 07/2025)."""
    with engine.begin() as conn:
        commune = conn.execute(text(
            "UPDATE core.fct_indicator_value SET value = value + 1 WHERE (submission_id, indicator_code) = "
            "(SELECT submission_id, indicator_code FROM core.fct_indicator_value "
            "WHERE year = :y AND month = 5 ORDER BY district_code, indicator_code LIMIT 1) "
            "RETURNING district_code"), {"y": year}).scalar_one()
        conn.execute(text("INSERT INTO ops.rollup_queue (district_code, year) VALUES (:d, :y)"),
                     {"d": commune, "y": year})
    print(f"one value of commune {commune} for 05/{year} changed in place and queued")


def corrected_submission(engine: Engine, year: int, value: int = 93500) -> None:
    """District 247's May corrected (a file of its own: another `value`, another version)."""
    with tempfile.TemporaryDirectory() as tmp:
        doc = {
            "ma_huyen": "247",
            "ky_bao_cao": f"{year}-05",
            "thong_tin": {},
            "chi_tieu": [{"ma_chi_tieu": "NN05", "don_vi_tinh": "con", "thuc_hien_thang": value}],
            "nhiem_vu": [],
        }
        path = write_submission_json(doc, Path(tmp) / f"247_{year}-05_dinh_chinh.json")
        t0 = time.perf_counter()
        [result] = ingest_paths(engine, [path], received_at=datetime.fromisoformat(f"{year}-05-20T09:00:00+07:00"))
        print(f"one corrected submission ingested ({result.status}) in {time.perf_counter() - t0:.2f} s")


def as_of_figures(engine: Engine) -> None:
    """A province's annual figures as they stood on a day (before the correction above), three runs:
    the SQL function alone, then the whole `baocao report --as-of` (report built, not rendered)."""
    from etl.reporting.model import build_report

    moment = datetime.fromisoformat("2024-05-19T17:00:00+07:00")
    for run in range(1, 4):
        t0 = time.perf_counter()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM mart.indicator_annual_at(:t, 'province', '26', 2024)"),
                                {"t": moment}).scalar()
        sql_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = build_report(engine, "26", "2024", "province", as_of=moment)
        print(f"as-of annual figures of province 26 for 2024 as known on 19/05/2024, run {run}: "
              f"mart.indicator_annual_at {sql_s:.2f} s ({rows} rows); the report with it "
              f"{time.perf_counter() - t0:.2f} s ({len(report.indicators)} indicators)", flush=True)
    explain_figure(engine)


def explain_figure(engine: Engine) -> None:
    """`baocao explain` for a province-year figure (its every source cell), three runs."""
    from etl.reporting.explain import explain

    for run in range(1, 4):
        t0 = time.perf_counter()
        made = explain(engine, "province", "26", "2024", "NS01")
        print(f"explain NS01 of province 26 for 2024, run {run}: {time.perf_counter() - t0:.2f} s "
              f"({len(made.sources)} source cells)", flush=True)


if __name__ == "__main__":
    main()
