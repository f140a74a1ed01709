"""`baocao demo`: a year of district reporting, generated and ingested end to end.

The districts are those of the seed reports' provinces: Bắc Giang (Yên Thế, Tân Yên),
Vĩnh Phúc (Tam Dương) and Gia Lai (Chư Pưh), every district of each. Each district sends
an annual plan in January and one report a month; the scenario (seeded, so every run is
the same) mixes in what real districts do: reports on time and late, months never sent,
reports rejected for the seeds' own errors and then corrected, corrected figures sent
after an accepted report, byte-identical re-deliveries, XLSX from clerks and JSON from
district systems, and revised plans mid-year."""

from __future__ import annotations

import contextlib
import copy
import io
import multiprocessing
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from etl.config import ENV_LANDING_SETTLE_SECONDS, ENV_LANDING_URL, ENV_WAREHOUSE_URL, data_dir
from etl.demo import synth
from etl.demo.writers import write_plan_json, write_plan_xlsx, write_submission_json, write_submission_xlsx
from etl.domain import admin_units
from etl.domain.calendar import DEFAULT_PROVINCE, load_calendar
from etl.domain.catalog import load_catalog
from etl.domain.contract import INGEST_STATUSES, reporting_level
from etl.domain.periods import Period
from etl.domain.unit_history import district_level_last_day, district_versions, load_unit_changes, version_on
from etl.marts.rollup import refresh
from etl.paths import PROJECT_ROOT
from etl.warehouse.ingest import files_from_paths, ingest_files, load_ref_context
from etl.warehouse.schema import upgrade

DEMO_PROVINCES = ("24", "26", "64")  # Bắc Giang, Vĩnh Phúc, Gia Lai
DEMO_OPERATOR = "baocao demo"  # replays generated arrival times: recorded as an operator's override
SEED = 2024

def _row(sub: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in sub["chi_tieu"] if r["ma_chi_tieu"] == code)


def components_do_not_add_up(sub: dict[str, Any]) -> dict[str, Any]:
    """Seed 003: 244 + 80 = 324 stated as 304. Here KT01 is off its three sectors."""
    out = copy.deepcopy(sub)
    _row(out, "KT01")["thuc_hien_thang"] += 20
    return out


def balance_does_not_close(sub: dict[str, Any]) -> dict[str, Any]:
    """Seed 004: 4.442 + 5.476 + 79 = 9.997 resolved, stated as 9.988; the dossier balance breaks."""
    out = copy.deepcopy(sub)
    _row(out, "TT05")["thuc_hien_thang"] = 9  # a clerk's slip on dossiers resolved on time
    return out


def rate_does_not_match(sub: dict[str, Any]) -> dict[str, Any]:
    """Seed 004: 2.977/6.193 stated as 32,49 %. Here the poverty rate is stated off its components."""
    out = copy.deepcopy(sub)
    out["chi_tieu"].append({"ma_chi_tieu": "XH03", "don_vi_tinh": "%", "thuc_hien_thang": "32,49"})
    return out


def more_cards_than_people(sub: dict[str, Any]) -> dict[str, Any]:
    """Seed 003: 104.538 health-insurance cards for 103.169 residents (a warning, not an error)."""
    out = copy.deepcopy(sub)
    population = _row(out, "XH06")["thuc_hien_thang"]
    if isinstance(population, int | float):
        _row(out, "XH05")["thuc_hien_thang"] = round(population * 1.0133)
    return out


# The seeds' own mistakes, as the first (rejected) version of a report.
INJECTIONS: list[Callable[[dict[str, Any]], dict[str, Any]]] = [
    synth.inject_malformed_number,  # 3.8650.000
    synth.inject_hedge,  # trên 10.120
    synth.inject_unknown_indicator,
    synth.inject_bad_unit,
    synth.inject_duplicate_row,
    components_do_not_add_up,
    balance_does_not_close,
    rate_does_not_match,
]


@dataclass
class Delivery:
    path: Path
    received_at: datetime
    district: str
    month: int | None  # None for plans
    scenario: str


def _write(sub: dict[str, Any], folder: Path, stem: str, as_json: bool) -> Path:
    if as_json:
        return write_submission_json(sub, folder / f"{stem}.json")
    return write_submission_xlsx(sub, folder / f"{stem}.xlsx")


