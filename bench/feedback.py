"""Benchmark: feedback workbooks (etl.alerts.feedback) for a national month's faulty files, printed as
figures (never asserted).

The national month of bench/national_month.py is generated the same way (every legacy district's May
2024 as XLSX, its correction as JSON); one file in twenty of each format (5 %) gets a few messages, as
a rejected file would: three cells of chi_tieu, a row of nhiem_vu without a cell, one about the whole
file. Prints the seconds to build their feedback workbooks, in total and per file, beside the seconds
to read those same files (etl.intake.readers.read_file, ingest's first step) and to read the whole
month, so the cost can be set against the month's; and what reading the cells' number formats
(percent cells read as shown) adds to reading the month's XLSX files. No database.

    .venv/bin/python -m bench.feedback            # all 696 legacy districts
    .venv/bin/python -m bench.feedback --quick    # 100 of them
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from bench.national_month import generate, legacy_units
from etl.alerts.feedback import FeedbackItem, build_feedback_workbook
from etl.domain.contract import FORMAT_JSON, INDICATOR_SHEET, TASK_SHEET
from etl.intake import readers
from etl.intake.readers import ReadFile, cell_name, read_file

SAMPLE_EVERY = 20  # 5 %
QUICK_DISTRICTS = 100


def faults(read: ReadFile) -> list[FeedbackItem]:
    """A rejected file's few messages, placed where the checks would place them."""
    items: list[FeedbackItem] = []
    indicators = read.tables[INDICATOR_SHEET]
    for row, _values in indicators.rows[1:12:5]:
        col = "thuc_hien_thang"
        cell = None if read.fmt == FORMAT_JSON else cell_name(row, indicators.positions[col])
        items.append(FeedbackItem("error", "NUMBER_INVALID", indicators.sheet, row, indicators.columns.get(col, col),
                                  cell, f"Trang '{indicators.sheet}', dòng {row}: giá trị không đọc được."))
    tasks = read.tables[TASK_SHEET]
    if tasks.rows:
        row = tasks.rows[0][0]
        items.append(FeedbackItem("warning", "TASK_OVERDUE", tasks.sheet, row, None, None,
                                  f"Trang '{tasks.sheet}', dòng {row}: nhiệm vụ đã quá hạn."))
    items.append(FeedbackItem("error", "PERIOD_FUTURE", None, None, None, None,
                              "Kỳ báo cáo chưa bắt đầu vào ngày nhận tệp."))
    return items


def measure(label: str, paths: list[Path]) -> tuple[float, float, int]:
    """(seconds to read the sample, seconds to build its feedback, files) for 5 % of `paths`."""
    sample = [(p.name, p.read_bytes()) for p in paths[::SAMPLE_EVERY]]
    read_s = build_s = 0.0
    messages = out_bytes = in_bytes = 0
    fmt = paths[0].suffix.lstrip(".")
    for name, data in sample:
        t0 = time.perf_counter()
        read = read_file(name, data)
        read_s += time.perf_counter() - t0
        items = faults(read)
        t0 = time.perf_counter()
        out = build_feedback_workbook(data, fmt, name, items)
        build_s += time.perf_counter() - t0
        messages += len(items)
        in_bytes += len(data)
        out_bytes += len(out)
    n = len(sample)
    print(f"\n{label}: {n} of {len(paths)} files ({100 * n / len(paths):.0f} %), {messages} messages")
    print(f"  {'step':<28}{'seconds':>9}{'ms/file':>10}")
    print(f"  {'read (read_file)':<28}{read_s:>9.2f}{1000 * read_s / n:>10.1f}")
    print(f"  {'feedback workbook':<28}{build_s:>9.2f}{1000 * build_s / n:>10.1f}")
    print(f"  feedback / read: {build_s / read_s:.1f}x; files {in_bytes / n / 1024:.0f} KB, "
          f"feedback workbooks {out_bytes / n / 1024:.0f} KB on average")
    return read_s, build_s, n


def read_all(paths: list[Path]) -> float:
    t0 = time.perf_counter()
    for p in paths:
        read_file(p.name, p.read_bytes())
    return time.perf_counter() - t0


def cell_format_cost(paths: list[Path]) -> tuple[float, float]:
    """Seconds to read the XLSX files with the number formats read (percent cells as shown) and
    without (the styles part skipped), best of three each, alternated."""
    with_formats, without = [], []
    for _ in range(3):
        with_formats.append(read_all(paths))
        original = readers.percent_styles
        readers.percent_styles = lambda _zf, _part: frozenset()  # type: ignore[assignment]
        try:
            without.append(read_all(paths))
        finally:
            readers.percent_styles = original
    return min(with_formats), min(without)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_DISTRICTS} districts, not all")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        xlsx, jsons, gen_s, rows = generate(Path(tmp), 2024, 5,
                                            legacy_units(2024, 5, QUICK_DISTRICTS if args.quick else None))
        print(f"generated {len(xlsx)} XLSX + {len(jsons)} JSON files ({rows:,} indicator + task rows a version) "
              f"in {gen_s:.2f} s (not part of the figures)")
        figures = [measure("XLSX, first versions", xlsx), measure("JSON, corrected versions", jsons)]
        month_read = read_all(xlsx + jsons)
        formats_s, plain_s = cell_format_cost(xlsx)
    read_s, build_s, n = (sum(f[i] for f in figures) for i in range(3))
    print(f"\nthe month's {len(xlsx) + len(jsons)} files read (read_file, one process): {month_read:.2f} s")
    print(f"feedback workbooks for its 5 % ({n} files): {build_s:.2f} s, {1000 * build_s / n:.1f} ms a file, "
          f"{100 * build_s / month_read:.0f} % of reading the whole month (reading those {n}: {read_s:.2f} s)")
    extra = formats_s - plain_s
    print(f"reading the number formats (percent cells as shown), {len(xlsx)} XLSX files, best of three: "
          f"{formats_s:.2f} s with, {plain_s:.2f} s without ({1000 * extra / len(xlsx):+.2f} ms a file, "
          f"{100 * extra / plain_s:+.1f} %)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
