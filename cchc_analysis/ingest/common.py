"""What every reader shares: the file's report, its digest, its header, its title lines and its unit."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from ..fileio import file_sha256
from ..registry import Unit, UnitRegistry
from ..text import clean_text, to_unicode_many
from . import units as _units
from .grid import Grid, read_grids
from .headers import HeaderMatch, Vocabulary, detect_header, missing_fields_message

REJECT_COLUMNS = ["file", "sheet", "row", "column", "value", "reason", "action"]


@dataclass
class FileReport:
    """What happened to one input file (one row of the ingest report)."""

    file: str
    sha256: str
    kind: str = "dossier_list"
    unit_id: str | None = None
    unit_name: str | None = None
    unit_source: str | None = None  # mapping, assumed, column, title, folder, file name
    unit_ids: list[str] = field(default_factory=list)  # every unit the file's rows belong to
    period_start: str | None = None
    period_end: str | None = None
    period_source: str | None = None  # title or data
    rows_read: int = 0  # data rows (kept + rejected)
    rows_kept: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0  # blank, repeated header, section, totals and signature rows
    stated_total: int | None = None
    duplicates_in_file: int = 0
    legacy_columns: list[str] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)
    date_orders: dict[str, str] = field(default_factory=dict)  # date column -> dmy / mdy
    values_dropped: dict[str, int] = field(default_factory=dict)  # column -> values dropped, dossier kept
    encoding: str | None = None  # text exports: the encoding read
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict:
        """The report as the ingest report stores it; the keys of its mappings sorted, as the reader's cache stores
        them, so that a file read again and a file taken from the cache write the same bytes."""
        doc = asdict(self)
        for name in ("unknown_values", "date_orders", "values_dropped"):
            doc[name] = _sorted(doc[name])
        return doc

    @classmethod
    def from_dict(cls, doc: dict) -> FileReport:
        """A report stored by an earlier run (keys it does not know are ignored)."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in doc.items() if k in known})


def _sorted(value):
    return {k: _sorted(value[k]) for k in sorted(value)} if isinstance(value, dict) else value


@dataclass
class ReadResult:
    dossiers: pd.DataFrame
    rejects: pd.DataFrame
    report: FileReport


def relative_name(path: Path, raw_root) -> str:
    """The file's name relative to raw/ with "/" (as reports and the mapping file name it)."""
    path = Path(path)
    rel = str(path.relative_to(raw_root)) if raw_root and path.is_relative_to(raw_root) else str(path)
    return rel.replace("\\", "/")


def start_report(path: Path | str, raw_root, kind: str) -> tuple[Path, FileReport]:
    """The path and a fresh report naming the file relative to raw/."""
    path = Path(path)
    return path, FileReport(file=relative_name(path, raw_root), sha256=file_sha256(path), kind=kind)


def find_header(path: Path, grids: list[Grid] | None, vocab: Vocabulary) -> tuple[Grid, HeaderMatch]:
    """The largest sheet and its header; refuses the file when the header lacks a required field."""
    grids = grids if grids is not None else read_grids(path, columnar=False)
    grid = max(grids, key=lambda g: g.height)
    match = detect_header(grid, vocab)
    if match is None or any(f not in match.columns for f in vocab.required):
        raise InputFileError(missing_fields_message(grid, match, vocab))
    return grid, match


def title_lines(grid: Grid, upto: int) -> list[str]:
    """The text of each row above ``upto``, legacy encodings decoded."""
    return [clean_text(" ".join(to_unicode_many([c for c in r if isinstance(c, str)]))) for r in grid.head(upto)]


def resolve_unit(
    path: Path,
    title: list[str],
    registry: UnitRegistry,
    on,
    raw_root,
    assume_unit,
    what: str,
    mapped_unit: str | None = None,
) -> tuple[Unit, str]:
    """The unit a file is about and where it was found (see :mod:`cchc_analysis.ingest.units`)."""
    return _units.resolve_unit(path, title, registry, on, raw_root, assume_unit, what, mapped_unit)
