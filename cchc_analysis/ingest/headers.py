"""Finding the header of an export and mapping its columns to canonical fields through a synonym table."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources

import yaml

from ..text import clean_text, fold, to_unicode_many
from .grid import Grid

MAX_HEADER_SEARCH_ROWS = 40
_NUMBERING = re.compile(r"\s*\(?\d+(?:[.,]\d+)?\)?\s*")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    synonyms: tuple[str, ...]  # folded
    personal: bool = False
    label: str = ""  # Vietnamese, for messages


@dataclass(frozen=True)
class Vocabulary:
    """Canonical fields of one kind of export, with their synonyms and which are required."""

    fields: tuple[FieldSpec, ...]
    required: tuple[str, ...]

    @classmethod
    def from_yaml(cls, text: str) -> Vocabulary:
        doc = yaml.safe_load(text)
        fields = tuple(
            FieldSpec(
                name,
                tuple(fold(s) for s in spec.get("synonyms", [])),
                bool(spec.get("personal", False)),
                str(spec.get("label", name)),
            )
            for name, spec in doc["fields"].items()
        )
        return cls(fields, tuple(doc.get("required", [])))

    def personal_fields(self) -> set[str]:
        return {f.name for f in self.fields if f.personal}

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word of every synonym: a label sharing none of them cannot match (most data cells)."""
        return frozenset(w for f in self.fields for s in f.synonyms for w in s.split())

    @cached_property
    def split(self) -> tuple[tuple[str, tuple[tuple[str, tuple[str, ...], str, frozenset[str]], ...]], ...]:
        """Per field, each synonym with its words (in order and as a set) and without its spaces: worked out once,
        matched against every label."""
        return tuple(
            (f.name, tuple((s, tuple(s.split()), s.replace(" ", ""), frozenset(s.split())) for s in f.synonyms))
            for f in self.fields
        )

    @cached_property
    def squashed(self) -> frozenset[str]:
        """Every synonym without its spaces ("mahoso" matches "ma ho so")."""
        return frozenset(s.replace(" ", "") for f in self.fields for s in f.synonyms)


@cache
def source_vocabulary(kind: str) -> Vocabulary:
    """The shipped header synonyms of another kind of export ("catalogue", "budget")."""
    text = (resources.files("cchc_analysis") / "data" / "source_headers.yaml").read_text(encoding="utf-8")
    return Vocabulary.from_yaml(yaml.safe_dump(yaml.safe_load(text)[kind], allow_unicode=True))


@cache
def onestop_vocabulary() -> Vocabulary:
    """The shipped header synonyms of one-stop-shop dossier lists."""
    text = (resources.files("cchc_analysis") / "data" / "onestop_headers.yaml").read_text(encoding="utf-8")
    return Vocabulary.from_yaml(text)


def _contains_run(words: list[str], run: list[str]) -> bool:
    n = len(run)
    return any(words[i : i + n] == run for i in range(len(words) - n + 1))


def match_label_all(label: str, vocab: Vocabulary) -> dict[str, float]:
    """Every field a header label may mean, with its best score (longer and fuller matches score higher)."""
    return dict(_match_label_all(label, vocab))


@lru_cache(maxsize=65536)
def _match_label_all(label: str, vocab: Vocabulary) -> tuple[tuple[str, float], ...]:
    if len(label) > 120:  # a sentence or a data value, not a header
        return ()
    key = fold(label)
    if not key:
        return ()
    words = key.split()
    squashed = key.replace(" ", "")
    if vocab.words.isdisjoint(words) and squashed not in vocab.squashed:
        return ()
    present = set(words)
    found: dict[str, float] = {}
    for name, synonyms in vocab.split:
        for syn, syn_words, syn_squashed, syn_set in synonyms:
            if key == syn or squashed == syn_squashed:
                score = 100.0 + len(syn_words)
            elif present.issuperset(syn_set) and _contains_run(words, list(syn_words)):
                score = len(syn_words) + len(syn_words) / len(words)
            else:
                continue
            found[name] = max(score, found.get(name, 0.0))
    return tuple(found.items())


def match_label(label: str, vocab: Vocabulary) -> tuple[str, float] | None:
    """The field a header label most likely means, with its score, or None."""
    found = match_label_all(label, vocab)
    if not found:
        return None
    name = max(found, key=lambda n: found[n])
    return name, found[name]


@dataclass
class HeaderMatch:
    """Where the header is and what each column means."""

    first_row: int  # 0-based index of the first header row
    n_rows: int  # 1 or 2
    labels: list[str]  # the combined label of each column
    columns: dict[str, int]  # canonical field -> column index
    unmapped: dict[int, str] = field(default_factory=dict)  # column index -> label, for columns not mapped

    @property
    def data_start(self) -> int:
        return self.first_row + self.n_rows


def _row_labels(grid: Grid, r: int) -> list[str]:
    row = grid.row(r)
    # a bare number ("1", "(2)") numbers a column; it is never a header word, whichever reader gave it as text
    return [clean_text(v) if isinstance(v, str) and not _NUMBERING.fullmatch(v) else "" for v in row] + [""] * (
        grid.width - len(row)
    )


