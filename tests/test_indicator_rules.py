"""Rules of indicators.py that publish or qualify a figure, each at its edges with values worked out by hand:
Decision 766 points, the satisfaction rate, the consistency checks, the sums of a successor unit's predecessors."""

import math

import pandas as pd
import pytest

from cchc_analysis.indicators import (
    _aggregate_predecessors,
    consistency_warnings,
    dossier_checks,
    satisfaction_rate,
    score_766,
)
from cchc_analysis.methodology import Methodology
from cchc_analysis.periods import parse_period
from cchc_analysis.registry import UnitRegistry

from .dossier_rows import stored_dossier

T = pd.Timestamp
JULY = parse_period("2023-07")
PUBLIC = "dữ liệu công khai, minh bạch của Cổng dịch vụ công"


def _766(groups) -> Methodology:
    return Methodology({"decision_766": {"groups": groups}}, "t", "x")


METHOD = _766(
    [
        {
            "key": "a",
            "label": "Nhóm A",
            "max_points": 10,
            "indicators": [
                {"key": "not_in_catalogue", "points": 4, "threshold": 50},
                {"key": "online_rate", "points": 6, "threshold": 80},
            ],
        },
        {
            "key": "b",
            "label": "Nhóm B",
            "max_points": 20,
            "indicators": [{"key": "on_time_rate_766", "points": 20, "threshold": 100}],
        },
        {
            "key": "c",
            "label": "Nhóm C",
            "max_points": 5,
            "indicators": [{"key": "digitised_rate", "points": 5, "threshold": 80}],
        },
        {"key": "d", "label": "Nhóm D", "max_points": 7, "indicators": []},
    ]
)


def test_766_every_group_by_hand():
    rec = {"online_rate": 40.0, "on_time_rate_766": 95.0, "digitised_rate": 90.0}
    got = score_766(rec, METHOD)
    assert got["groups"] == [
        {
            "group": "a",
            "label": "Nhóm A",
            "points": None,  # lacks an indicator: not scored, though online_rate scores 40/80 x 6 = 3
            "max_points": 10,
            "parts": [{"indicator": "online_rate", "value": 40.0, "points": 3.0, "max_points": 6}],
            "note": "chưa tính được: thiếu not_in_catalogue",  # no label in the catalogue: its key
        },
        {
            "group": "b",
            "label": "Nhóm B",
            "points": 19.0,  # 95/100 x 20
            "max_points": 20,
            "parts": [{"indicator": "on_time_rate_766", "value": 95.0, "points": 19.0, "max_points": 20}],
            "note": "",
        },
        {
            "group": "c",
            "label": "Nhóm C",
            "points": 5.0,  # 90% is above the 80% threshold: full points, never more
            "max_points": 5,
            "parts": [{"indicator": "digitised_rate", "value": 90.0, "points": 5.0, "max_points": 5}],
            "note": "",
        },
        {
            "group": "d",
            "label": "Nhóm D",
            "points": None,
            "max_points": 7,
            "parts": [],
            "note": f"chưa tính được: thiếu {PUBLIC}",
        },
    ]
    # the total counts the scored groups only: 19 + 5 of 20 + 5
    assert (got["points"], got["max_points"]) == (24.0, 25)


def test_766_lacking_indicators_are_named_with_their_labels_and_nothing_scored_is_no_total():
    got = score_766({}, METHOD)
    assert got["groups"][0]["note"] == "chưa tính được: thiếu not_in_catalogue, Tỷ lệ hồ sơ nộp trực tuyến"
    assert got["groups"][1]["note"] == "chưa tính được: thiếu Tỷ lệ hồ sơ giải quyết, đang giải quyết trong hạn"
    assert (got["points"], got["max_points"]) == (None, 0)
    zero = score_766({"on_time_rate_766": 0.0}, _766([METHOD.settings["decision_766"]["groups"][1]]))
    assert (zero["points"], zero["max_points"]) == (0.0, 20)  # 0 points scored is a total of 0, not missing


@pytest.mark.parametrize(
    ("late", "pakn", "handled", "expected"),
    [
        (2.0, 4, 200, 96.0),  # 100 - 2 - 100 x 4/200
        (0.0, 0, 50, 100.0),
        (60.0, 50, 100, 0.0),  # 100 - 60 - 50 = -10: never below 0
        (99.5, 0, 10, 0.5),  # a small positive rate stays as it is (the floor is 0, not 1)
        (None, 4, 200, None),  # no resolved dossier: unknown
        (2.0, None, 200, None),  # no manual-input figure: unknown
        (2.0, 4, 0, None),  # nothing handled: unknown, not a division by zero
        (2.0, 4, None, None),
    ],
)
def test_satisfaction_rate(late, pakn, handled, expected):
    rec = {"resolved_late_pct": late, "received_total": handled}
    if pakn is not None:
        rec["manual"] = {"pakn_received": {"value": pakn, "as_of": "2023-07-31"}}
    got = satisfaction_rate(rec)
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_satisfaction_rate_without_a_manual_workbook():
    assert satisfaction_rate({"resolved_late_pct": 2.0, "received_total": 10}) is None


def _d(unit, received, done=None, fee=None, kind=None, status="resolved", via="processed_at"):
    row = {
        "unit_id": unit,
        "received_at": T(received),
        "processed_at": pd.NaT,
        "result_at": pd.NaT,
        "handed_at": pd.NaT,
        "status": status,
        "fee": fee,
        "catalogue_fee_kind": kind,
    }
    if done:
        row[via] = T(done)
    return row


