"""Tone of posts: swappable scorers (VADER baseline, our `ToneScorer`) and the mix per group.

A scorer is anything with a `name` and `score(texts) -> DataFrame[compound, label]`, where
`compound` is a score in [-1, 1] and `label` is negative / neutral / positive
(`SentimentScorer`). `score_posts` adds them to a posts frame as `sentiment_compound` and
`sentiment`, with `ToneScorer` unless told otherwise (`default_scorer`). The corpus-adapted
`AdaptiveToneScorer` is in `toolkit.analysis.tone.adaptive`; the evaluation against gold labels
in `toolkit.quality.evaluation.sentiment`.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Protocol, runtime_checkable

import pandas as pd
from vaderSentiment.vaderSentiment import B_INCR as VADER_INCR
from vaderSentiment.vaderSentiment import BOOSTER_DICT as VADER_BOOSTERS
from vaderSentiment.vaderSentiment import NEGATE as VADER_NEGATE
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from toolkit.analysis.posts import Authors, select_posts
from toolkit.core.text import EMOJI_MODIFIERS, HANDLE_IN_TEXT, HASHTAG, URL

LABELS = ["negative", "neutral", "positive"]
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


def label_of(compound: float, pos_threshold: float, neg_threshold: float) -> str:
    """negative / neutral / positive for a compound score and the two thresholds (inclusive)."""
    if compound >= pos_threshold:
        return "positive"
    if compound <= neg_threshold:
        return "negative"
    return "neutral"


def score_frame(compounds: Sequence[float], label: Callable[[float], str]) -> pd.DataFrame:
    """A scorer's answer: `compound` (float64) and `label` (``label(compound)``) per text."""
    return pd.DataFrame(
        {
            "compound": pd.Series(compounds, dtype="float64"),
            "label": pd.Series([label(c) for c in compounds], dtype="object"),
        }
    )


class ThresholdScorer:
    """What the text-by-text scorers share: a `compound` score per text, labelled with two
    cut-offs (`label_of`). Subclasses define `compound(text)`.

    Parameters
    ----------
    pos_threshold, neg_threshold : float
        Compound-score cut-offs.
    """

    def __init__(self, pos_threshold: float, neg_threshold: float):
        if neg_threshold > pos_threshold:
            raise ValueError("neg_threshold must not exceed pos_threshold")
        self.pos_threshold = pos_threshold
        self.neg_threshold = neg_threshold

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(pos_threshold={self.pos_threshold}, "
            f"neg_threshold={self.neg_threshold})"
        )

    def compound(self, text: str | None) -> float:
        """The compound score in [-1, 1] of one text."""
        raise NotImplementedError

    def label(self, compound: float) -> str:
        """The label of one compound score."""
        return label_of(compound, self.pos_threshold, self.neg_threshold)

    def score(self, texts: Sequence[str]) -> pd.DataFrame:
        """Compound score and label per text.

        Parameters
        ----------
        texts : sequence of str
            Post texts; None / NaN score as neutral 0.
        """
        return score_frame([self.compound(t) for t in texts], self.label)


class VaderScorer(ThresholdScorer):
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
        super().__init__(pos_threshold, neg_threshold)
        self._analyzer = SentimentIntensityAnalyzer()

    def compound(self, text: str | None) -> float:
        """VADER's compound score of one text, mentions and URLs neutralised first."""
        return self._analyzer.polarity_scores(neutralise(text))["compound"]


