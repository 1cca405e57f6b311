"""Simulation of one-stop-shop dossiers for the demo district, with exact control of the counts that matter.

A unit's history is built from *segments* (date ranges) whose counts are fixed in advance: new dossiers by
channel, how many finish on the due day or late, how many are withdrawn, returned, not accepted, and how
many are still pending at the segment's end. Ordinary units draw these counts at random; Thanh Giang's are
set so that its raw exports reproduce the seed report.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from ..text import fold
from .vocab import BASE_PROCEDURES, GIVEN, HOLIDAYS, MIDDLE, SURNAMES, THANH_GIANG_ONLINE, VARIANT_SUFFIXES, VILLAGES

DAY = dt.timedelta(days=1)


# --- procedures -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Procedure:
    """One procedure of the province's commune-level catalogue."""

    index: int
    code: str
    name: str
    field: str
    fee: int | None  # đồng; 0 free; None "theo quy định"
    fee_per_page: bool
    days: int  # processing time in working days
    online_level: str  # "toàn trình", "một phần" or ""
    weight: float

    @property
    def fee_bearing(self) -> bool:
        return bool(self.fee)


def province_procedures() -> list[Procedure]:
    """The province's catalogue of commune-level procedures: 88 base procedures and 62 special cases."""
    procs = []
    for i, (fld, name, fee, per_page, days, level, weight) in enumerate(BASE_PROCEDURES):
        procs.append(Procedure(i, _proc_code(i), name, fld, fee, per_page, days, level, weight))
    base_for_variants = [i for i in range(len(BASE_PROCEDURES)) if i not in THANH_GIANG_ONLINE]
    k = 0
    while len(procs) < 150:
        base = BASE_PROCEDURES[base_for_variants[k % len(base_for_variants)]]
        suffix = VARIANT_SUFFIXES[(k // len(base_for_variants)) % len(VARIANT_SUFFIXES)]
        i = len(procs)
        procs.append(Procedure(i, _proc_code(i), f"{base[1]} {suffix}", base[0], base[2], base[3], base[4], "", 0.01))
        k += 1
    return procs


def _proc_code(i: int) -> str:
    return f"{1 + i % 2}.{(1200 + i * 37) % 1000000:06d}"


# --- calendar ---------------------------------------------------------------------------------------
def is_workday(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days after ``day``."""
    while n > 0:
        day += DAY
        if is_workday(day):
            n -= 1
    return day


def workdays(start: dt.date, end: dt.date) -> list[dt.date]:
    """Working days from ``start`` to ``end`` inclusive."""
    days, day = [], start
    while day <= end:
        if is_workday(day):
            days.append(day)
        day += DAY
    return days


def at(day: dt.date, rng: random.Random, lo: float = 7.5, hi: float = 17.0) -> dt.datetime:
    """A time of day on ``day`` between ``lo`` and ``hi`` hours, to the second."""
    seconds = rng.randint(int(lo * 3600), int(hi * 3600))
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)


# --- people -----------------------------------------------------------------------------------------
class PeopleFactory:
    """Fictitious applicants: names never contain a unit name; phones, 12-digit CCCD numbers, addresses."""

    def __init__(self, rng: random.Random, forbidden_names: list[str], unit_name: str):
        self.rng = rng
        self.forbidden = [fold(n) for n in forbidden_names]
        self.unit_name = unit_name
        self.villages = rng.sample(VILLAGES, 5)

    def person(self) -> dict[str, str]:
        rng = self.rng
        while True:
            name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            key = fold(name)
            if not any(f in key for f in self.forbidden):
                break
        phone = rng.choice(["09", "03", "08", "07"]) + f"{rng.randint(0, 99_999_999):08d}"
        century_sex = rng.choice("0123")
        cccd = f"030{century_sex}{rng.randint(0, 99):02d}{rng.randint(0, 999_999):06d}"
        address = f"Số {rng.randint(1, 250)}, thôn {rng.choice(self.villages)}, xã {self.unit_name}"
        return {"applicant": name, "phone": phone, "id_number": cccd, "address": address}


# --- segments ---------------------------------------------------------------------------------------
@dataclass
class Segment:
    """Exact counts for the dossiers *received* in ``start``..``end``.

    ``n_pending_end`` of them are still unfinished at ``end`` (``n_pending_overdue`` of those already past
    their due day); they finish after ``end``. Everything else ends within the segment.
    """

    start: dt.date
    end: dt.date
    n_online: int
    n_direct: int
    n_postal: int = 0
    n_on_time: int = 0
    n_late: int = 0
    n_withdrawn: int = 0
    n_returned: int = 0
    n_not_accepted: int = 0
    n_pending_end: int = 0
    n_pending_overdue: int = 0
    n_fee: int | None = None  # exact number of fee-bearing dossiers among the new ones
    n_paid_online: int | None = None  # exact number of those paid online
    online_procedures: list[int] | None = None  # procedure indices allowed for online dossiers
    month_weights: dict[int, float] = field(default_factory=dict)


@dataclass
class UnitProfile:
    """How a unit behaves: procedures in its catalogue, payment habits, digitisation, vendor layout."""

    unit_id: str
    name: str
    agency: str
    catalogue: list[Procedure]
    online_pay_share: float = 0.8
    digitised_share: float = 0.92
    payment_tracked_from: dt.date = dt.date(2023, 6, 1)


MONTH_WEIGHTS = {1: 0.9, 2: 0.7, 3: 1.0, 4: 0.95, 5: 1.0, 6: 1.3, 7: 1.35, 8: 1.25, 9: 1.1, 10: 1.0, 11: 0.95, 12: 1.05}


def simulate_segment(
    rng: random.Random, profile: UnitProfile, seg: Segment, people: PeopleFactory, seq: dict
) -> list[dict]:
    """Dossiers received in ``seg`` with exactly the counts it asks for."""
    n_new = seg.n_online + seg.n_direct + seg.n_postal
    fixed = seg.n_on_time + seg.n_late + seg.n_withdrawn + seg.n_returned + seg.n_pending_end
    if fixed > n_new:
        raise ValueError("segment outcome counts exceed its dossiers")
    channels = ["online"] * seg.n_online + ["direct"] * seg.n_direct + ["postal"] * seg.n_postal
    rng.shuffle(channels)
    # Receipt days, weighted by month; sorted so that the latest ones can be the pending ones.
    days = workdays(seg.start, seg.end)
    weights = [seg.month_weights.get(d.month, MONTH_WEIGHTS[d.month]) for d in days]
    receipt_days = sorted(rng.choices(days, weights=weights, k=n_new))

    outcomes = (
        ["on_time"] * seg.n_on_time
        + ["late"] * seg.n_late
        + ["withdrawn"] * seg.n_withdrawn
        + ["returned"] * seg.n_returned
    )
    outcomes += ["early"] * (n_new - seg.n_pending_end - len(outcomes))
    rng.shuffle(outcomes)
    overdue = ["pending_overdue"] * seg.n_pending_overdue + ["pending"] * (seg.n_pending_end - seg.n_pending_overdue)
    outcomes = outcomes + overdue  # the pending ones take the latest receipt days

    fee_flags = _fee_flags(rng, seg, channels)
    paid_online = _paid_flags(rng, seg, fee_flags, profile)

    online_pool = [p for p in profile.catalogue if p.online_level]
    if seg.online_procedures is not None:
        online_pool = [p for p in profile.catalogue if p.index in seg.online_procedures]
    online_seen: set[int] = set()

    dossiers = []
    for i in range(n_new):
        outcome = outcomes[i]
        channel = channels[i]
        pool = _filter_pool(online_pool if channel == "online" else profile.catalogue, fee_flags[i], outcome)
        if seg.online_procedures is not None and channel == "online":
            # make sure every allowed online procedure is used at least once
            unused = [p for p in pool if p.index not in online_seen]
            pool = unused or pool
        proc = rng.choices(pool, weights=[p.weight for p in pool], k=1)[0]
        if channel == "online":
            online_seen.add(proc.index)
        d = _make_dossier(rng, profile, proc, channel, receipt_days[i], outcome, seg, people, seq)
        d["paid_online"] = paid_online[i]
        dossiers.append(d)
    for _ in range(seg.n_not_accepted):
        day = rng.choice(days)
        proc = rng.choice(online_pool)
        d = _make_dossier(rng, profile, proc, "online", day, "not_accepted", seg, people, seq)
        d["paid_online"] = None
        dossiers.append(d)
    return dossiers


def _fee_flags(rng: random.Random, seg: Segment, channels: list[str]) -> list[bool | None]:
    n = len(channels)
    if seg.n_fee is None:
        return [None] * n  # decided by the procedure drawn
    flags = [True] * seg.n_fee + [False] * (n - seg.n_fee)
    rng.shuffle(flags)
    return flags


def _paid_flags(rng: random.Random, seg: Segment, fee_flags: list, profile: UnitProfile) -> list[bool | None]:
    idx = [i for i, f in enumerate(fee_flags) if f]
    paid: list[bool | None] = [None] * len(fee_flags)
    if seg.n_paid_online is not None:
        chosen = set(rng.sample(idx, seg.n_paid_online))
        for i in idx:
            paid[i] = i in chosen
    return paid


def _filter_pool(pool: list[Procedure], fee: bool | None, outcome: str) -> list[Procedure]:
    result = pool
    if fee is not None:
        result = [p for p in result if p.fee_bearing == fee and p.fee is not None]
    if outcome.startswith("pending"):
        longer = [p for p in result if 3 <= p.days <= 10]
        result = longer or result
    if not result:
        raise ValueError("no procedure fits the requested fee flag and outcome")
    return result


def _make_dossier(rng, profile, proc, channel, day, outcome, seg, people, seq) -> dict:
    if channel == "online" and rng.random() < 0.15:
        received = at(day, rng, 0.0, 23.9)
    else:
        received = at(day, rng)
    days = proc.days
    if outcome.startswith("pending"):
        days = max(days, 5)
    due = add_workdays(received.date(), days)
    if outcome == "pending":
        # still within the deadline at the segment's end: received in its last days, due at least 2 days later
        last = [d for d in workdays(seg.start, seg.end) if add_workdays(d, days) >= add_workdays(seg.end, 2)]
        day = rng.choice(last[-3:])
        received = at(day, rng)
        due = add_workdays(day, days)
    seq[received.date()] = seq.get(received.date(), 0) + 1
    code = f"{profile.agency}-{received:%y%m%d}-{seq[received.date()]:04d}"
    pages = rng.choice([1, 1, 1, 2, 2, 3, 4, 5]) if proc.fee_per_page else 1
    fee = (proc.fee or 0) * pages
    d = {
        "unit_id": profile.unit_id,
        "code": code,
        "procedure_code": proc.code,
        "procedure": proc.name,
        "field": proc.field,
        "channel": channel,
        "received_at": received,
        "due_date": due,
        "processed_at": None,
        "result_at": None,
        "handed_at": None,
        "ended_at": None,
        "outcome": outcome,
        "fee": fee,
        "digitised": rng.random() < profile.digitised_share,
        **people.person(),
    }
    if outcome == "not_accepted":
        d["due_date"] = None
        d["fee"] = 0
        d["ended_at"] = at(add_workdays(received.date(), 1), rng)
        return d
    finish_day: dt.date
    if outcome == "early" or outcome == "pending":
        lo = received.date() if outcome == "early" else add_workdays(seg.end, 0) + DAY
        candidates = [x for x in workdays(lo, due - DAY) if x >= received.date()]
        if outcome == "early":
            candidates = [x for x in candidates if x <= seg.end] or [received.date()]
        finish_day = rng.choice(candidates)
    elif outcome == "on_time":
        finish_day = due
    elif outcome == "late":
        finish_day = add_workdays(due, rng.randint(1, 6))
    elif outcome == "pending_overdue":
        finish_day = add_workdays(max(due, seg.end), rng.randint(1, 5))
    else:  # withdrawn, returned
        finish_day = add_workdays(received.date(), rng.randint(0, 3))
    if outcome in ("early", "on_time", "late", "withdrawn", "returned") and finish_day > seg.end:
        # keep the outcome inside the segment: move the receipt back
        shift = (finish_day - seg.end).days
        return _make_dossier_shifted(
            rng, profile, proc, channel, day - dt.timedelta(days=shift + 2), outcome, seg, people, seq
        )
    finish = at(finish_day, rng, 7.5, 16.5)
    if finish <= received:
        finish = received + dt.timedelta(minutes=rng.randint(10, 90))
        if finish.date() != received.date() and outcome == "early":
            finish = received + dt.timedelta(minutes=5)
    if outcome in ("withdrawn", "returned"):
        d["ended_at"] = finish
        return d
    d["processed_at"] = finish
    d["result_at"] = finish
    hand_day = add_workdays(finish.date(), rng.choice([0, 0, 0, 1, 1, 2]))
    d["handed_at"] = max(at(hand_day, rng, 7.5, 17.0), finish + dt.timedelta(minutes=5))
    d["ended_at"] = finish
    return d


def _make_dossier_shifted(rng, profile, proc, channel, day, outcome, seg, people, seq) -> dict:
    day = max(day, seg.start)
    while not is_workday(day):
        day += DAY
    return _make_dossier(rng, profile, proc, channel, day, outcome, seg, people, seq)
