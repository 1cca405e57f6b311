"""A known set of dossiers and the figures it must give, worked out from the design table by hand.

Every real-world layout test writes these dossiers in another shape and checks that ingest + indicators give the
figures below, or that the file is refused with exit 1. The figures come from the design table (how many dossiers
of each channel and outcome), never from the reader: each outcome's dates are chosen so that its class is plain
(finished two days before the due day, on the due day, two days after it; pending with a due day after or
before the period's end).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PERIOD = "2023Q3"  # 01/07/2023 - 30/09/2023
START, END = dt.date(2023, 7, 1), dt.date(2023, 9, 30)

# (field, procedure, channel, outcome, how many, fee in đồng, payment)
# outcome: early / on_time / late (resolved in the period), pending (due after the period's end), overdue
# (pending, due before the period's end), withdrawn, carried (received in June, resolved early in July),
# not_accepted (never received: counts nowhere)
DESIGN: list[tuple[str, str, str, str, int, int, str | None]] = [
    ("Hộ tịch", "Đăng ký khai sinh", "online", "early", 7, 0, None),
    ("Hộ tịch", "Đăng ký khai sinh", "direct", "early", 2, 0, None),
    ("Hộ tịch", "Đăng ký kết hôn", "online", "on_time", 2, 0, None),
    ("Hộ tịch", "Đăng ký khai tử", "direct", "late", 1, 0, None),
    ("Hộ tịch", "Trích lục hộ tịch", "online", "pending", 1, 8_000, "online"),
    ("Chứng thực", "Chứng thực bản sao từ bản chính", "direct", "early", 4, 2_000, "cash"),
    ("Chứng thực", "Chứng thực bản sao từ bản chính", "online", "early", 3, 2_000, "online"),
    ("Chứng thực", "Chứng thực chữ ký", "postal", "early", 1, 10_000, "online"),
    ("Chứng thực", "Chứng thực chữ ký", "direct", "carried", 1, 10_000, "cash"),
    ("Đất đai", "Xác nhận tình trạng nhà đất", "online", "late", 1, 0, None),
    ("Đất đai", "Xác nhận tình trạng nhà đất", "direct", "overdue", 1, 0, None),
    ("Đất đai", "Hòa giải tranh chấp đất đai", "online", "withdrawn", 1, 0, None),
    ("Đất đai", "Hòa giải tranh chấp đất đai", "direct", "not_accepted", 1, 0, None),
]

# Worked out from DESIGN by hand (row numbers of the table in brackets):
#   new online  = 7 + 2 + 1 + 3 + 1 + 1 = 15  [1, 3, 5, 7, 10, 12]
#   new direct  = 2 + 1 + 4 + 1 = 8           [2, 4, 6, 11]   (the carried one and the not-accepted one are not new)
#   new postal  = 1                           [8]
#   carried     = 1                           [9]
#   resolved    = early 7+2+4+3+1+1 = 18, on time 2, late 1+1 = 2: 22
#   pending     = 1 within the deadline [5] + 1 overdue [11] = 2; withdrawn 1 [12]
#   fee-bearing new dossiers = 1 + 4 + 3 + 1 = 9 [5, 6, 7, 8], paid online 1 + 3 + 1 = 5
EXPECTED: dict[str, float | int] = {
    "received_total": 25,
    "received_online": 15,
    "received_direct": 8,
    "received_postal": 1,
    "carried_over": 1,
    "resolved_total": 22,
    "resolved_early": 18,
    "resolved_on_time": 2,
    "resolved_late": 2,
    "pending_total": 2,
    "pending_within_deadline": 1,
    "pending_overdue": 1,
    "withdrawn": 1,
    "returned": 0,
    "fee_dossiers": 9,
    "fee_paid_online": 5,
    "online_rate": 100 * 15 / 24,
    "online_payment_rate": 100 * 5 / 9,
}
CHANNEL_FIGURES = ("received_online", "received_direct", "received_postal", "online_rate")
DEADLINE_FIGURES = ("resolved_early", "resolved_on_time", "resolved_late", "pending_within_deadline", "pending_overdue")


@dataclass(frozen=True)
class Dossier:
    code: str
    field: str
    procedure: str
    channel: str
    outcome: str
    received: dt.datetime
    due: dt.date
    finished: dt.datetime | None
    fee: int
    payment: str | None
    applicant: str
    phone: str
    id_number: str
    address: str


_NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Gấm"]


def dossiers(prefix: str = "H15.50.05.13", design=DESIGN) -> list[Dossier]:
    """The design table as dossiers, in receipt order, with realistic codes and (fake) personal data."""
    out = []
    seq = 0
    for i, (fld, proc, channel, outcome, n, fee, payment) in enumerate(design):
        for j in range(n):
            seq += 1
            # days 2-20 of July-September (both sides of 12, so a day-first or month-first column shows which)
            month = 7 + (i + j) % 3
            day = 2 + (5 * i + 3 * j) % 19
            if outcome == "carried":
                received = dt.datetime(2023, 6, 28, 9, 5)
            elif outcome == "pending":
                received = dt.datetime(2023, 9, 25, 14, 20)  # due after the period's end
            else:
                received = dt.datetime(2023, month, day, 7 + (seq % 9), (13 * seq) % 60)
            if outcome == "late":
                due = received.date() + dt.timedelta(days=3)
                finished = dt.datetime.combine(due + dt.timedelta(days=2), dt.time(9, 0))
            elif outcome == "on_time":
                due = received.date() + dt.timedelta(days=5)
                finished = dt.datetime.combine(due, dt.time(16, 30))
            elif outcome == "pending":
                due, finished = dt.date(2023, 10, 5), None
            elif outcome == "overdue":
                received = dt.datetime(2023, 9, 4, 8, 0)
                due, finished = dt.date(2023, 9, 15), None
            elif outcome == "withdrawn":
                due = received.date() + dt.timedelta(days=5)
                finished = received + dt.timedelta(days=1)
            elif outcome == "not_accepted":
                due, finished = received.date(), None
            elif outcome == "carried":
                due, finished = dt.date(2023, 7, 5), dt.datetime(2023, 7, 3, 10, 0)
            else:  # early
                due = received.date() + dt.timedelta(days=5)
                finished = dt.datetime.combine(due - dt.timedelta(days=2), dt.time(10, 0))
            code = f"{prefix}-{received:%y%m%d}-{seq:04d}"
            out.append(
                Dossier(
                    code=code,
                    field=fld,
                    procedure=proc,
                    channel=channel,
                    outcome=outcome,
                    received=received,
                    due=due,
                    finished=finished,
                    fee=fee,
                    payment=payment,
                    applicant=_NAMES[seq % len(_NAMES)],
                    phone=f"09{seq:08d}",
                    id_number=f"0301{seq:08d}",
                    address=f"Thôn {seq % 5 + 1}, xã Thanh Giang",
                )
            )
    return sorted(out, key=lambda d: d.received)


def figures(record: dict, keys=None) -> dict:
    """The figures of an indicators record that EXPECTED names (rates rounded to 6 places)."""
    keys = keys or EXPECTED
    return {k: (round(record[k], 6) if isinstance(record.get(k), float) else record.get(k)) for k in keys}


def expected(keys=None, **overrides) -> dict:
    out = {k: (round(v, 6) if isinstance(v, float) else v) for k, v in EXPECTED.items() if keys is None or k in keys}
    out.update(overrides)
    return out
