"""`cchc run` for a generated province of 250 communes (one export of 2,000 dossiers each for 2023Q3, a registry
of synthetic units), HTML + PDF, 2 workers: the whole time, and each brief's cost by step."""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from .common import ROOT, Result, measure


def run(units: int = 250, rows: int = 2000, runs: int = 1) -> tuple[list[Result], str]:
    from .make_export import write_export

    work = Path(tempfile.mkdtemp(prefix="cchc-bench-province-"))
    env = {"CCHC_PSEUDONYM_KEY": "benchmark-key-of-enough-length"}
    try:
        data = work / "data"
        lines = ["unit_id,code,name,type,group,province"]
        for i in range(units):
            name = f"Thử Nghiệm {i + 1}"
            lines.append(f"98-{i:05d},{80000 + i},{name},xã,Tỉnh Thử Nghiệm,Tỉnh Thử Nghiệm")
            write_export(data / "raw" / f"xa-{i + 1}" / "q3.xlsx", rows, seed=i + 1, unit=name.upper(), months=(7, 9))
        (data / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        base = [sys.executable, "-m", "cchc_analysis", "-q", "--data-dir", str(data)]
        results = [measure(f"cchc ingest, {units} exports of {rows:,} rows", [*base, "ingest"], 1, env=env, cwd=ROOT)]
        total = Result(f"cchc run 2023Q3, {units} units + 1 group, html+pdf, --jobs 2")
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
                    "2023Q3",
                    "--formats",
                    "html,pdf",
                    "--jobs",
                    "2",
                ],
                1,
                env=env,
                cwd=ROOT,
            )
            total.seconds += r.seconds
            total.peak_mib += r.peak_mib
            manifest = json.loads((work / "reports" / "2023Q3" / "manifest.json").read_text(encoding="utf-8"))
            ok = sum(t["status"] == "ok" for t in manifest["tasks"])
            for t in manifest["tasks"]:
                key = "unit" if t["kind"] == "unit" else "group"
                for k, v in t.get("timings", {}).items():
                    breakdown.setdefault(f"{key} {k}", []).append(v)
                breakdown.setdefault(f"{key} total", []).append(t["seconds"])
        results.append(total)
        parts = ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in sorted(breakdown.items()))
        return results, f"{units} synthetic communes, {ok}/{len(manifest['tasks'])} briefs; median per brief: {parts}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
