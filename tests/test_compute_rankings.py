"""compute_rankings and rank_history on a store built by hand: ranks, intervals, funnel flags, low volume, rank
changes and Monte Carlo ranges worked out by hand in the comments."""

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cchc_analysis.periods import parse_period
from cchc_analysis.ranking import compute_rankings, par_component_table, rank_history

T = pd.Timestamp
TG, LS, CT, NTM = "30-11287", "30-11260", "30-11278", "31-11284"  # Thanh Giang, Lam Sơn, Cao Thắng, Nam Thanh Miện
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
