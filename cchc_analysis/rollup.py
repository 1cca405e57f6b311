"""The national picture: for each province, the spread of its communes' Decision 766 indicators.

A ministry compares provinces by how their communes are distributed (median, quartiles, extremes, how many
communes have the figure), not by a sum: a province's median commune is what a typical citizen meets. The records
are those of ``compute_indicators`` (one per unit with the boundaries of the period's last day), so a period
across 1 July 2025 rolls up the new communes with their predecessors' part.
"""

from __future__ import annotations

import numpy as np

from .methodology import Methodology, indicator_catalogue, load_methodology
from .registry import UnitRegistry

ROLLUP_COLUMNS = (
    "province",
    "indicator",
    "label",
    "units",
    "units_with_value",
    "median",
    "p25",
    "p75",
    "min",
    "max",
)


def rollup_indicators(methodology: Methodology) -> list[str]:
    """The indicators of Decision 766's groups, in the methodology's order."""
    keys: list[str] = []
    for group in methodology.get("decision_766", "groups"):
        keys += [ind["key"] for ind in group["indicators"] if ind["key"] not in keys]
    return keys


def province_rollup(records: list[dict], registry: UnitRegistry, methodology: Methodology | None = None) -> list[dict]:
    """One row per province and indicator: how many units, how many with the figure, and the median, quartiles
    (linear interpolation, as numpy's default) and extremes of those that have it; None where none has it."""
    methodology = methodology or load_methodology()
    catalogue = indicator_catalogue()
    by_province: dict[str, list[dict]] = {}
    for rec in records:
        province = registry.get(rec["unit_id"]).province or rec.get("group") or ""
        by_province.setdefault(province, []).append(rec)
    rows = []
    for province in sorted(by_province):
        recs = by_province[province]
        for key in rollup_indicators(methodology):
            values = np.array([float(r[key]) for r in recs if r.get(key) is not None])
            row = {
                "province": province,
                "indicator": key,
                "label": catalogue.get(key, {}).get("label", key),
                "units": len(recs),
                "units_with_value": int(values.size),
            }
            if values.size:
                p25, median, p75 = np.percentile(values, [25, 50, 75])
                row.update(
                    median=float(median),
                    p25=float(p25),
                    p75=float(p75),
                    min=float(values.min()),
                    max=float(values.max()),
                )
            else:
                row.update(median=None, p25=None, p75=None, min=None, max=None)
            rows.append(row)
    return rows


def compute_rollup(data_dir, period, *, group: str | None = None, methodology: Methodology | None = None) -> list[dict]:
    """``province_rollup`` of every unit of the store (or of ``group``) for ``period``."""
    from .indicators import compute_indicators
    from .store import open_store

    methodology = methodology or load_methodology()
    _settings, _processed, registry = open_store(data_dir)
    records = compute_indicators(data_dir, period, group=group, methodology=methodology)
    return province_rollup(records, registry, methodology)
