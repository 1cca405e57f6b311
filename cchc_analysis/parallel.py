"""Map a function over items on forked worker processes, results in the items' order.

Reading exports and writing the demo's workbooks are CPU-bound Python (the GIL allows one core): with two cores,
two forked processes halve the time. Forking lets the workers inherit what the parent already built (the unit
registry, the keyed-hash state, which cannot be pickled) without sending it. Where fork is unavailable (Windows,
macOS's default) or there is one core or one item, the map runs in the calling process, with the same results.

Log records a worker emits are sent back and handled in the parent, in the items' order, so the command's
output and any handler the caller attached (a test's caplog, the CLI's stderr) see them as if run in-process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

ENV_JOBS = "CCHC_JOBS"

_TASK: Callable | None = None  # set in the parent just before the fork: the workers inherit it


def default_jobs() -> int:
    """Worker processes to use: ``CCHC_JOBS`` if set, else the number of cores."""
    try:
        return max(1, int(os.environ.get(ENV_JOBS, "")))
    except ValueError:
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _in_worker(item):
    """Run the inherited task on one item, keeping the log records for the parent instead of handling them here.

    Records are taken where a logger hands them to its handlers (after its level and filters), whichever
    handlers and propagation the parent had set up: the parent hands each to the same logger again."""
    records: list[logging.LogRecord] = []

    def keep(_logger: logging.Logger, record: logging.LogRecord) -> None:
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args, record.exc_info = record.getMessage(), None, None  # arguments may not pickle
        records.append(record)

    call_handlers = logging.Logger.callHandlers
    logging.Logger.callHandlers = keep  # type: ignore[method-assign]  # this worker process only
    try:
        return _TASK(item), records  # type: ignore[misc]
    finally:
        logging.Logger.callHandlers = call_handlers  # type: ignore[method-assign]


def fork_map(func: Callable[[T], R], items: Iterable[T], jobs: int | None = None) -> Iterator[R]:
    """``map(func, items)`` on up to ``jobs`` forked processes (default: :func:`default_jobs`), in order.

    The workers are forked and given every item at the call, before the caller starts other threads (forking a
    process while its threads hold locks can deadlock the child); the results are taken as the iterator is read.
    """
    global _TASK
    items = list(items)
    jobs = min(jobs or default_jobs(), len(items))
    if jobs < 2 or not can_fork():
        return map(func, items)
    _TASK = func
    try:
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
        futures = [pool.submit(_in_worker, item) for item in items]
        pool.shutdown(wait=False)  # the workers finish the submitted items, then exit
    finally:
        _TASK = None
    return _results(futures)


def _results(futures) -> Iterator:
    try:
        for i in range(len(futures)):
            result, records = futures[i].result()
            futures[i] = None  # the result is the caller's now: not held here until the last one is read
            for record in records:
                logger = logging.getLogger(record.name)
                if logger.isEnabledFor(record.levelno):
                    logger.handle(record)
            yield result
    finally:  # an error, or the caller stopped reading: the items not started yet are dropped
        for future in futures:
            if future is not None:
                future.cancel()
