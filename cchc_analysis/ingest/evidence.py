"""What a column's values can be, from a sample of them: the evidence header matching weighs beside the wording.

A header says what a column is meant to hold; its values say what it does hold. "Thời hạn giải quyết" above
"5 ngày làm việc" is a duration, not the due date; "Đơn vị xử lý" above "Công chức Tư pháp - Hộ tịch" names a
department, not the commune. A column whose values cannot be a field never takes that field (:func:`allows`).
With too few values to judge, wording alone decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property

import numpy as np
import pandas as pd

from .dates import date_order_evidence, parse_datetimes
from .parse import map_vocabulary, parse_amounts, value_vocabularies

SAMPLE_ROWS = 400  # values looked at per column: the first rows of the data and a spread over the rest
MIN_VALUES = 3  # fewer non-blank values than this: no evidence, the wording decides
FIT = 0.6  # share of a sample that must be of a kind for the column to be of that kind

# a duration in words: "5 ngày làm việc", "1/2 ngày", "48 giờ", "Trong ngày" (a bare number may be a code too)
_DURATION = re.compile(r"^\s*(?:trong\s+ngay|\d+(?:[.,/]\d+)?\s*(?:ngay|gio|h|thang|tuan)\b.*)\s*$")
_SEQ = re.compile(r"^\s*\d{1,6}\s*$")


class Profile:
    """Shares of a column's sampled non-blank values that are of each kind, each worked out when first asked (a
    column is only ever asked what its candidate fields need)."""

    def __init__(self, values: pd.Series, unit_lookup: Callable[[str], bool] | None = None) -> None:
        self.sampled = values.reset_index(drop=True)
        self.values = len(values)
        self.examples = list(dict.fromkeys(values.head(40)))[:5]
        self.unit_lookup = unit_lookup
        self._vocabularies: dict[str, float] = {}

    @cached_property
    def dates(self) -> float:
        if not self.values:
            return 0.0
        evidence = date_order_evidence(self.sampled)
        parsed = parse_datetimes(self.sampled, order=evidence.order or "dmy")[0]
        if evidence.contradictory:  # each order reads some; together they are still dates (refused later)
            parsed = parsed.fillna(parse_datetimes(self.sampled, order="mdy")[0])
        return float(parsed.notna().mean())

    @cached_property
    def durations(self) -> float:
        """Written with a unit ("5 ngày làm việc", "Trong ngày")."""
        if not self.values:
            return 0.0
        return float(self.sampled.map(_fold_lower).str.fullmatch(_DURATION).mean())

    @cached_property
    def amounts(self) -> float:
        return float(parse_amounts(self.sampled)[0].notna().mean()) if self.values else 0.0

    @cached_property
    def _integers(self) -> pd.Series:
        return self.sampled[self.sampled.str.fullmatch(_SEQ.pattern)]

    @property
    def small_integers(self) -> float:
        return len(self._integers) / self.values if self.values else 0.0

    @cached_property
    def rising(self) -> bool:
        """The integers rise row by row (a row number)."""
        if self.small_integers < FIT or len(self._integers) < MIN_VALUES:
            return False
        numbers = self._integers.astype("int64").to_numpy()
        return bool((numbers[1:] > numbers[:-1]).mean() >= 0.9)

    def vocabulary(self, name: str) -> float:
        """Share of the values a value vocabulary (onestop_values.yaml) knows."""
        if name not in self._vocabularies:
            if not self.values:
                self._vocabularies[name] = 0.0
            else:
                _mapped, unknown = map_vocabulary(self.sampled, value_vocabularies()[name])
                self._vocabularies[name] = float(1 - unknown.mean())
        return self._vocabularies[name]

    @property
    def vocabularies(self) -> dict[str, float]:
        return {name: self.vocabulary(name) for name in value_vocabularies()}

    @cached_property
    def units(self) -> float | None:
        """Share of the values naming a known unit (None: not judged)."""
        if self.unit_lookup is None or not self.values:
            return None
        known = {v for v in pd.unique(self.sampled) if self.unit_lookup(v)}
        return float(self.sampled.isin(known).mean())

    def describe(self) -> str:
        """The strongest evidence in a few Vietnamese words, for `cchc inspect` and messages."""
        if not self.values:
            return "cột trống"

        def pct(share: float) -> str:
            return f"{share:.0%}"

        if self.dates >= 0.5:
            return f"{pct(self.dates)} là ngày"
        if self.rising and self.small_integers >= 0.5:
            return "số thứ tự tăng dần"
        if self.units is not None and self.units >= 0.5:
            return f"{pct(self.units)} là tên đơn vị"
        if self.durations >= 0.5 and self.amounts < 0.5:
            return f"{pct(self.durations)} là thời hạn (số ngày)"
        vocab = max(self.vocabularies.items(), key=lambda kv: kv[1], default=("", 0.0))
        if vocab[1] >= 0.5 and self.amounts < 0.5:
            return f"{pct(vocab[1])} khớp từ điển {VOCABULARY_LABELS.get(vocab[0], vocab[0])}"
        if self.amounts >= 0.5:
            return f"{pct(self.amounts)} là số"
        return "văn bản"


VOCABULARY_LABELS = {
    "channel": "kênh nộp",
    "status": "trạng thái",
    "payment_method": "hình thức thanh toán",
    "digitised": "số hóa",
    "timeliness": "đúng hạn/quá hạn",
}
# vocabularies whose values, when they explain a column, rule out another field's (a status column of channel
# words, a channel column of statuses)
OTHER_VOCABULARIES = {
    "status": ("timeliness", "channel"),
    "channel": ("status", "timeliness"),
    "payment_method": ("status", "timeliness"),
    "digitised": ("status", "timeliness", "channel"),
}


def sample(column: pd.Series, n: int = SAMPLE_ROWS) -> pd.Series:
    """Up to ``n`` non-blank values: half from the first rows, half spread evenly down to the last (a column of a
    million rows is looked at in a few thousand places, never whole)."""
    if len(column) > 8 * n:
        spread = np.linspace(4 * n, len(column) - 1, 4 * n).astype(np.int64)
        column = column.iloc[np.concatenate([np.arange(4 * n), spread])]
    values = column[column.notna()].astype("str")
    values = values[values.str.strip().ne("")]
    if len(values) <= n:
        return values
    half = n // 2
    spread = np.linspace(half, len(values) - 1, n - half).astype(np.int64)
    return values.iloc[np.concatenate([np.arange(half), spread])]


def profile(column: pd.Series, unit_lookup: Callable[[str], bool] | None = None) -> Profile:
    """The kinds of value a column holds, judged on :func:`sample`."""
    return Profile(sample(column).astype("str"), unit_lookup)


def _fold_lower(text: str) -> str:
    from ..text import fold

    return fold(text)


def allows(kind: str, p: Profile) -> bool:
    """Whether a column with profile ``p`` can hold a field of ``kind`` (see the ``kind`` of each field in
    onestop_headers.yaml). Too few values: yes."""
    if p.values < MIN_VALUES:
        return True
    if kind == "date":
        return p.dates >= FIT
    if kind == "amount":
        return p.amounts >= FIT and p.dates < FIT
    if kind == "code":  # a dossier code is no date and no row number
        return p.dates < FIT and not (p.rising and p.small_integers >= FIT)
    if kind == "seq":
        return p.small_integers >= FIT
    if kind == "duration":  # "5 ngày làm việc", or bare numbers of days that are no row number
        return p.durations >= FIT or (p.small_integers >= FIT and not p.rising)
    if kind == "unit":
        return p.units is None or p.units >= 0.5
    if kind.startswith("vocabulary:"):
        # unknown wordings may be a vendor's own: what cannot be is dates, durations, or values another vocabulary
        # knows and this one does not ("Trước hạn / Quá hạn" under "Tình trạng" is timeliness, not a status)
        name = kind.split(":", 1)[1]
        if p.vocabulary(name) >= 0.5:
            return True
        if p.dates >= FIT or p.durations >= FIT:
            return False
        return not any(p.vocabulary(other) >= FIT for other in OTHER_VOCABULARIES.get(name, ()))
    if kind == "text":
        return p.dates < FIT
    return True
