"""Ingest on a Dask cluster without holding the posts in the driver.

1. Workers, one task per source file: the file goes straight to Parquet with the bounded-memory
   streaming ingest (`toolkit.ingest.stream.ingest_to_parquet`) into ``out_dir/sources/<n>/``;
   a task returns only the file's reconciliation and the raw identifiers it saw.
2. Driver, `combine_on_disk`: the cross-file step of `toolkit.ingest.pipeline.combine_results`
   over those files with DuckDB (spilling to disk beyond its memory limit) and Arrow batches:
   the first file in `config.sources` order wins duplicates, reply authors and thread roots are
   filled from all loaded rows (`fill_links_on_disk`), rows outside `config.period` become
   rejects with reason ``outside_period``.
3. Driver: thread-preserving partitions from that file (`write_partitions_from_parquet`).

The driver's memory grows with the four id columns of the posts (to find conversations) and
the distinct customer identifiers, not with the posts. Workers read the pseudonymisation key
from their own environment (`pseudonymise.hmac_key(config)`), so the key never travels with a task.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from toolkit.core.config import Config, Period
from toolkit.core.paths import POSTS_FILE, REJECTS_FILE, WorkLayout
from toolkit.core.schema import ARROW_SCHEMA, from_arrow
from toolkit.ingest.base import make_rejects
from toolkit.ingest.fill_links import fill_links_on_disk
from toolkit.ingest.limits import CONFLICTING_DUPLICATE, Limits
from toolkit.ingest.partition import (
    DEFAULT_DUCKDB_MEMORY,
    DEFAULT_PARTITION_ROWS,
    duckdb_connection,
    n_partitions_for,
    write_atomically,
    write_partitions_from_parquet,
)
from toolkit.ingest.pipeline import (
    build_summary,
    check_sources,
    daily_profile,
    daily_profile_schema,
    outside_rejects,
    period_mask,
    rows_to_rejects,
    update_file_summary,
    write_private_json,
)
from toolkit.ingest.stream import ingest_to_parquet
from toolkit.privacy.pseudonymise import pseudonymiser_for

SOURCES_DIR = "sources"
_PRIVATE_FILE_MODE = 0o600
_BATCH_ROWS = 50_000
_PROFILE_INPUT = pa.schema([ARROW_SCHEMA.field(n) for n in ("platform", "created_at", "is_brand")])
#: The rejects' Parquet schema as `ingest_config` writes it (strings and int64, with the pandas
#: metadata that reads `source_line` back as Int64); from a one-row frame, since an empty one
#: has no string type.
REJECTS_SCHEMA = pa.Table.from_pandas(
    make_rejects([""], [0], [""], [""]), preserve_index=False
).schema


@dataclass(frozen=True)
class IngestedPartitions:
    """The outcome of `ingest_to_partitions`.

    Attributes
    ----------
    paths : list of Path
        Partition files, in partition order.
    n_posts : int
        Posts in all partitions (inside the period, without duplicates).
    summary : dict
        The ingest reconciliation, as `ingest_config` gives it.
    """

    paths: list[Path]
    n_posts: int
    summary: dict


def source_dir(out_dir: str | Path, index: int) -> Path:
    """The folder where the task of source number `index` writes its file's ingest."""
    return Path(out_dir) / SOURCES_DIR / f"{index:04d}"


def ingest_source(config: Config, index: int, out_dir: str | Path) -> tuple[dict, dict]:
    """Ingest source number `index` of `config` to Parquet in `source_dir(out_dir, index)`
    (runs on a worker, in bounded memory).

    Returns
    -------
    (file_summary, identifiers)
        The file's reconciliation (`IngestResult.summary()`-shaped) and the raw identifiers it
        saw (`Identities.to_dict()`); the posts stay on disk.
    """
    brand = [h for handles in config.brand.accounts.values() for h in handles]
    src = config.sources[index]
    folder = source_dir(out_dir, index)
    summary = ingest_to_parquet(
        src.path,
        folder,
        src.format,
        src.platform,
        src.mapping or None,
        pseudonymiser_for(config),
        brand,
        src.timestamp_format,
        workers=1,  # a Dask worker is already one process per core: no pool inside a task
        limits=Limits.from_config(config.ingest),
    )
    identifiers = json.loads(WorkLayout(folder).identifiers.read_text("utf-8"))
    return summary["files"][0], identifiers


def merge_identifiers(parts: list[dict[str, list[str]]]) -> dict[str, list[str]]:
    """Union of `Identities.to_dict()` outputs, as sorted lists."""
    keys = ("handles", "display_names", "user_ids")
    return {k: sorted({v for part in parts for v in part.get(k, [])}) for k in keys}


