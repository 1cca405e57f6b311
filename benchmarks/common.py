"""Shared helpers of the benchmarks: run a command as a child process several times, keep wall time and the child's
own peak RSS (from wait4), report the median."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def compile_package() -> None:
    """Byte-compile the package once, as installing it does: each run then measures the program, not the
    compiling of its modules, which a machine that sets PYTHONDONTWRITEBYTECODE (as this one) redoes in every
    process (0.06 s per run of `cchc`)."""
    import compileall

    compileall.compile_dir(ROOT / "cchc_analysis", quiet=1)


@dataclass
class Result:
    name: str
    seconds: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        return max(self.peak_mib)


def measure(
    name: str,
    argv: list[str],
    runs: int = 3,
    env: dict | None = None,
    cwd: Path | None = None,
    note: str = "",
    before=None,
    after=None,
) -> Result:
    """Run ``argv`` ``runs`` times; wall time and peak RSS of the command per run. ``before()`` runs before each
    run (clean outputs of the last one), ``after()`` after each (read what it wrote)."""
    result = Result(name, note=note)
    gnu_time = shutil.which("time") if Path("/usr/bin/time").is_file() else None
    for _ in range(runs):
        if before is not None:
            before()
        with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile(suffix=".rss") as rss:
            # GNU time reports the peak RSS of the command itself (a child forked from this process would start
            # with this process's memory counted); wait4 is the fallback
            prefix = ["/usr/bin/time", "-q", "-f", "%M", "-o", rss.name] if gnu_time else []
            started = time.perf_counter()
            proc = subprocess.Popen(
                [*prefix, *argv], env={**os.environ, **(env or {})}, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err
            )
            _pid, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - started
            code = os.waitstatus_to_exitcode(status)
            if code not in (0, 1):
                err.seek(0)
                raise RuntimeError(f"{name}: exit {code}\n{err.read().decode(errors='replace')[-2000:]}")
            peak_kib = usage.ru_maxrss
            if gnu_time:
                text = Path(rss.name).read_text().strip().splitlines()
                peak_kib = int(text[-1]) if text and text[-1].isdigit() else peak_kib
        result.seconds.append(elapsed)
        result.peak_mib.append(peak_kib / 1024)
        if after is not None:
            after()
    return result


def run_timings(manifest: dict, into: dict[str, list[float]]) -> None:
    """Add each brief's timings from a run manifest to ``into`` ("unit kernel", "group pdf", ...)."""
    for t in manifest["tasks"]:
        for k, v in {**t.get("timings", {}), "total": t["seconds"]}.items():
            into.setdefault(f"{t['kind']} {k}", []).append(v)


def python_snippet(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def machine() -> str:
    import importlib.metadata as md

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    versions = []
    for pkg in (
        "cchc-analysis",
        "pandas",
        "numpy",
        "pyarrow",
        "python-calamine",
        "fastexcel",
        "openpyxl",
        "papermill",
        "nbconvert",
        "weasyprint",
        "python-docx",
    ):
        try:
            versions.append(f"{pkg} {md.version(pkg)}")
        except md.PackageNotFoundError:
            pass
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), {mem}; "
        f"Python {platform.python_version()}; " + ", ".join(versions)
    )


def table(results: list[Result], extra: dict[str, str] | None = None) -> str:
    lines = ["| step | median s (runs) | peak RSS MiB | note |", "| --- | ---: | ---: | --- |"]
    for r in results:
        runs = ", ".join(f"{s:.1f}" for s in r.seconds)
        lines.append(
            f"| {r.name} | {r.median_s:.2f} ({runs}) | {r.peak:.0f} | {r.note or (extra or {}).get(r.name, '')} |"
        )
    return "\n".join(lines)
