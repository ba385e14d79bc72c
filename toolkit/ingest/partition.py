"""Thread-preserving partitions of the posts table, written as one Parquet file per partition.

Every post of a conversation lands in the same partition, so the per-thread steps (brand
responses, thread context for topics) run inside one partition and combine exactly. A
conversation is a connected component of the graph whose edges link each post to its
thread root (`thread_id`) and to the post it answers (`reply_to_id`): posts whose thread
is unknown still travel with the post they answer. Partition = hash(conversation) mod n.

`write_partitions` splits a posts frame in memory; `write_partitions_from_parquet` splits a
posts Parquet file larger than memory: only the four id columns are read, as Arrow, to find
the conversations, and DuckDB (spilling to disk) orders the rows by partition for writing.
"""

from __future__ import annotations

import math
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from toolkit.core.schema import ARROW_SCHEMA, COLUMN_NAMES, from_arrow, to_arrow

#: Default rows per partition: ~1 KB per post in pandas, so a few hundred MB per task.
DEFAULT_PARTITION_ROWS = 100_000
_SEP = "/"  # platform slugs have no "/", so "platform/id" is unambiguous
#: DuckDB's memory limit when partitioning a file (beyond it, DuckDB spills to disk).
DEFAULT_DUCKDB_MEMORY = "1GB"
#: The columns `conversation_keys` reads.
ID_COLUMNS = ["platform", "post_id", "thread_id", "reply_to_id"]
_BATCH_ROWS = 50_000


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
    columns = [pa.array(posts[c].astype("string"), type=pa.string()) for c in ID_COLUMNS]
    component, smallest = _conversations(*columns)
    keys = smallest.take(pa.array(component)).to_numpy(zero_copy_only=False)
    return pd.Series(keys, index=posts.index, dtype=object)


def _conversations(platform, post_id, thread_id, reply_to_id) -> tuple[np.ndarray, pa.Array]:
    """Conversation number of each post, and the smallest ``platform/id`` of each conversation.

    Arrow strings and integer codes throughout (about 150 bytes per post with ids of ~20
    characters, against several Python objects per post in pandas), so it serves large tables.
    """
    n = len(platform)
    tokens = pa.chunked_array(
        [_tokens(platform, ids) for ids in (post_id, thread_id, reply_to_id)], pa.large_string()
    ).combine_chunks()
    encoded = tokens.dictionary_encode()
    del tokens
    codes = pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64)
    uniques = encoded.dictionary
    own_codes = codes[:n]
    src = np.concatenate([own_codes, own_codes])
    dst = codes[n:]
    linked = dst >= 0
    graph = coo_matrix(
        (np.ones(linked.sum(), dtype=np.int8), (src[linked], dst[linked])),
        shape=(len(uniques), len(uniques)),
    )
    del src, dst, linked, codes
    _, component = connected_components(graph, directed=False)
    del graph
    # smallest token per component: the component's lowest rank in sorted token order
    order = pc.sort_indices(uniques).to_numpy()
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    lowest = np.full(component.max() + 1, len(order), dtype=order.dtype)
    np.minimum.at(lowest, component, rank)
    del rank
    smallest = uniques.take(pa.array(order[lowest]))
    return component[own_codes], smallest


def _tokens(platform, ids) -> pa.ChunkedArray:
    """``platform/id`` per row; null where the id is null."""
    return pc.binary_join_element_wise(
        pc.cast(platform, pa.large_string()),
        pc.cast(ids, pa.large_string()),
        pa.scalar(_SEP, pa.large_string()),
    )


def partition_of(keys: pd.Series, n_partitions: int) -> np.ndarray:
    """Partition number (0 .. n-1) of each key: a fixed-seed hash of the key, mod n."""
    if n_partitions < 1:
        raise ValueError("n_partitions must be >= 1")
    hashes = pd.util.hash_array(keys.to_numpy(dtype=object))
    return (hashes % np.uint64(n_partitions)).astype(np.int64)


def partition_posts(posts: pd.DataFrame, n_partitions: int) -> np.ndarray:
    """Partition number of each post so that conversations are never split."""
    return partition_of(conversation_keys(posts), n_partitions)