# ------------------------------------------------------------------ our tone model
#: Words that flip the tone of the next few words (VADER's list plus "no").
NEGATORS = frozenset(VADER_NEGATE) | {"no", "not", "never", "cannot", "nothing", "without"}
#: Verbs of a service doing its job: neutral alone, a complaint when negated ("isn't working").
SERVICE_VERBS = frozenset(
    "work works working worked arrive arrived arriving show showed shown load loading loads "
    "loaded charge charging connect connecting connected respond responded responding answer "
    "answered answering reply replied replying call called calling start starts started turn "
    "open opens opening help helped helping get got getting receive received deliver delivered "
    "come came sync syncing refund refunded fix fixed care cares listen listens listening "
    "update updated send sent pick picked hear heard give gave return returned accept accepted "
    "honor honour last lasts play plays playing print printing stream streaming check log "
    "login sign access find reach download install pay book track board process upload tell "
    "explain".split()
)
#: Positive words people use ironically next to a complaint ("great, another outage").
IRONIC = frozenset(
    "great perfect nice love loving loved lovely awesome wonderful fantastic brilliant fun "
    "amazing excellent best classic wow yay superb glad".split()
) | {"thanks a lot", "just what i needed"}
#: Terms of resolution or sincere thanks: with them, praise next to a complaint is not irony.
RESOLUTION = frozenset(
    "fixed fixing sorted resolved solved appreciate appreciated helpful quick quickly fast".split()
) | {"much appreciated", "really appreciate", "working now", "works now", "all sorted",
     "problem solved", "issue resolved", "refund received", "got my refund", "back up",
     "came back", "back on"}  # fmt: skip
#: Words that start a Title Case greeting rather than a name ("Happy Birthday", "Merry
#: Christmas", "Thank God"): they keep their tone.
GREETINGS = frozenset({"happy", "merry", "congrats", "congratulations", "god"})
GRATITUDE = frozenset({"thanks", "thank you", "thank u", "thx", "ty"})
#: Question words after which a negative word still reads as a complaint ("why is it late?").
RHETORICAL = frozenset({"why", "seriously", "really"})
SARCASM_TOKENS = frozenset({"/s", "🙄"})
#: Explicit sarcasm markers (normalised tokens or token pairs).
#: (Their own valence is in tone_lexicon.tsv; a marker flips every praise word of the post.)
SARCASM_MARKERS = frozenset(
    {"yeah right", "thanks for nothing", "oh great", "oh perfect", "oh joy"}
)
CONTRAST = frozenset({"but", "however", "although", "though", "yet"})
QUESTION_OPENERS = frozenset(
    "what what's whats when where where's which who who's whom why how how's is are am was were "
    "do does did can could will would should shall may might has have any anyone anybody".split()
)
#: Word boosters/dampeners (VADER's) plus common social-media intensifiers.
BOOSTERS = {
    **VADER_BOOSTERS,
    "super": VADER_INCR,
    "soo": VADER_INCR,
    "af": VADER_INCR,
    "literally": VADER_INCR,
    "seriously": VADER_INCR,
    "truly": VADER_INCR,
}
_TOKEN = re.compile(
    r"""
      [A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*    # a word with its apostrophes: don't, it's
    | (?<!\w)(?:>:\(|:'\(|:-?[()\]\[DPp/\\|]|;-?[)P]|\(:|\):|=\)|<3|-_-)(?!\w)    # an emoticon
    | /s\b                                   # the sarcasm tag
    | [!?.,;:]                               # clause punctuation
    | [^\sA-Za-z0-9]                         # any other symbol, emoji included
    """,
    re.VERBOSE,
)
_ELONGATED = re.compile(r"(.)\1{2,}")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CLAUSE_END = frozenset(".,;:!?")
#: @mentions and URLs, removed before scoring (see `neutralise`).
#: (A looser, faster pattern than `neutralise`'s: it also strips e-mail domains, which carry no tone.)
_NOISE = re.compile(r"(?:[Hh][Tt][Tt][Pp][Ss]?://|[Ww][Ww][Ww]\.)\S+|@\w+(?:[.@-]\w+)*")


