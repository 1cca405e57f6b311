"""The readers of each kind of file, in one registry: kind -> how to read it and which table of the store its rows
go to. The store asks this registry; adding a source is one entry here (README, "Adding a new data source")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..pseudonym import Pseudonymiser
from ..registry import UnitRegistry
from .budget import BUDGET_COLUMNS, read_budget
from .catalogue import CATALOGUE_COLUMNS, read_catalogue
from .common import ReadResult
from .grid import Grid
from .manual import MANUAL_COLUMNS, read_manual_input
from .mapping import FileMapping
from .onestop import OUTPUT_COLUMNS, ReadRules, read_onestop_export
from .par import PAR_COLUMNS, read_par


@dataclass(frozen=True)
class FileToRead:
    """One file of raw/ and what every reader may need to read it."""

    path: Path
    raw_root: Path
    registry: UnitRegistry
    pseudonymiser: Pseudonymiser
    mapping: FileMapping
    assume_unit: str | None
    grids: list[Grid]
    sha256: str
    rules: ReadRules

    @property
    def unit(self) -> str | None:
        """The unit the mapping file gives this file, else the one the user assumed (``--assume-unit``)."""
        return self.mapping.unit or self.assume_unit


@dataclass(frozen=True)
class Reader:
    kind: str
    table: str  # the store's Parquet file (without .parquet) that holds the rows
    columns: tuple[str, ...]  # of that table, for an empty one
    read: Callable[[FileToRead], ReadResult]
    columnar: bool = False  # reads the columnar grids (text columns); the others need the cell grids


def _dossiers(f: FileToRead) -> ReadResult:
    return read_onestop_export(
        f.path,
        f.registry,
        f.pseudonymiser,
        raw_root=f.raw_root,
        assume_unit=f.assume_unit,
        mapping=f.mapping,
        grids=f.grids,
        sha256=f.sha256,
        rules=f.rules,
    )


READERS: dict[str, Reader] = {
    r.kind: r
    for r in (
        Reader("dossier_list", "dossiers", tuple(OUTPUT_COLUMNS), _dossiers, columnar=True),
        Reader(
            "catalogue",
            "catalogue",
            tuple(CATALOGUE_COLUMNS),
            lambda f: read_catalogue(f.path, f.registry, raw_root=f.raw_root, assume_unit=f.unit, grids=f.grids),
        ),
        Reader(
            "budget",
            "budget",
            tuple(BUDGET_COLUMNS),
            lambda f: read_budget(f.path, f.registry, raw_root=f.raw_root, assume_unit=f.unit, grids=f.grids),
        ),
        Reader(
            "par", "par", tuple(PAR_COLUMNS), lambda f: read_par(f.path, f.registry, raw_root=f.raw_root, grids=f.grids)
        ),
        Reader(
            "manual_input",
            "manual",
            tuple(MANUAL_COLUMNS),
            lambda f: read_manual_input(f.path, f.registry, raw_root=f.raw_root),
        ),
    )
}
