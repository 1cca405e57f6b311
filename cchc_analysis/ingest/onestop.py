"""Reader of one-stop-shop dossier lists: any vendor layout in, one clean pseudonymised row per dossier out.

How a sheet is read, step by step: the header is found by its wording (1 to 3 rows, or where the mapping file
says); each column's field is then settled by wording and by what its values can be (ingest/evidence.py); each
row is a dossier, or blank, a repeated header, a section, a subtotal or total, notes and signatures
(ingest/rows.py), and every stated count is checked against the dossier rows; each date column is read day-first
or month-first as its own values show (ingest/dates.py); the unit comes from the user's word, a unit column, the
title, the folders or the file name (ingest/units.py).

Every data row is either kept or rejected with a reason, and every value dropped from a kept row is counted per
column. A file whose rows are mostly rejected is refused with the reasons (``ReadRules``). Personal data is
turned into a keyed applicant key and dropped; columns the reader does not map are never carried into the output.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError
from ..fileio import file_sha256
from ..pseudonym import Pseudonymiser, mask
from ..registry import UnitRegistry
from ..text import clean_text, fold, to_unicode_many
from . import rows as sheet_rows
from .common import REJECT_COLUMNS, FileReport, ReadResult, relative_name, resolve_unit
from .dates import DAY_FIRST, ORDER_LABELS, date_order_evidence, parse_datetimes
from .evidence import allows, profile
from .grid import Grid, read_grids
from .headers import (
    FieldSpec,
    HeaderMatch,
    Vocabulary,
    assign_columns,
    detect_header,
    missing_fields_message,
    onestop_vocabulary,
)
from .mapping import FileMapping, Mapping
from .parse import map_vocabulary, parse_amounts, repeated_text, text_matches, value_vocabularies
from .units import lookup_unit_text

log = logging.getLogger(__name__)

DATE_FIELDS = ("received_at", "due_at", "processed_at", "result_at", "handed_at")
TEXT_FIELDS = ("code", "procedure_code", "procedure", "field")
TERMINAL_STATES = ("resolved", "withdrawn", "returned", "not_accepted")
OUTPUT_COLUMNS = [
    "unit_id",
    "code",
    "procedure_code",
    "procedure",
    "field",
    "channel",
    "status",
    "status_raw",
    "received_at",
    "due_at",
    "due_has_time",
    "processed_at",
    "result_at",
    "handed_at",
    "fee",
    "payment_method",
    "payment_raw",
    "digitised",
    "applicant_key",
    "export_start",
    "export_end",
    "source_file",
    "source_sheet",
    "source_row",
]

_DATE_PAIR = re.compile(r"(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}).{0,40}?(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4})")
_MIDNIGHT_CELL = r"\s*\d{4}-\d{2}-\d{2} 00:00:00\s*"
# identifiers Excel turned into numbers: scientific notation, or 16+ digits (Excel keeps 15 significant digits)
_SCIENTIFIC = r"\s*\d(?:[.,]\d+)?[eE]\+?\d{1,3}\s*"
_LONG_DIGITS = r"\s*\d{16,}\s*"
_ZERO_TAIL = r"\s*\d{14,}00\s*"


@dataclass(frozen=True)
class ReadRules:
    """The reader's thresholds, from the methodology file's ``ingest`` section."""

    max_rejected_share: float  # more of a file's dossier rows rejected than this: the file is refused

    @classmethod
    def from_methodology(cls, methodology=None) -> ReadRules:
        from ..methodology import load_methodology

        methodology = methodology or load_methodology()
        return cls(float(methodology.get("ingest", "max_rejected_share")))


class ColumnText:
    """One column's texts, worked on by Arrow over the whole column; only the texts that need Python (non-ASCII
    ones, which may be legacy-encoded, and the few candidates a test picks) are taken out as distinct values."""

    def __init__(self, column: pd.Series) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        self.column = column
        self._arr = pa.array(column.array)
        # masks only: a trimmed copy of a million texts per column would cost more than the tests themselves
        blank = pc.or_(pc.equal(pc.binary_length(self._arr), 0), pc.utf8_is_space(self._arr))
        self.blank = blank.to_numpy(zero_copy_only=False)
        self._ascii = pc.string_is_ascii(self._arr)
        if pc.all(self._ascii).as_py():
            other: list[str] = []
        else:  # columns of Vietnamese text have few distinct values: hash them all, keep the non-ASCII ones
            uniques = pc.unique(self._arr)
            other = uniques.filter(pc.invert(pc.string_is_ascii(uniques))).to_pylist()
        self.decoded = dict(zip(other, to_unicode_many(other), strict=True))  # non-ASCII text -> Unicode

    def _distinct(self, mask) -> list[str]:
        import pyarrow.compute as pc

        return pc.unique(self._arr.filter(pc.and_(mask, self._ascii))).to_pylist()

    def isin_where(self, test, prefixes: set[str]) -> np.ndarray:
        """Mask of the cells whose decoded text passes ``test``; only texts starting with one of ``prefixes``
        (first three characters, lower case, trimmed) are tested."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if not prefixes:
            return np.zeros(len(self.column), dtype=bool)
        head = pc.utf8_lower(pc.utf8_slice_codeunits(self._arr, 0, 3))
        # texts with space at either end are few: they are tested whatever their first letters
        spaced = pc.or_(pc.starts_with(self._arr, " "), pc.ends_with(self._arr, " "))
        candidates = pc.or_(pc.is_in(head, value_set=pa.array(sorted(prefixes))), spaced)
        keys = [u for u in self._distinct(candidates) if u.strip()[:3].lower() in prefixes and test(u)]
        keys += [u for u, d in self.decoded.items() if d.strip()[:3].lower() in prefixes and test(d)]
        return self.column.isin(keys).to_numpy(dtype=bool) if keys else np.zeros(len(self.column), dtype=bool)

    def repeats(self, value: str, prefixes: set[str], labels: set[str]) -> bool:
        """One cell's :meth:`isin_where` test against header ``labels`` (folded)."""
        text = self.decoded.get(value, value)
        return text.strip()[:3].lower() in prefixes and fold(text) in labels

    @cached_property
    def _decoded_clean(self) -> dict[str, str]:
        return {u: clean_text(d) for u, d in self.decoded.items()}

    @cached_property
    def legacy(self) -> bool:
        """Whether the column held legacy-encoded (TCVN3, VNI) text."""
        return any(d != u and self._decoded_clean[u] != clean_text(u) for u, d in self.decoded.items())

    def cleaning(self) -> tuple[dict[str, str], bool]:
        """({raw text: clean text} for the texts that change, whether the column held legacy-encoded text)."""
        import pyarrow.compute as pc

        lookup = self._decoded_clean
        legacy = self.legacy
        # dirty plain text: a control character (tab, NUL...), a double space, or space at either end
        dirty = pc.or_(
            pc.invert(pc.ascii_is_printable(self._arr)),
            pc.or_(pc.starts_with(self._arr, " "), pc.ends_with(self._arr, " ")),
        )
        if _may_hold(self._arr, b"  "):
            dirty = pc.or_(dirty, pc.match_substring(self._arr, "  "))
        lookup = {**lookup, **{u: clean_text(u) for u in self._distinct(dirty)}}
        return {u: v for u, v in lookup.items() if v != u}, legacy


