"""`baocao demo`: a year of district reporting, generated and ingested end to end.

The districts are those of the seed reports' provinces: Bắc Giang (Yên Thế, Tân Yên),
Vĩnh Phúc (Tam Dương) and Gia Lai (Chư Pưh), every district of each. Each district sends
an annual plan in January and one report a month; the scenario (seeded, so every run is
the same) mixes in what real districts do: reports on time and late, months never sent,
reports rejected for the seeds' own errors and then corrected, corrected figures sent
after an accepted report, byte-identical re-deliveries, XLSX from clerks and JSON from
district systems, and revised plans mid-year."""

from __future__ import annotations

import copy
import random
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from etl import admin_units, synth
from etl.catalog import load_catalog
from etl.ingest import FileResult, files_from_paths, ingest_files, load_ref_context
from etl.paths import data_dir
from etl.reference import deadline_for
from etl.schema import upgrade
from etl.writers import write_plan_json, write_plan_xlsx, write_submission_json, write_submission_xlsx

DEMO_PROVINCES = ("24", "26", "64")  # Bắc Giang, Vĩnh Phúc, Gia Lai
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


def build_year(year: int, workdir: Path) -> list[Delivery]:
    """Generate every file of the demo year; returns them with their arrival times."""
    rng = random.Random(SEED)
    catalog = load_catalog()
    districts = admin_units.legacy_districts()
    districts = districts[districts["province_code"].isin(DEMO_PROVINCES)]
    deliveries: list[Delivery] = []
    for code, communes, province in zip(districts["district_code"], districts["commune_count"],
                                        districts["province_code"], strict=True):
        folder = workdir / code
        folder.mkdir(parents=True)
        profile = synth.make_profile(code, max(int(communes), 1), seed=int(code))
        sends_json = rng.random() < 0.3  # a district system pushing JSON instead of a clerk's XLSX
        plan = synth.generate_plan(profile, year, catalog=catalog)
        plan_at = datetime(year, 1, 10, 9, tzinfo=deadline_for(province, year, 1).tzinfo)
        if sends_json:
            plan_path = write_plan_json(plan, folder / f"ke_hoach_{year}.json")
        else:
            plan_path = write_plan_xlsx(plan, folder / f"ke_hoach_{year}.xlsx")
        deliveries.append(Delivery(plan_path, plan_at, code, None, "plan"))
        if rng.random() < 0.15:  # plans are revised mid-year
            revised = dict(plan, van_ban=f"{rng.randint(600, 999)}/QĐ-UBND",
                           ke_hoach=[r if r["don_vi_tinh"] == "%" else dict(r, ke_hoach_nam=_raised(r["ke_hoach_nam"]))
                                     for r in plan["ke_hoach"]])
            path = write_plan_json(revised, folder / f"ke_hoach_{year}_dieu_chinh.json")
            deliveries.append(Delivery(path, plan_at.replace(month=7), code, None, "plan revised"))
        for month, sub in enumerate(synth.generate_year(profile, year, catalog=catalog), start=1):
            deadline = deadline_for(province, year, month)
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


def run_demo(engine: Engine, *, year: int = 2024, workdir: Path | None = None,
             echo: Callable[[str], Any] = print) -> dict[str, Any]:
    workdir = workdir or data_dir() / "demo" / str(year)
    if workdir.exists():
        shutil.rmtree(workdir)
    echo(f"baocao demo: warehouse {engine.url.render_as_string(hide_password=True)}")
    upgrade(engine)
    echo("schema migrated, reference data loaded (63 provinces, 696 districts, catalog, periods)")
    deliveries = build_year(year, workdir)
    districts = sorted({d.district for d in deliveries})
    echo(f"generated {len(deliveries)} files for {len(districts)} districts of Bắc Giang, Vĩnh Phúc and Gia Lai "
         f"in {workdir}")
    ref = load_ref_context(engine)
    results: list[tuple[Delivery, FileResult]] = []
    # Files arrive over the year; ingest each month's arrivals as the hourly DAG would.
    by_month: dict[tuple[int, int], list[Delivery]] = {}
    for d in deliveries:
        by_month.setdefault((d.received_at.year, d.received_at.month), []).append(d)
    for (y, m), batch in sorted(by_month.items()):
        files = [f for d in batch for f in files_from_paths([d.path], d.received_at)]
        out = ingest_files(engine, files, caller="demo", ref=ref)
        by_name = {r.file: r for r in out}
        results += [(d, by_name[d.path.name]) for d in batch]
        counts = Counter(r.status for r in out)
        outcomes = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        echo(f"  arrivals {y}-{m:02d}: {len(batch):3d} files  {outcomes}")
    summary = summarise(engine, year, results, len(districts), echo)
    return summary


def summarise(engine: Engine, year: int, results: list[tuple[Delivery, FileResult]], n_districts: int,
              echo: Callable[[str], Any]) -> dict[str, Any]:
    """This run's outcomes, then the warehouse's state for the year (the same on a re-run)."""
    statuses = Counter(r.status for _, r in results)
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
    late = sum(1 for _, province, month, at in first_accepted if at > deadline_for(province, year, month))
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
    return {"statuses": dict(statuses), "covered": len(first_accepted), "expected": expected, "late": late}
