"""Writing outputs: atomic writes that leave an unchanged file untouched."""

import os

from cchc_analysis.fileio import replace_if_changed, write_if_changed


def _stamp(path):
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def test_an_unchanged_file_is_left_untouched_and_a_changed_one_replaced(tmp_path):
    path = tmp_path / "out" / "a.bin"
    assert write_if_changed(path, b"one")  # parents created
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = _stamp(path)
    assert not write_if_changed(path, b"one")
    assert _stamp(path) == before
    assert write_if_changed(path, b"two") and path.read_bytes() == b"two"
    assert not list(path.parent.glob("*.tmp"))


def test_a_finished_temporary_file_replaces_the_target_only_when_its_bytes_differ(tmp_path):
    path, tmp = tmp_path / "a.parquet", tmp_path / "a.parquet.tmp"
    tmp.write_bytes(b"first")
    assert replace_if_changed(tmp, path)  # no target yet: moved into place
    assert path.read_bytes() == b"first" and not tmp.exists()
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = _stamp(path)
    tmp.write_bytes(b"first")
    assert not replace_if_changed(tmp, path)  # the same bytes: target untouched, temporary file removed
    assert _stamp(path) == before and not tmp.exists()
    tmp.write_bytes(b"other")  # same size, other bytes: compared by content, not by size
    os.utime(tmp, ns=(1_000_000_000, 1_000_000_000))
    assert replace_if_changed(tmp, path)
    assert path.read_bytes() == b"other" and not tmp.exists()


def test_files_longer_than_one_read_are_compared_to_their_last_byte(tmp_path):
    path, tmp = tmp_path / "big.bin", tmp_path / "big.bin.tmp"
    body = bytes(range(256)) * 10_000  # 2.5 MB: three reads of 1 MB
    path.write_bytes(body + b"a")
    tmp.write_bytes(body + b"a")
    assert not replace_if_changed(tmp, path) and not tmp.exists()
    tmp.write_bytes(body + b"b")  # the same but for the last byte
    assert replace_if_changed(tmp, path)
    assert path.read_bytes().endswith(b"b")
