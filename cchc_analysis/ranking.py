"""Cross-commune rankings with honest uncertainty: competition ranks, Wilson intervals, funnel flags and Monte
Carlo rank ranges, so that a 5-dossier commune at 100% is never shown as better than a 2,500-dossier one at 99.8%."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .indicators import competition_rank
from .methodology import Methodology, load_methodology
from .rates import Rate, ranked_rates, rate_parts

Z95 = 1.959963984540054
FLAGS_VI = {"better": "tốt hơn", "similar": "tương đương", "worse": "kém hơn", None: "—"}


def wilson_interval(num: np.ndarray, den: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of num/den, in percent; NaN where den is 0."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = num / den
        centre = (p + z * z / (2 * den)) / (1 + z * z / den)
        half = z * np.sqrt(p * (1 - p) / den + z * z / (4 * den * den)) / (1 + z * z / den)
    low, high = 100 * (centre - half), 100 * (centre + half)
    low = np.where(den > 0, np.clip(low, 0, 100), np.nan)
    high = np.where(den > 0, np.clip(high, 0, 100), np.nan)
    return low, high


def _z(coverage_pct: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + coverage_pct / 200)


def _draw_ranks(order: np.ndarray) -> np.ndarray:
    """Competition ranks of each row (smaller is better): 1 + the number of strictly smaller values. O(n log n) per
    draw, in one vectorised pass, so thousands of units x 1,000 draws stay fast and in memory."""
    if order.size == 0:
        return np.empty(order.shape, dtype=np.int32)
    # vectorised over draws: sort each row, give every value the position where its run of equal values starts (the
    # order within a run does not matter, so the unstable sort, several times faster, gives the same ranks)
    idx = np.argsort(order, axis=1)
    ordered = np.take_along_axis(order, idx, axis=1)
    starts = np.ones(order.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.where(starts, np.arange(order.shape[1])[None, :], 0)
    np.maximum.accumulate(first, axis=1, out=first)
    ranks = np.empty(order.shape, dtype=np.int32)
    np.put_along_axis(ranks, idx, (first + 1).astype(np.int32), axis=1)
    return ranks


# draws simulated and ranked this many values at a time (4 MiB of float64): a country's 1,000 draws x 3,321 units
# at once made arrays of 26 MiB, and touching fresh memory cost more than the sorting (a rate 0.45 -> 0.3 s)
_CHUNK_VALUES = 1 << 19


def _chunked_ranks(simulated, draws: int, units: int) -> np.ndarray:
    """Ranks (draws x units) of ``simulated(rows)``'s values, asked for a few rows at a time. A numpy generator
    gives the same numbers in chunks as at once (it fills arrays in order), so the ranks do not depend on it."""
    ranks = np.empty((draws, units), dtype=np.int32)
    step = max(1, _CHUNK_VALUES // max(1, units))
    for start in range(0, draws, step):
        ranks[start : start + step] = _draw_ranks(simulated(min(step, draws - start)))
    return ranks


def rank_rates(
    unit_ids: list[str],
    num: np.ndarray,
    den: np.ndarray,
    *,
    higher_is_better: bool = True,
    methodology: Methodology | None = None,
    draws: int | None = None,
) -> pd.DataFrame:
    """Rank units on a rate num/den (percent), with Wilson 95% intervals, funnel flags against the group's pooled
    rate and a Monte Carlo rank range from binomial draws on each unit's totals (seeded, reproducible; draws, seed
    and percentiles from the methodology, ``draws`` overriding its number)."""
    methodology = methodology or load_methodology()
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    value = np.where(den > 0, 100 * num / np.where(den > 0, den, 1), np.nan)
    out = pd.DataFrame({"unit_id": unit_ids, "value": value, "num": num, "den": den})
    has = out["value"].notna()
    out["rank"] = competition_rank(out["value"].where(has), higher_is_better)
    out["rank_of"] = int(has.sum())
    out["ci_low"], out["ci_high"] = wilson_interval(num, den)
    limits = methodology.get("ranking", "funnel_limits")
    pooled = num[has].sum() / den[has].sum() if den[has].sum() > 0 else np.nan
    # funnel flags, vectorised: beyond the pooled rate +/- z * sqrt(p(1-p)/n) at the inner and outer limits
    v = out["value"].to_numpy(dtype=float)
    usable = ~np.isnan(v) & (den > 0) & (not math.isnan(pooled))
    spread = 100 * np.sqrt(pooled * (1 - pooled) / np.where(den > 0, den, 1)) if usable.any() else np.zeros(len(v))
    p0 = 100 * pooled
    above = usable & (v > p0 + _z(limits[0]) * spread)
    below = usable & (v < p0 - _z(limits[0]) * spread)
    good, bad = ("better", "worse") if higher_is_better else ("worse", "better")
    out["flag"] = np.where(above, good, np.where(below, bad, np.where(usable, "similar", None)))
    out["flag"] = out["flag"].astype(object).where(usable, None)
    out["beyond_998"] = usable & (np.abs(v - p0) > _z(limits[-1]) * spread)
    # Monte Carlo: binomial draws on each unit's totals, ranks recomputed every draw
    out["rank_median"] = out["rank_p05"] = out["rank_p95"] = np.nan
    draws, rng, (low, high) = _monte_carlo(methodology, draws)
    idx = np.flatnonzero(has.to_numpy())
    if len(idx):
        n = den[idx].astype(np.int64)
        p = np.clip(num[idx] / den[idx], 0, 1)
        sign = -1.0 if higher_is_better else 1.0

        def simulated(rows: int) -> np.ndarray:
            return sign * rng.binomial(n[None, :], p[None, :], size=(rows, len(idx))) / n[None, :]

        out.loc[idx, ["rank_median", "rank_p05", "rank_p95"]] = _rank_range(
            _chunked_ranks(simulated, draws, len(idx)), low, high
        )
    min_volume = int(methodology.get("ranking", "min_volume"))
    out["low_volume"] = den < min_volume
    # low-volume units stay in rank_of but are never shown with a rank (so never as the best)
    out["rank"] = out["rank"].where(~out["low_volume"])
    return out.drop(columns=["num"]).rename(columns={"den": "volume"})


def _rank_range(ranks: np.ndarray, low: float, high: float) -> np.ndarray:
    """Per unit (a column of draws x units), the median rank and the ``low`` and ``high`` percentiles (linear
    interpolation, as numpy's median and percentile): one partial sort for the three, not one each."""
    return np.percentile(ranks, [50, low, high], axis=0).T


def _monte_carlo(methodology: Methodology, draws: int | None) -> tuple[int, np.random.Generator, list[float]]:
    """The number of draws (the methodology's unless given), the seeded generator and the rank range's percentiles."""
    if draws is None:
        draws = int(methodology.get("ranking", "monte_carlo_draws"))
    rng = np.random.default_rng(int(methodology.get("ranking", "monte_carlo_seed")))
    return draws, rng, list(methodology.get("ranking", "rank_range_percentiles"))


def rank_composite(
    scores: pd.DataFrame, *, methodology: Methodology | None = None, draws: int | None = None
) -> pd.DataFrame:
    """Rank units on the sum of component scores (a units x components table), with a Monte Carlo rank range
    under random component weights within ±perturbation (default ±25%)."""
    methodology = methodology or load_methodology()
    spread = float(methodology.get("ranking", "composite_weight_perturbation"))
    total = scores.sum(axis=1)
    out = pd.DataFrame({"unit_id": scores.index, "value": total.to_numpy()})
    out["rank"] = competition_rank(out["value"].round(9))
    out["rank_of"] = len(out)
    draws, rng, (low, high) = _monte_carlo(methodology, draws)
    weights = rng.uniform(1 - spread, 1 + spread, size=(draws, scores.shape[1]))
    sims = weights @ scores.to_numpy().T  # draws x units
    out[["rank_median", "rank_p05", "rank_p95"]] = _rank_range(_draw_ranks(-sims), low, high)
    return out


def _dossier_inputs(processed, period, registry):
    """The units' whole history (four columns of every dossier) and the store's rows the period and the one it is
    compared with may count (read by DuckDB when counted; a dossier handed over on the reform, once)."""
    from .indicators import unit_history
    from .periods import Period, previous_period
    from .store import handover_pairs, store_rows

    span = Period(previous_period(period).start, period.end, "span", "range")
    history = unit_history(store_rows(processed))
    pairs = handover_pairs(processed, registry, history.index, period.end)
    return history, store_rows(processed, span, handed_over=pairs)


def compute_rankings(
    data_dir,
    period,
    *,
    group: str | None = None,
    indicators: list[str] | None = None,
    methodology: Methodology | None = None,
    draws: int | None = None,
) -> list[dict]:
    """Records per unit and indicator for every unit of a group with data (see ``cchc rank``)."""
    by_group = rankings_by_group(data_dir, period, [group], indicators=indicators, methodology=methodology, draws=draws)
    return by_group[group]


def rankings_by_group(
    data_dir,
    period,
    groups: list[str | None],
    *,
    indicators: list[str] | None = None,
    methodology: Methodology | None = None,
    draws: int | None = None,
) -> dict[str | None, list[dict]]:
    """``compute_rankings`` for each of ``groups`` (None: every unit with data), the dossiers counted once for all
    of them: a country's period run ranks 34 provinces, and counting the store again for each cost seconds each."""
    from .errors import ConfigError
    from .indicators import CATALOGUE_COLUMNS, at_boundaries, check_group_at_end, compute_onestop_indicators
    from .periods import previous_period
    from .store import open_store, read_table

    methodology = methodology or load_methodology()
    _settings, processed, registry = open_store(data_dir)
    rates = ranked_rates()
    wanted = indicators or [*rates, "par_total_score"]
    unknown = [k for k in wanted if k not in rates and k != "par_total_score"]
    if unknown:
        raise ConfigError(
            f"Không xếp hạng được theo: {', '.join(unknown)}. Các chỉ số xếp hạng được: "
            f"{', '.join([*rates, 'par_total_score'])}."
        )
    for group in groups:  # an unknown group fails here, before anything is counted
        check_group_at_end(registry, period, group)
    history, dossiers = _dossier_inputs(processed, period, registry)
    catalogue = read_table(processed, "catalogue", CATALOGUE_COLUMNS)
    par = read_table(processed, "par")

    def table_for(p):
        # the boundaries of the ranked period's last day, for it and for the period it is compared with
        onestop = compute_onestop_indicators(dossiers, p, catalogue, methodology, history)
        return at_boundaries(onestop, registry, p, period.end)

    counted = table_for(period), table_for(previous_period(period))
    ranked = {}
    for group in groups:
        members = {u.unit_id for u in registry.units(group=group)} if group else None
        current, previous = (
            (t if members is None else t[t["unit_id"].isin(members)]).reset_index(drop=True) for t in counted
        )
        records = _group_records(current, previous, [k for k in wanted if k in rates], methodology, draws, registry)
        if "par_total_score" in wanted and not par.empty:
            records += _par_records(par, period, members, methodology, draws, registry.get)
        # which peer group, with which day's boundaries: across 1 July 2025 a new commune's earlier figures are its
        # predecessors' summed (docs/registry.md)
        earlier = previous_period(period).start
        for rec in records:
            unit = registry.get(rec["unit_id"])
            rec["peer_group"] = group
            rec["boundaries_on"] = period.end.isoformat()
            rec["predecessors_added"] = unit.valid_from is not None and unit.valid_from > earlier
        ranked[group] = records
    return ranked


def _group_records(current, previous, keys: list[str], methodology, draws, registry) -> list[dict]:
    """The records of the ranked rates ``keys`` for one group's counts of the period and of the one before (the
    change of rank since then)."""
    rates = ranked_rates()
    records = []
    for key, ranked in zip(keys, _rank_tables(current, [rates[k] for k in keys], methodology, draws), strict=True):
        before = _rank_table(previous, rates[key], methodology, draws=0) if len(previous) else None
        prev_rank = dict(zip(before["unit_id"], before["rank"], strict=True)) if before is not None else {}
        for r in ranked.itertuples(index=False):
            old = prev_rank.get(r.unit_id)
            change = None if pd.isna(old) or pd.isna(r.rank) else int(old) - int(r.rank)
            records.append(_record(registry.get(r.unit_id), key, r, change))
    return records


def _par_records(par: pd.DataFrame, period, members, methodology: Methodology, draws, unit_of) -> list[dict]:
    """The PAR total's records (ranked with perturbed component weights) and each component's, with the change
    of rank since the previous published year (none within the same year), for ``members`` (None: every unit)."""
    from .indicators import compute_par_indicators
    from .periods import previous_period

    records: list[dict] = []
    p = compute_par_indicators(par, period, methodology)
    before = compute_par_indicators(par, previous_period(period), methodology)
    if members is not None:
        p = p[p["unit_id"].isin(members)]
        before = before[before["unit_id"].isin(members)]
    same_year = bool(len(before) and len(p) and int(before["par_year"].iloc[0]) == int(p["par_year"].iloc[0]))
    prev_total = {} if same_year or not len(before) else dict(zip(before["unit_id"], before["par_rank"], strict=True))
    prev_comp = {}
    if not same_year and len(before):
        for row in before.itertuples():
            for c in row.par_components:
                prev_comp[(row.unit_id, c["component"])] = c["rank"]
    if len(p):
        comps = pd.DataFrame(
            {row.unit_id: {c["component"]: c["score"] for c in row.par_components} for row in p.itertuples()}
        ).T
        ranked = rank_composite(comps.fillna(0), methodology=methodology, draws=_at_least_one(draws))
        for r in ranked.itertuples(index=False):
            old = prev_total.get(r.unit_id)
            rec = _record(unit_of(r.unit_id), "par_total_score", r, None if old is None else int(old) - int(r.rank))
            rec.update({"ci_low": None, "ci_high": None, "flag": None, "low_volume": False})
            records.append(rec)
        for row in p.itertuples():
            for c in row.par_components:
                records.append(
                    {
                        "unit_code": unit_of(row.unit_id).code,
                        "unit_id": row.unit_id,
                        "unit_name": unit_of(row.unit_id).full_name,
                        "indicator": "par_component",
                        "component": c["component"],
                        "value": c["score"],
                        "score": c["score"],
                        "max_score": c["max_score"],
                        "pct": c["pct"],
                        "below_75": c["below_75"],
                        "rank": c["rank"],
                        "rank_of": c["rank_of"],
                        "change": (
                            None
                            if (row.unit_id, c["component"]) not in prev_comp
                            else prev_comp[(row.unit_id, c["component"])] - c["rank"]
                        ),
                        "ci_low": None,
                        "ci_high": None,
                        "flag": None,
                        "rank_median": None,
                        "rank_p05": None,
                        "rank_p95": None,
                        "low_volume": False,
                        "par_year": int(row.par_year),
                    }
                )
    return records


def _rank_table(table: pd.DataFrame, rate: Rate, methodology: Methodology, draws: int | None) -> pd.DataFrame:
    if table.empty:
        return pd.DataFrame(columns=["unit_id", "value", "rank"])
    num, den = rate_parts(table, rate)
    return rank_rates(
        list(table["unit_id"]),
        num.fillna(0).to_numpy(),
        den.fillna(0).to_numpy(),
        higher_is_better=rate.higher_is_better,
        methodology=methodology,
        draws=_at_least_one(draws),
    )


def _rank_tables(table: pd.DataFrame, rates: list[Rate], methodology: Methodology, draws: int | None) -> list:
    """:func:`_rank_table` for each rate, on up to ``CCHC_JOBS`` threads (numpy's draws and sorts release the GIL:
    a country's six rates x 1,000 draws take half the time on two cores). Each rate seeds its own generator, so
    the result is the same on any number of threads."""
    from concurrent.futures import ThreadPoolExecutor

    from .parallel import default_jobs

    jobs = min(default_jobs(), len(rates))
    if jobs < 2 or len(table) < 2:
        return [_rank_table(table, r, methodology, draws) for r in rates]
    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(lambda r: _rank_table(table, r, methodology, draws), rates))


