"""Rules that decide published figures, each pinned at its edge with values worked out by hand (issue 17): PAR
totals and ranks, dossier states at a period's edges, the budget's fiscal year, display rounding on exact ties."""

import pandas as pd
import pytest

from cchc_analysis.coverage import monthly_counts
from cchc_analysis.indicators import compute_budget_indicators, compute_par_indicators
from cchc_analysis.methodology import format_vn, round_display
from cchc_analysis.periods import parse_period
from cchc_analysis.states import dossier_states, may_count_in, received_in
from cchc_analysis.text import vn_decimal

from .dossier_rows import stored_dossier

T = pd.Timestamp
Q3 = parse_period("2023Q3")  # 01/07/2023 - 30/09/2023


# --- PAR --------------------------------------------------------------------------------------------------------


def par(rows):
    return pd.DataFrame(
        [
            {"unit_id": u, "year": 2022, "published_date": T("2023-03-28"), "component": c, "score": s, "max_score": m}
            for u, c, s, m in rows
        ]
    )


def test_par_total_maximum_is_the_sum_of_the_component_maxima():
    # maxima 20 + 11,5 + 68,5 = 100; scores 15 + 8,417 + 60 = 83,417: 83,417% of 100
    table = par(
        [
            ("A", "Công tác chỉ đạo", 15.0, 20.0),
            ("A", "Chính quyền điện tử, chính quyền số", 8.417, 11.5),
            ("A", "Tác động", 60.0, 68.5),
        ]
    )
    rec = compute_par_indicators(table, Q3).set_index("unit_id").loc["A"]
    assert rec["par_total_max"] == pytest.approx(100.0)
    assert rec["par_total_score"] == pytest.approx(83.417)
    assert rec["par_total_pct"] == pytest.approx(83.417)
    egov = next(c for c in rec["par_components"] if c["component"].startswith("Chính quyền"))
    assert egov["pct"] == pytest.approx(73.1913, abs=1e-4)  # 8,417 / 11,5 = 73,19%: the seed report's figure


def test_the_par_total_rank_and_its_group_size_by_hand():
    # totals: A 15 + 8,417 = 23,417; B 20 + 5 = 25; C 13,417 + 10 = 23,417 (ties A): B 1st, A and C share 2nd, of 3
    table = par(
        [
            ("A", "Công tác chỉ đạo", 15.0, 20.0),
            ("A", "Chính quyền số", 8.417, 11.5),
            ("B", "Công tác chỉ đạo", 20.0, 20.0),
            ("B", "Chính quyền số", 5.0, 11.5),
            ("C", "Công tác chỉ đạo", 13.417, 20.0),
            ("C", "Chính quyền số", 10.0, 11.5),
        ]
    )
    got = compute_par_indicators(table, Q3).set_index("unit_id")
    assert got["par_rank"].to_dict() == {"A": 2, "B": 1, "C": 2}
    assert got["par_rank_of"].to_dict() == {"A": 3, "B": 3, "C": 3}
    assert got.loc["B", "par_year"] == 2022


def test_par_total_ties_hold_when_float_sums_differ_in_the_last_bit():
    # A: 0,1 + 0,2 = 0.30000000000000004 in binary; B: 0,3 + 0 = 0.3: the same total, the same rank
    table = par(
        [
            ("A", "X", 0.1, 1.0),
            ("A", "Y", 0.2, 1.0),
            ("B", "X", 0.3, 1.0),
            ("B", "Y", 0.0, 1.0),
            ("C", "X", 0.0, 1.0),
            ("C", "Y", 0.1, 1.0),
        ]
    )
    assert 0.1 + 0.2 != 0.3  # the premise
    ranks = compute_par_indicators(table, Q3).set_index("unit_id")["par_rank"].to_dict()
    assert ranks == {"A": 1, "B": 1, "C": 3}