def partition_numbers(ids: pa.Table, n_partitions: int) -> np.ndarray:
    """`partition_posts` for the id columns of posts given as an Arrow table.

    The ids stay Arrow strings and each conversation's key is hashed once, a chunk at a time:
    memory is a small multiple of the ids' Arrow size (pandas would hold several Python
    objects per post).

    Parameters
    ----------
    ids : pyarrow.Table
        At least the columns `ID_COLUMNS`.
    n_partitions : int
    """
    if ids.num_rows == 0:
        return np.zeros(0, dtype=np.int64)
    component, smallest = _conversations(*(ids.column(c) for c in ID_COLUMNS))
    per_conversation = np.concatenate(
        [
            partition_of(
                pd.Series(smallest.slice(i, _BATCH_ROWS).to_numpy(zero_copy_only=False)),
                n_partitions,
            )
            for i in range(0, len(smallest), _BATCH_ROWS)
        ]
    )
    return per_conversation[component]


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
    _remove_stale(folder, paths)
    return paths


def write_partitions_from_parquet(
    source: str | Path,
    folder: str | Path,
    n_partitions: int,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY,
) -> list[Path]:
    """`write_partitions` for a canonical posts Parquet file, without loading the posts.

    The partition files hold the same rows in the same order as
    ``write_partitions(from_arrow(pq.read_table(source)), folder, n_partitions)``. Memory: the
    four id columns (`ID_COLUMNS`) of all posts as Arrow, to find the conversations, plus one
    batch of rows; DuckDB sorts the rows by partition within `memory_limit`, spilling to
    ``folder/.spill`` beyond it.

    Parameters
    ----------
    source : str or Path
        Canonical posts (`toolkit.core.schema.ARROW_SCHEMA`).
    folder : str or Path
        Output folder (created).
    n_partitions : int
    memory_limit : str
        DuckDB's memory limit, e.g. "1GB".

    Returns
    -------
    list of Path, in partition order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = partition_numbers(pq.read_table(source, columns=ID_COLUMNS), n_partitions)
    spill = folder / ".spill"
    con = duckdb_connection(memory_limit, spill)
    try:
        order = pa.table({"row": pa.array(np.arange(len(numbers))), "partition": pa.array(numbers)})
        con.register("partition_numbers", order)
        columns = ", ".join(f's."{name}"' for name in COLUMN_NAMES)
        reader = con.sql(
            f"SELECT p.partition, {columns} "
            "FROM read_parquet(?, file_row_number = true) s "
            "JOIN partition_numbers p ON p.row = s.file_row_number ORDER BY p.partition, p.row",
            params=[str(source)],
        ).to_arrow_reader(_BATCH_ROWS)
        rows = _RowsByPartition(reader)
        paths = []
        for number in range(n_partitions):
            path = partition_path(folder, number)
            write_atomically(path, lambda tmp, n=number: rows.write(n, tmp))
            paths.append(path)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    _remove_stale(folder, paths)
    return paths


def duckdb_connection(memory_limit: str, spill: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that spills to `spill` beyond `memory_limit`, keeps rows
    in query order and gives timestamps in UTC."""
    con = duckdb.connect()
    con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET temp_directory = ?", [str(spill)])
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET TimeZone = 'UTC'")
    return con


class _RowsByPartition:
    """Hands out, partition after partition, the rows of a stream sorted by partition number.

    The stream's first column is the partition number; the rest are the posts' columns.
    """

    def __init__(self, reader: pa.RecordBatchReader):
        self._reader = reader
        self._pending: pa.Table | None = None

    def write(self, number: int, path: Path) -> None:
        """Write the rows of partition `number` (possibly none) to `path` as canonical posts."""
        with pq.ParquetWriter(path, ARROW_SCHEMA) as writer:
            while (table := self._next()) is not None:
                partitions = table.column(0).to_numpy()
                n = int(np.searchsorted(partitions, number, side="right"))
                if n:
                    writer.write_table(table.slice(0, n).remove_column(0).cast(ARROW_SCHEMA))
                if n < table.num_rows:
                    self._pending = table.slice(n)
                    return

    def _next(self) -> pa.Table | None:
        if self._pending is not None:
            table, self._pending = self._pending, None
            return table
        try:
            return pa.Table.from_batches([self._reader.read_next_batch()])
        except StopIteration:
            return None


def _remove_stale(folder: Path, paths: list[Path]) -> None:
    """Remove partition files of a previous run with more partitions."""
    for stale in sorted(folder.glob("part-*.parquet")):
        if stale not in paths:
            stale.unlink()


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
