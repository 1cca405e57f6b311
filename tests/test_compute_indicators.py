"""compute_indicators on a store built by hand (no reader involved): every field of the records, worked out by hand
in the comments. The record is what `cchc indicators --format json`, the briefs, the workbook and the ranking use."""

import json

import pandas as pd
import pytest

from cchc_analysis.indicators import compute_indicators
from cchc_analysis.periods import parse_period

T = pd.Timestamp
TG, LS = "30-11287", "30-11260"  # Thanh Giang, Lam Sơn
JULY = parse_period("2023-07")


def dossier(unit, code, received, due, done, status, channel, fee=0.0, pay=None, digitised=None, procedure="A"):
    return {
        "unit_id": unit,
        "code": code,
        "status": status,
        "status_raw": {"resolved": "Đã trả kết quả", "in_progress": "Đang xử lý"}.get(status, status),
        "channel": channel,
        "received_at": T(received),
        "due_at": T(due) if due else pd.NaT,
        "processed_at": T(done) if done else pd.NaT,
        "result_at": pd.NaT,
        "handed_at": pd.NaT,
        "fee": fee,
        "payment_method": pay,
        "payment_raw": {"online": "Trực tuyến", "cash": "Tiền mặt"}.get(pay),
        "procedure": procedure,
        "digitised": digitised,
        "catalogue_code": None,
        "catalogue_fee_kind": None,
    }


DOSSIERS = [
    dossier(TG, "1", "2023-07-03 08:00", "2023-07-10", "2023-07-05 10:00", "resolved", "online", 2000, "online", True),
    dossier(TG, "2", "2023-07-04 08:00", "2023-07-10", "2023-07-10 16:00", "resolved", "direct", 0, None, False, "B"),
    dossier(TG, "3", "2023-06-28 08:00", "2023-07-01", "2023-07-03 09:00", "resolved", "direct", procedure="B"),
    dossier(TG, "4", "2023-07-10 08:00", "2023-08-05", None, "in_progress", "online", 2000, "cash"),
    dossier(TG, "5", "2023-07-05 08:00", "2023-07-12", "2023-07-06 08:00", "withdrawn", "postal", procedure="C"),
    dossier(TG, "6", "2023-07-06 08:00", None, None, "not_accepted", "online"),
    dossier(LS, "7", "2023-07-20 08:00", "2023-07-25", "2023-07-21 08:00", "resolved", "online"),
]


def budget(unit, section, estimate, actual):
    return {
        "unit_id": unit,
        "fiscal_year": 2023,
        "as_of": T("2023-06-30"),
        "section": section,
        "line_path": "A" if section == "revenue" else "B",
        "stt": "A",
        "code": "",
        "name": section,
        "level": 0,
        "is_leaf": False,
        "estimate": estimate,
        "adjusted_estimate": float("nan"),
        "actual_period": float("nan"),
        "actual_cumulative": actual,
    }


def par(unit, component, score, maximum):
    return {
        "unit_id": unit,
        "year": 2022,
        "published_date": T("2023-03-28"),
        "component": component,
        "score": score,
        "max_score": maximum,
    }


