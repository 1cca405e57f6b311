import datetime as dt

from cchc_analysis.coverage import dossier_coverage
from cchc_analysis.periods import parse_period

from .dossier_rows import stored_dossier


def test_gaps_between_exports_are_listed_per_unit():
    report = {
        "files": [
            {"kind": "dossier_list", "unit_id": "A", "period_start": "2023-07-01", "period_end": "2023-07-31"},
            {"kind": "dossier_list", "unit_id": "A", "period_start": "2023-08-16", "period_end": "2023-09-30"},
            {"kind": "dossier_list", "unit_id": "B", "period_start": "2023-06-15", "period_end": "2023-10-05"},
            {
                "kind": "dossier_list",
                "unit_id": "C",
                "period_start": "2023-07-01",
                "period_end": "2023-09-29",
                "error": "hỏng",
            },  # a refused file covers nothing
            {"kind": "budget", "unit_id": "A", "period_start": "2023-01-01", "period_end": "2023-08-31"},
        ]
    }
    table = dossier_coverage(report, parse_period("2023Q3")).set_index("unit_id")
    # A: 92 days, 1-15 August missing
    assert (table.loc["A", "days"], table.loc["A", "days_covered"]) == (92, 77)
    assert table.loc["A", "missing"] == ["01/08/2023–15/08/2023"] and not table.loc["A", "complete"]
    assert table.loc["B", "complete"] and table.loc["B", "missing"] == []
    assert "C" not in table.index
    assert dt.date(2023, 9, 30) == parse_period("2023Q3").end


def test_a_single_missing_day_and_several_gaps_are_written_as_dates():
    from cchc_analysis.coverage import _ranges

    days = [dt.date(2023, 7, d) for d in (1, 2, 3, 5, 9, 10)]
    assert _ranges(days) == ["01/07/2023–03/07/2023", "05/07/2023", "09/07/2023–10/07/2023"]
    assert _ranges([]) == []


def test_a_district_file_covers_every_unit_it_names():
    report = {
        "files": [
            {
                "kind": "dossier_list",
                "unit_id": None,
                "unit_ids": ["A", "B"],
                "period_start": "2023-07-01",
                "period_end": "2023-09-30",
            },
        ]
    }
    table = dossier_coverage(report, parse_period("2023Q3")).set_index("unit_id")
    assert table.index.tolist() == ["A", "B"] and table["complete"].all()
    assert table.columns.tolist() == ["days", "days_covered", "complete", "missing"]
    assert dossier_coverage({"files": []}, parse_period("2023Q3")).columns.tolist() == [
        "unit_id",
        "days",
        "days_covered",
        "complete",
        "missing",
    ]