def _read_table(name: str) -> dict[str, float]:
    """term -> valence from a tab-separated resource file (# comments)."""
    table = {}
    text = resources.files("toolkit").joinpath("resources", name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            term, value = line.rsplit("\t", 1)
            table[term] = float(value)
    return table


def _split_hashtag(match: re.Match) -> str:
    return " " + _CAMEL.sub(" ", match.group(1)) + " "


class ToneScorer(ThresholdScorer):
    """Our lexicon-and-rules tone model for social-media customer talk (no download, pure Python).

    VADER's lexicon (Hutto & Gilbert 2014) overridden and extended by a customer-service
    lexicon and a curated emoji/emoticon table (``toolkit/resources/tone_*.tsv``), scored with
    rules: multi-word phrases ("still waiting", "not bad", "never again"), negation of the
    three preceding words (``valence * -0.74``), negated service verbs as complaints ("isn't
    working", "never arrived"), boosters/dampeners, ALL CAPS and elongation ("sooo") as
    emphasis, clause weighting around "but" (0.5 before, 1.5 after), questions and requests
    damping praise words ("can you help? thanks"), sarcasm (explicit markers such as "/s",
    "yeah right", 🙄, or ironic praise next to a complaint) flipping praise, and "!" emphasis.
    ``compound = s / sqrt(s^2 + 15)`` for the summed valence ``s``; ``label = positive if
    compound >= pos_threshold, negative if compound <= neg_threshold, else neutral``.
    @mentions and URLs are removed, hashtags keep their words (CamelCase split).

    Parameters
    ----------
    pos_threshold, neg_threshold : float
        Compound-score cut-offs of the neutral band.
    question_damping : float
        Factor on positive valences in questions and requests.
    question_negative_damping : float
        Factor on negative valences in questions that are not rhetorical ("is flight 12
        delayed?" asks; "why is it delayed again?" complains).
    """

    name = "tone"

    def __init__(
        self,
        pos_threshold: float = 0.3,
        neg_threshold: float = -0.15,
        question_damping: float = 0.3,
        question_negative_damping: float = 0.5,
    ):
        super().__init__(pos_threshold, neg_threshold)
        self.question_damping = question_damping
        self.question_negative_damping = question_negative_damping
        lexicon = dict(SentimentIntensityAnalyzer().lexicon)
        custom = _read_table("tone_lexicon.tsv")
        lexicon.update({t: v for t, v in custom.items() if " " not in t})
        self._custom = frozenset(t for t in custom if " " not in t)
        self._emoji = {
            EMOJI_MODIFIERS.sub("", k).lower(): v for k, v in _read_table("tone_emoji.tsv").items()
        }
        self._lexicon = {k: v for k, v in lexicon.items() if " " not in k}
        self._phrases = self._index_phrases({t: v for t, v in custom.items() if " " in t})
        self._tokens: dict[str, tuple] = {}  # raw token -> `_token` info

    @staticmethod
    def _index_phrases(phrases: dict[str, float]) -> dict[str, list[tuple[tuple[str, ...], float]]]:
        """First word -> [(words, valence)], longest first."""
        index: dict[str, list] = {}
        for phrase, value in phrases.items():
            words = tuple(phrase.split())
            index.setdefault(words[0], []).append((words, value))
        for options in index.values():
            options.sort(key=lambda option: -len(option[0]))
        return index

    def _token(self, raw: str) -> tuple:
        """(word, shouted, elongated, role, titled, negator, booster) of one raw token, cached.

        role: 1 = may carry tone (lexicon, emoji, phrase start or service verb), 4 = clause
        end, 0 = neither; booster: VADER's increment (0 for other words).
        """
        word = raw.lower().replace("\u2019", "'")
        elongated = False
        if word not in self._lexicon and _ELONGATED.search(word):
            elongated = True
            double = _ELONGATED.sub(r"\1\1", word)
            single = _ELONGATED.sub(r"\1", word)
            word = double if double in self._lexicon or double in BOOSTERS else single
        if word in _CLAUSE_END:
            role = 4
        elif word in self._phrases or word in self._lexicon or word in self._emoji:
            role = 1
        else:
            role = 1 if word in SERVICE_VERBS else 0
        negator = word in NEGATORS or word.endswith("n't")
        shouted = raw.isupper() and len(raw) > 1 and raw.isalpha()
        titled = raw.istitle() and len(raw) > 1 and raw.isalpha()
        info = (word, shouted, elongated, role, titled, negator, BOOSTERS.get(word, 0.0))
        if len(self._tokens) > 500_000:
            self._tokens.clear()
        self._tokens[raw] = info
        return info

    def compound(self, text: str | None) -> float:
        """The compound score in [-1, 1] of one text (see the class docstring)."""
        if not isinstance(text, str) or not text:
            return 0.0
        if "&" in text:  # Twitter's API escapes &, < and > ("&amp;", "&gt;")
            text = html.unescape(text)
        if "@" in text or "://" in text or "www" in text or "WWW" in text:
            text = _NOISE.sub(" ", text)
        if "#" in text:
            text = HASHTAG.sub(_split_hashtag, text)
        if not text.isascii():
            text = EMOJI_MODIFIERS.sub("", text)
        cache, token = self._tokens, self._token
        infos = [cache.get(raw) or token(raw) for raw in _TOKEN.findall(text)]
        if not infos:
            return 0.0
        words = [info[0] for info in infos]
        hits = self._valences(infos, words, text.isupper())
        if not hits:
            return 0.0
        total = self._combine(hits, words)
        return total / math.sqrt(total * total + 15.0)

    def _valences(
        self, infos: list[tuple], words: list[str], shouting_all: bool
    ) -> list[tuple[int, float, str]]:
        """[(position, valence, term)] of the tone-bearing tokens, with local rules applied.

        A VADER word inside a run of Title Case words ("Star Wars", "Grateful Dead") is taken
        as part of a name (valence * 0.1), unless most of the post is in Title Case.
        """
        lexicon, emoji, phrases = self._lexicon, self._emoji, self._phrases
        names = None
        hits = []
        consumed_until = -1
        for i in [i for i, info in enumerate(infos) if info[3] == 1]:
            if i <= consumed_until:
                continue
            word, shouted, elongated, _, titled, _, _ = infos[i]
            value = None
            for seq, phrase_value in phrases.get(word, ()):
                if tuple(words[i : i + len(seq)]) == seq:
                    # "never on time", "no more waiting on hold": a phrase can be negated too,
                    # unless it starts with its own negator ("not bad")
                    if phrase_value:
                        phrase_value += _boost(infos, i, phrase_value)
                        if not infos[i][5] and _negated(infos, i, consumed_until):
                            phrase_value *= -0.74
                    hits.append((i, phrase_value, " ".join(seq)))
                    # a phrase ending in a negator ("still hasn't") still negates what follows
                    consumed_until = i + len(seq) - 1 - infos[i + len(seq) - 1][5]
                    value = phrase_value
                    break
            if value is not None:
                continue
            value = lexicon.get(word)
            if value is None:
                value = emoji.get(word)
                if value is not None:
                    hits.append((i, value, word))
                elif word in SERVICE_VERBS and _negated(infos, i, consumed_until):
                    hits.append((i, -1.4, word))
                continue
            if value == 0.0:
                hits.append((i, 0.0, word))
                continue
            if titled and word not in self._custom and word not in GREETINGS and _in_name(infos, i):
                if names is None:
                    names = sum(info[4] for info in infos) <= 0.5 * len(infos)
                if names:
                    value *= 0.1
            value += _boost(infos, i, value)
            if shouted and not shouting_all:
                value += math.copysign(0.733, value)
            if elongated:
                value += math.copysign(0.4, value)
            if _negated(infos, i, consumed_until):
                value *= -0.74
            hits.append((i, value, word))
        return hits

    def _combine(self, hits: list[tuple[int, float, str]], words: list[str]) -> float:
        """Sum of valences after sentence-level rules: contrast, questions, sarcasm, '!'."""
        present = set(words)
        contrast = (
            max(i for i, w in enumerate(words) if w in CONTRAST) if present & CONTRAST else -1
        )
        question = "?" in words or (
            words[0] in QUESTION_OPENERS
            and not (words[0] == "what" and words[1:2] in (["a"], ["an"]))
        )
        rhetorical = question and bool(present & RHETORICAL)
        # a "?" ends the question: what follows it is a statement again
        asked_until = len(words) - 1 - words[::-1].index("?") if "?" in words else len(words)
        explicit = bool(present & SARCASM_TOKENS) or any(k in SARCASM_MARKERS for _, _, k in hits)
        complaint = sum(v for _, v, _ in hits if v <= -0.9)
        keys = {k for _, _, k in hits}
        ironic = not explicit and contrast < 0 and complaint <= -1.1 and not keys & RESOLUTION
        thanked_for_harm = _thanks_for_harm(hits, words)
        if ironic:  # a bare "thanks" after a complaint ("lights don't work. thanks Nimbus")
            thanked_for_harm |= _bare_thanks_after_complaint(hits, words)
        total = 0.0
        for i, value, key in hits:
            if value > 0:
                if explicit or (ironic and key in IRONIC) or i in thanked_for_harm:
                    value = -0.8 * value
                elif question and i <= asked_until:
                    value *= self.question_damping
            elif question and not rhetorical and i <= asked_until:
                value *= self.question_negative_damping
            if contrast >= 0:
                value *= 0.5 if i < contrast else 1.5
            total += value
        if abs(total) >= 0.3 and "!" in present:  # "!" stresses a tone, it does not make one
            total += math.copysign(min(words.count("!"), 4) * 0.292, total)
        return total


def _negated(infos: list[tuple], i: int, floor: int = -1) -> bool:
    """Whether one of the three tokens before position i (after `floor`, the end of the last
    phrase matched) negates it, within its clause."""
    for j in range(i - 1, max(floor, i - 4), -1):
        if infos[j][3] == 4:
            return False
        if infos[j][5]:
            return True
    return False


def _thanks_for_harm(hits: list[tuple[int, float, str]], words: list[str]) -> set[int]:
    """Positions of "thanks for <something bad>" ("thanks for losing my bag"): ironic thanks.

    The bad word (valence <= -1.2) must come within two words after "for".
    """
    out = set()
    bad = {i for i, v, _ in hits if v <= -1.2}
    if not bad:
        return out
    for i, _, key in hits:
        if key in GRATITUDE:
            after = i + len(key.split())
            if after < len(words) and words[after] == "for" and bad & {after + 1, after + 2}:
                out.add(i)
    return out


def _bare_thanks_after_complaint(hits: list[tuple[int, float, str]], words: list[str]) -> set[int]:
    """Positions of thanks not followed by "for" that come after a complaint word (<= -0.9)."""
    first_bad = min((i for i, v, _ in hits if v <= -0.9), default=len(words))
    out = set()
    for i, _, key in hits:
        after = i + len(key.split())
        if key in GRATITUDE and i > first_bad and (after >= len(words) or words[after] != "for"):
            out.add(i)
    return out


def _in_name(infos: list[tuple], i: int) -> bool:
    """Whether the Title Case token at i has a Title Case neighbour (a multi-word name)."""
    return (i > 0 and infos[i - 1][4]) or (i + 1 < len(infos) and infos[i + 1][4])


def _boost(infos: list[tuple], i: int, value: float) -> float:
    """VADER's booster increment from up to three preceding words, decaying with distance."""
    boost = 0.0
    for distance, j in enumerate(range(i - 1, max(-1, i - 4), -1)):
        info = infos[j]
        if info[3] == 4:
            break
        if info[6]:
            boost += (info[6] if value > 0 else -info[6]) * (1.0, 0.95, 0.9)[distance]
    return boost


def default_scorer() -> SentimentScorer:
    """The scorer the toolkit uses when none is given: `ToneScorer()`."""
    return ToneScorer()


def score_posts(posts: pd.DataFrame, scorer: SentimentScorer | None = None) -> pd.DataFrame:
    """A copy of `posts` with `sentiment_compound` and `sentiment` (label) from `scorer`.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts frame.
    scorer : SentimentScorer, optional
        E.g. `VaderScorer()`; default `default_scorer()` (our `ToneScorer`).
    """
    scorer = scorer if scorer is not None else default_scorer()
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
    return count_and_average(
        frame, by, "n_posts", **{name: name for name in shares}, mean_compound="_score"
    )


def count_and_average(
    frame: pd.DataFrame, by: list[str], n_rows: str, authors: str = "author", **means: str
) -> pd.DataFrame:
    """Per group of `by` (one overall row when `by` is empty): the rows, as column `n_rows`,
    ``n_authors`` (distinct values of column `authors`), and then, for each ``name=column``
    of `means`, the mean of that column as `name`. The two counts are int64."""
    keys = by or [pd.Series(0, index=frame.index)]
    out = (
        frame.groupby(keys)
        .agg(
            **{n_rows: (authors, "size"), "n_authors": (authors, "nunique")},
            **{name: (column, "mean") for name, column in means.items()},
        )
        .reset_index(drop=not by)
    )
    out[[n_rows, "n_authors"]] = out[[n_rows, "n_authors"]].astype("int64")
    return out