@pytest.mark.parametrize(("score", "below"), [(7.5, False), (7.4999, True), (7.5001, False)])
def test_below_75_percent_exactly_at_75(score, below):
    # 7,5 / 10 = 75,00%: not below 75% (the self-review rule applies below, not at, 75%)
    table = par([("A", "Cải cách thủ tục hành chính", score, 10.0), ("A", "Tác động", 90.0, 90.0)])
    comp = compute_par_indicators(table, Q3).set_index("unit_id").loc["A", "par_components"][0]
    assert comp["below_75"] is below and comp["self_review_required"] is below


def test_a_component_outside_the_self_review_list_is_flagged_but_not_reviewed():
    table = par([("A", "Tác động của cải cách", 5.0, 10.0)])
    comp = compute_par_indicators(table, Q3).set_index("unit_id").loc["A", "par_components"][0]
    assert comp["below_75"] and not comp["self_review_required"]


# --- dossier states at a period's edges ---------------------------------------------------------------------------


def dossier(received, due=None, done=None, status="resolved"):
    return stored_dossier("U", received, due, done, status)


def states(*rows):
    return dossier_states(pd.DataFrame(list(rows)), Q3)


def test_finished_on_the_due_day_at_2359_is_on_time_at_midnight_after_it_is_late():
    s = states(
        dossier("2023-07-03 08:00", "2023-07-10", "2023-07-10 23:59"),
        dossier("2023-07-03 08:00", "2023-07-10", "2023-07-11 00:00"),
        dossier("2023-07-03 08:00", "2023-07-10", "2023-07-09 23:59"),
    )
    assert s["resolved_class"].tolist() == ["on_time", "late", "early"]


def test_received_at_midnight_after_the_period_is_not_in_it():
    s = states(
        dossier("2023-10-01 00:00", None, None, "in_progress"), dossier("2023-09-30 23:59", None, None, "in_progress")
    )
    assert s["new"].tolist() == [False, True]
    assert s["pending"].tolist() == [False, True]


def test_due_on_the_periods_last_day_and_pending_is_within_the_deadline():
    # the due date covers its whole day: pending at the end of 30/09 with due 30/09 is not yet overdue
    s = states(
        dossier("2023-09-20 08:00", "2023-09-30", None, "in_progress"),
        dossier("2023-09-20 08:00", "2023-09-29", None, "in_progress"),
    )
    assert s["pending"].all() and s["overdue"].tolist() == [False, True]


def test_finished_on_the_first_day_after_the_period_is_pending_at_its_end():
    s = states(dossier("2023-09-20 08:00", "2023-10-05", "2023-10-01 00:00"))
    assert (s["resolved"].iloc[0], s["pending"].iloc[0]) == (False, True)


def test_finished_on_the_periods_last_day_is_resolved_not_pending():
    s = states(
        dossier("2023-09-20 08:00", "2023-10-05", "2023-09-30 23:59"),
        dossier("2023-09-20 08:00", "2023-10-05", "2023-09-30 00:00"),
    )
    assert s["resolved"].tolist() == [True, True] and s["pending"].tolist() == [False, False]


def test_the_finish_is_processing_then_result_then_handover():
    # due 10/07: processed 09/07 (early) although the result came 11/07; a result alone on 10/07 (on time); only
    # handed over 12/07 (late); none of the three: pending
    rows = [dossier("2023-07-03 08:00", "2023-07-10") for _ in range(4)]
    rows[0].update(processed_at=T("2023-07-09 10:00"), result_at=T("2023-07-11 10:00"), handed_at=T("2023-07-12"))
    rows[1].update(processed_at=pd.NaT, result_at=T("2023-07-10 16:00"), handed_at=T("2023-07-12"))
    rows[2].update(processed_at=pd.NaT, result_at=pd.NaT, handed_at=T("2023-07-12 09:00"))
    rows[3].update(processed_at=pd.NaT, status="in_progress")
    s = states(*rows)
    assert s["resolved_class"].tolist()[:3] == ["early", "on_time", "late"] and pd.isna(s["resolved_class"].iloc[3])
    assert s["finish"].tolist()[:3] == [T("2023-07-09"), T("2023-07-10"), T("2023-07-12")]
    assert s["pending"].tolist() == [False, False, False, True]


