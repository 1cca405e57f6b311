"""The dossier-state rules run as SQL (DuckDB) over a DataFrame or the store's files: what SQL does differently from
Python by default (NULLs, whitespace, row order, column types) pinned with values worked out by hand, and the two
sources (a DataFrame, the Parquet dataset) giving the same counts."""

import pandas as pd
import pytest

from cchc_analysis.indicators import compute_onestop_indicators, dossier_checks, unit_history
from cchc_analysis.methodology import load_methodology
from cchc_analysis.periods import parse_period
from cchc_analysis.states import StoreRows, blank, connect, dossier_states, may_count_in

from .dossier_rows import stored_dossier

T = pd.Timestamp
Q3 = parse_period("2023Q3")


def _row(unit, received, done=None, due=None, status="resolved", channel="online", **extra):
    columns = {k: v for k, v in extra.items() if k in ("status_raw", "payment_raw", "catalogue_code")}
    return stored_dossier(
        unit, received, due, done, status, channel, fee=extra.get("fee", 0.0), payment_method=extra.get("pay"),
        procedure=extra.get("procedure", "Thủ tục X"), digitised=None, **columns,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "is_blank"),
    [
        (None, True),
        ("", True),
        ("   ", True),
        ("\u00a0\t\u3000 ", True),  # non-breaking, tab, ideographic space: Python's str.strip() removes them all
        (" Lạ", False),  # a space first, then text
        ("Lạ ", False),
        ("\u200b", False),  # a zero-width space is not whitespace to Python either
    ],
)
def test_a_raw_cell_is_blank_in_sql_exactly_when_python_strips_it_to_nothing(text, is_blank):
    frame = pd.DataFrame({"x": pd.Series([text], dtype=object)})
    with connect(tables={"t": frame}) as con:
        (got,) = con.execute(f"SELECT {blank('x')} FROM t").fetchone()
    assert got is is_blank
    assert is_blank == (text is None or text.strip() == "")


def test_a_status_written_as_spaces_is_blank_not_an_unrecognised_status():
    # a1: status written "\u00a0 " (blank: no status given), a2: written " Lạ" (a status the vocabulary lacks),
    # both with no recognised status; received in July, pending
    frame = pd.DataFrame(
        [
            _row("A", "2023-07-03", status=None, status_raw="\u00a0 "),
            _row("A", "2023-07-04", status=None, status_raw=" Lạ"),
        ]
    )
    got = compute_onestop_indicators(frame, Q3, None, load_methodology()).set_index("unit_id").loc["A"]
    assert (got["new_total"], got["pending_total"], got["status_unknown"]) == (2, 2, 1)


def test_states_follow_the_frames_rows_whatever_its_index():
    # index 9, 2, 5 (not sorted, not 0..n): row 9 new and resolved early, row 2 not accepted (left out), row 5
    # carried over and pending
    frame = pd.DataFrame(
        [
            _row("A", "2023-07-10", done="2023-07-11", due="2023-07-15"),
            _row("A", "2023-07-12", status="not_accepted"),
            _row("B", "2023-06-01", status="in_progress"),
        ],
        index=[9, 2, 5],
    )
    s = dossier_states(frame, Q3)
    assert s.index.tolist() == [9, 5]
    assert s.loc[9, ["unit_id", "new", "carried", "resolved", "pending"]].tolist() == ["A", True, False, True, False]
    assert s.loc[9, "resolved_class"] == "early" and s.loc[9, "finish"] == T("2023-07-11")
    assert s.loc[5, ["unit_id", "new", "carried", "resolved", "pending"]].tolist() == ["B", False, True, False, True]
    assert pd.isna(s.loc[5, "resolved_class"]) and pd.isna(s.loc[5, "finish"])
    assert may_count_in(frame, Q3).tolist() == [True, False, True]


def test_a_status_column_without_any_value_counts_every_dossier_as_received():
    # an all-blank object column reaches SQL with no type at all; blank statuses are received dossiers
    frame = pd.DataFrame([_row("A", "2023-07-10", status=None), _row("A", "2023-07-11", status=None)])
    frame["status"] = pd.Series([None, None], dtype=object)
    got = compute_onestop_indicators(frame, Q3, None, load_methodology()).set_index("unit_id").loc["A"]
    assert (got["new_total"], got["received_total"], got["pending_total"]) == (2, 2, 2)


