"""Readers of raw exports: sheets as grids of cells, header detection, field mapping, parsing and cleaning."""