def _may_hold(texts, pair: bytes) -> bool:
    """Whether any of the Arrow ``texts`` may hold the two bytes ``pair``, from one pass of NumPy over their UTF-8
    bytes: five times faster than Arrow's search text by text, and most columns hold no double space at all. A
    pair spanning two neighbouring texts gives a false alarm (then the texts are searched one by one), never a
    miss."""
    import pyarrow as pa

    for chunk in texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return True
        data = chunk.buffers()[2]
        if data is None or data.size < 2:
            continue
        octets = np.frombuffer(data, dtype=np.uint8)
        if ((octets[:-1] == pair[0]) & (octets[1:] == pair[1])).any():
            return True
    return False


def _per_column(work, columns: list, rows: int) -> list:
    """``work`` applied to each column, on two threads for long columns: the work is mostly Arrow compute,
    which releases the GIL, so the second core shares it."""
    if rows < PARALLEL_ROWS:
        return [work(c) for c in columns]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="cchc-column") as pool:
        return list(pool.map(work, columns))


PARALLEL_ROWS = 100_000
# rows whose code or received-date cell repeats the header are checked cell by cell; beyond this many, every
# column is searched whole
MAX_HEADER_REPEATS = 10_000


def extend_vocabulary(vocab: Vocabulary, extra: dict | None) -> Vocabulary:
    """The vocabulary with a user's extra header wordings (``{field: [header, ...]}``) added."""
    if not extra:
        return vocab
    known = {f.name for f in vocab.fields}
    unknown = sorted(set(extra) - known)
    if unknown:
        from ..errors import ConfigError

        raise ConfigError(
            f"Tệp ánh xạ cột: trường không tồn tại {', '.join(unknown)}; các trường hợp lệ: {', '.join(sorted(known))}."
        )
    fields = tuple(
        FieldSpec(
            f.name, tuple(fold(s) for s in extra.get(f.name, ())) + f.synonyms, f.personal, f.label, f.kind, f.read
        )
        for f in vocab.fields
    )
    return Vocabulary(fields, vocab.required)


def file_mapping(mapping: Mapping | FileMapping | dict | None, rel: str) -> FileMapping:
    """What the user's mapping says of the file ``rel``; a plain ``{field: [wordings]}`` is the first form."""
    if mapping is None:
        return FileMapping()
    if isinstance(mapping, Mapping):
        return mapping.for_file(rel)
    if isinstance(mapping, FileMapping):
        return mapping
    return FileMapping(fields={k: tuple(v) for k, v in mapping.items()})


def read_onestop_export(
    path: Path | str,
    registry: UnitRegistry,
    pseudonymiser: Pseudonymiser,
    *,
    raw_root: Path | str | None = None,
    assume_unit: str | None = None,
    mapping: Mapping | FileMapping | dict | None = None,
    grids: list[Grid] | None = None,
    sha256: str | None = None,
    rules: ReadRules | None = None,
) -> ReadResult:
    """Read one dossier-list export into clean rows, rejected rows and a report.

    Parameters
    ----------
    path
        The export (.xlsx, .xls, an HTML table saved as .xls, or CSV / tab-separated text under any name).
    registry, pseudonymiser
        Unit lookup and the keyed pseudonymiser for applicants.
    raw_root
        The raw/ folder: its folders and the file's name are evidence of the unit.
    assume_unit
        The unit of every row, whatever the file says (``--assume-unit``).
    mapping
        The user's mapping (:class:`~cchc_analysis.ingest.mapping.Mapping`, one file's
        :class:`~cchc_analysis.ingest.mapping.FileMapping`, or extra header wordings ``{field: [header, ...]}``).
    grids, sha256
        The file's grids and digest when the caller has them already (a digest of "": the caller records it).
    rules
        Thresholds (the methodology file's ``ingest`` section by default).

    Raises
    ------
    InputFileError
        The file cannot be used (unreadable, no recognisable header, no unit, contradictory dates, stated totals
        that disagree with the rows, most rows rejected): the message says why and what to do.
    """
    path = Path(path)
    rules = rules or ReadRules.from_methodology()
    report = FileReport(file=relative_name(path, raw_root), sha256=file_sha256(path) if sha256 is None else sha256)
    fmap = file_mapping(mapping, report.file)
    vocab = extend_vocabulary(onestop_vocabulary(), fmap.fields)
    grids = grids if grids is not None else read_grids(path)
    if fmap.sheet is not None:
        chosen = [g for g in grids if fold(g.sheet) == fold(fmap.sheet)]
        if not chosen:
            raise InputFileError(
                f"{path}: không có trang tính '{fmap.sheet}' như tệp ánh xạ ghi; các trang: "
                f"{', '.join(g.sheet for g in grids)}."
            )
        grids = chosen
    frames, rejects, distinct = [], [], []
    last_error = None
    for grid in grids:
        report.encoding = getattr(grid, "encoding", None) or report.encoding
        report.warnings.extend(n for n in getattr(grid, "notes", ()) if n not in report.warnings)
        match = find_dossier_header(grid, vocab, fmap)
        if match is None or any(f not in match.columns for f in vocab.required):
            last_error = missing_fields_message(grid, match, vocab)
            continue
        frame, rej, unique = _read_grid(
            grid,
            match,
            vocab,
            fmap,
            report,
            registry=registry,
            pseudonymiser=pseudonymiser,
            path=path,
            raw_root=raw_root,
            assume_unit=assume_unit,
        )
        frames.append(frame)
        rejects.append(rej)
        distinct.append(unique)
    if not frames:
        raise InputFileError(last_error or f"{path}: không có trang tính nào.")
    dossiers = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    rejected = pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(columns=REJECT_COLUMNS)
    _judge_rejections(path, report, rejected, rules)
    dossiers, dups = deduplicate(dossiers, distinct=distinct == [True])  # one sheet whose codes all differ
    report.duplicates_in_file = dups
    if dups:
        report.warnings.append(f"{dups} mã hồ sơ xuất hiện nhiều lần trong tệp; giữ bản ghi có trạng thái mới nhất.")
    report.rows_kept = report.rows_read - report.rows_rejected
    if report.rows_read == 0:
        report.warnings.append("Tệp không có dòng hồ sơ nào (chỉ có tiêu đề); kiểm tra lại khoảng ngày khi xuất.")
    return ReadResult(dossiers, rejected, report)


