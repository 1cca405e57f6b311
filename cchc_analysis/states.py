"""How a dossier counts in a period: the one home of the dossier-state rules of DOMAIN.md.

The rules are SQL expressions run by DuckDB, either over a DataFrame (a notebook's, a test's, one unit's rows) or
straight over the store's Parquet files, where DuckDB reads only the columns, partitions and row groups a query
needs. Every figure that counts dossiers (the indicators, the TT 01/2020 table, coverage's monthly counts, the
brief's monthly trend, ``load_dossiers(period=...)`` and the consistency checks) decides through this module.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from .periods import Period

STOPPED = ("withdrawn", "returned")

# the dossier columns the rules read, with the type a DataFrame's column is read as (a column a frame lacks is
# NULL: the rules treat it as blank, which is what a missing column has always meant)
COLUMN_TYPES = {
    "unit_id": "VARCHAR",
    "status": "VARCHAR",
    "status_raw": "VARCHAR",
    "channel": "VARCHAR",
    "field": "VARCHAR",
    "received_at": "TIMESTAMP",
    "due_at": "TIMESTAMP",
    "processed_at": "TIMESTAMP",
    "result_at": "TIMESTAMP",
    "handed_at": "TIMESTAMP",
    "fee": "DOUBLE",
    "catalogue_fee_kind": "VARCHAR",
    "payment_method": "VARCHAR",
    "payment_raw": "VARCHAR",
    "procedure": "VARCHAR",
    "catalogue_code": "VARCHAR",
    "digitised": "BOOLEAN",
}

# Python's whitespace (str.strip), so that a raw cell SQL calls blank is one Python calls blank
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())

ACCEPTED = "(status IS DISTINCT FROM 'not_accepted')"
"""Received: all but "not accepted" dossiers; a blank or unrecognised status counts as received."""

FINISH = (
    "coalesce(processed_at, result_at, handed_at, CASE WHEN status IN ('withdrawn', 'returned') THEN received_at END)"
)
"""When a dossier ended: the first present of processing finished, result available, result handed over; a
withdrawn or returned dossier lacking all three ended on its receipt. Times as given (not whole days)."""


def _date(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def blank(column: str) -> str:
    """SQL: the text cell is empty, all whitespace or missing (a cell whose first character is not a space is
    decided without trimming it: the trim is the slow part)."""
    c = column
    return (
        f"(CASE WHEN {c} IS NULL OR {c} = '' THEN true WHEN NOT contains('{_SPACES}', left({c}, 1)) THEN false "
        f"ELSE trim({c}, '{_SPACES}') = '' END)"
    )


def count_true(condition: str) -> str:
    """SQL aggregate: how many rows ``condition`` holds for (count_if, which is far faster over millions of rows
    than count(*) FILTER, but gives NULL, not 0, where the condition is NULL on every row of a group)."""
    return f"count_if(coalesce({condition}, false))"


def received_in_sql(period: Period) -> str:
    """SQL: received on one of the period's days (whatever its status)."""
    return f"(CAST(received_at AS DATE) BETWEEN {_date(period.start)} AND {_date(period.end)})"


def finished_in_sql(period: Period) -> str:
    """SQL: ended (:data:`FINISH`) on one of the period's days."""
    return f"(CAST({FINISH} AS DATE) BETWEEN {_date(period.start)} AND {_date(period.end)})"


def may_count_sql(period: Period) -> str:
    """SQL: the dossier can count in ``period`` at all: received by the end of its last day and not finished
    before its first day (never "not accepted"). On the times themselves, not their days, so that the Parquet
    reader can skip row groups received after the period."""
    first = f"TIMESTAMP '{period.start.isoformat()} 00:00:00'"
    after = f"TIMESTAMP '{(period.end + dt.timedelta(days=1)).isoformat()} 00:00:00'"
    return f"({ACCEPTED} AND received_at < {after} AND coalesce({FINISH} >= {first}, true))"


