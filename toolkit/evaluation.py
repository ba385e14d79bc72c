"""Evaluations against labelled data, printed as JSON by `toolkit eval ...`.

PII: labelled spans in the format of presidio-research's synthetic datasets, a JSON list of
``{"full_text": str, "spans": [{"entity_type", "entity_value", "start_position", "end_position"}]}``.
A gold span counts as found when a predicted span of the same (aliased) type overlaps it; a
predicted span is correct when it overlaps a gold span of that type. F2 weighs recall twice
as much as precision: a missed phone number costs more than a masked word.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from toolkit.config import SAMPLE_DIR

#: Gold label names of other datasets -> our entity names (Presidio's, plus HANDLE/ORDER_NUMBER).
ALIASES = {"LOCATION": "STREET_ADDRESS", "ADDRESS": "STREET_ADDRESS", "PHONE": "PHONE_NUMBER",
           "EMAIL": "EMAIL_ADDRESS", "NAME": "PERSON", "PER": "PERSON"}
#: Predicted types that no gold set labels (URLs, handles) are not counted as false positives
#: unless the gold set uses them.
UNSCORED_UNLESS_LABELLED = {"URL", "HANDLE"}


def load_pii_dataset(path: str | Path) -> list[dict]:
    """Read a presidio-research style JSON list of labelled texts."""
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(records, list) or not all("full_text" in r and "spans" in r for r in records):
        raise ValueError(f"{path}: expected a JSON list of {{full_text, spans}} records")
    return records


def sample_pii_dataset(labels_path: Path = SAMPLE_DIR / "labels.jsonl") -> list[dict]:
    """The bundled sample's customer posts and their planted personal data, in that format."""
    records = []
    for line in Path(labels_path).read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("is_brand") or item.get("malformed") or not item.get("text"):
            continue
        records.append({
            "full_text": item["text"],
            "spans": [{"entity_type": s["entity_type"], "entity_value": s["value"],
                       "start_position": s["start"], "end_position": s["end"]} for s in item["pii"]],
        })
    return records


def evaluate_pii(records: list[dict], detect=None) -> dict:
    """Precision, recall and F2 overall and per entity type, and posts per second."""
    if detect is None:
        from toolkit.privacy import detect
    gold_types = {ALIASES.get(s["entity_type"], s["entity_type"]) for r in records for s in r["spans"]}
    tp_gold, n_gold, tp_pred, n_pred = Counter(), Counter(), Counter(), Counter()
    started = time.perf_counter()
    predictions = [detect(r["full_text"]) for r in records]
    seconds = time.perf_counter() - started
    for record, predicted in zip(records, predictions, strict=True):
        gold = [(s["start_position"], s["end_position"], ALIASES.get(s["entity_type"], s["entity_type"]))
                for s in record["spans"]]
        pred = [(p.start, p.end, p.entity_type) for p in predicted
                if p.entity_type in gold_types or p.entity_type not in UNSCORED_UNLESS_LABELLED]
        for start, end, kind in gold:
            n_gold[kind] += 1
            tp_gold[kind] += any(_overlap(start, end, ps, pe) and pk == kind for ps, pe, pk in pred)
        for start, end, kind in pred:
            n_pred[kind] += 1
            tp_pred[kind] += any(_overlap(start, end, gs, ge) and gk == kind for gs, ge, gk in gold)
    per_type = {kind: _scores(tp_gold[kind], n_gold[kind], tp_pred[kind], n_pred[kind])
                for kind in sorted(set(n_gold) | set(n_pred))}
    overall = _scores(sum(tp_gold.values()), sum(n_gold.values()), sum(tp_pred.values()), sum(n_pred.values()))
    return {"model": "toolkit.privacy", "n_posts": len(records), **overall,
            "posts_per_second": round(len(records) / seconds, 1) if seconds else None, "per_type": per_type}


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _scores(tp_gold: int, n_gold: int, tp_pred: int, n_pred: int) -> dict:
    recall = tp_gold / n_gold if n_gold else None
    precision = tp_pred / n_pred if n_pred else None
    if recall is None or precision is None or (precision + recall) == 0:
        f2 = None
    else:
        f2 = 5 * precision * recall / (4 * precision + recall)
    return {"precision": _round(precision), "recall": _round(recall), "f2": _round(f2),
            "n_gold": n_gold, "n_predicted": n_pred}


def _round(x):
    return None if x is None else round(x, 4)


# ------------------------------------------------------------------ topics
def sample_topic_dataset():
    """The sample's English customer posts with a planted topic: text, label and thread context,
    exactly as `02_topics` models them (ingested into a temporary folder)."""
    import tempfile

    import pandas as pd

    from toolkit.config import DEFAULT_CONFIG, load_config
    from toolkit.ingest import ingest_config
    from toolkit.topics import thread_context, topic_corpus

    config = load_config(DEFAULT_CONFIG)
    with tempfile.TemporaryDirectory() as tmp:
        posts = ingest_config(config, out_dir=Path(tmp)).posts
    corpus, _ = topic_corpus(posts)
    labels = pd.read_json(SAMPLE_DIR / "labels.jsonl", lines=True, dtype={"post_id": str})
    corpus = corpus.assign(context=thread_context(corpus, posts).to_numpy())
    merged = corpus.merge(labels[["platform", "post_id", "topic"]], on=["platform", "post_id"])
    merged = merged.dropna(subset=["topic"])
    return merged.rename(columns={"topic": "label"})[["text", "label", "context"]].reset_index(drop=True)


def evaluate_topic_model(name: str, texts: list[str], labels: list, fit_predict) -> dict:
    """Fit a topic model with `fit_predict(texts) -> (topic per text, {topic: top words})` and
    score it: NMI and ARI against `labels` (outliers are a group of their own), outlier share,
    NPMI coherence and diversity of the top-10 words, seconds."""
    from toolkit.topics import evaluate_topics

    started = time.perf_counter()
    predicted, keywords = fit_predict(texts)
    seconds = time.perf_counter() - started
    topics = [t for t in keywords if t != -1]
    words = {t: _top_words(keywords[t]) for t in topics}
    return {
        "model": name, "n_docs": len(texts), "n_topics": len(topics),
        "outlier_share": round(sum(1 for p in predicted if p == -1) / len(texts), 4) if texts else None,
        **{k: round(v, 4) for k, v in evaluate_topics(predicted, labels).items()},
        "npmi": _round(npmi_coherence(list(words.values()), texts)),
        "diversity": _round(topic_diversity(list(words.values()))),
        "seconds": round(seconds, 1),
    }


def _top_words(keywords, n: int = 10) -> list[str]:
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
        pairs = [(a, b) for i, a in enumerate(words) for b in words[i + 1:]]
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


def toolkit_topics(seed: int = 42, contexts: list | None = None):
    """`fit_predict` for the toolkit's TopicModel with default parameters."""
    from toolkit.embeddings import MiniLMEmbedder
    from toolkit.topics import TopicModel

    def fit_predict(texts):
        model = TopicModel(seed=seed, embedder=MiniLMEmbedder()).fit(texts, context=contexts)
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

        from toolkit.embeddings import bundled_model_path

        model = BERTopic(
            embedding_model=SentenceTransformer(str(bundled_model_path()), device="cpu"),
            umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed),
            hdbscan_model=HDBSCAN(min_cluster_size=10, metric="euclidean", cluster_selection_method="eom",
                                  prediction_data=True),
        )
        topics, _ = model.fit_transform(texts)
        keywords = {t: [w for w, _ in model.get_topic(t) or []] for t in set(topics)}
        return list(topics), keywords

    return fit_predict
