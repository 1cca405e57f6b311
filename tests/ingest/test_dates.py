"""Date forms and the per-column day-first / month-first decision (ingest/dates.py), at their edges."""

import pandas as pd
import pytest

from cchc_analysis.ingest.dates import date_order_evidence, parse_datetimes

READS_FILES = False  # pure rules: run once (see conftest.py)


def ts(text):
    return pd.Timestamp(text)


@pytest.mark.parametrize(
    ("raw", "order", "expected"),
    [
        ("3/15/2023 2:05 PM", "mdy", ts("2023-03-15 14:05")),
        ("3/15/2023 12:05 AM", "mdy", ts("2023-03-15 00:05")),  # 12 AM is midnight
        ("3/15/2023 12:05 PM", "mdy", ts("2023-03-15 12:05")),  # 12 PM is noon
        ("15/03/2023 02:05:09 CH", "dmy", ts("2023-03-15 14:05:09")),  # chiều: afternoon
        ("15/03/2023 08:05 SA", "dmy", ts("2023-03-15 08:05")),  # sáng: morning
        ("15/03/2023 12:30 SA", "dmy", ts("2023-03-15 00:30")),
        ("20230315083012", "dmy", ts("2023-03-15 08:30:12")),  # national sync timestamps
        ("202303150830", "dmy", ts("2023-03-15 08:30")),
        ("20230315", "dmy", ts("2023-03-15")),
        ("2023-03-15T08:30:12", "dmy", ts("2023-03-15 08:30:12")),
        ("2023-03-15T08:30:12+07:00", "dmy", ts("2023-03-15 08:30:12")),  # already Vietnam time
        ("2023-03-15T01:30:12Z", "dmy", ts("2023-03-15 08:30:12")),  # UTC + 7 h
        ("2023-03-14T20:00:00Z", "dmy", ts("2023-03-15 03:00")),  # the next day in Vietnam
        ("2023-03-15T08:30:12.250+07:00", "dmy", ts("2023-03-15 08:30:12")),
        ("Thứ Tư, 15/03/2023 08:30", "dmy", ts("2023-03-15 08:30")),
        ("Chủ nhật, 19/03/2023", "dmy", ts("2023-03-19")),
        ("T4, 15/03/2023", "dmy", ts("2023-03-15")),
        ("CN 19/03/2023", "dmy", ts("2023-03-19")),
        ("ngày 15 tháng 3 năm 2023", "dmy", ts("2023-03-15")),
        ("Ngày 05 tháng 10 năm 2023 lúc 14h30", "dmy", ts("2023-10-05 14:30")),
        ("08:30 15/03/2023", "dmy", ts("2023-03-15 08:30")),
        ("15.03.2023 08h30", "dmy", ts("2023-03-15 08:30")),
        ("15-03-2023", "dmy", ts("2023-03-15")),
        ("15/03/23", "dmy", ts("2023-03-15")),
        ("2023/03/15 08:30", "dmy", ts("2023-03-15 08:30")),
    ],
)
def test_forms(raw, order, expected):
    parsed, invalid = parse_datetimes(pd.Series([raw], dtype="str"), order=order)
    assert parsed[0] == expected and not invalid[0]


@pytest.mark.parametrize(
    ("raw", "order"),
    [
        ("15/03/2023", "mdy"),  # month 15
        ("3/15/2023", "dmy"),
        ("31/04/2023", "dmy"),  # no 31 April
        ("29/02/2023 10:00", "dmy"),
        ("20230230083012", "dmy"),  # no 30 February
        ("20231315", "dmy"),
        ("15/03/2023 13:05 CH", "dmy"),  # 13 o'clock is no 12-hour time
        ("15/03/2023 00:05 PM", "dmy"),
        ("2023-03-15T25:00:00", "dmy"),
        ("Thứ Tư", "dmy"),
    ],
)
def test_impossible_dates_are_invalid_never_rolled_over(raw, order):
    parsed, invalid = parse_datetimes(pd.Series([raw], dtype="str"), order=order)
    assert pd.isna(parsed[0]) and invalid[0]


def test_a_long_column_parses_each_distinct_text_once_and_spreads_the_results():
    values = pd.Series(["3/15/2023 2:05 PM", "", "12/1/2023 9:00 AM"] * 40, dtype="str")
    parsed, invalid = parse_datetimes(values, order="mdy")
    assert (parsed[0::3] == ts("2023-03-15 14:05")).all() and (parsed[2::3] == ts("2023-12-01 09:00")).all()
    assert parsed[1::3].isna().all() and not invalid.any()


@pytest.mark.parametrize(
    ("values", "day_first", "month_first"),
    [
        (["13/01/2023", "01/02/2023"], True, False),  # 13 can only be a day
        (["01/13/2023", "02/01/2023"], False, True),  # 13 in second place can only be a day: month first
        (["12/12/2023", "01/02/2023"], False, False),  # nothing above 12: no evidence
        (["13/01/2023", "01/13/2023"], True, True),  # both: a contradiction
        (["Thứ Hai, 3/13/2023 08:30"], False, True),  # after a weekday
        (["08:30 13/3/2023"], True, False),  # after a time
        (["2023-01-13 00:00:00", "2023-12-01"], False, False),  # date cells and ISO need no order
        (["13/13/2023"], False, False),  # impossible either way: no evidence
    ],
)
def test_order_evidence(values, day_first, month_first):
    ev = date_order_evidence(pd.Series(values, dtype="str"))
    assert (ev.day_first, ev.month_first) == (day_first, month_first)
    assert ev.contradictory is (day_first and month_first)
    assert ev.order == ("dmy" if day_first and not month_first else "mdy" if month_first and not day_first else None)


def test_order_evidence_of_zero_padded_and_other_texts_together():
    # the padded texts are judged by slices, the others by a pattern: evidence from either counts
    ev = date_order_evidence(pd.Series(["01/02/2023 08:00", "5/13/2023"], dtype="str"))
    assert (ev.day_first, ev.month_first, ev.example_month_first) == (False, True, "5/13/2023")
    assert ev.written
    assert not date_order_evidence(pd.Series(["2023-01-13 08:00:00"], dtype="str")).written