def find_dossier_header(grid: Grid, vocab: Vocabulary, fmap: FileMapping | None = None) -> HeaderMatch | None:
    """The header of a dossier list: where the mapping file puts it, else found by its wording."""
    fmap = fmap or FileMapping()
    rows = (fmap.header_rows[0] - 1, len(fmap.header_rows)) if fmap.header_rows else None
    if rows is None and not fmap.columns:
        return detect_header(grid, vocab)
    match = detect_header(grid, vocab, rows=rows, fixed=fmap.placed)
    if match is None and rows is None:  # columns named by the mapping, header found by wording
        match = detect_header(grid, vocab)
    return match


def _judge_rejections(path: Path, report: FileReport, rejected: pd.DataFrame, rules: ReadRules) -> None:
    """Refuse the file when too many of its dossier rows were rejected; otherwise say why the few were."""
    if len(rejected):
        dropped = rejected[rejected["action"] == "value_dropped"]
        report.values_dropped = {str(k): int(v) for k, v in dropped["column"].value_counts().items()}
    rows = rejected[rejected["action"] == "row_rejected"].drop_duplicates(["sheet", "row"])
    if not report.rows_rejected or rows.empty:
        return
    top = rows.groupby("reason", sort=False).agg(
        n=("row", "size"), row=("row", "first"), column=("column", "first"), value=("value", "first")
    )
    top = top.sort_values("n", ascending=False)
    reasons = "; ".join(
        f"«{reason}» ({n} dòng, ví dụ dòng {row}, cột «{column}»: " + (f"'{value}')" if value else "ô trống)")
        for reason, (n, row, column, value) in top.head(3).iterrows()
    )
    share = report.rows_rejected / report.rows_read if report.rows_read else 1.0
    if report.rows_rejected >= report.rows_read or share > rules.max_rejected_share:
        raise InputFileError(
            f"{path}: {report.rows_rejected}/{report.rows_read} dòng hồ sơ bị loại ({share:.0%}, quá ngưỡng "
            f"{rules.max_rejected_share:.0%} của tệp phương pháp); tệp bị từ chối để không công bố số liệu sai. "
            f"Lý do: {reasons}. Hãy kiểm tra cột được nêu (xem `cchc inspect {path.name}`), xuất lại tệp, hoặc khai "
            "báo cột và cách viết giá trị trong tệp --mapping."
        )
    report.warnings.append(f"{report.rows_rejected}/{report.rows_read} dòng hồ sơ bị loại: {reasons}.")


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


@dataclass
class ColumnPlan:
    """Which column each field is read from, once the values had their say."""

    columns: dict[str, int]  # fields read
    recognised: dict[str, int]  # fields recognised and not read (durations, result delivery, departments...)
    profiles: dict[int, object]  # column -> ingest.evidence.Profile, for the columns looked at
    warnings: list[str]


def plan_columns(
    grid: Grid, match: HeaderMatch, vocab: Vocabulary, registry: UnitRegistry | None, on=None
) -> ColumnPlan:
    """Settle each column's field by wording and by values: a column whose sampled values cannot be a field
    never takes it (ingest/evidence.py); two columns with the same claim to a field are reported, not guessed.

    Raises
    ------
    InputFileError
        A required field (code, receipt date) claimed equally by two columns whose values differ.
    """
    start = match.data_start
    cache: dict[int, object] = {}
    kinds = {f.name: f.kind for f in vocab.fields}

    def unit_known(text: str) -> bool:
        return registry is not None and lookup_unit_text(text, registry, on) is not None

    def evidence(col: int):
        if col not in cache:
            column = grid.text_column(col, start) if col < grid.width else pd.Series([], dtype="str")
            cache[col] = profile(column, unit_known if registry is not None else None)
        return cache[col]

    def allowed(col: int, name: str) -> bool:
        if match.fixed.get(name) == col:  # the user's word
            return True
        kind = kinds.get(name, "any")
        return kind == "any" or allows(kind, evidence(col))

    columns, ties = assign_columns(match.options, match.fixed, allowed)
    warnings: list[str] = []
    for name, taken, other, gap in ties:
        if name not in columns or columns[name] != taken or other in columns.values():
            continue
        if fold(match.labels[taken]) == fold(match.labels[other]):
            continue  # the same header twice: reported by the reader (the leftmost is read)
        if _same_values(grid, start, taken, other):
            continue
        label = vocab.spec(name).label
        both = (
            f"trang '{grid.sheet}': hai cột «{match.labels[taken]}» ({_letter(taken)}) và «{match.labels[other]}» "
            f"({_letter(other)}) đều có thể là «{label}» và chứa giá trị khác nhau"
        )
        how = f"khai báo cột đúng trong tệp --mapping (ví dụ columns: {{{name}: {_letter(other)}}})"
        if gap > 0:  # two wordings: the usual one (listed first in the synonym table) is read, and said
            warnings.append(
                f"{both[0].upper()}{both[1:]}: đọc cột {_letter(taken)} (cách gọi thường dùng hơn); nếu sai, {how}."
            )
            continue
        if name in vocab.required:
            raise InputFileError(f"{grid.file}, {both}; không đoán. Hãy {how}.")
        columns.pop(name, None)
        warnings.append(f"{both[0].upper()}{both[1:]}; không đoán, các chỉ số dùng trường này để trống. Hãy {how}.")
    for name, col in match.columns.items():  # a field the wording gave a column whose values refused it
        if name in vocab.unread or name in columns:
            continue
        label = vocab.spec(name).label
        warnings.append(
            f"Trang '{grid.sheet}': cột «{match.labels[col]}» ({_letter(col)}) có tiêu đề giống «{label}» nhưng giá "
            f"trị không phải ({evidence(col).describe()}); không đọc cột này là «{label}»."
        )
    for name in vocab.required:  # values that cannot be the field: the rows are rejected, each with its reason
        if name not in columns and name in match.columns and match.columns[name] not in columns.values():
            columns[name] = match.columns[name]
            warnings[:] = [w for w in warnings if f"«{vocab.spec(name).label}»" not in w]
    read = {n: c for n, c in columns.items() if n not in vocab.unread}
    recognised = {n: c for n, c in columns.items() if n in vocab.unread}
    return ColumnPlan(read, recognised, cache, warnings)


