"""Text exports (ingest/textfile.py): encodings found from the bytes, delimiters from the lines."""

import pytest

from cchc_analysis.ingest.textfile import NotATable, decode, delimiter_of, read_text_table

TEXT = "STT;Mã hồ sơ;Thủ tục\n1;H-1;Đăng ký khai sinh\n2;H-2;Chứng thực bản sao\n"

READS_FILES = False  # pure rules: run once (see conftest.py)


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (TEXT.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "UTF-8 (BOM)"),
        (TEXT.encode("utf-16"), "UTF-16"),  # with a byte-order mark, as Excel writes "Unicode Text"
        (TEXT.encode("utf-16-le"), "UTF-16-LE"),  # without one
    ],
)
def test_unicode_encodings(raw, encoding):
    text, found, note = decode(raw)
    assert text.lstrip("\ufeff") == TEXT and found == encoding and note is None


def test_windows_vietnamese_with_combining_tone_marks():
    # "Đăng ký khai sinh" as Windows writes cp1258: ă precomposed (0xE3), the acute of "ký" combining (0xEC);
    # "Thủ tục": the hook above (0xD2) and the dot below (0xF2) combining
    raw = b"STT;Thu\xd2 tu\xf2c\n1;\xd0\xe3ng ky\xec khai sinh\n2;x\n"
    text, found, _note = decode(raw)
    assert "Đăng ký khai sinh" in text and "Thủ tục" in text and found.startswith("Windows-1258")


def test_utf8_garbled_through_windows_1252_is_repaired_and_said():
    garbled = TEXT.encode("utf-8").decode("cp1252", errors="replace")  # a lossy round trip for most bytes
    sample = "Ä\x90Äƒng kÃ½ khai sinh;Chá»©ng thá»±c"  # how "Đăng ký khai sinh;Chứng thực" looks after it
    text, _found, note = decode(sample.encode("utf-8"))
    assert text == "Đăng ký khai sinh;Chứng thực" and "Windows-1252" in note
    assert garbled  # (the sample above is that round trip written out)


def test_valid_vietnamese_is_never_repaired():
    text, _found, note = decode("ỦY BAN NHÂN DÂN XÃ THANH GIANG;Ưu tiên;Đã trả".encode())
    assert text == "ỦY BAN NHÂN DÂN XÃ THANH GIANG;Ưu tiên;Đã trả" and note is None


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n4,5,6\n", ","),
        ("a;b;c\n1;2,5;3\n4;5;6\n", ";"),  # a decimal comma inside a semicolon file
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ('Tiêu đề\n\n"a, b";c;d\n1;2;3\n4;5;6\n', ";"),  # a title line and a quoted comma
        ("Ghi chú: xuất ngày 01/10/2023\n", None),
    ],
)
def test_delimiters(text, delimiter):
    assert delimiter_of(text) == delimiter


def test_a_note_is_not_a_table(tmp_path):
    path = tmp_path / "ghi-chu.txt"
    path.write_text("Xuất theo yêu cầu của văn phòng.\nNgười lập: A.\n", encoding="utf-8")
    with pytest.raises(NotATable, match="không phải bảng"):
        read_text_table(path)
