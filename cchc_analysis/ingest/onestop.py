"""Reader of one-stop-shop dossier lists: any vendor layout in, one clean pseudonymised row per dossier out.

Every data row of the export is either kept or rejected with a reason; non-data rows (blank, repeated header,
"Tổng cộng" and signature rows) are counted apart. Personal data is turned into a keyed applicant key and
dropped; columns the reader does not map are never carried into the output.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError, UnitLookupError
from ..pseudonym import Pseudonymiser, mask
from ..registry import Unit, UnitRegistry
from ..text import clean_text, fold, to_unicode_many
from .grid import Grid, read_grids
from .headers import Vocabulary, detect_header, missing_fields_message, onestop_vocabulary
from .parse import (
    map_vocabulary,
    parse_amounts,
    parse_datetimes,
    repeated_text,
    text_matches,
    value_vocabularies,
)

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
    "digitised",
    "applicant_key",
    "export_start",
    "export_end",
    "source_file",
    "source_sheet",
    "source_row",
]
REJECT_COLUMNS = ["file", "sheet", "row", "column", "value", "reason", "action"]

_DATE_PAIR = re.compile(r"(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}).{0,40}?(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4})")
_COMMUNE = re.compile(
    r"\b(xa|phuong|thi tran)\s+([a-z0-9 ]+?)(?=\s*(?:-|,|\bhuyen\b|\bthanh pho\b|\bthi xa\b|\btinh\b|$))"
)
_TOTAL_WORDS = ("tong cong", "tong so", "cong", "tong")
_MIDNIGHT_CELL = r"\s*\d{4}-\d{2}-\d{2} 00:00:00\s*"
# a cell whose first word could be "Tổng"/"Cộng" in any encoding or case: T or C, then at most seven more
# characters (only these are folded)
_SHORT_FIRST_WORD = r"\s*[TtCc]\S{0,7}(?:\s|$)"


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


def _total_rows(grid, start: int, raw: pd.DataFrame) -> pd.Series:
    """Rows whose first cells say "Tổng cộng"/"Cộng" (in any encoding), unless their code looks like a dossier
    code (digits and a dash)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    total = np.zeros(len(raw), dtype=bool)
    for c in range(min(4, grid.width)):
        column = grid.text_column(c, start)
        arr = pa.array(column.array)
        # first letter T or C (any encoding keeps it), or a leading space: few distinct texts, checked in Python
        first = pc.is_in(
            pc.utf8_slice_codeunits(arr, 0, 1), value_set=pa.array(["T", "t", "C", "c", " ", "\u00a0", "\t"])
        )
        short = [u for u in pc.unique(arr.filter(first)).to_pylist() if re.match(_SHORT_FIRST_WORD, u)]
        words = [u for u in short if _is_total_text(to_unicode_many([u])[0])]  # each cell judged alone
        if words:
            total |= column.isin(words).to_numpy(dtype=bool)
    if "code" in raw and total.any():  # only the few rows that say so are looked at again
        code = raw["code"][total]
        total[total] = ~(code.str.contains(r"\d") & code.str.contains("-", regex=False)).to_numpy(dtype=bool)
    return pd.Series(total, index=raw.index)


# a column number as forms print them under the header: "1", "(2)", "3." (never a dossier code with a date)
_COLUMN_NUMBER = r"\s*\(?\d{1,3}\)?\.?\s*"