def _same_values(grid: Grid, start: int, a: int, b: int) -> bool:
    return grid.text_column(a, start).equals(grid.text_column(b, start))


def _read_grid(grid, match, vocab, fmap, report, *, registry, pseudonymiser, path, raw_root, assume_unit):
    """The dossiers of one sheet whose header ``match`` found: columns planned, every cell read as text, dates in
    each column's order, rows told apart (dossiers, sections, totals), texts cleaned, values mapped, unit and
    period resolved, applicants pseudonymised. Returns the rows kept, the rejects with reasons and whether every
    dossier code is distinct."""
    first_day = _first_day(grid, match)
    plan = plan_columns(grid, match, vocab, registry, first_day)
    report.warnings.extend(plan.warnings)
    for name in vocab.required:
        if name not in plan.columns:
            raise InputFileError(missing_fields_message(grid, match, vocab))
    cols = plan.columns
    start = match.data_start
    # every cell as text (both readers give the same text: see grid.cell_text), one column at a time
    raw = pd.DataFrame({name: grid.text_column(c, start) for name, c in cols.items()})
    raw.index = pd.RangeIndex(start + 1, start + 1 + len(raw))  # 1-based sheet rows
    labels = {name: match.labels[c] if c < len(match.labels) else _letter(c) for name, c in cols.items()}
    # columns not read: unknown ones, and those recognised as something not read (durations, notes...)
    unmapped = {c: lab for c, lab in enumerate(match.labels) if lab and c not in set(cols.values())}
    report.unmapped_columns = sorted(set(report.unmapped_columns) | set(unmapped.values()))
    _warn_repeated_labels(grid, match, cols, unmapped, plan, report)
    rejects: list[dict] = []

    def reject(rows, column, values, reason, action="row_rejected"):
        shown_column = labels.get(column, column)
        for r, v in zip(rows, values, strict=True):
            shown = mask(v) if column in vocab.personal_fields() else ("" if v is None else str(v))
            rejects.append(
                {
                    "file": report.file,
                    "sheet": grid.sheet,
                    "row": int(r),
                    "column": shown_column,
                    "value": shown[:200],
                    "reason": reason,
                    "action": action,
                }
            )

    # ID numbers are pseudonymised from the raw cells (only their digits count, so cleaning cannot change them);
    # for a large export the digests are computed by a worker process while this one goes on with the rest
    id_keys = pseudonymiser.start(raw["id_number"], id_numbers=True) if "id_number" in raw else None
    # each column's distinct texts are decoded (legacy encodings judged per column) once, here, and the result
    # serves both the repeated-header test and the text cleaning below; plain ASCII texts decode to themselves,
    # so only the others go through Python
    texts = dict(zip(cols, _per_column(ColumnText, [raw[n] for n in cols], len(raw)), strict=True))
    # -- dates: each column read in the order its own values show ---------------------------------------------
    orders = _date_orders(raw, labels, fmap, report, path)
    dates = {}
    for name in DATE_FIELDS:
        if name in orders:
            dates[name] = parse_datetimes(raw[name], order=orders[name])
    # -- what each row is ------------------------------------------------------------------------------------
    kinds = _row_kinds(grid, match, raw, cols, texts, dates["received_at"][0].notna().to_numpy())
    skip = kinds["skip"]
    report.rows_skipped += int(skip.sum())
    data = raw[~skip].copy() if skip.any() else raw  # a clean export has no such rows: no copy
    _say_unproven_order(data, orders, labels, report)
    _check_totals(grid, match, kinds, data.index, cols, fmap, report, path)
    if "field" not in cols and kinds["fields"] is not None:
        data["field"] = kinds["fields"][data.index]
        texts["field"] = ColumnText(data["field"].fillna(""))

    # -- text: NFC, legacy encodings per column, whitespace -------------------------------------------------
    _clean_texts(data, texts, labels, vocab.personal_fields() - {"applicant"}, report)

    # -- required values -----------------------------------------------------------------------------------
    out = pd.DataFrame(index=data.index)
    parsed_dates, missing_code = _read_dates(data, dates, skip, orders, labels, reject)
    keep = ~missing_code
    report.rows_read += len(data)
    report.rows_rejected += int((~keep).sum())

    out["code"] = data["code"]
    for name in ("procedure_code", "procedure", "field"):
        out[name] = data[name] if name in data else None
    for name in DATE_FIELDS:
        out[name] = parsed_dates[name]
    if "due_at" in dates:
        due = parsed_dates["due_at"]
        # a time written in the text counts even at 00:00; a date cell (given as "yyyy-mm-dd 00:00:00") does not
        text_due = data["due_at"].str.contains(r"\d[:hg]\d\d") & ~text_matches(data["due_at"], _MIDNIGHT_CELL)
        out["due_has_time"] = ((due.dt.hour + due.dt.minute) > 0) | text_due
    else:
        out["due_has_time"] = False
    # -- vocabularies ---------------------------------------------------------------------------------------
    _map_values(data, out, keep, fmap, labels, report)
    # -- fee ------------------------------------------------------------------------------------------------
    out["fee"] = _fee(data, keep, reject)
    # -- unit -----------------------------------------------------------------------------------------------
    title_text = [sheet_rows.row_text(r) for r in grid.head(match.first_row)]
    unit_ids = _units(data, keep, out, title_text, registry, path, raw_root, assume_unit, fmap, report, reject)
    out["unit_id"] = unit_ids
    report.unit_ids = sorted(set(report.unit_ids) | set(unit_ids[keep].dropna().unique()) - {"None", "nan"})
    unit_missing = keep & out["unit_id"].isna()
    report.rows_rejected += int(unit_missing.sum())
    keep &= ~unit_missing
    # -- period stated in the title ----------------------------------------------------------------------------
    _period_of_file(title_text, out, keep, report)
    out["source_file"] = repeated_text(report.file, out.index)
    out["source_sheet"] = repeated_text(grid.sheet, out.index)
    out["source_row"] = out.index.astype("int64")
    rounded = _rounded_codes(out["code"][keep])
    # whether any code repeats, told now: the main thread would otherwise only wait for the ID numbers' keys
    distinct = all_distinct(out["code"])  # all rows, rejected too: distinct there means distinct among the kept
    # -- personal data: pseudonymise, then drop ------------------------------------------------------------------
    out["applicant_key"] = _applicant_keys(data, pseudonymiser, id_keys)
    if rounded:  # codes Excel rounded cannot identify a dossier: a key of the applicant's too stands in
        out["code"] = _stand_in_codes(out)
        distinct = all_distinct(out["code"])
        report.warnings.append(
            f"Cột «{labels['code']}»: {rounded} mã hồ sơ đã bị Excel làm tròn (dạng 1,23457E+15 hoặc từ 16 chữ số trở "
            "lên, tận cùng bằng 0): không dùng để gộp hồ sơ trùng giữa các tệp; thay bằng khóa từ mã, ngày giờ tiếp "
            "nhận, thủ tục và người nộp. Nên xuất lại với cột mã ở dạng văn bản."
        )
    out = (out[keep] if not keep.all() else out).reset_index(drop=True)
    return out[OUTPUT_COLUMNS], pd.DataFrame(rejects, columns=REJECT_COLUMNS), distinct


