"""The registry of readers: every kind of file the classifier recognises as data has one reader, whose rows go to
the table the computations read."""

import pytest

from cchc_analysis.ingest.classify import KINDS
from cchc_analysis.ingest.mapping import FileMapping
from cchc_analysis.ingest.readers import READERS, FileToRead

READS_FILES = False


def test_every_kind_of_data_file_has_a_reader_and_a_table():
    assert set(READERS) == set(KINDS) - {"not_table", "unknown"}
    # the names computations read (store.read_table) and the analyst's load_dossiers
    assert {k: r.table for k, r in READERS.items()} == {
        "dossier_list": "dossiers",
        "catalogue": "catalogue",
        "budget": "budget",
        "par": "par",
        "manual_input": "manual",
    }
    assert [k for k, r in READERS.items() if r.columnar] == ["dossier_list"]  # the others need cell grids
    assert "unit_id" in READERS["budget"].columns and "procedure_key" in READERS["catalogue"].columns


@pytest.mark.parametrize(("mapped", "assumed", "unit"), [("Lam Sơn", "Thanh Giang", "Lam Sơn"), (None, "X", "X")])
def test_a_files_unit_is_the_mappings_before_the_one_assumed(mapped, assumed, unit):
    f = FileToRead(None, None, None, None, FileMapping(unit=mapped), assumed, [], "", None)
    assert f.unit == unit
