"""The topic model: BERTopic-style, a pipeline of swappable parts, deterministic given its seed.

`TopicModel` cleans posts (`prepare.prepare_for_topics`), embeds them (`embeddings`: MiniLM or
a static model, through a cache), optionally pulls each towards the conversation it answers,
centres them on the corpus mean, reduces them (`clustering.UMAPReduction`: seeded UMAP on
exact neighbours), clusters them (`clustering.HDBSCANClustering`: leaf clusters), merges
near-duplicate topics, describes each (`representation.KeywordRepresentation`: c-TF-IDF
keywords, an NPMI filter, a phrase label), then moves outliers to the nearest topic when they
are similar enough. Each part is an object passed in, with a default built from the keyword
parameters (`settings.TopicSettings` holds the parameters and builds the parts). Same input,
same seed: same topics, in any process.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.analysis.topics.clustering import (
    NO_TOPIC,
    center_vectors,
    merge_similar_topics,
    renumber_by_size,
    topic_centroids,
    topic_means,
)
from toolkit.analysis.topics.embeddings import (
    bertopic_backend,
    force_offline,
    unloaded_copy,
)
from toolkit.analysis.topics.prepare import prepare_many, prepare_with_names
from toolkit.analysis.topics.settings import TopicSettings
from toolkit.analysis.topics.storage import read_topic_files, write_topic_files
from toolkit.analysis.topics.tables import topic_info_table
from toolkit.core.progress import progress


@contextlib.contextmanager
def _quiet_bertopic():
    """Silence BERTopic's logger (warnings included) for the duration of the block."""
    bertopic_logger = logging.getLogger("BERTopic")
    level = bertopic_logger.level
    bertopic_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        bertopic_logger.setLevel(level)