@pytest.mark.parametrize("kind_dtype", ["object", "string", "category"])  # the store's text columns vary in dtype
def test_dossier_checks_by_hand(kind_dtype):
    frame = pd.DataFrame(
        [
            # finished before received: counted when either date is in the period
            _d("A", "2023-07-10 09:00", "2023-07-09 17:00"),
            _d("A", "2023-08-03", "2023-07-30", via="handed_at"),  # received after July, finished in it
            _d("A", "2023-07-10 09:00", "2023-07-10 08:00", via="result_at"),  # same day: not before
            _d("A", "2023-05-10", "2023-05-09"),  # neither date in July
            _d("A", "2023-08-01 00:00", "2023-07-31 09:00"),  # finished on July's last day: in the period
            _d("A", "2023-08-02 00:00", "2023-08-01 00:00"),  # received and finished after July: not in it
            _d("A", "2023-08-01 00:00", "2023-06-30 10:00"),  # received at 00:00 after July, finished before it
            # fees against the catalogue, among the new dossiers received (not the 'not accepted' ones)
            _d("B", "2023-07-05", fee=20000.0, kind="none"),  # fee on a free procedure
            _d("B", "2023-07-05", fee=0.0, kind="amount"),  # 0 on a procedure that has a fee
            _d("B", "2023-07-05", fee=None, kind="amount"),  # no fee written: not "0"
            _d("B", "2023-07-05", fee=None, kind="none"),  # no fee written on a free procedure: fine
            _d("B", "2023-07-05", fee=0.5, kind="none"),  # any fee above 0 counts
            _d("B", "2023-07-05", fee=20000.0, kind=None),  # catalogue silent: nothing to compare
            _d("B", "2023-07-05", fee=0.0, kind=None),
            _d("B", "2023-07-05", fee=20000.0, kind="none", status="not_accepted"),  # never received
            _d("B", "2023-06-05", fee=20000.0, kind="none"),  # received before July
            _d("B", "2023-08-02", fee=0.0, kind="amount"),  # received after July
        ]
    )
    frame["catalogue_fee_kind"] = frame["catalogue_fee_kind"].astype(kind_dtype)
    got = dossier_checks(frame, JULY)
    assert got.index.tolist() == ["A", "B"] and got.index.name == "unit_id"
    assert got.loc["A"].tolist() == [3, 0, 0]
    assert got.loc["B"].tolist() == [0, 2, 1]
    assert all(got[c].dtype == "int64" for c in got.columns)
    # without the catalogue's fee kinds the fee checks count nothing
    plain = dossier_checks(frame.drop(columns="catalogue_fee_kind"), JULY)
    assert plain["fee_on_free"].tolist() == [0, 0] and plain["free_on_fee"].tolist() == [0, 0]
    assert plain["finish_before_receipt"].tolist() == [3, 0]
    empty = dossier_checks(frame.iloc[:0], JULY)
    assert empty.empty and empty.columns.tolist() == ["finish_before_receipt", "fee_on_free", "free_on_fee"]
    assert empty.index.name == "unit_id"


def test_the_checks_of_a_file_that_is_not_the_units_own_are_not_shown():
    rec = {
        "unit_id": "U",
        "unit_name": "Xã U",
        "received_total": None,  # no dossier counts: no balance check
        "budget_as_of": "2023-07-31",
        "par_year": 2022,
    }
    report = {
        "files": [
            {"kind": "budget", "unit_id": "V", "period_end": "2023-07-31", "file": "v.xlsx", "warnings": ["v"]},
            {"kind": "budget", "unit_id": "U", "period_end": "2023-06-30", "file": "u6.xlsx", "warnings": ["u6"]},
            {"kind": "dossier_list", "unit_id": "U", "period_end": "2023-07-31", "file": "d.xlsx", "warnings": ["d"]},
            {"kind": "budget", "unit_id": "U", "period_end": "2023-07-31", "file": "u7.xlsx"},  # no warnings
            {"kind": "budget", "unit_id": "U", "period_end": "2023-07-31", "file": "u.xlsx", "warnings": ["ok"]},
            {"kind": "par", "period_start": "2021-01-01", "file": "p21.xlsx", "warnings": ["Xã U: 2021"]},
            {"kind": "par", "file": "p.xlsx", "warnings": ["Xã U: năm không rõ"]},  # no year stated
            {"kind": "dossier_list", "period_start": "2022-01-01", "file": "d2.xlsx", "warnings": ["Xã U: d"]},
            {"kind": "par", "period_start": "2022-01-01", "file": "p22.xlsx", "warnings": ["Xã V: khác", "Xã U: 13"]},
        ]
    }
    assert consistency_warnings(rec, pd.DataFrame(), JULY, report) == [
        "Báo cáo ngân sách u.xlsx: ok",
        "Bảng điểm CCHC p22.xlsx: Xã U: 13",
    ]
    # a unit without a PAR year is shown no PAR sheet's warnings
    assert consistency_warnings({**rec, "par_year": None}, pd.DataFrame(), JULY, report) == [
        "Báo cáo ngân sách u.xlsx: ok"
    ]


def test_counts_that_add_up_give_no_warning_and_a_missing_part_skips_the_check():
    rec = {"unit_id": "U", "received_total": 7, "resolved_total": 3, "pending_total": 2, "withdrawn": 1, "returned": 1}
    assert consistency_warnings(rec, pd.DataFrame(), JULY, {}) == []
    assert consistency_warnings({**rec, "returned": None, "received_total": 99}, pd.DataFrame(), JULY, {}) == []
    checks = pd.Series({"finish_before_receipt": 0, "fee_on_free": 0, "free_on_fee": 2})
    assert consistency_warnings(rec, pd.DataFrame(), JULY, {}, checks) == [
        "2 hồ sơ ghi phí 0 đồng nhưng danh mục ghi thủ tục có thu phí."
    ]


# --- a successor unit's figures from its predecessors' ------------------------------------------------------------


