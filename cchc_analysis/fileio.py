"""Writing outputs safely: a temporary file beside the target, then a rename, so a crash never leaves a half-written
file under the final name."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def temporary_beside(path: Path) -> Path:
    """``<path>.tmp``: where an output is written before its rename onto ``path`` (same folder, same disk)."""
    return path.with_name(path.name + ".tmp")


def write_atomic(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` through ``<path>.tmp`` and a rename (parents created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_beside(path)
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def write_if_changed(path: Path | str, data: bytes) -> bool:
    """Like ``write_atomic``, but leave a file that already holds exactly ``data`` untouched; True when written."""
    path = Path(path)
    if path.is_file() and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


def replace_if_changed(tmp: Path | str, path: Path | str) -> bool:
    """Move the finished file ``tmp`` onto ``path`` (same folder: one atomic rename), unless ``path`` already
    holds exactly the same bytes: then ``tmp`` is removed and ``path`` left untouched. True when replaced."""
    tmp, path = Path(tmp), Path(path)
    if path.is_file() and _same_bytes(tmp, path):
        tmp.unlink()
        return False
    os.replace(tmp, path)
    return True


def _same_bytes(a: Path, b: Path) -> bool:
    """Whether two files hold the same bytes, read side by side (filecmp would remember every pair it compared,
    by size and modification time, for the life of the process)."""
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            block = fa.read(1 << 20)
            if block != fb.read(1 << 20):
                return False
            if not block:
                return True


def file_sha256(path: Path | str) -> str:
    """The sha256 of a file's bytes, read in 1 MiB blocks (exports and store files can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
