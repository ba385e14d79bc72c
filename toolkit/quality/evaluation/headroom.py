"""How far the bundled MiniLM embedding lets any model go on a labelled set (`--headroom`).

A logistic regression is trained on the set's own gold labels, k-fold: each post is predicted
by a model that never saw it. It is scored exactly as the unsupervised models are (NMI and ARI
for topics, macro-recall for tone). No model that learns without those labels, over the same
vectors, should be expected to beat it. When ours comes close, what is left of a quality target
is the embedding's limit, not the model's. The classifier is a measurement only: it is trained
on the evaluation set's labels, so nothing of it ships.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from toolkit.analysis.topics.embeddings import unit_rows

#: Folds of the cross-validation, and the regression's inverse regularisation.
FOLDS = 5
C = 1.0


def cross_validated_predictions(
    vectors: np.ndarray, labels: Sequence, folds: int = FOLDS, seed: int = 0
) -> np.ndarray:
    """The label each row gets from a logistic regression fitted on the other folds.

    Classes are weighted by their inverse frequency, so a small class is not given up for
    accuracy on the large ones (the tone measure, macro-recall, weighs classes equally).

    Parameters
    ----------
    vectors : ndarray (n, d)
        One feature vector per labelled post, used as given.
    labels : sequence
        Gold labels; each class needs at least `folds` posts.
    folds : int
        Stratified folds, shuffled with `seed`.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    y = np.asarray([str(label) for label in labels])
    if len(y) != len(vectors):
        raise ValueError(f"{len(vectors)} vectors but {len(y)} labels")
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2 or counts.min() < folds:
        raise ValueError(
            f"need at least 2 classes with {folds} posts each; got {dict(zip(classes, counts, strict=True))}"
        )
    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    splits = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return cross_val_predict(model, np.asarray(vectors, dtype=np.float64), y, cv=splits)


def topic_headroom(texts: Sequence[str], labels: Sequence, embedder=None) -> dict:
    """NMI, ARI and accuracy of the supervised ceiling on a topic set, over the vectors the
    topic model clusters: each text cleaned as the model embeds it (`prepare_with_names`),
    embedded by `embedder` (default MiniLM). Texts with no label are left out."""
    from toolkit.analysis.topics.prepare import prepare_with_names
    from toolkit.quality.evaluation.topics import evaluate_topics

    texts, labels = _labelled(texts, labels)
    embedder = embedder or _minilm()
    predicted = cross_validated_predictions(
        unit_rows(embedder.encode(prepare_with_names(texts)[1])), labels
    )
    gold = [str(label) for label in labels]
    return {
        "model": _ceiling_name(embedder),
        "n_docs": len(texts),
        "folds": FOLDS,
        **{k: round(v, 4) for k, v in evaluate_topics(list(predicted), gold).items()},
        "accuracy": round(float(np.mean(predicted == np.asarray(gold))), 4),
    }


def tone_headroom(texts: Sequence[str], labels: Sequence[str], embedder=None) -> list[dict]:
    """Macro-recall, macro-F1 and accuracy of two supervised ceilings on a tone set: over the
    vectors `AdaptiveToneScorer` learns from (MiniLM of each text, mentions and links
    neutralised), and over those vectors plus our lexicon's compound score and its sign,
    which is what the adaptive model combines. Texts with no label are left out."""
    from toolkit.analysis.tone.posts import ToneScorer, neutralise
    from toolkit.quality.evaluation.sentiment import macro_scores

    texts, labels = _labelled(texts, labels)
    embedder = embedder or _minilm()
    vectors = unit_rows(embedder.encode([neutralise(t) for t in texts]))
    compound = ToneScorer().score(texts)["compound"].to_numpy(dtype=np.float64)[:, None]
    rows = []
    for suffix, features in (
        ("", vectors),
        ("+lexicon", np.hstack([vectors, compound, np.sign(compound)])),
    ):
        predicted = cross_validated_predictions(features, labels)
        rows.append(
            {
                "model": _ceiling_name(embedder) + suffix,
                "n": len(texts),
                "folds": FOLDS,
                **{k: round(v, 4) for k, v in macro_scores(labels, list(predicted)).items()},
            }
        )
    return rows


def _labelled(texts: Sequence[str], labels: Sequence) -> tuple[list[str], list]:
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    pairs = [(t, label) for t, label in zip(texts, labels, strict=True) if _has_label(label)]
    return [t for t, _ in pairs], [label for _, label in pairs]


def _has_label(label) -> bool:
    return label is not None and not (isinstance(label, float) and np.isnan(label))


def _ceiling_name(embedder) -> str:
    from toolkit.analysis.topics.embeddings import MiniLMEmbedder

    short = "minilm" if isinstance(embedder, MiniLMEmbedder) else embedder.name
    return f"supervised-ceiling-{short}"


def _minilm():
    from toolkit.analysis.topics.embeddings import make_embedder

    return make_embedder("minilm")