@pytest.fixture
def registry(tmp_path):
    (tmp_path / "units.yaml").write_text(
        """
- {unit_id: A, name: Cũ A, type: xã, group: H, valid_to: 2025-06-30, successors: [{unit_id: N, share: 1}]}
- {unit_id: B, name: Cũ B, type: xã, group: H, valid_to: 2025-06-30, successors: [{unit_id: N, share: 0.5}]}
- {unit_id: C, name: Cũ C, type: xã, group: H, valid_to: 2025-06-30, successors: [{unit_id: M}]}
- {unit_id: N, name: Mới, type: xã, group: T, valid_from: 2025-07-01}
- {unit_id: M, name: Mới M, type: xã, group: T, valid_from: 2025-07-01}
- {unit_id: Z, name: Không ai, type: xã, group: T, valid_from: 2025-07-01}
""",
        encoding="utf-8",
    )
    return UnitRegistry.load(tmp_path)


COUNTS = [
    "received_online",
    "new_total",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_total",
    "pending_within_deadline",
    "fee_dossiers",
    "fee_paid_online",
    "procedures_with_online_dossiers",
]


def _onestop(rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index")
    for c in COUNTS:
        frame[c] = frame[c].astype("int64")
    frame.index.name = "unit_id"
    return frame


def _row(counts, tracked, extra=()):
    return {
        **dict(zip(COUNTS, counts, strict=True)),
        "payment_tracked_from": T(tracked) if tracked else pd.NaT,
        "procedures_total": 20.0,
        "procedures_online_share": 15.0,
        "digitised_rate": 50.0,
        "online_rate": 1.0,  # the predecessor's own rates are never summed: they are computed again
        **dict(extra),
    }


def test_a_successor_sums_its_predecessors_by_share_and_computes_its_rates_again(registry):
    onestop = _onestop(
        {
            # online, new, resolved, early, on time, late, pending, within, fee, fee online, procedures online
            "A": _row([6, 8, 10, 5, 3, 2, 4, 3, 4, 2, 3], "2023-03-01"),
            "B": _row([2, 6, 6, 1, 2, 3, 2, 1, 2, 1, 3], "2023-01-15"),
        }
    )
    got = _aggregate_predecessors(registry.get("N"), registry, onestop)
    row = got["row"]
    # all of A and half of B, each sum rounded half up: 6+1, 8+3, 10+3, 5+0,5 -> 6 (5,5), 3+1, 2+1,5 -> 4 (3,5),
    # 4+1, 3+0,5 -> 4 (3,5), 4+1, 2+0,5 -> 3 (2,5)
    assert [row[c] for c in COUNTS[:10]] == [7, 11, 13, 6, 4, 4, 5, 4, 5, 3]
    assert row["resolved_early_pct"] == pytest.approx(100 * 6 / 13)
    assert row["resolved_on_time_pct"] == pytest.approx(100 * 4 / 13)
    assert row["resolved_late_pct"] == pytest.approx(100 * 4 / 13)
    assert row["online_rate"] == pytest.approx(100 * 7 / 11)
    assert row["on_time_rate_766"] == pytest.approx(100 * (6 + 4 + 4) / (13 + 5))
    assert row["online_payment_rate"] == pytest.approx(60.0)  # 3 of 5
    assert row["payment_tracked_from"] == T("2023-01-15")  # the earliest of the predecessors'
    # procedures are not summed across units (the same procedure would count twice): missing, said why
    for c in ("procedures_with_online_dossiers", "procedures_total", "procedures_online_share", "digitised_rate"):
        assert isinstance(row[c], float) and math.isnan(row[c]), c
    assert got["missing"] == {
        "procedures_with_online_dossiers": "đơn vị hợp nhất: không cộng số thủ tục của các đơn vị cũ",
        "procedures_online_share": "đơn vị hợp nhất: không cộng số thủ tục của các đơn vị cũ",
    }
    assert got["sources"] == [
        {"unit_id": "A", "name": "Xã Cũ A", "share": 1.0},
        {"unit_id": "B", "name": "Xã Cũ B", "share": 0.5},
    ]


def test_rates_of_zero_denominators_and_no_payment_tracking(registry):
    onestop = _onestop({"A": _row([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], None), "B": _row([0] * 11, None)})
    row = _aggregate_predecessors(registry.get("N"), registry, onestop)["row"]
    for c in ("resolved_early_pct", "online_rate", "on_time_rate_766", "online_payment_rate"):
        assert isinstance(row[c], float) and math.isnan(row[c]), c
    assert row["payment_tracked_from"] is pd.NaT
    only_a = _onestop({"A": _row([1] * 11, "2023-05-01"), "B": _row([1] * 11, None)})
    assert _aggregate_predecessors(registry.get("N"), registry, only_a)["row"]["payment_tracked_from"] == T(
        "2023-05-01"
    )


def test_an_unknown_share_makes_the_counts_and_rates_missing(registry):
    onestop = _onestop({"C": _row([6, 8, 10, 5, 3, 2, 4, 3, 4, 2, 3], "2023-03-01")})
    got = _aggregate_predecessors(registry.get("M"), registry, onestop)
    reason = "chưa biết tỷ lệ phần của Xã Cũ C chuyển về Xã Mới M"
    assert got["missing"]["received_total"] == reason and got["missing"]["online_rate"] == reason
    assert got["missing"]["on_time_rate_766"] == reason and got["missing"]["online_payment_rate"] == reason
    assert got["missing"]["procedures_online_share"] == "đơn vị hợp nhất: không cộng số thủ tục của các đơn vị cũ"
    assert got["row"]["resolved_total"] == 10  # the whole of C, kept beside the reason (shown missing)
    assert got["sources"] == [{"unit_id": "C", "name": "Xã Cũ C", "share": None}]
    assert _aggregate_predecessors(registry.get("Z"), registry, onestop) is None  # no predecessor has data
    known = _aggregate_predecessors(registry.get("N"), registry, _onestop({"A": _row([1] * 11, None)}))
    assert set(known["missing"]) == {"procedures_with_online_dossiers", "procedures_online_share"}


# --- manual input, the exports that cover a period --------------------------------------------------------------


def _manual(key, value, start="2023-07-01", end="2023-07-31", unit="U", group="g", text=None):
    return {
        "unit_id": unit,
        "period_start": T(start),
        "period_end": T(end),
        "group": group,
        "key": key,
        "value": value,
        "as_of": T(end),
        "text": text,
    }


def test_manual_figures_of_the_period_and_their_rates():
    from cchc_analysis.indicators import compute_manual_indicators

    manual = pd.DataFrame(
        [
            _manual("docs_issued_total", 4),
            _manual("docs_issued_signed", 3),  # 3 of 4 signed: 75%
            _manual("mailboxes_in_use", 5),  # its total (mailboxes_issued) not given: no rate
            _manual("plan_tasks_total", 0),
            _manual("plan_tasks_done", 0),  # of 0: no rate
            _manual("officials_total", 9, start="2023-07-01", end="2023-09-30"),  # the quarter's workbook
            _manual("officials_total", 8, start="2023-06-01", end="2023-07-31"),  # another span ending 31/07
            _manual("tasks", None, group="text", text="Nhiệm vụ tới."),  # a text of the report: no figure
        ]
    )
    got = compute_manual_indicators(manual, JULY)
    assert got.columns.tolist() == ["unit_id", "manual"] and got["unit_id"].tolist() == ["U"]
    values = got.loc[0, "manual"]
    assert values == {
        "docs_issued_total": {"value": 4, "as_of": "2023-07-31"},
        "docs_issued_signed": {"value": 3, "as_of": "2023-07-31"},
        "docs_issued_signed_rate": {"value": 75.0, "as_of": "2023-07-31"},
        "mailboxes_in_use": {"value": 5, "as_of": "2023-07-31"},
        "plan_tasks_total": {"value": 0, "as_of": "2023-07-31"},
        "plan_tasks_done": {"value": 0, "as_of": "2023-07-31"},
    }
    empty = compute_manual_indicators(pd.DataFrame(), JULY)
    assert empty.empty and empty.columns.tolist() == ["unit_id", "manual"]


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        ("2023-06-01", "2023-07-01", True),  # ends on the period's first day
        ("2023-07-31", "2023-08-31", True),  # starts on its last day
        ("2023-06-01", "2023-06-30", False),
        ("2023-08-01", "2023-08-31", False),
        ("2023-07-01", None, False),  # a span not stated covers nothing
        (None, "2023-07-31", False),
    ],
)
def test_an_export_overlaps_a_period_by_its_stated_days(start, end, overlaps):
    from cchc_analysis.indicators import _overlaps

    assert _overlaps({"period_start": start, "period_end": end}, JULY) is overlaps