def _numbering_rows(raw: pd.DataFrame, cols: dict[str, int]) -> pd.Series:
    """Rows that number the columns ("(1) (2) (3) …" or "A B 1 2 …" below the header, again after a page
    break): the received date is a bare small number, the code one too or a letter, and the numbers rise from
    left to right across at least three columns; other cells hold at most a letter or two."""
    out = pd.Series(False, index=raw.index)
    if "code" not in raw or "received_at" not in raw:
        return out
    candidates = text_matches(raw["received_at"], _COLUMN_NUMBER)  # rare: the codes are looked at only there
    if candidates.any():
        code = raw["code"][candidates]
        candidates[candidates] = text_matches(code, _COLUMN_NUMBER) | text_matches(code, r"\s*[A-Za-z]{1,2}\s*")
    order = sorted(cols, key=cols.get)  # the sheet's column order
    for label in raw.index[candidates]:
        cells = [str(raw.at[label, name]).strip() for name in order]
        numbers = [int(re.sub(r"\D", "", c)) for c in cells if re.fullmatch(_COLUMN_NUMBER, c)]
        others = [c for c in cells if c and not re.fullmatch(_COLUMN_NUMBER, c)]
        rising = all(b > a for a, b in itertools.pairwise(numbers))
        out[label] = len(numbers) >= 3 and rising and all(len(c) <= 2 for c in others)
    return out


def _is_total_text(text: str) -> bool:
    key = fold(text)
    return any(key == w or key.startswith(w + " ") for w in _TOTAL_WORDS)


@dataclass
class FileReport:
    """What happened to one input file (one row of the ingest report)."""

    file: str
    sha256: str
    kind: str = "dossier_list"
    unit_id: str | None = None
    unit_name: str | None = None
    unit_source: str | None = None  # column, title, folder, assumed
    period_start: str | None = None
    period_end: str | None = None
    period_source: str | None = None  # title or data
    rows_read: int = 0  # data rows (kept + rejected)
    rows_kept: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0  # blank, repeated header, totals and signature rows
    stated_total: int | None = None
    duplicates_in_file: int = 0
    legacy_columns: list[str] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ReadResult:
    dossiers: pd.DataFrame
    rejects: pd.DataFrame
    report: FileReport


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def extend_vocabulary(vocab: Vocabulary, mapping: dict[str, list[str]] | None) -> Vocabulary:
    """The vocabulary with a user's extra header wordings (``{field: [header, ...]}``) added."""
    if not mapping:
        return vocab
    from .headers import FieldSpec

    known = {f.name for f in vocab.fields}
    unknown = sorted(set(mapping) - known)
    if unknown:
        from ..errors import ConfigError

        raise ConfigError(
            f"Tệp ánh xạ cột: trường không tồn tại {', '.join(unknown)}; các trường hợp lệ: {', '.join(sorted(known))}."
        )
    fields = tuple(
        FieldSpec(f.name, tuple(fold(s) for s in mapping.get(f.name, [])) + f.synonyms, f.personal, f.label)
        for f in vocab.fields
    )
    return Vocabulary(fields, vocab.required)


