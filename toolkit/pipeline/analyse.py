"""The per-partition analysis: the same public functions the single-machine notebooks call,
applied to one partition (or, on the local engine, to all posts at once).

Every step here is either per post (sentiment, redaction, engagement rates, topic
assignment) or per conversation (brand responses), and partitions never split a
conversation (`toolkit.ingest.partition`), so results combine exactly: per-post rows are
concatenated and counts are summed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.analysis import attentiveness, engagement, topics
from toolkit.analysis.tone import posts as sentiment
from toolkit.core.config import Config, Privacy
from toolkit.privacy.detect import analyzer as privacy
from toolkit.privacy.detect.entities import ENTITY_TYPES, Span
from toolkit.privacy.quoting import redact

#: Columns of the combined personal-data table (`privacy.summarise` plus the texts scanned).
PRIVACY_COLUMNS = ["entity_type", "n_spans", "n_texts", "n_scanned", "share_texts"]
#: Columns a topic sample candidate carries to the driver.
SAMPLE_COLUMNS = ["platform", "post_id", "sample_key", "text", "context"]
TOPIC_COLUMN, REDACTED_COLUMN = "topic", "text_redacted"


@dataclass(frozen=True)
class AnalysisSettings:
    """What the per-partition steps need from the config (small, sent with every task).

    Parameters
    ----------
    brand_handles : tuple of str
        The brand's handles (never inferred per partition: a partition may hold no brand post).
    brand_names : tuple of str
        Names that address the brand in post text.
    sla_hours : float
        Response-time target.
    languages : tuple of str
        Languages modelled for topics (`topics.topic_corpus`).
    privacy : Privacy, optional
        The config's privacy settings: the personal-data detector is built from them
        (`privacy.Detector.from_config`) once per worker process; None: the default detector.
    """

    brand_handles: tuple[str, ...]
    brand_names: tuple[str, ...]
    sla_hours: float = 24.0
    languages: tuple[str, ...] = ("en",)
    privacy: Privacy | None = None

    @classmethod
    def from_config(cls, config: Config) -> AnalysisSettings:
        """Settings of a config: its brand handles, names and response SLA."""
        return cls(
            brand_handles=tuple(sorted(config.brand.handles())),
            brand_names=tuple(config.brand.names()),
            sla_hours=config.analysis.response_sla_hours,
            privacy=config.privacy,
        )


def detector_for(settings: AnalysisSettings) -> privacy.Detector:
    """The personal-data detector of `settings` (built once per process and settings)."""
    if settings.privacy is None:
        return privacy.default_detector()
    return _detector_from_json(settings.privacy.model_dump_json())


@functools.lru_cache(maxsize=4)
def _detector_from_json(privacy_json: str) -> privacy.Detector:
    # Keyed on JSON: Privacy holds lists, so it cannot be a cache key itself.
    return privacy.Detector.from_config(Privacy.model_validate_json(privacy_json))


class _RecordingDetector:
    """A detector that remembers the spans of each text it scans, so that `privacy.summarise`
    counts them and `privacy.redact` reuses them without detecting twice."""

    def __init__(self, detector: privacy.Detector):
        self._detector = detector
        self.spans: list[list[Span]] = []

    def prime(self, texts):
        prime = getattr(self._detector, "prime", None)
        if prime is not None:
            prime(texts)

    def detect(self, text, entities=None):
        found = self._detector.detect(text, entities)
        self.spans.append(found)
        return found


def redact_and_count(
    texts: Sequence, detector: privacy.Detector | None = None
) -> tuple[list, pd.DataFrame]:
    """Redacted texts and the personal-data counts of `texts`, detecting each text once.

    Parameters
    ----------
    texts : sequence of str
        Post texts; non-strings are counted as scanned and returned unchanged.
    detector : Detector, optional
        Default `privacy.default_detector()`.

    Returns
    -------
    redacted : list
        `privacy.redact` of each text (placeholders such as ``<EMAIL_ADDRESS>``).
    counts : DataFrame
        `privacy.summarise` of the texts plus ``n_scanned`` (texts scanned), see PRIVACY_COLUMNS.
    """
    texts = list(texts)
    recorder = _RecordingDetector(detector or privacy.default_detector())
    counts = privacy.summarise(texts, detector=recorder)
    found = iter(recorder.spans)
    redacted = [redact(t, next(found)) if isinstance(t, str) else t for t in texts]
    return redacted, counts.assign(n_scanned=len(texts))[PRIVACY_COLUMNS]


def combine_privacy(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Sum per-partition personal-data counts; ``share_texts = n_texts / n_scanned`` overall."""
    frames = [p for p in parts if len(p)]
    if not frames:
        return redact_and_count([])[1]
    summed = (
        pd.concat(frames)
        .groupby("entity_type", sort=False)[["n_spans", "n_texts", "n_scanned"]]
        .sum()
    )
    summed = (
        summed.reindex(ENTITY_TYPES)
        .reset_index()
        .astype({"n_spans": "int64", "n_texts": "int64", "n_scanned": "int64"})
    )
    scanned = summed["n_scanned"].to_numpy()
    summed["share_texts"] = np.where(scanned > 0, summed["n_texts"] / np.maximum(scanned, 1), 0.0)
    return summed[PRIVACY_COLUMNS]


