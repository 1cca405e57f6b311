import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_analysis.ingest.dates import parse_datetimes
from cchc_analysis.ingest.parse import (
    map_vocabulary,
    parse_amounts,
    parse_decimal,
    value_vocabularies,
)

READS_FILES = False  # pure rules: run once (see conftest.py)


def ts(text):
    return pd.Timestamp(text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05/10/2023", ts("2023-10-05")),  # day first, never month first
        ("5/1/2023 7:05", ts("2023-01-05 07:05")),
        ("05-10-2023 14:30:59", ts("2023-10-05 14:30:59")),
        ("05.10.2023", ts("2023-10-05")),
        ("2023-08-31", ts("2023-08-31")),
        ("01/02/2023 2:05 PM", ts("2023-02-01 14:05")),
        ("29/02/2024", ts("2024-02-29")),
        (dt.datetime(2023, 1, 2, 8, 30), ts("2023-01-02 08:30")),
        (dt.date(2023, 1, 2), ts("2023-01-02")),
        (44927, ts("2023-01-01")),  # Excel serial
        (45170.5, ts("2023-09-01 12:00")),
        (59, ts("1900-02-28")),
        (61, ts("1900-03-01")),  # serials after the fictitious 29/02/1900
    ],
)
def test_dates(raw, expected):
    parsed, invalid = parse_datetimes(pd.Series([raw], dtype=object))
    assert parsed[0] == expected and not invalid[0]


@pytest.mark.parametrize(
    "raw", ["29/02/2023", "31/04/2023", "13/13/2023", 60, "hôm qua", "2023/31/12", "25:00 01/01/2023"]
)
def test_invalid_dates_are_flagged_not_guessed(raw):
    parsed, invalid = parse_datetimes(pd.Series([raw], dtype=object))
    assert pd.isna(parsed[0]) and invalid[0]


def test_blank_dates_are_not_invalid():
    parsed, invalid = parse_datetimes(pd.Series([None, "", "  ", np.nan], dtype=object))
    assert parsed.isna().all() and not invalid.any()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.000", 2000),
        ("1.234", 1234),
        ("5.599.554.000", 5_599_554_000),
        ("1.234.567 đ", 1_234_567),
        ("50.000 đồng", 50_000),
        ("12.000 VNĐ", 12_000),
        ("1,234,567", 1_234_567),
        ("1.234,5", 1234.5),
        ("(1.000)", -1000),
        ("-2.000", -2000),
        ("Miễn phí", 0),
        ("Không", 0),
        ("-", 0),
        (15000, 15000),
        (2.5, 2.5),
    ],
)
def test_amounts(raw, expected):
    parsed, invalid = parse_amounts(pd.Series([raw], dtype=object))
    assert parsed[0] == expected and not invalid[0]


def test_amount_garbage_is_flagged():
    parsed, invalid = parse_amounts(pd.Series(["hai nghìn", "1.23.4"], dtype=object))
    assert parsed.isna().all() and invalid.all()


@pytest.mark.parametrize(
    ("raw", "expected"), [("8,417", 8.417), ("1,5", 1.5), ("73,19%", 73.19), ("1.234", 1.234), (11.5, 11.5)]
)
def test_scores_use_a_decimal_comma(raw, expected):
    parsed, invalid = parse_decimal(pd.Series([raw], dtype=object))
    assert parsed[0] == pytest.approx(expected) and not invalid[0]


def test_a_score_with_anything_but_a_percent_sign_after_it_is_not_a_score():
    # only "%" (and spaces) may follow the number: "8,5X" or "8,5đ" is a typing error to report, not 8.5
    parsed, invalid = parse_decimal(pd.Series(["8,5X", "8,5 %", "8,5đ", "X8,5", "8,5%%"], dtype=object))
    assert parsed.isna().tolist() == [True, False, True, True, False] and invalid.tolist() == [
        True,
        False,
        True,
        True,
        False,
    ]
    assert parsed[1] == 8.5 and parsed[4] == 8.5


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đã trả kết quả", "resolved"),
        ("Đã giải quyết", "resolved"),
        ("Từ chối tiếp nhận", "not_accepted"),
        ("Không được tiếp nhận", "not_accepted"),
        ("Trả lại", "returned"),
        ("Dừng xử lý", "returned"),
        ("Công dân yêu cầu rút hồ sơ", "withdrawn"),
        ("Đã rút hồ sơ", "withdrawn"),
        ("Chờ bổ sung", "supplement"),
        ("Yêu cầu bổ sung giấy tờ", "supplement"),
        ("Đang giải quyết", "in_progress"),
        ("Mới đăng ký", "received"),
        ("Yêu cầu thực hiện nghĩa vụ tài chính", "in_progress"),
    ],
)
def test_status_vocabulary(raw, expected):
    mapped, unknown = map_vocabulary(pd.Series([raw]), value_vocabularies()["status"])
    assert mapped[0] == expected and not unknown[0]


