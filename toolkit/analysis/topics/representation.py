"""How a topic is described: keywords, the NPMI keyword filter, readable labels and descriptions.

`KeywordRepresentation` is the model's representation part: c-TF-IDF keywords of unigrams and
bigrams (optionally re-ranked by KeyBERTInspired or MaximalMarginalRelevance), kept only when
they occur together in the posts (`keyword_npmi_filter`) and publishable (`is_publishable`),
and a 2-4 word phrase label from the topic's own posts (`phrase_labels`). `describe_topic(s)`
turns label and keywords into one line for a reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from toolkit.analysis.topics.clustering import NO_TOPIC
from toolkit.analysis.topics.prepare import (
    CAMEL_PART,
    LABEL_LANGUAGES,
    language_stop_words,
    private_spans,
    stop_words,
)
from toolkit.core.text import HASHTAG
from toolkit.privacy.detect import wordlists
from toolkit.privacy.detect.entities import PERSON

#: Posts at most used to find label phrases (a seeded sample beyond it).
LABEL_SAMPLE = 20_000


class KeywordRepresentation:
    """Keywords and a phrase label per topic: the model's default representation part.

    Parameters
    ----------
    kind : {"ctfidf", "keybert", "mmr"}
        How keywords are chosen: c-TF-IDF, c-TF-IDF candidates re-ranked by similarity to the
        topic (KeyBERTInspired), or diversified (MaximalMarginalRelevance). docs/topics.md
        compares their coherence and diversity.
    top_n_words : int
        Keywords kept per topic.
    min_term_posts : int
        A keyword must occur in at least this many posts.
    min_npmi : float or None
        A keyword is kept when its mean NPMI with the keywords already kept is at least this
        (`keyword_npmi_filter`, over three times `top_n_words` c-TF-IDF candidates); None keeps
        the first `top_n_words`.
    languages : iterable of str
        Languages whose stop words are kept out of keywords and off the edges of labels.
    brand_terms : iterable of str
        Brand name and handles, added to the stop words.
    random_state : int
        Seed of the KeyBERTInspired re-ranking and of the sample labels are found in.
    """

    def __init__(
        self,
        kind: str = "ctfidf",
        top_n_words: int = 10,
        min_term_posts: int = 2,
        min_npmi: float | None = 0.0,
        languages: Iterable[str] = LABEL_LANGUAGES,
        brand_terms: Iterable[str] = (),
        random_state: int = 42,
    ):
        if kind not in {"keybert", "mmr", "ctfidf"}:
            raise ValueError(f"unknown representation {kind!r}")
        self.kind = kind
        self.top_n_words = top_n_words
        self.min_term_posts = min_term_posts
        self.min_npmi = min_npmi
        self.languages = tuple(languages)
        self.brand_terms = tuple(brand_terms)
        self.random_state = random_state

    @property
    def n_candidates(self) -> int:
        """Keywords asked of c-TF-IDF: more than kept when `min_npmi` filters them."""
        return self.top_n_words if self.min_npmi is None else 3 * self.top_n_words

    def vectorizer(self, texts: list[str]) -> CountVectorizer:
        """Unigrams and bigrams without stop words, limited to terms in >= `min_term_posts` posts.

        BERTopic fits its vectorizer on one joined document per topic, where `min_df` would
        count topics, not posts; so the vocabulary is fixed here, on the posts themselves.
        Raises sklearn's ValueError when no term is left.
        """
        words = sorted(set(stop_words(self.brand_terms)) | language_stop_words(self.languages))
        params = dict(stop_words=words, ngram_range=(1, 2), token_pattern=r"(?u)\b[^\W\d_]{2,}\b")
        min_df = self.min_term_posts if len(texts) >= self.min_term_posts else 1
        try:
            vocabulary = CountVectorizer(min_df=min_df, **params).fit(texts).vocabulary_
        except ValueError:  # nothing occurs often enough: fall back to every term
            vocabulary = CountVectorizer(**params).fit(texts).vocabulary_
        return CountVectorizer(vocabulary=sorted(vocabulary), **params)

    @staticmethod
    def ctfidf():
        """BERTopic's c-TF-IDF, damping words frequent in every topic."""
        from bertopic.vectorizers import ClassTfidfTransformer

        return ClassTfidfTransformer(reduce_frequent_words=True)

    def bertopic_model(self):
        """BERTopic's `representation_model` for `kind` (None: plain c-TF-IDF)."""
        from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance

        if self.kind == "keybert":
            # 30 representative posts instead of 5: large topics of varied posts are then
            # described by their bulk rather than by one vivid template.
            return KeyBERTInspired(
                top_n_words=self.top_n_words, nr_repr_docs=30, random_state=self.random_state
            )
        if self.kind == "mmr":
            return MaximalMarginalRelevance(diversity=0.3, top_n_words=self.top_n_words)
        return None

    def frequent_terms(self, texts: list[str]) -> list[str]:
        """The most frequent keywords of a set of posts (ties broken alphabetically)."""
        try:
            vectorizer = self.vectorizer(texts)
            counts = np.asarray(vectorizer.fit_transform(texts).sum(axis=0)).ravel()
        except ValueError:  # no term left
            return []
        terms = vectorizer.get_feature_names_out()
        order = sorted(range(len(terms)), key=lambda i: (-counts[i], terms[i]))
        return [terms[i] for i in order[: self.top_n_words]]

    def describe(
        self,
        keywords: dict[int, list[str]],
        texts: list[str],
        raw: list[str],
        topics: np.ndarray,
        clustered: bool = True,
    ) -> tuple[dict[int, list[str]], dict[int, str]]:
        """Publishable, coherent keywords and distinct labels of the topics.

        Parameters
        ----------
        keywords : dict
            Candidate keywords per topic, best first (c-TF-IDF's).
        texts : list of str
            The prepared posts, one per entry of `topics`; labels are phrases of these.
        raw : list of str
            The same posts as written: keyword coherence is counted on those, by the words
            people typed (a split hashtag's parts such as "st" of #SemST are not words of theirs).
        topics : ndarray of int
            Topic of each post.
        clustered : bool
            False when all posts form one topic "all posts" (no clustering happened).
        """
        publishable = Publishable()
        keywords = {t: [k for k in kw if publishable(k)] for t, kw in keywords.items()}
        if len(texts) > LABEL_SAMPLE:
            rng = np.random.default_rng(self.random_state)
            pick = np.sort(rng.choice(len(texts), LABEL_SAMPLE, replace=False))
            texts, topics = [texts[i] for i in pick], topics[pick]
            raw = [raw[i] for i in pick]
        if self.min_npmi is not None and clustered:
            keywords = keyword_npmi_filter(keywords, raw, self.top_n_words, self.min_npmi)
        else:
            keywords = {t: kw[: self.top_n_words] for t, kw in keywords.items()}
        if not clustered:
            names = {0: "all posts"} if keywords else {}
        else:
            stop = language_stop_words(self.languages) | set(stop_words(self.brand_terms))
            names = phrase_labels(texts, topics.tolist(), keywords, stop, publishable)
        return keywords, unique_labels(names)


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


