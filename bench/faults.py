"""The fault table: hostile files through a real ingest, counted (never asserted).

Two sets of inputs, each ingested in batches with one valid file per batch (the innocent
bystander a hostile file must not harm):

- the corpus of issue 13's attacks (tests/hostile.py), one file each;
- generated documents: valid submissions (JSON and XLSX) with one to three fields replaced
  by values drawn from a hostile alphabet (huge and non-finite numbers, far dates, control
  characters, lone surrogates, long text, lists and objects), seeded, so a run is repeatable.

Prints, per category: inputs tried, clean rejections (a district code), accepted (the value
was harmless, e.g. a long note), internal errors, crashes (ingest raised), hangs (a file
stopped at the reader's time limit), data lost (a file not archived, or a valid bystander
not accepted); then the peak memory of reading the largest accepted and the largest
rejected input, each in a fresh process.

    .venv/bin/python -m bench.faults [--documents 600] [--quick]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from bench.common import bench_database
from etl.intake import isolation
from etl.intake.limits import MAX_TABLE_ROWS
from etl.warehouse.ingest import IncomingFile, ingest_files
from etl.warehouse.schema import upgrade
from tests import builders as b
from tests.hostile import Hostile, corpus

AT = datetime.fromisoformat("2024-06-05T09:00:00+07:00")
DISTRICTS = ("637", "638", "639", "247", "215", "216")

# What a district's file can hold that it should not: value kind -> examples.
ALPHABET: dict[str, list[Any]] = {
    "huge number": [1e28, -1e28, 10**30, 1.7976931348623157e308, "1e400", "9" * 400],
    "non-finite": ["NaN", "inf", "-Infinity"],
    "far date": ["30/06/2925", "01/01/0001", "31/12/9999", "2262-04-12", "1677-09-21"],
    "control character": ["a\x00b", "\x00", "x\x1by", "tab\tnew\nline", "\x7f"],
    "lone surrogate": ["\ud800", "ok\udfff"],
    "long text": ["ờ" * 5000, "A" * 100_000],
    "non-scalar": [["UBND tỉnh"], {"a": 1}, [], [[1]]],
    "odd type": [True, False, None, "", " ", 0, -0.0],
}


def mutate(doc: dict[str, Any], rng: random.Random) -> tuple[dict[str, Any], str]:
    """The document with one to three fields replaced, and the kind of the first value."""
    doc = copy.deepcopy(doc)
    kinds = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(sorted(ALPHABET))
        value = rng.choice(ALPHABET[kind])
        kinds.append(kind)
        where = rng.choice(["info", "chi_tieu", "nhiem_vu"])
        if where == "info":
            key = rng.choice(["ma_huyen", "ky_bao_cao", "nguoi_lap", "ngay_lap", "email_lien_he"])
            if key in ("ma_huyen", "ky_bao_cao"):
                doc[key] = value
            else:
                doc["thong_tin"][key] = value
        else:
            row = rng.choice(doc[where])
            row[rng.choice(sorted(row))] = value
    return doc, kinds[0]


def _json(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _xlsx(doc: dict[str, Any], tmp: Path) -> bytes | None:
    flat = copy.deepcopy(doc)
    for table in ("chi_tieu", "nhiem_vu"):
        for row in flat[table]:
            for k, v in row.items():
                if isinstance(v, list | dict):
                    row[k] = json.dumps(v, ensure_ascii=False)
    try:
        return b.write_submission_xlsx(tmp / "g.xlsx", flat).read_bytes()
    except Exception:  # xlsxwriter refuses some values (a surrogate, inf): not an XLSX a clerk can make
        return None


def generated(n: int, seed: int, tmp: Path) -> list[Hostile]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        district = rng.choice(DISTRICTS)
        doc, kind = mutate(b.submission(district=district), rng)
        if i % 2:
            data = _xlsx(doc, tmp)
            if data is not None:
                out.append(Hostile(kind, f"gen_{i:05d}.xlsx", data))
                continue
        out.append(Hostile(kind, f"gen_{i:05d}.json", _json(doc)))
    return out


def run_batches(engine: Engine, inputs: list[Hostile], per_batch: int, source: str,
                table: dict[tuple[str, str], Counter[str]]) -> set[str]:
    """Ingest `inputs` in batches, each with one valid bystander; fills the table. Returns the
    names of the inputs accepted."""
    accepted: set[str] = set()
    for start in range(0, len(inputs), per_batch):
        batch = inputs[start:start + per_batch]
        bystander = b.submission(district=DISTRICTS[(start // per_batch) % len(DISTRICTS)],
                                 period=f"2024-0{1 + (start // per_batch) % 5}")
        files = [IncomingFile(h.name, h.data, f"bench://{h.name}", AT) for h in batch]
        files.append(IncomingFile(f"valid_{start}.json", _json(bystander), "bench://valid", AT))
        try:
            results = {r.file: r for r in ingest_files(engine, files, caller="bench")}
        except Exception as exc:  # the run itself fell over: every file of the batch is a crash
            print(f"  batch at {start}: ingest raised {type(exc).__name__}: {exc}")
            for h in batch:
                table[(source, h.category)]["crashes"] += 1
            continue
        bystander_ok = results[f"valid_{start}.json"].status in ("accepted", "accepted_with_warnings", "duplicate")
        with engine.connect() as conn:
            archived = conn.execute(text("SELECT count(*) FROM raw.file WHERE sha256 = ANY(:s)"),
                                    {"s": [f.sha256 for f in files]}).scalar()
        for h in batch:
            row = table[(source, h.category)]
            row["tried"] += 1
            r = results[h.name]
            found = [m["code"] for m in r.errors]
            if r.status == "rejected" and "INTERNAL_ERROR" in found:
                row["internal errors"] += 1
            elif r.status == "rejected" and "FILE_UNREADABLE" in found and any(
                    "giây" in m["message"] for m in r.errors):
                row["hangs"] += 1
            elif r.status == "rejected":
                row["clean rejections"] += 1
            elif r.status in ("accepted", "accepted_with_warnings", "duplicate"):
                row["accepted"] += 1
                accepted.add(h.name)
            else:
                row["data lost"] += 1  # deferred: no verdict although the database was up
        if not bystander_ok or archived != len({f.sha256 for f in files}):
            table[(source, "bystanders")]["data lost"] += 1
        table[(source, "bystanders")]["tried"] += 1
    return accepted


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent across exec.
PEAK_SCRIPT = """
import re, sys
def hwm():
    return re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())[1]
