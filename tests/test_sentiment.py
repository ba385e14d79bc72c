import json
import math

import pandas as pd
import pytest
from helpers import make_posts

from toolkit.config import SAMPLE_DIR
from toolkit.schema import empty_posts
from toolkit.sentiment import (
    LABELS,
    SentimentScorer,
    VaderScorer,
    evaluate_sentiment,
    neutralise,
    score_posts,
    sentiment_mix,
)


class FixedScorer:
    """A stand-in model: label by keyword, to test the protocol and the evaluation."""

    name = "fixed"

    def score(self, texts):
        labels = [
            "positive" if "good" in t else "negative" if "bad" in t else "neutral" for t in texts
        ]
        compound = [{"positive": 0.5, "negative": -0.5, "neutral": 0.0}[label] for label in labels]
        return pd.DataFrame({"compound": compound, "label": labels})


@pytest.fixture(scope="module")
def vader():
    return VaderScorer()


def test_vader_labels_and_thresholds(vader):
    out = vader.score(
        [
            "I love it, works great!",
            "This is terrible and broken.",
            "The hub is on the shelf.",
            None,
        ]
    )
    assert list(out.columns) == ["compound", "label"]
    assert out["label"].tolist() == ["positive", "negative", "neutral", "neutral"]
    assert out["compound"].iloc[3] == 0.0
    assert vader.label(0.05) == "positive" and vader.label(0.0499) == "neutral"
    assert vader.label(-0.05) == "negative" and vader.label(-0.0499) == "neutral"
    assert isinstance(vader, SentimentScorer) and vader.name == "vader"


def test_mentions_and_urls_are_neutralised(vader):
    assert (
        neutralise("@happy my bulb died https://great.example/love www.win.example")
        == "my bulb died"
    )
    assert neutralise("thanks @u_0123456789abcdef @dana@social.example!") == "thanks !"
    # "@happy" would otherwise read as positive and cancel the complaint
    assert vader.score(["@happy my bulb died"])["label"].tolist() == ["negative"]
    assert vader.score(["@great"])["compound"].tolist() == [0.0]


def test_score_posts_adds_columns(vader):
    posts = make_posts(dict(text="great app"), dict(text="awful outage"))
    out = score_posts(posts, vader)
    assert out["sentiment"].tolist() == ["positive", "negative"]
    assert out["sentiment_compound"].iloc[0] > 0 > out["sentiment_compound"].iloc[1]
    assert "sentiment" not in posts.columns  # input untouched
    empty = score_posts(empty_posts(), vader)
    assert empty.empty and {"sentiment", "sentiment_compound"} <= set(empty.columns)


def test_sentiment_mix_by_hand():
    posts = make_posts(
        dict(author="u_a", text="good"),
        dict(author="u_a", text="bad"),
        dict(author="u_b", text="bad"),
        dict(author="u_c", text="meh"),
        dict(author="u_d", platform="reddit", text="good"),
        dict(author="NimbusHome", is_brand=True, text="good"),  # brand: excluded by default
        dict(author="u_e", post_type="share", text="bad"),  # share: excluded
    )
    scored = score_posts(posts, FixedScorer())
    out = sentiment_mix(scored, by=["platform"]).set_index("platform")
    twitter = out.loc["twitter"]
    assert (twitter["n_posts"], twitter["n_authors"]) == (4, 3)
    assert twitter["share_negative"] == pytest.approx(0.5)
    assert twitter["share_neutral"] == pytest.approx(0.25)
    assert twitter["share_positive"] == pytest.approx(0.25)
    assert twitter["mean_compound"] == pytest.approx(-0.125)
    assert out.loc["reddit", "share_positive"] == 1.0
    overall = sentiment_mix(scored, by=[], authors="all")
    assert overall["n_posts"].tolist() == [6] and overall["share_positive"].iloc[
        0
    ] == pytest.approx(0.5)


def test_sentiment_mix_needs_labels_and_handles_empty():
    with pytest.raises(ValueError, match="score_posts"):
        sentiment_mix(make_posts(dict(text="x")))
    out = sentiment_mix(score_posts(empty_posts(), FixedScorer()), by=["platform"])
    assert out.empty and {"platform", "n_posts", "n_authors", "share_negative"} <= set(out.columns)


def test_evaluate_sentiment_by_hand():
    texts = ["good", "bad", "meh", "good", "bad"]
    gold = ["positive", "negative", "neutral", "negative", "neutral"]
    result = evaluate_sentiment(texts, gold, FixedScorer())
    # recall: negative 1/2, neutral 1/2, positive 1/1 -> macro 2/3
    assert result.macro_recall == pytest.approx(2 / 3)
    # precision: negative 1/2, neutral 1/1, positive 1/2; F1: 1/2, 2/3, 2/3
    assert result.macro_f1 == pytest.approx((1 / 2 + 2 / 3 + 2 / 3) / 3)
    assert result.accuracy == pytest.approx(3 / 5)
    assert result.n == 5 and result.scorer == "fixed" and result.posts_per_second > 0
    assert result.confusion.loc["negative", "positive"] == 1
    assert list(result.confusion.columns) == LABELS


def test_evaluate_sentiment_rejects_bad_input():
    with pytest.raises(ValueError):
        evaluate_sentiment(["a"], ["positive", "negative"], FixedScorer())
    with pytest.raises(ValueError):
        evaluate_sentiment(["a"], ["happy"], FixedScorer())
    empty = evaluate_sentiment([], [], FixedScorer())
    assert empty.n == 0 and math.isnan(empty.accuracy)


LABELS_FILE = SAMPLE_DIR / "labels.jsonl"


@pytest.mark.skipif(not LABELS_FILE.exists(), reason="bundled sample not generated yet")
def test_vader_on_sample_labels_beats_chance(vader):
    items = [
        json.loads(line)
        for line in LABELS_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    items = [
        i for i in items if not i.get("is_brand") and not i.get("is_spam") and i.get("sentiment")
    ][:2000]
    result = evaluate_sentiment([i["text"] for i in items], [i["sentiment"] for i in items], vader)
    assert result.macro_recall > 0.4  # chance is 1/3
