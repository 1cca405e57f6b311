import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_analysis.text import (
    clean_text,
    decode_tcvn3,
    encode_tcvn3,
    encode_vni,
    fold,
    legacy_encoding,
    slugify,
    to_unicode,
    to_unicode_many,
)


def test_clean_text_normalises_nfd_and_space():
    nfd = unicodedata.normalize("NFD", "Xã  Thanh\u00a0Giang ")
    assert clean_text(nfd) == "Xã Thanh Giang"
    assert unicodedata.is_normalized("NFC", clean_text(nfd))


def test_clean_text_of_none_is_empty():
    assert clean_text(None) == ""


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("UBND XÃ THANH GIANG", "ubnd xa thanh giang"),
        ("Đoàn Tùng", "doan tung"),
        ("X.Thanh-Giang", "x thanh giang"),
        (unicodedata.normalize("NFD", "Chi Lăng Bắc"), "chi lang bac"),
    ],
)
def test_fold(text, key):
    assert fold(text) == key


def test_slugify():
    assert slugify("Thị trấn Thanh Miện") == "thi-tran-thanh-mien"


def test_tcvn3_known_codes():
    # bytes from the TCVN3 table: ã = 0xB7, Đ = 0xA7, ứ = 0xF8, ơ = 0xAC
    assert encode_tcvn3("Xã") == "X\u00b7"
    assert encode_tcvn3("Đức") == "\u00a7\u00f8c"
    assert encode_tcvn3("hồ sơ") == "h\u00e5 s\u00ac"


def test_tcvn3_decode_restores_capitals_written_with_lower_case_codes():
    # a .VnTimeH title: capitals with tone marks stored as lower-case codes
    assert decode_tcvn3("UBND X\u00b7 THANH GIANG") == "UBND XÃ THANH GIANG"
    assert decode_tcvn3("x\u00b7 Thanh Giang") == "xã Thanh Giang"


def test_tcvn3_rejects_characters_it_cannot_encode():
    with pytest.raises(ValueError):
        encode_tcvn3("€")


VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ "


@given(st.text(alphabet=VIET, max_size=40))
def test_tcvn3_round_trip(text):
    assert decode_tcvn3(encode_tcvn3(text)) == text


@given(st.text(max_size=60))
def test_fold_is_idempotent_and_ascii(text):
    key = fold(text)
    assert fold(key) == key
    assert key.isascii()


@given(st.text(max_size=60))
def test_clean_text_is_idempotent_and_nfc(text):
    once = clean_text(text)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)


def test_vni_known_codes():
    from cchc_analysis.text import decode_vni, encode_vni

    assert encode_vni("Việt Nam") == "Vieät Nam"
    assert encode_vni("đường") == "ñöôøng"
    assert decode_vni("Ngöôøi noäp") == "Người nộp"
    assert decode_vni("THUÛ TUÏC") == "THỦ TỤC"


def test_clean_text_removes_invisible_marks_and_controls():
    assert clean_text("\u200fXã\u202e Thanh\u200b Giang\ufeff") == "Xã Thanh Giang"
    assert clean_text("Khai\x00sinh\x07\x1b") == "Khai sinh"
    assert clean_text("a\u00adb") == "ab"  # soft hyphen


# --- the whole conversion tables against independent statements of the standards (tests/fixtures/) --------------

FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures"


def _rows(name):
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


TCVN5712 = _rows("tcvn5712.tsv")  # code, letter, name: glibc's TCVN5712-1 table
VNI_TABLE = _rows("vni.tsv")  # letter, VNI text, code points, name: the VNI font table
VN3_CAPITALS = "ĂÂÊÔƠƯĐ"


def test_the_fixtures_state_every_letter_once():
    # 67 letters with diacritics in each case: 134 codes
    assert len(TCVN5712) == 134 and len({row[1] for row in TCVN5712}) == 134
    assert len(VNI_TABLE) == 134 and len({row[0] for row in VNI_TABLE}) == 134
    assert {row[1] for row in TCVN5712} == {row[0] for row in VNI_TABLE}


