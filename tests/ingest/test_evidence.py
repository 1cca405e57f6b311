"""What a column's values can be (ingest/evidence.py): each kind's test at its edge (60% of the sample)."""

import pandas as pd
import pytest

from cchc_analysis.ingest.evidence import allows, profile, sample

READS_FILES = False  # pure rules: run once (see conftest.py)


def col(values):
    return pd.Series(values, dtype="str")


def mixed(good, bad, n_good, n_bad):
    return col([good] * n_good + [bad] * n_bad)


@pytest.mark.parametrize(
    ("kind", "values", "allowed"),
    [
        ("date", mixed("03/07/2023", "x", 6, 4), True),  # 60%: exactly the threshold
        ("date", mixed("03/07/2023", "x", 5, 5), False),
        ("date", col(["5 ngày làm việc", "3 ngày làm việc", "Trong ngày"]), False),
        ("duration", col(["5 ngày làm việc", "3 ngày làm việc", "Trong ngày"]), True),
        ("duration", col(["5", "3", "7", "5"]), True),  # bare numbers of days that do not rise row by row
        ("duration", col(["03/07/2023"] * 3), False),
        ("seq", col(["1", "2", "3", "4"]), True),
        ("code", col(["1", "2", "3", "4"]), False),  # a row number is no dossier code
        ("code", col(["H1-230703-0001", "H1-230703-0002", "H1-230703-0003"]), True),
        ("code", col(["2023-07-03", "2023-07-04", "2023-07-05"]), False),
        ("amount", col(["2.000", "0", "10.000 đ"]), True),
        ("amount", col(["Trực tuyến", "Trực tiếp", "0"]), False),
        ("vocabulary:channel", col(["Loại A", "Loại B", "Loại C"]), True),  # unknown words: a vendor's own
        ("vocabulary:channel", col(["03/07/2023"] * 3), False),
        ("vocabulary:status", col(["Trước hạn", "Đúng hạn", "Quá hạn", "Trước hạn"]), False),  # timeliness
        ("vocabulary:status", col(["Đã trả kết quả", "Quá hạn xử lý", "Đang xử lý"]), True),
        ("vocabulary:channel", col(["Đã trả kết quả", "Đang xử lý", "Đã trả kết quả"]), False),  # statuses
        ("text", col(["03/07/2023"] * 3), False),
        ("date", col(["03/07/2023", "x"]), True),  # two values: too few to judge, the wording decides
    ],
)
def test_allows(kind, values, allowed):
    assert allows(kind, profile(values)) is allowed


def test_unit_names_are_looked_up_only_when_asked():
    asked = []

    def lookup(text):
        asked.append(text)
        return text.startswith("Xã")

    p = profile(col(["Xã A", "Xã A", "Bộ phận một cửa", "Xã B"]), lookup)
    assert allows("date", p) is False and asked == []
    assert p.units == 0.75 and allows("unit", p) and sorted(asked) == ["Bộ phận một cửa", "Xã A", "Xã B"]
    assert not allows("unit", profile(col(["Công chức Tư pháp"] * 3), lookup))


def test_a_long_column_is_sampled_at_the_top_and_spread_below():
    values = col([f"v{i}" for i in range(100_000)])
    picked = sample(values, n=400)
    assert len(picked) == 400 and picked.iloc[0] == "v0" and picked.iloc[-1] == "v99999"
    assert sample(col(["", " ", "a"])).tolist() == ["a"]
