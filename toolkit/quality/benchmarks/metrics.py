"""Benchmark of the metric set: `compute_metrics` on 10 million synthetic posts.

The suite writes synthetic canonical posts (`toolkit.quality.benchmarks.synthetic_posts`) and
times `toolkit.pipeline.metrics.compute_metrics` (DuckDB) on them and a straightforward pandas
implementation of the same metrics (`pandas_metrics`) on a smaller file, each in its own
process (median of repeats; peak RSS of the process). `TOOLKIT_BENCH_MAX_ROWS` (default
10,000,000) caps the size; pandas runs on at most 1,000,000 rows and the ratio is stated at
the same size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from toolkit.analysis.sql import RATE_COLUMNS
from toolkit.core.config import Config, load_config
from toolkit.quality.benchmarks.measure import machine, measure
from toolkit.quality.benchmarks.synthetic_posts import generate_posts

DEFAULT_MAX_ROWS = 10_000_000
PANDAS_MAX_ROWS = 1_000_000


# ------------------------------------------------------------------ pandas baseline
def _pattern(terms) -> re.Pattern:
    words = [r"\s+".join(re.escape(w) for w in str(t).strip().lstrip("@#").split()) for t in terms]
    return re.compile(r"(?<!\w)(?:" + "|".join(w for w in words if w) + r")(?!\w)", re.IGNORECASE)


def pandas_metrics(path: Path, config: Config) -> dict[str, pd.DataFrame]:
    """A straightforward pandas implementation of the core metric set (the baseline).

    Same definitions as the engine for KPIs by platform and week, best time, hashtags,
    share of voice, attentiveness (direct replies and in-thread mentions per customer
    thread), daily volume and campaign uptake per day; written as a data scientist would
    in plain pandas, without the reply-tree walk.
    """
    tz = config.brand.timezone
    posts = pd.read_parquet(path)
    posts = posts[posts["post_type"] != "share"]
    counts = posts[["likes", "shares", "replies", "quotes"]].fillna(0).sum(axis=1)
    followers = posts["author_followers"].where(posts["author_followers"] > 0)
    views = posts["views"].where(posts["views"] > 0)
    posts = posts.assign(
        interactions=counts,
        engagement_rate_followers=counts / followers,
        engagement_rate_views=counts / views,
        conversation_rate=posts["replies"] / followers,
        amplification_rate=posts["shares"] / followers,
        applause_rate=posts["likes"] / followers,
        virality=posts["shares"] / views,
        local=posts["created_at"].dt.tz_convert(tz),
    )
    out = {}
    brand = posts[posts["is_brand"]]
    rates = RATE_COLUMNS
    aggregations = {
        "n_posts": ("author", "size"),
        "n_authors": ("author", "nunique"),
        "total_interactions": ("interactions", "sum"),
        **{f"median_{r}": (r, "median") for r in rates},
    }
    out["kpis_by_platform"] = brand.groupby("platform").agg(**aggregations).reset_index()
    week = brand["local"].dt.tz_localize(None).dt.to_period("W").dt.start_time
    out["kpis_over_time"] = (
        brand.assign(period=week).groupby(["platform", "period"]).agg(**aggregations).reset_index()
    )
    originals = brand[brand["post_type"].isin(["post", "quote"])]
    out["best_time"] = (
        originals.assign(weekday=originals["local"].dt.weekday, hour=originals["local"].dt.hour)
        .groupby(["weekday", "hour"])
        .agg(n_posts=("author", "size"), median_rate=("engagement_rate_followers", "median"))
        .reset_index()
    )
    tags = (
        posts[["author", "interactions", "hashtags"]]
        .explode("hashtags")
        .dropna(subset=["hashtags"])
    )
    out["hashtags"] = (
        tags.groupby(tags["hashtags"].str.lower())
        .agg(
            n_posts=("author", "size"),
            n_authors=("author", "nunique"),
            total_interactions=("interactions", "sum"),
        )
        .reset_index()
    )
    customers = posts[~posts["is_brand"]]
    entities = {
        config.brand.name: config.brand.terms(),
        **config.competitors,
    }
    sov = []
    lowered_mentions = customers["mentions"].map(lambda m: {str(x).lower().lstrip("@") for x in m})
    for name, terms in entities.items():
        handles = {str(t).lower().lstrip("@") for t in terms}
        hit = customers["text"].str.contains(_pattern(terms)) | lowered_mentions.map(
            lambda m, h=handles: bool(m & h)
        )
        sov.append(
            customers[hit]
            .groupby("platform")
            .agg(n_posts=("author", "size"), n_authors=("author", "nunique"))
            .reset_index()
            .assign(entity=name)
        )
    out["share_of_voice"] = pd.concat(sov, ignore_index=True)
    out.update(_pandas_responses(posts, customers, brand, lowered_mentions, config, tz))
    out["daily"] = (
        customers.groupby(customers["local"].dt.date)
        .agg(n_posts=("author", "size"), n_authors=("author", "nunique"))
        .reset_index()
    )
    for campaign in config.campaigns:
        used = customers["text"].str.contains(_pattern([*campaign.offer_codes, *campaign.hashtags]))
        uptake = customers[used]
        out[f"campaign_{campaign.name}"] = (
            uptake.groupby(uptake["local"].dt.date)
            .agg(uptake_posts=("author", "size"), uptake_authors=("author", "nunique"))
            .reset_index()
        )
    return out


def _pandas_responses(
    posts, customers, brand, lowered_mentions, config, tz
) -> dict[str, pd.DataFrame]:
    handles = config.brand.handles()
    brand_ids = brand[["platform", "post_id"]].assign(_brand_parent=True)
    c = customers.merge(
        brand_ids.rename(columns={"post_id": "reply_to_id"}),
        on=["platform", "reply_to_id"],
        how="left",
    )
    addressed = (
        c["reply_to_author"].fillna("").str.lower().isin(handles)
        | c["_brand_parent"].notna()
        | lowered_mentions.reindex(customers.index).map(lambda m: bool(m & handles)).to_numpy()
        | c["text"].str.contains(_pattern(config.brand.names()))
    )
    c = c[addressed.to_numpy()].assign(thread=lambda d: d["thread_id"].fillna(d["post_id"]))
    c = c.sort_values(["created_at", "post_id"])
    units = c.groupby(["platform", "thread", "author"], as_index=False).agg(
        post_id=("post_id", "first"), created_at=("created_at", "first"), local=("local", "first")
    )
    direct = brand[["platform", "reply_to_id", "created_at"]].rename(
        columns={"reply_to_id": "post_id", "created_at": "response_at"}
    )
    direct = c[["platform", "post_id", "thread", "author"]].merge(
        direct, on=["platform", "post_id"]
    )
    mention = (
        brand[["platform", "thread_id", "mentions", "created_at"]]
        .explode("mentions")
        .rename(columns={"thread_id": "thread", "mentions": "author", "created_at": "response_at"})
    )
    mention = units[["platform", "thread", "author", "created_at"]].merge(
        mention, on=["platform", "thread", "author"]
    )
    mention = mention[mention["response_at"] >= mention["created_at"]]
    candidates = pd.concat(
        [
            direct[["platform", "thread", "author", "response_at"]],
            mention[["platform", "thread", "author", "response_at"]],
        ]
    )
    first = candidates.groupby(["platform", "thread", "author"], as_index=False)[
        "response_at"
    ].min()
    units = units.merge(first, on=["platform", "thread", "author"], how="left")
    units["hours"] = ((units["response_at"] - units["created_at"]).dt.total_seconds() / 3600).clip(
        lower=0
    )
    units["responded"] = units["response_at"].notna()
    units["within"] = units["hours"] <= config.analysis.response_sla_hours
    summary = {
        "n_posts": ("author", "size"),
        "n_authors": ("author", "nunique"),
        "response_rate": ("responded", "mean"),
        "median_hours": ("hours", "median"),
        "p90_hours": ("hours", lambda s: s.quantile(0.9)),
        "share_within_sla": ("within", "mean"),
    }
    return {
        "responses_by_platform": units.groupby("platform").agg(**summary).reset_index(),
        "responses_by_weekday_hour": units.assign(
            weekday=units["local"].dt.weekday, hour=units["local"].dt.hour
        )
        .groupby(["weekday", "hour"])
        .agg(**summary)
        .reset_index(),
    }


# ------------------------------------------------------------------ timing
def _time_engine(
    engine: str, posts: Path, config_path: Path, repeats: int, threads: int | None = None
) -> dict:
    """Run one engine `repeats` times in this process; median and all wall seconds."""
    from toolkit.pipeline.metrics import compute_metrics

    config = _with_threads(load_config(config_path), threads)
    run: Callable[[], dict] = (
        (
            lambda: compute_metrics(
                posts, config, memory_limit=os.environ.get("TOOLKIT_BENCH_DUCKDB_MEMORY", "4GB")
            )
        )
        if engine == "duckdb"
        else (lambda: pandas_metrics(posts, config))
    )
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        tables = run()
        seconds.append(round(time.perf_counter() - t0, 3))
    return {"seconds": seconds, "median_seconds": statistics.median(seconds), "tables": len(tables)}


def _with_threads(config: Config, threads: int | None) -> Config:
    """`config` with `analysis.threads` replaced (None: unchanged)."""
    if threads is None:
        return config
    analysis = config.analysis.model_copy(update={"threads": threads})
    return config.model_copy(update={"analysis": analysis})


def _measured(
    engine: str, posts: Path, config_path: Path, repeats: int, rows: int, work: Path, threads: int
) -> dict:
    """Time `engine` in a fresh process; add its peak RSS (whole process) from `measure`."""
    out = work / f"{engine}-{rows}.json"
    cmd = [
        sys.executable,
        "-m",
        "toolkit.quality.benchmarks.metrics",
        engine,
        str(posts),
        str(config_path),
        "--repeats",
        str(repeats),
        "--out",
        str(out),
        "--threads",
        str(threads),
    ]
    process = measure(cmd, env={**os.environ, "TOOLKIT_PROGRESS": "0"})
    if process["exit_code"] != 0:
        return {"rows": rows, "error": process["stderr_tail"]}
    result = json.loads(out.read_text())
    return {
        "rows": rows,
        **result,
        "peak_rss_mb": process["peak_rss_mb"],
        "process_seconds": process["seconds"],
    }


def bench_metrics(
    config_path: str | Path,
    max_rows: int | None = None,
    repeats: int = 3,
    progress: Callable[[str], None] = lambda s: None,
) -> dict:
    """Generate synthetic posts and time the metric set with DuckDB and with pandas.

    DuckDB's threads are `config.analysis.threads` unless `TOOLKIT_BENCH_THREADS` is set;
    `TOOLKIT_BENCH_MAX_ROWS` caps the size, `TOOLKIT_BENCH_DUCKDB_MEMORY` (default 4GB) is
    DuckDB's memory limit (it spills to disk beyond).
    """
    config = load_config(config_path)
    threads = int(os.environ.get("TOOLKIT_BENCH_THREADS", config.analysis.threads))
    max_rows = max_rows or int(os.environ.get("TOOLKIT_BENCH_MAX_ROWS", DEFAULT_MAX_ROWS))
    pandas_rows = min(PANDAS_MAX_ROWS, max_rows)
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-metrics-") as tmp:
        work = Path(tmp)
        files = {}
        for rows in sorted({pandas_rows, max_rows}):
            progress(f"bench metrics: generating {rows:,} posts")
            t0 = time.perf_counter()
            files[rows] = generate_posts(
                config, rows, work / f"posts-{rows}.parquet", seed=config.analysis.seed
            )
            progress(f"bench metrics: generated in {time.perf_counter() - t0:.1f} s")
        runs = {}
        progress(f"bench metrics: DuckDB on {max_rows:,} posts")
        runs["duckdb"] = _measured(
            "duckdb", files[max_rows], config.path, repeats, max_rows, work, threads
        )
        if pandas_rows != max_rows:
            progress(f"bench metrics: DuckDB on {pandas_rows:,} posts")
            runs["duckdb_at_pandas_size"] = _measured(
                "duckdb", files[pandas_rows], config.path, repeats, pandas_rows, work, threads
            )
        else:
            runs["duckdb_at_pandas_size"] = runs["duckdb"]
        progress(f"bench metrics: pandas on {pandas_rows:,} posts")
        runs["pandas"] = _measured(
            "pandas", files[pandas_rows], config.path, repeats, pandas_rows, work, threads
        )
        file_mb = {rows: round(path.stat().st_size / 2**20, 1) for rows, path in files.items()}
    duck, pand = runs["duckdb_at_pandas_size"], runs["pandas"]
    ratio = (
        round(pand["median_seconds"] / duck["median_seconds"], 1)
        if "median_seconds" in pand and "median_seconds" in duck and duck["median_seconds"]
        else None
    )
    return {
        "benchmark": "full metric set (toolkit.pipeline.metrics.compute_metrics)",
        "config": config.name,
        "machine": machine(),
        "threads": threads,
        "rows": max_rows,
        "parquet_mb": {str(k): v for k, v in file_mb.items()},
        **runs,
        "pandas_over_duckdb_ratio": ratio,
        "ratio_rows": pandas_rows,
        "targets": {"seconds": 20, "peak_rss_gb": 6, "rows": DEFAULT_MAX_ROWS},
    }


def run(config_path: Path, progress: Callable[[str], None]) -> dict:
    """Suite entry point (see `toolkit.quality.benchmarks`)."""
    return bench_metrics(config_path, progress=progress)


def main(argv: list[str] | None = None) -> None:
    """Child process: time one engine and write its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=["duckdb", "pandas"])
    parser.add_argument("posts", type=Path)
    parser.add_argument("config", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    result = _time_engine(args.engine, args.posts, args.config, args.repeats, args.threads)
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