def ingest_on_cluster(
    client, config: Config, out_dir: str | Path, memory_limit: str = DEFAULT_DUCKDB_MEMORY
) -> dict:
    """Ingest every source of `config` on the cluster into `out_dir`, writing what
    `ingest_config` writes, without gathering the posts in the driver.

    Written: posts.parquet, rejects.parquet and rejects.csv (0600), ingest_summary.json,
    profile.parquet and private/identifiers.json (0600, folder 0700). The per-file work folder
    (``out_dir/sources``) is removed at the end. `out_dir` must be on storage the workers see.

    Parameters
    ----------
    client : distributed.Client
    config : Config
    out_dir : str or Path
    memory_limit : str
        DuckDB's memory limit in the driver (it spills to disk beyond it).

    Returns
    -------
    dict
        The ingest reconciliation, as `ingest_config` gives it.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_sources = len(config.sources)
    try:
        futures = client.map(
            ingest_source, [config] * n_sources, range(n_sources), out_dir=out_dir, pure=False
        )
        gathered = client.gather(futures)
        check_sources(config, [summary for summary, _ in gathered])
        files = combine_on_disk(
            [source_dir(out_dir, i) for i in range(n_sources)],
            [summary for summary, _ in gathered],
            config.period,
            WorkLayout(out_dir).posts,
            WorkLayout(out_dir).rejects,
            memory_limit,
        )
    finally:
        shutil.rmtree(out_dir / SOURCES_DIR, ignore_errors=True)
    work = WorkLayout(out_dir)
    _write_rejects_csv(work.rejects, work.rejects_csv)
    _write_profile(work.posts, work.profile)
    summary = build_summary(files, config.name, config.period)
    text = json.dumps(summary, indent=2) + "\n"
    write_atomically(work.summary, lambda p: p.write_text(text, encoding="utf-8"))
    write_private_json(work.identifiers, merge_identifiers([ids for _, ids in gathered]))
    return summary


def ingest_to_partitions(
    client,
    config: Config,
    out_dir: str | Path,
    partitions_dir: str | Path,
    partition_rows: int = DEFAULT_PARTITION_ROWS,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY,
) -> IngestedPartitions:
    """`ingest_on_cluster`, then thread-preserving partitions of its posts.parquet.

    Parameters
    ----------
    client : distributed.Client
    config : Config
    out_dir : str or Path
        The ingest folder (see `ingest_on_cluster`).
    partitions_dir : str or Path
        Where the partition files go (`partition.write_partitions_from_parquet`).
    partition_rows : int
        Target posts per partition (`partition.n_partitions_for`).
    memory_limit : str
        DuckDB's memory limit in the driver (it spills to disk beyond it).
    """
    summary = ingest_on_cluster(client, config, out_dir, memory_limit)
    posts_file = Path(out_dir) / POSTS_FILE
    n_posts = pq.ParquetFile(posts_file).metadata.num_rows
    paths = write_partitions_from_parquet(
        posts_file, partitions_dir, n_partitions_for(n_posts, partition_rows), memory_limit
    )
    return IngestedPartitions(paths=paths, n_posts=n_posts, summary=summary)


def _write_rejects_csv(source: Path, target: Path) -> None:
    """rejects.csv (0600) from rejects.parquet, batch by batch, as `ingest_config` writes it."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            for i, batch in enumerate(pq.ParquetFile(source).iter_batches(batch_size=_BATCH_ROWS)):
                frame = pa.Table.from_batches([batch]).to_pandas()
                frame.to_csv(handle, index=False, header=i == 0)
            if handle.tell() == 0:
                handle.write(",".join(REJECTS_SCHEMA.names) + "\n")

    write_atomically(target, write, _PRIVATE_FILE_MODE)


def _write_profile(posts: Path, target: Path) -> None:
    """profile.parquet (`daily_profile`) computed batch by batch over the posts file."""
    parts = [
        daily_profile(from_arrow(pa.Table.from_batches([batch]).cast(_PROFILE_INPUT))).to_pandas()
        for batch in pq.ParquetFile(posts).iter_batches(
            batch_size=_BATCH_ROWS * 4, columns=_PROFILE_INPUT.names
        )
    ]
    if parts:
        summed = pd.concat(parts).groupby(["platform", "day"], sort=True).sum().reset_index()
    else:
        summed = pd.DataFrame({"platform": [], "day": [], "posts": [], "brand_posts": []})
    table = pa.Table.from_pandas(summed, schema=daily_profile_schema(), preserve_index=False)
    write_atomically(target, lambda p: pq.write_table(table, p))


