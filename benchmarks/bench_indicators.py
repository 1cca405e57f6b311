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


# the anchor: one plain DuckDB query of the per-unit state counts of 2023Q3 (received, online, resolved early / on
# time / late, pending, carried over) over the store's files, written without the package; in-process median of 3
ANCHOR = """
import statistics, sys, time
import duckdb
files = sys.argv[1] + "/processed/dossiers/*/*/*.parquet"
finish = "coalesce(processed_at, result_at, handed_at)"
sql = f\"\"\"
SELECT unit_id,
  count(*) FILTER (WHERE received_at >= '2023-07-01') AS received,
  count(*) FILTER (WHERE received_at >= '2023-07-01' AND channel = 'online') AS online,
  count(*) FILTER (WHERE received_at < '2023-07-01') AS carried_over,
  count(*) FILTER (WHERE {finish} < '2023-10-01' AND {finish}::DATE < due_at::DATE) AS early,
  count(*) FILTER (WHERE {finish} < '2023-10-01' AND {finish}::DATE = due_at::DATE) AS on_time,
  count(*) FILTER (WHERE {finish} < '2023-10-01' AND {finish}::DATE > due_at::DATE) AS late,
  count(*) FILTER (WHERE {finish} IS NULL OR {finish} >= '2023-10-01') AS pending
FROM read_parquet('{files}', hive_partitioning = true)
WHERE status IS DISTINCT FROM 'not_accepted' AND received_at < '2023-10-01'
  AND ({finish} IS NULL OR {finish} >= '2023-07-01') AND year <= 2023
GROUP BY unit_id
\"\"\"
con = duckdb.connect()
times = []
for _ in range(3):
    t = time.perf_counter()
    rows = len(con.execute(sql).df())
    times.append(time.perf_counter() - t)
print(f"anchor (plain DuckDB query, state counts per unit, 2023Q3): {rows} units in {statistics.median(times):.2f} s")
"""

# the package's counting of the same quarter: the history of the whole store, then every dossier figure of every
# unit (the counts above and the payment, procedure, digitisation and unknown-input counts, the rates)
COUNTING = """
import statistics, sys, time
from cchc_analysis.indicators import CATALOGUE_COLUMNS, compute_onestop_indicators, unit_history
from cchc_analysis.periods import parse_period
from cchc_analysis.store import read_table, store_rows
from pathlib import Path
processed, period = Path(sys.argv[1]) / "processed", parse_period("2023Q3")
times = []
for _ in range(3):
    t = time.perf_counter()
    history = unit_history(store_rows(processed))
    rows, catalogue = store_rows(processed, period), read_table(processed, "catalogue", CATALOGUE_COLUMNS)
    got = compute_onestop_indicators(rows, period, catalogue, None, history)
    times.append(time.perf_counter() - t)
median = statistics.median(times)
print(f"package counting (unit_history + compute_onestop_indicators, 2023Q3): {len(got)} units in {median:.2f} s")
"""


def _in_process(snippet: str, work: Path) -> str:
    """Run ``snippet`` on the store; what it prints and the process's peak RSS."""
    import subprocess

    with tempfile.NamedTemporaryFile(suffix=".rss") as rss:
        out = subprocess.run(
            ["/usr/bin/time", "-q", "-f", "%M", "-o", rss.name, *python_snippet(snippet), str(work)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
        peak = int(Path(rss.name).read_text().split()[-1]) / 1024
    return f"{out}, peak RSS {peak:.0f} MiB"


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
        anchor, counting = _in_process(ANCHOR, work), _in_process(COUNTING, work)
        return results, f"{n:,} dossiers, {units:,} units, synthetic store; {out}; {anchor}; {counting}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