def test_the_warnings_of_a_units_dossier_exports_in_the_period():
    from cchc_analysis.indicators import dossier_file_warnings

    july = {"period_start": "2023-07-01", "period_end": "2023-07-31"}
    report = {
        "files": [
            {"file": "a.xlsx", "kind": "dossier_list", "unit_id": "U", **july, "warnings": ["a"]},
            {
                "file": "b.xlsx",
                "kind": "dossier_list",
                "unit_id": None,
                "unit_ids": ["V", "U"],
                **july,
                "warnings": ["b"],
            },
            {"file": "c.xlsx", "kind": "dossier_list", "unit_id": "U", **july, "warnings": ["c"], "error": "hỏng"},
            {"file": "d.xlsx", "kind": "budget", "unit_id": "U", **july, "warnings": ["d"]},
            {"file": "e.xlsx", "kind": "dossier_list", "unit_id": "V", **july, "warnings": ["e"]},
            {
                "file": "f.xlsx",
                "kind": "dossier_list",
                "unit_id": "U",
                "period_start": "2023-05-01",
                "period_end": "2023-05-31",
                "warnings": ["f"],
            },
            {"file": "g.xlsx", "kind": "dossier_list", "unit_id": "U", **july},  # no warnings
        ]
    }
    assert dossier_file_warnings(report, "U", JULY) == ["a.xlsx: a", "b.xlsx: b"]
    assert dossier_file_warnings({}, "U", JULY) == []


def test_a_period_no_export_covers_leaves_the_dossier_figures_missing():
    from cchc_analysis.indicators import _uncovered

    def rec():
        return {"received_total": 3, "online_rate": 50.0, "par_year": 2022, "missing": {}}

    may = {"kind": "dossier_list", "unit_id": "U", "period_start": "2023-05-01", "period_end": "2023-05-31"}
    june = {**may, "period_start": "2023-06-01", "period_end": "2023-06-20"}
    r = rec()
    _uncovered(r, "U", JULY, {"files": [june, may]})
    reason = "không có tệp xuất hồ sơ nào của đơn vị trong kỳ (các tệp đã nhập phủ 01/05/2023–20/06/2023)"
    assert r == {
        "received_total": None,
        "online_rate": None,
        "par_year": 2022,
        "missing": {"received_total": reason, "online_rate": reason},
        "uncovered": "01/05/2023–20/06/2023",
    }
    r = rec()
    _uncovered(r, "U", JULY, {"files": [{**may, "period_start": None}]})  # an export of unknown span
    assert r["uncovered"] == "không rõ" and r["received_total"] is None
    r = rec()
    _uncovered(r, "U", JULY, {"files": [may, {**may, "period_start": "2023-07-31", "period_end": "2023-08-02"}]})
    assert r == rec()  # one export covers a day of the period: nothing changes
    _uncovered(r, "U", JULY, {"files": []})
    assert r == rec()  # no export of the unit at all: the counts say so themselves ("no dossiers")


# --- inputs unknown, approved corrections, budget edges --------------------------------------------------------


