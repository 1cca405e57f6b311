"""Where the project's folders are, wherever the code runs from.

The command line runs from the project's folder, but JupyterLab runs a notebook from the notebook's own folder
(notebooks/): there, "data/demo" means the project's data/demo. A relative folder that does not exist where the
code runs is looked for in the project's folder: the nearest parent holding ``pyproject.toml`` or ``environment.yml``
(never beyond it). ``CCHC_DATA_DIR`` (see settings.py) overrides both.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_MARKERS = ("pyproject.toml", "environment.yml")


def project_root(start: str | os.PathLike | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (the working folder by default) that holds a project marker."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / m).is_file() for m in PROJECT_MARKERS):
            return folder
    return None


def resolve(path: str | os.PathLike, start: str | os.PathLike | None = None) -> Path:
    """``path`` as given when it is absolute or exists from ``start``; else the project's ``path`` when that exists
    (a notebook run from notebooks/ naming "data/demo"); else ``path`` unchanged (for the caller's own message)."""
    p = Path(path)
    base = Path(start or Path.cwd())
    if p.is_absolute() or (base / p).exists():
        return p
    root = project_root(base)
    if root is not None and (root / p).exists():
        return root / p
    return p
