"""Thanh Giang's simulated dossiers give the seed report's figures (worked out here from the rows, independently)."""

import datetime as dt
from collections import Counter

import pytest

from cchc_analysis.demo.generate import SEED_UNIT, demo_units, unit_dossiers

START, END = dt.date(2023, 1, 1), dt.date(2023, 8, 31)


@pytest.fixture(scope="module")
def rows():
    units = demo_units()
    index = [u.name for u in units].index(SEED_UNIT)
    return [d for d in unit_dossiers(units[index], index) if d["outcome"] != "not_accepted"]


def day(value):
    return value.date() if isinstance(value, dt.datetime) else value


def finish(d):
    return day(d["processed_at"] or d["ended_at"])


def test_received(rows):
    new = [d for d in rows if START <= day(d["received_at"]) <= END]
    carried = [d for d in rows if day(d["received_at"]) < START and (finish(d) is None or finish(d) >= START)]
    channels = Counter(d["channel"] for d in new)
    assert (channels["online"], channels["direct"], channels["postal"]) == (2389, 126, 0)
    assert len(carried) == 12
    assert {(d["due_date"].year, d["due_date"].month) for d in carried} == {(2023, 1)}
    assert len(new) + len(carried) == 2527


def test_resolved_by_deadline(rows):
    resolved = [
        d
        for d in rows
        if d["outcome"] not in ("withdrawn", "returned")
        and d["processed_at"]
        and START <= day(d["processed_at"]) <= END
    ]
    early = sum(day(d["processed_at"]) < d["due_date"] for d in resolved)
    on_due_day = sum(day(d["processed_at"]) == d["due_date"] for d in resolved)
    late = sum(day(d["processed_at"]) > d["due_date"] for d in resolved)
    assert (len(resolved), early, on_due_day, late) == (2521, 2515, 6, 0)


def test_pending_and_withdrawn(rows):
    pending = [d for d in rows if day(d["received_at"]) <= END and (finish(d) is None or finish(d) > END)]
    assert len(pending) == 5
    assert all(d["due_date"] >= END for d in pending)
    withdrawn = [d for d in rows if d["outcome"] in ("withdrawn", "returned") and START <= finish(d) <= END]
    assert len(withdrawn) == 1


def test_online_payment_june_to_august(rows):
    new = [d for d in rows if dt.date(2023, 6, 1) <= day(d["received_at"]) <= END]
    fee = [d for d in new if d["fee"] > 0]
    assert len(fee) == 1258
    assert sum(bool(d["paid_online"]) for d in fee) == 1152
    before = [d for d in rows if day(d["received_at"]) < dt.date(2023, 6, 1)]
    assert all(d["paid_online"] is None for d in before)  # not tracked before June 2023


def test_procedures_with_online_dossiers(rows):
    online = {d["procedure_code"] for d in rows if d["channel"] == "online" and START <= day(d["received_at"]) <= END}
    assert len(online) == 18