def states_sql(source: str, period: Period) -> str:
    """SQL: per received dossier of ``source`` (a relation with the rule columns), its columns and how it counts
    in ``period`` (see :func:`dossier_states`), plus ``rday``/``fday``/``dday`` (received, finish and due days),
    ``handled`` and ``is_stopped``."""
    s, e = _date(period.start), _date(period.end)
    return f"""
    WITH days AS (
        SELECT *, CAST(received_at AS DATE) AS rday, CAST({FINISH} AS DATE) AS fday, CAST(due_at AS DATE) AS dday,
               coalesce(status IN ('withdrawn', 'returned'), false) AS is_stopped
        FROM {source} WHERE {ACCEPTED}
    ), handled AS (
        SELECT *,
               coalesce(rday BETWEEN {s} AND {e}, false) AS new,
               coalesce(rday < {s} AND (fday IS NULL OR fday >= {s}), false) AS carried,
               coalesce(fday BETWEEN {s} AND {e}, false) AS ended_in
        FROM days
    ), counted AS (
        SELECT *, new OR carried AS handled FROM handled
    )
    SELECT *,
           handled AND ended_in AND NOT is_stopped AS resolved,
           handled AND ended_in AND is_stopped AS stopped,
           CASE WHEN handled AND ended_in AND is_stopped THEN status END AS stopped_kind,
           handled AND (fday IS NULL OR fday > {e}) AS pending,
           handled AND (fday IS NULL OR fday > {e}) AND dday IS NOT NULL AND dday < {e} AS overdue,
           CASE WHEN handled AND ended_in AND NOT is_stopped AND dday IS NOT NULL THEN
                CASE WHEN fday < dday THEN 'early' WHEN fday = dday THEN 'on_time' ELSE 'late' END
           END AS resolved_class
    FROM counted
    """


_DATABASE: list = []  # the process's in-memory DuckDB database, opened at first use


def _close_database() -> None:
    """Close the database before this process forks: a child must not inherit DuckDB's worker threads."""
    while _DATABASE:
        _DATABASE.pop().close()


if hasattr(os, "register_at_fork"):  # POSIX; Windows never forks
    os.register_at_fork(before=_close_database)


@contextmanager
def connect(frames: dict[str, pd.DataFrame] | None = None, tables: dict[str, pd.DataFrame] | None = None):
    """A private DuckDB connection with each dossier DataFrame of ``frames`` as a view of that name, its rule
    columns read as :data:`COLUMN_TYPES` (categoricals, Arrow strings and all-blank object columns alike), and each
    of ``tables`` as it is. A cursor of one in-memory database per process (opening a database costs 20-30 ms, a
    brief counts a dozen times); views and registrations belong to the cursor alone."""
    import duckdb

    if not _DATABASE:
        _DATABASE.append(duckdb.connect())
    con = _DATABASE[0].cursor()
    try:
        try:
            con.execute("SET enable_progress_bar = false")  # no bar on the terminal during a long query
        except duckdb.InvalidInputException:
            pass  # Jupyter without ipywidgets: DuckDB shows no bar there and refuses the setting
        for name, frame in (tables or {}).items():
            con.register(name, frame)
        for name, frame in (frames or {}).items():
            raw = f"{name}__raw"
            con.register(raw, frame)
            present = set(frame.columns)
            cols = [
                f'CAST("{c}" AS {t}) AS {c}' if c in present else f"NULL::{t} AS {c}" for c, t in COLUMN_TYPES.items()
            ]
            cols += [f'"{c}"' for c in frame.columns if c not in COLUMN_TYPES]
            con.execute(f"CREATE TEMP VIEW {name} AS SELECT {', '.join(cols)} FROM {raw}")
        yield con
    finally:
        con.close()


def store_source(
    path: Path | None,
    columns: list[str],
    where: str | None = None,
    max_year: int | None = None,
    handed_over: list[tuple[str, str]] | None = None,
    provinces: list[str] | None = None,
    unit_ids: list[str] | None = None,
) -> str:
    """SQL: the store's dossier files (``path``: a hive dataset folder or one Parquet file) as a relation with
    the rule columns (NULL where the store lacks one), only the rows ``where`` keeps (and, given ``unit_ids``, only
    those units' rows); in a dataset, years after ``max_year`` and provinces (partition keys) other than
    ``provinces`` are never opened. ``handed_over``: pairs
    of units of the 2025 reform (``UnitRegistry.handovers``: the unit whose copy is left out, the unit whose copy
    is kept): a dossier both hold (the same dossier code) counts once."""
    if path is None or not columns:  # no dossiers (an empty store's file has no columns)
        cols = ", ".join(f"NULL::{t} AS {c}" for c, t in COLUMN_TYPES.items())
        return f"(SELECT {cols} WHERE false)"
    if path.is_dir():
        files = f"read_parquet('{_text(path)}/*/*/*.parquet', hive_partitioning = true)"
    else:
        files = f"read_parquet('{_text(path)}')"
    cols = ", ".join(c if c in columns else f"NULL::{t} AS {c}" for c, t in COLUMN_TYPES.items())
    years = f"year <= {int(max_year)}" if max_year and path.is_dir() else "true"
    if provinces is not None and path.is_dir():
        years += f" AND province IN ({_sql_list(provinces)})"
    if unit_ids is not None:
        years += f" AND unit_id IN ({_sql_list(unit_ids)})"
    if handed_over and "code" in columns:
        inner = f"SELECT {cols} FROM {files} r WHERE {years} AND {not_handed_over('r', files, handed_over)}"
    else:
        inner = f"SELECT {cols} FROM {files} WHERE {years}"
    # the rule on the columns as selected (NULL where the store lacks one); DuckDB still pushes it to the reader
    return f"(SELECT * FROM ({inner}) WHERE {where})" if where else f"({inner})"


