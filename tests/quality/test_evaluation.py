"""Tests for toolkit.quality.evaluation.topics (the PII evaluation is tested in test_evaluation_pii.py)."""

import pytest


def test_npmi_and_diversity_hand_computed():
    from toolkit.quality.evaluation.topics import npmi_coherence, topic_diversity

    texts = ["apple banana", "apple banana", "cherry date", "cherry"]
    # apple/banana always together: NPMI 1; cherry/date: p(c,d)=1/4, p(c)=1/2, p(d)=1/4 -> log(2)/log(4) = 0.5
    assert npmi_coherence([["apple", "banana"]], texts) == pytest.approx(1.0)
    assert npmi_coherence([["cherry", "date"]], texts) == pytest.approx(0.5)
    assert npmi_coherence([["apple", "cherry"]], texts) == -1.0
    assert topic_diversity([["a", "b"], ["b", "c"]]) == 0.75


def test_evaluate_topic_model_with_a_fake_model():
    from toolkit.quality.evaluation.topics import evaluate_topic_model

    texts = ["a b", "a b", "c d", "c e"]

    def fit_predict(docs):
        return [0, 0, 1, -1], {0: ["a", "b"], 1: ["c", "d"], -1: []}

    out = evaluate_topic_model("fake", texts, ["x", "x", "y", "y"], fit_predict)
    assert out["n_topics"] == 2 and out["outlier_share"] == 0.25 and out["n_docs"] == 4
    assert 0 < out["nmi"] < 1 and out["diversity"] == 1.0


def test_handwritten_topic_fixture_is_a_usable_labelled_set():
    from pathlib import Path

    import pandas as pd

    data = pd.read_csv(Path(__file__).parents[1] / "fixtures" / "topics" / "handwritten.csv")
    assert list(data.columns) == ["text", "label"]
    assert len(data) == 456 and data["text"].is_unique and data.notna().all().all()
    sizes = data["label"].value_counts()
    assert len(sizes) == 12 and sizes.min() == 17 and sizes.max() == 60