def _read_dates(data: pd.DataFrame, dates: dict, skip, orders: dict, labels: dict, reject) -> tuple[dict, pd.Series]:
    """Each date column parsed (NaT where the file has none); a dossier without a code or a readable receipt date
    is rejected (the mask returned), another unreadable date is dropped with the dossier kept."""
    missing_code = data["code"].str.strip().eq("")
    reject(data.index[missing_code], "code", data.loc[missing_code, "code"], "thiếu mã hồ sơ")
    parsed_dates = {}
    for name in DATE_FIELDS:
        if name not in dates:
            parsed_dates[name] = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
            continue
        parsed, invalid = (s.loc[data.index] for s in dates[name]) if skip.any() else dates[name]
        parsed_dates[name] = parsed
        written = ORDER_LABELS[orders[name]]
        if name == "received_at":
            bad = invalid | parsed.isna()
            reason = f"ngày tiếp nhận không hợp lệ hoặc trống (cần {written})"
            reject(data.index[bad & ~missing_code], name, data.loc[bad & ~missing_code, name], reason)
            missing_code |= bad
        elif invalid.any():
            reject(
                data.index[invalid],
                name,
                data.loc[invalid, name],
                f"ngày không hợp lệ ở cột «{labels[name]}» (cần {written}); bỏ giá trị, giữ hồ sơ",
                action="value_dropped",
            )
    return parsed_dates, missing_code


def _applicant_keys(data: pd.DataFrame, pseudonymiser, id_keys):
    """Each dossier's keyed applicant key (ID number, else name and phone); None when the file has none of them."""
    return (
        pseudonymiser.applicant_keys(
            data["id_number"] if "id_number" in data else None,
            data["applicant"] if "applicant" in data else None,
            data["phone"] if "phone" in data else None,
            id_keys=id_keys,
        )
        if any(n in data for n in ("id_number", "applicant", "phone"))
        else None
    )


def _warn_repeated_labels(grid: Grid, match: HeaderMatch, cols: dict, unmapped: dict, plan, report: FileReport) -> None:
    """A header written twice (two columns "Ngày nhận"): the first is read, the other named in a warning."""
    used = {fold(match.labels[c]): c for c in cols.values() if c < len(match.labels) and match.labels[c]}
    for c, label in sorted(unmapped.items()):
        if c in plan.recognised.values():
            continue
        if fold(label) in used:
            report.warnings.append(
                f"Trang '{grid.sheet}': cột '{label}' xuất hiện hai lần (cột {_letter(used[fold(label)])} và "
                f"{_letter(c)}); dùng cột {_letter(used[fold(label)])}, bỏ qua cột {_letter(c)}."
            )


def _clean_texts(data: pd.DataFrame, texts: dict, labels: dict, uncleaned: set, report: FileReport) -> None:
    """Clean the text columns in place (NFC, legacy encodings decoded per column, whitespace), touching only the
    cells that change; legacy-encoded columns are named in the report."""
    # personal columns other than the applicant's name are never used as text (ID numbers and phones count by
    # their digits; addresses and e-mails are dropped): they are not cleaned, only their encoding reported
    for name in data.columns:
        if name in DATE_FIELDS or name in ("fee", "seq"):
            continue
        if name in uncleaned:
            if texts[name].legacy:
                report.legacy_columns.append(labels[name])
            continue
        changed, legacy = texts[name].cleaning()
        if legacy:
            report.legacy_columns.append(labels[name])
        if changed:  # most columns are clean already: touch only the cells that change
            col = data[name]
            hit = col.isin(list(changed))
            data.loc[hit, name] = col[hit].map(changed)


