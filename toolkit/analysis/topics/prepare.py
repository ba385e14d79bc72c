"""Text preparation for topic modelling: which posts are modelled, how each is cleaned, stop words.

`topic_corpus` picks the customer posts to model, `thread_context` gives each reply its
conversation's first post, and `prepare_for_topics` removes what must not (personal data,
mentions, links, numbers) or need not (emoji, the brand's own name) reach the model.
`stop_words` and `language_stop_words` keep filler words out of keywords and labels.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from toolkit.core.language import fill_languages
from toolkit.core.text import CAMEL_PART, HANDLE_IN_TEXT, HASHTAG, URL
from toolkit.privacy.detect.analyzer import default_detector
from toolkit.privacy.detect.entities import CONTEXT_TYPES, ENTITY_TYPES, PERSON
from toolkit.privacy.pseudonymise import PSEUDONYM
from toolkit.privacy.quoting import redact

#: Filler words of social media posts that say nothing about the topic.
SOCIAL_STOP_WORDS = frozenset(
    """
    rt via vs versus amp lol lmao lmfao rofl omg omfg wtf smh tbh imo imho idk ikr fyi btw ty
    thx thanks thank pls plz please hey hi hello yo ok okay yes yeah yep nope nah oh ah uh um hmm wow haha
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
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_REDDIT_USER = re.compile(r"(?<![\w/])/?u/[\w-]+")
# Anything with a digit: numbers, prices, dates, order codes, phone numbers, offer codes.
# Phone numbers written with spaces ("+1 555 010 4477") split into several such tokens.
_HAS_DIGIT = re.compile(r"[^\s]*\d[^\s]*")
_INVISIBLE = frozenset("\u200d\u200c\ufe0e\ufe0f\u20e3")
_LETTER = re.compile(r"[^\W\d_]")
_SPACES = re.compile(r"\s+")
#: What topic text loses: personal data about people. Places, organisations, dates and
#: groups (the NER layer's other types) are what customers talk about; labels and keywords
#: are checked for personal data again before they are published (`is_publishable`).
TOPIC_PRIVATE_TYPES = tuple(t for t in ENTITY_TYPES if t not in CONTEXT_TYPES)
#: Person spans scored below this are left in topic text. NER person guesses all score
#: below it (the tweet model reads many non-English words as names, e.g. "café", "treno"); the
#: gate applies the same cut.
NER_GUESS_SCORE = 0.6


def private_spans(text: str, types=TOPIC_PRIVATE_TYPES) -> list:
    """The detector's spans of `types` in `text`, without the unsure person guesses (score
    below `NER_GUESS_SCORE`): what topic text and published terms must not carry.

    The NER layer is not run. Its only type here, a person, scores below the cut, so it could
    only widen a span the rules found (a handle "@ann" into "@ann getwellsoonkushal"): an unsure
    guess all the same, and the parse would cost most of the time topic preparation takes.
    """
    return [
        s
        for s in default_detector().detect(text, types, ner=False)
        if not (s.entity_type == PERSON and s.score < NER_GUESS_SCORE)
    ]


_PLACEHOLDER = re.compile("<(?:" + "|".join(map(re.escape, ENTITY_TYPES)) + ")>")


def split_hashtag(tag: str) -> str:
    """Turn a hashtag body into lower-case words: 'NimbusGlowUp' -> 'nimbus glow up'."""
    parts = CAMEL_PART.findall(tag)
    return " ".join(parts).lower() if parts else tag.lower()


def _hashtag_words(tag: str) -> str:
    """A hashtag body as words, case kept: 'JusticeForDevika' -> 'Justice For Devika'."""
    return " ".join(CAMEL_PART.findall(tag)) or tag


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

    Removes the retweet prefix and the personal data `toolkit.privacy.quoting.redact` finds (names,
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
    return _topic_text(text, _brand_pattern(brand_handles))


def prepare_many(texts: Iterable[str], brand_handles: Iterable[str] = ()) -> list[str]:
    """`prepare_for_topics` of each text."""
    brand = _brand_pattern(brand_handles)
    return [_topic_text(t, brand) for t in texts]


def prepare_with_names(
    texts: Iterable[str], brand_handles: Iterable[str] = ()
) -> tuple[list[str], list[str]]:
    """Each text cleaned twice from one detection: `prepare_for_topics` (what keywords and
    labels are drawn from), and the same with people's names left in (what is embedded).

    A name in the embedded text never leaves the model (vectors are not published, and the
    embedding cache keeps hashes, not text), yet it tells the model what a post is about when
    its subject is a person ("support Hillary"); docs/topics.md gives what it changes. A post
    with nothing topical left is not embedded either (both texts are '').
    """
    brand = _brand_pattern(brand_handles)
    pairs = list(_prepare_both(texts, brand))
    return [topic for topic, _ in pairs], [embedded for _, embedded in pairs]


def _topic_text(raw, brand: re.Pattern | None) -> str:
    text = _before_detection(raw)
    return _clean(text, private_spans(text), brand)


def _prepare_both(texts: Iterable[str], brand: re.Pattern | None) -> Iterable[tuple[str, str]]:
    for raw in texts:
        text = _before_detection(raw)
        spans = private_spans(text)
        not_names = [s for s in spans if s.entity_type != PERSON]
        topic = _clean(text, spans, brand)
        if not topic or len(not_names) == len(spans):
            yield topic, topic
        else:
            yield topic, _clean(text, not_names, brand)


def _before_detection(text) -> str:
    text = html.unescape(text if isinstance(text, str) else "")
    text = _RT_PREFIX.sub(" ", text)
    # Hashtags become words before redaction, case kept, so that the detector sees the
    # name in '#JusticeForDevika' ("Justice For Devika").
    return HASHTAG.sub(lambda m: " " + _hashtag_words(m.group(1)) + " ", text)


def _clean(text: str, spans: list, brand: re.Pattern | None) -> str:
    text = _PLACEHOLDER.sub(" ", redact(text, spans))
    text = URL.sub(" ", text)
    text = HANDLE_IN_TEXT.sub(" ", text)  # before e-mails: '@user@instance' is a handle
    text = _EMAIL.sub(" ", text)
    text = _REDDIT_USER.sub(" ", text)
    text = PSEUDONYM.sub(" ", text)
    text = _HAS_DIGIT.sub(" ", text)
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
