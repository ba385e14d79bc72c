"""The supervised ceiling (`--headroom`): out-of-fold predictions, scored like the models."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.quality.evaluation import headroom
from toolkit.quality.evaluation.headroom import (
    cross_validated_predictions,
    tone_headroom,
    topic_headroom,
)


class WordEmbedder:
    """One dimension per known word: texts that share words get similar vectors."""

    name = "words"
    VOCABULARY = ["refund", "charged", "delivery", "courier", "love", "great", "awful", "late"]

    def encode(self, texts):
        words = [set(str(t).lower().split()) for t in texts]
        return np.array([[1.0 if v in w else 0.0 for v in self.VOCABULARY] + [0.1] for w in words])


def test_every_post_is_predicted_by_a_model_that_never_saw_it():
    rng = np.random.default_rng(0)
    # more dimensions than posts: a model fitted on all of them would memorise random labels
    noise = rng.normal(size=(200, 400))
    random_labels = rng.integers(0, 2, size=200)
    out_of_fold = cross_validated_predictions(noise, random_labels)
    assert 0.3 < np.mean(out_of_fold == random_labels.astype(str)) < 0.7

    separable = np.vstack([rng.normal(3, 1, (100, 5)), rng.normal(-3, 1, (100, 5))])
    labels = ["a"] * 100 + ["b"] * 100
    assert np.mean(cross_validated_predictions(separable, labels) == np.array(labels)) > 0.97
    assert list(cross_validated_predictions(separable, labels)) == list(
        cross_validated_predictions(separable, labels)
    )


def test_too_few_posts_per_class_or_mismatched_lengths_are_refused():
    vectors = np.eye(12)
    with pytest.raises(ValueError, match="2 classes with 5 posts"):
        cross_validated_predictions(vectors, ["a"] * 8 + ["b"] * 4)
    with pytest.raises(ValueError, match="2 classes"):
        cross_validated_predictions(vectors, ["a"] * 12)
    with pytest.raises(ValueError, match="12 vectors but 11 labels"):
        cross_validated_predictions(vectors, ["a", "b"] * 5 + ["a"])


def _topic_posts():
    billing = [f"refund charged twice {i}" for i in range(20)]
    shipping = [f"delivery courier lost it {i}" for i in range(20)]
    return billing + shipping + ["refund courier"], ["billing"] * 20 + ["shipping"] * 20 + [None]


def test_topic_headroom_scores_the_ceiling_like_the_topic_models():
    texts, labels = _topic_posts()
    row = topic_headroom(texts, labels, embedder=WordEmbedder())
    assert row["model"] == "supervised-ceiling-words"
    assert row["n_docs"] == 40  # the unlabelled post is left out
    assert row["folds"] == headroom.FOLDS
    assert row["nmi"] == row["ari"] == row["accuracy"] == 1.0


def test_tone_headroom_gives_the_embedding_alone_and_with_the_lexicon():
    texts = (
        [f"i love it, great {i}" for i in range(10)]
        + [f"awful and late {i}" for i in range(10)]
        + [f"the courier came at {i}" for i in range(10)]
    )
    labels = ["positive"] * 10 + ["negative"] * 10 + ["neutral"] * 10
    rows = tone_headroom(texts, labels, embedder=WordEmbedder())
    assert [r["model"] for r in rows] == [
        "supervised-ceiling-words",
        "supervised-ceiling-words+lexicon",
    ]
    for row in rows:
        assert row["n"] == 30 and row["folds"] == headroom.FOLDS
        assert {"macro_recall", "macro_f1", "accuracy"} <= set(row)
    assert rows[0]["macro_recall"] == 1.0


def test_cli_prints_the_ceiling_on_request_and_explains_a_set_too_small(tmp_path, monkeypatch):
    monkeypatch.setattr(headroom, "_minilm", WordEmbedder)
    texts, labels = _topic_posts()
    path = tmp_path / "topics.csv"
    path.write_text(
        "text,label\n"
        + "\n".join(f"{t},{label or ''}" for t, label in zip(texts, labels, strict=True))
    )
    monkeypatch.setattr(
        "toolkit.quality.evaluation.topics.toolkit_topics",
        lambda **_: lambda t: ([0] * len(t), {0: ["refund"]}),
    )
    result = CliRunner().invoke(app, ["eval", "topics", str(path), "--headroom"])
    assert result.exit_code == 0, result.output
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["model"] == "supervised-ceiling-words" and last["nmi"] == 1.0

    tiny = tmp_path / "tone.csv"
    tiny.write_text("text,label\nso happy,positive\nso sad,negative\nit is tuesday,neutral\n")
    result = CliRunner().invoke(app, ["eval", "sentiment", str(tiny), "--headroom"])
    assert result.exit_code == 1
    assert "--headroom: need at least 2 classes with 5 posts each" in result.output
