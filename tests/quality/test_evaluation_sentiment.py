import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from toolkit.analysis.tone.posts import LABELS, ToneScorer, VaderScorer
from toolkit.cli import app
from toolkit.quality.evaluation.sentiment import (
    EVAL_DATA_ENV,
    compare_scorers,
    dev_datasets,
    fixture_dataset,
    load_sentiment_csv,
    normalise_labels,
    sample_sentiment_dataset,
)

#: Our gain over VADER in macro-recall on the real dev tweets (TweetEval validation, tuned on:
#: measured +0.028: 0.626 vs 0.598), less a tolerance for changes that move a few tweets.
DEV_GAIN_FLOOR = 0.015


class KeywordScorer:
    name = "keyword"

    def score(self, texts):
        labels = [
            "positive" if "good" in t else "negative" if "bad" in t else "neutral" for t in texts
        ]
        return pd.DataFrame({"compound": [0.0] * len(texts), "label": labels})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Negative", "NEUTRAL", " positive "], ["negative", "neutral", "positive"]),
        (["neg", "neu", "pos"], ["negative", "neutral", "positive"]),
        ([-1, 0, 1], ["negative", "neutral", "positive"]),
        (["-1", "0", "1"], ["negative", "neutral", "positive"]),
        ([0, 2, 4], ["negative", "neutral", "positive"]),
        ([0.0, 4.0], ["negative", "positive"]),  # Sentiment140 test set: no neutral, floats
        ([4, 0, 4], ["positive", "negative", "positive"]),
    ],
)
def test_normalise_labels_accepts_common_encodings(raw, expected):
    assert normalise_labels(raw) == expected


def test_normalise_labels_refuses_unknown_and_ambiguous():
    with pytest.raises(ValueError, match="unknown gold labels.*happy"):
        normalise_labels(["positive", "happy"])
    with pytest.raises(ValueError, match="unknown gold labels.*'3'"):
        normalise_labels([0, 2, 3])
    with pytest.raises(ValueError, match="ambiguous"):
        normalise_labels([0, 1, 1])


def test_load_sentiment_csv(tmp_path):
    path = tmp_path / "tweets.csv"
    path.write_text('id,tweet,gold\n1,"good, really",4\n2,,0\n3,bad,0\n4,ok,2\n', encoding="utf-8")
    data = load_sentiment_csv(path, text="tweet", label="gold")
    assert data.to_dict("list") == {
        "text": ["good, really", "bad", "ok"],
        "label": ["positive", "negative", "neutral"],
    }
    with pytest.raises(ValueError, match="no column"):
        load_sentiment_csv(path, text="text", label="gold")


def test_sample_dataset_keeps_english_non_spam_labelled_posts(tmp_path):
    rows = [
        dict(text="fine", language="en", is_spam=False, sentiment="positive"),
        dict(text="hola", language="es", is_spam=False, sentiment="neutral"),
        dict(text="buy now", language="en", is_spam=True, sentiment="positive"),
        dict(text="  ", language="en", is_spam=False, sentiment="neutral"),
        dict(text="rt", language="en", is_spam=False, sentiment=None),
    ]
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert sample_sentiment_dataset(path).to_dict("list") == {
        "text": ["fine"],
        "label": ["positive"],
    }
    with pytest.raises(ValueError, match="not found"):
        sample_sentiment_dataset(tmp_path / "missing.jsonl")


def test_compare_scorers_by_hand():
    rows = compare_scorers(
        ["good", "bad", "meh", "good"],
        ["positive", "negative", "neutral", "neutral"],
        [KeywordScorer()],
    )
    (row,) = rows
    assert row["model"] == "keyword" and row["n"] == 4
    # recall: negative 1, neutral 1/2, positive 1 -> 5/6
    assert row["macro_recall"] == pytest.approx(5 / 6, abs=1e-4)
    assert row["accuracy"] == 0.75 and row["posts_per_s"] > 0
    assert set(row) == {"model", "n", "macro_recall", "macro_f1", "accuracy", "posts_per_s"}


def test_bundled_sets_are_big_balanced_and_disjoint():
    from toolkit.quality.benchmarks.tone import FIXTURE_SETS

    sets = {name: fixture_dataset(name) for name in FIXTURE_SETS}
    assert len(sets["dev"]) >= 300 and len(sets["holdout"]) >= 150
    seen = set()
    for data in sets.values():
        shares = data["label"].value_counts(normalize=True)
        assert set(shares.index) == set(LABELS) and shares.min() > 0.25
        assert not seen & set(data["text"])
        seen |= set(data["text"])


