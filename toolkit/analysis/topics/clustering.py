"""Reduce and cluster post vectors: the model's reduction and clustering parts, and its geometry.

`UMAPReduction` (seeded UMAP on exact neighbours) and `HDBSCANClustering` (HDBSCAN, leaf
clusters by default) build the reduction and clustering models `TopicModel` hands to BERTopic;
an object with the same `build` method can take either place (a reduction part may also offer
`warm_up`, which the model starts before it cleans and embeds posts). The functions are the vector
geometry around them: centring, exact neighbours, topic centroids, merging near-duplicate topics
and numbering topics by size.
"""

from __future__ import annotations

import logging
import threading
import warnings

import numpy as np

log = logging.getLogger(__name__)

#: The topic of outliers and of posts with no text left to model.
NO_TOPIC = -1


_UMAP_IMPORT = threading.Lock()


def umap_class():
    """umap's `UMAP`, with the numba functions of its own modules compiled to the on-disk
    cache (the way pynndescent's already are).

    umap compiles them in every new process (about 11 s of CPU per report notebook); cached,
    a later process loads them in about 0.5 s. The machine code is the same, so results do
    not change. Where numba cannot write its cache (a read-only install) they compile as
    before."""
    with _UMAP_IMPORT:
        import umap.umap_
        from numba.core.caching import NullCache
        from numba.core.dispatcher import Dispatcher

        modules = (umap.umap_, umap.layouts, umap.spectral, umap.utils, umap.distances, umap.sparse)
        for module in modules:
            for function in list(vars(module).values()):
                if isinstance(function, Dispatcher) and isinstance(function._cache, NullCache):
                    try:
                        function.enable_caching()
                    except RuntimeError:  # no cache locator: nowhere writable next to umap
                        return umap.umap_.UMAP
        return umap.umap_.UMAP


