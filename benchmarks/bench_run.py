"""`cchc run` for the 17-unit demo district with HTML + PDF (2 workers), and where each brief's time goes
(kernel start-up, cell execution, HTML, PDF) from the run manifest's per-task timings."""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from .common import ROOT, Result, measure


def run(runs: int = 3) -> tuple[list[Result], str]:
    from cchc_analysis.demo import generate_demo_data

    work = Path(tempfile.mkdtemp(prefix="cchc-bench-run-"))
    env = {"CCHC_PSEUDONYM_KEY": "benchmark-key-of-enough-length"}
    try:
        generate_demo_data(work / "data")
        base = [sys.executable, "-m", "cchc_analysis", "-q", "--data-dir", str(work / "data")]
        ingest = measure("cchc ingest, demo district (564 files, cold)", [*base, "ingest"], 1, env=env, cwd=ROOT)
        results = [ingest]
        run_result = Result("cchc run 2023Q4, 17 units + 1 group, html+pdf, --jobs 2")
        breakdown: dict[str, list[float]] = {}
        for _ in range(runs):
            shutil.rmtree(work / "reports", ignore_errors=True)
            r = measure(
                "x",
                [
                    *base,
                    "--reports-dir",
                    str(work / "reports"),
                    "run",
                    "--period",
                    "2023Q4",
                    "--group",
                    "Huyện Thanh Miện",
                    "--formats",
                    "html,pdf",
                    "--jobs",
                    "2",
                ],
                1,
                env=env,
                cwd=ROOT,
            )
            run_result.seconds += r.seconds
            run_result.peak_mib += r.peak_mib
            manifest = json.loads((work / "reports" / "2023Q4" / "manifest.json").read_text(encoding="utf-8"))
            for t in manifest["tasks"]:
                if t["kind"] != "unit":
                    continue
                for k, v in t.get("timings", {}).items():
                    breakdown.setdefault(k, []).append(v)
                breakdown.setdefault("total per unit brief", []).append(t["seconds"])
        results.append(run_result)
        parts = ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in breakdown.items())
        return results, f"demo district (17 units); median per unit brief: {parts}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