def test_unknown_input_warnings_word_for_word():
    from cchc_analysis.indicators import unknown_inputs

    rec = {"online_rate": 50.0, "received_online": 2, "resolved_late_pct": 10.0, "missing": {}}
    # channel: 1 of 10 new (10% > 5%): missing; due date of resolved dossiers: 1 of 40 (2,5%): a warning only
    unknown_inputs(
        rec, {"channel_unknown": 1, "new_total": 10, "resolved_unknown_deadline": 1, "resolved_total": 40}, 0.05
    )
    reason = (
        "1/10 hồ sơ mới không rõ kênh nộp (trực tuyến, trực tiếp, bưu chính) (để trống hoặc giá trị không nhận ra): "
        "quá 5% nên không tính; xem cảnh báo của tệp trong báo cáo nhập liệu và khai báo cách viết trong tệp --mapping"
    )
    assert rec["online_rate"] is None and rec["received_online"] is None and rec["missing"]["online_rate"] == reason
    assert rec["resolved_late_pct"] == 10.0 and "resolved_late_pct" not in rec["missing"]
    assert rec["input_warnings"] == [
        "1/10 hồ sơ mới không rõ kênh nộp (trực tuyến, trực tiếp, bưu chính) (để trống hoặc giá trị không nhận ra): "
        "các chỉ số dùng kênh nộp (trực tuyến, trực tiếp, bưu chính) để trống.",
        "1/40 hồ sơ đã giải quyết không rõ ngày hẹn trả (để trống hoặc giá trị không nhận ra): "
        "các chỉ số dùng ngày hẹn trả có thể thấp hơn thực tế.",
    ]
    quiet = {"online_rate": 50.0, "missing": {}}
    unknown_inputs(quiet, {"channel_unknown": 1, "new_total": 0}, 0.05)  # nothing new: no share to speak of
    unknown_inputs(quiet, {"new_total": 10}, 0.05)  # a row without the unknown counts
    unknown_inputs(quiet, {"channel_unknown": 0, "new_total": 10, "status_unknown": None}, 0.05)
    assert quiet == {"online_rate": 50.0, "missing": {}, "input_warnings": []}
    edge = {"online_rate": 50.0, "missing": {}}
    unknown_inputs(edge, {"channel_unknown": 1, "new_total": 20}, 0.05)  # exactly 5%: not above, a warning
    assert edge["online_rate"] == 50.0 and len(edge["input_warnings"]) == 1


def _corrections(tmp_path, text):
    from cchc_analysis.indicators import load_corrections

    path = tmp_path / "corrections.yaml"
    path.write_text(text, encoding="utf-8")
    return load_corrections(path, UnitRegistry.shipped(scope="Huyện Thanh Miện")), path


ITEM = "{unit: %s, period: %s, indicator: %s, value: %s, reason: r, approved_by: a, date: 2023-10-10}"


def test_corrections_file_forms_and_what_they_may_correct(tmp_path):
    from cchc_analysis.errors import ConfigError

    items, _ = _corrections(
        tmp_path,
        "corrections:\n"
        + "".join(
            f"  - {ITEM % args}\n"
            for args in (("Thanh Giang", "2023Q3", "fee_dossiers", 3), ("Lam Sơn", "2023-07", "withdrawn", 1))
        ),
    )
    assert [(c["unit_id"], c["period"], c["indicator"], c["date"]) for c in items] == [
        ("30-11287", "2023Q3", "fee_dossiers", "2023-10-10"),
        ("30-11260", "2023-07", "withdrawn", "2023-10-10"),
    ]
    assert _corrections(tmp_path, "")[0] == [] and _corrections(tmp_path, "corrections: []\n")[0] == []
    with pytest.raises(ConfigError) as err:
        _corrections(tmp_path, f"- {ITEM % ('Thanh Giang', '2023Q3', 'withdrawn', 1)}\n- just text\n")
    path = tmp_path / "corrections.yaml"
    assert str(err.value) == (
        f"{path}, hiệu chỉnh thứ 2: cần các khóa unit, period, indicator, value, reason, approved_by, date."
    )
    with pytest.raises(ConfigError) as err:
        _corrections(tmp_path, f"- {ITEM % ('Thanh Giang', '2023Q3', 'so_lieu_la', 1)}\n")
    assert str(err.value) == f"{path}, hiệu chỉnh thứ 1: chỉ số 'so_lieu_la' không có trong danh mục chỉ số."
    with pytest.raises(ConfigError) as err:
        _corrections(tmp_path, "- {unit: Thanh Giang, period: '', indicator: withdrawn, value: 0, reason: r}\n")
    assert str(err.value) == f"{path}, hiệu chỉnh thứ 1: thiếu period, approved_by, date."  # 0 is a value
    with pytest.raises(ConfigError, match=r"corrections\.yaml: không phải YAML hợp lệ"):
        _corrections(tmp_path, "- [unclosed\n")


def test_corrections_apply_to_their_unit_and_period_only(tmp_path):
    from cchc_analysis.indicators import apply_corrections

    items, _ = _corrections(
        tmp_path,
        "".join(
            f"- {ITEM % args}\n"
            for args in (
                ("Lam Sơn", "2023-07", "withdrawn", 5),  # another unit, listed first
                ("Thanh Giang", "2023Q3", "withdrawn", 9),  # another period
                ("Thanh Giang", "2023-07-01..2023-07-31", "online_rate", 55.5),  # the period as a range
                ("Thanh Giang", "2023-07", "withdrawn", 2),
            )
        ),
    )
    rec = {"unit_id": "30-11287", "withdrawn": 1, "online_rate": None, "missing": {"online_rate": "x", "y": "z"}}
    applied = apply_corrections(rec, items, JULY)
    assert applied == [
        {
            "indicator": "online_rate",
            "computed": None,
            "value": 55.5,
            "reason": "r",
            "approved_by": "a",
            "date": "2023-10-10",
        },
        {"indicator": "withdrawn", "computed": 1, "value": 2, "reason": "r", "approved_by": "a", "date": "2023-10-10"},
    ]
    assert rec == {"unit_id": "30-11287", "withdrawn": 2, "online_rate": 55.5, "missing": {"y": "z"}}


