"""Convert batches of generic records in worker processes while the reader goes on reading.

Reading a file is sequential, but parsing records and turning them into canonical rows
(timestamps, handles, pseudonyms, entities, Arrow conversion) is most of the cost of ingest
and independent from batch to batch. A loader hands its batches to `Collector.add_batch` as
picklable tasks (`base.RawBatch`, or raw JSON lines to parse first); `BatchPool` runs each
task in a worker process, and the streaming collector takes the results back **in submission
order**, so the output does not depend on the number of workers or on
timing: the rows, their order, the rejects and the raw identifiers are the same as converting
every batch in this process.

Workers are forked: they inherit the pseudonymiser's key in memory and it is never pickled,
written or sent anywhere. Each worker keeps its own pseudonym caches; the raw identifiers it
notes travel back with each result (the privacy gate needs them).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from toolkit.ingest.base import Collector
from toolkit.ingest.identities import Identities
from toolkit.ingest.limits import Limits

#: Batches waiting or being converted per worker (bounds memory; keeps workers busy).
IN_FLIGHT_PER_WORKER = 2
#: Default cap on worker processes (beyond it the single reader is the bottleneck).
MAX_DEFAULT_WORKERS = 4

_worker_identities: Identities | None = None


def default_workers() -> int:
    """Worker processes to use by default: the usable cores, at most MAX_DEFAULT_WORKERS.

    1 inside a daemonic process (e.g. a Dask or multiprocessing worker), which may not start
    processes of its own.
    """
    if multiprocessing.current_process().daemon:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


@dataclass(frozen=True)
class ConvertedBatch:
    """What converting one batch gave: posts, rejects and the raw identifiers noted.

    Attributes
    ----------
    table : pa.Table
        Canonical posts (duplicates inside the batch removed).
    n_duplicates : int
    rejects : DataFrame
        source_file, source_line, reason, raw.
    keys : pa.Array or pa.ChunkedArray
        De-duplication key of each post.
    rows_in : int
        Records the batch accounted for (posts + duplicates + rejects).
    identifiers : dict
        `Identities.to_dict()` of the raw identifiers first seen in this batch.
    """

    table: pa.Table
    n_duplicates: int
    rejects: pd.DataFrame
    keys: pa.Array | pa.ChunkedArray
    rows_in: int
    identifiers: dict[str, list[str]]


def convert_batch(
    batch: Callable,
    source_file: str,
    platform: str | None,
    identities: Identities,
    timestamp_format: str | None = None,
    limits: Limits | None = None,
) -> ConvertedBatch:
    """Run one batch task into a fresh collector, exactly as `Collector.add_batch` does, and drain it.

    Parameters
    ----------
    batch : callable
        A batch task (``batch(collector, identities, timestamp_format)``), e.g. a `RawBatch`.
    source_file : str
        Written into `source_file` of each row and reject.
    platform : str or None
        Platform of records that do not map their own.
    identities : Identities
        Its raw identifiers are moved into the result (`pop_seen`).
    timestamp_format : str, optional
    """
    collector = Collector(source_file, platform, limits)
    collector.add_batch(batch, identities, timestamp_format)
    table, n_duplicates, rejects, keys = collector.drain()
    return ConvertedBatch(
        table, n_duplicates, rejects, keys, collector.rows_in, identities.pop_seen()
    )


def _init_worker(identities: Identities) -> None:
    global _worker_identities
    _worker_identities = identities
    identities.pop_seen()  # what the parent had noted before the fork is the parent's


def _convert_in_worker(
    batch: Callable,
    source_file: str,
    platform: str | None,
    timestamp_format: str | None,
    limits: Limits | None = None,
) -> ConvertedBatch:
    converted = convert_batch(
        batch, source_file, platform, _worker_identities, timestamp_format, limits
    )
    # Arrow's allocator keeps freed blocks for reuse; handing them back keeps each worker's
    # memory at one batch's worth instead of its high-water mark
    pa.default_memory_pool().release_unused()
    return converted


class BatchPool:
    """Worker processes running batch tasks (`submit` returns a future of `ConvertedBatch`).

    Parameters
    ----------
    workers : int
        Worker processes (at least 1).
    identities : Identities
        Copied into each worker when it starts (fork); pseudonyms are keyed, so every worker
        gives the same pseudonym for the same handle.
    source_file, platform, timestamp_format :
        As for `convert_batch`.
    """

    def __init__(
        self,
        workers: int,
        identities: Identities,
        source_file: str,
        platform: str | None,
        timestamp_format: str | None = None,
        limits: Limits | None = None,
    ):
        self.workers = max(1, workers)
        self._args = (source_file, platform, timestamp_format, limits)
        self._executor = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_worker,
            initargs=(identities,),
        )

    @property
    def max_in_flight(self) -> int:
        """Batches to have queued before taking one back (bounds memory, keeps workers busy)."""
        return self.workers * IN_FLIGHT_PER_WORKER

    def submit(self, batch: Callable) -> Future:
        """Queue one batch for conversion; the future's result is a `ConvertedBatch`."""
        return self._executor.submit(_convert_in_worker, batch, *self._args)

    def close(self) -> None:
        """Stop the workers, dropping batches not started yet."""
        self._executor.shutdown(wait=True, cancel_futures=True)
