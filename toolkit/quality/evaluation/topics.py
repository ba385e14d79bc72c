"""Topic models evaluated against labelled documents (`toolkit eval topics`): NMI, ARI, outliers,
NPMI coherence and diversity of the top-10 words, seconds."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from toolkit.core.paths import SAMPLE_DIR


def sample_topic_dataset():
    """The sample's English customer posts with a planted topic: text, label and thread context,
    exactly as `02_topics` models them (ingested into a temporary folder)."""
    import tempfile

    import pandas as pd

    from toolkit.analysis.topics.prepare import thread_context, topic_corpus
    from toolkit.core.config import load_config
    from toolkit.core.paths import DEFAULT_CONFIG
    from toolkit.ingest import ingest_config

    config = load_config(DEFAULT_CONFIG)
    with tempfile.TemporaryDirectory() as tmp:
        posts = ingest_config(config, out_dir=Path(tmp)).posts
    corpus, _ = topic_corpus(posts)
    labels = pd.read_json(SAMPLE_DIR / "labels.jsonl", lines=True, dtype={"post_id": str})
    corpus = corpus.assign(context=thread_context(corpus, posts).to_numpy())
    merged = corpus.merge(labels[["platform", "post_id", "topic"]], on=["platform", "post_id"])
    merged = merged.dropna(subset=["topic"])
    return merged.rename(columns={"topic": "label"})[["text", "label", "context"]].reset_index(
        drop=True
    )


def evaluate_topics(labels_pred: Sequence, labels_true: Sequence) -> dict[str, float]:
    """NMI and ARI of predicted topics against true ones; -1 and None are groups of their own."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    if len(labels_pred) != len(labels_true):
        raise ValueError("labels_pred and labels_true differ in length")
    pred = [str(x) for x in labels_pred]
    true = [
        "<none>" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)
        for x in labels_true
    ]
    return {
        "nmi": float(normalized_mutual_info_score(true, pred)),
        "ari": float(adjusted_rand_score(true, pred)),
    }


def evaluate_topic_model(name: str, texts: list[str], labels: list, fit_predict) -> dict:
    """Fit a topic model with `fit_predict(texts) -> (topic per text, {topic: top words})` and
    score it: NMI and ARI against `labels` (outliers are a group of their own), outlier share,
    NPMI coherence and diversity of the top-10 words, seconds."""
    started = time.perf_counter()
    predicted, keywords = fit_predict(texts)
    seconds = time.perf_counter() - started
    topics = [t for t in keywords if t != -1]
    words = {t: top_words(keywords[t]) for t in topics}
    return {
        "model": name,
        "n_docs": len(texts),
        "n_topics": len(topics),
        "outlier_share": round(sum(1 for p in predicted if p == -1) / len(texts), 4)
        if texts
        else None,
        **{k: round(v, 4) for k, v in evaluate_topics(predicted, labels).items()},
        "npmi": _round4(npmi_coherence(list(words.values()), texts)),
        "diversity": _round4(topic_diversity(list(words.values()))),
        "seconds": round(seconds, 1),
    }


def top_words(keywords, n: int = 10) -> list[str]:
    """The first `n` distinct words of a topic's keywords (bigrams split into their words)."""
    out: list[str] = []
    for keyword in keywords:
        for word in str(keyword).lower().split():
            if word not in out:
                out.append(word)
    return out[:n]


def topic_diversity(topics_words: list[list[str]]) -> float | None:
    """Share of unique words among all topics' top words (Dieng et al., 2020)."""
    total = sum(len(w) for w in topics_words)
    return len({w for words in topics_words for w in words}) / total if total else None


def npmi_coherence(topics_words: list[list[str]], texts: list[str]) -> float | None:
    """Mean NPMI of each topic's word pairs, with document co-occurrence in `texts`
    (Bouma, 2009; Lau et al., 2014). A pair that never co-occurs scores -1."""
    import math
    import re

    token = re.compile(r"(?u)\b[^\W\d_]{2,}\b")
    docs = [set(token.findall(t.lower())) for t in texts]
    vocabulary = {w for words in topics_words for w in words}
    doc_sets = {w: {i for i, d in enumerate(docs) if w in d} for w in vocabulary}
    n = len(docs)
    scores = []
    for words in topics_words:
        pairs = [(a, b) for i, a in enumerate(words) for b in words[i + 1 :]]
        values = []
        for a, b in pairs:
            joint = len(doc_sets[a] & doc_sets[b]) / n if n else 0
            if joint == 0:
                values.append(-1.0)
            elif joint == 1:
                values.append(1.0)
            else:
                pa, pb = len(doc_sets[a]) / n, len(doc_sets[b]) / n
                values.append(math.log(joint / (pa * pb)) / -math.log(joint))
        if values:
            scores.append(sum(values) / len(values))
    return sum(scores) / len(scores) if scores else None


def toolkit_topics(seed: int = 42, contexts: list | None = None, embedding: str = "minilm"):
    """`fit_predict` for the toolkit's TopicModel with default parameters and `embedding`."""
    from toolkit.analysis.topics.embeddings import make_embedder
    from toolkit.analysis.topics.model import TopicModel

    def fit_predict(texts):
        model = TopicModel(seed=seed, embedder=make_embedder(embedding)).fit(
            texts, context=contexts
        )
        info = model.topic_info_
        return list(model.labels_), dict(zip(info["topic"], info["keywords"], strict=True))

    return fit_predict


def stock_bertopic(seed: int = 42):
    """`fit_predict` for stock BERTopic: MiniLM, UMAP(random_state=42), HDBSCAN(min_cluster_size=10)."""

    def fit_predict(texts):
        from bertopic import BERTopic
        from hdbscan import HDBSCAN
        from sentence_transformers import SentenceTransformer
        from umap import UMAP

        from toolkit.analysis.topics.embeddings import bundled_model_path

        model = BERTopic(
            embedding_model=SentenceTransformer(str(bundled_model_path()), device="cpu"),
            umap_model=UMAP(
                n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
            ),
            hdbscan_model=HDBSCAN(
                min_cluster_size=10,
                metric="euclidean",
                cluster_selection_method="eom",
                prediction_data=True,
            ),
        )
        topics, _ = model.fit_transform(texts)
        keywords = {t: [w for w, _ in model.get_topic(t) or []] for t in set(topics)}
        return list(topics), keywords

    return fit_predict


def _round4(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
