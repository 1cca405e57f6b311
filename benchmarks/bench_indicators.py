"""Indicators and rankings for 10,000,000 dossiers (Parquet) across 3,321 units (a synthetic store)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from .common import ROOT, Result, measure, python_snippet

# one unit's dossiers of one quarter, timed inside the process (the call, not Python's start): median of 3 calls
LOAD_ONE_UNIT = """
import statistics, sys, time
from cchc_analysis.store import load_dossiers
load_dossiers(sys.argv[1], "2023Q3", units="99-00042")  # registry and imports loaded once
times = []
for _ in range(3):
    t = time.perf_counter()
    d = load_dossiers(sys.argv[1], "2023Q3", units="99-00042")
    times.append(time.perf_counter() - t)
print(f"load_dossiers one unit, one quarter: {len(d)} rows in {statistics.median(times):.3f} s (median of 3 calls)")
"""


def run(n: int = 10_000_000, units: int = 3321, runs: int = 3) -> tuple[list[Result], str]:
    from .make_store import write_store

    work = Path(tempfile.mkdtemp(prefix="cchc-bench-ind-"))
    try:
        write_store(work, n, units)
        base = [sys.executable, "-m", "cchc_analysis", "-q", "--data-dir", str(work)]
        results = [
            measure(
                "cchc indicators, one quarter, all units (JSON)",
                [*base, "indicators", "--period", "2023Q3", "--format", "json", "-o", str(work / "i.json")],
                runs,
                cwd=ROOT,
            ),
            measure(
                "cchc indicators, whole year, all units (JSON)",
                [*base, "indicators", "--period", "2023", "--format", "json", "-o", str(work / "y.json")],
                runs,
                cwd=ROOT,
            ),
            measure(
                "cchc rank, one quarter, 6 rates x all units, 1,000 draws",
                [*base, "rank", "--period", "2023Q3", "--format", "json", "-o", str(work / "r.json")],
                runs,
                cwd=ROOT,
            ),
        ]
        import subprocess

        out = subprocess.run(
            [*python_snippet(LOAD_ONE_UNIT), str(work)], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
        return results, f"{n:,} dossiers, {units:,} units, synthetic store; {out}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