@pytest.mark.parametrize(("code", "letter", "name"), TCVN5712, ids=[row[0] for row in TCVN5712])
def test_every_tcvn5712_code_decodes_to_its_letter(code, letter, name):
    assert decode_tcvn3(chr(int(code, 16))) == letter, name


@pytest.mark.parametrize(
    ("code", "letter", "name"),
    [row for row in TCVN5712 if row[1].islower() or row[1] in VN3_CAPITALS],
    ids=lambda v: v if len(v) == 2 else "",
)
def test_every_tcvn3_letter_encodes_to_its_code(code, letter, name):
    # TCVN3 (.VnTime, VN3) writes the lower-case letters and seven capitals with their own codes
    assert encode_tcvn3(letter) == chr(int(code, 16)), name


def test_tcvn3_writes_other_capitals_with_the_lower_case_code():
    # .VnTimeH shows the lower-case codes as capitals: "Ấ" is written as the code of "ấ" (0xCA)
    lower = {row[1]: row[0] for row in TCVN5712}
    for _code, letter, _name in TCVN5712:
        if letter.isupper() and letter not in VN3_CAPITALS:
            assert encode_tcvn3(letter) == chr(int(lower[letter.lower()], 16)), letter


@pytest.mark.parametrize(("letter", "vni", "points", "name"), VNI_TABLE, ids=[row[0] for row in VNI_TABLE])
def test_every_vni_letter_both_ways(letter, vni, points, name):
    from cchc_analysis.text import decode_vni, encode_vni

    assert vni == "".join(chr(int(p, 16)) for p in points.split())  # the fixture agrees with itself
    assert decode_vni(vni) == letter, name
    assert encode_vni(letter) == vni, name


# --- issue 17: number display, folding and the legacy-encoding judgement at their edges ----------------------------


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (1234.5, 1, "1.234,5"),
        (1234567.25, 2, "1.234.567,25"),
        (2.5, 2, "2,5"),  # trailing zeros dropped
        (3.0, 2, "3"),
        (100, 0, "100"),  # no decimals: the zeros of the number stay
        (0.125, 2, "0,13"),
    ],
)
def test_vn_decimal(value, places, shown):
    from cchc_analysis.text import vn_decimal

    assert vn_decimal(value, places) == shown


def test_vn_int():
    from cchc_analysis.text import vn_int

    assert (vn_int(5599554000), vn_int(2527), vn_int(12), vn_int(-1500)) == ("5.599.554.000", "2.527", "12", "-1.500")


def test_fold_capital_d_with_stroke():
    assert fold("ĐƯỜNG Đê") == "duong de"


def test_tcvn3_has_no_code_for_latin1_controls():
    with pytest.raises(ValueError, match="no TCVN3 code"):
        encode_tcvn3("\x80")
    assert encode_tcvn3("Hà\x7f") == "H\xb5\x7f"  # ASCII (below 0x80) passes as it is


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        # VNI marks after a vowel ("eä" is ệ) against other high characters: VNI from 90% of them, or from 60% when
        # none is a code only TCVN3 uses (µ, TCVN3's à)
        ("eä " * 9 + "nµ", "vni"),  # 9 of 10, one TCVN3-only code
        ("eä " * 8 + "nä nµ", "tcvn3"),  # 8 of 10 with a TCVN3-only code
        ("eä " * 3 + "nä nä", "vni"),  # 3 of 5, no TCVN3-only code
        ("eä " * 3 + "nä nµ", "tcvn3"),  # 3 of 5 with one
        ("eä " * 2 + "nä nä", "tcvn3"),  # 2 of 4
        ("NGÖÔØI", "vni"),  # capitals: the single code Ö after a consonant, the mark Ø after a vowel
        ("Ngöôøi", "vni"),
        ("Ngµy", "tcvn3"),
        ("Người", None),  # Unicode
        ("Ngay", None),
        ("", None),
        ("Café", None),  # Latin-1 letters that Vietnamese uses, in their case: nothing to decode
    ],
)
def test_legacy_encoding_thresholds(text, encoding):
    assert legacy_encoding(text) == encoding


