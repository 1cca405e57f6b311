"""Keyed hashing (HMAC-SHA256) of many identifiers at once, with the standard library only: this module is all a
worker process needs to import."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def keyed(key: bytes):
    """HMAC-SHA256's inner and outer hashes keyed once (RFC 2104). Each digest then copies them, which gives the
    digests of ``hmac.new`` at a third of the cost."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in block)), hashlib.sha256(bytes(b ^ 0x5C for b in block))


def hmac_hex(inner, outer, messages: Iterable[bytes]) -> bytes:
    """The first 16 bytes of HMAC-SHA256 of each message, in hex: 32 characters each, one after the other."""
    out = []
    for message in messages:
        h = inner.copy()
        h.update(message)
        o = outer.copy()
        o.update(h.digest())
        out.append(o.hexdigest()[:32])
    return "".join(out).encode("ascii")


def hmac_hex_packed(key: bytes, data: bytes, offsets: bytes) -> bytes:
    """:func:`hmac_hex` of the strings packed as Arrow lays them out: item i is ``data[offsets[i]:offsets[i + 1]]``,
    the offsets 64-bit integers in native byte order."""
    inner, outer = keyed(key)
    ends = memoryview(offsets).cast("q")
    return hmac_hex(inner, outer, (data[ends[i] : ends[i + 1]] for i in range(len(ends) - 1)))


def _serve() -> None:
    """Worker process: read the key, the packed strings and their offsets from stdin (each preceded by its length
    as 8 bytes), write their digests to stdout."""
    import struct
    import sys

    source = sys.stdin.buffer
    parts = []
    for _ in range(3):
        (size,) = struct.unpack("<Q", source.read(8))
        parts.append(source.read(size))
    sys.stdout.buffer.write(hmac_hex_packed(*parts))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _serve()
