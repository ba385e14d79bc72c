"""A small, offline guess of a post's language from its function words, for posts without a tag.

Twitter and Mastodon tag each post's language; Reddit, CrowdTangle exports and most CSVs do not.
The topic model's embeddings are English, so untagged posts in another language would form
topics of their own ("llevo · mucho mejor"). Function words (articles, pronouns, prepositions)
are the most reliable cheap signal on short text: a post is given a language when enough of
its words are that language's function words and clearly more than English's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

#: The most frequent function words of each language, none shared with English spellings
#: that are common in English posts ("a", "in", "die", "per" are left out where ambiguous).
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and is are was were you your my me it this that with for have has not "
        "but what when why how they them our we just been would could should there their "
        "of to at on from about will can do does did don't it's i'm",
        "es": "el la los las un una unos unas y que de del en es por para con sin mi mis tu "
        "su sus muy pero como más mas ya lo le les se al está esta estoy son hay nada todo "
        "también porque cuando donde yo ni eso esto",
        "fr": "le la les un une des et est que qui dans pour avec sans mon ma mes ton ta "
        "son sa ses très mais comme plus pas je tu il elle nous vous ils sont ce cette "
        "du au aux sur ne c'est j'ai",
        "de": "der das und ist nicht ein eine einen mit für auf ich du er sie wir ihr sehr "
        "aber wie noch schon mein meine dein kein keine auch nur bei dem den des zu ist's "
        "habe hat sind war",
        "pt": "o os as um uma uns umas e que de do da dos das em no na nos nas por para com "
        "sem meu minha muito mas como mais não nao já é está estou são tem isso isto eu "
        "você voce",
        "it": "il lo gli un uno una e che di del della dei delle nel nella per con senza mio "
        "mia molto ma come più non già è sono ho hai questo questa anche",
        "nl": "de het een en is niet met voor op ik jij je hij zij wij mijn heel maar hoe "
        "nog al ook van dat die zijn heb heeft",
    }.items()
}

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_URL_OR_HANDLE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")


def guess_language(text: str | None, min_words: int = 4, min_share: float = 0.2) -> str | None:
    """ISO 639-1 code of the language `text` is most likely in, or None when unsure.

    Parameters
    ----------
    text : str or None
        A post.
    min_words : int
        Fewer words than this (URLs, @handles and #hashtags not counted): None.
    min_share : float
        The winning language's function words must make up at least this share of the
        words, and outnumber the runner-up's by half as much again.
    """
    if not isinstance(text, str):
        return None
    words = [w.lower() for w in _WORD.findall(_URL_OR_HANDLE.sub(" ", text))]
    if len(words) < min_words:
        return None
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in FUNCTION_WORDS.items()}
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < min_share * len(words) or top < 1.5 * second:
        return None
    return best


def fill_languages(languages: pd.Series, texts: pd.Series) -> pd.Series:
    """`languages` with missing or undetermined tags replaced by `guess_language(text)`.

    Parameters
    ----------
    languages : Series of str or None
        Language tags as the platforms give them ('und' etc. count as missing).
    texts : Series of str
        The posts' texts, aligned with `languages`.
    """
    missing = languages.isna() | languages.astype("string").str.lower().isin(_UNDETERMINED)
    guessed = texts[missing].map(guess_language)
    return languages.astype(object).where(~missing, guessed)


_UNDETERMINED: Iterable[str] = ("und", "zxx", "qam", "qct", "qht", "qme", "qst", "")