def not_handed_over(row: str, relation: str, pairs: list[tuple[str, str]]) -> str:
    """SQL: the dossier ``row`` (an alias over ``relation``) is not a copy left out for another unit's: ``pairs``
    (unit left out, unit kept) say which of an old and a new commune's copies of a dossier (the same dossier code:
    one still pending on 1 July 2025, handed over) counts."""
    links = ", ".join(f"('{_text(a)}', '{_text(b)}')" for a, b in pairs)
    kept = _sql_list(sorted({b for _a, b in pairs}))
    return f"""NOT EXISTS (
        SELECT 1 FROM (VALUES {links}) l(left_out, kept)
        JOIN (SELECT unit_id, code FROM {relation} WHERE unit_id IN ({kept})) s ON s.unit_id = l.kept
        WHERE l.left_out = {row}.unit_id AND s.code = {row}.code)"""


def received_before(rows: StoreRows, first: dict[str, dt.date]) -> set[str]:
    """The units of ``first`` (unit id -> a day) that hold a dossier received before their day, among ``rows``."""
    if not first:
        return set()
    held = " OR ".join(
        f"(unit_id = '{_text(unit)}' AND received_at < TIMESTAMP '{day.isoformat()} 00:00:00')"
        for unit, day in first.items()
    )
    with connect() as con:
        return {
            unit for (unit,) in con.execute(f"SELECT DISTINCT unit_id FROM {rows.relation()} WHERE {held}").fetchall()
        }


def handed_over_copies(dossiers: pd.DataFrame, pairs: list[tuple[str, str]]) -> np.ndarray:
    """A boolean per row of ``dossiers`` (in its order): the row is a copy left out for another unit's
    (:func:`not_handed_over`); all False without pairs or a ``code`` column."""
    if dossiers.empty or not pairs or "code" not in dossiers.columns:
        return np.zeros(len(dossiers), dtype=bool)
    with connect({"d": dossiers}) as con:
        (values,) = con.execute(f"SELECT NOT {not_handed_over('r', 'd', pairs)} FROM d r").fetchnumpy().values()
    return np.asarray(values, dtype=bool)


def _text(value: str) -> str:
    """A text value inside an SQL string literal."""
    return str(value).replace("'", "''")


def _sql_list(values) -> str:
    """Text values as the list of an SQL ``IN (…)`` (NULL for none: the condition then holds for no row)."""
    return ", ".join(f"'{_text(v)}'" for v in values) or "NULL"


def _mask(frame: pd.DataFrame, expression: str) -> np.ndarray:
    """A boolean per row of ``frame`` (in its order): the SQL ``expression`` over its rule columns."""
    if frame.empty:
        return np.zeros(0, dtype=bool)
    with connect({"d": frame}) as con:
        (values,) = con.execute(f"SELECT coalesce({expression}, false) FROM d").fetchnumpy().values()
    return np.asarray(values, dtype=bool)


def accepted(dossiers: pd.DataFrame) -> np.ndarray:
    """Dossiers that were received (a boolean array): all but "not accepted" ones; a blank or unrecognised status
    (missing in the store, whatever the column's dtype) counts as received."""
    return _mask(dossiers, ACCEPTED)


