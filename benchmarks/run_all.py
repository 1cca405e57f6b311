"""`make bench`: run every benchmark and write benchmarks/RESULTS.md (medians of at least 3 runs, peak RSS).

Usage: python -m benchmarks.run_all [--quick] [--only hostile,indicators,ingest,run,province]
--quick uses small sizes (a smoke run of the scripts, not results to record).
"""

from __future__ import annotations

import argparse
import datetime as dt

from . import bench_hostile, bench_indicators, bench_ingest, bench_province, bench_run
from .common import ROOT, compile_package, machine, table


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="hostile,indicators,ingest,run,province")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args()
    only = set(args.only.split(","))
    compile_package()
    sections = []
    if "hostile" in only:
        results, what = bench_hostile.run(runs=1 if args.quick else 3)
        sections.append(("Hostile-input corpus", what, results))
    if "indicators" in only:
        n, units = (200_000, 332) if args.quick else (10_000_000, 3321)
        results, what = bench_indicators.run(n=n, units=units, runs=1 if args.quick else 3)
        sections.append(("Indicators and rankings", what, results))
    if "ingest" in only:
        rows = 20_000 if args.quick else 1_000_000
        results, what = bench_ingest.run(rows=rows, runs=1 if args.quick else 3, naive_runs=1 if args.quick else 3)
        sections.append(("Ingest of one large export", what, results))
    if "run" in only:
        results, what = bench_run.run(runs=1 if args.quick else 3)
        sections.append(("The period run", what, results))
    if "province" in only:
        results, what = bench_province.run(units=12 if args.quick else 250, rows=200 if args.quick else 2000)
        sections.append(("A province of 250 communes", what, results))
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {dt.date.today():%d/%m/%Y}. Machine: {machine()}.",
        "Each figure is the median wall time of the runs listed (each a fresh process); peak RSS is the largest",
        "resident set of that process (GNU time; a wait4 on a child forked from the benchmark process would count",
        "the parent's pages). The package is byte-compiled before the runs, as installing it does.",
        "",
    ]
    for title, what, results in sections:
        lines += [f"## {title}", "", what, "", table(results), ""]
    history = ROOT / "benchmarks" / "history.md"
    if history.is_file():
        lines += [history.read_text(encoding="utf-8")]
    with open(args.output, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
