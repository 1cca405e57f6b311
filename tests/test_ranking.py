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
    # the one component moves the same way: 2nd to 1st and 1st to 2nd
    component = {r["unit_id"]: (r["rank"], r["change"]) for r in records if r["indicator"] == "par_component"}
    assert component == {"30-11287": (1, 1), "30-11260": (2, -1)}


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


# --- issue 17: the funnel, the volume threshold and the Monte Carlo ranges at their edges -------------------------

# Pooled rate 448/560 = 80% exactly, so for 100 dossiers the spread is 100 * sqrt(0.8 * 0.2 / 100) = 4 points:
#   95% limits 80 ± 1.96 * 4 = 72.16 .. 87.84;  99.8% limits 80 ± 3.09 * 4 = 67.64 .. 92.36
# For 30 dossiers the spread is 100 * sqrt(0.16 / 30) = 7.30: 95% upper limit 94.31, 99.8% upper limit 102.57;
# for 29 dossiers 7.43: 94.56 and 102.95; for 1 dossier 40: 80 ± 78.4.
FUNNEL = {
    #       num  den   value  flag        beyond 99.8%  shown rank
    "A": (95, 100, 95.0, "better", True, 4),
    "B": (88, 100, 88.0, "better", False, 5),  # 88 > 87.84, by 0.16
    "C": (77, 100, 77.0, "similar", False, 6),
    "D": (69, 100, 69.0, "worse", False, 7),  # 69 < 72.16 but above 67.64
    "E": (60, 100, 60.0, "worse", True, 8),
    "F": (1, 1, 100.0, "similar", False, None),  # one dossier: within 80 ± 78.4; below 30 dossiers, rank hidden
    "G": (0, 0, None, None, False, None),  # no dossier: no value, no flag, not counted in rank_of
    "H": (30, 30, 100.0, "better", False, 1),  # exactly the 30-dossier minimum: shown; 100 > 94.31, < 102.57
    "I": (28, 29, 100 * 28 / 29, "better", False, None),  # 29 dossiers: below the minimum, hidden
}


@pytest.fixture
def funnel():
    units = list(FUNNEL)
    num = np.array([FUNNEL[u][0] for u in units])
    den = np.array([FUNNEL[u][1] for u in units])
    return rank_rates(units, num, den, draws=50).set_index("unit_id")


def test_funnel_flags_and_limits_by_hand(funnel):
    for unit, (_n, _d, value, flag, beyond, _rank) in FUNNEL.items():
        got = funnel.loc[unit]
        assert pd.isna(got["value"]) if value is None else got["value"] == pytest.approx(value), unit
        assert got["flag"] == flag, unit
        assert bool(got["beyond_998"]) is beyond, unit


def test_ranks_and_the_volume_minimum_by_hand(funnel):
    # values F 100, H 100, I 96.6, A 95, B 88, C 77, D 69, E 60: competition ranks 1 1 3 4 5 6 7 8 of 8
    shown = {u: (None if pd.isna(r) else int(r)) for u, r in funnel["rank"].items()}
    assert shown == {u: spec[5] for u, spec in FUNNEL.items()}
    assert set(funnel["rank_of"]) == {8}
    assert funnel["low_volume"].to_dict() == {u: spec[1] < 30 for u, spec in FUNNEL.items()}
    assert funnel["volume"].to_dict() == {u: float(spec[1]) for u, spec in FUNNEL.items()}
    assert list(funnel.columns) == [
        "value", "volume", "rank", "rank_of", "ci_low", "ci_high", "flag", "beyond_998", "rank_median",
        "rank_p05", "rank_p95", "low_volume",
    ]  # fmt: skip


def test_interval_columns_are_the_wilson_interval_of_each_unit(funnel):
    for unit in ("B", "F", "H"):
        n, d = FUNNEL[unit][:2]
        low, high = proportion_confint(n, d, alpha=0.05, method="wilson")
        assert (funnel.loc[unit, "ci_low"], funnel.loc[unit, "ci_high"]) == (
            pytest.approx(100 * low),
            pytest.approx(100 * high),
        )
    assert pd.isna(funnel.loc["G", "ci_low"]) and pd.isna(funnel.loc["G", "ci_high"])
    assert pd.isna(funnel.loc["G", "rank_median"]) and pd.isna(funnel.loc["G", "rank_p05"])