def test_states_keep_the_rows_of_the_input_and_leave_not_accepted_ones_out():
    rows = pd.DataFrame(
        [
            dossier("2023-07-03 08:00", "2023-07-10", "2023-07-05"),
            dossier("2023-07-03 08:00", None, None, "not_accepted"),
            {**dossier("2023-07-04 08:00", None, "2023-07-06"), "unit_id": "V", "channel": "direct"},
        ],
        index=[10, 20, 30],
    )
    s = dossier_states(rows, Q3)
    assert s.index.tolist() == [10, 30]
    assert s["unit_id"].tolist() == ["U", "V"] and s["channel"].tolist() == ["online", "direct"]
    # no due date: resolved, in no class
    assert s["resolved"].tolist() == [True, True] and s["resolved_class"].tolist()[0] == "early"
    assert pd.isna(s["resolved_class"].loc[30])


def test_a_withdrawn_dossier_without_an_end_date_ends_on_its_receipt_day():
    s = states(
        dossier("2023-07-03 08:00", "2023-07-10", None, "withdrawn"),
        dossier("2023-06-20 08:00", "2023-07-10", None, "returned"),  # received (so ended) before the period
    )
    assert s["finish"].tolist() == [T("2023-07-03"), T("2023-06-20")]
    assert s["stopped"].tolist() == [True, False] and s["stopped_kind"].tolist()[0] == "withdrawn"
    assert not s["pending"].any() and not s["resolved"].any() and s["carried"].tolist() == [False, False]


def test_carried_over_means_received_before_and_not_finished_before_the_first_day():
    s = states(
        dossier("2023-06-28 08:00", "2023-07-05", "2023-07-01 00:00"),  # finished on the first day: carried
        dossier("2023-06-28 08:00", "2023-07-05", "2023-06-30 23:59"),  # finished before it: not in the period
    )
    assert s["carried"].tolist() == [True, False] and s["resolved"].tolist() == [True, False]


def first_cut_rows():
    return [
        dossier("2023-09-30 23:59", None, None, "in_progress"),  # received at the last minute: in
        dossier("2023-10-01 00:00", None, None, "in_progress"),  # received at 00:00 after the period: out
        dossier("2023-06-28 08:00", "2023-07-05", "2023-07-01 00:00"),  # finished at the first minute: carried, in
        dossier("2023-06-28 08:00", "2023-07-05", "2023-06-30 23:59"),  # finished the minute before: out
        dossier("2023-06-20 08:00", None, None, "returned"),  # returned before the period, no end date: out
        dossier("2023-07-03 08:00", None, None, "not_accepted"),  # never received: out
        {**dossier("2023-06-20 08:00"), "status": None},  # blank status, never finished: received, carried, in
        {**dossier("2023-07-20 08:00"), "received_at": pd.NaT},  # no receipt date: out
    ]


@pytest.mark.parametrize("status_dtype", ["object", "string"])
def test_the_first_cut_keeps_exactly_the_dossiers_the_period_handles(status_dtype):
    # may_count_in is a cheap filter run before dossier_states: on data without contradictions it must keep every
    # dossier the period handles (new or carried over) and nothing else, whatever the status column's dtype
    frame = pd.DataFrame(first_cut_rows()).astype({"status": status_dtype})
    keep = may_count_in(frame, Q3)
    assert keep.dtype == bool
    assert keep.tolist() == [True, False, True, False, False, False, True, False]
    s = dossier_states(frame, Q3)
    assert s.index.tolist() == [0, 1, 2, 3, 4, 6, 7]  # only the not-accepted dossier is left out
    handled = (s["new"] | s["carried"]).reindex(frame.index, fill_value=False)
    assert handled.tolist() == keep.tolist()
    assert s.loc[6, "pending"] and s.loc[6, "carried"]  # the blank status is not read as "withdrawn"
    new = received_in(frame, Q3)
    assert new.tolist() == [True, False, False, False, False, False, False, False]


