"""compute_rankings and rank_history on a store built by hand: ranks, intervals, funnel flags, low volume, rank
changes and Monte Carlo ranges worked out by hand in the comments."""

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cchc_analysis.periods import parse_period
from cchc_analysis.ranking import compute_rankings, par_component_table, rank_history

T = pd.Timestamp
TG, LS, CT, NTM = "30-11287", "30-11260", "30-11278", "2025-31-11284"  # Thanh Giang, Lam Sơn, Cao Thắng, Nam Thanh Miện
Q3 = parse_period("2023Q3")


def new_dossiers(unit, month, n, online):
    """``n`` dossiers received on the 3rd of ``month`` 2023, ``online`` of them online, all resolved early."""
    return [
        {
            "unit_id": unit,
            "code": f"{unit}-{month}-{i}",
            "status": "resolved",
            "channel": "online" if i < online else "direct",
            "received_at": T(f"2023-{month:02d}-03 08:00"),
            "due_at": T(f"2023-{month:02d}-10"),
            "processed_at": T(f"2023-{month:02d}-05 08:00"),
            "result_at": pd.NaT,
            "handed_at": pd.NaT,
            "fee": 0.0,
            "payment_method": None,
            "procedure": "A",
            "digitised": None,
        }
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    data = tmp_path_factory.mktemp("store")
    processed = data / "processed"
    processed.mkdir()
    rows = (
        new_dossiers(TG, 8, 40, 36)  # Q3: 90%
        + new_dossiers(LS, 8, 40, 20)  # Q3: 50%
        + new_dossiers(CT, 8, 10, 10)  # Q3: 100% of 10: below the 30-dossier minimum
        + new_dossiers(NTM, 8, 40, 40)  # another group
        + new_dossiers(TG, 5, 40, 10)  # Q2: 25%
        + new_dossiers(LS, 5, 40, 30)  # Q2: 75%
    )
    pd.DataFrame(rows).to_parquet(processed / "dossiers.parquet")
    par = [
        {"unit_id": u, "year": 2022, "published_date": T("2023-03-28"), "component": c, "score": s, "max_score": m}
        for u, c, s, m in (
            (TG, "Cải cách thể chế", 9.0, 10.0),
            (TG, "Chính quyền số", 8.0, 10.0),
            (LS, "Cải cách thể chế", 6.0, 10.0),
            (LS, "Chính quyền số", 9.5, 10.0),
        )
    ]
    pd.DataFrame(par).to_parquet(processed / "par.parquet")
    return data


@pytest.fixture  # per test: mutation testing runs only the tests that call the mutated code
def online(store):
    records = compute_rankings(store, Q3, group="Huyện Thanh Miện", indicators=["online_rate"], draws=400)
    return {r["unit_id"]: r for r in records}


def test_ranks_with_the_small_unit_counted_but_never_shown_first(online):
    assert set(online) == {TG, LS, CT}  # Nam Thanh Miện is of another group
    # values 100% (Cao Thắng, 10 dossiers), 90%, 50%: competition ranks 1, 2, 3; the small unit's rank is hidden
    assert [online[u]["value"] for u in (CT, TG, LS)] == [100.0, 90.0, 50.0]
    assert [online[u]["rank"] for u in (CT, TG, LS)] == [None, 2, 3]
    assert {online[u]["rank_of"] for u in online} == {3}
    assert [online[u]["low_volume"] for u in (CT, TG, LS)] == [True, False, False]
    assert [online[u]["volume"] for u in (CT, TG, LS)] == [10.0, 40.0, 40.0]
    assert online[TG]["unit_name"] == "Xã Thanh Giang" and online[TG]["unit_code"] == "11287"
    assert online[TG]["indicator"] == "online_rate"


def test_wilson_intervals(online):
    low, high = proportion_confint(36, 40, method="wilson")
    assert (online[TG]["ci_low"], online[TG]["ci_high"]) == (pytest.approx(100 * low), pytest.approx(100 * high))


def test_funnel_flags_by_hand(online):
    # pooled rate (36 + 20 + 10) / 90 = 73,33%; at 95% (z = 1,96) a unit of 40 is beyond 73,33 +/- 1,96 x
    # 100 x sqrt(0,7333 x 0,2667 / 40) = +/- 13,70 points: 90 is above 87,04 (better), 50 below 59,63 (worse); a unit
    # of 10: +/- 27,40, so 100 is within 100,74 (similar)
    assert [online[u]["flag"] for u in (TG, LS, CT)] == ["better", "worse", "similar"]


def test_rank_change_against_the_previous_quarter(online):
    # Q2: Lam Sơn 75% first, Thanh Giang 25% second; Q3: Thanh Giang 2nd (unchanged), Lam Sơn 3rd (down 2);
    # Cao Thắng had no dossier in Q2 and is not ranked now: no change
    assert [online[u]["change"] for u in (TG, LS, CT)] == [0, -2, None]


def test_monte_carlo_ranges_by_hand(online):
    # Cao Thắng's 10/10 draws are always 100%: always first; Thanh Giang (90% of 40) never falls below Lam Sơn (50%
    # of 40) and ties Cao Thắng only when all 40 draws succeed (0,9^40 = 1,5% < 5%): second in 95% of the draws
    assert (online[CT]["rank_p05"], online[CT]["rank_median"], online[CT]["rank_p95"]) == (1, 1, 1)
    assert (online[TG]["rank_p05"], online[TG]["rank_median"], online[TG]["rank_p95"]) == (2, 2, 2)
    assert (online[LS]["rank_p05"], online[LS]["rank_median"], online[LS]["rank_p95"]) == (3, 3, 3)


def test_par_total_and_components(store):
    records = compute_rankings(store, Q3, group="Huyện Thanh Miện", indicators=["par_total_score"], draws=50)
    total = {r["unit_id"]: r for r in records if r["indicator"] == "par_total_score"}
    # Thanh Giang 9 + 8 = 17, Lam Sơn 6 + 9,5 = 15,5; the same PAR year (2022) as the previous quarter: no change
    assert [total[u]["value"] for u in (TG, LS)] == [17.0, 15.5]
    assert [(total[u]["rank"], total[u]["rank_of"], total[u]["change"]) for u in (TG, LS)] == [
        (1, 2, None),
        (2, 2, None),
    ]
    assert total[TG]["flag"] is None and total[TG]["ci_low"] is None and total[TG]["low_volume"] is False
    comps = [r for r in records if r["indicator"] == "par_component"]
    digital = {r["unit_id"]: r for r in comps if r["component"] == "Chính quyền số"}
    assert (digital[LS]["rank"], digital[TG]["rank"], digital[LS]["rank_of"]) == (1, 2, 2)
    assert (digital[TG]["pct"], digital[TG]["below_75"], digital[TG]["par_year"]) == (80.0, False, 2022)
    table = par_component_table(records)
    assert table.loc["Xã Lam Sơn", "Cải cách thể chế"] == 60.0 and table.loc["Xã Thanh Giang", "Chính quyền số"] == 80.0
    assert par_component_table(records, value="score").loc["Xã Lam Sơn", "Chính quyền số"] == 9.5
    assert par_component_table([]).empty


def test_an_unknown_indicator_is_refused(store):
    from cchc_analysis.errors import ConfigError

    with pytest.raises(ConfigError, match="xyz"):
        compute_rankings(store, Q3, indicators=["xyz"])


def test_rank_history_over_quarters(store):
    history = rank_history(store, Q3, group="Huyện Thanh Miện", indicator="online_rate", quarters=3)
    # Q1 has no dossier (left out); Q2: Lam Sơn 1, Thanh Giang 2; Q3: Thanh Giang 2, Lam Sơn 3 (Cao Thắng, low volume,
    # has no rank and is left out)
    rows = {(r.period, r.unit_id): (r.rank, r.rank_of) for r in history.itertuples()}
    assert rows == {("2023Q2", LS): (1, 2), ("2023Q2", TG): (2, 2), ("2023Q3", TG): (2, 3), ("2023Q3", LS): (3, 3)}
    assert history.columns.tolist() == ["period", "unit_id", "unit_name", "value", "rank", "rank_of"]
    assert history.loc[history["unit_id"] == TG, "value"].tolist() == [25.0, 90.0]
    empty = rank_history(store, parse_period("2021Q1"), group="Huyện Thanh Miện", indicator="online_rate")
    assert empty.empty and empty.columns.tolist() == ["period", "unit_id", "unit_name", "value", "rank", "rank_of"]


def test_every_field_of_a_par_record_by_hand(store):
    records = compute_rankings(store, Q3, group="Huyện Thanh Miện", draws=50)
    assert {r["indicator"] for r in records} == {
        "resolved_early_pct", "online_rate", "on_time_rate_766", "online_payment_rate", "procedures_online_share",
        "resolved_late_pct", "par_total_score", "par_component",
    }  # fmt: skip
    total = next(r for r in records if r["indicator"] == "par_total_score" and r["unit_id"] == TG)
    # weights within ±25%: Thanh Giang - Lam Sơn = 3 w1 - 1,5 w2 >= 2,25 - 1,875 > 0, always first
    assert total == {
        "unit_code": "11287", "unit_id": TG, "unit_name": "Xã Thanh Giang", "indicator": "par_total_score",
        "value": 17.0, "rank": 1, "rank_of": 2, "change": None, "ci_low": None, "ci_high": None, "flag": None,
        "rank_median": 1.0, "rank_p05": 1.0, "rank_p95": 1.0, "low_volume": False, "volume": None,
        "peer_group": "Huyện Thanh Miện", "boundaries_on": "2023-09-30", "predecessors_added": False,
    }  # fmt: skip
    component = next(
        r for r in records if r["indicator"] == "par_component" and r["unit_id"] == TG and r["component"] == INST
    )
    assert component == {
        "unit_code": "11287", "unit_id": TG, "unit_name": "Xã Thanh Giang", "indicator": "par_component",
        "component": INST, "value": 9.0, "score": 9.0, "max_score": 10.0, "pct": 90.0, "below_75": False,
        "rank": 1, "rank_of": 2, "change": None, "ci_low": None, "ci_high": None, "flag": None, "rank_median": None,
        "rank_p05": None, "rank_p95": None, "low_volume": False, "par_year": 2022,
        "peer_group": "Huyện Thanh Miện", "boundaries_on": "2023-09-30", "predecessors_added": False,
    }  # fmt: skip
    late = {r["unit_id"]: r for r in records if r["indicator"] == "resolved_late_pct"}
    # no dossier late anywhere: all tie at 0%, lower is better, rank 1 for the units of 30 dossiers or more
    assert [late[u]["rank"] for u in (TG, LS, CT)] == [1, 1, None]


INST = "Cải cách thể chế"


@pytest.fixture
def second_store(tmp_path):
    """Two units over six quarters (30+ dossiers each where they have any) and a PAR sheet where Lam Sơn lacks a
    component."""
    processed = tmp_path / "processed"
    processed.mkdir()

    def dossiers(unit, year, month, n, late):
        return [
            {
                "unit_id": unit,
                "code": f"{unit}-{year}{month}-{i}",
                "status": "resolved",
                "channel": "online",
                "received_at": T(f"{year}-{month:02d}-03 08:00"),
                "due_at": T(f"{year}-{month:02d}-10"),
                "processed_at": T(f"{year}-{month:02d}-{12 if i < late else 5} 08:00"),
                "result_at": pd.NaT,
                "handed_at": pd.NaT,
                "fee": 0.0,
                "payment_method": None,
                "procedure": "A" if i % 2 else "B",
                "digitised": None,
            }
            for i in range(n)
        ]

    rows = (
        dossiers(TG, 2022, 2, 30, 0) + dossiers(LS, 2022, 2, 30, 30)  # 2022Q1: before a six-quarter window
        + dossiers(TG, 2022, 5, 30, 3) + dossiers(LS, 2022, 5, 30, 6)  # 2022Q2: 10% and 20% late
        + dossiers(TG, 2023, 8, 30, 9) + dossiers(LS, 2023, 8, 30, 0)  # 2023Q3: 30% and 0% late
        + dossiers(CT, 2023, 8, 10, 0)  # 10 dossiers: below the shipped 30, above a minimum of 5
        + dossiers(TG, 2023, 11, 30, 0) + dossiers(LS, 2023, 11, 30, 30)  # 2023Q4: after the periods asked
    )  # fmt: skip
    pd.DataFrame(rows).to_parquet(processed / "dossiers.parquet")
    catalogue = pd.DataFrame({"unit_id": [TG] * 4, "procedure_key": ["a", "b", "c", "d"], "procedure": list("ABCD")})
    catalogue.to_parquet(processed / "catalogue.parquet")
    par = [
        {"unit_id": u, "year": 2022, "published_date": T("2023-03-28"), "component": c, "score": s, "max_score": 10.0}
        for u, c, s in ((TG, INST, 6.0), (TG, "Chính quyền số", 7.0), (LS, INST, 8.0))
    ]
    pd.DataFrame(par).to_parquet(processed / "par.parquet")
    return tmp_path


def test_rank_history_window_of_six_quarters(second_store):
    # ending in July or in August 2023 (2023Q3): 2022Q2 to 2023Q3; 2022Q3-2023Q2 have no dossier, 2022Q1 is
    # before the window, 2023Q4 after it. Late share, lower is better: 2022Q2 Thanh Giang 10% (1), Lam Sơn 20%
    # (2); 2023Q3 Lam Sơn 0% and Cao Thắng 0% (1), Thanh Giang 30% (3 of 3); Cao Thắng has 10 dossiers: counted,
    # never shown, so left out
    for end in ("2023-07-31", "2023-08-15"):
        history = rank_history(second_store, parse_period(f"2023-07-01..{end}"), indicator="resolved_late_pct")
        assert {(r.period, r.unit_id): (r.rank, r.rank_of) for r in history.itertuples()} == {
            ("2022Q2", TG): (1, 2),
            ("2022Q2", LS): (2, 2),
            ("2023Q3", LS): (1, 3),
            ("2023Q3", TG): (3, 3),
        }
        assert history["period"].tolist() == ["2022Q2", "2022Q2", "2023Q3", "2023Q3"]  # oldest first
        assert history.index.tolist() == [0, 1, 2, 3] and history["rank"].dtype == "int64"
    # the default indicator (on_time_rate_766) over a window of seven quarters, which reaches 2022Q1; ending in
    # 2024Q1 (no dossier), the window reaches back over the year's turn to 2022Q4
    seven = rank_history(second_store, parse_period("2023Q3"), quarters=7)
    assert sorted(set(seven["period"])) == ["2022Q1", "2022Q2", "2023Q3"]
    assert sorted(set(rank_history(second_store, parse_period("2024Q1"))["period"])) == ["2023Q3", "2023Q4"]


def test_rankings_follow_the_methodology_given(second_store):
    from cchc_analysis.methodology import Methodology, load_methodology

    settings = {**load_methodology().settings}
    settings["ranking"] = {**settings["ranking"], "min_volume": 5, "composite_weight_perturbation": 0.0}
    settings["par"] = {**settings["par"], "below_threshold_pct": 65}
    m = Methodology(settings, "t", "x")
    records = compute_rankings(second_store, Q3, methodology=m, draws=20)
    late = {r["unit_id"]: r for r in records if r["indicator"] == "resolved_late_pct"}
    # Lam Sơn 0% and Cao Thắng 0% (10 dossiers, now enough) share rank 1, Thanh Giang 30% is 3rd
    assert [late[u]["rank"] for u in (LS, CT, TG)] == [1, 1, 3]
    assert late[CT]["low_volume"] is False
    # Lam Sơn lacks a component: 8 + 0 = 8 against Thanh Giang's 6 + 7 = 13; no perturbation: exact ranges
    total = {r["unit_id"]: r for r in records if r["indicator"] == "par_total_score"}
    assert [(total[u]["value"], total[u]["rank"], total[u]["rank_p05"], total[u]["rank_p95"]) for u in (TG, LS)] == [
        (13.0, 1, 1.0, 1.0),
        (8.0, 2, 2.0, 2.0),
    ]
    below = {(r["unit_id"], r["component"]): r["below_75"] for r in records if r["indicator"] == "par_component"}
    assert below == {(TG, INST): True, (TG, "Chính quyền số"): False, (LS, INST): False}  # 60% < 65% only
    # two of the four procedures of Thanh Giang's catalogue (A and B) have online dossiers: 50%
    share = next(r for r in records if r["indicator"] == "procedures_online_share" and r["unit_id"] == TG)
    assert share["value"] == 50.0
    history = rank_history(second_store, Q3, indicator="resolved_late_pct", methodology=m)
    assert set(history[history["period"] == "2023Q3"]["unit_id"]) == {LS, CT, TG}  # Cao Thắng shown with 5


def _par_store(tmp_path, scores_by_year, published=None):
    processed = tmp_path / "processed"
    processed.mkdir(parents=True)
    pd.DataFrame(columns=["unit_id", "code", "status", "received_at"]).to_parquet(processed / "dossiers.parquet")
    rows = [
        {
            "unit_id": unit,
            "year": year,
            "published_date": T(published[year]) if published else pd.NaT,
            "component": INST,
            "score": score,
            "max_score": 10.0,
        }
        for year, scores in scores_by_year.items()
        for unit, score in scores.items()
    ]
    pd.DataFrame(rows).to_parquet(processed / "par.parquet")
    return tmp_path


def test_the_previous_periods_par_year_follows_the_methodology_given(tmp_path):
    from cchc_analysis.methodology import Methodology, load_methodology

    # no publication date on the sheets: a year counts as published on the methodology's fallback day of the next
    # year. With 15 January, 2022's scores are shown from January 2023 on: February and January 2023 show the same
    # year, so no rank change (the shipped 31 March would show 2021 in January and a change in February)
    store = _par_store(tmp_path, {2021: {TG: 5.0, LS: 9.0}, 2022: {TG: 9.0, LS: 6.0}})
    settings = {**load_methodology().settings}
    settings["par"] = {**settings["par"], "publication_fallback": "01-15"}
    m = Methodology(settings, "t", "x")
    records = compute_rankings(store, parse_period("2023-02"), indicators=["par_total_score"], methodology=m, draws=5)
    total = {r["unit_id"]: (r["value"], r["rank"], r["change"]) for r in records if r["indicator"] == "par_total_score"}
    assert total == {TG: (9.0, 1, None), LS: (6.0, 2, None)}
    # shipped methodology: 2021 until 31/03/2023, so February 2023 shows 2021 and so did January: no change either
    shipped = compute_rankings(store, parse_period("2023-02"), indicators=["par_total_score"], draws=5)
    assert {r["unit_id"]: (r["value"], r["change"]) for r in shipped if r["indicator"] == "par_total_score"} == {
        TG: (5.0, None),
        LS: (9.0, None),
    }


def test_one_unit_scored_and_a_period_after_one_without_dossiers(tmp_path, store):
    one = _par_store(tmp_path, {2022: {TG: 7.0}}, {2022: "2023-03-28"})
    records = compute_rankings(one, Q3, indicators=["par_total_score"], draws=5)
    assert [(r["indicator"], r["rank"], r["rank_of"], r["change"]) for r in records] == [
        ("par_total_score", 1, 1, None),
        ("par_component", 1, 1, None),
    ]
    # 2023Q2 after a first quarter without any dossier: ranks, and no change to speak of (Cao Thắng, whose dossiers
    # are all of Q3, has a row and no rank)
    q2 = compute_rankings(store, parse_period("2023Q2"), group="Huyện Thanh Miện", indicators=["online_rate"], draws=5)
    assert {r["unit_id"]: (r["rank"], r["change"]) for r in q2} == {LS: (1, None), TG: (2, None), CT: (None, None)}


def test_the_composite_perturbation_is_the_methodologys(second_store):
    from cchc_analysis.methodology import Methodology, load_methodology

    # Thanh Giang 6 + 7 = 13 against Lam Sơn 10 + 2,5 = 12,5: Lam Sơn is ahead when 4 w1 > 4,5 w2, i.e. when the
    # first weight outweighs the second by more than 12,5%, which weights drawn within ±25% often do; without
    # perturbation the ranks never move
    par = [
        {"unit_id": u, "year": 2022, "published_date": T("2023-03-28"), "component": c, "score": s, "max_score": 10.0}
        for u, c, s in ((TG, INST, 6.0), (TG, "Chính quyền số", 7.0), (LS, INST, 10.0), (LS, "Chính quyền số", 2.5))
    ]
    pd.DataFrame(par).to_parquet(second_store / "processed" / "par.parquet")
    settings = {**load_methodology().settings}
    settings["ranking"] = {**settings["ranking"], "composite_weight_perturbation": 0.0}
    still = compute_rankings(
        second_store, Q3, indicators=["par_total_score"], methodology=Methodology(settings, "t", "x")
    )
    moved = compute_rankings(second_store, Q3, indicators=["par_total_score"])
    ranges = {
        (name, r["unit_id"]): (r["rank"], r["rank_p05"], r["rank_p95"])
        for name, records in (("still", still), ("moved", moved))
        for r in records
        if r["indicator"] == "par_total_score"
    }
    assert ranges[("still", TG)] == (1, 1.0, 1.0) and ranges[("still", LS)] == (2, 2.0, 2.0)
    assert ranges[("moved", TG)] == (1, 1.0, 2.0) and ranges[("moved", LS)] == (2, 1.0, 2.0)


def test_a_share_of_procedures_needs_the_units_catalogue(second_store):
    from cchc_analysis.methodology import Methodology, load_methodology

    # only Thanh Giang has a catalogue (A, B, C, D): the online dossiers use A and B, 2 of 4 = 50%; Lam Sơn and Cao
    # Thắng have none, so no share and no rank (never a share of 100 x 2 / 1). Four procedures are below the
    # shipped minimum of 30 (a rank hidden); with a minimum of 1 it is shown
    records = compute_rankings(second_store, Q3, indicators=["procedures_online_share"], draws=5)
    share = {r["unit_id"]: (r["value"], r["rank"], r["rank_of"], r["low_volume"]) for r in records}
    assert share == {TG: (50.0, None, 1, True), LS: (None, None, 1, True), CT: (None, None, 1, True)}
    settings = {**load_methodology().settings}
    settings["ranking"] = {**settings["ranking"], "min_volume": 1}
    m = Methodology(settings, "t", "x")
    history = rank_history(second_store, Q3, indicator="procedures_online_share", methodology=m)
    assert history[["period", "unit_id", "value", "rank"]].values.tolist() == [
        ["2022Q2", TG, 50.0, 1],
        ["2023Q3", TG, 50.0, 1],
    ]  # 2022Q1 is before the six quarters


def test_the_rankings_and_the_history_count_with_the_methodology_given(tmp_path):
    # Thanh Giang: two fee-bearing dossiers, one paid by bank transfer, one online. The shipped methodology does not
    # count a transfer as online: 1 of 2 = 50%; a methodology that counts it: 2 of 2 = 100%
    from cchc_analysis.methodology import Methodology, load_methodology

    from .test_compute_indicators import dossier

    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    rows = [
        dossier(TG, "1", "2023-07-03 08:00", "2023-07-10", "2023-07-05 10:00", "resolved", "online", 2000, "transfer"),
        dossier(TG, "2", "2023-07-04 08:00", "2023-07-10", "2023-07-05 10:00", "resolved", "online", 2000, "online"),
        dossier(LS, "3", "2023-07-04 08:00", "2023-07-10", "2023-07-05 10:00", "resolved", "online", 2000, "online"),
    ]
    pd.DataFrame(rows).assign(field="Hộ tịch").to_parquet(processed / "dossiers.parquet")
    settings = {**load_methodology().settings}
    settings["online_payment"] = {**settings["online_payment"], "transfer_counts_as_online": True}
    settings["ranking"] = {**settings["ranking"], "min_volume": 1}
    lenient = Methodology(settings, "t", "x")

    def values(methodology):
        records = compute_rankings(
            tmp_path / "data", Q3, indicators=["online_payment_rate"], methodology=methodology, draws=0
        )
        return {r["unit_id"]: r["value"] for r in records}

    assert values(lenient)[TG] == 100.0 and values(load_methodology())[TG] == 50.0
    history = rank_history(tmp_path / "data", Q3, indicator="online_payment_rate", methodology=lenient)
    assert history.set_index("unit_id").loc[TG, "value"] == 100.0


def _dossier_store(tmp_path, rows, par=()):
    processed = tmp_path / "processed"
    processed.mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(processed / "dossiers.parquet")
    par_rows = [
        {"unit_id": u, "year": 2022, "published_date": T("2023-03-28"), "component": c, "score": s, "max_score": 10.0}
        for u, c, s in par
    ]
    pd.DataFrame(par_rows, columns=["unit_id", "year", "published_date", "component", "score", "max_score"]).to_parquet(
        processed / "par.parquet"
    )
    return tmp_path


def test_the_number_of_draws_asked_is_the_number_drawn(tmp_path):
    # online rates 55% and 50% of 40 dossiers: the draws put Lam Sơn ahead about a third of the time (the difference
    # of 5 points is 0,45 of its standard deviation, sqrt(0,55 x 0,45/40 + 0,5 x 0,5/40) = 11 points), so over the
    # methodology's 1,000 draws both rank from 1 to 2. PAR totals 13 and 12,5 swap under weights within ±25% (see
    # the perturbation test above). One draw (or 0 asked: ranks only, drawn once) gives each unit one rank: a range
    # of one number
    store = _dossier_store(
        tmp_path,
        new_dossiers(TG, 8, 40, 22) + new_dossiers(LS, 8, 40, 20),
        [(TG, INST, 6.0), (TG, "Chính quyền số", 7.0), (LS, INST, 10.0), (LS, "Chính quyền số", 2.5)],
    )
    wanted = ["online_rate", "par_total_score"]

    def ranges(draws):
        records = compute_rankings(store, Q3, indicators=wanted, draws=draws)
        return {
            (r["indicator"], r["unit_id"]): (r["rank"], r["rank_p05"], r["rank_median"], r["rank_p95"])
            for r in records
            if r["indicator"] in wanted
        }

    spread = ranges(None)
    assert {k: (v[0], v[1], v[3]) for k, v in spread.items()} == {
        ("online_rate", TG): (1, 1.0, 2.0),
        ("online_rate", LS): (2, 1.0, 2.0),
        ("par_total_score", TG): (1, 1.0, 2.0),
        ("par_total_score", LS): (2, 1.0, 2.0),
    }
    for draws in (1, 0):
        once = ranges(draws)
        assert set(once) == set(spread)
        for key, (_rank, p05, median, p95) in once.items():
            assert p05 == median == p95 and p05 in (1.0, 2.0), (draws, key)


def test_the_rank_change_counts_the_previous_quarter_with_the_methodology_given(tmp_path):
    from cchc_analysis.methodology import Methodology, load_methodology

    # Cao Thắng has 10 dossiers a quarter: shown with a minimum of 5. Q2: Cao Thắng 100% (1), Thanh Giang 50% (2);
    # Q3: Thanh Giang 90% (1), Cao Thắng 50% (2): Thanh Giang up 1, Cao Thắng down 1. With the shipped minimum of 30
    # Cao Thắng has no rank in either quarter, so no change
    store = _dossier_store(
        tmp_path,
        new_dossiers(TG, 5, 40, 20)
        + new_dossiers(CT, 5, 10, 10)
        + new_dossiers(TG, 8, 40, 36)
        + new_dossiers(CT, 8, 10, 5),
    )
    settings = {**load_methodology().settings}
    settings["ranking"] = {**settings["ranking"], "min_volume": 5}
    m = Methodology(settings, "t", "x")
    records = compute_rankings(store, Q3, indicators=["online_rate"], methodology=m, draws=0)
    assert {r["unit_id"]: (r["rank"], r["change"]) for r in records} == {TG: (1, 1), CT: (2, -1)}
    shipped = compute_rankings(store, Q3, indicators=["online_rate"], draws=0)
    assert {r["unit_id"]: (r["rank"], r["change"]) for r in shipped} == {TG: (1, 1), CT: (None, None)}


def test_a_component_a_unit_lacks_counts_as_zero_in_the_rank_range(tmp_path):
    from cchc_analysis.methodology import Methodology, load_methodology

    # Lam Sơn has only "Cải cách thể chế", 10; Thanh Giang 4 + 4 = 8. Without perturbation every draw is the totals:
    # Lam Sơn first in all of them (the missing component is 0, not a hole that sorts last)
    store = _dossier_store(tmp_path, [], [(LS, INST, 10.0), (TG, INST, 4.0), (TG, "Chính quyền số", 4.0)])
    settings = {**load_methodology().settings}
    settings["ranking"] = {**settings["ranking"], "composite_weight_perturbation": 0.0}
    m = Methodology(settings, "t", "x")
    records = compute_rankings(store, Q3, indicators=["par_total_score"], methodology=m, draws=20)
    total = {r["unit_id"]: r for r in records if r["indicator"] == "par_total_score"}
    assert [(total[u]["value"], total[u]["rank"], total[u]["rank_p05"], total[u]["rank_p95"]) for u in (LS, TG)] == [
        (10.0, 1, 1.0, 1.0),
        (8.0, 2, 2.0, 2.0),
    ]


def test_rank_history_goes_on_past_a_quarter_with_no_unit_shown(tmp_path):
    # Q1: Lam Sơn 75% (1), Thanh Giang 50% (2); Q2: 5 dossiers each, below the minimum of 30: no rank shown, the
    # quarter is left out; Q3: Thanh Giang 90% (1), Lam Sơn 50% (2) are still there
    store = _dossier_store(
        tmp_path,
        new_dossiers(TG, 2, 40, 20) + new_dossiers(LS, 2, 40, 30)
        + new_dossiers(TG, 5, 5, 5) + new_dossiers(LS, 5, 5, 0)
        + new_dossiers(TG, 8, 40, 36) + new_dossiers(LS, 8, 40, 20),
    )  # fmt: skip
    history = rank_history(store, Q3, indicator="online_rate", quarters=3)
    assert {(r.period, r.unit_id): r.rank for r in history.itertuples()} == {
        ("2023Q1", LS): 1,
        ("2023Q1", TG): 2,
        ("2023Q3", TG): 1,
        ("2023Q3", LS): 2,
    }


# --- across 1 July 2025: the new communes, compared with their predecessors' previous quarter -------------------

BTM = "2025-31-11254"  # Bắc Thanh Miện: the whole of Lam Sơn, Hồng Quang and Lê Hồng


def dossiers_2025(unit, month, n, online):
    """``new_dossiers`` moved to 2025."""
    day = f"2025-{month:02d}-"
    return [
        dict(d, received_at=T(day + "03 08:00"), due_at=T(day + "10"), processed_at=T(day + "05 08:00"))
        for d in new_dossiers(unit, month, n, online)
    ]


@pytest.fixture(scope="module")
def merged_store(tmp_path_factory):
    data = tmp_path_factory.mktemp("merged")
    (data / "processed").mkdir()
    rows = (
        dossiers_2025(TG, 5, 40, 40)  # Q2: Thanh Giang 100% online -> Nam Thanh Miện's history
        + dossiers_2025(LS, 5, 40, 0)  # Q2: Lam Sơn 0% -> Bắc Thanh Miện's history
        + dossiers_2025(NTM, 8, 40, 10)  # Q3: 25%
        + dossiers_2025(BTM, 8, 40, 30)  # Q3: 75%
    )
    # the other communes each of them replaced, with the same rates in Q2 (Nam Thanh Miện's 100%, Bắc's 0%)
    rows += [r for u in ("30-11281", "30-11284", "30-11293") for r in dossiers_2025(u, 5, 10, 10)]
    rows += [r for u in ("30-11254", "30-11266") for r in dossiers_2025(u, 5, 10, 0)]
    pd.DataFrame(rows).to_parquet(data / "processed" / "dossiers.parquet")
    return data


def test_a_quarter_after_the_merger_is_compared_with_the_predecessors_quarter(merged_store):
    records = compute_rankings(
        merged_store, parse_period("2025Q3"), group="Thành phố Hải Phòng", indicators=["online_rate"], draws=0
    )
    by_unit = {r["unit_id"]: r for r in records}
    assert set(by_unit) == {NTM, BTM}
    # Q3: Bắc Thanh Miện 75% first, Nam Thanh Miện 25% second; in Q2, with the boundaries of 30/09/2025, Nam Thanh
    # Miện was Thanh Giang (100%, first) and Bắc Thanh Miện was Lam Sơn (0%, second): change +1 and -1
    assert [(by_unit[u]["rank"], by_unit[u]["change"]) for u in (BTM, NTM)] == [(1, 1), (2, -1)]
    # the records say which group, which day's boundaries, and that the earlier quarter is the predecessors'
    assert {(r["peer_group"], r["boundaries_on"], r["predecessors_added"]) for r in records} == {
        ("Thành phố Hải Phòng", "2025-09-30", True)
    }


def test_an_earlier_quarter_short_of_a_predecessors_data_is_not_compared(merged_store, tmp_path):
    import shutil

    data = tmp_path / "short"
    shutil.copytree(merged_store, data)
    path = data / "processed" / "dossiers.parquet"
    rows = pd.read_parquet(path)
    rows[rows["unit_id"] != "30-11293"].to_parquet(path)  # Hồng Phong's exports never ingested
    records = compute_rankings(
        data, parse_period("2025Q3"), group="Thành phố Hải Phòng", indicators=["online_rate"], draws=0
    )
    by_unit = {r["unit_id"]: r for r in records}
    # Q3 as above; Nam Thanh Miện's Q2 is unknown (Hồng Phong's part missing), so it has no change; in Q2 Bắc Thanh
    # Miện was ranked alone (1st), as in Q3: change 0
    assert [(by_unit[u]["rank"], by_unit[u]["change"]) for u in (BTM, NTM)] == [(1, 0), (2, None)]


def test_a_quarter_ranked_by_the_district_that_ceased_is_refused(merged_store):
    from cchc_analysis.errors import UnitLookupError

    with pytest.raises(UnitLookupError, match="không còn từ 01/07/2025"):
        compute_rankings(merged_store, parse_period("2025"), group="Huyện Thanh Miện", indicators=["online_rate"])


def test_rates_ranked_on_two_threads_are_those_ranked_on_one(store, monkeypatch):
    # each rate seeds its own generator: the Monte Carlo ranges do not depend on which thread drew them
    one = compute_rankings(store, Q3, group="Huyện Thanh Miện")
    monkeypatch.setenv("CCHC_JOBS", "2")
    two = compute_rankings(store, Q3, group="Huyện Thanh Miện")
    assert len(one) > 6 and two == one


def test_several_groups_ranked_on_one_counting_are_each_groups_own_ranking(tmp_path, monkeypatch):
    import cchc_analysis.indicators as indicators
    from cchc_analysis.ranking import rankings_by_group

    monkeypatch.setenv("CCHC_SCOPE", "Tỉnh Hải Dương")
    cb, hk = "30-10984", "30-10978"  # Cổ Bì and Hồng Khê, of Huyện Bình Giang
    (tmp_path / "processed").mkdir()
    rows = [
        *new_dossiers(TG, 8, 40, 36),
        *new_dossiers(LS, 8, 40, 20),
        *new_dossiers(cb, 8, 40, 30),
        *new_dossiers(hk, 8, 40, 10),
        *new_dossiers(TG, 5, 40, 10),
        *new_dossiers(cb, 5, 40, 40),
    ]
    pd.DataFrame(rows).to_parquet(tmp_path / "processed" / "dossiers.parquet")
    groups = ["Huyện Thanh Miện", "Huyện Bình Giang", None]  # two districts, and every unit with data
    alone = {g: compute_rankings(tmp_path, Q3, group=g, draws=50) for g in groups}
    counted = []
    real = indicators.compute_onestop_indicators
    monkeypatch.setattr(indicators, "compute_onestop_indicators", lambda *a, **k: counted.append(1) or real(*a, **k))
    together = rankings_by_group(tmp_path, Q3, groups, draws=50)
    assert together == alone and len(counted) == 2  # the quarter and the one before, once for the three groups
    online = {g: {r["unit_id"]: r["rank"] for r in together[g] if r["indicator"] == "online_rate"} for g in groups}
    # 90% and 50% in Thanh Miện; 75% and 25% in Bình Giang; all four together
    assert online == {
        "Huyện Thanh Miện": {TG: 1, LS: 2},
        "Huyện Bình Giang": {cb: 1, hk: 2},
        None: {TG: 1, cb: 2, LS: 3, hk: 4},
    }
