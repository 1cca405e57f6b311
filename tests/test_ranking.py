"""Rankings: Wilson intervals, funnel flags, low volume, Monte Carlo ranges (expected values by hand)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint  # an independent implementation (dev dependency)

from cchc_analysis.ranking import rank_composite, rank_rates, wilson_interval


def test_wilson_interval_of_five_out_of_five():
    # DOMAIN.md: a commune with 5 dossiers at 100% has a 95% Wilson interval of 56.6-100%
    low, high = wilson_interval(np.array([5]), np.array([5]))
    assert low[0] == pytest.approx(56.55, abs=0.01) and high[0] == 100


def test_wilson_interval_of_a_large_unit():
    # 2,515 of 2,521: p = 0.99762; the interval is narrow (about 99.48-99.89)
    low, high = wilson_interval(np.array([2515]), np.array([2521]))
    assert 99.4 < low[0] < 99.6 and 99.8 < high[0] < 99.95


@settings(max_examples=200)
@given(st.integers(1, 5000), st.data())
def test_wilson_interval_contains_the_observed_rate(den, data):
    num = data.draw(st.integers(0, den))
    low, high = wilson_interval(np.array([num]), np.array([den]))
    assert low[0] - 1e-9 <= 100 * num / den <= high[0] + 1e-9


def test_small_unit_at_100_percent_is_not_shown_as_best():
    ranked = rank_rates(["big", "small", "mid"], np.array([2515, 5, 900]), np.array([2521, 5, 1000])).set_index(
        "unit_id"
    )
    assert ranked.loc["small", "low_volume"] and pd.isna(ranked.loc["small", "rank"])
    assert ranked.loc["big", "rank"] == 2 and ranked.loc["small", "rank_of"] == 3  # the small one still counts
    # pooled rate (2515+5+900)/(2521+5+1000) = 96.99%: 5/5 is within its funnel, 90% of 1,000 is below
    assert ranked.loc["small", "flag"] == "similar"
    assert ranked.loc["mid", "flag"] == "worse" and ranked.loc["big", "flag"] == "better"


def test_direction_lower_is_better_swaps_flags_and_ranks():
    up = rank_rates(["a", "b"], np.array([10, 90]), np.array([100, 100])).set_index("unit_id")
    down = rank_rates(["a", "b"], np.array([10, 90]), np.array([100, 100]), higher_is_better=False).set_index("unit_id")
    assert (up.loc["a", "rank"], down.loc["a", "rank"]) == (2, 1)
    assert (up.loc["a", "flag"], down.loc["a", "flag"]) == ("worse", "better")


def test_monte_carlo_ranks_are_reproducible_and_bracket_the_rank():
    units = [f"u{i}" for i in range(6)]
    num, den = np.array([95, 90, 50, 45, 8, 700]), np.array([100, 100, 100, 100, 10, 1000])
    a = rank_rates(units, num, den)
    b = rank_rates(units, num, den)
    pd.testing.assert_frame_equal(a, b)
    ok = a[a["rank"].notna()]
    assert (ok["rank_p05"] <= ok["rank_median"]).all() and (ok["rank_median"] <= ok["rank_p95"]).all()
    # u2 (50%) and u3 (45%) overlap: the range of u2 reaches u3's place
    assert a.set_index("unit_id").loc["u2", "rank_p95"] >= 4


def test_composite_rank_with_weight_perturbation():
    scores = pd.DataFrame({"A": [10.0, 9.0, 5.0], "B": [5.0, 6.0, 5.0]}, index=["x", "y", "z"])
    r = rank_composite(scores).set_index("unit_id")
    assert r["rank"].tolist() == [1, 1, 3]  # x and y tie on 15 points
    assert r.loc["z", "rank_p05"] == 3 and r.loc["x", "rank_p95"] <= 2


def test_par_rank_change_against_the_previous_published_year(tmp_path):
    from cchc_analysis.periods import parse_period
    from cchc_analysis.ranking import compute_rankings

    processed = tmp_path / "processed"
    processed.mkdir()
    pd.DataFrame(columns=["unit_id", "code", "status", "received_at"]).to_parquet(processed / "dossiers.parquet")
    rows = []
    for year, published, scores in (
        (2021, "2022-03-25", {"30-11287": 5.0, "30-11260": 9.0}),
        (2022, "2023-03-28", {"30-11287": 9.0, "30-11260": 6.0}),
    ):
        for unit, score in scores.items():
            rows.append(
                {
                    "unit_id": unit,
                    "year": year,
                    "published_date": pd.Timestamp(published),
                    "component": "Cải cách thể chế",
                    "score": score,
                    "max_score": 10.0,
                }
            )
    pd.DataFrame(rows).to_parquet(processed / "par.parquet")
    records = compute_rankings(
        tmp_path, parse_period("2023-01-01..2023-08-31"), indicators=["par_total_score"], draws=5
    )
    total = {r["unit_id"]: (r["rank"], r["change"]) for r in records if r["indicator"] == "par_total_score"}
    # 2022 (shown for this period) against 2021 (shown for 01/01-31/08/2022): Thanh Giang rose from 2nd to 1st
    assert total == {"30-11287": (1, 1), "30-11260": (2, -1)}


def test_no_unit_with_a_denominator():
    ranked = rank_rates(["a", "b"], np.array([0, 0]), np.array([0, 0]))
    assert ranked["rank"].isna().all() and ranked["rank_median"].isna().all() and ranked["rank_of"].tolist() == [0, 0]


# --- issue 17: assertions that can fail ---------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.integers(1, 20_000), st.data())
def test_wilson_interval_agrees_with_statsmodels(den, data):
    num = data.draw(st.integers(0, den))
    low, high = wilson_interval(np.array([num]), np.array([den]))
    ref_low, ref_high = proportion_confint(num, den, alpha=0.05, method="wilson")
    assert low[0] == pytest.approx(100 * ref_low, abs=1e-9) and high[0] == pytest.approx(100 * ref_high, abs=1e-9)


def test_monte_carlo_ranges_of_a_hand_built_group():
    # far apart with 10,000 dossiers each: every draw keeps the order, each range is its rank exactly
    units = ["top", "mid", "low", "twin_a", "twin_b"]
    num = np.array([9_900, 5_000, 100, 7_000, 7_000])
    den = np.array([10_000] * 5)
    r = rank_rates(units, num, den, draws=400).set_index("unit_id")
    assert r["rank"].to_dict() == {"top": 1, "twin_a": 2, "twin_b": 2, "mid": 4, "low": 5}
    for unit, rank in (("top", 1), ("mid", 4), ("low", 5)):
        assert (r.loc[unit, "rank_p05"], r.loc[unit, "rank_median"], r.loc[unit, "rank_p95"]) == (rank, rank, rank)
    # the twins (70% of 10,000 each) swap places from draw to draw: each ranges over places 2 and 3
    for twin in ("twin_a", "twin_b"):
        assert (r.loc[twin, "rank_p05"], r.loc[twin, "rank_p95"]) == (2, 3)


def test_a_small_unit_ranges_wide_and_a_large_one_does_not():
    # 9 of 10 (90%) beside 900 of 1,000 (90%) and 800 of 1,000 (80%): the small unit can land anywhere in the
    # three places, the large ones only swap between their neighbours
    r = rank_rates(["small", "a", "b"], np.array([9, 900, 800]), np.array([10, 1000, 1000]), draws=1000)
    r = r.set_index("unit_id")
    assert (r.loc["small", "rank_p05"], r.loc["small", "rank_p95"]) == (1, 3)
    assert (r.loc["b", "rank_p05"], r.loc["b", "rank_p95"]) == (2, 3)