class UMAPReduction:
    """Seeded UMAP on exact cosine neighbours: the model's default reduction part.

    Exact neighbours spare, in every new process, the numba compilation of the approximate
    search UMAP uses above 4,096 points, and they are the same in any process.

    Parameters
    ----------
    n_neighbors, n_components : int
        UMAP parameters.
    random_state : int
        UMAP's seed.
    """

    def __init__(self, n_neighbors: int = 15, n_components: int = 5, random_state: int = 42):
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.random_state = random_state

    def build(self, embeddings: np.ndarray):
        """A UMAP model for `embeddings` (BERTopic's `umap_model`), neighbours precomputed."""
        UMAP = umap_class()
        k = min(self.n_neighbors, len(embeddings))
        return UMAP(
            precomputed_knn=exact_neighbours(embeddings, k),
            n_neighbors=self.n_neighbors,
            n_components=self.n_components,
            min_dist=0.0,
            metric="cosine",
            random_state=self.random_state,
            # UMAP's default spectral init is not reproducible when the neighbour graph has
            # small disconnected parts, which duplicate posts (copies, templated replies)
            # create; a seeded PCA init is.
            init="pca",
            n_jobs=1,  # a fixed random_state forces one thread anyway; say so to avoid a warning
        )

    def compile(self) -> None:
        """Fit UMAP once on a little noise, so that numba compiles its code (about 10 s) and,
        with `umap_class`, caches it on disk. `make setup` runs this (`toolkit precompile`),
        so that a first report starts with the code compiled. Results never change: the
        machine code is the same."""
        noise = np.random.default_rng(0).random((40, 8), dtype=np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.build(noise).fit(noise)

    def warm_up(self) -> threading.Thread:
        """Start `compile` in a background thread, so that whatever numba still has to compile
        in this process overlaps the cleaning and embedding that come before the reduction.
        Join the thread before the process ends."""

        def compile_in_background():
            try:
                self.compile()
            except Exception:  # only a head start: the real fit compiles what is missing
                log.debug("UMAP warm-up failed", exc_info=True)

        thread = threading.Thread(target=compile_in_background, name="umap-warm-up", daemon=True)
        thread.start()
        return thread


class HDBSCANClustering:
    """HDBSCAN on the reduced vectors: the model's default clustering part.

    Parameters
    ----------
    min_samples : int or None
        HDBSCAN's `min_samples`, at most the cluster size (None: equal to the cluster size,
        which leaves more outliers).
    selection : {"leaf", "eom"}
        HDBSCAN's `cluster_selection_method` (see `TopicModel`'s `cluster_selection`).
    """

    def __init__(self, min_samples: int | None = 10, selection: str = "leaf"):
        self.min_samples = min_samples
        self.selection = selection

    def build(self, min_cluster_size: int):
        """An HDBSCAN model (BERTopic's `hdbscan_model`) for clusters of `min_cluster_size`."""
        from hdbscan import HDBSCAN

        return HDBSCAN(
            min_cluster_size=min_cluster_size,
            min_samples=None
            if self.min_samples is None
            else min(self.min_samples, min_cluster_size),
            metric="euclidean",
            cluster_selection_method=self.selection,
            prediction_data=True,
        )


def exact_neighbours(
    vectors: np.ndarray, k: int, chunk: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """The `k` nearest rows of each row of unit `vectors` by cosine distance, self included.

    Returns (indices, distances), each of shape (n, k), nearest first, equal distances in
    row order. Deterministic: no random projection trees, unlike UMAP's approximate search.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    n = len(vectors)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, chunk):
        sims = vectors[start : start + chunk] @ vectors.T
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        part_sims = np.take_along_axis(sims, part, axis=1)
        order = np.lexsort((part, -part_sims), axis=1)
        indices[start : start + chunk] = np.take_along_axis(part, order, axis=1)
        nearest = np.take_along_axis(part_sims, order, axis=1)
        distances[start : start + chunk] = np.clip(1.0 - nearest, 0.0, 2.0)
    return indices, distances


def merge_similar_topics(
    topics: np.ndarray, embeddings: np.ndarray, threshold: float
) -> np.ndarray:
    """Merge topics whose centroids' cosine similarity is >= `threshold`, most similar first.

    The smaller topic joins the larger; centroids are recomputed after each merge. Topics are
    then renumbered by size (0 = largest, ties by old id), as BERTopic numbers them; -1 stays.
    """
    topics = np.asarray(topics, dtype=int).copy()
    while True:
        centroids = topic_centroids(topics, embeddings)
        if len(centroids) < 2:
            break
        ids = sorted(centroids)
        sims = np.stack([centroids[t] for t in ids]) @ np.stack([centroids[t] for t in ids]).T
        np.fill_diagonal(sims, -np.inf)
        i, j = np.unravel_index(np.argmax(sims), sims.shape)
        if sims[i, j] < threshold:
            break
        a, b = ids[i], ids[j]
        keep, drop = (a, b) if ((topics == a).sum(), -a) >= ((topics == b).sum(), -b) else (b, a)
        topics[topics == drop] = keep
    return renumber_by_size(topics)


def center_vectors(vectors: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """`vectors` minus `offset` (usually the corpus mean), each scaled to unit length.

    Sentence embeddings share a large common direction (all the more in one brand's posts),
    which makes every pair look similar; removing the mean spreads them out so that cosine
    similarity and neighbours reflect what differs between posts. A row equal to `offset`
    stays zero.
    """
    shifted = np.asarray(vectors, dtype=np.float32) - np.asarray(offset, dtype=np.float32)
    norms = np.linalg.norm(shifted, axis=1, keepdims=True)
    return shifted / np.where(norms > 0, norms, 1.0)


def renumber_by_size(topics: np.ndarray) -> np.ndarray:
    """Topic ids 0..k-1 by decreasing size (ties: the topic whose first post comes first); -1 kept.

    Ties are not broken by the old ids, which HDBSCAN may permute when vectors differ in the
    last bits (e.g. embedded in other batches), so that equal inputs give equal numbers.
    """
    topics = np.asarray(topics, dtype=int)
    ids, first, counts = np.unique(
        topics[topics != NO_TOPIC], return_index=True, return_counts=True
    )
    first = np.flatnonzero(topics != NO_TOPIC)[first]
    order = sorted(zip(-counts, first, ids, strict=True))
    mapping = {old: new for new, (_, _, old) in enumerate(order)}
    return np.array([mapping.get(t, NO_TOPIC) for t in topics.tolist()], dtype=int)


def topic_centroids(topics: np.ndarray, embeddings: np.ndarray) -> dict[int, np.ndarray]:
    """Unit-length mean embedding of each topic (not of -1)."""
    out = {}
    for t in sorted(set(topics.tolist()) - {NO_TOPIC}):
        mean = embeddings[topics == t].mean(axis=0)
        out[t] = mean / (np.linalg.norm(mean) or 1.0)
    return out


def topic_means(topics: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
    """Mean embedding per topic id in sorted order, -1 included when present (BERTopic's layout)."""
    return np.stack([embeddings[topics == t].mean(axis=0) for t in sorted(set(topics.tolist()))])
