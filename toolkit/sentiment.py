"""Tone of posts: a swappable scorer (VADER baseline), sentiment mix per group, and evaluation.

A scorer is anything with a `name` and `score(texts) -> DataFrame[compound, label]`, where
`compound` is a score in [-1, 1] and `label` is negative / neutral / positive
(`SentimentScorer`). `score_posts` adds them to a posts frame as `sentiment_compound` and
`sentiment`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, recall_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from toolkit.engagement import Authors, select_posts
from toolkit.pseudonymise import HANDLE_IN_TEXT

LABELS = ["negative", "neutral", "positive"]
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
SCORE_COLUMN, LABEL_COLUMN = "sentiment_compound", "sentiment"


@runtime_checkable
class SentimentScorer(Protocol):
    """What the reports need from a sentiment model."""

    name: str

    def score(self, texts: Sequence[str]) -> pd.DataFrame:
        """One row per text, in order: `compound` (float in [-1, 1]) and `label` (see LABELS)."""
        ...


def neutralise(text: str | None) -> str:
    """Text with @mentions and URLs removed, so handles like @happy do not carry tone."""
    if not isinstance(text, str):
        return ""
    text = URL.sub(" ", HANDLE_IN_TEXT.sub(" ", text))
    return re.sub(r"[ \t]+", " ", text).strip()


class VaderScorer:
    """VADER (Hutto & Gilbert, ICWSM 2014) via vaderSentiment; the lexicon ships with the package.

    ``label = positive if compound >= pos_threshold, negative if compound <= neg_threshold,
    else neutral``; the defaults +-0.05 are the thresholds recommended by VADER's authors.

    Parameters
    ----------
    pos_threshold, neg_threshold : float
        Compound-score cut-offs.
    """

    name = "vader"

    def __init__(self, pos_threshold: float = 0.05, neg_threshold: float = -0.05):
        if neg_threshold > pos_threshold:
            raise ValueError("neg_threshold must not exceed pos_threshold")
        self.pos_threshold = pos_threshold
        self.neg_threshold = neg_threshold
        self._analyzer = SentimentIntensityAnalyzer()

    def __repr__(self) -> str:
        return (
            f"VaderScorer(pos_threshold={self.pos_threshold}, neg_threshold={self.neg_threshold})"
        )

    def label(self, compound: float) -> str:
        """The label of one compound score."""
        if compound >= self.pos_threshold:
            return "positive"
        if compound <= self.neg_threshold:
            return "negative"
        return "neutral"

    def score(self, texts: Sequence[str]) -> pd.DataFrame:
        """Compound score and label per text (mentions and URLs neutralised first).

        Parameters
        ----------
        texts : sequence of str
            Post texts; None / NaN score as neutral 0.
        """
        compounds = [self._analyzer.polarity_scores(neutralise(t))["compound"] for t in texts]
        return pd.DataFrame(
            {
                "compound": pd.Series(compounds, dtype="float64"),
                "label": pd.Series([self.label(c) for c in compounds], dtype="object"),
            }
        )


def score_posts(posts: pd.DataFrame, scorer: SentimentScorer) -> pd.DataFrame:
    """A copy of `posts` with `sentiment_compound` and `sentiment` (label) from `scorer`.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    scorer : SentimentScorer
        E.g. `VaderScorer()`.
    """
    scored = scorer.score(posts["text"].tolist())
    out = posts.copy()
    out[SCORE_COLUMN] = scored["compound"].to_numpy(dtype="float64")
    out[LABEL_COLUMN] = scored["label"].to_numpy(dtype="object")
    return out


def sentiment_mix(
    posts: pd.DataFrame, by: Sequence[str] = ("platform",), authors: Authors = "customers"
) -> pd.DataFrame:
    """Share of negative / neutral / positive posts (and mean compound score) per group.

    ``share_<label> = posts with that label / n_posts`` in the group. By default only
    customer posts (not the brand's, not shares) count: the report is about customers' tone.

    Parameters
    ----------
    posts : DataFrame
        Posts with a `sentiment` label column (see `score_posts`); `sentiment_compound` optional.
    by : sequence of str
        Grouping columns; empty for one overall row.
    authors : {"all", "brand", "customers"}
        Whose posts to count.
    """
    if LABEL_COLUMN not in posts.columns:
        raise ValueError("posts have no 'sentiment' column: run sentiment.score_posts first")
    by = list(by)
    frame = select_posts(posts, authors)
    shares = {
        f"share_{label}": (frame[LABEL_COLUMN] == label).astype("float64") for label in LABELS
    }
    score = (
        frame[SCORE_COLUMN]
        if SCORE_COLUMN in frame.columns
        else pd.Series(float("nan"), index=frame.index)
    )
    frame = frame.assign(**shares, _score=score.astype("float64"))
    keys = by or [pd.Series(0, index=frame.index)]
    aggregations = {
        "n_posts": ("author", "size"),
        "n_authors": ("author", "nunique"),
        **{name: (name, "mean") for name in shares},
        "mean_compound": ("_score", "mean"),
    }
    out = frame.groupby(keys).agg(**aggregations).reset_index(drop=not by)
    out[["n_posts", "n_authors"]] = out[["n_posts", "n_authors"]].astype("int64")
    return out


@dataclass(frozen=True)
class SentimentEvaluation:
    """Scores of a sentiment scorer against gold labels."""

    scorer: str
    n: int
    macro_recall: float
    macro_f1: float
    accuracy: float
    posts_per_second: float
    #: Rows: gold label, columns: predicted label (LABELS order).
    confusion: pd.DataFrame


def evaluate_sentiment(
    texts: Sequence[str], labels: Sequence[str], scorer: SentimentScorer
) -> SentimentEvaluation:
    """Macro recall, macro F1 and accuracy of `scorer` on gold `labels`, and its throughput.

    Macro averages weigh negative, neutral and positive equally (sklearn.metrics, labels
    fixed to LABELS so a class missing from the predictions still counts, as 0).

    Parameters
    ----------
    texts : sequence of str
        Texts to score.
    labels : sequence of str
        Gold labels, one of LABELS per text.
    scorer : SentimentScorer
        The model to evaluate.
    """
    texts, labels = list(texts), list(labels)
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise ValueError(f"unknown gold labels: {sorted(unknown)}")
    started = time.perf_counter()
    predicted = scorer.score(texts)["label"].tolist()
    elapsed = time.perf_counter() - started
    kwargs = {"labels": LABELS, "average": "macro", "zero_division": 0}
    return SentimentEvaluation(
        scorer=scorer.name,
        n=len(texts),
        macro_recall=float(recall_score(labels, predicted, **kwargs)) if texts else float("nan"),
        macro_f1=float(f1_score(labels, predicted, **kwargs)) if texts else float("nan"),
        accuracy=float(accuracy_score(labels, predicted)) if texts else float("nan"),
        posts_per_second=len(texts) / elapsed if elapsed > 0 else float("inf"),
        confusion=pd.DataFrame(
            confusion_matrix(labels, predicted, labels=LABELS) if texts else [[0] * 3] * 3,
            index=pd.Index(LABELS, name="gold"),
            columns=pd.Index(LABELS, name="predicted"),
        ),
    )