BUDGET_COLUMNS = [
    "unit_id",
    "budget_as_of",
    "revenue_estimate",
    "revenue_actual",
    "revenue_execution_pct",
    "expenditure_estimate",
    "expenditure_actual",
    "expenditure_execution_pct",
]


def _line(section, estimate, actual, year=2023, as_of="2023-06-30"):
    return {
        "unit_id": "U",
        "fiscal_year": year,
        "as_of": T(as_of),
        "section": section,
        "level": 0,
        "estimate": estimate,
        "adjusted_estimate": float("nan"),
        "actual_cumulative": actual,
    }


def test_budget_execution_of_a_zero_or_unknown_estimate_is_missing_and_the_columns_are_fixed():
    from cchc_analysis.indicators import compute_budget_indicators
    from cchc_analysis.methodology import load_methodology

    m = load_methodology()
    got = compute_budget_indicators(
        pd.DataFrame([_line("revenue", 0.0, 10.0), _line("expenditure", float("nan"), 5.0)]), JULY, m
    )
    assert got.columns.tolist() == BUDGET_COLUMNS
    assert got.loc[0, "revenue_execution_pct"] is None and got.loc[0, "expenditure_execution_pct"] is None
    assert compute_budget_indicators(pd.DataFrame(), JULY, m).columns.tolist() == BUDGET_COLUMNS
    other_year = compute_budget_indicators(pd.DataFrame([_line("revenue", 10.0, 5.0, 2022, "2022-12-31")]), JULY, m)
    assert other_year.empty and other_year.columns.tolist() == BUDGET_COLUMNS


# --- the dossier counts of compute_onestop_indicators, every input kind at once --------------------------------


def _od(unit, received, due=None, done=None, status="resolved", channel="online", **extra):
    return stored_dossier(
        unit,
        received,
        due,
        done,
        status,
        channel,
        status_raw=extra.get("status_raw", status),
        fee=extra.get("fee", 0.0),
        catalogue_fee_kind=extra.get("kind"),
        payment_method=extra.get("pay"),
        payment_raw=extra.get("pay_raw", extra.get("pay")),
        procedure=extra.get("procedure", "Thủ tục X"),
        catalogue_code=extra.get("code"),
        digitised=extra.get("digitised"),
    )


ONESTOP = [
    _od("B", "2023-07-10", "2023-07-15", "2023-07-11"),  # B first: rows come out sorted by unit
    # a1: received on the period's last day, late in the evening: new, pending within its deadline
    _od("A", "2023-07-31 23:00", "2023-08-05", None, "in_progress", procedure="Cấp phép", code="C1"),
    # a2: carried over, finished at 00:00 on the period's first day, a day after its due date: resolved late
    _od("A", "2023-06-20", "2023-06-30", "2023-07-01 00:00"),
    # a3: channel and status not recognised (status written "Lạ"): new, resolved early
    _od("A", "2023-07-05", "2023-07-10", "2023-07-06", None, None, status_raw="Lạ"),
    # a4: direct, status left blank (not an unknown status), no due date: pending, deadline unknown
    _od("A", "2023-07-06", None, None, None, "direct", status_raw=None),
    # a5: online, resolved without a due date; no fee written and the catalogue silent: fee unknown
    _od("A", "2023-07-07", None, "2023-07-08", fee=float("nan"), procedure="Cấp phép", code="C2"),
    # a6: online, early; a fee of 1 đồng paid online (the first payment recorded: tracking starts 03/07)
    _od("A", "2023-07-03", "2023-07-10", "2023-07-04", fee=1.0, pay="online", procedure="Đăng ký", digitised=True),
    # a7: postal, early; fee 0 but the catalogue says the procedure has one; payment written but not recognised
    _od(
        "A", "2023-07-08", "2023-07-12", "2023-07-09", channel="postal", kind="amount", pay_raw="Ví lạ", digitised=False
    ),
    # a8: never received
    _od("A", "2023-07-09", None, None, "not_accepted"),
]


@pytest.mark.parametrize("text", ["object", "category", "string"])  # tests: object; store: categoricals; Arrow: string
def test_onestop_counts_of_every_input_kind_by_hand(text):
    from cchc_analysis.indicators import compute_onestop_indicators
    from cchc_analysis.methodology import load_methodology

    frame = pd.DataFrame(ONESTOP)
    for c in ("status", "status_raw", "channel", "payment_method", "payment_raw", "procedure", "catalogue_code"):
        frame[c] = frame[c].astype(text)
    got = compute_onestop_indicators(frame, JULY, None, load_methodology())
    assert got["unit_id"].tolist() == ["A", "B"]
    a = got.set_index("unit_id").loc["A"]
    # new: a1, a3, a4, a5, a6, a7 (6); carried: a2
    assert [a[k] for k in ("new_total", "carried_over", "received_total")] == [6, 1, 7]
    assert [a[k] for k in ("received_online", "received_direct", "received_postal", "channel_unknown")] == [3, 1, 1, 1]
    # resolved: a2 late, a3, a6, a7 early, a5 without a due date; pending: a1 and a4, neither overdue
    assert [a[k] for k in ("resolved_total", "resolved_early", "resolved_on_time", "resolved_late")] == [5, 3, 0, 1]
    assert [a[k] for k in ("resolved_unknown_deadline", "pending_total", "pending_within_deadline")] == [1, 2, 2]
    assert [a[k] for k in ("pending_overdue", "pending_unknown_deadline", "finish_unknown")] == [0, 1, 0]
    assert [a[k] for k in ("status_unknown", "handled_total", "withdrawn", "returned")] == [1, 7, 0, 0]
    assert a["online_rate"] == 50.0 and a["resolved_early_pct"] == 60.0 and a["resolved_late_pct"] == 20.0
    assert a["on_time_rate_766"] == pytest.approx(100 * 5 / 7)  # (3 early + 0 on time + 2 pending within) / 7
    # payment from 03/07 (a6): all six new dossiers are in the window; fee-bearing a6 (1 đồng) and a7 (catalogue)
    assert a["payment_tracked_from"] == T("2023-07-03")
    assert [a[k] for k in ("window_total", "fee_dossiers", "fee_paid_online", "fee_unknown", "payment_unknown")] == [
        6,
        2,
        1,
        1,
        1,
    ]
    assert a["online_payment_rate"] == 50.0
    # online new dossiers' procedures: catalogue codes C1 and C2 (the same name twice), and "Đăng ký" by name
    assert a["procedures_with_online_dossiers"] == 3
    assert pd.isna(a["procedures_total"]) and pd.isna(a["procedures_online_share"])  # no catalogue
    assert (a["digitised_known"], a["digitised_rate"]) == (2, 50.0)
    b = got.set_index("unit_id").loc["B"]
    assert (b["new_total"], b["resolved_early"], b["window_total"], b["fee_dossiers"]) == (1, 1, 0, 0)
    assert pd.isna(b["payment_tracked_from"]) and pd.isna(b["online_payment_rate"])
    counts = [c for c in got.columns if c.endswith(("_total", "_unknown", "_deadline")) and c != "procedures_total"]
    assert all(got[c].dtype == "int64" for c in counts), counts