def test_a_unit_whose_checks_are_all_undecidable_counts_zero_not_missing():
    # unit B's only dossier has no finish date and no fee: every check's condition is NULL in SQL for the unit
    frame = pd.DataFrame(
        [
            _row("A", "2023-07-10", done="2023-07-09"),  # finished the day before it was received
            _row("B", "2023-07-10", status="in_progress", fee=float("nan")),
        ]
    )
    frame["catalogue_fee_kind"] = None
    checks = dossier_checks(frame, Q3)
    assert checks.loc["A"].tolist() == [1, 0, 0]
    assert checks.loc["B"].tolist() == [0, 0, 0]
    assert checks.dtypes.tolist() == ["int64"] * 3


def test_the_store_and_a_frame_of_the_same_rows_give_the_same_counts(tmp_path):
    # written as a hive dataset the way the store writes it (province and year folders); hand-checked below
    rows = [
        _row("A", "2023-06-20", done="2023-07-03", due="2023-07-01"),  # carried over, resolved late
        _row("A", "2023-07-05", done="2023-07-06", due="2023-07-10", pay="online", fee=5.0),  # new, early, paid
        _row("A", "2023-09-30 23:59", status="in_progress", due="2023-10-05"),  # new, pending within
        _row("A", "2023-10-01 00:00", status="in_progress"),  # after the quarter
        _row("B", "2022-12-30", done="2023-01-02"),  # ended before the quarter: B still gets a row (zeros)
    ]
    frame = pd.DataFrame(rows)
    for year, part in frame.groupby(frame["received_at"].dt.year):
        folder = tmp_path / "dossiers" / "province=p" / f"year={year}"
        folder.mkdir(parents=True)
        part.to_parquet(folder / "part-0.parquet", index=False)
    store = StoreRows(tmp_path / "dossiers", list(frame.columns))
    m = load_methodology()
    from_store = compute_onestop_indicators(store, Q3, None, m, unit_history(store)).set_index("unit_id")
    from_frame = compute_onestop_indicators(frame, Q3, None, m).set_index("unit_id")
    pd.testing.assert_frame_equal(from_store, from_frame)
    a, b = from_store.loc["A"], from_store.loc["B"]
    assert [a[k] for k in ("new_total", "carried_over", "resolved_early", "resolved_late", "pending_total")] == [
        2,
        1,
        1,
        1,
        1,
    ]
    assert (a["fee_dossiers"], a["fee_paid_online"], a["payment_tracked_from"]) == (1, 1, T("2023-07-05"))
    assert (b["received_total"], b["resolved_total"]) == (0, 0)


def test_a_store_file_without_some_rule_columns_is_counted_with_them_blank(tmp_path):
    # a store written by hand: no status, result, handed-over or due columns. a1 received 02/07 and processed 05/07
    # (new, resolved, deadline unknown); a2 received 01/06 and never finished (carried over, pending)
    frame = pd.DataFrame(
        {
            "unit_id": ["A", "A"],
            "received_at": pd.to_datetime(["2023-07-02", "2023-06-01"]),
            "processed_at": pd.to_datetime(["2023-07-05", None]),
            "channel": ["online", "direct"],
            "fee": [0.0, 0.0],
            "procedure": ["x", "y"],
        }
    )
    frame.to_parquet(tmp_path / "dossiers.parquet", index=False)
    from cchc_analysis.store import store_rows

    history = unit_history(store_rows(tmp_path))
    got = compute_onestop_indicators(store_rows(tmp_path, Q3), Q3, None, load_methodology(), history)
    a = got.set_index("unit_id").loc["A"]
    assert [a[k] for k in ("new_total", "carried_over", "resolved_total", "resolved_unknown_deadline")] == [1, 1, 1, 1]
    # a2, direct, is carried over, not new: no new direct dossier
    assert [a[k] for k in ("pending_total", "pending_unknown_deadline", "received_online", "received_direct")] == [
        1,
        1,
        1,
        0,
    ]


def test_a_dossier_received_after_the_period_but_ended_on_its_first_day_is_checked_in_it(tmp_path):
    # received 03/10/2023 (after Q3), processed 01/07/2023 00:00 (Q3's first instant): ended before it was received,
    # which the checks of Q3 report; one ended 30/06 23:59 and received 03/10 belongs to neither Q3 nor its checks
    frame = pd.DataFrame(
        [
            _row("A", "2023-10-03", done="2023-07-01 00:00"),
            _row("B", "2023-10-03", done="2023-06-30 23:59"),
        ]
    )
    frame["catalogue_fee_kind"] = None
    assert dossier_checks(frame, Q3)["finish_before_receipt"].to_dict() == {"A": 1, "B": 0}
    # the same through the store, whose rows for the checks are those Q3 may count or that ended in it
    from cchc_analysis.store import store_rows

    frame.to_parquet(tmp_path / "dossiers.parquet", index=False)
    got = dossier_checks(store_rows(tmp_path, Q3, finished_in=True), Q3)
    assert got["finish_before_receipt"].to_dict() == {"A": 1}
