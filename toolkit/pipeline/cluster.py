"""Dask clients: connect to an existing scheduler, or start a local cluster for one run."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

#: Default memory limit per local worker; the partition size must fit well inside it.
DEFAULT_MEMORY_LIMIT = "2GiB"


@contextmanager
def dask_client(
    scheduler: str | None = None,
    n_workers: int = 2,
    memory_limit: str | int = DEFAULT_MEMORY_LIMIT,
    threads_per_worker: int = 1,
) -> Iterator:
    """A `distributed.Client` for the duration of a ``with`` block, closed afterwards.

    Parameters
    ----------
    scheduler : str, optional
        Address of an existing scheduler (``tcp://host:port``): the client connects to it
        and leaves the cluster running on exit. None starts a `LocalCluster` of worker
        processes on this machine and shuts it down on exit.
    n_workers : int
        Local cluster only: worker processes.
    memory_limit : str or int
        Local cluster only: memory limit per worker (e.g. "2GiB"); the nanny restarts a
        worker that exceeds it.
    threads_per_worker : int
        Local cluster only: threads per worker. 1 keeps the pure-Python steps (VADER,
        regular expressions) from contending for one interpreter lock.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=threads_per_worker,
        memory_limit=memory_limit,
        processes=True,
        dashboard_address=":0",  # a free port: several clusters may share a machine
        silence_logs=logging.WARNING,
    )
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def worker_pids(client) -> dict[str, int]:
    """Worker address -> process id of every worker the client's scheduler knows."""
    import os

    return client.run(os.getpid)