def _at_least_one(draws: int | None) -> int | None:
    """Draws asked (0 for ranks only still draws once, so the table has its columns); None: the methodology's."""
    return None if draws is None else max(draws, 1)


def _record(unit, key, r, change) -> dict:
    def num(v):
        return None if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v) else float(v)

    return {
        "unit_code": unit.code,
        "unit_id": unit.unit_id,
        "unit_name": unit.full_name,
        "indicator": key,
        "value": num(r.value),
        "rank": None if pd.isna(r.rank) else int(r.rank),
        "rank_of": int(r.rank_of),
        "change": change,
        "ci_low": num(getattr(r, "ci_low", None)),
        "ci_high": num(getattr(r, "ci_high", None)),
        "flag": getattr(r, "flag", None),
        "rank_median": num(r.rank_median),
        "rank_p05": num(r.rank_p05),
        "rank_p95": num(r.rank_p95),
        "low_volume": bool(getattr(r, "low_volume", False)),
        "volume": num(getattr(r, "volume", None)),
    }


def par_component_table(records: list[dict], value: str = "pct") -> pd.DataFrame:
    """Units x PAR components (share of the maximum by default), for heatmaps and tables; empty without PAR data."""
    rows = [r for r in records if r.get("indicator") == "par_component"]
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame(rows).pivot(index="unit_name", columns="component", values=value).round(1)


