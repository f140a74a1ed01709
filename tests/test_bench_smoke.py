"""The benchmarks still run: each at its --quick size, as `make bench` would run it, on its own
database (dropped after). Their figures are printed, never asserted; what is checked is that each
ran through and printed its yardsticks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.orchestration.celery_stack import find_redis_server

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# module -> lines its --quick run must print (the figures the README quotes)
QUICK_RUNS = {
    "bench.national_month": ("raw COPY of the", "load step overall:", "communes' national month end to end:",
                             "peak memory of its ingest:", "the load by statement (--profile):",
                             "INSERT core.dim_task, INSERT core.fct_task_snapshot", "COPY core.fct_indicator_value",
                             "between statements"),
    "bench.dag_national_month": ("run success, 30 submissions loaded",),
    "bench.rollup_decade": ("full rebuild: ", "incremental refresh after it: ",  # and bench.refresh_repeat's round
                            "incremental refresh after a change to 05/2024: median",
                            "incremental refresh after a change to 05/2023: median",
                            "incremental refresh after a national month: "),
    "bench.feedback": ("feedback workbooks for its 5 %",),
    "bench.celery_topology": ("a province's month, scheduled run: 10 files", "landing to refreshed marts",
                              "40 current submissions in the warehouse"),
}
# national_month's run profiles its load too: the same run with the profiler's hooks around it
EXTRA_ARGS = {"bench.national_month": ("--profile",)}
NEEDS_REDIS = pytest.mark.skipif(find_redis_server() is None,
                                 reason="redis-server is not installed (make test installs it)")


@pytest.mark.parametrize("module", [pytest.param(m, marks=NEEDS_REDIS) if m == "bench.celery_topology" else m
                                    for m in QUICK_RUNS])
def test_the_benchmark_runs_at_its_quick_size(module: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    done = subprocess.run([sys.executable, "-m", module, "--quick", *EXTRA_ARGS.get(module, ())], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    for line in QUICK_RUNS[module]:
        assert line in done.stdout, f"{module} --quick did not print {line!r}:\n{done.stdout[-3000:]}"
