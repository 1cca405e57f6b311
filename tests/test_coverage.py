import datetime as dt

from cchc_analysis.coverage import dossier_coverage
from cchc_analysis.periods import parse_period


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