def _map_values(
    data: pd.DataFrame, out: pd.DataFrame, keep, fmap: FileMapping, labels: dict, report: FileReport
) -> None:
    """Channel, status, payment method and digitisation through the value vocabularies (and the mapping's own
    words); values none knows are left blank, counted and named in a warning, never guessed."""
    vocabs = _value_tables(fmap)
    for name in ("channel", "status", "payment_method", "digitised"):
        if name not in data:
            out[name] = None
            continue
        mapped, unknown = map_vocabulary(data[name], vocabs[name])
        out[name] = mapped
        if (unknown & keep).any():
            counts = data.loc[unknown & keep, name].astype(str).value_counts()
            report.unknown_values[name] = {str(k): int(v) for k, v in counts.items()}
            report.warnings.append(
                f"Cột «{labels[name]}»: {int(counts.sum())}/{int(keep.sum())} giá trị không nhận ra "
                f"({', '.join(f'{k!r} × {v}' for k, v in list(counts.items())[:5])}); để trống, không đoán. Thêm "
                f"cách viết vào khóa values › {name} của tệp --mapping nếu đúng."
            )
    out["status_raw"] = data["status"] if "status" in data else None
    out["payment_raw"] = data["payment_method"] if "payment_method" in data else None
    if "digitised" in data:
        # where a file has a digitisation column, a blank cell means "not digitised" (vendors tick only the yes)
        blank_digit = data["digitised"].str.strip().eq("")
        out["digitised"] = out["digitised"].map({"yes": True, "no": False}).where(~blank_digit, False)
    else:
        out["digitised"] = None


def _fee(data: pd.DataFrame, keep, reject):
    """The fee in đồng: unreadable or negative amounts dropped (the dossier kept), a blank cell 0 (vendors write
    only the fees owed); NaN when the file has no fee column."""
    if "fee" in data:
        fee, invalid = parse_amounts(data["fee"])
        negative = fee < 0
        reject(
            data.index[invalid & keep],
            "fee",
            data.loc[invalid & keep, "fee"],
            "số tiền phí không đọc được; bỏ giá trị, giữ hồ sơ",
            action="value_dropped",
        )
        reject(
            data.index[negative & keep],
            "fee",
            data.loc[negative & keep, "fee"],
            "số tiền phí âm; bỏ giá trị, giữ hồ sơ",
            action="value_dropped",
        )
        # where a file has a fee column, a blank cell means no fee (vendors write only the fees owed)
        blank_fee = data["fee"].fillna("").str.strip().eq("")
        return fee.where(~negative).mask(blank_fee, 0.0)
    return np.nan


def _period_of_file(title_text: list[str], out: pd.DataFrame, keep, report: FileReport) -> None:
    """The period the export covers: stated in its title ("Từ ngày … đến ngày …"), else the span of its receipt
    dates (the report says which)."""
    start_day, end_day = _stated_period(title_text)
    if start_day is not None:
        report.period_start, report.period_end = str(start_day.date()), str(end_day.date())
        report.period_source = "title"
    elif keep.any():
        report.period_start = str(out.loc[keep, "received_at"].min().date())
        report.period_end = str(out.loc[keep, "received_at"].max().date())
        report.period_source = "data"
    out["export_start"] = start_day if start_day is not None else pd.NaT
    out["export_end"] = end_day if end_day is not None else pd.NaT


def _first_day(grid: Grid, match: HeaderMatch):
    """An early receipt date of the sheet (for unit lookups that depend on the date), or None."""
    col = match.columns.get("received_at")
    if col is None:
        return None
    head = grid.text_column(col, match.data_start).head(200)
    order = date_order_evidence(head).order or DAY_FIRST
    day = parse_datetimes(head, order=order)[0].min()
    return None if pd.isna(day) else day.date()


def _date_orders(raw: pd.DataFrame, labels: dict, fmap: FileMapping, report: FileReport, path) -> dict[str, str]:
    """Day-first or month-first for each date column: the mapping's word, else the column's own evidence (a first
    number above 12 is a day, a second one above 12 is), else the other date columns', else day-first (the
    Vietnamese norm). A column holding both is refused: the receipt date refuses the file, another date column is
    dropped with a warning."""
    found = {name: date_order_evidence(raw[name]) for name in DATE_FIELDS if name in raw}
    proven = {e.order for e in found.values() if e.order}
    file_order = next(iter(proven)) if len(proven) == 1 else None
    orders = {}
    for name, ev in found.items():
        if fmap.date_order:
            orders[name] = fmap.date_order
        elif ev.contradictory:
            message = (
                f"cột «{labels[name]}» có cả ngày viết theo ngày/tháng/năm (ví dụ '{ev.example_day_first}') và theo "
                f"tháng/ngày/năm (ví dụ '{ev.example_month_first}'): không thể biết ngày nào đúng"
            )
            if name == "received_at":
                raise InputFileError(
                    f"{path}: {message}. Hãy xuất lại tệp với một định dạng ngày, hoặc khai báo date_order trong tệp "
                    "--mapping nếu biết chắc."
                )
            report.warnings.append(f"{message[0].upper()}{message[1:]}; bỏ cột này, các chỉ số cần nó để trống.")
            report.date_orders[labels[name]] = "conflict"
            continue
        else:
            orders[name] = ev.order or file_order or DAY_FIRST
        if ev.day_first or ev.month_first or fmap.date_order:
            report.date_orders[labels[name]] = orders[name]
    if found and not proven and not fmap.date_order:
        orders["_unproven"] = DAY_FIRST  # said after the rows are known (see _say_unproven_order)
    return orders