def units_of_year(year: int) -> list[tuple[str, int, str | None, set[int]]]:
    """The demo's reporting units that existed in the year: code, size (a district's commune count,
    its last in the year; a commune's legacy communes merged into it), legacy province (None for a
    commune) and the months it existed. The demo provinces' districts (Yên Dũng until its merger,
    Thị xã Chũ from its establishment, all of them until the district level ended), then the communes
    on their area."""
    snapshot = admin_units.legacy_districts()
    units: list[tuple[str, int, str | None, set[int]]] = []
    area: list[str] = []
    for code, versions in district_versions(snapshot.to_dict("records"), load_unit_changes()).items():
        if versions[-1].province_code not in DEMO_PROVINCES:
            continue
        area.append(code)
        alive = {m for m in range(1, 13)
                 if any(v.overlaps(Period.of_month(year, m).start_date, Period.of_month(year, m).end_date)
                        for v in versions)}
        if alive:
            last = version_on(versions, Period.of_month(year, max(alive)).end_date)
            assert last is not None
            units.append((code, last.commune_count or 1, last.province_code, alive))
    last_day = district_level_last_day()
    if last_day is not None and year >= last_day.year:
        after = {m for m in range(1, 13) if Period.of_month(year, m).start_date > last_day}
        communes = sorted({c for code in area for c in admin_units.district_communes_2025(code)})
        units += [(c, admin_units.legacy_communes_merged(c), None, after) for c in communes if after]
    return units


def build_year(year: int, workdir: Path) -> list[Delivery]:
    """Generate every file of the demo year; returns them with their arrival times."""
    rng = random.Random(SEED)
    catalog = load_catalog()
    deliveries: list[Delivery] = []
    for code, communes, province, alive in units_of_year(year):
        folder = workdir / code
        folder.mkdir(parents=True)
        commune = reporting_level(code) == "commune"
        profile = synth.make_profile(code, max(int(communes), 1), seed=int(code), smallest=0.02 if commune else 0.25)
        sends_json = rng.random() < 0.3  # a district system pushing JSON instead of a clerk's XLSX
        if 1 not in alive:  # a unit that began during the year (the communes in 2025) has no plan for it
            plan = None
        else:
            plan = synth.generate_plan(profile, year, catalog=catalog)
            plan_at = datetime(year, 1, 10, 9, tzinfo=load_calendar().zone)
            if sends_json:
                plan_path = write_plan_json(plan, folder / f"ke_hoach_{year}.json")
            else:
                plan_path = write_plan_xlsx(plan, folder / f"ke_hoach_{year}.xlsx")
            deliveries.append(Delivery(plan_path, plan_at, code, None, "plan"))
        if plan is not None and rng.random() < 0.15:  # plans are revised mid-year
            revised = dict(plan, van_ban=f"{rng.randint(600, 999)}/QĐ-UBND",
                           ke_hoach=[r if r["don_vi_tinh"] == "%" else dict(r, ke_hoach_nam=_raised(r["ke_hoach_nam"]))
                                     for r in plan["ke_hoach"]])
            path = write_plan_json(revised, folder / f"ke_hoach_{year}_dieu_chinh.json")
            deliveries.append(Delivery(path, plan_at.replace(month=7), code, None, "plan revised"))
        for month, sub in enumerate(synth.generate_year(profile, year, catalog=catalog, first_month=min(alive)),
                                    start=1):
            if month not in alive:
                continue  # the district did not exist that month (reference/unit_changes.csv)
            deadline = load_calendar().deadline(province or DEFAULT_PROVINCE, year, month)  # a commune: the default
            stem = f"{code}_{year}-{month:02d}"
            roll = rng.random()
            if roll < 0.03:
                continue  # never sent: the monitor will call it missing
            as_typed = rng.random() < 0.5  # figures typed as Vietnamese text
            other_units = rng.random() < 0.2  # tỷ vs triệu đồng, nghìn con

            def variant(doc: dict[str, Any], as_typed: bool = as_typed, other_units: bool = other_units) -> dict:
                # Mistakes are injected into the numbers first, then written the way this district writes.
                doc = synth.as_text(doc, 0.4, rng) if as_typed else doc
                return synth.with_units_variant(doc, rng) if other_units else doc

            late = roll > 0.90
            at = deadline - timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 8))
            if late:
                at = deadline + timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 8))
            if 0.03 <= roll < 0.09:  # rejected first, corrected within two days
                inject = rng.choice(INJECTIONS)
                deliveries.append(Delivery(_write(variant(inject(sub)), folder, stem + "_v1", sends_json), at, code,
                                           month, f"invalid: {inject.__name__}"))
                at = at + timedelta(days=rng.randint(1, 2))
                deliveries.append(Delivery(_write(variant(sub), folder, stem + "_v2", sends_json), at, code, month,
                                           "corrected after rejection"))
                continue
            if 0.15 <= roll < 0.17:  # loads, with a warning the province should look at
                sub = more_cards_than_people(sub)
            path = _write(variant(sub), folder, stem, sends_json)
            deliveries.append(Delivery(path, at, code, month, "late" if late else "on time"))
            if 0.09 <= roll < 0.13:  # accepted, then corrected figures a few days later
                deliveries.append(Delivery(_write(variant(_corrected(sub, rng)), folder, stem + "_dinh_chinh",
                                                  sends_json),
                                           at + timedelta(days=rng.randint(2, 5)), code, month, "correction"))
            if 0.13 <= roll < 0.15:  # the same file sent again
                again = folder / f"{stem}_gui_lai{path.suffix}"
                shutil.copyfile(path, again)
                deliveries.append(Delivery(again, at + timedelta(hours=3), code, month, "re-delivery"))
    return sorted(deliveries, key=lambda d: (d.received_at, str(d.path)))


