"""Incremental equals full, proven (issue 10, point 8): over random sequences of small
submissions, corrections, late and out-of-order arrivals, rejected versions, year-to-date-only
months, plan revisions and refreshes, every mart object refreshed incrementally equals a full
rebuild, row for row (the clock columns as_of / refreshed_at aside; tests/mart_compare.py).

The data is 2023-2024 and every arrival is in the past, so the statuses' dependence on the clock
(now(): pending / missing, the months up to now) is the same for both refreshes. Each example
starts from an empty warehouse (the data tables truncated, as the `db` fixture does)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from etl.warehouse.ingest import IncomingFile, ingest_files
from tests import builders as b
from tests.conftest import empty_warehouse
from tests.mart_compare import assert_incremental_equals_full

# Three districts of Vĩnh Phúc (26) and one of Gia Lai (64, its own deadline), two years.
DISTRICTS = ("247", "243", "244", "639")
YEARS = (2023, 2024)
TZ = "+07:00"


@dataclass(frozen=True)
class Arrival:
    kind: str  # month | ytd_only | rejected | plan
    district: str
    year: int
    month: int  # 0 for a plan
    seed: int  # the figures
    delay_days: int  # after the 10th of the month (or 1 December of the year before, plans): late when > 8

    def received_at(self) -> datetime:
        start = (datetime.fromisoformat(f"{self.year - 1}-12-01T09:00:00{TZ}") if self.kind == "plan"
                 else datetime.fromisoformat(f"{self.year}-{self.month:02d}-10T09:00:00{TZ}"))
        return start + timedelta(days=self.delay_days, minutes=self.seed % 997)

    def document(self) -> dict[str, Any]:
        s = self.seed
        if self.kind == "plan":
            return b.plan(district=self.district, year=self.year, ke_hoach=[
                {"ma_chi_tieu": "NS01", "don_vi_tinh": "triệu đồng", "ke_hoach_nam": 1000 + s % 500},
                {"ma_chi_tieu": "NN05", "don_vi_tinh": "con", "ke_hoach_nam": 500 + s % 300},
            ])
        period = f"{self.year}-{self.month:02d}"
        ns01 = 10 + s % 40
        values: dict[str, Any] = {"NS01": ns01, "NN05": 400 + s % 200, "XH01": 10 + s % 30, "XH02": 1000}
        ytd = {"NS01": ns01 * self.month + s % 7} if s % 3 else None  # with the year to date, or not
        if self.kind == "rejected":
            values["NN05"] = "khoảng 5"  # not a number: the file is rejected
        done = s % 2 == 0
        tasks = [{"ma_nhiem_vu": "NV-1", "ten_nhiem_vu": "Nhiệm vụ một", "co_quan_giao": "UBND tỉnh",
                  "ngay_giao": f"02/01/{self.year}", "han_hoan_thanh": f"30/06/{self.year}",
                  "trang_thai": "Hoàn thành" if done else "Đang thực hiện",
                  **({"ngay_hoan_thanh": f"0{1 + s % 5}/0{self.month if self.month < 10 else 9}/{self.year}"}
                     if done and self.month <= 9 else {})}]
        if done and self.month > 9:
            tasks[0]["trang_thai"] = "Đang thực hiện"
        doc = b.month(self.district, period, values, tasks=tasks, ytd=ytd)
        if self.kind == "ytd_only":  # a flow sent as year to date only: its month value is derived
            row = b.indicator(doc, "NS01")
            row.pop("thuc_hien_thang", None)
            row["luy_ke_nam"] = ns01 * self.month + s % 7
        return doc

    def file(self, n: int) -> IncomingFile:
        data = json.dumps(self.document(), ensure_ascii=False).encode("utf-8")
        name = f"{self.kind}_{self.district}_{self.year}_{self.month:02d}_{n}.json"
        return IncomingFile(name=name, data=data, source_uri=f"test://{name}", received_at=self.received_at())


arrivals = st.builds(
    Arrival,
    kind=st.sampled_from(["month", "month", "month", "ytd_only", "rejected", "plan"]),
    district=st.sampled_from(DISTRICTS),
    year=st.sampled_from(YEARS),
    month=st.integers(1, 12),
    seed=st.integers(0, 10_000),
    delay_days=st.integers(0, 60),
).map(lambda a: Arrival(a.kind, a.district, a.year, 0 if a.kind == "plan" else a.month, a.seed, a.delay_days))
# A step is a batch of arrivals (files of one ingest run, in any order of period) or a refresh.
steps = st.lists(st.one_of(st.lists(arrivals, min_size=1, max_size=3), st.just("refresh")), min_size=2, max_size=5)


# No shrinking: each step ingests and refreshes (seconds); a failure prints its whole sequence.
@settings(max_examples=10, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sequence=steps, corrections=st.lists(st.integers(0, 10_000), min_size=1, max_size=2))
# The case, always run: Vĩnh Phúc reports from 2023, a refresh; Gia Lai's first report is
# for 2024 (statuses once recomputed from 2024 only, while a province was expected from 2023).
@example(sequence=[[Arrival("month", "247", 2023, 3, 11, 2)], "refresh",
                   [Arrival("month", "639", 2024, 6, 12, 20), Arrival("rejected", "243", 2024, 1, 13, 0)], "refresh"],
         corrections=[14])
# Out of order: a correction first arrives for a later month, then the earlier month, late.
@example(sequence=[[Arrival("ytd_only", "244", 2024, 3, 21, 1)], "refresh",
                   [Arrival("month", "244", 2024, 2, 22, 40), Arrival("plan", "244", 2024, 0, 23, 5)], "refresh",
                   [Arrival("plan", "244", 2024, 0, 24, 90)]],
         corrections=[25, 26])
def test_an_incremental_refresh_equals_a_full_rebuild(engine: Engine, sequence: list[Any],
                                                      corrections: list[int]) -> None:
    empty_warehouse(engine)  # each example from nothing: an earlier example's marts would outlive its data
    sent: list[Arrival] = []
    n = 0
    for step in [*sequence, "corrections", "refresh"]:
        if step == "refresh":
            assert_incremental_equals_full(engine)
            continue
        if step == "corrections":  # versions 2 of months already sent, arriving later, other figures
            batch = [Arrival("month", a.district, a.year, a.month, seed, a.delay_days + 30)
                     for a, seed in zip(sent, corrections, strict=False)]
        else:
            batch = step
        files = []
        for arrival in batch:
            n += 1
            files.append(arrival.file(n))
        if files:
            ingest_files(engine, files)
        sent += [a for a in batch if a.kind != "plan"]