def read_onestop_export(
    path: Path | str,
    registry: UnitRegistry,
    pseudonymiser: Pseudonymiser,
    *,
    raw_root: Path | str | None = None,
    assume_unit: str | None = None,
    mapping: dict[str, list[str]] | None = None,
    grids: list[Grid] | None = None,
    sha256: str | None = None,
) -> ReadResult:
    """Read one dossier-list export into clean rows, rejected rows and a report.

    Parameters
    ----------
    path
        The export (.xlsx, .xls or an HTML table saved as .xls).
    registry, pseudonymiser
        Unit lookup and the keyed pseudonymiser for applicants.
    raw_root
        The raw/ folder: the first folder below it names the unit when the file itself does not.
    assume_unit
        Unit to use when neither a unit column, the title rows nor the folder name one.
    mapping
        Extra header wordings per canonical field, for layouts the synonym table does not know.
    grids, sha256
        The file's grids and digest when the caller has them already (a digest of "": the caller records it).

    Raises
    ------
    InputFileError
        The file cannot be used at all (unreadable, no recognisable header, no unit): the message says why.
    """
    path = Path(path)
    rel = str(path.relative_to(raw_root)) if raw_root and path.is_relative_to(raw_root) else str(path)
    report = FileReport(file=rel.replace("\\", "/"), sha256=file_sha256(path) if sha256 is None else sha256)
    vocab = extend_vocabulary(onestop_vocabulary(), mapping)
    grids = grids if grids is not None else read_grids(path)
    frames, rejects, distinct = [], [], []
    matched_any = False
    last_error = None
    for grid in grids:
        match = detect_header(grid, vocab)
        if match is None or any(f not in match.columns for f in vocab.required):
            last_error = missing_fields_message(grid, match, vocab)
            continue
        matched_any = True
        frame, rej, unique = _read_grid(
            grid, match, vocab, report, registry, pseudonymiser, path, raw_root, assume_unit
        )
        frames.append(frame)
        rejects.append(rej)
        distinct.append(unique)
    if not matched_any:
        raise InputFileError(last_error or f"{path}: không có trang tính nào.")
    dossiers = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    rejected = pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(columns=REJECT_COLUMNS)
    dossiers, dups = deduplicate(dossiers, distinct=distinct == [True])  # one sheet whose codes all differ
    report.duplicates_in_file = dups
    if dups:
        report.warnings.append(f"{dups} mã hồ sơ xuất hiện nhiều lần trong tệp; giữ bản ghi có trạng thái mới nhất.")
    report.rows_kept = report.rows_read - report.rows_rejected
    if report.rows_read == 0:
        report.warnings.append("Tệp không có dòng hồ sơ nào (chỉ có tiêu đề); kiểm tra lại khoảng ngày khi xuất.")
    return ReadResult(dossiers, rejected, report)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _read_grid(grid, match, vocab, report, registry, pseudonymiser, path, raw_root, assume_unit):
    cols = match.columns
    start = match.data_start
    # every cell as text (both readers give the same text: see grid.cell_text), one column at a time
    raw = pd.DataFrame({name: grid.text_column(c, start) for name, c in cols.items()})
    raw.index = pd.RangeIndex(start + 1, start + 1 + len(raw))  # 1-based sheet rows
    report.unmapped_columns = sorted(set(report.unmapped_columns) | set(match.unmapped.values()))
    used = {fold(match.labels[c]): c for c in cols.values() if c < len(match.labels) and match.labels[c]}
    for c, label in sorted(match.unmapped.items()):
        if fold(label) in used:
            report.warnings.append(
                f"Trang '{grid.sheet}': cột '{label}' xuất hiện hai lần (cột {_letter(used[fold(label)])} và "
                f"{_letter(c)}); dùng cột {_letter(used[fold(label)])}, bỏ qua cột {_letter(c)}."
            )
    rejects: list[dict] = []

    def reject(rows, column, values, reason, action="row_rejected"):
        for r, v in zip(rows, values, strict=True):
            shown = mask(v) if column in vocab.personal_fields() else ("" if v is None else str(v))
            rejects.append(
                {
                    "file": report.file,
                    "sheet": grid.sheet,
                    "row": int(r),
                    "column": column,
                    "value": shown[:200],
                    "reason": reason,
                    "action": action,
                }
            )

    # -- non-data rows: blank, repeated headers, totals and what follows them -----------------------------
    # ID numbers are pseudonymised from the raw cells (only their digits count, so cleaning cannot change them);
    # for a large export the digests are computed by a worker process while this one goes on with the rest
    id_keys = pseudonymiser.start(raw["id_number"], id_numbers=True) if "id_number" in raw else None
    # each column's distinct texts are decoded (legacy encodings judged per column) once, here, and the result
    # serves both the repeated-header test and the text cleaning below; plain ASCII texts decode to themselves,
    # so only the others go through Python
    texts = dict(zip(cols, _per_column(ColumnText, [raw[n] for n in cols], len(raw)), strict=True))
    present = pd.DataFrame({n: ~texts[n].blank for n in cols}, index=raw.index)
    blank = ~present.any(axis=1)
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
    repeated = (hits.sum(axis=1) >= 2) | _numbering_rows(raw, cols)
    total_row = _total_rows(grid, start, raw)
    after_total = total_row.cumsum().shift(fill_value=0) > 0
    if total_row.any():
        report.stated_total = _stated_number(grid.row(int(total_row.idxmax()) - 1))
    code_present = present["code"]
    recv_present = present["received_at"]
    seq_numeric = text_matches(raw["seq"], r"\s*-?\d+(?:\.\d+)?\s*") if "seq" in cols else False
    dossier_like = code_present | recv_present | seq_numeric
    skip = blank | repeated | total_row | after_total | (~dossier_like)
    report.rows_skipped += int(skip.sum())
    data = raw[~skip].copy() if skip.any() else raw  # a clean export has no such rows: no copy

    # -- text: NFC, legacy encodings per column, whitespace -------------------------------------------------
    # personal columns other than the applicant's name are never used as text (ID numbers and phones count by
    # their digits; addresses and e-mails are dropped): they are not cleaned, only their encoding reported
    uncleaned = vocab.personal_fields() - {"applicant"}
    for name in data.columns:
        if name in DATE_FIELDS or name in ("fee", "seq"):
            continue
        if name in uncleaned:
            if texts[name].legacy:
                report.legacy_columns.append(match.labels[cols[name]])
            continue
        changed, legacy = texts[name].cleaning()
        if legacy:
            report.legacy_columns.append(match.labels[cols[name]])
        if changed:  # most columns are clean already: touch only the cells that change
            col = data[name]
            hit = col.isin(list(changed))
            data.loc[hit, name] = col[hit].map(changed)

    # -- required values -----------------------------------------------------------------------------------
    out = pd.DataFrame(index=data.index)
    missing_code = data["code"].str.strip().eq("")
    reject(data.index[missing_code], "code", data.loc[missing_code, "code"], "thiếu mã hồ sơ")
    dates = {}
    for name in DATE_FIELDS:
        if name not in data:
            dates[name] = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
            continue
        parsed, invalid = parse_datetimes(data[name])
        dates[name] = parsed
        if name == "received_at":
            bad = invalid | parsed.isna()
            reason = "ngày tiếp nhận không hợp lệ hoặc trống (cần dd/mm/yyyy)"
            reject(data.index[bad & ~missing_code], name, data.loc[bad & ~missing_code, name], reason)
            missing_code |= bad
        elif invalid.any():
            reject(
                data.index[invalid],
                name,
                data.loc[invalid, name],
                f"ngày không hợp lệ ở cột «{match.labels[cols[name]]}» (cần dd/mm/yyyy); bỏ giá trị, giữ hồ sơ",
                action="value_dropped",
            )
    keep = ~missing_code
    report.rows_read += len(data)
    report.rows_rejected += int((~keep).sum())

    out["code"] = data["code"]
    for name in ("procedure_code", "procedure", "field"):
        out[name] = data[name] if name in data else None
    for name in DATE_FIELDS:
        out[name] = dates[name]
    out["due_has_time"] = (dates["due_at"].dt.hour + dates["due_at"].dt.minute) > 0 if "due_at" in data else False
    if "due_at" in data:
        # a time written in the text counts even at 00:00; a date cell (given as "yyyy-mm-dd 00:00:00") does not
        text_due = data["due_at"].str.contains(r"\d:\d\d") & ~text_matches(data["due_at"], _MIDNIGHT_CELL)
        out["due_has_time"] = out["due_has_time"] | text_due
    # -- vocabularies ---------------------------------------------------------------------------------------
    vocabs = value_vocabularies()
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
                f"Cột «{match.labels[cols[name]]}»: {int(counts.sum())} giá trị không nhận ra "
                f"({', '.join(f'{k!r} × {v}' for k, v in list(counts.items())[:5])}); để trống, không đoán."
            )
    out["status_raw"] = data["status"] if "status" in data else None
    if "digitised" in data:
        # where a file has a digitisation column, a blank cell means "not digitised" (vendors tick only the yes)
        blank_digit = data["digitised"].str.strip().eq("")
        out["digitised"] = out["digitised"].map({"yes": True, "no": False}).where(~blank_digit, False)
    else:
        out["digitised"] = None
    # -- fee ------------------------------------------------------------------------------------------------
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
        out["fee"] = fee.where(~negative)
    else:
        out["fee"] = np.nan
    # -- unit -----------------------------------------------------------------------------------------------
    title_text = [
        clean_text(" ".join(to_unicode_many([str(c) for c in r if isinstance(c, str)])))
        for r in grid.head(match.first_row)
    ]
    unit_ids = _units(data, keep, out, grid, title_text, registry, path, raw_root, assume_unit, report, reject)
    out["unit_id"] = unit_ids
    unit_missing = keep & out["unit_id"].isna()
    report.rows_rejected += int(unit_missing.sum())
    keep &= ~unit_missing
    # -- period stated in the title ----------------------------------------------------------------------------
    start, end = _stated_period(title_text)
    if start is not None:
        report.period_start, report.period_end, report.period_source = str(start.date()), str(end.date()), "title"
    elif keep.any():
        report.period_start = str(out.loc[keep, "received_at"].min().date())
        report.period_end = str(out.loc[keep, "received_at"].max().date())
        report.period_source = "data"
    out["export_start"] = start if start is not None else pd.NaT
    out["export_end"] = end if end is not None else pd.NaT
    out["source_file"] = repeated_text(report.file, out.index)
    out["source_sheet"] = repeated_text(grid.sheet, out.index)
    out["source_row"] = out.index.astype("int64")
    # whether any code repeats, told now: the main thread would otherwise only wait for the ID numbers' keys
    distinct = all_distinct(out["code"])  # all rows, rejected too: distinct there means distinct among the kept
    # -- personal data: pseudonymise, then drop ------------------------------------------------------------------
    out["applicant_key"] = (
        pseudonymiser.applicant_keys(
            data["id_number"] if "id_number" in data else None,
            data["applicant"] if "applicant" in data else None,
            data["phone"] if "phone" in data else None,
            id_keys=id_keys,
        )
        if any(n in data for n in ("id_number", "applicant", "phone"))
        else None
    )
    out = (out[keep] if not keep.all() else out).reset_index(drop=True)
    # -- stated total ----------------------------------------------------------------------------------------------
    if report.stated_total is not None and report.stated_total != len(data):
        report.warnings.append(
            f"Tổng số ghi trong tệp là {report.stated_total} hồ sơ nhưng đọc được {len(data)} dòng hồ sơ."
        )
    return out[OUTPUT_COLUMNS], pd.DataFrame(rejects, columns=REJECT_COLUMNS), distinct