def sample_keys(posts: pd.DataFrame) -> np.ndarray:
    """A fixed-seed 64-bit hash of (platform, post_id) per post: the order of the topic sample."""
    keys = posts["platform"].astype(str) + "/" + posts["post_id"].astype(str)
    return pd.util.hash_array(keys.to_numpy(dtype=object))


def topic_sample_candidates(
    posts: pd.DataFrame, settings: AnalysisSettings, size: int
) -> tuple[pd.DataFrame, int]:
    """The `size` topic-corpus posts of `posts` with the smallest sample keys, with context,
    and the number of posts in the topic corpus.

    The sample of the whole data is the `size` smallest keys overall, so taking the `size`
    smallest per partition and then overall gives the same sample however the posts are split.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts of one partition (whole conversations).
    settings : AnalysisSettings
    size : int
        Sample size (`config.analysis.topics.max_docs`).
    """
    corpus, _ = topics.topic_corpus(posts, settings.languages)
    frame = corpus[["platform", "post_id", "text"]].assign(
        sample_key=sample_keys(corpus), context=topics.thread_context(corpus, posts).to_numpy()
    )
    return choose_sample([frame[SAMPLE_COLUMNS]], size), len(corpus)


def choose_sample(candidates: Iterable[pd.DataFrame], size: int) -> pd.DataFrame:
    """The `size` rows with the smallest sample keys (ties by platform, post id), in key order."""
    frames = [c for c in candidates if len(c)]
    if not frames:
        return pd.DataFrame(
            {c: pd.Series(dtype="uint64" if c == "sample_key" else object) for c in SAMPLE_COLUMNS}
        )
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.sort_values(["sample_key", "platform", "post_id"], kind="stable")
    return frame.head(size).reset_index(drop=True)


def fit_topic_model(sample: pd.DataFrame, model: topics.TopicModel) -> topics.TopicModel:
    """Fit `model` (unfitted, `max_docs=None`) on the sample's texts with their thread context."""
    return model.fit(sample["text"].tolist(), context=sample["context"].tolist())


def assign_topics(
    posts: pd.DataFrame, settings: AnalysisSettings, model: topics.TopicModel
) -> pd.Series:
    """Topic of each post of the topic corpus by `model.transform`; <NA> for posts not modelled
    (the brand's, shares, other languages)."""
    corpus, _ = topics.topic_corpus(posts.reset_index(drop=True), settings.languages)
    labels = model.transform(
        corpus["text"].tolist(), context=topics.thread_context(corpus, posts).tolist()
    )
    by_key = pd.Series(labels, index=pd.MultiIndex.from_frame(corpus[["platform", "post_id"]]))
    keys = pd.MultiIndex.from_frame(posts[["platform", "post_id"]])
    return pd.Series(by_key.reindex(keys).to_numpy(), index=posts.index).astype("Int64")


def analyse_posts(
    posts: pd.DataFrame,
    settings: AnalysisSettings,
    scorer: sentiment.SentimentScorer,
    model: topics.TopicModel | None = None,
    responses: bool = True,
) -> dict[str, pd.DataFrame]:
    """Per-post analysis of whole conversations: tone, personal data, engagement, topics.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts: one partition, or all posts on the local engine.
    settings : AnalysisSettings
    scorer : SentimentScorer
        E.g. `sentiment.VaderScorer()`.
    model : TopicModel, optional
        A fitted model; adds the column ``topic`` (<NA> outside the topic corpus).
    responses : bool
        Also compute `attentiveness.brand_responses`.

    Returns
    -------
    dict with
        posts : the posts with ``sentiment_compound``, ``sentiment``, ``text_redacted``,
            ``interactions`` and the engagement rates (and ``topic``).
        privacy : personal-data counts (PRIVACY_COLUMNS).
        responses : one row per customer post addressed to the brand (if asked).
    """
    enriched = engagement.post_engagement(sentiment.score_posts(posts, scorer))
    redacted, counts = redact_and_count(posts["text"].tolist(), detector_for(settings))
    enriched[REDACTED_COLUMN] = pd.Series(redacted, index=enriched.index, dtype=object)
    if model is not None:
        enriched[TOPIC_COLUMN] = assign_topics(posts, settings, model)
    out = {"posts": enriched, "privacy": counts}
    if responses:
        out["responses"] = attentiveness.brand_responses(
            posts,
            sla_hours=settings.sla_hours,
            brand_handles=settings.brand_handles,
            brand_names=settings.brand_names,
        )
    return out