class TopicModel(TopicSettings):
    """Topics of short posts: BERTopic on MiniLM embeddings with seeded UMAP and HDBSCAN.

    `fit` cleans each post with `prepare_for_topics`; posts with nothing left (emoji only,
    links only) are excluded and get topic -1, as do outliers. Corpora too small or too
    uniform to cluster get a single topic 0 "all posts"; `status_` says what happened.
    Replies are best fitted with their conversation as `context` (see `thread_context`).
    `transform` gives each new post the topic of the most similar topic centroid.

    Parameters
    ----------
    min_topic_size : int or float
        Smallest cluster HDBSCAN may form (`min_cluster_size`): a number of posts, or a
        float in (0, 1) for that share of the modelled posts (at least 10 posts).
    nr_topics : int, "auto" or None
        Merge similar topics down to this many, the outlier topic counted (BERTopic's
        `nr_topics`); None keeps HDBSCAN's topics, which `min_topic_size` already bounds.
        On short posts merging tends to pour unrelated topics into one large topic.
    seed : int
        Random state of UMAP and of the keyword re-ranking.
    embedder : object with ``name``, ``dim``, ``encode(texts)``, optional
        Default: `MiniLMEmbedder()`. Ignored when `cache` is given.
    cache : EmbeddingCache, optional
        Embed through this cache (its own embedder is used).
    brand_terms : iterable of str
        Brand name and handles: removed from texts and added to the stop words.
    representation : {"ctfidf", "keybert", "mmr"} or KeywordRepresentation
        How keywords are chosen: c-TF-IDF (default), c-TF-IDF candidates re-ranked by
        similarity to the topic (KeyBERTInspired), or diversified (MaximalMarginalRelevance);
        docs/topics.md compares them. Or the representation part itself (then `top_n_words`,
        `min_term_posts`, `languages` and `keyword_min_npmi` are its own).
    outlier_threshold : float or None
        Outliers are moved to the most similar topic (cosine similarity of the post to the
        topic's centroid, both centred when `center`) when the similarity is at least this;
        None leaves them as -1. Centred similarities are lower than raw ones; docs/topics.md
        gives the outlier shares measured at 0.1 and 0.15.
    n_neighbors, n_components : int
        UMAP parameters (of the default `reduction`).
    min_term_posts : int
        A keyword must occur in at least this many posts.
    top_n_words : int
        Keywords kept per topic.
    max_docs : int, optional
        Fit on a seeded random sample of at most this many posts and predict the others
        (`config.analysis.topics.max_docs`); None fits on all.
    min_samples : int or None
        HDBSCAN's `min_samples` (None: equal to the cluster size, which leaves more outliers).
    context_weight : float
        When `fit` gets a context, a post's vector is its own embedding plus this times its
        context's embedding (then normalised); 0 ignores context.
    batch_size : int
        Posts embedded and assigned at a time beyond the fitted sample, and in `transform`.
    merge_similarity : float or None
        Topics whose centroids have at least this cosine similarity are merged (near-duplicate
        topics such as "refund · order" and "refund · returned"); None keeps them apart.
        Centring spreads centroids out: docs/topics.md gives the similarities measured between
        distinct topics and between parts of one topic.
    cluster_selection : {"leaf", "eom"}
        HDBSCAN's `cluster_selection_method`. "eom" (excess of mass, BERTopic's default) can
        pick one cluster high in the hierarchy that swallows half the corpus (two or three
        topics in all, depending on the seed); "leaf" keeps the finest clusters of at least
        `min_topic_size` posts, which is steadier across seeds and parameters (of the default
        `clustering`).
    center : bool
        Subtract the fitted posts' mean embedding before UMAP, clustering and assignment (then
        rescale to unit length). Sentence embeddings share one dominant direction, stronger
        still in one brand's posts; without it every post looks similar to every other.
        The mean is saved with the model and reused by `transform`.
    languages : iterable of str
        Languages whose stop words are kept out of keywords and off the edges of labels
        (`language_stop_words`); by default English and the languages that most often reach
        the model untagged.
    keyword_min_npmi : float or None
        Keep a keyword only when its mean NPMI with the keywords already kept is at least this
        (`keyword_npmi_filter`); None keeps c-TF-IDF's first `top_n_words`.
    reduction : object with ``build(embeddings)``, optional
        The reduction part; default `UMAPReduction(n_neighbors, n_components, seed)`.
    clustering : object with ``build(min_cluster_size)``, optional
        The clustering part; default `HDBSCANClustering(min_samples, cluster_selection)`.

    The embedding part is `embedder` (or `cache`), the representation part `representation`.
    The parameters are the fields of `TopicSettings`, which checks them and builds the parts.

    Attributes
    ----------
    labels_ : ndarray of int, one per input post (-1: outlier or excluded)
    topic_info_ : DataFrame with topic, label (a 2-4 word phrase from the topic's posts, see
        `phrase_labels`), size, share, keywords, description (`describe_topic`, without an
        example: add one with `describe_topics`); share of all posts; sizes add up to the
        number of posts, the -1 row counting outliers and excluded posts. Keywords and labels
        are `is_publishable`: no detected personal data, no name of the gazetteer.
    outlier_share_ : float, share of the modelled (not excluded) posts left at -1
    clustered_outlier_share_ : float, share HDBSCAN left at -1 before outliers were moved
    n_excluded_ : int, posts with no text left after cleaning
    excluded_ : ndarray of bool, which posts those are
    n_topics_ : int, topics other than -1
    min_cluster_size_ : int, the HDBSCAN `min_cluster_size` used
    status_ : str, "ok" or why the corpus was not clustered
    model_ : the fitted BERTopic model, or None when the corpus was not clustered
    """

    def __post_init__(self):
        super().__post_init__()
        self._offset = None

    # -------------------------------------------------------------- public API

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed already prepared texts with the cache, else the embedder (default MiniLM)."""
        return self._embedder().encode(texts)

    def prepare(self, docs: Iterable[str]) -> list[str]:
        """`prepare_for_topics` applied to each post with this model's brand terms."""
        return prepare_many(docs, self.brand_terms)

    def fit(self, docs: Sequence[str], context: Sequence[str | None] | None = None) -> TopicModel:
        """Find the topics of `docs` (raw post texts) and label each post.

        Parameters
        ----------
        docs : sequence of str
            Post texts.
        context : sequence of str or None, optional
            Per post, the text of the conversation it belongs to (e.g. `thread_context`);
            None or '' where there is none. Short replies ("same here", "DM sent") say
            little on their own; their context places them in their conversation's topic.
        """
        warm_up = getattr(self._reduction(), "warm_up", None)
        warming = warm_up() if warm_up is not None and len(docs) else None
        try:
            return self._fit(docs, context)
        finally:
            if warming is not None:
                warming.join()

    def _fit(self, docs: Sequence[str], context: Sequence[str | None] | None) -> TopicModel:
        prepared, embedded = prepare_with_names(docs, self.brand_terms)
        # private text, names in: kept for the caller (`transform(prepared=...)`), never saved
        self.prepared_ = embedded
        contexts = self._prepare_context(context, len(prepared))
        self.excluded_ = np.array([not p for p in prepared], dtype=bool)
        self.n_excluded_ = int(self.excluded_.sum())
        keep = np.flatnonzero(~self.excluded_)
        kept = [prepared[i] for i in keep]
        kept_embedded = [embedded[i] for i in keep]
        self.model_ = None
        self._centroids = None
        self._offset = None
        self.min_cluster_size_ = self.cluster_size(len(kept))
        self.clustered_outlier_share_ = 0.0
        if not kept:
            topics = np.zeros(0, dtype=int)
            keywords: dict[int, list[str]] = {}
            self.status_ = "no posts to model" if not prepared else "no text left after cleaning"
        elif len(set(kept)) < self.min_docs(len(kept)):
            topics, keywords = self._single_topic(kept)
            self.status_ = (
                f"too few distinct posts to find topics ({len(set(kept))} < "
                f"{self.min_docs(len(kept))}); "
                "all posts form one topic"
            )
        else:
            kept_contexts = [contexts[i] for i in keep]
            self._fit_embedder(kept_embedded, kept_contexts)
            topics, keywords = self._fit_on_subset(kept, kept_embedded, kept_contexts)
        raw = [d if isinstance(d, str) else "" for d in docs]
        self._finish(topics, keywords, kept, [raw[i] for i in keep])
        return self

    def fit_transform(
        self, docs: Sequence[str], context: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """`fit(docs, context)` and return `labels_`."""
        return self.fit(docs, context).labels_

    def transform(
        self, docs: Sequence[str], context: Sequence[str | None] | None = None, prepared=None
    ) -> np.ndarray:
        """Topic ids for new posts (-1: outlier, or no text left after cleaning); `prepared`,
        when given, is the posts as a model with the same brand terms embedded them (its
        `prepared_`), which saves running the personal-data detector again."""
        self._check_fitted()
        prepared = (
            prepare_with_names(docs, self.brand_terms)[1] if prepared is None else list(prepared)
        )
        contexts = self._prepare_context(context, len(prepared))
        labels = np.full(len(prepared), NO_TOPIC, dtype=int)
        idx = [i for i, p in enumerate(prepared) if p]
        if not idx or self.n_topics_ == 0:
            return labels
        if not self._centroids:  # a single topic "all posts"
            labels[idx] = 0
            return labels
        labels[idx] = self._predict_in_batches(
            [prepared[i] for i in idx], [contexts[i] for i in idx]
        )
        return labels

    def assigner(self) -> TopicModel:
        """A light copy that can only `transform`: no BERTopic object, no loaded embedding
        weights (reloaded on first use), for sending to other processes or machines."""
        import copy

        self._check_fitted()
        light = copy.copy(self)
        light.model_ = None
        light.labels_ = np.zeros(0, dtype=int)
        light.excluded_ = np.zeros(0, dtype=bool)
        light.prepared_ = []
        light._default_embedder = None
        if light.cache is None and light.embedder is not None:
            light.embedder = unloaded_copy(light.embedder)
        elif light.cache is not None:
            light.cache = copy.copy(light.cache)
            light.cache.embedder = unloaded_copy(light.cache.embedder)
        return light

    def representatives(
        self,
        docs: Sequence[str],
        labels: Sequence[int] | None = None,
        n: int = 3,
        max_candidates: int = 2000,
    ) -> pd.DataFrame:
        """The `n` posts of each topic closest to its centroid, distinct texts only.

        Returns positions into `docs` (to look up the raw text and pass it through
        `toolkit.privacy.quoting.quote`), never text. Ties are broken by position.

        Parameters
        ----------
        docs : sequence of str
            The posts the topics were given for (usually those passed to `fit`).
        labels : sequence of int, optional
            Their topics; default `labels_`.
        n : int
            Posts per topic.
        max_candidates : int
            Look among at most this many posts per topic (a seeded random sample), so the cost
            does not grow with the corpus.

        Returns
        -------
        DataFrame with topic, rank (1 = closest), position, similarity.
        """
        self._check_fitted()
        labels = np.asarray(self.labels_ if labels is None else labels)
        if len(labels) != len(docs):
            raise ValueError(f"labels has {len(labels)} values for {len(docs)} posts")
        columns = ["topic", "rank", "position", "similarity"]
        if not self._centroids:
            return pd.DataFrame(columns=columns)
        rng = np.random.default_rng(self.seed)
        rows = []
        for topic, centroid in sorted(self._centroids.items()):
            candidates = np.flatnonzero(labels == topic)
            if len(candidates) > max_candidates:
                candidates = np.sort(rng.choice(candidates, max_candidates, replace=False))
            embedded = prepare_with_names([docs[i] for i in candidates], self.brand_terms)[1]
            prepared = dict(zip(candidates.tolist(), embedded, strict=True))
            members = [i for i in candidates.tolist() if prepared[i]]
            unique = list({prepared[i]: i for i in reversed(members)}.values())[::-1]
            if not unique:
                continue
            sims = self._in_space(self.encode([prepared[i] for i in unique])) @ centroid
            order = sorted(range(len(unique)), key=lambda k: (-sims[k], unique[k]))[:n]
            rows += [(topic, r + 1, int(unique[k]), float(sims[k])) for r, k in enumerate(order)]
        return pd.DataFrame(rows, columns=columns)

    def save(self, path) -> Path:
        """Save to folder `path`: BERTopic (safetensors, with c-TF-IDF) and `toolkit_topics.json`.

        The BERTopic part points at the local embedding model folder, so
        `BERTopic.load(path)` works offline on this machine. No post text is written.
        """
        self._check_fitted()
        summary = {
            "status": self.status_,
            "params": self._params_for_json(),
            "n_excluded": self.n_excluded_,
            "outlier_share": self.outlier_share_,
            "n_topics": self.n_topics_,
            "topic_info": self.topic_info_.to_dict(orient="records"),
        }
        embedder = self._base_embedder()
        embedding_map = getattr(embedder, "weight_", None), getattr(embedder, "bias_", None)
        return write_topic_files(
            path,
            summary,
            self._centroids,
            self._offset,
            self.model_,
            self._model_path(),
            embedding_map=None if embedding_map[0] is None else embedding_map,
        )

    @classmethod
    def load(cls, path, embedder=None, cache=None) -> TopicModel:
        """A model saved with `save`, ready to `transform` new posts (offline).

        Parameters
        ----------
        path : str or Path
            The folder `save` wrote.
        embedder, cache : optional
            As in `__init__`; must be the embedding model the topics were fitted with.
            Default: that model, by the name saved with the topics.
        """
        from toolkit.analysis.topics.embeddings import embedder_for_saved

        summary, centroids, offset, embedding_map = read_topic_files(path)
        params = summary["params"]
        saved_name = params.pop("embedding_model", None)
        params.pop("embedding_dim", None)
        if embedder is None and cache is None:
            embedder = embedder_for_saved(saved_name)
        model = cls(embedder=embedder, cache=cache, **params)
        if embedding_map is not None and hasattr(model._base_embedder(), "set_map"):
            model._base_embedder().set_map(*embedding_map)
        used = getattr(model._base_embedder(), "name", None)
        if saved_name and used != saved_name:
            raise ValueError(f"topics were fitted with {saved_name!r}, not {used!r}")
        model._centroids, model._offset = centroids, offset
        model.status_ = summary["status"]
        model.n_excluded_ = summary["n_excluded"]
        model.outlier_share_ = summary["outlier_share"]
        model.topic_info_ = pd.DataFrame(summary["topic_info"])
        model.n_topics_ = summary.get(
            "n_topics", int((model.topic_info_["topic"] != NO_TOPIC).sum())
        )
        model.labels_ = np.zeros(0, dtype=int)  # fitted, but the training posts are not kept
        model.model_ = None
        return model

    # -------------------------------------------------------------- fitting steps

    def _prepare_context(self, context, n: int) -> list[str]:
        if context is None:
            return [""] * n
        if len(context) != n:
            raise ValueError(f"context has {len(context)} values for {n} posts")
        return prepare_with_names(context, self.brand_terms)[1]

    def _embed(self, texts: list[str], contexts: list[str]) -> np.ndarray:
        """Unit vectors of the posts, each pulled towards its context by `context_weight`."""
        vectors = self.encode(texts)
        has_context = np.array([bool(c) for c in contexts], dtype=bool)
        if not self.context_weight or not has_context.any():
            return vectors
        vectors = vectors.copy()
        context_vectors = self.encode([c for c in contexts if c])
        vectors[has_context] += self.context_weight * context_vectors
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def _fit_space(self, vectors: np.ndarray) -> np.ndarray:
        """Remember the fitted posts' mean vector (when `center`); return `_in_space(vectors)`."""
        self._offset = vectors.mean(axis=0) if self.center and len(vectors) else None
        return self._in_space(vectors)

    def _in_space(self, vectors: np.ndarray) -> np.ndarray:
        """Vectors as the topics compare them: minus the fitted mean when centred, unit length."""
        return vectors if self._offset is None else center_vectors(vectors, self._offset)

    def _fit_embedder(self, kept: list[str], contexts: list[str]) -> None:
        """Fit the embedding part where it learns from the corpus (`AlignedStaticEmbedder`'s
        map), on the posts and contexts to be modelled; other embedders have no `fit`."""
        fit = getattr(self._base_embedder(), "fit", None)
        if fit is not None:
            fit(kept + [c for c in contexts if c])

    def _fit_on_subset(
        self, kept: list[str], embedded: list[str], contexts: list[str]
    ) -> tuple[np.ndarray, dict[int, list[str]]]:
        """Fit on at most `max_docs` posts (a seeded random sample); predict the others.

        `kept` are the posts as keywords see them, `embedded` as the embedding sees them
        (`prepare_with_names`). Only the sample is embedded at once; the others are embedded
        and assigned in batches of `batch_size`, so memory grows with the sample and the
        batch, not the corpus.
        """
        n_fit = None if self.max_docs is None else max(self.max_docs, self.min_docs(len(kept)))
        if n_fit is None or len(kept) <= n_fit:
            return self._fit_bertopic(kept, self._fit_space(self._embed(embedded, contexts)))
        chosen = np.zeros(len(kept), dtype=bool)
        chosen[np.random.default_rng(self.seed).choice(len(kept), n_fit, replace=False)] = True
        fit_idx, rest_idx = np.flatnonzero(chosen), np.flatnonzero(~chosen)
        fitted, keywords = self._fit_bertopic(
            [kept[i] for i in fit_idx],
            self._fit_space(
                self._embed([embedded[i] for i in fit_idx], [contexts[i] for i in fit_idx])
            ),
        )
        topics = np.full(len(kept), NO_TOPIC, dtype=int)
        topics[fit_idx] = fitted
        if self.model_ is None:  # the sample was not clusterable
            topics[rest_idx] = fitted[0] if len(fitted) else NO_TOPIC
        else:
            topics[rest_idx] = self._predict_in_batches(
                [embedded[i] for i in rest_idx], [contexts[i] for i in rest_idx]
            )
        self.status_ += f"; fitted on a random {n_fit} of {len(kept)} posts, the rest predicted"
        return topics, keywords

    def _predict_in_batches(self, texts: list[str], contexts: list[str]) -> np.ndarray:
        """Embed and assign `texts` batch by batch (prepared texts, with their contexts)."""
        out = np.empty(len(texts), dtype=int)
        starts = range(0, len(texts), self.batch_size)
        for start in progress(starts, "assigning topics", total=len(starts), unit="batch"):
            stop = start + self.batch_size
            vectors = self._embed(texts[start:stop], contexts[start:stop])
            out[start:stop] = self._predict(self._in_space(vectors))
        return out

    def _predict(self, embeddings: np.ndarray) -> np.ndarray:
        """Topic of the most similar centroid (-1 when below `outlier_threshold`).

        The rule that places outliers in `fit`; BERTopic's own transform would need UMAP's
        search index, which the exact neighbours used for fitting do not build.
        """
        ids, matrix = self._centroid_matrix()
        sims = embeddings @ matrix.T
        best = sims.argmax(axis=1)
        topics = ids[best]
        if self.outlier_threshold is not None:
            topics[sims[np.arange(len(best)), best] < self.outlier_threshold] = NO_TOPIC
        return topics

    def _fit_bertopic(
        self, kept: list[str], embeddings: np.ndarray
    ) -> tuple[np.ndarray, dict[int, list[str]]]:
        representation = self._representation()
        try:
            vectorizer = representation.vectorizer(kept)
        except ValueError:  # sklearn: empty vocabulary
            self.status_ = "no keywords left after removing stop words; all posts form one topic"
            return self._single_topic(kept)
        force_offline()  # before bertopic imports sentence_transformers
        from bertopic import BERTopic

        self.min_cluster_size_ = self.cluster_size(len(kept))
        model = BERTopic(
            embedding_model=bertopic_backend(self.encode),
            umap_model=self._umap(embeddings),
            hdbscan_model=self._hdbscan(self.min_cluster_size_),
            vectorizer_model=vectorizer,
            ctfidf_model=representation.ctfidf(),
            representation_model=representation.bertopic_model(),
            nr_topics=self.nr_topics,
            top_n_words=representation.n_candidates,
            calculate_probabilities=False,
            verbose=False,
        )
        with warnings.catch_warnings():  # we never call UMAP's transform
            warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
            topics, _ = model.fit_transform(kept, embeddings=embeddings)
        topics = np.asarray(topics, dtype=int)
        if not (topics != NO_TOPIC).any():
            self.status_ = (
                "no topic structure found (every post is an outlier); all posts form one topic"
            )
            return self._single_topic(kept)
        self.clustered_outlier_share_ = float((topics == NO_TOPIC).mean())
        clustered = topics
        if self.merge_similarity is not None:
            topics = merge_similar_topics(topics, embeddings, self.merge_similarity)
        else:  # BERTopic breaks ties between sizes by its own ids; merging renumbers already
            topics = renumber_by_size(topics)
        self._centroids = topic_centroids(topics, embeddings)
        if (topics == NO_TOPIC).any() and self.outlier_threshold is not None:
            topics = self._assign_outliers(topics, embeddings)
            self._centroids = topic_centroids(topics, embeddings)
        if not np.array_equal(topics, clustered):
            with _quiet_bertopic():  # it warns about custom assignments, which are the point here
                model.update_topics(
                    kept,
                    topics=topics.tolist(),
                    top_n_words=representation.n_candidates,
                    vectorizer_model=model.vectorizer_model,
                    ctfidf_model=representation.ctfidf(),
                    representation_model=representation.bertopic_model(),
                )
        model.topic_embeddings_ = topic_means(topics, embeddings)
        self.model_ = model
        self.status_ = "ok"
        keywords = {
            t: [w for w, _ in (model.get_topic(t) or []) if w]
            for t in sorted(set(topics.tolist()))
            if t != NO_TOPIC
        }
        return topics, keywords

    def _assign_outliers(self, topics: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
        """Move -1 posts to their most similar topic centroid when similarity >= threshold."""
        if self.outlier_threshold is None or not self._centroids:
            return topics
        out = topics.copy()
        outliers = topics == NO_TOPIC
        if outliers.any():
            out[outliers] = self._predict(embeddings[outliers])
        return out

    def _centroid_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        ids = np.array(sorted(self._centroids), dtype=int)
        return ids, np.stack([self._centroids[t] for t in ids])

    def _single_topic(self, kept: list[str]) -> tuple[np.ndarray, dict[int, list[str]]]:
        return np.zeros(len(kept), dtype=int), {0: self._representation().frequent_terms(kept)}

    def _finish(
        self,
        topics: np.ndarray,
        keywords: dict[int, list[str]],
        texts: list[str],
        raw: list[str] | None = None,
    ) -> None:
        """Labels per post, publishable keywords, phrase labels. `texts` are the prepared posts,
        `raw` the same posts as written (keyword coherence is counted on those, by the words
        people typed: a split hashtag's parts such as "st" of #SemST are not words of theirs)."""
        raw = texts if raw is None else raw
        labels = np.full(len(self.excluded_), NO_TOPIC, dtype=int)
        labels[~self.excluded_] = topics
        self.labels_ = labels
        modelled = len(topics)
        self.outlier_share_ = float((topics == NO_TOPIC).sum() / modelled) if modelled else 0.0
        self.n_topics_ = len(keywords)
        keywords, names = self._representation().describe(
            keywords, texts, raw, topics, clustered=self.model_ is not None
        )
        self.topic_info_ = topic_info_table(labels, names, keywords)

    # -------------------------------------------------------------- parts

    def _umap(self, embeddings: np.ndarray):
        return self._reduction().build(embeddings)

    def _hdbscan(self, min_cluster_size: int):
        return self._clustering().build(min_cluster_size)

    # -------------------------------------------------------------- helpers

    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise RuntimeError("TopicModel is not fitted; call fit(docs) first")
