"""The analyst's API (cchc_analysis.api, importable from the package) on the demo store: its docstring examples run,
and its tables agree with the indicators they summarise."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

import cchc_analysis
from cchc_analysis import api

pytestmark = pytest.mark.slow  # the demo district, ingested once per session


@pytest.fixture(scope="module")
def data_dir(ingested, demo_dir):
    return demo_dir


def test_every_name_the_package_lists_is_importable():
    assert all(callable(getattr(cchc_analysis, name)) for name in cchc_analysis.__all__ if name != "__version__")
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        cchc_analysis.nope  # noqa: B018


def test_the_docstring_examples_run(data_dir):
    result = doctest.testmod(api, extraglobs={"data_dir": data_dir}, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 6 and result.failed == 0


def test_load_dossiers_takes_a_unit_or_several_every_period_form_and_the_columns_wanted(data_dir):
    one = api.load_dossiers(data_dir, "Quý III/2023", "Thanh Giang")
    assert one.equals(api.load_dossiers(data_dir, "2023Q3", ["Thanh Giang"]))
    assert set(one["unit_name"]) == {"Xã Thanh Giang"} and one.columns[:2].tolist() == ["unit_id", "unit_name"]
    two = api.load_dossiers(data_dir, "2023Q3", ["Thanh Giang", "Lam Sơn"], columns=["channel", "received_at"])
    assert two.columns.tolist() == ["unit_id", "unit_name", "channel", "received_at"]
    assert set(two["unit_name"]) == {"Xã Thanh Giang", "Xã Lam Sơn"}
    from cchc_analysis.errors import InputFileError

    with pytest.raises(InputFileError, match="Bảng hồ sơ không có cột khong_co"):
        api.load_dossiers(data_dir, columns=["khong_co"])


def test_the_tables_agree_with_the_indicators(data_dir):
    ind = api.indicators_frame(data_dir, "2023Q3", units=["Thanh Giang", "Lam Sơn"]).set_index("unit_name")
    months = api.monthly_summary(data_dir, "2023Q3", units=["Thanh Giang", "Lam Sơn"])
    by_unit = months.groupby("unit_name")[["new", "resolved", "resolved_in_time"]].sum()
    for name in ("Xã Thanh Giang", "Xã Lam Sơn"):
        row = ind.loc[name]
        assert by_unit.loc[name, "new"] == row["received_total"] - row["carried_over"]
        known = row["resolved_early"] + row["resolved_on_time"] + row["resolved_late"]
        assert by_unit.loc[name, "resolved"] == known
        assert by_unit.loc[name, "resolved_in_time"] == row["resolved_early"] + row["resolved_on_time"]
    # by field and channel: the same new dossiers, split further
    split = api.monthly_summary(data_dir, "2023Q3", units="Thanh Giang", by=["field", "channel"])
    tg = ind.loc["Xã Thanh Giang"]
    assert split["new"].sum() == tg["received_total"] - tg["carried_over"]
    assert set(split["channel"].dropna()) <= {"online", "direct", "postal"}
    table = api.tt01_table(data_dir, "2023Q3", "Thanh Giang")
    assert table.iloc[-1]["received_total"] == tg["received_total"]  # the totals row


def test_labels_and_integer_ranks(data_dir):
    labelled = api.indicators_frame(data_dir, "2023Q3", units="Thanh Giang", labels=True)
    assert "Tổng số hồ sơ tiếp nhận" in labelled.columns and "Đơn vị" in labelled.columns
    ranks = api.rankings_frame(data_dir, "2023Q3", group="Huyện Thanh Miện", indicators=["online_rate"])
    assert ranks["rank"].dtype == "Int64" and ranks["rank_of"].dtype == "Int64"
    shown = ranks[["rank", "rank_of"]].astype(str)
    assert not shown.apply(lambda c: c.str.contains(r"^\d+\.0$")).any().any()  # 3, never 3.0
    assert set(ranks["indicator"]) == {"online_rate"}
    assert isinstance(api.with_labels(ranks), pd.DataFrame) and "Thứ hạng" in api.with_labels(ranks).columns