def may_count_in(dossiers: pd.DataFrame, period: Period) -> np.ndarray:
    """Dossiers that can count in ``period`` at all (a boolean array): received (not "not accepted") by the end of
    its last day and not finished before its first day. A cheap first cut of a store that holds many periods;
    ``dossier_states`` decides how each counts."""
    return _mask(dossiers, may_count_sql(period))


def received_in(dossiers: pd.DataFrame, period: Period) -> pd.Series:
    """New dossiers of ``period`` (received on one of its days, not "not accepted"): a boolean Series."""
    mask = _mask(dossiers, f"{ACCEPTED} AND {received_in_sql(period)}")
    return pd.Series(mask, index=dossiers.index)


STATE_COLUMNS = [
    "new",
    "carried",
    "resolved",
    "stopped",
    "stopped_kind",
    "pending",
    "overdue",
    "resolved_class",
]


def dossier_states(dossiers: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per dossier, how it counts in ``period`` (columns are booleans unless said otherwise).

    Dates are compared as calendar days, so a dossier received at 00:00 of the day after the period is not in it.

    - ``finish``: the day it ended (:data:`FINISH`);
    - ``new``: received in the period; ``carried``: received before it and not finished before its first day;
      ``new`` or ``carried`` is handled in the period;
    - ``resolved``: handled and finished in the period, not withdrawn or returned, with ``resolved_class`` early
      (finished before its due day), on_time (on its due day) or late (after), None when the due date is unknown;
    - ``pending``: handled and not finished by the period's end, ``overdue`` when its due day is before the
      period's last day (due on the last day is within its deadline);
    - ``stopped``: handled and withdrawn or returned in the period (``stopped_kind``).

    "Not accepted" dossiers were never received and take no part (they are not in the result).
    """
    keep = accepted(dossiers)
    d = dossiers[keep]
    out = pd.DataFrame(index=d.index)
    out["unit_id"] = d["unit_id"]
    if d.empty:
        out["finish"] = pd.Series(dtype="datetime64[ns]")
        for c in STATE_COLUMNS:
            out[c] = pd.Series(dtype=object if c in ("stopped_kind", "resolved_class") else bool)
        out["channel"] = d["channel"]
        return out
    # in the frame's order: DuckDB keeps the order of a scan and of a filter
    with connect({"d": d}) as con:
        cols = ", ".join(["CAST(fday AS TIMESTAMP) AS finish", *STATE_COLUMNS])
        got = con.execute(f"SELECT {cols} FROM ({states_sql('d', period)})").df()
    out["finish"] = got["finish"].to_numpy(dtype="datetime64[ns]")
    for c in STATE_COLUMNS:
        values = got[c].to_numpy()
        out[c] = values.astype(bool) if c not in ("stopped_kind", "resolved_class") else values.astype(object)
    out["stopped_kind"] = out["stopped_kind"].where(out["stopped"])
    out["resolved_class"] = out["resolved_class"].where(out["resolved_class"].notna())
    out["channel"] = d["channel"]
    return out


class StoreRows:
    """The store's dossier rows as the source of a query (instead of a DataFrame): ``path`` the dataset folder or
    Parquet file (None: no dossiers), ``columns`` the columns it has, ``where`` an SQL condition on the rows
    (pushed down to the Parquet reader), ``max_year`` the last year-of-receipt partition worth opening,
    ``handed_over`` the (left out, kept) unit pairs whose shared dossiers count once (:func:`store_source`)."""

    def __init__(
        self,
        path: Path | None,
        columns,
        where: str | None = None,
        max_year: int | None = None,
        handed_over: list[tuple[str, str]] | None = None,
        provinces: list[str] | None = None,
        unit_ids: list[str] | None = None,
    ):
        self.path, self.columns, self.where, self.max_year = path, list(columns), where, max_year
        self.handed_over = list(handed_over or [])
        self.provinces, self.unit_ids = provinces, unit_ids

    def relation(self) -> str:
        return store_source(
            self.path, self.columns, self.where, self.max_year, self.handed_over, self.provinces, self.unit_ids
        )


@contextmanager
def source(dossiers: pd.DataFrame | StoreRows, **frames: pd.DataFrame):
    """A connection and the SQL relation of ``dossiers`` (a DataFrame or :class:`StoreRows`), with ``frames``
    registered as views of their names."""
    if isinstance(dossiers, StoreRows):
        with connect(tables=frames) as con:
            yield con, dossiers.relation()
    else:
        with connect({"d": dossiers}, frames) as con:
            yield con, "d"
