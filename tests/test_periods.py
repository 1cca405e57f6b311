import datetime as dt

import pytest

from cchc_analysis.errors import ConfigError
from cchc_analysis.periods import parse_period, previous_period


@pytest.mark.parametrize(
    ("text", "start", "end", "pid"),
    [
        ("2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31), "2023"),
        ("2023H1", dt.date(2023, 1, 1), dt.date(2023, 6, 30), "2023H1"),
        ("2023h2", dt.date(2023, 7, 1), dt.date(2023, 12, 31), "2023H2"),
        ("2023Q3", dt.date(2023, 7, 1), dt.date(2023, 9, 30), "2023Q3"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024-02"),
        ("2023-01-01..2023-08-31", dt.date(2023, 1, 1), dt.date(2023, 8, 31), "2023-01-01_2023-08-31"),
    ],
)
def test_periods(text, start, end, pid):
    p = parse_period(text)
    assert (p.start, p.end, p.id) == (start, end, pid)


@pytest.mark.parametrize("text", ["2023Q5", "2023-13", "2023-08-31..2023-01-01", "quý 3", "2023-02-30..2023-03-01"])
def test_bad_periods(text):
    with pytest.raises(ConfigError, match="không hợp lệ"):
        parse_period(text)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2023Q3", dt.date(2023, 6, 15), dt.date(2023, 9, 14)),
        ("2023-08", dt.date(2023, 7, 15), dt.date(2023, 8, 14)),
        ("2023", dt.date(2022, 12, 15), dt.date(2023, 12, 14)),
        ("2023H1", dt.date(2022, 12, 15), dt.date(2023, 6, 14)),
        ("2023-01-01..2023-08-31", dt.date(2023, 1, 1), dt.date(2023, 8, 31)),
    ],
)
def test_official_cutoff(text, start, end):
    p = parse_period(text, cutoff="official")
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("2023Q1", "2022Q4"),
        ("2023Q3", "2023Q2"),
        ("2023-01", "2022-12"),
        ("2023H1", "2022H2"),
        ("2023H2", "2023H1"),
        ("2023", "2022"),
        ("2023-01-01..2023-08-31", "2022-01-01_2022-08-31"),
        ("2024-02-29..2024-03-31", "2023-02-28_2023-03-31"),
    ],
)
def test_previous_comparable_period(text, previous):
    assert previous_period(parse_period(text)).id == previous


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2023", "year"),
        ("2023H1", "half"),
        ("2023Q3", "quarter"),
        ("2023-08", "month"),
        ("2023-07-01..2023-07-01", "range"),
    ],
)
def test_each_period_knows_its_kind(text, kind):
    assert parse_period(text).kind == kind
    if kind != "range":
        official = parse_period(text, cutoff="official")
        assert (official.kind, official.id) == (kind, parse_period(text).id + "-official")


def test_a_one_day_range_is_a_period():
    p = parse_period("2023-07-01..2023-07-01")
    assert (p.start, p.end, p.id) == (dt.date(2023, 7, 1), dt.date(2023, 7, 1), "2023-07-01_2023-07-01")


@pytest.mark.parametrize(
    ("text", "previous", "start", "end"),
    [
        ("2023Q2", "2023Q1-official", dt.date(2022, 12, 15), dt.date(2023, 3, 14)),  # Q2 minus one: Q1, not Q4
        ("2023Q1", "2022Q4-official", dt.date(2022, 9, 15), dt.date(2022, 12, 14)),
        ("2023-02", "2023-01-official", dt.date(2022, 12, 15), dt.date(2023, 1, 14)),  # February minus one: January
        ("2023-11", "2023-10-official", dt.date(2023, 9, 15), dt.date(2023, 10, 14)),  # two-digit months read whole
        ("2023-01", "2022-12-official", dt.date(2022, 11, 15), dt.date(2022, 12, 14)),
    ],
)
def test_the_period_before_an_official_period_is_official_too(text, previous, start, end):
    p = previous_period(parse_period(text, cutoff="official"))
    assert (p.id, p.start, p.end, p.kind) == (previous, start, end, parse_period(text).kind)


