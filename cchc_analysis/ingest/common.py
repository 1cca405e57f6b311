"""Steps every reader shares: the file's report, its header, its title lines and its unit."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputFileError
from ..registry import Unit, UnitRegistry
from ..text import clean_text, to_unicode_many
from .grid import Grid, read_grids
from .headers import HeaderMatch, Vocabulary, detect_header, missing_fields_message
from .onestop import FileReport, _unit_from_folder, _unit_from_titles, file_sha256


def start_report(path: Path | str, raw_root, kind: str) -> tuple[Path, FileReport]:
    """The path and a fresh report naming the file relative to raw/."""
    path = Path(path)
    rel = str(path.relative_to(raw_root)) if raw_root and path.is_relative_to(raw_root) else str(path)
    return path, FileReport(file=rel.replace("\\", "/"), sha256=file_sha256(path), kind=kind)


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
    path: Path, title: list[str], registry: UnitRegistry, on, raw_root, assume_unit, what: str
) -> tuple[Unit, str]:
    """The unit a file is about: its title rows, else the folder under raw/, else --assume-unit."""
    unit, source = _unit_from_titles(title, registry, on), "title"
    if unit is None and raw_root is not None:
        unit, source = _unit_from_folder(path, Path(raw_root), registry, on), "folder"
    if unit is None and assume_unit:
        unit, source = registry.lookup(assume_unit, on=on), "assumed"
    if unit is None:
        raise InputFileError(
            f"{path}: không xác định được đơn vị của {what} (dòng tiêu đề không ghi tên xã/phường/thị trấn, thư mục "
            "chứa tệp không mang tên đơn vị). Hãy đặt tệp trong thư mục raw/<tên-đơn-vị>/ hoặc dùng --assume-unit."
        )
    return unit, source