def test_onestop_without_the_optional_columns_and_without_dossiers():
    from cchc_analysis.indicators import COUNT_KEYS, compute_onestop_indicators
    from cchc_analysis.methodology import load_methodology

    bare = pd.DataFrame(ONESTOP).drop(columns=["status_raw", "payment_raw", "catalogue_fee_kind", "catalogue_code"])
    a = compute_onestop_indicators(bare, JULY, None, load_methodology()).set_index("unit_id").loc["A"]
    # without the raw columns nothing counts as written-but-unknown; without the catalogue's fee kinds a7 owes no fee
    assert (a["status_unknown"], a["payment_unknown"], a["fee_dossiers"]) == (0, 0, 1)
    assert a["procedures_with_online_dossiers"] == 2  # by name only: "cap phep" and "dang ky"
    empty = compute_onestop_indicators(bare.iloc[:0], JULY, None, load_methodology())
    assert empty.empty and empty.columns.tolist() == ["unit_id", *COUNT_KEYS]


# --- more edges: corrections' forms, PAR years and tables, checks given, ranks' type ------------------------------


def test_every_count_and_rate_of_a_record_can_be_corrected():
    from cchc_analysis.indicators import COUNT_KEYS
    from cchc_analysis.methodology import indicator_catalogue

    assert {*COUNT_KEYS, "fee_dossiers", "fee_paid_online", "online_rate"} <= set(indicator_catalogue())


def test_a_correction_of_a_year_and_a_file_without_the_list(tmp_path):
    from cchc_analysis.indicators import apply_corrections

    items, _ = _corrections(tmp_path, "- " + ITEM % ("Thanh Giang", 2023, "withdrawn", 4) + "\n")  # 2023: a number
    assert items[0]["period"] == "2023"
    rec = {"unit_id": "30-11287", "withdrawn": 1, "missing": {}}
    assert len(apply_corrections(rec, items, parse_period("2023"))) == 1 and rec["withdrawn"] == 4
    assert _corrections(tmp_path, "ghi_chu: chưa có hiệu chỉnh\n")[0] == []  # a mapping without "corrections"


def test_the_par_year_a_period_shows():
    from cchc_analysis.indicators import par_year_for

    par = pd.DataFrame(
        {
            "year": [2021, 2022, 2023],
            # 2022's scores were published on 01/02/2023, before the 31 March fallback; 2021 and 2023 carry no date
            "published_date": [pd.NaT, T("2023-02-01"), pd.NaT],
        }
    )
    assert par_year_for(parse_period("2023-02"), par) == 2022  # the sheet's date, not the fallback
    assert par_year_for(parse_period("2023-01"), par) == 2021  # 2022 not yet published; 2021 by 31/03/2022
    assert par_year_for(parse_period("2022-01"), par) is None  # nothing published by then
    assert par_year_for(parse_period("2022"), par) == 2022  # a whole year shows its own year
    assert par_year_for(parse_period("2024"), par) is None  # no scores for 2024
    assert par_year_for(parse_period("2023-02"), par.iloc[:0]) is None


def test_par_tables_keep_their_columns_and_whole_ranks():
    from cchc_analysis.indicators import compute_par_indicators

    columns = ["unit_id", "par_year", "par_total_score", "par_total_max", "par_total_pct", "par_rank", "par_rank_of"]
    par = pd.DataFrame(
        [
            {
                "unit_id": u,
                "year": 2022,
                "published_date": T("2023-03-28"),
                "component": "C",
                "score": s,
                "max_score": 10.0,
            }
            for u, s in (("A", 7.0), ("B", 9.0))
        ]
    )
    got = compute_par_indicators(par, JULY)
    assert got.columns.tolist() == [*columns, "par_components"]
    assert (
        got["par_rank"].tolist() == [2, 1] and got["par_rank"].dtype == "int64" and got["par_rank_of"].dtype == "int64"
    )
    early = compute_par_indicators(par, parse_period("2023-01"))  # before 2022's publication: no PAR year
    assert early.empty and early.columns.tolist() == [*columns, "par_components"]


