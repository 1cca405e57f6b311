"""Pseudonymisation of personal data at ingest: keyed HMAC-SHA256 identifiers and masked display values.

A plain hash of a 12-digit CCCD number is reversible in seconds (about a million candidates per birth year
and province), so identifiers are keyed: HMAC-SHA256 with a secret key that never enters the repository. The
key comes from the environment variable ``CCHC_PSEUDONYM_KEY`` or from an untracked key file created on first
use; only its key id (a short digest of the key) is recorded with results.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ConfigError
from .keyed_hash import NONE, column_keys, keyed
from .text import fold

log = logging.getLogger(__name__)

ENV_KEY = "CCHC_PSEUDONYM_KEY"
ENV_KEY_FILE = "CCHC_PSEUDONYM_KEY_FILE"  # a key file kept outside the data folder (servers)
KEY_FILE_NAME = ".cchc_pseudonym_key"


class Pseudonymiser:
    """Turns identifiers into keyed digests; the same input and key always give the same digest."""

    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ConfigError("Khóa bí danh hóa (CCHC_PSEUDONYM_KEY) quá ngắn: cần ít nhất 16 ký tự.")
        self._key = key
        self._inner, self._outer = keyed(key)
        self.key_id = hashlib.sha256(b"cchc-key-id:" + key).hexdigest()[:12]

    @classmethod
    def from_environment(cls, data_dir: Path | str | None = None) -> Pseudonymiser:
        """The key from ``CCHC_PSEUDONYM_KEY``, else the file named by ``CCHC_PSEUDONYM_KEY_FILE``, else
        ``<data_dir>/.cchc_pseudonym_key`` (created on first use, readable by the owner only)."""
        env = os.environ.get(ENV_KEY)
        if env:
            return cls(env.encode("utf-8"))
        key_file = os.environ.get(ENV_KEY_FILE)
        if key_file:
            try:
                return cls(Path(key_file).read_text(encoding="ascii").strip().encode("utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"Không đọc được tệp khóa {key_file} ({ENV_KEY_FILE}): {exc}") from None
        path = Path(data_dir or ".") / KEY_FILE_NAME
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32), encoding="ascii")
            try:
                path.chmod(0o600)
            except OSError:  # pragma: no cover - Windows
                pass
            log.warning(
                "Đã tạo khóa bí danh hóa mới tại %s. Hãy sao lưu khóa này ở nơi an toàn: mất khóa thì không "
                "ghép được mã người nộp giữa các lần chạy. Không đưa khóa vào git.",
                path,
            )
        return cls(path.read_text(encoding="ascii").strip().encode("utf-8"))

    def start(self, column: pd.Series, id_numbers: bool = False) -> PendingKeys:
        """Start the digests of a column: of ID numbers (``id_numbers``: their digits, nine at least) or of
        identifiers as they are (missing or empty where nothing identifies). See :class:`PendingKeys`."""
        return PendingKeys(self, column, id_numbers)

    def applicant_keys(
        self,
        id_numbers: pd.Series | None,
        names: pd.Series | None,
        phones: pd.Series | None,
        id_keys: PendingKeys | None = None,
    ) -> pd.Series:
        """One pseudonymous key per applicant: from the ID number where present, else from name and phone.

        ``id_keys`` are the digests of the ID numbers started earlier (:meth:`start` with ``id_numbers``), for
        these rows or more. The HMAC runs once per distinct identifier. Missing where nothing identifies the
        applicant.
        """
        index = next((s.index for s in (id_numbers, names, phones) if s is not None), None)
        if index is None:
            return pd.Series(dtype="str")
        if id_keys is None and id_numbers is not None:
            id_keys = self.start(id_numbers, id_numbers=True)
        keys = id_keys.result(index) if id_keys is not None else pd.Series(np.nan, index=index, dtype="str")
        lacking = keys.isna()
        if names is not None and lacking.any():  # name and phone only where no ID number identifies
            names = names[lacking]
            text = names.where(names.map(type).eq(str), "") if names.dtype == object else names.fillna("")
            folded = {v: fold(v) if v.strip() else "" for v in pd.unique(text)}  # fold each distinct name once
            name_key = text.map(folded).astype(object)
            phone_key = digits_of(phones[lacking]) if phones is not None else pd.Series("", index=name_key.index)
            fallback = ("np:" + name_key + "|" + phone_key.fillna("")).where(name_key != "", None)
            keys[lacking] = self.start(fallback).result(fallback.index)
        return keys


# rows from which the hashing runs in a worker process beside the reader (below this, starting the worker costs
# more than it saves)
PARALLEL_MIN = 200_000
# rows hashed at a time: the worker takes ranges from the start, this process from the end while it waits
CHUNK_ROWS = 50_000
# whether this process hashes too while it waits for the worker (off only in tests of the worker alone)
SHARE = True


class PendingKeys:
    """The digests of a column, being computed.

    The column's texts are handed over as one UTF-8 buffer with offsets (Arrow's own layout) to
    :func:`keyed_hash.column_keys`. From :data:`PARALLEL_MIN` rows, a worker process (``python -I keyed_hash.py``:
    the standard library only, fed through a pipe by a thread, nothing written to disk) hashes the column range
    by range from the top while the reader goes on with the other columns on the other core. When the reader
    needs the keys (:meth:`result`), it hashes the ranges still left from the bottom up until the two meet, so
    neither waits for the other. Shorter columns are hashed here at once. If the worker cannot start or fails,
    what it did not finish is hashed here.
    """

    def __init__(self, pseudonymiser: Pseudonymiser, column: pd.Series, id_numbers: bool) -> None:
        import collections
        import threading

        import pyarrow as pa
        import pyarrow.compute as pc

        self._index = column.index
        if isinstance(column.dtype, pd.StringDtype):
            arr = pa.array(column.array, from_pandas=True)
        else:  # any values: texts as they are, an ID number given as a number by its digits
            values = [v if isinstance(v, str) else (_digits(v) if id_numbers else None) for v in column.tolist()]
            arr = pa.array(values, type=pa.large_string())
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        arr = pc.fill_null(arr.cast(pa.large_string()), "")  # a missing row is an empty text, no stray bytes
        _validity, offsets, data = arr.buffers()
        ends = np.frombuffer(offsets, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
        self._rows = len(arr)
        self._parts = (
            pseudonymiser._key,
            bytes(data) if data is not None else b"",
            ends.tobytes(),
            b"id" if id_numbers else b"",
        )
        self._ranges = [(a, min(a + CHUNK_ROWS, self._rows)) for a in range(0, self._rows, CHUNK_ROWS)]
        self._todo = collections.deque(self._ranges)
        self._done: dict[tuple[int, int], bytes] = {}
        self._lock = threading.Lock()
        self._blob = None if self._rows >= PARALLEL_MIN and self._start_worker() else self._here()

    def _hash(self, first: int, end: int) -> bytes:
        key, data, offsets, mode = self._parts
        return column_keys(key, data, offsets[8 * first : 8 * (end + 1)], mode == b"id")

    def _here(self) -> bytes:
        return self._hash(0, self._rows)

    def _next(self, from_end: bool) -> tuple[int, int] | None:
        """The next range nobody has taken: the worker's from the top, this process's from the bottom."""
        with self._lock:
            if not self._todo:
                return None
            return self._todo.pop() if from_end else self._todo.popleft()

    def _give_back(self, rows: tuple[int, int]) -> None:
        with self._lock:
            self._todo.append(rows)

    def _start_worker(self) -> bool:
        import struct
        import subprocess
        import sys
        import threading

        from . import keyed_hash

        if not sys.executable:
            return False
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", keyed_hash.__file__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            log.debug("Không chạy được tiến trình phụ để băm (%s); băm tại chỗ.", exc)
            return False

        def serve() -> None:
            """On a thread: hand the worker the texts, then one range at a time, and collect its digests."""
            pipe_in, pipe_out = self._proc.stdin, self._proc.stdout
            rows = None
            try:
                for part in self._parts:
                    pipe_in.write(struct.pack("<Q", len(part)))
                    pipe_in.write(part)
                while (rows := self._next(from_end=False)) is not None:
                    pipe_in.write(struct.pack("<QQ", *rows))
                    pipe_in.flush()
                    digests = pipe_out.read(32 * (rows[1] - rows[0]))
                    if len(digests) != 32 * (rows[1] - rows[0]):  # the worker died: the range is left to result()
                        raise OSError("short read")
                    self._done[rows] = digests
                    rows = None
                pipe_in.write(struct.pack("<QQ", 0, 0))
                pipe_in.close()
            except (OSError, ValueError) as exc:
                log.debug("Tiến trình phụ băm thất bại (%s); phần còn lại băm tại chỗ.", exc)
                if rows is not None:
                    self._give_back(rows)
                self._proc.kill()
                with contextlib.suppress(OSError, ValueError):  # a broken pipe may refuse even to close
                    pipe_in.close()

        self._server = threading.Thread(target=serve, daemon=True)
        self._server.start()
        return True

    def result(self, index: pd.Index) -> pd.Series:
        """The digest of each row of ``index`` (rows of the column given, any subset, any order); missing where
        nothing identifies."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self._blob is None:
            while SHARE and (rows := self._next(from_end=True)) is not None:
                self._done[rows] = self._hash(*rows)
            self._server.join()
            while (rows := self._next(from_end=True)) is not None:  # what a failed worker left
                self._done[rows] = self._hash(*rows)
            self._proc.wait()
            self._proc.stdout.close()
            self._blob = b"".join(self._done[rows] for rows in self._ranges)
            self._done = {}
        self._parts = ()  # the texts and the key are not kept longer than needed
        hexes = pa.Array.from_buffers(pa.binary(32), self._rows, [None, pa.py_buffer(self._blob)]).cast(pa.string())
        hexes = pc.if_else(pc.equal(hexes, NONE.decode("ascii")), pa.scalar(None, pa.string()), hexes)
        if not index.equals(self._index):
            hexes = hexes.take(pa.array(self._index.get_indexer(index)))
        return pd.Series(pd.array(hexes, dtype="str"), index=index)


def digits_of(values: pd.Series) -> pd.Series:
    """The digits of each identifier (ID number, phone), as text; "" where none."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.fillna("").str.replace(r"\D", "", regex=True).astype(object)
    return values.map(_digits).astype(object)


def _digits(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\D", "", str(value))


def mask(value: object) -> str:
    """Mask a personal-data value for a message: "0961131987" -> "09******87", "Nguyễn Văn A" -> "N***"."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if re.fullmatch(r"[\d\s.+-]+", text):
        digits = re.sub(r"\D", "", text)
        if len(digits) <= 4:
            return "*" * len(digits)
        return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    return text[0] + "***"
