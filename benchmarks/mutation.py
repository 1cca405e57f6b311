"""`make mutation`: mutation testing of the rule modules (mutmut, configured in pyproject.toml's [tool.mutmut]) and
the report docs/mutation-report.md: the score per module, and every surviving mutant with why it survives.

Usage: python -m benchmarks.mutation [--jobs N] [--only MODULE ...] [--all] [--report-only]

A mutant that survives is a change to a rule that no test notices. Each one is either killed by a new test, or
listed in benchmarks/mutation_equivalents.yaml with why it changes nothing a user can see (an equivalent mutant:
a default argument every caller passes, a cache size, a message's wording...). The report marks the survivors that
are neither: those are the work left.

A reviewed equivalent runs every one of its tests to the end, for nothing: about a third of a whole run. So the
mutants that match an entry of the list (the same module, function and changed lines, exactly) are recorded as
such before the run and not run again; a change to the function's lines makes them new mutants, which run. `--all`
runs them too (to check that the list still holds).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = [sys.executable, "-m", "mutmut"]
REPORT = ROOT / "docs" / "mutation-report.md"
EQUIVALENTS = ROOT / "benchmarks" / "mutation_equivalents.yaml"
TARGET = 90.0


# mutmut's exit code for a mutant it was told to skip; a reviewed equivalent is recorded with it before the run
REVIEWED = 34
# a function of three mutants whose few tests take a second: running it makes mutmut generate every mutant and
# collect its per-test statistics, which the whole run then reuses
FIRST = "cchc_analysis.coverage.x__fmt__mutmut_*"


def run_mutmut(jobs: int, only: list[str], rerun_equivalents: bool = False) -> float:
    """A fresh run (mutmut's incremental mode would keep the results of mutants whose tests changed since), the
    reviewed equivalents recorded first unless ``rerun_equivalents``."""
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    started = time.perf_counter()
    names = [f"{m}.*" for m in only]
    base = [*MUTMUT, "run", "--max-children", str(jobs)]
    if rerun_equivalents:
        subprocess.run([*base, *names], cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    else:
        subprocess.run([*base, FIRST], cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
        record_reviewed(only)
        # without names mutmut runs every mutant that has no result yet (a named mutant runs even if it has one)
        subprocess.run(base, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


REVIEWED_LIST = ROOT / "mutants" / "reviewed-equivalents.json"


def record_reviewed(only: list[str]) -> set[str]:
    """Mark, in mutants/, the mutants that match a reviewed equivalent (and, with ``only``, those of other modules)
    as not to be run; the equivalents' names go to mutants/reviewed-equivalents.json for the report."""
    equivalents = load_equivalents()
    marked = set()
    metas = {meta: json.loads(meta.read_text(encoding="utf-8")) for meta in (ROOT / "mutants").rglob("*.py.meta")}
    # the same change in two places of one function reads the same: such twins are run, never marked (one of them
    # may be killed where the other is equivalent)
    changes: dict[tuple, list[str]] = defaultdict(list)
    for data in metas.values():
        for name, code in data["exit_code_by_key"].items():
            module, function = module_and_function(name)
            if code is None and (not only or module in only):
                changes[(module, function, *diff_of(name))].append(name)
    for (module, function, before, after), names in changes.items():
        if len(names) == 1 and any(_matches(e, module, function, before, after) for e in equivalents):
            marked.add(names[0])
    for meta, data in metas.items():
        codes = data["exit_code_by_key"]
        for name, code in codes.items():
            if code is None and (name in marked or (only and module_and_function(name)[0] not in only)):
                codes[name] = REVIEWED
        meta.write_text(json.dumps(data, indent=4), encoding="utf-8")
    REVIEWED_LIST.write_text(json.dumps(sorted(marked), indent=0), encoding="utf-8")
    return marked


def reviewed_names() -> set[str]:
    """The mutants the last run did not run because they match a reviewed equivalent."""
    return set(json.loads(REVIEWED_LIST.read_text(encoding="utf-8"))) if REVIEWED_LIST.is_file() else set()


def results() -> dict[str, str]:
    """Every mutant's status: killed, survived, timeout, no tests, skipped, suspicious..."""
    out = subprocess.run([*MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True).stdout
    status = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+__mutmut_\d+): (.+)$", line)
        if m:
            status[m.group(1)] = m.group(2).strip()
    return status


_SOURCES: dict[str, dict[str, str]] = {}


def _functions(module: str) -> dict[str, str]:
    """Every function of a mutated module in mutants/ (the original and each mutant), by name, as source text."""
    if module not in _SOURCES:
        import ast

        path = ROOT / "mutants" / (module.replace(".", "/") + ".py")
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        _SOURCES[module] = {
            node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
            for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "__mutmut_" in node.name
        }
    return _SOURCES[module]


def diff_of(name: str) -> tuple[str, str]:
    """The lines a mutant changes, before and after (read from the mutated sources in mutants/, no mutmut call)."""
    import difflib

    module, _, function = name.rpartition(".")
    functions = _functions(module)
    original = functions.get(re.sub(r"__mutmut_\d+$", "__mutmut_orig", function), "")
    mutated = functions.get(function, "")
    before, after = [], []

    # the def line counts (a default argument is mutated there) without the mutant's own name
    def body(text: str) -> list[str]:
        lines = text.splitlines()
        return [re.sub(r"__mutmut_\w+\(", "(", lines[0]), *lines[1:]] if lines else []

    for line in difflib.unified_diff(body(original), body(mutated), lineterm="", n=0):
        if line.startswith("-") and not line.startswith("---"):
            before.append(line[1:].strip())
        elif line.startswith("+") and not line.startswith("+++"):
            after.append(line[1:].strip())
    return " ".join(before), " ".join(after)


def module_and_function(name: str) -> tuple[str, str]:
    head, _, _ = name.partition("__mutmut_")
    module, _, function = head.rpartition(".")
    return module, re.sub(r"^x[ǁ_]", "", function).replace("ǁ", ".")


def _matches(entry: dict, module: str, function: str, before: str, after: str) -> bool:
    """An entry names one mutant (module, function, before, after: the report's strings exactly) or, for a change
    that is equivalent wherever it occurs (a codec name's case, zip's strict flag on lists equal by construction),
    a family of them: `function: "*"` and `before_re`/`after_re` (regular expressions searched in the lines)."""
    if entry["module"] != module or entry["function"] not in (function, "*"):
        return False
    if "before_re" in entry or "after_re" in entry:
        return bool(re.search(entry.get("before_re", ""), before) and re.search(entry.get("after_re", ""), after))
    return entry["before"] == before and entry["after"] == after


def load_equivalents() -> list[dict]:
    if not EQUIVALENTS.is_file():
        return []
    return yaml.safe_load(EQUIVALENTS.read_text(encoding="utf-8")) or []


def write_report(status: dict[str, str], seconds: float | None, jobs: int) -> str:
    equivalents = load_equivalents()
    reviewed = reviewed_names()
    by_module: dict[str, Counter] = defaultdict(Counter)
    unchecked: Counter = Counter()
    survivors = []
    for name, state in sorted(status.items()):
        if state == "skipped":  # recorded before the run: a reviewed equivalent, or a module a run of some left out
            state = "reviewed" if name in reviewed else "not checked"
        if state == "not checked":  # a run of some modules only (--only), or a run stopped before its end
            unchecked[module_and_function(name)[0]] += 1
            continue
        module, function = module_and_function(name)
        by_module[module][state] += 1
        if state in ("survived", "no tests", "reviewed"):
            before, after = diff_of(name)
            why = next((e["why"] for e in equivalents if _matches(e, module, function, before, after)), None)
            survivors.append((module, function, before, after, state, why))
    lines = [
        "# Mutation testing of the rule modules",
        "",
        f"Written by `make mutation` (`python -m benchmarks.mutation`) on {dt.date.today():%d/%m/%Y} with mutmut, "
        f"{jobs} workers" + (f", in {seconds / 60:.1f} minutes" if seconds is not None else "") + ". Each mutant is "
        "one small change to a rule module (an operator, a number, a comparison, a name, a string); it runs the tests "
        "that run the mutated function (pyproject.toml `[tool.mutmut]` lists the modules and the tests). A mutant is "
        "killed when a test fails. The wording of messages and log lines is left out (reviewed, not mutation-tested).",
        "",
        "Score = (killed + timeout) / (mutants − equivalent), the usual mutation score: an equivalent mutant changes "
        "nothing a user can see (each is listed below with why), so no test can kill it. *Killed of all* counts "
        "them as not killed. Target: a score of 90% in each module. A mutant that matches a reviewed equivalent "
        "exactly (module, function, changed lines; never one of two identical changes in a function) is not run "
        "again: it survived every run before, and its tests would all run to the end for nothing; "
        "`python -m benchmarks.mutation --all` runs those too.",
        "",
    ]
    if unchecked:
        checked = sum(sum(c.values()) for c in by_module.values())
        lines += [
            f"**Partial run: {checked:,} of {len(status):,} mutants checked** (a run of some modules, or one stopped "
            "before its end). Not checked: "
            + ", ".join(f"{m} {n}" for m, n in sorted(unchecked.items()))
            + ". The scores below are those of the mutants checked.",
            "",
        ]
    lines += [
        "| module | mutants | killed | timeout | survived | equivalent | no tests | killed of all | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m, _f, _b, _a, state, why in survivors:  # each survivor is either equivalent (with why) or still open
        by_module[m]["equivalent" if why else "open" if state != "no tests" else "untested"] += 1
    totals = Counter()
    for module in sorted(by_module):
        totals.update(by_module[module])
        lines.append(_score_row(module, by_module[module]))
    if totals:
        lines.append(_score_row("**all**", totals))
    open_ones = [s for s in survivors if not s[5]]
    lines += [
        "",
        f"## Survivors not yet killed ({len(open_ones)})",
        "",
        "Each needs a test that fails when the rule changes so (or, if it truly changes nothing, an entry in "
        "benchmarks/mutation_equivalents.yaml saying why).",
        "",
    ]
    lines += [
        f"- `{m}.{f}`: `{b}` → `{a}`" + (" (no test runs it)" if s == "no tests" else "")
        for m, f, b, a, s, _w in open_ones
    ] or ["None."]
    lines += ["", f"## Survivors that are equivalent ({len(survivors) - len(open_ones)})", ""]
    lines += [
        f"- `{m}.{f}`: `{b}` → `{a}`: {w}" + (" (reviewed, not run again)" if s == "reviewed" else "")
        for m, f, b, a, s, w in survivors
        if w
    ] or ["None."]
    text = "\n".join(lines) + "\n"
    REPORT.write_text(text, encoding="utf-8")
    return text


def _score_row(name: str, c: Counter) -> str:
    """A row of the score table from a module's counts: its mutants by result, the survivors split into equivalent
    (reviewed, with why), open and untested."""
    total = sum(c[k] for k in ("killed", "timeout", "survived", "reviewed", "no tests", "suspicious"))
    good = c["killed"] + c["timeout"]
    score = 100 * good / (total - c["equivalent"]) if total > c["equivalent"] else 100.0
    return (
        f"| {name} | {total} | {c['killed']} | {c['timeout']} | {c['open']} | {c['equivalent']} | {c['untested']} | "
        f"{100 * good / total:.1f}% | {score:.1f}% |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--report-only", action="store_true", help="report the last run's results")
    parser.add_argument("--only", nargs="*", default=[], metavar="MODULE", help="e.g. cchc_analysis.ranking")
    parser.add_argument("--all", action="store_true", help="run the reviewed equivalents again too")
    args = parser.parse_args()
    seconds = None if args.report_only else run_mutmut(args.jobs, args.only, rerun_equivalents=args.all)
    text = write_report(results(), seconds, args.jobs)
    print("\n".join(text.splitlines()[:30]))


if __name__ == "__main__":
    main()
