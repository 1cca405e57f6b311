"""The store for cluster workers that do not share the run machine's file system.

``cchc run --store-url URL`` publishes what a brief reads to an fsspec URL (object storage such as ``s3://`` or
``gs://`` with its fsspec package installed, or any path fsspec knows), and each worker stages it from there into
its machine's cache before its first brief; the briefs come back to the run machine as bytes.

Published: the processed tables (pseudonymised), the ingest report, the data folder's unit files and the run's
precomputed figures. Never: the raw exports (personal data in clear), the ingest's per-file cache, the
pseudonymisation key. Files are stored once under their sha256 (``objects/<sha256>``); the run hands its workers
the list of (path, sha256), so a worker never reads a half-published store, two runs never overwrite each other's
files, and publishing again uploads only what changed. A worker fetches each object once per machine, checks its
sha256, and builds the data folder from hard links in its cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

from .errors import CchcError, UsageError
from .fileio import file_sha256

UNIT_FILES = ("units.csv", "units.yaml", "units.yml")  # what UnitRegistry.load reads from a data folder
NOT_PUBLISHED = {"files"}  # processed/files: the ingest's per-file cache, never read by a brief
ENV_CACHE = "CCHC_CACHE_DIR"


def filesystem(url: str):
    """The fsspec file system and root path of ``url``; a clear error when its protocol's package is missing."""
    try:
        import fsspec
    except ImportError:
        raise UsageError("--store-url cần thư viện fsspec: pip install 'cchc-analysis[cluster]'.") from None
    protocol = url.split("://", 1)[0] if "://" in url else "file"
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError:  # the protocol is known, its package is not installed (s3fs, gcsfs, adlfs)
        package = {"s3": "s3fs", "s3a": "s3fs", "gs": "gcsfs", "gcs": "gcsfs", "az": "adlfs", "abfs": "adlfs"}
        raise UsageError(
            f"Không mở được kho tại {redact(url)}: thiếu gói fsspec của giao thức «{protocol}». Cài trên mọi máy: "
            f"pip install {package.get(protocol, '<gói của giao thức>')}."
        ) from None
    except ValueError:
        raise UsageError(
            f"Không mở được kho tại {redact(url)}: fsspec không biết giao thức «{protocol}» (ví dụ đúng: "
            "s3://bucket/cchc, gs://bucket/cchc, file:///srv/cchc)."
        ) from None


def redact(url: str) -> str:
    """``url`` without any user or password it carries (for logs and the manifest)."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        return f"{scheme}://{rest.split('@', 1)[1]}"
    return url


def published_files(data_dir: Path | str, extra: dict[str, Path] | None = None) -> dict[str, Path]:
    """What a brief on another machine reads, by its path in the staged data folder: the unit files, ``processed/``
    without the per-file cache, and ``extra`` (the run's precomputed figures)."""
    from .store import UNFINISHED

    data = Path(data_dir)
    processed = data / "processed"
    if (processed / UNFINISHED).exists():
        raise CchcError(
            f"Kho dữ liệu {processed} đang ở giữa một lần nhập dở dang: chạy lại cchc ingest trước khi công bố kho."
        )
    out = {name: data / name for name in UNIT_FILES if (data / name).is_file()}
    for path in sorted(processed.rglob("*")):
        rel = path.relative_to(processed)
        if path.is_file() and rel.parts[0] not in NOT_PUBLISHED:
            out[f"processed/{rel.as_posix()}"] = path
    return {**out, **(extra or {})}


def publish_store(data_dir: Path | str, url: str, extra: dict[str, Path] | None = None) -> tuple[dict, int]:
    """Upload what ``published_files`` lists to ``url`` (only the objects not there yet); returns the listing
    (path -> sha256) to hand to the workers and how many objects were uploaded."""
    fs, root = filesystem(url)
    root = root.rstrip("/")
    listing, uploaded = {}, 0
    for rel, path in published_files(data_dir, extra).items():
        digest = file_sha256(path)
        listing[rel] = digest
        target = f"{root}/objects/{digest}"
        if not fs.exists(target):
            fs.makedirs(f"{root}/objects", exist_ok=True)
            part = f"{target}.{uuid.uuid4().hex}.part"  # a worker never sees a half-written object
            fs.put_file(str(path), part)
            fs.mv(part, target)
            uploaded += 1
    return listing, uploaded


def cache_dir() -> Path:
    """Where a worker machine keeps staged stores: ``CCHC_CACHE_DIR``, else ``~/.cache/cchc``."""
    return Path(os.environ.get(ENV_CACHE) or Path.home() / ".cache" / "cchc")


def stage_store(url: str, listing: dict[str, str], cache: Path | None = None) -> Path:
    """A local data folder holding ``listing``'s files, fetched from ``url`` into this machine's cache (each object
    once, its sha256 checked); the same folder for the same listing, built once even by workers racing."""
    for rel, digest in listing.items():  # the run's listing: paths inside the folder, sha256 names
        if Path(rel).is_absolute() or ".." in Path(rel).parts or len(digest) != 64 or digest.strip("0123456789abcdef"):
            raise CchcError(f"Danh sách kho không hợp lệ: {rel!r} -> {digest!r}.")
    cache = Path(cache or cache_dir())
    ident = hashlib.sha256(json.dumps(sorted(listing.items())).encode()).hexdigest()[:20]
    folder = cache / "stores" / ident
    if folder.is_dir():
        return folder
    fs, root = filesystem(url)
    root = root.rstrip("/")
    objects = cache / "objects"
    objects.mkdir(parents=True, exist_ok=True)
    building = cache / "stores" / f".{ident}.{uuid.uuid4().hex}"
    try:
        for rel, digest in listing.items():
            obj = objects / digest
            if not obj.is_file():
                _fetch(fs, f"{root}/objects/{digest}", obj, rel, redact(url))
            target = building / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(obj, target)
            except OSError:  # a cache on a file system without hard links
                shutil.copyfile(obj, target)
        try:
            building.rename(folder)
        except OSError:  # another worker of this machine built it first
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return folder


def _fetch(fs, remote: str, obj: Path, rel: str, where: str) -> None:
    """One object into the cache, its sha256 (its name) checked; nothing left behind when it fails."""
    digest = obj.name
    part = obj.with_name(f"{digest}.{uuid.uuid4().hex}.part")
    try:
        fs.get_file(remote, str(part))
        if file_sha256(part) != digest:
            raise CchcError(
                f"Tệp {rel} tải từ {where} không đúng mã sha256 đã công bố ({digest[:12]}…): kho bị sửa hoặc tải "
                "hỏng. Chạy lại cchc run để công bố lại kho."
            )
        os.replace(part, obj)
    except FileNotFoundError:
        raise CchcError(
            f"Tệp {rel} (đối tượng {digest[:12]}…) không có tại {where}: kho đã bị xóa hoặc chưa công bố xong. "
            "Chạy lại cchc run để công bố lại kho."
        ) from None
    finally:
        part.unlink(missing_ok=True)
