"""The ingest report of a file is the same bytes whether the file was read again or taken from the reader's cache
(which stores it with sorted keys): a rerun of ingest must leave ingest_report.json untouched."""

import json

from cchc_analysis.ingest.common import FileReport

READS_FILES = False


def test_a_report_and_its_cached_copy_write_the_same_bytes():
    report = FileReport(file="u/a.xlsx", sha256="0" * 64)
    # the order a reader finds things in: received date last, unknown values of the channel before the status
    report.date_orders.update({"Hạn trả": "dmy", "Ngày nhận": "dmy", "Ngày có kết quả": "mdy"})
    report.unknown_values.update({"status": {"Chờ": 2, "Bổ sung": 1}, "channel": {"Zalo": 3}})
    report.values_dropped.update({"fee": 1, "due_at": 2})
    fresh = json.dumps(report.as_dict(), ensure_ascii=False)
    cached = FileReport.from_dict(json.loads(json.dumps(report.as_dict(), sort_keys=True)))
    assert json.dumps(cached.as_dict(), ensure_ascii=False) == fresh
    assert list(report.as_dict()["date_orders"]) == ["Hạn trả", "Ngày có kết quả", "Ngày nhận"]
    assert list(report.as_dict()["unknown_values"]) == ["channel", "status"]
    assert list(report.as_dict()["unknown_values"]["status"]) == ["Bổ sung", "Chờ"]
    assert list(report.as_dict()["values_dropped"]) == ["due_at", "fee"]
    assert list(report.as_dict())[:3] == ["file", "sha256", "kind"]  # the fields keep their order