def unique_labels(labels: dict[int, str]) -> dict[int, str]:
    """Labels with the topic id appended where two topics would share one: 'refund (3)'."""
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {t: (f"{lab} ({t})" if seen[lab] > 1 else lab) for t, lab in labels.items()}


_LABEL_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
#: Words that start a new clause: a phrase holding one runs across two thoughts ("house
#: because the cloud", "routines how reliable"), so it never labels a topic.
CLAUSE_WORDS = frozenset(
    "because cause cuz coz since how why what when where which who whom whose if though"
    " although while whether but or so than then that unless until till".split()
)


def _is_stop(word: str, stop: frozenset[str]) -> bool:
    return len(word) < 2 or word in stop or word.replace("'", "") in stop


def phrase_candidates(
    text: str, stop: frozenset[str], lengths: tuple[int, int] = (2, 4)
) -> set[str]:
    """Distinct word n-grams of a prepared post that could label its topic.

    Lower-case, `lengths` words long, neither first nor last word a stop word (inner ones
    may be: "waste of money", "halohub vs lumora"), no inner `CLAUSE_WORDS` word, no word
    repeated.
    """
    tokens = [t.lower().replace("’", "'") for t in _LABEL_TOKEN.findall(text)]
    usable = [not _is_stop(t, stop) for t in tokens]
    out = set()
    for n in range(lengths[0], lengths[1] + 1):
        for i in range(len(tokens) - n + 1):
            if usable[i] and usable[i + n - 1]:
                gram = tokens[i : i + n]
                if len(set(gram)) == n and not CLAUSE_WORDS.intersection(gram[1:-1]):
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
    common, first, last = wordlists.common_words(), wordlists.first_names(), wordlists.surnames()
    for word in words:
        if word.lower() not in common and (word.capitalize() in first or word.capitalize() in last):
            return False
    titled = " ".join(w.capitalize() for w in words)
    return not private_spans(term) and not private_spans(titled, [PERSON])


class Publishable:
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

    `example` must already have been through `toolkit.privacy.quoting.quote` (None under
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
                list(row.keywords) if is_list(row.keywords) else [],
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
        parts = CAMEL_PART.findall(match.group(1))
        if all(is_publishable(p.lower()) for p in parts if p.isalpha()):
            return match.group(0)
        return "#" + "".join(
            p if not p.isalpha() or is_publishable(p.lower()) else f"<{PERSON}>" for p in parts
        )

    return HASHTAG.sub(replace, text)


def is_list(value) -> bool:
    """Whether a keywords cell holds a list (a list, tuple or array, as pandas may give it)."""
    return isinstance(value, list | tuple | np.ndarray)
