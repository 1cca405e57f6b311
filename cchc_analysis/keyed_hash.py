"""Keyed hashing (HMAC-SHA256) of a whole column of identifiers, with the standard library only: this module is
all a worker process needs to import."""

from __future__ import annotations

import hashlib
import itertools
import re

NONE = b" " * 32  # the digest slot of a row that nothing identifies
_NON_DIGITS = re.compile(rb"\D")


def keyed(key: bytes):
    """HMAC-SHA256's inner and outer hashes keyed once (RFC 2104). Each digest then copies them, which gives the
    digests of ``hmac.new`` at a third of the cost."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in block)), hashlib.sha256(bytes(b ^ 0x5C for b in block))


# Remembering each identifier's digest pays only where identifiers repeat (one applicant, several dossiers): a
# dictionary costs about as much per row as a third of an HMAC. The first rows of a column tell which kind it is.
SAMPLE_ROWS = 2000
REPEATS_WORTH_REMEMBERING = 1 / 3


def column_keys(key: bytes, data: bytes, offsets: bytes, id_numbers: bool) -> bytes:
    """The digest of each row of a column of UTF-8 texts packed as Arrow lays them out (row i is
    ``data[offsets[i]:offsets[i + 1]]``, offsets 64-bit native integers): 32 hex characters per row, :data:`NONE`
    where nothing identifies. With ``id_numbers``, a row is an ID number: its digits count, nine at least, hashed
    as "id:<digits>"; otherwise a row is hashed as it is, an empty one identifies nothing. Where at least a third
    of the first :data:`SAMPLE_ROWS` rows repeat an earlier identifier, each distinct identifier is hashed once;
    otherwise every row is hashed (a column of distinct identifiers gains nothing from remembering them)."""
    inner, outer = keyed(key)
    ends = memoryview(offsets).cast("q").tolist()
    rows = itertools.pairwise(ends)
    out: list[str] = []  # a million rows: the digests joined as text once
    done: dict[bytes, str] = {}
    repeats = _hash_rows(itertools.islice(rows, SAMPLE_ROWS), data, id_numbers, inner, outer, out, done)
    remember = repeats >= REPEATS_WORTH_REMEMBERING * SAMPLE_ROWS
    _hash_rows(rows, data, id_numbers, inner, outer, out, done if remember else None)
    return "".join(out).encode("ascii")


def _hash_rows(rows, data: bytes, id_numbers: bool, inner, outer, out: list[str], done: dict | None) -> int:
    """Append to ``out`` the digest of each row (start, end) of ``data`` (see :func:`column_keys`); with ``done``,
    digests are remembered by identifier and reused. Returns how many rows repeated a remembered identifier."""
    prefix, shortest = (b"id:", 9) if id_numbers else (b"", 1)
    nothing = NONE.decode("ascii")
    put = out.append  # names bound once: this loop runs once per row
    known = done.get if done is not None else None
    fresh_inner, fresh_outer = inner.copy, outer.copy
    repeats = 0
    for start, end in rows:
        text = data[start:end]
        if id_numbers and not text.isdigit():
            text = _NON_DIGITS.sub(b"", text)
        if len(text) < shortest:
            put(nothing)
            continue
        if known is not None and (digest := known(text)) is not None:
            repeats += 1
            put(digest)
            continue
        h = fresh_inner()  # HMAC written out here: a call per row would cost a tenth of the HMAC
        h.update(prefix + text)
        o = fresh_outer()
        o.update(h.digest())
        digest = o.hexdigest()[:32]
        if done is not None:
            done[text] = digest
        put(digest)
    return repeats


def _serve() -> None:
    """Worker process: read the key, the packed texts, their offsets and the mode from stdin (each preceded by
    its length as 8 bytes); then, for each range of rows it is sent (first and end row, 8 bytes each), write
    those rows' digests to stdout, until an empty range or the end of stdin."""
    import struct
    import sys

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    parts = []
    for _ in range(4):
        (size,) = struct.unpack("<Q", source.read(8))
        parts.append(source.read(size))
    key, data, offsets, mode = parts
    while len(pair := source.read(16)) == 16:
        first, end = struct.unpack("<QQ", pair)
        if end <= first:
            break
        sink.write(column_keys(key, data, offsets[8 * first : 8 * (end + 1)], mode == b"id"))
        sink.flush()


if __name__ == "__main__":
    _serve()