def _stated_number(row: list) -> int | None:
    for cell in row:
        if isinstance(cell, (int, float)) and not pd.isna(cell):
            return int(cell)
        if isinstance(cell, str):
            m = re.search(r"(\d{1,3}(?:\.\d{3})+|\d+)", cell)
            if m:
                return int(m.group(1).replace(".", ""))
    return None


def _stated_period(title_text: list[str]) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    for line in title_text:
        m = _DATE_PAIR.search(line)
        if m:
            parsed, invalid = parse_datetimes(pd.Series([m.group(1), m.group(2)]))
            if not invalid.any() and parsed.notna().all() and parsed[0] <= parsed[1]:
                return parsed[0], parsed[1]
    return None, None


def _units(data, keep, out, grid, title_text, registry, path, raw_root, assume_unit, report, reject) -> pd.Series:
    """The unit of each row: a unit column, else the title rows, else the folder under raw/, else --assume-unit."""
    result = pd.Series(None, index=data.index, dtype=object)
    if "unit" in data and data["unit"].notna().any():
        on_day = out["received_at"]
        for value in pd.unique(data.loc[keep, "unit"].dropna()):
            rows = keep & (data["unit"] == value)
            day = on_day[rows].min()
            try:
                unit = registry.lookup(str(value), on=day.date() if pd.notna(day) else None)
                result[rows] = unit.unit_id
            except UnitLookupError as exc:
                reject(data.index[rows], "unit", data.loc[rows, "unit"], f"đơn vị không xác định: {exc}")
        report.unit_source = "column"
        ids = result.dropna().unique()
        if len(ids) == 1:
            report.unit_id = ids[0]
            report.unit_name = registry.get(ids[0]).full_name
        return result.astype("str")
    first_day = out.loc[keep, "received_at"].min() if keep.any() else pd.NaT
    on = first_day.date() if pd.notna(first_day) else None
    from .common import resolve_unit

    unit, source = resolve_unit(Path(path), title_text, registry, on, raw_root, assume_unit, "danh sách hồ sơ")
    report.unit_id, report.unit_name, report.unit_source = unit.unit_id, unit.full_name, source
    return repeated_text(unit.unit_id, data.index)