def _say_unproven_order(data: pd.DataFrame, orders: dict, labels: dict, report: FileReport) -> None:
    """When no date column of the file proves its order, say that a/b/yyyy dates were read day-first (only when the
    dossier rows hold such dates: date cells and ISO texts need no order)."""
    if orders.pop("_unproven", None) is None:
        return
    if not any(date_order_evidence(data[n]).written for n in orders):
        return
    for name in orders:
        report.date_orders.setdefault(labels[name], orders[name])
    report.warnings.append(
        "Không có ngày nào lớn hơn 12 để biết thứ tự ngày/tháng: đọc theo ngày/tháng/năm (chuẩn Việt Nam). Nếu tệp "
        "xuất từ máy đặt kiểu Mỹ (tháng/ngày/năm), khai báo date_order: mdy trong tệp --mapping."
    )


def _row_kinds(grid, match, raw, cols, texts, received_is_date) -> dict:
    """Masks of the rows that are no dossier (``skip``), the total rows, and the field each section row gives the
    rows below it (None when the sheet has no field sections)."""
    present = pd.DataFrame({n: ~texts[n].blank for n in cols}, index=raw.index)
    blank = ~present.any(axis=1)
    start = match.data_start
    header_rows = grid.head(start)[match.first_row :]
    header_texts = {fold(t) for t in to_unicode_many([c for r in header_rows for c in r if isinstance(c, str)])} - {""}
    header_decoded = [t for r in header_rows for t in to_unicode_many([c for c in r if isinstance(c, str)])]
    # prefixes as written (any case) and without diacritics, so "MÃ HỒ SƠ" and "MA HO SO" repeat "Mã hồ sơ"
    starts = ({clean_text(t)[:3].lower() for t in header_decoded} | {t[:3] for t in header_texts}) - {""}

    def repeats_header(text: ColumnText) -> np.ndarray:
        return text.isin_where(lambda d: fold(d) in header_texts, starts)

    # a repeated header repeats the code or the received-date label (a row without either is no dossier anyway):
    # those two columns are searched whole, the others only on the rows found
    keys = [n for n in ("code", "received_at") if n in cols]
    found = np.logical_or.reduce([repeats_header(texts[n]) for n in keys])
    candidates = np.flatnonzero(found)
    if len(candidates) > MAX_HEADER_REPEATS:  # an odd file: every column searched whole
        hits = pd.DataFrame(
            dict(zip(cols, _per_column(repeats_header, [texts[n] for n in cols], len(raw)), strict=True)),
            index=raw.index,
        )
    else:
        hits = pd.DataFrame(False, index=raw.index, columns=list(cols))
        for n in cols if len(candidates) else ():
            hits.iloc[candidates, hits.columns.get_loc(n)] = [
                texts[n].repeats(v, starts, header_texts) for v in raw[n].iloc[candidates].tolist()
            ]
    repeated = (hits.sum(axis=1) >= 2) | sheet_rows.numbering_rows(raw, cols)
    total = sheet_rows.total_rows(grid, start, raw, received_is_date)
    code_present = present["code"].to_numpy()
    # a label alone in the code column ("Lĩnh vực Hộ tịch" in a row of its own) is a section, not a code: several
    # words and no run of four digits (codes have them), nothing else in the row
    alone = present.sum(axis=1).to_numpy() == 1
    if (alone & code_present).any():
        lone = alone & code_present
        words = raw["code"][lone]
        lone[lone] = text_matches(words, r"\s*(?:\S+\s+)+\S+\s*") & ~text_matches(words, r".*\d{4}.*")
        code_present = code_present & ~lone
    seq_numeric = text_matches(raw["seq"], r"\s*-?\d+(?:\.\d+)?\s*") if "seq" in cols else False
    dossier_like = code_present | present["received_at"].to_numpy() | seq_numeric
    # notes and signatures: rows without a code below the last row that has one
    coded = np.flatnonzero(code_present & ~repeated.to_numpy() & ~total.to_numpy())
    footer = np.zeros(len(raw), dtype=bool)
    footer[(coded[-1] + 1 if len(coded) else 0) :] = True
    footer &= ~code_present & ~received_is_date
    # below the last total row, a row without a receipt date is a note or a signature, whatever its cells hold
    totals = np.flatnonzero(total.to_numpy())
    if len(totals):
        after = np.zeros(len(raw), dtype=bool)
        after[totals[-1] + 1 :] = True
        footer |= after & ~received_is_date
    skip = blank | repeated | total | footer | ~dossier_like
    # section rows: text but no dossier (few): "Lĩnh vực Hộ tịch" names the field of the rows below it
    fields = None
    others = np.flatnonzero((~dossier_like & ~total & ~repeated).to_numpy())
    if len(others) and len(others) < 10_000:
        named = {}
        for i in others:
            name = sheet_rows.section_field(sheet_rows.row_text(grid.row(start + int(i))))
            if name:
                named[raw.index[i]] = name
        if named:
            fields = pd.Series(named, dtype="str").reindex(raw.index).ffill()
    return {"skip": skip, "total": total, "fields": fields}


def _check_totals(grid, match, kinds, dossier_rows, cols, fmap, report, path) -> None:
    """The sheet's stated counts against its dossier rows (see :func:`ingest.rows.check_totals`)."""
    total = kinds["total"]
    if not total.any():
        return
    amounts = {cols[n] for n in ("fee",) if n in cols}
    found = []
    for label in total.index[total.to_numpy()]:
        row = grid.row(int(label) - 1)
        text = sheet_rows.row_text(row)
        found.append(sheet_rows.Total(int(label), text, sheet_rows.stated_number(text, row, amounts)))
    checked = sheet_rows.check_totals(found, np.asarray(dossier_rows, dtype=np.int64))
    if checked.stated_total is not None:
        report.stated_total = (report.stated_total or 0) + checked.stated_total
    if not checked.errors:
        return
    problems = "; ".join(checked.errors)
    if fmap.check_stated_total:
        raise InputFileError(
            f"{path}, trang '{grid.sheet}': số tổng ghi trong bảng không khớp với các dòng hồ sơ đọc được: {problems}. "
            "Hãy kiểm tra tệp (dòng bị xóa, bộ lọc đang bật, dòng bị ẩn) và xuất lại; nếu chắc chắn các dòng là đủ, "
            "đặt check_stated_total: false cho tệp này trong tệp --mapping."
        )
    report.warnings.append(f"Trang '{grid.sheet}': {problems} (không kiểm tra theo tệp ánh xạ).")


