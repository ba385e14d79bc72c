"""Ingest one file of any size straight to Parquet, in bounded memory.

`ingest_to_parquet` writes the same outputs as `write_outputs(ingest_file(...))` (posts.parquet,
rejects.parquet / .csv, ingest_summary.json, profile.parquet, private/identifiers.json), but
never holds the whole file: the loader's rows are handed over every `chunk_rows` rows, converted
to Arrow and appended with a `pyarrow.parquet.ParquetWriter`. What stays in memory grows only
with the number of distinct posts (8 bytes each, to find duplicates across chunks) and distinct
customer identifiers.

Differences from the in-memory path, all documented in docs/formats.md: duplicates are found
across the whole file by a 64-bit hash of (platform, post_id) (edit chain id for edited tweets);
an edited tweet whose versions land in different chunks keeps its first-seen version; reply authors and thread roots are
filled by a DuckDB pass over the written file (spilling to disk; `toolkit.ingest.fill_links`),
only when some are missing.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections import Counter, deque
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toolkit.core.paths import POSTS_FILE, WorkLayout
from toolkit.core.schema import ARROW_SCHEMA
from toolkit.ingest.base import (
    CONTENT_COLUMNS,
    REJECT_COLUMNS,
    Collector,
    check_reconciliation,
    count_reasons,
    make_rejects,
    rows_as_json,
    truncate_raw,
)
from toolkit.ingest.files import DEFAULT_PLATFORM, ingest_file, resolve_format, run_loader
from toolkit.ingest.fill_links import fill_links_on_disk
from toolkit.ingest.generic import MappingError
from toolkit.ingest.identities import Identities
from toolkit.ingest.limits import CONFLICTING_DUPLICATE, Limits
from toolkit.ingest.parallel import BatchPool, ConvertedBatch, default_workers
from toolkit.ingest.pipeline import build_summary, write_private_json
from toolkit.privacy.pseudonymise import Pseudonymiser

log = logging.getLogger(__name__)

#: Rows converted and written at a time.
CHUNK_ROWS = 100_000
#: A first batch at least this big starts the worker processes (smaller files stay in-process).
PARALLEL_MIN_ROWS = 10_000
_REJECT_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)
_PROFILE_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("day", pa.date32()),
        ("posts", pa.int64()),
        ("brand_posts", pa.int64()),
    ]
)
_PRIVATE_FILE_MODE = 0o600


class SeenKeys:
    """Membership of 64-bit key hashes in bounded, sorted levels (merged like a binary counter).

    Adding n keys in chunks costs O(n log n) in total; each lookup is a binary search per level.
    """

    def __init__(self):
        self._levels: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(level) for level in self._levels)

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        """Boolean mask: which of `hashes` were added before."""
        found = np.zeros(len(hashes), dtype=bool)
        for level in self._levels:
            at = np.searchsorted(level, hashes)
            at[at == len(level)] = 0
            found |= level[at] == hashes
        return found

    def add(self, hashes: np.ndarray) -> None:
        """Remember `hashes` (assumed not seen yet)."""
        if not len(hashes):
            return
        level = np.sort(hashes)
        while self._levels and len(self._levels[-1]) <= len(level):
            level = np.sort(np.concatenate([self._levels.pop(), level]))
        self._levels.append(level)


def key_hashes(platform: pa.ChunkedArray, post_id: pa.ChunkedArray) -> np.ndarray:
    """uint64 hash of each (platform, post_id) pair."""
    joined = pc.binary_join_element_wise(platform, post_id, "\x1f")
    return pd.util.hash_array(joined.to_numpy(zero_copy_only=False), categorize=False)


def content_hashes(table: pa.Table) -> np.ndarray:
    """uint64 hash of each row's (platform, post_id, text, created_at, author)."""
    parts = [
        pc.fill_null(pc.cast(table.column(name), pa.string()), "\x00")
        for name in ("platform", "post_id", *CONTENT_COLUMNS)
    ]
    joined = pc.binary_join_element_wise(*parts, "\x1f")
    return pd.util.hash_array(joined.to_numpy(zero_copy_only=False), categorize=False)


def _conflict_rejects(table: pa.Table, mask: np.ndarray) -> pd.DataFrame:
    rows = table.filter(pa.array(mask))
    return make_rejects(
        rows.column("source_file").to_pylist(),
        rows.column("source_line").to_pylist(),
        [CONFLICTING_DUPLICATE] * rows.num_rows,
        [truncate_raw(raw) for raw in rows_as_json(rows)],
    )


