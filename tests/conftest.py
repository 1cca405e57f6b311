"""Shared fixtures: the demo district is generated once per test session."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import pytest

from cchc_analysis.demo import generate_demo_data
from cchc_analysis.store import ingest

# The tests' data folders are the demo district's (its exports name "Lam Sơn", a name nine units of the country
# had): they are looked up in its area, as a data folder with ``scope: Huyện Thanh Miện`` is. The national
# registry's own tests (test_registry_national.py, the CLI's --group tests) clear or replace it.
os.environ["CCHC_SCOPE"] = "Huyện Thanh Miện"
# files are read in this process (tests patch readers and watch their calls); tests/test_parallel.py forks on purpose
os.environ["CCHC_JOBS"] = "1"

SETUP_DURATIONS = Path("mutmut-setup-durations.json")  # beside mutmut's statistics, in mutants/
_setup_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """While mutmut records its statistics, note each test's setup time too (mutmut keeps the call's only: a test
    whose fixture builds a store looks quick without it)."""
    if report.when == "setup" and os.environ.get("MUTANT_UNDER_TEST") == "stats":
        _setup_seconds[report.nodeid] = report.duration


def pytest_sessionfinish(session):
    if os.environ.get("MUTANT_UNDER_TEST") == "stats" and _setup_seconds:
        SETUP_DURATIONS.write_text(json.dumps(_setup_seconds), encoding="utf-8")


def pytest_collection_modifyitems(config, items):
    """Under mutation testing, a mutant's tests run fastest first (setup and call, as timed in mutmut's clean run):
    the run stops at the first failure (-x), so a mutant a quick test kills costs only that test."""
    stats = Path("mutmut-stats.json")  # mutmut runs the tests from mutants/, where it keeps its statistics
    if os.environ.get("MUTANT_UNDER_TEST") in (None, "stats") or not stats.is_file():
        return
    try:
        calls = json.loads(stats.read_text(encoding="utf-8")).get("duration_by_test", {})
        setups = json.loads(SETUP_DURATIONS.read_text(encoding="utf-8")) if SETUP_DURATIONS.is_file() else {}
    except (OSError, ValueError):
        return
    items.sort(key=lambda item: calls.get(item.nodeid, float("inf")) + setups.get(item.nodeid, 0.0))


_caches_cleared_in: int | None = None


@pytest.fixture(autouse=True)
def _fresh_caches_under_mutation():
    """Under mutation testing (`make mutation`), the cached vocabularies and label matches are built again by the
    mutated code: each mutant's process (forked from a server that collected the tests, which may have filled them
    with what the unmutated code built) clears them before its first test. Once per process is enough: every later
    build in it runs the mutant. While mutmut records which tests run which function ("stats"), they are cleared
    before every test, so that each test that needs a vocabulary is seen building it."""
    global _caches_cleared_in
    mutant = os.environ.get("MUTANT_UNDER_TEST")
    if mutant is not None and (mutant == "stats" or _caches_cleared_in != os.getpid()):
        _caches_cleared_in = os.getpid()
        from cchc_analysis import methodology
        from cchc_analysis.ingest import headers, parse

        for cached in (
            methodology._indicator_file,
            parse.value_vocabularies,
            headers.source_vocabulary,
            headers.onestop_vocabulary,
            headers._match_label_all,
        ):
            cached.cache_clear()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """A data folder holding the whole generated demo district under raw/."""
    data_dir = tmp_path_factory.mktemp("demo")
    generate_demo_data(data_dir, jobs=os.cpu_count())  # the session's data: made and read on every core
    return data_dir


def digests(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def ingested(demo_dir, tmp_path_factory):
    """The demo district ingested once; the logs of that run are kept for the leak test."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CCHC_PSEUDONYM_KEY", "a-test-key-of-enough-length")
    raw_before = digests(demo_dir / "raw")
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger("cchc_analysis")
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.DEBUG)
    try:
        outcome = ingest(demo_dir, jobs=os.cpu_count())
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
        mp.undo()
    return outcome, raw_before, records


@pytest.fixture(scope="session")
def demo_run(ingested, demo_dir, tmp_path_factory):
    """The scheduled run of ``make demo`` (2023Q4, every format) over the ingested demo district, done once."""
    from cchc_analysis.periods import parse_period
    from cchc_analysis.run import run_period

    mp = pytest.MonkeyPatch()
    mp.setenv("CCHC_PSEUDONYM_KEY", "a-test-key-of-enough-length")
    reports = tmp_path_factory.mktemp("reports")
    try:
        manifest = run_period(demo_dir, reports, parse_period("2023Q4"), group="Huyện Thanh Miện", jobs=2)
    finally:
        mp.undo()
    return reports / "2023Q4", manifest
