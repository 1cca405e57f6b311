"""Forked workers: results in order, log records back in the parent, errors raised, and an ingest on two processes
that gives the same store as one. (Linux forks; where a platform cannot, fork_map runs in-process.)"""

import logging
import os
import shutil

import pytest

from cchc_analysis.parallel import default_jobs, fork_map
from cchc_analysis.store import ingest

log = logging.getLogger("tests.parallel")  # propagates to the root, where caplog listens


def _square_and_log(x: int) -> tuple[int, int]:
    log.warning("item %d", x)
    log.debug("hidden %d", x)
    return x * x, os.getpid()


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


def test_results_come_back_in_order_from_other_processes(caplog):
    caplog.set_level(logging.WARNING, logger="tests.parallel")
    out = list(fork_map(_square_and_log, range(6), jobs=2))
    assert [v for v, _pid in out] == [0, 1, 4, 9, 16, 25]
    assert os.getpid() not in {pid for _v, pid in out}  # each item ran on a forked worker
    # the workers' records reach the parent's handlers, in the items' order; below the level they stay quiet
    assert [r.getMessage() for r in caplog.records if r.name == "tests.parallel"] == [f"item {x}" for x in range(6)]


def test_an_error_in_a_worker_is_raised_in_the_caller():
    with pytest.raises(ValueError, match="three"):
        list(fork_map(_fail_on_three, range(8), jobs=2))


def test_one_job_runs_in_this_process():
    out = list(fork_map(_square_and_log, [2, 3], jobs=1))
    assert out == [(4, os.getpid()), (9, os.getpid())]


def test_jobs_default_to_the_environment_then_the_cores(monkeypatch):
    monkeypatch.setenv("CCHC_JOBS", "3")
    assert default_jobs() == 3
    monkeypatch.setenv("CCHC_JOBS", "zero")
    assert default_jobs() == (os.cpu_count() or 1)
    monkeypatch.delenv("CCHC_JOBS")
    assert default_jobs() == (os.cpu_count() or 1)


def test_an_ingest_on_two_processes_gives_the_same_store_as_on_one(demo_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY", "a-test-key-of-enough-length")  # the same keyed digests in both
    # one export of each layout, a catalogue, two budget reports and a PAR sheet, plus a file to refuse
    files = [
        "thanh-giang/mot-cua/DanhSachHoSo_2023-07-01_2023-09-30.xlsx",
        "lam-son/mot-cua/BaoCaoChiTietHoSo_Q3_2023.xlsx",
        "ngu-hung/mot-cua/ThongKeHoSo_202307_202309.xls",
        "thanh-giang/danh-muc-tthc.xlsx",
        "thanh-giang/ngan-sach/BC_thu_chi_NS_2023_08.xlsx",
        "chi-lang-nam/ngan-sach/BC_thu_chi_NS_2023_08.xlsx",
        "huyen-thanh-mien/ChiSoCCHC_2022_cac_xa_thi_tran.xlsx",
    ]
    stores = {}
    for jobs in (1, 2):
        data = tmp_path / f"jobs{jobs}"
        for rel in files:
            (data / "raw" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(demo_dir / "raw" / rel, data / "raw" / rel)
        (data / "raw" / "thanh-giang" / "hong.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
        shutil.copy(demo_dir / "units.yaml", data / "units.yaml")
        outcome = ingest(data, jobs=jobs)
        assert [r.file for r in outcome.refused] == ["thanh-giang/hong.xlsx"]
        stores[jobs] = (
            {p.name: p.read_bytes() for p in sorted((data / "processed").glob("*.parquet"))},
            (data / "processed" / "ingest_report.json").read_text(encoding="utf-8").replace(str(data), "DATA"),
        )
    assert stores[1][0].keys() == stores[2][0].keys() and len(stores[1][0]) >= 5
    for name in stores[1][0]:
        assert stores[1][0][name] == stores[2][0][name], name
    assert stores[1][1] == stores[2][1]


def _count_new(day: str) -> tuple[int, int]:
    import pandas as pd

    from cchc_analysis.periods import parse_period
    from cchc_analysis.states import received_in

    frame = pd.DataFrame({"unit_id": ["A", "A"], "status": [None, None], "received_at": pd.to_datetime([day, day])})
    return int(received_in(frame, parse_period("2023Q3")).sum()), os.getpid()


def test_workers_count_with_duckdb_after_the_parent_did():
    # the parent opens its DuckDB database first; each forked worker opens its own (the parent's is closed before
    # the fork, so no worker inherits DuckDB's threads) and the parent counts again afterwards
    assert _count_new("2023-07-01")[0] == 2
    out = list(fork_map(_count_new, ["2023-07-01", "2023-06-30", "2023-09-30", "2023-10-01"], jobs=2))
    assert [n for n, _pid in out] == [2, 0, 2, 0]
    assert os.getpid() not in {pid for _n, pid in out}
    assert _count_new("2023-09-30")[0] == 2
