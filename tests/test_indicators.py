"""Indicator rules on small hand-made dossier tables; expected values worked out by hand in the comments."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_analysis.indicators import (
    competition_rank,
    compute_budget_indicators,
    compute_onestop_indicators,
    compute_par_indicators,
    par_year_for,
)
from cchc_analysis.methodology import Methodology, load_methodology
from cchc_analysis.periods import parse_period
from cchc_analysis.states import dossier_states

from .dossier_rows import stored_dossier

JULY = parse_period("2023-07")
T = pd.Timestamp


def dossier(
    code,
    received,
    due=None,
    done=None,
    status="resolved",
    channel="online",
    fee=0.0,
    pay=None,
    digitised=None,
    procedure="Thủ tục X",
):
    return stored_dossier(
        "U", received, due, done, status, channel, code=code, fee=fee, payment_method=pay, digitised=digitised,
        procedure=procedure,
    )  # fmt: skip


@pytest.fixture
def july():
    return pd.DataFrame(
        [
            dossier("A", "2023-06-20 09:00", "2023-07-05", "2023-07-03 10:00"),  # carried over, early
            dossier("B", "2023-07-10 08:00", "2023-07-12", "2023-07-12 15:00"),  # new, on the due day
            dossier("C", "2023-07-11 08:00", "2023-07-13", "2023-07-14 09:00"),  # new, late
            dossier("D", "2023-07-25 08:00", "2023-08-05", None, "in_progress", "direct"),  # pending, within
            dossier("E", "2023-07-01 08:00", "2023-07-20", None, "supplement"),  # pending, overdue
            dossier("F", "2023-07-05 08:00", "2023-07-10", None, "withdrawn"),  # withdrawn, dated at receipt
            dossier("G", "2023-07-06 08:00", None, None, "not_accepted"),  # never received
            dossier("H", "2023-06-10 08:00", "2023-06-25", "2023-06-20 08:00"),  # not handled in July
            dossier(
                "I", "2023-07-28 08:00", "2023-08-02", "2023-08-01 08:00", "resolved", "postal"
            ),  # pending at 31/07
            dossier("J", "2023-06-29 08:00", "2023-07-10", "2023-07-02 08:00", "returned"),  # carried over, returned
        ]
    )


def test_states_follow_dates_not_statuses(july):
    s = dossier_states(july, JULY)
    codes = july.loc[s.index, "code"]
    assert list(codes[s["new"]]) == ["B", "C", "D", "E", "F", "I"]
    assert list(codes[s["carried"]]) == ["A", "J"]
    assert dict(zip(codes[s["resolved"]], s.loc[s["resolved"], "resolved_class"], strict=True)) == {
        "A": "early",
        "B": "on_time",
        "C": "late",
    }
    assert list(codes[s["pending"]]) == ["D", "E", "I"]
    assert list(codes[s["overdue"]]) == ["E"]
    assert dict(zip(codes[s["stopped"]], s.loc[s["stopped"], "stopped_kind"], strict=True)) == {
        "F": "withdrawn",
        "J": "returned",
    }


def test_counts_and_rates(july):
    r = compute_onestop_indicators(july, JULY).iloc[0]
    # received 8 = 6 new (B C D E F I; G was not accepted) + 2 carried (A J) = 3 resolved + 3 pending + 1 + 1
    assert (r["received_total"], r["carried_over"]) == (8, 2)
    assert (r["received_online"], r["received_direct"], r["received_postal"]) == (4, 1, 1)
    assert (r["resolved_total"], r["resolved_early"], r["resolved_on_time"], r["resolved_late"]) == (3, 1, 1, 1)
    assert (r["pending_total"], r["pending_within_deadline"], r["pending_overdue"]) == (3, 2, 1)
    assert (r["withdrawn"], r["returned"]) == (1, 1)
    assert r["online_rate"] == pytest.approx(100 * 4 / 6)
    assert r["on_time_rate_766"] == pytest.approx(100 * (1 + 1 + 2) / (3 + 3))
    assert r["resolved_late_pct"] == pytest.approx(100 / 3)


def test_due_date_without_time_covers_the_whole_day():
    d = pd.DataFrame([dossier("X", "2023-07-03 08:00", "2023-07-05", "2023-07-05 23:30")])
    assert compute_onestop_indicators(d, JULY).iloc[0]["resolved_on_time"] == 1


def test_fee_scope_and_payment_window():
    d = pd.DataFrame(
        [
            dossier("P1", "2023-07-03", fee=2000, pay="online", done="2023-07-03 10:00"),
            dossier("P2", "2023-07-04", fee=2000, pay="cash", done="2023-07-04 10:00"),
            dossier("P3", "2023-07-05", fee=8000, pay=None, status="withdrawn"),  # withdrawn still owed a fee
            dossier("P4", "2023-07-06", fee=0, pay=None, done="2023-07-06 10:00"),  # free
            dossier("P5", "2023-07-07", fee=5000, pay="transfer", status="in_progress"),  # pending, paid by transfer
            dossier(
                "P6", "2023-07-01", fee=3000, pay=None, done="2023-07-01 10:00"
            ),  # before the first recorded payment
        ]
    )
    r = compute_onestop_indicators(d, JULY).iloc[0]
    # tracking starts 03/07 (first recorded payment): P1 P2 P3 P5 owe a fee, P1 paid online
    assert (r["fee_dossiers"], r["fee_paid_online"]) == (4, 1)
    assert r["payment_tracked_from"] == T("2023-07-03")
    settings = dict(load_methodology().settings)
    settings["online_payment"] = {"tracked_from": "2023-07-01", "transfer_counts_as_online": True}
    r = compute_onestop_indicators(d, JULY, methodology=Methodology(settings, "test", "x")).iloc[0]
    assert (r["fee_dossiers"], r["fee_paid_online"]) == (5, 2)


def test_catalogue_fee_makes_a_dossier_fee_bearing():
    d = pd.DataFrame([dossier("C1", "2023-07-03", fee=0, pay="online", done="2023-07-03 10:00")])
    d["catalogue_fee_kind"] = "amount"
    assert compute_onestop_indicators(d, JULY).iloc[0]["fee_dossiers"] == 1


def test_procedures_with_online_dossiers_and_catalogue_share():
    d = pd.DataFrame(
        [
            dossier("1", "2023-07-03", procedure="Đăng ký khai sinh"),
            dossier("2", "2023-07-03", procedure="ĐĂNG KÝ KHAI SINH"),
            dossier("3", "2023-07-03", procedure="Đăng ký kết hôn"),
            dossier("4", "2023-07-03", procedure="Chứng thực", channel="direct"),
        ]
    )
    catalogue = pd.DataFrame({"unit_id": ["U"] * 8})
    r = compute_onestop_indicators(d, JULY, catalogue).iloc[0]
    assert r["procedures_with_online_dossiers"] == 2 and r["procedures_total"] == 8
    assert r["procedures_online_share"] == 25.0


def budget_lines():
    rows = []
    for as_of, rev, spend in (("2023-07-31", 70, 60), ("2023-08-31", 80, 65), ("2023-09-30", 90, 70)):
        for section, actual in (("revenue", rev), ("expenditure", spend)):
            rows.append(
                {
                    "unit_id": "U",
                    "fiscal_year": 2023,
                    "as_of": T(as_of),
                    "section": section,
                    "level": 0,
                    "estimate": 100.0,
                    "adjusted_estimate": 125.0,
                    "actual_cumulative": float(actual),
                }
            )
    return pd.DataFrame(rows)


def test_budget_uses_the_latest_report_up_to_the_period_end():
    r = compute_budget_indicators(budget_lines(), parse_period("2023-01-01..2023-08-31")).iloc[0]
    assert r["budget_as_of"] == T("2023-08-31")
    assert (r["revenue_execution_pct"], r["expenditure_execution_pct"]) == (80.0, 65.0)
    settings = dict(load_methodology().settings)
    settings["budget"] = {"denominator": "adjusted"}
    r = compute_budget_indicators(budget_lines(), parse_period("2023Q3"), Methodology(settings, "t", "x")).iloc[0]
    assert r["revenue_execution_pct"] == 72.0  # 90 / 125


def par_table():
    rows = []
    for year, published in ((2021, "2022-03-25"), (2022, "2023-03-28"), (2023, None)):
        for unit, a, b in (("U1", 9.0, 8.417), ("U2", 10.0, 9.0), ("U3", 10.0, 7.0)):
            rows.append(
                {
                    "unit_id": unit,
                    "year": year,
                    "published_date": T(published) if published else pd.NaT,
                    "component": "Cải cách thủ tục hành chính",
                    "score": a,
                    "max_score": 13.5,
                }
            )
            rows.append(
                {
                    "unit_id": unit,
                    "year": year,
                    "published_date": T(published) if published else pd.NaT,
                    "component": "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
                    "score": b,
                    "max_score": 11.5,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("period", "year"),
    [
        ("2023-01-01..2023-08-31", 2022),
        ("2023-03", 2022),
        ("2023-02", 2021),
        ("2022", 2022),
        ("2024Q1", 2023),
        ("2024-02", 2022),
    ],
)
def test_latest_published_par_year(period, year):
    # 2023 has no publication date on its sheet: 31/03/2024 is assumed
    assert par_year_for(parse_period(period), par_table()) == year


def test_par_components_ranks_and_self_review():
    r = compute_par_indicators(par_table(), parse_period("2023-01-01..2023-08-31")).set_index("unit_id")
    comps = {c["component"][:10]: c for c in r.loc["U1", "par_components"]}
    egov = comps["Xây dựng v"]
    assert (egov["rank"], egov["rank_of"]) == (2, 3)
    assert egov["pct"] == pytest.approx(73.1913, abs=1e-4) and egov["below_75"] and egov["self_review_required"]
    tthc = comps["Cải cách t"]
    assert tthc["rank"] == 3  # 9 against 10 and 10
    assert tthc["below_75"] and tthc["self_review_required"]  # 9 / 13.5 = 66.7%
    assert r.loc["U2", "par_rank"] == 1 and r.loc["U1", "par_total_score"] == pytest.approx(17.417)


def test_competition_rank_with_ties():
    assert competition_rank(pd.Series([5, 3, 5, 1])).tolist() == [1, 3, 1, 4]
    assert competition_rank(pd.Series([5, 3, 5, 1]), higher_is_better=False).tolist() == [3, 2, 3, 1]


@given(st.lists(st.integers(0, 20), min_size=1, max_size=30), st.integers(0, 20))
def test_rank_invariants(values, extra):
    s = pd.Series(values)
    ranks = competition_rank(s)
    # ties share a rank, and a rank is 1 + the number of strictly better values
    assert all(ranks[i] == 1 + sum(v > values[i] for v in values) for i in range(len(values)))
    # reversing the direction reverses the order
    rev = competition_rank(s, higher_is_better=False)
    assert all(
        (ranks[i] < ranks[j]) == (rev[i] > rev[j])
        for i in range(len(s))
        for j in range(len(s))
        if values[i] != values[j]
    )
    # adding a unit never improves another unit's rank
    more = competition_rank(pd.Series([*values, extra]))
    assert all(more[i] >= ranks[i] for i in range(len(values)))


# --- successors, corrections, consistency ------------------------------------------------------------------------


def test_successor_counts_are_summed_with_shares(tmp_path):
    from cchc_analysis.indicators import _aggregate_predecessors
    from cchc_analysis.registry import UnitRegistry

    (tmp_path / "units.yaml").write_text(
        """
