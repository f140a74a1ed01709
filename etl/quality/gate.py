"""The quality gate over one batch of files, after their structural checks.

`check_batch` runs the layers in order, each appending its messages to the files:

1. the Great Expectations suites (`expectations/*.json`, run by etl.quality.expectations),
   once per suite for the whole batch;
2. the history fetch (etl.quality.history): the previous months the rules need, and the
   recent months and annual plans the plausibility check needs, read from the warehouse once;
3. the consistency rules (`reference/validation_rules.yaml`, evaluated by etl.quality.rules)
   on the batch and that history, without a connection;
4. the plausibility check (etl.quality.plausibility): a figure about 1.000 times (or 1/1.000
   of) the unit's previous months or plan is a warning naming the units likely mixed up.

Every layer looks at every file, errors or not, so that one reply lists every problem of a
file; a rule whose inputs could not be read says so (RULE_NOT_EVALUATED). Only a file with no
error stands for its month (etl.quality.history.usable): the previous month of a later file of
the batch. Where every other check lives is in the docstring of the etl.quality package."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from etl.intake.structure import CheckedFile, RefContext
from etl.quality import expectations, history, plausibility, rules


@dataclass
class GateItem:
    """One file of the batch after its structural checks."""

    file_id: int
    name: str
    received_at: datetime
    checked: CheckedFile


def check_batch(items: list[GateItem], ref: RefContext, engine: Engine) -> dict[str, float]:
    """Run the gate over the batch; returns the seconds of each layer, keyed as ingest's timings."""
    t0 = time.perf_counter()
    expectations.validate(items, ref.catalog)
    t1 = time.perf_counter()
    with engine.connect() as conn:
        previous = history.fetch(conn, items)
    rules.evaluate(items, ref, previous)
    plausibility.evaluate(items, ref, previous)
    return {"gate_expectations_s": t1 - t0, "gate_rules_s": time.perf_counter() - t1}
