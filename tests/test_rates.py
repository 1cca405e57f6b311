"""The rate engine (rates.py) on small catalogues written here: which entries are rates, what an entry must hold,
and the rate's value at the edges of its denominator. Values worked out by hand in the comments."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from cchc_analysis.errors import ConfigError
from cchc_analysis.methodology import _indicator_file
from cchc_analysis.rates import rate_definitions, rate_parts, rate_value

REASONS = {"no_work": "không có hồ sơ", "no_other": "không có gì khác"}


@pytest.fixture
def catalogue(tmp_path, monkeypatch):
    """Write a catalogue of the given entries and point CCHC_INDICATORS_FILE at it."""

    def write(**entries):
        path = tmp_path / f"indicators-{len(list(tmp_path.iterdir()))}.yaml"
        data = {"indicators": entries, "missing_reasons": REASONS}
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        monkeypatch.setenv("CCHC_INDICATORS_FILE", str(path))
        _indicator_file.cache_clear()
        return path

    yield write
    _indicator_file.cache_clear()


def rate(**over):
    return {"numerator": ["a"], "denominator": ["a", "b"], "missing": "no_work", "direction": "higher", **over}


def test_only_entries_with_a_numerator_or_a_denominator_are_rates(catalogue):
    catalogue(count={"label": "Số hồ sơ", "unit": "hồ sơ"}, share=rate(), other=rate(missing="no_other"))
    rates = rate_definitions()
    assert list(rates) == ["share", "other"]  # in the catalogue's order; the plain count is not a rate
    share = rates["share"]
    assert (share.key, share.numerator, share.denominator, share.missing) == ("share", ("a",), ("a", "b"), "no_work")
    assert share.ranked is False and share.requires is None and share.higher_is_better


@pytest.mark.parametrize("half", ["numerator", "denominator"])
def test_half_a_rate_is_refused_not_skipped(catalogue, half):
    entry = rate()
    del entry[half]
    catalogue(share=entry)
    with pytest.raises(ConfigError, match=rf"Chỉ số 'share' của danh mục chỉ số thiếu '{half}'"):
        rate_definitions()


@pytest.mark.parametrize("empty", ["numerator", "denominator"])
def test_an_empty_list_is_refused(catalogue, empty):
    catalogue(share=rate(**{empty: []}))
    with pytest.raises(ConfigError, match="Chỉ số 'share': tử số và mẫu số phải là danh sách số đếm, không được trống"):
        rate_definitions()


def test_a_ranked_rate_needs_a_direction_and_a_short_label(catalogue):
    catalogue(share=rate(ranked=True, direction="none", short_label="Tỷ lệ"))
    with pytest.raises(ConfigError, match="Chỉ số 'share' được xếp hạng nên cần direction: higher hoặc lower"):
        rate_definitions()
    catalogue(share=rate(ranked=True))
    with pytest.raises(ConfigError, match=r"Chỉ số 'share' được xếp hạng nên cần short_label \(tên trong bảng"):
        rate_definitions()
    catalogue(share=rate(ranked=True, direction="lower", short_label="Tỷ lệ"))
    ranked = rate_definitions()["share"]
    assert ranked.ranked is True and not ranked.higher_is_better
    catalogue(share=rate(direction="none"))  # not ranked: any direction is shown as given
    assert rate_definitions()["share"].ranked is False


def test_an_unknown_missing_reason_is_refused_with_the_known_ones(catalogue):
    catalogue(share=rate(missing="nope"))
    with pytest.raises(ConfigError, match=r"lý do thiếu 'nope' không có trong missing_reasons \(no_work, no_other\)"):
        rate_definitions()


def test_a_count_the_table_lacks_is_refused_with_the_rates_key(catalogue):
    catalogue(share=rate(numerator=["zz"]), other=rate(denominator=["a", "yy"]))
    rates = rate_definitions()
    table = pd.DataFrame({"a": [1], "b": [2]})
    with pytest.raises(ConfigError, match="Chỉ số 'share' dùng zz, không phải số đếm"):
        rate_parts(table, rates["share"])
    with pytest.raises(ConfigError, match="Chỉ số 'other' dùng yy, không phải số đếm"):
        rate_parts(table, rates["other"])


def test_the_value_at_the_edges_of_the_denominator(catalogue):
    catalogue(share=rate(), paid=rate(requires="since"))
    rates = rate_definitions()
    # a / (a + b): 1/(1+0) = 100; 0/(0+0) missing; 1/(1+3) = 25; a negative correction leaves (2 + -2) = 0: missing
    table = pd.DataFrame({"a": [1, 0, 1, 2], "b": [0, 0, 3, -2], "since": [1, 1, None, 1]})
    assert rate_value(table, rates["share"]).tolist()[0] == 100.0
    values = rate_value(table, rates["share"])
    assert math.isnan(values[1]) and values[2] == 25.0 and math.isnan(values[3])
    paid = rate_value(table, rates["paid"])
    assert paid[0] == 100.0 and math.isnan(paid[2])  # 25 but the date it requires is unknown: missing
    # one row (a record): the same rules on plain numbers
    assert rate_value({"a": 1, "b": 0, "since": 1}, rates["share"]) == 100.0  # a denominator of exactly 1 counts
    assert math.isnan(rate_value({"a": 0, "b": 0, "since": 1}, rates["share"]))
    assert math.isnan(rate_value({"a": 1, "b": 3, "since": None}, rates["paid"]))
    assert rate_value({"a": 1, "b": 3, "since": 1}, rates["paid"]) == 25.0
    assert rate_parts({"a": 1, "b": 3}, rates["share"]) == (1, 4)


def test_each_rate_belongs_to_one_table(catalogue):
    catalogue(share=rate(), spent=rate(table="budget", numerator=["actual"], denominator=["estimate"]))
    assert list(rate_definitions()) == ["share"] and list(rate_definitions("budget")) == ["spent"]
    assert rate_definitions("budget")["spent"].table == "budget" and rate_definitions()["share"].table == "dossiers"
    assert rate_definitions("par") == {}
    # 250 of an estimate of 1.000 = 25%; an estimate of 0 or unknown leaves the figure missing
    spent = rate_definitions("budget")["spent"]
    assert rate_value({"actual": 250.0, "estimate": 1000.0}, spent) == 25.0
    assert math.isnan(rate_value({"actual": 250.0, "estimate": 0.0}, spent))
    assert math.isnan(rate_value({"actual": 250.0, "estimate": float("nan")}, spent))
    catalogue(spent=rate(table="ledger"))
    with pytest.raises(ConfigError, match="Chỉ số 'spent': bảng 'ledger' không có; các bảng: dossiers, budget"):
        rate_definitions()
    catalogue(spent=rate(table="budget", ranked=True, short_label="Chi"))
    with pytest.raises(ConfigError, match="Chỉ số 'spent': chỉ xếp hạng được các tỷ lệ của bảng hồ sơ"):
        rate_definitions("budget")


# --- the figures the briefs pick, from the catalogue too ------------------------------------------------------------

RECORD = {
    "received_total": 2527,
    "online_rate": 99.8,
    "resolved_early_pct": 97.05,
    "on_time_rate_766": 100.0,
    "online_payment_rate": None,
    "revenue_execution_pct": 84.48345,
    "expenditure_execution_pct": 60.125,
    "budget_as_of": "2023-08-31",
    "par_year": 2022,
    "par_total_score": 83.447,
    "par_rank": 11,
    "par_rank_of": 17,
}


def test_the_unit_briefs_key_figures_follow_the_shipped_list():
    from cchc_analysis.brief import _key_figures

    got = [(k.label, k.value, k.note) for k in _key_figures(RECORD)]
    assert got == [
        ("Hồ sơ tiếp nhận", "2.527", "hồ sơ, gồm cả chuyển từ kỳ trước"),
        ("Nộp trực tuyến", "99,8%", "hồ sơ tiếp nhận mới"),
        ("Giải quyết trước hạn", "97,1%", "hồ sơ đã giải quyết"),  # 97,05 half up to one decimal
        ("Trong hạn (QĐ 766)", "100,0%", "đã và đang giải quyết"),
        ("Thanh toán trực tuyến", "—", "hồ sơ phải nộp phí"),
        ("Thực hiện dự toán thu", "84,48%", "đến 31/08/2023"),  # budget percentages: two decimals
        ("Thực hiện dự toán chi", "60,13%", "đến 31/08/2023"),  # 60,125 half up
        ("Chỉ số CCHC 2022", "83,447 điểm", "xếp thứ 11/17"),
    ]
    assert [k.label for k in _key_figures({**RECORD, "par_year": None})][-1] == "Thực hiện dự toán chi"
    # a figure missing for a stated reason says it, instead of a note about what is not there ("đến —")
    why = "không có báo cáo ngân sách trong năm tài chính đến cuối kỳ"
    no_budget = {
        **RECORD,
        "budget_as_of": None,
        "revenue_execution_pct": None,
        "missing": {"revenue_execution_pct": why},
    }
    assert [(k.value, k.note) for k in _key_figures(no_budget) if k.label == "Thực hiện dự toán thu"] == [("—", why)]


def test_key_figures_and_the_group_table_are_the_catalogues_to_change(catalogue, tmp_path):
    from cchc_analysis.brief import _key_figures
    from cchc_analysis.methodology import group_table_spec

    path = catalogue(share=rate(label="Tỷ lệ", unit="%", decimals=2))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["key_figures"] = [{"key": "share", "label": "Tỷ lệ đến {as_of}", "note": "của {who}"}]
    data["group_table"] = {"main": {"key": "share", "column": "Tỷ lệ, xếp thứ"}, "columns": []}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _indicator_file.cache_clear()
    (k,) = _key_figures({"share": 12.345, "as_of": "2024-01-31"})
    assert (k.label, k.value, k.note) == ("Tỷ lệ đến 31/01/2024", "12,35%", "của —")  # a field not in the record: —
    assert group_table_spec() == ({"key": "share", "column": "Tỷ lệ, xếp thứ"}, [])
    data["key_figures"] = [{"key": "nope", "label": "X"}]
    data["group_table"]["columns"] = [{"key": "share"}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _indicator_file.cache_clear()
    with pytest.raises(ConfigError, match=r"mục key_figures: .*nope.* cần key"):
        _key_figures({})
    with pytest.raises(ConfigError, match=r"mục group_table: .*share.* cần key .* và column"):
        group_table_spec()


def test_a_group_table_column_of_an_unknown_indicator_is_refused(catalogue):
    from cchc_analysis.methodology import group_table_spec

    path = catalogue(share=rate())
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["group_table"] = {"main": {"key": "share", "column": "Tỷ lệ"}, "columns": [{"key": "nope", "column": "X"}]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _indicator_file.cache_clear()
    with pytest.raises(ConfigError, match=r"mục group_table: .*'nope'.* cần key"):
        group_table_spec()