def _raised(target: Any) -> Any:
    """A target raised by 5 %, kept whole where it was whole (counts stay counts)."""
    if isinstance(target, int):
        return round(target * 1.05)
    if isinstance(target, float):
        return round(target * 1.05, 1)
    return target


def _corrected(sub: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The same report with one stock revised by a few percent (a typical correction)."""
    out = copy.deepcopy(sub)
    for row in out["chi_tieu"]:
        if row["ma_chi_tieu"] == "NN05" and isinstance(row.get("thuc_hien_thang"), int | float):
            row["thuc_hien_thang"] = round(row["thuc_hien_thang"] * rng.uniform(1.01, 1.04))
    return out


def prepare_airflow(landing: Path, engine: Engine) -> None:
    """Point an in-process Airflow at the project's DAGs, a SQLite metadata DB under the data
    directory, this warehouse and a landing folder. Must run before Airflow is imported."""
    home = data_dir() / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("AIRFLOW_HOME", str(home))
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT_ROOT / "dags"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home}/airflow.db")
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    os.environ[ENV_WAREHOUSE_URL] = engine.url.render_as_string(hide_password=False)
    os.environ[ENV_LANDING_URL] = str(landing)
    os.environ[ENV_LANDING_SETTLE_SECONDS] = "0"  # the demo writes each file whole before its run
    from airflow.utils.db import initdb

    with contextlib.redirect_stdout(io.StringIO()):
        initdb()


def _dags() -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(PROJECT_ROOT / "dags"))
    if bag.import_errors:
        raise RuntimeError(f"DAGs failed to import: {bag.import_errors}")
    return bag.dags


def _run(dag: Any, **kwargs: Any) -> str:
    with contextlib.redirect_stdout(io.StringIO()):  # dag.test() prints every task's log
        run = dag.test(**kwargs)
    return str(run.state)


def run_demo(engine: Engine, *, year: int = 2024, workdir: Path | None = None,
             echo: Callable[[str], Any] = print, via_airflow: bool = True) -> dict[str, Any]:
    """Generate the year, then replay it month by month: the month's files land, the real
    DAGs run with dag.test() (ingest_submissions, rollup_marts, then monitor_submissions
    as of the 25th, after every deadline), and a summary is printed. Without
    `via_airflow` the same files go straight through etl.warehouse.ingest (used by fast tests)."""
    workdir = workdir or data_dir() / "demo" / str(year)
    if workdir.exists():
        shutil.rmtree(workdir)
    echo(f"baocao demo: warehouse {engine.url.render_as_string(hide_password=True)}")
    upgrade(engine)
    echo("schema migrated, reference data loaded (63 provinces, 697 districts, 34 provinces and 3.321 communes "
         "since 1/7/2025, catalog, periods)")
    deliveries = build_year(year, workdir / "generated")
    districts = sorted({d.district for d in deliveries})
    last_day = district_level_last_day()
    reform_year = last_day is not None and last_day.year == year + 1
    # The reform year's files need no warehouse: written by a second process while this one replays the year.
    writer = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) if reform_year else None
    next_year: Future[list[Delivery]] | None = (
        writer.submit(build_year, year + 1, workdir / f"generated_{year + 1}") if writer else None)
    echo(f"generated {len(deliveries)} files for {len(districts)} districts of Bắc Giang, Vĩnh Phúc and Gia Lai "
         f"in {workdir / 'generated'}")
    by_month: dict[tuple[int, int], list[Delivery]] = {}
    for d in deliveries:
        by_month.setdefault((d.received_at.year, d.received_at.month), []).append(d)
    statuses: Counter[str] = Counter()
    if via_airflow:
        landing = workdir / "landing"
        landing.mkdir(parents=True)
        prepare_airflow(landing, engine)
        dags = _dags()
        echo("running the DAGs with dag.test(), month by month (Airflow metadata: "
             f"{os.environ['AIRFLOW__DATABASE__SQL_ALCHEMY_CONN']})")
    ref = load_ref_context(engine)
    for (y, m), batch in sorted(by_month.items()):
        if via_airflow:
            started = datetime.now(UTC)
            arrivals = {}
            for d in batch:
                name = d.path.name if d.path.name.startswith(d.district) else f"{d.district}_{d.path.name}"
                shutil.copyfile(d.path, landing / name)
                arrivals[name] = d.received_at.isoformat()  # landing now, replayed as when it arrived in 2024
            states = [_run(dags["ingest_submissions"], run_conf={"arrivals": arrivals, "operator": DEMO_OPERATOR}),
                      _run(dags["rollup_marts"])]
            as_of = datetime(y, m, 25, 8, tzinfo=load_calendar().zone)
            states.append(_run(dags["monitor_submissions"], run_conf={"as_of": as_of.isoformat()}))
            counts = _run_counts(engine, started)
            alerted = _alerts_since(engine, started)
            echo(f"  {y}-{m:02d}: {len(batch):3d} files landed; DAG runs {'/'.join(states)}; "
                 + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + f"; alerts due as of 25/{m:02d}: "
                 + (", ".join(f"{v} {k}" for k, v in sorted(alerted.items())) or "none"))
        else:
            files = [f for d in batch for f in files_from_paths([d.path], d.received_at, DEMO_OPERATOR)]
            counts = Counter(r.status for r in ingest_files(engine, files, caller="demo", ref=ref))
            echo(f"  {y}-{m:02d}: {len(batch):3d} files  " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
        statuses.update(counts)
    if not via_airflow:
        refresh(engine)
    summary = summarise(engine, year, statuses, len(districts), echo)
    if writer is not None and next_year is not None:
        with writer:
            summary["reform"] = across_the_reform(engine, year + 1, next_year.result(),
                                                  workdir / f"generated_{year + 1}", ref, echo)
    last_year = year + 1 if writer is not None else year
    summary["board"] = str(demo_board(engine, last_year, echo))
    summary["review_docx"] = str(demo_review(engine, last_year, echo))
    return summary


BOARD_PROVINCE = "24"  # Bắc Giang until 06/2025, then Bắc Ninh, which took its code: data in both demo years


def demo_board(engine: Engine, year: int, echo: Callable[[str], Any]) -> Path:
    """The status board of Bắc Giang's territory for `year` (the reform year: its districts to June,
    then the communes, against the year before), where the rollup_marts DAG writes its boards."""
    from etl.config import board_dir
    from etl.reporting.board import board_folder, build_board, write_board

    started = time.perf_counter()
    board = build_board(engine, BOARD_PROVINCE, year)
    page, *charts = write_board(board, board_folder(board_dir(), BOARD_PROVINCE, year))
    echo(f"\nStatus board of {board.province_name}, {year} (`baocao board --province {BOARD_PROVINCE} --year {year} "
         f"-o DIR`, {time.perf_counter() - started:.1f} s): {page}, {len(charts)} charts as PNG beside it")
    return page


def demo_review(engine: Engine, year: int, echo: Callable[[str], Any]) -> Path:
    """The same province's review of `year` as a Word document to sign (`baocao report --format
    docx`): the 2025 province over the reform year, the legacy province before it."""
    from etl.reporting.docx_report import fetch_overdue, write_docx
    from etl.reporting.model import build_report

    started = time.perf_counter()
    level = "province_2025" if year >= 2025 else None
    report = build_report(engine, BOARD_PROVINCE, str(year), level)
    overdue, _ = fetch_overdue(engine, report)
    path = data_dir() / "reviews" / f"{BOARD_PROVINCE}_{year}.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_docx(report, path, overdue=overdue)
    level_option = f" --level {level}" if level else ""
    echo(f"Review of {report.unit_name}, {year}, to sign (`baocao report --unit {BOARD_PROVINCE} --period {year}"
         f"{level_option} --format docx -o FILE`, {time.perf_counter() - started:.1f} s): {path}")
    return path