def test_lower_is_better_turns_the_funnel_around(funnel):
    units = list(FUNNEL)
    num = np.array([FUNNEL[u][0] for u in units])
    den = np.array([FUNNEL[u][1] for u in units])
    down = rank_rates(units, num, den, higher_is_better=False, draws=50).set_index("unit_id")
    assert down["flag"].to_dict() == {
        "A": "worse", "B": "worse", "C": "similar", "D": "better", "E": "better", "F": "similar", "G": None,
        "H": "worse", "I": "worse",
    }  # fmt: skip
    assert down["beyond_998"].to_dict() == funnel["beyond_998"].to_dict()  # the distance does not change
    assert int(down.loc["E", "rank"]) == 1 and int(down.loc["H", "rank"]) == 7  # 60 lowest; 100 (x2) last but one


def test_when_every_unit_is_at_100_percent_none_is_flagged():
    # the pooled rate is 100%, the funnel has no width: a unit at the pooled rate is similar, never better
    r = rank_rates(["a", "b"], np.array([40, 60]), np.array([40, 60]), draws=10).set_index("unit_id")
    assert r["flag"].tolist() == ["similar", "similar"] and not r["beyond_998"].any()
    r = rank_rates(["a", "b"], np.array([0, 0]), np.array([40, 60]), draws=10).set_index("unit_id")
    assert r["flag"].tolist() == ["similar", "similar"] and not r["beyond_998"].any()  # 0% everywhere


def test_the_methodology_sets_the_funnel_limits_and_the_volume_minimum():
    from cchc_analysis.methodology import Methodology, load_methodology

    settings = {**load_methodology().settings}
    settings["ranking"] = {**settings["ranking"], "funnel_limits": [99.8, 99.9], "min_volume": 101}
    m = Methodology(settings, "t", "x")
    units = list(FUNNEL)
    num = np.array([FUNNEL[u][0] for u in units])
    den = np.array([FUNNEL[u][1] for u in units])
    r = rank_rates(units, num, den, draws=10, methodology=m).set_index("unit_id")
    # inner limits now 80 ± 3.09 * 4: B (88) and D (69) are similar; every unit is below 101 dossiers
    assert (r.loc["B", "flag"], r.loc["D", "flag"], r.loc["A", "flag"]) == ("similar", "similar", "better")
    assert r["low_volume"].all() and r["rank"].isna().all()


def _oracle_ranks(values: np.ndarray) -> np.ndarray:
    """Competition ranks (1 + number strictly better) of each row, larger is better: scipy, not the module."""
    from scipy.stats import rankdata

    return np.vstack([rankdata(-row, method="min") for row in values])


def test_monte_carlo_ranges_are_the_percentiles_of_binomial_draws():
    # an independent run of the documented method: 1,000 binomial draws (seed 20230831) on each unit's totals,
    # competition ranks per draw, then the median and the 5th and 95th percentiles of each unit's ranks
    num, den = np.array([9, 45, 52, 70, 0]), np.array([10, 50, 60, 100, 0])
    r = rank_rates(list("abcde"), num, den)
    rng = np.random.default_rng(20230831)
    have = den > 0
    draws = rng.binomial(den[have][None, :], (num[have] / den[have])[None, :], size=(1000, have.sum()))
    ranks = _oracle_ranks(draws / den[have][None, :])
    expected = r[have]
    assert expected["rank_median"].tolist() == np.median(ranks, axis=0).tolist()
    assert expected["rank_p05"].tolist() == np.percentile(ranks, 5, axis=0).tolist()
    assert expected["rank_p95"].tolist() == np.percentile(ranks, 95, axis=0).tolist()
    assert r["rank_median"].isna().tolist() == [False, False, False, False, True]
    lower = rank_rates(list("abcde"), num, den, higher_is_better=False)
    assert lower[have]["rank_median"].tolist() == np.median(_oracle_ranks(-draws / den[have][None, :]), axis=0).tolist()


