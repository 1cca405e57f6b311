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
SYNONYM_RANK_STEP = 1e-3  # small against the difference a word makes
NEAR_TIE = 0.1  # two claims on a field closer than this differ only by the synonyms' order
_NUMBERING = re.compile(r"\s*\(?\d+(?:[.,]\d+)?\)?\s*")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    synonyms: tuple[str, ...]  # folded
    personal: bool = False
    label: str = ""  # Vietnamese, for messages
    kind: str = "any"  # what its values are (see ingest.evidence): date, code, text, amount, vocabulary:<name>...
    read: bool = True  # False: recognised so that no other field takes the column, never read


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
                str(spec.get("kind", "any")),
                bool(spec.get("read", True)),
            )
            for name, spec in doc["fields"].items()
        )
        return cls(fields, tuple(doc.get("required", [])))

    def personal_fields(self) -> set[str]:
        return {f.name for f in self.fields if f.personal}

    def spec(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    @cached_property
    def unread(self) -> frozenset[str]:
        """Fields recognised only so that their columns are not taken for another field (durations, how the
        result is delivered, departments): never read."""
        return frozenset(f.name for f in self.fields if not f.read)

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
        for rank, (syn, syn_words, syn_squashed, syn_set) in enumerate(synonyms):
            if key == syn or squashed == syn_squashed:
                score = 100.0 + len(syn_words)
            elif present.issuperset(syn_set) and _contains_run(words, list(syn_words)):
                score = len(syn_words) + len(syn_words) / len(words)
            else:
                continue
            # between two wordings of the same length, the one listed first in the synonym table (the more usual)
            # scores a little higher: "Mã hồ sơ" before "Số biên nhận" when an export has both
            found[name] = max(score - rank * SYNONYM_RANK_STEP, found.get(name, 0.0))
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
    n_rows: int  # 1 to 3
    labels: list[str]  # the combined label of each column
    columns: dict[str, int]  # canonical field -> column index
    unmapped: dict[int, str] = field(default_factory=dict)  # column index -> label, for columns not mapped
    options: list[dict[str, float]] = field(default_factory=list, repr=False)  # per column: field -> wording score
    fixed: dict[str, int] = field(default_factory=dict, repr=False)  # fields the user's mapping placed

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
    for (r0, c0), (r1, c1) in grid.merged:
        if r0 <= r <= r1 and (c1 - c0 + 1) < 0.8 * len(out):  # a title spans (nearly) the whole table
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
        for rank, (_syn, _words, _squashed, syn_set) in enumerate(synonyms):
            if len(syn_set) > 1 and words.issuperset(syn_set) and not own_words.isdisjoint(syn_set):
                found[name] = max(found.get(name, 0.0), 0.8 * len(syn_set) - rank * SYNONYM_RANK_STEP)
    return found


def column_options(parts: tuple[str, ...], vocab: Vocabulary) -> dict[str, float]:
    """Every field a column's header may mean, with its wording score. ``parts`` are the column's header texts from
    the top row down (group labels spread over their merged range); the lowest text (the column's own) counts
    most, each group label above it adds context with a little less weight."""
    parts = tuple(p for i, p in enumerate(parts) if p and (i == 0 or p != parts[i - 1]))
    if not parts:
        return {}
    own = parts[-1]
    options = {name: score + 1.0 for name, score in match_label_all(own, vocab).items()}
    for depth in range(len(parts) - 2, -1, -1):  # the nearer group label first
        group = " ".join(parts[depth:-1])
        penalty = 0.05 * (len(parts) - 2 - depth)
        # the group and the column's text read as one label, and their words in any order
        together = match_label_all(f"{group} {own}", vocab)
        for name, score in [*together.items(), *_match_words(group, own, vocab).items()]:
            options[name] = max(options.get(name, 0.0), score - penalty)
    return options


def assign_columns(
    options: list[dict[str, float]], fixed: dict[str, int] | None = None, allowed=None
) -> tuple[dict[str, int], list[tuple[str, int, int]]]:
    """Map columns to fields greedily by wording score, the leftmost column first on a tie.

    ``fixed`` fields (the user's mapping) are placed first; ``allowed(column, field)``, if given, vetoes pairs whose
    values cannot be the field. Returns the mapping and the near ties: (field, column taken, other column, the
    difference of their scores) for a field another column claimed as well, by the same wording (difference 0)
    or by another wording of the same length (a synonym listed later)."""
    columns: dict[str, int] = dict(fixed or {})
    used = set(columns.values())
    scored = sorted(
        ((score, col, name) for col, opts in enumerate(options) for name, score in opts.items()),
        key=lambda t: (-t[0], t[1]),
    )
    ties: list[tuple[str, int, int, float]] = []
    best: dict[str, float] = {}
    for score, col, name in scored:
        if allowed is not None and not allowed(col, name):
            continue
        if name in columns:
            if col not in used and name in best and best[name] - score < NEAR_TIE:
                ties.append((name, columns[name], col, best[name] - score))
            continue
        if col in used:
            continue
        columns[name] = col
        best[name] = score
        used.add(col)
    return columns, ties


def _assign(labels: list[tuple[str, ...]], vocab: Vocabulary, fixed: dict[str, int] | None = None):
    options = [column_options(parts, vocab) for parts in labels]
    columns, _ties = assign_columns(options, fixed)
    used = set(columns.values())
    unmapped = {c: " ".join(p for p in lab if p) for c, lab in enumerate(labels) if any(lab) and c not in used}
    return columns, unmapped, options


def detect_header(
    grid: Grid, vocab: Vocabulary | None = None, *, rows: tuple[int, int] | None = None, fixed=None
) -> HeaderMatch | None:
    """The header row(s) of ``grid`` that map the most canonical fields, or None when no row maps enough.

    One-, two- and three-row candidates are tried at every row of the first 40: a multi-row header joins each
    group label (spread over its merged range) with the sub-headers below it. Legacy TCVN3 labels are decoded
    first. On a tie the header with fewer rows wins. ``rows`` = (first row, number of rows) fixes the header
    where the user's mapping says it is; ``fixed`` maps fields to columns the mapping placed (a function of the
    header's labels, or a dict).
    """
    vocab = vocab or onestop_vocabulary()
    if rows is not None or fixed is not None:
        return _detect_header(grid, vocab, rows, fixed)
    memo = grid.header_cache.get(vocab)
    if memo is not None or vocab in grid.header_cache:
        return memo
    grid.header_cache[vocab] = found = _detect_header(grid, vocab)
    return found


MAX_HEADER_ROWS = 3
_DIGITS = re.compile(r"\d{4}")


def _looks_like_data(labels: list[str]) -> bool:
    """A row whose texts are mostly dates, codes and phone numbers (four digits in a row) is data, not a header."""
    texts = [t for t in labels if t]
    return bool(texts) and sum(1 for t in texts if _DIGITS.search(t)) >= max(2, 0.3 * len(texts))


def _header_candidates(grid: Grid, r: int, rows: int | None):
    """(number of rows, each column's header parts from the top) for the headers starting at row ``r``."""
    top = _spread_merged(grid, r, to_unicode_many(_row_labels(grid, r)))
    if rows is None and (sum(1 for t in top if t) < 2 or _looks_like_data(top)):
        return
    stack = [top]
    if rows in (None, 1):
        yield 1, [(t,) for t in top]
    for n in range(2, MAX_HEADER_ROWS + 1):
        if r + n - 1 >= grid.height:
            return
        below = to_unicode_many(_row_labels(grid, r + n - 1))
        if rows is None and (sum(1 for b in below if b) < 2 or _looks_like_data(below)):
            return
        if n < (rows or MAX_HEADER_ROWS):  # a middle row's group labels spread too
            below = _spread_merged(grid, r + n - 1, below)
        stack.append(below)
        if rows in (None, n):
            yield n, [tuple(level[c] for level in stack) for c in range(len(top))]


def _detect_header(grid: Grid, vocab: Vocabulary, rows=None, fixed=None) -> HeaderMatch | None:
    best, best_key = None, None
    first_rows = [rows[0]] if rows is not None else range(min(grid.height, MAX_HEADER_SEARCH_ROWS))
    for r in first_rows:
        for n_rows, parts in _header_candidates(grid, r, rows[1] if rows is not None else None):
            labels = [" ".join(dict.fromkeys(p for p in pair if p)) for pair in parts]
            placed = fixed(labels) if callable(fixed) else dict(fixed or {})
            columns, unmapped, options = _assign(parts, vocab, placed)
            # the most fields, then the fewest columns left unread, then the fewest rows; the first on a tie
            key = (len(columns), -len(unmapped), -n_rows)
            if best_key is None or key > best_key:
                best_key = key
                best = HeaderMatch(r, n_rows, labels, columns, unmapped, options, placed)
    if best is None or (len(best.columns) < 3 and rows is None):
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
