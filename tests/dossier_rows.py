"""One dossier of the processed store, written the way the tests of the counting rules need it: the dates that
decide its state and the columns a test names (any other column is absent, which the rules read as blank)."""

import pandas as pd


def stored_dossier(unit, received, due=None, done=None, status="resolved", channel="online", **columns) -> dict:
    """``received``/``due``/``done`` as text ("2023-07-31 23:00"; None: no date); ``done`` is when processing
    finished (result and hand-over dates left empty)."""
    return {
        "unit_id": unit,
        "received_at": pd.Timestamp(received),
        "due_at": pd.Timestamp(due) if due else pd.NaT,
        "processed_at": pd.Timestamp(done) if done else pd.NaT,
        "result_at": pd.NaT,
        "handed_at": pd.NaT,
        "status": status,
        "channel": channel,
        **columns,
    }
