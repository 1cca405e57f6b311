"""The hostile-input corpus of the tests plus one normal export through `cchc ingest`: time and peak RSS."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from .common import ROOT, Result, measure


def run(runs: int = 3) -> tuple[list[Result], str]:
    sys.path.insert(0, str(ROOT))
    from tests.hostile import build_corpus

    work = Path(tempfile.mkdtemp(prefix="cchc-bench-hostile-"))
    try:
        what = build_corpus(work / "raw")
        result = measure(
            "cchc ingest of the hostile corpus + one normal export (exit 1 expected)",
            [sys.executable, "-m", "cchc_analysis", "-q", "ingest", "--data-dir", str(work)],
            runs,
            env={"CCHC_PSEUDONYM_KEY": "benchmark-key-of-enough-length"},
            cwd=ROOT,
            before=lambda: shutil.rmtree(work / "processed", ignore_errors=True),
        )
        return [result], f"{len(what)} files, among them a 300 MB zip bomb and a sheet calamine aborts on"
    finally:
        shutil.rmtree(work, ignore_errors=True)
