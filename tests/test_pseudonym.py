import hashlib
import hmac
import sys

import pandas as pd
import pytest

from cchc_analysis import keyed_hash, pseudonym
from cchc_analysis.errors import ConfigError
from cchc_analysis.pseudonym import Pseudonymiser, mask


def test_key_sources_in_order(tmp_path, monkeypatch):
    monkeypatch.delenv("CCHC_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("CCHC_PSEUDONYM_KEY_FILE", raising=False)
    created = Pseudonymiser.from_environment(tmp_path)  # first use: a key file is created in the data folder
    assert (tmp_path / ".cchc_pseudonym_key").is_file()
    assert Pseudonymiser.from_environment(tmp_path).key_id == created.key_id
    key_file = tmp_path / "server.key"
    key_file.write_text("a-server-key-outside-the-data-folder", encoding="ascii")
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY_FILE", str(key_file))
    from_file = Pseudonymiser.from_environment(tmp_path)
    assert from_file.key_id == Pseudonymiser(b"a-server-key-outside-the-data-folder").key_id != created.key_id
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY", "the-environment-wins-over-files")
    assert Pseudonymiser.from_environment(tmp_path).key_id == Pseudonymiser(b"the-environment-wins-over-files").key_id


def test_short_keys_and_missing_key_files_are_refused(tmp_path, monkeypatch):
    with pytest.raises(ConfigError) as refused:
        Pseudonymiser(b"short")
    # the whole message, as the official reads it: which setting, and what it needs
    assert str(refused.value) == "Khóa bí danh hóa (CCHC_PSEUDONYM_KEY) quá ngắn: cần ít nhất 16 ký tự."
    monkeypatch.delenv("CCHC_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY_FILE", str(tmp_path / "none.key"))
    with pytest.raises(ConfigError, match="Không đọc được tệp khóa"):
        Pseudonymiser.from_environment(tmp_path)


def test_masking():
    assert mask("0961131987") == "09******87"
    assert mask("030123456789") == "03********89"
    assert mask("Nguyễn Văn An") == "N***"
    assert mask("") == ""


IDS = ["001203004567", "079188000123", None, "001203004567", "Số 030123456789", "12345"]


def expected_key(key: bytes, identifier: str) -> str:
    return hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


@pytest.mark.parametrize("key", [b"a-test-key-of-enough-length", b"k" * 100], ids=["short key", "key over 64 bytes"])
@pytest.mark.parametrize("in_worker", [False, True], ids=["here", "worker process"])
def test_applicant_keys_are_hmac_sha256_of_the_id_digits(key, in_worker, monkeypatch):
    monkeypatch.setattr(pseudonym, "PARALLEL_MIN", 0 if in_worker else 10**9)
    monkeypatch.setattr(pseudonym, "CHUNK_ROWS", 4)  # two ranges: 4 rows and 2
    monkeypatch.setattr(pseudonym, "SHARE", False)  # the worker does them all
    ids = pd.Series(IDS, index=[10, 11, 12, 13, 14, 15], dtype="str")
    keys = Pseudonymiser(key).applicant_keys(ids, None, None)
    assert keys.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert keys[10] == keys[13] == expected_key(key, "id:001203004567")
    assert keys[11] == expected_key(key, "id:079188000123")
    assert keys[14] == expected_key(key, "id:030123456789")  # only the digits of a written-out number count
    assert pd.isna(keys[12]) and pd.isna(keys[15])  # nothing, and too few digits to be an ID number


def test_keys_started_early_serve_any_subset_of_the_rows(monkeypatch):
    monkeypatch.setattr(pseudonym, "PARALLEL_MIN", 0)
    pseudonymiser = Pseudonymiser(b"a-test-key-of-enough-length")
    ids = pd.Series(IDS, index=range(7, 13), dtype="str")
    started = pseudonymiser.start(ids, id_numbers=True)  # all rows of the sheet
    names = pd.Series(["An", "Bình", "Chi", "Dung"], index=[12, 9, 8, 11], dtype="str")  # rows kept, any order
    phones = pd.Series(["0911", "", "", "0912"], index=names.index, dtype="str")
    keys = pseudonymiser.applicant_keys(ids[names.index], names, phones, id_keys=started)
    key = b"a-test-key-of-enough-length"
    assert keys.tolist() == [
        expected_key(key, "np:an|0911"),  # row 12: "12345" is no ID number: name and phone instead
        expected_key(key, "np:binh|"),  # row 9: no ID number, no phone
        expected_key(key, "id:079188000123"),  # row 8
        expected_key(key, "id:030123456789"),  # row 11
    ]


def test_a_worker_that_fails_leaves_the_work_to_this_process(monkeypatch):
    monkeypatch.setattr(pseudonym, "PARALLEL_MIN", 0)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # starts, reads nothing, exits 1
    keys = Pseudonymiser(b"a-test-key-of-enough-length").applicant_keys(pd.Series(IDS, dtype="str"), None, None)
    assert keys[0] == expected_key(b"a-test-key-of-enough-length", "id:001203004567")
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")  # cannot start at all
    keys = Pseudonymiser(b"a-test-key-of-enough-length").applicant_keys(pd.Series(IDS, dtype="str"), None, None)
    assert keys[1] == expected_key(b"a-test-key-of-enough-length", "id:079188000123")


def test_id_numbers_given_as_numbers_count_by_their_digits():
    key = b"a-test-key-of-enough-length"
    ids = pd.Series([1203004567.0, 79188000123, None, "abc", float("nan")], dtype=object)
    keys = Pseudonymiser(key).applicant_keys(ids, None, None)
    assert keys[0] == expected_key(key, "id:1203004567")  # a float cell, not "1203004567.0"
    assert keys[1] == expected_key(key, "id:79188000123")
    assert keys[2:].isna().all()


@pytest.mark.parametrize("chunk", [1, 2, 5])
def test_the_worker_and_this_process_share_the_ranges_and_agree(chunk, monkeypatch):
    monkeypatch.setattr(pseudonym, "PARALLEL_MIN", 0)
    monkeypatch.setattr(pseudonym, "CHUNK_ROWS", chunk)
    key = b"a-test-key-of-enough-length"
    ids = pd.Series([f"0012030{n:05d}" for n in range(23)], dtype="str")
    keys = Pseudonymiser(key).applicant_keys(ids, None, None)
    assert keys.tolist() == [expected_key(key, f"id:0012030{n:05d}") for n in range(23)]


def _packed(texts: list[str]) -> tuple[bytes, bytes]:
    import pyarrow as pa

    _validity, offsets, data = pa.array(texts, type=pa.large_string()).buffers()
    return bytes(data), bytes(offsets)


class _CountingHash:
    """A keyed hash state whose copies are counted: one copy of the inner state per HMAC computed."""

    def __init__(self, state, counter: list[int]):
        self._state, self._counter = state, counter

    def copy(self):
        self._counter[0] += 1
        return self._state.copy()


@pytest.mark.parametrize(
    ("texts", "hashed"),
    [
        ([f"0012030{n:05d}" for n in range(12)], 12),  # all distinct: every row hashed, nothing remembered
        (["001203000001", "001203000002"] * 6, 2),  # repeats from the start: each identifier hashed once
        ([f"0012030{n:05d}" for n in range(4)] + ["001203000001"] * 8, 12),  # repeats after the sample only
        (["001203000001", "x 001203000001", "0012 0300 0001", ""] + ["123", "001203000001"] * 3, 1),  # digits count
    ],
    ids=["distinct", "repeated", "repeats-late", "normalised"],
)
def test_digests_are_remembered_only_where_identifiers_repeat_and_are_the_same_either_way(texts, hashed, monkeypatch):
    monkeypatch.setattr(keyed_hash, "SAMPLE_ROWS", 4)  # the first 4 rows decide
    key = b"a-test-key-of-enough-length"
    made = [0]
    inner, outer = keyed_hash.keyed(key)
    monkeypatch.setattr(keyed_hash, "keyed", lambda k: (_CountingHash(inner, made), outer))
    digests = keyed_hash.column_keys(key, *_packed(texts), id_numbers=True).decode("ascii")
    got = [digests[i : i + 32] for i in range(0, len(digests), 32)]
    digits = ["".join(ch for ch in t if ch.isdigit()) for t in texts]
    assert got == [expected_key(key, f"id:{d}") if len(d) >= 9 else " " * 32 for d in digits]
    assert made[0] == hashed


FAKE_WORKER = """
import struct, sys
source, sink = sys.stdin.buffer, sys.stdout.buffer
for _ in range(4):
    (size,) = struct.unpack("<Q", source.read(8))
    source.read(size)
first, end = struct.unpack("<QQ", source.read(16))
sink.write(b"f" * 32 * (end - first))  # one range answered (with digests the test can tell apart), then it dies
sink.flush()
"""


def test_ranges_a_dying_worker_leaves_are_hashed_here(tmp_path, monkeypatch):
    fake = tmp_path / "fake_worker.py"
    fake.write_text(FAKE_WORKER, encoding="utf-8")
    monkeypatch.setattr(pseudonym, "PARALLEL_MIN", 0)
    monkeypatch.setattr(pseudonym, "CHUNK_ROWS", 3)
    monkeypatch.setattr(pseudonym, "SHARE", False)
    monkeypatch.setattr(keyed_hash, "__file__", str(fake))
    key = b"a-test-key-of-enough-length"
    ids = pd.Series([f"0012030{n:05d}" for n in range(8)], dtype="str")
    keys = Pseudonymiser(key).applicant_keys(ids, None, None)
    assert keys[:3].tolist() == ["f" * 32] * 3  # the range the worker answered
    assert keys[3:].tolist() == [expected_key(key, f"id:0012030{n:05d}") for n in range(3, 8)]


def test_a_worker_gone_before_it_has_the_texts_leaves_them_all_here(monkeypatch):
    # 20,000 ID numbers (about 240 kB) cannot all go into the pipe before /bin/false has exited: the writing of the
    # texts fails, before any range was taken
    monkeypatch.setattr(pseudonym, "PARALLEL_MIN", 0)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    key = b"a-test-key-of-enough-length"
    ids = pd.Series([f"0012030{n:05d}" for n in range(20_000)], dtype="str")
    keys = Pseudonymiser(key).applicant_keys(ids, None, None)
    assert keys[0] == expected_key(key, "id:001203000000") and keys[19_999] == expected_key(key, "id:001203019999")


def test_without_a_python_to_start_everything_is_hashed_here_and_a_worker_never_writes_to_the_terminal(monkeypatch):
    import subprocess

    monkeypatch.setattr(pseudonym, "PARALLEL_MIN", 0)
    key = b"a-test-key-of-enough-length"
    started = []
    real = subprocess.Popen

    def spy(*args, **kwargs):
        started.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    keys = Pseudonymiser(key).applicant_keys(pd.Series(IDS, dtype="str"), None, None)
    assert keys[0] == expected_key(key, "id:001203004567")
    assert [k["stderr"] for k in started] == [subprocess.DEVNULL]  # a dying worker's traceback is not shown
    started.clear()
    monkeypatch.setattr(sys, "executable", "")  # embedded interpreters may have none
    keys = Pseudonymiser(key).applicant_keys(pd.Series(IDS, dtype="str"), None, None)
    assert keys[1] == expected_key(key, "id:079188000123") and started == []


def test_an_id_column_in_several_arrow_chunks_is_keyed_row_by_row():
    key = b"a-test-key-of-enough-length"
    first = pd.Series(["001203004567", None], dtype="string[pyarrow]")
    second = pd.Series(["079188000123"], dtype="string[pyarrow]")
    ids = pd.concat([first, second], ignore_index=True)  # two Arrow chunks under one column
    keys = Pseudonymiser(key).applicant_keys(ids, None, None)
    assert keys[0] == expected_key(key, "id:001203004567") and keys[2] == expected_key(key, "id:079188000123")
    assert pd.isna(keys[1])


def test_a_column_of_missing_id_numbers_keys_nothing(monkeypatch):
    for parallel in (0, 10**9):  # in the worker and here
        monkeypatch.setattr(pseudonym, "PARALLEL_MIN", parallel)
        keys = Pseudonymiser(b"a-test-key-of-enough-length").applicant_keys(
            pd.Series([None, None], dtype="str"), None, None
        )
        assert keys.isna().all() and len(keys) == 2


def test_keys_are_always_text_with_nan_for_a_missing_one():
    # the store's applicant_key column is pandas' text ("str": missing is NaN), whichever identifier gave the key
    p = Pseudonymiser(b"a-test-key-of-enough-length")
    for keys in (
        p.applicant_keys(pd.Series(["123456789", None]), None, None),
        p.applicant_keys(None, pd.Series(["Lê Văn A", None]), None),
        p.applicant_keys(pd.Series([None, None]), pd.Series(["Lê Văn A", None]), pd.Series(["0912 345 678", None])),
    ):
        assert keys.dtype == "str" and keys.dtype.na_value is not pd.NA
        assert isinstance(keys.iloc[0], str) and pd.isna(keys.iloc[1])


@pytest.mark.parametrize(
    "close_error", [BrokenPipeError(32, "Broken pipe"), ValueError("I/O operation on closed file")]
)
def test_a_pipe_that_refuses_even_to_close_leaves_everything_to_this_process(monkeypatch, close_error):
    # the worker's pipe breaks at the first write and raises again when closed (the buffer cannot be flushed): the
    # serving thread ends quietly, no exception escapes it, and every key is computed here
    import io
    import subprocess
    import threading

    class Pipe:
        def write(self, data):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

        def close(self):
            raise close_error

    class Proc:
        def __init__(self, *args, **kwargs):
            self.stdin, self.stdout = Pipe(), io.BytesIO()

        def kill(self):
            pass

        def wait(self):
            return -9

    key = b"a-test-key-of-enough-length"
    ids = pd.Series(IDS, dtype="str")
    here = Pseudonymiser(key).applicant_keys(ids, None, None)  # below PARALLEL_MIN: no worker
    escaped = []
    monkeypatch.setattr(threading, "excepthook", lambda info: escaped.append(info.exc_value))
    monkeypatch.setattr(subprocess, "Popen", Proc)
    monkeypatch.setattr(pseudonym, "PARALLEL_MIN", 0)
    keys = Pseudonymiser(key).applicant_keys(ids, None, None)
    assert keys[0] == expected_key(key, "id:001203004567") and keys.equals(here)
    assert escaped == []