def test_cli_prints_one_json_line_per_model(tmp_path):
    path = tmp_path / "gold.csv"
    path.write_text(
        "body,y\nstill waiting for my refund,-1\nthank you so much!,1\nwhat time is it?,0\n"
    )
    result = CliRunner().invoke(
        app, ["eval", "sentiment", str(path), "--text", "body", "--label", "y"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [line["model"] for line in lines] == ["vader", "tone"]
    assert all(line["n"] == 3 and line["dataset"] == "gold.csv" for line in lines)
    assert {"macro_recall", "macro_f1", "accuracy", "posts_per_s"} <= set(lines[0])
    assert lines[1]["macro_recall"] == 1.0


def test_cli_adds_the_adaptive_model_on_request(tmp_path):
    path = tmp_path / "gold.csv"
    path.write_text("text,label\nstill waiting for my refund,-1\nthank you so much!,1\n")
    result = CliRunner().invoke(app, ["eval", "sentiment", str(path), "--adaptive"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [line["model"] for line in lines] == ["vader", "tone", "tone-adaptive"]


def test_cli_rejects_unknown_labels(tmp_path):
    path = tmp_path / "gold.csv"
    path.write_text("text,label\nhello,happy\n")
    result = CliRunner().invoke(app, ["eval", "sentiment", str(path)])
    assert result.exit_code != 0 and "unknown gold labels" in result.output


def test_tone_benchmark_runs_on_a_tiny_input(tmp_path):
    from toolkit.quality.benchmarks import tone as bench

    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(json.dumps({"text": t}) for t in ["good", "bad day", "ok"]))
    texts = bench.benchmark_texts(7, seed=1, labels_file=labels)
    assert len(texts) == 7 and set(texts) == {"good", "bad day", "ok"}
    assert texts == bench.benchmark_texts(7, seed=1, labels_file=labels)  # seeded
    figures = bench.throughput(KeywordScorer, texts, repeats=1)
    assert figures["posts_per_s"] > 0 and figures["peak_rss_mb"] > 0
    assert (
        "tone"
        in __import__(
            "toolkit.quality.benchmarks", fromlist=["available_suites"]
        ).available_suites()
    )


def test_dev_datasets_reads_the_shared_folder_and_is_empty_without_it(tmp_path, monkeypatch):
    monkeypatch.setenv(EVAL_DATA_ENV, str(tmp_path / "absent"))
    assert dev_datasets() == {}
    folder = tmp_path / "eval"
    (folder / "tweeteval").mkdir(parents=True)
    (folder / "tweeteval" / "sentiment_val.csv").write_text(
        "text,label\nso happy today!,positive\nworst day ever,negative\nit is tuesday,neutral\n"
    )
    monkeypatch.setenv(EVAL_DATA_ENV, str(folder))
    (data,) = dev_datasets().values()
    assert data["label"].tolist() == ["positive", "negative", "neutral"]


def test_tone_benchmark_quality_includes_the_shared_dev_set(tmp_path, monkeypatch):
    from toolkit.quality.benchmarks import tone as bench

    folder = tmp_path / "eval"
    (folder / "tweeteval").mkdir(parents=True)
    (folder / "tweeteval" / "sentiment_val.csv").write_text(
        "text,label\nso happy today!,positive\nworst day ever,negative\nit is tuesday,neutral\n"
    )
    quality = bench.quality(folder)
    row = quality["tweeteval_val"]
    assert row["tone"]["n"] == row["vader"]["n"] == 3
    assert {"macro_recall", "macro_f1", "accuracy"} <= set(row["tone"])
    assert set(quality) - {"sample"} == {"tweeteval_val", *bench.FIXTURE_SETS}
    assert set(quality) <= set(bench.SET_NOTES)
    # the embedding path is scored on the real sets only (3 posts: too few to adapt, so it is
    # the lexicon's figure), and not at all when switched off
    assert row["tone-adaptive"]["macro_recall"] == row["tone"]["macro_recall"]
    assert "macro_recall_gain_adaptive" in row
    assert "tone-adaptive" not in quality["holdout_final"]
    # the supervised ceiling needs 5 posts per class: the bench says why it is missing
    assert row["supervised_ceiling"].startswith("not measured: need at least 2 classes")
    assert "supervised_ceiling" not in quality["holdout_final"]
    assert "tone-adaptive" not in bench.quality(folder, adaptive=False)["tweeteval_val"]


@pytest.mark.skipif(not dev_datasets(), reason="shared dev data (../shared/eval) not present")
def test_tone_beats_vader_on_the_real_dev_tweets():
    data = dev_datasets()["tweeteval_val"]
    vader, ours = compare_scorers(
        data["text"].tolist(), data["label"].tolist(), [VaderScorer(), ToneScorer()]
    )
    assert ours["macro_recall"] - vader["macro_recall"] >= DEV_GAIN_FLOOR


@pytest.mark.slow
@pytest.mark.skipif(not dev_datasets(), reason="shared dev data (../shared/eval) not present")
def test_adaptive_tone_is_ahead_of_the_lexicon_on_the_real_dev_tweets():
    from toolkit.analysis.tone.adaptive import AdaptiveToneScorer

    data = dev_datasets()["tweeteval_val"]
    ours, adaptive = compare_scorers(
        data["text"].tolist(), data["label"].tolist(), [ToneScorer(), AdaptiveToneScorer()]
    )
    assert adaptive["macro_recall"] >= ours["macro_recall"] + 0.005
