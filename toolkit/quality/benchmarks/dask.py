"""Benchmark of the Dask engine against the local engine on synthetic posts (1M and 10M).

The map-heavy steps (sentiment, personal-data detection and redaction, engagement rates,
brand responses) run through the same function, `toolkit.pipeline.analyse_partition_file`,
over the same thread-preserving Parquet partitions:

- local engine: this process, partition after partition (one core);
- Dask: a `LocalCluster` of 1, then 2 worker processes (one thread each), started before
  the clock starts (each worker warmed up: imports, detector) and closed after.

Reported per size: seconds, posts per second, peak RSS of this process (local) and of each
worker (sampled every 0.1 s), the ratio Dask / local, and the throughput each added worker
brings (2-worker minus 1-worker posts per second), which projects throughput at n workers
as ``tp(1) + (n - 1) * added``. `TOOLKIT_BENCH_MAX_ROWS` (default 10,000,000) caps the sizes.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pyarrow.parquet as pq

from toolkit.core.schema import to_arrow
from toolkit.quality.benchmarks.measure import machine, timed_call

SIZES = (1_000_000, 10_000_000)
MAX_ROWS_ENV = "TOOLKIT_BENCH_MAX_ROWS"
BRAND = "NimbusSupport"
_WORDS = (
    "the my our this that it is was not just still again today app hub plug bulb light lights "
    "thermostat camera doorbell update firmware wifi router setup pairing schedule scene "
    "routine alexa google battery offline online support ticket order delivery refund "
    "replacement warranty install works working broken stopped slow fast easy hard new old "
    "night morning weekend kitchen bedroom garage porch door"
).split()
_TONE = (
    "love great awesome amazing happy thanks perfect good nice fantastic hate terrible awful "
    "worst angry disappointed useless bad annoying frustrated sad poor"
).split()
_PII = (
    "email me at jane.doe{n}@example.com",
    "call me on +1 415 555 {n:04d}",
    "order NH-{n:06d} never arrived",
    "my name is Maria Lopez",
    "",
    "",
    "",
    "",
)


def sizes_to_run(max_rows: int | None = None) -> list[int]:
    """The sizes of SIZES up to `max_rows` (env TOOLKIT_BENCH_MAX_ROWS), or [max_rows] if smaller."""
    if max_rows is None:
        max_rows = int(os.environ.get(MAX_ROWS_ENV, SIZES[-1]))
    chosen = [n for n in SIZES if n <= max_rows]
    return chosen or [max_rows]


def synthetic_partition(n_rows: int, number: int, seed: int = 0) -> pd.DataFrame:
    """`n_rows` canonical synthetic posts of partition `number`: conversations of customer
    posts, customer replies and brand replies, all inside the partition."""
    rng = np.random.default_rng([seed, number])
    ids = np.array([f"{number}-{i}" for i in range(n_rows)], dtype=object)
    is_root = rng.random(n_rows) < 0.4
    is_root[0] = True
    root_index = np.maximum.accumulate(np.where(is_root, np.arange(n_rows), 0))
    is_brand = ~is_root & (rng.random(n_rows) < 0.15)
    authors = np.array(
        [f"u_{h:016x}" for h in rng.integers(0, 2**62, n_rows // 3 + 1)], dtype=object
    )
    author = authors[rng.integers(0, len(authors), n_rows)]
    author[is_brand] = BRAND
    parent = np.where(is_root, -1, root_index)
    # Sorted times: a reply always comes after the post it answers.
    created = pd.Timestamp("2026-09-01", tz="UTC") + pd.to_timedelta(
        np.sort(rng.integers(0, 90 * 86400, n_rows)), unit="s"
    )
    mentions = [[author[p]] if b else [] for p, b in zip(parent, is_brand, strict=True)]
    frame = pd.DataFrame(
        {
            "platform": rng.choice(["twitter", "reddit", "mastodon"], n_rows),
            "post_id": ids,
            "post_type": np.where(is_root, "post", "reply"),
            "reply_to_id": np.where(is_root, None, ids[np.maximum(parent, 0)]),
            "reply_to_author": np.where(is_root, None, author[np.maximum(parent, 0)]),
            "thread_id": ids[root_index],
            "created_at": created,
            "author": author,
            "is_brand": is_brand,
            "text": _texts(rng, n_rows),
            "language": "en",
            "likes": rng.poisson(3, n_rows),
            "shares": rng.poisson(0.5, n_rows),
            "replies": rng.poisson(1, n_rows),
            "quotes": 0,
            "views": rng.poisson(200, n_rows),
            "author_followers": rng.poisson(500, n_rows),
            "hashtags": [[] for _ in range(n_rows)],
            "mentions": mentions,
            "urls": [[] for _ in range(n_rows)],
            "source_file": f"synthetic-{number}.parquet",
            "source_line": np.arange(1, n_rows + 1),
        }
    )
    return frame


def _texts(rng: np.random.Generator, n: int) -> list[str]:
    lengths = rng.integers(6, 30, n)
    words = rng.choice(_WORDS, (n, 30))
    tone = rng.choice(_TONE, n)
    pii = rng.choice(len(_PII), n)
    numbers = rng.integers(0, 10_000, n)
    return [
        " ".join([*row[:k], t, _PII[p].format(n=m)]).strip()
        for row, k, t, p, m in zip(words, lengths, tone, pii, numbers, strict=True)
    ]


def write_synthetic(folder: Path, n_rows: int, partition_rows: int, seed: int = 0) -> list[Path]:
    """Write `n_rows` synthetic posts as Parquet partitions of about `partition_rows` posts."""
    from toolkit.ingest.partition import partition_path

    folder.mkdir(parents=True, exist_ok=True)
    n_parts = max(1, math.ceil(n_rows / partition_rows))
    paths = []
    for number in range(n_parts):
        rows = min(partition_rows, n_rows - number * partition_rows)
        path = partition_path(folder, number)
        pq.write_table(to_arrow(synthetic_partition(rows, number, seed)), path)
        paths.append(path)
    return paths


class _WorkerMemory:
    """Samples the RSS of each worker process in a thread; `peaks` maps pid -> peak bytes."""

    def __init__(self, pids: list[int], interval: float = 0.1):
        self.peaks = dict.fromkeys(pids, 0)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        while not self._done.is_set():
            for pid in self.peaks:
                try:
                    self.peaks[pid] = max(self.peaks[pid], psutil.Process(pid).memory_info().rss)
                except psutil.NoSuchProcess:
                    pass
            self._done.wait(interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()


def warm_up() -> float:
    """Import the analysis modules and build the detector once; returns the seconds taken.

    Run in each process before the clock starts: a fixed start-up cost, not throughput.
    """
    import time

    started = time.perf_counter()
    from toolkit.analysis.tone.posts import default_scorer
    from toolkit.pipeline import analyse  # noqa: F401
    from toolkit.privacy.detect import analyzer as privacy

    privacy.detect("warm up: jo@example.com, +1 415 555 0100")
    default_scorer().score(["warm up"])
    return round(time.perf_counter() - started, 3)


def bench_local(paths: list[Path], out_dir: Path, settings, scorer) -> dict:
    """Time the map-heavy steps in this process, partition after partition."""
    from toolkit.pipeline import analyse_partition_file

    warm_up()

    def work():
        return [analyse_partition_file(p, out_dir, settings, scorer) for p in paths]

    results, figures = timed_call(work)
    return {**figures, "rows": sum(r["rows"] for r in results)}


def bench_dask(
    paths: list[Path], out_dir: Path, settings, scorer, n_workers: int, memory_limit: str = "4GiB"
) -> dict:
    """Time the same steps on a LocalCluster of `n_workers` processes (cluster start excluded)."""
    from toolkit.pipeline import dask_client, map_partitions

    with dask_client(n_workers=n_workers, memory_limit=memory_limit) as client:
        pids = list(client.run(os.getpid).values())
        start_up = max(client.run(warm_up).values())
        with _WorkerMemory(pids) as memory:
            results, figures = timed_call(
                lambda: map_partitions(client, paths, out_dir, settings, scorer)
            )
    peaks = [round(b / 2**20, 1) for b in memory.peaks.values()]
    return {
        "seconds": figures["seconds"],
        "rows": sum(r["rows"] for r in results),
        "workers": n_workers,
        "peak_rss_mb_per_worker": peaks,
        "warm_up_seconds": start_up,
    }


def bench_size(n_rows: int, work: Path, progress: Callable[[str], None]) -> dict:
    """Local and Dask (1 and 2 workers) figures for `n_rows` synthetic posts."""
    from toolkit.analysis.tone.posts import default_scorer
    from toolkit.pipeline import DEFAULT_PARTITION_ROWS, AnalysisSettings

    partition_rows = min(DEFAULT_PARTITION_ROWS, max(100, math.ceil(n_rows / 8)))
    progress(f"bench dask: writing {n_rows:,} synthetic posts")
    paths = write_synthetic(work / f"in-{n_rows}", n_rows, partition_rows)
    settings = AnalysisSettings(brand_handles=(BRAND.lower(),), brand_names=("Nimbus",))
    scorer = default_scorer()
    progress(f"bench dask: local engine, {n_rows:,} posts")
    local = bench_local(paths, work / "out", settings, scorer)
    runs = {}
    for n_workers in (1, 2):
        shutil.rmtree(work / "out", ignore_errors=True)  # each run writes the same outputs
        progress(f"bench dask: Dask, {n_workers} worker(s), {n_rows:,} posts")
        runs[n_workers] = bench_dask(paths, work / "out", settings, scorer, n_workers)
    for folder in (work / "out", paths[0].parent):
        shutil.rmtree(folder, ignore_errors=True)
    rate = {k: v["rows"] / v["seconds"] for k, v in runs.items()}
    return {
        "rows": n_rows,
        "partitions": len(paths),
        "partition_rows": partition_rows,
        "local": {**local, "posts_per_second": round(local["rows"] / local["seconds"], 1)},
        "dask_1_worker": {**runs[1], "posts_per_second": round(rate[1], 1)},
        "dask_2_workers": {**runs[2], "posts_per_second": round(rate[2], 1)},
        "ratio_dask_1_worker_to_local": round(runs[1]["seconds"] / local["seconds"], 3),
        "ratio_dask_2_workers_to_local": round(runs[2]["seconds"] / local["seconds"], 3),
        "added_posts_per_second_per_worker": round(rate[2] - rate[1], 1),
    }


def run(config_path: Path, progress: Callable[[str], None]) -> dict:
    """Suite entry point (see `toolkit.quality.benchmarks`); `config_path` is not used (synthetic data)."""
    work = Path(tempfile.mkdtemp(prefix="toolkit-bench-dask-"))
    try:
        results = [bench_size(n, work, progress) for n in sizes_to_run()]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "benchmark": "dask engine vs local engine (sentiment, personal data, engagement, responses)",
        "machine": machine(),
        "sizes": results,
        "method": (
            "Same function (toolkit.pipeline.analyse_partition_file) over the same Parquet partitions. "
            "local: this process, one partition after another. Dask: LocalCluster, 1 then 2 "
            "worker processes x 1 thread; cluster start-up and a warm-up per process (imports, building the detector: warm_up_seconds) not timed. Peak RSS per worker sampled "
            "every 0.1 s with psutil. added_posts_per_second_per_worker = posts/s with 2 workers "
            "minus with 1 worker; projected posts/s at n workers = 1-worker rate + (n - 1) x that, "
            "valid while workers have a core each (this machine: 2 cores, shared)."
        ),
        "targets": {"ratio_dask_to_local": 1.5},
    }
