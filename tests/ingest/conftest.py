"""Every reader test runs twice: with the cell-list reader (python-calamine) and with the columnar reader
(fastexcel into Arrow) that large sheets take, so both give the same results on every layout."""

import pytest

from cchc_analysis.ingest import grid


@pytest.fixture(autouse=True, params=["cells", "columnar"])
def reader(request, monkeypatch):
    if request.param == "columnar":
        monkeypatch.setattr(grid, "COLUMNAR_MIN_BYTES", 0)
    return request.param
