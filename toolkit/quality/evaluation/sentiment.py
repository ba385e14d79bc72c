"""Sentiment scorers evaluated against gold labels (`toolkit eval sentiment`).

Macro recall (the SemEval-2017 Task 4A measure), macro F1, accuracy and throughput of each
scorer on labelled texts; gold labels in the common encodings are mapped to
negative / neutral / positive first.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, recall_score

from toolkit.analysis.tone.posts import LABELS, SentimentScorer
from toolkit.core.paths import PROJECT_DIR, SAMPLE_DIR

#: Gold label spellings of common datasets -> our labels (Sentiment140 0/2/4, -1/0/1, 1-3 ...).
LABEL_ALIASES = {
    "negative": "negative", "neg": "negative", "-1": "negative", "0": "negative", "4": "positive",
    "neutral": "neutral", "neu": "neutral", "2": "neutral",
    "positive": "positive", "pos": "positive", "1": "positive",
}  # fmt: skip
FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "tone"
#: Environment variable naming the shared evaluation folder; default ``../shared/eval`` beside
#: the checkout. It holds development data, never part of the repository.
EVAL_DATA_ENV = "TOOLKIT_EVAL_DATA"
#: Real labelled posts in the shared evaluation folder: name -> (path inside it, text, label).
#: TweetEval's validation split is the development set the tone model is tuned on; its test
#: split stays unseen. TweetEval may be used to measure, never to train what ships.
DEV_SETS = {"tweeteval_val": ("tweeteval/sentiment_val.csv", "text", "label")}


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

    def as_dict(self) -> dict:
        """JSON-able figures (one line of `toolkit eval sentiment`)."""
        return {
            "model": self.scorer,
            "n": self.n,
            "macro_recall": round(self.macro_recall, 4),
            "macro_f1": round(self.macro_f1, 4),
            "accuracy": round(self.accuracy, 4),
            "posts_per_s": round(self.posts_per_second),
        }


def normalise_labels(labels: Sequence) -> list[str]:
    """Gold labels mapped to negative / neutral / positive.

    Accepts our labels in any case, neg/neu/pos, -1/0/1 and Sentiment140's 0/2/4. Integer
    labels are read as -1/0/1 when a -1 occurs, as 0/2/4 when a 2 or 4 occurs (0 is then
    negative); a set of only 0 and 1 is ambiguous and refused.

    Parameters
    ----------
    labels : sequence
        Gold labels (str, int or float).

    Raises
    ------
    ValueError
        On a label outside these encodings, or an ambiguous numeric encoding.
    """
    raw = [_as_text(label) for label in labels]
    numeric = {r for r in raw if r.lstrip("-").isdigit()}
    if numeric and numeric <= {"0", "1"} and not set(raw) - numeric:
        raise ValueError("numeric labels 0/1 are ambiguous: use -1/0/1, 0/2/4 or names")
    three_point = "-1" in numeric or (
        "0" in numeric and "1" in numeric and not numeric & {"2", "4"}
    )
    out, unknown = [], set()
    for r in raw:
        if three_point and r in ("-1", "0", "1"):
            out.append({"-1": "negative", "0": "neutral", "1": "positive"}[r])
        elif r in LABEL_ALIASES and not (r == "1" and numeric & {"2", "4"}):
            out.append(LABEL_ALIASES[r])
        else:
            unknown.add(r)
    if unknown:
        raise ValueError(
            f"unknown gold labels: {sorted(unknown)[:10]}; use negative/neutral/positive, "
            "-1/0/1 or 0/2/4"
        )
    return out


def _as_text(label) -> str:
    if isinstance(label, float) and label.is_integer():
        label = int(label)
    return str(label).strip().lower()


def evaluate_sentiment(
    texts: Sequence[str], labels: Sequence[str], scorer: SentimentScorer
) -> SentimentEvaluation:
    """Macro recall, macro F1 and accuracy of `scorer` on gold `labels`, and its throughput.

    Macro averages weigh negative, neutral and positive equally (sklearn.metrics, labels
    fixed to LABELS so a class missing from the predictions still counts, as 0).
    ``posts_per_second = len(texts) / wall seconds of scorer.score(texts)``.

    Parameters
    ----------
    texts : sequence of str
        Texts to score.
    labels : sequence of str
        Gold labels, one of LABELS per text (see `normalise_labels` for other encodings).
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
    return SentimentEvaluation(
        scorer=scorer.name,
        n=len(texts),
        **macro_scores(labels, predicted),
        posts_per_second=len(texts) / elapsed if elapsed > 0 else float("inf"),
        confusion=pd.DataFrame(
            confusion_matrix(labels, predicted, labels=LABELS) if texts else [[0] * 3] * 3,
            index=pd.Index(LABELS, name="gold"),
            columns=pd.Index(LABELS, name="predicted"),
        ),
    )