def combine_on_disk(
    folders: Sequence[Path],
    file_summaries: Sequence[dict],
    period: Period | None,
    posts_path: str | Path,
    rejects_path: str | Path,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY,
) -> list[dict]:
    """`combine_results` for per-file ingests on disk (`ingest_to_parquet` outputs).

    Same rules: duplicates across files (same platform and post id) are dropped, the earliest
    folder winning; reply authors and thread roots are filled from all remaining rows; rows
    outside `period` become rejects with reason ``outside_period``. Row order is the order of
    ``combine_results``: by folder, then by row.

    Parameters
    ----------
    folders : sequence of Path
        Per-file outputs (posts.parquet, rejects.parquet), in source order.
    file_summaries : sequence of dict
        Each folder's file summary (`IngestResult.summary()`-shaped).
    period : Period or None
    posts_path : str or Path
        Where the combined posts go (Parquet, canonical schema).
    rejects_path : str or Path
        Where all rejects go (Parquet, mode 0600): the files' rejects, then rows outside the
        period.
    memory_limit : str
        DuckDB's memory limit (it spills to a folder next to `posts_path` beyond it).

    Returns
    -------
    list of dict
        The file summaries with loaded, rejected and duplicates updated; each satisfies
        rows_in == loaded + rejected + duplicates.
    """
    posts_path, rejects_path = Path(posts_path), Path(rejects_path)
    work = posts_path.parent / f".combine-{uuid.uuid4().hex}"
    work.mkdir(parents=True)
    con = duckdb_connection(memory_limit, work / "spill")
    try:
        sources = [Path(f) / POSTS_FILE for f in folders]
        duplicates, conflicts = _find_duplicates(con, sources)
        unique = work / "unique.parquet"
        conflict_file = work / "conflicts.parquet"
        kept = _write_unique(con, sources, unique, conflict_file)
        linked = unique
        if _links_to_fill(con, unique):
            linked = work / "linked.parquet"
            fill_links_on_disk(unique, linked)
            unique.unlink()
        outside_file = work / "outside.parquet"
        outside = _split_period(linked, period, posts_path, outside_file, np.cumsum(kept))
        _write_rejects(
            rejects_path, [Path(f) / REJECTS_FILE for f in folders], outside_file, conflict_file
        )
    finally:
        con.close()
        shutil.rmtree(work, ignore_errors=True)
    return [
        update_file_summary(
            summary,
            loaded=int(kept[i] - outside[i]),
            extra_duplicates=int(duplicates[i] - conflicts[i]),
            outside=int(outside[i]),
            conflicts=int(conflicts[i]),
        )
        for i, summary in enumerate(file_summaries)
    ]


def _union_sql(n_files: int, columns: str) -> str:
    """SQL over `n_files` Parquet files (parameters), with source number `src` and row `r`."""
    return " UNION ALL ".join(
        f"SELECT {i} AS src, file_row_number AS r, {columns} "
        "FROM read_parquet(?, file_row_number = true)"
        for i in range(n_files)
    )


