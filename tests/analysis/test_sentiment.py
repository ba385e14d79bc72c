import json
import math

import pandas as pd
import pytest
from helpers import make_posts

from toolkit.analysis.tone.adaptive import AdaptiveToneScorer
from toolkit.analysis.tone.posts import (
    LABELS,
    SentimentScorer,
    ToneScorer,
    VaderScorer,
    default_scorer,
    neutralise,
    score_posts,
    sentiment_mix,
)
from toolkit.core.paths import SAMPLE_DIR
from toolkit.core.schema import empty_posts
from toolkit.quality.evaluation.sentiment import evaluate_sentiment


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


# ------------------------------------------------------------------ ToneScorer
@pytest.fixture(scope="module")
def tone():
    return ToneScorer()


def labels_of(scorer, texts):
    return scorer.score(texts)["label"].tolist()


def test_tone_follows_the_protocol_and_handles_empty_input(tone):
    assert isinstance(tone, SentimentScorer) and tone.name == "tone"
    out = tone.score(["", None, float("nan"), "@someone https://x.example"])
    assert list(out.columns) == ["compound", "label"]
    assert out["compound"].tolist() == [0.0] * 4 and set(out["label"]) == {"neutral"}
    assert tone.score([]).empty
    assert tone.label(tone.pos_threshold) == "positive"
    assert tone.label(tone.neg_threshold) == "negative"
    assert tone.label(0.0) == "neutral"
    with pytest.raises(ValueError):
        ToneScorer(pos_threshold=-0.5, neg_threshold=0.5)


def test_tone_scores_stay_in_range(tone):
    texts = ["LOVE LOVE LOVE!!!! 😍😍😍😍 best ever", "worst worst worst!!! 😡😡😡 hate it"]
    scores = tone.score(texts)["compound"]
    assert scores.iloc[0] > 0.9 and scores.iloc[1] < -0.9
    assert scores.abs().max() <= 1.0


def test_domain_complaints_vader_misses(tone, vader):
    complaints = [
        "@airline still waiting for my refund",
        "@telco on hold for 2 hours",
        "@airline flight cancelled, rebooked for thursday",
        "@isp internet down again",
        "@airline lost my bag",
    ]
    assert labels_of(tone, complaints) == ["negative"] * 5
    assert labels_of(vader, complaints).count("negative") < 5  # why we need our own model


def test_negation(tone):
    assert labels_of(tone, ["the food was not bad at all"]) == ["positive"]
    assert labels_of(tone, ["the app isn't working"]) == ["negative"]
    assert labels_of(tone, ["my parcel never arrived"]) == ["negative"]
    assert labels_of(tone, ["this is not good"]) == ["negative"]
    # a negator only reaches three words back and stops at punctuation
    assert labels_of(tone, ["no. great service"]) == ["positive"]


def test_negation_is_not_read_from_a_phrase(tone):
    # "can't believe" is a phrase of its own: it does not flip "cancelled"
    assert labels_of(tone, ["can't believe they cancelled my flight"]) == ["negative"]
    # a phrase ending in a negator still negates what follows it
    assert labels_of(tone, ["the landlord still hasn't fixed the heating"]) == ["negative"]


def test_emoji_emoticons_and_emoji_only_posts(tone):
    assert labels_of(tone, ["😍", "😡", "👍🏽", ":)", ":(", "❤️"]) == [
        "positive",
        "negative",
        "positive",
        "positive",
        "negative",
        "positive",
    ]


def test_intensifiers_caps_and_elongation_add_emphasis(tone):
    base, boosted, caps, long = tone.score(
        ["the crew was good", "the crew was very good", "the crew was GOOD", "the crew was goooood"]
    )["compound"]
    assert boosted > base and caps > base and long > base


def test_sarcasm_flips_praise(tone):
    assert labels_of(tone, ["Great, another outage. Just what I needed 🙄"]) == ["negative"]
    assert labels_of(tone, ["thanks for nothing"]) == ["negative"]
    assert labels_of(tone, ["love waiting on hold for an hour"]) == ["negative"]
    assert labels_of(tone, ["best service ever /s"]) == ["negative"]
    # sincere thanks after a contrast are kept
    assert labels_of(tone, ["the flight was delayed but the crew were great, thanks!"]) == [
        "positive"
    ]


def test_questions_and_requests_are_neutral(tone, vader):
    requests = [
        "@airline can you help me change my seat please?",
        "@telco how do I set up autopay?",
        "@shop could you please check my order, thanks",
    ]
    assert labels_of(tone, requests) == ["neutral"] * 3
    asked, told = tone.score(["is flight 12 delayed?", "flight 12 delayed."])["compound"]
    assert told < asked < 0
    assert labels_of(vader, requests)[0] == "positive"  # VADER reads "help" and "please"
    # a rhetorical "why" question still complains
    assert labels_of(tone, ["why is my flight delayed again?"]) == ["negative"]


def test_mentions_urls_and_hashtags(tone):
    assert tone.score(["@happy @love_it"])["compound"].tolist() == [0.0]
    assert tone.score(["https://great.example/awesome"])["compound"].tolist() == [0.0]
    assert labels_of(tone, ["my flight again #NeverAgain"]) == ["negative"]
    assert labels_of(tone, ["#BestDayEver"]) == ["positive"]