def test_the_period_before_a_range_is_a_range():
    p = previous_period(parse_period("2023-01-01..2023-08-31"))
    assert (p.start, p.end, p.kind) == (dt.date(2022, 1, 1), dt.date(2022, 8, 31), "range")


def test_an_unknown_cutoff_is_refused():
    with pytest.raises(ConfigError, match="'weekly' không hợp lệ"):
        parse_period("2023Q3", cutoff="weekly")


@pytest.mark.parametrize(
    ("text", "cutoff", "spec"),
    [
        ("2023Q3", "calendar", "2023Q3"),
        ("2023", "calendar", "2023"),
        ("2023H2", "calendar", "2023H2"),
        ("2023-08", "calendar", "2023-08"),
        ("2023-01-01..2023-08-31", "calendar", "2023-01-01..2023-08-31"),
        ("2023Q3", "official", "2023Q3-official"),
    ],
)
def test_a_period_travels_as_a_text_that_gives_it_back(text, cutoff, spec):
    """The run hands notebooks this text: the quarter stays a quarter (its previous period and PAR year follow)."""
    from cchc_analysis.periods import period_spec

    p = parse_period(text, cutoff)
    assert period_spec(p) == spec
    assert parse_period(period_spec(p)) == p


def test_an_official_period_id_is_read_back_with_its_cut_off():
    p = parse_period("2023Q3-official")
    assert (p.start, p.end, p.kind, p.id) == (dt.date(2023, 6, 15), dt.date(2023, 9, 14), "quarter", "2023Q3-official")


@pytest.mark.parametrize(
    ("written", "canonical", "start", "end"),
    [
        ("Quý III/2023", "2023Q3", "2023-07-01", "2023-09-30"),
        ("quý 3 năm 2023", "2023Q3", "2023-07-01", "2023-09-30"),
        ("Quý IV năm 2024", "2024Q4", "2024-10-01", "2024-12-31"),
        ("Quý I/2024", "2024Q1", "2024-01-01", "2024-03-31"),
        ("6 tháng đầu năm 2023", "2023H1", "2023-01-01", "2023-06-30"),
        ("6 tháng cuối năm 2023", "2023H2", "2023-07-01", "2023-12-31"),
        ("8 tháng năm 2023", "2023-01-01_2023-08-31", "2023-01-01", "2023-08-31"),  # the reference report's period
        ("9 tháng đầu năm 2024", "2024-01-01_2024-09-30", "2024-01-01", "2024-09-30"),
        ("1 tháng đầu năm 2024", "2024-01-01_2024-01-31", "2024-01-01", "2024-01-31"),  # the shortest
        ("12 tháng năm 2023", "2023-01-01_2023-12-31", "2023-01-01", "2023-12-31"),  # the longest
        ("Tháng 8/2023", "2023-08", "2023-08-01", "2023-08-31"),
        ("tháng 02 năm 2024", "2024-02", "2024-02-01", "2024-02-29"),
        ("Năm 2023", "2023", "2023-01-01", "2023-12-31"),
        ("01/07/2023-30/09/2023", "2023-07-01_2023-09-30", "2023-07-01", "2023-09-30"),
        ("từ 01/07/2023 đến 30/09/2023", "2023-07-01_2023-09-30", "2023-07-01", "2023-09-30"),
        ("1/7/2023 – 30/9/2023", "2023-07-01_2023-09-30", "2023-07-01", "2023-09-30"),
    ],
)
def test_the_forms_an_official_writes(written, canonical, start, end):
    p = parse_period(written)
    assert (p.id, p.start.isoformat(), p.end.isoformat()) == (canonical, start, end)
    assert parse_period(written, "official").id == (canonical + "-official" if p.kind != "range" else canonical)


@pytest.mark.parametrize(
    "written",
    [
        "Quý V/2023",
        "Quý 0/2023",
        "13 tháng năm 2023",
        "7 tháng cuối năm 2023",
        "Tháng 13/2023",
        "31/02/2023-01/03/2023",
        "30/09/2023-01/07/2023",
        "Quý III",
        "năm",
    ],
)
def test_an_official_form_that_is_not_a_period_is_refused_with_the_forms(written):
    with pytest.raises(ConfigError, match="Quý III/2023, 6 tháng đầu năm 2023"):
        parse_period(written)
