"""`cchc run` for a generated province of 250 communes (one export of 2,000 dossiers each for 2023Q3, a registry
of synthetic units), HTML + PDF, 2 workers: the whole time, and each brief's cost by step."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from .bench_run import ENV, summary, timed_run
from .common import ROOT, Result, measure


def run(units: int = 250, rows: int = 2000, runs: int = 1) -> tuple[list[Result], str]:
    from .make_export import write_export

    work = Path(tempfile.mkdtemp(prefix="cchc-bench-province-"))
    try:
        data = work / "data"
        lines = ["unit_id,code,name,type,group,province"]
        for i in range(units):
            name = f"Thử Nghiệm {i + 1}"
            lines.append(f"98-{i:05d},{80000 + i},{name},xã,Tỉnh Thử Nghiệm,Tỉnh Thử Nghiệm")
            write_export(data / "raw" / f"xa-{i + 1}" / "q3.xlsx", rows, seed=i + 1, unit=name.upper(), months=(7, 9))
        (data / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (data / "units.yaml").write_text("scope: Tỉnh Thử Nghiệm\n", encoding="utf-8")  # the province's area
        ingest = measure(
            f"cchc ingest, {units} exports of {rows:,} rows",
            [sys.executable, "-m", "cchc_analysis", "-q", "--data-dir", str(data), "ingest"],
            1,
            env=ENV,
            cwd=ROOT,
        )
        result, timings, manifest = timed_run(
            f"cchc run 2023Q3, {units} units + 1 group, html+pdf, --jobs 2",
            data,
            work / "reports",
            "2023Q3",
            [],
            runs,
        )
        ok = sum(t["status"] == "ok" for t in manifest["tasks"])
        return [ingest, result], (
            f"{units} synthetic communes, {ok}/{len(manifest['tasks'])} briefs; median per brief: {summary(timings)}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