def test_unknown_vocabulary_values_are_reported_not_guessed():
    mapped, unknown = map_vocabulary(pd.Series(["Treo", None, "Trực tuyến", 2.0]), value_vocabularies()["channel"])
    assert [None if pd.isna(v) else v for v in mapped] == [None, None, "online", "online"]
    assert unknown.tolist() == [True, False, False, False]


VALUES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
)


@given(st.lists(VALUES, max_size=20))
def test_parsers_never_crash_and_keep_the_index(values):
    series = pd.Series(values, dtype=object)
    for parser in (parse_datetimes, parse_amounts, parse_decimal):
        parsed, invalid = parser(series)
        assert len(parsed) == len(series) and parsed.index.equals(series.index)
        assert not (invalid & parsed.notna()).any()


def test_very_long_digit_strings_do_not_overflow():
    # found by hypothesis: twenty digits overflow int64
    assert parse_amounts(pd.Series(["20000000000000000000"], dtype=object))[0][0] == 2e19
    assert parse_decimal(pd.Series(["20000000000000000000"], dtype=object))[0][0] == 2e19


def test_vectorised_date_path_is_as_strict_as_the_general_one():
    from cchc_analysis.ingest.dates import parse_datetimes

    values = pd.Series(
        ["30/02/2023", "31/04/2023 10:00", "29/02/2024", "05/10/2023 14:30:15", "5/10/2023", "29/02/2023 08:00"]
    )
    parsed, invalid = parse_datetimes(values)
    assert parsed.tolist()[2:5] == [
        pd.Timestamp("2024-02-29"),
        pd.Timestamp("2023-10-05 14:30:15"),
        pd.Timestamp("2023-10-05"),
    ]
    assert invalid.tolist() == [True, True, False, False, False, True]  # never rolled over to March or May


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # cells as the readers give them as text (ingest.grid.cell_text): date cells, serials, typed dates
        ("2023-07-03 08:15:00", ts("2023-07-03 08:15")),
        ("2023-01-05 00:00:00", ts("2023-01-05")),
        ("45000", ts("2023-03-15")),  # 44927 is 01/01/2023, 73 days later
        ("45170.5", ts("2023-09-01 12:00")),
        ("19/02/2023 11:07", ts("2023-02-19 11:07")),
        ("2023", None),  # a year alone is not a date (as a serial it would be 1905)
        ("1899-12-31 08:30:00", None),  # a time-only cell
        ("2023-02-30 00:00:00", None),  # Arrow would roll this over to 02/03
    ],
)
def test_dates_of_a_text_column(text, expected):
    values = pd.Series(["", text, "  "] * 30, dtype="str")  # long enough to go through the distinct-value path
    parsed, invalid = parse_datetimes(values)
    assert parsed[::3].isna().all() and parsed[2::3].isna().all() and not invalid[::3].any()
    if expected is None:
        assert parsed[1::3].isna().all() and invalid[1::3].all()
    else:
        assert (parsed[1::3] == expected).all() and not invalid[1::3].any()


def test_amounts_and_vocabularies_of_a_text_column():
    values = pd.Series(["10000", "1.5", "2.000", "", "abc"] * 20, dtype="str")
    parsed, invalid = parse_amounts(values)
    assert parsed[:5].tolist()[:3] == [10000.0, 1.5, 2000.0] and pd.isna(parsed[3]) and pd.isna(parsed[4])
    assert invalid[:5].tolist() == [False, False, False, False, True]
    channel, unknown = map_vocabulary(
        pd.Series(["Trực tuyến", "", "Qua bưu chính", "???"], dtype="str"), value_vocabularies()["channel"]
    )
    assert channel.dtype == "str"  # Arrow text, as every text column of the reader
    assert channel[0] == "online" and channel[1:].isna().tolist() == [True, False, True]
    assert channel[2] == "postal" and unknown.tolist() == [False, False, False, True]


@pytest.mark.parametrize(
    ("table", "text", "canon"),
    [
        ("channel", "Nộp qua DVC", "online"),  # a three-letter wording inside a cell counts
        ("digitised", "Có bản số", None),  # a two-letter wording ("co") counts only as the whole cell
        ("digitised", "Có", "yes"),
        ("channel", "Loại 2", None),  # digits count only as the whole cell
        ("channel", "2", "online"),
        ("channel", "Tại quầy bưu điện", None),  # two values tie for the longest wording: not guessed
        ("channel", "Trực tiếp tại bộ phận một cửa", "direct"),  # the longest wording wins
        ("status", "Từ chối tiếp nhận", "not_accepted"),  # longer than "từ chối" (returned)
        ("channel", "", None),
    ],
)
def test_vocabulary_lookup_rules(table, text, canon):
    values = pd.Series([text], dtype="str")
    mapped, unknown = map_vocabulary(values, value_vocabularies()[table])
    assert (None if pd.isna(mapped[0]) else mapped[0]) == canon
    assert bool(unknown[0]) is (canon is None and text != "")