def _find_duplicates(con, sources: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """Create table `dup(src, r, conflict)`: rows whose (platform, post_id) an earlier row has
    (in source, then row order), `conflict` when their text, timestamp or author differ from
    that first row's; return the rows in `dup` and the conflicts, per source."""
    differs = " OR ".join(
        f"{c} IS DISTINCT FROM first_value({c}) OVER w" for c in ("text", "created_at", "author")
    )
    con.execute(
        f"CREATE TEMP TABLE dup AS SELECT src, r, conflict FROM (SELECT src, r, ({differs}) "
        "AS conflict, row_number() OVER w AS n FROM ("
        + _union_sql(len(sources), "platform, post_id, text, created_at, author")
        + ") WINDOW w AS (PARTITION BY platform, post_id ORDER BY src, r)) WHERE n > 1",
        [str(p) for p in sources],
    )
    counts = np.zeros(len(sources), dtype=np.int64)
    conflicts = np.zeros(len(sources), dtype=np.int64)
    query = "SELECT src, count(*), count(*) FILTER (conflict) FROM dup GROUP BY src"
    for src, n, c in con.execute(query).fetchall():
        counts[src], conflicts[src] = n, c
    return counts, conflicts


def _write_unique(con, sources: list[Path], target: Path, conflict_target: Path) -> np.ndarray:
    """Write the rows of `sources` not in `dup`, in order, to `target` (and the conflicting
    ones to `conflict_target`); return rows kept per source. The rows are copied batch by batch
    with Arrow; only the duplicates' row numbers come from DuckDB."""
    kept = np.zeros(len(sources), dtype=np.int64)
    with (
        pq.ParquetWriter(target, ARROW_SCHEMA) as writer,
        pq.ParquetWriter(conflict_target, ARROW_SCHEMA) as conflict_writer,
    ):
        for i, path in enumerate(sources):
            dropped = con.execute(
                "SELECT r, conflict FROM dup WHERE src = ? ORDER BY r", [i]
            ).fetchnumpy()
            conflicting = np.asarray(dropped["r"], dtype=np.int64)[
                np.asarray(dropped["conflict"], dtype=bool)
            ]
            dropped = np.asarray(dropped["r"], dtype=np.int64)
            start = 0
            for batch in pq.ParquetFile(path).iter_batches(batch_size=_BATCH_ROWS):
                table = pa.Table.from_batches([batch]).cast(ARROW_SCHEMA)
                rows = np.arange(start, start + table.num_rows)
                start += table.num_rows
                keep = ~_sorted_contains(dropped, rows)
                writer.write_table(table.filter(pa.array(keep)))
                kept[i] += int(keep.sum())
                conflict = _sorted_contains(conflicting, rows)
                if conflict.any():
                    conflict_writer.write_table(table.filter(pa.array(conflict)))
    return kept


def _sorted_contains(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Boolean mask: which of `values` are in the sorted array `sorted_values`."""
    at = np.searchsorted(sorted_values, values)
    found = at < len(sorted_values)
    found[found] = sorted_values[at[found]] == values[found]
    return found


def _links_to_fill(con, path: Path) -> bool:
    """Whether some row lacks a reply author or thread root that a loaded parent could give."""
    return con.execute(
        "SELECT EXISTS (SELECT 1 FROM read_parquet(?) a JOIN read_parquet(?) p "
        "ON p.platform = a.platform AND p.post_id = a.reply_to_id "
        "WHERE a.reply_to_author IS NULL OR (a.thread_id IS NULL AND p.thread_id IS NOT NULL))",
        [str(path), str(path)],
    ).fetchone()[0]


def _split_period(
    source: Path, period: Period | None, inside_path: Path, outside_path: Path, ends: np.ndarray
) -> np.ndarray:
    """Copy the rows of `source` inside `period` to `inside_path` (atomically) and the others to
    `outside_path`; return the rows outside per source, whose rows end at `ends` (cumulative)."""
    outside = np.zeros(len(ends), dtype=np.int64)
    start = 0
    with (
        _atomic_parquet(inside_path, ARROW_SCHEMA) as inside_writer,
        pq.ParquetWriter(outside_path, ARROW_SCHEMA) as outside_writer,
    ):
        for batch in pq.ParquetFile(source).iter_batches(batch_size=_BATCH_ROWS):
            table = pa.Table.from_batches([batch]).cast(ARROW_SCHEMA)
            mask = period_mask(from_arrow(table.select(["created_at"]))["created_at"], period)
            inside_writer.write_table(table.filter(pa.array(mask)))
            if not mask.all():
                outside_writer.write_table(table.filter(pa.array(~mask)))
                rows = start + np.flatnonzero(~mask)
                outside += np.bincount(
                    np.searchsorted(ends, rows, side="right"), minlength=len(ends)
                )[: len(ends)]
            start += table.num_rows
    return outside


def _write_rejects(
    target: Path, reject_files: list[Path], outside_file: Path, conflict_file: Path
) -> None:
    """Write the files' rejects, then the conflicting duplicates across files, then reject
    records for the rows outside the period (the order `combine_results` gives)."""
    with _atomic_parquet(target, REJECTS_SCHEMA, _PRIVATE_FILE_MODE) as writer:
        for path in reject_files:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=_BATCH_ROWS):
                writer.write_table(
                    pa.Table.from_batches([batch]).select(REJECTS_SCHEMA.names).cast(REJECTS_SCHEMA)
                )
        for batch in pq.ParquetFile(conflict_file).iter_batches(batch_size=_BATCH_ROWS):
            rejects = rows_to_rejects(
                from_arrow(pa.Table.from_batches([batch])), CONFLICTING_DUPLICATE
            )
            writer.write_table(
                pa.Table.from_pandas(rejects, schema=REJECTS_SCHEMA, preserve_index=False)
            )
        for batch in pq.ParquetFile(outside_file).iter_batches(batch_size=_BATCH_ROWS):
            rejects = outside_rejects(from_arrow(pa.Table.from_batches([batch])))
            writer.write_table(
                pa.Table.from_pandas(rejects, schema=REJECTS_SCHEMA, preserve_index=False)
            )


@contextmanager
def _atomic_parquet(
    path: Path, schema: pa.Schema, mode: int | None = None
) -> Iterator[pq.ParquetWriter]:
    """A ParquetWriter on a temporary file (created with `mode`) renamed to `path` on success."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    if mode is not None:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode))
        os.chmod(tmp, mode)
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            yield writer
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
