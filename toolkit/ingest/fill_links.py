"""Filling reply authors and thread roots of a posts Parquet file on disk, in bounded memory.

`fill_links_on_disk` does what `toolkit.ingest.relations.fill_reply_authors` and
`fill_thread_roots` do in memory, with DuckDB spilling to disk: the streaming and the Dask
ingests use it for files larger than memory.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toolkit.core.schema import ARROW_SCHEMA

#: Rows copied at a time.
CHUNK_ROWS = 100_000
#: DuckDB's memory limit in the link-filling pass (it spills beyond); the batch-by-batch copy
#: that follows needs about as much, so a higher limit only costs memory.
_FILL_PASS_MEMORY = "256MB"
_FILL_SCHEMA = pa.schema(
    [("r", pa.int64()), ("reply_to_author", pa.string()), ("thread_id", pa.string())]
)


def fill_links_on_disk(source: Path, target: Path) -> None:
    """Copy a posts Parquet file, filling `reply_to_author` and `thread_id` from the other rows.

    Same rules as `relations.fill_reply_authors` / `fill_thread_roots` (a thread root is found
    however deep the chain; a broken chain or a cycle leaves it null), for files whose
    (platform, post_id) are unique, as after deduplication; duplicates never add rows, the last
    one wins. DuckDB (spilling to disk) works only on the rows that lack a link and on their
    parents, and hands back just the rows whose values change, in row order; the posts are
    then copied batch by batch with those merged in. Peak memory does not grow with the file.

    Parameters
    ----------
    source, target : Path
        Input and output posts.parquet.
    """
    spill = target.parent / ".ingest_spill"
    fills = target.with_name(f".{target.name}.fills.parquet")
    try:
        _write_fills(source, fills, spill)
        _merge_fills(source, target, fills)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
        fills.unlink(missing_ok=True)


def _write_fills(source: Path, fills: Path, spill: Path) -> None:
    """Write (r, reply_to_author, thread_id) of the rows of `source` that change, by row number.

    The DuckDB connection is closed before the copy starts, so the two never hold memory together.
    """
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{_FILL_PASS_MEMORY}'")
        con.execute("SET temp_directory = ?", [str(spill)])
        con.execute("SET preserve_insertion_order = false")  # until the fills are sorted
        _load_rows_to_fill(con, source)
        _resolve_thread_roots(con)
        # join, then sort: in one statement DuckDB ran out of memory (at 128 MB, 2.7M fills)
        con.execute(
            "CREATE TABLE fills AS SELECT n.r, "
            "CASE WHEN n.need_author THEN p.author END AS reply_to_author, c.thread_id "
            "FROM need n "
            "LEFT JOIN parents p ON p.platform = n.platform AND p.post_id = n.reply_to_id "
            "LEFT JOIN chain c ON c.r = n.r "
            "WHERE (n.need_author AND p.author IS NOT NULL) OR c.thread_id IS NOT NULL"
        )
        con.execute("SET preserve_insertion_order = true")  # COPY keeps the ORDER BY
        con.execute("COPY (SELECT * FROM fills ORDER BY r) TO ? (FORMAT parquet)", [str(fills)])
    finally:
        con.close()


def _load_rows_to_fill(con: duckdb.DuckDBPyConnection, source: Path) -> None:
    """Tables `need` (replies lacking a link) and `parents` (the rows they answer)."""
    rows = "read_parquet(?, file_row_number = true)"
    con.execute(
        "CREATE TABLE need AS SELECT file_row_number AS r, platform, post_id, reply_to_id, "
        "reply_to_author IS NULL AS need_author, thread_id IS NULL AS need_thread "
        f"FROM {rows} WHERE reply_to_id IS NOT NULL "
        "AND (reply_to_author IS NULL OR thread_id IS NULL)",
        [str(source)],
    )
    con.execute(
        "CREATE TABLE answered AS SELECT s.file_row_number AS r, s.platform, s.post_id, "
        f"s.author, s.thread_id FROM {rows} s "
        "SEMI JOIN need n ON s.platform = n.platform AND s.post_id = n.reply_to_id",
        [str(source)],
    )
    # one parent per id even if ids repeat (the last, as a dict would keep); grouping only
    # integers, as DuckDB cannot spill aggregates of strings
    con.execute(
        "CREATE TABLE parents AS SELECT platform, post_id, author, thread_id FROM answered "
        "SEMI JOIN (SELECT max(r) AS r FROM answered GROUP BY platform, post_id) l "
        "ON l.r = answered.r"
    )
    con.execute("DROP TABLE answered")


def _resolve_thread_roots(con: duckdb.DuckDBPyConnection) -> None:
    """Table `chain` (r, thread_id): the thread root of every row lacking one, by pointer jumping.

    Each row missing a thread points `up` at the row of its parent when that parent lacks one
    too, else it is settled with the parent's thread (null if the parent is absent or has
    none). A round settles the rows whose `up` row is settled and moves the others to their
    `up` row's `up`, so a chain of depth d takes about log2(d) rounds. A round that settles
    nothing leaves only cycles, whose roots stay unknown.
    """
    con.execute(
        "CREATE TABLE chain AS SELECT n.r, "
        "CASE WHEN p.thread_id IS NULL THEN a.r END AS up, "
        "p.thread_id IS NOT NULL OR a.r IS NULL AS done, p.thread_id "
        "FROM need n "
        "LEFT JOIN parents p ON p.platform = n.platform AND p.post_id = n.reply_to_id "
        "LEFT JOIN (SELECT platform, post_id, max(r) AS r FROM need WHERE need_thread "
        "GROUP BY platform, post_id) a ON a.platform = n.platform AND a.post_id = n.reply_to_id "
        "WHERE n.need_thread"
    )
    previous = -1
    while True:
        [(done, total)] = con.execute(
            "SELECT count(*) FILTER (done), count(*) FROM chain"
        ).fetchall()
        if done in (previous, total):
            return
        previous = done
        con.execute(
            "CREATE TABLE chain_next AS SELECT c.r, "
            "CASE WHEN c.done OR a.done THEN c.up ELSE a.up END AS up, "
            "c.done OR a.done AS done, "
            "CASE WHEN c.done THEN c.thread_id ELSE a.thread_id END AS thread_id "
            "FROM chain c LEFT JOIN chain a ON NOT c.done AND a.r = c.up"
        )
        con.execute("DROP TABLE chain")
        con.execute("ALTER TABLE chain_next RENAME TO chain")


class _FillCursor:
    """Hands out the fills (`r`, reply_to_author, thread_id) of a file sorted by row number."""

    def __init__(self, path: Path):
        self._batches = pq.ParquetFile(path, pre_buffer=False).iter_batches(CHUNK_ROWS)
        self._pending = _FILL_SCHEMA.empty_table()
        self._last_read = -1
        self._exhausted = False

    def until(self, end: int) -> pa.Table:
        """The fills of rows before row number `end` not handed out yet.

        Raises
        ------
        ValueError
            If the row numbers are not increasing (the merge would put values on wrong rows).
        """
        while not self._exhausted and self._last_read < end:
            batch = next(self._batches, None)
            if batch is None:
                self._exhausted = True
                break
            rows = batch.column("r").to_numpy()
            if rows.size == 0:
                continue
            if rows[0] <= self._last_read or np.any(np.diff(rows) <= 0):
                raise ValueError("link fills are not in increasing row order")
            self._last_read = int(rows[-1])
            batch = pa.Table.from_batches([batch]).cast(_FILL_SCHEMA)
            self._pending = pa.concat_tables([self._pending, batch])
        cut = int(np.searchsorted(self._pending.column("r").to_numpy(), end))
        taken, self._pending = self._pending.slice(0, cut), self._pending.slice(cut)
        return taken


def _merge_fills(source: Path, target: Path, fills: Path) -> None:
    """Copy `source` to `target` batch by batch, filling null links from the `fills` file."""
    columns = ARROW_SCHEMA.names
    cursor = _FillCursor(fills)
    start = 0
    # pre_buffer on, pyarrow keeps the column chunks read until the end: memory grew with the
    # file; decoding columns in threads took more memory (~70 MB) and was no faster on 2 cores
    source_file = pq.ParquetFile(source, pre_buffer=False)
    with pq.ParquetWriter(target, ARROW_SCHEMA) as writer:
        for batch in source_file.iter_batches(batch_size=CHUNK_ROWS, use_threads=False):
            table = pa.Table.from_batches([batch])
            end = start + table.num_rows
            here = cursor.until(end)
            if here.num_rows:
                at = here.column("r").to_numpy() - start
                for name in ("reply_to_author", "thread_id"):
                    filled = _scatter(here.column(name), at, table.num_rows)
                    table = table.set_column(
                        columns.index(name),
                        name,
                        pc.coalesce(table.column(name).cast(pa.string()), filled),
                    )
            writer.write_table(table.cast(ARROW_SCHEMA))
            start = end


def _scatter(values: pa.ChunkedArray, at: np.ndarray, length: int) -> pa.Array:
    """An array of `length` nulls with `values` put at positions `at`."""
    index = np.full(length, -1, dtype=np.int64)
    index[at] = np.arange(len(at))
    return values.take(pa.array(index, mask=index < 0))
