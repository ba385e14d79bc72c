import json

import pytest

from toolkit.evaluation.pii import evaluate_pii, load_pii_dataset, sample_pii_dataset
from toolkit.privacy import Span


def fake_detect(text):
    i = text.find("a@b.co")
    spans = [Span(i, i + 6, "EMAIL_ADDRESS", 1.0, "a@b.co")] if i >= 0 else []
    j = text.find("Bob")
    return spans + ([Span(j, j + 3, "PERSON", 1.0, "Bob")] if j >= 0 else [])


RECORDS = [
    {"full_text": "mail a@b.co now", "spans": [{"entity_type": "EMAIL_ADDRESS", "entity_value": "a@b.co",
                                               "start_position": 5, "end_position": 11}]},
    {"full_text": "call 555 0100", "spans": [{"entity_type": "PHONE_NUMBER", "entity_value": "555 0100",
                                             "start_position": 5, "end_position": 13}]},
    {"full_text": "hi Bob", "spans": []},
]


def test_scores_by_overlap_hand_computed():
    out = evaluate_pii(RECORDS, detect=fake_detect)
    assert out["n_posts"] == 3 and out["recall"] == 0.5 and out["precision"] == 0.5
    assert out["f2"] == pytest.approx(0.5)
    assert out["per_type"]["EMAIL_ADDRESS"]["recall"] == 1.0
    assert out["per_type"]["PHONE_NUMBER"]["recall"] == 0.0
    assert out["per_type"]["PERSON"]["precision"] == 0.0  # predicted, not labelled


def test_load_rejects_other_shapes(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps({"text": "no"}))
    with pytest.raises(ValueError, match="full_text"):
        load_pii_dataset(bad)


def test_sample_export_and_the_detector_on_it():
    records = sample_pii_dataset()
    assert sum(len(r["spans"]) for r in records) >= 300
    for r in records[:200]:
        for s in r["spans"]:
            assert r["full_text"][s["start_position"]:s["end_position"]] == s["entity_value"]
    out = evaluate_pii(records)
    structured = ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD"]
    assert all(out["per_type"][t]["recall"] >= 0.98 for t in structured)
    assert out["per_type"]["PERSON"]["recall"] >= 0.85


def test_npmi_and_diversity_hand_computed():
    from toolkit.evaluation.topics import npmi_coherence, topic_diversity

    texts = ["apple banana", "apple banana", "cherry date", "cherry"]
    # apple/banana always together: NPMI 1; cherry/date: p(c,d)=1/4, p(c)=1/2, p(d)=1/4 -> log(2)/log(4) = 0.5
    assert npmi_coherence([["apple", "banana"]], texts) == pytest.approx(1.0)
    assert npmi_coherence([["cherry", "date"]], texts) == pytest.approx(0.5)
    assert npmi_coherence([["apple", "cherry"]], texts) == -1.0
    assert topic_diversity([["a", "b"], ["b", "c"]]) == 0.75


def test_evaluate_topic_model_with_a_fake_model():
    from toolkit.evaluation.topics import evaluate_topic_model

    texts = ["a b", "a b", "c d", "c e"]

    def fit_predict(docs):
        return [0, 0, 1, -1], {0: ["a", "b"], 1: ["c", "d"], -1: []}

    out = evaluate_topic_model("fake", texts, ["x", "x", "y", "y"], fit_predict)
    assert out["n_topics"] == 2 and out["outlier_share"] == 0.25 and out["n_docs"] == 4
    assert 0 < out["nmi"] < 1 and out["diversity"] == 1.0
