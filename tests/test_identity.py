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