def across_the_reform(engine: Engine, year: int, deliveries: list[Delivery], folder: Path, ref: Any,
                      echo: Callable[[str], Any]) -> dict[str, Any]:
    """The year of the reform, straight through ingest (its DAGs are the same): the demo districts
    from January to June, then the communes on their area from July, with late, invalid and
    corrected files on both sides; then the 2025 provinces' reports, H2 against the districts' H2
    of the year before. `deliveries` are build_year(year, folder)."""
    units = {d.district for d in deliveries}
    echo(f"\n{year}, across the reform: generated {len(deliveries)} files for "
         f"{sum(reporting_level(u) == 'district' for u in units)} districts (January-June) and "
         f"{sum(reporting_level(u) == 'commune' for u in units)} "
         f"communes on their area (July-December) in {folder}")
    statuses: Counter[str] = Counter()
    by_month: dict[tuple[int, int], list[Delivery]] = {}
    for d in deliveries:
        by_month.setdefault((d.received_at.year, d.received_at.month), []).append(d)
    for _month, batch in sorted(by_month.items()):
        files = [f for d in batch for f in files_from_paths([d.path], d.received_at, DEMO_OPERATOR)]
        statuses.update(r.status for r in ingest_files(engine, files, caller="demo", ref=ref))
    refresh(engine)
    echo(f"  {sum(statuses.values())} files: " + ", ".join(f"{v} {k}" for k, v in sorted(statuses.items())))
    from etl.reporting.model import build_report
    reports = {}
    for code in sorted({admin_units.legacy_provinces().set_index("province_code").loc[p, "province_2025_code"]
                        for p in DEMO_PROVINCES}):
        try:
            report = build_report(engine, code, f"{year}-H2", "province_2025")
        except ValueError as exc:
            echo(f"  province_2025 {code}: {exc}")
            continue
        reports[code] = report.completeness
        echo(f"  `baocao report --unit {code} --level province_2025 --period {year}-H2` ({report.title}): "
             f"{report.completeness}")
        for sentence in report.indicator_sentences[:2]:
            echo(f"    - {sentence}")
        whole = build_report(engine, code, str(year), "province_2025")  # January-June districts, then communes
        echo(f"    and `--period {year}`: {whole.completeness}; {whole.indicator_sentences[0]}")
    return {"statuses": dict(statuses), "reports": reports}


