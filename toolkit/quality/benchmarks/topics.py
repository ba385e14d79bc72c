"""Benchmark of topic modelling end to end (prepare, embed, fit, label) at 100k and 1M posts.

Each run is a fresh process (numba compilation and model loading included, as a user pays
them), timed with its peak resident memory. The corpus is the sample's customer posts,
each made distinct with a few random everyday words, so that clustering sees as many
distinct posts as the size says. Stock BERTopic (MiniLM, UMAP, HDBSCAN) runs on the same
corpus side by side; at the large sizes it runs on a subset (TOOLKIT_BENCH_STOCK_DOCS,
default 10,000) because it embeds slowly (docs/topics.md), and the ratio is stated per post.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.quality.benchmarks.measure import machine, measure

SIZES = (100_000, 1_000_000)
TARGETS = {
    100_000: {"seconds": 180, "peak_rss_mb": 6 * 1024},
    1_000_000: {"seconds": 1800, "peak_rss_mb": 16 * 1024},
}


def synthetic_corpus(base_texts: list[str], n: int, seed: int = 0) -> pd.DataFrame:
    """`n` distinct posts: base texts drawn at random, each with 2-4 random common words added."""
    from toolkit.privacy.detect.wordlists import common_words

    rng = np.random.default_rng(seed)
    vocabulary = np.array(sorted(common_words()))
    picks = rng.integers(0, len(base_texts), n)
    extra = rng.integers(0, len(vocabulary), (n, 4))
    n_extra = rng.integers(2, 5, n)
    texts = [
        f"{base_texts[p]} {' '.join(vocabulary[extra[i, : n_extra[i]]])}"
        for i, p in enumerate(picks)
    ]
    return pd.DataFrame({"text": texts})


def fit_corpus(corpus_path: str, model: str, n_docs: int) -> dict:
    """Fit `model` ("toolkit-static", "toolkit-minilm" or "stock") on the first `n_docs` posts."""
    texts = pd.read_parquet(corpus_path)["text"].iloc[:n_docs].tolist()
    if model == "stock":
        from toolkit.quality.evaluation.topics import stock_bertopic

        labels, _ = stock_bertopic()(texts)
        labels = np.asarray(labels)
        return {
            "n_topics": int(len(set(labels.tolist()) - {-1})),
            "outlier_share": round(float((labels == -1).mean()), 4),
        }
    from toolkit.analysis.topics.embeddings import make_embedder
    from toolkit.analysis.topics.model import TopicModel

    fitted = TopicModel(embedder=make_embedder(model.split("-", 1)[1]), max_docs=20_000).fit(texts)
    return {"n_topics": fitted.n_topics_, "outlier_share": round(fitted.outlier_share_, 4)}


def _run(corpus_path: Path, model: str, n_docs: int) -> dict:
    """`fit_corpus` in a fresh process, timed with its peak memory; its figures come back in a file."""
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-run-") as tmp:
        result_file = Path(tmp) / "result.json"
        code = (
            "import json, pathlib; from toolkit.quality.benchmarks.topics import fit_corpus; "
            f"pathlib.Path({str(result_file)!r}).write_text(json.dumps("
            f"fit_corpus({str(corpus_path)!r}, {model!r}, {n_docs})))"
        )
        figures = measure([sys.executable, "-c", code], env={**os.environ, "TOOLKIT_PROGRESS": "0"})
        result = json.loads(result_file.read_text()) if result_file.exists() else {}
    posts_per_s = round(n_docs / figures["seconds"], 1) if figures["seconds"] else None
    return {"model": model, "n_docs": n_docs, **figures, **result, "posts_per_s": posts_per_s}


def bench_topics(
    sizes=SIZES, stock_docs: int = 10_000, progress: Callable[[str], None] = lambda s: None
) -> dict:
    """Ours (static backend) at each size and stock BERTopic on a subset, side by side."""
    from toolkit.quality.evaluation.topics import sample_topic_dataset

    base = sample_topic_dataset()["text"].tolist()
    runs = []
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-topics-") as tmp:
        corpus_path = Path(tmp) / "corpus.parquet"
        synthetic_corpus(base, max(sizes)).to_parquet(corpus_path)
        stock_n = min(stock_docs, max(sizes))
        progress(f"bench topics: stock BERTopic on {stock_n:,} posts")
        stock = _run(corpus_path, "stock", stock_n)
        runs.append(stock)
        for n in sizes:
            progress(f"bench topics: toolkit (static) on {n:,} posts")
            ours = _run(corpus_path, "toolkit-static", n)
            ours["target"] = TARGETS.get(n)
            if stock.get("posts_per_s") and ours.get("posts_per_s"):
                ours["speedup_vs_stock_per_post"] = round(
                    ours["posts_per_s"] / stock["posts_per_s"], 1
                )
            runs.append(ours)
    return {
        "benchmark": "topics end to end (prepare, embed, fit, label), fresh process each",
        "machine": machine(),
        "runs": runs,
        "note": f"stock BERTopic measured on {stock_n:,} posts; speedups compare posts per second",
    }


#: The shared development set: real tweets labelled with their subject (TweetEval stance).
DEV_SET = Path("tweeteval") / "stance_train_topics.csv"


def eval_dir() -> Path | None:
    """The shared evaluation folder: $TOOLKIT_EVAL_DIR, else ../shared/eval next to the
    checkout (or two levels up, from a worktree); None when absent."""
    from toolkit.core.paths import PROJECT_DIR as ROOT

    candidates = [os.environ.get("TOOLKIT_EVAL_DIR")] if os.environ.get("TOOLKIT_EVAL_DIR") else []
    candidates += [ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval"]
    return next((Path(c) for c in candidates if (Path(c) / DEV_SET).is_file()), None)


def quality_on_dev_set(path: Path, progress: Callable[[str], None] = lambda s: None) -> list[dict]:
    """`toolkit eval topics` on a labelled CSV (text, label): the toolkit with MiniLM and with
    the static model, and stock BERTopic, side by side (seed 42), then the supervised ceiling
    over MiniLM (`toolkit eval topics --headroom`)."""
    from toolkit.quality.evaluation.headroom import topic_headroom
    from toolkit.quality.evaluation.topics import (
        evaluate_topic_model,
        stock_bertopic,
        toolkit_topics,
    )

    data = pd.read_csv(path).dropna(subset=["text"])
    texts, labels = data["text"].astype(str).tolist(), data["label"].tolist()
    runs = []
    for name, fit_predict in (
        ("toolkit-minilm", toolkit_topics(embedding="minilm")),
        ("toolkit-static", toolkit_topics(embedding="static")),
        ("stock-bertopic", stock_bertopic()),
    ):
        progress(f"bench topics: {name} on {path.name} ({len(texts):,} posts)")
        runs.append(
            {"dataset": path.name, **evaluate_topic_model(name, texts, labels, fit_predict)}
        )
    progress(f"bench topics: supervised ceiling on {path.name}")
    runs.append({"dataset": path.name, **topic_headroom(texts, labels)})
    return runs


def run(config_path: Path, progress: Callable[[str], None]) -> dict:
    """Suite entry point (see `toolkit.quality.benchmarks`): quality on the shared dev set when it is
    there (`quality`; else a note), then speed at each size."""
    max_rows = int(os.environ.get("TOOLKIT_BENCH_MAX_ROWS", 1_000_000))
    sizes = tuple(n for n in SIZES if n <= max_rows) or (max_rows,)
    stock_docs = int(os.environ.get("TOOLKIT_BENCH_STOCK_DOCS", 10_000))
    folder = eval_dir()
    quality = (
        {
            "quality": quality_on_dev_set(folder / DEV_SET, progress),
            "quality_note": (
                "TweetEval stance train split (subject = label): development data, tuned on"
            ),
        }
        if folder is not None
        else {"quality": [], "quality_note": f"{DEV_SET} not found; set TOOLKIT_EVAL_DIR"}
    )
    return {**quality, **bench_topics(sizes, stock_docs=stock_docs, progress=progress)}