def _unit_from_titles(title_text: list[str], registry: UnitRegistry, on) -> Unit | None:
    """The commune named in the title rows ("UBND XÃ THANH GIANG", "Đơn vị: UBND xã Lam Sơn - huyện Thanh Miện");
    where a district and a commune are both named, the commune."""
    for line in title_text:
        key = fold(line)
        for m in _COMMUNE.finditer(key):
            kind, name = m.group(1), m.group(2).strip()
            words = name.split()
            # try the longest prefix of words that names a unit ("thanh giang" in "thanh giang huyen ...")
            for n in range(len(words), 0, -1):
                try:
                    return registry.lookup(f"{kind} {' '.join(words[:n])}", on=on)
                except UnitLookupError:
                    continue
    return None


def _unit_from_folder(path: Path, raw_root: Path, registry: UnitRegistry, on) -> Unit | None:
    try:
        first = path.relative_to(raw_root).parts[0]
    except (ValueError, IndexError):
        return None
    if first == path.name:
        return None
    try:
        return registry.by_slug(first)
    except UnitLookupError:
        pass
    try:
        return registry.lookup(first.replace("-", " ").replace("_", " "), on=on)
    except UnitLookupError:
        return None


# --- duplicates ---------------------------------------------------------------------------------------------------


def state_rank(frame: pd.DataFrame) -> pd.Series:
    """How advanced a dossier's recorded state is: 3 terminal (or finished), 2 in progress, 1 received/unknown."""
    finished = frame[["processed_at", "result_at", "handed_at"]].notna().any(axis=1)
    terminal = frame["status"].isin(TERMINAL_STATES) | finished
    progress = frame["status"].isin(("in_progress", "supplement"))
    return pd.Series(np.where(terminal, 3, np.where(progress, 2, 1)), index=frame.index)


def all_distinct(values: pd.Series) -> bool:
    """Whether no value repeats (one Arrow hash pass over Arrow text, no Python objects).

    The last Arrow text found distinct is remembered with its buffers (held, so that their memory cannot serve
    another array meanwhile): the same column met again, as when the store checks the table a one-file ingest
    read, is not hashed twice. Arrow arrays never change in place; any edit of the column makes new buffers."""
    global _distinct_seen
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(values.array)
        chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
        layout = tuple((c.offset, len(c), *(b.address if b is not None else 0 for b in c.buffers())) for c in chunks)
        if _distinct_seen is not None and _distinct_seen[0] == layout:
            return True
        distinct = len(pc.unique(arr)) == len(values)
        if distinct:
            _distinct_seen = (layout, chunks)
        return distinct
    return values.is_unique


_distinct_seen: tuple | None = None  # (layout of the buffers, the chunks themselves) of the last distinct text


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
