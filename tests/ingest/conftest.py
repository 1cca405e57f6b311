"""Every reader test runs twice: with the cell-list reader (python-calamine), and as a large sheet is read: the
columnar reader (fastexcel into Arrow), columns worked on two threads and ID numbers hashed by a worker process.
Both must give the same results on every layout."""

import pytest

from cchc_analysis import pseudonym
from cchc_analysis.ingest import grid, onestop


@pytest.fixture(autouse=True, params=["cells", "columnar"])
def reader(request, monkeypatch):
    if request.param == "columnar":
        monkeypatch.setattr(grid, "COLUMNAR_MIN_BYTES", 0)
        monkeypatch.setattr(onestop, "PARALLEL_ROWS", 0)
        monkeypatch.setattr(onestop, "MAX_HEADER_REPEATS", 0)  # repeated headers searched in every whole column
        monkeypatch.setattr(pseudonym, "PARALLEL_MIN", 0)
    return request.param
