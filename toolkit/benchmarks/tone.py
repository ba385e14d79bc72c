"""Benchmark of tone scoring: throughput of VADER and our `ToneScorer` on the same posts, and
their macro-recall on the hand-labelled sets (dev, held-out) and the sample's planted tone.

Throughput: the sample's post texts repeated and shuffled (seeded) to `n_posts`, scored in
this process by a freshly built scorer (so its token cache starts cold) `repeats` times;
``posts_per_s = n_posts / median seconds``; ``ratio = ours / VADER``.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from toolkit.benchmarks.measure import machine, timed_call
from toolkit.config import SAMPLE_DIR
from toolkit.evaluation.sentiment import (
    compare_scorers,
    fixture_dataset,
    sample_sentiment_dataset,
)
from toolkit.sentiment import ToneScorer, VaderScorer

#: Hand-labelled sets bundled with the tests, in the order they were written.
FIXTURE_SETS = ("dev", "holdout", "holdout2", "holdout_general", "holdout_final")
SCORERS: dict[str, Callable[[], object]] = {"vader": VaderScorer, "tone": ToneScorer}


def benchmark_texts(
    n_posts: int, seed: int = 0, labels_file: Path = SAMPLE_DIR / "labels.jsonl"
) -> list[str]:
    """`n_posts` texts: the sample's post texts repeated and shuffled with `seed`.

    Parameters
    ----------
    n_posts : int
        How many texts to return.
    seed : int
        Shuffle seed.
    labels_file : Path
        The sample's ground truth, whose `text` field is used.
    """
    texts = pd.read_json(labels_file, lines=True)["text"].dropna().astype(str).tolist()
    if not texts:
        raise ValueError(f"no texts in {labels_file}")
    rng = random.Random(seed)
    out = (texts * (n_posts // len(texts) + 1))[:n_posts]
    rng.shuffle(out)
    return out


def throughput(make_scorer: Callable[[], object], texts: list[str], repeats: int = 3) -> dict:
    """Median wall and CPU seconds and posts/s of scoring `texts` with a new scorer per repeat,
    then the peak memory of one more call (apart: the memory sampler thread slows the timing).

    CPU seconds (this process) are reported too: on a shared machine they show the speed on an
    idle core, where wall time counts the waits for other processes.
    """
    wall, cpu = [], []
    for _ in range(repeats):
        scorer = make_scorer()
        started, started_cpu = time.perf_counter(), time.process_time()
        scorer.score(texts)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    _, figures = timed_call(lambda: make_scorer().score(texts))
    median, median_cpu = statistics.median(wall), statistics.median(cpu)
    return {
        "median_seconds": round(median, 3),
        "posts_per_s": round(len(texts) / median),
        "median_cpu_seconds": round(median_cpu, 3),
        "posts_per_cpu_s": round(len(texts) / median_cpu) if median_cpu else None,
        "peak_rss_mb": figures["peak_rss_mb"],
    }


def quality() -> dict:
    """Macro-recall, macro-F1 and accuracy of each scorer per labelled set available: the
    bundled hand-labelled sets (see tests/fixtures/tone/README.md) and the sample's tone."""
    sets = {name: (lambda n=name: fixture_dataset(n)) for name in FIXTURE_SETS}
    if (SAMPLE_DIR / "labels.jsonl").exists():
        sets["sample"] = sample_sentiment_dataset
    out = {}
    for name, load in sets.items():
        data = load()
        rows = compare_scorers(
            data["text"].tolist(), data["label"].tolist(), [VaderScorer(), ToneScorer()]
        )
        out[name] = {row.pop("model"): row for row in rows}
        out[name]["macro_recall_gain"] = round(
            out[name]["tone"]["macro_recall"] - out[name]["vader"]["macro_recall"], 4
        )
    return out


def bench_tone(
    n_posts: int = 100_000, repeats: int = 3, progress: Callable[[str], None] = lambda s: None
) -> dict:
    """Throughput of VADER and ours on the same `n_posts` posts, and their quality figures."""
    texts = benchmark_texts(n_posts)
    speed = {}
    for name, make in SCORERS.items():
        progress(f"bench: tone, {name} on {n_posts:,} posts x {repeats}")
        speed[name] = throughput(make, texts, repeats)
    progress("bench: tone quality on the labelled sets")
    return {
        "benchmark": "tone scoring",
        "machine": machine(),
        "n_posts": n_posts,
        "repeats": repeats,
        "throughput": speed,
        "ratio_ours_vs_vader": round(
            speed["tone"]["posts_per_s"] / speed["vader"]["posts_per_s"], 2
        ),
        "ratio_ours_vs_vader_cpu": round(
            speed["tone"]["posts_per_cpu_s"] / speed["vader"]["posts_per_cpu_s"], 2
        ),
        "quality": quality(),
        "targets": {"posts_per_s": 20_000, "macro_recall_gain_vs_vader": 0.05},
    }


def run(config_path: Path, progress: Callable[[str], None]) -> dict:
    """Suite entry point (see `toolkit.benchmarks`); the config is not needed."""
    return bench_tone(progress=progress)