def test_checks_given_are_used_and_par_files_may_lack_warnings():
    frame = pd.DataFrame([_d("U", "2023-07-10", "2023-07-09")])  # finished before received
    rec = {"unit_id": "U", "unit_name": "Xã U", "received_total": None, "par_year": 2022}
    none = pd.Series({"finish_before_receipt": 0, "fee_on_free": 0, "free_on_fee": 0})
    assert consistency_warnings(rec, frame, JULY, {}, none) == []  # the unit's own counts, not the frame's
    assert consistency_warnings(rec, frame, JULY, {}) == ["1 hồ sơ có ngày kết thúc trước ngày tiếp nhận."]
    report = {"files": [{"kind": "par", "period_start": "2022-01-01", "file": "p.xlsx"}]}
    assert consistency_warnings(rec, frame.iloc[:0], JULY, report) == []


def test_a_result_date_alone_can_be_before_the_receipt():
    got = dossier_checks(pd.DataFrame([_d("A", "2023-07-10", "2023-07-08", via="result_at")]), JULY)
    assert got.loc["A", "finish_before_receipt"] == 1


def test_competition_ranks_are_whole_numbers_or_missing():
    from cchc_analysis.indicators import competition_rank

    ranks = competition_rank(pd.Series([3.0, None, 5.0, 3.0]))
    assert ranks.dtype == "Int64" and ranks.tolist() == [2, pd.NA, 1, 2]


def test_two_predecessors_of_unknown_share_are_both_named(registry, tmp_path):
    onestop = _onestop({"C": _row([1] * 11, None), "D": _row([1] * 11, None)})
    (tmp_path / "u2").mkdir()
    (tmp_path / "u2" / "units.yaml").write_text(
        """
- {unit_id: C, name: Cũ C, type: xã, group: H, valid_to: 2025-06-30, successors: [{unit_id: M}]}
- {unit_id: D, name: Cũ D, type: xã, group: H, valid_to: 2025-06-30, successors: [{unit_id: M}]}
- {unit_id: M, name: Mới M, type: xã, group: T, valid_from: 2025-07-01}
""",
        encoding="utf-8",
    )
    reg = UnitRegistry.load(tmp_path / "u2")
    got = _aggregate_predecessors(reg.get("M"), reg, onestop)
    assert got["missing"]["received_total"] == "chưa biết tỷ lệ phần của Xã Cũ C, Xã Cũ D chuyển về Xã Mới M"


@pytest.mark.parametrize("text", ["object", "string"])
def test_what_makes_a_fee_or_a_payment_unknown_by_hand(text):
    from cchc_analysis.indicators import compute_onestop_indicators
    from cchc_analysis.methodology import load_methodology

    rows = [
        # f1: paid online (starts the tracking on 03/07): known fee, known payment
        _od("F", "2023-07-03", "2023-07-10", "2023-07-04", fee=50000.0, pay="online"),
        # f2: no fee written, but the catalogue says the procedure is free: the fee is known (none)
        _od("F", "2023-07-04", "2023-07-10", "2023-07-05", fee=float("nan"), kind="none"),
        # f3: no fee written and the catalogue silent: the fee is unknown
        _od("F", "2023-07-05", "2023-07-10", "2023-07-06", fee=float("nan")),
        # f4: a fee, and nothing written about the payment: not an unrecognised payment (nothing to recognise)
        _od("F", "2023-07-06", "2023-07-10", "2023-07-07", fee=20000.0),
        # f5: a fee, and a payment written in words nobody knows: unknown payment
        _od("F", "2023-07-07", "2023-07-10", "2023-07-08", fee=20000.0, pay_raw="Ví lạ"),
    ]
    frame = pd.DataFrame(rows)
    for c in ("status", "status_raw", "channel", "payment_method", "payment_raw", "catalogue_fee_kind"):
        frame[c] = frame[c].astype(text)
    f = compute_onestop_indicators(frame, JULY, None, load_methodology()).set_index("unit_id").loc["F"]
    assert (f["window_total"], f["fee_dossiers"], f["fee_paid_online"]) == (5, 3, 1)  # f1, f4, f5 owe a fee
    assert (f["fee_unknown"], f["payment_unknown"]) == (1, 1)  # f3; f5


def test_an_old_commune_that_handled_nothing_is_no_unknown_share(registry):
    # M took an unknown part of C, but C handled no dossier in the period: 0 whatever the share, nothing missing
    got = _aggregate_predecessors(registry.get("M"), registry, _onestop({"C": _row([0] * 11, None)}))
    assert not set(got["missing"]) & {"received_total", "online_rate", "on_time_rate_766"}
    # M's own quarter with C idle: its own counts alone (None: nothing to add), and C is not named as a source
    both = _onestop({"M": _row([2] * 11, None), "C": _row([0] * 11, None)})
    assert _aggregate_predecessors(registry.get("M"), registry, both, with_own=True) is None
    # N's own quarter: A still handled dossiers (carried over), B none: A added whole, B not listed
    three = _onestop({"N": _row([1] * 11, None), "A": _row([2] * 11, None), "B": _row([0] * 11, None)})
    got = _aggregate_predecessors(registry.get("N"), registry, three, with_own=True)
    assert [s["unit_id"] for s in got["sources"]] == ["N", "A"] and got["row"]["new_total"] == 3


def test_a_commune_that_still_exists_when_the_new_one_begins_is_not_taken_in(tmp_path):
    # P gave part of its area to S on 01/07/2025 and goes on: its dossiers stay its own, in its own record
    (tmp_path / "units.yaml").write_text(
        """
- {unit_id: P, name: Còn P, type: xã, group: H, successors: [{unit_id: S, share: 0.2}]}
- {unit_id: S, name: Mới S, type: xã, group: T, valid_from: 2025-07-01}
""",
        encoding="utf-8",
    )
    reg = UnitRegistry.load(tmp_path)
    table = _onestop({"S": _row([1] * 11, None), "P": _row([5] * 11, None)})
    assert _aggregate_predecessors(reg.get("S"), reg, table, with_own=True) is None
    assert _aggregate_predecessors(reg.get("S"), reg, table) is None