from etl.intake.readers import read_file
data = sys.stdin.buffer.read()
base = hwm()
read_file(sys.argv[1], data)
print(base, hwm())
"""


def peak_mib(name: str, data: bytes) -> tuple[float, float]:
    """Peak resident memory (MiB) of a fresh interpreter reading the file, as the reader
    worker does: after importing the reader, and after reading."""
    out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, name], input=data, capture_output=True, check=True,
                         timeout=300).stdout.split()
    return int(out[0]) / 1024, int(out[1]) / 1024


COLUMNS = ("tried", "clean rejections", "accepted", "internal errors", "crashes", "hangs", "data lost")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=600, help="generated documents (default 600)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--quick", action="store_true", help="60 generated documents")
    args = parser.parse_args()
    n = 60 if args.quick else args.documents
    with bench_database() as url:
        engine = create_engine(url)
        upgrade(engine)
        with tempfile.TemporaryDirectory() as tmp:
            hostile = list({h.data: h for h in corpus()}.values())  # the same bytes under two names: once
            docs = generated(n, args.seed, Path(tmp))
            table: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
            t0 = time.perf_counter()
            run_batches(engine, hostile, 10, "corpus", table)
            t1 = time.perf_counter()
            taken = run_batches(engine, docs, 20, "generated", table)
            t2 = time.perf_counter()
        engine.dispose()
    isolation.shutdown()
    print(f"corpus: {len(hostile)} files in {t1 - t0:.1f} s; generated: {len(docs)} documents in {t2 - t1:.1f} s "
          f"(seed {args.seed})")
    print("| source | category | " + " | ".join(COLUMNS) + " |")
    print("|---|---|" + "---:|" * len(COLUMNS))
    totals: Counter[str] = Counter()
    for (source, category), row in sorted(table.items()):
        print(f"| {source} | {category} | " + " | ".join(str(row[c]) for c in COLUMNS) + " |")
        if category != "bystanders":
            totals.update(row)
    print("| all | (files) | " + " | ".join(str(totals[c]) for c in COLUMNS) + " |")
    accepted = max((h for h in docs if h.name in taken), key=lambda h: len(h.data), default=None)
    valid = _json(b.submission())
    reads = [("a valid submission", "valid.json", valid)]
    if accepted is not None:
        reads.append(("the largest accepted generated document", accepted.name, accepted.data))
    at_limits = b.submission(nhiem_vu=[b.task(f"T{i}", "UBND tỉnh", "Đang thực hiện", None)
                                       for i in range(MAX_TABLE_ROWS - 1)])
    with tempfile.TemporaryDirectory() as tmp:
        at_limits_xlsx = b.write_submission_xlsx(Path(tmp) / "limits.xlsx", at_limits).read_bytes()
    reads += [("a submission at the row limit, 4.999 tasks", "at_limits.json", _json(at_limits)),
              ("the same as XLSX", "at_limits.xlsx", at_limits_xlsx)]
    reads += [("rejected", h.name, h.data) for h in sorted(hostile, key=lambda h: -len(h.data))[:3]]
    reads += [("rejected", h.name, h.data) for h in hostile if h.name in ("xfd1048576_space.xlsx", "z1000000.xlsx")]
    print("| input | bytes | reader imported (MiB) | peak after reading (MiB) |")
    print("|---|---:|---:|---:|")
    for label, name, data in reads:
        base, peak = peak_mib(name, data)
        print(f"| {name} ({label}) | {len(data):,} | {base:.0f} | {peak:.0f} |")

if __name__ == "__main__":
    main()
