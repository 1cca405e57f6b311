"""The one engine of the rate indicators: each rate is defined once, as data, in ``data/indicators.yaml``.

A rate entry names its numerator and denominator as counts of the dossier indicator table (summed when several),
the count or date that must be known for it (``requires``), the reason it is missing when its denominator is 0, its
direction and whether units are ranked on it. ``compute_onestop_indicators`` (and the successor sums), the records of
``compute_indicators`` and the rankings all compute rates here; the brief, the CLI table and the workbook show them
with the same entry's label and decimals. docs/adding-an-indicator.md shows how to add one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce
from operator import add

import pandas as pd

from .errors import ConfigError
from .methodology import indicator_catalogue, missing_reasons


@dataclass(frozen=True)
class Rate:
    """One rate indicator: 100 x sum(numerator) / sum(denominator), missing (``missing``) when the denominator is 0."""

    key: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    missing: str
    direction: str
    ranked: bool
    requires: str | None = None
    table: str = "dossiers"  # the table of counts it is computed from (TABLES)

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"


# the tables a rate can be computed from: its numerator and denominator are columns of one of them
TABLES = {
    "dossiers": "the dossier counts per unit (compute_onestop_indicators)",
    "budget": "a unit's budget totals (compute_budget_indicators)",
    "par": "a unit's PAR totals (compute_par_indicators)",
    "par_component": "one PAR component of a unit (its score and maximum)",
}


def rate_definitions(table: str = "dossiers") -> dict[str, Rate]:
    """Every rate of the catalogue computed from ``table`` (TABLES), in the catalogue's order (the order of records
    and rankings)."""
    reasons = missing_reasons()
    out = {}
    for key, entry in indicator_catalogue().items():
        if "numerator" not in entry and "denominator" not in entry:
            continue
        if entry.get("table", "dossiers") not in TABLES:
            raise ConfigError(f"Chỉ số '{key}': bảng '{entry['table']}' không có; các bảng: {', '.join(TABLES)}.")
        if entry.get("table", "dossiers") != table:
            continue
        try:
            rate = Rate(
                key,
                tuple(entry["numerator"]),
                tuple(entry["denominator"]),
                entry["missing"],
                entry["direction"],
                bool(entry.get("ranked", False)),
                entry.get("requires"),
                table,
            )
        except (KeyError, TypeError) as exc:
            raise ConfigError(
                f"Chỉ số '{key}' của danh mục chỉ số thiếu {exc}: một tỷ lệ cần numerator, denominator (danh sách "
                "số đếm), missing và direction."
            ) from None
        if not rate.numerator or not rate.denominator:
            raise ConfigError(f"Chỉ số '{key}': tử số và mẫu số phải là danh sách số đếm, không được trống.")
        if rate.missing not in reasons:
            raise ConfigError(
                f"Chỉ số '{key}': lý do thiếu '{rate.missing}' không có trong missing_reasons ({', '.join(reasons)})."
            )
        if rate.ranked and table != "dossiers":
            raise ConfigError(f"Chỉ số '{key}': chỉ xếp hạng được các tỷ lệ của bảng hồ sơ (table: dossiers).")
        if rate.ranked and rate.direction not in ("higher", "lower"):
            raise ConfigError(f"Chỉ số '{key}' được xếp hạng nên cần direction: higher hoặc lower.")
        if rate.ranked and not entry.get("short_label"):
            raise ConfigError(f"Chỉ số '{key}' được xếp hạng nên cần short_label (tên trong bảng xếp hạng).")
        out[key] = rate
    return out


def ranked_rates() -> dict[str, Rate]:
    """The rates units are ranked on."""
    return {k: r for k, r in rate_definitions().items() if r.ranked}


def _sum(table, columns: tuple[str, ...], rate: Rate):
    missing = [c for c in columns if c not in table]
    if missing:
        raise ConfigError(
            f"Chỉ số '{rate.key}' dùng {', '.join(missing)}, không phải số đếm của bảng chỉ số hồ sơ "
            "(xem các cột của compute_onestop_indicators)."
        )
    return reduce(add, (table[c] for c in columns))


def rate_parts(table, rate: Rate):
    """(numerator, denominator) of ``rate`` from a table of counts (Series each) or from one row (numbers)."""
    return _sum(table, rate.numerator, rate), _sum(table, rate.denominator, rate)


def rate_value(table, rate: Rate):
    """The rate in percent at full precision: a Series (NaN where missing) for a table, a float for one row."""
    num, den = rate_parts(table, rate)
    if isinstance(den, pd.Series):
        value = (100.0 * num / den).where(den > 0)
        if rate.requires:
            value = value.where(table[rate.requires].notna())
        return value
    if not den > 0 or (rate.requires and pd.isna(table[rate.requires])):
        return math.nan
    return 100.0 * num / den


def missing_reason(reason: str) -> str:
    """The sentence for a reason key of the catalogue's ``missing_reasons``."""
    return missing_reasons()[reason]
