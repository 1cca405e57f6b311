"""Indicators whose input the exports did not give (indicators.unknown_inputs) and periods no export covers:
missing with the reason, never computed as if the unknown were zero. Values worked out by hand."""

import pandas as pd
import pytest

from cchc_analysis.indicators import compute_onestop_indicators, unknown_inputs
from cchc_analysis.periods import parse_period

JULY = parse_period("2023-07")
T = pd.Timestamp


def dossiers(n_online: int, n_unknown_channel: int) -> pd.DataFrame:
    """New July dossiers, resolved early, ``n_unknown_channel`` of them with a channel nobody recognised."""
    rows = []
    for i in range(n_online + n_unknown_channel):
        rows.append(
            {
                "unit_id": "U",
                "received_at": T("2023-07-03 08:00"),
                "due_at": T("2023-07-10"),
                "processed_at": T("2023-07-05 10:00"),
                "result_at": pd.NaT,
                "handed_at": pd.NaT,
                "status": "resolved",
                "status_raw": "Đã trả kết quả",
                "channel": "online" if i < n_online else None,
                "fee": 0.0,
                "payment_method": None,
                "payment_raw": None,
                "digitised": None,
                "procedure": "Thủ tục X",
            }
        )
    return pd.DataFrame(rows)


def record(frame: pd.DataFrame, max_share: float = 0.05) -> dict:
    row = compute_onestop_indicators(frame, JULY).set_index("unit_id").loc["U"].to_dict()
    rec = {k: row[k] for k in ("received_online", "received_direct", "received_postal", "online_rate")}
    rec |= {"missing": {}}
    unknown_inputs(rec, row, max_share)
    return rec


def test_one_unknown_channel_in_twenty_is_five_percent_computed_with_a_warning():
    # 19 online + 1 unknown: 1/20 = 5,00% is not above the 5% threshold: online rate 19/20 = 95%, and a warning
    rec = record(dossiers(19, 1))
    assert rec["received_online"] == 19 and rec["online_rate"] == pytest.approx(95.0)
    assert rec["missing"] == {} and any("1/20 hồ sơ mới không rõ kênh nộp" in w for w in rec["input_warnings"])


def test_two_unknown_channels_in_twenty_leave_the_channel_figures_missing():
    # 2/20 = 10% > 5%: no "90% online" as if the two were not online
    rec = record(dossiers(18, 2))
    for key in ("received_online", "received_direct", "received_postal", "online_rate"):
        assert rec[key] is None and "2/20 hồ sơ mới không rõ kênh nộp" in rec["missing"][key]


def test_every_channel_unknown_is_never_zero_percent_online():
    rec = record(dossiers(0, 5))
    assert rec["online_rate"] is None and rec["received_online"] is None


def test_the_threshold_comes_from_the_methodology():
    assert record(dossiers(18, 2), max_share=0.10)["online_rate"] == pytest.approx(90.0)


def test_unrecognised_payment_of_fee_bearing_dossiers():
    frame = dossiers(10, 0)
    frame["fee"] = 2000.0
    frame["payment_method"] = ["online"] * 8 + [None, None]
    frame["payment_raw"] = ["Trực tuyến"] * 8 + ["Ví XYZ", ""]  # one unrecognised, one blank (not paid online)
    row = compute_onestop_indicators(frame, JULY).set_index("unit_id").loc["U"].to_dict()
    assert (row["fee_dossiers"], row["fee_paid_online"], row["payment_unknown"]) == (10, 8, 1)
    rec = {"fee_dossiers": 10, "fee_paid_online": 8, "online_payment_rate": 80.0, "missing": {}}
    unknown_inputs(rec, row, 0.05)  # 1/10 = 10% unknown: the rate would be 80% or 90%
    assert rec["online_payment_rate"] is None and "hình thức thanh toán" in rec["missing"]["online_payment_rate"]


def test_a_resolved_status_without_a_finish_date_is_an_unknown_finish():
    frame = dossiers(10, 0)
    frame.loc[:2, "processed_at"] = pd.NaT  # 3 dossiers say "resolved" and have no finish date
    row = compute_onestop_indicators(frame, JULY).set_index("unit_id").loc["U"].to_dict()
    # counted as pending by the dates, but the status says otherwise: 3/10 unknown
    assert (row["pending_total"], row["finish_unknown"], row["handled_total"]) == (3, 3, 10)
    rec = {"resolved_total": 7, "pending_total": 3, "on_time_rate_766": 100.0, "missing": {}}
    unknown_inputs(rec, row, 0.05)
    assert rec["resolved_total"] is None and rec["pending_total"] is None and rec["on_time_rate_766"] is None


def test_a_dossier_resolved_after_the_period_was_pending_in_it_not_of_unknown_finish():
    # an export taken later holds the later state: 3 of July's dossiers were resolved on 02/08 (status "resolved")
    frame = dossiers(10, 0)
    frame.loc[:2, "processed_at"] = T("2023-08-02 09:00")
    row = compute_onestop_indicators(frame, JULY).set_index("unit_id").loc["U"].to_dict()
    # in July: 7 resolved early, 3 pending on 31/07 (due 10/07: overdue), none of unknown finish
    assert (row["resolved_early"], row["pending_total"], row["pending_overdue"], row["finish_unknown"]) == (7, 3, 3, 0)
    rec = {"resolved_total": 7, "pending_total": 3, "on_time_rate_766": 70.0, "missing": {}}
    unknown_inputs(rec, row, 0.05)
    assert (rec["resolved_total"], rec["pending_total"], rec["on_time_rate_766"], rec["missing"]) == (7, 3, 70.0, {})
    # in August they are resolved (late), the rest were resolved in July and are not handled in August
    august = compute_onestop_indicators(frame, parse_period("2023-08")).set_index("unit_id").loc["U"]
    assert (august["resolved_late"], august["carried_over"], august["finish_unknown"]) == (3, 3, 0)
