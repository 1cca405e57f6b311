"""Every reader test runs twice: with the cell-list reader (python-calamine), and as a large sheet is read: the
columnar reader (fastexcel into Arrow), columns worked on two threads and ID numbers hashed by a worker process.
Both must give the same results on every layout. Modules of pure rules that read no file (``READS_FILES =
False``) run once."""

import pytest

from cchc_analysis import pseudonym
from cchc_analysis.ingest import grid, onestop


def pytest_generate_tests(metafunc):
    if "reader" in metafunc.fixturenames:
        both = getattr(metafunc.module, "READS_FILES", True)
        metafunc.parametrize("reader", ["cells", "columnar"] if both else ["cells"], indirect=True)


@pytest.fixture(autouse=True)
def reader(request, monkeypatch):
    if request.param == "columnar":
        monkeypatch.setattr(grid, "COLUMNAR_MIN_BYTES", 0)
        monkeypatch.setattr(onestop, "PARALLEL_ROWS", 0)
        monkeypatch.setattr(onestop, "MAX_HEADER_REPEATS", 0)  # repeated headers searched in every whole column
        monkeypatch.setattr(pseudonym, "PARALLEL_MIN", 0)
    return request.param
