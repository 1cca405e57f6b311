"""Comparisons with earlier periods in the narrative ("so với cùng kỳ năm trước tăng/giảm …"), worked out by hand:
counts by their difference and its share, percentages in points between the values as shown."""

import pytest

from cchc_analysis.brief import change_text
from cchc_analysis.periods import parse_period, same_period_last_year


@pytest.mark.parametrize(
    ("key", "now", "then", "said"),
    [
        # 2.527 against 2.254: 273 more, 273 / 2.254 = 12,11% -> 12,1%
        ("received_total", 2527, 2254, "tăng 273 hồ sơ (+12,1%)"),
        ("received_total", 2254, 2527, "giảm 273 hồ sơ (−10,8%)"),  # 273 / 2.527 = 10,80%
        ("received_total", 5, 0, "tăng 5 hồ sơ"),  # no share of nothing
        ("received_total", 7, 7, "không đổi"),
        # shown 95,0% and 83,7%: the points between the values as read, 11,3 (the raw 95,04 - 83,66 = 11,38 would
        # show 11,4, which the reader could not add up)
        ("online_rate", 95.04, 83.66, "tăng 11,3 điểm phần trăm (từ 83,7% lên 95,0%)"),
        ("online_rate", 83.66, 95.04, "giảm 11,3 điểm phần trăm (từ 95,0% xuống 83,7%)"),
        ("on_time_rate_766", 99.96, 99.95, "không đổi (100,0%)"),  # both shown 100,0% (half-up)
        ("online_rate", 10.25, 10.0, "tăng 0,3 điểm phần trăm (từ 10,0% lên 10,3%)"),  # 10,25 shows 10,3 (half-up)
    ],
)
def test_change_text_by_hand(key, now, then, said):
    assert change_text(key, now, then) == said


@pytest.mark.parametrize(
    ("period", "before"),
    [
        ("2023Q3", "2022Q3"),
        ("2023-08", "2022-08"),
        ("2023H1", "2022H1"),
        ("2023", "2022"),
        ("2023Q3-official", "2022Q3-official"),
        ("2023-01-01..2023-08-31", "2022-01-01_2022-08-31"),
        ("2024-01-01..2024-02-29", "2023-01-01_2023-02-28"),  # no 29 February in 2023
    ],
)
def test_the_same_period_of_the_previous_year(period, before):
    assert same_period_last_year(parse_period(period)).id == before