def test_monte_carlo_drawn_in_chunks_is_the_same_as_drawn_at_once(monkeypatch):
    # the draws are simulated a few rows at a time (memory): 7 values a chunk is one draw of these 6 units; small
    # units at close rates, so that each unit's percentiles move with any draw taken from the wrong place
    import cchc_analysis.ranking as ranking

    num, den = np.array([2, 2, 3, 1, 2, 1]), np.array([3, 4, 5, 3, 3, 2])
    at_once = rank_rates(list("abcdef"), num, den, draws=50)
    monkeypatch.setattr(ranking, "_CHUNK_VALUES", 7)
    chunked = rank_rates(list("abcdef"), num, den, draws=50)
    rng = np.random.default_rng(20230831)
    ranks = _oracle_ranks(rng.binomial(den[None, :], (num / den)[None, :], size=(50, 6)) / den[None, :])
    for r in (at_once, chunked):
        assert r["rank_p05"].tolist() == np.percentile(ranks, 5, axis=0).tolist()
        assert r["rank_p95"].tolist() == np.percentile(ranks, 95, axis=0).tolist()
        assert r["rank_median"].tolist() == np.median(ranks, axis=0).tolist()


def test_composite_ranges_are_the_percentiles_of_perturbed_weights():
    scores = pd.DataFrame({"A": [10.0, 9.0, 7.0, 8.5], "B": [5.0, 6.5, 8.0, 6.0]}, index=list("wxyz"))
    r = rank_composite(scores)
    rng = np.random.default_rng(20230831)
    weights = rng.uniform(0.75, 1.25, size=(1000, 2))  # ±25%, the shipped methodology
    ranks = _oracle_ranks(weights @ scores.to_numpy().T)
    assert r["rank_median"].tolist() == np.median(ranks, axis=0).tolist()
    assert r["rank_p05"].tolist() == np.percentile(ranks, 5, axis=0).tolist()
    assert r["rank_p95"].tolist() == np.percentile(ranks, 95, axis=0).tolist()
    # totals 15, 15.5, 15, 14.5: x first, w and y tied second, z last
    assert r["value"].tolist() == [15.0, 15.5, 15.0, 14.5] and r["rank"].tolist() == [2, 1, 2, 4]
    assert r["unit_id"].tolist() == list("wxyz") and set(r["rank_of"]) == {4}


@settings(max_examples=200)
@given(st.integers(1, 6), st.integers(1, 8), st.data())
def test_draw_ranks_are_competition_ranks_of_each_draw(rows, cols, data):
    from cchc_analysis.ranking import _draw_ranks

    values = np.array(data.draw(st.lists(st.integers(0, 3), min_size=rows * cols, max_size=rows * cols)))
    order = values.reshape(rows, cols).astype(float)  # few distinct values: many ties
    assert _draw_ranks(order).tolist() == _oracle_ranks(-order).tolist()


def test_wilson_bounds_stay_within_0_and_100_percent():
    # in floating point, 0 of 21 gives a lower bound of -1,4e-15 and 16 of 16 an upper bound of 100,00000000000003
    low, high = wilson_interval(np.array([0, 16, 0]), np.array([21, 16, 0]))
    assert (low[0], high[1]) == (0.0, 100.0)
    assert np.isnan(low[2]) and np.isnan(high[2])  # no dossier, no interval