REPORT_LINES = [
    line
    for line in (Path(__file__).parent / "fixtures" / "report_lines.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
LATIN1_VIETNAMESE = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")  # the Latin-1 letters Vietnamese writes


def test_every_line_of_a_real_report_is_told_apart_in_the_three_encodings():
    # 622 lines of a real report: in Unicode each is left alone; encoded to TCVN3 or VNI each is read back as such,
    # when it holds a code Unicode Vietnamese never uses (a line of Latin-1 Vietnamese letters only, "Về chính
    # quyền số" in VNI, looks like Unicode and cannot be told by its content)
    assert len(REPORT_LINES) > 600
    telling = {"tcvn3": 0, "vni": 0}
    for line in REPORT_LINES:
        assert legacy_encoding(line) is None, line
        for name, encode in (("tcvn3", encode_tcvn3), ("vni", encode_vni)):
            legacy = encode(line)
            if any(ord(ch) >= 0x80 and ch not in LATIN1_VIETNAMESE for ch in legacy):
                telling[name] += 1
                assert legacy_encoding(legacy) == name, (name, line, legacy)
                back = to_unicode(legacy)
                # TCVN3 has no capital for most toned letters ("Ủy" is written "ñy"): its case may differ
                assert back == line if name == "vni" else back.lower() == line.lower(), (name, line, back)
    assert telling["tcvn3"] > 600 and telling["vni"] > 600


def test_a_legacy_text_may_start_with_its_telling_code():
    # the first character has no letter before it: it is judged as after a space, never against the last one
    assert legacy_encoding("Ñi") == "vni" and legacy_encoding("Ñaø") == "vni"  # VNI "Đi", "Đà"
    assert to_unicode("Ñaø") == "Đà"


def test_the_last_latin1_code_is_tcvn3s_capital_o_circumflex_acute():
    # 0xFF is "Ố" in TCVN 5712 (tcvn5712.tsv): a text holding it is legacy, alone and in a column; 0x100 and up are
    # Unicode only
    assert legacy_encoding("PH\xff") == "tcvn3" and to_unicode("PH\xff") == "PHỐ"
    assert to_unicode_many(["PH\xff", "STT"]) == ["PHỐ", "STT"]


def test_vni_marks_that_are_also_vietnamese_letters_count_after_a_vowel():
    # "hoà" nine times (VNI's "à" mark after the vowel o, both small), "Ñi" (VNI's Đ) and one TCVN3-only code µ:
    # 10 of the 11 high characters are VNI signs, 91% >= 90%: VNI. Without the nine marks it would be 1 of 2.
    assert legacy_encoding("hoà " * 9 + "Ñi µ") == "vni"
    # a capital mark after a small vowel is no VNI sign (VNI writes a mark in the vowel's case): 1 of 11
    assert legacy_encoding("hoÀ " * 9 + "Ñi µ") == "tcvn3"


def test_a_capital_inside_a_lower_case_word_is_a_legacy_sign():
    # "nÉ": É is a Latin-1 letter Vietnamese uses, but not as a capital after a small letter
    assert legacy_encoding("nÉm") == "tcvn3" and legacy_encoding("NÉM") is None and legacy_encoding("Ém") is None


def test_to_unicode_normalises_decomposed_text_and_decodes_legacy_text():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Hồ sơ")
    assert to_unicode(decomposed) == "Hồ sơ" and to_unicode("Ngµy") == "Ngày" and to_unicode("Vieät") == "Việt"
    assert to_unicode_many([decomposed, "abc"]) == ["Hồ sơ", "abc"]
    assert to_unicode_many([decomposed, "Ngµy"]) == ["Hồ sơ", "Ngày"]  # a Unicode letter beyond Latin-1: alone


def test_a_column_is_judged_as_a_whole_unless_it_mixes_in_unicode():
    # "Sè hãa" alone shows no TCVN3 sign (è and ã are Vietnamese letters); beside "Ngµy" the column is TCVN3
    assert to_unicode_many(["Sè hãa", "Ngµy", "STT"]) == ["Số hóa", "Ngày", "STT"]
    assert to_unicode_many(["Sè hãa"]) == ["Sè hãa"]
    assert to_unicode_many(["Sè hãa", "Ngµy", "Người"]) == ["Sè hãa", "Ngày", "Người"]  # mixed: each alone
    assert to_unicode_many([]) == [] and to_unicode_many(["a\x00b"]) == ["a\x00b"]


@pytest.mark.parametrize(
    ("ch", "prev", "ok"),
    [
        ("à", " ", True),  # a word may start with a small letter
        ("à", "1", True),
        ("À", " ", True),
        ("à", "b", True),
        ("À", "B", True),  # capitals after a capital
        ("à", "B", True),  # "Bà": a small letter after a capital
        ("À", "b", False),  # a capital inside a small-letter word: not Vietnamese
        ("°", "b", True),  # not a letter: case says nothing
    ],
)
def test_case_agreement_of_a_letter_with_the_one_before(ch, prev, ok):
    from cchc_analysis.text import _case_ok

    assert _case_ok(ch, prev) is ok


@pytest.mark.parametrize(
    ("text", "junk"),
    [
        ("\x80", 1),  # the first code of the range (TCVN3's "À")
        ("ÿ", 1),  # the last (TCVN3's "Ố"); not a letter of Unicode Vietnamese
        ("Ā", 0),  # beyond Latin-1: Unicode, not junk
        ("a¬b¬", 2),  # each one counts
        ("AaÀ", 1),  # a capital after a small letter (the letter just before it decides)
        ("À", 0),
    ],
)
def test_junk_characters_are_counted_one_by_one(text, junk):
    from cchc_analysis.text import _junk

    assert _junk(text) == junk


def test_legacy_text_at_the_edges_of_latin_1():
    assert to_unicode_many(["Ng\x80y"]) == ["NgÀy"]  # 0x80 is TCVN3's "À", a legacy sign like any other
    assert legacy_encoding("Ngµy Ā") is None and legacy_encoding("ă¬") is None  # a character beyond Latin-1: Unicode
    # "Sè hãa" (TCVN3 "Số hóa") has no sign of its own: decoded with its group, unless a text of the group holds a
    # character beyond Latin-1 ("Ā", U+0100); "ÿ" (U+00FF) is still Latin-1, TCVN3's "Ố"
    assert to_unicode_many(["Sè hãa", "Ngµy", "Ā"]) == ["Sè hãa", "Ngày", "Ā"]
    assert to_unicode_many(["Sè hãa", "Ngµy", "ÿ"]) == ["Số hóa", "Ngày", "Ố"]


def test_format_table_aligns_columns_under_a_rule():
    from cchc_analysis.text import format_table

    out = format_table(["Mã", "Tên"], [["1", "Thanh Giang"], [22, None]])
    # each column as wide as its widest cell, two spaces between, a dashed rule under the header, no trailing spaces
    assert out == "Mã  Tên\n--  -----------\n1   Thanh Giang\n22\n"
    assert format_table(["A"], []) == "A\n-\n"


@pytest.mark.parametrize(
    ("legacy", "encoding", "text"),
    [
        # short texts from the real report, typed from the code tables (VNI: ư = ö, ơ = ô, marks after the vowel;
        # TCVN3: one code per toned letter): a few high characters each, so one miscounted sign flips the verdict
        ("Phöông", "vni", "Phương"),  # ö after a consonant, ô after a vowel: 2 VNI signs of 2
        ("Chöông", "vni", "Chương"),
        ("Giöõa Caùc", "vni", "Giữa Các"),  # õ and ù are Latin-1 letters too, marks only after a vowel in its case
        ("Chuû tröông chính", "vni", "Chủ trương chính"),
        ("Ích cuûa", "vni", "Ích của"),  # "Í" opens the text: nothing before it, not the text's last letter
        ("nhiÖm vô cuèi", "tcvn3", "nhiệm vụ cuối"),
        ("NhÊt", "tcvn3", "Nhất"),  # Ê after a small letter: a capital inside a word, TCVN3's ấ
        ("TiÕp", "tcvn3", "Tiếp"),
    ],
)
def test_short_legacy_texts_are_told_apart_by_each_sign(legacy, encoding, text):
    assert legacy_encoding(legacy) == encoding
    assert to_unicode(legacy) == text