class _Sink:
    """Appends posts and rejects to their Parquet / CSV files and keeps running totals."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.tmp_posts = out_dir / (POSTS_FILE + ".part")
        self.posts_writer = pq.ParquetWriter(self.tmp_posts, ARROW_SCHEMA)
        self.tmp_rejects = out_dir / "rejects.parquet.tmp"
        self.rejects_writer = _private_parquet_writer(self.tmp_rejects, _REJECT_SCHEMA)
        self.tmp_rejects_csv = out_dir / "rejects.csv.tmp"
        self.tmp_conflicts = out_dir / "conflicts.parquet.tmp"
        self._conflicts: pq.ParquetWriter | None = None
        self._csv = _private_text(self.tmp_rejects_csv)
        self._csv_writer = csv.writer(self._csv, lineterminator="\n")
        self._csv_writer.writerow(REJECT_COLUMNS)
        self.seen = SeenKeys()  # keys, and the post ids of edited versions
        self.contents = SeenKeys()  # the content hash of every post written
        self.loaded = 0
        self.duplicates = 0
        self.reasons: Counter = Counter()
        self.days: Counter = Counter()
        self.brand_days: Counter = Counter()
        self.needs_fill = False

    def write(self, table: pa.Table, duplicates: int, rejects: pd.DataFrame, keys) -> None:
        """Append one drained chunk.

        A post whose key an earlier chunk had is a duplicate, unless an earlier chunk had its
        post id with other content (`base.CONTENT_COLUMNS`): then it is a
        `conflicting_duplicate` reject.
        """
        self.duplicates += duplicates
        if table.num_rows:
            platform = table.column("platform")
            hashes = key_hashes(platform, keys)
            ids = key_hashes(platform, table.column("post_id"))
            contents = content_hashes(table)
            again = self.seen.contains(hashes)
            if again.any():
                conflict = again & self.seen.contains(ids) & ~self.contents.contains(contents)
                if conflict.any():
                    rejects = pd.concat([rejects, _conflict_rejects(table, conflict)])
                self.duplicates += int((again & ~conflict).sum())
                table = table.filter(pa.array(~again))
                hashes, ids, contents = hashes[~again], ids[~again], contents[~again]
            self.seen.add(np.concatenate([hashes, ids[ids != hashes]]))
            self.contents.add(contents)
            self._count(table)
            self.posts_writer.write_table(table)
            self.loaded += table.num_rows
        if len(rejects):
            self.reasons.update(rejects["reason"])
            conflicts = (rejects["reason"] == CONFLICTING_DUPLICATE).to_numpy()
            if conflicts.any():
                self._keep_conflicts(rejects[conflicts])
                rejects = rejects[~conflicts]
            self._write_rejects(rejects)

    def _keep_conflicts(self, rejects: pd.DataFrame) -> None:
        """Set conflicting duplicates aside (in line order), to be written after the other
        rejects: they are found per chunk, or per batch with worker processes, and the
        rejects must not depend on the number of workers."""
        if self._conflicts is None:
            self._conflicts = _private_parquet_writer(self.tmp_conflicts, _REJECT_SCHEMA)
        rejects = rejects.sort_values("source_line", kind="stable")
        self._conflicts.write_table(
            pa.Table.from_pandas(rejects, schema=_REJECT_SCHEMA, preserve_index=False)
        )

    def _write_rejects(self, rejects: pd.DataFrame) -> None:
        if len(rejects):
            self.rejects_writer.write_table(
                pa.Table.from_pandas(rejects, schema=_REJECT_SCHEMA, preserve_index=False)
            )
            self._csv_writer.writerows(
                zip(
                    *(
                        rejects[c].astype(object).where(rejects[c].notna(), "")
                        for c in REJECT_COLUMNS
                    ),
                    strict=True,
                )
            )

    def _count(self, table: pa.Table) -> None:
        """Daily profile counts, and whether a fill pass will be needed."""
        replies = pc.is_valid(table.column("reply_to_id"))
        missing = pc.or_(
            pc.is_null(table.column("reply_to_author")), pc.is_null(table.column("thread_id"))
        )
        if pc.any(pc.and_(replies, missing)).as_py():
            self.needs_fill = True
        days = pc.cast(table.column("created_at"), pa.date32())
        grouped = (
            pa.table(
                {
                    "platform": table.column("platform"),
                    "day": days,
                    "brand": pc.cast(table.column("is_brand"), pa.int64()),
                }
            )
            .group_by(["platform", "day"], use_threads=False)
            .aggregate([("brand", "count"), ("brand", "sum")])
        )
        for platform, day, n, brand in zip(
            *(grouped.column(i).to_pylist() for i in range(4)), strict=True
        ):
            self.days[(platform, day)] += n
            self.brand_days[(platform, day)] += brand

    def close(self) -> None:
        self.posts_writer.close()
        if self._conflicts is not None:
            self._conflicts.close()
            self._conflicts = None
            for batch in pq.ParquetFile(self.tmp_conflicts).iter_batches(CHUNK_ROWS):
                self._write_rejects(batch.to_pandas())
            self.tmp_conflicts.unlink()
        self.rejects_writer.close()
        self._csv.close()

    def profile(self) -> pa.Table:
        keys = sorted(self.days)
        return pa.table(
            {
                "platform": [k[0] for k in keys],
                "day": [k[1] for k in keys],
                "posts": [self.days[k] for k in keys],
                "brand_posts": [self.brand_days[k] for k in keys],
            },
            schema=_PROFILE_SCHEMA,
        )


def _private_parquet_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    _private_text(path).close()
    return pq.ParquetWriter(path, schema)


def _private_text(path: Path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _PRIVATE_FILE_MODE)
    os.fchmod(fd, _PRIVATE_FILE_MODE)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


class _StreamingCollector(Collector):
    """A Collector that hands its rows to a sink every `chunk_rows` rows.

    With `workers` > 1, batches of generic records (`add_batch`) are converted in worker
    processes (`parallel.BatchPool`, started by the first full-size batch). Everything else
    the loader sends meanwhile (rejects found while reading) waits in one queue with the
    batches, so rows and rejects reach the sink in reading order, as with one process.
    """

    def __init__(
        self,
        source_file: str,
        platform: str | None,
        sink: _Sink,
        chunk_rows: int,
        workers: int = 1,
        identities: Identities | None = None,
        limits: Limits | None = None,
    ):
        super().__init__(source_file, platform, limits)
        self._sink = sink
        self._chunk_rows = chunk_rows
        self._workers = workers
        self._identities = identities
        self._pool: BatchPool | None = None
        self._queue: deque = deque()  # Future of a converted batch, or a reject's arguments
        self._in_flight = 0

    def add(self, row: dict, line: int, dedupe_key: str | None = None, version: int = 0) -> None:
        self._settle_all()
        super().add(row, line, dedupe_key, version)
        if len(self._lines) >= self._chunk_rows:
            self.flush()

    def reject(self, line: int, reason: str, raw: object) -> None:
        if self._queue:
            self._queue.append((line, reason, raw))
            return
        super().reject(line, reason, raw)
        if len(self._reject_lines) >= self._chunk_rows:
            self.flush()

    def add_columns(self, columns, lines, reasons, raws) -> None:
        self._settle_all()
        super().add_columns(columns, lines, reasons, raws)
        if self.buffered() >= self._chunk_rows:
            self.flush()

    def add_batch(self, batch, identities: Identities, timestamp_format=None) -> None:
        if self._pool is None:
            if self._workers <= 1 or len(batch) < PARALLEL_MIN_ROWS:
                super().add_batch(batch, identities, timestamp_format)
                return
            self._pool = BatchPool(
                self._workers,
                identities,
                self.source_file,
                self.platform,
                timestamp_format,
                self.limits,
            )
        self._queue.append(self._pool.submit(batch))
        self._in_flight += 1
        while self._in_flight > self._pool.max_in_flight:
            self._settle_one()

    def _settle_one(self) -> None:
        item = self._queue.popleft()
        if not isinstance(item, Future):
            Collector.reject(self, *item)
            return
        self._in_flight -= 1
        converted: ConvertedBatch = item.result()
        if self.buffered():  # what is buffered was read before this batch
            self.flush()
        self.rows_in += converted.rows_in
        if self._identities is not None:
            self._identities.add_seen(converted.identifiers)
        self._sink.write(converted.table, converted.n_duplicates, converted.rejects, converted.keys)

    def _settle_all(self) -> None:
        while self._queue:
            self._settle_one()

    def flush(self) -> None:
        """Write what is buffered."""
        self._sink.write(*self.drain())

    def finish(self) -> None:
        """Wait for every queued batch, write everything, and stop the workers."""
        self._settle_all()
        self.flush()
        self.close()

    def close(self) -> None:
        """Stop the worker processes, if any (queued work is dropped)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        self._queue.clear()