def test_the_monte_carlo_settings_are_the_methodologys():
    from cchc_analysis.methodology import Methodology, load_methodology

    def method(**ranking):
        settings = {**load_methodology().settings}
        settings["ranking"] = {**settings["ranking"], **ranking}
        return Methodology(settings, "t", "x")

    # five units close together: 50%, 52%, 54%, 56%, 58% of 50 dossiers, so the drawn ranks move a lot
    ids = list("abcde")
    num, den = np.array([25, 26, 27, 28, 29]), np.array([50] * 5)
    widest = rank_rates(ids, num, den, methodology=method(rank_range_percentiles=[0, 100]))
    shipped = rank_rates(ids, num, den)
    # the 0th and 100th percentiles are the best and worst ranks drawn: at least as wide as the 5th-95th
    assert (widest["rank_p05"] <= shipped["rank_p05"]).all() and (widest["rank_p95"] >= shipped["rank_p95"]).all()
    assert (widest["rank_p95"] - widest["rank_p05"]).sum() > (shipped["rank_p95"] - shipped["rank_p05"]).sum()
    once = rank_rates(ids, num, den, methodology=method(monte_carlo_draws=1))  # one draw: no range at all
    assert (once["rank_p05"] == once["rank_p95"]).all() and (once["rank_median"] == once["rank_p05"]).all()
    assert rank_rates(ids, num, den).equals(shipped)  # the same seed: the same ranges, run after run
    # another seed, 10 draws each (a thousand give ranges too steady to tell seeds apart)
    ten = [rank_rates(ids, num, den, draws=10, methodology=method(monte_carlo_seed=s)) for s in (20230831, 1)]
    assert not ten[0][["rank_median", "rank_p05", "rank_p95"]].equals(ten[1][["rank_median", "rank_p05", "rank_p95"]])
    assert rank_rates(ids, num, den, draws=1)["rank_p05"].equals(once["rank_p05"])  # draws given: they count
    # three tied totals of 10,4: b (5,2 + 5,2) is always second; a wins when the second weight is the larger, c
    # when the first is: each first or third about half the time
    composite = pd.DataFrame({"x": [5.0, 5.2, 5.4], "y": [5.4, 5.2, 5.0]}, index=["a", "b", "c"])
    wide = rank_composite(composite, methodology=method(rank_range_percentiles=[0, 100])).set_index("unit_id")
    assert wide[["rank_p05", "rank_p95"]].values.tolist() == [[1.0, 3.0], [2.0, 2.0], [1.0, 3.0]]
    narrow = rank_composite(composite, methodology=method(monte_carlo_draws=1))
    assert (narrow["rank_p05"] == narrow["rank_p95"]).all()
    # draws given count over the methodology's (as in rank_rates): one draw, no range, whatever the file says
    given = rank_composite(composite, methodology=method(rank_range_percentiles=[0, 100]), draws=1)
    assert (given["rank_p05"] == given["rank_p95"]).all()


def test_funnel_limits_to_the_hundredth_of_a_point():
    # pooled 16,000/20,000 = 80%; for 10,000 dossiers the spread is 100 * sqrt(0.8 * 0.2 / 10,000) = 0.4 points and
    # the 95% limits 80 ± 1.96 * 0.4 = 79.216 .. 80.784: 80.79 is above by 0.006, 79.21 below by 0.006
    r = rank_rates(["x", "y"], np.array([8079, 7921]), np.array([10_000, 10_000]), draws=5).set_index("unit_id")
    assert r["flag"].to_dict() == {"x": "better", "y": "worse"}
    # a group of one unit of one dossier: the pooled rate is its own, so it is "similar" (never left unflagged)
    one = rank_rates(["z"], np.array([1]), np.array([1]), draws=5)
    assert one["flag"].tolist() == ["similar"] and one["value"].tolist() == [100.0]


def test_draw_ranks_of_nothing_keep_their_shape():
    from cchc_analysis.ranking import _draw_ranks

    assert _draw_ranks(np.empty((3, 0))).shape == (3, 0) and _draw_ranks(np.empty((0, 4))).shape == (0, 4)
    assert _draw_ranks(np.empty((3, 0))).dtype == np.int32


def test_rank_only_callers_still_draw_once_and_an_empty_table_ranks_nobody():
    from cchc_analysis.methodology import load_methodology
    from cchc_analysis.ranking import _at_least_one, _rank_table
    from cchc_analysis.rates import rate_definitions

    assert (_at_least_one(None), _at_least_one(0), _at_least_one(1), _at_least_one(7)) == (None, 1, 1, 7)
    empty = _rank_table(pd.DataFrame(), rate_definitions()["online_rate"], load_methodology(), draws=0)
    assert empty.empty and empty.columns.tolist() == ["unit_id", "value", "rank"]


def test_a_wilson_interval_needs_dossiers():
    from cchc_analysis.ranking import wilson_interval

    low, high = wilson_interval(np.array([0.0, 3.0]), np.array([0.0, 4.0]))
    assert np.isnan(low[0]) and np.isnan(high[0])  # no dossier: no interval (the formula alone would give 0-100%)
    assert 0 < low[1] < 75 < high[1] < 100
