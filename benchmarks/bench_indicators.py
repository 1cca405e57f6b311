"""Indicators and rankings for 10,000,000 dossiers (Parquet) across 3,321 units (a synthetic store)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from .common import ROOT, Result, measure


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
        return results, f"{n:,} dossiers, {units:,} units, synthetic store"
    finally:
        shutil.rmtree(work, ignore_errors=True)
