"""The language of posts without a tag, detected offline from their text, and stop words per
language.

Twitter and Mastodon tag each post's language; Reddit, CrowdTangle exports and most CSVs do not,
and a twarc2 file can have posts whose tag is missing or "und". The topic model's embeddings are
English, so untagged posts in another language would form topics of their own ("salvini · il").
`detect_languages` decides per post with Lingua (`lingua-language-detector`, Apache-2.0: its
n-gram models ship inside the wheel, nothing is downloaded), restricted to `COMMON_LANGUAGES` in
low-accuracy mode (trigrams only) for speed. A post is given a language only when it has enough
letters and Lingua is confident; otherwise it stays unknown (None), and unknown posts are kept.

`stop_words(languages)` gives the stop words of the languages that reach a model, so that topic
keywords and labels can leave out "il, la, di, non, le" in any of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import pandas as pd

from toolkit.core.text import LOOSE_TAG, URL

#: Languages Lingua chooses between (ISO 639-1). Fewer languages = faster and fewer confusions;
#: these cover most social-media posts in Europe and the Americas plus the main other scripts.
COMMON_LANGUAGES: tuple[str, ...] = (
    "en", "es", "fr", "de", "it", "pt", "nl", "pl", "sv", "da", "tr", "id",
    "ru", "uk", "ar", "hi", "ja", "zh", "ko",
)  # fmt: skip
#: Tags that say nothing about the language (Twitter: undetermined, no text, only mentions /
#: hashtags / media / links...).
UNDETERMINED = frozenset({"und", "zxx", "qam", "qct", "qht", "qme", "qst", ""})

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
#: Scripts without spaces between words: a few characters are enough there.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@lru_cache(maxsize=8)
def _detector(languages: tuple[str, ...]):
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [IsoCode639_1.from_str(code) for code in languages]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


def _content(text) -> str | None:
    """The text without URLs, @handles and #hashtags, or None when it is not a string."""
    if not isinstance(text, str):
        return None
    return LOOSE_TAG.sub(" ", URL.sub(" ", text))


def _enough(content: str | None, min_words: int) -> bool:
    if content is None:
        return False
    if _CJK.search(content):
        return len(_CJK.findall(content)) >= 2 * min_words
    return len(_WORD.findall(content)) >= min_words


def detect_languages(
    texts: Iterable[str | None],
    languages: Sequence[str] = COMMON_LANGUAGES,
    min_words: int = 4,
    min_confidence: float = 0.5,
) -> list[str | None]:
    """ISO 639-1 code of each text's language, or None where unsure.

    Parameters
    ----------
    texts : iterable of str or None
        Posts.
    languages : sequence of str
        ISO 639-1 codes to choose between (Lingua supports 75).
    min_words : int
        Texts with fewer words than this (URLs, @handles and #hashtags not counted; CJK
        counts two characters a word) get None.
    min_confidence : float
        Lingua's relative confidence in the winning language (0-1) must reach this, else None.
    """
    contents = [_content(text) for text in texts]
    todo = [i for i, content in enumerate(contents) if _enough(content, min_words)]
    out: list[str | None] = [None] * len(contents)
    if not todo:
        return out
    detector = _detector(tuple(sorted({code.lower() for code in languages})))
    # the top confidence value decides both the language and whether to trust it
    values = detector.compute_language_confidence_values_in_parallel([contents[i] for i in todo])
    for i, ranked in zip(todo, values, strict=True):
        if not ranked or ranked[0].value < min_confidence:
            continue
        code = ranked[0].language.iso_code_639_1.name.lower()
        if code == "en" or _confirmed(contents[i], code):
            out[i] = code
    return out


def _confirmed(content: str, code: str) -> bool:
    """Whether a text in Latin script has the stop words of `code` that Lingua's verdict needs.

    Low-accuracy mode mistakes short English posts for Dutch or German ("Happening to me too
    😩", "yep, 5 of my bulbs too"): a language other than English is taken only when the text
    has at least one of its stop words that English lacks and no more English stop words
    than its own. Other scripts (Cyrillic, Arabic, CJK...) are told apart by their letters.
    """
    words = [word.lower() for word in _WORD.findall(content)]
    if not any(word.isascii() for word in words):
        return True
    own, english = _stop_words(code), _stop_words("en-iso")
    own_only = sum(word in own and word not in english for word in words)
    return own_only >= 1 and sum(word in own for word in words) >= sum(
        word in english for word in words
    )


def guess_language(text: str | None, min_words: int = 4, min_confidence: float = 0.5) -> str | None:
    """ISO 639-1 code of the language `text` is most likely in, or None when unsure
    (`detect_languages` for one text)."""
    return detect_languages([text], min_words=min_words, min_confidence=min_confidence)[0]


def fill_languages(languages: pd.Series, texts: pd.Series) -> pd.Series:
    """`languages` with missing or undetermined tags replaced by the detected language.

    Parameters
    ----------
    languages : Series of str or None
        Language tags as the platforms give them ('und' etc. count as missing).
    texts : Series of str
        The posts' texts, aligned with `languages`.
    """
    missing = languages.isna() | languages.astype("string").str.lower().isin(UNDETERMINED)
    missing = missing.fillna(True).to_numpy(dtype=bool)
    out = languages.astype(object).copy()
    if missing.any():
        out[missing] = detect_languages(texts[missing].tolist())
    return out


def stop_words(languages: Iterable[str]) -> set[str]:
    """Lower-case stop words of the given languages (ISO 639-1, 'en-GB' counts as 'en').

    English uses scikit-learn's list (318 words); other languages use stopwords-iso
    (`stopwordsiso`, MIT), whose English list is too broad for topic keywords ("work",
    "problem", "home"). Languages neither knows add nothing.

    Parameters
    ----------
    languages : iterable of str
        Language codes, e.g. the detected languages of the posts that reach a model.
    """
    out: set[str] = set()
    for code in {str(c).lower().split("-")[0] for c in languages if isinstance(c, str)}:
        out |= _stop_words(code)
    return out


@lru_cache(maxsize=64)
def _stop_words(code: str) -> frozenset[str]:
    if code == "en-iso":
        code = "en"
    elif code == "en":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return frozenset(ENGLISH_STOP_WORDS)
    import stopwordsiso

    if not stopwordsiso.has_lang(code):
        return frozenset()
    return frozenset(word.lower() for word in stopwordsiso.stopwords(code))