- {unit_id: A, name: Cũ A, type: xã, group: H, valid_to: 2025-06-30, successors: [{unit_id: N, share: 1}]}
- {unit_id: B, name: Cũ B, type: xã, group: H, valid_to: 2025-06-30, successors: [{unit_id: N, share: 0.5}]}
- {unit_id: C, name: Cũ C, type: xã, group: H, valid_to: 2025-06-30}
- {unit_id: N, name: Mới, type: xã, group: T, valid_from: 2025-07-01}
""",
        encoding="utf-8",
    )
    reg = UnitRegistry.load(tmp_path)
    d = pd.DataFrame(
        [
            *(dossier(f"a{i}", "2023-07-03", "2023-07-05", "2023-07-04") for i in range(10)),  # A: 10 early, online
            *(
                dossier(f"b{i}", "2023-07-03", "2023-07-05", "2023-07-06", channel="direct") for i in range(4)
            ),  # B: 4 late
        ]
    )
    d.loc[d["code"].str.startswith("b"), "unit_id"] = "B"
    d.loc[d["code"].str.startswith("a"), "unit_id"] = "A"
    o = compute_onestop_indicators(d, JULY).set_index("unit_id")
    agg = _aggregate_predecessors(reg.get("N"), reg, o)
    row = agg["row"]
    # A counts whole, half of B: 10 + 2 resolved, 10 early, 2 late; online 10 of 12 new
    assert (row["resolved_total"], row["resolved_early"], row["resolved_late"]) == (12, 10, 2)
    assert row["online_rate"] == pytest.approx(100 * 10 / 12)
    assert [s["name"] for s in agg["sources"]] == ["Xã Cũ A", "Xã Cũ B"]
    # an odd count halved: 5 x 0,5 = 2,5 dossiers shows as 3 (half up), never 2 (Python's half to even)
    five = d[d["code"].isin(["b0", "b1", "b2", "b3"])]
    five = pd.concat([five, five.iloc[:1].assign(code="b4")], ignore_index=True)
    o = compute_onestop_indicators(pd.concat([d[d["unit_id"] == "A"], five], ignore_index=True), JULY)
    o = o.set_index("unit_id")
    assert _aggregate_predecessors(reg.get("N"), reg, o)["row"]["resolved_late"] == 3


def test_corrections_are_applied_and_listed(tmp_path):
    from cchc_analysis.errors import ConfigError
    from cchc_analysis.indicators import apply_corrections, load_corrections
    from cchc_analysis.registry import UnitRegistry

    path = tmp_path / "corrections.yaml"
    path.write_text(
        "- {unit: Thanh Giang, period: 2023Q3, indicator: withdrawn, value: 2, reason: 'hồ sơ rút ghi nhầm trạng "
        "thái', approved_by: Văn phòng UBND huyện, date: 2023-10-10}\n",
        encoding="utf-8",
    )
    corrections = load_corrections(path, UnitRegistry.shipped(scope="Huyện Thanh Miện"))
    rec = {"unit_id": "30-11287", "withdrawn": 1, "missing": {}}
    applied = apply_corrections(rec, corrections, parse_period("2023Q3"))
    assert rec["withdrawn"] == 2 and applied[0]["computed"] == 1 and applied[0]["approved_by"] == "Văn phòng UBND huyện"
    assert (
        apply_corrections({"unit_id": "30-11287", "withdrawn": 1, "missing": {}}, corrections, parse_period("2023Q2"))
        == []
    )
    path.write_text("- {unit: Thanh Giang, period: 2023Q3, indicator: so_lieu_la, value: 2}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="thiếu reason, approved_by, date"):
        load_corrections(path, UnitRegistry.shipped(scope="Huyện Thanh Miện"))


def test_consistency_warnings():
    from cchc_analysis.indicators import consistency_warnings

    d = pd.DataFrame(
        [
            dossier("X", "2023-07-10", "2023-07-12", "2023-07-08", fee=2000),  # finished before it was received
            dossier("Y", "2023-07-10", "2023-07-12", "2023-07-11", fee=0),
        ]
    )
    d["catalogue_fee_kind"] = ["none", "amount"]
    rec = {
        "unit_id": "U",
        "unit_name": "Xã U",
        "received_total": 5,
        "resolved_total": 2,
        "pending_total": 1,
        "withdrawn": 1,
        "returned": 0,
        "budget_as_of": "2023-07-31",
        "par_year": 2022,
    }
    report = {
        "files": [
            {
                "kind": "budget",
                "unit_id": "U",
                "period_end": "2023-07-31",
                "file": "u/ns.xlsx",
                "warnings": ["lệch 1.000"],
            },
            {
                "kind": "par",
                "period_start": "2022-01-01",
                "file": "par.xlsx",
                "warnings": ["Xã U: tổng điểm ghi 13 khác 12."],
            },
        ]
    }
    warnings = consistency_warnings(rec, d, JULY, report)
    assert warnings == [
        "Tiếp nhận 5 khác đã giải quyết + đang giải quyết + rút + trả lại (4).",
        "1 hồ sơ có ngày kết thúc trước ngày tiếp nhận.",
        "1 hồ sơ có thu phí nhưng danh mục ghi thủ tục không thu phí.",
        "1 hồ sơ ghi phí 0 đồng nhưng danh mục ghi thủ tục có thu phí.",
        "Báo cáo ngân sách u/ns.xlsx: lệch 1.000",
        "Bảng điểm CCHC par.xlsx: Xã U: tổng điểm ghi 13 khác 12.",
    ]


def test_766_points_by_hand():
    from cchc_analysis.indicators import satisfaction_rate, score_766

    rec = {
        "on_time_rate_766": 100.0,
        "procedures_online_share": 100 * 18 / 139,
        "online_rate": 94.99,
        "online_payment_rate": 40.0,
        "digitised_rate": 60.0,
        "resolved_late_pct": 2.0,
        "received_total": 200,
        "manual": {"pakn_received": {"value": 4, "as_of": "2023-08-31"}},
    }
    rec["satisfaction_rate"] = satisfaction_rate(rec)
    assert rec["satisfaction_rate"] == pytest.approx(96.0)  # 100 - 2 - 100 * 4 / 200
    groups = {g["group"]: g for g in score_766(rec, load_methodology())["groups"]}
    assert groups["progress"]["points"] == pytest.approx(20)
    # 12.95/80 x 4 + 8 (above 50%) + 40/50 x 10
    assert groups["online"]["points"] == pytest.approx(100 * 18 / 139 / 80 * 4 + 8 + 8)
    assert groups["digitisation"]["points"] == pytest.approx(60 / 80 * 22)
    assert groups["satisfaction"]["points"] == pytest.approx(18)  # 96% is above the 90% threshold
    assert groups["transparency"]["points"] is None and groups["transparency"]["note"].startswith(
        "chưa tính được: thiếu"
    )
    rec["online_payment_rate"] = None
    groups = {g["group"]: g for g in score_766(rec, load_methodology())["groups"]}
    assert groups["online"]["note"] == "chưa tính được: thiếu Tỷ lệ thanh toán trực tuyến"
