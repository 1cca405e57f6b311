"""Keyed hashing (keyed_hash.py) against the standard library's hmac.new, and the worker's protocol spoken by hand:
every digest of a pseudonymised identifier must be the HMAC-SHA256 of the documented message, whoever computes it."""

import hashlib
import hmac
import io
import struct
import sys

import pyarrow as pa
import pytest

from cchc_analysis import keyed_hash


def reference(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def packed(texts):
    _validity, offsets, data = pa.array(texts, type=pa.large_string()).buffers()
    return bytes(data), bytes(offsets)


@pytest.mark.parametrize("length", [1, 27, 63, 64, 65, 100])
def test_keyed_states_give_hmac_for_keys_around_the_block_size(length):
    # RFC 2104: a key longer than the 64-byte block is hashed first; one of 64 bytes is used as it is
    key = bytes(range(7, 7 + length))
    messages = ["", "001203004567", "nguyễn văn an|0912345678"]
    out = keyed_hash.column_keys(key, *packed(messages), id_numbers=False).decode("ascii")
    assert out == " " * 32 + "".join(reference(key, m.encode()) for m in messages[1:])


KEY = b"a-test-key-of-enough-length"


def test_texts_are_hashed_as_they_are_one_character_is_enough_none_is_nothing():
    out = keyed_hash.column_keys(KEY, *packed(["A", "", "Lê Văn Cường"]), id_numbers=False).decode("ascii")
    assert [out[i : i + 32] for i in (0, 32, 64)] == [
        reference(KEY, b"A"),
        " " * 32,
        reference(KEY, "Lê Văn Cường".encode()),
    ]


def test_remembering_starts_at_exactly_a_third_of_the_sample(monkeypatch):
    # 3 sample rows (01, 01, 02), 1 repeat: 1 >= 3 x 1/3, so the rest is remembered: rows 4 and 5 (02, 01) reuse
    # the sample's digests; 2 HMACs in all (4 if the rest were not remembered)
    monkeypatch.setattr(keyed_hash, "SAMPLE_ROWS", 3)
    made = []
    inner, outer = keyed_hash.keyed(KEY)

    class Counting:
        def copy(self):
            made.append(1)
            return inner.copy()

    monkeypatch.setattr(keyed_hash, "keyed", lambda k: (Counting(), outer))
    texts = ["001203000001", "001203000001", "001203000002", "001203000002", "001203000001"]
    out = keyed_hash.column_keys(KEY, *packed(texts), id_numbers=True).decode("ascii")
    assert out == "".join(reference(KEY, f"id:{t}".encode()) for t in texts)
    assert len(made) == 2


def serve(monkeypatch, key, texts, mode, ranges, tail=b""):
    data, offsets = packed(texts)
    stdin = b"".join(struct.pack("<Q", len(p)) + p for p in (key, data, offsets, mode))
    stdin += b"".join(struct.pack("<QQ", first, end) for first, end in ranges) + tail
    out = io.BytesIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out))
    keyed_hash._serve()
    return out.getvalue().decode("ascii")


IDS = ["001203000001", "x", "030123456", "001203000004"]


def test_the_worker_answers_each_range_of_rows_until_an_empty_one(monkeypatch):
    got = serve(monkeypatch, KEY, IDS, b"id", [(2, 4), (0, 1), (1, 1), (0, 4)])
    # rows 2-3, then row 0; the empty range (1, 1) ends the work: the last range is never answered
    assert got == reference(KEY, b"id:030123456") + reference(KEY, b"id:001203000004") + reference(
        KEY, b"id:001203000001"
    )


def test_the_worker_reads_texts_as_they_are_outside_id_mode_and_stops_at_the_end_of_its_input(monkeypatch):
    got = serve(monkeypatch, KEY, IDS, b"text", [(0, 2)], tail=b"\x01" * 8)  # half a range: the input ended
    assert got == reference(KEY, b"001203000001") + reference(KEY, b"x")