def test_monthly_counts_have_no_phantom_month_after_the_period():
    frame = pd.DataFrame([dossier("2023-09-30 23:59"), dossier("2023-10-01 00:00"), dossier("2023-07-01 00:00")])
    counts = monthly_counts(frame, Q3)
    assert counts["month"].tolist() == ["2023-07", "2023-09"]  # 01/10 00:00 is the next quarter's


# --- budget: a new fiscal year resets the cumulative figures --------------------------------------------------------


def budget_line(as_of, actual, estimate=1000.0, year=None):
    as_of = T(as_of)
    return {
        "unit_id": "U",
        "fiscal_year": year or as_of.year,
        "as_of": as_of,
        "level": 0,
        "section": "revenue",
        "estimate": estimate,
        "adjusted_estimate": float("nan"),
        "actual_cumulative": actual,
    }


def test_a_december_report_never_counts_in_january():
    table = pd.DataFrame([budget_line("2023-12-31", 950.0)])
    assert compute_budget_indicators(table, parse_period("2024-01")).empty


def test_the_latest_report_of_the_same_fiscal_year_up_to_the_periods_end():
    table = pd.DataFrame(
        [budget_line("2023-12-31", 950.0), budget_line("2024-01-31", 80.0), budget_line("2024-02-29", 170.0)]
    )
    rec = compute_budget_indicators(table, parse_period("2024-01")).set_index("unit_id").loc["U"]
    assert rec["budget_as_of"] == T("2024-01-31") and rec["revenue_actual"] == 80.0
    assert rec["revenue_execution_pct"] == pytest.approx(8.0)  # 80 / 1.000


def test_an_estimate_of_zero_or_none_leaves_the_execution_missing_not_infinite():
    table = pd.DataFrame([budget_line("2024-01-31", 80.0, estimate=0.0)])
    rec = compute_budget_indicators(table, parse_period("2024-01")).set_index("unit_id").loc["U"]
    assert rec["revenue_actual"] == 80.0 and rec["revenue_execution_pct"] is None
    table = pd.DataFrame([budget_line("2024-01-31", 80.0, estimate=float("nan"))])
    assert compute_budget_indicators(table, parse_period("2024-01"))["revenue_execution_pct"].tolist() == [None]
    # the expenditure lines are absent: their figures are missing, the revenue's are not
    rec = compute_budget_indicators(pd.DataFrame([budget_line("2024-01-31", 80.0)]), parse_period("2024-01")).iloc[0]
    assert rec["revenue_execution_pct"] == pytest.approx(8.0) and rec["expenditure_execution_pct"] is None


# --- display rounding: half up on exact ties, everywhere -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (6.25, 1, "6,3"),
        (0.125, 2, "0,13"),
        (99.75, 1, "99,8"),
        (2.675, 2, "2,68"),  # 2.675 is 2.67499999... in binary; written as 2,675 it rounds up
        (73.19130434, 2, "73,19"),
        (1152 / 1258 * 100, 1, "91,6"),
        (2527.5, 0, "2.528"),
        (-0.05, 1, "-0,1"),  # half away from zero
    ],
)
def test_half_up_on_exact_ties(value, places, shown):
    assert format_vn(value, places) == shown
    assert str(round_display(value, places)).replace(".", ",").lstrip("-") == shown.replace(".", "").lstrip("-")


def test_decimals_without_trailing_zeros_round_half_up_too():
    assert vn_decimal(0.125, 2) == "0,13" and vn_decimal(11.5, 3) == "11,5" and vn_decimal(8.4175, 3) == "8,418"
