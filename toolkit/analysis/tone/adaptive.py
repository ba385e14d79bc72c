"""`AdaptiveToneScorer`: the lexicon tone model adapted to each corpus by weak supervision.

Opt-in and slower than `toolkit.analysis.tone.posts.ToneScorer`: it embeds every post.
docs/tone.md gives what it was measured to gain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.analysis.tone.posts import ToneScorer, neutralise, score_frame


@dataclass(eq=False, repr=False)
class AdaptiveToneScorer:
    """`ToneScorer` adapted to each corpus by weak supervision (slower: embeds every post).

    The lexicon labels the posts it is sure of (``|compound| >= confidence`` for negative and
    positive, no tone-bearing word at all, ``compound == 0``, for neutral). A logistic
    regression over sentence embeddings of those posts learns the corpus's own way of saying
    things, and then scores every post: ``score = lexicon_weight * compound + (1 -
    lexicon_weight) * (p_positive - p_negative)``, labelled with the lexicon's thresholds.
    No gold label is used, so it adapts to whatever data it is given; when a class has fewer
    than `min_per_class` confident posts it returns the lexicon's scores unchanged.

    Parameters
    ----------
    lexicon_weight : float
        Weight of the lexicon's compound score in the blend (1.0 = lexicon only).
    confidence : float
        |compound| from which a post counts as confidently negative / positive.
    C : float
        Inverse regularisation of the logistic regression.
    min_per_class : int
        Fewest confident posts per class needed to train.
    embedder : object with ``encode(texts) -> ndarray``, optional
        Default: the bundled MiniLM (`toolkit.analysis.topics.embeddings.MiniLMEmbedder`, one thread).
    random_state : int
        Seed of the logistic regression (its solver is deterministic; kept for the API).
    base : ToneScorer, optional
        The lexicon scorer; default ``ToneScorer()``.
    """

    name = "tone-adaptive"

    lexicon_weight: float = 0.5
    confidence: float = 0.3
    C: float = 1.0
    min_per_class: int = 20
    embedder: object = None
    random_state: int = 0
    base: ToneScorer | None = None

    def __post_init__(self):
        if not 0.0 <= self.lexicon_weight <= 1.0:
            raise ValueError("lexicon_weight must be in [0, 1]")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError("confidence must be in (0, 1)")
        if self.base is None:
            self.base = ToneScorer()

    def __repr__(self) -> str:
        return (
            f"AdaptiveToneScorer(lexicon_weight={self.lexicon_weight}, "
            f"confidence={self.confidence}, C={self.C})"
        )

    def weak_labels(self, compounds) -> np.ndarray:
        """0 = negative, 1 = neutral, 2 = positive, -1 = not confident, per lexicon score."""
        compounds = np.asarray(compounds, dtype="float64")
        out = np.full(len(compounds), -1, dtype="int64")
        out[compounds == 0.0] = 1
        out[compounds >= self.confidence] = 2
        out[compounds <= -self.confidence] = 0
        return out

    def score(self, texts: Sequence[str]) -> pd.DataFrame:
        """Compound score and label per text, after fitting on the texts' own weak labels.

        Parameters
        ----------
        texts : sequence of str
            Post texts; None / NaN score as neutral 0.
        """
        texts = list(texts)
        compounds = self.base.score(texts)["compound"].to_numpy(dtype="float64")
        weak = self.weak_labels(compounds)
        counts = np.bincount(weak[weak >= 0], minlength=3)
        if self.lexicon_weight < 1.0 and counts.min() >= self.min_per_class:
            from sklearn.linear_model import LogisticRegression

            embedder = self.embedder
            if embedder is None:
                from toolkit.analysis.topics.embeddings import MiniLMEmbedder

                embedder = self.embedder = MiniLMEmbedder()
            vectors = embedder.encode([neutralise(t) for t in texts])
            known = weak >= 0
            model = LogisticRegression(
                C=self.C, max_iter=2000, class_weight="balanced", random_state=self.random_state
            ).fit(vectors[known], weak[known])
            proba = model.predict_proba(vectors)
            learned = proba[:, 2] - proba[:, 0]
            w = self.lexicon_weight
            compounds = w * compounds + (1.0 - w) * learned
        return score_frame(compounds, self.base.label)