EGOV, INST = "Chính quyền điện tử, chính quyền số", "Cải cách thể chế"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    data = tmp_path_factory.mktemp("store")
    processed = data / "processed"
    processed.mkdir()
    pd.DataFrame(DOSSIERS).to_parquet(processed / "dossiers.parquet")
    catalogue = pd.DataFrame({"unit_id": [TG, TG, TG], "procedure_key": ["a", "b", "c"], "procedure": ["A", "B", "C"]})
    catalogue.to_parquet(processed / "catalogue.parquet")
    pd.DataFrame([budget(TG, "revenue", 1000.0, 400.0), budget(TG, "expenditure", 800.0, 200.0)]).to_parquet(
        processed / "budget.parquet"
    )
    pd.DataFrame(
        [par(TG, EGOV, 8.417, 11.5), par(TG, INST, 9.0, 10.0), par(LS, EGOV, 11.0, 11.5), par(LS, INST, 6.0, 10.0)]
    ).to_parquet(processed / "par.parquet")
    pd.DataFrame(
        [
            {
                "unit_id": TG,
                "period_start": T("2023-07-01"),
                "period_end": T("2023-07-31"),
                "group": "pakn",
                "key": "pakn_received",
                "value": 1,
                "as_of": T("2023-07-31"),
                "source_file": "m.xlsx",
                "source_row": 5,
            },
            {
                "unit_id": TG,
                "period_start": T("2023-07-01"),
                "period_end": T("2023-07-31"),
                "group": "pakn",
                "key": "pakn_on_time",
                "value": 1,
                "as_of": T("2023-07-31"),
                "source_file": "m.xlsx",
                "source_row": 5,
            },
        ]
    ).to_parquet(processed / "manual.parquet")
    files = [
        {
            "file": "tg/ds.xlsx",
            "kind": "dossier_list",
            "unit_id": TG,
            "unit_ids": [TG],
            "period_start": "2023-06-01",
            "period_end": "2023-07-31",
            "warnings": ["Cảnh báo của tệp hồ sơ."],
        },
        {
            "file": "ls/ds.xlsx",
            "kind": "dossier_list",
            "unit_id": LS,
            "unit_ids": [LS],
            "period_start": "2023-07-01",
            "period_end": "2023-07-31",
            "warnings": [],
        },
        {
            "file": "tg/ns.xlsx",
            "kind": "budget",
            "unit_id": TG,
            "period_start": "2023-01-01",
            "period_end": "2023-06-30",
            "warnings": ["Dòng 9 lệch 1.000 đồng."],
        },
        {
            "file": "par.xlsx",
            "kind": "par",
            "period_start": "2022-01-01",
            "period_end": "2022-12-31",
            "warnings": ["Xã Lam Sơn: tổng điểm lệch."],
        },
    ]
    (processed / "ingest_report.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    return data


@pytest.fixture  # per test: mutation testing runs only the tests that call the mutated code
def records(store):
    return {r["unit_id"]: r for r in compute_indicators(store, JULY)}


def test_units_chosen_and_their_identity(records):
    assert set(records) == {TG, LS}  # the units with data, in the registry's order of their group
    tg = records[TG]
    assert (tg["unit_code"], tg["unit_name"], tg["group"]) == ("11287", "Xã Thanh Giang", "Huyện Thanh Miện")
    assert (tg["period_start"], tg["period_end"], tg["period_id"]) == ("2023-07-01", "2023-07-31", "2023-07")
    assert tg["methodology_version"] == "2026.2"


def test_dossier_counts_by_hand(records):
    tg = records[TG]
    # new in July: 1 (online), 2 (direct), 4 (online), 5 (postal); carried: 3; 6 was never accepted
    assert {k: tg[k] for k in ("received_total", "received_online", "received_direct", "received_postal")} == {
        "received_total": 5,
        "received_online": 2,
        "received_direct": 1,
        "received_postal": 1,
    }
    # resolved: 1 early (05 < 10), 2 on the due day, 3 late (03 > 01); pending: 4 (due 05/08, within); 5 withdrawn
    assert [
        tg[k] for k in ("carried_over", "resolved_total", "resolved_early", "resolved_on_time", "resolved_late")
    ] == [1, 3, 1, 1, 1]
    assert [
        tg[k] for k in ("pending_total", "pending_within_deadline", "pending_overdue", "withdrawn", "returned")
    ] == [1, 1, 0, 1, 0]
    assert tg["resolved_early_pct"] == pytest.approx(100 / 3) and tg["resolved_late_pct"] == pytest.approx(100 / 3)
    assert tg["online_rate"] == 50.0  # 2 of 4 new
    assert tg["on_time_rate_766"] == 75.0  # (1 early + 1 on time + 1 pending within) / (3 resolved + 1 pending)


def test_payment_procedures_and_digitisation_by_hand(records):
    tg = records[TG]
    # payment recorded from 03/07 (dossier 1); fee-bearing new dossiers: 1 (paid online) and 4 (cash)
    assert (tg["payment_tracked_from"], tg["fee_dossiers"], tg["fee_paid_online"]) == ("2023-07-03", 2, 1)
    assert tg["online_payment_rate"] == 50.0
    # procedures with an online new dossier: A (1 and 4) of the catalogue's 3
    assert (tg["procedures_with_online_dossiers"], tg["procedures_total"]) == (1, 3)
    assert tg["procedures_online_share"] == pytest.approx(100 / 3)
    assert tg["digitised_rate"] == 50.0  # 1 digitised of 2 new dossiers with the column filled


def test_budget_par_manual_and_satisfaction_by_hand(records):
    tg = records[TG]
    assert (tg["budget_as_of"], tg["revenue_estimate"], tg["revenue_actual"]) == ("2023-06-30", 1000, 400)
    assert (tg["revenue_execution_pct"], tg["expenditure_execution_pct"]) == (40.0, 25.0)
    # PAR 2022 (published 28/03/2023): 8,417 + 9 = 17,417 of 11,5 + 10 = 21,5; Lam Sơn 11 + 6 = 17: TG first of two
    assert (tg["par_year"], tg["par_total_score"], tg["par_total_max"]) == (2022, pytest.approx(17.417), 21.5)
    assert tg["par_total_pct"] == pytest.approx(100 * 17.417 / 21.5) and (tg["par_rank"], tg["par_rank_of"]) == (1, 2)
    egov = next(c for c in tg["par_components"] if c["component"] == EGOV)
    assert (egov["rank"], egov["rank_of"], egov["below_75"], egov["self_review_required"]) == (2, 2, True, True)
    ls_inst = next(c for c in records[LS]["par_components"] if c["component"] == INST)
    assert (ls_inst["pct"], ls_inst["below_75"], ls_inst["self_review_required"]) == (60.0, True, False)
    assert tg["manual"]["pakn_received"] == {"value": 1, "as_of": "2023-07-31"}
    assert tg["manual"]["pakn_on_time_rate"] == {"value": 100.0, "as_of": "2023-07-31"}
    # 100 - 33,33 (late share of resolved) - 100 x 1 PAKN / 5 received = 46,67
    assert tg["satisfaction_rate"] == pytest.approx(100 - 100 / 3 - 20)


def test_what_is_missing_says_why(records):
    tg, ls = records[TG], records[LS]
    assert tg["missing"] == {}
    # no payment method recorded yet: the fee counts are unknown (None), not 0
    assert (ls["payment_tracked_from"], ls["fee_dossiers"], ls["fee_paid_online"]) == (None, None, None)
    assert ls["missing"] == {
        "procedures_total": "chưa có danh mục thủ tục hành chính của đơn vị",
        "procedures_online_share": "chưa có danh mục thủ tục hành chính của đơn vị",
        "online_payment_rate": "kỳ này không có dữ liệu về hình thức thanh toán",
        "fee_dossiers": "kỳ này không có dữ liệu về hình thức thanh toán",
        "fee_paid_online": "kỳ này không có dữ liệu về hình thức thanh toán",
        "digitised_rate": "tệp xuất không có cột số hóa",
        "budget_as_of": "không có báo cáo ngân sách trong năm tài chính đến cuối kỳ",
        "revenue_execution_pct": "không có báo cáo ngân sách trong năm tài chính đến cuối kỳ",
        "expenditure_execution_pct": "không có báo cáo ngân sách trong năm tài chính đến cuối kỳ",
        "satisfaction_rate": "thiếu số phản ánh, kiến nghị (biểu nhập liệu) hoặc tỷ lệ quá hạn",
    }
    assert ls["resolved_total"] == 1 and ls["budget_as_of"] is None and ls["manual"] == {}


def test_warnings_carry_the_files_warnings(records):
    assert records[TG]["warnings"] == [
        "Báo cáo ngân sách tg/ns.xlsx: Dòng 9 lệch 1.000 đồng.",
        "tg/ds.xlsx: Cảnh báo của tệp hồ sơ.",
    ]
    assert records[LS]["warnings"] == ["Bảng điểm CCHC par.xlsx: Xã Lam Sơn: tổng điểm lệch."]


def test_decision_766_points_by_hand(records):
    s = records[TG]["score_766"]
    by = {g["group"]: g for g in s["groups"]}
    assert by["progress"]["points"] == pytest.approx(15.0)  # 20 x 75 / 100
    # online: 4 x 33,33 / 80 + 8 (50% meets 50) + 10 (50% meets 50)
    assert by["online"]["points"] == pytest.approx(4 * (100 / 3) / 80 + 8 + 10)
    assert by["digitisation"]["points"] == pytest.approx(22 * 50 / 80)
    assert by["satisfaction"]["points"] == pytest.approx(18 * (100 - 100 / 3 - 20) / 90)
    assert by["transparency"]["points"] is None and by["transparency"]["note"].startswith("chưa tính được: thiếu")
    assert s["max_points"] == 20 + 22 + 22 + 18
    assert s["points"] == pytest.approx(
        sum(by[g]["points"] for g in ("progress", "online", "digitisation", "satisfaction"))
    )


def test_chosen_units_a_group_and_a_unit_without_data(store):
    (rec,) = compute_indicators(store, JULY, units=["Tân Trào"])
    assert rec["received_total"] is None and rec["missing"]["received_total"] == (
        "không có danh sách hồ sơ của đơn vị trong kỳ"
    )
    assert (
        rec["par_year"] is None and rec["missing"]["par_year"] == "chưa có kết quả chỉ số CCHC được công bố đến cuối kỳ"
    )
    assert compute_indicators(store, JULY, group="Thành phố Hải Phòng") == []
    assert [r["unit_id"] for r in compute_indicators(store, JULY, group="Huyện Thanh Miện")] == [LS, TG]


def test_a_period_the_units_exports_do_not_cover_is_missing_not_zero(store):
    (rec,) = compute_indicators(store, parse_period("2023-09"), units=["Lam Sơn"])
    assert rec["received_total"] is None
    assert rec["missing"]["received_total"].startswith("không có tệp xuất hồ sơ nào của đơn vị trong kỳ")
    assert "01/07/2023–31/07/2023" in rec["missing"]["online_rate"]


# --- the record's types, successors, corrections, a user's methodology, inputs the exports did not give -----------


def test_ranks_and_years_are_whole_numbers(records):
    tg = records[TG]
    for key in ("par_year", "par_rank", "par_rank_of", "received_total", "resolved_late", "fee_dossiers"):
        assert type(tg[key]) is int, key  # "1/2", never "1.0/2" in a brief
    for key in ("par_total_score", "par_total_max", "online_rate", "revenue_execution_pct"):
        assert type(tg[key]) is float, key


def test_a_unit_without_dossiers_has_every_dossier_rate_missing_for_that_reason(store):
    (rec,) = compute_indicators(store, JULY, units=["Tân Trào"])
    reason = "không có danh sách hồ sơ của đơn vị trong kỳ"
    for key in ("online_rate", "resolved_early_pct", "on_time_rate_766", "online_payment_rate", "digitised_rate"):
        assert rec[key] is None and rec["missing"][key] == reason, key


def test_a_name_two_units_bore_is_the_one_of_the_periods_date(store):
    # "Thanh Miện" is the town until 30/06/2025 and the commune that succeeded it from 01/07/2025
    (rec,) = compute_indicators(store, JULY, units=["Thanh Miện"])
    assert rec["unit_id"] == "30-11239" and rec["unit_name"] == "Thị trấn Thanh Miện"


def test_a_successor_unit_before_it_existed_adds_up_its_predecessors(own_store):
    # Nam Thanh Miện (2025-31-11284) took the whole of Thanh Giang and of three units with no data here: its sums
    # would be Thanh Giang's alone, short by three communes: missing, said why
    (south,) = compute_indicators(own_store, JULY, units=["Nam Thanh Miện"])
    assert south["unit_id"] == "2025-31-11284" and south["received_total"] is None
    assert south["missing"]["received_total"] == (
        "chưa có dữ liệu hồ sơ của Xã Chi Lăng Bắc, Xã Chi Lăng Nam, Xã Hồng Phong (đơn vị trước sắp xếp của "
        "Xã Nam Thanh Miện): hãy nhập các tệp xuất của đơn vị này"
    )
    assert south["on_time_rate_766"] is None and south["aggregated_from"][0]["unit_id"] == TG
    # with a dossier of each of the three (resolved on its due day, 10/07, direct) the sums are complete
    extra = [
        dossier(u, f"x{i}", "2023-07-03 08:00", "2023-07-10", "2023-07-10 09:00", "resolved", "direct")
        for i, u in enumerate(("30-11281", "30-11284", "30-11293"))
    ]
    path = own_store / "processed" / "dossiers.parquet"
    pd.concat([pd.read_parquet(path), pd.DataFrame(extra)], ignore_index=True).to_parquet(path)
    (south,) = compute_indicators(own_store, JULY, units=["Nam Thanh Miện"])
    assert [s["unit_id"] for s in south["aggregated_from"]] == ["30-11281", "30-11284", TG, "30-11293"]
    # Thanh Giang's counts, as worked out in test_dossier_counts_by_hand (5 received, 3 resolved of which 1 early,
    # 1 pending; 2 of 4 new online), and the three on-time dossiers
    assert [south[k] for k in ("received_total", "resolved_total", "resolved_early", "resolved_on_time")] == [
        8,
        6,
        1,
        4,
    ]
    assert south["pending_total"] == 1 and south["online_rate"] == pytest.approx(200 / 7)
    assert south["procedures_online_share"] is None
    assert south["missing"]["procedures_online_share"] == "đơn vị hợp nhất: không cộng số thủ tục của các đơn vị cũ"
    assert "received_total" not in south["missing"]


@pytest.fixture
def own_store(store, tmp_path):
    """A copy of the store that a test may change."""
    import shutil

    shutil.copytree(store, tmp_path / "s")
    return tmp_path / "s"


def test_approved_corrections_in_the_data_folder_are_applied(own_store):
    (own_store / "corrections.yaml").write_text(
        "- {unit: Thanh Giang, period: 2023-07, indicator: withdrawn, value: 2, reason: ghi nhầm, "
        "approved_by: UBND xã, date: 2023-08-10}\n",
        encoding="utf-8",
    )
    by = {r["unit_id"]: r for r in compute_indicators(own_store, JULY)}
    assert by[TG]["withdrawn"] == 2 and by[LS]["withdrawn"] == 0
    assert by[TG]["corrections"] == [
        {
            "indicator": "withdrawn",
            "computed": 1,
            "value": 2,
            "reason": "ghi nhầm",
            "approved_by": "UBND xã",
            "date": "2023-08-10",
        }
    ]
    assert by[LS]["corrections"] == []


def test_the_methodology_given_is_the_one_used(store):
    import copy

    from cchc_analysis.methodology import Methodology, load_methodology

    settings = copy.deepcopy(load_methodology().settings)
    settings["online_payment"]["tracked_from"] = "2023-07-05"  # payment counted from 05/07 only
    settings["par"]["below_threshold_pct"] = 70.0  # Thanh Giang's e-government 73,2% is no longer below
    settings["ingest"]["max_unknown_share"] = 0.0
    custom = Methodology(settings, "thu-1", "x")
    tg = next(r for r in compute_indicators(store, JULY, methodology=custom) if r["unit_id"] == TG)
    assert tg["methodology_version"] == "thu-1"
    # new fee-bearing dossiers from 05/07: only 4 (cash)
    assert (tg["payment_tracked_from"], tg["fee_dossiers"], tg["fee_paid_online"]) == ("2023-07-05", 1, 0)
    assert tg["online_payment_rate"] == 0.0
    egov = next(c for c in tg["par_components"] if c["component"] == EGOV)
    assert (egov["below_75"], egov["self_review_required"]) == (False, False)


def test_unknown_inputs_checks_and_the_units_with_any_source(own_store):
    processed = own_store / "processed"
    d = pd.DataFrame(
        [
            # finished before it was received (the store's first row: a unit without dossiers is never checked
            # against another unit's)
            dossier(TG, "9", "2023-07-15 08:00", "2023-07-20", "2023-07-14 08:00", "returned", "direct"),
            *DOSSIERS,
            # a new dossier of unknown channel: 1 of 6 new (1, 2, 4, 5, 8, 9; 17%, above 5%): channel figures missing
            dossier(TG, "8", "2023-07-11 08:00", "2023-07-20", "2023-07-12 08:00", "resolved", None),
        ]
    )
    d.drop(columns=["status_raw", "payment_raw"]).to_parquet(processed / "dossiers.parquet")
    (processed / "manual.parquet").unlink()  # no manual-input workbook read
    (processed / "ingest_report.json").write_text("{}", encoding="utf-8")  # a report without files
    pd.DataFrame(
        [
            budget(TG, "revenue", 0.0, 10.0),  # an estimate of 0: no execution rate, not a division by zero
            {**budget(TG, "expenditure", 800.0, 200.0), "adjusted_estimate": 1000.0},
            budget("30-11293", "revenue", 100.0, 50.0),  # Hồng Phong: a budget report only
        ]
    ).to_parquet(processed / "budget.parquet")
    p = pd.read_parquet(processed / "par.parquet")
    pd.concat([p, pd.DataFrame([par("30-11257", EGOV, 5.0, 11.5)])]).to_parquet(processed / "par.parquet")
    by = {r["unit_id"]: r for r in compute_indicators(own_store, JULY)}
    assert set(by) == {TG, LS, "30-11293", "30-11257"}  # dossiers, budget only, PAR only (Tân Trào)
    tg = by[TG]
    assert tg["online_rate"] is None and "1/6 hồ sơ mới không rõ kênh nộp" in tg["missing"]["online_rate"]
    assert tg["warnings"][0].startswith("1/6 hồ sơ mới không rõ kênh nộp")
    assert "1 hồ sơ có ngày kết thúc trước ngày tiếp nhận." in tg["warnings"]
    assert tg["revenue_execution_pct"] is None and tg["expenditure_execution_pct"] == 25.0
    assert tg["manual"] == {} and tg["satisfaction_rate"] is None
    assert by["30-11293"]["revenue_execution_pct"] == 50.0 and by["30-11293"]["received_total"] is None
    assert by["30-11293"]["missing"]["received_total"] == "không có danh sách hồ sơ của đơn vị trong kỳ"
    assert by["30-11257"]["par_total_score"] == 5.0
    assert by["30-11293"]["warnings"] == [] and by["30-11257"]["warnings"] == []
    # a methodology that divides by the adjusted estimate: 200 of 1.000
    import copy

    from cchc_analysis.methodology import Methodology, load_methodology

    settings = copy.deepcopy(load_methodology().settings)
    settings["budget"]["denominator"] = "adjusted"
    adjusted = compute_indicators(own_store, JULY, units=["Thanh Giang"], methodology=Methodology(settings, "a", "x"))
    assert adjusted[0]["expenditure_execution_pct"] == 20.0 and adjusted[0]["expenditure_estimate"] == 1000


def test_units_the_data_folder_adds_are_known(own_store):
    (own_store / "units.yaml").write_text(
        "- {unit_id: 99-00001, name: Thử Nghiệm, type: xã, group: Huyện Thanh Miện}\n", encoding="utf-8"
    )
    (rec,) = compute_indicators(own_store, JULY, units=["Thử Nghiệm"])
    assert (rec["unit_id"], rec["unit_name"], rec["received_total"]) == ("99-00001", "Xã Thử Nghiệm", None)


# --- a period that straddles 1 July 2025 ------------------------------------------------------------------------

NTM = "2025-31-11284"  # Nam Thanh Miện, created 01/07/2025 from Thanh Giang (whole) and three others
ACROSS = parse_period("01/06/2025-31/07/2025")


@pytest.fixture(scope="module")
def straddle_store(tmp_path_factory):
    data = tmp_path_factory.mktemp("straddle")
    (data / "processed").mkdir()
    rows = [
        # Thanh Giang in June: resolved on 12/06, 3 days before its 15/06 deadline, submitted online
        dossier(TG, "s1", "2025-06-10 08:00", "2025-06-15", "2025-06-12 10:00", "resolved", "online"),
        # Nam Thanh Miện in July: one resolved on 12/07 after its 10/07 deadline (direct), one still in progress
        dossier(NTM, "s2", "2025-07-02 08:00", "2025-07-10", "2025-07-12 09:00", "resolved", "direct"),
        dossier(NTM, "s3", "2025-07-20 08:00", "2025-08-30", None, "in_progress", "online"),
        # its three other predecessors in June: one dossier each, resolved on its due day (15/06), direct
        *(
            dossier(u, f"s{u}", "2025-06-11 08:00", "2025-06-15", "2025-06-15 10:00", "resolved", "direct")
            for u in ("30-11281", "30-11284", "30-11293")
        ),
    ]
    pd.DataFrame(rows).to_parquet(data / "processed" / "dossiers.parquet")
    return data


def test_a_period_straddling_the_merger_gives_the_new_commune_its_predecessors_part(straddle_store):
    (rec,) = compute_indicators(straddle_store, ACROSS, group="Thành phố Hải Phòng")
    assert rec["unit_id"] == NTM  # never Thanh Giang beside its successor: the boundaries of 31/07/2025
    # 1 June dossier of Thanh Giang, 3 of its neighbours + 2 July dossiers of Nam Thanh Miện
    assert [rec[k] for k in ("received_total", "resolved_total", "resolved_early", "resolved_late")] == [6, 5, 1, 1]
    assert rec["resolved_on_time"] == 3 and rec["pending_total"] == 1
    assert rec["online_rate"] == pytest.approx(200 / 6)  # 2 of the 6 received online
    assert rec["aggregated_from"] == [
        {"unit_id": NTM, "name": "Xã Nam Thanh Miện", "share": 1.0, "from": "2025-07-01"},
        {"unit_id": "30-11281", "name": "Xã Chi Lăng Bắc", "share": 1.0},
        {"unit_id": "30-11284", "name": "Xã Chi Lăng Nam", "share": 1.0},
        {"unit_id": TG, "name": "Xã Thanh Giang", "share": 1.0},
        {"unit_id": "30-11293", "name": "Xã Hồng Phong", "share": 1.0},
    ]
    # every unit of the store, with the same boundaries
    assert [r["unit_id"] for r in compute_indicators(straddle_store, ACROSS)] == [NTM]


def test_a_district_that_ceased_during_the_period_is_refused(straddle_store):
    from cchc_analysis.errors import UnitLookupError

    with pytest.raises(UnitLookupError, match="Nhóm 'Huyện Thanh Miện' không còn từ 01/07/2025"):
        compute_indicators(straddle_store, ACROSS, group="Huyện Thanh Miện")
    # a period before the merger still ranks the district
    june = compute_indicators(straddle_store, parse_period("2025-06"), group="Huyện Thanh Miện")
    assert {r["unit_id"] for r in june} == {TG, "30-11281", "30-11284", "30-11293"}
    assert not any("aggregated_from" in r for r in june)


def test_a_unit_whose_dossiers_all_ended_before_the_period_still_gets_zeros_from_its_history(tmp_path):
    """compute_indicators reads only the rows a period may count; a unit's whole history still decides that it has
    a row (zeros, not "missing") and from which day online payment is counted (worked out by hand below)."""
    from cchc_analysis.indicators import unit_history
    from cchc_analysis.periods import parse_period

    def row(unit, code, received, finished, status="resolved", payment=None):
        return {
            "unit_id": unit,
            "code": code,
            "status": status,
            "channel": "online",
            "received_at": T(received),
            "due_at": T(received) + pd.Timedelta(days=10),
            "processed_at": T(finished) if finished else pd.NaT,
            "result_at": T(finished) if finished else pd.NaT,
            "handed_at": T(finished) if finished else pd.NaT,
            "fee": 5000.0,
            "payment_method": payment,
            "procedure": "Chứng thực bản sao",
            "digitised": True,
        }

    rows = [
        row(TG, "T-1", "2023-02-01 09:00", "2023-02-03 10:00", payment="online"),  # ended before 2023Q3
        row(LS, "L-1", "2023-03-01 09:00", "2023-03-02 10:00"),  # Lam Sơn: nothing in 2023Q3
        row(LS, "L-2", "2023-07-10 09:00", "2023-07-12 10:00", status="not_accepted"),
        row(TG, "T-2", "2023-07-05 09:00", "2023-07-06 10:00", payment="cash"),
    ]
    frame = pd.DataFrame(rows)
    history = unit_history(frame)
    assert history.index.tolist() == sorted([TG, LS])
    assert history.loc[TG, "first_payment_day"] == T("2023-02-01") and pd.isna(history.loc[LS, "first_payment_day"])
    (tmp_path / "processed").mkdir()
    frame.to_parquet(tmp_path / "processed" / "dossiers.parquet")
    records = {r["unit_id"]: r for r in compute_indicators(tmp_path, parse_period("2023Q3"), units=[TG, LS])}
    # Lam Sơn: its only dossier of the quarter was not accepted, its other ended in March: zeros, not missing
    assert (records[LS]["received_total"], records[LS]["resolved_total"]) == (0, 0)
    assert "received_total" not in records[LS]["missing"]
    # Thanh Giang: one new dossier, paid in cash; payments tracked since 01/02/2023 (a row the quarter never reads)
    assert (records[TG]["received_total"], records[TG]["fee_dossiers"], records[TG]["fee_paid_online"]) == (1, 1, 0)
    assert records[TG]["payment_tracked_from"] == "2023-02-01"


def test_a_dossier_finished_at_midnight_on_the_first_day_is_read_and_counted_in_the_period(tmp_path):
    """The period's rows are filtered before they are read (store.period_rows): the edge is the first instant of
    the first day. Received 30/06 and finished 01/07 00:00: carried into 2023Q3 and resolved in it; finished
    30/06 23:59: neither (worked out from DOMAIN's rules: carried over = received before the period and not
    finished before it)."""
    from cchc_analysis.periods import parse_period

    def row(code, finished):
        return {
            "unit_id": TG,
            "code": code,
            "status": "resolved",
            "channel": "direct",
            "received_at": T("2023-06-30 08:00"),
            "due_at": T("2023-07-10"),
            "processed_at": T(finished),
            "result_at": T(finished),
            "handed_at": T(finished),
            "fee": 0.0,
            "payment_method": None,
            "procedure": "Chứng thực bản sao",
            "digitised": True,
        }

    (tmp_path / "processed").mkdir()
    pd.DataFrame([row("A", "2023-07-01 00:00:00"), row("B", "2023-06-30 23:59:00")]).to_parquet(
        tmp_path / "processed" / "dossiers.parquet"
    )
    (record,) = compute_indicators(tmp_path, parse_period("2023Q3"), units=[TG])
    assert (record["carried_over"], record["received_total"], record["resolved_total"]) == (1, 1, 1)
    from cchc_analysis.store import load_dossiers

    assert load_dossiers(tmp_path, "2023Q3")["code"].tolist() == ["A"]  # the same edge in the analysts' reader


# --- after 1 July 2025: an old commune's dossiers still pending when it ceased ---------------------------------------

Q3_2025 = parse_period("2025Q3")
NLB, DT = "2025-31-11242", "30-11251"  # Nguyễn Lương Bằng; Đoàn Tùng, divided between it and Thượng Hồng (no shares)


def _after_store(tmp_path, rows):
    (tmp_path / "processed").mkdir(parents=True)
    pd.DataFrame(rows).assign(field="Hộ tịch").to_parquet(tmp_path / "processed" / "dossiers.parquet")
    return tmp_path


AFTER = [
    # Thanh Giang, ceased 30/06/2025, whole into Nam Thanh Miện: h1 resolved on 03/07 (due 05/07: early), h2 still
    # in progress on 30/09 (due 10/07: overdue), h3 ended in May (not in 2025Q3)
    dossier(TG, "h1", "2025-06-20 08:00", "2025-07-05", "2025-07-03 10:00", "resolved", "direct"),
    dossier(TG, "h2", "2025-06-25 08:00", "2025-07-10", None, "in_progress", "online"),
    dossier(TG, "h3", "2025-05-10 08:00", "2025-05-20", "2025-05-15 08:00", "resolved", "direct"),
    # Nam Thanh Miện's own: n1 online, resolved early; n2 direct, resolved late
    dossier(NTM, "n1", "2025-07-02 08:00", "2025-07-10", "2025-07-08 08:00", "resolved", "online"),
    dossier(NTM, "n2", "2025-08-01 08:00", "2025-08-15", "2025-08-20 08:00", "resolved", "direct"),
]


def test_dossiers_an_old_commune_left_pending_count_in_its_successors_later_quarter(tmp_path):
    (rec,) = compute_indicators(_after_store(tmp_path, AFTER), Q3_2025, units=["Nam Thanh Miện"])
    # new: n1 online, n2 direct; carried over: h1, h2 (Thanh Giang's, received before 01/07, not finished before it)
    assert [rec[k] for k in ("received_online", "received_direct", "carried_over", "received_total")] == [1, 1, 2, 4]
    # resolved: h1 early, n1 early, n2 late; pending: h2, overdue since 10/07
    assert [rec[k] for k in ("resolved_total", "resolved_early", "resolved_on_time", "resolved_late")] == [3, 2, 0, 1]
    assert [rec[k] for k in ("pending_total", "pending_overdue")] == [1, 1]
    assert rec["online_rate"] == 50.0  # n1 of the two new ones (h2 was not new in the quarter)
    assert rec["on_time_rate_766"] == 50.0  # (2 early + 0 on time + 0 pending within) / 4 handled
    assert rec["aggregated_from"] == [
        {"unit_id": NTM, "name": "Xã Nam Thanh Miện", "share": 1.0, "from": "2025-07-01"},
        {"unit_id": TG, "name": "Xã Thanh Giang", "share": 1.0},
    ]
    # the next quarter: h2 is still pending, carried over again; n1, n2 ended in 2025Q3
    (q4,) = compute_indicators(tmp_path, parse_period("2025Q4"), units=["Nam Thanh Miện"])
    assert [q4[k] for k in ("received_total", "carried_over", "pending_total", "resolved_total")] == [1, 1, 1, 0]


def test_a_dossier_in_both_the_old_and_the_new_communes_exports_counts_once_as_the_new_ones(tmp_path):
    from cchc_analysis.store import load_dossiers

    # h2 handed over: Nam Thanh Miện's export holds it too, resolved on 20/07 (after its 10/07 deadline)
    handed = dossier(NTM, "h2", "2025-06-25 08:00", "2025-07-10", "2025-07-20 08:00", "resolved", "online")
    data = _after_store(tmp_path, [*AFTER, handed])
    (rec,) = compute_indicators(data, Q3_2025, units=["Nam Thanh Miện"])
    # carried over: h1 (Thanh Giang's) and h2 (once, Nam Thanh Miện's); resolved: h1, n1 early, n2, h2 late
    assert [rec[k] for k in ("received_total", "carried_over", "resolved_total", "pending_total")] == [4, 2, 4, 0]
    assert [rec[k] for k in ("resolved_early", "resolved_late", "on_time_rate_766")] == [2, 2, 50.0]
    # the analyst's table: one row per dossier, h2 the successor's
    rows = load_dossiers(data, Q3_2025, ["Nam Thanh Miện", "Thanh Giang"])
    assert sorted(zip(rows["code"], rows["unit_id"], strict=True)) == [
        ("h1", TG),
        ("h2", NTM),
        ("n1", NTM),
        ("n2", NTM),
    ]
    # the old commune's own table, loaded alone, still holds its copy (nothing to compare it with)
    assert sorted(load_dossiers(data, Q3_2025, ["Thanh Giang"])["code"]) == ["h1", "h2"]
    # before 01/07/2025 the old commune's copy is the one that counts: in its 2025Q2, h1 and h2 were received and
    # are pending on 30/06 (h3 resolved early in May), whichever export the new commune holds of h2
    (june,) = compute_indicators(data, parse_period("2025Q2"), units=["Thanh Giang"])
    assert [june[k] for k in ("received_total", "resolved_early", "pending_total")] == [3, 1, 2]
    rows = load_dossiers(data, parse_period("2025Q2"), ["Thanh Giang", "Nam Thanh Miện"])
    assert sorted(zip(rows["code"], rows["unit_id"], strict=True)) == [("h1", TG), ("h2", TG), ("h3", TG)]


def test_a_divided_communes_pending_dossier_makes_its_successors_counts_missing_and_an_idle_one_does_not(tmp_path):
    own = dossier(NLB, "b1", "2025-07-03 08:00", "2025-07-10", "2025-07-04 08:00", "resolved", "online")
    pending = dossier(DT, "d1", "2025-06-28 08:00", "2025-07-08", None, "in_progress", "direct")
    ended = dossier(DT, "d1", "2025-06-28 08:00", "2025-07-08", "2025-06-29 08:00", "resolved", "direct")
    (rec,) = compute_indicators(_after_store(tmp_path / "a", [own, pending]), Q3_2025, units=["Nguyễn Lương Bằng"])
    # which part of Đoàn Tùng's work went to Nguyễn Lương Bằng is unknown: its counts are missing, said why
    reason = "chưa biết tỷ lệ phần của Xã Đoàn Tùng chuyển về Xã Nguyễn Lương Bằng"
    assert rec["received_total"] is None and rec["missing"]["received_total"] == reason
    assert rec["on_time_rate_766"] is None and rec["missing"]["on_time_rate_766"] == reason
    # Đoàn Tùng's dossier ended before 01/07: it handled nothing in the quarter, its share does not matter
    (rec,) = compute_indicators(_after_store(tmp_path / "b", [own, ended]), Q3_2025, units=["Nguyễn Lương Bằng"])
    assert [rec[k] for k in ("received_total", "resolved_early")] == [1, 1] and "aggregated_from" not in rec


def test_the_brief_of_the_new_commune_says_what_it_took_in_and_its_table_agrees(tmp_path):
    from cchc_analysis.brief import Notice, Table, unit_brief

    data = _after_store(tmp_path, AFTER)
    brief = unit_brief(data, Q3_2025, "Nam Thanh Miện", "Thành phố Hải Phòng")
    onestop = next(s for s in brief.sections if s.key == "onestop")
    notices = [b.text for b in onestop.blocks if isinstance(b, Notice)]
    assert notices == [
        "Số liệu hồ sơ của kỳ gồm cả hồ sơ do các đơn vị trước sắp xếp tiếp nhận hoặc còn đang giải quyết: "
        "Xã Thanh Giang."
    ]
    # Bảng 1 counts Thanh Giang's h1 and h2 with the commune's own n1 and n2, as the figures do: 4 received, of
    # them 2 from the quarter before; 3 resolved (2 early, 1 late); 1 pending, overdue
    (table,) = [b for b in onestop.blocks if isinstance(b, Table)]
    total = table.frame.iloc[-1].tolist()
    assert total[:12] == ["Tổng cộng", "4", "1", "1", "2", "3", "2", "0", "1", "1", "0", "1"]


def test_a_divided_predecessors_dossiers_stay_out_of_the_brief_table_and_the_notice_says_so():
    from cchc_analysis.brief import _predecessors_notice
    from cchc_analysis.indicators import dossier_units, own_dossiers_only

    rec = {
        "unit_id": NLB,
        "aggregated_from": [
            {"unit_id": NLB, "name": "Xã Nguyễn Lương Bằng", "share": 1.0, "from": "2025-07-01"},
            {"unit_id": "30-11245", "name": "Xã Phạm Kha", "share": 1.0},
            {"unit_id": DT, "name": "Xã Đoàn Tùng", "share": None},
            {"unit_id": "X", "name": "Xã X", "share": 0.25},
        ],
    }
    assert dossier_units(rec) == [NLB]
    assert _predecessors_notice(rec).text == (
        "Số liệu hồ sơ của kỳ gồm cả hồ sơ do các đơn vị trước sắp xếp tiếp nhận hoặc còn đang giải quyết: "
        "Xã Phạm Kha, Xã Đoàn Tùng (chưa biết phần chuyển về đơn vị), Xã X (25%). Bảng 1 và Hình 1 chỉ gồm hồ sơ "
        "của chính đơn vị: hồ sơ của đơn vị được chia cho nhiều đơn vị mới không tách được theo từng đơn vị."
    )
    whole = {"unit_id": NLB, "aggregated_from": rec["aggregated_from"][:2]}
    assert dossier_units(whole) == [NLB, "30-11245"]
    # the tables (brief, workbook) say they hold the unit's own dossiers alone only where others are left out
    assert own_dossiers_only(rec) and not own_dossiers_only(whole) and not own_dossiers_only({"unit_id": NLB})
    assert _predecessors_notice({"unit_id": NLB}) is None and dossier_units({"unit_id": NLB}) == [NLB]


def test_the_ranking_counts_what_the_old_commune_left_pending_as_the_new_ones(tmp_path):
    from cchc_analysis.ranking import compute_rankings

    records = compute_rankings(_after_store(tmp_path, AFTER), Q3_2025, group="Thành phố Hải Phòng")
    early = next(r for r in records if r["unit_id"] == NTM and r["indicator"] == "resolved_early_pct")
    # resolved in the quarter: h1 (Thanh Giang's, early), n1 early, n2 late: 2 of 3 early (its own alone: 1 of 2)
    assert early["volume"] == 3 and early["value"] == pytest.approx(200 / 3)
    assert {r["unit_id"] for r in records} == {NTM}  # never Thanh Giang beside it


def test_the_new_communes_unknown_inputs_still_count_when_its_figures_take_in_an_old_ones(tmp_path):
    # n2's channel is blank: 1 of the 2 new dossiers of unknown channel, more than 5%
    rows = [dict(r, channel=None) if r["code"] == "n2" else r for r in AFTER]
    (rec,) = compute_indicators(_after_store(tmp_path, rows), Q3_2025, units=["Nam Thanh Miện"])
    assert rec["aggregated_from"][1]["unit_id"] == TG  # Thanh Giang's pending dossiers taken in, as above
    # not 50% online (n1 of 2, the blank one counted as not online): missing, with the reason
    assert rec["online_rate"] is None and rec["missing"]["online_rate"].startswith("1/2 hồ sơ mới không rõ kênh nộp")
    assert rec["received_total"] == 4 and rec["resolved_early"] == 2  # the figures that do not need the channel


def test_the_workbooks_tt01_sheet_of_the_new_commune_agrees_with_its_figures(tmp_path):
    from openpyxl import load_workbook

    from cchc_analysis.cli import main

    data, out = _after_store(tmp_path / "d", AFTER), tmp_path / "chi-so.xlsx"
    args = ["indicators", "--data-dir", str(data), "--period", "2025Q3", "--unit", "Nam Thanh Miện"]
    assert main([*args, "--format", "xlsx", "-o", str(out)]) == 0
    sheet = load_workbook(out)["TT01 Xã Nam Thanh Miện"]
    total = next(r for r in range(6, sheet.max_row + 1) if sheet.cell(r, 2).value == "Tổng cộng")
    # as the record: 4 received (n1 online, n2 direct, h1 and h2 from before), 3 resolved (2 early, 1 late), h2
    # pending and overdue
    assert [sheet.cell(total, c).value for c in range(3, 15)] == [4, 1, 1, 2, 3, 2, 0, 1, 1, 0, 1, 0]


def test_on_the_new_communes_first_day_its_copy_of_a_handed_over_dossier_is_the_one_that_counts(tmp_path):
    rows = [
        # h2 in both exports: Thanh Giang's copy in progress, Nam Thanh Miện's resolved on 01/07 (due 10/07: early)
        dossier(TG, "h2", "2025-06-25 08:00", "2025-07-10", None, "in_progress", "online"),
        dossier(NTM, "h2", "2025-06-25 08:00", "2025-07-10", "2025-07-01 10:00", "resolved", "online"),
        # its three other predecessors hold dossiers (ended in May): nothing of theirs is missing
        *(
            dossier(u, f"m{u}", "2025-05-05 08:00", "2025-05-15", "2025-05-06 08:00", "resolved", "direct")
            for u in ("30-11281", "30-11284", "30-11293")
        ),
    ]
    # the period ends on 01/07/2025, Nam Thanh Miện's first day: with its boundaries, its copy counts
    (rec,) = compute_indicators(_after_store(tmp_path, rows), parse_period("01/06/2025-01/07/2025"), group=None)
    assert rec["unit_id"] == NTM
    assert [rec[k] for k in ("received_total", "resolved_early", "pending_total")] == [1, 1, 0]


def test_what_a_record_could_not_compute_is_said_in_words_one_sentence_per_reason(tmp_path):
    from cchc_analysis.brief import FIELD_LABELS, missing_sentences
    from cchc_analysis.methodology import indicator_catalogue

    budget, par = "không có báo cáo ngân sách trong năm", "chưa có bảng điểm"
    missing = {
        "budget_as_of": budget,
        "revenue_execution_pct": budget,
        "expenditure_execution_pct": budget,
        "par_year": par,
        "par_total_score": par,
    }
    assert missing_sentences(missing) == [
        "Chưa tính được ngày của báo cáo ngân sách, tỷ lệ thực hiện dự toán thu, tỷ lệ thực hiện dự toán chi: "
        "không có báo cáo ngân sách trong năm.",
        "Chưa tính được năm đánh giá chỉ số CCHC, tổng điểm chỉ số CCHC: chưa có bảng điểm.",
    ]
    # a store with dossiers only (no catalogue, budget, PAR or input form): every figure it leaves out has words
    (rec,) = compute_indicators(_after_store(tmp_path, AFTER), Q3_2025, units=["Nam Thanh Miện"])
    catalogue = indicator_catalogue()
    assert {"budget_as_of", "par_year", "procedures_total"} <= set(rec["missing"])
    assert [k for k in rec["missing"] if k not in catalogue and k not in FIELD_LABELS] == []