def _store(tmp_path, files, budget=None):
    import json

    import pandas as pd

    processed = tmp_path / "processed"
    processed.mkdir(parents=True, exist_ok=True)
    (processed / "ingest_report.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    if budget is not None:
        pd.DataFrame(budget).to_parquet(processed / "budget.parquet")
    return tmp_path


def test_coverage_table_gives_the_budget_report_standing_for_the_periods_end(tmp_path):
    import pandas as pd

    from cchc_analysis.coverage import coverage_table

    files = [{"kind": "dossier_list", "unit_id": "A", "period_start": "2023-07-01", "period_end": "2023-09-30"}]
    budget = [
        {"unit_id": "A", "fiscal_year": 2023, "as_of": pd.Timestamp("2023-08-31")},
        {"unit_id": "A", "fiscal_year": 2023, "as_of": pd.Timestamp("2023-10-31")},  # after the period's end
        {"unit_id": "A", "fiscal_year": 2022, "as_of": pd.Timestamp("2022-12-31")},  # another fiscal year
    ]
    table = coverage_table(_store(tmp_path, files, budget), parse_period("2023Q3")).set_index("unit_id")
    assert table.loc["A", "budget_as_of"] == pd.Timestamp("2023-08-31")
    assert bool(table.loc["A", "complete"])
    # a year the budget reports do not reach (2021): no date, and no error (pandas cannot map through an empty
    # series of dates)
    files.append({"kind": "dossier_list", "unit_id": "A", "period_start": "2021-07-01", "period_end": "2021-09-30"})
    earlier = coverage_table(_store(tmp_path / "y", files, budget), parse_period("2021Q3")).set_index("unit_id")
    assert pd.isna(earlier.loc["A", "budget_as_of"]) and bool(earlier.loc["A", "complete"])


def test_store_span_says_what_the_exports_cover(tmp_path):
    from cchc_analysis.coverage import store_span

    files = [
        {"kind": "dossier_list", "unit_id": "A", "period_start": "2023-04-01", "period_end": "2023-06-30"},
        {"kind": "dossier_list", "unit_id": "B", "period_start": "2023-07-01", "period_end": "2023-09-30"},
        {
            "kind": "dossier_list",
            "unit_id": "C",
            "period_start": "2021-01-01",
            "period_end": "2021-12-31",
            "error": "hỏng",
        },
        {"kind": "budget", "unit_id": "A", "period_start": "2020-01-01", "period_end": "2020-12-31"},
    ]
    assert store_span(_store(tmp_path, files)) == "các tệp xuất hồ sơ đã nhập phủ 01/04/2023–30/09/2023"
    assert store_span(_store(tmp_path / "empty", [])) == "kho chưa có tệp xuất hồ sơ nào"


def test_monthly_summary_by_hand():
    import pandas as pd

    from cchc_analysis.coverage import monthly_summary

    def d(received, due, done, channel, status="resolved"):
        return {
            "unit_id": "U",
            "received_at": pd.Timestamp(received),
            "due_at": pd.Timestamp(due),
            "processed_at": pd.Timestamp(done) if done else pd.NaT,
            "result_at": pd.NaT,
            "handed_at": pd.NaT,
            "status": status,
            "channel": channel,
        }

    frame = pd.DataFrame(
        [
            d("2023-07-03", "2023-07-10", "2023-07-05", "online"),  # July: early
            d("2023-07-20", "2023-07-25", "2023-08-01", "direct"),  # resolved in August, late
            d("2023-08-02", "2023-08-10", "2023-08-10", "online"),  # August: on time
            d("2023-08-03", "2023-08-10", "2023-08-04", "postal", "not_accepted"),  # never received
            d("2023-09-01", "2023-09-30", None, "online", "in_progress"),  # September: pending
        ]
    )
    out = monthly_summary(frame, parse_period("2023Q3")).set_index("month")
    assert out.index.tolist() == ["2023-07", "2023-08", "2023-09"]
    assert (
        out["online"].tolist() == [1, 1, 1]
        and out["direct"].tolist() == [1, 0, 0]
        and out["postal"].tolist() == [0, 0, 0]
    )
    assert out["resolved"].tolist() == [1, 2, 0]
    # on time share of each month's resolved dossiers: July 1/1; August 1/2 (one late, one on time); September none
    assert out.loc["2023-07", "on_time_pct"] == 100.0 and out.loc["2023-08", "on_time_pct"] == 50.0
    assert pd.isna(out.loc["2023-09", "on_time_pct"])


def test_a_month_without_new_dossiers_is_a_row_of_zeros_and_an_undated_deadline_is_not_counted():
    import pandas as pd

    from cchc_analysis.coverage import monthly_counts, monthly_summary

    def d(received, due, done, channel, status="resolved"):
        return stored_dossier("U", received, due, done, status, channel)

    frame = pd.DataFrame(
        [
            d("2023-07-03", "2023-07-10", "2023-07-12", "online"),  # July: late
            d("2023-07-04", None, "2023-08-08", "direct"),  # resolved in August, due date unknown: not in the share
            d("2023-09-05", "2023-09-20", "2023-09-06", "postal"),  # September: early
        ]
    )
    q3 = parse_period("2023Q3")
    counts = monthly_counts(frame, q3).set_index("month")
    # July has online and direct, September postal only: the channels a month lacks are 0, whole numbers
    assert counts.loc["2023-07", ["online", "direct", "postal"]].tolist() == [1, 1, 0]
    assert counts.loc["2023-09", ["online", "direct", "postal"]].tolist() == [0, 0, 1]
    assert all(counts[c].dtype == "int64" for c in ("online", "direct", "postal"))
    out = monthly_summary(frame, q3).set_index("month")
    # August: no new dossier (a row of zeros, not a missing row); its one resolved dossier has no due date, so
    # neither the resolved count (of known due date) nor the on-time share counts it
    assert out.loc["2023-08", ["online", "direct", "postal", "resolved"]].tolist() == [0, 0, 0, 0]
    assert out["resolved"].tolist() == [1, 0, 1]
    assert (
        out["on_time_pct"].iloc[0] == 0.0
        and pd.isna(out["on_time_pct"].iloc[1])
        and out["on_time_pct"].iloc[2] == 100.0
    )
    assert out["resolved"].dtype == "int64" and out["on_time_pct"].dtype == "float64"
    assert all(out[c].dtype == "int64" for c in ("online", "direct", "postal"))


def test_coverage_reads_files_in_any_order_and_skips_what_covers_no_unit():
    report = {
        "files": [
            {"kind": "budget", "unit_id": "A", "period_start": "2023-01-01", "period_end": "2023-08-31"},
            {"kind": "dossier_list", "period_start": "2023-07-01", "period_end": "2023-09-30"},  # no unit said
            {"kind": "dossier_list", "unit_id": None, "period_start": "2023-07-01", "period_end": "2023-09-30"},
            {"kind": "dossier_list", "unit_id": "A", "period_start": "2023-07-01", "period_end": "2023-09-30"},
        ]
    }
    table = dossier_coverage(report, parse_period("2023Q3"))
    assert table["unit_id"].tolist() == ["A"] and table["complete"].tolist() == [True]
    assert dossier_coverage({}, parse_period("2023Q3")).empty  # a report without files


def test_the_budget_report_of_the_periods_last_day_stands_for_it_and_no_budget_file_is_no_column(tmp_path):
    import pandas as pd

    from cchc_analysis.coverage import coverage_table, store_span

    files = [{"kind": "dossier_list", "unit_id": "A", "period_start": "2023-07-01", "period_end": "2023-09-30"}]
    budget = [
        {"unit_id": "A", "fiscal_year": 2023, "as_of": pd.Timestamp("2023-08-31")},
        {"unit_id": "A", "fiscal_year": 2023, "as_of": pd.Timestamp("2023-09-30")},  # the period's last day
    ]
    table = coverage_table(_store(tmp_path / "b", files, budget), parse_period("2023Q3")).set_index("unit_id")
    assert table.loc["A", "budget_as_of"] == pd.Timestamp("2023-09-30")
    no_budget = coverage_table(_store(tmp_path / "n", files), parse_period("2023Q3"))
    assert "budget_as_of" not in no_budget.columns and no_budget["unit_id"].tolist() == ["A"]
    no_dossiers = coverage_table(_store(tmp_path / "e", [], budget), parse_period("2023Q3"))
    assert no_dossiers.empty and "budget_as_of" not in no_dossiers.columns
    processed = tmp_path / "x" / "processed"
    processed.mkdir(parents=True)
    (processed / "ingest_report.json").write_text("{}", encoding="utf-8")  # a report without files
    assert store_span(tmp_path / "x") == "kho chưa có tệp xuất hồ sơ nào"


def test_a_commune_created_in_the_period_is_covered_before_that_day_by_the_communes_it_replaced():
    from cchc_analysis.registry import UnitRegistry

    registry = UnitRegistry.shipped("Huyện Thanh Miện")
    ntm, tg, clb = "2025-31-11284", "30-11287", "30-11281"  # Nam Thanh Miện; Thanh Giang, Chi Lăng Bắc (of four)
    others = ["30-11284", "30-11293"]  # Chi Lăng Nam, Hồng Phong

    def export(unit, start, end):
        return {"kind": "dossier_list", "unit_id": unit, "period_start": start, "period_end": end}

    files = [export(tg, "2025-01-01", "2025-06-30"), export(ntm, "2025-07-01", "2025-07-31")]
    files.append(export(clb, "2025-06-01", "2025-06-15"))  # Chi Lăng Bắc's export stops on 15/06
    across = parse_period("01/06/2025-31/07/2025")
    row = dossier_coverage({"files": files}, across, registry).set_index("unit_id").loc[ntm]
    # June is Thanh Giang's and its three neighbours' to cover: Chi Lăng Nam and Hồng Phong have no export at all
    assert sorted(row["missing"]) == [
        "01/06/2025–30/06/2025 (Xã Chi Lăng Nam)",
        "01/06/2025–30/06/2025 (Xã Hồng Phong)",
        "16/06/2025–30/06/2025 (Xã Chi Lăng Bắc)",
    ]
    assert (row["days"], row["days_covered"], row["complete"]) == (61, 31, False)  # July alone
    # every old commune's export to 30/06 and the new one's from 01/07: complete
    files = [export(u, "2025-01-01", "2025-06-30") for u in (tg, clb, *others)] + [files[1]]
    row = dossier_coverage({"files": files}, across, registry).set_index("unit_id").loc[ntm]
    assert (row["complete"], row["missing"], row["days_covered"]) == (True, [], 61)
    # without the registry (or for a quarter after 1 July 2025) only its own exports count
    assert not dossier_coverage({"files": files}, across).set_index("unit_id").loc[ntm, "complete"]
    q3 = dossier_coverage({"files": files}, parse_period("2025-07"), registry).set_index("unit_id")
    assert q3.loc[ntm, "complete"]


def test_a_period_before_a_commune_began_is_covered_by_the_communes_it_replaced():
    from cchc_analysis.registry import UnitRegistry

    registry = UnitRegistry.shipped("Huyện Thanh Miện")
    ntm, olds = "2025-31-11284", ("30-11281", "30-11284", "30-11287", "30-11293")  # Nam Thanh Miện; its four
    files = [
        {"kind": "dossier_list", "unit_id": u, "period_start": "2024-01-01", "period_end": "2024-12-31"} for u in olds
    ]
    files.append({"kind": "dossier_list", "unit_id": ntm, "period_start": "2025-07-01", "period_end": "2025-12-31"})
    # its comparison with 2024Q4 (the same quarter a year before it began) is its four predecessors' exports
    row = dossier_coverage({"files": files}, parse_period("2024Q4"), registry).set_index("unit_id").loc[ntm]
    assert (row["complete"], row["days_covered"], row["missing"]) == (True, 92, [])
    files.pop(1)  # Chi Lăng Nam's 2024 export missing
    row = dossier_coverage({"files": files}, parse_period("2024Q4"), registry).set_index("unit_id").loc[ntm]
    assert (row["complete"], row["missing"]) == (False, ["01/10/2024–31/12/2024 (Xã Chi Lăng Nam)"])