def test_title_case_names_are_damped(tone):
    named, plain = tone.score(["watching Star Wars tonight", "watching wars tonight"])["compound"]
    assert abs(named) < abs(plain)
    assert labels_of(tone, ["watching Star Wars tonight"]) == ["neutral"]


def test_tone_beats_vader_on_the_bundled_sets():
    from toolkit.quality.evaluation.sentiment import fixture_dataset

    for name in ("dev", "holdout"):
        data = fixture_dataset(name)
        ours = evaluate_sentiment(data["text"], data["label"], ToneScorer())
        base = evaluate_sentiment(data["text"], data["label"], VaderScorer())
        assert ours.macro_recall >= base.macro_recall + 0.05, name


def test_score_posts_defaults_to_our_model():
    assert isinstance(default_scorer(), ToneScorer)
    out = score_posts(make_posts(dict(text="still waiting for a refund")))
    assert out["sentiment"].tolist() == ["negative"]


@pytest.mark.parametrize("name", ["tone_lexicon.tsv", "tone_emoji.tsv"])
def test_tone_resources_are_well_formed(name):
    from importlib import resources

    lines = resources.files("toolkit").joinpath("resources", name).read_text(encoding="utf-8")
    terms = [line.split("\t") for line in lines.splitlines() if line and not line.startswith("#")]
    assert all(len(parts) == 2 for parts in terms)
    assert all(-4.0 <= float(value) <= 4.0 for _, value in terms)
    keys = [term for term, _ in terms]
    assert len(keys) == len(set(keys)), "a term is listed twice"
    assert all(term == term.strip() and term for term in keys)


def test_tone_reads_html_escapes_as_the_characters_they_stand_for():
    # Twitter's API sends "&gt;" for ">": "gt" is a positive VADER token and must not score
    scorer = ToneScorer()
    assert scorer.compound("results &gt; expectations") == 0.0
    assert scorer.score(["results &gt; expectations"])["label"].tolist() == ["neutral"]


@pytest.mark.parametrize(
    "text", ["Merry Christmas to all", "Happy Birthday Sam", "Thank God it's Friday"]
)
def test_title_case_greetings_keep_their_tone(text):
    assert ToneScorer().score([text])["label"].tolist() == ["positive"]


# ------------------------------------------------------------------ AdaptiveToneScorer
class HashingEmbedder:
    """A tiny deterministic bag-of-words embedder standing in for MiniLM."""

    def encode(self, texts):
        from sklearn.feature_extraction.text import HashingVectorizer

        return HashingVectorizer(n_features=1024, alternate_sign=False).transform(texts).toarray()


def _adaptive_corpus(n=30):
    # "zorb" and "blick" are no lexicon's words: only the corpus says what they mean
    # each word of tone is rare, the made-up word is in every post of its side
    good = ["love", "great", "awesome", "wonderful", "happy", "excellent"]
    bad = ["awful", "hate", "terrible", "horrible", "sad", "worst"]
    positive = [f"{good[i % 6]} zorb" for i in range(n)]
    negative = [f"{bad[i % 6]} blick" for i in range(n)]
    neutral = [f"meeting moved to room {i}" for i in range(n)]
    return positive + negative + neutral + ["zorb zorb", "blick blick"]


def test_adaptive_learns_the_corpus_own_words():
    texts = _adaptive_corpus()
    lexicon = ToneScorer().score(texts)["label"].tolist()
    assert lexicon[-2:] == ["neutral", "neutral"]  # the lexicon alone cannot tell
    adaptive = AdaptiveToneScorer(embedder=HashingEmbedder()).score(texts)
    assert adaptive["label"].tolist()[-2:] == ["positive", "negative"]
    assert adaptive["compound"].between(-1, 1).all()
    # the confident posts keep their lexicon label
    assert adaptive["label"].tolist()[:90] == lexicon[:90]


def test_adaptive_is_deterministic():
    texts = _adaptive_corpus()
    first = AdaptiveToneScorer(embedder=HashingEmbedder()).score(texts)
    second = AdaptiveToneScorer(embedder=HashingEmbedder()).score(texts)
    pd.testing.assert_frame_equal(first, second)


def test_adaptive_falls_back_to_the_lexicon_without_enough_confident_posts():
    class Refuses:
        def encode(self, texts):
            raise AssertionError("should not embed")

    texts = ["love it", "hate it", "the meeting is at noon", "zorb"]
    got = AdaptiveToneScorer(embedder=Refuses(), min_per_class=2).score(texts)
    want = ToneScorer().score(texts)
    pd.testing.assert_frame_equal(got, want)
    assert isinstance(AdaptiveToneScorer(embedder=Refuses()), SentimentScorer)


def test_adaptive_weight_one_is_the_lexicon():
    texts = _adaptive_corpus()
    got = AdaptiveToneScorer(embedder=HashingEmbedder(), lexicon_weight=1.0).score(texts)
    pd.testing.assert_frame_equal(got, ToneScorer().score(texts))


@pytest.mark.parametrize(
    "kwargs", [{"lexicon_weight": 1.5}, {"lexicon_weight": -0.1}, {"confidence": 0.0}]
)
def test_adaptive_rejects_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        AdaptiveToneScorer(**kwargs)
