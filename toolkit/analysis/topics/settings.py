"""`TopicSettings`: what a `TopicModel` is configured with, and what is built from that.

The keyword parameters of `TopicModel` (documented there) are the fields of this dataclass. It
checks them, resolves the cluster size for a corpus, picks the embedder, builds the default
reduction, clustering and representation parts, and lists the parameters a saved model is
rebuilt from (`save` / `load`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from toolkit.analysis.topics.clustering import HDBSCANClustering, UMAPReduction
from toolkit.analysis.topics.embeddings import EmbeddingCache, MiniLMEmbedder
from toolkit.analysis.topics.prepare import LABEL_LANGUAGES
from toolkit.analysis.topics.representation import KeywordRepresentation

#: Smallest `min_cluster_size` a share-valued `min_topic_size` resolves to.
MIN_CLUSTER_FLOOR = 10


@dataclass(eq=False, repr=False)
class TopicSettings:
    """The parameters of a `TopicModel` (see there), checked, and the parts they build."""

    min_topic_size: int | float = 0.03
    nr_topics: int | str | None = None
    seed: int = 42
    embedder: object = None
    cache: object = None
    brand_terms: Iterable[str] = ()
    representation: str = "ctfidf"
    outlier_threshold: float | None = 0.1
    n_neighbors: int = 15
    n_components: int = 5
    min_term_posts: int = 2
    top_n_words: int = 10
    max_docs: int | None = None
    context_weight: float = 1.5
    min_samples: int | None = 10
    batch_size: int = 50_000
    merge_similarity: float | None = 0.5
    cluster_selection: str = "leaf"
    center: bool = True
    languages: Iterable[str] = LABEL_LANGUAGES
    keyword_min_npmi: float | None = 0.0
    reduction: object = None
    clustering: object = None

    def __post_init__(self):
        size = self.min_topic_size
        if not (0 < size < 1 if isinstance(size, float) else size >= 2):
            raise ValueError("min_topic_size must be an int >= 2 or a float in (0, 1)")
        kind = self.representation
        if isinstance(kind, str) and kind not in {"keybert", "mmr", "ctfidf"}:
            raise ValueError(f"unknown representation {kind!r}")
        if self.cluster_selection not in {"leaf", "eom"}:
            raise ValueError(
                f"unknown cluster_selection {self.cluster_selection!r}; use 'leaf' or 'eom'"
            )
        self.brand_terms = tuple(self.brand_terms)
        self.languages = tuple(self.languages)
        self._default_embedder = None

    def cluster_size(self, n_posts: int) -> int:
        """HDBSCAN's `min_cluster_size` for a corpus of `n_posts` modelled posts."""
        if isinstance(self.min_topic_size, float):
            return max(MIN_CLUSTER_FLOOR, round(self.min_topic_size * n_posts))
        return self.min_topic_size

    def min_docs(self, n_posts: int) -> int:
        """Fewest distinct posts worth clustering (else one topic 'all posts')."""
        n_neighbors = getattr(self._reduction(), "n_neighbors", self.n_neighbors)
        return max(3 * self.cluster_size(n_posts), 2 * n_neighbors)

    def _embedder(self):
        """The embedding part: the cache, else the embedder, else a MiniLM made once."""
        if self.cache is not None:
            return self.cache
        if self.embedder is not None:
            return self.embedder
        if self._default_embedder is None:
            self._default_embedder = MiniLMEmbedder()
        return self._default_embedder

    def _reduction(self):
        """The reduction part: `reduction`, else seeded UMAP from the keyword parameters."""
        if self.reduction is not None:
            return self.reduction
        return UMAPReduction(self.n_neighbors, self.n_components, random_state=self.seed)

    def _clustering(self):
        """The clustering part: `clustering`, else HDBSCAN from the keyword parameters."""
        if self.clustering is not None:
            return self.clustering
        return HDBSCANClustering(self.min_samples, self.cluster_selection)

    def _representation(self) -> KeywordRepresentation:
        """The representation part: `representation` when it is one, else built from the
        keyword parameters."""
        if not isinstance(self.representation, str):
            return self.representation
        return KeywordRepresentation(
            self.representation,
            top_n_words=self.top_n_words,
            min_term_posts=self.min_term_posts,
            min_npmi=self.keyword_min_npmi,
            languages=self.languages,
            brand_terms=self.brand_terms,
            random_state=self.seed,
        )

    def _base_embedder(self):
        """The model that makes the vectors (the cache's, when there is a cache)."""
        embedder = self._embedder()
        return embedder.embedder if isinstance(embedder, EmbeddingCache) else embedder

    def _model_path(self) -> str | bool:
        """Local folder of the embedding model for BERTopic's config, or False if unknown."""
        return str(getattr(self._base_embedder(), "path", "") or "") or False

    def _params_for_json(self) -> dict:
        """The parameters `load` rebuilds the model from (the parts' own where they have them)."""
        reduction, clustering = self._reduction(), self._clustering()
        representation = self._representation()
        return {
            "embedding_model": getattr(self._base_embedder(), "name", "unknown"),
            "min_topic_size": self.min_topic_size,
            "nr_topics": self.nr_topics,
            "seed": self.seed,
            "representation": getattr(representation, "kind", None),
            "outlier_threshold": self.outlier_threshold,
            "n_neighbors": getattr(reduction, "n_neighbors", None),
            "n_components": getattr(reduction, "n_components", None),
            "min_term_posts": getattr(representation, "min_term_posts", None),
            "max_docs": self.max_docs,
            "context_weight": self.context_weight,
            "min_samples": getattr(clustering, "min_samples", None),
            "merge_similarity": self.merge_similarity,
            "cluster_selection": getattr(clustering, "selection", None),
            "center": self.center,
            "languages": list(getattr(representation, "languages", ())),
            "keyword_min_npmi": getattr(representation, "min_npmi", None),
            "brand_terms": list(self.brand_terms),  # a loaded model cleans posts as fit did
            "embedding_dim": getattr(self._base_embedder(), "dim", None),
        }
