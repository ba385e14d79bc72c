"""Topics of customer posts with BERTopic: text preparation, the model, and summary tables.

The model embeds cleaned posts (personal data, mentions, links and numbers removed) with a
local sentence-transformers model (see `toolkit.analysis.topics.embeddings`), optionally pulled towards the
conversation they answer, centres them on the corpus mean, reduces them with seeded UMAP on
exact neighbours, clusters them with HDBSCAN (leaf clusters), merges near-duplicate topics,
describes each with c-TF-IDF keywords, then moves outliers to the nearest topic when they
are similar enough. Same input, same seed: same topics, in any process.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from toolkit.analysis.topics.embeddings import EmbeddingCache, MiniLMEmbedder, force_offline
from toolkit.core.language import fill_languages
from toolkit.core.progress import progress
from toolkit.privacy.detect.analyzer import detect
from toolkit.privacy.detect.entities import ENTITY_TYPES, NER_ONLY_TYPES, PERSON
from toolkit.privacy.detect.wordlists import common_words, first_names, surnames
from toolkit.privacy.pseudonymise import HANDLE_IN_TEXT, PSEUDONYM
from toolkit.privacy.quoting import quote, redact

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------ text preparation

#: Filler words of social media posts that say nothing about the topic.
SOCIAL_STOP_WORDS = frozenset(
    """
    rt via amp lol lmao lmfao rofl omg omfg wtf smh tbh imo imho idk ikr fyi btw ty thx thanks
    thank pls plz please hey hi hello yo ok okay yes yeah yep nope nah oh ah uh um hmm wow haha
    hahaha im ive id ill youre youve youll hes shes theyre weve were dont doesnt didnt cant
    couldnt wont wouldnt shouldnt isnt arent wasnt werent havent hasnt hadnt aint thats whats
    theres heres u ur ya yall ye gonna wanna gotta kinda sorta dm dms pm just really got get
    gets getting like literally actually basically anyone someone guys guy folks today day
    edit lt gt http https www com
    don doesn didn isn aren wasn weren haven hasn hadn won wouldn shouldn couldn ll ve
    """.split()
)

#: sklearn's English stop words plus `SOCIAL_STOP_WORDS`; add brand terms with `stop_words`.
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS | SOCIAL_STOP_WORDS)

#: Function words of the languages posts most often slip in with when the platform gives no
#: language tag. A fallback until `toolkit.core.language.stop_words` exists; words that are also
#: content words in English ("die", "son", "come", "per") are left out on purpose.
FALLBACK_STOP_WORDS = {
    "es": "el la los las un una unos unas de del y o que en por para con sin se su sus es son "
    "lo le les mi mis tu tus muy pero como mas más ya yo este esta esto eso al porque",
    "fr": "le la les un une des du de et ou que qui en au aux pour par sur dans ce cette ces "
    "il elle ils elles je tu nous vous est sont pas ne mais avec mon ma mes son sa ses",
    "de": "der das den dem des ein eine einen einem einer und oder nicht ist sind ich du er "
    "sie es wir ihr mit von zu auf für aber auch noch wie was",
    "it": "il lo gli la le un una uno di del della dei delle da dal nel nella che chi non è "
    "sono per con su tra fra ma anche io tu lui lei noi voi loro mio mia",
    "pt": "o os as um uma uns umas de do da dos das em no na nos nas que não é são para por "
    "com sem mas eu você ele ela nós eles elas meu minha",
    "nl": "de het een en of niet is zijn ik jij je hij zij wij jullie ze met van voor op aan "
    "maar ook nog wat dat",
}
#: Languages whose stop words labels may never start or end with, whatever the corpus filter.
LABEL_LANGUAGES = ("en", *FALLBACK_STOP_WORDS)


def language_stop_words(languages: Iterable[str]) -> frozenset[str]:
    """Lower-case stop words of `languages` (ISO 639-1 codes).

    sklearn's English list plus the short function-word lists of `FALLBACK_STOP_WORDS`.
    (`toolkit.core.language.stop_words`, from stopwords-iso, is far broader: it drops content
    words such as "card" or "café" that topics need.)
    """
    languages = tuple(languages)
    words = set(ENGLISH_STOP_WORDS) if "en" in languages else set()
    for code in languages:
        words |= set(FALLBACK_STOP_WORDS.get(code, "").split())
    return frozenset(words)


_RT_PREFIX = re.compile(r"^\s*RT\s+@[\w.@-]+:?\s*")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_REDDIT_USER = re.compile(r"(?<![\w/])/?u/[\w-]+")
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
_CAMEL_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
# Anything with a digit: numbers, prices, dates, order codes, phone numbers, offer codes.
# Phone numbers written with spaces ("+1 555 010 4477") split into several such tokens.
_HAS_DIGIT = re.compile(r"[^\s]*\d[^\s]*")
_INVISIBLE = frozenset("\u200d\u200c\ufe0e\ufe0f\u20e3")
_LETTER = re.compile(r"[^\W\d_]")
_SPACES = re.compile(r"\s+")
#: What topic text loses: personal data about people. Places, organisations, dates and
#: groups (the NER layer's other types) are what customers talk about; labels and keywords
#: are checked for personal data again before they are published (`is_publishable`).
_TOPIC_PRIVATE_TYPES = tuple(t for t in ENTITY_TYPES if t not in NER_ONLY_TYPES)
#: NER person guesses below this score are left in topic text (the tweet model reads many
#: non-English words as names, e.g. "café", "treno"); the gate applies the same cut.
NER_GUESS_SCORE = 0.6


def _private_spans(text: str, types=_TOPIC_PRIVATE_TYPES) -> list:
    return [
        s
        for s in detect(text, types)
        if not (s.entity_type == PERSON and s.score < NER_GUESS_SCORE)
    ]


_PLACEHOLDER = re.compile("<(?:" + "|".join(map(re.escape, ENTITY_TYPES)) + ")>")


def split_hashtag(tag: str) -> str:
    """Turn a hashtag body into lower-case words: 'NimbusGlowUp' -> 'nimbus glow up'."""
    parts = _CAMEL_PART.findall(tag)
    return " ".join(parts).lower() if parts else tag.lower()


def _hashtag_words(tag: str) -> str:
    """A hashtag body as words, case kept: 'JusticeForDevika' -> 'Justice For Devika'."""
    return " ".join(_CAMEL_PART.findall(tag)) or tag


def _is_emoji_or_symbol(char: str) -> bool:
    return char in _INVISIBLE or unicodedata.category(char) in {"So", "Sk", "Cs", "Co"}


def _brand_pattern(brand_handles: Iterable[str]) -> re.Pattern | None:
    handles = sorted({h.strip().lstrip("@").lower() for h in brand_handles if h and h.strip("@ ")})
    if not handles:
        return None
    return re.compile(
        r"(?<![\w@])(?:" + "|".join(map(re.escape, handles)) + r")(?!\w)", re.IGNORECASE
    )


def prepare_for_topics(text: str, brand_handles: Iterable[str] = ()) -> str:
    """Clean one post for topic modelling; returns '' when nothing topical is left.

    Removes the retweet prefix and the personal data `toolkit.privacy.detect.analyzer.redact` finds (names,
    e-mails, phones, addresses, order numbers, handles, URLs), then, as a backstop, any
    remaining @mention (brand, customer, pseudonym `@u_<hex>`), Reddit `u/` reference, URL,
    e-mail address and anything containing a digit (numbers, prices, codes); turns hashtags
    into words before redaction (#NimbusGlowUp -> "Nimbus Glow Up"); removes bare brand handles, emoji and
    symbols; unescapes HTML entities; collapses whitespace.

    Parameters
    ----------
    text : str
        The post text (as in the canonical posts table).
    brand_handles : iterable of str
        The brand's handles (and names); also removed where they appear without '@'.
    """
    text = html.unescape(text if isinstance(text, str) else "")
    text = _RT_PREFIX.sub(" ", text)
    # Hashtags become words before redaction, case kept, so that the detector sees the
    # name in '#JusticeForDevika' ("Justice For Devika").
    text = _HASHTAG.sub(lambda m: " " + _hashtag_words(m.group(1)) + " ", text)
    text = _PLACEHOLDER.sub(" ", redact(text, _private_spans(text)))
    text = _URL.sub(" ", text)
    text = HANDLE_IN_TEXT.sub(" ", text)  # before e-mails: '@user@instance' is a handle
    text = _EMAIL.sub(" ", text)
    text = _REDDIT_USER.sub(" ", text)
    text = PSEUDONYM.sub(" ", text)
    text = _HAS_DIGIT.sub(" ", text)
    brand = _brand_pattern(brand_handles)
    if brand is not None:
        text = brand.sub(" ", text)
    text = "".join(" " if _is_emoji_or_symbol(c) else c for c in text)
    text = _SPACES.sub(" ", text).strip()
    return text if _LETTER.search(text) else ""


def brand_tokens(brand_terms: Iterable[str]) -> set[str]:
    """Lower-case word tokens of brand names and handles: 'Nimbus Home' -> {nimbus, home}.

    Handles are split only at non-letters ('NimbusSupport' -> nimbussupport), not at capitals,
    so a handle does not turn an ordinary word like 'support' into a stop word.
    """
    tokens = {part.lower() for term in brand_terms for part in re.split(r"[\W\d_]+", term or "")}
    return {t for t in tokens if len(t) > 1}


def stop_words(brand_terms: Iterable[str] = ()) -> list[str]:
    """`STOP_WORDS` plus the brand's name and handle tokens, sorted.

    Without them the brand's own name would be a top keyword of every topic.
    """
    return sorted(STOP_WORDS | brand_tokens(brand_terms))


# ------------------------------------------------------------------ the model

NO_TOPIC = -1
#: Smallest `min_cluster_size` a share-valued `min_topic_size` resolves to.
MIN_CLUSTER_FLOOR = 10
_TOPIC_INFO_COLUMNS = ["topic", "label", "size", "share", "keywords", "description"]
#: Posts at most used to find label phrases (a seeded sample beyond it).
LABEL_SAMPLE = 20_000


def _unique_labels(labels: dict[int, str]) -> dict[int, str]:
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {t: (f"{lab} ({t})" if seen[lab] > 1 else lab) for t, lab in labels.items()}


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


def _make_backend(encode):
    """A BERTopic embedding backend that embeds through `encode(texts)`."""
    from bertopic.backend import BaseEmbedder

    class _Backend(BaseEmbedder):
        def embed(self, documents, verbose=False):
            return encode(list(documents))

    return _Backend()


class TopicModel:
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
    representation : {"ctfidf", "keybert", "mmr"}
        How keywords are chosen: c-TF-IDF (default: on the sample its top-10 words have NPMI
        coherence 0.08 and diversity 0.95, against -0.22 and 0.88 with KeyBERTInspired and
        -0.04 and 0.91 with MaximalMarginalRelevance), c-TF-IDF candidates re-ranked by
        similarity to the topic (KeyBERTInspired), or diversified (MaximalMarginalRelevance).
    outlier_threshold : float or None
        Outliers are moved to the most similar topic (cosine similarity of the post to the
        topic's centroid, both centred when `center`) when the similarity is at least this;
        None leaves them as -1. Centred similarities are lower than raw ones; 0.1 leaves
        1-3% outliers with MiniLM and the static model alike (0.15 left up to 17% of a
        million posts with the static model, for at most 0.01 of NMI on the labelled sets).
    n_neighbors, n_components : int
        UMAP parameters.
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
        With `center`, centroids of distinct topics score at most about 0.3-0.5 (0.85 or
        more uncentred), parts of one topic split by leaf clustering 0.55-0.6.
    cluster_selection : {"leaf", "eom"}
        HDBSCAN's `cluster_selection_method`. "eom" (excess of mass, BERTopic's default) can
        pick one cluster high in the hierarchy that swallows half the corpus (two or three
        topics in all, depending on the seed); "leaf" keeps the finest clusters of at least
        `min_topic_size` posts, which is steadier across seeds and parameters.
    center : bool
        Subtract the fitted posts' mean embedding before UMAP, clustering and assignment (then
        rescale to unit length). Sentence embeddings share one dominant direction, stronger
        still in one brand's posts; without it every post looks similar to every other.
        The mean is saved with the model and reused by `transform`.
    languages : iterable of str
        Languages whose stop words are kept out of keywords and off the edges of labels
        (`language_stop_words`); by default English and the languages that most often reach
        the model untagged.

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

    def __init__(
        self,
        min_topic_size: int | float = 0.03,
        nr_topics: int | str | None = None,
        seed: int = 42,
        embedder=None,
        cache=None,
        brand_terms: Iterable[str] = (),
        representation: str = "ctfidf",
        outlier_threshold: float | None = 0.1,
        n_neighbors: int = 15,
        n_components: int = 5,
        min_term_posts: int = 2,
        top_n_words: int = 10,
        max_docs: int | None = None,
        context_weight: float = 1.5,
        min_samples: int | None = 10,
        batch_size: int = 50_000,
        merge_similarity: float | None = 0.5,
        cluster_selection: str = "leaf",
        center: bool = True,
        languages: Iterable[str] = LABEL_LANGUAGES,
        keyword_min_npmi: float | None = 0.0,
    ):
        if not (
            0 < min_topic_size < 1 if isinstance(min_topic_size, float) else min_topic_size >= 2
        ):
            raise ValueError("min_topic_size must be an int >= 2 or a float in (0, 1)")
        if representation not in {"keybert", "mmr", "ctfidf"}:
            raise ValueError(f"unknown representation {representation!r}")
        if cluster_selection not in {"leaf", "eom"}:
            raise ValueError(
                f"unknown cluster_selection {cluster_selection!r}; use 'leaf' or 'eom'"
            )
        self.min_topic_size = min_topic_size
        self.nr_topics = nr_topics
        self.seed = seed
        self.embedder = embedder
        self.cache = cache
        self.brand_terms = tuple(brand_terms)
        self.representation = representation
        self.outlier_threshold = outlier_threshold
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.min_term_posts = min_term_posts
        self.top_n_words = top_n_words
        self.max_docs = max_docs
        self.context_weight = context_weight
        self.min_samples = min_samples
        self.batch_size = batch_size
        self.merge_similarity = merge_similarity
        self.cluster_selection = cluster_selection
        self.center = center
        self.languages = tuple(languages)
        self.keyword_min_npmi = keyword_min_npmi
        self._offset = None
        self._default_embedder = None

    # -------------------------------------------------------------- public API

    def cluster_size(self, n_posts: int) -> int:
        """HDBSCAN's `min_cluster_size` for a corpus of `n_posts` modelled posts."""
        if isinstance(self.min_topic_size, float):
            return max(MIN_CLUSTER_FLOOR, round(self.min_topic_size * n_posts))
        return self.min_topic_size

    def min_docs(self, n_posts: int) -> int:
        """Fewest distinct posts worth clustering (else one topic 'all posts')."""
        return max(3 * self.cluster_size(n_posts), 2 * self.n_neighbors)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed already prepared texts with the cache, else the embedder (default MiniLM)."""
        return self._embedder().encode(texts)

    def _embedder(self):
        if self.cache is not None:
            return self.cache
        if self.embedder is not None:
            return self.embedder
        if self._default_embedder is None:
            self._default_embedder = MiniLMEmbedder()
        return self._default_embedder

    def prepare(self, docs: Iterable[str]) -> list[str]:
        """`prepare_for_topics` applied to each post with this model's brand terms."""
        return [prepare_for_topics(d, self.brand_terms) for d in docs]

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
        prepared = self.prepare(docs)
        contexts = self._prepare_context(context, len(prepared))
        self.excluded_ = np.array([not p for p in prepared], dtype=bool)
        self.n_excluded_ = int(self.excluded_.sum())
        keep = np.flatnonzero(~self.excluded_)
        kept = [prepared[i] for i in keep]
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
            topics, keywords = self._fit_on_subset(kept, [contexts[i] for i in keep])
        raw = [d if isinstance(d, str) else "" for d in docs]
        self._finish(topics, keywords, kept, [raw[i] for i in keep])
        return self

    def fit_transform(
        self, docs: Sequence[str], context: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """`fit(docs, context)` and return `labels_`."""
        return self.fit(docs, context).labels_

    def transform(
        self, docs: Sequence[str], context: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """Topic ids for new posts (-1: outlier, or no text left after cleaning)."""
        self._check_fitted()
        prepared = self.prepare(docs)
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
        light._default_embedder = None
        if light.cache is None and light.embedder is not None:
            light.embedder = _unloaded(light.embedder)
        elif light.cache is not None:
            light.cache = copy.copy(light.cache)
            light.cache.embedder = _unloaded(light.cache.embedder)
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
        `toolkit.privacy.detect.analyzer.quote`), never text. Ties are broken by position.

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
            prepared = dict(
                zip(candidates.tolist(), self.prepare([docs[i] for i in candidates]), strict=True)
            )
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
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.model_ is not None:
            self.model_.save(
                path,
                serialization="safetensors",
                save_ctfidf=True,
                save_embedding_model=self._model_path(),
            )
        summary = {
            "status": self.status_,
            "params": self._params_for_json(),
            "n_excluded": self.n_excluded_,
            "outlier_share": self.outlier_share_,
            "n_topics": self.n_topics_,
            "topic_info": self.topic_info_.to_dict(orient="records"),
        }
        (path / "toolkit_topics.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        if self._centroids:
            from safetensors.numpy import save_file

            ids, matrix = self._centroid_matrix()
            tensors = {"topic_ids": ids.astype(np.int64), "centroids": matrix.astype(np.float32)}
            if self._offset is not None:
                tensors["offset"] = np.asarray(self._offset, dtype=np.float32)
            save_file(tensors, str(path / "toolkit_centroids.safetensors"))
        return path

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
        from toolkit.analysis.topics.embeddings import make_embedder

        path = Path(path)
        summary = json.loads((path / "toolkit_topics.json").read_text(encoding="utf-8"))
        params = summary["params"]
        saved_name = params.pop("embedding_model", None)
        params.pop("embedding_dim", None)
        if embedder is None and cache is None:
            embedder = make_embedder("static" if "static" in str(saved_name) else "minilm")
        model = cls(embedder=embedder, cache=cache, **params)
        used = getattr(model._base_embedder(), "name", None)
        if saved_name and used != saved_name:
            raise ValueError(f"topics were fitted with {saved_name!r}, not {used!r}")
        model._centroids = None
        centroid_file = path / "toolkit_centroids.safetensors"
        if centroid_file.is_file():
            from safetensors.numpy import load_file

            tensors = load_file(str(centroid_file))
            model._centroids = dict(
                zip(tensors["topic_ids"].tolist(), tensors["centroids"], strict=True)
            )
            model._offset = tensors.get("offset")
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
        return self.prepare(context)

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

    def _fit_on_subset(
        self, kept: list[str], contexts: list[str]
    ) -> tuple[np.ndarray, dict[int, list[str]]]:
        """Fit on at most `max_docs` posts (a seeded random sample); predict the others.

        Only the sample is embedded at once; the others are embedded and assigned in batches
        of `batch_size`, so memory grows with the sample and the batch, not the corpus.
        """
        n_fit = None if self.max_docs is None else max(self.max_docs, self.min_docs(len(kept)))
        if n_fit is None or len(kept) <= n_fit:
            return self._fit_bertopic(kept, self._fit_space(self._embed(kept, contexts)))
        chosen = np.zeros(len(kept), dtype=bool)
        chosen[np.random.default_rng(self.seed).choice(len(kept), n_fit, replace=False)] = True
        fit_idx, rest_idx = np.flatnonzero(chosen), np.flatnonzero(~chosen)
        fit_texts = [kept[i] for i in fit_idx]
        fitted, keywords = self._fit_bertopic(
            fit_texts, self._fit_space(self._embed(fit_texts, [contexts[i] for i in fit_idx]))
        )
        topics = np.full(len(kept), NO_TOPIC, dtype=int)
        topics[fit_idx] = fitted
        if self.model_ is None:  # the sample was not clusterable
            topics[rest_idx] = fitted[0] if len(fitted) else NO_TOPIC
        else:
            topics[rest_idx] = self._predict_in_batches(
                [kept[i] for i in rest_idx], [contexts[i] for i in rest_idx]
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
        try:
            vectorizer = self._vectorizer(kept)
        except ValueError:  # sklearn: empty vocabulary
            self.status_ = "no keywords left after removing stop words; all posts form one topic"
            return self._single_topic(kept)
        force_offline()  # before bertopic imports sentence_transformers
        from bertopic import BERTopic

        self.min_cluster_size_ = self.cluster_size(len(kept))
        model = BERTopic(
            embedding_model=_make_backend(self.encode),
            umap_model=self._umap(embeddings),
            hdbscan_model=self._hdbscan(self.min_cluster_size_),
            vectorizer_model=vectorizer,
            ctfidf_model=self._ctfidf(),
            representation_model=self._representation(),
            nr_topics=self.nr_topics,
            top_n_words=self._n_candidates,
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
        self._centroids = _centroids(topics, embeddings)
        if (topics == NO_TOPIC).any() and self.outlier_threshold is not None:
            topics = self._assign_outliers(topics, embeddings)
            self._centroids = _centroids(topics, embeddings)
        if not np.array_equal(topics, clustered):
            with _quiet_bertopic():  # it warns about custom assignments, which are the point here
                model.update_topics(
                    kept,
                    topics=topics.tolist(),
                    top_n_words=self._n_candidates,
                    vectorizer_model=model.vectorizer_model,
                    ctfidf_model=self._ctfidf(),
                    representation_model=self._representation(),
                )
        model.topic_embeddings_ = _centroid_matrix(topics, embeddings)
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
        return np.zeros(len(kept), dtype=int), {0: self._frequent_terms(kept)}

    def _frequent_terms(self, kept: list[str]) -> list[str]:
        """The most frequent keywords of a set of posts (ties broken alphabetically)."""
        try:
            vectorizer = self._vectorizer(kept)
            counts = np.asarray(vectorizer.fit_transform(kept).sum(axis=0)).ravel()
        except ValueError:  # no term left
            return []
        terms = vectorizer.get_feature_names_out()
        order = sorted(range(len(terms)), key=lambda i: (-counts[i], terms[i]))
        return [terms[i] for i in order[: self.top_n_words]]

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
        publishable = _Publishable()
        keywords = {t: [k for k in kw if publishable(k)] for t, kw in keywords.items()}
        if len(texts) > LABEL_SAMPLE:
            rng = np.random.default_rng(self.seed)
            pick = np.sort(rng.choice(len(texts), LABEL_SAMPLE, replace=False))
            texts, topics = [texts[i] for i in pick], topics[pick]
            raw = [raw[i] for i in pick]
        if self.keyword_min_npmi is not None and self.model_ is not None:
            keywords = keyword_npmi_filter(keywords, raw, self.top_n_words, self.keyword_min_npmi)
        else:
            keywords = {t: kw[: self.top_n_words] for t, kw in keywords.items()}
        if self.model_ is None:
            names = {0: "all posts"} if keywords else {}
        else:
            stop = language_stop_words(self.languages) | set(stop_words(self.brand_terms))
            names = phrase_labels(texts, topics.tolist(), keywords, stop, publishable)
        self.topic_info_ = _topic_info(labels, _unique_labels(names), keywords)

    # -------------------------------------------------------------- components

    def _umap(self, embeddings: np.ndarray):
        """Seeded UMAP on exact cosine neighbours.

        Exact neighbours (a few seconds for 20,000 posts) spare the ~40 s numba compilation
        of the approximate search UMAP uses above 4,096 points, in every new process.
        """
        from umap import UMAP

        k = min(self.n_neighbors, len(embeddings))
        return UMAP(
            precomputed_knn=exact_neighbours(embeddings, k),
            n_neighbors=self.n_neighbors,
            n_components=self.n_components,
            min_dist=0.0,
            metric="cosine",
            random_state=self.seed,
            # UMAP's default spectral init is not reproducible when the neighbour graph has
            # small disconnected parts, which duplicate posts (copies, templated replies)
            # create; a seeded PCA init is.
            init="pca",
            n_jobs=1,  # a fixed random_state forces one thread anyway; say so to avoid a warning
        )

    def _hdbscan(self, min_cluster_size: int):
        from hdbscan import HDBSCAN

        return HDBSCAN(
            min_cluster_size=min_cluster_size,
            min_samples=None
            if self.min_samples is None
            else min(self.min_samples, min_cluster_size),
            metric="euclidean",
            cluster_selection_method=self.cluster_selection,
            prediction_data=True,
        )

    @property
    def _n_candidates(self) -> int:
        """Keywords asked of c-TF-IDF: more than kept when `keyword_min_npmi` filters them."""
        return self.top_n_words if self.keyword_min_npmi is None else 3 * self.top_n_words

    def _vectorizer(self, kept: list[str]) -> CountVectorizer:
        """Unigrams and bigrams without stop words, limited to terms in >= `min_term_posts` posts.

        BERTopic fits its vectorizer on one joined document per topic, where `min_df` would
        count topics, not posts; so the vocabulary is fixed here, on the posts themselves.
        """
        words = sorted(set(stop_words(self.brand_terms)) | language_stop_words(self.languages))
        params = dict(stop_words=words, ngram_range=(1, 2), token_pattern=r"(?u)\b[^\W\d_]{2,}\b")
        min_df = self.min_term_posts if len(kept) >= self.min_term_posts else 1
        try:
            vocabulary = CountVectorizer(min_df=min_df, **params).fit(kept).vocabulary_
        except ValueError:  # nothing occurs often enough: fall back to every term
            vocabulary = CountVectorizer(**params).fit(kept).vocabulary_
        return CountVectorizer(vocabulary=sorted(vocabulary), **params)

    @staticmethod
    def _ctfidf():
        from bertopic.vectorizers import ClassTfidfTransformer

        return ClassTfidfTransformer(reduce_frequent_words=True)

    def _representation(self):
        from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance

        if self.representation == "keybert":
            # 30 representative posts instead of 5: large topics of varied posts are then
            # described by their bulk rather than by one vivid template.
            return KeyBERTInspired(
                top_n_words=self.top_n_words, nr_repr_docs=30, random_state=self.seed
            )
        if self.representation == "mmr":
            return MaximalMarginalRelevance(diversity=0.3, top_n_words=self.top_n_words)
        return None

    # -------------------------------------------------------------- helpers

    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise RuntimeError("TopicModel is not fitted; call fit(docs) first")

    def _base_embedder(self):
        """The model that makes the vectors (the cache's, when there is a cache)."""
        embedder = self._embedder()
        return embedder.embedder if isinstance(embedder, EmbeddingCache) else embedder

    def _model_path(self) -> str | bool:
        """Local folder of the embedding model for BERTopic's config, or False if unknown."""
        return str(getattr(self._base_embedder(), "path", "") or "") or False

    def _params_for_json(self) -> dict:
        return {
            "embedding_model": getattr(self._base_embedder(), "name", "unknown"),
            "min_topic_size": self.min_topic_size,
            "nr_topics": self.nr_topics,
            "seed": self.seed,
            "representation": self.representation,
            "outlier_threshold": self.outlier_threshold,
            "n_neighbors": self.n_neighbors,
            "n_components": self.n_components,
            "min_term_posts": self.min_term_posts,
            "max_docs": self.max_docs,
            "context_weight": self.context_weight,
            "min_samples": self.min_samples,
            "merge_similarity": self.merge_similarity,
            "cluster_selection": self.cluster_selection,
            "center": self.center,
            "languages": list(self.languages),
            "keyword_min_npmi": self.keyword_min_npmi,
            "embedding_dim": getattr(self._base_embedder(), "dim", None),
        }


def _unloaded(embedder):
    """A shallow copy of `embedder` without its loaded model (it loads again when used)."""
    import copy

    light = copy.copy(embedder)
    if hasattr(light, "_model"):
        light._model = None
    return light


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
        centroids = _centroids(topics, embeddings)
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


def _centroids(topics: np.ndarray, embeddings: np.ndarray) -> dict[int, np.ndarray]:
    """Unit-length mean embedding of each topic (not of -1)."""
    out = {}
    for t in sorted(set(topics.tolist()) - {NO_TOPIC}):
        mean = embeddings[topics == t].mean(axis=0)
        out[t] = mean / (np.linalg.norm(mean) or 1.0)
    return out


def _centroid_matrix(topics: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
    """Mean embedding per topic id in sorted order, -1 included when present (BERTopic's layout)."""
    return np.stack([embeddings[topics == t].mean(axis=0) for t in sorted(set(topics.tolist()))])


def keyword_npmi_filter(
    keywords: dict[int, list[str]], texts: Sequence[str], n: int, min_npmi: float = 0.0
) -> dict[int, list[str]]:
    """Keep, per topic, keywords that occur together in the corpus: at most `n` of them.

    Keywords are taken in their order (c-TF-IDF rank). The first is kept; each next one is
    kept when its mean NPMI with those already kept is at least `min_npmi`, NPMI counted over
    `texts` by documents (a pair that never occurs together scores -1), as keyword coherence
    is scored (Bouma, 2009; Lau et al., 2014). On short posts plain c-TF-IDF keywords of one
    topic rarely share a post (NPMI below 0); this keeps the ones that do. A phrase counts
    as present in a post when all its words are.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    words = sorted({w for kws in keywords.values() for k in kws for w in k.lower().split()})
    if not words or not len(texts):
        return {t: list(kws[:n]) for t, kws in keywords.items()}
    vectorizer = CountVectorizer(
        vocabulary=words, binary=True, lowercase=True, token_pattern=r"(?u)\b[^\W\d_]{2,}\b"
    )
    present = vectorizer.transform(texts).tocsc().astype(bool)
    column = {w: i for i, w in enumerate(words)}
    n_docs = present.shape[0]
    docs_of: dict[str, np.ndarray] = {}

    def docs(keyword: str) -> np.ndarray:
        if keyword not in docs_of:
            rows = None
            for w in keyword.lower().split():
                col = present[:, column[w]].toarray().ravel() if w in column else None
                if col is None:
                    rows = np.zeros(n_docs, dtype=bool)
                    break
                rows = col if rows is None else rows & col
            docs_of[keyword] = np.zeros(n_docs, dtype=bool) if rows is None else rows
        return docs_of[keyword]

    def npmi(a: str, b: str) -> float:
        da, db = docs(a), docs(b)
        joint = np.count_nonzero(da & db) / n_docs
        if joint == 0:
            return -1.0
        if joint == 1:
            return 1.0
        pa, pb = np.count_nonzero(da) / n_docs, np.count_nonzero(db) / n_docs
        return float(np.log(joint / (pa * pb)) / -np.log(joint))

    out: dict[int, list[str]] = {}
    for topic, kws in keywords.items():
        kept: list[str] = []
        kept_words: list[str] = []
        for keyword in kws:
            if len(kept) >= n:
                break
            new = [w for w in dict.fromkeys(keyword.lower().split()) if w not in kept_words]
            if not docs(keyword).any():
                continue
            # word by word, as coherence is scored: a phrase counts as its words
            pairs = [npmi(w, k) for w in new for k in kept_words]
            pairs += [npmi(w, v) for i, w in enumerate(new) for v in new[i + 1 :]]
            if not pairs or np.mean(pairs) >= min_npmi:
                kept.append(keyword)
                kept_words.extend(new)
        out[topic] = kept
    return out


def _topic_info(
    labels: np.ndarray, names: dict[int, str], keywords: dict[int, list[str]]
) -> pd.DataFrame:
    sizes = pd.Series(labels).value_counts()
    rows = [
        {"topic": t, "label": names[t], "size": int(sizes.get(t, 0)), "keywords": list(keywords[t])}
        for t in keywords
    ]
    if NO_TOPIC in sizes.index:
        rows.append(
            {"topic": NO_TOPIC, "label": "no topic", "size": int(sizes[NO_TOPIC]), "keywords": []}
        )
    info = pd.DataFrame(rows, columns=["topic", "label", "size", "keywords"])
    info["share"] = info["size"] / len(labels) if len(labels) else 0.0
    info = _order_topics(info.astype({"topic": int, "size": int}))
    info["description"] = describe_topics(info)
    return info[_TOPIC_INFO_COLUMNS]


# ------------------------------------------------------------------ labels and descriptions

_LABEL_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def _is_stop(word: str, stop: frozenset[str]) -> bool:
    return len(word) < 2 or word in stop or word.replace("'", "") in stop


def phrase_candidates(
    text: str, stop: frozenset[str], lengths: tuple[int, int] = (2, 4)
) -> set[str]:
    """Distinct word n-grams of a prepared post that could label its topic.

    Lower-case, `lengths` words long, neither first nor last word a stop word (inner ones
    may be: "waste of money"), no word repeated.
    """
    tokens = [t.lower().replace("’", "'") for t in _LABEL_TOKEN.findall(text)]
    usable = [not _is_stop(t, stop) for t in tokens]
    out = set()
    for n in range(lengths[0], lengths[1] + 1):
        for i in range(len(tokens) - n + 1):
            if usable[i] and usable[i + n - 1]:
                gram = tokens[i : i + n]
                if len(set(gram)) == n:
                    out.add(" ".join(gram))
    return out


def is_publishable(term: str) -> bool:
    """False when a keyword or label could name or contact someone.

    It must pass the detector as written and, capitalised, its person-name check (names
    come lower-case out of hashtags: #JusticeForDevika -> "justice for devika"), and no
    word may be a first name or surname of the gazetteer that is not also a common word.
    """
    words = term.split()
    if not words:
        return False
    common, first, last = common_words(), first_names(), surnames()
    for word in words:
        if word.lower() not in common and (word.capitalize() in first or word.capitalize() in last):
            return False
    titled = " ".join(w.capitalize() for w in words)
    return not _private_spans(term) and not _private_spans(titled, [PERSON])


class _Publishable:
    """`is_publishable` with memory, for the many candidate terms of one fit."""

    def __init__(self):
        self._seen: dict[str, bool] = {}

    def __call__(self, term: str) -> bool:
        if term not in self._seen:
            self._seen[term] = is_publishable(term)
        return self._seen[term]


def phrase_labels(
    texts: Sequence[str],
    topics: Sequence[int],
    keywords: dict[int, list[str]],
    stop: frozenset[str],
    publishable=is_publishable,
    min_posts: int = 2,
) -> dict[int, str]:
    """A 2-4 word phrase per topic, taken from its own posts: its top n-gram by c-TF-IDF.

    Candidates are `phrase_candidates` of the topic's distinct prepared posts, found in at
    least `min_posts` of them (and 1% of them). A candidate's score is its share of the
    topic's posts times log(1 + average posts per topic / its posts in all topics)
    (BERTopic's c-TF-IDF, counting posts rather than words) times a bonus for each of the
    topic's top-5 keywords it contains (1/rank); phrases with none of them come last, so the
    label says what the keywords say. Labels are distinct
    across topics (largest topic first) and `publishable`. A topic with no candidate is
    labelled from its keywords (`_keyword_label`).
    """
    from collections import Counter

    per_topic: dict[int, Counter] = {}
    n_posts: Counter = Counter()
    seen: set[tuple[int, str]] = set()
    for text, topic in zip(texts, topics, strict=True):
        if topic == NO_TOPIC or (topic, text) in seen:
            continue
        seen.add((topic, text))
        n_posts[topic] += 1
        per_topic.setdefault(topic, Counter()).update(phrase_candidates(text, stop))
    overall: Counter = Counter()
    for counts in per_topic.values():
        overall.update(counts)
    average = sum(n_posts.values()) / max(len(n_posts), 1)
    labels: dict[int, str] = {}
    used: set[str] = set()
    for topic in sorted(keywords, key=lambda t: (-n_posts.get(t, 0), t)):
        top = [k for k in keywords[topic][:5] if " " not in k]
        floor = max(min_posts, int(np.ceil(0.01 * n_posts.get(topic, 0))))
        scored = []
        for phrase, count in per_topic.get(topic, Counter()).items():
            if count < floor:
                continue
            words = phrase.split()
            bonus = 1 + sum(1 / (rank + 1) for rank, w in enumerate(top) if w in words)
            score = count / n_posts[topic] * np.log1p(average / overall[phrase]) * bonus
            scored.append((bonus == 1, -score, len(words), phrase))
        label = next(
            (c[-1] for c in sorted(scored) if c[-1] not in used and publishable(c[-1])), None
        )
        if label is None:
            label = _keyword_label([k for k in keywords[topic] if publishable(k)], topic)
        used.add(label)
        labels[topic] = label
    return labels


def _keyword_label(keywords: list[str], topic: int) -> str:
    """A label from keywords when no phrase qualifies: a two-word keyword, two keywords
    ("refund, voucher"), or "posts on <keyword>"."""
    pair = next((k for k in keywords[:3] if len(k.split()) >= 2), None)
    if pair:
        return pair
    if len(keywords) >= 2:
        return f"{keywords[0]}, {keywords[1]}"
    return f"posts on {keywords[0]}" if keywords else f"topic {topic}"


def describe_topic(label: str, keywords: Sequence[str], example: str | None = None) -> str:
    """One line for a reader: 'posts about late refunds (refund, voucher, weeks), e.g. "…"'.

    `example` must already have been through `toolkit.privacy.detect.analyzer.quote` (None under
    `privacy.quotes: none`, and then no example is shown).
    """
    shown = [k for k in keywords if k not in label.split()][:3]
    line = (label if label.startswith("posts ") else f"posts about {label}") + (
        f" ({', '.join(shown)})" if shown else ""
    )
    return line + (f', e.g. "{example}"' if example else "")


def describe_topics(topic_info: pd.DataFrame, examples: pd.DataFrame | None = None) -> pd.Series:
    """`describe_topic` for each row of a topic table, with its rank-1 example when given.

    Parameters
    ----------
    topic_info : DataFrame
        topic, label, keywords (e.g. `TopicModel.topic_info_` or `topic_table(...)`).
    examples : DataFrame, optional
        `topic_examples(...)` (topic, rank, example): already quoted under the policy.
    """
    first = {}
    if examples is not None and not examples.empty:
        ranked = examples.sort_values(["topic", "rank"]).drop_duplicates("topic")
        first = dict(zip(ranked["topic"], ranked["example"], strict=True))
    return pd.Series(
        [
            "posts that fit no topic"
            if row.topic == NO_TOPIC
            else describe_topic(
                row.label,
                list(row.keywords) if _is_list(row.keywords) else [],
                first.get(row.topic),
            )
            for row in topic_info.itertuples()
        ],
        index=topic_info.index,
        name="description",
        dtype=object,
    )


def redact_hashtag_names(text: str) -> str:
    """Hide hashtags that carry a person's name: '#JusticeForDevika' -> '#JusticeFor<PERSON>'.

    The detector reads a hashtag as one word; here its words are checked one by one
    (`is_publishable`), so a name inside a hashtag never reaches a quote.
    """

    def replace(match: re.Match) -> str:
        parts = _CAMEL_PART.findall(match.group(1))
        if all(is_publishable(p.lower()) for p in parts if p.isalpha()):
            return match.group(0)
        return "#" + "".join(
            p if not p.isalpha() or is_publishable(p.lower()) else f"<{PERSON}>"
            for p in parts
        )

    return _HASHTAG.sub(replace, text)


# ------------------------------------------------------------------ corpus

#: Language tags that say nothing about the language (Twitter: undetermined, no text,
#: only mentions / hashtags / media / links...). Posts with these count as unknown.
UNKNOWN_LANGUAGE_TAGS = frozenset({"und", "zxx", "qam", "qct", "qht", "qme", "qst"})


def topic_corpus(
    posts: pd.DataFrame, languages: Iterable[str] = ("en",), guess: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customer posts to model, and a count of the customer posts left out for their language.

    Keeps posts that are not the brand's, are not shares (a retweet or boost repeats another
    post) and whose `language` is one of `languages` or unknown. Where the platform gives no
    language (Reddit, CrowdTangle, most CSVs), it is guessed from function words
    (`toolkit.core.language.guess_language`); posts it cannot tell stay in. The embedding model
    is English: other languages would form topics of their own.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts (`is_brand`, `post_type`, `language`, `author`); extra columns such
        as a sentiment score are kept.
    languages : iterable of str
        Primary language subtags to keep ('en' keeps 'en-GB' too).
    guess : bool
        Guess the language of untagged posts (else they are all kept).

    Returns
    -------
    corpus : DataFrame
        The kept rows, all columns, index reset.
    others : DataFrame
        language, posts, n_authors for the left-out languages, most posts first.
    """
    wanted = {code.lower() for code in languages}
    customer = posts[~posts["is_brand"].astype(bool) & (posts["post_type"] != "share")]
    language = (
        fill_languages(customer["language"], customer["text"]) if guess else customer["language"]
    )
    tag = language.astype("string").str.lower().str.split("-").str[0]
    known = tag.notna() & ~tag.isin(UNKNOWN_LANGUAGE_TAGS)
    keep = (~known | tag.isin(wanted)).to_numpy(dtype=bool)
    others = (
        customer[~keep]
        .assign(language=tag[~keep])
        .groupby("language", as_index=False)
        .agg(posts=("author", "size"), n_authors=("author", "nunique"))
        .sort_values(["posts", "language"], ascending=[False, True], ignore_index=True)
    )
    return customer[keep].reset_index(drop=True), others


# ------------------------------------------------------------------ tables


def topic_table(
    posts: pd.DataFrame,
    labels: Sequence[int],
    topic_info: pd.DataFrame,
    sentiment_labels: Sequence[str] | None = None,
    trend_days: int = 30,
    examples: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per topic: label, size, share, keywords, description, authors, sentiment mix,
    platforms, trend.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts (needs `platform`, `author`, `created_at`), the rows that were modelled.
    labels : sequence of int
        Topic of each row of `posts` (e.g. `TopicModel.labels_`).
    topic_info : DataFrame
        `TopicModel.topic_info_` (topic, label, keywords).
    sentiment_labels : sequence of str, optional
        negative / neutral / positive per row; adds the share of each per topic.
    trend_days : int
        `trend` = posts in the last `trend_days` days of the data / posts in the
        `trend_days` days before (NaN when there were none before).
    examples : DataFrame, optional
        `topic_examples(...)`: each topic's first example joins its description
        ('posts about …, e.g. "…"'); without it (or under `privacy.quotes: none`, where it is
        empty) descriptions have no example.

    Returns
    -------
    DataFrame with topic, label, size, share, keywords, description, n_authors, negative,
    neutral, positive, platforms (dict platform -> posts), recent, previous, trend; topics
    by size, -1 last.
    """
    frame = _with_topics(posts, labels)
    if sentiment_labels is not None:
        frame["sentiment"] = _aligned(sentiment_labels, frame, "sentiment_labels")
    recent_start = frame["created_at"].max() - pd.Timedelta(days=trend_days)
    previous_start = recent_start - pd.Timedelta(days=trend_days)
    rows = [
        {"topic": int(topic), **_topic_row(group, recent_start, previous_start)}
        for topic, group in frame.groupby("topic", sort=False)
    ]
    table = pd.DataFrame(rows, columns=["topic", *_TOPIC_ROW_COLUMNS])
    table["share"] = table["size"] / len(frame) if len(frame) else 0.0
    table = table.merge(topic_info[["topic", "label", "keywords"]], on="topic", how="left")
    default_labels = table["topic"].map(lambda t: "no topic" if t == NO_TOPIC else f"topic {t}")
    table["label"] = table["label"].fillna(default_labels)
    table["keywords"] = table["keywords"].map(lambda k: list(k) if _is_list(k) else [])
    table["description"] = describe_topics(table, examples)
    first = ["topic", "label", "size", "share", "keywords", "description", "n_authors"]
    return _order_topics(table)[first + [c for c in _TOPIC_ROW_COLUMNS if c not in first]]


_TOPIC_ROW_COLUMNS = [
    "size", "n_authors", "negative", "neutral", "positive", "platforms", "recent", "previous", "trend",
]  # fmt: skip


def _topic_row(group: pd.DataFrame, recent_start, previous_start) -> dict:
    """Counts, sentiment mix, platforms and trend of one topic's posts."""
    when = group["created_at"]
    recent = int((when > recent_start).sum())
    previous = int(((when > previous_start) & (when <= recent_start)).sum())
    platforms = group["platform"].value_counts().sort_index()
    row = {
        "size": len(group),
        "n_authors": group["author"].nunique(),
        "platforms": {str(k): int(v) for k, v in platforms.items()},
        "recent": recent,
        "previous": previous,
        "trend": recent / previous if previous else float("nan"),
    }
    for sentiment in ("negative", "neutral", "positive"):
        has = "sentiment" in group
        row[sentiment] = float((group["sentiment"] == sentiment).mean()) if has else float("nan")
    return row


def _is_list(value) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def topics_over_time(
    posts: pd.DataFrame, labels: Sequence[int], freq: str = "W", tz: str | None = None
) -> pd.DataFrame:
    """Posts and distinct authors per topic and period, every topic x period (zeros included).

    Parameters
    ----------
    posts : DataFrame
        Canonical posts with `created_at` (UTC) and `author`.
    labels : sequence of int
        Topic of each row of `posts`.
    freq : str
        pandas period alias: "D", "W" (weeks starting Monday), "M".
    tz : str, optional
        Time zone the periods are cut in (e.g. the brand's); default UTC.

    Returns
    -------
    DataFrame with topic, period (start, naive local time), n_posts, n_authors.
    """
    frame = _with_topics(posts, labels)
    columns = ["topic", "period", "n_posts", "n_authors"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    local = frame["created_at"].dt.tz_convert(tz or "UTC").dt.tz_localize(None)
    frame["period"] = local.dt.to_period(freq).dt.start_time
    counts = frame.groupby(["topic", "period"]).agg(
        n_posts=("author", "size"), n_authors=("author", "nunique")
    )
    periods = pd.period_range(local.min(), local.max(), freq=freq).start_time
    grid = pd.MultiIndex.from_product(
        [sorted(frame["topic"].unique()), periods], names=["topic", "period"]
    )
    out = counts.reindex(grid, fill_value=0).reset_index()
    return out.astype({"topic": int, "n_posts": int, "n_authors": int})[columns]


def topics_per_platform(posts: pd.DataFrame, labels: Sequence[int]) -> pd.DataFrame:
    """Posts and distinct authors per topic and platform (only combinations that occur)."""
    frame = _with_topics(posts, labels)
    out = (
        frame.groupby(["topic", "platform"])
        .agg(n_posts=("author", "size"), n_authors=("author", "nunique"))
        .reset_index()
    )
    return out.astype({"topic": int, "n_posts": int, "n_authors": int})


def topics_per_campaign(
    posts: pd.DataFrame, labels: Sequence[int], campaigns: Sequence, tz: str | None = None
) -> pd.DataFrame:
    """Each topic's share of posts inside each campaign's date window against outside it.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts with `created_at` (UTC) and `author`, the rows that were modelled.
    labels : sequence of int
        Topic of each row of `posts`.
    campaigns : sequence of `toolkit.core.config.Campaign`
        Name, start and end dates (inclusive, in `tz`).
    tz : str, optional
        Time zone of the campaign dates (the brand's); default UTC.

    Returns
    -------
    DataFrame with campaign, topic, n_posts, n_authors (inside the window), share (of the
    window's posts), share_outside (of the other posts) and lift = share / share_outside.
    """
    columns = ["campaign", "topic", "n_posts", "n_authors", "share", "share_outside", "lift"]
    frame = _with_topics(posts, labels)
    if frame.empty or not campaigns:
        return pd.DataFrame(columns=columns)
    day = frame["created_at"].dt.tz_convert(tz or "UTC").dt.date
    tables = []
    for campaign in campaigns:
        inside = ((day >= campaign.start) & (day <= campaign.end)).to_numpy()
        counts = (
            frame[inside]
            .groupby("topic")
            .agg(n_posts=("author", "size"), n_authors=("author", "nunique"))
            .reindex(sorted(frame["topic"].unique()), fill_value=0)
        )
        outside = frame.loc[~inside, "topic"].value_counts()
        counts["share"] = counts["n_posts"] / inside.sum() if inside.any() else np.nan
        counts["share_outside"] = outside.reindex(counts.index, fill_value=0) / max(
            (~inside).sum(), 1
        )
        counts["lift"] = counts["share"] / counts["share_outside"].replace(0, np.nan)
        tables.append(counts.reset_index().assign(campaign=campaign.name))
    out = pd.concat(tables, ignore_index=True)
    return out.astype({"topic": int, "n_posts": int, "n_authors": int})[columns]


def topic_examples(
    texts: Sequence[str],
    representatives: pd.DataFrame,
    policy: str,
    keep_handles: Iterable[str] = (),
    max_risk: float | None = 0.5,
) -> pd.DataFrame:
    """Representative posts as they may be published: through `toolkit.privacy.detect.analyzer.quote` only.

    With policy "none" (the default) no text is returned and the table is empty; with
    "redacted", personal data is replaced and excerpts too findable by exact search are
    shortened or dropped (`max_risk`). Names inside hashtags are hidden first
    (`redact_hashtag_names`), as the detector reads a hashtag as one word.

    Parameters
    ----------
    texts : sequence of str
        Raw post texts, indexed by `representatives.position`.
    representatives : DataFrame
        `TopicModel.representatives(...)`.
    policy : {"none", "redacted", "full"}
        `config.privacy.quotes`.
    keep_handles : iterable of str
        The brand's handles, which may stay visible.
    max_risk : float, optional
        Highest `quote_risk` an excerpt may have (redacted policy).
    """
    columns = ["topic", "rank", "example"]
    if policy == "none" or representatives.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for rep in representatives.itertuples():
        quoted = quote(
            redact_hashtag_names(texts[rep.position]),
            policy,
            keep_handles=keep_handles,
            max_risk=max_risk if policy == "redacted" else None,
        )
        if quoted:
            rows.append((rep.topic, rep.rank, quoted))
    return pd.DataFrame(rows, columns=columns)


def thread_context(posts: pd.DataFrame, all_posts: pd.DataFrame | None = None) -> pd.Series:
    """Per post, the text of its conversation's first post, for `TopicModel.fit(context=...)`.

    None for first posts themselves and where the first post is not loaded.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts to model (`platform`, `post_id`, `thread_id`).
    all_posts : DataFrame, optional
        Where to look the first posts up (e.g. all posts, the brand's included, as a brand
        post often opens the conversation); default `posts`.
    """
    source = posts if all_posts is None else all_posts
    first_posts = source.drop_duplicates(["platform", "post_id"]).set_index(["platform", "post_id"])
    keys = pd.MultiIndex.from_arrays([posts["platform"], posts["thread_id"]])
    texts = first_posts["text"].reindex(keys).to_numpy(dtype=object)
    is_first = (posts["thread_id"] == posts["post_id"]).to_numpy()
    texts[is_first | pd.isna(texts)] = None
    return pd.Series(texts, index=posts.index, name="context", dtype=object)


def evaluate_topics(labels_pred: Sequence, labels_true: Sequence) -> dict[str, float]:
    """NMI and ARI of predicted topics against true ones; -1 and None are groups of their own."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    if len(labels_pred) != len(labels_true):
        raise ValueError("labels_pred and labels_true differ in length")
    pred = [str(x) for x in labels_pred]
    true = [
        "<none>" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)
        for x in labels_true
    ]
    return {
        "nmi": float(normalized_mutual_info_score(true, pred)),
        "ari": float(adjusted_rand_score(true, pred)),
    }


def _with_topics(posts: pd.DataFrame, labels: Sequence[int]) -> pd.DataFrame:
    frame = posts[["platform", "author", "created_at"]].reset_index(drop=True).copy()
    frame["topic"] = _aligned(labels, frame, "labels")
    return frame


def _aligned(values, frame: pd.DataFrame, name: str) -> np.ndarray:
    values = np.asarray(values)
    if len(values) != len(frame):
        raise ValueError(f"{name} has {len(values)} values for {len(frame)} posts")
    return values


def _order_topics(table: pd.DataFrame) -> pd.DataFrame:
    table = table.sort_values(["size", "topic"], ascending=[False, True])
    is_outlier = table["topic"] == NO_TOPIC
    return pd.concat([table[~is_outlier], table[is_outlier]]).reset_index(drop=True)


def topic_findings(published: pd.DataFrame, n_posts: int, k: int) -> dict:
    """Headline numbers of a published (suppressed) topic table, for the brief.

    The most negative topic is chosen among topics big enough to matter (at least 2k posts
    and 2% of the modelled posts), so that a handful of angry posts does not headline.
    """
    ranked = published[published["topic"] >= 0].dropna(subset=["size"])
    top = [
        {"label": r.label, "share": float(r.share)} for r in ranked.nlargest(5, "size").itertuples()
    ]
    substantial = ranked[ranked["size"] >= max(2 * k, 0.02 * n_posts)]
    if substantial.empty:
        negative = {"label": "none large enough", "share_negative": None}
    else:
        row = substantial.sort_values(["negative", "topic"], ascending=[False, True]).iloc[0]
        negative = {"label": row["label"], "share_negative": float(row["negative"])}
    return {"topics_top": top, "topics_most_negative": negative}
