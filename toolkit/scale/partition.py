"""Thread-preserving partitions of the posts table, written as one Parquet file per partition.

Every post of a conversation lands in the same partition, so the per-thread steps (brand
responses, thread context for topics) run inside one partition and combine exactly. A
conversation is a connected component of the graph whose edges link each post to its
thread root (`thread_id`) and to the post it answers (`reply_to_id`): posts whose thread
is unknown still travel with the post they answer. Partition = hash(conversation) mod n.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from toolkit.schema import from_arrow, to_arrow

#: Default rows per partition: ~1 KB per post in pandas, so a few hundred MB per task.
DEFAULT_PARTITION_ROWS = 100_000
_SEP = "/"  # platform slugs have no "/", so "platform/id" is unambiguous


def n_partitions_for(n_rows: int, partition_rows: int = DEFAULT_PARTITION_ROWS) -> int:
    """How many partitions hold `n_rows` posts at about `partition_rows` each (at least 1)."""
    if partition_rows < 1:
        raise ValueError("partition_rows must be >= 1")
    return max(1, math.ceil(n_rows / partition_rows))


def conversation_keys(posts: pd.DataFrame) -> pd.Series:
    """Per post, a key shared by every post of its conversation (same index as `posts`).

    The key is the smallest ``platform/id`` of the conversation's connected component
    (posts, their thread roots and the posts they answer), so it does not depend on row order.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts (`platform`, `post_id`, `thread_id`, `reply_to_id`).
    """
    if posts.empty:
        return pd.Series([], index=posts.index, dtype=object)
    platform = posts["platform"]
    own = _tokens(platform, posts["post_id"])
    thread = _tokens(platform, posts["thread_id"])
    parent = _tokens(platform, posts["reply_to_id"])
    codes, uniques = pd.factorize(np.concatenate([own, thread, parent]), use_na_sentinel=True)
    n = len(posts)
    own_codes, thread_codes, parent_codes = codes[:n], codes[n : 2 * n], codes[2 * n :]
    src = np.concatenate([own_codes, own_codes])
    dst = np.concatenate([thread_codes, parent_codes])
    linked = dst >= 0
    graph = coo_matrix(
        (np.ones(linked.sum(), dtype=np.int8), (src[linked], dst[linked])),
        shape=(len(uniques), len(uniques)),
    )
    _, component = connected_components(graph, directed=False)
    smallest = pd.Series(np.asarray(uniques, dtype=object)).groupby(component).min()
    return pd.Series(smallest.to_numpy()[component[own_codes]], index=posts.index, dtype=object)


def _tokens(platform: pd.Series, ids: pd.Series) -> np.ndarray:
    """``platform/id`` per row; None where the id is null."""
    joined = platform.astype("string").to_numpy() + _SEP + ids.astype("string").to_numpy()
    return pd.array(joined, dtype="string").to_numpy(dtype=object, na_value=None)


def partition_of(keys: pd.Series, n_partitions: int) -> np.ndarray:
    """Partition number (0 .. n-1) of each key: a fixed-seed hash of the key, mod n."""
    if n_partitions < 1:
        raise ValueError("n_partitions must be >= 1")
    hashes = pd.util.hash_array(keys.to_numpy(dtype=object))
    return (hashes % np.uint64(n_partitions)).astype(np.int64)


def partition_posts(posts: pd.DataFrame, n_partitions: int) -> np.ndarray:
    """Partition number of each post so that conversations are never split."""
    return partition_of(conversation_keys(posts), n_partitions)


def partition_path(folder: str | Path, number: int) -> Path:
    """The file of partition `number` in `folder` (a fixed name: a retried task overwrites it)."""
    return Path(folder) / f"part-{number:05d}.parquet"


def write_partitions(posts: pd.DataFrame, folder: str | Path, n_partitions: int) -> list[Path]:
    """Write canonical posts as `n_partitions` Parquet files, conversations kept together.

    Files are written atomically; empty partitions get an empty file, so the folder always
    holds exactly partitions 0 .. n-1. Files of a previous run with more partitions are removed.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts.
    folder : str or Path
        Output folder (created).
    n_partitions : int

    Returns
    -------
    list of Path, in partition order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = partition_posts(posts, n_partitions)
    paths = []
    for number in range(n_partitions):
        path = partition_path(folder, number)
        table = to_arrow(posts[numbers == number])
        write_atomically(path, lambda tmp, t=table: pq.write_table(t, tmp))
        paths.append(path)
    for stale in sorted(folder.glob("part-*.parquet")):
        if stale not in paths:
            stale.unlink()
    return paths


def read_partition(path: str | Path) -> pd.DataFrame:
    """One partition file as a canonical posts frame."""
    return from_arrow(pq.read_table(path))


def write_atomically(path: Path, write: Callable[[Path], object], mode: int | None = None) -> Path:
    """Write `path` through a temporary file in the same folder and rename it into place.

    The temporary name is unique per call, so two attempts of the same task never share
    one; readers see either the old file or the complete new one, never a mix.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
