"""`cchc run` for the 17-unit demo district with HTML + PDF (2 workers), and where each brief's time goes
(kernel start-up, cell execution, HTML, PDF) from the run manifest's per-task timings."""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from .common import ROOT, Result, measure, run_timings

ENV = {"CCHC_PSEUDONYM_KEY": "benchmark-key-of-enough-length"}


def timed_run(name: str, data: Path, reports: Path, period: str, extra: list[str], runs: int):
    """Time `cchc run` ``runs`` times from a clean reports folder; (result, per-brief timings, last manifest)."""
    timings: dict[str, list[float]] = {}
    manifests: list[dict] = []

    def read_manifest():
        manifests.append(json.loads((reports / period / "manifest.json").read_text(encoding="utf-8")))
        run_timings(manifests[-1], timings)

    argv = [sys.executable, "-m", "cchc_analysis", "-q", "--data-dir", str(data), "--reports-dir", str(reports)]
    argv += ["run", "--period", period, "--formats", "html,pdf", "--jobs", "2", *extra]
    result = measure(
        name,
        argv,
        runs,
        env=ENV,
        cwd=ROOT,
        before=lambda: shutil.rmtree(reports, ignore_errors=True),
        after=read_manifest,
    )
    return result, timings, manifests[-1]


def summary(timings: dict[str, list[float]]) -> str:
    return ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in sorted(timings.items()))


def run(runs: int = 3) -> tuple[list[Result], str]:
    from cchc_analysis.demo import generate_demo_data

    work = Path(tempfile.mkdtemp(prefix="cchc-bench-run-"))
    try:
        generate_demo_data(work / "data")
        ingest = measure(
            "cchc ingest, demo district (564 files, cold)",
            [sys.executable, "-m", "cchc_analysis", "-q", "--data-dir", str(work / "data"), "ingest"],
            1,
            env=ENV,
            cwd=ROOT,
        )
        result, timings, _manifest = timed_run(
            "cchc run 2023Q4, 17 units + 1 group, html+pdf, --jobs 2",
            work / "data",
            work / "reports",
            "2023Q4",
            ["--group", "Huyện Thanh Miện"],
            runs,
        )
        return [ingest, result], f"demo district (17 units); median per brief: {summary(timings)}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
