"""The data files beside the code are well formed (a stray comma in YAML flow style silently splits a label)."""

import yaml

from cchc_analysis.ingest.headers import onestop_vocabulary, source_vocabulary
from cchc_analysis.ingest.manual import manual_groups
from cchc_analysis.methodology import indicator_catalogue, load_methodology


def test_indicator_catalogue_entries():
    keys = {"label", "unit", "direction", "decimals", "source", "formula"}
    for name, spec in indicator_catalogue().items():
        assert set(spec) == keys, name
        assert spec["direction"] in ("higher", "lower", "none")
        assert isinstance(spec["decimals"], int)
    assert indicator_catalogue()["on_time_rate_766"]["label"] == "Tỷ lệ hồ sơ giải quyết, đang giải quyết trong hạn"


def test_header_vocabularies():
    for vocab in (onestop_vocabulary(), source_vocabulary("catalogue"), source_vocabulary("budget")):
        for f in vocab.fields:
            assert f.synonyms and f.label and f.label != f.name, f.name
    assert next(f for f in source_vocabulary("catalogue").fields if f.name == "fee").label == "Phí, lệ phí"


def test_manual_fields_and_methodology():
    keys = [f["key"] for g in manual_groups() for f in g["fields"]]
    assert len(keys) == len(set(keys))
    for g in manual_groups():
        for f in g["fields"]:
            assert set(f) <= {"key", "label", "of"} and (f.get("of") is None or f["of"] in keys)
    m = load_methodology()
    assert m.version and m.get("par", "below_threshold_pct") == 75
    assert yaml.safe_load(
        open(__file__.replace("test_catalogues.py", "../cchc_analysis/data/methodology.yaml"), encoding="utf-8")
    )