def _spread_merged(grid: Grid, r: int, labels: list[str]) -> list[str]:
    """Copy a merged group cell's text across the columns it spans (not a title spanning the whole table)."""
    out = list(labels)
    width = max(len(out), 1)
    for (r0, c0), (r1, c1) in grid.merged:
        if r0 <= r <= r1 and c1 > c0 and c0 < len(out) and (c1 - c0 + 1) < 0.8 * width:
            for c in range(c0 + 1, min(c1, len(out) - 1) + 1):
                if not out[c]:
                    out[c] = out[c0]
    return out


def _match_words(group: str, own: str, vocab: Vocabulary) -> dict[str, float]:
    """Synonyms whose words all occur in group + sub-header, in any order, the sub-header giving at least one:
    "Hồ sơ" over "Số" reads as "số hồ sơ". Scores below an in-order match of the same length."""
    own_words = set(fold(own).split())
    words = own_words | set(fold(group).split())
    found: dict[str, float] = {}
    if not own_words or vocab.words.isdisjoint(own_words):
        return found
    for name, synonyms in vocab.split:
        for _syn, _words, _squashed, syn_set in synonyms:
            if len(syn_set) > 1 and words.issuperset(syn_set) and not own_words.isdisjoint(syn_set):
                found[name] = max(found.get(name, 0.0), 0.8 * len(syn_set))
    return found


def _assign(labels: list[tuple[str, str]], vocab: Vocabulary) -> tuple[dict[str, int], dict[int, str]]:
    """Map columns to fields greedily by score. Each label is (group, own text); the own text (the sub-header)
    counts more than the group it sits under."""
    scored = []
    for col, (group, own) in enumerate(labels):
        options = {name: score + 1.0 for name, score in match_label_all(own, vocab).items()}
        if group:
            for name, score in match_label_all(f"{group} {own}", vocab).items():
                options[name] = max(options.get(name, 0.0), score)
            for name, score in _match_words(group, own, vocab).items():
                options[name] = max(options.get(name, 0.0), score)
        scored.extend((score, col, name) for name, score in options.items())
    columns: dict[str, int] = {}
    used: set[int] = set()
    for _score, col, name in sorted(scored, key=lambda t: (-t[0], t[1])):
        if name not in columns and col not in used:
            columns[name] = col
            used.add(col)
    unmapped = {c: " ".join(p for p in lab if p) for c, lab in enumerate(labels) if any(lab) and c not in used}
    return columns, unmapped


def detect_header(grid: Grid, vocab: Vocabulary | None = None) -> HeaderMatch | None:
    """The header row(s) of ``grid`` that map the most canonical fields, or None when no row maps enough.

    One-row and two-row candidates are tried at every row of the first 40: a two-row header joins each group
    label (spread over its merged range) with the sub-header below it. Legacy TCVN3 labels are decoded first.
    On a tie the one-row header wins.
    """
    vocab = vocab or onestop_vocabulary()
    memo = grid.header_cache.get(vocab)
    if memo is not None or vocab in grid.header_cache:
        return memo
    grid.header_cache[vocab] = found = _detect_header(grid, vocab)
    return found


def _detect_header(grid: Grid, vocab: Vocabulary) -> HeaderMatch | None:
    best: HeaderMatch | None = None
    best_key: tuple = (0,)
    limit = min(grid.height, MAX_HEADER_SEARCH_ROWS)
    for r in range(limit):
        top = _spread_merged(grid, r, to_unicode_many(_row_labels(grid, r)))
        if sum(1 for t in top if t) < 2:
            continue
        candidates = [(1, [("", t) for t in top])]
        if r + 1 < grid.height:
            sub = to_unicode_many(_row_labels(grid, r + 1))
            if sum(1 for s in sub if s) >= 2:
                pairs = [(t, s) if s and t and s != t else ("", s or t) for t, s in zip(top, sub, strict=True)]
                candidates.append((2, pairs))
        for n_rows, pairs in candidates:
            columns, unmapped = _assign(pairs, vocab)
            key = (len(columns), -len(unmapped), -n_rows)
            if key > best_key:
                best_key = key
                labels = [" ".join(p for p in pair if p) for pair in pairs]
                best = HeaderMatch(r, n_rows, labels, columns, unmapped)
    if best is None or len(best.columns) < 3:
        return None
    return best


def missing_fields_message(grid: Grid, match: HeaderMatch | None, vocab: Vocabulary | None = None) -> str:
    """An analyst-facing explanation of why a layout was not recognised: columns found, fields missing,
    and the closest known wordings for each missing field."""
    vocab = vocab or onestop_vocabulary()
    labels = match.labels if match else _row_labels(grid, 0)
    found = [lab for lab in labels if lab]
    mapped = set(match.columns) if match else set()
    missing = [f for f in vocab.required if f not in mapped]
    hints = []
    for name in missing:
        spec = next(f for f in vocab.fields if f.name == name)
        near = difflib.get_close_matches(fold(spec.label), [fold(lab) for lab in found], n=1, cutoff=0.4)
        closest = next((lab for lab in found if near and fold(lab) == near[0]), "")
        hints.append(f"«{spec.label}» (cột gần giống nhất: {closest or 'không có'})")
    return (
        f"{grid.file}, trang '{grid.sheet}': không nhận ra bố cục bảng. "
        f"Các cột tìm thấy: {', '.join(found) or 'không có'}. "
        f"Thiếu trường bắt buộc: {'; '.join(hints) or 'không'}. "
        "Có thể khai báo cách ánh xạ cột trong tệp --mapping (YAML)."
    )