def ingest_to_parquet(
    path: str | Path,
    out_dir: str | Path,
    format: str = "auto",  # noqa: A002 - the public name
    platform: str | None = None,
    mapping: dict[str, str] | None = None,
    pseudonymiser: Pseudonymiser | None = None,
    brand_handles=(),
    timestamp_format: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    workers: int | None = None,
    limits: Limits | None = None,
) -> dict:
    """Ingest one file into `out_dir` in bounded memory, writing what `write_outputs` writes.

    Parameters
    ----------
    path : str or Path
        The input file (gzip / one-file zip read transparently).
    out_dir : str or Path
        Output folder (created).
    format, platform, mapping, pseudonymiser, brand_handles, timestamp_format
        As for `ingest_file`.
    chunk_rows : int
        Rows converted and written at a time (bounds memory).
    workers : int, optional
        Processes converting generic CSV / JSON-lines / Parquet records in parallel (default
        `parallel.default_workers()`: the usable cores, at most 4; 1 = this process only). The
        outputs are the same for any number of workers.
    limits : Limits, optional
        As for `ingest_file`.

    Returns
    -------
    dict
        The ingest summary (as written to ingest_summary.json): per file and total, with
        rows_in == loaded + rejected + duplicates.
    """
    path, out_dir = Path(path), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    identities = Identities(pseudonymiser, brand_handles)
    resolved, _ = resolve_format(path, format)
    if resolved is None:  # unknown: one reject, as ingest_file reports it
        from toolkit.ingest.pipeline import write_outputs

        result = ingest_file(path, format, platform, mapping, identities=identities, limits=limits)
        write_outputs(result, out_dir)
        return build_summary([result.summary()])
    sink = _Sink(out_dir)
    out = _StreamingCollector(
        path.name,
        platform or DEFAULT_PLATFORM.get(resolved),
        sink,
        chunk_rows,
        workers=default_workers() if workers is None else workers,
        identities=identities,
        limits=limits,
    )
    try:
        run_loader(resolved, path, identities, out, mapping, timestamp_format)
        out.finish()
    except BaseException as exc:
        out.close()
        sink.close()
        _remove(sink.tmp_posts, sink.tmp_rejects, sink.tmp_rejects_csv, sink.tmp_conflicts)
        if not isinstance(exc, MappingError) or format != "auto" or mapping:
            raise
        # auto-detected as generic but unlike the canonical columns: reported as ingest_file does
        from toolkit.ingest.pipeline import write_outputs

        result = ingest_file(path, format, platform, mapping, identities=identities, limits=limits)
        write_outputs(result, out_dir)
        return build_summary([result.summary()])
    sink.close()
    file_summary = {
        "file": path.name,
        "format": resolved,
        "rows_in": out.rows_in,
        "loaded": sink.loaded,
        "rejected": sum(sink.reasons.values()),
        "rejected_by_reason": count_reasons(
            pd.DataFrame({"reason": list(sink.reasons.elements())})
        ),
        "duplicates": sink.duplicates,
    }
    check_reconciliation(
        path.name, out.rows_in, sink.loaded, file_summary["rejected"], sink.duplicates
    )
    work = WorkLayout(out_dir)
    _finish_posts(sink, work.posts)
    os.replace(sink.tmp_rejects, work.rejects)
    os.replace(sink.tmp_rejects_csv, work.rejects_csv)
    pq.write_table(sink.profile(), work.profile)
    summary = build_summary([file_summary])
    work.summary.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    write_private_json(work.identifiers, identities.to_dict())
    return summary


def _finish_posts(sink: _Sink, target: Path) -> None:
    """Move the written posts into place, filling reply authors and thread roots if needed."""
    if not sink.needs_fill:
        os.replace(sink.tmp_posts, target)
        return
    fill_links_on_disk(sink.tmp_posts, target)
    sink.tmp_posts.unlink()


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
