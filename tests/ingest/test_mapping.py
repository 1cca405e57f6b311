"""The mapping file (ingest/mapping.py): validated whole, errors naming the key; per-file entries over common ones."""

import pytest

from cchc_analysis.ingest.headers import onestop_vocabulary
from cchc_analysis.ingest.mapping import FileMapping, MappingError, load_mapping
from cchc_analysis.registry import UnitRegistry

FIELDS = {f.name for f in onestop_vocabulary().fields}
REG = UnitRegistry.shipped(scope="Huyện Thanh Miện")

READS_FILES = False  # pure rules: run once (see conftest.py)


def load(tmp_path, text):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return load_mapping(path, fields=FIELDS, registry=REG)


def test_the_first_form_still_reads(tmp_path):
    mapping = load(tmp_path, "code: [Mã tra cứu]\nreceived_at: Thời điểm nộp\n")
    assert mapping.common.fields == {"code": ("Mã tra cứu",), "received_at": ("Thời điểm nộp",)}
    mapping = load(tmp_path, "fields:\n  code: [Mã tra cứu]\n")
    assert mapping.common.fields == {"code": ("Mã tra cứu",)}


def test_per_file_entries_override_the_common_ones(tmp_path):
    mapping = load(
        tmp_path,
        "unit: Lam Sơn\ndate_order: dmy\ncolumns: {code: B}\n"
        "files:\n  'thanh-giang/*.csv':\n    unit: Thanh Giang\n    columns: {received_at: G}\n"
        "  ds.xlsx:\n    date_order: mdy\n",
    )
    csv = mapping.for_file("thanh-giang/q3.csv")
    assert (csv.unit, csv.date_order, csv.columns) == ("Thanh Giang", "dmy", {"code": "B", "received_at": "G"})
    assert mapping.for_file("lam-son/ds.xlsx").date_order == "mdy"  # a bare file name matches in any folder
    assert mapping.for_file("lam-son/other.xlsx") == mapping.common


def test_columns_by_letter_or_by_header_text():
    fm = FileMapping(columns={"code": "b", "received_at": "Ngày nộp hồ sơ", "channel": "kênh"})
    labels = ["STT", "Mã", "Ngày nộp hồ sơ (trực tuyến)", "Ngày nộp hồ sơ", "Kênh tiếp nhận"]
    # a letter is a column; a text is the header it equals (folded), else the one header that contains it
    assert fm.placed(labels) == {"code": 1, "received_at": 3, "channel": 4}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("columns:\n  chanel: J\n", "columns › chanel"),
        ("columns:\n  channel: 7\n", "columns › channel"),
        ("columns:\n  channel: ''\n", "columns › channel"),
        ("header_rows: [0]\n", "header_rows"),
        ("header_rows: [4, 6]\n", "header_rows"),  # not consecutive
        ("header_rows: [1, 2, 3, 4]\n", "header_rows"),  # more than three
        ("date_order: ymd\n", "date_order"),
        ("kind: hoso\n", "kind"),
        ("values:\n  channel:\n    web: [Cổng]\n", "values › channel › web"),
        ("values:\n  fee:\n    online: [x]\n", "values › fee"),
        ("files:\n  ds.xlsx:\n    unit: Atlantis\n", "files › ds.xlsx › unit"),
        ("files:\n  ds.xlsx:\n    colums: {}\n", "files › ds.xlsx"),
        ("check_stated_total: maybe\n", "check_stated_total"),
        ("- a\n- b\n", "m.yaml"),
        ("code: [\n", "YAML"),
    ],
)
def test_errors_name_the_key(tmp_path, text, key):
    with pytest.raises(MappingError) as err:
        load(tmp_path, text)
    assert key in str(err.value) and "m.yaml" in str(err.value)