def macro_scores(labels: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Macro recall, macro F1 and accuracy of `predicted` against gold `labels` (NaN when
    empty); the three classes of LABELS weigh equally, a class never predicted counts as 0."""
    if not len(labels):
        return {"macro_recall": float("nan"), "macro_f1": float("nan"), "accuracy": float("nan")}
    kwargs = {"labels": LABELS, "average": "macro", "zero_division": 0}
    return {
        "macro_recall": float(recall_score(labels, predicted, **kwargs)),
        "macro_f1": float(f1_score(labels, predicted, **kwargs)),
        "accuracy": float(accuracy_score(labels, predicted)),
    }


def load_sentiment_csv(path: str | Path, text: str = "text", label: str = "label") -> pd.DataFrame:
    """A labelled CSV as a frame of `text` and normalised `label` (rows without text dropped).

    Parameters
    ----------
    path : str or Path
        CSV file with a header row.
    text, label : str
        Names of its text and gold-label columns.
    """
    data = pd.read_csv(path, dtype={label: str}, keep_default_na=False, na_values=[""])
    missing = [c for c in (text, label) if c not in data.columns]
    if missing:
        raise ValueError(
            f"{Path(path).name}: no column(s) {missing}; columns are {list(data.columns)}"
        )
    data = data.dropna(subset=[text, label])
    return pd.DataFrame(
        {"text": data[text].astype(str).tolist(), "label": normalise_labels(data[label].tolist())}
    )


def sample_sentiment_dataset(labels_file: Path = SAMPLE_DIR / "labels.jsonl") -> pd.DataFrame:
    """The bundled sample's planted tone: English, non-spam posts with a sentiment label.

    Parameters
    ----------
    labels_file : Path
        The sample's ground truth (`labels.jsonl`).
    """
    if not Path(labels_file).exists():
        raise ValueError(f"{labels_file} not found: give a labelled CSV or run `toolkit sample`")
    items = pd.read_json(labels_file, lines=True, dtype={"post_id": str})
    keep = (
        (items["language"] == "en")
        & ~items["is_spam"].astype(bool)
        & items["sentiment"].isin(LABELS)
        & items["text"].astype(str).str.strip().ne("")
    )
    items = items[keep]
    return pd.DataFrame({"text": items["text"].tolist(), "label": items["sentiment"].tolist()})


def shared_eval_dir() -> Path:
    """The shared evaluation folder: ``$TOOLKIT_EVAL_DATA``, else ``../shared/eval`` beside the
    checkout (it may not exist)."""
    configured = os.environ.get(EVAL_DATA_ENV)
    if configured:
        return Path(configured)
    return PROJECT_DIR.parent / "shared" / "eval"


def dev_datasets(folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """The real labelled sets of `DEV_SETS` found in the shared folder (none when absent).

    Parameters
    ----------
    folder : Path, optional
        The shared evaluation folder; default `shared_eval_dir()`.
    """
    folder = Path(folder) if folder is not None else shared_eval_dir()
    out = {}
    for name, (relative, text, label) in DEV_SETS.items():
        if (folder / relative).is_file():
            out[name] = load_sentiment_csv(folder / relative, text, label)
    return out


def fixture_dataset(name: str) -> pd.DataFrame:
    """A hand-labelled tone set bundled with the tests: "dev" or "holdout"."""
    return load_sentiment_csv(FIXTURES / f"{name}.csv")


def compare_scorers(
    texts: Sequence[str], labels: Sequence[str], scorers: Sequence[SentimentScorer]
) -> list[dict]:
    """`evaluate_sentiment(...).as_dict()` of each scorer on the same data.

    Parameters
    ----------
    texts, labels : sequence of str
        Texts and gold labels (LABELS).
    scorers : sequence of SentimentScorer
        E.g. ``[VaderScorer(), ToneScorer()]``.
    """
    return [evaluate_sentiment(texts, labels, scorer).as_dict() for scorer in scorers]
