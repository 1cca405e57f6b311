"""What a column's values can be, from a sample of them: the evidence header matching weighs beside the wording.

A header says what a column is meant to hold; its values say what it does hold. "Thời hạn giải quyết" above
"5 ngày làm việc" is a duration, not the due date; "Đơn vị xử lý" above "Công chức Tư pháp - Hộ tịch" names a
department, not the commune. A column whose values cannot be a field never takes that field (:func:`allows`).
With too few values to judge, wording alone decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from .dates import date_order_evidence, parse_datetimes
from .parse import map_vocabulary, parse_amounts, value_vocabularies

SAMPLE_ROWS = 400  # values looked at per column: the first rows of the data and a spread over the rest
MIN_VALUES = 3  # fewer non-blank values than this: no evidence, the wording decides
FIT = 0.6  # share of a sample that must be of a kind for the column to be of that kind

# a duration in words: "5 ngày làm việc", "1/2 ngày", "48 giờ", "Trong ngày" (a bare number may be a code too)
_DURATION = re.compile(r"^\s*(?:trong\s+ngay|\d+(?:[.,/]\d+)?\s*(?:ngay|gio|h|thang|tuan)\b.*)\s*$")
_SEQ = re.compile(r"^\s*\d{1,6}\s*$")


@dataclass
class Profile:
    """Shares of a column's sampled non-blank values that are of each kind."""

    values: int = 0
    dates: float = 0.0
    durations: float = 0.0  # written with a unit ("5 ngày làm việc", "Trong ngày")
    amounts: float = 0.0
    small_integers: float = 0.0
    rising: bool = False  # the integers rise row by row (a row number)
    vocabularies: dict[str, float] = field(default_factory=dict)
    units: float | None = None  # share naming a known unit (None: not judged)
    examples: list[str] = field(default_factory=list)

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
}


def sample(column: pd.Series, n: int = SAMPLE_ROWS) -> pd.Series:
    """Up to ``n`` non-blank values: from the first rows, and a spread over the rest (a column of a million rows is
    looked at in a few thousand places, never whole)."""
    if len(column) > 8 * n:
        step = len(column) // (4 * n)
        column = pd.concat([column.iloc[: 4 * n], column.iloc[4 * n :: step]])
    values = column[column.notna()].astype("str")
    values = values[values.str.strip().ne("")]
    if len(values) <= n:
        return values
    half = n // 2
    rest = values.iloc[half:]
    return pd.concat([values.iloc[:half], rest.iloc[:: max(1, len(rest) // (n - half))].iloc[: n - half]])


def profile(column: pd.Series, unit_lookup: Callable[[str], bool] | None = None) -> Profile:
    """The kinds of value a column holds, judged on :func:`sample`."""
    values = sample(column).astype("str")
    out = Profile(values=len(values), examples=list(dict.fromkeys(values.head(40)))[:5])
    if not len(values):
        return out
    values = values.reset_index(drop=True)
    evidence = date_order_evidence(values)
    parsed = parse_datetimes(values, order=evidence.order or "dmy")[0]
    if evidence.contradictory:  # each order reads some; together they are still dates (the reader refuses later)
        parsed = parsed.fillna(parse_datetimes(values, order="mdy")[0])
    out.dates = float(parsed.notna().mean())
    out.durations = float(values.str.lower().map(_fold_lower).str.fullmatch(_DURATION).mean())
    out.amounts = float(parse_amounts(values)[0].notna().mean())
    integers = values[values.str.fullmatch(_SEQ.pattern)]
    out.small_integers = len(integers) / len(values)
    if out.small_integers >= FIT and len(integers) >= MIN_VALUES:
        numbers = integers.astype("int64").to_numpy()
        out.rising = bool((numbers[1:] > numbers[:-1]).mean() >= 0.9)
    for name, table in value_vocabularies().items():
        _mapped, unknown = map_vocabulary(values, table)
        out.vocabularies[name] = float(1 - unknown.mean())
    if unit_lookup is not None:
        distinct = pd.unique(values)
        known = {v for v in distinct if unit_lookup(v)}
        out.units = float(values.isin(known).mean())
    return out


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
    if kind.startswith("vocabulary:"):  # unknown wordings may be a vendor's own: only dates and amounts cannot be
        name = kind.split(":", 1)[1]
        return p.vocabularies.get(name, 0.0) >= 0.5 or (p.dates < FIT and p.durations < FIT)
    if kind == "text":
        return p.dates < FIT
    return True
