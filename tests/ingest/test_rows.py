"""The row rules of dossier lists (ingest/rows.py) at their edges, with values worked out by hand."""

import numpy as np
import pytest

from cchc_analysis.ingest.rows import (
    Total,
    check_totals,
    is_subtotal_wording,
    is_total_text,
    section_field,
    stated_number,
)

READS_FILES = False  # pure rules: run once (see conftest.py)


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("Tổng cộng", True),
        ("TỔNG CỘNG: 26 hồ sơ", True),
        ("Tổng số", True),
        ("Tổng", True),
        ("Cộng", True),
        ("Cộng: 15 hồ sơ", True),
        ("Cộng lĩnh vực Hộ tịch", True),
        ("Tong cong", True),  # typed without diacritics
        ("Công dân yêu cầu rút hồ sơ", False),  # "công", not "cộng"
        ("Công nhận hòa giải viên", False),
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", False),
        ("Cong hoa xa hoi chu nghia", False),
        ("Tổnghợp", False),  # the word must end after "tổng"
        ("Trực tuyến", False),
        ("", False),
    ],
)
def test_total_wording(text, total):
    assert is_total_text(text) is total


@pytest.mark.parametrize(
    ("text", "sub"),
    [
        ("Cộng", True),
        ("Cộng: 15 hồ sơ", True),
        ("Tổng lĩnh vực: 9", True),
        ("Cộng trang", True),
        ("Tổng tháng 7", True),
        ("Tổng cộng", False),
        ("TỔNG SỐ: 26", False),
        ("Cộng dồn: 22", False),  # a running count counts every row above, like a grand total
    ],
)
def test_subtotal_wording(text, sub):
    assert is_subtotal_wording(text) is sub


@pytest.mark.parametrize(
    ("row", "number"),
    [
        (["Cộng: 15 hồ sơ"], 15),
        (["Tổng cộng quý 3: 26"], 26),  # the number after the colon, not the quarter
        (["TỔNG CỘNG 26 hồ sơ (trong đó trực tuyến 15)"], 26),  # the number before "hồ sơ"
        (["Cộng lĩnh vực 1 13"], 13),  # the label's last number
        (["Tổng cộng: 1.234 hồ sơ"], 1234),  # thousands with a dot
        (["Tổng cộng", None, 26], 26),  # a number in a cell of its own
        (["Tổng cộng", "", "26"], 26),
        (["Cộng", None, None, 24000.0, 13], 13),  # column 3 is the fee column: its sum is no count
        (["Tổng cộng"], None),
    ],
)
def test_stated_number(row, number):
    assert stated_number(" ".join(str(c) for c in row if c is not None), row, {3}) == number


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Lĩnh vực Hộ tịch", "Hộ tịch"),
        ("Lĩnh vực: Chứng thực", "Chứng thực"),
        ("I. LĨNH VỰC HỘ TỊCH", "Hộ tịch"),
        ("2. Lĩnh vực Đất đai (4 hồ sơ)", "Đất đai"),
        ("Lĩnh vực Hộ tịch: 13 hồ sơ", "Hộ tịch"),
        ("Hộ tịch (13 hồ sơ)", None),  # no "Lĩnh vực": not taken for a field
        ("Tháng 7", None),
        ("Lĩnh vực", None),
    ],
)
def test_section_field(text, field):
    assert section_field(text) == field


def rows(*numbers):
    return np.array(numbers, dtype=np.int64)


def test_subtotals_and_grand_total_agree():
    # rows 6-8 (group 1), subtotal 9, rows 11-12 (group 2, a section row at 10), subtotal 13, grand total 14
    dossiers = rows(6, 7, 8, 11, 12)
    totals = [Total(9, "Cộng: 3", 3), Total(13, "Cộng: 2", 2), Total(14, "Tổng cộng: 5", 5)]
    checked = check_totals(totals, dossiers)
    assert checked.errors == [] and checked.stated_total == 5
    assert [t.grand for t in totals] == [False, False, True]


def test_a_subtotal_one_short_of_its_group_is_an_error():
    checked = check_totals([Total(9, "Cộng: 2", 2), Total(13, "Cộng: 2", 2)], rows(6, 7, 8, 11, 12))
    assert len(checked.errors) == 1 and "dòng 9" in checked.errors[0] and "3 dòng" in checked.errors[0]


def test_a_grand_total_one_more_than_the_rows_is_an_error():
    checked = check_totals([Total(9, "Tổng cộng: 4", 4)], rows(6, 7, 8))
    assert len(checked.errors) == 1 and "3 dòng" in checked.errors[0]


def test_the_last_subtotal_without_a_grand_total():
    # the last total row counts only its group: it is a subtotal, and the stated total is the sum of subtotals
    checked = check_totals([Total(9, "Cộng: 3", 3), Total(13, "Cộng: 2", 2)], rows(6, 7, 8, 11, 12))
    assert checked.errors == [] and checked.stated_total == 5


def test_a_running_count_after_each_page():
    # "Cộng dồn" rows count every dossier above them
    checked = check_totals([Total(9, "Cộng dồn: 3", 3), Total(13, "Cộng dồn: 5", 5)], rows(6, 7, 8, 11, 12))
    assert checked.errors == [] and checked.stated_total == 5


def test_a_total_without_a_number_is_not_checked():
    checked = check_totals([Total(9, "Tổng cộng", None)], rows(6, 7, 8))
    assert checked.errors == [] and checked.stated_total is None


def test_a_total_row_above_more_dossiers_is_never_the_grand_total():
    # "Tổng số" wording, but dossiers follow it: it counts the rows above (a running count)
    totals = [Total(9, "Tổng số: 3", 3), Total(13, "Tổng cộng: 5", 5)]
    checked = check_totals(totals, rows(6, 7, 8, 11, 12))
    assert checked.errors == [] and [t.grand for t in totals] == [False, True]


def test_a_month_in_the_label_is_not_the_count():
    # "Cộng tháng 7" with its count in a cell of its own: 10, not 7
    assert stated_number("10 Cộng tháng 7", [10, "Cộng tháng 7"], set()) == 10
    assert stated_number("Cộng tháng 7", ["Cộng tháng 7", None, "10"], set()) == 10
