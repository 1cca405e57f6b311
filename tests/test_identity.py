"""Applicant identity (issue 17): legacy 9-digit ID cards (CMND) and 12-digit CCCD are both ID numbers; without
one, the folded name and the phone's digits identify the applicant. Keys checked against hmac.new by hand."""

import hashlib
import hmac

import pandas as pd
import pytest

from cchc_analysis.pseudonym import Pseudonymiser

KEY = b"a-test-key-of-enough-length"


def hmac_hex(text: str) -> str:
    return hmac.new(KEY, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def keys(ids=None, names=None, phones=None):
    def col(values):
        return None if values is None else pd.Series(values, dtype="str")

    return Pseudonymiser(KEY).applicant_keys(col(ids), col(names), col(phones)).tolist()


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("030123456", "030123456"),  # CMND: 9 digits, the leading zero kept
        ("030 123 456", "030123456"),
        ("001203004567", "001203004567"),  # CCCD: 12 digits
        ("CCCD: 001.203.004.567", "001203004567"),
    ],
)
def test_cmnd_and_cccd_are_both_id_numbers(written, digits):
    assert keys([written]) == [hmac_hex(f"id:{digits}")]


def test_eight_digits_are_no_id_number_and_the_name_and_phone_stand_in():
    got = keys(["01234567"], ["Nguyễn Văn An"], ["0912 345 678"])
    assert got == [hmac_hex("np:nguyen van an|0912345678")]


def test_a_phone_beside_a_name_tells_two_namesakes_apart_and_finds_one_person_twice():
    got = keys(None, ["Trần Thị Bình", "TRẦN THỊ BÌNH", "Trần Thị Bình"], ["0987654321", "0987 654 321", "0911111111"])
    assert got[0] == got[1] == hmac_hex("np:tran thi binh|0987654321")  # case and spacing do not matter
    assert got[2] == hmac_hex("np:tran thi binh|0911111111") and got[2] != got[0]


def test_a_name_alone_is_keyed_and_nothing_at_all_is_missing():
    got = keys(None, ["Lê Văn Cường", ""], None)
    assert got[0] == hmac_hex("np:le van cuong|") and pd.isna(got[1])


def test_the_id_number_wins_over_name_and_phone():
    got = keys(["001203004567", None], ["Phạm Thị Dung", "Phạm Thị Dung"], ["0900000001", "0900000001"])
    assert got[0] == hmac_hex("id:001203004567") and got[1] == hmac_hex("np:pham thi dung|0900000001")


# --- issue 17: the key, masking and the applicant key's inputs at their edges --------------------------------------


def test_a_key_needs_sixteen_bytes_and_is_known_by_a_short_digest():
    from cchc_analysis.errors import ConfigError

    with pytest.raises(ConfigError, match="cần ít nhất 16 ký tự"):
        Pseudonymiser(b"x" * 15)
    p = Pseudonymiser(b"x" * 16)
    assert p.key_id == hashlib.sha256(b"cchc-key-id:" + b"x" * 16).hexdigest()[:12]


def test_a_new_key_file_is_created_in_a_new_data_folder_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("CCHC_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("CCHC_PSEUDONYM_KEY_FILE", raising=False)
    folder = tmp_path / "not" / "yet"
    p = Pseudonymiser.from_environment(folder)
    text = (folder / ".cchc_pseudonym_key").read_text(encoding="ascii")
    assert len(text) == 64 and int(text, 16) >= 0  # 32 random bytes in hex
    assert (folder / ".cchc_pseudonym_key").stat().st_mode & 0o777 == 0o600
    assert p.key_id == Pseudonymiser(text.encode()).key_id
    monkeypatch.chdir(tmp_path)
    assert Pseudonymiser.from_environment(None).key_id != p.key_id  # no folder: the working directory's key
    assert (tmp_path / ".cchc_pseudonym_key").is_file()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1234", "****"),  # four digits or fewer: all hidden
        ("12345", "12*45"),
        ("+84 912.345", "84****45"),  # eight digits
        (None, ""),
        ("   ", ""),
        (" Lê ", "L***"),
        (912345678, "91*****78"),
    ],
)
def test_masking_at_its_edges(value, shown):
    from cchc_analysis.pseudonym import mask

    assert mask(value) == shown


def test_names_that_are_not_text_identify_nobody_and_the_index_is_kept():
    names = pd.Series(["Lê Văn Cường", 12.0, None, "  "], index=[7, 3, 5, 9], dtype=object)
    got = Pseudonymiser(KEY).applicant_keys(None, names, None)
    assert got.index.tolist() == [7, 3, 5, 9] and got.dtype == "str"
    assert got.loc[7] == hmac_hex("np:le van cuong|") and got.loc[[3, 5, 9]].isna().all()
    text_names = pd.Series(["Lê Văn Cường", None], index=[1, 2], dtype="str")
    got = Pseudonymiser(KEY).applicant_keys(None, text_names, pd.Series([None, "0912"], index=[1, 2], dtype="str"))
    assert got.loc[1] == hmac_hex("np:le van cuong|") and pd.isna(got.loc[2])
    empty = Pseudonymiser(KEY).applicant_keys(None, None, None)
    assert empty.empty and empty.dtype == "str"


def test_phones_written_as_numbers_count_by_their_digits():
    from cchc_analysis.pseudonym import digits_of

    # a number Excel stored as a float counts by its digits, without a ".0"
    values = pd.Series([912345678, "09.12", None, float("nan"), 912345678.0, 1.5], dtype=object)
    assert digits_of(values).tolist() == ["912345678", "0912", "", "", "912345678", "15"]
    assert digits_of(pd.Series(["a1b2", None], dtype="str")).tolist() == ["12", ""]
    got = Pseudonymiser(KEY).applicant_keys(None, pd.Series(["An"], dtype=object), pd.Series([912345678]))
    assert got.tolist() == [hmac_hex("np:an|912345678")]