def rank_history(
    data_dir,
    period,
    *,
    group: str | None = None,
    indicator: str = "on_time_rate_766",
    quarters: int = 6,
    methodology: Methodology | None = None,
) -> pd.DataFrame:
    """Ranks of every unit of a group on one rate over the calendar quarters up to the end of ``period``.

    Quarters with no dossiers are left out; the result (columns ``period``, ``unit_id``, ``unit_name``, ``value``,
    ``rank``, ``rank_of``) feeds a bump chart. Ranks are plain competition ranks (no resampling).
    """
    from .indicators import CATALOGUE_COLUMNS, compute_onestop_indicators, unit_history
    from .periods import parse_period
    from .store import handover_holders, open_store, read_table, store_rows

    methodology = methodology or load_methodology()
    _settings, processed, registry = open_store(data_dir)
    group_units = registry.units(group=group) if group else None
    members = {u.unit_id for u in group_units} if group_units is not None else None
    history = unit_history(store_rows(processed))
    holders = handover_holders(processed, registry, history.index)  # once: the quarters only orient the pairs
    catalogue = read_table(processed, "catalogue", CATALOGUE_COLUMNS)
    rate = ranked_rates().get(indicator)
    if rate is None:
        from .errors import ConfigError

        raise ConfigError(
            f"Không xếp hạng được theo: {indicator}. Các chỉ số xếp hạng được: {', '.join(ranked_rates())}."
        )
    end = period.end
    labels = []
    year, q = end.year, (end.month - 1) // 3 + 1
    for _ in range(quarters):
        labels.append(f"{year}Q{q}")
        year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    frames = []
    for label in reversed(labels):
        p = parse_period(label)
        # only the group's rows (its provinces' partitions): the ranks are among its units, none folded from others
        rows = store_rows(
            processed, p, handed_over=registry.handovers(history.index, p.end, holders), units=group_units
        )
        table = compute_onestop_indicators(rows, p, catalogue, methodology, history)
        if members is not None:
            table = table[table["unit_id"].isin(members)]
        if (
            table.empty or not table["handled_total"].sum()
        ):  # no dossier in the quarter: no figure (a share of procedures is not 0%)
            continue
        ranked = _rank_table(table.reset_index(drop=True), rate, methodology, draws=0)
        ranked = ranked.dropna(subset=["rank"])
        if ranked.empty:
            continue
        frames.append(
            pd.DataFrame(
                {
                    "period": label,
                    "unit_id": ranked["unit_id"],
                    "unit_name": [registry.get(u).full_name for u in ranked["unit_id"]],
                    "value": ranked["value"],
                    "rank": ranked["rank"].astype(int),
                    "rank_of": ranked["rank_of"],
                }
            )
        )
    columns = ["period", "unit_id", "unit_name", "value", "rank", "rank_of"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
