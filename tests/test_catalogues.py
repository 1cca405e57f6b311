"""The data files beside the code are well formed (a stray comma in YAML flow style silently splits a label)."""

import yaml

from cchc_analysis.ingest.headers import onestop_vocabulary, source_vocabulary
from cchc_analysis.ingest.manual import manual_groups
from cchc_analysis.methodology import indicator_catalogue, load_methodology


def test_indicator_catalogue_entries():
    keys = {"label", "unit", "direction", "decimals", "source", "formula"}
    rate_keys = {"numerator", "denominator", "missing"}
    for name, spec in indicator_catalogue().items():
        optional = rate_keys | {"ranked", "requires", "short_label", "table"}
        assert set(spec) - keys <= optional and keys <= set(spec), name
        assert not (set(spec) & rate_keys) or rate_keys <= set(spec), name  # a rate says all of it
        assert spec["direction"] in ("higher", "lower", "none")
        assert isinstance(spec["decimals"], int)
    assert indicator_catalogue()["on_time_rate_766"]["label"] == "Tỷ lệ hồ sơ giải quyết, đang giải quyết trong hạn"


def test_the_rates_of_the_catalogue():
    """Each rate as DOMAIN.md defines it (typed here from DOMAIN.md, not read back from the file)."""
    from cchc_analysis.rates import rate_definitions

    got = {k: (r.numerator, r.denominator, r.missing, r.direction, r.ranked) for k, r in rate_definitions().items()}
    assert got == {
        "resolved_early_pct": (("resolved_early",), ("resolved_total",), "no_resolved", "higher", True),
        "resolved_on_time_pct": (("resolved_on_time",), ("resolved_total",), "no_resolved", "none", False),
        "resolved_late_pct": (("resolved_late",), ("resolved_total",), "no_resolved", "lower", True),
        "online_rate": (("received_online",), ("new_total",), "no_new", "higher", True),
        "on_time_rate_766": (
            ("resolved_early", "resolved_on_time", "pending_within_deadline"),
            ("resolved_total", "pending_total"),
            "no_resolved",
            "higher",
            True,
        ),
        "online_payment_rate": (("fee_paid_online",), ("fee_dossiers",), "no_payment", "higher", True),
        "procedures_online_share": (
            ("procedures_with_online_dossiers",),
            ("procedures_total",),
            "no_catalogue",
            "higher",
            True,
        ),
        "digitised_rate": (("digitised",), ("digitised_known",), "no_digitised", "higher", False),
    }
    assert rate_definitions()["online_payment_rate"].requires == "payment_tracked_from"
    # the budget and PAR percentages, by the same engine from their own tables
    other = {
        t: {k: (r.numerator, r.denominator, r.missing, r.ranked) for k, r in rate_definitions(t).items()}
        for t in ("budget", "par", "par_component")
    }
    assert other == {
        "budget": {
            "revenue_execution_pct": (("revenue_actual",), ("revenue_estimate",), "no_budget", False),
            "expenditure_execution_pct": (("expenditure_actual",), ("expenditure_estimate",), "no_budget", False),
        },
        "par": {"par_total_pct": (("par_total_score",), ("par_total_max",), "no_par", False)},
        "par_component": {"par_component_pct": (("score",), ("max_score",), "no_par", False)},
    }
    # every indicator a unit is ranked on has the short name rank tables give it
    ranked = [k for k, r in rate_definitions().items() if r.ranked] + ["par_total_score"]
    assert all(indicator_catalogue()[k].get("short_label") for k in ranked)


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