def _value_tables(fmap: FileMapping) -> dict[str, dict[str, tuple[str, ...]]]:
    """The shipped value vocabularies with the mapping's wordings first (theirs win an exact match)."""
    tables = value_vocabularies()
    if not fmap.values:
        return tables
    out = {name: dict(table) for name, table in tables.items()}
    for name, extra in fmap.values.items():
        merged = {canon: tuple(fold(w) for w in words) for canon, words in extra.items()}
        for canon, words in out[name].items():
            merged[canon] = merged.get(canon, ()) + words
        out[name] = merged
    return out


def _stated_period(title_text: list[str]) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    for line in title_text:
        m = _DATE_PAIR.search(line)
        if m:
            parsed, invalid = parse_datetimes(pd.Series([m.group(1), m.group(2)]))
            if not invalid.any() and parsed.notna().all() and parsed[0] <= parsed[1]:
                return parsed[0], parsed[1]
    return None, None


def _units(data, keep, out, title_text, registry, path, raw_root, assume_unit, fmap, report, reject) -> pd.Series:
    """The unit of each row: the mapping's or --assume-unit's, else a unit column's (each distinct value looked
    up; a blank cell takes the file's unit), else the file's (title rows, folders, file name)."""
    first_day = out.loc[keep, "received_at"].min() if keep.any() else pd.NaT
    on = first_day.date() if pd.notna(first_day) else None

    def file_unit():
        unit, source = resolve_unit(
            Path(path), title_text, registry, on, raw_root, assume_unit, "danh sách hồ sơ", fmap.unit
        )
        report.unit_id, report.unit_name, report.unit_source = unit.unit_id, unit.full_name, source
        return unit

    if fmap.unit or assume_unit or "unit" not in data:
        return repeated_text(file_unit().unit_id, data.index)
    result = pd.Series(None, index=data.index, dtype=object)
    values = data["unit"].fillna("").str.strip()
    blank = values.eq("")
    for value in pd.unique(values[keep & ~blank]):
        rows = keep & values.eq(value)
        day = out.loc[rows, "received_at"].min()
        unit = lookup_unit_text(str(value), registry, day.date() if pd.notna(day) else on)
        if unit is not None:
            result[rows] = unit.unit_id
        else:
            reject(
                data.index[rows],
                "unit",
                data.loc[rows, "unit"],
                "đơn vị không có trong danh mục đơn vị (thêm vào units.csv hoặc sửa tên)",
            )
    if (keep & blank).any():
        result[keep & blank] = file_unit().unit_id
    report.unit_source = report.unit_source or "column"
    ids = result.dropna().unique()
    if len(ids) == 1:
        report.unit_id = ids[0]
        report.unit_name = registry.get(ids[0]).full_name
    elif len(ids) > 1:
        report.unit_id = report.unit_name = None
        report.unit_source = "column"
    return result.astype("str")


def _rounded_codes(codes: pd.Series) -> int:
    """How many dossier codes Excel rounded: in scientific notation, or of 16+ digits when most of those end in
    "00" (Excel keeps 15 significant digits; real codes end in 00 one time in a hundred). 0 when the codes are
    intact."""
    if codes.empty:
        return 0
    scientific = text_matches(codes, _SCIENTIFIC)
    long = text_matches(codes, _LONG_DIGITS)
    if long.sum() >= 2 and text_matches(codes[long], _ZERO_TAIL).mean() >= 0.5:
        return int(scientific.sum() + long.sum())
    return int(scientific.sum())


def _stand_in_codes(out: pd.DataFrame) -> pd.Series:
    """A key for each dossier from its rounded code, receipt time, procedure and applicant: the same dossier in two
    exports gets the same key, two dossiers that Excel's rounding made alike do not."""
    parts = pd.DataFrame(
        {
            "code": out["code"].fillna(""),
            "received": out["received_at"].dt.strftime("%Y-%m-%d %H:%M").fillna(""),
            "procedure": out["procedure"].fillna("") if out["procedure"].notna().any() else "",
            "applicant": out["applicant_key"].fillna(""),
        }
    )
    joined = parts.astype(str).agg("\x1f".join, axis=1)
    keys = joined.map(lambda t: "R-" + hashlib.sha256(t.encode("utf-8")).hexdigest()[:16])
    return keys.astype("str")


# --- duplicates ---------------------------------------------------------------------------------------------------


def state_rank(frame: pd.DataFrame) -> pd.Series:
    """How advanced a dossier's recorded state is: 3 terminal (or finished), 2 in progress, 1 received/unknown."""
    finished = frame[["processed_at", "result_at", "handed_at"]].notna().any(axis=1)
    terminal = frame["status"].isin(TERMINAL_STATES) | finished
    progress = frame["status"].isin(("in_progress", "supplement"))
    return pd.Series(np.where(terminal, 3, np.where(progress, 2, 1)), index=frame.index)


def all_distinct(values: pd.Series) -> bool:
    """Whether no value repeats (one Arrow hash pass over Arrow text, no Python objects)."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        return len(pc.unique(pa.array(values.array))) == len(values)
    return values.is_unique


def deduplicate(frame: pd.DataFrame, *, distinct: bool = False) -> tuple[pd.DataFrame, int]:
    """One row per (unit, code): the more advanced state wins, then the export whose stated range ends later,
    then the later file and row. Returns the rows kept and how many were merged away. ``distinct``: the caller
    knows already that no code repeats."""
    # a code seen once cannot be duplicated: the usual case costs one hash of the code column
    if distinct or frame.empty or all_distinct(frame["code"]) or not frame.duplicated(["unit_id", "code"]).any():
        return frame, 0
    ranked = frame.assign(_rank=state_rank(frame), _end=frame["export_end"].fillna(pd.Timestamp.min))
    ranked = ranked.sort_values(["unit_id", "code", "_rank", "_end", "source_file", "source_row"])
    kept = ranked.drop_duplicates(["unit_id", "code"], keep="last")
    return kept.drop(columns=["_rank", "_end"]).sort_index().reset_index(drop=True), len(frame) - len(kept)
