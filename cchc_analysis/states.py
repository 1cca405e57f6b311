"""How a dossier counts in a period: the one home of the dossier-state rules of DOMAIN.md.

Every figure that counts dossiers (the indicators, the TT 01/2020 table, coverage's monthly counts, the brief's
monthly trend, ``load_dossiers(period=...)`` and the consistency checks) decides through this module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .periods import Period

STOPPED = ("withdrawn", "returned")


def accepted(dossiers: pd.DataFrame) -> np.ndarray:
    """Dossiers that were received (a boolean array): all but "not accepted" ones; a blank or unrecognised status
    (missing in the store, whatever the column's dtype) counts as received."""
    return (dossiers["status"] != "not_accepted").to_numpy(dtype=bool, na_value=True)


def calendar_day(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.normalize()


def finish_time(dossiers: pd.DataFrame) -> pd.Series:
    """When each dossier ended: the first present of processing finished, result available, result handed over;
    a withdrawn or returned dossier lacking all three ended on its receipt. Times as given (not whole days)."""
    finish = dossiers["processed_at"].fillna(dossiers["result_at"]).fillna(dossiers["handed_at"])
    stopped = dossiers["status"].isin(STOPPED).to_numpy(dtype=bool, na_value=False)
    return finish.where(~(stopped & finish.isna().to_numpy()), dossiers["received_at"])


def may_count_in(dossiers: pd.DataFrame, period: Period) -> np.ndarray:
    """Dossiers that can count in ``period`` at all (a boolean array): received (not "not accepted") by the end of
    its last day and not finished before its first day. A cheap first cut of a store that holds many periods;
    ``dossier_states`` decides how each counts."""
    start, end_of_day = pd.Timestamp(period.start), pd.Timestamp(period.end) + pd.Timedelta(days=1)
    finish = finish_time(dossiers)
    return (
        accepted(dossiers)
        & (dossiers["received_at"] < end_of_day).to_numpy(dtype=bool, na_value=False)
        & (finish.isna() | (finish >= start)).to_numpy(dtype=bool, na_value=False)
    )


def dossier_states(dossiers: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per dossier, how it counts in ``period`` (columns are booleans unless said otherwise).

    Dates are compared as calendar days, so a dossier received at 00:00 of the day after the period is not in it.

    - ``finish``: the day it ended (``finish_time``);
    - ``new``: received in the period; ``carried``: received before it and not finished before its first day;
      ``new`` or ``carried`` is handled in the period;
    - ``resolved``: handled and finished in the period, not withdrawn or returned, with ``resolved_class`` early
      (finished before its due day), on_time (on its due day) or late (after), None when the due date is unknown;
    - ``pending``: handled and not finished by the period's end, ``overdue`` when its due day is before the
      period's last day (due on the last day is within its deadline);
    - ``stopped``: handled and withdrawn or returned in the period (``stopped_kind``).

    "Not accepted" dossiers were never received and take no part (they are not in the result).
    """
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    d = dossiers[accepted(dossiers)]
    received = calendar_day(d["received_at"])
    finish = calendar_day(finish_time(d))
    is_stopped = d["status"].isin(STOPPED)
    due = calendar_day(d["due_at"])
    out = pd.DataFrame(index=d.index)
    out["unit_id"] = d["unit_id"]
    out["finish"] = finish
    out["new"] = received.between(start, end)
    out["carried"] = (received < start) & (finish.isna() | (finish >= start))
    handled = out["new"] | out["carried"]
    ended_in = finish.between(start, end)
    out["resolved"] = handled & ended_in & ~is_stopped
    out["stopped"] = handled & ended_in & is_stopped
    out["stopped_kind"] = d["status"].where(out["stopped"])
    out["pending"] = handled & (finish.isna() | (finish > end))
    out["overdue"] = out["pending"] & due.notna() & (due < end)
    cls = np.select([finish < due, finish == due], ["early", "on_time"], default="late")  # masked below: no due
    out["resolved_class"] = pd.Series(cls, index=d.index).where(out["resolved"] & due.notna())
    out["channel"] = d["channel"]
    return out


def received_in(dossiers: pd.DataFrame, period: Period) -> pd.Series:
    """New dossiers of ``period`` (received on one of its days, not "not accepted"): a boolean Series."""
    received = dossiers["received_at"]
    in_days = (received >= pd.Timestamp(period.start)) & (
        received < pd.Timestamp(period.end) + pd.Timedelta(days=1)  # 00:00 of the next day is not in the period
    )
    return in_days & accepted(dossiers)