def _run_counts(engine: Engine, since: datetime) -> Counter[str]:
    with engine.connect() as conn:
        row = conn.execute(text("""
            SELECT coalesce(sum(accepted), 0), coalesce(sum(accepted_with_warnings), 0), coalesce(sum(rejected), 0),
                   coalesce(sum(duplicates), 0)
            FROM ops.ingest_run WHERE started_at >= :t
        """), {"t": since}).one()
    return Counter({k: int(v) for k, v in zip(INGEST_STATUSES, row, strict=True) if v})


def _alerts_since(engine: Engine, since: datetime) -> Counter[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT kind, count(DISTINCT idempotency_key) FROM ops.alert_log "
                                 "WHERE created_at >= :t GROUP BY kind"), {"t": since}).all()
    return Counter(dict(rows))


def summarise(engine: Engine, year: int, statuses: Counter[str], n_districts: int,
              echo: Callable[[str], Any]) -> dict[str, Any]:
    """This run's outcomes, then the warehouse's state for the year (the same on a re-run)."""
    expected = n_districts * 12
    with engine.connect() as conn:
        first_accepted = conn.execute(text("""
            SELECT s.district_code, d.province_code, s.month, min(s.received_at)
            FROM core.fct_submission s JOIN core.dim_district d ON d.district_key = s.district_key
            WHERE s.year = :y AND s.status <> 'rejected'
            GROUP BY 1, 2, 3
        """), {"y": year}).all()
        facts = conn.execute(text("""
            SELECT (SELECT count(*) FROM core.fct_indicator_value),
                   (SELECT count(*) FROM core.fct_task_snapshot),
                   (SELECT count(*) FROM core.dim_task),
                   (SELECT count(*) FROM core.fct_plan_target t
                    JOIN core.fct_plan p USING (plan_id) WHERE p.is_current),
                   (SELECT count(*) FROM ops.file_outcome WHERE outcome = 'rejected')
        """)).one()
        top_errors = conn.execute(text("""
            SELECT code, count(*) FROM ops.validation_message WHERE severity = 'error'
            GROUP BY code ORDER BY 2 DESC, 1
        """)).all()
        example = conn.execute(text("""
            SELECT f.file_name, m.message_vi FROM ops.validation_message m JOIN raw.file f USING (file_id)
            WHERE m.severity = 'error' ORDER BY m.message_id LIMIT 3
        """)).all()
    late = sum(1 for _, province, month, at in first_accepted if at > load_calendar().deadline(province, year, month))
    echo("")
    echo(f"This run: {sum(statuses.values())} files; " + ", ".join(f"{v} {k}" for k, v in sorted(statuses.items())))
    echo(f"Warehouse, {year}:")
    echo(f"  district-months with an accepted report: {len(first_accepted)} of {expected} expected "
         f"({expected - len(first_accepted)} missing); {late} of them first accepted after the deadline")
    echo(f"  files rejected and quarantined: {facts[4]}; errors by code: "
         + ", ".join(f"{c} {n}" for c, n in top_errors))
    echo(f"  loaded: {facts[0]:,} indicator values, {facts[1]:,} task snapshots of {facts[2]:,} task versions, "
         f"{facts[3]:,} plan targets in force")
    for name, message in example:
        echo(f"  e.g. {name}: {message}")
    with engine.connect() as conn:
        alert_rows = conn.execute(text(
            "SELECT kind, CASE WHEN error LIKE 'no\\_channel: %' THEN 'waiting for a channel' ELSE status END, "
            "count(DISTINCT idempotency_key) FROM ops.alert_log GROUP BY 1, 2 ORDER BY 1, 2"))
        alerts = ", ".join(f"{n} {kind} ({status})" for kind, status, n in alert_rows)
        rates = conn.execute(text("""
            SELECT unit_code, round(avg(reporting_rate_pct), 1), round(avg(on_time_rate_pct), 1)
            FROM mart.reporting_rate WHERE level = 'province' AND year = :y GROUP BY 1 ORDER BY 1
        """), {"y": year}).all()
    if alerts:
        echo(f"  alerts: {alerts}; 'waiting for a channel': no SMTP or webhook connection is configured "
             "(see README)")
    if rates:
        echo("  reporting rate by province (mean of months): "
             + ", ".join(f"{code}: {rate}% received, {on_time}% on time" for code, rate, on_time in rates))
    try:
        from etl.reporting.model import build_report

        report = build_report(engine, "24", str(year))
        echo(f"  from `baocao report --unit 24 --period {year}` ({report.title}):")
        for sentence in report.indicator_sentences[:3]:
            echo(f"    - {sentence}")
    except ValueError as exc:  # marts not refreshed (no rollup in this run)
        echo(f"  (report skipped: {exc})")
    return {"statuses": dict(statuses), "covered": len(first_accepted), "expected": expected, "late": late}