def test_vocabulary_of_mixed_cells_numbers_and_blanks():
    values = pd.Series(["Trực tuyến", 2.0, None, float("nan"), "  ", "???"], dtype=object, index=[5, 6, 7, 8, 9, 10])
    mapped, unknown = map_vocabulary(values, value_vocabularies()["channel"])
    assert mapped.index.tolist() == [5, 6, 7, 8, 9, 10]
    assert mapped.tolist()[:2] == ["online", "online"]  # the number 2.0 reads as the code "2"
    assert all(v is None or pd.isna(v) for v in mapped.tolist()[2:])
    assert unknown.tolist() == [False, False, False, False, False, True] and unknown.dtype == bool


def test_text_helpers_keep_the_index():
    from cchc_analysis.ingest.parse import repeated_text, text_matches, text_series

    index = pd.RangeIndex(10, 13)
    rep = repeated_text("x", index)
    assert rep.tolist() == ["x", "x", "x"] and rep.index.equals(index) and rep.dtype == "str"
    import pyarrow as pa

    ts = text_series(pa.array(["a", None, "c"]), index)
    assert ts.index.equals(index) and ts.tolist()[0] == "a" and pd.isna(ts.tolist()[1]) and ts.dtype == "str"
    values = pd.Series(["12", "a12", None, "7"], dtype="str")
    assert text_matches(values, r"\d+").tolist() == [True, False, False, True]  # the whole text, never a missing one
    assert text_matches(pd.Series([12, "x"], dtype=object), r"\d+").tolist() == [True, False]


@pytest.mark.parametrize(
    ("raw", "value"),
    [("8,417", 8.417), ("73,19%", 73.19), ("73,19 %", 73.19), ("8.417", 8.417), ("-1,5", -1.5), (11.5, 11.5)],
)
def test_decimal_scores_and_rates(raw, value):
    parsed, invalid = parse_decimal(pd.Series([raw], dtype=object))
    assert parsed[0] == pytest.approx(value) and not invalid[0]


def test_unreadable_decimals_are_flagged_blank_ones_are_not():
    parsed, invalid = parse_decimal(pd.Series(["tám", "", None, "1,2,3"], dtype=object))
    assert parsed.isna().all() and invalid.tolist() == [True, False, False, True]


def test_amounts_keep_object_cells_and_the_index():
    parsed, invalid = parse_amounts(pd.Series([15000, "2.000", None, True], dtype=object, index=[3, 4, 5, 6]))
    assert parsed.index.tolist() == [3, 4, 5, 6] and parsed.dtype == "float64"
    assert parsed.tolist()[:2] == [15000.0, 2000.0] and pd.isna(parsed[5]) and pd.isna(parsed[6])
    assert invalid.tolist() == [False, False, False, True]  # a boolean is no amount


def test_a_shorter_wording_of_another_value_inside_the_cell_is_no_tie():
    # "nop truc tuyen" (14 letters, online) and "buu dien" (8, postal) are both inside the cell: the longer one
    # wins; a tie is only between wordings of equal length
    table = {"online": ("nop truc tuyen",), "postal": ("buu dien",)}
    for values in (pd.Series(["Nộp trực tuyến qua bưu điện"], dtype="str"), pd.Series(["Nộp trực tuyến qua bưu điện"])):
        mapped, unknown = map_vocabulary(values, table)
        assert mapped[0] == "online" and not unknown[0]
    flipped = {"postal": ("buu dien",), "online": ("nop truc tuyen",)}
    assert map_vocabulary(pd.Series(["Nộp trực tuyến qua bưu điện"], dtype="str"), flipped)[0][0] == "online"


def test_vocabulary_of_a_text_column_keeps_its_index_and_gives_a_boolean_mask():
    values = pd.Series(["Trực tuyến", "???", None, " "], dtype="str", index=[10, 11, 12, 13])
    mapped, unknown = map_vocabulary(values, value_vocabularies()["channel"])
    assert mapped.index.tolist() == [10, 11, 12, 13] and unknown.index.tolist() == [10, 11, 12, 13]
    assert mapped[10] == "online" and mapped[11:].isna().all()
    assert unknown.dtype == bool and unknown.tolist() == [False, True, False, False]
    nothing, unknown = map_vocabulary(pd.Series(["???", "!!!"], dtype="str"), value_vocabularies()["channel"])
    assert nothing.dtype == "str" and nothing.isna().all() and unknown.tolist() == [True, True]
